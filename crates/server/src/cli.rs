//! The command line: `confab serve` and the `confab admin …` subcommands for scripts.

use std::{io::Read, net::SocketAddr, path::PathBuf};

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use confab_proto::{rest::CreateUser, AccountRole, TenantId};
use confab_store::Store;

use crate::{config::Config, open_store, provision};

/// Confab: self-hosted web conferencing.
#[derive(Debug, Parser)]
#[command(name = "confab", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (embedded SQLite in the data directory; no configuration needed).
    Serve(ServeArgs),
    /// Manage organisations, users and API tokens directly in the database.
    Admin(AdminArgs),
    /// Print the OpenAPI document of the REST API.
    Openapi,
}

/// Where the configuration comes from; flags and environment variables win over the file.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// TOML configuration file (see confab.sample.toml).
    #[arg(long, env = "CONFAB_CONFIG")]
    pub config: Option<PathBuf>,
    /// Data directory (database).
    #[arg(long, env = "CONFAB_DATA")]
    pub data: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Address and port to listen on, e.g. 0.0.0.0:8080.
    #[arg(long, env = "CONFAB_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// The URL people reach this server at (for join links), e.g. https://meet.example.org.
    #[arg(long, env = "CONFAB_PUBLIC_URL")]
    pub public_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Organisations.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// User accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens for integrations.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create an organisation; prints its id.
    Create {
        #[arg(long)]
        name: String,
        /// Where its data lives, e.g. eu-central.
        #[arg(long)]
        region: String,
    },
    /// List organisations (id, region, name).
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; prints its id. The password is read from standard input
    /// with --password-stdin, or generated and printed.
    Create {
        /// Organisation id (default: the first one).
        #[arg(long)]
        tenant: Option<TenantId>,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// provider_admin, tenant_admin, organizer or member.
        #[arg(long, default_value = "organizer")]
        role: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the users of an organisation.
    List {
        #[arg(long)]
        tenant: Option<TenantId>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; prints the secret (shown only once).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The organisation of the user, when several have this address (default: the
        /// only one that has it).
        #[arg(long)]
        tenant: Option<TenantId>,
        /// Days until the token stops working (default: until revoked).
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
}

fn load_config(args: &ConfigArgs) -> anyhow::Result<Config> {
    let mut config = match &args.config {
        Some(path) => Config::from_file(path)?,
        None => Config::default(),
    };
    if let Some(data) = &args.data {
        config.data = data.clone();
    }
    Ok(config)
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Admin(args) => admin(args).await,
        Command::Openapi => {
            use utoipa::OpenApi;
            println!(
                "{}",
                crate::api::openapi::ApiDoc::openapi().to_pretty_json()?
            );
            Ok(())
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut config = load_config(&args.config)?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(url) = args.public_url {
        config.public_url = Some(url);
    }
    let server = crate::start(config).await?;
    println!("Confab is serving at {}", server.url);
    if let Some((email, password)) = &server.first_admin {
        // Printed once, to the terminal only (never to the log).
        println!();
        println!("First start: created the organisation \"Default\" and its administrator.");
        println!("  Sign in at {}/login", server.url);
        println!("  e-mail:   {email}");
        println!("  password: {password}");
        println!("This password is not shown again; change it after signing in.");
    }
    let token = server.shutdown_token();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: telling participants, flushing");
        token.cancel();
    });
    server.wait().await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

async fn tenant_or_first(
    store: &Store,
    id: Option<TenantId>,
) -> anyhow::Result<confab_store::TenantRow> {
    match id {
        Some(id) => store.tenant(id).await?.context("no such organisation"),
        None => store
            .tenants()
            .await?
            .into_iter()
            .next()
            .context("no organisation yet"),
    }
}

async fn admin(args: AdminArgs) -> anyhow::Result<()> {
    let config = load_config(&args.config)?;
    let (store, first) = open_store(&config).await?;
    if let Some((email, password)) = first {
        println!("First start: created the organisation \"Default\"; its administrator {email} has password {password}");
    }
    let result = admin_command(&store, args.command).await;
    store.close().await;
    result
}

async fn admin_command(store: &Store, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::Tenant(TenantCommand::Create { name, region }) => {
            let t = provision::create_tenant(store, &name, &region, None).await?;
            println!("{}", t.id());
        }
        AdminCommand::Tenant(TenantCommand::List) => {
            for t in store.tenants().await? {
                println!("{}\t{}\t{}", t.id(), t.region, t.name);
            }
        }
        AdminCommand::User(UserCommand::Create {
            tenant,
            email,
            name,
            role,
            password_stdin,
        }) => {
            let Some(role) = AccountRole::parse(&role) else {
                bail!(
                    "unknown role {role:?}: use provider_admin, tenant_admin, organizer or member"
                );
            };
            let tenant = tenant_or_first(store, tenant).await?;
            let (password, generated) = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                (s.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (crate::secrets::new_password(), true)
            };
            let req = CreateUser {
                email,
                name,
                role,
                password: password.clone(),
            };
            let user = provision::create_user(store, &tenant, req).await?;
            println!("{}", user.id());
            if generated {
                println!("password: {password}");
            }
        }
        AdminCommand::User(UserCommand::List { tenant }) => {
            let tenant = tenant_or_first(store, tenant).await?;
            for u in store.users(tenant.id()).await? {
                println!("{}\t{}\t{}\t{}", u.id(), u.role, u.email, u.name);
            }
        }
        AdminCommand::Token(TokenCommand::Create {
            email,
            name,
            tenant,
            expires_in_days,
        }) => {
            let mut users = store
                .users_by_email(&provision::normalise_email(&email))
                .await?;
            users.retain(|u| tenant.is_none_or(|t| u.tenant() == t));
            let user = match users.len() {
                0 => anyhow::bail!("no user with that e-mail address"),
                1 => users.remove(0),
                _ => anyhow::bail!(
                    "several organisations have this address; say which with --tenant"
                ),
            };
            let (secret, _) = provision::create_token(store, &user, &name, expires_in_days).await?;
            println!("{secret}");
        }
    }
    Ok(())
}
