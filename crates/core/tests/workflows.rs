//! The sales workflows, driven with the spec's own request bodies as fixtures.

mod common;

use common::{TestStore, user};
use crm_core::CoreError;
use crm_model::{
    Activity, ActivityStatus, Contact, Customer, Deal, DealStatus, Lead, LeadStatus, LostReason,
    Role,
};
use crm_protocol::workflows::{CompleteActivity, ConvertLead, LoseDeal, MoveDealStage, WinDeal};
use serde_json::json;

fn spec_lead(t: &mut TestStore) -> Lead {
    t.create(json!({
        "firstName": "John", "lastName": "Doe", "email": "john@example.com", "phone": "+1234567890",
        "company": "Example Inc", "jobTitle": "CTO", "source": "Website Form", "campaign": "Q1 2026 Campaign",
        "tags": ["high-value"]
    }))
}

#[test]
fn converting_the_specs_lead_makes_customer_contact_and_deal_in_one_go() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let lead = spec_lead(&mut t);
    let request: ConvertLead = serde_json::from_value(json!({
        "createCustomer": true, "createContact": true, "createDeal": true,
        "dealName": "Example Inc - Implementation", "dealValue": 50000, "dealStage": "QUALIFICATION"
    }))
    .expect("the spec's body");
    let converted = t
        .store
        .convert_lead(&admin, lead.id, &request)
        .expect("converts");
    let customer = converted.customer.expect("customer");
    let contact = converted.contact.expect("contact");
    let deal = converted.deal.expect("deal");
    assert_eq!(customer.name, "Example Inc");
    assert_eq!(
        (contact.name.as_str(), contact.customer_id),
        ("John Doe", Some(customer.id))
    );
    assert_eq!(deal.amount.to_string(), "50000.00");
    let pipeline = t.store.default_pipeline().expect("pipeline");
    assert_eq!(
        pipeline
            .stage(deal.stage_id.expect("stage"))
            .map(|s| s.name.as_str()),
        Some("Qualification")
    );
    assert_eq!(deal.probability, 25, "the stage's probability");
    assert_eq!(deal.lead_id, Some(lead.id));
    let stored: Lead = t.store.get(lead.id).expect("lead");
    assert_eq!(stored.status, LeadStatus::Converted);
    assert_eq!(
        (stored.customer_id, stored.contact_id, stored.deal_id),
        (Some(customer.id), Some(contact.id), Some(deal.id))
    );
    assert!(matches!(
        t.store.convert_lead(&admin, lead.id, &request),
        Err(CoreError::NotAllowed(_))
    ));
}

#[test]
fn conversion_offers_to_link_a_duplicate_instead_of_creating_it() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let existing: Customer =
        t.create(json!({"name": "Example Inc", "website": "https://example.com"}));
    let lead = spec_lead(&mut t);
    let duplicates = t.store.conversion_duplicates(lead.id).expect("scan");
    assert_eq!(
        duplicates
            .customers
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        [existing.id]
    );
    let create = ConvertLead {
        create_customer: true,
        create_contact: true,
        ..ConvertLead::default()
    };
    let Err(CoreError::Validation(errors)) = t.store.convert_lead(&admin, lead.id, &create) else {
        panic!("a duplicate customer must be pointed out");
    };
    assert_eq!(errors.0[0].field, "createCustomer");
    assert_eq!(
        t.store.get::<Lead>(lead.id).expect("lead").status,
        LeadStatus::New,
        "nothing changed"
    );
    let link = ConvertLead {
        customer_id: Some(existing.id),
        create_contact: true,
        ..ConvertLead::default()
    };
    let converted = t.store.convert_lead(&admin, lead.id, &link).expect("links");
    assert_eq!(converted.customer.map(|c| c.id), Some(existing.id));
    assert_eq!(
        converted.contact.and_then(|c| c.customer_id),
        Some(existing.id)
    );
}

#[test]
fn deals_move_through_stages_and_are_won_or_lost() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let pipeline = t.store.default_pipeline().expect("pipeline");
    let stages = pipeline.ordered_stages();
    let customer: Customer = t.create(json!({"name": "Acme"}));
    let deal: Deal = t.create(
        json!({"name": "Big", "customerId": customer.id, "pipelineId": pipeline.id,
        "stageId": stages[0].0, "amount": 1000}),
    );
    let proposal = stages[2].0;
    let moved = t
        .store
        .move_deal_stage(
            &admin,
            deal.id,
            &MoveDealStage {
                stage_id: proposal,
                notes: Some("Sent proposal document".into()),
                update_probability: true,
            },
        )
        .expect("moves");
    assert_eq!((moved.stage_id, moved.probability), (Some(proposal), 50));
    assert_eq!(moved.stage_history.len(), 1);
    let negotiation = stages[3].0;
    let moved = t
        .store
        .move_deal_stage(
            &admin,
            deal.id,
            &MoveDealStage {
                stage_id: negotiation,
                notes: None,
                update_probability: false,
            },
        )
        .expect("moves");
    assert_eq!(moved.probability, 50, "kept when not asked to update");
    assert_eq!(
        moved
            .stage_history
            .values()
            .filter(|visit| visit.left_at.is_none())
            .count(),
        1,
        "one open visit"
    );
    let lost_stage = pipeline.lost_stage().expect("lost stage");
    assert!(matches!(
        t.store.move_deal_stage(
            &admin,
            deal.id,
            &MoveDealStage {
                stage_id: lost_stage,
                notes: None,
                update_probability: false
            }
        ),
        Err(CoreError::Validation(_))
    ));
    let won = t.store.win_deal(&admin, deal.id, &serde_json::from_value::<WinDeal>(json!({
        "closedDate": "2026-02-08", "wonReason": "Best value proposition", "createSalesOrder": false
    })).expect("spec body")).expect("wins");
    assert_eq!(
        (won.status, won.probability, won.stage_id),
        (DealStatus::Won, 100, pipeline.won_stage())
    );
    assert_eq!(
        won.closed_date.map(|d| d.to_string()).as_deref(),
        Some("2026-02-08")
    );

    let other: Deal = t.create(json!({"name": "Small", "customerId": customer.id, "pipelineId": pipeline.id, "stageId": stages[0].0}));
    let lose: LoseDeal = serde_json::from_value(json!({
        "closedDate": "2026-02-08", "lostReason": "PRICE", "lostToCompetitor": "Competitor X",
        "notes": "They offered 20% lower price"
    }))
    .expect("spec body");
    let lost = t.store.lose_deal(&admin, other.id, &lose).expect("loses");
    assert_eq!(
        (lost.status, lost.lost_reason),
        (DealStatus::Lost, Some(LostReason::Price))
    );
    assert_eq!(lost.competitors, ["Competitor X"]);
    let reopened = t
        .store
        .move_deal_stage(
            &admin,
            other.id,
            &MoveDealStage {
                stage_id: stages[1].0,
                notes: None,
                update_probability: true,
            },
        )
        .expect("reopens");
    assert_eq!(
        (reopened.status, reopened.lost_reason),
        (DealStatus::Open, None)
    );
    let rep = user(5, Role::SalesRep);
    assert!(matches!(
        t.store.win_deal(&rep, other.id, &WinDeal::default()),
        Err(CoreError::NotAllowed(_))
    ));
}

#[test]
fn activities_complete_and_contacts_become_primary() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let customer: Customer = t.create(json!({"name": "Acme"}));
    let activity: Activity =
        t.create(json!({"type": "CALL", "subject": "Call John", "dueDate": "2026-02-10"}));
    let request: CompleteActivity = serde_json::from_value(json!({
        "outcome": "Customer agreed to proposal", "notes": "Moving to next stage", "completedAt": "2026-02-08T16:00:00Z"
    }))
    .expect("spec body");
    let done = t
        .store
        .complete_activity(&admin, activity.id, &request)
        .expect("completes");
    assert_eq!(
        (done.status, done.completed_by),
        (ActivityStatus::Completed, Some(admin.user_id))
    );
    assert_eq!(done.outcome.as_deref(), Some("Customer agreed to proposal"));

    let john: Contact =
        t.create(json!({"customerId": customer.id, "name": "John", "isPrimary": true}));
    let jane: Contact = t.create(json!({"customerId": customer.id, "name": "Jane"}));
    t.store.set_primary_contact(&admin, jane.id).expect("sets");
    assert!(!t.store.get::<Contact>(john.id).expect("john").is_primary);
    assert!(t.store.get::<Contact>(jane.id).expect("jane").is_primary);
    assert_eq!(
        t.store
            .get::<Customer>(customer.id)
            .expect("customer")
            .primary_contact_id,
        Some(jane.id)
    );
}

#[test]
fn leads_are_scored_when_created_and_rescored_when_engaged() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let lead: Lead = t.create(json!({"name": "Jo", "jobTitle": "CTO", "companySize": "ENTERPRISE", "source": "Website Form",
        "budget": 75000, "authority": "YES", "need": "EXPLICIT", "timeline": "IMMEDIATE"}));
    assert_eq!(
        (lead.lead_score, lead.rating),
        (68, Some(crm_model::Rating::Warm))
    );
    assert_eq!(lead.score_breakdown.get("QUALIFICATION"), Some(&35));
    let _: crm_model::Communication =
        t.create(json!({"type": "CALL", "notes": "Intro call", "leadId": lead.id}));
    let rescored: Lead = t.store.get(lead.id).expect("lead");
    assert_eq!(
        (rescored.lead_score, rescored.rating),
        (82, Some(crm_model::Rating::Hot)),
        "a call today adds engagement"
    );
    let pinned = t
        .store
        .set_lead_score(&admin, lead.id, Some(20))
        .expect("overrides");
    assert_eq!(
        (pinned.lead_score, pinned.rating),
        (20, Some(crm_model::Rating::Cold))
    );
    let mut settings = t.store.settings().expect("settings");
    settings.lead_scoring.hot_threshold = 15;
    settings.lead_scoring.warm_threshold = 10;
    t.store.save_settings(&admin, settings).expect("saves");
    assert_eq!(
        t.store.get::<Lead>(lead.id).expect("lead").rating,
        Some(crm_model::Rating::Hot),
        "rescored with the new rules"
    );
    let rep = user(3, Role::SalesRep);
    assert!(matches!(
        t.store
            .save_settings(&rep, t.store.settings().expect("settings")),
        Err(CoreError::NotAllowed(_))
    ));
}

#[test]
fn merging_customers_moves_everything_and_can_be_undone() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let pipeline = t.store.default_pipeline().expect("pipeline");
    let stage = pipeline.ordered_stages()[0].0;
    let survivor: Customer =
        t.create(json!({"name": "Acme Corp", "primaryEmail": "info@acme.com"}));
    let loser: Customer = t.create(
        json!({"name": "ACME Corporation", "industry": "Technology", "website": "acme.com"}),
    );
    let contact: Contact = t.create(json!({"customerId": loser.id, "name": "Jane"}));
    let deal: Deal = t.create(
        json!({"name": "D", "customerId": loser.id, "pipelineId": pipeline.id, "stageId": stage}),
    );
    let _: crm_model::Communication =
        t.create(json!({"type": "NOTE", "notes": "n", "customerId": loser.id}));
    let _: crm_model::CustomerNote = t.create(json!({"customerId": loser.id, "content": "note"}));

    let scan = t.store.scan_duplicates().expect("scans");
    let pair = scan
        .iter()
        .find(|pair| pair.kind == crm_model::RecordKind::Customer)
        .expect("the pair is found");
    assert!(pair.score >= 80, "{pair:?}");
    assert!(
        pair.reasons.iter().any(|reason| reason.contains("name")),
        "{pair:?}"
    );

    let rep = user(4, Role::SalesRep);
    assert!(matches!(
        t.store.merge_customers(&rep, survivor.id, loser.id),
        Err(CoreError::NotAllowed(_))
    ));
    let outcome = t
        .store
        .merge_customers(&admin, survivor.id, loser.id)
        .expect("merges");
    assert_eq!(outcome.moved, 4);
    assert_eq!(
        outcome.survivor.industry.as_deref(),
        Some("Technology"),
        "empty fields filled from the loser"
    );
    assert_eq!(
        outcome.survivor.primary_email.as_deref(),
        Some("info@acme.com"),
        "filled ones kept"
    );
    let view = t
        .store
        .customer_360(survivor.id, crm_protocol::views::Include::ALL)
        .expect("360");
    assert_eq!(
        (
            view.contacts.len(),
            view.deals.len(),
            view.communications.len(),
            view.notes.len()
        ),
        (1, 1, 1, 1)
    );
    assert!(
        t.store.customer_360(loser.id, &[]).is_err(),
        "the loser is in the trash"
    );

    let restored = t.store.undo_merge(&admin, loser.id).expect("undoes");
    assert_eq!(restored.name, "ACME Corporation");
    assert_eq!(
        t.store
            .get::<Contact>(contact.id)
            .expect("contact")
            .customer_id,
        Some(loser.id)
    );
    assert_eq!(
        t.store.get::<Deal>(deal.id).expect("deal").customer_id,
        Some(loser.id)
    );
    let back: Customer = t.store.get(survivor.id).expect("survivor");
    assert_eq!(
        (back.industry, back.website),
        (None, None),
        "filled fields cleared again"
    );
    assert!(matches!(
        t.store.undo_merge(&admin, loser.id),
        Err(CoreError::NotAllowed(_))
    ));
}

#[test]
fn sales_documents_drive_their_deal() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let pipeline = t.store.default_pipeline().expect("pipeline");
    let customer: Customer = t.create(json!({"name": "Acme"}));
    let deal: Deal = t.create(
        json!({"name": "Licenses", "customerId": customer.id, "pipelineId": pipeline.id,
        "stageId": pipeline.ordered_stages()[0].0,
        "products": [{"name": "License", "quantity": 10, "price": 100}]}),
    );
    let stage_name = |t: &TestStore| -> String {
        let deal: Deal = t.store.get(deal.id).expect("deal");
        pipeline
            .stage(deal.stage_id.expect("stage"))
            .map(|stage| stage.name.clone())
            .unwrap_or_default()
    };
    let quote = t
        .store
        .document_from_deal(&admin, deal.id, crm_model::SalesDocumentType::Quotation)
        .expect("quote");
    assert_eq!(
        (quote.total.to_string(), quote.customer_id),
        ("1000.00".to_owned(), Some(customer.id))
    );
    assert!(
        quote.number.starts_with("Q-") && quote.number.ends_with("-0001"),
        "{}",
        quote.number
    );
    assert_eq!(stage_name(&t), "Prospecting", "a draft changes nothing");
    t.store
        .update_with::<crm_model::SalesDocument>(&admin, quote.id, json!({"status": "SENT"}))
        .expect("sent");
    assert_eq!(stage_name(&t), "Proposal");
    t.store
        .update_with::<crm_model::SalesDocument>(&admin, quote.id, json!({"status": "ACCEPTED"}))
        .expect("accepted");
    assert_eq!(stage_name(&t), "Negotiation");
    let invoice = t
        .store
        .document_from_deal(&admin, deal.id, crm_model::SalesDocumentType::Invoice)
        .expect("invoice");
    t.store
        .update_with::<crm_model::SalesDocument>(
            &admin,
            invoice.id,
            json!({"status": "PAID", "amountPaid": 1000}),
        )
        .expect("paid");
    let won: Deal = t.store.get(deal.id).expect("deal");
    assert_eq!(
        (won.status, stage_name(&t).as_str()),
        (DealStatus::Won, "Closed Won")
    );
    assert_eq!(
        t.store
            .customer_360(customer.id, &[])
            .expect("360")
            .stats
            .lifetime_value
            .to_string(),
        "1000.00"
    );
}

#[test]
fn bulk_operations_assignment_rules_and_stuck_deals() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let (ann, bob, cy) = (
        user(21, Role::SalesRep),
        user(22, Role::SalesRep),
        user(23, Role::SalesRep),
    );
    let mut ids = Vec::new();
    for (name, source) in [
        ("L1", "Web"),
        ("L2", "Referral"),
        ("L3", "Web"),
        ("L4", "Event"),
        ("L5", "Web"),
    ] {
        let lead: Lead = t.create(json!({"name": name, "source": source, "ownerId": null}));
        ids.push(lead.id);
    }
    let rules = crm_core::AssignmentRules {
        by_source: [("referral".to_owned(), cy.user_id)].into_iter().collect(),
        round_robin: vec![ann.user_id, bob.user_id],
    };
    assert_eq!(t.store.assign_leads(&admin, &rules).expect("assigns"), 5);
    let owners: Vec<Option<crm_model::UserId>> = ids
        .iter()
        .map(|id| t.store.get::<Lead>(*id).expect("lead").owner_id)
        .collect();
    assert_eq!(
        owners,
        [
            Some(ann.user_id),
            Some(cy.user_id),
            Some(bob.user_id),
            Some(ann.user_id),
            Some(bob.user_id)
        ]
    );

    let tagged = t
        .store
        .bulk_update_leads(
            &admin,
            &ids[..2],
            &crm_core::BulkLeadAction::AddTag {
                tag: "trade-fair".into(),
            },
        )
        .expect("tags");
    assert_eq!(tagged, 2);
    assert!(
        t.store
            .get::<Lead>(ids[0])
            .expect("lead")
            .tags
            .contains(&"trade-fair".to_owned())
    );
    t.store
        .bulk_update_leads(
            &admin,
            &ids,
            &crm_core::BulkLeadAction::SetStatus {
                status: LeadStatus::Qualified,
            },
        )
        .expect("status");
    assert!(ids.iter().all(|id| {
        t.store
            .get::<Lead>(*id)
            .map(|l| l.status == LeadStatus::Qualified)
            .unwrap_or(false)
    }));
    // A rep may not touch a colleague's lead, and nothing of the batch is written.
    let refused = t.store.bulk_update_leads(
        &ann,
        &ids[..2],
        &crm_core::BulkLeadAction::AddTag { tag: "mine".into() },
    );
    assert!(matches!(refused, Err(CoreError::NotAllowed(_))));
    assert!(
        !t.store
            .get::<Lead>(ids[0])
            .expect("lead")
            .tags
            .contains(&"mine".to_owned())
    );

    let pipeline = t.store.default_pipeline().expect("pipeline");
    let customer: Customer = t.create(json!({"name": "Acme"}));
    let deal: Deal = t.create(
        json!({"name": "Slow", "customerId": customer.id, "pipelineId": pipeline.id,
        "stageId": pipeline.ordered_stages()[0].0}),
    );
    assert!(
        t.store
            .stuck_deals(chrono::Utc::now())
            .expect("stuck")
            .is_empty()
    );
    let stuck = t
        .store
        .stuck_deals(chrono::Utc::now() + chrono::Duration::days(45))
        .expect("stuck");
    assert_eq!(
        stuck
            .iter()
            .map(|s| (s.deal.id, s.allowed_days))
            .collect::<Vec<_>>(),
        [(deal.id, 30)]
    );
}

#[test]
fn merging_contacts_and_leads_moves_their_history_and_can_be_undone() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let acme: Customer = t.create(json!({"name": "Acme Corp"}));
    let kept: Contact = t.create(json!({"name": "John Doe", "customerId": acme.id}));
    let twin: Contact = t.create(json!({"name": "John Doe", "customerId": acme.id,
        "email": "john@acme.com", "phone": "+1 555 0100"}));
    t.store
        .set_primary_contact(&admin, twin.id)
        .expect("primary");
    let call: crm_model::Communication = t.create(json!({"type": "CALL", "notes": "Intro",
        "occurredAt": "2026-02-01T10:00:00Z", "customerId": acme.id, "contactId": twin.id}));

    let rep = user(4, Role::SalesRep);
    assert!(matches!(
        t.store.merge_contacts(&rep, kept.id, twin.id),
        Err(CoreError::NotAllowed(_))
    ));
    let merged = t
        .store
        .merge_contacts(&admin, kept.id, twin.id)
        .expect("merges");
    assert_eq!(merged.moved, 1);
    assert_eq!(merged.survivor.email.as_deref(), Some("john@acme.com"));
    assert_eq!(
        t.store
            .get::<crm_model::Communication>(call.id)
            .expect("call")
            .contact_id,
        Some(kept.id)
    );
    assert_eq!(
        t.store
            .get::<Customer>(acme.id)
            .expect("acme")
            .primary_contact_id,
        Some(kept.id),
        "the survivor is the primary contact now"
    );
    let restored = t.store.undo_contact_merge(&admin, twin.id).expect("undoes");
    assert_eq!(restored.email.as_deref(), Some("john@acme.com"));
    assert_eq!(
        t.store
            .get::<crm_model::Communication>(call.id)
            .expect("call")
            .contact_id,
        Some(twin.id)
    );
    assert_eq!(
        t.store.get::<Contact>(kept.id).expect("kept").email,
        None,
        "filled fields cleared again"
    );

    let lead = spec_lead(&mut t);
    let duplicate: Lead = t.create(json!({"firstName": "Jon", "lastName": "Doe",
        "email": "john@example.com", "company": "Example Inc"}));
    let task: Activity = t.create(json!({"type": "TASK", "subject": "Call back",
        "dueDate": "2026-02-12", "leadId": duplicate.id}));
    let merged = t
        .store
        .merge_leads(&admin, lead.id, duplicate.id)
        .expect("merges leads");
    assert_eq!(merged.moved, 1);
    assert_eq!(
        t.store.get::<Activity>(task.id).expect("task").lead_id,
        Some(lead.id)
    );
    assert!(matches!(
        t.store.merge_leads(&admin, lead.id, lead.id),
        Err(CoreError::NotAllowed(_))
    ));
    t.store
        .undo_lead_merge(&admin, duplicate.id)
        .expect("undoes the lead merge");
    assert_eq!(
        t.store.get::<Activity>(task.id).expect("task").lead_id,
        Some(duplicate.id)
    );
}

#[test]
fn configuring_a_pipeline_keeps_every_deal_on_a_stage() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let pipeline = t.store.default_pipeline().expect("pipeline");
    let stages = pipeline.ordered_stages();
    let (occupied, _) = stages[0];
    let (empty, _) = stages[1];
    let customer: Customer = t.create(json!({"name": "Acme"}));
    let _deal: Deal = t.create(json!({
        "name": "Acme renewal", "amount": 1000, "customerId": customer.id,
        "pipelineId": pipeline.id, "stageId": occupied
    }));
    let mut without = serde_json::to_value(&pipeline.stages).expect("stages");
    let map = without.as_object_mut().expect("a map");

    // Removing the stage that holds the deal is refused, naming the stage; nothing changes.
    let mut all_but_occupied = map.clone();
    all_but_occupied.remove(&occupied.to_string());
    let refused = t
        .store
        .update_pipeline(
            &admin,
            pipeline.id,
            &common::fields(json!({"stages": all_but_occupied})),
        )
        .expect_err("the stage holds a deal");
    assert!(
        refused.to_string().contains(&format!(
            "“{}” holds 1 deal",
            pipeline.stage(occupied).expect("stage").name
        )),
        "{refused}"
    );
    assert_eq!(t.store.default_pipeline().expect("pipeline"), pipeline);

    // An empty stage goes; a new one is added, renamed stages and new orders stick.
    map.remove(&empty.to_string());
    map.insert(
        "0190a6a4-0000-7000-8000-00000000abcd".into(),
        json!({"name": "Security review", "order": 25, "probability": 55, "color": "#7c3aed"}),
    );
    map[&occupied.to_string()]["name"] = json!("First call");
    let updated = t
        .store
        .update_pipeline(&admin, pipeline.id, &common::fields(json!({"stages": map})))
        .expect("updates");
    let names: Vec<&str> = updated
        .ordered_stages()
        .into_iter()
        .map(|(_, stage)| stage.name.as_str())
        .collect();
    assert!(names.contains(&"Security review") && names.contains(&"First call"));
    assert!(updated.stage(empty).is_none());
    assert_eq!(updated.stages.len(), pipeline.stages.len());

    // A sales rep may not reconfigure the company's pipelines.
    let rep = user(7, Role::SalesRep);
    assert!(matches!(
        t.store
            .update_pipeline(&rep, pipeline.id, &common::fields(json!({"name": "Mine"}))),
        Err(CoreError::NotAllowed(_))
    ));
}
