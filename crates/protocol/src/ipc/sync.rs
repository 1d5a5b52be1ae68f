//! The desktop app's sync commands and events: signing in to a sync server, the sync state the
//! indicator shows, the events the shell sends when the state or the records change, and the
//! refusals and conflicts the user looks at.

use std::fmt;

use chrono::{DateTime, Utc};
use crm_model::{RecordId, RecordKind, Role, Rule, UserId, ValidationErrors};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// An event the shell sends to the webview: its name and what it carries.
pub trait Event {
    const NAME: &'static str;
    type Payload: Serialize + DeserializeOwned;
}

/// The sync state changed (a round started or ended, the connection came or went, bootstrap
/// progressed).
pub enum SyncStatusChanged {}

impl Event for SyncStatusChanged {
    const NAME: &'static str = "sync-status";
    type Payload = SyncState;
}

/// Records changed behind the open page's back (pulled from the server): pages reload.
pub enum RecordsChanged {}

impl Event for RecordsChanged {
    const NAME: &'static str = "records-changed";
    type Payload = Vec<RecordId>;
}

/// What the first sync does with the records already on this laptop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FirstSyncChoice {
    /// Upload this laptop's records into the server's tenant.
    UploadLocalData,
    /// Set this laptop's records aside and take the server's.
    StartFromServer,
}

/// Sign this laptop in to a sync server. The password is sent to the server once and never
/// kept; the device token the server answers with goes to the OS keyring (or, when
/// `session_only`, stays in memory until the app quits).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest {
    /// Like `https://sync.example.com` or `http://127.0.0.1:8787`.
    pub server_url: String,
    /// The company's short name on the server, as the admin gave it out.
    pub tenant: String,
    pub email: String,
    pub password: String,
    /// Shown to the admin in the server's device list.
    pub device_name: String,
    /// Needed when this laptop holds records (see [`SyncState::has_local_data`]) and signs in
    /// as an account other than the one it synced with.
    #[serde(default)]
    pub first_sync: Option<FirstSyncChoice>,
    /// Keep the token in memory only (when no keyring is available).
    #[serde(default)]
    pub session_only: bool,
}

/// Never prints the password.
impl fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInRequest")
            .field("server_url", &self.server_url)
            .field("tenant", &self.tenant)
            .field("email", &self.email)
            .field("device_name", &self.device_name)
            .field("first_sync", &self.first_sync)
            .field("session_only", &self.session_only)
            .finish_non_exhaustive()
    }
}

/// Longest device name the server keeps.
const MAX_DEVICE_NAME: usize = 100;

impl SignInRequest {
    /// The rules the form checks as the user types and the shell checks again: each broken
    /// rule names its field (the camelCase name above).
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.server_url.trim().is_empty() {
            errors.push("serverUrl", Rule::Required);
        } else if !is_server_url(self.server_url.trim()) {
            errors.push("serverUrl", Rule::Url);
        }
        if self.tenant.trim().is_empty() {
            errors.push("tenant", Rule::Required);
        }
        if self.email.trim().is_empty() {
            errors.push("email", Rule::Required);
        } else if !crm_model::is_email(self.email.trim()) {
            errors.push("email", Rule::Email);
        }
        if self.password.is_empty() {
            errors.push("password", Rule::Required);
        }
        if self.device_name.trim().is_empty() {
            errors.push("deviceName", Rule::Required);
        } else if self.device_name.trim().chars().count() > MAX_DEVICE_NAME {
            errors.push(
                "deviceName",
                Rule::MaxLength {
                    max: MAX_DEVICE_NAME,
                },
            );
        }
        errors.into_result()
    }

    /// The server's address as the sync client wants it: trimmed, without a trailing `/`.
    pub fn normalized_server_url(&self) -> String {
        self.server_url.trim().trim_end_matches('/').to_owned()
    }
}

/// `http://` or `https://`, a host (a name, an IPv4 address or `localhost`; no dot needed), an
/// optional numeric port, an optional path; no spaces.
pub fn is_server_url(value: &str) -> bool {
    let Some(rest) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let port_ok = port.is_none_or(|port| {
        !port.is_empty() && port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit())
    });
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && port_ok
        && !value.contains(char::is_whitespace)
}

/// The server account this laptop syncs with, as Settings shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountSummary {
    pub server_url: String,
    pub email: String,
    pub role: Role,
}

/// How far the first download of the server's records has come.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BootstrapProgress {
    pub done: u64,
    pub total: u64,
}

/// The sync indicator: whether a sync server is set up, how the last round went, and what waits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncState {
    /// Increases with every state the shell makes: a command's answer and an event can arrive
    /// in either order, and the UI keeps the state with the highest revision.
    #[serde(default)]
    pub revision: u64,
    /// A sync server and a device token are configured: the engine runs.
    pub signed_in: bool,
    /// The server this laptop's data belongs to, also when its token is missing (signed out,
    /// or a session-only token from an earlier run): Settings offers to sign in again there.
    #[serde(default)]
    pub account: Option<AccountSummary>,
    /// The store holds records (beyond the pipeline every new profile starts with): signing in
    /// as a new account asks whether to upload them or start from the server's data.
    #[serde(default)]
    pub has_local_data: bool,
    /// The token is kept for this session only (no keyring was available).
    #[serde(default)]
    pub session_only: bool,
    pub online: bool,
    /// The live channel is open: changes from other devices arrive within moments.
    #[serde(default)]
    pub live: bool,
    pub syncing: bool,
    /// Local changes not yet accepted by the server.
    pub pending_changes: u64,
    #[serde(default)]
    pub last_success: Option<DateTime<Utc>>,
    /// The last failure, in words a rep understands.
    #[serde(default)]
    pub last_error: Option<String>,
    pub open_conflicts: u64,
    pub refusals: u64,
    /// Set while a new device downloads the server's records.
    #[serde(default)]
    pub bootstrap: Option<BootstrapProgress>,
}

/// A change the server refused, as the user is told about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusalEntry {
    /// What `dismiss_refusal` takes.
    pub id: i64,
    pub record_id: RecordId,
    /// The record's kind as stored (`customer`, `deal`...); empty when unknown.
    pub kind: String,
    pub title: String,
    /// The server's reason, e.g. "only the owner or a manager may change this deal".
    pub reason: String,
    pub refused_at: String,
}

/// One value of a conflicted field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConflictValue {
    pub value: serde_json::Value,
    /// The value every device shows.
    pub shown: bool,
    #[serde(default)]
    pub user_id: Option<UserId>,
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// A field of a record that two devices set concurrently.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConflictEntry {
    pub kind: RecordKind,
    pub record_id: RecordId,
    pub title: String,
    /// The field's camelCase name.
    pub field: String,
    pub values: Vec<ConflictValue>,
    pub detected_at: String,
}

/// Settle the conflict on `field` of `record_id` with `value`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolveConflictRequest {
    pub record_id: RecordId,
    pub field: String,
    pub value: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> SignInRequest {
        SignInRequest {
            server_url: "https://sync.acme.example".into(),
            tenant: "acme".into(),
            email: "anna@acme.example".into(),
            password: "correct horse".into(),
            device_name: "Anna's laptop".into(),
            first_sync: None,
            session_only: false,
        }
    }

    fn check(change: impl FnOnce(&mut SignInRequest), expected: &[(&str, Rule)]) {
        let mut request = request();
        change(&mut request);
        let errors = request.validate().err().unwrap_or_default();
        let actual: Vec<(&str, Rule)> = errors
            .0
            .iter()
            .map(|error| (error.field.as_str(), error.rule.clone()))
            .collect();
        assert_eq!(actual, expected, "{request:?}");
    }

    #[test]
    fn sign_in_errors_name_their_field() {
        check(|_| {}, &[]);
        check(
            |r| r.server_url = " ".into(),
            &[("serverUrl", Rule::Required)],
        );
        check(
            |r| r.server_url = "sync.acme.example".into(),
            &[("serverUrl", Rule::Url)],
        );
        check(|r| r.tenant.clear(), &[("tenant", Rule::Required)]);
        check(|r| r.email = "anna".into(), &[("email", Rule::Email)]);
        check(|r| r.password.clear(), &[("password", Rule::Required)]);
        check(
            |r| r.device_name = "x".repeat(101),
            &[("deviceName", Rule::MaxLength { max: 100 })],
        );
        check(
            |r| {
                r.email.clear();
                r.device_name.clear();
            },
            &[("email", Rule::Required), ("deviceName", Rule::Required)],
        );
    }

    #[test]
    fn server_urls() {
        let cases = [
            ("https://sync.acme.example", true),
            ("http://127.0.0.1:8787", true),
            ("http://localhost:8787/", true),
            ("https://sync.acme.example/crm", true),
            ("sync.acme.example", false),
            ("ftp://sync.acme.example", false),
            ("https://", false),
            ("https://sync acme.example", false),
            ("http://localhost:port", false),
            ("http://localhost:", false),
            ("https://sync..example", false),
        ];
        for (url, valid) in cases {
            assert_eq!(is_server_url(url), valid, "{url}");
        }
        let mut with_slash = request();
        with_slash.server_url = " http://localhost:8787/ ".into();
        assert_eq!(with_slash.normalized_server_url(), "http://localhost:8787");
    }

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let text = format!("{:?}", request());
        assert!(!text.contains("correct horse"), "{text}");
        assert!(text.contains("anna@acme.example"));
    }
}
