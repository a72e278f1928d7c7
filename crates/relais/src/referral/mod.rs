//! The report that travels: a person sends her account to the organisation
//! she chose, readable only by its members (and the territory's recovery
//! key); she keeps a receipt to follow it up at `/suivi`.
//!
//! - [`envelope`]: the encryption format of docs/crypto.md, server side.
//! - [`receipt`]: the 16 digits, their Argon2id lookup and the person's key.
//! - [`report`]: the report, built in memory from the conversation.
//! - [`storage`]: SQL; only ciphertext, and in clear the kind, status,
//!   urgency, language and contact channel, are stored.
//! - [`public`]: `/envoyer` (consent, sealing, receipt) and `/suivi`.
//! - [`pro`]: the organisation's inbox, keys, transfer and access screens.
//! - [`outbox`]: content-free e-mail notifications, sent after commit.
//! - [`retention`]: `relais purge`, and the same task each day in `serve`.
//!
//! Plaintext of a report or a message exists only in memory, while a request
//! is being answered: in the person's request when she sends or follows up,
//! in the professional's browser otherwise.

pub mod envelope;
pub mod forms;
pub mod outbox;
pub mod pro;
pub mod public;
pub mod receipt;
pub mod report;
pub mod retention;
pub mod storage;

use crate::web::Web;
use std::collections::HashSet;
use std::sync::{Arc, PoisonError, RwLock};

use envelope::{Author, PublicKey, ReferralKey};
use receipt::{Derived, Hasher, Receipt};
use storage::{InClear, Message, NewReferral, Referral};

use crate::storage::{Db, MessageId, OrganisationId, ReferralId};

/// What the referrals' handlers reach, public and back office, and the
/// outbox.
#[derive(Clone, Debug)]
pub struct ReferralState {
    /// The toolkit's state.
    pub web: Web,
    /// The directory and its orientation index.
    pub directory: Arc<crate::directory::Directory>,
    /// The flow the reports are made from.
    pub conversation: Arc<crate::conversation::Conversation>,
    /// Receipts, the outbox's bell, who can receive.
    pub referrals: Arc<Referrals>,
    /// The key material for sealed tokens.
    pub secret: Arc<crate::secret::ServerSecret>,
}

crate::capability_state!(ReferralState);

impl crate::conversation::Recipients for Referrals {
    fn receiving(&self) -> Arc<HashSet<OrganisationId>> {
        Referrals::receiving(self)
    }
}

/// The referral service: the receipt hasher, and a bell the outbox worker
/// listens to.
#[derive(Debug)]
pub struct Referrals {
    hasher: Hasher,
    /// Rung after a commit that queued a notification.
    pub bell: tokio::sync::Notify,
    /// Wrong receipt tries, per client.
    pub tries: crate::web::clients::ClientCounts,
    /// Referrals sent, per client.
    pub sends: crate::web::clients::ClientCounts,
    /// The organisations that can receive referrals, refreshed after a key
    /// is saved here and every few seconds (another instance may save one).
    receiving: RwLock<Arc<HashSet<OrganisationId>>>,
}

/// Why a referral could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Nobody in the organisation can receive referrals (any more).
    #[error("the organisation cannot receive referrals")]
    NoRecipient,
    /// The database refused.
    #[error("the database refused the referral")]
    Database(#[from] sqlx::Error),
}

/// A referral opened with its receipt.
#[derive(Debug)]
pub struct Opened {
    /// The stored referral.
    pub referral: Referral,
    /// Its key, opened with the person's key.
    pub key: ReferralKey,
    /// The messages, in clear, oldest first: (author, when, text).
    pub messages: Vec<(Author, String, String)>,
}

impl Referrals {
    /// The service of this installation; each client may send
    /// `sends_per_hour` referrals an hour (0: no limit).
    pub fn new(secret: &crate::secret::ServerSecret, sends_per_hour: u32) -> Self {
        Self {
            hasher: Hasher::new(secret),
            bell: tokio::sync::Notify::new(),
            tries: public::receipt_tries(),
            sends: public::sends_per_client(sends_per_hour),
            receiving: RwLock::default(),
        }
    }

    /// The organisations that can receive referrals.
    pub fn receiving(&self) -> Arc<HashSet<OrganisationId>> {
        Arc::clone(
            &self
                .receiving
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// Reads again which organisations can receive referrals.
    pub async fn refresh_receiving(&self, db: &Db) -> sqlx::Result<()> {
        let fresh: HashSet<OrganisationId> = storage::receiving_organisations(db)
            .await?
            .into_iter()
            .collect();
        *self
            .receiving
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(fresh);
        Ok(())
    }

    /// Refreshes [`Self::receiving`] every `every`, for as long as the
    /// process runs.
    pub async fn keep_fresh(self: Arc<Self>, db: Db, every: std::time::Duration) {
        loop {
            tokio::time::sleep(every).await;
            if let Err(error) = self.refresh_receiving(&db).await {
                tracing::warn!("could not read which organisations receive referrals: {error}");
            }
        }
    }

    /// Derives a receipt's lookup and key, off the async workers.
    pub async fn derive(self: &Arc<Self>, receipt: Receipt) -> Derived {
        let this = Arc::clone(self);
        crate::work::run(crate::work::Class::Person, move || {
            this.hasher.derive(&receipt)
        })
        .await
    }

    /// Seals `report` for the members of `organisation_id` (and the recovery
    /// key of `territory`, and the person), stores it with its
    /// notifications in one transaction, and returns the receipt once the
    /// commit is durable. `in_clear.kind` says what it is (a report, a
    /// callback, a live conversation): the sealing is the same for all.
    pub async fn send(
        self: &Arc<Self>,
        db: &Db,
        id: &ReferralId,
        organisation_id: &OrganisationId,
        territory: &str,
        in_clear: InClear,
        report: &[u8],
    ) -> Result<Receipt, SendError> {
        let members = storage::members(db, organisation_id).await?;
        if members.is_empty() {
            return Err(SendError::NoRecipient);
        }
        let recovery = storage::recovery_key(db, territory).await?;
        let receipt = Receipt::generate();
        let derived = self.derive(receipt.clone()).await;
        let key = ReferralKey::random();
        let mut keys = Vec::with_capacity(members.len() + 2);
        keys.push((
            "person".to_owned(),
            key.wrap_for(&derived.key.public_key(), id),
        ));
        for member in &members {
            if let Ok(public) = PublicKey::parse(&member.public_key) {
                keys.push((member.user_id.to_string(), key.wrap_for(&public, id)));
            }
        }
        if let Some(public) = recovery.as_deref().and_then(|k| PublicKey::parse(k).ok()) {
            keys.push((
                storage::recovery_recipient(territory),
                key.wrap_for(&public, id),
            ));
        }
        let sealed = key.seal_report(id, report);
        let mut tx = db.begin().await?;
        storage::insert(
            &mut tx,
            &NewReferral {
                id: id.clone(),
                receipt_lookup: derived.lookup,
                organisation_id: organisation_id.clone(),
                territory: Some(territory.to_owned()),
                in_clear,
                report: sealed,
                key_check: key.check(id),
                keys,
                notify: members.into_iter().map(|m| m.email).collect(),
            },
        )
        .await?;
        tx.commit().await?;
        self.bell.notify_one();
        Ok(receipt)
    }

    /// Opens the referral of a receipt, with its messages; `None` when no
    /// referral has this receipt.
    pub async fn open(
        self: &Arc<Self>,
        db: &Db,
        receipt: Receipt,
    ) -> Result<Option<Opened>, sqlx::Error> {
        let derived = self.derive(receipt).await;
        let Some(referral) = storage::by_lookup(db, &derived.lookup).await? else {
            return Ok(None);
        };
        let Some(wrapped) = storage::wrapped_key(db, &referral.id, "person").await? else {
            return Ok(None);
        };
        let Ok(key) = ReferralKey::unwrap(&wrapped, &derived.key, &referral.id) else {
            return Ok(None);
        };
        let mut messages = Vec::new();
        for message in storage::messages(db, &referral.id).await? {
            let author = message.author;
            if let Ok(text) = key.open_message(&referral.id, &message.id, author, &message.body) {
                messages.push((author, message.at, text));
            }
        }
        Ok(Some(Opened {
            referral,
            key,
            messages,
        }))
    }

    /// Adds the person's message to an opened referral and notifies the
    /// organisation.
    pub async fn add_person_message(
        &self,
        db: &Db,
        opened: &Opened,
        text: &str,
    ) -> Result<(), sqlx::Error> {
        let id = &opened.referral.id;
        let message_id = MessageId::new();
        let body = opened
            .key
            .seal_message(id, &message_id, Author::Person, text);
        let notify: Vec<String> = storage::members(db, &opened.referral.organisation_id)
            .await?
            .into_iter()
            .map(|m| m.email)
            .collect();
        let mut tx = db.begin().await?;
        storage::add_message(
            &mut tx,
            id,
            &Message {
                id: message_id,
                author: Author::Person,
                at: crate::storage::now_text(),
                body,
            },
            &notify,
        )
        .await?;
        tx.commit().await?;
        self.bell.notify_one();
        Ok(())
    }
}

/// "28/11/2026 14:05": a stored UTC timestamp in Paris time, as the person
/// and the professionals read dates.
pub fn local_time(stored: &str) -> String {
    stored
        .parse::<jiff::Timestamp>()
        .ok()
        .and_then(|at| at.in_tz("Europe/Paris").ok())
        .map_or_else(
            || stored.to_owned(),
            |at| at.strftime("%d/%m/%Y %H:%M").to_string(),
        )
}
