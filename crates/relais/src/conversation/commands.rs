//! `relais flow check FILE` and `relais flow graph FILE`: for coordinators
//! who write or adapt a flow (docs/flows.md).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use flow::Flow;

use crate::conversation::known_needs;

/// `relais flow …`
#[derive(Debug, Subcommand)]
pub enum FlowCommand {
    /// Check a flow file; list every problem with its line (exit 1 if any)
    Check {
        /// The flow file (TOML).
        file: PathBuf,
    },
    /// Print a flow as a Mermaid diagram
    Graph {
        /// The flow file (TOML).
        file: PathBuf,
    },
}

/// Runs `relais flow …`.
pub fn run(command: &FlowCommand) -> anyhow::Result<ExitCode> {
    let (FlowCommand::Check { file } | FlowCommand::Graph { file }) = command;
    let source = std::fs::read_to_string(file)
        .with_context(|| format!("could not read {}", file.display()))?;
    let flow = match Flow::parse(&source, &known_needs()) {
        Ok(flow) => flow,
        Err(problems) => {
            for problem in &problems {
                eprintln!("{}: {problem}", file.display());
            }
            eprintln!(
                "{} problème(s) : ce questionnaire ne peut pas être utilisé tel quel.",
                problems.len()
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    match command {
        FlowCommand::Check { .. } => {
            println!(
                "{} : questionnaire « {} » valide, {} étapes (version {}).",
                file.display(),
                flow.id(),
                flow.steps().count(),
                flow.version()
            );
        }
        FlowCommand::Graph { .. } => print!("{}", flow.mermaid()),
    }
    Ok(ExitCode::SUCCESS)
}
