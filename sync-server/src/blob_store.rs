//! Where attachment bytes are kept: files under `<data-dir>/blobs/` (the default) or an
//! S3-compatible bucket ([`S3Config`]). Both name a blob `<tenant>/<sha256>`, so a tenant's
//! blobs are apart from every other tenant's even when the bytes are the same. Which blobs a
//! tenant has is the database's to say (`Storage::has_blob`); this only keeps the bytes, and
//! deletes all of a tenant's when the tenant is purged.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use axum::body::Bytes;
use crm_model::TenantId;
use futures_util::{StreamExt as _, TryStreamExt as _};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore as _, ObjectStoreExt as _, PutPayload, RetryConfig};

use crate::auth::random_uuid;

/// A blob's name: the SHA-256 of its bytes as 64 lowercase hex digits, safe to put in a file
/// path or an object key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BlobName(String);

impl BlobName {
    pub(crate) fn parse(text: &str) -> Option<BlobName> {
        let is_hex = text
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'));
        (text.len() == 64 && is_hex).then(|| BlobName(text.to_owned()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// A setting that must not reach a log: its `Debug` shows `<redacted>`.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("<redacted>")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Secret, Self::Err> {
        Ok(Secret::new(text))
    }
}

/// An S3-compatible bucket for the attachment blobs, instead of files under the data directory.
#[derive(Clone, Debug)]
pub struct S3Config {
    pub bucket: String,
    /// The service's URL, e.g. `https://s3.eu-central-1.amazonaws.com` or
    /// `http://127.0.0.1:9000`; `None`: Amazon S3 in [`region`](S3Config::region). Requests
    /// are path-style (`ENDPOINT/BUCKET/KEY`), which S3-compatible servers expect.
    pub endpoint: Option<String>,
    /// What requests are signed for; most S3-compatible servers accept any region.
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: Secret,
    /// Allow a plain `http://` endpoint (an object store on the same machine or network).
    pub allow_http: bool,
    /// Keys start with it (`PREFIX/<tenant>/<sha256>`), so one bucket can hold other things.
    pub prefix: Option<String>,
}

impl S3Config {
    pub const DEFAULT_REGION: &str = "us-east-1";
}

/// Each message names the file or bucket and says what went wrong, in one line: handlers log
/// only the message.
#[derive(Debug, thiserror::Error)]
pub enum BlobStoreError {
    #[error("blob file {path}: {error}")]
    File {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("S3 bucket {bucket}: {error}")]
    S3 {
        bucket: String,
        error: Box<object_store::Error>,
    },
    #[error("the S3 settings are invalid: {0}")]
    Settings(String),
    #[error("no randomness for a temporary file name: {0}")]
    Random(getrandom::Error),
}

/// The object written at startup to check the bucket, the credentials and the right to write;
/// no tenant id (a UUID) can be named like it.
const PROBE_KEY: &str = "crm-sync-server-check";

/// How long one blob request may keep retrying a failing S3 service. object_store's default is
/// three minutes, too long for an app waiting on an upload or for a server starting up.
fn retry_config() -> RetryConfig {
    RetryConfig {
        max_retries: 3,
        retry_timeout: Duration::from_secs(30),
        ..RetryConfig::default()
    }
}

/// The two places blobs can be kept; [`AppState`](crate::AppState) holds one.
pub(crate) enum BlobStore {
    Files(FileBlobs),
    S3(S3Blobs),
}

impl BlobStore {
    /// Files under `directory` (`<data-dir>/blobs`).
    pub(crate) fn files(directory: PathBuf) -> BlobStore {
        BlobStore::Files(FileBlobs { directory })
    }

    /// The bucket of `config`, checked by writing [`PROBE_KEY`] into it: a wrong endpoint,
    /// bucket or key stops the server at startup instead of failing every upload later.
    pub(crate) async fn s3(config: &S3Config) -> Result<BlobStore, BlobStoreError> {
        let blobs = S3Blobs::new(config)?;
        blobs.probe().await?;
        Ok(BlobStore::S3(blobs))
    }

    /// Keeps `bytes` as `tenant`'s blob `name`, replacing what was there (the same bytes, as
    /// the name is their hash). The caller has checked the hash and the size.
    pub(crate) async fn put(
        &self,
        tenant: TenantId,
        name: &BlobName,
        bytes: Bytes,
    ) -> Result<(), BlobStoreError> {
        match self {
            BlobStore::Files(files) => files.put(tenant, name, bytes).await,
            BlobStore::S3(s3) => s3.put(tenant, name, bytes).await,
        }
    }

    /// `tenant`'s blob `name`, or `None` when it has no such blob.
    pub(crate) async fn get(
        &self,
        tenant: TenantId,
        name: &BlobName,
    ) -> Result<Option<Bytes>, BlobStoreError> {
        match self {
            BlobStore::Files(files) => files.get(tenant, name).await,
            BlobStore::S3(s3) => s3.get(tenant, name).await,
        }
    }

    /// Deletes every blob of `tenant` (none is fine), and nothing of any other tenant.
    pub(crate) async fn purge_tenant(&self, tenant: TenantId) -> Result<(), BlobStoreError> {
        match self {
            BlobStore::Files(files) => files.purge_tenant(tenant).await,
            BlobStore::S3(s3) => s3.purge_tenant(tenant).await,
        }
    }

    /// Where blobs go, for the startup log (never a credential).
    pub(crate) fn describe(&self) -> String {
        match self {
            BlobStore::Files(files) => format!("files under {}", files.directory.display()),
            BlobStore::S3(s3) if s3.prefix.is_root() => format!("S3 bucket {}", s3.bucket),
            BlobStore::S3(s3) => format!("S3 bucket {}, keys under {}/", s3.bucket, s3.prefix),
        }
    }
}

pub(crate) struct FileBlobs {
    /// A blob is `<directory>/<tenant>/<sha256>`.
    directory: PathBuf,
}

impl FileBlobs {
    async fn put(
        &self,
        tenant: TenantId,
        name: &BlobName,
        bytes: Bytes,
    ) -> Result<(), BlobStoreError> {
        let directory = self.directory.join(tenant.to_string());
        // A temporary file first, so a crash never leaves half a blob under its name.
        let temporary = directory.join(format!(
            ".upload-{}",
            random_uuid().map_err(BlobStoreError::Random)?
        ));
        let path = directory.join(name.as_str());
        let file_error = |path: &PathBuf| {
            let path = path.clone();
            move |error| BlobStoreError::File { path, error }
        };
        tokio::fs::create_dir_all(&directory)
            .await
            .map_err(file_error(&directory))?;
        tokio::fs::write(&temporary, bytes)
            .await
            .map_err(file_error(&temporary))?;
        tokio::fs::rename(&temporary, &path)
            .await
            .map_err(file_error(&path))
    }

    async fn get(
        &self,
        tenant: TenantId,
        name: &BlobName,
    ) -> Result<Option<Bytes>, BlobStoreError> {
        let path = self.directory.join(tenant.to_string()).join(name.as_str());
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(Bytes::from(bytes))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(BlobStoreError::File { path, error }),
        }
    }

    /// Removes `<directory>/<tenant>/`, with any upload a crash left half-written in it.
    async fn purge_tenant(&self, tenant: TenantId) -> Result<(), BlobStoreError> {
        let path = self.directory.join(tenant.to_string());
        match tokio::fs::remove_dir_all(&path).await {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(BlobStoreError::File { path, error }),
        }
    }
}

pub(crate) struct S3Blobs {
    store: AmazonS3,
    bucket: String,
    prefix: ObjectPath,
}

impl S3Blobs {
    fn new(config: &S3Config) -> Result<S3Blobs, BlobStoreError> {
        if let Some(endpoint) = &config.endpoint
            && endpoint.starts_with("http://")
            && !config.allow_http
        {
            return Err(BlobStoreError::Settings(format!(
                "the endpoint {endpoint} is plain HTTP; allow it with --s3-allow-http \
                 (CRM_S3_ALLOW_HTTP=true), or use https://"
            )));
        }
        let prefix =
            ObjectPath::parse(config.prefix.as_deref().unwrap_or_default()).map_err(|error| {
                BlobStoreError::Settings(format!("the key prefix is not usable: {error}"))
            })?;
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(config.secret_access_key.expose())
            .with_allow_http(config.allow_http)
            .with_retry(retry_config());
        if let Some(endpoint) = &config.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        let store = builder.build().map_err(|error| BlobStoreError::S3 {
            bucket: config.bucket.clone(),
            error: Box::new(error),
        })?;
        Ok(S3Blobs {
            store,
            bucket: config.bucket.clone(),
            prefix,
        })
    }

    async fn probe(&self) -> Result<(), BlobStoreError> {
        let probe = self.prefix.clone().join(PROBE_KEY);
        self.store
            .put(
                &probe,
                PutPayload::from_static(b"crm-sync-server can write here\n"),
            )
            .await
            .map(drop)
            .map_err(|error| self.error(error))
    }

    // A single PUT is atomic in S3: readers see the old object or the whole new one.
    async fn put(
        &self,
        tenant: TenantId,
        name: &BlobName,
        bytes: Bytes,
    ) -> Result<(), BlobStoreError> {
        self.store
            .put(&self.key(tenant, name), PutPayload::from(bytes))
            .await
            .map(drop)
            .map_err(|error| self.error(error))
    }

    async fn get(
        &self,
        tenant: TenantId,
        name: &BlobName,
    ) -> Result<Option<Bytes>, BlobStoreError> {
        let read = async { self.store.get(&self.key(tenant, name)).await?.bytes().await };
        match read.await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(self.error(error)),
        }
    }

    /// Deletes every object under `PREFIX/<tenant>/`. A listing prefix matches whole path
    /// segments, so another tenant's keys, and the probe object, are never among them.
    async fn purge_tenant(&self, tenant: TenantId) -> Result<(), BlobStoreError> {
        let keys = self
            .store
            .list(Some(&self.tenant_prefix(tenant)))
            .map_ok(|object| object.location)
            .boxed();
        self.store
            .delete_stream(keys)
            .try_for_each(|_deleted| async { Ok(()) })
            .await
            .map_err(|error| self.error(error))
    }

    /// `PREFIX/<tenant>/<sha256>` (without a prefix, `<tenant>/<sha256>`).
    fn key(&self, tenant: TenantId, name: &BlobName) -> ObjectPath {
        self.tenant_prefix(tenant).join(name.as_str())
    }

    /// `PREFIX/<tenant>`: what every key of `tenant` starts with.
    fn tenant_prefix(&self, tenant: TenantId) -> ObjectPath {
        self.prefix.clone().join(tenant.to_string())
    }

    fn error(&self, error: object_store::Error) -> BlobStoreError {
        BlobStoreError::S3 {
            bucket: self.bucket.clone(),
            error: Box::new(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> S3Config {
        S3Config {
            bucket: "blobs".to_owned(),
            endpoint: None,
            region: S3Config::DEFAULT_REGION.to_owned(),
            access_key_id: "AKIDEXAMPLE".to_owned(),
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG"),
            allow_http: false,
            prefix: None,
        }
    }

    #[test]
    fn a_blob_is_named_by_64_lowercase_hex_digits() {
        let check = |text: &str, expected: bool| {
            assert_eq!(BlobName::parse(text).is_some(), expected, "{text:?}");
        };
        check(&"a".repeat(64), true);
        check(&"0123456789abcdef".repeat(4), true);
        check(&"A".repeat(64), false);
        check(&"a".repeat(63), false);
        check(&"a".repeat(65), false);
        check(&format!("../{}", "a".repeat(61)), false);
        check("", false);
    }

    #[test]
    fn keys_are_tenant_then_hash_under_the_prefix() {
        let tenant = TenantId(uuid::Uuid::from_u128(7));
        let name = BlobName::parse(&"b".repeat(64)).expect("a name");
        let key = |prefix: Option<&str>| {
            let blobs = S3Blobs::new(&S3Config {
                prefix: prefix.map(str::to_owned),
                ..config()
            })
            .expect("a client");
            blobs.key(tenant, &name).to_string()
        };
        let expected = format!("{tenant}/{}", "b".repeat(64));
        assert_eq!(key(None), expected);
        assert_eq!(key(Some("")), expected);
        assert_eq!(
            key(Some("crm/attachments/")),
            format!("crm/attachments/{expected}")
        );
        assert_eq!(key(Some("/crm")), format!("crm/{expected}"));
    }

    #[test]
    fn the_secret_key_never_shows_in_debug_output() {
        let shown = format!("{:?}", config());
        assert!(!shown.contains("wJalrXUtnFEMI"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
