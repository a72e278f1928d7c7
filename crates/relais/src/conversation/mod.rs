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
}

crate::capability_state!(ConversationState);

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
