//! Settings → Import and export (spec §2.8): the CSV import wizard (file, what it holds, column
//! mapping, a dry run that shows what would happen row by row, then the import with a progress
//! bar, and undo) and the CSV export of any list.

use std::collections::BTreeMap;
use std::rc::Rc;

use crm_protocol::ipc::{
    ExportQuery, ExportRecords, ExportRequest, ImportCsv, ImportCsvRequest, ImportOptions,
    ImportProgress, ImportProgressed, ImportReport, PickImportFile, RevertImport,
};
use crm_protocol::query::{
    ActivityQuery, CommunicationQuery, ContactQuery, CustomerQuery, DealQuery, LeadQuery,
};
use crm_protocol::transfer::{ImportKind, ImportMode, RowOutcome};
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::SelectField;
use crate::hooks::use_app;
use crate::ipc;
use crate::state::AppAction;

/// What the user has chosen so far.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ImportForm {
    pub(crate) path: String,
    pub(crate) kind: ImportKind,
    pub(crate) mode: ImportMode,
    pub(crate) skip_invalid_rows: bool,
    /// Column header → field ("" ignores the column); columns not here are read as recognised.
    pub(crate) mapping: BTreeMap<String, String>,
}

impl Default for ImportForm {
    fn default() -> ImportForm {
        ImportForm {
            path: String::new(),
            kind: ImportKind::Customers,
            mode: ImportMode::SkipDuplicates,
            skip_invalid_rows: false,
            mapping: BTreeMap::new(),
        }
    }
}

impl ImportForm {
    pub(crate) fn request(&self, dry_run: bool) -> ImportCsvRequest {
        ImportCsvRequest {
            path: self.path.trim().to_owned(),
            options: ImportOptions {
                kind: Some(self.kind),
                mode: self.mode,
                mapping: self.mapping.clone(),
                dry_run,
                skip_invalid_rows: self.skip_invalid_rows,
            },
        }
    }
}

/// Where the wizard is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Stage {
    /// Choosing the file and options.
    Choosing,
    /// The dry run is running.
    Checking,
    /// The dry run's report: the mapping can be changed, then the import started.
    Checked(Rc<ImportReport>),
    Importing(ImportProgress),
    Imported(Rc<ImportReport>),
    /// The import was undone: this many records went to the trash.
    Reverted(usize),
}

/// "12 new, 3 updated, 1 skipped, 2 with errors" (only the non-zero parts).
pub(crate) fn summary(report: &ImportReport) -> String {
    let verb = |done: &'static str, would: &'static str| if report.dry_run { would } else { done };
    let parts: Vec<String> = [
        (report.created, verb("created", "to create")),
        (report.updated, verb("updated", "to update")),
        (report.skipped, verb("skipped", "to skip")),
        (report.invalid, "with errors"),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, what)| format!("{count} {what}"))
    .collect();
    if parts.is_empty() {
        "No rows to import".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Whether the checked file may be imported: something to write, and no invalid row unless
/// the user chose to skip them.
pub(crate) fn can_import(report: &ImportReport, skip_invalid_rows: bool) -> bool {
    report.created + report.updated > 0 && (report.invalid == 0 || skip_invalid_rows)
}

/// Done rows in percent, for the progress bar.
pub(crate) fn percent(progress: ImportProgress) -> u32 {
    if progress.total == 0 {
        return 0;
    }
    ((progress.done.min(progress.total) * 100) / progress.total) as u32
}

#[component]
pub(crate) fn ImportWizard() -> Html {
    let app = use_app();
    let form = use_state(ImportForm::default);
    let stage = use_state(|| Stage::Choosing);
    let error = use_state(|| None::<String>);

    let edit = |change: fn(&mut ImportForm, String)| {
        let form = form.clone();
        let stage = stage.clone();
        Callback::from(move |value: String| {
            let mut next = (*form).clone();
            change(&mut next, value);
            form.set(next);
            // A changed choice needs a new check before importing.
            if matches!(
                *stage,
                Stage::Checked(_) | Stage::Imported(_) | Stage::Reverted(_)
            ) {
                stage.set(Stage::Choosing);
            }
        })
    };
    let on_path = {
        let edit = edit(|form, value| form.path = value);
        Callback::from(move |event: InputEvent| {
            edit.emit(event.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let on_kind = edit(|form, value| {
        if let Some(kind) = ImportKind::parse(&value) {
            form.kind = kind;
            form.mapping.clear();
        }
    });
    let on_mode = edit(|form, value| {
        if let Some(mode) = ImportMode::parse(&value) {
            form.mode = mode;
        }
    });
    let on_skip = {
        let edit = edit(|form, value| form.skip_invalid_rows = value == "true");
        Callback::from(move |event: Event| {
            let checked = event.target_unchecked_into::<HtmlInputElement>().checked();
            edit.emit(checked.to_string());
        })
    };
    let browse = {
        let form = form.clone();
        let app = app.clone();
        Callback::from(move |_: MouseEvent| {
            let form = form.clone();
            let app = app.clone();
            spawn_local(async move {
                match ipc::call::<PickImportFile>(&()).await {
                    Ok(Some(path)) => {
                        let mut next = (*form).clone();
                        next.path = path;
                        form.set(next);
                    }
                    Ok(None) => {}
                    Err(error) => app.error(error.message),
                }
            });
        })
    };
    let check = {
        let form = form.clone();
        let stage = stage.clone();
        let error = error.clone();
        Callback::from(move |_: MouseEvent| {
            let request = form.request(true);
            let stage = stage.clone();
            let error = error.clone();
            stage.set(Stage::Checking);
            spawn_local(async move {
                match ipc::call::<ImportCsv>(&request).await {
                    Ok(report) => {
                        error.set(None);
                        stage.set(Stage::Checked(Rc::new(report)));
                    }
                    Err(failure) => {
                        error.set(Some(failure.message));
                        stage.set(Stage::Choosing);
                    }
                }
            });
        })
    };
    let import = {
        let form = form.clone();
        let stage = stage.clone();
        let error = error.clone();
        let app = app.clone();
        Callback::from(move |_: MouseEvent| {
            let request = form.request(false);
            let stage = stage.clone();
            let error = error.clone();
            let app = app.clone();
            stage.set(Stage::Importing(ImportProgress { done: 0, total: 0 }));
            spawn_local(async move {
                let progress = {
                    let stage = stage.clone();
                    ipc::listen::<ImportProgressed>(move |progress| {
                        stage.set(Stage::Importing(progress));
                    })
                    .await
                };
                let answer = ipc::call::<ImportCsv>(&request).await;
                drop(progress);
                match answer {
                    Ok(report) => {
                        app.success(format!("Import finished: {}", summary(&report)));
                        app.dispatch.emit(AppAction::DataChanged);
                        stage.set(Stage::Imported(Rc::new(report)));
                    }
                    Err(failure) => {
                        error.set(Some(failure.message));
                        stage.set(Stage::Choosing);
                    }
                }
            });
        })
    };

    let body = match &*stage {
        Stage::Choosing => html! {},
        Stage::Checking => html! { <p class="muted" role="status">{ "Checking the file…" }</p> },
        Stage::Checked(report) => {
            let columns = report.columns.iter().map(|(header, field)| {
                let options: Vec<(AttrValue, AttrValue)> =
                    std::iter::once((AttrValue::from(""), AttrValue::from("(ignore this column)")))
                        .chain(report.fields.iter().map(|field| {
                            (AttrValue::from(field.clone()), AttrValue::from(field.clone()))
                        }))
                        .collect();
                let on_change = {
                    let form = form.clone();
                    let stage = stage.clone();
                    let header = header.clone();
                    Callback::from(move |value: String| {
                        let mut next = (*form).clone();
                        next.mapping.insert(header.clone(), value);
                        form.set(next);
                        stage.set(Stage::Choosing);
                    })
                };
                let id = format!("import-map-{}", header.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
                html! {
                    <tr>
                        <td>{ header.clone() }</td>
                        <td><SelectField id={id} label={AttrValue::from(format!("Field for “{header}”"))} {options}
                            value={AttrValue::from(field.clone())} {on_change} /></td>
                    </tr>
                }
            });
            let problems = report.rows.iter().filter_map(|row| match &row.outcome {
                RowOutcome::Invalid { errors } => Some(html! {
                    <li><strong>{ format!("Row {}: ", row.row) }</strong>{ errors.join("; ") }</li>
                }),
                _ => None,
            }).take(20);
            let ready = can_import(report, form.skip_invalid_rows);
            html! {
                <div class="import-check" data-testid="import-check">
                    <p class="import-summary" data-testid="import-summary">{ summary(report) }</p>
                    <table class="table compact mapping">
                        <thead><tr><th>{ "Column in the file" }</th><th>{ "Field" }</th></tr></thead>
                        <tbody>{ for columns }</tbody>
                    </table>
                    if report.invalid > 0 {
                        <ul class="import-problems" data-testid="import-problems">{ for problems }</ul>
                    }
                    <button type="button" class="button primary" onclick={import} disabled={!ready} data-testid="import-run">
                        { format!("Import {} rows", report.created + report.updated) }
                    </button>
                </div>
            }
        }
        Stage::Importing(progress) => html! {
            <div class="import-progress" role="status">
                <p>{ format!("Importing… {} of {} rows", progress.done, progress.total) }</p>
                <progress data-testid="import-progress" max="100" value={percent(*progress).to_string()}>
                    { format!("{}%", percent(*progress)) }
                </progress>
            </div>
        },
        Stage::Imported(report) => {
            let revert = report.import_id.clone().map(|id| {
                let stage = stage.clone();
                let app = app.clone();
                Callback::from(move |_: MouseEvent| {
                    let id = id.clone();
                    let stage = stage.clone();
                    let app = app.clone();
                    spawn_local(async move {
                        match ipc::call::<RevertImport>(&id).await {
                            Ok(count) => {
                                app.dispatch.emit(AppAction::DataChanged);
                                stage.set(Stage::Reverted(count));
                            }
                            Err(error) => app.error(error.message),
                        }
                    });
                })
            });
            html! {
                <div class="import-done" data-testid="import-done">
                    <p class="import-summary">{ summary(report) }</p>
                    if let Some(onclick) = revert {
                        <button type="button" class="button" {onclick} data-testid="import-undo">{ "Undo this import" }</button>
                    }
                </div>
            }
        }
        Stage::Reverted(count) => html! {
            <p class="muted" data-testid="import-reverted">{ format!("Import undone: {count} records moved to the trash.") }</p>
        },
    };
    let busy = matches!(*stage, Stage::Checking | Stage::Importing(_));
    let kinds: Vec<(AttrValue, AttrValue)> = ImportKind::ALL
        .iter()
        .map(|kind| {
            (
                AttrValue::from(kind.as_str()),
                AttrValue::from(kind.label()),
            )
        })
        .collect();
    let modes: Vec<(AttrValue, AttrValue)> = ImportMode::ALL
        .iter()
        .map(|mode| {
            (
                AttrValue::from(mode.as_str()),
                AttrValue::from(mode.label()),
            )
        })
        .collect();
    html! {
        <section class="card" data-testid="import-wizard">
            <h2 class="card-title">{ "Import a CSV file" }</h2>
            <p class="muted">{ "Files exported by Salesforce, HubSpot, Pipedrive or this app are recognised; check the mapping before importing." }</p>
            <div class="field">
                <label for="import-path">{ "File" }</label>
                <div class="input-row">
                    <input id="import-path" data-testid="import-path" type="text" value={form.path.clone()}
                        placeholder="/home/me/customers.csv" oninput={on_path} aria-invalid={error.is_some().to_string()}
                        aria-describedby={error.is_some().then_some("import-error")} />
                    <button type="button" class="button" onclick={browse} disabled={busy} data-testid="import-browse">{ "Choose file…" }</button>
                </div>
            </div>
            <div class="filters">
                <SelectField id="import-kind" label="The file holds" options={kinds} value={AttrValue::from(form.kind.as_str())} on_change={on_kind} />
                <SelectField id="import-mode" label="Rows that match a record" options={modes} value={AttrValue::from(form.mode.as_str())} on_change={on_mode} />
            </div>
            <label class="checkbox">
                <input type="checkbox" checked={form.skip_invalid_rows} onchange={on_skip} data-testid="import-skip-invalid" />
                { "Import the valid rows even if some rows have errors" }
            </label>
            if let Some(message) = &*error {
                <p class="field-error" id="import-error" data-testid="import-error" role="alert">{ message.clone() }</p>
            }
            <div class="actions">
                <button type="button" class="button" onclick={check} disabled={busy || form.path.trim().is_empty()} data-testid="import-check-button">
                    { "Check file" }
                </button>
            </div>
            { body }
        </section>
    }
}

/// The lists that can be exported: (value, label).
const EXPORTS: [(&str, &str); 6] = [
    ("customers", "Customers"),
    ("contacts", "Contacts"),
    ("leads", "Leads"),
    ("deals", "Deals"),
    ("communications", "Communications"),
    ("activities", "Activities"),
];

fn export_query(list: &str) -> ExportQuery {
    match list {
        "contacts" => ExportQuery::Contacts(ContactQuery::default()),
        "leads" => ExportQuery::Leads(LeadQuery::default()),
        "deals" => ExportQuery::Deals(DealQuery::default()),
        "communications" => ExportQuery::Communications(CommunicationQuery::default()),
        "activities" => ExportQuery::Activities(ActivityQuery::default()),
        _ => ExportQuery::Customers(CustomerQuery::default()),
    }
}

#[component]
pub(crate) fn ExportSection() -> Html {
    let app = use_app();
    let list = use_state(|| "customers".to_owned());
    let busy = use_state(|| false);
    let on_list = {
        let list = list.clone();
        Callback::from(move |value: String| list.set(value))
    };
    let export = {
        let list = list.clone();
        let busy = busy.clone();
        let app = app.clone();
        Callback::from(move |_: MouseEvent| {
            let request = ExportRequest {
                query: export_query(&list),
                today: app.today,
            };
            let busy = busy.clone();
            let app = app.clone();
            busy.set(true);
            spawn_local(async move {
                match ipc::call::<ExportRecords>(&request).await {
                    Ok(Some(path)) => app.success(format!("Exported to {path}")),
                    Ok(None) => {}
                    Err(error) => app.error(format!("The export failed: {}", error.message)),
                }
                busy.set(false);
            });
        })
    };
    let options: Vec<(AttrValue, AttrValue)> = EXPORTS
        .iter()
        .map(|(value, label)| (AttrValue::from(*value), AttrValue::from(*label)))
        .collect();
    html! {
        <section class="card">
            <h2 class="card-title">{ "Export" }</h2>
            <p class="muted">{ "Every record of a list as a CSV file (custom fields and addresses as their own columns), for a spreadsheet or another CRM." }</p>
            <div class="filters">
                <SelectField id="export-list" label="List" {options} value={AttrValue::from((*list).clone())} on_change={on_list} />
            </div>
            <button type="button" class="button" onclick={export} disabled={*busy} data-testid="export-run">
                { if *busy { "Exporting…" } else { "Export CSV…" } }
            </button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(created: usize, updated: usize, skipped: usize, invalid: usize) -> ImportReport {
        ImportReport {
            dry_run: true,
            created,
            updated,
            skipped,
            invalid,
            ..ImportReport::default()
        }
    }

    #[test]
    fn the_summary_names_what_would_happen() {
        assert_eq!(
            summary(&report(12, 0, 1, 2)),
            "12 to create, 1 to skip, 2 with errors"
        );
        let mut done = report(3, 4, 0, 0);
        done.dry_run = false;
        assert_eq!(summary(&done), "3 created, 4 updated");
        assert_eq!(summary(&report(0, 0, 0, 0)), "No rows to import");
    }

    #[test]
    fn invalid_rows_block_the_import_unless_skipped() {
        assert!(can_import(&report(5, 0, 0, 0), false));
        assert!(!can_import(&report(5, 0, 0, 1), false));
        assert!(can_import(&report(5, 0, 0, 1), true));
        assert!(!can_import(&report(0, 0, 3, 0), true), "nothing to write");
    }

    #[test]
    fn progress_is_a_bounded_percentage() {
        let at = |done, total| percent(ImportProgress { done, total });
        assert_eq!(
            (at(0, 0), at(250, 1000), at(1000, 1000), at(1200, 1000)),
            (0, 25, 100, 100)
        );
    }

    #[test]
    fn the_request_carries_the_mapping_and_the_dry_run() {
        let mut form = ImportForm {
            path: "  /tmp/leads.csv ".into(),
            kind: ImportKind::Leads,
            ..ImportForm::default()
        };
        form.mapping.insert("Mobile".into(), "phone".into());
        let request = form.request(true);
        assert_eq!(request.path, "/tmp/leads.csv");
        assert!(request.options.dry_run);
        assert_eq!(request.options.kind, Some(ImportKind::Leads));
        assert_eq!(
            request.options.mapping.get("Mobile").map(String::as_str),
            Some("phone")
        );
        assert!(matches!(export_query("deals"), ExportQuery::Deals(_)));
    }
}
