//! One thin Tauri command per `crm_protocol::ipc` command, named by its `Command::NAME`: lock the
//! store, call the core, map the error. Nothing else belongs here.
//!
//! The commands are `async` so Tauri runs them off the main thread (a synchronous command would
//! block the window's event loop while SQLite works).

use std::sync::{Mutex, MutexGuard};

use crm_core::Store;
use crm_core::demo::{DemoOptions, DemoSize};
use crm_model::{Activity, Communication, Contact, CustomerNote, Deal, Lead};
use crm_protocol::ipc::*;
use tauri::State;

type Request<C> = <C as Command>::Request;
type Response<C> = Result<<C as Command>::Response, IpcError>;
type Shared<'a> = State<'a, Mutex<Store>>;

#[tauri::command]
pub(crate) async fn create_customer(
    store: Shared<'_>,
    request: Request<CreateCustomer>,
) -> Response<CreateCustomer> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.create_customer(&actor, request)?)
}

#[tauri::command]
pub(crate) async fn update_customer(
    store: Shared<'_>,
    request: Request<UpdateCustomer>,
) -> Response<UpdateCustomer> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.update_customer(&actor, request.id, request.patch)?)
}

#[tauri::command]
pub(crate) async fn list_customers(
    store: Shared<'_>,
    request: Request<ListCustomers>,
) -> Response<ListCustomers> {
    Ok(lock(&store)?.list_customers(&request)?)
}

#[tauri::command]
pub(crate) async fn get_customer(
    store: Shared<'_>,
    request: Request<GetCustomer>,
) -> Response<GetCustomer> {
    Ok(lock(&store)?.get_customer(request)?)
}

#[tauri::command]
pub(crate) async fn get_customer_360(
    store: Shared<'_>,
    request: Request<GetCustomer360>,
) -> Response<GetCustomer360> {
    let include = if request.include.is_empty() {
        Include::ALL
    } else {
        &request.include
    };
    Ok(lock(&store)?.customer_360(request.id, include)?)
}

#[tauri::command]
pub(crate) async fn get_customer_timeline(
    store: Shared<'_>,
    request: Request<GetCustomerTimeline>,
) -> Response<GetCustomerTimeline> {
    Ok(lock(&store)?.customer_timeline(request.id, request.limit as usize)?)
}

#[tauri::command]
pub(crate) async fn list_contacts(
    store: Shared<'_>,
    request: Request<ListContacts>,
) -> Response<ListContacts> {
    Ok(lock(&store)?.list_contacts(&request)?)
}

#[tauri::command]
pub(crate) async fn get_contact(
    store: Shared<'_>,
    request: Request<GetContact>,
) -> Response<GetContact> {
    Ok(lock(&store)?.get::<Contact>(request)?)
}

#[tauri::command]
pub(crate) async fn create_contact(
    store: Shared<'_>,
    request: Request<CreateContact>,
) -> Response<CreateContact> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.create::<Contact>(&actor, &request)?)
}

#[tauri::command]
pub(crate) async fn update_contact(
    store: Shared<'_>,
    request: Request<UpdateContact>,
) -> Response<UpdateContact> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.update::<Contact>(&actor, request.id, &request.patch)?)
}

#[tauri::command]
pub(crate) async fn set_primary_contact(
    store: Shared<'_>,
    request: Request<SetPrimaryContact>,
) -> Response<SetPrimaryContact> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.set_primary_contact(&actor, request)?)
}

#[tauri::command]
pub(crate) async fn list_leads(
    store: Shared<'_>,
    request: Request<ListLeads>,
) -> Response<ListLeads> {
    Ok(lock(&store)?.list_leads(&request)?)
}

#[tauri::command]
pub(crate) async fn get_lead(store: Shared<'_>, request: Request<GetLead>) -> Response<GetLead> {
    Ok(lock(&store)?.get::<Lead>(request)?)
}

#[tauri::command]
pub(crate) async fn create_lead(
    store: Shared<'_>,
    request: Request<CreateLead>,
) -> Response<CreateLead> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.create::<Lead>(&actor, &request)?)
}

#[tauri::command]
pub(crate) async fn update_lead(
    store: Shared<'_>,
    request: Request<UpdateLead>,
) -> Response<UpdateLead> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.update::<Lead>(&actor, request.id, &request.patch)?)
}

#[tauri::command]
pub(crate) async fn get_conversion_duplicates(
    store: Shared<'_>,
    request: Request<GetConversionDuplicates>,
) -> Response<GetConversionDuplicates> {
    Ok(lock(&store)?.conversion_duplicates(request)?)
}

#[tauri::command]
pub(crate) async fn convert_lead(
    store: Shared<'_>,
    request: Request<ConvertLead>,
) -> Response<ConvertLead> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.convert_lead(&actor, request.id, &request.body)?)
}

#[tauri::command]
pub(crate) async fn disqualify_lead(
    store: Shared<'_>,
    request: Request<DisqualifyLead>,
) -> Response<DisqualifyLead> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.disqualify_lead(&actor, request.id, &request.reason)?)
}

#[tauri::command]
pub(crate) async fn list_deals(
    store: Shared<'_>,
    request: Request<ListDeals>,
) -> Response<ListDeals> {
    Ok(lock(&store)?.list_deals(&request)?)
}

#[tauri::command]
pub(crate) async fn get_deal(store: Shared<'_>, request: Request<GetDeal>) -> Response<GetDeal> {
    Ok(lock(&store)?.get::<Deal>(request)?)
}

#[tauri::command]
pub(crate) async fn create_deal(
    store: Shared<'_>,
    request: Request<CreateDeal>,
) -> Response<CreateDeal> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.create::<Deal>(&actor, &request)?)
}

#[tauri::command]
pub(crate) async fn update_deal(
    store: Shared<'_>,
    request: Request<UpdateDeal>,
) -> Response<UpdateDeal> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.update::<Deal>(&actor, request.id, &request.patch)?)
}

#[tauri::command]
pub(crate) async fn move_deal_stage(
    store: Shared<'_>,
    request: Request<MoveDealStage>,
) -> Response<MoveDealStage> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.move_deal_stage(&actor, request.id, &request.body)?)
}

#[tauri::command]
pub(crate) async fn win_deal(store: Shared<'_>, request: Request<WinDeal>) -> Response<WinDeal> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.win_deal(&actor, request.id, &request.body)?)
}

#[tauri::command]
pub(crate) async fn lose_deal(store: Shared<'_>, request: Request<LoseDeal>) -> Response<LoseDeal> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.lose_deal(&actor, request.id, &request.body)?)
}

#[tauri::command]
pub(crate) async fn list_pipelines(
    store: Shared<'_>,
    request: Request<ListPipelines>,
) -> Response<ListPipelines> {
    let () = request;
    Ok(lock(&store)?.list_pipelines()?)
}

#[tauri::command]
pub(crate) async fn list_communications(
    store: Shared<'_>,
    request: Request<ListCommunications>,
) -> Response<ListCommunications> {
    Ok(lock(&store)?.list_communications(&request)?)
}

#[tauri::command]
pub(crate) async fn create_communication(
    store: Shared<'_>,
    request: Request<CreateCommunication>,
) -> Response<CreateCommunication> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.create::<Communication>(&actor, &request)?)
}

#[tauri::command]
pub(crate) async fn list_activities(
    store: Shared<'_>,
    request: Request<ListActivities>,
) -> Response<ListActivities> {
    Ok(lock(&store)?.list_activities(&request.query, request.today)?)
}

#[tauri::command]
pub(crate) async fn get_activity(
    store: Shared<'_>,
    request: Request<GetActivity>,
) -> Response<GetActivity> {
    Ok(lock(&store)?.get::<Activity>(request)?)
}

#[tauri::command]
pub(crate) async fn create_activity(
    store: Shared<'_>,
    request: Request<CreateActivity>,
) -> Response<CreateActivity> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.create::<Activity>(&actor, &request)?)
}

#[tauri::command]
pub(crate) async fn update_activity(
    store: Shared<'_>,
    request: Request<UpdateActivity>,
) -> Response<UpdateActivity> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.update::<Activity>(&actor, request.id, &request.patch)?)
}

#[tauri::command]
pub(crate) async fn get_activity_groups(
    store: Shared<'_>,
    request: Request<GetActivityGroups>,
) -> Response<GetActivityGroups> {
    let scope = match request.scope {
        ActivityScope::Mine => crm_core::ActivityScope::Mine,
        ActivityScope::Team => crm_core::ActivityScope::Team,
        ActivityScope::All => crm_core::ActivityScope::All,
    };
    let store = lock(&store)?;
    let user = store.actor().user_id;
    Ok(store.activity_groups(scope, user, request.today)?)
}

#[tauri::command]
pub(crate) async fn complete_activity(
    store: Shared<'_>,
    request: Request<CompleteActivity>,
) -> Response<CompleteActivity> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.complete_activity(&actor, request.id, &request.body)?)
}

#[tauri::command]
pub(crate) async fn reschedule_activity(
    store: Shared<'_>,
    request: Request<RescheduleActivity>,
) -> Response<RescheduleActivity> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.reschedule_activity(&actor, request.id, &request.body)?)
}

#[tauri::command]
pub(crate) async fn create_note(
    store: Shared<'_>,
    request: Request<CreateNote>,
) -> Response<CreateNote> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.create::<CustomerNote>(&actor, &request)?)
}

#[tauri::command]
pub(crate) async fn delete_record(
    store: Shared<'_>,
    request: Request<DeleteRecord>,
) -> Response<DeleteRecord> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.delete_record(&actor, request.kind, request.id)?)
}

#[tauri::command]
pub(crate) async fn restore_record(
    store: Shared<'_>,
    request: Request<RestoreRecord>,
) -> Response<RestoreRecord> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.restore_record(&actor, request.kind, request.id)?)
}

#[tauri::command]
pub(crate) async fn list_trash(
    store: Shared<'_>,
    request: Request<ListTrash>,
) -> Response<ListTrash> {
    let () = request;
    let items = lock(&store)?.list_trash()?;
    Ok(items
        .into_iter()
        .map(|item| TrashEntry {
            kind: item.kind,
            id: item.id,
            title: item.title,
            deleted_at: item.deleted_at,
        })
        .collect())
}

#[tauri::command]
pub(crate) async fn get_record_history(
    store: Shared<'_>,
    request: Request<GetRecordHistory>,
) -> Response<GetRecordHistory> {
    Ok(lock(&store)?.record_history(request.kind, request.id)?)
}

#[tauri::command]
pub(crate) async fn search(store: Shared<'_>, request: Request<Search>) -> Response<Search> {
    Ok(lock(&store)?.search(&request.text, &request.kinds, request.limit as usize)?)
}

#[tauri::command]
pub(crate) async fn get_dashboard_stats(
    store: Shared<'_>,
    request: Request<GetDashboardStats>,
) -> Response<GetDashboardStats> {
    Ok(lock(&store)?.dashboard_stats(request.range, request.today)?)
}

#[tauri::command]
pub(crate) async fn get_sales_funnel(
    store: Shared<'_>,
    request: Request<GetSalesFunnel>,
) -> Response<GetSalesFunnel> {
    let store = lock(&store)?;
    let pipeline = match request.pipeline_id {
        Some(pipeline) => pipeline,
        None => store.default_pipeline()?.id,
    };
    Ok(store.sales_funnel(pipeline, request.range)?)
}

#[tauri::command]
pub(crate) async fn get_deal_forecast(
    store: Shared<'_>,
    request: Request<GetDealForecast>,
) -> Response<GetDealForecast> {
    Ok(lock(&store)?.deal_forecast(request)?)
}

#[tauri::command]
pub(crate) async fn get_top_customers(
    store: Shared<'_>,
    request: Request<GetTopCustomers>,
) -> Response<GetTopCustomers> {
    Ok(lock(&store)?.top_customers(request.range, request.limit as usize)?)
}

#[tauri::command]
pub(crate) async fn get_hot_leads(
    store: Shared<'_>,
    request: Request<GetHotLeads>,
) -> Response<GetHotLeads> {
    Ok(lock(&store)?.hot_leads(request as usize)?)
}

#[tauri::command]
pub(crate) async fn get_settings(
    store: Shared<'_>,
    request: Request<GetSettings>,
) -> Response<GetSettings> {
    let () = request;
    Ok(lock(&store)?.settings()?)
}

#[tauri::command]
pub(crate) async fn load_demo_data(
    store: Shared<'_>,
    request: Request<LoadDemoData>,
) -> Response<LoadDemoData> {
    let () = request;
    // A new seed each time: the generated ids come from it, so a second load adds a second
    // tenant's worth of records instead of colliding with the first.
    let seed = chrono::Utc::now().timestamp_micros().unsigned_abs();
    let mut store = lock(&store)?;
    let written =
        crm_core::demo::generate(&mut store, &DemoSize::small(), &DemoOptions::new(seed))?;
    Ok(DemoLoaded {
        records: written as u64,
    })
}

/// No sync server is configured from the app yet (sign-in is a settings page still to come), so
/// the indicator shows what waits locally: pending changes, open conflicts and refusals.
#[tauri::command]
pub(crate) async fn get_sync_state(
    store: Shared<'_>,
    request: Request<GetSyncState>,
) -> Response<GetSyncState> {
    let () = request;
    let store = lock(&store)?;
    Ok(SyncState {
        signed_in: false,
        pending_changes: store.pending_changes()?,
        open_conflicts: store.open_conflicts()?,
        refusals: store.list_refusals()?.len() as u64,
        ..SyncState::default()
    })
}

/// A poisoned lock means an earlier command panicked mid-write; SQLite rolled that transaction
/// back, but the app should be restarted rather than trusted.
fn lock<'a>(store: &'a Shared<'_>) -> Result<MutexGuard<'a, Store>, IpcError> {
    store.lock().map_err(|_| {
        IpcError::new(
            ErrorKind::Internal,
            "The local store failed earlier; please restart the app.",
        )
    })
}
