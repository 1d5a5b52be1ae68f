//! Every entity through the store: created from the spec's request bodies, validated
//! (fields, references), updated partially, and its references enforced.

mod common;

use common::{TestStore, fields, user};
use crm_core::CoreError;
use crm_model::{
    Activity, ActivityStatus, Communication, CommunicationType, Contact, Customer, CustomerNote,
    Deal, Lead, Pipeline, Role, Rule, SalesDocument, Tag,
};
use serde_json::json;

/// The broken rules of an attempted create, as (field, rule).
fn refused<E: crm_core::References>(
    t: &mut TestStore,
    body: serde_json::Value,
) -> Vec<(String, Rule)> {
    let actor = t.admin;
    match t.store.create::<E>(&actor, &fields(body)) {
        Err(CoreError::Validation(errors)) => errors
            .0
            .into_iter()
            .map(|error| (error.field, error.rule))
            .collect(),
        Err(other) => panic!("expected a validation error, got {other}"),
        Ok(_) => Vec::new(),
    }
}

fn reference(kind: &str) -> Rule {
    Rule::Reference {
        kind: kind.to_owned(),
    }
}

#[test]
fn every_entity_is_created_from_the_specs_bodies_and_survives_reopening() {
    let mut t = TestStore::new();
    let pipeline = t.store.default_pipeline().expect("seeded");
    let (stage_id, _) = pipeline.ordered_stages()[1];
    let customer: Customer = t.create(json!({
        "name": "Acme Corp", "type": "BUSINESS", "industry": "Technology", "website": "https://acme.com",
        "primaryEmail": "info@acme.com", "primaryPhone": "+1234567890",
        "billingAddress": {"street": "1 Main St", "city": "Springfield"}, "category": "CUSTOMER", "source": "WEB",
        "tags": ["enterprise", "tech"]
    }));
    let contact: Contact = t.create(json!({
        "customerId": customer.id, "firstName": "John", "lastName": "Doe", "email": "john@acme.com",
        "role": "DECISION_MAKER", "isPrimary": true
    }));
    let lead: Lead = t.create(json!({
        "firstName": "John", "lastName": "Doe", "email": "john@example.com", "phone": "+1234567890",
        "company": "Example Inc", "jobTitle": "CTO", "source": "Website Form", "campaign": "Q1 2026 Campaign",
        "tags": ["high-value"]
    }));
    let deal: Deal = t.create(json!({
        "name": "Acme Corp - Enterprise License", "customerId": customer.id, "pipelineId": pipeline.id,
        "stageId": stage_id, "amount": 100000, "currencyCode": "USD", "expectedCloseDate": "2026-06-30",
        "probability": 25, "products": [{"productId": "prod-1", "name": "License", "quantity": 10, "price": 10000}],
        "tags": ["enterprise", "annual"]
    }));
    let communication: Communication = t.create(json!({
        "type": "CALL", "subject": "Follow-up call", "notes": "Discussed implementation timeline",
        "occurredAt": "2026-02-08T14:30:00Z", "direction": "OUTBOUND", "duration": 30, "outcome": "SUCCESSFUL",
        "customerId": customer.id, "contactId": contact.id, "dealId": deal.id
    }));
    let activity: Activity = t.create(json!({
        "type": "CALL", "subject": "Follow-up with John Doe", "description": "Discuss pricing and close deal",
        "status": "PENDING", "priority": "HIGH", "dueDate": "2026-02-10", "dueTime": "14:00",
        "reminderAt": "2026-02-10T13:30:00Z", "customerId": customer.id, "dealId": deal.id
    }));
    let note: CustomerNote =
        t.create(json!({"customerId": customer.id, "content": "Prefers email", "isPinned": true}));
    let quote: SalesDocument = t.create(json!({
        "type": "QUOTATION", "number": "Q-2026-0001", "customerId": customer.id, "dealId": deal.id,
        "issueDate": "2026-02-01", "dueDate": "2026-03-01",
        "lines": [{"name": "License", "quantity": 10, "price": 10000}]
    }));
    let tag: Tag =
        t.create(json!({"name": "enterprise", "color": "#1a73e8", "category": "CUSTOMER"}));
    assert_eq!(deal.total.to_string(), "100000.00");
    assert_eq!(quote.total, deal.amount);
    assert_eq!(contact.name, "John Doe");
    assert_eq!(lead.name, "John Doe");

    let mut t = t.reopen();
    assert_eq!(
        t.store.get::<Customer>(customer.id).expect("customer"),
        customer
    );
    assert_eq!(
        t.store.get::<Contact>(contact.id).expect("contact"),
        contact
    );
    assert_eq!(t.store.get::<Lead>(lead.id).expect("lead"), lead);
    assert_eq!(t.store.get::<Deal>(deal.id).expect("deal"), deal);
    assert_eq!(
        t.store
            .get::<Communication>(communication.id)
            .expect("communication"),
        communication
    );
    assert_eq!(
        t.store.get::<Activity>(activity.id).expect("activity"),
        activity
    );
    assert_eq!(t.store.get::<CustomerNote>(note.id).expect("note"), note);
    assert_eq!(
        t.store.get::<SalesDocument>(quote.id).expect("quote"),
        quote
    );
    assert_eq!(t.store.get::<Tag>(tag.id).expect("tag"), tag);
    let admin = t.admin;
    let done: Activity = t
        .store
        .update_with(&admin, activity.id, json!({"status": "COMPLETED", "completedAt": "2026-02-08T16:00:00Z", "outcome": "Customer agreed to proposal"}))
        .expect("completes");
    assert_eq!(done.status, ActivityStatus::Completed);
    assert_eq!(done.subject, activity.subject, "untouched fields stay");
    assert!(t.store.get::<Pipeline>(pipeline.id).is_ok());
    assert!(
        t.store.get::<Customer>(contact.id.0.into()).is_err(),
        "a contact id is not a customer"
    );
}

#[test]
fn references_must_exist() {
    let mut t = TestStore::new();
    let nowhere = uuid::Uuid::now_v7().to_string();
    let pipeline = t.store.default_pipeline().expect("seeded");
    let (stage_id, _) = pipeline.ordered_stages()[0];
    let customer: Customer = t.create(json!({"name": "Acme"}));
    let other: Pipeline = t.create(json!({"name": "Consulting", "stages": {
        uuid::Uuid::now_v7().to_string(): {"name": "Scoping", "order": 0, "probability": 20}
    }}));
    let cases: Vec<(&str, Vec<(String, Rule)>)> = vec![
        (
            "contact without customer",
            refused::<Contact>(&mut t, json!({"name": "Jane"})),
        ),
        (
            "contact of unknown customer",
            refused::<Contact>(&mut t, json!({"name": "Jane", "customerId": nowhere})),
        ),
        (
            "deal with a stage of another pipeline",
            refused::<Deal>(
                &mut t,
                json!({"name": "D", "customerId": customer.id, "pipelineId": other.id, "stageId": stage_id}),
            ),
        ),
        (
            "deal of unknown customer",
            refused::<Deal>(
                &mut t,
                json!({"name": "D", "customerId": nowhere, "pipelineId": pipeline.id, "stageId": stage_id}),
            ),
        ),
        (
            "note of unknown customer",
            refused::<CustomerNote>(&mut t, json!({"customerId": nowhere, "content": "x"})),
        ),
        (
            "activity of unknown deal",
            refused::<Activity>(
                &mut t,
                json!({"type": "TASK", "subject": "x", "dealId": nowhere}),
            ),
        ),
    ];
    let expected: Vec<(&str, Vec<(&str, Rule)>)> = vec![
        (
            "contact without customer",
            vec![("customerId", Rule::Required)],
        ),
        (
            "contact of unknown customer",
            vec![("customerId", reference("customer"))],
        ),
        (
            "deal with a stage of another pipeline",
            vec![("stageId", reference("stage of the deal's pipeline"))],
        ),
        (
            "deal of unknown customer",
            vec![("customerId", reference("customer"))],
        ),
        (
            "note of unknown customer",
            vec![("customerId", reference("customer"))],
        ),
        (
            "activity of unknown deal",
            vec![("dealId", reference("deal"))],
        ),
    ];
    for ((name, actual), (_, wanted)) in cases.into_iter().zip(expected) {
        let wanted: Vec<(String, Rule)> = wanted
            .into_iter()
            .map(|(field, rule)| (field.to_owned(), rule))
            .collect();
        assert_eq!(actual, wanted, "{name}");
    }
    let quote = json!({"type": "QUOTATION", "number": "Q-1", "customerId": customer.id, "issueDate": "2026-01-01"});
    let _: SalesDocument = t.create(quote.clone());
    assert_eq!(
        refused::<SalesDocument>(&mut t, quote),
        vec![("number".to_owned(), Rule::Unique)]
    );
}

#[test]
fn role_rules_hold_for_every_write() {
    let mut t = TestStore::new();
    let rep = user(10, Role::SalesRep);
    let other_rep = user(11, Role::SalesRep);
    let plain = user(12, Role::User);
    let manager = user(13, Role::Manager);
    let customer: Customer = t.create_as(&rep, json!({"name": "Rep's customer"}));
    let not_allowed =
        |result: Result<Customer, CoreError>| matches!(result, Err(CoreError::NotAllowed(_)));
    assert!(not_allowed(t.store.update_with(
        &other_rep,
        customer.id,
        json!({"industry": "X"})
    )));
    assert!(not_allowed(t.store.update_with(
        &plain,
        customer.id,
        json!({"industry": "X"})
    )));
    // Handing a record to someone else is an assignment: managers and admins do that.
    assert!(not_allowed(t.store.update_with(
        &rep,
        customer.id,
        json!({"ownerId": other_rep.user_id})
    )));
    assert!(
        t.store
            .update_with::<Customer>(&rep, customer.id, json!({"industry": "Mine"}))
            .is_ok()
    );
    assert!(
        t.store
            .update_with::<Customer>(&manager, customer.id, json!({"industry": "Y"}))
            .is_ok()
    );
    assert!(matches!(
        t.store
            .create::<Customer>(&plain, &fields(json!({"name": "Nope"}))),
        Err(CoreError::NotAllowed(_))
    ));
    let call: Communication = t.create_as(
        &plain,
        json!({"type": "CALL", "notes": "Called", "customerId": customer.id}),
    );
    assert_eq!(call.communication_type, CommunicationType::Call);
    assert_eq!(call.created_by, Some(plain.user_id));
    assert!(matches!(
        t.store.delete_record(
            &manager,
            crm_model::RecordKind::Customer,
            customer.id.into()
        ),
        Err(CoreError::NotAllowed(_))
    ));
    assert!(matches!(
        t.store
            .create::<Pipeline>(&manager, &fields(json!({"name": "Mine"}))),
        Err(CoreError::NotAllowed(_))
    ));
}

#[test]
fn attachments_are_stored_by_content_once() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let acme: Customer = t.create(json!({"name": "Acme"}));
    let links = fields(json!({"customerId": acme.id}));
    let first = t
        .store
        .attach_file(
            &admin,
            "proposal.pdf",
            "application/pdf",
            b"%PDF-1.4 proposal",
            &links,
        )
        .expect("attaches");
    let second = t
        .store
        .attach_file(
            &admin,
            "copy.pdf",
            "application/pdf",
            b"%PDF-1.4 proposal",
            &links,
        )
        .expect("attaches");
    assert_eq!(first.sha256, second.sha256);
    assert_eq!(first.sha256.len(), 64);
    assert!(
        t.store
            .blob_path(&first.sha256)
            .starts_with(t.dir.path().join("blobs"))
    );
    assert_eq!(
        t.store.read_blob(&first.sha256).expect("reads").as_deref(),
        Some(&b"%PDF-1.4 proposal"[..])
    );
    let view = t
        .store
        .customer_360(acme.id, &[crm_protocol::views::Include::Attachments])
        .expect("360");
    assert_eq!(view.attachments.len(), 2);
    assert_eq!(t.store.read_blob(&"0".repeat(64)).expect("reads"), None);
    let orphan = t
        .store
        .attach_file(&admin, "x.txt", "text/plain", b"x", &fields(json!({})));
    assert!(
        matches!(orphan, Err(CoreError::Validation(_))),
        "an attachment belongs to something"
    );
}
