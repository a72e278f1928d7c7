//! What the back office shows first and what it counts: the dashboard, a
//! territory's anonymous statistics, and the audit log.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;

use crate::backoffice::session::Pro;
use crate::backoffice::storage::{self, Role};
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
        .get("/pro/territoires/{t}/statistiques", statistics)
        .get("/pro/territoires/{t}/journal", territory_log)
        .get("/pro/journal", full_log)
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
            "Aucun territoire n'existe encore : ajoutez-en un avec la commande « relais territory add »."
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

/// The counted events, in the order of the table.
const EVENTS: &[(&str, &str)] = &[
    ("conversation-started", "Conversations commencées"),
    ("conversation-completed", "Menées à leur terme"),
    ("outcome:orientation", "Orientées vers des professionnels"),
    ("outcome:emergency", "Numéros d'urgence montrés"),
    ("outcome:youth", "Orientées vers les services jeunesse"),
    ("outcome:leave", "Parties vers les numéros nationaux"),
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

#[derive(Template)]
#[template(path = "backoffice/statistics.html")]
struct StatisticsPage {
    b: Base,
    territory: String,
    events: Vec<String>,
    /// Title, then one row per period: period, counts as shown.
    tables: Vec<(String, Vec<Row>)>,
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
    let mut weeks: BTreeMap<String, HashMap<String, i64>> = BTreeMap::new();
    let mut months: BTreeMap<String, HashMap<String, i64>> = BTreeMap::new();
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
    let rows = |table: BTreeMap<String, HashMap<String, i64>>| -> Vec<(String, Vec<String>)> {
        table
            .into_iter()
            .rev()
            .map(|(period, counts)| {
                let cells = EVENTS
                    .iter()
                    .map(|(event, _)| shown(counts.get(*event).copied().unwrap_or(0)))
                    .collect();
                (period, cells)
            })
            .collect()
    };
    let page = StatisticsPage {
        b: Base::of(&app, &pro),
        territory: territory.name,
        events: EVENTS
            .iter()
            .map(|(_, label)| (*label).to_owned())
            .collect(),
        tables: vec![
            ("Par mois".to_owned(), rows(months)),
            (
                "Par semaine (12 dernières)".to_owned(),
                rows(weeks).into_iter().take(12).collect(),
            ),
        ],
    };
    Ok(render(&page)?.into_response())
}

// ---------------------------------------------------------------- audit log

#[derive(Template)]
#[template(path = "backoffice/audit.html")]
struct AuditPage {
    b: Base,
    title: String,
    entries: Vec<storage::AuditEntry>,
}

async fn territory_log(
    State(app): State<OverviewState>,
    pro: Pro,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let territory = territory(&app.directory, &pro, &slug)?;
    let entries = storage::audit_entries(&app.db, Some(std::slice::from_ref(&slug)), 500).await?;
    let page = AuditPage {
        b: Base::of(&app, &pro),
        title: format!("Journal — {}", territory.name),
        entries,
    };
    Ok(render(&page)?.into_response())
}

async fn full_log(State(app): State<OverviewState>, pro: Pro) -> Result<Response, AppError> {
    pro.admin()?;
    let entries = storage::audit_entries(&app.db, None, 500).await?;
    Ok(render(&AuditPage {
        b: Base::of(&app, &pro),
        title: "Journal de tous les territoires".to_owned(),
        entries,
    })?
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_suppressed() {
        assert_eq!(shown(0), "< 5");
        assert_eq!(shown(4), "< 5");
        assert_eq!(shown(5), "5");
        assert_eq!(shown(128), "128");
    }
}
