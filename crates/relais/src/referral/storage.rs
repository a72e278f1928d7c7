//! SQL of referrals: keys, referrals, their wrapped keys and messages, and
//! the outbox of notifications. Nothing here ever sees a plaintext.

use flow::Channel;

use crate::referral::envelope::Author;
use crate::storage::now_text;
use crate::storage::{
    Db, MessageId, NotificationId, OrganisationId, ReferralId, Tx, UnknownCode, UserId,
};
use crate::web::i18n::{Lang, msg};
use crate::{with_pool, with_tx};

/// The language of the pages she used, as stored (`fr`, `en`, `ar`);
/// `None` for a referral sent before it was recorded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoredLanguage(pub Option<Lang>);

impl StoredLanguage {
    /// The stored code.
    pub fn code(self) -> &'static str {
        self.0.map_or("", Lang::code)
    }
}

impl TryFrom<String> for StoredLanguage {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, UnknownCode> {
        if code.is_empty() {
            return Ok(Self(None));
        }
        Lang::ALL
            .into_iter()
            .find(|lang| lang.code() == code)
            .map(|lang| Self(Some(lang)))
            .ok_or(UnknownCode {
                what: "referral language",
                code,
            })
    }
}

/// How she agreed to be contacted, as stored (`phone`, `sms`, `email`,
/// `none`); `None` for a referral sent before it was recorded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoredChannel(pub Option<Channel>);

impl StoredChannel {
    const CODES: [(Channel, &'static str); 4] = [
        (Channel::Phone, "phone"),
        (Channel::Sms, "sms"),
        (Channel::Email, "email"),
        (Channel::None, "none"),
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        Self::CODES
            .iter()
            .find(|(channel, _)| Some(*channel) == self.0)
            .map_or("", |(_, code)| code)
    }
}

impl TryFrom<String> for StoredChannel {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, UnknownCode> {
        if code.is_empty() {
            return Ok(Self(None));
        }
        Self::CODES
            .iter()
            .find(|(_, known)| *known == code)
            .map(|(channel, _)| Self(Some(*channel)))
            .ok_or(UnknownCode {
                what: "referral contact channel",
                code,
            })
    }
}

/// What a referral is: a report sent from the conversation, a callback she
/// asked for, or a live conversation kept with her consent. Kept in clear,
/// as the inbox shows it; the sealed content has the same format for all
/// three.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    /// Her report, sent from the conversation.
    #[default]
    Report,
    /// She asked to be called back.
    Callback,
    /// A live conversation, turned into a referral with her consent.
    Conversation,
}

impl Kind {
    const ALL: [Self; 3] = [Self::Report, Self::Callback, Self::Conversation];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Report => "report",
            Self::Callback => "callback",
            Self::Conversation => "conversation",
        }
    }

    /// Parses a stored code; an unknown one is `None`, never a default.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// Its name in the back office, in plain French.
    pub fn label(self) -> &'static str {
        match self {
            Self::Report => "Demande",
            Self::Callback => "Rappel demandé",
            Self::Conversation => "Conversation en direct",
        }
    }
}

impl TryFrom<String> for Kind {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, UnknownCode> {
        Self::parse(&code).ok_or(UnknownCode {
            what: "referral kind",
            code,
        })
    }
}

/// What a referral keeps in clear for its inbox line, beside its status
/// and dates: choices she made on the way, never what she said (her story,
/// her number, her name stay in the sealed report).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InClear {
    /// What it is: a report, a callback, a live conversation.
    pub kind: Kind,
    /// She said it is urgent.
    pub urgent: bool,
    /// The language of the pages she used.
    pub language: StoredLanguage,
    /// How she agreed to be contacted.
    pub channel: StoredChannel,
}

/// Where a referral stands, as the person and the professionals see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Sent, not opened yet.
    Sent,
    /// Opened by the organisation.
    Read,
    /// Taken in hand.
    Accepted,
    /// Sent on to another organisation.
    Redirected,
    /// Closed.
    Closed,
}

impl Status {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Read => "read",
            Self::Accepted => "accepted",
            Self::Redirected => "redirected",
            Self::Closed => "closed",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        [
            Self::Sent,
            Self::Read,
            Self::Accepted,
            Self::Redirected,
            Self::Closed,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// The Fluent id of its name.
    pub fn message_id(self) -> &'static str {
        match self {
            Self::Sent => msg("referral-status-sent"),
            Self::Read => msg("referral-status-read"),
            Self::Accepted => msg("referral-status-accepted"),
            Self::Redirected => msg("referral-status-redirected"),
            Self::Closed => msg("referral-status-closed"),
        }
    }

    /// The Fluent id of the sentence that explains it to the person.
    pub fn help_id(self) -> &'static str {
        match self {
            Self::Sent => msg("referral-status-sent-help"),
            Self::Read => msg("referral-status-read-help"),
            Self::Accepted => msg("referral-status-accepted-help"),
            Self::Redirected => msg("referral-status-redirected-help"),
            Self::Closed => msg("referral-status-closed-help"),
        }
    }
}

/// A professional's key pair, the private half wrapped in their browser.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct KeyRecord {
    /// X25519 public key, base64url.
    pub public_key: String,
    /// PBKDF2 salt, base64url.
    pub salt: String,
    /// PBKDF2 iterations.
    pub iterations: i64,
    /// AES-GCM nonce, base64url.
    pub nonce: String,
    /// The wrapped PKCS#8, base64url.
    pub wrapped: String,
}

/// A member of an organisation who can receive referrals.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Member {
    /// Account id.
    pub user_id: UserId,
    /// E-mail, for the notification.
    pub email: String,
    /// X25519 public key, base64url.
    pub public_key: String,
}

/// A referral as stored: only its report's ciphertext.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Referral {
    /// Id.
    pub id: ReferralId,
    /// The organisation that receives it now.
    pub organisation_id: OrganisationId,
    /// Its territory.
    pub territory: Option<String>,
    /// Where it stands (stored as its code; an unknown code is an error
    /// when the row is read, never a default).
    #[sqlx(try_from = "String")]
    pub status: Status,
    /// She said it is urgent.
    pub urgent: bool,
    /// nonce ‖ AES-256-GCM of the report, base64url.
    pub report: String,
    /// When it was sent.
    pub created_at: String,
    /// When someone of the organisation first opened it.
    pub opened_at: Option<String>,
    /// When it was closed.
    pub closed_at: Option<String>,
    /// When anything last happened.
    pub updated_at: String,
    /// base64url(HMAC-SHA256(K, "relais/v1/key-check/" ‖ id)): what a
    /// browser shows to prove it holds the key (empty for the oldest).
    pub key_check: String,
    /// The last event retention counts from (sent, transferred, closed).
    pub retain_from: Option<String>,
    /// The language of the pages she used.
    #[sqlx(try_from = "String")]
    pub language: StoredLanguage,
    /// How she agreed to be contacted.
    #[sqlx(try_from = "String")]
    pub contact_channel: StoredChannel,
    /// What it is (stored as its code; an unknown one is an error).
    #[sqlx(try_from = "String")]
    pub kind: Kind,
}

impl Referral {
    /// Its status.
    pub fn status(&self) -> Status {
        self.status
    }
}

impl TryFrom<String> for Status {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, UnknownCode> {
        Self::parse(&code).ok_or(UnknownCode {
            what: "referral status",
            code,
        })
    }
}

/// A message of the follow-up, sealed.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Message {
    /// Id, bound into the ciphertext.
    pub id: MessageId,
    /// Who wrote it (stored as its code; an unknown one is an error).
    #[sqlx(try_from = "String")]
    pub author: Author,
    /// When.
    pub at: String,
    /// nonce ‖ AES-256-GCM, base64url.
    pub body: String,
}

/// A new referral, sealed.
#[derive(Debug)]
pub struct NewReferral {
    /// Id.
    pub id: ReferralId,
    /// The receipt's lookup.
    pub receipt_lookup: String,
    /// The receiving organisation.
    pub organisation_id: OrganisationId,
    /// Its territory.
    pub territory: Option<String>,
    /// What its inbox line shows in clear: kind, urgency, language, channel.
    pub in_clear: InClear,
    /// The sealed report.
    pub report: String,
    /// The key's check value.
    pub key_check: String,
    /// (recipient, wrapped key): user ids, `person`, `recovery:<territory>`.
    pub keys: Vec<(String, String)>,
    /// Who gets an e-mail.
    pub notify: Vec<String>,
}

const REFERRAL_COLUMNS: &str = "id, organisation_id, territory, status, urgent, report, created_at, opened_at, closed_at, updated_at, key_check, retain_from, language, contact_channel, kind";

/// The recipient name of a territory's recovery copy: one per territory, so
/// that a transfer to another territory keeps the first.
pub fn recovery_recipient(territory: &str) -> String {
    format!("recovery:{territory}")
}

/// What the history of a referral records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The person sent it.
    Sent,
    /// Someone of the organisation opened it for the first time.
    Opened,
    /// Taken in hand.
    Accepted,
    /// Closed.
    Closed,
    /// Sent on to another organisation.
    Transferred,
    /// An account was given access with a colleague's key.
    AccessGiven,
    /// An account was given access with the territory's recovery key.
    AccessGivenWithRecovery,
}

impl Event {
    const ALL: [Self; 7] = [
        Self::Sent,
        Self::Opened,
        Self::Accepted,
        Self::Closed,
        Self::Transferred,
        Self::AccessGiven,
        Self::AccessGivenWithRecovery,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Opened => "opened",
            Self::Accepted => "accepted",
            Self::Closed => "closed",
            Self::Transferred => "transferred",
            Self::AccessGiven => "access-given",
            Self::AccessGivenWithRecovery => "access-given-with-recovery-key",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }

    /// Whether it gave one more account the referral's key.
    pub fn gives_access(self) -> bool {
        matches!(self, Self::AccessGiven | Self::AccessGivenWithRecovery)
    }
}

/// One line of a referral's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryLine {
    /// The referral.
    pub referral_id: ReferralId,
    /// When.
    pub at: String,
    /// What.
    pub event: Event,
    /// Who did it: a professional's e-mail, empty for the person.
    pub actor: String,
    /// The account given access, or the organisation a transfer came from.
    pub subject: String,
    /// The organisation concerned.
    pub organisation_id: OrganisationId,
}

/// Adds a line to a referral's history, in the transaction of the change.
pub async fn record(
    tx: &mut Tx,
    referral_id: &ReferralId,
    event: Event,
    actor: &str,
    subject: &str,
    organisation_id: &OrganisationId,
) -> sqlx::Result<()> {
    let now = now_text();
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO referral_events (referral_id, at, kind, actor, subject, organisation_id) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(referral_id)
            .bind(&now)
            .bind(event.code())
            .bind(actor)
            .bind(subject)
            .bind(organisation_id)
            .execute(&mut *conn)
            .await
            .map(drop)
    })
}

fn history_lines(
    rows: Vec<(ReferralId, String, String, String, String, OrganisationId)>,
) -> sqlx::Result<Vec<HistoryLine>> {
    rows.into_iter()
        .map(|(referral_id, at, kind, actor, subject, organisation_id)| {
            let event = Event::parse(&kind).ok_or_else(|| {
                sqlx::Error::Decode(format!("unknown referral event {kind:?}").into())
            })?;
            Ok(HistoryLine {
                referral_id,
                at,
                event,
                actor,
                subject,
                organisation_id,
            })
        })
        .collect()
}

/// A referral's history, oldest first.
pub async fn history(db: &Db, referral_id: &ReferralId) -> sqlx::Result<Vec<HistoryLine>> {
    let rows = with_pool!(db, pool => {
        sqlx::query_as("SELECT referral_id, at, kind, actor, subject, organisation_id FROM referral_events WHERE referral_id = $1 ORDER BY id")
            .bind(referral_id)
            .fetch_all(pool)
            .await
    })?;
    history_lines(rows)
}

/// The accesses given to the referrals of an organisation since `since`,
/// newest first: what its members see in their inbox.
pub async fn accesses_given(
    db: &Db,
    organisation_id: &OrganisationId,
    since: &str,
) -> sqlx::Result<Vec<HistoryLine>> {
    let rows = with_pool!(db, pool => {
        sqlx::query_as("SELECT e.referral_id, e.at, e.kind, e.actor, e.subject, e.organisation_id FROM referral_events e WHERE e.organisation_id = $1 AND e.at >= $2 AND e.kind IN ('access-given', 'access-given-with-recovery-key') ORDER BY e.id DESC")
            .bind(organisation_id)
            .bind(since)
            .fetch_all(pool)
            .await
    })?;
    history_lines(rows)
}

/// How many active accounts of `organisation_id` hold a copy of the
/// referral's key: the people who can read it.
pub async fn readers(
    db: &Db,
    referral_id: &ReferralId,
    organisation_id: &OrganisationId,
) -> sqlx::Result<i64> {
    with_pool!(db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM referral_keys k JOIN users u ON u.id = k.recipient WHERE k.referral_id = $1 AND u.organisation_id = $2 AND NOT u.disabled")
            .bind(referral_id)
            .bind(organisation_id)
            .fetch_one(pool)
            .await
    })
}

/// What a notification announces: never more than that a professional has
/// something to look at. Stored by its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A referral arrived (sent, or transferred).
    NewReferral,
    /// The person wrote.
    NewMessage,
    /// Someone failed to sign in to the account several times.
    SignInFailures,
    /// A link to choose a new password was made for the account.
    PasswordReset,
    /// An account of the organisation was given access to its referrals.
    AccessGiven,
    /// The territory's recovery key was replaced.
    RecoveryKeyReplaced,
}

impl Notice {
    const ALL: [Self; 6] = [
        Self::NewReferral,
        Self::NewMessage,
        Self::SignInFailures,
        Self::PasswordReset,
        Self::AccessGiven,
        Self::RecoveryKeyReplaced,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::NewReferral => "new-referral",
            Self::NewMessage => "new-message",
            Self::SignInFailures => "sign-in-failures",
            Self::PasswordReset => "password-reset",
            Self::AccessGiven => "access-given",
            Self::RecoveryKeyReplaced => "recovery-key-replaced",
        }
    }

    /// Parses a stored code; an unknown one is `None`, never a default.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.code() == code)
    }
}

/// Adds a notification to the outbox, in the transaction of what it
/// announces: it is sent after the commit, or never if the change is rolled
/// back. One not sent yet to the same person, of the same kind, already
/// says it: a burst of referrals makes one e-mail, not one each.
pub async fn notify(tx: &mut Tx, email: &str, notice: Notice) -> sqlx::Result<()> {
    let now = now_text();
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO outbox (id, recipient, kind, created_at, next_attempt_at) SELECT $1, $2, $3, $4, $4 WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE recipient = $2 AND kind = $3 AND sent_at IS NULL)")
            .bind(NotificationId::new())
            .bind(email)
            .bind(notice.code())
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map(drop)
    })
}

/// Saves (or replaces) a professional's key pair. Replacing it drops the
/// copies wrapped for the old key: nobody can open them any more, and
/// colleagues see that access must be given again.
pub async fn save_key(tx: &mut Tx, user_id: &UserId, key: &KeyRecord) -> sqlx::Result<()> {
    let now = now_text();
    with_tx!(tx, conn => {
        sqlx::query("DELETE FROM referral_keys WHERE recipient = $1")
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM professional_keys WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("INSERT INTO professional_keys (user_id, public_key, salt, iterations, nonce, wrapped, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(user_id)
            .bind(&key.public_key)
            .bind(&key.salt)
            .bind(key.iterations)
            .bind(&key.nonce)
            .bind(&key.wrapped)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

/// A professional's key pair.
pub async fn key_of(db: &Db, user_id: &UserId) -> sqlx::Result<Option<KeyRecord>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, KeyRecord>("SELECT public_key, salt, iterations, nonce, wrapped FROM professional_keys WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })
}

/// The active members of an organisation who have a key.
pub async fn members(db: &Db, organisation_id: &OrganisationId) -> sqlx::Result<Vec<Member>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, Member>("SELECT u.id AS user_id, u.email, k.public_key FROM users u JOIN professional_keys k ON k.user_id = u.id WHERE u.organisation_id = $1 AND u.role = 'professional' AND NOT u.disabled ORDER BY u.email")
            .bind(organisation_id)
            .fetch_all(pool)
            .await
    })
}

/// The organisations that can receive referrals: at least one active
/// member with a key.
pub async fn receiving_organisations(db: &Db) -> sqlx::Result<Vec<OrganisationId>> {
    with_pool!(db, pool => {
        sqlx::query_scalar::<_, OrganisationId>("SELECT DISTINCT u.organisation_id FROM users u JOIN professional_keys k ON k.user_id = u.id WHERE u.organisation_id IS NOT NULL AND u.role = 'professional' AND NOT u.disabled")
            .fetch_all(pool)
            .await
    })
}

/// What the administrator's list of territories says of a territory's
/// referrals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReferralHealth {
    /// Active professionals of its organisations without a referral key:
    /// nothing can be sent to them.
    pub professionals_without_key: i64,
    /// Its organisations (not archived) that can receive referrals: at
    /// least one active member with a key.
    pub receiving_organisations: i64,
    /// Referrals sent before `before` that nobody of their organisation
    /// has opened yet (sent, or transferred and not opened since).
    pub unopened_before: i64,
}

/// The health of a territory's referrals; `before` is a stored timestamp
/// (`now_text` minus the age that counts as late).
pub async fn territory_health(
    db: &Db,
    territory: &str,
    before: &str,
) -> sqlx::Result<ReferralHealth> {
    let (without_key, receiving, unopened) = with_pool!(db, pool => {
        let without_key = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM users u JOIN organisations o ON o.id = u.organisation_id \
             LEFT JOIN professional_keys k ON k.user_id = u.id \
             WHERE o.territory = $1 AND o.archived_at IS NULL AND u.role = 'professional' \
             AND NOT u.disabled AND k.user_id IS NULL",
        )
        .bind(territory)
        .fetch_one(pool)
        .await?;
        let receiving = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(DISTINCT u.organisation_id) FROM users u \
             JOIN organisations o ON o.id = u.organisation_id \
             JOIN professional_keys k ON k.user_id = u.id \
             WHERE o.territory = $1 AND o.archived_at IS NULL AND u.role = 'professional' AND NOT u.disabled",
        )
        .bind(territory)
        .fetch_one(pool)
        .await?;
        let unopened = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM referrals WHERE territory = $1 \
             AND status IN ('sent', 'redirected') AND created_at < $2",
        )
        .bind(territory)
        .bind(before)
        .fetch_one(pool)
        .await?;
        (without_key, receiving, unopened)
    });
    Ok(ReferralHealth {
        professionals_without_key: without_key,
        receiving_organisations: receiving,
        unopened_before: unopened,
    })
}

/// A territory's recovery public key.
pub async fn recovery_key(db: &Db, territory: &str) -> sqlx::Result<Option<String>> {
    with_pool!(db, pool => {
        sqlx::query_scalar::<_, String>("SELECT public_key FROM recovery_keys WHERE territory = $1")
            .bind(territory)
            .fetch_optional(pool)
            .await
    })
}

/// Sets a territory's recovery public key. Referrals already sent keep the
/// copy wrapped for the previous one until someone gives access again.
pub async fn set_recovery_key(tx: &mut Tx, territory: &str, public_key: &str) -> sqlx::Result<()> {
    let now = now_text();
    with_tx!(tx, conn => {
        sqlx::query("DELETE FROM recovery_keys WHERE territory = $1")
            .bind(territory)
            .execute(&mut *conn)
            .await?;
        sqlx::query("INSERT INTO recovery_keys (territory, public_key, created_at) VALUES ($1, $2, $3)")
            .bind(territory)
            .bind(public_key)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        Ok(())
    })
}

/// A replacement of a territory's recovery key, waiting for a second
/// person's approval.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Proposal {
    /// The new public key.
    pub public_key: String,
    /// The e-mail of who proposed it.
    pub proposed_by: String,
    /// When.
    pub proposed_at: String,
}

/// Proposes a new recovery key for a territory (replacing any earlier
/// proposal).
pub async fn propose_recovery_key(
    tx: &mut Tx,
    territory: &str,
    public_key: &str,
    by: &str,
) -> sqlx::Result<()> {
    let now = now_text();
    with_tx!(tx, conn => {
        sqlx::query("DELETE FROM recovery_key_proposals WHERE territory = $1")
            .bind(territory)
            .execute(&mut *conn)
            .await?;
        sqlx::query("INSERT INTO recovery_key_proposals (territory, public_key, proposed_by, proposed_at) VALUES ($1, $2, $3, $4)")
            .bind(territory)
            .bind(public_key)
            .bind(by)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map(drop)
    })
}

/// The replacement waiting for approval, if any.
pub async fn recovery_proposal(db: &Db, territory: &str) -> sqlx::Result<Option<Proposal>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, Proposal>("SELECT public_key, proposed_by, proposed_at FROM recovery_key_proposals WHERE territory = $1")
            .bind(territory)
            .fetch_optional(pool)
            .await
    })
}

/// Takes the proposal out, as the transaction sees it: of two approvals,
/// one gets it.
pub async fn take_recovery_proposal(
    tx: &mut Tx,
    territory: &str,
) -> sqlx::Result<Option<Proposal>> {
    with_tx!(tx, conn => {
        let proposal = sqlx::query_as::<_, Proposal>("SELECT public_key, proposed_by, proposed_at FROM recovery_key_proposals WHERE territory = $1")
            .bind(territory)
            .fetch_optional(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM recovery_key_proposals WHERE territory = $1")
            .bind(territory)
            .execute(&mut *conn)
            .await?;
        Ok(proposal)
    })
}

/// The e-mails of every active member of every organisation of a territory:
/// who is told when its recovery key changes.
pub async fn territory_members(db: &Db, territory: &str) -> sqlx::Result<Vec<String>> {
    with_pool!(db, pool => {
        sqlx::query_scalar("SELECT u.email FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE o.territory = $1 AND u.role = 'professional' AND NOT u.disabled ORDER BY u.email")
            .bind(territory)
            .fetch_all(pool)
            .await
    })
}

/// Stores a new referral, its wrapped keys and its notifications in one
/// transaction: when this returns, it is on disk.
pub async fn insert(tx: &mut Tx, referral: &NewReferral) -> sqlx::Result<()> {
    let now = now_text();
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO referrals (id, receipt_lookup, organisation_id, territory, status, urgent, report, created_at, updated_at, retain_from, key_check, language, contact_channel, kind) VALUES ($1, $2, $3, $4, 'sent', $5, $6, $7, $7, $7, $8, $9, $10, $11)")
            .bind(&referral.id)
            .bind(&referral.receipt_lookup)
            .bind(&referral.organisation_id)
            .bind(&referral.territory)
            .bind(referral.in_clear.urgent)
            .bind(&referral.report)
            .bind(&now)
            .bind(&referral.key_check)
            .bind(referral.in_clear.language.code())
            .bind(referral.in_clear.channel.code())
            .bind(referral.in_clear.kind.code())
            .execute(&mut *conn)
            .await?;
        for (recipient, wrapped) in &referral.keys {
            sqlx::query("INSERT INTO referral_keys (referral_id, recipient, wrapped) VALUES ($1, $2, $3)")
                .bind(&referral.id)
                .bind(recipient)
                .bind(wrapped)
                .execute(&mut *conn)
                .await?;
        }
        Ok::<(), sqlx::Error>(())
    })?;
    record(
        tx,
        &referral.id,
        Event::Sent,
        "",
        "",
        &referral.organisation_id,
    )
    .await?;
    for email in &referral.notify {
        notify(tx, email, Notice::NewReferral).await?;
    }
    Ok(())
}

/// The referral whose receipt has this lookup.
pub async fn by_lookup(db: &Db, lookup: &str) -> sqlx::Result<Option<Referral>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, Referral>(sqlx::AssertSqlSafe(format!("SELECT {REFERRAL_COLUMNS} FROM referrals WHERE receipt_lookup = $1")))
            .bind(lookup)
            .fetch_optional(pool)
            .await
    })
}

/// The referral with this id.
pub async fn by_id(db: &Db, id: &ReferralId) -> sqlx::Result<Option<Referral>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, Referral>(sqlx::AssertSqlSafe(format!("SELECT {REFERRAL_COLUMNS} FROM referrals WHERE id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await
    })
}

/// An organisation's referrals, newest first.
pub async fn inbox(db: &Db, organisation_id: &OrganisationId) -> sqlx::Result<Vec<Referral>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, Referral>(sqlx::AssertSqlSafe(format!("SELECT {REFERRAL_COLUMNS} FROM referrals WHERE organisation_id = $1 ORDER BY created_at DESC, id")))
            .bind(organisation_id)
            .fetch_all(pool)
            .await
    })
}

/// When each of these referrals was received (those still stored): what
/// the audit log names a referral by, since it has no name.
pub async fn received_at(db: &Db, ids: &[String]) -> sqlx::Result<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    with_pool!(db, pool => {
        let mut query = sqlx::QueryBuilder::new("SELECT id, created_at FROM referrals WHERE id IN (");
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(id.clone());
        }
        query.push(")");
        query.build_query_as::<(String, String)>().fetch_all(pool).await
    })
}

/// How many referrals an organisation has not opened yet (sent to it, or
/// transferred to it), and how many of those she said are urgent: what
/// the dashboard says first.
pub async fn unopened(db: &Db, organisation_id: &OrganisationId) -> sqlx::Result<(i64, i64)> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN urgent THEN 1 ELSE 0 END), 0) FROM referrals \
             WHERE organisation_id = $1 AND status IN ('sent', 'redirected')",
        )
        .bind(organisation_id)
        .fetch_one(pool)
        .await
    })
}

/// The copy of the referral key wrapped for `recipient`.
pub async fn wrapped_key(
    db: &Db,
    id: &ReferralId,
    recipient: &str,
) -> sqlx::Result<Option<String>> {
    with_pool!(db, pool => {
        sqlx::query_scalar::<_, String>("SELECT wrapped FROM referral_keys WHERE referral_id = $1 AND recipient = $2")
            .bind(id)
            .bind(recipient)
            .fetch_optional(pool)
            .await
    })
}

/// Every copy of the keys of an organisation's referrals wrapped for
/// `recipient`: (referral id, wrapped).
pub async fn wrapped_keys_of(
    db: &Db,
    organisation_id: &OrganisationId,
    recipient: &str,
) -> sqlx::Result<Vec<(ReferralId, String)>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, (ReferralId, String)>("SELECT k.referral_id, k.wrapped FROM referral_keys k JOIN referrals r ON r.id = k.referral_id WHERE r.organisation_id = $1 AND k.recipient = $2 ORDER BY k.referral_id")
            .bind(organisation_id)
            .bind(recipient)
            .fetch_all(pool)
            .await
    })
}

/// The referrals of an organisation that `user_id` has no copy of the key
/// for.
pub async fn missing_for(
    db: &Db,
    organisation_id: &OrganisationId,
    user_id: &UserId,
) -> sqlx::Result<Vec<ReferralId>> {
    with_pool!(db, pool => {
        sqlx::query_scalar::<_, ReferralId>("SELECT r.id FROM referrals r WHERE r.organisation_id = $1 AND NOT EXISTS (SELECT 1 FROM referral_keys k WHERE k.referral_id = r.id AND k.recipient = $2) ORDER BY r.id")
            .bind(organisation_id)
            .bind(user_id)
            .fetch_all(pool)
            .await
    })
}

/// Gives `recipient` copies of referral keys: (referral id, wrapped). A
/// copy already there is kept. Each referral's history says who gave the
/// access to whom, and how.
pub async fn add_keys(
    tx: &mut Tx,
    recipient: &str,
    keys: &[(ReferralId, String)],
    given: Given<'_>,
) -> sqlx::Result<()> {
    for (referral_id, wrapped) in keys {
        let added = with_tx!(tx, conn => {
            sqlx::query("INSERT INTO referral_keys (referral_id, recipient, wrapped) VALUES ($1, $2, $3) ON CONFLICT (referral_id, recipient) DO NOTHING")
                .bind(referral_id)
                .bind(recipient)
                .bind(wrapped)
                .execute(&mut *conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        if added == 1 {
            record(
                tx,
                referral_id,
                given.event,
                given.by,
                given.to,
                given.organisation_id,
            )
            .await?;
        }
    }
    Ok(())
}

/// Who gave access, to whom, how, in which organisation.
#[derive(Clone, Copy, Debug)]
pub struct Given<'a> {
    /// With a colleague's key, or the recovery key.
    pub event: Event,
    /// The e-mail of who gave it.
    pub by: &'a str,
    /// The e-mail of the account given access.
    pub to: &'a str,
    /// The organisation of the referrals.
    pub organisation_id: &'a OrganisationId,
}

/// The messages of a referral, oldest first.
pub async fn messages(db: &Db, id: &ReferralId) -> sqlx::Result<Vec<Message>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, Message>("SELECT id, author, at, body FROM referral_messages WHERE referral_id = $1 ORDER BY at, id")
            .bind(id)
            .fetch_all(pool)
            .await
    })
}

/// Adds a sealed message, and notifies `notify` in the same transaction.
pub async fn add_message(
    tx: &mut Tx,
    referral_id: &ReferralId,
    message: &Message,
    recipients: &[String],
) -> sqlx::Result<()> {
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO referral_messages (id, referral_id, author, at, body) VALUES ($1, $2, $3, $4, $5)")
            .bind(&message.id)
            .bind(referral_id)
            .bind(message.author.code())
            .bind(&message.at)
            .bind(&message.body)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE referrals SET updated_at = $2 WHERE id = $1")
            .bind(referral_id)
            .bind(&message.at)
            .execute(&mut *conn)
            .await?;
        Ok::<(), sqlx::Error>(())
    })?;
    for email in recipients {
        notify(tx, email, Notice::NewMessage).await?;
    }
    Ok(())
}

/// Records an opening by `actor`: the first one turns "sent" or
/// "redirected" into "read", and is written in the referral's history.
pub async fn mark_opened(tx: &mut Tx, id: &ReferralId, actor: &str) -> sqlx::Result<()> {
    let now = now_text();
    let (first, organisation): (u64, Option<OrganisationId>) = with_tx!(tx, conn => {
        let first = sqlx::query("UPDATE referrals SET opened_at = $2 WHERE id = $1 AND opened_at IS NULL")
            .bind(id)
            .bind(&now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        sqlx::query("UPDATE referrals SET status = CASE WHEN status IN ('sent', 'redirected') THEN 'read' ELSE status END, updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        let organisation = sqlx::query_scalar("SELECT organisation_id FROM referrals WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        Ok::<_, sqlx::Error>((first, organisation))
    })?;
    // No organisation: no such referral, and nothing was opened.
    if first == 1
        && let Some(organisation) = &organisation
    {
        record(tx, id, Event::Opened, actor, "", organisation).await?;
    }
    Ok(())
}

/// Sets the status (accepted, closed) as `actor` did; closing starts the
/// time retention counts.
pub async fn set_status(
    tx: &mut Tx,
    id: &ReferralId,
    status: Status,
    actor: &str,
) -> sqlx::Result<()> {
    let now = now_text();
    let closed = (status == Status::Closed).then_some(now.clone());
    let organisation: Option<OrganisationId> = with_tx!(tx, conn => {
        sqlx::query("UPDATE referrals SET status = $2, closed_at = $3, updated_at = $4, retain_from = COALESCE($3, retain_from) WHERE id = $1")
            .bind(id)
            .bind(status.code())
            .bind(&closed)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        sqlx::query_scalar("SELECT organisation_id FROM referrals WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
    })?;
    let event = match status {
        Status::Closed => Event::Closed,
        _ => Event::Accepted,
    };
    let organisation = organisation.ok_or(sqlx::Error::RowNotFound)?;
    record(tx, id, event, actor, "", &organisation).await
}

/// A transfer, as checked: where to, and the copies of the key for it.
#[derive(Debug)]
pub struct Transfer<'a> {
    /// The referral.
    pub id: &'a ReferralId,
    /// The organisation it leaves.
    pub from: &'a OrganisationId,
    /// The receiving organisation.
    pub to: &'a OrganisationId,
    /// Its territory.
    pub territory: Option<&'a str>,
    /// (user id, wrapped) for each of its members.
    pub member_keys: &'a [(String, String)],
    /// The copy for its territory's recovery key, when it has none yet.
    pub recovery: Option<(String, String)>,
    /// The e-mails of its members, told.
    pub notify: &'a [String],
    /// Who sent it on.
    pub actor: &'a str,
}

/// Hands a referral to another organisation: the copies of its key for the
/// old organisation's members are destroyed, the person's and every recovery
/// copy are kept (a transfer can never leave a referral that nobody can
/// open), the new copies (sealed in the sender's browser) stored, the new
/// members told, and retention counts from now.
pub async fn transfer(tx: &mut Tx, transfer: &Transfer<'_>) -> sqlx::Result<()> {
    let now = now_text();
    with_tx!(tx, conn => {
        sqlx::query("DELETE FROM referral_keys WHERE referral_id = $1 AND recipient <> 'person' AND recipient NOT LIKE 'recovery:%'")
            .bind(transfer.id)
            .execute(&mut *conn)
            .await?;
        for (recipient, wrapped) in transfer.member_keys.iter().chain(transfer.recovery.as_ref()) {
            sqlx::query("INSERT INTO referral_keys (referral_id, recipient, wrapped) VALUES ($1, $2, $3) ON CONFLICT (referral_id, recipient) DO NOTHING")
                .bind(transfer.id)
                .bind(recipient)
                .bind(wrapped)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query("UPDATE referrals SET organisation_id = $2, territory = $3, status = 'redirected', opened_at = NULL, updated_at = $4, retain_from = $4 WHERE id = $1")
            .bind(transfer.id)
            .bind(transfer.to)
            .bind(transfer.territory)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        Ok::<(), sqlx::Error>(())
    })?;
    record(
        tx,
        transfer.id,
        Event::Transferred,
        transfer.actor,
        transfer.from.as_str(),
        transfer.to,
    )
    .await?;
    for email in transfer.notify {
        notify(tx, email, Notice::NewReferral).await?;
    }
    Ok(())
}

/// Deletes a referral, its keys and messages.
pub async fn delete(tx: &mut Tx, id: &ReferralId) -> sqlx::Result<()> {
    with_tx!(tx, conn => {
        for table in ["DELETE FROM referral_keys WHERE referral_id = $1", "DELETE FROM referral_messages WHERE referral_id = $1", "DELETE FROM referral_events WHERE referral_id = $1", "DELETE FROM referrals WHERE id = $1"] {
            sqlx::query(table).bind(id).execute(&mut *conn).await?;
        }
        Ok(())
    })
}

/// The ids of referrals closed before `closed_before`, or not opened by
/// their organisation since they were sent or transferred before
/// `unopened_before` (stored timestamps): retention counts from the last
/// event that matters.
pub async fn expired(
    db: &Db,
    closed_before: &str,
    unopened_before: &str,
) -> sqlx::Result<Vec<(ReferralId, Option<String>)>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, (ReferralId, Option<String>)>("SELECT id, territory FROM referrals WHERE (status = 'closed' AND retain_from < $1) OR (status <> 'closed' AND opened_at IS NULL AND retain_from < $2) ORDER BY id")
            .bind(closed_before)
            .bind(unopened_before)
            .fetch_all(pool)
            .await
    })
}

/// Counts referrals (tests, benchmarks, statistics).
pub async fn count(db: &Db) -> sqlx::Result<i64> {
    with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM referrals").fetch_one(pool).await
    })
}

/// A notification due to be sent.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Notification {
    /// Id, also the e-mail's Message-ID.
    pub id: NotificationId,
    /// E-mail address.
    pub recipient: String,
    /// What it announces.
    pub kind: String,
    /// Tries so far.
    pub attempts: i64,
}

/// Claims up to `limit` notifications due now, for `lease` seconds: another
/// instance does not take them meanwhile.
pub async fn claim_due(db: &Db, limit: i64, lease_seconds: i64) -> sqlx::Result<Vec<Notification>> {
    let now = jiff::Timestamp::now();
    let now_text = crate::storage::timestamp_text(now);
    let until =
        crate::storage::timestamp_text(now + jiff::SignedDuration::from_secs(lease_seconds));
    with_pool!(db, pool => {
        let due = sqlx::query_as::<_, Notification>("SELECT id, recipient, kind, attempts FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY next_attempt_at, id LIMIT $2")
            .bind(&now_text)
            .bind(limit)
            .fetch_all(pool)
            .await?;
        let mut claimed = Vec::with_capacity(due.len());
        for notification in due {
            // Compare-and-set: of two instances, one wins each row.
            let won = sqlx::query("UPDATE outbox SET claimed_until = $2 WHERE id = $1 AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < $3)")
                .bind(&notification.id)
                .bind(&until)
                .bind(&now_text)
                .execute(pool)
                .await?
                .rows_affected();
            if won == 1 {
                claimed.push(notification);
            }
        }
        Ok(claimed)
    })
}

/// When an e-mail of this kind was last sent to this person.
pub async fn last_sent(db: &Db, recipient: &str, kind: &str) -> sqlx::Result<Option<String>> {
    with_pool!(db, pool => {
        sqlx::query_scalar("SELECT MAX(sent_at) FROM outbox WHERE recipient = $1 AND kind = $2 AND sent_at IS NOT NULL")
            .bind(recipient)
            .bind(kind)
            .fetch_one(pool)
            .await
    })
}

/// Puts a notification back, to be sent at `until` (a burst groups into
/// it): not a failed try.
pub async fn postpone(db: &Db, id: &NotificationId, until: &str) -> sqlx::Result<()> {
    with_pool!(db, pool => {
        sqlx::query("UPDATE outbox SET next_attempt_at = $2, claimed_until = NULL WHERE id = $1")
            .bind(id)
            .bind(until)
            .execute(pool)
            .await
            .map(drop)
    })
}

/// Records a notification as sent: it is never sent again.
pub async fn mark_sent(db: &Db, id: &NotificationId) -> sqlx::Result<()> {
    let now = now_text();
    with_pool!(db, pool => {
        sqlx::query("UPDATE outbox SET sent_at = $2, claimed_until = NULL, last_error = NULL WHERE id = $1")
            .bind(id)
            .bind(&now)
            .execute(pool)
            .await
            .map(drop)
    })
}

/// Records a failed try; the next one waits `retry_in_seconds`.
pub async fn mark_failed(
    db: &Db,
    id: &NotificationId,
    error: &str,
    retry_in_seconds: i64,
) -> sqlx::Result<()> {
    let next = crate::storage::timestamp_text(
        jiff::Timestamp::now() + jiff::SignedDuration::from_secs(retry_in_seconds),
    );
    with_pool!(db, pool => {
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, claimed_until = NULL, last_error = $3 WHERE id = $1")
            .bind(id)
            .bind(&next)
            .bind(error)
            .execute(pool)
            .await
            .map(drop)
    })
}

/// Notifications not sent yet.
pub async fn pending_notifications(db: &Db) -> sqlx::Result<i64> {
    with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").fetch_one(pool).await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_status_reads_back_and_an_unknown_one_is_an_error_not_sent() {
        for status in [
            Status::Sent,
            Status::Read,
            Status::Accepted,
            Status::Redirected,
            Status::Closed,
        ] {
            assert_eq!(Status::try_from(status.code().to_owned()).unwrap(), status);
        }
        let error = Status::try_from("archived".to_owned()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown stored referral status \"archived\""
        );
    }

    #[test]
    fn a_stored_kind_reads_back_and_an_unknown_one_is_an_error_not_a_report() {
        for kind in Kind::ALL {
            assert_eq!(Kind::try_from(kind.code().to_owned()).unwrap(), kind);
        }
        let error = Kind::try_from("rappel".to_owned()).unwrap_err();
        assert_eq!(error.to_string(), "unknown stored referral kind \"rappel\"");
    }
}
