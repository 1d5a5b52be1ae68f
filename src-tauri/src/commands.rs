//! One thin Tauri command per `crm_protocol::ipc` command, named by its `Command::NAME`: lock the
//! store, call the core, map the error. Nothing else belongs here.
//!
//! The commands are `async` so Tauri runs them off the main thread (a synchronous command would
//! block the window's event loop while SQLite works).

use std::sync::{Mutex, MutexGuard};

use crm_core::Store;
use crm_protocol::ipc::{
    Command, CreateCustomer, ErrorKind, IpcError, ListCustomers, UpdateCustomer,
};
use tauri::State;

type Request<C> = <C as Command>::Request;
type Response<C> = Result<<C as Command>::Response, IpcError>;

#[tauri::command]
pub(crate) async fn create_customer(
    store: State<'_, Mutex<Store>>,
    request: Request<CreateCustomer>,
) -> Response<CreateCustomer> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.create_customer(&actor, request)?)
}

#[tauri::command]
pub(crate) async fn update_customer(
    store: State<'_, Mutex<Store>>,
    request: Request<UpdateCustomer>,
) -> Response<UpdateCustomer> {
    let mut store = lock(&store)?;
    let actor = store.actor();
    Ok(store.update_customer(&actor, request.id, request.patch)?)
}

#[tauri::command]
pub(crate) async fn list_customers(
    store: State<'_, Mutex<Store>>,
    request: Request<ListCustomers>,
) -> Response<ListCustomers> {
    let store = lock(&store)?;
    Ok(store.list_customers(&request)?)
}

/// A poisoned lock means an earlier command panicked mid-write; SQLite rolled that transaction
/// back, but the app should be restarted rather than trusted.
fn lock<'a>(store: &'a State<'_, Mutex<Store>>) -> Result<MutexGuard<'a, Store>, IpcError> {
    store.lock().map_err(|_| {
        IpcError::new(
            ErrorKind::Internal,
            "The local store failed earlier; please restart the app.",
        )
    })
}
