//! `CRM_DEMO`: fill an empty store with a generated demo tenant at start, so a newcomer sees a
//! realistic CRM at once (`cargo xtask run --demo`). `CRM_DEMO=small` (or `1`) loads about
//! 2,000 records; a number loads that many (`CRM_DEMO=100000`). A store that already holds
//! customers is left alone.

use anyhow::{Context as _, bail};
use crm_core::Store;
use crm_core::demo::{DemoOptions, DemoSize};
use crm_protocol::query::{CustomerQuery, Paging};

pub(crate) const ENVIRONMENT_VARIABLE: &str = "CRM_DEMO";

/// The seed of the demo tenant: the same records on every machine.
const SEED: u64 = 42;

/// The demo size `CRM_DEMO` asks for, or `None` when it is unset or empty.
pub(crate) fn requested(value: Option<&str>) -> anyhow::Result<Option<DemoSize>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some("1" | "small") => Ok(Some(DemoSize::small())),
        Some(number) => match number.replace('_', "").parse::<usize>() {
            Ok(records) if records > 0 => Ok(Some(DemoSize::records(records))),
            _ => bail!(
                "{ENVIRONMENT_VARIABLE} must be `small` or a number of records, e.g. 100000; got `{number}`"
            ),
        },
    }
}

/// Generates the demo tenant into `store` when it holds no customers yet.
pub(crate) fn load_if_empty(store: &mut Store, size: &DemoSize) -> anyhow::Result<()> {
    let existing = store
        .list_customers(&CustomerQuery {
            paging: Paging {
                limit: 1,
                with_total: false,
                ..Paging::default()
            },
            ..CustomerQuery::default()
        })
        .context("looking for existing customers")?;
    if !existing.data.is_empty() {
        tracing::info!("the store already holds customers; no demo data loaded");
        return Ok(());
    }
    let written = crm_core::demo::generate(store, size, &DemoOptions::new(SEED))
        .context("generating the demo tenant")?;
    tracing::info!(records = written, "demo tenant loaded");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_comes_from_the_variable() {
        assert!(requested(None).expect("unset").is_none());
        assert!(requested(Some("")).expect("empty").is_none());
        assert_eq!(
            requested(Some("small")).expect("small"),
            Some(DemoSize::small())
        );
        assert_eq!(requested(Some("1")).expect("1"), Some(DemoSize::small()));
        assert_eq!(
            requested(Some("100_000")).expect("number"),
            Some(DemoSize::records(100_000))
        );
        assert!(requested(Some("lots")).is_err());
        assert!(requested(Some("0")).is_err());
    }

    #[test]
    fn an_empty_store_gets_the_demo_and_a_filled_one_is_left_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(&dir.path().join(crm_core::STORE_FILE_NAME)).expect("opens");
        let size = DemoSize::records(200);
        load_if_empty(&mut store, &size).expect("loads");
        let count = |store: &Store| {
            store
                .list_customers(&CustomerQuery::default())
                .expect("lists")
                .pagination
                .total
        };
        let first = count(&store);
        assert!(first > 0, "customers were generated");
        load_if_empty(&mut store, &size).expect("second start");
        assert_eq!(count(&store), first, "nothing added on the next start");
    }
}
