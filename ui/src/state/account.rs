//! The "Account & sync" section of Settings: the sign-in form (its fields, the errors shown
//! under each, the first-sync choice, the keyring-unavailable offer) and what the indicator,
//! the offline banner and the section say about the sync state.

use std::rc::Rc;

use crm_model::{Rule, ValidationErrors};
use crm_protocol::ipc::{ErrorKind, FirstSyncChoice, IpcError, SignInRequest, SyncState};
use yew::Reducible;

use crate::format;

/// The sign-in form's fields, as the request names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SignInField {
    ServerUrl,
    Tenant,
    Email,
    Password,
    DeviceName,
}

impl SignInField {
    /// The request's (and the validation errors') camelCase name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            SignInField::ServerUrl => "serverUrl",
            SignInField::Tenant => "tenant",
            SignInField::Email => "email",
            SignInField::Password => "password",
            SignInField::DeviceName => "deviceName",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            SignInField::ServerUrl => "Sync server address",
            SignInField::Tenant => "Company",
            SignInField::Email => "Email",
            SignInField::Password => "Password",
            SignInField::DeviceName => "Name of this laptop",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SignInForm {
    pub(crate) request: SignInRequest,
    pub(crate) errors: ValidationErrors,
    pub(crate) submitting: bool,
    /// Set when the shell found no keyring: the form offers to keep the sign-in for this
    /// session only.
    pub(crate) keyring_unavailable: Option<String>,
    /// The last refusal or failure, shown above the button.
    pub(crate) failure: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SignInAction {
    /// Fill the form from the sync state: the account's server and email when it has one.
    Prefill(Option<SyncState>),
    Edit(SignInField, String),
    ChooseFirstSync(FirstSyncChoice),
    Invalid(ValidationErrors),
    Submitted,
    /// Sign in again keeping the token in memory only.
    SessionOnly,
    Failed(IpcError),
    SignedIn,
}

impl SignInForm {
    pub(crate) fn new(device_name: String) -> SignInForm {
        SignInForm {
            request: SignInRequest {
                server_url: String::new(),
                tenant: String::new(),
                email: String::new(),
                password: String::new(),
                device_name,
                first_sync: None,
                session_only: false,
            },
            errors: ValidationErrors::default(),
            submitting: false,
            keyring_unavailable: None,
            failure: None,
        }
    }

    pub(crate) fn value(&self, field: SignInField) -> &str {
        let request = &self.request;
        match field {
            SignInField::ServerUrl => &request.server_url,
            SignInField::Tenant => &request.tenant,
            SignInField::Email => &request.email,
            SignInField::Password => &request.password,
            SignInField::DeviceName => &request.device_name,
        }
    }

    /// The error shown under `field`, in words.
    pub(crate) fn error(&self, field: &str) -> Option<String> {
        self.errors.for_field(field).map(|error| match &error.rule {
            Rule::Required if field == "firstSync" => {
                "Choose what happens to the records already on this laptop".to_owned()
            }
            Rule::Url => {
                "Must start with http:// or https://, like https://sync.example.com".to_owned()
            }
            rule => format!("{} {rule}", label_of(field)),
        })
    }

    /// The request to send, or the errors to show: the shell's own rules, plus the first-sync
    /// choice when this laptop holds records.
    pub(crate) fn validated(
        &self,
        needs_first_sync: bool,
    ) -> Result<SignInRequest, ValidationErrors> {
        let mut errors = self.request.validate().err().unwrap_or_default();
        if needs_first_sync && self.request.first_sync.is_none() {
            errors.push("firstSync", Rule::Required);
        }
        errors.into_result().map(|()| self.request.clone())
    }
}

fn label_of(field: &str) -> &'static str {
    [
        SignInField::ServerUrl,
        SignInField::Tenant,
        SignInField::Email,
        SignInField::Password,
        SignInField::DeviceName,
    ]
    .into_iter()
    .find(|candidate| candidate.name() == field)
    .map_or("This field", SignInField::label)
}

impl Reducible for SignInForm {
    type Action = SignInAction;

    fn reduce(self: Rc<Self>, action: SignInAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            SignInAction::Prefill(Some(SyncState {
                account: Some(account),
                ..
            })) => {
                if next.request.server_url.is_empty() {
                    next.request.server_url = account.server_url;
                }
                if next.request.email.is_empty() {
                    next.request.email = account.email;
                }
            }
            SignInAction::Prefill(_) => {}
            SignInAction::Edit(field, value) => {
                let request = &mut next.request;
                let slot = match field {
                    SignInField::ServerUrl => &mut request.server_url,
                    SignInField::Tenant => &mut request.tenant,
                    SignInField::Email => &mut request.email,
                    SignInField::Password => &mut request.password,
                    SignInField::DeviceName => &mut request.device_name,
                };
                *slot = value;
                next.errors.0.retain(|error| error.field != field.name());
            }
            SignInAction::ChooseFirstSync(choice) => {
                next.request.first_sync = Some(choice);
                next.errors.0.retain(|error| error.field != "firstSync");
            }
            SignInAction::Invalid(errors) => next.errors = errors,
            SignInAction::Submitted => {
                next.submitting = true;
                next.failure = None;
                next.errors = ValidationErrors::default();
            }
            SignInAction::SessionOnly => {
                next.request.session_only = true;
                next.keyring_unavailable = None;
            }
            SignInAction::Failed(error) => {
                next.submitting = false;
                match error.kind {
                    ErrorKind::KeyringUnavailable => {
                        next.keyring_unavailable = Some(error.message);
                    }
                    ErrorKind::Validation => next.errors = ValidationErrors(error.fields),
                    _ => next.failure = Some(error.message),
                }
            }
            SignInAction::SignedIn => {
                next.submitting = false;
                next.failure = None;
                next.keyring_unavailable = None;
                // The password is sent once and never kept, not even in the form.
                next.request.password.clear();
            }
        }
        Rc::new(next)
    }
}

/// The banner across the top: signed in, and the last round could not reach the server.
pub(crate) fn offline_banner(sync: &SyncState) -> Option<String> {
    let offline = sync.signed_in && !sync.online && !sync.syncing && sync.last_error.is_some();
    offline.then(|| {
        let pending = match sync.pending_changes {
            0 => "Everything you do is saved on this laptop".to_owned(),
            count => format!(
                "{} saved on this laptop",
                format::count(count, "change is", "changes are")
            ),
        };
        format!("You are offline. {pending} and will sync when the server can be reached.")
    })
}

/// "1,200 of 5,000 records" while a new device downloads the server's records.
pub(crate) fn bootstrap_progress(sync: &SyncState) -> Option<String> {
    sync.bootstrap.map(|progress| {
        format!(
            "Downloading records: {} of {}",
            format::thousands(progress.done as i64),
            format::thousands(progress.total as i64)
        )
    })
}

/// The last successful sync as Settings shows it.
pub(crate) fn last_sync(sync: &SyncState) -> String {
    match sync.last_success {
        Some(at) => format!("Last synced {} UTC", at.format("%Y-%m-%d %H:%M")),
        None if sync.signed_in => "Not synced yet".to_owned(),
        None => "Never synced".to_owned(),
    }
}

/// The sign-in form shows the first-sync choice only when there is something to choose about:
/// records on this laptop, and an account other than the one they sync with.
pub(crate) fn needs_first_sync(sync: Option<&SyncState>, request: &SignInRequest) -> bool {
    sync.is_some_and(|sync| {
        let same_account = sync.account.as_ref().is_some_and(|account| {
            account.server_url == request.normalized_server_url()
                && account.email.eq_ignore_ascii_case(request.email.trim())
        });
        sync.has_local_data && !same_account
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use crm_model::{FieldError, Role};
    use crm_protocol::ipc::{AccountSummary, BootstrapProgress};

    use super::*;

    fn run(actions: Vec<SignInAction>) -> SignInForm {
        actions
            .into_iter()
            .fold(Rc::new(SignInForm::new("Laptop".into())), |form, action| {
                form.reduce(action)
            })
            .as_ref()
            .clone()
    }

    fn filled() -> Vec<SignInAction> {
        vec![
            SignInAction::Edit(SignInField::ServerUrl, "http://127.0.0.1:8787".into()),
            SignInAction::Edit(SignInField::Tenant, "acme".into()),
            SignInAction::Edit(SignInField::Email, "anna@acme.example".into()),
            SignInAction::Edit(SignInField::Password, "correct horse".into()),
        ]
    }

    #[test]
    fn errors_show_under_their_field_until_it_is_edited() {
        let form = run(vec![]);
        let errors = form.validated(true).expect_err("empty form");
        let form = run(vec![SignInAction::Invalid(errors)]);
        assert_eq!(
            form.error("serverUrl").as_deref(),
            Some("Sync server address is required")
        );
        assert_eq!(form.error("tenant").as_deref(), Some("Company is required"));
        assert_eq!(form.error("deviceName"), None, "prefilled");
        assert_eq!(
            form.error("firstSync").as_deref(),
            Some("Choose what happens to the records already on this laptop")
        );
        let mut actions = vec![SignInAction::Invalid(form.errors.clone())];
        actions.push(SignInAction::Edit(SignInField::ServerUrl, "sync".into()));
        actions.push(SignInAction::ChooseFirstSync(
            FirstSyncChoice::StartFromServer,
        ));
        let form = run(actions);
        assert_eq!(form.error("serverUrl"), None);
        assert_eq!(form.error("firstSync"), None);
        assert!(form.error("tenant").is_some());
        let errors = form.validated(true).expect_err("still invalid");
        assert_eq!(
            run(vec![SignInAction::Invalid(errors)])
                .error("serverUrl")
                .as_deref(),
            Some("Must start with http:// or https://, like https://sync.example.com")
        );
    }

    #[test]
    fn a_complete_form_is_sent_as_typed() {
        let form = run(filled());
        let request = form.validated(false).expect("valid");
        assert_eq!(request.tenant, "acme");
        assert_eq!(request.device_name, "Laptop");
        assert!(!request.session_only);
        assert!(
            form.validated(true).is_err(),
            "the choice is needed with local data"
        );
    }

    #[test]
    fn without_a_keyring_the_form_offers_a_session_only_sign_in() {
        let mut actions = filled();
        actions.push(SignInAction::Submitted);
        actions.push(SignInAction::Failed(IpcError::new(
            ErrorKind::KeyringUnavailable,
            "No keyring is available",
        )));
        let form = run(actions.clone());
        assert!(!form.submitting);
        assert_eq!(
            form.keyring_unavailable.as_deref(),
            Some("No keyring is available")
        );
        assert_eq!(form.failure, None);
        actions.push(SignInAction::SessionOnly);
        let form = run(actions);
        assert!(form.request.session_only);
        assert_eq!(form.keyring_unavailable, None);
    }

    #[test]
    fn failures_and_server_side_field_errors_are_shown_and_the_password_is_dropped() {
        let mut actions = filled();
        actions.push(SignInAction::Submitted);
        actions.push(SignInAction::Failed(IpcError::new(
            ErrorKind::SignInRefused,
            "The company, email or password is not right.",
        )));
        let form = run(actions.clone());
        assert_eq!(
            form.failure.as_deref(),
            Some("The company, email or password is not right.")
        );
        actions.push(SignInAction::Failed(IpcError {
            kind: ErrorKind::Validation,
            message: "Please correct".into(),
            fields: vec![FieldError {
                field: "firstSync".into(),
                rule: Rule::Required,
            }],
        }));
        assert!(run(actions.clone()).error("firstSync").is_some());
        actions.push(SignInAction::SignedIn);
        let form = run(actions);
        assert_eq!(form.request.password, "");
        assert_eq!(form.request.email, "anna@acme.example");
    }

    #[test]
    fn an_earlier_account_prefills_server_and_email() {
        let state = SyncState {
            account: Some(AccountSummary {
                server_url: "https://sync.acme.example".into(),
                email: "anna@acme.example".into(),
                role: Role::SalesRep,
            }),
            ..SyncState::default()
        };
        let form = run(vec![SignInAction::Prefill(Some(state.clone()))]);
        assert_eq!(form.request.server_url, "https://sync.acme.example");
        assert_eq!(form.request.email, "anna@acme.example");
        let with_records = SyncState {
            has_local_data: true,
            ..state.clone()
        };
        assert!(!needs_first_sync(Some(&state), &form.request), "no records");
        assert!(
            !needs_first_sync(Some(&with_records), &form.request),
            "the same account again"
        );
        let mut other = form.request.clone();
        other.email = "ben@acme.example".into();
        assert!(needs_first_sync(Some(&with_records), &other));
        let local = SyncState {
            has_local_data: true,
            ..SyncState::default()
        };
        assert!(needs_first_sync(Some(&local), &form.request));
        assert!(!needs_first_sync(None, &form.request));
    }

    #[test]
    fn the_banner_shows_only_when_signed_in_and_unreachable() {
        let offline = SyncState {
            signed_in: true,
            pending_changes: 3,
            last_error: Some("Offline".into()),
            ..SyncState::default()
        };
        assert_eq!(
            offline_banner(&offline).as_deref(),
            Some(
                "You are offline. 3 changes are saved on this laptop and will sync when the server can be reached."
            )
        );
        let starting = SyncState {
            signed_in: true,
            ..SyncState::default()
        };
        assert_eq!(offline_banner(&starting), None, "no round has failed yet");
        let local = SyncState {
            last_error: Some("Offline".into()),
            ..SyncState::default()
        };
        assert_eq!(offline_banner(&local), None, "not signed in");
    }

    #[test]
    fn progress_and_last_sync_in_words() {
        let state = SyncState {
            signed_in: true,
            bootstrap: Some(BootstrapProgress {
                done: 1_200,
                total: 5_000,
            }),
            ..SyncState::default()
        };
        assert_eq!(
            bootstrap_progress(&state).as_deref(),
            Some("Downloading records: 1,200 of 5,000")
        );
        assert_eq!(last_sync(&state), "Not synced yet");
        let synced = SyncState {
            last_success: chrono::Utc.with_ymd_and_hms(2026, 11, 24, 9, 5, 0).single(),
            ..state
        };
        assert_eq!(last_sync(&synced), "Last synced 2026-11-24 09:05 UTC");
    }
}
