//! The sync wire format (JSON over HTTP, binary payloads as base64).
//!
//! The unit of sync is an Automerge change to one record document. The server keeps, per
//! tenant, an append-only feed of `(seq, record id, change)`:
//!
//! - `POST /v1/push` with a [`PushRequest`]: the client's pending changes, grouped by record.
//!   Each record is accepted or rejected on its own ([`RecordResult`]); pushing a change the
//!   server already has is acknowledged and not repeated.
//! - `GET /v1/pull?since=SEQ&limit=N` answers a [`PullResponse`]: the feed entries after `SEQ`,
//!   the cursor to ask from next, and whether more are waiting.
//!
//! Every request carries `Authorization: Bearer TOKEN` and the [`PROTOCOL_HEADER`]; tenant and
//! user come from the token only.

use crm_model::RecordId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Version of this wire format. The server refuses versions it cannot serve with
/// `426 Upgrade Required` and a message asking to update the app.
pub const PROTOCOL_VERSION: u32 = 1;

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
    Rejected { reason: String },
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
}
