//! Every list filter of spec §2, sorting, page and cursor paging, global search, Customer 360,
//! the timeline and the activity groups, on a small tenant whose answers are known.

mod common;

use chrono::NaiveDate;
use common::{TestStore, user};
use crm_core::ActivityScope;
use crm_model::{
    Activity, Communication, Contact, Customer, CustomerNote, Deal, Lead, RecordKind, Role,
    SalesDocument,
};
use crm_protocol::query::{
    ActivityQuery, CommunicationQuery, ContactQuery, CustomerQuery, DealQuery, LeadQuery, Paging,
    SortOrder,
};
use crm_protocol::views::{Include, TimelineKind};
use serde_json::json;

struct Tenant {
    t: TestStore,
    acme: Customer,
    globex: Customer,
    initech: Customer,
    rep: crm_model::Actor,
    big_deal: Deal,
}

const TODAY: &str = "2026-02-11";

fn today() -> NaiveDate {
    TODAY.parse().expect("date")
}

fn tenant() -> Tenant {
    let mut t = TestStore::new();
    let rep = user(50, Role::SalesRep);
    let pipeline = t.store.default_pipeline().expect("seeded");
    let stages = pipeline.ordered_stages();
    let (prospecting, qualification) = (stages[0].0, stages[1].0);
    let acme: Customer = t.create(
        json!({"name": "Acme Corp", "status": "ACTIVE", "category": "CUSTOMER",
        "industry": "Technology", "primaryEmail": "info@acme.com", "tags": ["enterprise", "tech"]}),
    );
    let globex: Customer = t.create_as(
        &rep,
        json!({"name": "Globex", "status": "INACTIVE", "category": "PARTNER",
        "industry": "Energy", "primaryPhone": "+1 555 0199", "tags": ["tech"]}),
    );
    let initech: Customer =
        t.create(json!({"name": "Initech", "category": "PROSPECT", "industry": "Software"}));
    for (customer, name, role) in [
        (&acme, "John Doe", "DECISION_MAKER"),
        (&acme, "Jane Roe", "INFLUENCER"),
        (&globex, "Hank Scorpio", "DECISION_MAKER"),
    ] {
        let _: Contact = t.create(json!({"customerId": customer.id, "name": name, "role": role,
            "email": format!("{}@example.com", name.split(' ').next().unwrap_or("x").to_lowercase())}));
    }
    // Scores set by hand; the ratings follow from the default thresholds (HOT, WARM, COLD).
    for (name, status, source, score) in [
        ("Lead One", "NEW", "Website Form", 85),
        ("Lead Two", "QUALIFIED", "Referral", 55),
        ("Lead Three", "NEW", "Website Form", 15),
    ] {
        let _: Lead = t.create(
            json!({"name": name, "status": status, "source": source, "scoreOverride": score, "company": format!("{name} Inc")}),
        );
    }
    let big_deal: Deal = t.create(json!({"name": "Acme - Enterprise", "customerId": acme.id, "pipelineId": pipeline.id,
        "stageId": qualification, "amount": 100000, "probability": 25, "expectedCloseDate": "2026-06-30"}));
    let _: Deal = t.create(json!({"name": "Acme - Support", "customerId": acme.id, "pipelineId": pipeline.id,
        "stageId": prospecting, "amount": 5000, "probability": 10, "expectedCloseDate": "2026-03-15"}));
    let _: Deal = t.create_as(&rep, json!({"name": "Globex - Pilot", "customerId": globex.id,
        "pipelineId": pipeline.id, "stageId": prospecting, "amount": 20000, "status": "LOST", "lostReason": "PRICE",
        "closedDate": "2026-02-01"}));
    for (kind, when, customer, deal) in [
        ("CALL", "2026-02-01T10:00:00Z", &acme, Some(big_deal.id)),
        ("EMAIL", "2026-02-05T10:00:00Z", &acme, None),
        ("MEETING", "2026-02-09T10:00:00Z", &globex, None),
    ] {
        let _: Communication = t.create(
            json!({"type": kind, "notes": format!("{kind} log"), "occurredAt": when,
            "customerId": customer.id, "dealId": deal}),
        );
    }
    let admin = t.admin.user_id;
    for (subject, due, priority, assignee, customer) in [
        ("Overdue call", Some("2026-02-09"), "HIGH", admin, &acme),
        ("Today's email", Some("2026-02-11"), "MEDIUM", admin, &acme),
        (
            "Friday meeting",
            Some("2026-02-13"),
            "URGENT",
            rep.user_id,
            &globex,
        ),
        ("Next month", Some("2026-03-10"), "LOW", admin, &initech),
        ("Someday", None, "LOW", rep.user_id, &initech),
    ] {
        let _: Activity = t.create(json!({"type": "TASK", "subject": subject, "dueDate": due,
            "priority": priority, "assignedTo": assignee, "customerId": customer.id}));
    }
    let _: CustomerNote =
        t.create(json!({"customerId": acme.id, "content": "Old note", "title": "First"}));
    let _: CustomerNote =
        t.create(json!({"customerId": acme.id, "content": "Pinned note", "isPinned": true}));
    let _: SalesDocument = t.create(json!({"type": "INVOICE", "number": "INV-1", "customerId": acme.id,
        "status": "PAID", "issueDate": "2026-01-10", "lines": [{"name": "Setup", "quantity": 1, "price": 2500}],
        "amountPaid": 2500}));
    Tenant {
        t,
        acme,
        globex,
        initech,
        rep,
        big_deal,
    }
}

fn names<T>(page: crm_protocol::query::Page<T>, name: impl Fn(&T) -> String) -> Vec<String> {
    page.data.iter().map(name).collect()
}

#[test]
fn customer_filters_and_sorts() {
    let tenant = tenant();
    let store = &tenant.t.store;
    let sorted = |by: &str, order| Paging {
        sort_by: Some(by.into()),
        sort_order: Some(order),
        ..Paging::default()
    };
    let cases: Vec<(CustomerQuery, Vec<&str>)> = vec![
        (
            CustomerQuery::default(),
            vec!["Acme Corp", "Globex", "Initech"],
        ),
        (
            CustomerQuery {
                status: Some(crm_model::CustomerStatus::Inactive),
                ..Default::default()
            },
            vec!["Globex"],
        ),
        (
            CustomerQuery {
                category: Some(crm_model::CustomerCategory::Prospect),
                ..Default::default()
            },
            vec!["Initech"],
        ),
        (
            CustomerQuery {
                owner_id: Some(tenant.rep.user_id),
                ..Default::default()
            },
            vec!["Globex"],
        ),
        (
            CustomerQuery {
                tags: vec!["tech".into()],
                ..Default::default()
            },
            vec!["Acme Corp", "Globex"],
        ),
        (
            CustomerQuery {
                tags: vec!["TECH".into(), "enterprise".into()],
                ..Default::default()
            },
            vec!["Acme Corp"],
        ),
        (
            CustomerQuery {
                search: Some("acm".into()),
                ..Default::default()
            },
            vec!["Acme Corp"],
        ),
        (
            CustomerQuery {
                search: Some("555".into()),
                ..Default::default()
            },
            vec!["Globex"],
        ),
        (
            CustomerQuery {
                search: Some("energy".into()),
                ..Default::default()
            },
            vec!["Globex"],
        ),
        (
            CustomerQuery {
                paging: sorted("name", SortOrder::Desc),
                ..Default::default()
            },
            vec!["Initech", "Globex", "Acme Corp"],
        ),
        (
            CustomerQuery {
                paging: sorted("industry", SortOrder::Asc),
                ..Default::default()
            },
            vec!["Globex", "Initech", "Acme Corp"],
        ),
    ];
    for (query, expected) in cases {
        let page = store.list_customers(&query).expect("lists");
        assert_eq!(page.pagination.total, expected.len() as u64, "{query:?}");
        assert_eq!(
            names(page, |customer: &Customer| customer.name.clone()),
            expected,
            "{query:?}"
        );
    }
    let bad = CustomerQuery {
        paging: sorted("shoeSize", SortOrder::Asc),
        ..Default::default()
    };
    assert!(matches!(
        store.list_customers(&bad),
        Err(crm_core::CoreError::Validation(_))
    ));
}

#[test]
fn cursor_paging_walks_every_row_once() {
    let tenant = tenant();
    let store = &tenant.t.store;
    for order in [SortOrder::Asc, SortOrder::Desc] {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let paging = Paging {
                limit: 2,
                cursor: cursor.clone(),
                sort_order: Some(order),
                sort_by: Some("name".into()),
                ..Paging::default()
            };
            let page = store
                .list_customers(&CustomerQuery {
                    paging,
                    ..Default::default()
                })
                .expect("lists");
            seen.extend(page.data.iter().map(|customer| customer.name.clone()));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut expected = vec!["Acme Corp", "Globex", "Initech"];
        if order == SortOrder::Desc {
            expected.reverse();
        }
        assert_eq!(seen, expected, "{order:?}");
    }
}

#[test]
fn contact_lead_and_deal_filters() {
    let tenant = tenant();
    let store = &tenant.t.store;
    let contact_cases: Vec<(ContactQuery, Vec<&str>)> = vec![
        (
            ContactQuery::default(),
            vec!["Hank Scorpio", "Jane Roe", "John Doe"],
        ),
        (
            ContactQuery {
                customer_id: Some(tenant.acme.id),
                ..Default::default()
            },
            vec!["Jane Roe", "John Doe"],
        ),
        (
            ContactQuery {
                role: Some(crm_model::ContactRole::DecisionMaker),
                ..Default::default()
            },
            vec!["Hank Scorpio", "John Doe"],
        ),
        (
            ContactQuery {
                owner_id: Some(tenant.rep.user_id),
                ..Default::default()
            },
            vec![],
        ),
        (
            ContactQuery {
                search: Some("jane".into()),
                ..Default::default()
            },
            vec!["Jane Roe"],
        ),
    ];
    for (query, expected) in contact_cases {
        assert_eq!(
            names(
                store.list_contacts(&query).expect("lists"),
                |c: &Contact| c.name.clone()
            ),
            expected,
            "{query:?}"
        );
    }
    let by_name = Paging {
        sort_by: Some("name".into()),
        ..Paging::default()
    };
    let lead_cases: Vec<(LeadQuery, Vec<&str>)> = vec![
        (
            LeadQuery {
                status: Some(crm_model::LeadStatus::New),
                ..Default::default()
            },
            vec!["Lead One", "Lead Three"],
        ),
        (
            LeadQuery {
                source: Some("Referral".into()),
                ..Default::default()
            },
            vec!["Lead Two"],
        ),
        (
            LeadQuery {
                rating: Some(crm_model::Rating::Hot),
                ..Default::default()
            },
            vec!["Lead One"],
        ),
        (
            LeadQuery {
                min_score: Some(50),
                ..Default::default()
            },
            vec!["Lead One", "Lead Two"],
        ),
        (
            LeadQuery {
                max_score: Some(50),
                ..Default::default()
            },
            vec!["Lead Three"],
        ),
        (
            LeadQuery {
                min_score: Some(20),
                max_score: Some(60),
                ..Default::default()
            },
            vec!["Lead Two"],
        ),
        (
            LeadQuery {
                owner_id: Some(tenant.t.admin.user_id),
                ..Default::default()
            },
            vec!["Lead One", "Lead Three", "Lead Two"],
        ),
        (
            LeadQuery {
                search: Some("three inc".into()),
                ..Default::default()
            },
            vec!["Lead Three"],
        ),
    ];
    for (mut query, expected) in lead_cases {
        query.paging = by_name.clone();
        assert_eq!(
            names(store.list_leads(&query).expect("lists"), |l: &Lead| l
                .name
                .clone()),
            expected,
            "{query:?}"
        );
    }
    let pipeline = store.default_pipeline().expect("pipeline");
    let by_amount = Paging {
        sort_by: Some("amount".into()),
        sort_order: Some(SortOrder::Desc),
        ..Paging::default()
    };
    let deal_cases: Vec<(DealQuery, Vec<&str>)> = vec![
        (
            DealQuery::default(),
            vec!["Acme - Enterprise", "Globex - Pilot", "Acme - Support"],
        ),
        (
            DealQuery {
                pipeline_id: Some(pipeline.id),
                ..Default::default()
            },
            vec!["Acme - Enterprise", "Globex - Pilot", "Acme - Support"],
        ),
        (
            DealQuery {
                stage_id: tenant.big_deal.stage_id,
                ..Default::default()
            },
            vec!["Acme - Enterprise"],
        ),
        (
            DealQuery {
                status: Some(crm_model::DealStatus::Lost),
                ..Default::default()
            },
            vec!["Globex - Pilot"],
        ),
        (
            DealQuery {
                customer_id: Some(tenant.acme.id),
                ..Default::default()
            },
            vec!["Acme - Enterprise", "Acme - Support"],
        ),
        (
            DealQuery {
                owner_id: Some(tenant.rep.user_id),
                ..Default::default()
            },
            vec!["Globex - Pilot"],
        ),
        (
            DealQuery {
                min_value: Some(10000.0),
                ..Default::default()
            },
            vec!["Acme - Enterprise", "Globex - Pilot"],
        ),
        (
            DealQuery {
                max_value: Some(10000.0),
                ..Default::default()
            },
            vec!["Acme - Support"],
        ),
        (
            DealQuery {
                expected_close_date_from: "2026-03-01".parse().ok(),
                expected_close_date_to: "2026-04-01".parse().ok(),
                ..Default::default()
            },
            vec!["Acme - Support"],
        ),
        (
            DealQuery {
                search: Some("pilot".into()),
                ..Default::default()
            },
            vec!["Globex - Pilot"],
        ),
    ];
    for (mut query, expected) in deal_cases {
        query.paging = by_amount.clone();
        assert_eq!(
            names(store.list_deals(&query).expect("lists"), |d: &Deal| d
                .name
                .clone()),
            expected,
            "{query:?}"
        );
    }
}

#[test]
fn communication_and_activity_filters() {
    let tenant = tenant();
    let store = &tenant.t.store;
    let kinds = |page: crm_protocol::query::Page<Communication>| -> Vec<String> {
        page.data
            .iter()
            .map(|c| c.communication_type.as_str().to_owned())
            .collect()
    };
    let cases: Vec<(CommunicationQuery, Vec<&str>)> = vec![
        (
            CommunicationQuery::default(),
            vec!["MEETING", "EMAIL", "CALL"],
        ),
        (
            CommunicationQuery {
                customer_id: Some(tenant.acme.id),
                ..Default::default()
            },
            vec!["EMAIL", "CALL"],
        ),
        (
            CommunicationQuery {
                deal_id: Some(tenant.big_deal.id),
                ..Default::default()
            },
            vec!["CALL"],
        ),
        (
            CommunicationQuery {
                communication_type: Some(crm_model::CommunicationType::Email),
                ..Default::default()
            },
            vec!["EMAIL"],
        ),
        (
            CommunicationQuery {
                date_from: "2026-02-02T00:00:00Z".parse().ok(),
                date_to: "2026-02-08T00:00:00Z".parse().ok(),
                ..Default::default()
            },
            vec!["EMAIL"],
        ),
        (
            CommunicationQuery {
                created_by: Some(tenant.t.admin.user_id),
                ..Default::default()
            },
            vec!["MEETING", "EMAIL", "CALL"],
        ),
        (
            CommunicationQuery {
                created_by: Some(tenant.rep.user_id),
                ..Default::default()
            },
            vec![],
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(
            kinds(store.list_communications(&query).expect("lists")),
            expected,
            "{query:?}"
        );
    }
    let subjects = |page: crm_protocol::query::Page<Activity>| -> Vec<String> {
        page.data.iter().map(|a| a.subject.clone()).collect()
    };
    let activity_cases: Vec<(ActivityQuery, Vec<&str>)> = vec![
        (
            ActivityQuery::default(),
            vec![
                "Overdue call",
                "Today's email",
                "Friday meeting",
                "Next month",
                "Someday",
            ],
        ),
        (
            ActivityQuery {
                assigned_to: Some(tenant.rep.user_id),
                ..Default::default()
            },
            vec!["Friday meeting", "Someday"],
        ),
        (
            ActivityQuery {
                priority: Some(crm_model::Priority::Urgent),
                ..Default::default()
            },
            vec!["Friday meeting"],
        ),
        (
            ActivityQuery {
                due_date: Some(today()),
                ..Default::default()
            },
            vec!["Today's email"],
        ),
        (
            ActivityQuery {
                overdue: true,
                ..Default::default()
            },
            vec!["Overdue call"],
        ),
        (
            ActivityQuery {
                customer_id: Some(tenant.initech.id),
                ..Default::default()
            },
            vec!["Next month", "Someday"],
        ),
        (
            ActivityQuery {
                status: Some(crm_model::ActivityStatus::Completed),
                ..Default::default()
            },
            vec![],
        ),
        (
            ActivityQuery {
                activity_type: Some(crm_model::ActivityType::Task),
                paging: Paging {
                    sort_by: Some("priority".into()),
                    sort_order: Some(SortOrder::Desc),
                    limit: 2,
                    ..Paging::default()
                },
                ..Default::default()
            },
            vec!["Friday meeting", "Overdue call"],
        ),
    ];
    for (query, expected) in activity_cases {
        assert_eq!(
            subjects(store.list_activities(&query, today()).expect("lists")),
            expected,
            "{query:?}"
        );
    }
    let groups = store
        .activity_groups(ActivityScope::All, tenant.t.admin.user_id, today())
        .expect("groups");
    let titles = |list: &[Activity]| list.iter().map(|a| a.subject.clone()).collect::<Vec<_>>();
    assert_eq!(titles(&groups.overdue), ["Overdue call"]);
    assert_eq!(titles(&groups.today), ["Today's email"]);
    assert_eq!(titles(&groups.this_week), ["Friday meeting"]);
    assert_eq!(titles(&groups.later), ["Next month"]);
    assert_eq!(titles(&groups.no_date), ["Someday"]);
    let mine = store
        .activity_groups(ActivityScope::Mine, tenant.rep.user_id, today())
        .expect("groups");
    assert_eq!(
        (
            titles(&mine.this_week),
            titles(&mine.no_date),
            mine.overdue.len()
        ),
        (
            vec!["Friday meeting".to_owned()],
            vec!["Someday".to_owned()],
            0
        )
    );
    let team = store
        .activity_groups(ActivityScope::Team, tenant.rep.user_id, today())
        .expect("groups");
    assert_eq!(titles(&team.overdue), ["Overdue call"]);
}

#[test]
fn global_search_finds_prefixes_and_typos() {
    let tenant = tenant();
    let store = &tenant.t.store;
    let found = |text: &str, kinds: &[RecordKind]| -> Vec<String> {
        store
            .search(text, kinds, 10)
            .expect("searches")
            .into_iter()
            .map(|hit| hit.title)
            .collect()
    };
    assert_eq!(found("acm", &[RecordKind::Customer]), ["Acme Corp"]);
    assert_eq!(
        found("acne corp", &[RecordKind::Customer]),
        ["Acme Corp"],
        "one typo"
    );
    assert_eq!(found("john", &[]), ["John Doe"]);
    assert_eq!(
        found("enterprise", &[RecordKind::Deal]),
        ["Acme - Enterprise"]
    );
    assert!(found("lead", &[RecordKind::Lead]).len() == 3);
    assert!(found("zzzz", &[]).is_empty());
    assert!(found("", &[]).is_empty());
}

#[test]
fn customer_360_and_timeline() {
    let tenant = tenant();
    let store = &tenant.t.store;
    let view = store
        .customer_360(tenant.acme.id, Include::ALL)
        .expect("360");
    assert_eq!(view.customer.name, "Acme Corp");
    assert_eq!(view.contacts.len(), 2);
    assert_eq!(view.deals.len(), 2);
    assert_eq!(
        view.communications
            .iter()
            .map(|c| c.communication_type.as_str())
            .collect::<Vec<_>>(),
        ["EMAIL", "CALL"]
    );
    assert_eq!(
        view.activities
            .iter()
            .map(|a| a.subject.as_str())
            .collect::<Vec<_>>(),
        ["Overdue call", "Today's email"]
    );
    assert_eq!(view.notes[0].content, "Pinned note", "pinned notes first");
    assert_eq!(view.sales_invoices.len(), 1);
    assert_eq!(view.stats.open_deals, 2);
    assert_eq!(view.stats.pipeline_value.to_string(), "105000.00");
    assert_eq!(view.stats.lifetime_value.to_string(), "2500.00");
    let only_contacts = store
        .customer_360(tenant.acme.id, &[Include::Contacts])
        .expect("360");
    assert!(only_contacts.deals.is_empty() && only_contacts.contacts.len() == 2);

    let timeline = store
        .customer_timeline(tenant.acme.id, 100)
        .expect("timeline");
    assert!(
        timeline.windows(2).all(|pair| pair[0].at >= pair[1].at),
        "newest first"
    );
    let kinds: Vec<TimelineKind> = timeline.iter().map(|item| item.kind).collect();
    for kind in [
        TimelineKind::Communication,
        TimelineKind::Activity,
        TimelineKind::DealCreated,
        TimelineKind::Note,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} in {kinds:?}");
    }
    assert_eq!(
        store
            .customer_timeline(tenant.acme.id, 3)
            .expect("timeline")
            .len(),
        3
    );
    assert!(store.customer_360(tenant.globex.id, &[]).is_ok());
}

#[test]
fn a_searched_list_counts_only_live_matches() {
    let mut tenant = tenant();
    let admin = tenant.t.admin;
    let total =
        |store: &crm_core::Store, search: &str, status: Option<crm_model::CustomerStatus>| {
            store
                .list_customers(&CustomerQuery {
                    search: Some(search.into()),
                    status,
                    ..Default::default()
                })
                .expect("lists")
                .pagination
                .total
        };
    assert_eq!(total(&tenant.t.store, "acme", None), 1);
    assert_eq!(total(&tenant.t.store, "glob", None), 1);
    assert_eq!(
        total(
            &tenant.t.store,
            "glob",
            Some(crm_model::CustomerStatus::Active)
        ),
        0,
        "with another filter"
    );
    tenant
        .t
        .store
        .delete_record(&admin, RecordKind::Customer, tenant.globex.id.into())
        .expect("deletes");
    assert_eq!(
        total(&tenant.t.store, "glob", None),
        0,
        "the trash is not counted"
    );
}

#[test]
fn a_deal_page_holds_its_customer_pipeline_activities_and_communications() {
    let mut t = TestStore::new();
    let customer: Customer = t.create(json!({"name": "Acme"}));
    let pipeline = t.store.default_pipeline().expect("pipeline");
    let (stage, _) = pipeline.ordered_stages()[0];
    let deal: Deal = t.create(json!({"name": "Acme renewal", "amount": 5000,
        "customerId": customer.id, "pipelineId": pipeline.id, "stageId": stage}));
    let other: Deal = t.create(json!({"name": "Acme expansion", "customerId": customer.id,
        "pipelineId": pipeline.id, "stageId": stage}));
    for (subject, deal_id) in [("Call back", deal.id), ("Unrelated", other.id)] {
        let _: Activity = t.create(json!({"type": "TASK", "subject": subject,
            "dueDate": "2026-03-01", "customerId": customer.id, "dealId": deal_id}));
    }
    let _: Communication = t.create(json!({"type": "CALL", "notes": "Budget approved",
        "customerId": customer.id, "dealId": deal.id}));
    let view = t.store.deal_view(deal.id).expect("the deal page");
    assert_eq!(view.deal.id, deal.id);
    assert_eq!(view.customer.map(|c| c.name), Some("Acme".to_owned()));
    assert_eq!(view.pipeline.map(|p| p.id), Some(pipeline.id));
    let subjects: Vec<&str> = view.activities.iter().map(|a| a.subject.as_str()).collect();
    assert_eq!(subjects, ["Call back"]);
    assert_eq!(view.communications.len(), 1);
    assert!(view.attachments.is_empty() && view.sales_documents.is_empty());
    t.store
        .delete_record(&t.admin, RecordKind::Deal, deal.id.into())
        .expect("to the trash");
    assert!(
        t.store.deal_view(deal.id).is_err(),
        "a deal in the trash has no page"
    );
}

#[test]
fn reminders_come_due_once_for_their_assignee() {
    let mut t = TestStore::new();
    let me = t.admin.user_id;
    let colleague = user(9, Role::SalesRep).user_id;
    let at = |text: &str| -> chrono::DateTime<chrono::Utc> { text.parse().expect("a time") };
    for (subject, reminder, assignee) in [
        ("Mine", "2026-03-01T09:00:00Z", Some(me)),
        ("Nobody's", "2026-03-01T09:05:00Z", None),
        ("Colleague's", "2026-03-01T09:05:00Z", Some(colleague)),
        ("Later", "2026-03-01T12:00:00Z", Some(me)),
    ] {
        let _: Activity = t.create(json!({"type": "CALL", "subject": subject,
            "dueDate": "2026-03-01", "reminderAt": reminder, "assignedTo": assignee}));
    }
    let due = |after: &str, until: &str| -> Vec<String> {
        t.store
            .due_reminders(me, at(after), at(until))
            .expect("reminders")
            .into_iter()
            .map(|activity| activity.subject)
            .collect()
    };
    assert_eq!(
        due("2026-03-01T08:00:00Z", "2026-03-01T10:00:00Z"),
        ["Mine", "Nobody's"]
    );
    // The next check starts where the last one ended: nothing is raised twice.
    assert!(due("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z").is_empty());
    assert_eq!(
        due("2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z"),
        ["Later"]
    );
}

#[test]
fn the_user_and_tag_directories() {
    let mut t = TestStore::new();
    for (name, active) in [
        ("Zoe Rep", true),
        ("Ann Gone", false),
        ("Bob Manager", true),
    ] {
        let _: crm_model::User = t.create(json!({"name": name, "active": active,
            "email": format!("{}@example.com", name.replace(' ', ".").to_lowercase()),
            "role": "SALES_REP"}));
    }
    let users: Vec<String> = t
        .store
        .list_users()
        .expect("users")
        .into_iter()
        .map(|user| user.name)
        .collect();
    assert_eq!(
        users,
        ["Bob Manager", "Zoe Rep", "Ann Gone"],
        "active first, by name"
    );
    for (name, category) in [
        ("vip", "CUSTOMER"),
        ("Churn risk", "CUSTOMER"),
        ("Webinar", "LEAD"),
    ] {
        let _: crm_model::Tag = t.create(json!({"name": name, "category": category}));
    }
    let tags: Vec<String> = t
        .store
        .list_tags()
        .expect("tags")
        .into_iter()
        .map(|tag| tag.name)
        .collect();
    assert_eq!(tags, ["Churn risk", "vip", "Webinar"]);
}

#[test]
fn activity_groups_carry_a_limit_and_count_them_all() {
    let mut t = TestStore::new();
    for n in 0..7 {
        let _: Activity = t.create(json!({"type": "TASK", "subject": format!("Overdue {n}"),
            "dueDate": "2026-01-0".to_owned() + &(n + 1).to_string()}));
    }
    let _: Activity = t.create(json!({"type": "TASK", "subject": "Undated"}));
    let today = NaiveDate::from_ymd_opt(2026, 2, 10).expect("a day");
    let admin = t.admin.user_id;
    let limited = t
        .store
        .activity_groups_limited(ActivityScope::All, admin, today, Some(3))
        .expect("groups");
    let subjects: Vec<&str> = limited.overdue.iter().map(|a| a.subject.as_str()).collect();
    assert_eq!(
        subjects,
        ["Overdue 0", "Overdue 1", "Overdue 2"],
        "the oldest first"
    );
    assert_eq!((limited.counts.overdue, limited.counts.no_date), (7, 1));
    let all = t
        .store
        .activity_groups(ActivityScope::All, admin, today)
        .expect("groups");
    assert_eq!((all.overdue.len(), all.counts.overdue), (7, 7));
}

#[test]
fn activity_groups_split_at_midnight_and_end_the_week_on_sunday() {
    let mut t = TestStore::new();
    let due = [
        ("Yesterday late", "2026-02-10", Some("23:30")),
        ("Today, no time", "2026-02-11", None),
        ("Today late", "2026-02-11", Some("23:59")),
        ("Tomorrow early", "2026-02-12", Some("00:00")),
        ("Sunday", "2026-02-15", Some("18:00")),
        ("Next Monday", "2026-02-16", None),
        ("Next year", "2027-01-01", None),
    ];
    for (subject, date, time) in due {
        let mut activity = json!({"type": "TASK", "subject": subject, "dueDate": date});
        if let Some(time) = time {
            activity["dueTime"] = json!(time);
        }
        let _: Activity = t.create(activity);
    }
    let _: Activity = t.create(json!({"type": "TASK", "subject": "Undated", "priority": "LOW"}));
    let _: Activity =
        t.create(json!({"type": "TASK", "subject": "Undated urgent", "priority": "URGENT"}));
    let subjects = |list: &[Activity]| list.iter().map(|a| a.subject.clone()).collect::<Vec<_>>();
    // Wednesday 11 February 2026: the week runs to Sunday the 15th.
    let wednesday = NaiveDate::from_ymd_opt(2026, 2, 11).expect("a day");
    let groups = t
        .store
        .activity_groups(ActivityScope::All, t.admin.user_id, wednesday)
        .expect("groups");
    assert_eq!(subjects(&groups.overdue), ["Yesterday late"]);
    assert_eq!(subjects(&groups.today), ["Today, no time", "Today late"]);
    assert_eq!(subjects(&groups.this_week), ["Tomorrow early", "Sunday"]);
    assert_eq!(subjects(&groups.later), ["Next Monday", "Next year"]);
    assert_eq!(
        subjects(&groups.no_date),
        ["Undated urgent", "Undated"],
        "the most urgent first"
    );
    // On a Sunday the week ends today: nothing is "this week".
    let sunday = NaiveDate::from_ymd_opt(2026, 2, 15).expect("a day");
    let groups = t
        .store
        .activity_groups(ActivityScope::All, t.admin.user_id, sunday)
        .expect("groups");
    assert_eq!(groups.overdue.len(), 4);
    assert_eq!(subjects(&groups.today), ["Sunday"]);
    assert!(groups.this_week.is_empty());
    assert_eq!(subjects(&groups.later), ["Next Monday", "Next year"]);
    assert_eq!(
        (
            groups.counts.overdue,
            groups.counts.today,
            groups.counts.this_week
        ),
        (4, 1, 0)
    );
}

#[test]
fn the_board_counts_and_sums_every_open_deal_per_stage_and_pages_the_cards() {
    use crm_model::{Amount, PipelineId};
    use crm_protocol::query::BoardQuery;

    let mut tenant = tenant();
    let pipeline = tenant.t.store.default_pipeline().expect("seeded");
    let open_stages: Vec<_> = pipeline
        .ordered_stages()
        .into_iter()
        .filter(|(_, stage)| !stage.is_closed())
        .map(|(id, _)| id)
        .collect();
    let board = tenant
        .t
        .store
        .pipeline_board(&BoardQuery::new(pipeline.id))
        .expect("board");
    let columns: Vec<_> = board.columns.iter().map(|column| column.stage_id).collect();
    assert_eq!(columns, open_stages, "every open stage, in order");
    let summary: Vec<(u64, Amount, Amount, Vec<String>)> = board
        .columns
        .iter()
        .map(|column| {
            (
                column.count,
                column.amount,
                column.weighted,
                column.deals.iter().map(|deal| deal.name.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        summary[..2],
        [
            (
                1,
                Amount::from_decimal(5_000.0),
                Amount::from_decimal(500.0),
                vec!["Acme - Support".to_owned()]
            ),
            (
                1,
                Amount::from_decimal(100_000.0),
                Amount::from_decimal(25_000.0),
                vec!["Acme - Enterprise".to_owned()]
            ),
        ],
        "the lost deal is not on the board"
    );
    assert!(summary[2..].iter().all(|(count, ..)| *count == 0));

    // Filters narrow the counts and totals as well as the cards.
    let mut query = BoardQuery::new(pipeline.id);
    query.deals.min_value = Some(10_000.0);
    let board = tenant.t.store.pipeline_board(&query).expect("board");
    assert_eq!(
        board
            .columns
            .iter()
            .map(|column| column.count)
            .collect::<Vec<_>>()[..2],
        [0, 1]
    );
    let mut query = BoardQuery::new(pipeline.id);
    query.deals.search = Some("supp".into());
    let board = tenant.t.store.pipeline_board(&query).expect("board");
    assert_eq!(board.columns[0].count, 1);
    assert_eq!(board.columns[1].count, 0);

    // A column holds its first cards; the rest come after its cursor.
    for n in 0..4 {
        let _: Deal = tenant.t.create(
            json!({"name": format!("Extra {n}"), "customerId": tenant.initech.id, "pipelineId": pipeline.id,
            "stageId": open_stages[0], "amount": 1000}),
        );
    }
    let mut query = BoardQuery::new(pipeline.id);
    query.cards_per_stage = 2;
    let board = tenant.t.store.pipeline_board(&query).expect("board");
    let first = &board.columns[0];
    assert_eq!(first.count, 5);
    assert_eq!(
        first
            .deals
            .iter()
            .map(|deal| deal.name.as_str())
            .collect::<Vec<_>>(),
        ["Extra 3", "Extra 2"],
        "most recently changed first"
    );
    let rest = tenant
        .t
        .store
        .list_deals(&query.more_of_stage(first.stage_id, first.next_cursor.clone()))
        .expect("more");
    assert_eq!(
        rest.data
            .iter()
            .map(|deal| deal.name.as_str())
            .collect::<Vec<_>>(),
        ["Extra 1", "Extra 0"]
    );

    let unknown = tenant
        .t
        .store
        .pipeline_board(&BoardQuery::new(PipelineId(uuid::Uuid::now_v7())))
        .expect_err("no such pipeline");
    assert!(
        unknown.to_string().contains("pipelineId"),
        "names the field: {unknown}"
    );
    let missing = tenant
        .t
        .store
        .pipeline_board(&BoardQuery {
            deals: DealQuery::default(),
            cards_per_stage: 50,
        })
        .expect_err("a board needs its pipeline");
    assert!(
        missing.to_string().contains("pipelineId"),
        "names the field: {missing}"
    );
}
