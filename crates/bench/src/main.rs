//! `confab-bench`: load tools that drive a real `confab` server process.
//!
//! `swarm` starts the server binary on a fresh data directory, joins N participants
//! to one meeting over the real REST + WebSocket path, sends chat from many of them
//! and measures join time, fan-out latency to every receiver, and the server's CPU
//! time and resident memory (from /proc). `strokes` has one presenter draw on a
//! whiteboard while N viewers watch its ink layer, and measures ink fan-out. `fleet` runs
//! WebRTC bots on str0m against the server's SFU and against Janus, and compares them.
//! `abuse` plays hostile clients (a sign-in storm, slow connections) and reports the
//! server's memory and `/healthz` latency meanwhile.
//! See BENCHMARKS.md for figures.

mod abuse;
mod fleet;
mod procstat;
mod server;
mod stats;
mod strokes;
mod swarm;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "confab-bench",
    about = "Benchmarks against a real confab server process"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Join N WebSocket participants to one meeting and measure join time and chat fan-out.
    Swarm(swarm::Args),
    /// One presenter draws on a whiteboard while N viewers watch: ink fan-out latency.
    Strokes(strokes::Args),
    /// Run WebRTC bots (str0m) against Confab's SFU and Janus, scenario by scenario.
    Fleet(fleet::Args),
    /// Hostile clients (sign-in storm, slow connections): memory and /healthz meanwhile.
    Abuse(abuse::Args),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Swarm(args) => rt.block_on(swarm::run(args)),
        Command::Strokes(args) => rt.block_on(strokes::run(args)),
        Command::Fleet(args) => rt.block_on(fleet::run(args)),
        Command::Abuse(args) => rt.block_on(abuse::run(args)),
    }
}
