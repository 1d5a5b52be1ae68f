//! The settings file (`--config`, TOML, the flags' names as keys) and the S3 settings (of
//! every command: `serve` keeps attachments in the bucket, `tenant purge` deletes them). A flag
//! wins over an environment variable, which wins over the file, which wins over the default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args};
use crm_sync_server::{S3Config, Secret};

use crate::{Cli, Command};

/// Where attachment files go when not under --data-dir.
#[derive(Debug, Args)]
#[command(next_help_heading = "Attachments in S3-compatible object storage")]
pub(crate) struct S3Args {
    /// Keep attachment files in this bucket of an S3-compatible object store instead of
    /// `<data-dir>/blobs/`, as objects `[PREFIX/]<tenant id>/<sha256>`. The bucket must
    /// exist; at startup the server writes a small object `crm-sync-server-check` into it and
    /// refuses to start if it cannot. Needs the access key id and secret access key.
    #[arg(long, env = "CRM_S3_BUCKET", global = true)]
    pub(crate) s3_bucket: Option<String>,

    /// The object store's URL, e.g. `http://127.0.0.1:9000` (MinIO, Garage, SeaweedFS) or
    /// `https://ACCOUNT.r2.cloudflarestorage.com`. Without it: Amazon S3 in --s3-region.
    /// Requests are path-style (`ENDPOINT/BUCKET/KEY`).
    #[arg(long, env = "CRM_S3_ENDPOINT", global = true)]
    pub(crate) s3_endpoint: Option<String>,

    /// The region requests are signed for (Amazon S3: the bucket's region).
    #[arg(long, env = "CRM_S3_REGION", default_value = S3Config::DEFAULT_REGION, global = true)]
    pub(crate) s3_region: String,

    /// The access key id of the bucket's credentials.
    #[arg(
        long,
        env = "CRM_S3_ACCESS_KEY_ID",
        hide_env_values = true,
        global = true
    )]
    pub(crate) s3_access_key_id: Option<String>,

    /// The secret access key. Prefer the environment variable or the settings file (mode
    /// 0600): other users of the machine can read a process's command line.
    #[arg(
        long,
        env = "CRM_S3_SECRET_ACCESS_KEY",
        hide_env_values = true,
        global = true
    )]
    pub(crate) s3_secret_access_key: Option<Secret>,

    /// Allow a plain `http://` endpoint, e.g. an object store on the same machine. Off: only
    /// HTTPS.
    #[arg(long, env = "CRM_S3_ALLOW_HTTP", global = true)]
    pub(crate) s3_allow_http: bool,

    /// Start every key with this prefix, e.g. `crm/attachments`, to share a bucket.
    #[arg(long, env = "CRM_S3_PREFIX", global = true)]
    pub(crate) s3_prefix: Option<String>,
}

impl S3Args {
    /// The bucket to keep attachments in, or `None` for files under the data directory.
    pub(crate) fn config(self) -> anyhow::Result<Option<S3Config>> {
        let Some(bucket) = self.s3_bucket else {
            if self.s3_endpoint.is_some()
                || self.s3_access_key_id.is_some()
                || self.s3_secret_access_key.is_some()
                || self.s3_prefix.is_some()
            {
                bail!(
                    "S3 settings were given without a bucket: set --s3-bucket (CRM_S3_BUCKET) \
                     to keep attachments in S3, or remove the other --s3-* settings"
                );
            }
            return Ok(None);
        };
        let (Some(access_key_id), Some(secret_access_key)) =
            (self.s3_access_key_id, self.s3_secret_access_key)
        else {
            bail!(
                "the S3 bucket {bucket} needs credentials: set --s3-access-key-id and \
                 --s3-secret-access-key (CRM_S3_ACCESS_KEY_ID, CRM_S3_SECRET_ACCESS_KEY)"
            );
        };
        Ok(Some(S3Config {
            bucket,
            endpoint: self.s3_endpoint,
            region: self.s3_region,
            access_key_id,
            secret_access_key,
            allow_http: self.s3_allow_http,
            prefix: self.s3_prefix,
        }))
    }
}

/// The settings file (`--config`): the flags' names as keys, every key optional.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct SettingsFile {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<SocketAddr>,
    max_body_bytes: Option<usize>,
    max_blob_bytes: Option<usize>,
    s3_bucket: Option<String>,
    s3_endpoint: Option<String>,
    s3_region: Option<String>,
    s3_access_key_id: Option<String>,
    s3_secret_access_key: Option<Secret>,
    s3_allow_http: Option<bool>,
    s3_prefix: Option<String>,
}

pub(crate) fn settings_file(path: &Path) -> anyhow::Result<SettingsFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the settings file {}", path.display()))?;
    toml::from_str(&text)
        .with_context(|| format!("the settings file {} is invalid", path.display()))
}

/// Sets `target` to the file's `value` when the file has the setting and neither a flag nor an
/// environment variable set argument `id`.
fn fill<T>(target: &mut T, value: Option<T>, matches: &ArgMatches, id: &str) {
    let set_elsewhere = matches!(
        matches.value_source(id),
        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
    );
    if let Some(value) = value
        && !set_elsewhere
    {
        *target = value;
    }
}

impl SettingsFile {
    /// Sets each setting the file has and neither a flag nor an environment variable set.
    pub(crate) fn apply(self, cli: &mut Cli, matches: &ArgMatches) {
        fill(&mut cli.data_dir, self.data_dir, matches, "data_dir");
        fill(
            &mut cli.database_url,
            self.database_url.map(Some),
            matches,
            "database_url",
        );
        let s3 = &mut cli.s3;
        fill(
            &mut s3.s3_bucket,
            self.s3_bucket.map(Some),
            matches,
            "s3_bucket",
        );
        fill(
            &mut s3.s3_endpoint,
            self.s3_endpoint.map(Some),
            matches,
            "s3_endpoint",
        );
        fill(&mut s3.s3_region, self.s3_region, matches, "s3_region");
        fill(
            &mut s3.s3_access_key_id,
            self.s3_access_key_id.map(Some),
            matches,
            "s3_access_key_id",
        );
        fill(
            &mut s3.s3_secret_access_key,
            self.s3_secret_access_key.map(Some),
            matches,
            "s3_secret_access_key",
        );
        fill(
            &mut s3.s3_allow_http,
            self.s3_allow_http,
            matches,
            "s3_allow_http",
        );
        fill(
            &mut s3.s3_prefix,
            self.s3_prefix.map(Some),
            matches,
            "s3_prefix",
        );
        let (Command::Serve(args), Some(("serve", serve))) =
            (&mut cli.command, matches.subcommand())
        else {
            return;
        };
        fill(&mut args.listen, self.listen, serve, "listen");
        fill(
            &mut args.max_body_bytes,
            self.max_body_bytes,
            serve,
            "max_body_bytes",
        );
        fill(
            &mut args.max_blob_bytes,
            self.max_blob_bytes,
            serve,
            "max_blob_bytes",
        );
    }
}
