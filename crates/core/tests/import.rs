//! CSV import on files shaped like real exports (Salesforce accounts with a BOM, HubSpot contacts
//! in UTF-16 with quoted line breaks, Pipedrive deals with `;` and European numbers), bad rows
//! with row-numbered errors, dry runs, update mode, revert, and export.

mod common;

use common::TestStore;
use crm_core::ExportQuery;
use crm_model::{Contact, Customer, Deal};
use crm_protocol::query::{ContactQuery, CustomerQuery, DealQuery};
use crm_protocol::transfer::{ImportKind, ImportMode, ImportOptions, ImportReport, RowOutcome};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

fn import(t: &mut TestStore, bytes: &[u8], options: ImportOptions) -> ImportReport {
    let admin = t.admin;
    let mut seen = Vec::new();
    let report = t
        .store
        .import_csv(&admin, bytes, &options, &mut |progress| seen.push(progress))
        .expect("imports");
    if report.import_id.is_some() {
        assert_eq!(
            seen.last().map(|p| (p.done, p.total)),
            Some((
                report.created + report.updated,
                report.created + report.updated
            ))
        );
    }
    report
}

fn options(kind: ImportKind) -> ImportOptions {
    ImportOptions {
        kind: Some(kind),
        ..ImportOptions::default()
    }
}

fn customer_names(t: &TestStore) -> Vec<String> {
    t.store
        .list_customers(&CustomerQuery::default())
        .expect("lists")
        .data
        .into_iter()
        .map(|c| c.name)
        .collect()
}

#[test]
fn salesforce_accounts_with_a_bom() {
    let mut t = TestStore::new();
    let report = import(
        &mut t,
        &fixture("salesforce-accounts.csv"),
        options(ImportKind::Customers),
    );
    assert_eq!((report.created, report.invalid), (2, 0), "{report:?}");
    assert!(
        report
            .columns
            .contains(&("Account Name".to_owned(), "name".to_owned()))
    );
    assert!(
        report
            .columns
            .contains(&("Billing City".to_owned(), "billingAddress.city".to_owned()))
    );
    assert_eq!(customer_names(&t), ["Acme Corp", "Globex, Inc."]);
    let acme: Customer = t
        .store
        .list_customers(&CustomerQuery::default())
        .expect("lists")
        .data
        .remove(0);
    assert_eq!(
        acme.billing_address
            .as_ref()
            .and_then(|a| a.city.as_deref()),
        Some("Springfield")
    );
    assert_eq!(acme.category, Some(crm_model::CustomerCategory::Customer));
    assert_eq!(acme.domain().as_deref(), Some("acme.com"));

    // The same file again: skipped as duplicates (matched on domain), or updated.
    let again = import(
        &mut t,
        &fixture("salesforce-accounts.csv"),
        ImportOptions {
            mode: ImportMode::SkipDuplicates,
            ..options(ImportKind::Customers)
        },
    );
    assert_eq!((again.created, again.skipped), (0, 2));
    let changed = "Account Name,Website,Industry\nAcme Corp,acme.com,Manufacturing\nInitech,initech.com,Software\n";
    let update = import(
        &mut t,
        changed.as_bytes(),
        ImportOptions {
            mode: ImportMode::Update,
            ..options(ImportKind::Customers)
        },
    );
    assert_eq!((update.created, update.updated), (1, 1));
    assert_eq!(customer_names(&t), ["Acme Corp", "Globex, Inc.", "Initech"]);
    let admin = t.admin;
    t.store
        .revert_import(&admin, update.import_id.as_deref().expect("id"))
        .expect("reverts");
    assert_eq!(customer_names(&t), ["Acme Corp", "Globex, Inc."]);
    let acme: Customer = t
        .store
        .list_customers(&CustomerQuery::default())
        .expect("lists")
        .data
        .remove(0);
    assert_eq!(
        acme.industry.as_deref(),
        Some("Technology"),
        "the old value is back"
    );
}

#[test]
fn hubspot_contacts_in_utf16_with_bad_rows() {
    let mut t = TestStore::new();
    import(
        &mut t,
        &fixture("salesforce-accounts.csv"),
        options(ImportKind::Customers),
    );
    let file = fixture("hubspot-contacts-utf16.csv");

    let dry = import(
        &mut t,
        &file,
        ImportOptions {
            dry_run: true,
            ..options(ImportKind::Contacts)
        },
    );
    assert!(dry.import_id.is_none());
    let outcomes: Vec<(usize, &str)> = dry
        .rows
        .iter()
        .map(|row| {
            (
                row.row,
                match &row.outcome {
                    RowOutcome::Created { .. } => "created",
                    RowOutcome::Invalid { .. } => "invalid",
                    _ => "other",
                },
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            (2, "created"),
            (3, "created"),
            (4, "invalid"),
            (5, "invalid")
        ],
        "the quoted line break stays in row 2"
    );
    let RowOutcome::Invalid { errors } = &dry.rows[2].outcome else {
        unreachable!("checked above")
    };
    assert!(
        errors[0].starts_with("Email: email must be an email address"),
        "{errors:?}"
    );
    let RowOutcome::Invalid { errors } = &dry.rows[3].outcome else {
        unreachable!("checked above")
    };
    assert!(
        errors[0].contains("no customer is named \"Umbrella\""),
        "{errors:?}"
    );
    assert_eq!(
        t.store
            .list_contacts(&ContactQuery::default())
            .expect("lists")
            .pagination
            .total,
        0,
        "a dry run changes nothing"
    );

    let refused = import(&mut t, &file, options(ImportKind::Contacts));
    assert!(refused.import_id.is_none() && refused.invalid == 2);
    assert_eq!(
        t.store
            .list_contacts(&ContactQuery::default())
            .expect("lists")
            .pagination
            .total,
        0,
        "bad rows stop the import"
    );

    let partial = import(
        &mut t,
        &file,
        ImportOptions {
            skip_invalid_rows: true,
            ..options(ImportKind::Contacts)
        },
    );
    assert_eq!((partial.created, partial.invalid), (2, 2));
    let contacts: Vec<Contact> = t
        .store
        .list_contacts(&ContactQuery::default())
        .expect("lists")
        .data;
    let john = contacts
        .iter()
        .find(|c| c.name == "John Doe")
        .expect("john");
    assert_eq!(john.email.as_deref(), Some("john@acme.com"));
    assert_eq!(
        john.notes.as_deref(),
        Some("Met at the fair.\r\nFollow up in March, re: pricing")
    );
    assert!(john.customer_id.is_some());
}

#[test]
fn pipedrive_deals_with_semicolons_and_european_numbers_then_export() {
    let mut t = TestStore::new();
    import(
        &mut t,
        &fixture("salesforce-accounts.csv"),
        options(ImportKind::Customers),
    );
    let report = import(
        &mut t,
        &fixture("pipedrive-deals.csv"),
        options(ImportKind::Deals),
    );
    assert_eq!((report.created, report.invalid), (2, 0), "{report:?}");
    let deals: Vec<Deal> = t
        .store
        .list_deals(&DealQuery::default())
        .expect("lists")
        .data;
    let renewal = deals
        .iter()
        .find(|d| d.name == "Acme renewal")
        .expect("renewal");
    assert_eq!(
        (renewal.amount.to_string(), renewal.currency_code.0.as_str()),
        ("12500.00".to_owned(), "EUR")
    );
    assert_eq!(
        renewal
            .expected_close_date
            .map(|d| d.to_string())
            .as_deref(),
        Some("2026-06-30")
    );
    let pipeline = t.store.default_pipeline().expect("pipeline");
    assert_eq!(
        pipeline
            .stage(renewal.stage_id.expect("stage"))
            .map(|s| s.name.as_str()),
        Some("Proposal")
    );

    let csv = t
        .store
        .export_csv(
            &ExportQuery::Customers(CustomerQuery::default()),
            chrono::Utc::now().date_naive(),
        )
        .expect("exports");
    let mut lines = csv.lines();
    let header = lines.next().expect("header");
    assert!(header.starts_with("id,name,"), "{header}");
    assert!(header.contains("billingAddress.city"));
    assert!(csv.contains("\"Globex, Inc.\""));
    // What we export, we import: the round trip through the importer finds both as duplicates.
    let back = import(
        &mut t,
        csv.as_bytes(),
        ImportOptions {
            mode: ImportMode::SkipDuplicates,
            ..options(ImportKind::Customers)
        },
    );
    assert_eq!(
        (back.created, back.skipped, back.invalid),
        (0, 2, 0),
        "{back:?}"
    );
}

#[test]
fn vcards_and_icalendar() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let cards = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\nFN:John Doe\r\nORG:Acme Corp\r\nEMAIL;TYPE=INTERNET:john@acme.com\r\nTEL;TYPE=CELL:+1 555 0101\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jane Roe\r\nORG:Acme Corp\r\nEMAIL:jane@acme.com\r\nEND:VCARD\r\n";
    let imported = t
        .store
        .import_vcards(&admin, cards.as_bytes())
        .expect("imports");
    assert_eq!(imported.len(), 2);
    assert_eq!(
        customer_names(&t),
        ["Acme Corp"],
        "one customer made for both cards"
    );
    for version in ["3.0", "4.0"] {
        let exported = t
            .store
            .export_vcards(&ContactQuery::default(), version)
            .expect("exports");
        let again = crm_core::parse_vcards(&exported).expect("reads back");
        let names: Vec<String> = again
            .iter()
            .map(|card| card.fields["name"].as_str().unwrap_or("").to_owned())
            .collect();
        assert_eq!(names, ["Jane Roe", "John Doe"], "{version}");
        assert!(
            again
                .iter()
                .all(|card| card.organization.as_deref() == Some("Acme Corp"))
        );
        assert!(exported.contains(&format!("VERSION:{version}")));
    }
    assert!(
        t.store
            .import_vcards(&admin, b"BEGIN:VCARD\r\nFN:Nobody\r\nEND:VCARD\r\n")
            .is_err(),
        "no ORG"
    );

    let _: crm_model::Activity = t.create(
        serde_json::json!({"type": "MEETING", "subject": "Demo, with Acme; bring slides",
        "dueDate": "2026-02-10", "dueTime": "14:00", "reminderAt": "2026-02-10T13:30:00Z"}),
    );
    let _: crm_model::Activity = t.create(
        serde_json::json!({"type": "TASK", "subject": "Send proposal", "dueDate": "2026-02-12"}),
    );
    let _: crm_model::Activity =
        t.create(serde_json::json!({"type": "TODO", "subject": "Someday"}));
    let calendar = t
        .store
        .export_icalendar(
            &crm_protocol::query::ActivityQuery::default(),
            chrono::Utc::now().date_naive(),
        )
        .expect("exports");
    assert!(calendar.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert_eq!(
        calendar.matches("BEGIN:VEVENT").count(),
        2,
        "undated activities are left out"
    );
    assert!(calendar.contains("DTSTART:20260210T140000\r\n"));
    assert!(calendar.contains("DTSTART;VALUE=DATE:20260212\r\n"));
    assert!(calendar.contains("SUMMARY:Meeting: Demo\\, with Acme\\; bring slides\r\n"));
    assert!(calendar.contains("TRIGGER;VALUE=DATE-TIME:20260210T133000Z\r\n"));
    assert!(calendar.ends_with("END:VCALENDAR\r\n"));
}
