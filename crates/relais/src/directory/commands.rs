//! The directory's commands: `relais territory`, `relais directory`,
//! `relais communes`, `relais orient`. Output is French, for coordinators.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use jiff::civil::DateTime;

use crate::backoffice::storage::AuditAction;
use crate::backoffice::storage::audit;
use crate::config::Settings;
use crate::directory::communes::{Commune, Communes, Resolution};
use crate::directory::export::{self, ExportFormat};
use crate::directory::hsds;
use crate::directory::import::{self, Format, Problem};
use crate::directory::model::Need;
use crate::directory::orientation::{Index, Query};
use crate::directory::{hours, storage, sync, territories};
use crate::web::national;

/// `relais territory …`
#[derive(Debug, Subcommand)]
pub enum TerritoryCommand {
    /// Create or update a territory from its TOML file (see docs/directory.md)
    Add {
        /// The territory file.
        file: PathBuf,
    },
    /// List the territories
    List,
}

/// `relais directory …`
#[derive(Debug, Subcommand)]
pub enum DirectoryCommand {
    /// Import organisations and services; all or nothing, every problem listed
    Import {
        /// A CSV or data·inclusion JSON file.
        file: PathBuf,
        /// The territory whose directory this is.
        #[arg(long)]
        territory: String,
        /// The file's format [default: from its extension]
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Correct the opening hours that Relais knows how to correct
        /// (`Mon-Fri 9-17` → `Mo-Fr 09:00-17:00`) and list them, instead of
        /// refusing the file with the corrections proposed.
        #[arg(long)]
        fix_hours: bool,
    },
    /// Update a territory's directory from a data·inclusion source: new
    /// services added "à vérifier", those gone flagged, local edits kept
    Sync {
        /// The territory whose directory this is.
        #[arg(long)]
        territory: String,
        /// A data·inclusion JSON file, or a directory holding
        /// structures.json and services.json (the national bulk files).
        #[arg(long = "from")]
        from: PathBuf,
        /// Show what would change, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export a territory's directory to standard output (or --output)
    Export {
        /// The territory.
        #[arg(long)]
        territory: String,
        /// The format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// `relais communes …`
#[derive(Debug, Subcommand)]
pub enum CommunesCommand {
    /// Find communes by postcode, INSEE code or name
    Lookup {
        /// A postcode, an INSEE code or the beginning of a name.
        query: String,
    },
    /// Replace coordinates with official centroids from a CSV (insee, latitude, longitude)
    ImportCentroids {
        /// The CSV file.
        file: PathBuf,
    },
}

/// `relais orient …`: why a person would be sent where.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("place").required(true).args(["commune", "insee"])))]
pub struct OrientArgs {
    /// The commune as a person types it, read as the site reads it: a
    /// postcode (five digits are always one), a postcode and a name
    /// ("62170 Montreuil"), or a name.
    #[arg(long)]
    commune: Option<String>,
    /// The commune by its INSEE code (62588), as listed when a postcode
    /// covers several.
    #[arg(long)]
    insee: Option<String>,
    /// Needs, comma-separated (legal,housing or juridique,hebergement…).
    #[arg(long, value_delimiter = ',', required = true)]
    needs: Vec<String>,
    /// The person's age.
    #[arg(long)]
    age: Option<u8>,
    /// Local time at the commune, e.g. 2026-12-01T21:00 [default: now]
    #[arg(long)]
    at: Option<String>,
    /// The person is in danger now.
    #[arg(long)]
    danger: bool,
    /// Services per need.
    #[arg(long, default_value_t = 3)]
    per_need: usize,
}

fn print_problems(problems: &[Problem]) -> ExitCode {
    let mut err = std::io::stderr().lock();
    for problem in problems {
        let _ = writeln!(err, "{problem}");
    }
    let _ = writeln!(
        err,
        "Rien n'a été importé : {} problème(s) à corriger.",
        problems.len()
    );
    ExitCode::FAILURE
}

/// Runs `relais territory …`.
pub async fn territory(settings: Settings, command: TerritoryCommand) -> anyhow::Result<ExitCode> {
    let db = crate::storage::open_database(&settings).await?;
    match command {
        TerritoryCommand::Add { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            match territories::parse_territory_file(&text, &Communes::embedded()) {
                Ok(territory) => {
                    if let Some((host, other)) =
                        storage::host_taken(&db, territory.slug.as_str(), &territory.hosts).await?
                    {
                        eprintln!(
                            "{} : hosts : « {host} » est déjà l'adresse du territoire « {other} »",
                            file.display()
                        );
                        return Ok(ExitCode::FAILURE);
                    }
                    let mut tx = db.begin().await?;
                    storage::save_territory(&mut tx, &territory).await?;
                    audit(
                        &mut tx,
                        "relais territory add",
                        Some(territory.slug.as_str()),
                        AuditAction::TerritoryChanged,
                        territory.slug.as_str(),
                        &territory.name,
                    )
                    .await?;
                    tx.commit().await?;
                    println!(
                        "Territoire « {} » ({}) enregistré : {} communes, {} départements.",
                        territory.name,
                        territory.slug,
                        territory.communes.len(),
                        territory.departements.len()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(problems) => {
                    for problem in &problems {
                        eprintln!("{}: {problem}", file.display());
                    }
                    eprintln!("Rien n'a été enregistré.");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        TerritoryCommand::List => {
            for territory in storage::territories(&db).await? {
                let (organisations, services) =
                    storage::directory(&db, Some(territory.slug.as_str())).await?;
                println!(
                    "{}\t{}\t{} communes, {} départements\t{} structures, {} services",
                    territory.slug,
                    territory.name,
                    territory.communes.len(),
                    territory.departements.len(),
                    organisations.len(),
                    services.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs `relais directory …`.
pub async fn directory(settings: Settings, command: DirectoryCommand) -> anyhow::Result<ExitCode> {
    let db = crate::storage::open_database(&settings).await?;
    match command {
        DirectoryCommand::Import {
            file,
            territory,
            format,
            fix_hours,
        } => {
            let Some(format) = format.or_else(|| Format::from_path(&file)) else {
                anyhow::bail!(
                    "cannot tell the format of {} from its extension: give --format",
                    file.display()
                );
            };
            if storage::territory(&db, &territory).await?.is_none() {
                anyhow::bail!(
                    "le territoire « {territory} » n'existe pas : créez-le avec relais territory add FICHIER"
                );
            }
            let bytes = std::fs::read(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            let communes = Communes::with_centroids(&storage::centroids(&db).await?);
            match import::parse_with(&bytes, format, &communes, fix_hours) {
                Ok(parsed) => {
                    let mut tx = db.begin().await?;
                    let counts = storage::import(&mut tx, &territory, &parsed).await?;
                    audit(
                        &mut tx,
                        "relais directory import",
                        Some(&territory),
                        AuditAction::DirectoryImported,
                        &file.display().to_string(),
                        &format!(
                            "{} structures, {} services",
                            parsed.organisations.len(),
                            parsed.services.len()
                        ),
                    )
                    .await?;
                    tx.commit().await?;
                    println!(
                        "Importé dans « {territory} » : {} structures ({} nouvelles, {} mises à jour), {} services ({} nouveaux, {} mis à jour).",
                        parsed.organisations.len(),
                        counts.organisations_created,
                        counts.organisations_updated,
                        parsed.services.len(),
                        counts.services_created,
                        counts.services_updated
                    );
                    if !parsed.warnings.is_empty() {
                        println!(
                            "{} remarque(s), sans conséquence sur l'import :",
                            parsed.warnings.len()
                        );
                        for warning in &parsed.warnings {
                            println!("  {warning}");
                        }
                    }
                    if !parsed.hours_fixes.is_empty() {
                        println!("Horaires corrigés (--fix-hours) :");
                        for fix in &parsed.hours_fixes {
                            println!("  {} : « {} » → « {} »", fix.place, fix.from, fix.to);
                        }
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(problems) => {
                    let code = print_problems(&problems);
                    if problems
                        .iter()
                        .any(|p| p.reason.contains("correction proposée"))
                    {
                        eprintln!(
                            "Pour appliquer les corrections d'horaires proposées, relancez avec --fix-hours."
                        );
                    }
                    Ok(code)
                }
            }
        }
        DirectoryCommand::Sync {
            territory,
            from,
            dry_run,
        } => sync(&db, &territory, &from, dry_run).await,
        DirectoryCommand::Export {
            territory,
            format,
            output,
        } => {
            if storage::territory(&db, &territory).await?.is_none() {
                anyhow::bail!("le territoire « {territory} » n'existe pas");
            }
            let (organisations, services) = storage::directory(&db, Some(&territory)).await?;
            let communes = Communes::with_centroids(&storage::centroids(&db).await?);
            let bytes = match format {
                ExportFormat::Csv => export::to_csv(&organisations, &services),
                ExportFormat::DataInclusion => pretty(&export::to_data_inclusion(
                    &organisations,
                    &services,
                    &communes,
                )),
                ExportFormat::Hsds => pretty(&hsds::to_hsds(&organisations, &services, &communes)),
            };
            match output {
                Some(path) => std::fs::write(&path, bytes)
                    .with_context(|| format!("could not write {}", path.display()))?,
                None => std::io::stdout().lock().write_all(&bytes)?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `relais directory sync`: the plan, printed, then applied unless
/// `dry_run`.
async fn sync(
    db: &crate::storage::Db,
    slug: &str,
    from: &std::path::Path,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let Some(territory) = storage::territory(db, slug).await? else {
        anyhow::bail!(
            "le territoire « {slug} » n'existe pas : créez-le avec relais territory add FICHIER"
        );
    };
    let bytes = match sync::read_source(from) {
        Ok(bytes) => bytes,
        Err(problem) => return Ok(print_problems(&[problem])),
    };
    let communes = Communes::with_centroids(&storage::centroids(db).await?);
    let plan = match sync::preview(db, &territory, &communes, bytes).await? {
        Ok(plan) => plan,
        Err(problems) => return Ok(print_problems(&problems)),
    };
    let mut out = std::io::stdout().lock();
    for (title, lines) in [
        ("Ajouté (à vérifier)", &plan.added),
        ("Mis à jour depuis la source", &plan.updated),
        (
            "Plus dans la source (signalé, rien n'est supprimé)",
            &plan.gone,
        ),
        ("Modifié ici, gardé (diffère de la source)", &plan.kept),
    ] {
        if lines.is_empty() {
            continue;
        }
        writeln!(out, "{title} :")?;
        for line in lines {
            write!(
                out,
                "  {} « {} » ({})",
                line.what, line.name, line.source_id
            )?;
            if !line.fields.is_empty() {
                write!(out, " : {}", line.fields.join(" ; "))?;
            }
            writeln!(out)?;
        }
    }
    if dry_run {
        writeln!(out, "Aperçu, rien n'a été changé : {}", plan.summary())?;
        return Ok(ExitCode::SUCCESS);
    }
    match sync::apply(
        db,
        slug,
        &plan,
        "relais directory sync",
        &from.display().to_string(),
    )
    .await
    {
        Ok(_) => {
            writeln!(
                out,
                "Annuaire de « {slug} » mis à jour : {}",
                plan.summary()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(sync::ApplyError::DirectoryChanged) => {
            eprintln!(
                "L'annuaire a changé pendant la comparaison : rien n'a été changé, relancez la commande."
            );
            Ok(ExitCode::FAILURE)
        }
        Err(sync::ApplyError::Database(error)) => Err(error.into()),
    }
}

fn pretty(value: &serde_json::Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

fn describe(commune: &Commune, communes: &Communes) -> String {
    format!(
        "{}\t{}\t{} ({})\t{}\t{:.5}, {:.5} ({})",
        commune.insee,
        commune.name,
        communes
            .departement_name(&commune.departement)
            .unwrap_or_default(),
        commune.departement,
        commune.postcodes.join(","),
        commune.point.lat,
        commune.point.lon,
        match commune.source {
            crate::directory::communes::PointSource::GeoNames => "point GeoNames",
            crate::directory::communes::PointSource::PostcodeMean => "moyenne du code postal",
            crate::directory::communes::PointSource::DepartementMean => "moyenne du département",
            crate::directory::communes::PointSource::Official => "centroïde officiel",
        }
    )
}

/// Runs `relais communes …`.
pub async fn communes(settings: Settings, command: CommunesCommand) -> anyhow::Result<ExitCode> {
    match command {
        CommunesCommand::Lookup { query } => {
            let communes = Communes::embedded();
            let query = query.trim();
            let mut found: Vec<&Commune> = Vec::new();
            if crate::directory::communes::is_postcode_shaped(query) {
                found = communes.by_postcode(query);
            }
            // An INSEE code (not a postcode) is listed too, after, and said
            // to be one when it follows a postcode's communes: everywhere
            // else five digits are read as a postcode.
            let mut insee_after_postcode = false;
            if query.len() == 5
                && let Some(commune) = communes.by_insee(query)
                && !found.contains(&commune)
            {
                insee_after_postcode = !found.is_empty();
                found.push(commune);
            }
            if found.is_empty() && !crate::directory::communes::is_postcode_shaped(query) {
                found = communes.by_name_prefix(query, usize::MAX);
            }
            if found.is_empty() {
                eprintln!("Aucune commune ne correspond à « {query} ».");
                let near = match communes.resolve(query) {
                    Resolution::Unknown(near) => near,
                    _ => Vec::new(),
                };
                if !near.is_empty() {
                    eprintln!("Communes proches :");
                    for commune in near {
                        eprintln!("{}", describe(commune, &communes));
                    }
                }
                return Ok(ExitCode::FAILURE);
            }
            for commune in found {
                println!("{}", describe(commune, &communes));
            }
            if insee_after_postcode {
                eprintln!(
                    "La dernière ligne est la commune dont le code INSEE est {query} ; le site et relais orient lisent cinq chiffres comme un code postal (relais orient --insee {query} pour elle)."
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        CommunesCommand::ImportCentroids { file } => {
            let db = crate::storage::open_database(&settings).await?;
            let bytes = std::fs::read(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            match import::parse_centroids(&bytes, &Communes::embedded()) {
                Ok(centroids) => {
                    let mut tx = db.begin().await?;
                    storage::save_centroids(&mut tx, &centroids).await?;
                    audit(
                        &mut tx,
                        "relais communes import-centroids",
                        None,
                        AuditAction::CentroidsImported,
                        &file.display().to_string(),
                        &format!("{} communes", centroids.len()),
                    )
                    .await?;
                    tx.commit().await?;
                    println!("{} centroïdes officiels enregistrés.", centroids.len());
                    Ok(ExitCode::SUCCESS)
                }
                Err(problems) => Ok(print_problems(&problems)),
            }
        }
    }
}

/// Runs `relais orient`.
pub async fn orient(settings: Settings, args: OrientArgs) -> anyhow::Result<ExitCode> {
    let mut needs = Vec::new();
    for raw in &args.needs {
        needs.push(Need::parse(raw).with_context(|| {
            let known: Vec<&str> = Need::ALL.iter().map(|n| n.code()).collect();
            format!("« {raw} » n'est pas un besoin connu ({})", known.join(", "))
        })?);
    }
    let db = crate::storage::open_database(&settings).await?;
    let communes = Communes::with_centroids(&storage::centroids(&db).await?);
    let chosen = args.insee.as_deref().unwrap_or_default();
    let typed = args.commune.as_deref().unwrap_or_default();
    // Five digits that are also an INSEE code: say which commune that is.
    let insee_hint = || {
        let commune = communes
            .by_insee(typed)
            .filter(|_| crate::directory::communes::is_postcode_shaped(typed.trim()))?;
        Some(format!(
            "Cinq chiffres se lisent comme un code postal, comme sur le site ; {} est aussi le code INSEE de {} : --insee {}",
            typed.trim(),
            commune.name,
            commune.insee
        ))
    };
    let commune = match communes.find(chosen, typed) {
        Resolution::One(commune) => commune.clone(),
        Resolution::Several(found) => {
            eprintln!(
                "« {typed} » correspond à {} communes ; choisissez-en une avec --insee CODE (la première colonne), ou --commune \"CODE_POSTAL NOM\" :",
                found.len()
            );
            for commune in found {
                eprintln!("{}", describe(commune, &communes));
            }
            if let Some(hint) = insee_hint() {
                eprintln!("{hint}");
            }
            return Ok(ExitCode::FAILURE);
        }
        Resolution::Unknown(near) => {
            if args.insee.is_some() {
                eprintln!("--insee : aucune commune n'a le code INSEE « {chosen} ».");
            } else {
                eprintln!("--commune : aucune commune ne correspond à « {typed} ».");
                if let Some(hint) = insee_hint() {
                    eprintln!("{hint}");
                }
                if !near.is_empty() {
                    eprintln!("Communes proches :");
                    for commune in near {
                        eprintln!("{}", describe(commune, &communes));
                    }
                }
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let at = match &args.at {
        Some(raw) => raw
            .parse::<DateTime>()
            .with_context(|| format!("« {raw} » n'est pas une date et heure (2026-12-01T21:00)"))?,
        None => hours::now_in(&commune.departement),
    };
    let territories = storage::territories(&db).await?;
    let (organisations, services) = storage::directory(&db, None).await?;
    let index = Index::build(communes, territories, &organisations, &services);
    let orientation = index.orient(&Query {
        commune: &commune,
        needs: &needs,
        age: args.age,
        danger_now: args.danger,
        at,
        per_need: args.per_need,
    });

    let mut out = String::new();
    let territory = match (&orientation.territory, &orientation.nearest_territory) {
        (Some(territory), _) => format!("territoire {}", territory.name),
        (None, Some((nearest, km))) => format!(
            "hors de tout territoire (le plus proche : {}, à {km} km)",
            nearest.name
        ),
        (None, None) => "hors de tout territoire".to_owned(),
    };
    out.push_str(&format!(
        "Commune : {} ({}), {territory}\n",
        commune.name, commune.insee
    ));
    out.push_str(&format!(
        "Moment : {} (heure locale)\n",
        at.strftime("%Y-%m-%d %H:%M")
    ));
    if args.danger {
        out.push_str(
            "\nEn danger maintenant : appeler le 17 ou le 112, ou envoyer un SMS au 114.\n",
        );
    }
    if orientation.minor {
        out.push_str("\nMoins de 18 ans : services pour les jeunes\n");
        for service in &orientation.youth_services {
            out.push_str(&format!("  {} : {}\n", service.name, service.phone));
        }
        out.push_str(&format!(
            "  {} : {} ; Allô Enfance en danger : 119\n",
            national::FIL_SANTE_JEUNES.french_name,
            national::FIL_SANTE_JEUNES.number
        ));
    }
    for result in &orientation.needs {
        out.push_str(&format!("\n{}\n", result.need.label()));
        if result.suggestions.is_empty() {
            out.push_str(
                "  Aucun service de l'annuaire ne répond à ce besoin pour cette personne.\n",
            );
        }
        for (rank, suggestion) in result.suggestions.iter().enumerate() {
            let listing = &suggestion.listing;
            let reasons: Vec<String> = suggestion.reasons.iter().map(|r| r.french(at)).collect();
            out.push_str(&format!(
                "  {}. {} — {}\n",
                rank + 1,
                listing.organisation_name,
                listing.service_name
            ));
            out.push_str(&format!("     {}\n", reasons.join(" · ")));
            let place = if listing.confidential_address {
                format!(
                    "adresse confidentielle{}",
                    listing
                        .public_contact
                        .as_ref()
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default()
                )
            } else {
                [
                    listing.street.clone(),
                    listing.postcode.clone(),
                    Some(listing.commune_name.clone()),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
            };
            let phone = listing
                .phone
                .as_ref()
                .map(|p| format!("tél. {p} · "))
                .unwrap_or_default();
            out.push_str(&format!("     {phone}{place}\n"));
        }
    }
    let lines: Vec<String> = national::LINES
        .iter()
        .map(|line| format!("{} ({})", line.number, line.french_name))
        .collect();
    out.push_str(&format!("\nNuméros nationaux : {}\n", lines.join(" · ")));
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}
