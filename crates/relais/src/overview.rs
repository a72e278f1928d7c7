//! What the back office shows first and what it counts: the dashboard, a
//! territory's anonymous statistics, and the audit log.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;

use crate::backoffice::session::Pro;
use crate::backoffice::storage::{self, AuditObject, Role};
use crate::backoffice::{Base, Screens};
use crate::directory::office::{
    OrganisationView, organisation_view, reverify_limit, territory, today,
};
use crate::directory::storage::{self as directory_storage};
use crate::storage::counters;
use crate::web::error::AppError;
use crate::web::render;

/// What the overview's screens reach: the directory, and the sheets whose
/// reviews are due.
#[derive(Clone, Debug)]
pub struct OverviewState {
    /// The toolkit's state.
    pub web: crate::web::Web,
    /// The directory and its orientation index.
    pub directory: std::sync::Arc<crate::directory::Directory>,
    /// The information sheets.
    pub sheets: std::sync::Arc<crate::sheets::Library>,
}

crate::capability_state!(OverviewState);

/// The dashboard, the statistics and the audit log.
pub fn screens(screens: Screens<OverviewState>) -> Screens<OverviewState> {
    screens
        .get("/pro", dashboard)
        .get("/pro/territoires", territories)
        .get("/pro/territoires/{t}/statistiques", statistics)
        .get("/pro/territoires/{t}/journal", territory_log)
        .get("/pro/journal", full_log)
}

// ---------------------------------------------------------------- territories

/// How old an unopened referral is before the list of territories counts
/// it as waiting too long.
pub const UNOPENED_DAYS: i64 = 7;

/// A territory's health, at a glance.
#[derive(Debug)]
struct TerritoryHealth {
    slug: String,
    name: String,
    suspended: bool,
    communes: usize,
    departements: usize,
    hosts: Vec<String>,
    services: usize,
    to_reverify: usize,
    professionals_without_key: i64,
    receiving_organisations: i64,
    unopened_late: i64,
    has_recovery_key: bool,
    has_voice: bool,
}

#[derive(Template)]
#[template(path = "backoffice/territories.html")]
struct TerritoriesPage {
    b: Base,
    territories: Vec<TerritoryHealth>,
    days: i64,
}

/// Every territory with its health, for an administrator: services to
/// re-verify, professionals without a key, organisations that receive,
/// referrals unopened for a week, the recovery key; and from each, its
/// suspension and the invitation of its coordination.
async fn territories(State(app): State<OverviewState>, pro: Pro) -> Result<Response, AppError> {
    pro.admin()?;
    let index = app.directory.index();
    let before = crate::storage::timestamp_text(
        jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * UNOPENED_DAYS),
    );
    let mut territories = Vec::new();
    for territory in index.territories() {
        let slug = territory.slug.as_str();
        let limit = reverify_limit(&app.directory, slug);
        let (_, own) = directory_storage::directory(&app.db, Some(slug)).await?;
        let health = crate::referral::storage::territory_health(&app.db, slug, &before).await?;
        territories.push(TerritoryHealth {
            slug: slug.to_owned(),
            name: territory.name.clone(),
            suspended: territory.suspended,
            communes: territory.communes.len(),
            departements: territory.departements.len(),
            hosts: territory.hosts.iter().cloned().collect(),
            services: own.len(),
            to_reverify: own
                .iter()
                .filter(|s| s.verified_on.is_none_or(|d| d < limit))
                .count(),
            professionals_without_key: health.professionals_without_key,
            receiving_organisations: health.receiving_organisations,
            unopened_late: health.unopened_before,
            has_recovery_key: crate::referral::storage::recovery_key(&app.db, slug)
                .await?
                .is_some(),
            has_voice: index.voice(slug).is_some(),
        });
    }
    Ok(render(&TerritoriesPage {
        b: Base::of(&app, &pro),
        territories,
        days: UNOPENED_DAYS,
    })?
    .into_response())
}

// ---------------------------------------------------------------- dashboard

#[derive(Debug)]
struct TerritoryCard {
    slug: String,
    name: String,
    services: usize,
    to_reverify: usize,
    sheets_to_review: usize,
    /// Whether the territory has its recovery key: without it, a
    /// professional alone in her organisation who forgets her passphrase
    /// loses the referrals sent to her.
    has_recovery_key: bool,
}

/// What a professional's dashboard says first: the referrals not opened
/// yet, and how many of them she said are urgent.
#[derive(Debug)]
struct Unopened {
    count: i64,
    urgent: i64,
}

#[derive(Template)]
#[template(path = "backoffice/dashboard.html")]
struct DashboardPage {
    b: Base,
    role: &'static str,
    territories: Vec<TerritoryCard>,
    organisation: Option<OrganisationView>,
    unopened: Option<Unopened>,
    /// Who can attach an account to a territory or an organisation, for an
    /// account attached to none: never the reader herself.
    attach_by: &'static str,
}

async fn dashboard(State(app): State<OverviewState>, pro: Pro) -> Result<Response, AppError> {
    let index = app.directory.index();
    let slugs = pro.territories(index.territories().map(|t| t.slug.as_str()));
    let mut territories = Vec::new();
    for slug in slugs {
        let limit = reverify_limit(&app.directory, &slug);
        let (_, services) = directory_storage::directory(&app.db, Some(&slug)).await?;
        let name = index
            .territories()
            .find(|t| t.slug.as_str() == slug)
            .map(|t| t.name.clone())
            .unwrap_or_default();
        territories.push(TerritoryCard {
            to_reverify: services
                .iter()
                .filter(|s| s.verified_on.is_none_or(|d| d < limit))
                .count(),
            services: services.len(),
            sheets_to_review: crate::sheets::reviews::due_count(
                &app.db,
                &app.sheets,
                &slug,
                today(&app.directory, &slug),
            )
            .await?,
            has_recovery_key: crate::referral::storage::recovery_key(&app.db, &slug)
                .await?
                .is_some(),
            name,
            slug,
        });
    }
    let organisation = match (&pro.user.role, &pro.user.organisation_id) {
        (Role::Professional, Some(id)) => organisation_view(&app.db, &app.directory, id).await?,
        _ => None,
    };
    let unopened = match &organisation {
        Some(o) => {
            let (count, urgent) = crate::referral::storage::unopened(&app.db, &o.id).await?;
            Some(Unopened { count, urgent })
        }
        None => None,
    };
    let role = match pro.user.role {
        Role::Admin => "administratrice ou administrateur",
        Role::Coordinator => "coordination",
        Role::Professional => "professionnel·le",
    };
    let attach_by = match pro.user.role {
        Role::Professional => "La coordination de votre territoire peut le faire.",
        Role::Coordinator => "La personne qui administre Relais peut vous confier un territoire.",
        Role::Admin => {
            "Aucun territoire n'existe encore : créez-en un depuis la page « Territoires », ou avec la commande « relais territory add »."
        }
    };
    Ok(render(&DashboardPage {
        b: Base::of(&app, &pro),
        role,
        territories,
        organisation,
        unopened,
        attach_by,
    })?
    .into_response())
}

// ---------------------------------------------------------------- statistics

/// A table of the statistics screen: its counters, in the order of its
/// columns, with their names.
struct Section {
    title: &'static str,
    /// Said when none of its counters counted anything yet.
    empty: &'static str,
    events: &'static [(&'static str, &'static str)],
}

/// The screen's tables, in order: the conversation, then live help
/// (docs/live.md, "Statistics").
const SECTIONS: &[Section] = &[
    Section {
        title: "Conversations",
        empty: "Aucune conversation pour le moment.",
        events: &[
            ("conversation-started", "Conversations commencées"),
            ("conversation-completed", "Menées à leur terme"),
            ("outcome:orientation", "Orientées vers des professionnels"),
            ("outcome:emergency", "Numéros d'urgence montrés"),
            ("outcome:youth", "Orientées vers les services jeunesse"),
            ("outcome:leave", "Parties vers les numéros nationaux"),
        ],
    },
    Section {
        title: "Aide en direct",
        empty: "Aucune aide en direct pour le moment.",
        events: &[
            ("live:offered", "Proposée"),
            ("live:joined", "Rejointe"),
            ("live:answered", "Répondue"),
            ("live:left-waiting", "Partie en attendant"),
            ("live:ended", "Terminée"),
            ("live:callback", "Rappels demandés"),
        ],
    },
    Section {
        title: "Aide en direct : attente avant une réponse",
        empty: "Aucune attente mesurée pour le moment.",
        events: &[
            ("live:wait:under-1", "moins d'une minute"),
            ("live:wait:1-5", "1 à 5 minutes"),
            ("live:wait:5-15", "5 à 15 minutes"),
            ("live:wait:over-15", "plus de 15 minutes"),
        ],
    },
];

/// A count as shown: under 5, "< 5", so that no small number points to a
/// person.
pub fn shown(count: i64) -> String {
    if count < 5 {
        "< 5".to_owned()
    } else {
        count.to_string()
    }
}

/// A period and its counts, as shown.
type Row = (String, Vec<String>);

/// A section as the page shows it.
#[derive(Debug)]
struct SectionView {
    title: &'static str,
    empty: &'static str,
    events: Vec<&'static str>,
    /// Title, then one row per period: period, counts as shown.
    tables: Vec<(&'static str, Vec<Row>)>,
}

#[derive(Template)]
#[template(path = "backoffice/statistics.html")]
struct StatisticsPage {
    b: Base,
    territory: String,
    sections: Vec<SectionView>,
}

/// Counts by period (a month, a week), then by event.
type Periods = BTreeMap<String, HashMap<String, i64>>;

/// The rows of `section` in `periods`, newest first: the periods where one
/// of its counters counted something, each count as shown.
fn rows(section: &Section, periods: &Periods) -> Vec<Row> {
    periods
        .iter()
        .rev()
        .filter(|(_, counts)| {
            section
                .events
                .iter()
                .any(|(event, _)| counts.get(*event).is_some_and(|count| *count > 0))
        })
        .map(|(period, counts)| {
            let cells = section
                .events
                .iter()
                .map(|(event, _)| shown(counts.get(*event).copied().unwrap_or(0)))
                .collect();
            (period.clone(), cells)
        })
        .collect()
}

async fn statistics(
    State(app): State<OverviewState>,
    pro: Pro,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let territory = territory(&app.directory, &pro, &slug)?;
    let last = today(&app.directory, &slug);
    let first = last
        .saturating_sub(jiff::Span::new().months(12))
        .first_of_month();
    let counts = counters::between(&app.db, &slug, first, last).await?;
    let mut weeks = Periods::new();
    let mut months = Periods::new();
    for count in counts {
        let Ok(day) = count.day.parse::<Date>() else {
            continue;
        };
        let week = day.iso_week_date();
        let week = format!("{}-S{:02}", week.year(), week.week());
        let month = format!("{}-{:02}", day.year(), day.month());
        *weeks
            .entry(week)
            .or_default()
            .entry(count.event.clone())
            .or_default() += count.count;
        *months
            .entry(month)
            .or_default()
            .entry(count.event)
            .or_default() += count.count;
    }
    let sections = SECTIONS
        .iter()
        .map(|section| SectionView {
            title: section.title,
            empty: section.empty,
            events: section.events.iter().map(|(_, label)| *label).collect(),
            tables: vec![
                ("Par mois", rows(section, &months)),
                (
                    "Par semaine (12 dernières)",
                    rows(section, &weeks).into_iter().take(12).collect(),
                ),
            ],
        })
        .collect();
    let page = StatisticsPage {
        b: Base::of(&app, &pro),
        territory: territory.name,
        sections,
    };
    Ok(render(&page)?.into_response())
}

// ---------------------------------------------------------------- audit log

/// One line of the audit log as its reader sees it: when, in the
/// territory's local time, and what happened, in a French sentence that
/// names the accounts, organisations, services and territories the reader
/// may see anyway (never an identifier).
#[derive(Debug, PartialEq, Eq)]
struct AuditLine {
    at: String,
    sentence: String,
    detail: String,
}

/// The names the log's lines are told with, looked up once per page.
#[derive(Debug, Default)]
struct Names {
    accounts: HashMap<String, String>,
    directory: HashMap<String, String>,
    territories: HashMap<String, String>,
    referrals: HashMap<String, String>,
    sheets: HashMap<String, String>,
}

impl Names {
    async fn of(app: &OverviewState, entries: &[storage::AuditEntry]) -> Result<Self, AppError> {
        let referral_ids: Vec<String> = entries
            .iter()
            .filter(|e| {
                storage::AuditAction::parse(&e.action)
                    .is_some_and(|a| a.object() == AuditObject::Referral)
            })
            .map(|e| e.object.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        Ok(Self {
            accounts: storage::users(&app.db)
                .await?
                .into_iter()
                .map(|u| (u.id.to_string(), u.email))
                .collect(),
            directory: directory_storage::names(&app.db)
                .await?
                .into_iter()
                .collect(),
            territories: app
                .directory
                .index()
                .territories()
                .map(|t| (t.slug.to_string(), t.name.clone()))
                .collect(),
            referrals: crate::referral::storage::received_at(&app.db, &referral_ids)
                .await?
                .into_iter()
                .collect(),
            sheets: app
                .sheets
                .all()
                .map(|sheet| {
                    // As the sheets' screens write it: `fr/slug`, or
                    // `fr/slug.facile` for the easy-to-read version.
                    let easy = if sheet.meta.easy_to_read {
                        ".facile"
                    } else {
                        ""
                    };
                    (
                        format!("{}/{}{easy}", sheet.meta.language, sheet.slug),
                        sheet.meta.title.clone(),
                    )
                })
                .collect(),
        })
    }
}

/// Who did it, in words: an account's e-mail, the person for what she does
/// with her receipt, Relais for what it does by itself, the command line.
fn actor_words(action: storage::AuditAction, actor: &str) -> String {
    match (action, actor) {
        (storage::AuditAction::ReferralDeletedByPerson, _) => {
            "La personne, avec son code de suivi,".to_owned()
        }
        (_, "relais") => "Relais, de lui-même,".to_owned(),
        (_, command) if command.starts_with("relais ") => {
            format!("La ligne de commande ({command})")
        }
        (_, email) => email.to_owned(),
    }
}

/// A stored time in the local time of `zone`, as French writes it.
fn local_at(stored: &str, zone: &str) -> String {
    stored
        .parse::<jiff::Timestamp>()
        .ok()
        .and_then(|at| at.in_tz(zone).ok())
        .map_or_else(
            || stored.to_owned(),
            |at| at.strftime("%d/%m/%Y à %H:%M").to_string(),
        )
}

/// The details some lines carry, in French where they were written with
/// codes (a role, the retention) or identifiers (a transfer).
fn detail_words(action: storage::AuditAction, detail: &str, names: &Names) -> String {
    let detail = detail
        .replace("(professional)", "(professionnel·le)")
        .replace("(coordinator)", "(coordination)")
        .replace("(admin)", "(administration)");
    match action {
        storage::AuditAction::ReferralErased if detail == "retention" => String::new(),
        storage::AuditAction::ReferralTransferred => match detail.split_once(" → ") {
            Some((from, to)) => {
                let name = |id: &str| {
                    names.directory.get(id).map_or_else(
                        || "une structure effacée".to_owned(),
                        |n| format!("« {n} »"),
                    )
                };
                format!("de {} à {}", name(from), name(to))
            }
            None => detail,
        },
        _ => detail,
    }
}

/// A line of the log in words.
fn audit_line(entry: &storage::AuditEntry, names: &Names, zone: &str) -> AuditLine {
    let at = local_at(&entry.at, zone);
    let Some(action) = storage::AuditAction::parse(&entry.action) else {
        // A code no action has any more: said as it was stored.
        return AuditLine {
            at,
            sentence: format!("{} : {}", entry.actor, entry.action),
            detail: entry.detail.clone(),
        };
    };
    let quoted = |found: Option<&String>, missing: &str| {
        found.map_or_else(|| missing.to_owned(), |name| format!("« {name} »"))
    };
    let object = match action.object() {
        AuditObject::Account => names
            .accounts
            .get(&entry.object)
            .cloned()
            .unwrap_or_else(|| "un compte effacé".to_owned()),
        AuditObject::Organisation => {
            quoted(names.directory.get(&entry.object), "une structure effacée")
        }
        AuditObject::Service => quoted(names.directory.get(&entry.object), "un service effacé"),
        AuditObject::Territory => {
            quoted(names.territories.get(&entry.object), "un territoire retiré")
        }
        AuditObject::Sheet => quoted(
            names.sheets.get(&entry.object),
            &format!("« {} »", entry.object),
        ),
        AuditObject::File => entry.object.clone(),
        AuditObject::Referral => names.referrals.get(&entry.object).map_or_else(
            || "une demande qui a été effacée depuis".to_owned(),
            |received| format!("la demande reçue le {}", local_at(received, zone)),
        ),
    };
    AuditLine {
        at,
        sentence: format!(
            "{} {}.",
            actor_words(action, &entry.actor),
            action.sentence().replace("{o}", &object)
        ),
        detail: detail_words(action, &entry.detail, names),
    }
}

#[derive(Template)]
#[template(path = "backoffice/audit.html")]
struct AuditPage {
    b: Base,
    title: String,
    lines: Vec<AuditLine>,
}

async fn audit_page(
    app: &OverviewState,
    pro: &Pro,
    title: String,
    entries: Vec<storage::AuditEntry>,
) -> Result<Response, AppError> {
    let names = Names::of(app, &entries).await?;
    let index = app.directory.index();
    let lines = entries
        .iter()
        .map(|entry| {
            let zone = index.time_zone_of(entry.territory.as_deref().unwrap_or_default());
            audit_line(entry, &names, zone)
        })
        .collect();
    Ok(render(&AuditPage {
        b: Base::of(app, pro),
        title,
        lines,
    })?
    .into_response())
}

async fn territory_log(
    State(app): State<OverviewState>,
    pro: Pro,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let territory = territory(&app.directory, &pro, &slug)?;
    let entries = storage::audit_entries(&app.db, Some(std::slice::from_ref(&slug)), 500).await?;
    audit_page(&app, &pro, format!("Journal — {}", territory.name), entries).await
}

async fn full_log(State(app): State<OverviewState>, pro: Pro) -> Result<Response, AppError> {
    pro.admin()?;
    let entries = storage::audit_entries(&app.db, None, 500).await?;
    audit_page(
        &app,
        &pro,
        "Journal de tous les territoires".to_owned(),
        entries,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str, actor: &str, object: &str, detail: &str) -> storage::AuditEntry {
        storage::AuditEntry {
            at: "2026-07-14T08:05:00Z".to_owned(),
            actor: actor.to_owned(),
            territory: Some("montreuillois".to_owned()),
            action: action.to_owned(),
            object: object.to_owned(),
            detail: detail.to_owned(),
        }
    }

    #[test]
    fn an_audit_line_is_a_french_sentence_in_local_time_with_names_not_ids() {
        let names = Names {
            accounts: [("u1".to_owned(), "camille@example.org".to_owned())].into(),
            directory: [
                ("o1".to_owned(), "CIDFF".to_owned()),
                ("o2".to_owned(), "France Victimes".to_owned()),
            ]
            .into(),
            referrals: [("r1".to_owned(), "2026-07-13T20:30:00Z".to_owned())].into(),
            ..Names::default()
        };
        let line = audit_line(
            &entry(
                "sign-in-failed",
                "camille@example.org",
                "u1",
                "mot de passe",
            ),
            &names,
            "Europe/Paris",
        );
        // 08:05 UTC is 10:05 in Paris in summer.
        assert_eq!(line.at, "14/07/2026 à 10:05");
        assert_eq!(
            line.sentence,
            "camille@example.org n'a pas pu se connecter."
        );
        let line = audit_line(
            &entry("referral-opened", "camille@example.org", "r1", ""),
            &names,
            "Europe/Paris",
        );
        assert_eq!(
            line.sentence,
            "camille@example.org a ouvert la demande reçue le 13/07/2026 à 22:30."
        );
        let line = audit_line(
            &entry(
                "referral-transferred",
                "camille@example.org",
                "r9",
                "o1 → o2",
            ),
            &names,
            "Europe/Paris",
        );
        assert!(
            line.sentence
                .contains("une demande qui a été effacée depuis")
        );
        assert_eq!(line.detail, "de « CIDFF » à « France Victimes »");
        let line = audit_line(
            &entry(
                "account-invited",
                "relais user create",
                "u1",
                "camille@example.org (professional)",
            ),
            &names,
            "Europe/Paris",
        );
        assert_eq!(
            line.sentence,
            "La ligne de commande (relais user create) a invité camille@example.org."
        );
        assert_eq!(line.detail, "camille@example.org (professionnel·le)");
        let line = audit_line(
            &entry("referral-erased", "relais", "r9", "retention"),
            &names,
            "Europe/Paris",
        );
        assert!(
            line.sentence.starts_with("Relais, de lui-même, a effacé"),
            "{}",
            line.sentence
        );
        assert_eq!(line.detail, "");
    }

    #[test]
    fn every_audit_action_is_told_without_its_code_or_an_identifier() {
        let names = Names::default();
        for action in storage::AuditAction::ALL {
            let line = audit_line(
                &entry(action.code(), "camille@example.org", "0f3a9c77e1b2d4c8", ""),
                &names,
                "Europe/Paris",
            );
            assert!(!line.sentence.contains(action.code()), "{}", line.sentence);
            assert!(
                !line.sentence.contains("0f3a9c77e1b2d4c8")
                    || action.object() == AuditObject::File
                    || action.object() == AuditObject::Sheet,
                "{}",
                line.sentence
            );
            assert!(line.sentence.ends_with('.'), "{}", line.sentence);
        }
    }

    #[test]
    fn small_counts_are_suppressed() {
        assert_eq!(shown(0), "< 5");
        assert_eq!(shown(4), "< 5");
        assert_eq!(shown(5), "5");
        assert_eq!(shown(128), "128");
    }
}
