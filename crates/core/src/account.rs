//! The store's sync account: which server, tenant and user it syncs as, and what happens to a
//! store's data the first time it joins a server.
//!
//! A new profile works offline as the admin of a local, unsynced tenant. Signing in binds the
//! store to the server's tenant and user ([`Store::join_server`]). When the store holds records
//! by then, the user chooses ([`FirstSync`]): upload them into the server's tenant (records the
//! local user owned, created or was assigned become the signed-in user's), or start from the
//! server's data (the local records are dropped, and the next round bootstraps). Signing in
//! again as the same user keeps everything: pending changes stay pending.
//!
//! Every tenant has one default pipeline whose id (and its stages' ids) derive from the
//! tenant's id, so each device's copy merges into one record. On upload, the local tenant's
//! default pipeline is replaced by the server tenant's: deals on it move to the same stage of
//! the tenant's pipeline. A device seeds the tenant's pipeline only when its role may create
//! pipelines (an admin); other roles receive it from the server.
//!
//! The device token is not here: the app keeps it in the OS keyring.

use std::collections::HashMap;

use crm_model::{Actor, DeviceId, Operation, RecordKind, Role, TenantId, UserId};
use crm_protocol::sync::SignInResponse;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::error::CoreError;
use crate::materialize;
use crate::store::{Profile, Store};
use crate::sync::BOOTSTRAPPED_KEY;

/// What a store that already holds records does on its first sync with a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FirstSync {
    /// Push the local records into the server's tenant.
    UploadLocalData,
    /// Drop the local records and download the server's.
    StartFromServer,
}

/// The server account a store syncs as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerAccount {
    pub server_url: String,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub role: Role,
    /// The server's id of this device (shown in the admins' device list).
    pub device_id: DeviceId,
    pub email: String,
}

const ACCOUNT_KEY: &str = "server_account";
/// Records re-attributed per transaction when local data is uploaded.
const UPLOAD_BATCH: usize = 500;
/// Fields that name a user or the default pipeline: on upload, the local user and the local
/// default pipeline (and its stages) in them become the signed-in user and the tenant's.
const REKEYED_FIELDS: &[&str] = &[
    "pipelineId",
    "stageId",
    "ownerId",
    "accountManager",
    "assignedTo",
    "createdBy",
    "completedBy",
    "uploadedBy",
    "movedBy",
    "disqualifiedBy",
    "teamMembers",
];

impl Store {
    /// The account this store syncs as, once it joined a server.
    pub fn server_account(&self) -> Result<Option<ServerAccount>, CoreError> {
        self.sync_state_value(ACCOUNT_KEY)?
            .map(|text| {
                serde_json::from_str(&text)
                    .map_err(|error| CoreError::Corrupt(format!("server account: {error}")))
            })
            .transpose()
    }

    /// Whether joining a server as a new account would have to upload or replace records: the
    /// store holds records beyond the pipeline every new profile starts with.
    pub fn has_local_data(&self) -> Result<bool, CoreError> {
        let found: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM documents WHERE kind <> 'pipeline' OR id <> ?1 LIMIT 1",
                [crate::default_pipeline_id(self.profile().tenant_id).to_string()],
                |row| row.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }

    /// Binds the store to `account` on the server at `server_url`, after a sign-in. Signing
    /// in again as the store's user keeps everything; a new account applies `choice` to the
    /// records the store holds (see the module's documentation). The store's own device id
    /// stays the author of its changes.
    pub fn join_server(
        &mut self,
        server_url: &str,
        account: &SignInResponse,
        email: &str,
        choice: FirstSync,
    ) -> Result<(), CoreError> {
        let previous = *self.profile();
        let same_user =
            previous.tenant_id == account.tenant_id && previous.user_id == account.user_id;
        let bound_before = self.server_account()?.is_some();
        if !same_user {
            if choice == FirstSync::UploadLocalData && self.has_local_data()? {
                let keys = rekeying(&previous, account);
                self.rekey(&keys, account.user_id, account.role)?;
                self.forget_local_default_pipeline(previous.tenant_id)?;
                if bound_before {
                    // Changes the old account's server already acknowledged are not in the
                    // outbox any more: the new tenant needs every change.
                    self.enqueue_full_history()?;
                }
            } else {
                self.drop_records()?;
            }
        }
        let profile = Profile {
            device_id: previous.device_id,
            tenant_id: account.tenant_id,
            user_id: account.user_id,
            role: account.role,
        };
        let stored = ServerAccount {
            server_url: server_url.trim_end_matches('/').to_owned(),
            tenant_id: account.tenant_id,
            user_id: account.user_id,
            role: account.role,
            device_id: account.device_id,
            email: email.to_owned(),
        };
        let text = serde_json::to_string(&stored)
            .map_err(|error| CoreError::Corrupt(format!("server account: {error}")))?;
        let transaction = self.conn.transaction()?;
        transaction.execute(
            "UPDATE profile SET tenant_id = ?1, user_id = ?2, role = ?3 WHERE id = 1",
            params![
                profile.tenant_id.to_string(),
                profile.user_id.to_string(),
                profile.role.as_str()
            ],
        )?;
        transaction.execute(
            "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![ACCOUNT_KEY, text],
        )?;
        if !same_user {
            // A new account starts at the beginning of its tenant's feed, with a bootstrap.
            transaction.execute(
                "DELETE FROM sync_state WHERE key IN ('server_cursor', 'bootstrap', ?1)",
                [BOOTSTRAPPED_KEY],
            )?;
        }
        transaction.commit()?;
        self.set_profile(profile);
        let may_create_pipelines = account.role.allows(
            account.user_id,
            Operation::Create,
            RecordKind::Pipeline,
            None,
        );
        if !same_user && may_create_pipelines {
            self.seed_default_pipeline()?;
        }
        tracing::info!(tenant = %account.tenant_id, user = %account.user_id, same_user, "store joined a sync server");
        Ok(())
    }

    /// Rewrites every rekeyed field whose value `keys` maps (see [`REKEYED_FIELDS`]), through
    /// the write path (so the changes sync), in batches.
    fn rekey(
        &mut self,
        keys: &HashMap<String, String>,
        user: UserId,
        role: Role,
    ) -> Result<(), CoreError> {
        let actor = Actor {
            user_id: user,
            role,
        };
        let ids: Vec<(String, String)> = {
            let mut statement = self.conn.prepare("SELECT id, kind FROM documents")?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        for chunk in ids.chunks(UPLOAD_BATCH) {
            let mut writes = Vec::new();
            for (id, kind) in chunk {
                let id: crm_model::RecordId = id
                    .parse()
                    .map_err(|error| CoreError::Corrupt(format!("document id {id}: {error}")))?;
                let Some(kind) = RecordKind::parse(kind) else {
                    continue;
                };
                let Some(document) = self.load_document(id)? else {
                    continue;
                };
                let fields = document.fields().map_err(|source| CoreError::Document {
                    id,
                    source: Box::new(source),
                })?;
                let patch = rekeyed(&fields, keys);
                if patch.is_empty() {
                    continue;
                }
                writes.push(self.stage(&actor, kind, id, Some(document), |document| {
                    document
                        .write_fields(&patch)
                        .map_err(|source| CoreError::Document {
                            id,
                            source: Box::new(source),
                        })
                })?);
            }
            self.persist(writes)?;
        }
        Ok(())
    }

    /// Drops the local tenant's default pipeline (its deals moved to the server tenant's), with
    /// its pending changes: it never reached a server.
    fn forget_local_default_pipeline(&mut self, tenant: TenantId) -> Result<(), CoreError> {
        let id: crm_model::RecordId = crate::default_pipeline_id(tenant).into();
        let transaction = self.conn.transaction()?;
        transaction.execute("DELETE FROM documents WHERE id = ?1", [id.to_string()])?;
        transaction.execute("DELETE FROM outbox WHERE record_id = ?1", [id.to_string()])?;
        materialize::forget(&transaction, RecordKind::Pipeline, id)?;
        transaction.commit()?;
        Ok(())
    }

    /// Replaces the outbox with every change of every document.
    fn enqueue_full_history(&mut self) -> Result<(), CoreError> {
        let device = self.profile().device_id;
        let transaction = self.conn.transaction()?;
        transaction.execute("DELETE FROM outbox", [])?;
        {
            let mut documents = transaction.prepare("SELECT id, bytes FROM documents")?;
            let mut insert = transaction.prepare(
                "INSERT INTO outbox (record_id, change, created_at) VALUES (?1, ?2, ?3)",
            )?;
            let now = crate::store::now_text();
            let mut rows = documents.query([])?;
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                let bytes: Vec<u8> = row.get(1)?;
                let mut document = crate::document::RecordDocument::load(&bytes, device)
                    .map_err(|error| CoreError::Corrupt(format!("document {id}: {error}")))?;
                for change in document.all_changes() {
                    insert.execute(params![id, change, now])?;
                }
            }
        }
        transaction.commit()?;
        Ok(())
    }

    /// Drops every record (documents, rows, pending changes, conflicts, refusals): the store
    /// is about to download the server's.
    fn drop_records(&mut self) -> Result<(), CoreError> {
        let transaction = self.conn.transaction()?;
        for table in [
            "documents",
            "outbox",
            "conflicts",
            "sync_refusals",
            "purged_records",
        ] {
            transaction.execute(&format!("DELETE FROM {table}"), [])?;
        }
        transaction.commit()?;
        self.rebuild()?;
        Ok(())
    }
}

/// What an upload rewrites: the local user to the signed-in user, and the local tenant's
/// default pipeline and stages to the server tenant's.
fn rekeying(local: &Profile, account: &SignInResponse) -> HashMap<String, String> {
    let mut keys = HashMap::new();
    keys.insert(local.user_id.to_string(), account.user_id.to_string());
    let from = crate::default_pipeline_id(local.tenant_id);
    let to = crate::default_pipeline_id(account.tenant_id);
    keys.insert(from.to_string(), to.to_string());
    for index in 0..crm_model::DEFAULT_STAGES.len() {
        keys.insert(
            crate::pipelines::default_stage_id(from, index).to_string(),
            crate::pipelines::default_stage_id(to, index).to_string(),
        );
    }
    keys
}

/// The rekeyed fields of `fields` whose value (or a value in their list) `keys` maps, mapped.
fn rekeyed(fields: &Map<String, Json>, keys: &HashMap<String, String>) -> Map<String, Json> {
    let map = |value: &Json| match value {
        Json::String(text) => keys.get(text).map(|to| Json::String(to.clone())),
        _ => None,
    };
    let mut patch = Map::new();
    for key in REKEYED_FIELDS {
        match fields.get(*key) {
            Some(Json::Array(values)) if values.iter().any(|value| map(value).is_some()) => {
                let values = values
                    .iter()
                    .map(|value| map(value).unwrap_or_else(|| value.clone()))
                    .collect();
                patch.insert((*key).to_owned(), Json::Array(values));
            }
            Some(value) => {
                if let Some(to) = map(value) {
                    patch.insert((*key).to_owned(), to);
                }
            }
            None => {}
        }
    }
    patch
}
