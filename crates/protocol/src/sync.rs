//! The sync wire format (JSON over HTTP, binary payloads as base64).
//!
//! The unit of sync is an Automerge change to one record document. The server keeps, per
//! tenant, an append-only feed of `(seq, record id, change)`:
//!
//! - `POST /v1/push` with a [`PushRequest`]: the client's pending changes, grouped by record.
//!   Each record is accepted or rejected on its own ([`RecordResult`]); pushing a change the
//!   server already has is acknowledged and not repeated.
//! - `GET /v1/pull?since=SEQ&limit=N` answers a [`PullResponse`]: the feed entries after `SEQ`,
//!   the records erased after it (GDPR: the device purges them), the cursor to ask from next,
//!   and whether more are waiting.
//!
//! - `GET /v1/bootstrap?after=RECORD&limit=N` answers a [`BootstrapResponse`]: a page of current
//!   record documents (never their history) and the feed cursor they include. A new device pulls
//!   from the cursor of its *first* page: later pages may include more, and re-applying a change
//!   a document already has changes nothing.
//! - `GET /v1/live` upgrades to a WebSocket on which the server sends a [`LiveMessage`] when the
//!   connection opens and whenever the tenant's feed moves; the device then pulls.
//! - `POST /v1/sign-in` with a [`SignInRequest`] (no token needed) answers a [`SignInResponse`]
//!   holding the new device's token; `GET /v1/users` answers the tenant's [`UserDirectory`].
//!
//! Every other request carries `Authorization: Bearer TOKEN` and the [`PROTOCOL_HEADER`]; tenant
//! and user come from the token only.

use crm_model::{DeviceId, RecordId, RecordKind, Role, TenantId, UserId};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Version of this wire format. The server refuses versions it cannot serve with
/// `426 Upgrade Required` and a message asking to update the app.
///
/// Version 2 added erasures ([`PullResponse::erased`], [`Outcome::Erased`]): an app of version
/// 1 would keep, and push back, records an admin erased for good, so the server refuses it.
pub const PROTOCOL_VERSION: u32 = 2;

/// Request header carrying [`PROTOCOL_VERSION`].
pub const PROTOCOL_HEADER: &str = "x-crm-protocol";

/// Most entries a pull answers with, whatever `limit` asks.
pub const MAX_PULL_LIMIT: u32 = 5_000;

/// Binary data (an Automerge change or document), base64 in JSON.
#[derive(Clone, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use base64::Engine as _;
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use base64::Engine as _;
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map(Bytes)
            .map_err(serde::de::Error::custom)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushRequest {
    pub records: Vec<RecordChanges>,
}

/// The changes a device made to one record, in the order it made them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordChanges {
    pub record_id: RecordId,
    pub changes: Vec<Bytes>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushResponse {
    /// One result per pushed record, in request order.
    pub results: Vec<RecordResult>,
    /// The tenant's feed position after this push.
    pub cursor: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordResult {
    pub record_id: RecordId,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum Outcome {
    Accepted,
    Rejected {
        reason: String,
    },
    /// The record was erased for good on the server (GDPR): the device purges its copy and
    /// its pending changes. The record id cannot be used again.
    Erased,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullQuery {
    pub since: u64,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullResponse {
    pub entries: Vec<FeedEntry>,
    /// Records erased for good (GDPR) after `since`, up to `cursor`: the device deletes its
    /// copy, pending changes and anything derived from them, and ignores the record from now
    /// on. Their feed entries are gone from `entries`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub erased: Vec<Erasure>,
    /// Ask from here next time.
    pub cursor: u64,
    /// More entries are waiting after `cursor`.
    pub more: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedEntry {
    pub seq: u64,
    pub record_id: RecordId,
    pub change: Bytes,
}

/// A record erased for good, at its place `seq` in the feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Erasure {
    pub seq: u64,
    pub record_id: RecordId,
}

/// Most documents a bootstrap page answers with, whatever `limit` asks.
pub const MAX_BOOTSTRAP_LIMIT: u32 = 1_000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BootstrapQuery {
    /// The last record of the previous page; absent for the first page.
    #[serde(default)]
    pub after: Option<RecordId>,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BootstrapResponse {
    /// Ordered by record id.
    pub documents: Vec<BootstrapDocument>,
    /// The feed position read before the documents: every change up to it is in them (or in a
    /// later page). Pull from the first page's cursor once all pages are in.
    pub cursor: u64,
    /// More documents follow: ask again with `after` = the last record id of this page.
    pub more: bool,
    /// On the first page only: how many documents the tenant holds, for a progress bar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BootstrapDocument {
    pub record_id: RecordId,
    pub kind: RecordKind,
    /// The saved (compacted) Automerge document.
    pub document: Bytes,
}

/// What the server sends on the live WebSocket: the tenant's feed now ends at `cursor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveMessage {
    pub cursor: u64,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest {
    /// The tenant's short name (slug), as the admin gave it out.
    pub tenant: String,
    pub email: String,
    pub password: String,
    /// Shown to admins in the device list, e.g. "Anna's laptop".
    pub device_name: String,
}

impl std::fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest")
            .field("tenant", &self.tenant)
            .field("email", &self.email)
            .field("device_name", &self.device_name)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInResponse {
    /// The device token: send it as `Authorization: Bearer TOKEN`. Shown once; keep it secret.
    pub token: String,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub role: Role,
    pub device_id: DeviceId,
}

impl std::fmt::Debug for SignInResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInResponse")
            .field("tenant_id", &self.tenant_id)
            .field("user_id", &self.user_id)
            .field("role", &self.role)
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

/// `GET /v1/users`: every user of the caller's tenant, for showing owners and assignees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDirectory {
    pub users: Vec<DirectoryUser>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryUser {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// False once an admin disabled the user.
    pub active: bool,
}

/// The body of every error answer of the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// A stable machine-readable code, e.g. `unauthorized`, `too_large`, `upgrade_required`.
    pub code: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_travel_as_base64() {
        let entry = FeedEntry {
            seq: 7,
            record_id: RecordId(Default::default()),
            change: Bytes(vec![0, 1, 2, 255]),
        };
        let json = serde_json::to_value(&entry).expect("serializes");
        assert_eq!(json["change"], "AAEC/w==");
        let back: FeedEntry = serde_json::from_value(json).expect("parses");
        assert_eq!(back, entry);
    }

    #[test]
    fn record_results_are_flat() {
        let result = RecordResult {
            record_id: RecordId(Default::default()),
            outcome: Outcome::Rejected {
                reason: "not allowed".into(),
            },
        };
        let json = serde_json::to_value(&result).expect("serializes");
        assert_eq!(json["outcome"], "rejected");
        assert_eq!(json["reason"], "not allowed");
    }

    #[test]
    fn erasures_travel_beside_the_entries_and_may_be_left_out() {
        let erased = RecordResult {
            record_id: RecordId(Default::default()),
            outcome: Outcome::Erased,
        };
        let json = serde_json::to_value(&erased).expect("serializes");
        assert_eq!(json["outcome"], "erased");

        let quiet: PullResponse =
            serde_json::from_str(r#"{"entries":[],"cursor":4,"more":false}"#).expect("parses");
        assert!(quiet.erased.is_empty());
        let pulled: PullResponse = serde_json::from_str(
            r#"{"entries":[],"erased":[{"seq":5,"recordId":"00000000-0000-0000-0000-000000000001"}],"cursor":5,"more":false}"#,
        )
        .expect("parses");
        assert_eq!(pulled.erased[0].seq, 5);
        assert!(
            !serde_json::to_string(&quiet)
                .expect("serializes")
                .contains("erased")
        );
    }
}
