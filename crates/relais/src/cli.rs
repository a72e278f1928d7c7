//! The command line: `relais serve`, `demo`, `migrate`, `config`, and the
//! directory's `territory`, `directory`, `communes` and `orient`, and the
//! back office's `user`.
//! Every setting is also a flag and a `RELAIS_*` variable (see
//! [`crate::config`]).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::accounts::commands::UserCommand;
use crate::app::demo::DemoCommand;
use crate::app::{self, Application};
use crate::config::{Overrides, Settings};
use crate::conversation::commands::FlowCommand;
use crate::directory::commands::{
    self, CommunesCommand, DirectoryCommand, OrientArgs, TerritoryCommand,
};
use crate::sheets::commands::SheetsCommand;
use crate::telemetry;

/// Relais: one door to help for people facing domestic violence.
#[derive(Debug, Parser)]
#[command(name = "relais", version, about, long_about = None, arg_required_else_help = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Settings that override the configuration file.
    #[command(flatten)]
    pub overrides: Overrides,
}

/// The commands of `relais`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (applies pending migrations first)
    Serve,
    /// Serve a demonstration: the demo territory and example accounts,
    /// whose password and code are printed here, in a database of its own
    /// (relais-demo) that says it is a demonstration
    Demo {
        /// Without one: prepare the demonstration and serve it.
        #[command(subcommand)]
        command: Option<DemoCommand>,
    },
    /// Apply pending database migrations, then exit
    Migrate,
    /// Print the effective settings, secrets masked
    Config,
    /// Create, update and list territories
    #[command(subcommand)]
    Territory(TerritoryCommand),
    /// Import, export and sync a territory's directory
    #[command(subcommand)]
    Directory(DirectoryCommand),
    /// Look up communes; import official centroids
    #[command(subcommand)]
    Communes(CommunesCommand),
    /// Show the ranked contacts a person would get, with the reasons
    Orient(OrientArgs),
    /// List the information sheets and those to review; territory versions
    #[command(subcommand)]
    Sheets(SheetsCommand),
    /// Check a conversation flow file, or draw it
    #[command(subcommand)]
    Flow(FlowCommand),
    /// Create back-office accounts and their invitation links
    #[command(subcommand)]
    User(UserCommand),
    /// Erase referrals closed for more than retention_closed_days, or never
    /// opened for retention_unopened_days (relais serve does it daily)
    Purge,
}

impl Cli {
    /// Loads the settings and runs the command.
    pub async fn run(self) -> anyhow::Result<ExitCode> {
        let settings = Settings::load(self.overrides)?;
        telemetry::init(&settings);
        match self.command {
            Command::Serve => serve(settings).await,
            Command::Demo { command } => app::demo::run(settings, command).await,
            Command::Migrate => migrate(settings).await,
            Command::Purge => purge(settings).await,
            Command::Config => {
                for (key, value) in settings.describe() {
                    println!("{key} = {value}");
                }
                Ok(ExitCode::SUCCESS)
            }
            Command::Territory(command) => commands::territory(settings, command).await,
            Command::Directory(command) => commands::directory(settings, command).await,
            Command::Communes(command) => commands::communes(settings, command).await,
            Command::Orient(args) => commands::orient(settings, args).await,
            Command::Sheets(command) => crate::sheets::commands::run(settings, command).await,
            Command::Flow(command) => crate::conversation::commands::run(&command),
            Command::User(command) => crate::accounts::commands::run(settings, command).await,
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<ExitCode> {
    let app = Application::build(settings).await?;
    let addr = app.local_addr()?;
    tracing::info!(
        engine = app.state().db.engine(),
        "Relais is listening on http://{addr}"
    );
    app.run_until(app::shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn purge(settings: Settings) -> anyhow::Result<ExitCode> {
    let db = crate::storage::open_database(&settings).await?;
    let erased = crate::referral::retention::purge(
        &db,
        jiff::Timestamp::now(),
        settings.retention_closed_days,
        settings.retention_unopened_days,
    )
    .await?;
    println!(
        "{erased} referral(s) erased: closed for more than {} days, or never opened for {} days",
        settings.retention_closed_days, settings.retention_unopened_days
    );
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn migrate(settings: Settings) -> anyhow::Result<ExitCode> {
    let db = crate::storage::open_or_create_database(&settings).await?;
    println!("the {} database is up to date", db.engine());
    db.close().await;
    Ok(ExitCode::SUCCESS)
}
