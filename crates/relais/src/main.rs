//! The `relais` command: parses the command line and runs what it asks.

use std::process::ExitCode;

use clap::Parser as _;
use relais::cli::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.run().await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("relais: {error:#}");
            ExitCode::FAILURE
        }
    }
}
