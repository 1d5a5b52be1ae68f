//! The live channel: per tenant, the latest feed position, and the WebSocket that tells a
//! device whenever it moves (`{"cursor": N}`), so the device pulls right away instead of
//! polling.
//!
//! A `tokio::sync::watch` per tenant rather than a broadcast: a device only needs the latest
//! position, so a slow socket skips intermediate values instead of lagging or buffering them.
//! Senders exist only while some device of the tenant listens.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use axum::extract::ws::{Message, WebSocket};
use crm_model::TenantId;
use crm_protocol::sync::LiveMessage;
use tokio::sync::watch;

use crate::auth::Principal;

#[derive(Default)]
pub(crate) struct Live {
    tenants: Mutex<HashMap<TenantId, watch::Sender<u64>>>,
    connected: AtomicU64,
}

impl Live {
    /// The tenant's feed now ends at `head` (or later). Cheap when nobody listens.
    pub(crate) fn announce(&self, tenant: TenantId, head: u64) {
        let tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = tenants.get(&tenant) {
            raise(sender, head);
        }
    }

    /// A receiver of the tenant's feed position, starting at `head` or later.
    pub(crate) fn subscribe(&self, tenant: TenantId, head: u64) -> watch::Receiver<u64> {
        let mut tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
        let sender = tenants
            .entry(tenant)
            .or_insert_with(|| watch::channel(head).0);
        raise(sender, head);
        sender.subscribe()
    }

    /// Devices connected to the live channel right now.
    pub(crate) fn connected(&self) -> u64 {
        self.connected.load(Ordering::Relaxed)
    }

    fn unsubscribe(&self, tenant: TenantId, receiver: watch::Receiver<u64>) {
        drop(receiver);
        let mut tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
        if tenants
            .get(&tenant)
            .is_some_and(|sender| sender.receiver_count() == 0)
        {
            tenants.remove(&tenant);
        }
    }

    /// Serves one device's socket until it closes.
    pub(crate) async fn serve(
        &self,
        principal: Principal,
        mut socket: WebSocket,
        mut receiver: watch::Receiver<u64>,
    ) {
        self.connected.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(tenant = %principal.tenant, device = %principal.device, "live channel open");
        let mut cursor = *receiver.borrow_and_update();
        loop {
            let message = LiveMessage { cursor };
            let text = match serde_json::to_string(&message) {
                Ok(text) => text,
                Err(error) => {
                    tracing::error!(%error, "cannot encode a live message");
                    break;
                }
            };
            if socket.send(Message::Text(text.into())).await.is_err() {
                break;
            }
            let moved = tokio::select! {
                changed = receiver.changed() => changed.is_ok(),
                () = closed(&mut socket) => false,
            };
            if !moved {
                break;
            }
            cursor = *receiver.borrow_and_update();
        }
        self.unsubscribe(principal.tenant, receiver);
        self.connected.fetch_sub(1, Ordering::Relaxed);
        tracing::debug!(tenant = %principal.tenant, device = %principal.device, "live channel closed");
    }
}

fn raise(sender: &watch::Sender<u64>, head: u64) {
    sender.send_if_modified(|cursor| {
        let moved = head > *cursor;
        if moved {
            *cursor = head;
        }
        moved
    });
}

/// Completes when the device closes the socket (or it breaks); other messages are ignored
/// (pings are answered by axum).
async fn closed(socket: &mut WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        if matches!(message, Message::Close(_)) {
            return;
        }
    }
}
