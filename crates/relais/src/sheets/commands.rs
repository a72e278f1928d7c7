//! `relais sheets …`: list the sheets, the ones to review, and give a
//! territory its own version of a sheet (as the back office does at
//! `/pro/territoires/{t}/fiches`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;

use crate::backoffice::storage::AuditAction;
use crate::config::Settings;
use crate::directory::storage as directory_storage;
use crate::sheets::storage::{self, SheetKey};
use crate::sheets::{Library, Sheet};

/// `relais sheets …`
#[derive(Debug, Subcommand)]
pub enum SheetsCommand {
    /// List every embedded sheet with its review date
    List,
    /// List the sheets (national and territories') not reviewed for twelve months
    Stale {
        /// The day to count from [default: today]
        #[arg(long)]
        today: Option<jiff::civil::Date>,
    },
    /// Save a territory's own version of a sheet (a whole sheet file)
    Override {
        /// The territory.
        #[arg(long)]
        territory: String,
        /// The sheet file: front matter and Markdown, named like the
        /// national one (`porter-plainte.md`, `porter-plainte.facile.md`).
        file: PathBuf,
        /// Who makes the change, for the history.
        #[arg(long)]
        by: String,
    },
    /// Show every saved version of a territory's sheet, newest first
    History {
        /// The territory.
        #[arg(long)]
        territory: String,
        /// The sheet's slug.
        slug: String,
        /// The language.
        #[arg(long, default_value = "fr")]
        language: String,
        /// The easy-to-read variant.
        #[arg(long)]
        easy: bool,
    },
}

/// Runs `relais sheets …`.
pub async fn run(settings: Settings, command: SheetsCommand) -> anyhow::Result<ExitCode> {
    let library = Library::embedded()
        .map_err(|problems| anyhow::anyhow!("invalid sheets:\n{}", problems.join("\n")))?;
    match command {
        SheetsCommand::List => {
            for slug in library.slugs() {
                for (language, easy) in [("fr", false), ("fr", true), ("en", false)] {
                    if let Some(sheet) = library.get(slug, language, easy) {
                        println!(
                            "{}\t{language}{}\t{}\t{}",
                            slug,
                            if easy { " (facile)" } else { "" },
                            sheet.reviewed_on,
                            sheet.meta.title
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        SheetsCommand::Stale { today } => {
            let today = today.unwrap_or_else(|| jiff::Zoned::now().date());
            for sheet in library.stale(today) {
                println!(
                    "national\t{}\t{}\t{}",
                    sheet.slug, sheet.meta.language, sheet.reviewed_on
                );
            }
            let db = crate::storage::open_database(&settings).await?;
            let limit = today.saturating_sub(jiff::Span::new().months(12));
            for current in storage::all_current(&db).await? {
                if let Ok(sheet) = Sheet::parse(
                    &current.slug,
                    &current.language,
                    current.easy_to_read,
                    &current.source,
                ) && sheet.reviewed_on < limit
                {
                    println!(
                        "{}\t{}\t{}\t{}",
                        current.territory, sheet.slug, current.language, sheet.reviewed_on
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        SheetsCommand::Override {
            territory,
            file,
            by,
        } => {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .context("the file needs a name")?;
            let stem = name
                .strip_suffix(".md")
                .context("the file must end in .md")?;
            let (slug, easy) = stem
                .strip_suffix(".facile")
                .map_or((stem, false), |slug| (slug, true));
            let source = std::fs::read_to_string(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            let language = source
                .lines()
                .find_map(|line| {
                    line.trim()
                        .strip_prefix("language = ")
                        .map(|v| v.trim_matches('"').to_owned())
                })
                .unwrap_or_else(|| "fr".to_owned());
            if library.get(slug, "fr", false).is_none() {
                anyhow::bail!(
                    "aucune fiche nationale « {slug} » : une version locale remplace une fiche existante"
                );
            }
            let sheet = match Sheet::parse(slug, &language, easy, &source) {
                Ok(sheet) => sheet,
                Err(problems) => {
                    for problem in &problems {
                        eprintln!("{}: {problem}", file.display());
                    }
                    eprintln!("Rien n'a été enregistré.");
                    return Ok(ExitCode::FAILURE);
                }
            };
            let db = crate::storage::open_database(&settings).await?;
            if directory_storage::territory(&db, &territory)
                .await?
                .is_none()
            {
                anyhow::bail!("le territoire « {territory} » n'existe pas");
            }
            let key = SheetKey {
                slug,
                language: &language,
                easy_to_read: easy,
            };
            let mut tx = db.begin().await?;
            let version = storage::save(&mut tx, &territory, key, &source, &by).await?;
            crate::backoffice::storage::audit(
                &mut tx,
                "relais sheets override",
                Some(&territory),
                AuditAction::SheetSaved,
                &format!("{language}/{slug}"),
                &format!("version {version} ({by})"),
            )
            .await?;
            tx.commit().await?;
            println!(
                "« {} » : version {version} enregistrée pour le territoire {territory}.",
                sheet.meta.title
            );
            Ok(ExitCode::SUCCESS)
        }
        SheetsCommand::History {
            territory,
            slug,
            language,
            easy,
        } => {
            let db = crate::storage::open_database(&settings).await?;
            let key = SheetKey {
                slug: &slug,
                language: &language,
                easy_to_read: easy,
            };
            for version in storage::history(&db, &territory, key).await? {
                println!(
                    "version {}\t{}\t{}",
                    version.version, version.created_at, version.created_by
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
