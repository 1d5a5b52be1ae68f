//! The `crm-sync-server` binary as an admin runs it: `serve` on a fresh data dir prints a
//! development token once, answers, and stops cleanly on SIGTERM.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use crm_protocol::sync::{PROTOCOL_HEADER, PROTOCOL_VERSION, PullResponse};

const BINARY: &str = env!("CARGO_BIN_EXE_crm-sync-server");

#[test]
fn help_explains_every_setting() {
    let output = Command::new(BINARY)
        .args(["serve", "--help"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).expect("utf-8");
    for setting in [
        "--data-dir",
        "CRM_DATA_DIR",
        "./data",
        "--listen",
        "CRM_LISTEN",
        "127.0.0.1:8787",
        "--dev-token",
        "CRM_DEV_TOKEN",
        "--max-body-bytes",
        "--s3-bucket",
        "CRM_S3_BUCKET",
        "--s3-endpoint",
        "--s3-region",
        "--s3-access-key-id",
        "--s3-secret-access-key",
        "CRM_S3_SECRET_ACCESS_KEY",
        "--s3-allow-http",
        "--s3-prefix",
    ] {
        assert!(help.contains(setting), "help mentions {setting}:\n{help}");
    }
}

#[tokio::test]
async fn serve_prints_a_token_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(BINARY)
        .args(["serve", "--data-dir"])
        .arg(dir.path().join("data"))
        .args(["--listen", "127.0.0.1:0", "--dev-token"])
        .env_remove("CRM_DEV_TOKEN")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");

    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("reads stdout");
    let token = line.trim().rsplit(' ').next().expect("a token").to_owned();
    assert!(token.starts_with("crm_"), "{line}");

    let stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut lines = stderr.lines();
    let address = lines
        .by_ref()
        .map(|line| line.expect("reads stderr"))
        .find_map(|line| {
            let start = line.find("address=")? + "address=".len();
            line[start..].split_whitespace().next().map(str::to_owned)
        })
        .expect("logs its address");

    let http = reqwest::Client::new();
    let health = http
        .get(format!("http://{address}/healthz"))
        .send()
        .await
        .expect("sent");
    assert_eq!(health.text().await.expect("body"), "ok");
    let pull: PullResponse = http
        .get(format!("http://{address}/v1/pull?since=0"))
        .bearer_auth(&token)
        .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("a pull response");
    assert_eq!(pull.cursor, 0);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("exits");
    assert!(
        status.success(),
        "a SIGTERM stops the server cleanly: {status}"
    );
    let rest: Vec<String> = lines.map(|line| line.expect("reads stderr")).collect();
    assert!(rest.iter().any(|line| line.contains("stopped")), "{rest:?}");
}

fn free_address() -> String {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .to_string()
}

async fn ready(address: &str) -> bool {
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(response) = http.get(format!("http://{address}/readyz")).send().await
            && response.status().is_success()
        {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    false
}

#[tokio::test]
async fn a_settings_file_configures_serve_and_flags_override_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let from_file = free_address();
    let settings = dir.path().join("crm-sync-server.toml");
    std::fs::write(
        &settings,
        format!(
            "data-dir = {:?}\nlisten = \"{from_file}\"\nmax-body-bytes = 1048576\n",
            dir.path().join("from-file").display().to_string()
        ),
    )
    .expect("writes");
    let serve = |extra: &[&str]| {
        Command::new(BINARY)
            .args(["serve", "--config"])
            .arg(&settings)
            .args(extra)
            .env_remove("CRM_DATA_DIR")
            .env_remove("CRM_LISTEN")
            .env_remove("CRM_CONFIG")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starts")
    };

    let mut child = serve(&[]);
    assert!(ready(&from_file).await, "listens where the file says");
    assert!(dir.path().join("from-file").join("sync.sqlite3").is_file());
    child.kill().expect("stops");
    child.wait().expect("reaped");

    let from_flag = free_address();
    let mut child = serve(&["--listen", &from_flag]);
    assert!(ready(&from_flag).await, "the flag wins over the file");
    child.kill().expect("stops");
    child.wait().expect("reaped");
}

#[test]
fn an_unknown_setting_in_the_file_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = dir.path().join("bad.toml");
    std::fs::write(&settings, "data-dir = \"x\"\nlisten-port = 80\n").expect("writes");
    let output = Command::new(BINARY)
        .args(["serve", "--config"])
        .arg(&settings)
        .env_remove("CRM_CONFIG")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("listen-port"), "{error}");
    assert!(error.contains("bad.toml"), "{error}");
}
