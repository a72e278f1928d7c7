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
pub mod token;

use std::sync::Arc;

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

/// The conversation's flow and the sealer of its tokens.
#[derive(Debug)]
pub struct Conversation {
    /// The flow in use.
    pub flow: Flow,
    /// Seals and opens progress tokens.
    pub sealer: Sealer,
}

impl Conversation {
    /// The national flow, checked, with a sealer keyed by the server secret.
    pub fn national(secret: &ServerSecret) -> anyhow::Result<Self> {
        let flow = Flow::parse(NATIONAL_FLOW, &known_needs()).map_err(|problems| {
            let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
            anyhow::anyhow!(
                "content/flows/national.toml is not a valid flow:\n{}",
                problems.join("\n")
            )
        })?;
        Ok(Self {
            flow,
            sealer: Sealer::new(secret),
        })
    }
}
