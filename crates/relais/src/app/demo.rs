//! `relais demo`: the whole journey on one machine, in five minutes. It
//! serves, as `relais serve` does, a demonstration database: the demo
//! territory, and example accounts (two professionals and a coordinator)
//! whose password and second factor it prints in the terminal.
//!
//! Those accounts exist only in a database that says it is a
//! demonstration: `relais demo` marks a new, empty database before it
//! makes them, refuses any other, and the back office says so at the top of
//! every page (`storage::demo`). By default it keeps its data in
//! `relais-demo`, apart from `relais-data`. `relais serve` never makes
//! them, whatever `load_demo` says.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use clap::Subcommand;

use crate::accounts::{password, totp};
use crate::app::{self, Application};
use crate::backoffice::storage::{self as accounts, AuditAction, Role};
use crate::config::{Origin, Settings};
use crate::directory::{self, storage as directory_storage};
use crate::secret::ServerSecret;
use crate::storage::{self, Db};

/// Where `relais demo` keeps its data when no `data_dir` or `database_url`
/// is given: never the folder `relais serve` uses by default.
pub const DEMO_DATA_DIR: &str = "relais-demo";

/// The territory of the demo accounts (`content/territories/montreuillois.*`).
const TERRITORY: &str = "montreuillois";
/// The second territory, with its own entry and question
/// (`content/territories/boulonnais.*`).
const SECOND: &str = "boulonnais";
/// The question the second territory adds to the national flow, after
/// "Y a-t-il des enfants à la maison ?".
const SECOND_STEP: &str = include_str!("../../../../content/flows/boulonnais-suivie.toml");

/// The second territory's questionnaire: the national flow with its own
/// question after the children's, as its coordinator would publish it.
pub fn second_flow() -> String {
    let national =
        crate::conversation::NATIONAL_FLOW.replacen("id = \"national\"", "id = \"boulonnais\"", 1);
    let children = national.find("id = \"enfants\"").unwrap_or(0);
    let way = "next = \"commune\"";
    match national[children..].find(way) {
        Some(at) => {
            let at = children + at;
            format!(
                "{}next = \"suivie\"{}\n{SECOND_STEP}",
                &national[..at],
                &national[at + way.len()..]
            )
        }
        None => national,
    }
}

/// `relais demo …`
#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Print the six-digit code each demo account signs in with now
    Code,
}

/// An example account of the demonstration.
struct DemoAccount {
    email: &'static str,
    role: Role,
    /// A professional's organisation, by its `structure_id` in the demo
    /// directory.
    organisation: Option<&'static str>,
    /// Who the account stands for, in the terminal.
    who: &'static str,
    /// Its territory.
    territory: &'static str,
}

/// The demo's accounts: two professionals of organisations the
/// conversation proposes for legal advice in Montreuil-sur-Mer, one of the
/// organisation that offers live help ("Parler maintenant"), and the
/// territory's coordinator.
const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        email: "juriste.demo@example.org",
        role: Role::Professional,
        organisation: Some("cidff-62"),
        who: "juriste du CIDFF du Pas-de-Calais (exemple)",
        territory: TERRITORY,
    },
    DemoAccount {
        email: "avocate.demo@example.org",
        role: Role::Professional,
        organisation: Some("avocat-durand"),
        who: "avocate du Cabinet Me Durand (exemple)",
        territory: TERRITORY,
    },
    DemoAccount {
        email: "ecoute.demo@example.org",
        role: Role::Professional,
        organisation: Some("aav-montreuillois"),
        who: "écoutante de l'Association d'aide aux victimes du Montreuillois (exemple), qui tient la permanence d'aide en direct",
        territory: TERRITORY,
    },
    DemoAccount {
        email: "coordination.demo@example.org",
        role: Role::Coordinator,
        organisation: None,
        who: "coordination du Montreuillois",
        territory: TERRITORY,
    },
    DemoAccount {
        email: "coordination-boulonnais.demo@example.org",
        role: Role::Coordinator,
        organisation: None,
        who: "coordination du Boulonnais, le second territoire, avec sa propre question",
        territory: SECOND,
    },
];

/// A demo account with the password and second factor [`prepare`] gave
/// it: what the newcomer types.
pub struct PreparedAccount {
    account: &'static DemoAccount,
    password: String,
    secret: Vec<u8>,
}

/// Runs `relais demo` (prepare, print, serve) or `relais demo code`.
pub async fn run(settings: Settings, command: Option<DemoCommand>) -> anyhow::Result<ExitCode> {
    let settings = in_demo_folder(settings);
    match command {
        None => serve(settings).await,
        Some(DemoCommand::Code) => codes(&settings).await,
    }
}

/// The settings with the data in [`DEMO_DATA_DIR`] unless the operator
/// named a place for it.
fn in_demo_folder(mut settings: Settings) -> Settings {
    if *settings.origin("data_dir") == Origin::Default && settings.database_url.is_none() {
        settings.data_dir = PathBuf::from(DEMO_DATA_DIR);
    }
    settings
}

async fn serve(settings: Settings) -> anyhow::Result<ExitCode> {
    let db = storage::open_or_create_database(&settings).await?;
    let secret = app::load_secret(&settings)?;
    let prepared = prepare(&db, &secret).await?;
    let app = Application::build_with(settings.clone(), db, secret).await?;
    let addr = app.local_addr()?;
    println!(
        "{}",
        describe(&settings, &prepared, &format!("http://{addr}"))
    );
    tracing::info!(
        engine = app.state().db.engine(),
        "Relais (demonstration) is listening on http://{addr}"
    );
    app.run_until(app::shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Makes `db` a demonstration (only when it already is one, or is new and
/// empty), loads the demo territory, and gives each demo account a new
/// password and, the first time, its second factor. Returns what to print.
pub async fn prepare(db: &Db, secret: &ServerSecret) -> anyhow::Result<Vec<PreparedAccount>> {
    if !storage::demo::is_demo(db).await? {
        if !storage::demo::is_blank(db).await? {
            anyhow::bail!(
                "cette base n'est pas une base de démonstration : elle a déjà des comptes ou des territoires. relais demo ne crée ses comptes d'exemple que dans une base neuve, qu'il marque comme démonstration ; sans --data-dir ni --database-url, il prend le dossier {DEMO_DATA_DIR}"
            );
        }
        let mut tx = db.begin().await?;
        storage::demo::mark(&mut tx).await?;
        tx.commit().await?;
    }
    directory::load_demo_if_empty(db).await?;
    directory::load_second_demo_territory(db).await?;
    if crate::conversation::storage::versions(db, SECOND)
        .await?
        .is_empty()
    {
        let source = second_flow();
        let flow = crate::conversation::parse_flow(&source).map_err(|problems| {
            let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
            anyhow::anyhow!(
                "the second demo questionnaire is invalid: {}",
                problems.join("; ")
            )
        })?;
        let mut tx = db.begin().await?;
        crate::conversation::storage::publish(
            &mut tx,
            SECOND,
            &source,
            flow.version(),
            (
                crate::conversation::parse_flow(crate::conversation::NATIONAL_FLOW)
                    .map_err(|_| anyhow::anyhow!("the national flow is invalid"))?
                    .version(),
                crate::conversation::NATIONAL_FLOW,
            ),
            "relais demo",
        )
        .await?;
        accounts::audit(
            &mut tx,
            "relais demo",
            Some(SECOND),
            AuditAction::FlowPublished,
            SECOND,
            "version 1\nÉtape ajoutée « suivie » : « Êtes-vous déjà suivie par une association ? ».",
        )
        .await?;
        tx.commit().await?;
    }
    let (organisations, _) = directory_storage::directory(db, None).await?;
    let keys = totp::Keys::new(secret);
    let mut prepared = Vec::new();
    let mut tx = db.begin().await?;
    for account in ACCOUNTS {
        let user = accounts::user_by_email(db, account.email).await?;
        let (id, sealed) = match user {
            Some(user) => (user.id, user.totp_secret),
            None => {
                let organisation = match account.organisation {
                    Some(source) => Some(
                        organisations
                            .iter()
                            .find(|o| o.source_id == source)
                            .map(|o| o.id.clone())
                            .with_context(|| {
                                format!("the demo directory has no organisation {source}")
                            })?,
                    ),
                    None => None,
                };
                let territories = match account.role {
                    Role::Coordinator => vec![account.territory.to_owned()],
                    _ => Vec::new(),
                };
                let id = accounts::create_user(
                    &mut tx,
                    account.email,
                    account.role,
                    organisation.as_ref(),
                    &territories,
                )
                .await?;
                accounts::audit(
                    &mut tx,
                    "relais demo",
                    Some(account.territory),
                    AuditAction::AccountInvited,
                    &id,
                    &format!("{} ({})", account.email, account.role),
                )
                .await?;
                (id, None)
            }
        };
        // An authenticator app set up at an earlier run keeps working.
        let secret = match sealed.as_deref().and_then(|sealed| keys.open(sealed)) {
            Some(secret) => secret,
            None => {
                let secret = totp::new_secret();
                accounts::set_totp(&mut tx, &id, &keys.seal(&secret), 0).await?;
                secret
            }
        };
        let password = new_password();
        accounts::set_password(&mut tx, &id, &password::hash(&password).await).await?;
        accounts::set_disabled(&mut tx, &id, false).await?;
        accounts::audit(
            &mut tx,
            "relais demo",
            Some(account.territory),
            AuditAction::AccountPasswordReset,
            &id,
            account.email,
        )
        .await?;
        prepared.push(PreparedAccount {
            account,
            password,
            secret,
        });
    }
    tx.commit().await?;
    Ok(prepared)
}

impl PreparedAccount {
    /// Its e-mail.
    pub fn email(&self) -> &str {
        self.account.email
    }

    /// Its password, new at each `relais demo`.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Its TOTP secret.
    pub fn totp_secret(&self) -> &[u8] {
        &self.secret
    }
}

impl std::fmt::Debug for PreparedAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedAccount")
            .field("email", &self.email())
            .finish_non_exhaustive()
    }
}

/// A password of 20 random letters and digits in groups of five, new at
/// each run: a demonstration reachable from elsewhere is still not open to
/// anyone who read this source.
fn new_password() -> String {
    totp::readable_random(20, 5)
}

/// What the terminal shows before serving: where the data is, the
/// addresses, each account with what it signs in with.
fn describe(settings: &Settings, prepared: &[PreparedAccount], site: &str) -> String {
    let place = match &settings.database_url {
        Some(_) => "la base de database_url".to_owned(),
        None => std::path::absolute(&settings.data_dir)
            .unwrap_or_else(|_| settings.data_dir.clone())
            .display()
            .to_string(),
    };
    let mut out = format!(
        "Démonstration de Relais, sur une base de démonstration ({place}) : le back-office le dit sur chaque page.\n\
         Site public : {site}/aide    Espace professionnel : {site}/pro\n\
         Deux territoires : le Montreuillois, et le Boulonnais avec sa propre question, à {site}/t/boulonnais/aide\n\n\
         Comptes d'exemple (le mot de passe change à chaque relais demo ; le code à six chiffres toutes les 30 secondes) :\n"
    );
    for account in prepared {
        let PreparedAccount {
            account,
            password,
            secret,
        } = account;
        out.push_str(&format!(
            "\n  {} — {}\n    e-mail        {}\n    mot de passe  {password}\n    code          {}  (maintenant ; ensuite : relais demo code)\n    ou, dans une application d'authentification, la clé {}\n",
            account.who,
            account.role,
            account.email,
            code_now(secret, account.email),
            totp::secret_text(secret),
        ));
    }
    out.push_str(
        "\nPour se connecter : e-mail et mot de passe, puis le code. Un·e professionnel·le crée ensuite sa clé\n\
         (« phrase secrète », dans son navigateur) : sa structure peut alors recevoir des récits.\n\
         Les e-mails de notification sont écrits dans le dossier mailbox de la base. Ctrl-C arrête.",
    );
    out
}

/// The code of this moment for `secret`.
fn code_now(secret: &[u8], email: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    totp::code_at(secret, email, now)
}

/// `relais demo code`: the codes of the demo accounts, on a demonstration
/// database only.
async fn codes(settings: &Settings) -> anyhow::Result<ExitCode> {
    let db = storage::open_database(settings).await?;
    if !storage::demo::is_demo(&db).await? {
        db.close().await;
        anyhow::bail!(
            "cette base n'est pas une base de démonstration : relais demo code ne donne les codes que des comptes d'exemple"
        );
    }
    let secret = ServerSecret::load_or_create(&settings.secret_path())?;
    let keys = totp::Keys::new(&secret);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    for account in ACCOUNTS {
        let Some(user) = accounts::user_by_email(&db, account.email).await? else {
            continue;
        };
        if let Some(secret) = user.totp_secret.as_deref().and_then(|s| keys.open(s)) {
            println!(
                "{}\t{}",
                account.email,
                totp::code_at(&secret, account.email, now)
            );
        }
    }
    println!("(valables encore {} secondes)", 30 - now % 30);
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_second_territory_asks_its_own_question_after_the_childrens() {
        let flow = crate::conversation::parse_flow(&second_flow()).unwrap();
        let children = flow.step("enfants").unwrap();
        let ways = flow.ways(children);
        assert_eq!(ways.len(), 1);
        assert_eq!(ways[0].to.id, "suivie");
        assert_eq!(
            flow.step("suivie").unwrap().question.fr(),
            "Êtes-vous déjà suivie par une association ?"
        );
    }

    #[test]
    fn the_second_demo_territory_and_its_directory_read() {
        let communes = directory::communes::Communes::embedded();
        let territory = directory::territories::parse_territory_file(
            directory::DEMO_SECOND_TERRITORY,
            &communes,
        )
        .unwrap();
        assert_eq!(territory.communes.len(), 22);
        assert!(territory.hosts.contains("aide-boulonnais.localhost"));
        let parsed = directory::import::parse(
            directory::DEMO_SECOND_DIRECTORY,
            directory::import::Format::Csv,
            &communes,
        )
        .unwrap();
        assert_eq!(parsed.services.len(), 4);
    }
}
