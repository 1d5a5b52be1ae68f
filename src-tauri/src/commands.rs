//! One thin Tauri command per `crm_protocol::ipc` command, named by its `Command::NAME`: lock the
//! store, call the core, map the error. Nothing else belongs here.
//!
//! The commands are `async` so Tauri runs them off the main thread (a synchronous command would
//! block the window's event loop while SQLite works). Every write wakes the sync engine, so the
//! change is pushed within moments when online.

use std::sync::{Arc, Mutex, MutexGuard};

use crm_core::Store;
use crm_core::demo::{DemoOptions, DemoSize};
use crm_model::{
    Activity, Communication, Contact, CustomerNote, Deal, FieldError, Lead, Pipeline, Rule,
    ValidationErrors,
};
use crm_protocol::ipc::*;
use tauri::{AppHandle, Emitter as _, Manager as _, State};
use tauri_plugin_dialog::DialogExt as _;

use crate::files;
use crate::sync::SyncService;

type Request<C> = <C as Command>::Request;
type Response<C> = Result<<C as Command>::Response, IpcError>;
type Shared<'a> = State<'a, Arc<Mutex<Store>>>;
type Syncing<'a> = State<'a, SyncService>;

#[tauri::command]
pub(crate) async fn create_customer(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<CreateCustomer>,
) -> Response<CreateCustomer> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.create_customer(&actor, request)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn update_customer(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<UpdateCustomer>,
) -> Response<UpdateCustomer> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.update_customer(&actor, request.id, request.patch)?;
    sync.local_change();
    Ok(written)
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
    sync: Syncing<'_>,
    request: Request<CreateContact>,
) -> Response<CreateContact> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.create::<Contact>(&actor, &request)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn update_contact(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<UpdateContact>,
) -> Response<UpdateContact> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.update::<Contact>(&actor, request.id, &request.patch)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn set_primary_contact(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<SetPrimaryContact>,
) -> Response<SetPrimaryContact> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.set_primary_contact(&actor, request)?;
    sync.local_change();
    Ok(written)
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
    sync: Syncing<'_>,
    request: Request<CreateLead>,
) -> Response<CreateLead> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.create::<Lead>(&actor, &request)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn update_lead(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<UpdateLead>,
) -> Response<UpdateLead> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.update::<Lead>(&actor, request.id, &request.patch)?;
    sync.local_change();
    Ok(written)
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
    sync: Syncing<'_>,
    request: Request<ConvertLead>,
) -> Response<ConvertLead> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.convert_lead(&actor, request.id, &request.body)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn disqualify_lead(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<DisqualifyLead>,
) -> Response<DisqualifyLead> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.disqualify_lead(&actor, request.id, &request.reason)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn get_pipeline_board(
    store: Shared<'_>,
    request: Request<GetPipelineBoard>,
) -> Response<GetPipelineBoard> {
    Ok(lock(&store)?.pipeline_board(&request)?)
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
pub(crate) async fn get_deal_view(
    store: Shared<'_>,
    request: Request<GetDealView>,
) -> Response<GetDealView> {
    Ok(lock(&store)?.deal_view(request)?)
}

#[tauri::command]
pub(crate) async fn create_deal(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<CreateDeal>,
) -> Response<CreateDeal> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.create::<Deal>(&actor, &request)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn update_deal(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<UpdateDeal>,
) -> Response<UpdateDeal> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.update::<Deal>(&actor, request.id, &request.patch)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn move_deal_stage(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<MoveDealStage>,
) -> Response<MoveDealStage> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.move_deal_stage(&actor, request.id, &request.body)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn win_deal(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<WinDeal>,
) -> Response<WinDeal> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.win_deal(&actor, request.id, &request.body)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn lose_deal(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<LoseDeal>,
) -> Response<LoseDeal> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.lose_deal(&actor, request.id, &request.body)?;
    sync.local_change();
    Ok(written)
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
pub(crate) async fn create_pipeline(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<CreatePipeline>,
) -> Response<CreatePipeline> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.create::<Pipeline>(&actor, &request)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn update_pipeline(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<UpdatePipeline>,
) -> Response<UpdatePipeline> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.update_pipeline(&actor, request.id, &request.patch)?;
    sync.local_change();
    Ok(written)
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
    sync: Syncing<'_>,
    request: Request<CreateCommunication>,
) -> Response<CreateCommunication> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.create::<Communication>(&actor, &request)?;
    sync.local_change();
    Ok(written)
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
    sync: Syncing<'_>,
    request: Request<CreateActivity>,
) -> Response<CreateActivity> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.create::<Activity>(&actor, &request)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn update_activity(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<UpdateActivity>,
) -> Response<UpdateActivity> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.update::<Activity>(&actor, request.id, &request.patch)?;
    sync.local_change();
    Ok(written)
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
    let limit = request
        .limit
        .map(|limit| usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(store.activity_groups_limited(scope, user, request.today, limit)?)
}

#[tauri::command]
pub(crate) async fn complete_activity(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<CompleteActivity>,
) -> Response<CompleteActivity> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.complete_activity(&actor, request.id, &request.body)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn reschedule_activity(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<RescheduleActivity>,
) -> Response<RescheduleActivity> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.reschedule_activity(&actor, request.id, &request.body)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn create_note(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<CreateNote>,
) -> Response<CreateNote> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.create::<CustomerNote>(&actor, &request)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn delete_record(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<DeleteRecord>,
) -> Response<DeleteRecord> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    store.delete_record(&actor, request.kind, request.id)?;
    sync.local_change();
    Ok(())
}

#[tauri::command]
pub(crate) async fn restore_record(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<RestoreRecord>,
) -> Response<RestoreRecord> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    store.restore_record(&actor, request.kind, request.id)?;
    sync.local_change();
    Ok(())
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
    sync: Syncing<'_>,
    request: Request<LoadDemoData>,
) -> Response<LoadDemoData> {
    let () = request;
    // A new seed each time: the generated ids come from it, so a second load adds a second
    // tenant's worth of records instead of colliding with the first.
    let seed = chrono::Utc::now().timestamp_micros().unsigned_abs();
    let mut store = lock(&store)?;
    let written =
        crm_core::demo::generate(&mut store, &DemoSize::small(), &DemoOptions::new(seed))?;
    sync.local_change();
    Ok(DemoLoaded {
        records: written as u64,
    })
}

#[tauri::command]
pub(crate) async fn get_sync_state(
    sync: Syncing<'_>,
    request: Request<GetSyncState>,
) -> Response<GetSyncState> {
    let () = request;
    Ok(sync.state()?)
}

#[tauri::command]
pub(crate) async fn sign_in(sync: Syncing<'_>, request: Request<SignIn>) -> Response<SignIn> {
    Ok(sync.sign_in(request).await?)
}

#[tauri::command]
pub(crate) async fn sign_out(sync: Syncing<'_>, request: Request<SignOut>) -> Response<SignOut> {
    let () = request;
    Ok(sync.sign_out().await?)
}

#[tauri::command]
pub(crate) async fn sync_now(sync: Syncing<'_>, request: Request<SyncNow>) -> Response<SyncNow> {
    let () = request;
    Ok(sync.sync_now()?)
}

#[tauri::command]
pub(crate) async fn download_attachments(
    sync: Syncing<'_>,
    request: Request<DownloadAttachments>,
) -> Response<DownloadAttachments> {
    let () = request;
    Ok(sync.download_attachments().await?)
}

#[tauri::command]
pub(crate) async fn list_refusals(
    store: Shared<'_>,
    request: Request<ListRefusals>,
) -> Response<ListRefusals> {
    let () = request;
    Ok(lock(&store)?.list_refusals()?)
}

#[tauri::command]
pub(crate) async fn dismiss_refusal(
    store: Shared<'_>,
    request: Request<DismissRefusal>,
) -> Response<DismissRefusal> {
    Ok(lock(&store)?.dismiss_refusal(request)?)
}

#[tauri::command]
pub(crate) async fn list_conflicts(
    store: Shared<'_>,
    request: Request<ListConflicts>,
) -> Response<ListConflicts> {
    let () = request;
    Ok(lock(&store)?.list_conflicts()?)
}

#[tauri::command]
pub(crate) async fn resolve_conflict(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<ResolveConflict>,
) -> Response<ResolveConflict> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    store.resolve_conflict(&actor, request.record_id, &request.field, request.value)?;
    sync.local_change();
    Ok(())
}

#[tauri::command]
pub(crate) async fn list_users(
    store: Shared<'_>,
    request: Request<ListUsers>,
) -> Response<ListUsers> {
    let () = request;
    Ok(lock(&store)?.list_users()?)
}

#[tauri::command]
pub(crate) async fn list_tags(store: Shared<'_>, request: Request<ListTags>) -> Response<ListTags> {
    let () = request;
    Ok(lock(&store)?.list_tags()?)
}

#[tauri::command]
pub(crate) async fn create_tag(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<CreateTag>,
) -> Response<CreateTag> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let written = store.create::<crm_model::Tag>(&actor, &request)?;
    sync.local_change();
    Ok(written)
}

#[tauri::command]
pub(crate) async fn save_settings(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<SaveSettings>,
) -> Response<SaveSettings> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let saved = store.save_settings(&actor, request)?;
    sync.local_change();
    Ok(saved)
}

#[tauri::command]
pub(crate) async fn get_won_lost(
    store: Shared<'_>,
    request: Request<GetWonLost>,
) -> Response<GetWonLost> {
    Ok(lock(&store)?.won_lost(request)?)
}

#[tauri::command]
pub(crate) async fn get_lead_sources(
    store: Shared<'_>,
    request: Request<GetLeadSources>,
) -> Response<GetLeadSources> {
    Ok(lock(&store)?.lead_sources(request)?)
}

#[tauri::command]
pub(crate) async fn get_activity_summary(
    store: Shared<'_>,
    request: Request<GetActivitySummary>,
) -> Response<GetActivitySummary> {
    Ok(lock(&store)?.activity_summary(request)?)
}

#[tauri::command]
pub(crate) async fn get_revenue_by_segment(
    store: Shared<'_>,
    request: Request<GetRevenueBySegment>,
) -> Response<GetRevenueBySegment> {
    Ok(lock(&store)?.revenue_by_segment(request.segment, request.range)?)
}

#[tauri::command]
pub(crate) async fn attach_file(
    app: AppHandle,
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<AttachFile>,
) -> Response<AttachFile> {
    let path = match request.path {
        Some(path) => std::path::PathBuf::from(path.trim()),
        None => {
            let picked = app
                .dialog()
                .file()
                .set_title("Attach a file")
                .blocking_pick_file()
                .and_then(|path| path.into_path().ok());
            match picked {
                Some(path) => path,
                None => return Ok(None),
            }
        }
    };
    let bytes = std::fs::read(&path).map_err(|error| unreadable_file(&error))?;
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut links = crm_model::FieldMap::new();
    if let Some(customer) = request.customer_id {
        links.insert("customerId".into(), customer.to_string().into());
    }
    if let Some(deal) = request.deal_id {
        links.insert("dealId".into(), deal.to_string().into());
    }
    let mut store = lock(&store)?;
    let actor = store.actor();
    let attachment =
        store.attach_file(&actor, &file_name, files::mime_type(&path), &bytes, &links)?;
    sync.local_change();
    Ok(Some(attachment))
}

#[tauri::command]
pub(crate) async fn open_attachment(
    app: AppHandle,
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<OpenAttachment>,
) -> Response<OpenAttachment> {
    let attachment: crm_model::Attachment = lock(&store)?.get(request)?;
    let bytes = sync.blob(&attachment.sha256).await?;
    let directory = app
        .path()
        .app_cache_dir()
        .map_err(|error| {
            tracing::warn!(%error, "no cache directory for opened attachments");
            IpcError::new(
                ErrorKind::Internal,
                "The app has no folder to open files from.",
            )
        })?
        .join("opened")
        .join(&attachment.sha256);
    let path = files::viewer_copy(&directory, &attachment.file_name, &bytes).map_err(|error| {
        tracing::warn!(%error, directory = %directory.display(), "could not write an attachment to open");
        IpcError::new(
            ErrorKind::Unavailable,
            format!("{} could not be written: {error}", attachment.file_name),
        )
    })?;
    open::that_detached(&path).map_err(|error| {
        tracing::warn!(%error, path = %path.display(), "the system viewer did not start");
        IpcError::new(
            ErrorKind::Unavailable,
            format!(
                "No application could open {}: {error}",
                attachment.file_name
            ),
        )
    })
}

fn unreadable_file(error: &std::io::Error) -> IpcError {
    IpcError::from(ValidationErrors(vec![FieldError {
        field: "path".into(),
        rule: Rule::Invalid {
            expected: format!("a file this app can read ({error})"),
        },
    }]))
}

#[tauri::command]
pub(crate) async fn pick_import_file(
    app: AppHandle,
    request: Request<PickImportFile>,
) -> Response<PickImportFile> {
    let () = request;
    let picked = app
        .dialog()
        .file()
        .set_title("Import a CSV file")
        .add_filter("CSV files", &["csv", "txt"])
        .blocking_pick_file();
    Ok(picked
        .and_then(|path| path.into_path().ok())
        .map(|path| path.display().to_string()))
}

#[tauri::command]
pub(crate) async fn import_csv(
    app: AppHandle,
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<ImportCsv>,
) -> Response<ImportCsv> {
    let bytes = std::fs::read(request.path.trim()).map_err(|error| unreadable_file(&error))?;
    let mut store = lock(&store)?;
    let actor = store.actor();
    let report = store.import_csv(&actor, &bytes, &request.options, &mut |progress| {
        if let Err(error) = app.emit(ImportProgressed::NAME, progress) {
            tracing::warn!(%error, "could not send the import's progress to the window");
        }
    })?;
    if report.import_id.is_some() {
        sync.local_change();
    }
    Ok(report)
}

#[tauri::command]
pub(crate) async fn revert_import(
    store: Shared<'_>,
    sync: Syncing<'_>,
    request: Request<RevertImport>,
) -> Response<RevertImport> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    let reverted = store.revert_import(&actor, &request)?;
    sync.local_change();
    Ok(reverted)
}

#[tauri::command]
pub(crate) async fn export_records(
    app: AppHandle,
    store: Shared<'_>,
    request: Request<ExportRecords>,
) -> Response<ExportRecords> {
    let csv = lock(&store)?.export_csv(&request.query, request.today)?;
    save_with_dialog(&app, request.query.file_name(), &csv)
}

#[tauri::command]
pub(crate) async fn save_csv(app: AppHandle, request: Request<SaveCsv>) -> Response<SaveCsv> {
    save_with_dialog(&app, &request.file_name, &request.table.to_csv())
}

/// Asks where to save with the system's dialog and writes `contents` there; `None` when the
/// user cancelled.
fn save_with_dialog(
    app: &AppHandle,
    file_name: &str,
    contents: &str,
) -> Result<Option<String>, IpcError> {
    let Some(path) = app
        .dialog()
        .file()
        .set_file_name(file_name)
        .add_filter("CSV files", &["csv"])
        .blocking_save_file()
        .and_then(|path| path.into_path().ok())
    else {
        return Ok(None);
    };
    std::fs::write(&path, contents).map_err(|error| {
        tracing::warn!(path = %path.display(), %error, "could not write an export");
        IpcError::new(
            ErrorKind::Unavailable,
            format!("{} could not be written: {error}", path.display()),
        )
    })?;
    Ok(Some(path.display().to_string()))
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
