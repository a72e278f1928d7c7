//! The help conversation: the HTTP side of `crates/flow`.
//!
//! It lives at one address, `/aide` (`/en/aide`, `/ar/aide`): every answer is
//! a POST to that same address, so the browser's history shows one entry, and
//! with JavaScript the next question is fetched and shown without navigating
//! at all. The person's answers travel in a sealed token in the form
//! ([`token`]); nothing about her is stored on the server, nor logged. Only
//! anonymous daily counters are kept (started, each outcome, completed).

pub mod answers;
pub mod commands;
mod decide;
pub mod routes;
pub mod screens;
pub mod storage;
pub mod token;
mod wording;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::web::Web;
use flow::Flow;

use crate::directory::model::Need;
use crate::secret::ServerSecret;
use token::Sealer;

/// What the conversation's handlers reach.
#[derive(Clone, Debug)]
pub struct ConversationState {
    /// The toolkit's state.
    pub web: Web,
    /// The directory and its orientation index.
    pub directory: Arc<crate::directory::Directory>,
    /// The flow and the token sealer.
    pub conversation: Arc<Conversation>,
    /// Which organisations can receive a report.
    pub recipients: Arc<dyn Recipients>,
    /// Who can answer now, for live help.
    pub live: Arc<dyn LiveHelp>,
}

crate::capability_state!(ConversationState);

/// What the outcome says of live help ("Parler maintenant"), given by
/// the live capability: the conversation does not know who is on duty.
pub trait LiveHelp: std::fmt::Debug + Send + Sync {
    /// The organisations serving one of `needs` (any, when `None`) in the
    /// territory of that slug that someone can answer now, and the names
    /// of those that offer live help but have nobody now.
    fn outlook(&self, territory: &str, needs: Option<crate::directory::model::Needs>) -> Outlook;
}

/// What live help can do for her now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outlook {
    /// Someone is there: talk now.
    pub offers: Vec<LiveOffer>,
    /// Organisations that offer live help, with nobody there now.
    pub closed: Vec<Closed>,
}

/// An organisation offering live help with nobody there now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closed {
    /// The organisation.
    pub organisation: crate::storage::OrganisationId,
    /// Its public name.
    pub name: String,
    /// It can receive a callback request (someone there has a key).
    pub callback: bool,
}

/// "Parler maintenant avec un professionnel" of one organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveOffer {
    /// The organisation.
    pub organisation: crate::storage::OrganisationId,
    /// Its public name.
    pub name: String,
    /// Her place in its queue if she joined now (1: next).
    pub position: usize,
    /// The wait measured, rounded up to the minute; `None` without a
    /// measure yet.
    pub wait_minutes: Option<i64>,
}

/// Her place and the honest wait, in words: "Vous seriez la 2e personne.
/// Attente estimée : environ 5 minutes." (or "dès qu'elle est libre"
/// without a measure yet).
pub fn live_wait(lang: crate::web::i18n::Lang, position: usize, minutes: Option<i64>) -> String {
    use fluent_bundle::FluentValue;
    let place = lang.t_with(
        "live-position",
        &[("position", FluentValue::from(position))],
    );
    let wait = match minutes {
        Some(0) => lang.t("live-wait-now"),
        Some(minutes) => lang.t_with(
            "live-wait-minutes",
            &[("minutes", FluentValue::from(minutes))],
        ),
        None => lang.t("live-wait-unknown"),
    };
    format!("{place} {wait}")
}

impl LiveOffer {
    /// The wait, in words.
    pub fn wait(&self, lang: &crate::web::i18n::Lang) -> String {
        live_wait(*lang, self.position, self.wait_minutes)
    }
}

/// Which organisations can receive a report now: the orientation offers to
/// send hers to them. (The referral capability knows; the conversation
/// only asks.)
pub trait Recipients: std::fmt::Debug + Send + Sync {
    /// The organisations, by id.
    fn receiving(&self) -> Arc<std::collections::HashSet<crate::storage::OrganisationId>>;
}

/// The national flow, embedded in the binary.
pub const NATIONAL_FLOW: &str = include_str!("../../../../content/flows/national.toml");

/// The need codes a flow may name.
pub fn known_needs() -> Vec<&'static str> {
    Need::ALL.iter().map(|need| need.code()).collect()
}

/// The conversation's flows and the sealer of its tokens: the national
/// flow, the version each territory uses, and the versions conversations
/// under way may still be on, all checked once when loaded.
#[derive(Debug)]
pub struct Conversation {
    /// The national flow, in the binary.
    pub national: Arc<Flow>,
    loaded: RwLock<Arc<Loaded>>,
    /// Seals and opens progress tokens.
    pub sealer: Sealer,
}

/// The territories' flows as last loaded.
#[derive(Debug, Default)]
struct Loaded {
    revision: i64,
    /// The flow each territory uses (absent: the national one).
    in_use: HashMap<String, Arc<Flow>>,
    /// Every loaded flow, by the digest tokens name.
    by_digest: HashMap<String, Arc<Flow>>,
    /// Every loaded flow, by its territory and version number: a version
    /// never changes once written, so a refresh reads only the new ones.
    by_number: HashMap<(String, i64), Arc<Flow>>,
}

/// How long after a version stopped being in use a conversation started
/// on it may still finish on it.
const KEPT_FOR: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// Reads a flow file with the needs that exist.
pub fn parse_flow(source: &str) -> Result<Flow, Vec<flow::Problem>> {
    Flow::parse(source, &known_needs())
}

impl Conversation {
    /// The national flow, checked, with a sealer keyed by the server
    /// secret; no territory's flow yet ([`Conversation::refresh`] loads
    /// them).
    pub fn national(secret: &ServerSecret) -> anyhow::Result<Self> {
        let flow = parse_flow(NATIONAL_FLOW).map_err(|problems| {
            let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
            anyhow::anyhow!(
                "content/flows/national.toml is not a valid flow:\n{}",
                problems.join("\n")
            )
        })?;
        Ok(Self {
            national: Arc::new(flow),
            loaded: RwLock::new(Arc::new(Loaded::default())),
            sealer: Sealer::new(secret),
        })
    }

    fn loaded(&self) -> Arc<Loaded> {
        Arc::clone(
            &self
                .loaded
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// The flow a conversation starts on in that territory (`None`: the
    /// national entry): the version it uses, else the national flow.
    pub fn flow(&self, territory: Option<&str>) -> Arc<Flow> {
        territory
            .and_then(|slug| self.loaded().in_use.get(slug).cloned())
            .unwrap_or_else(|| Arc::clone(&self.national))
    }

    /// The flow of that digest, if it is loaded: the national one, one in
    /// use, or one a conversation under way may still be on.
    pub fn by_digest(&self, digest: &str) -> Option<Arc<Flow>> {
        if digest == self.national.version() {
            return Some(Arc::clone(&self.national));
        }
        self.loaded().by_digest.get(digest).cloned()
    }

    /// Opens a token on the flow it was sealed for, which the conversation
    /// goes on with (a version published since does not change it), if
    /// that flow is still loaded and the answers fit it.
    pub fn open(
        &self,
        token: &str,
        now: i64,
    ) -> Result<(Arc<Flow>, flow::Progress, token::ConversationId), token::TokenError> {
        let (digest, progress, id) = self.sealer.open_any(token, now)?;
        let flow = self
            .by_digest(&digest)
            .ok_or(token::TokenError::OtherFlow)?;
        if flow::position(&flow, &progress).is_err() {
            return Err(token::TokenError::OtherFlow);
        }
        Ok((flow, progress, id))
    }

    /// Reloads the territories' flows if one published since they were
    /// loaded (or `force`), parsing only the versions not loaded yet. A
    /// stored version that no longer reads (a need
    /// this binary does not have) is left out, with a warning: its
    /// territory is given the national flow.
    pub async fn refresh(&self, db: &crate::storage::Db, force: bool) -> sqlx::Result<bool> {
        let revision = storage::revision(db).await?;
        if !force && revision == self.loaded().revision {
            return Ok(false);
        }
        let since = crate::storage::timestamp_text(jiff::Timestamp::now() - KEPT_FOR);
        let versions = storage::loaded(db, &since).await?;
        let in_use = storage::all_in_use(db).await?;
        let before = self.loaded();
        let loaded = crate::work::run(crate::work::Class::Staff, move || {
            let mut loaded = Loaded {
                revision,
                ..Loaded::default()
            };
            for version in versions {
                let key = (version.territory, version.number);
                let parsed = match before.by_number.get(&key) {
                    Some(flow) => Ok(Arc::clone(flow)),
                    None => parse_flow(&version.source).map(Arc::new),
                };
                match parsed {
                    Ok(flow) => {
                        loaded
                            .by_digest
                            .insert(flow.version().to_owned(), Arc::clone(&flow));
                        loaded.by_number.insert(key, flow);
                    }
                    Err(problems) => tracing::warn!(
                        territory = key.0,
                        version = key.1,
                        problems = problems.len(),
                        "a published questionnaire no longer reads: its territory is given the national flow"
                    ),
                }
            }
            for row in in_use {
                if let Some(flow) = row
                    .number
                    .and_then(|number| loaded.by_number.get(&(row.territory.clone(), number)))
                {
                    loaded.in_use.insert(row.territory, Arc::clone(flow));
                }
            }
            loaded
        })
        .await;
        *self
            .loaded
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(loaded);
        Ok(true)
    }

    /// Checks for a publication every `period`, forever.
    pub async fn keep_fresh(self: Arc<Self>, db: crate::storage::Db, period: Duration) {
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(error) = self.refresh(&db, false).await {
                tracing::warn!(%error, "could not check the questionnaires for a publication");
            }
        }
    }
}
