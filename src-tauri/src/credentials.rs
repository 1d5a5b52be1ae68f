//! The device token: kept in the OS keyring (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows), one entry per server and account; or, when the user chose
//! so because no keyring is available, in memory until the app quits. Never on disk in plain
//! text, never in a log or an error message.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use keyring_core::{CredentialStore, Entry, Error as KeyringError};

/// The keyring's "service" of every entry the app writes; the account is in the entry's user.
const SERVICE: &str = "app.fieldcrm.desktop";

/// Which sign-in a token belongs to: one server, one account on it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct TokenKey {
    server_url: String,
    email: String,
}

impl TokenKey {
    pub(crate) fn new(server_url: &str, email: &str) -> TokenKey {
        TokenKey {
            server_url: server_url.trim().trim_end_matches('/').to_owned(),
            email: email.trim().to_lowercase(),
        }
    }

    /// The entry's user: both parts, so two accounts (or two servers) never share an entry.
    fn user(&self) -> String {
        format!("{} at {}", self.email, self.server_url)
    }

    /// What a keyring manager (Seahorse, Keychain Access) shows for the entry.
    fn label(&self) -> String {
        format!("Field CRM sign-in of {} at {}", self.email, self.server_url)
    }
}

/// Where a token is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Persistence {
    Keyring,
    /// In this process's memory only: gone when the app quits.
    SessionOnly,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum CredentialError {
    /// No keyring service answers (no session bus, no Secret Service, a locked keyring with no
    /// one to unlock it): the user may keep the token for this session only.
    #[error("no keyring is available to keep your sign-in ({0})")]
    Unavailable(String),
    #[error("the keyring failed ({0})")]
    Failed(String),
}

impl From<KeyringError> for CredentialError {
    fn from(error: KeyringError) -> CredentialError {
        match error {
            KeyringError::PlatformFailure(_) | KeyringError::NoStorageAccess(_) => {
                CredentialError::Unavailable(error.to_string())
            }
            other => CredentialError::Failed(other.to_string()),
        }
    }
}

/// Opens the platform's keyring.
type Connect = Box<dyn Fn() -> Result<Arc<CredentialStore>, KeyringError> + Send + Sync>;

/// The tokens of this app, managed by Tauri and shared with the sync service.
pub(crate) struct Credentials {
    connect: Connect,
    /// Connected on first use and kept: a Secret Service connection is a D-Bus session.
    keyring: Mutex<Option<Arc<CredentialStore>>>,
    session: Mutex<HashMap<TokenKey, String>>,
}

impl Credentials {
    /// The OS keyring of this platform.
    pub(crate) fn os() -> Credentials {
        Credentials::with_keyring(Box::new(platform::connect))
    }

    /// As on a computer without any keyring service: only session-only tokens can be kept.
    #[cfg(test)]
    pub(crate) fn without_keyring() -> Credentials {
        Credentials::with_keyring(Box::new(|| {
            Err(KeyringError::PlatformFailure(
                "org.freedesktop.DBus.Error.NotSupported: no session bus".into(),
            ))
        }))
    }

    fn with_keyring(connect: Connect) -> Credentials {
        Credentials {
            connect,
            keyring: Mutex::new(None),
            session: Mutex::new(HashMap::new()),
        }
    }

    fn keyring(&self) -> Result<Arc<CredentialStore>, CredentialError> {
        let mut keyring = relock(self.keyring.lock());
        if let Some(store) = keyring.as_ref() {
            return Ok(store.clone());
        }
        // Every connection failure means the same to the user: there is no keyring to use.
        let store =
            (self.connect)().map_err(|error| CredentialError::Unavailable(error.to_string()))?;
        *keyring = Some(store.clone());
        Ok(store)
    }

    fn entry(&self, key: &TokenKey) -> Result<Entry, CredentialError> {
        let label = key.label();
        let modifiers = HashMap::from([("label", label.as_str())]);
        Ok(self
            .keyring()?
            .build(SERVICE, &key.user(), Some(&modifiers))?)
    }

    /// Checks that the keyring can keep a token, before a sign-in creates one that could not
    /// be kept: writes and deletes a probe entry. Reading is not enough: a Secret Service with
    /// no unlocked collection answers searches but refuses to store. (On a desktop whose
    /// keyring is locked, this is where the system asks to unlock it.)
    pub(crate) fn check_keyring(&self) -> Result<(), CredentialError> {
        let probe = self.entry(&TokenKey::new("keyring-check", "field-crm"))?;
        probe.set_password("probe")?;
        match probe.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    pub(crate) fn save(
        &self,
        key: &TokenKey,
        token: &str,
        persistence: Persistence,
    ) -> Result<(), CredentialError> {
        match persistence {
            Persistence::Keyring => {
                self.entry(key)?.set_password(token)?;
                relock(self.session.lock()).remove(key);
            }
            Persistence::SessionOnly => {
                relock(self.session.lock()).insert(key.clone(), token.to_owned());
            }
        }
        Ok(())
    }

    /// The token of `key`, from this session's memory first, then from the keyring.
    pub(crate) fn load(
        &self,
        key: &TokenKey,
    ) -> Result<Option<(String, Persistence)>, CredentialError> {
        if let Some(token) = relock(self.session.lock()).get(key) {
            return Ok(Some((token.clone(), Persistence::SessionOnly)));
        }
        match self.entry(key)?.get_password() {
            Ok(token) => Ok(Some((token, Persistence::Keyring))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Forgets the token of `key` everywhere it may be. Without any keyring there is nothing
    /// to delete there: that is not a failure.
    pub(crate) fn forget(&self, key: &TokenKey) -> Result<(), CredentialError> {
        relock(self.session.lock()).remove(key);
        let entry = match self.entry(key) {
            Ok(entry) => entry,
            Err(CredentialError::Unavailable(reason)) => {
                tracing::info!(%reason, "no keyring to forget a token in");
                return Ok(());
            }
            Err(error) => return Err(error),
        };
        match entry.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

/// The maps hold no invariant a panic could break half-way, so a poisoned lock is still good.
fn relock<'a, T>(
    result: Result<MutexGuard<'a, T>, PoisonError<MutexGuard<'a, T>>>,
) -> MutexGuard<'a, T> {
    result.unwrap_or_else(PoisonError::into_inner)
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
mod platform {
    use std::sync::Arc;

    use keyring_core::{CredentialStore, Error};

    /// The Secret Service over libdbus (the `dbus` crate Tauri already links).
    pub(super) fn connect() -> Result<Arc<CredentialStore>, Error> {
        let store: Arc<CredentialStore> = dbus_secret_service_keyring_store::Store::new()?;
        Ok(store)
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use std::sync::Arc;

    use keyring_core::{CredentialStore, Error};

    pub(super) fn connect() -> Result<Arc<CredentialStore>, Error> {
        let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new()?;
        Ok(store)
    }
}

#[cfg(windows)]
mod platform {
    use std::sync::Arc;

    use keyring_core::{CredentialStore, Error};

    pub(super) fn connect() -> Result<Arc<CredentialStore>, Error> {
        let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new()?;
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    //! The keyring tests need a real Secret Service: `cargo xtask test` runs them inside
    //! `dbus-run-session` with an unlocked gnome-keyring and sets [`REAL_KEYRING`]. Without
    //! it they check what the app does when no keyring answers.

    use super::*;

    /// Set by `cargo xtask test` when a Secret Service runs for the tests.
    const REAL_KEYRING: &str = "CRM_TEST_KEYRING";

    fn unique_key() -> TokenKey {
        TokenKey::new(
            &format!("http://test-{:016x}.invalid:8787", fastrand::u64(..)),
            "Anna@Acme.example",
        )
    }

    #[test]
    fn without_a_keyring_only_a_session_token_is_kept() {
        let credentials = Credentials::without_keyring();
        let key = unique_key();
        assert!(matches!(
            credentials.check_keyring(),
            Err(CredentialError::Unavailable(_))
        ));
        assert!(matches!(
            credentials.save(&key, "secret-token", Persistence::Keyring),
            Err(CredentialError::Unavailable(_))
        ));
        credentials
            .save(&key, "secret-token", Persistence::SessionOnly)
            .expect("kept in memory");
        let loaded = credentials.load(&key).expect("loads");
        assert_eq!(
            loaded,
            Some(("secret-token".to_owned(), Persistence::SessionOnly))
        );
        credentials.forget(&key).expect("forgets without a keyring");
        assert!(matches!(
            credentials.load(&key),
            Err(CredentialError::Unavailable(_))
        ));
    }

    #[test]
    fn errors_never_carry_the_token() {
        let credentials = Credentials::without_keyring();
        let error = credentials
            .save(&unique_key(), "secret-token", Persistence::Keyring)
            .expect_err("no keyring");
        assert!(!error.to_string().contains("secret-token"), "{error}");
    }

    #[test]
    fn tokens_are_keyed_by_server_and_account() {
        let key = TokenKey::new("http://localhost:8787/ ", " Anna@Acme.example");
        assert_eq!(
            key,
            TokenKey::new("http://localhost:8787", "anna@acme.example")
        );
        assert_ne!(
            key,
            TokenKey::new("http://localhost:8788", "anna@acme.example")
        );
        assert_eq!(key.user(), "anna@acme.example at http://localhost:8787");
    }

    /// Against the real Secret Service: a token survives a new connection (as after a
    /// restart), a session-only token never reaches the keyring, and forgetting deletes the
    /// entry. Without one (plain `cargo test` with no session bus), the OS keyring is reported
    /// unavailable.
    #[test]
    fn the_os_keyring_keeps_and_forgets_tokens() {
        if std::env::var_os(REAL_KEYRING).is_none_or(|value| value.is_empty()) {
            if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
                let credentials = Credentials::os();
                assert!(
                    matches!(
                        credentials.check_keyring(),
                        Err(CredentialError::Unavailable(_))
                    ),
                    "no session bus, so no keyring"
                );
            }
            return;
        }
        let key = unique_key();
        let credentials = Credentials::os();
        credentials
            .check_keyring()
            .expect("the Secret Service answers");
        assert_eq!(credentials.load(&key).expect("reads"), None);
        credentials
            .save(&key, "device-token-1", Persistence::Keyring)
            .expect("saves");

        let after_restart = Credentials::os();
        assert_eq!(
            after_restart.load(&key).expect("reads"),
            Some(("device-token-1".to_owned(), Persistence::Keyring))
        );
        after_restart
            .save(&key, "device-token-2", Persistence::Keyring)
            .expect("replaces");
        assert_eq!(
            Credentials::os().load(&key).expect("reads"),
            Some(("device-token-2".to_owned(), Persistence::Keyring))
        );

        after_restart.forget(&key).expect("forgets");
        assert_eq!(Credentials::os().load(&key).expect("reads"), None);
        after_restart
            .forget(&key)
            .expect("forgetting twice is fine");

        let session_key = unique_key();
        credentials
            .save(&session_key, "session-token", Persistence::SessionOnly)
            .expect("kept in memory");
        assert_eq!(
            Credentials::os().load(&session_key).expect("reads"),
            None,
            "a session-only token never reaches the keyring"
        );
    }
}
