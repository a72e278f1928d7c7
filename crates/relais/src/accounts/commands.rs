//! `relais user …`: the first accounts, from the machine itself. Output is
//! French, for the people who run Relais.

use std::process::ExitCode;

use clap::Subcommand;

use crate::accounts::signin as auth;
use crate::backoffice::storage;
use crate::backoffice::storage::AuditAction;
use crate::config::{Origin, Settings};
use crate::directory::storage as directory_storage;
use crate::storage::OrganisationId;

/// `relais user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account and print its one-time invitation link (valid 7 days)
    Create {
        /// The person's e-mail address.
        #[arg(long)]
        email: String,
        /// admin, coordinator or professional.
        #[arg(long)]
        role: String,
        /// A coordinator's territory (repeat for several).
        #[arg(long)]
        territory: Vec<String>,
        /// A professional's organisation: its identifier in Relais, or its
        /// `structure_id` from the directory file (with --territory).
        #[arg(long)]
        organisation: Option<String>,
    },
    /// Print a new invitation link for an account (the old one stops working
    /// once the new one is used)
    Invite {
        /// The account's e-mail address.
        #[arg(long)]
        email: String,
    },
    /// List the accounts
    List,
}

/// Runs `relais user …`.
pub async fn run(settings: Settings, command: UserCommand) -> anyhow::Result<ExitCode> {
    let db = crate::storage::open_database(&settings).await?;
    let code = match command {
        UserCommand::Create {
            email,
            role,
            territory,
            organisation,
        } => {
            match check_create(&db, &email, &role, &territory, organisation.as_deref()).await? {
                Ok((role, organisation, home)) => {
                    // A professional's territory only served to find the organisation.
                    let territories = if role == storage::Role::Coordinator {
                        territory
                    } else {
                        Vec::new()
                    };
                    let mut tx = db.begin().await?;
                    let id = storage::create_user(
                        &mut tx,
                        &email,
                        role,
                        organisation.as_ref(),
                        &territories,
                    )
                    .await?;
                    let link = auth::new_invitation(&mut tx, &settings.public_url, &id).await?;
                    let home = territories.first().cloned().or(home);
                    storage::audit(
                        &mut tx,
                        "relais user create",
                        home.as_deref(),
                        AuditAction::AccountInvited,
                        &id,
                        &format!("{} ({role})", email.trim().to_lowercase()),
                    )
                    .await?;
                    tx.commit().await?;
                    println!("Compte créé pour {} ({role}).", email.trim().to_lowercase());
                    println!("Lien d'invitation, à usage unique, valable sept jours :");
                    println!("{link}");
                    print_public_url(&settings, &email);
                    ExitCode::SUCCESS
                }
                Err(problems) => {
                    for problem in problems {
                        eprintln!("{problem}");
                    }
                    eprintln!("Aucun compte n'a été créé.");
                    ExitCode::FAILURE
                }
            }
        }
        UserCommand::Invite { email } => match storage::user_by_email(&db, &email).await? {
            Some(user) => {
                // For an account that already chose a password, the link is
                // a password reset, which its owner is told about.
                let reset = user.password_hash.is_some();
                let mut tx = db.begin().await?;
                let link = auth::new_invitation(&mut tx, &settings.public_url, &user.id).await?;
                storage::audit(
                    &mut tx,
                    "relais user invite",
                    user.territories.first().map(String::as_str),
                    if reset {
                        AuditAction::AccountPasswordReset
                    } else {
                        AuditAction::AccountReinvited
                    },
                    &user.id,
                    &user.email,
                )
                .await?;
                if reset {
                    crate::referral::storage::notify(
                        &mut tx,
                        &user.email,
                        crate::referral::storage::Notice::PasswordReset,
                    )
                    .await?;
                    println!(
                        "Ce compte a déjà un mot de passe : ce lien le remplace, et {} en est prévenu·e par e-mail.",
                        user.email
                    );
                }
                tx.commit().await?;
                println!(
                    "Nouveau lien d'invitation pour {}, à usage unique, valable sept jours :",
                    user.email
                );
                println!("{link}");
                print_public_url(&settings, &user.email);
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("--email : aucun compte n'a l'adresse « {email} ».");
                ExitCode::FAILURE
            }
        },
        UserCommand::List => {
            for user in storage::users(&db).await? {
                let scope = match user.role {
                    storage::Role::Admin => "tous les territoires".to_owned(),
                    storage::Role::Coordinator => user.territories.join(", "),
                    storage::Role::Professional => user
                        .organisation_id
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                };
                let state = if user.disabled {
                    "désactivé"
                } else if user.password_hash.is_none() {
                    "invitation en attente"
                } else if user.totp_secret.is_none() {
                    "code de sécurité à activer"
                } else {
                    "actif"
                };
                println!("{}\t{}\t{scope}\t{state}", user.email, user.role);
            }
            ExitCode::SUCCESS
        }
    };
    db.close().await;
    Ok(code)
}

/// Says which address of the site an invitation link was made with, and
/// where that address came from: the default (`http://127.0.0.1:8080`)
/// reaches the site only from the machine that serves it, and a command
/// cannot know where a server started elsewhere is reached.
fn print_public_url(settings: &Settings, email: &str) {
    let origin = settings.origin("public_url");
    println!(
        "Adresse du site dans ce lien : {} (public_url : {}).",
        settings.public_url,
        origin.french("public_url")
    );
    if *origin == Origin::Default {
        println!(
            "Si le site est servi à une autre adresse, donnez-la ({}, comme pour relais serve) puis faites un nouveau lien : relais user invite --email {}",
            Origin::how_to_set("public_url"),
            email.trim().to_lowercase()
        );
    }
}

/// The role and organisation of a new account, or what is wrong, one line
/// per option.
async fn check_create(
    db: &crate::storage::Db,
    email: &str,
    role: &str,
    territories: &[String],
    organisation: Option<&str>,
) -> anyhow::Result<Result<(storage::Role, Option<OrganisationId>, Option<String>), Vec<String>>> {
    let mut problems = Vec::new();
    let email = email.trim().to_lowercase();
    if crate::directory::contact::check_email(&email).is_err() {
        problems.push(format!(
            "--email : « {email} » n'est pas une adresse e-mail complète."
        ));
    } else if storage::user_by_email(db, &email).await?.is_some() {
        problems.push(format!("--email : un compte existe déjà pour {email} (relais user invite pour un nouveau lien)."));
    }
    let Some(role) = storage::Role::parse(role) else {
        problems.push(format!(
            "--role : « {role} » n'est pas un rôle ; choisissez admin, coordinator ou professional."
        ));
        return Ok(Err(problems));
    };
    let known: Vec<String> = directory_storage::territories(db)
        .await?
        .into_iter()
        .map(|t| t.slug.to_string())
        .collect();
    for territory in territories {
        if !known.contains(territory) {
            problems.push(format!(
                "--territory : le territoire « {territory} » n'existe pas (relais territory list)."
            ));
        }
    }
    let mut organisation_id = None;
    let mut home = None;
    match role {
        storage::Role::Admin => {
            if !territories.is_empty() || organisation.is_some() {
                problems.push("--role admin : un compte d'administration couvre tout ; retirez --territory et --organisation.".to_owned());
            }
        }
        storage::Role::Coordinator => {
            if territories.is_empty() {
                problems
                    .push("--territory : une coordination a au moins un territoire.".to_owned());
            }
            if organisation.is_some() {
                problems.push("--organisation : réservé aux comptes professional.".to_owned());
            }
        }
        storage::Role::Professional => match organisation {
            None => problems.push(
                "--organisation : un compte professional est rattaché à une structure.".to_owned(),
            ),
            Some(wanted) => {
                let (organisations, _) = directory_storage::directory(db, None).await?;
                let matches: Vec<_> = organisations
                    .iter()
                    .filter(|o| {
                        o.id == wanted
                            || (o.source_id == wanted && territories.contains(&o.territory))
                    })
                    .collect();
                match matches.as_slice() {
                    [one] => {
                        organisation_id = Some(one.id.clone());
                        home = Some(one.territory.clone());
                    }
                    [] => problems.push(format!(
                        "--organisation : aucune structure « {wanted} »{}.",
                        if territories.is_empty() { " (pour un structure_id, précisez --territory)" } else { " dans ce territoire" }
                    )),
                    _ => problems.push(format!("--organisation : plusieurs structures « {wanted} » ; donnez l'identifiant Relais.")),
                }
            }
        },
    }
    if problems.is_empty() {
        Ok(Ok((role, organisation_id, home)))
    } else {
        Ok(Err(problems))
    }
}
