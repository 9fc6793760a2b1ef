//! The `confab` binary: parses the command line and runs a subcommand.

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = confab_server::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(confab_server::cli::run(cli))
}
