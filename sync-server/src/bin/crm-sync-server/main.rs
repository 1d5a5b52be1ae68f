//! `crm-sync-server`: the binary admins run. `serve` starts the sync server; the other
//! commands administer the same data directory (or database): tenants, users, devices,
//! backups and GDPR erase. They may run while the server runs.

mod settings;

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::{Args, Parser, Subcommand};
use crm_model::{DeviceId, RecordId, Role};
use crm_sync_server::{Admin, AppState, Config, DevToken, Limits, Startup, TenantDump};
use tracing_subscriber::EnvFilter;

use crate::settings::{S3Args, settings_file};

/// The CRM sync server: keeps every tenant's records and change feed, and lets the desktop
/// apps push and pull their changes. Logs go to stderr; set RUST_LOG (e.g. `debug`) for more.
///
/// Every command works on the store chosen by --data-dir / CRM_DATA_DIR (SQLite) or
/// --database-url / CRM_DATABASE_URL (PostgreSQL).
///
/// Settings come from flags, then environment variables, then the file given by --config /
/// CRM_CONFIG (TOML, the flags' names as keys: `data-dir`, `database-url`, `listen`,
/// `max-body-bytes`, `max-blob-bytes`, `s3-bucket`, `s3-endpoint`, ...), then the defaults.
///
/// Attachment files are kept under --data-dir, or in an S3-compatible bucket with --s3-bucket;
/// give `tenant purge` the same S3 settings as `serve`, as it deletes the tenant's attachments.
#[derive(Debug, Parser)]
#[command(name = "crm-sync-server", version)]
pub(crate) struct Cli {
    /// A TOML file of settings, e.g. `/etc/crm-sync-server.toml`; flags and environment
    /// variables override it.
    #[arg(long, env = "CRM_CONFIG", global = true)]
    pub(crate) config: Option<PathBuf>,

    /// Directory holding the server's data: the SQLite database `sync.sqlite3` and the
    /// attachment blobs (`blobs/`). Created if missing. Back it up to back up the server.
    #[arg(long, env = "CRM_DATA_DIR", default_value = "./data", global = true)]
    pub(crate) data_dir: PathBuf,

    /// Keep the data in PostgreSQL instead of SQLite, e.g. `postgres://crm@127.0.0.1/crm`
    /// (no TLS: use a Unix socket `postgres://crm@%2Frun%2Fpostgresql/crm` or a trusted
    /// network). Several `serve` nodes may share one database. Attachment files stay under
    /// --data-dir unless --s3-bucket is set.
    #[arg(long, env = "CRM_DATABASE_URL", hide_env_values = true, global = true)]
    pub(crate) database_url: Option<String>,

    #[command(flatten)]
    pub(crate) s3: S3Args,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Serve the sync API over HTTP until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Create, list, disable, back up, restore and purge tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Add users, change their role, disable them, reset their password.
    #[command(subcommand)]
    User(UserCommand),
    /// List and revoke signed-in devices.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// GDPR: erase a record for good.
    #[command(subcommand)]
    Record(RecordCommand),
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address and port to listen on. Keep it on loopback behind a TLS reverse proxy, or use
    /// 0.0.0.0:PORT to accept connections from other machines.
    #[arg(long, env = "CRM_LISTEN", default_value = "127.0.0.1:8787")]
    pub(crate) listen: SocketAddr,

    /// Development mode: a development tenant whose Admin device uses this token (stored
    /// hashed). Without a value, the token of an earlier development start is kept, or one is
    /// generated and printed once on stdout. Without this flag no development token works.
    #[arg(
        long,
        env = "CRM_DEV_TOKEN",
        hide_env_values = true,
        num_args = 0..=1,
        default_missing_value = ""
    )]
    dev_token: Option<String>,

    /// Largest request body accepted, in bytes; larger requests answer 413.
    #[arg(long, env = "CRM_MAX_BODY_BYTES", default_value_t = Limits::default().max_body_bytes)]
    pub(crate) max_body_bytes: usize,

    /// Largest attachment accepted, in bytes; larger uploads answer 413.
    #[arg(long, env = "CRM_MAX_BLOB_BYTES", default_value_t = Limits::default().max_blob_bytes)]
    pub(crate) max_blob_bytes: usize,
}

#[derive(Debug, Subcommand)]
enum TenantCommand {
    /// Create a tenant. Users sign in with its slug, e.g. `acme`.
    Create {
        /// Short name users type when signing in: lowercase letters, digits, dashes.
        slug: String,
        /// Display name, e.g. "Acme Ltd".
        #[arg(long)]
        name: String,
    },
    /// List tenants: id, slug, feed length, status, name.
    List,
    /// Disable a tenant: its devices stop working at once; its data stays.
    Disable { slug: String },
    /// Enable a disabled tenant again.
    Enable { slug: String },
    /// Write a tenant (users, devices, documents, feed) to a backup file (JSON, mode 0600: it
    /// holds password hashes). Attachment files are not in it: back up `<data-dir>/blobs/` (or
    /// the S3 bucket).
    Export {
        slug: String,
        /// The backup file to write; must not exist.
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Restore a tenant from a backup file into a server that does not have it.
    Import {
        /// A file written by `tenant export`.
        file: PathBuf,
    },
    /// Delete a tenant and everything it has, its attachments included (under --data-dir, or
    /// in the bucket of --s3-bucket: give it the same S3 settings as `serve`). Cannot be undone:
    /// export it first, and copy its attachments (an export has none).
    Purge {
        slug: String,
        /// Confirms that the tenant's data is to be deleted.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Args)]
struct UserSelector {
    /// The tenant's slug.
    #[arg(long)]
    tenant: String,
    /// The user's email (case does not matter).
    #[arg(long)]
    email: String,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user. The password is read from --password-file, or else from the first line of
    /// stdin; at least 10 characters.
    Add {
        #[command(flatten)]
        user: UserSelector,
        /// Display name, e.g. "Anna Schmidt".
        #[arg(long)]
        name: String,
        /// ADMIN, MANAGER, SALES_REP or USER (spec §6).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// File whose first line is the password.
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// List a tenant's users.
    List {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
    },
    /// Change a user's role; it applies to their next push.
    SetRole {
        #[command(flatten)]
        user: UserSelector,
        /// ADMIN, MANAGER, SALES_REP or USER.
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Disable a user: their devices stop working at once.
    Disable {
        #[command(flatten)]
        user: UserSelector,
    },
    /// Enable a disabled user again.
    Enable {
        #[command(flatten)]
        user: UserSelector,
    },
    /// Set a new password (from --password-file or stdin). Signed-in devices keep working;
    /// revoke them to sign them out.
    ResetPassword {
        #[command(flatten)]
        user: UserSelector,
        /// File whose first line is the password.
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum DeviceCommand {
    /// List a tenant's devices: id, user, status, name.
    List {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
    },
    /// Revoke a device: its token stops working at once; the user signs in again.
    Revoke {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        /// The device id, as `device list` shows it.
        device: uuid::Uuid,
    },
}

#[derive(Debug, Subcommand)]
enum RecordCommand {
    /// Delete a record's document and every change of it from the server (GDPR erase).
    /// Devices that have it purge their copy at their next sync (within their sync interval,
    /// at once on PostgreSQL); pushes to the record are refused from now on. Cannot be undone.
    Erase {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        /// The record id.
        record: uuid::Uuid,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    let normalized = text.trim().to_uppercase().replace('-', "_");
    Role::parse(&normalized).ok_or_else(|| {
        let known: Vec<&str> = Role::ALL.iter().map(|role| role.as_str()).collect();
        format!("unknown role {text:?}; one of {}", known.join(", "))
    })
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
    let matches = <Cli as clap::CommandFactory>::command().get_matches();
    let mut cli = <Cli as clap::FromArgMatches>::from_arg_matches(&matches)?;
    if let Some(path) = cli.config.clone() {
        settings_file(&path)?.apply(&mut cli, &matches);
    }
    let config = Config {
        database_url: cli.database_url,
        s3: cli.s3.config()?,
        ..Config::new(cli.data_dir)
    };
    match cli.command {
        Command::Serve(args) => serve(config, args).await,
        Command::Tenant(command) => tenant(&admin(&config).await?, command).await,
        Command::User(command) => user(&admin(&config).await?, command).await,
        Command::Device(command) => device(&admin(&config).await?, command).await,
        Command::Record(RecordCommand::Erase { tenant, record }) => {
            let feed_head = admin(&config)
                .await?
                .erase_record(&tenant, RecordId(record))
                .await?;
            println!(
                "erased record {record} of tenant {tenant}; devices purge it when they pull past \
                 feed position {feed_head}"
            );
            Ok(())
        }
    }
}

async fn admin(config: &Config) -> anyhow::Result<Admin> {
    Admin::open(config).await.with_context(|| {
        format!(
            "cannot open the data directory {}",
            config.data_dir.display()
        )
    })
}

async fn tenant(admin: &Admin, command: TenantCommand) -> anyhow::Result<()> {
    match command {
        TenantCommand::Create { slug, name } => {
            let tenant = admin.create_tenant(&slug, &name).await?;
            println!("created tenant {} ({})", tenant.slug, tenant.id);
        }
        TenantCommand::List => {
            for tenant in admin.list_tenants().await? {
                let status = if tenant.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                };
                println!(
                    "{}  {:<20} feed {:<8} {:<8} {}",
                    tenant.id, tenant.slug, tenant.feed_head, status, tenant.name
                );
            }
        }
        TenantCommand::Disable { slug } => {
            admin.set_tenant_disabled(&slug, true).await?;
            println!("disabled tenant {slug}");
        }
        TenantCommand::Enable { slug } => {
            admin.set_tenant_disabled(&slug, false).await?;
            println!("enabled tenant {slug}");
        }
        TenantCommand::Export { slug, output } => {
            let dump = admin.export_tenant(&slug).await?;
            write_private(&output, &serde_json::to_vec(&dump)?)?;
            println!(
                "exported tenant {slug}: {} users, {} documents, {} feed entries to {}",
                dump.users.len(),
                dump.documents.len(),
                dump.feed.len(),
                output.display()
            );
        }
        TenantCommand::Import { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let dump: TenantDump = serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not a tenant backup", file.display()))?;
            let tenant = admin.import_tenant(dump).await?;
            println!("imported tenant {} ({})", tenant.slug, tenant.id);
        }
        TenantCommand::Purge { slug, yes } => {
            if !yes {
                bail!("purging deletes all of tenant {slug}'s data; add --yes to confirm");
            }
            admin.purge_tenant(&slug).await?;
            println!("purged tenant {slug}");
        }
    }
    Ok(())
}

async fn user(admin: &Admin, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            user,
            name,
            role,
            password_file,
        } => {
            let password = read_password(password_file.as_deref())?;
            let added = admin
                .add_user(&user.tenant, &user.email, &name, role, &password)
                .await?;
            println!("added user {} ({})", added.email, added.id);
        }
        UserCommand::List { tenant } => {
            for user in admin.list_users(&tenant).await? {
                println!("{user}");
            }
        }
        UserCommand::SetRole { user, role } => {
            admin.set_role(&user.tenant, &user.email, role).await?;
            println!("{} is now {}", user.email, role.as_str());
        }
        UserCommand::Disable { user } => {
            admin
                .set_user_disabled(&user.tenant, &user.email, true)
                .await?;
            println!("disabled user {}", user.email);
        }
        UserCommand::Enable { user } => {
            admin
                .set_user_disabled(&user.tenant, &user.email, false)
                .await?;
            println!("enabled user {}", user.email);
        }
        UserCommand::ResetPassword {
            user,
            password_file,
        } => {
            let password = read_password(password_file.as_deref())?;
            admin
                .reset_password(&user.tenant, &user.email, &password)
                .await?;
            println!("set a new password for {}", user.email);
        }
    }
    Ok(())
}

async fn device(admin: &Admin, command: DeviceCommand) -> anyhow::Result<()> {
    match command {
        DeviceCommand::List { tenant } => {
            for device in admin.list_devices(&tenant).await? {
                let status = if device.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{}  user {}  {:<8} {}",
                    device.id, device.user, status, device.name
                );
            }
        }
        DeviceCommand::Revoke { tenant, device } => {
            admin.revoke_device(&tenant, DeviceId(device)).await?;
            println!("revoked device {device}");
        }
    }
    Ok(())
}

/// The first line of `file`, or of stdin.
fn read_password(file: Option<&Path>) -> anyhow::Result<String> {
    let mut line = String::new();
    match file {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            line = text.lines().next().unwrap_or_default().to_owned();
        }
        None => {
            if std::io::stdin().is_terminal() {
                eprint!("Password (shown as typed; prefer --password-file): ");
            }
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the password from stdin")?;
        }
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Writes a new file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

async fn serve(mut config: Config, args: ServeArgs) -> anyhow::Result<()> {
    match args.dev_token {
        Some(token) if token.is_empty() => config.dev_mode = true,
        token => config.dev_token = token,
    }
    config.limits = Limits {
        max_body_bytes: args.max_body_bytes,
        max_blob_bytes: args.max_blob_bytes,
        ..Limits::default()
    };
    let Startup { state, dev_token } = AppState::open(&config).await.with_context(|| {
        format!(
            "cannot open the server's data (data directory {})",
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
        DevToken::Disabled => {}
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
