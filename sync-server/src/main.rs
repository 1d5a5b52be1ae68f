//! `crm-sync-server`: the binary admins run. `serve` starts the sync server; the admin
//! commands (tenants, users, devices, backups) come with real authentication.

use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use crm_sync_server::{AppState, Config, DevToken, Limits, Startup};
use tracing_subscriber::EnvFilter;

/// The CRM sync server: keeps every tenant's records and change feed, and lets the desktop
/// apps push and pull their changes. Logs go to stderr; set RUST_LOG (e.g. `debug`) for more.
#[derive(Debug, Parser)]
#[command(name = "crm-sync-server", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the sync API over HTTP until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Directory holding the server's data (the SQLite database `sync.sqlite3`). Created if
    /// missing. Back it up to back up the server.
    #[arg(long, env = "CRM_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,

    /// Address and port to listen on. Keep it on loopback behind a TLS reverse proxy, or use
    /// 0.0.0.0:PORT to accept connections from other machines.
    #[arg(long, env = "CRM_LISTEN", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,

    /// Token of the development device (Admin of the single development tenant), for use until
    /// real sign-in exists. Stored hashed; replaces the previous one. When not given on the
    /// first start, one is generated and printed once on stdout.
    #[arg(long, env = "CRM_DEV_TOKEN", hide_env_values = true)]
    dev_token: Option<String>,

    /// Largest request body accepted, in bytes; larger requests answer 413.
    #[arg(long, env = "CRM_MAX_BODY_BYTES", default_value_t = Limits::default().max_body_bytes)]
    max_body_bytes: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match Cli::parse().command {
        Command::Serve(args) => serve(args).await,
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let config = Config {
        data_dir: args.data_dir,
        dev_token: args.dev_token,
        limits: Limits {
            max_body_bytes: args.max_body_bytes,
            ..Limits::default()
        },
    };
    let Startup { state, dev_token } = AppState::open(&config).await.with_context(|| {
        format!(
            "cannot open the data directory {}",
            config.data_dir.display()
        )
    })?;
    match dev_token {
        DevToken::Generated(token) => {
            println!("Development token (shown only once, keep it): {token}");
            tracing::info!("generated a development token and printed it on stdout");
        }
        DevToken::Configured => tracing::info!("development token set from the configuration"),
        DevToken::Existing => tracing::info!("using the development token stored earlier"),
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(address = %listener.local_addr()?, data_dir = %config.data_dir.display(), "serving");
    crm_sync_server::serve(listener, state, shutdown_signal())
        .await
        .context("server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM (what systemd and container runtimes send).
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down; finishing requests in flight");
}
