//! Dashboard stats in the spec's shape and each report, on a tenant whose figures are known.

mod common;

use common::TestStore;
use crm_core::Segment;
use crm_model::{Activity, Customer, Deal, Lead, LostReason};
use crm_protocol::reports::DateRange;
use crm_protocol::workflows::{CompleteActivity, LoseDeal, MoveDealStage, WinDeal};
use serde_json::json;

fn february() -> DateRange {
    DateRange {
        from: "2026-02-01".parse().expect("date"),
        to: "2026-02-28".parse().expect("date"),
    }
}

#[test]
fn dashboard_and_reports() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let pipeline = t.store.default_pipeline().expect("pipeline");
    let stages = pipeline.ordered_stages();
    let acme: Customer =
        t.create(json!({"name": "Acme", "companySize": "ENTERPRISE", "industry": "Technology"}));
    let globex: Customer =
        t.create(json!({"name": "Globex", "status": "INACTIVE", "companySize": "SMALL"}));
    let deal = |t: &mut TestStore,
                name: &str,
                customer: &Customer,
                amount: i64,
                close: &str|
     -> Deal {
        t.create(json!({"name": name, "customerId": customer.id, "pipelineId": pipeline.id, "stageId": stages[0].0,
            "amount": amount, "probability": 10, "expectedCloseDate": close}))
    };
    let won = deal(&mut t, "Won big", &acme, 100_000, "2026-02-20");
    let lost = deal(&mut t, "Lost one", &globex, 20_000, "2026-02-25");
    let open_march = deal(&mut t, "Open March", &acme, 50_000, "2026-03-15");
    let _open_feb = deal(&mut t, "Open Feb", &globex, 10_000, "2026-02-27");
    t.store
        .move_deal_stage(
            &admin,
            won.id,
            &MoveDealStage {
                stage_id: stages[1].0,
                notes: None,
                update_probability: true,
            },
        )
        .expect("moves");
    t.store
        .win_deal(
            &admin,
            won.id,
            &WinDeal {
                closed_date: "2026-02-10".parse().ok(),
                ..WinDeal::default()
            },
        )
        .expect("wins");
    t.store
        .lose_deal(
            &admin,
            lost.id,
            &LoseDeal {
                closed_date: "2026-02-12".parse().ok(),
                lost_reason: LostReason::Price,
                lost_to_competitor: Some("Initrode".into()),
                notes: None,
            },
        )
        .expect("loses");
    t.store
        .move_deal_stage(
            &admin,
            open_march.id,
            &MoveDealStage {
                stage_id: stages[2].0,
                notes: None,
                update_probability: true,
            },
        )
        .expect("moves");
    for (name, source, status, score) in [
        ("A", "Web", "NEW", 80),
        ("B", "Web", "CONVERTED", 60),
        ("C", "Referral", "QUALIFIED", 40),
    ] {
        let _: Lead = t.create(
            json!({"name": name, "source": source, "status": status, "scoreOverride": score}),
        );
    }
    let task: Activity =
        t.create(json!({"type": "TASK", "subject": "Overdue", "dueDate": "2026-02-02"}));
    let _: Activity =
        t.create(json!({"type": "CALL", "subject": "Later", "dueDate": "2026-02-20"}));
    t.store
        .complete_activity(&admin, task.id, &CompleteActivity::default())
        .expect("completes");

    // "Today" is inside the period; records were created now, so count them via a range that holds today.
    let today = chrono::Utc::now().date_naive();
    let this_month = DateRange {
        from: today - chrono::Duration::days(3),
        to: today,
    };
    let stats = t.store.dashboard_stats(this_month, today).expect("stats");
    let json = serde_json::to_value(&stats).expect("serializes");
    assert_eq!(
        json["customers"],
        json!({"total": 2, "active": 1, "newThisMonth": 2})
    );
    assert_eq!(
        json["leads"],
        json!({"total": 3, "new": 1, "qualified": 1, "converted": 1})
    );
    assert_eq!(json["deals"]["open"], 2);
    assert_eq!(json["deals"]["value"], 60000);
    assert_eq!(json["activities"]["pending"], 1);
    assert_eq!(json["activities"]["completedToday"], 1);
    assert!((stats.conversion_rate - 33.3).abs() < 0.01);
    assert_eq!(
        stats
            .previous
            .as_ref()
            .map(|previous| previous.customers.new_this_month),
        Some(0)
    );

    let won_lost = t.store.won_lost(february()).expect("won/lost");
    assert_eq!(
        (won_lost.won, won_lost.lost, won_lost.win_rate),
        (1, 1, 50.0)
    );
    assert_eq!(won_lost.lost_reasons[0].0, "Price");
    assert_eq!(won_lost.competitors, vec![("Initrode".to_owned(), 1)]);

    let forecast = t.store.deal_forecast(february()).expect("forecast");
    assert_eq!(
        forecast
            .by_month
            .iter()
            .map(|row| row.label.as_str())
            .collect::<Vec<_>>(),
        ["2026-02"]
    );
    assert_eq!(
        forecast.by_stage.iter().map(|row| row.deals).sum::<u64>(),
        2
    );

    let everything = DateRange {
        from: today - chrono::Duration::days(1),
        to: today + chrono::Duration::days(1),
    };
    let funnel = t
        .store
        .sales_funnel(pipeline.id, everything)
        .expect("funnel");
    assert_eq!(funnel.len(), stages.len());
    assert_eq!(funnel[1].entered, 1, "one deal entered Qualification");
    assert_eq!(
        funnel[1].conversion_to_next, 100.0,
        "and went on to Closed Won"
    );

    let sources = t.store.lead_sources(everything).expect("sources");
    assert_eq!(
        (
            sources[0].source.as_str(),
            sources[0].leads,
            sources[0].conversion_rate
        ),
        ("Web", 2, 50.0)
    );

    let summary = t.store.activity_summary(february()).expect("summary");
    assert_eq!(
        (summary.total, summary.completed, summary.completion_rate),
        (2, 1, 50.0)
    );

    let segments = t
        .store
        .revenue_by_segment(Segment::CompanySize, february())
        .expect("segments");
    assert_eq!(
        segments
            .iter()
            .map(|row| (row.segment.as_str(), row.won_value.to_string()))
            .collect::<Vec<_>>(),
        [("ENTERPRISE", "100000.00".to_owned())]
    );
    let top = t.store.top_customers(february(), 5).expect("top");
    assert_eq!(
        top.iter()
            .map(|row| row.customer.name.as_str())
            .collect::<Vec<_>>(),
        ["Acme"]
    );
    let hot = t.store.hot_leads(10).expect("hot");
    assert_eq!(
        hot.iter()
            .map(|lead| lead.name.as_str())
            .collect::<Vec<_>>(),
        ["A"]
    );
}
