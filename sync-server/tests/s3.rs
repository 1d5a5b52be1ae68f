//! Attachment blobs in a real S3-compatible object store: `s3s-fs` (an S3 server over a
//! directory, installed by `cargo xtask setup`) on a free port, used by the server through the
//! library's configuration and through the binary's settings file and environment, and emptied
//! of a tenant's objects by `tenant purge`.

mod common;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use crm_model::Role;
use crm_sync_server::{Config, Limits, RunningServer, S3Config, Secret, ServerError};
use sha2::{Digest as _, Sha256};

const BINARY: &str = env!("CARGO_BIN_EXE_crm-sync-server");
const ACCESS_KEY: &str = "crm-test-access-key";
const SECRET_KEY: &str = "crm-test-secret-5c1f9e";
const BUCKET: &str = "crm-blobs";
const MAX_BLOB_BYTES: usize = 1024;

/// The `s3s-fs` binary: `CRM_S3S_FS` (set by `cargo xtask test`), else where `cargo xtask
/// setup` installs it.
fn s3s_fs() -> PathBuf {
    if let Some(path) = std::env::var_os("CRM_S3S_FS") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "CRM_S3S_FS={} is not a file; run `cargo xtask setup` to install s3s-fs",
            path.display()
        );
        return path;
    }
    let installed = std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".cache/crm/tools/bin/s3s-fs"))
        .filter(|path| path.is_file());
    installed.unwrap_or_else(|| {
        panic!(
            "the S3 tests need s3s-fs, an S3-compatible server: run `cargo xtask setup`, which \
             installs it into ~/.cache/crm/tools, or set CRM_S3S_FS to an s3s-fs binary"
        )
    })
}

/// An `s3s-fs` process with one bucket, [`BUCKET`], and one key pair; killed when dropped.
struct S3Server {
    child: Child,
    directory: tempfile::TempDir,
    endpoint: String,
}

impl S3Server {
    fn start() -> S3Server {
        let directory = tempfile::tempdir().expect("temp dir");
        let root = directory.path().join("s3");
        // s3s-fs keeps a bucket as a directory under its root.
        std::fs::create_dir_all(root.join(BUCKET)).expect("creates the bucket");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let log = std::fs::File::create(directory.path().join("s3s-fs.log")).expect("log file");
        let mut child = Command::new(s3s_fs())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(&root)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("s3s-fs starts");
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(address).is_err() {
            if let Some(status) = child.try_wait().expect("s3s-fs status") {
                let log = std::fs::read_to_string(directory.path().join("s3s-fs.log"));
                panic!("s3s-fs exited ({status}): {log:?}");
            }
            assert!(
                Instant::now() < deadline,
                "s3s-fs does not listen on {address}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        S3Server {
            child,
            directory,
            endpoint: format!("http://{address}"),
        }
    }

    /// The bucket's directory: an object `KEY` is the file `KEY` under it.
    fn bucket_dir(&self) -> PathBuf {
        self.directory.path().join("s3").join(BUCKET)
    }

    /// The keys of the bucket's objects, sorted (without the files s3s-fs keeps for itself,
    /// whose names start with a dot).
    fn objects(&self) -> Vec<String> {
        files_under(&self.bucket_dir())
            .into_iter()
            .filter(|file| !file.starts_with('.') && !file.contains("/."))
            .collect()
    }

    fn config(&self) -> S3Config {
        S3Config {
            bucket: BUCKET.to_owned(),
            endpoint: Some(self.endpoint.clone()),
            region: S3Config::DEFAULT_REGION.to_owned(),
            access_key_id: ACCESS_KEY.to_owned(),
            secret_access_key: Secret::new(SECRET_KEY),
            allow_http: true,
            prefix: Some("crm/attachments".to_owned()),
        }
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        if let Err(error) = self.child.kill().and_then(|()| self.child.wait().map(drop)) {
            eprintln!("stopping s3s-fs: {error}");
        }
    }
}

async fn start_with_s3(data_dir: &Path, s3: S3Config) -> Result<RunningServer, ServerError> {
    let config = Config {
        s3: Some(s3),
        limits: Limits {
            max_blob_bytes: MAX_BLOB_BYTES,
            ..Limits::default()
        },
        ..Config::new(data_dir)
    };
    crm_sync_server::start(&config, "127.0.0.1:0".parse().expect("address")).await
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

async fn put(api: &Api, name: &str, body: Vec<u8>) -> reqwest::Response {
    api.request(reqwest::Method::PUT, &format!("/v1/blobs/{name}"))
        .body(body)
        .send()
        .await
        .expect("sent")
}

async fn get(api: &Api, name: &str) -> reqwest::Response {
    api.request(reqwest::Method::GET, &format!("/v1/blobs/{name}"))
        .send()
        .await
        .expect("sent")
}

/// Every file under `directory`, relative to it, sorted.
fn files_under(directory: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut pending = vec![directory.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).expect("lists") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(directory).expect("under it");
                files.push(relative.display().to_string());
            }
        }
    }
    files.sort();
    files
}

#[tokio::test]
async fn blobs_are_kept_in_the_bucket_per_tenant_and_checked_first() {
    let s3 = S3Server::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_with_s3(dir.path(), s3.config())
        .await
        .expect("server starts");
    let admin_commands = admin(dir.path()).await;
    add_user(&admin_commands, "acme", "a@acme.example", Role::SalesRep).await;
    add_user(&admin_commands, "globex", "g@globex.example", Role::Admin).await;
    let (acme, acme_session) = sign_in(&server, "acme", "a@acme.example").await;
    let (globex, globex_session) = sign_in(&server, "globex", "g@globex.example").await;

    let bytes = b"%PDF-1.7 a quote kept in S3".to_vec();
    let name = sha256(&bytes);
    assert_eq!(put(&acme, &name, bytes.clone()).await.status(), 204);
    assert_eq!(
        put(&acme, &name, bytes.clone()).await.status(),
        204,
        "again"
    );
    let fetched = get(&acme, &name).await;
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.expect("body").to_vec(), bytes);

    for (api, name, body, expected) in [
        (&globex, name.clone(), None, (404, "not_found")),
        (
            &acme,
            sha256(b"other"),
            Some(bytes.clone()),
            (400, "bad_request"),
        ),
        (
            &acme,
            sha256(&[7; 2048]),
            Some(vec![7; 2048]),
            (413, "too_large"),
        ),
    ] {
        let response = match body {
            Some(body) => put(api, &name, body).await,
            None => get(api, &name).await,
        };
        assert_eq!(
            failure(response).await,
            (expected.0, expected.1.to_owned()),
            "{name}"
        );
    }

    // The same bytes from another tenant are another object.
    assert_eq!(put(&globex, &name, bytes.clone()).await.status(), 204);
    let acme_key = format!("crm/attachments/{}/{name}", acme_session.tenant_id);
    let globex_key = format!("crm/attachments/{}/{name}", globex_session.tenant_id);
    let mut expected = vec![
        acme_key.clone(),
        globex_key,
        "crm/attachments/crm-sync-server-check".to_owned(),
    ];
    expected.sort();
    assert_eq!(
        s3.objects(),
        expected,
        "only checked uploads reach the bucket"
    );
    assert_eq!(
        std::fs::read(s3.bucket_dir().join(&acme_key)).expect("the object"),
        bytes
    );
    assert!(
        !dir.path().join("blobs").exists(),
        "nothing is kept under the data dir"
    );
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn a_bucket_the_server_cannot_write_to_stops_it_at_startup() {
    let s3 = S3Server::start();
    // (A missing bucket is not among the cases: s3s-fs creates one on the first write.)
    let cases: [(&str, S3Config, &str); 5] = [
        (
            "no object store at the endpoint",
            S3Config {
                endpoint: Some(format!("http://{}", free_address())),
                ..s3.config()
            },
            "S3 bucket crm-blobs",
        ),
        (
            "unknown access key",
            S3Config {
                access_key_id: "someone-else".to_owned(),
                ..s3.config()
            },
            "403",
        ),
        (
            "wrong secret key",
            S3Config {
                secret_access_key: Secret::new("not-the-secret"),
                ..s3.config()
            },
            "403",
        ),
        (
            "plain HTTP not allowed",
            S3Config {
                allow_http: false,
                ..s3.config()
            },
            "--s3-allow-http",
        ),
        (
            "a prefix with an empty segment",
            S3Config {
                prefix: Some("crm//attachments".to_owned()),
                ..s3.config()
            },
            "prefix",
        ),
    ];
    for (case, config, expected) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        let error = match start_with_s3(dir.path(), config).await {
            Ok(server) => {
                server.stop().await.expect("stops");
                panic!("{case}: the server started");
            }
            Err(error) => error.to_string(),
        };
        assert!(error.contains(expected), "{case}: {error}");
        assert!(!error.contains("not-the-secret"), "{case}: {error}");
    }
}

fn free_address() -> String {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .to_string()
}

/// `crm-sync-server ARGS` with no `CRM_*` setting from the test's own environment.
fn binary(args: &[&str]) -> Command {
    let mut command = Command::new(BINARY);
    command.args(args);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("CRM_") {
            command.env_remove(name);
        }
    }
    command
}

#[tokio::test]
async fn serve_takes_the_bucket_from_the_settings_file_and_never_logs_the_secret() {
    let s3 = S3Server::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let listen = free_address();
    let settings = dir.path().join("crm-sync-server.toml");
    std::fs::write(
        &settings,
        format!(
            "data-dir = {data_dir:?}\nlisten = \"{listen}\"\ns3-bucket = \"{BUCKET}\"\n\
             s3-endpoint = \"{endpoint}\"\ns3-region = \"eu-central-1\"\n\
             s3-access-key-id = \"{ACCESS_KEY}\"\ns3-allow-http = true\ns3-prefix = \"from-file\"\n",
            data_dir = dir.path().join("data").display().to_string(),
            endpoint = s3.endpoint,
        ),
    )
    .expect("writes");
    let log_path = dir.path().join("server.log");
    let mut child = binary(&["serve", "--config"])
        .arg(&settings)
        .env("CRM_S3_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).expect("log file"))
        .spawn()
        .expect("starts");
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = http.get(format!("http://{listen}/readyz")).send().await
            && response.status().is_success()
        {
            break;
        }
        if let Some(status) = child.try_wait().expect("status") {
            panic!(
                "the server exited ({status}): {}",
                std::fs::read_to_string(&log_path).unwrap_or_default()
            );
        }
        assert!(Instant::now() < deadline, "the server does not answer");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    child.kill().expect("stops");
    child.wait().expect("reaped");

    assert!(
        s3.bucket_dir()
            .join("from-file")
            .join("crm-sync-server-check")
            .is_file(),
        "the server wrote its check object under the file's prefix"
    );
    let log = std::fs::read_to_string(&log_path).expect("log");
    assert!(log.contains("S3 bucket crm-blobs"), "{log}");
    assert!(
        !log.contains(SECRET_KEY),
        "the secret is in the log:\n{log}"
    );
}

#[test]
fn s3_settings_without_a_bucket_or_credentials_are_refused() {
    for (args, expected) in [
        (
            &["--s3-endpoint", "http://127.0.0.1:9000"][..],
            "without a bucket",
        ),
        (&["--s3-bucket", "crm"][..], "needs credentials"),
        (
            &["--s3-bucket", "crm", "--s3-access-key-id", "id"][..],
            "needs credentials",
        ),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let output = binary(&["serve", "--data-dir"])
            .arg(dir.path())
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{args:?}");
        let error = String::from_utf8_lossy(&output.stderr);
        assert!(error.contains(expected), "{args:?}: {error}");
    }
}

#[tokio::test]
async fn a_purge_deletes_the_tenants_objects_and_no_others() {
    let s3 = S3Server::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_with_s3(dir.path(), s3.config())
        .await
        .expect("server starts");
    let admin_commands = admin(dir.path()).await;
    add_user(&admin_commands, "acme", "a@acme.example", Role::Admin).await;
    add_user(&admin_commands, "globex", "g@globex.example", Role::Admin).await;
    let (acme, acme_session) = sign_in(&server, "acme", "a@acme.example").await;
    let (globex, globex_session) = sign_in(&server, "globex", "g@globex.example").await;
    let same_bytes = b"%PDF-1.7 the same quote".as_slice();
    upload_blob(&acme, same_bytes).await;
    upload_blob(&acme, b"acme's invoice").await;
    let globex_blob = upload_blob(&globex, same_bytes).await;
    let acme_keys = format!("crm/attachments/{}/", acme_session.tenant_id);
    let acme_objects = || {
        s3.objects()
            .into_iter()
            .filter(|key| key.starts_with(&acme_keys))
            .count()
    };
    assert_eq!(acme_objects(), 2);

    // As an admin runs it: the S3 settings of `serve`, as flags and in the environment.
    let purge = |tenant: &str, secret: &str| {
        binary(&["--data-dir"])
            .arg(dir.path())
            .args(["tenant", "purge", tenant, "--yes", "--s3-bucket", BUCKET])
            .args(["--s3-endpoint", &s3.endpoint, "--s3-allow-http"])
            .args(["--s3-prefix", "crm/attachments"])
            .args(["--s3-access-key-id", ACCESS_KEY])
            .env("CRM_S3_SECRET_ACCESS_KEY", secret)
            .output()
            .expect("runs")
    };
    let refused = purge("acme", "not-the-secret");
    assert!(!refused.status.success(), "a wrong secret is refused");
    assert!(
        admin_commands.tenant("acme").await.is_ok() && acme_objects() == 2,
        "a bucket the purge cannot write to stops it before anything is deleted"
    );
    let purged = purge("acme", SECRET_KEY);
    assert!(
        purged.status.success(),
        "{}",
        String::from_utf8_lossy(&purged.stderr)
    );

    assert_eq!(acme.status("/v1/pull?since=0").await, 401);
    let mut expected = vec![
        format!("crm/attachments/{}/{globex_blob}", globex_session.tenant_id),
        "crm/attachments/crm-sync-server-check".to_owned(),
    ];
    expected.sort();
    assert_eq!(s3.objects(), expected, "only acme's objects are deleted");
    let fetched = get(&globex, &globex_blob).await;
    assert_eq!(fetched.bytes().await.expect("body").as_ref(), same_bytes);
    server.stop().await.expect("stops");
}
