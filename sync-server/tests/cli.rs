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
