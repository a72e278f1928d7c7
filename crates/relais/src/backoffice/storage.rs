//! SQL of the back office: accounts, invitations, sessions, recovery codes
//! and the audit log.

use std::fmt;

use crate::storage::{Db, OrganisationId, Tx, UnknownCode, UserId, now_text, timestamp_text};
use crate::{with_pool, with_tx};

/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Everything, everywhere.
    Admin,
    /// The territories they run.
    Coordinator,
    /// Their organisation.
    Professional,
}

impl Role {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Coordinator => "coordinator",
            Self::Professional => "professional",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "admin" => Some(Self::Admin),
            "coordinator" => Some(Self::Coordinator),
            "professional" => Some(Self::Professional),
            _ => None,
        }
    }
}

impl TryFrom<String> for Role {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, UnknownCode> {
        Self::parse(&code).ok_or(UnknownCode { what: "role", code })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An account.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// Identifier.
    pub id: UserId,
    /// E-mail, lowercase.
    pub email: String,
    /// Role.
    pub role: Role,
    /// A professional's organisation.
    pub organisation_id: Option<OrganisationId>,
    /// A coordinator's territories.
    pub territories: Vec<String>,
    /// Argon2id PHC string; `None` until the invitation is accepted.
    pub password_hash: Option<String>,
    /// Sealed TOTP secret; `None` until enrolled.
    pub totp_secret: Option<String>,
    /// The last TOTP step accepted (a code is never accepted twice).
    pub totp_last_step: i64,
    /// Failed sign-ins in a row.
    pub failed_attempts: i64,
    /// No sign-in before this time.
    pub locked_until: Option<String>,
    /// The account is disabled.
    pub disabled: bool,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the hash nor the secret.
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: UserId,
    email: String,
    #[sqlx(try_from = "String")]
    role: Role,
    organisation_id: Option<OrganisationId>,
    password_hash: Option<String>,
    totp_secret: Option<String>,
    totp_last_step: i64,
    failed_attempts: i64,
    locked_until: Option<String>,
    disabled: bool,
}

const USER_COLUMNS: &str = "id, email, role, organisation_id, password_hash, totp_secret, totp_last_step, \
     failed_attempts, locked_until, disabled";

async fn with_territories(db: &Db, row: UserRow) -> sqlx::Result<User> {
    let territories: Vec<String> = with_pool!(db, pool => {
        sqlx::query_scalar("SELECT territory FROM user_territories WHERE user_id = $1 ORDER BY territory")
            .bind(&row.id)
            .fetch_all(pool)
            .await
    })?;
    Ok(User {
        role: row.role,
        id: row.id,
        email: row.email,
        organisation_id: row.organisation_id,
        territories,
        password_hash: row.password_hash,
        totp_secret: row.totp_secret,
        totp_last_step: row.totp_last_step,
        failed_attempts: row.failed_attempts,
        locked_until: row.locked_until,
        disabled: row.disabled,
    })
}

/// The account with this e-mail.
pub async fn user_by_email(db: &Db, email: &str) -> sqlx::Result<Option<User>> {
    let email = email.trim().to_lowercase();
    let row = with_pool!(db, pool => {
        sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1")))
            .bind(&email)
            .fetch_optional(pool)
            .await
    })?;
    match row {
        Some(row) => Ok(Some(with_territories(db, row).await?)),
        None => Ok(None),
    }
}

/// The account with this id.
pub async fn user(db: &Db, id: &UserId) -> sqlx::Result<Option<User>> {
    let row = with_pool!(db, pool => {
        sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await
    })?;
    match row {
        Some(row) => Ok(Some(with_territories(db, row).await?)),
        None => Ok(None),
    }
}

/// Every account, by e-mail.
pub async fn users(db: &Db) -> sqlx::Result<Vec<User>> {
    let rows = with_pool!(db, pool => {
        sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users ORDER BY email")))
            .fetch_all(pool)
            .await
    })?;
    let mut users = Vec::with_capacity(rows.len());
    for row in rows {
        users.push(with_territories(db, row).await?);
    }
    Ok(users)
}

/// Creates an account without a password (it is set from the invitation).
pub async fn create_user(
    tx: &mut Tx,
    email: &str,
    role: Role,
    organisation_id: Option<&OrganisationId>,
    territories: &[String],
) -> sqlx::Result<UserId> {
    let id = UserId::new();
    let email = email.trim().to_lowercase();
    let now = now_text();
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO users (id, email, role, organisation_id, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(&email)
            .bind(role.code())
            .bind(organisation_id)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        for territory in territories {
            sqlx::query("INSERT INTO user_territories (user_id, territory) VALUES ($1, $2)")
                .bind(&id)
                .bind(territory)
                .execute(&mut *conn)
                .await?;
        }
        Ok::<(), sqlx::Error>(())
    })?;
    Ok(id)
}

/// Sets a new password; failures are forgotten.
pub async fn set_password(tx: &mut Tx, user_id: &UserId, hash: &str) -> sqlx::Result<()> {
    with_tx!(tx, pool => {
        sqlx::query("UPDATE users SET password_hash = $2, failed_attempts = 0, locked_until = NULL WHERE id = $1")
            .bind(user_id)
            .bind(hash)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// Enables or disables an account.
pub async fn set_disabled(tx: &mut Tx, user_id: &UserId, disabled: bool) -> sqlx::Result<()> {
    with_tx!(tx, pool => {
        sqlx::query("UPDATE users SET disabled = $2 WHERE id = $1").bind(user_id).bind(disabled).execute(pool).await.map(|_| ())
    })
}

/// Enrols a TOTP secret, with the step of the code that confirmed it.
pub async fn set_totp(tx: &mut Tx, user_id: &UserId, sealed: &str, step: i64) -> sqlx::Result<()> {
    with_tx!(tx, pool => {
        sqlx::query("UPDATE users SET totp_secret = $2, totp_last_step = $3 WHERE id = $1")
            .bind(user_id)
            .bind(sealed)
            .bind(step)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// Records the step of an accepted code, unless a later one already was:
/// two instances can never both accept the same code.
pub async fn claim_totp_step(tx: &mut Tx, user_id: &UserId, step: i64) -> sqlx::Result<bool> {
    let changed = with_tx!(tx, pool => {
        sqlx::query("UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2")
            .bind(user_id)
            .bind(step)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(changed == 1)
}

/// Failures in a row after which the account is locked for a while.
pub const FAILURES_BEFORE_LOCK: i64 = 5;
/// The longest a lock lasts: long enough to slow guessing to a crawl, short
/// enough that nobody can keep a professional out for long.
pub const LONGEST_LOCK_MINUTES: i64 = 15;

/// Counts a failed sign-in (a wrong password or a wrong code). Every fifth
/// failure in a row locks the account: 1 minute, then 2, 4, 8, and 15 at
/// most (failures while locked are refused before they count). Returns
/// whether this failure locked it, so that its owner is told.
pub async fn record_failure(tx: &mut Tx, user_id: &UserId) -> sqlx::Result<bool> {
    let attempts: i64 = with_tx!(tx, conn => {
        sqlx::query_scalar("UPDATE users SET failed_attempts = failed_attempts + 1 WHERE id = $1 RETURNING failed_attempts")
            .bind(user_id)
            .fetch_one(&mut *conn)
            .await
    })?;
    if attempts % FAILURES_BEFORE_LOCK != 0 {
        return Ok(false);
    }
    let locks = (attempts / FAILURES_BEFORE_LOCK).clamp(1, 8);
    let minutes = (1i64 << (locks - 1)).min(LONGEST_LOCK_MINUTES);
    let until = timestamp_text(jiff::Timestamp::now() + jiff::SignedDuration::from_mins(minutes));
    with_tx!(tx, conn => {
        sqlx::query("UPDATE users SET locked_until = $2 WHERE id = $1").bind(user_id).bind(&until).execute(&mut *conn).await.map(drop)
    })?;
    Ok(true)
}

/// Whether the account is locked now, as the transaction sees it.
pub async fn is_locked(tx: &mut Tx, user_id: &UserId) -> sqlx::Result<bool> {
    let now = now_text();
    let locked: Option<String> = with_tx!(tx, conn => {
        sqlx::query_scalar("SELECT locked_until FROM users WHERE id = $1 AND locked_until > $2")
            .bind(user_id)
            .bind(&now)
            .fetch_optional(&mut *conn)
            .await
    })?;
    Ok(locked.is_some())
}

/// Forgets failed sign-ins after a success.
pub async fn reset_failures(tx: &mut Tx, user_id: &UserId) -> sqlx::Result<()> {
    with_tx!(tx, pool => {
        sqlx::query("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = $1")
            .bind(user_id)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// Replaces an account's recovery codes.
pub async fn save_recovery_codes(
    tx: &mut Tx,
    user_id: &UserId,
    hashes: &[String],
) -> sqlx::Result<()> {
    with_tx!(tx, conn => {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
        for hash in hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(hash)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    })
}

/// Uses a recovery code once; false when unknown or already used.
pub async fn use_recovery_code(tx: &mut Tx, user_id: &UserId, hash: &str) -> sqlx::Result<bool> {
    let now = now_text();
    let changed = with_tx!(tx, pool => {
        sqlx::query("UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
            .bind(user_id)
            .bind(hash)
            .bind(&now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(changed == 1)
}

/// Records an invitation (the token's hash) valid until `expires_at`, and
/// ends every earlier one of the account: only the newest link works.
pub async fn create_invitation(
    tx: &mut Tx,
    user_id: &UserId,
    token_hash: &str,
    expires_at: &str,
) -> sqlx::Result<()> {
    let now = now_text();
    with_tx!(tx, conn => {
        sqlx::query("UPDATE invitations SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        sqlx::query("INSERT INTO invitations (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(user_id)
            .bind(expires_at)
            .execute(&mut *conn)
            .await
            .map(|_| ())
    })
}

/// The account an unused, unexpired invitation is for.
pub async fn invitation_user(db: &Db, token_hash: &str) -> sqlx::Result<Option<UserId>> {
    let now = now_text();
    with_pool!(db, pool => {
        sqlx::query_scalar("SELECT user_id FROM invitations WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(token_hash)
            .bind(&now)
            .fetch_optional(pool)
            .await
    })
}

/// Marks an invitation used; false when it already was.
pub async fn use_invitation(tx: &mut Tx, token_hash: &str) -> sqlx::Result<bool> {
    let now = now_text();
    let changed = with_tx!(tx, pool => {
        sqlx::query("UPDATE invitations SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL")
            .bind(token_hash)
            .bind(&now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(changed == 1)
}

/// How far a session has come through signing in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The password was given; the code is still to give.
    Password,
    /// The password was given; the second factor is still to set up.
    Enrol,
    /// Signed in.
    Full,
}

impl Stage {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Enrol => "enrol",
            Self::Full => "full",
        }
    }
}

impl TryFrom<String> for Stage {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, UnknownCode> {
        [Self::Password, Self::Enrol, Self::Full]
            .into_iter()
            .find(|stage| stage.code() == code)
            .ok_or(UnknownCode {
                what: "session stage",
                code,
            })
    }
}

/// A stored session.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    /// Wrong codes given on it (a half-finished sign-in).
    pub failures: i64,
    /// Whose.
    pub user_id: UserId,
    /// How far signing in has come.
    #[sqlx(try_from = "String")]
    pub stage: Stage,
    /// The form token.
    pub csrf: String,
    /// When it began.
    pub created_at: String,
    /// When it was last used.
    pub last_seen_at: String,
}

/// Stores a new session.
pub async fn create_session(
    tx: &mut Tx,
    id_hash: &str,
    user_id: &UserId,
    stage: Stage,
    csrf: &str,
) -> sqlx::Result<()> {
    let now = now_text();
    with_tx!(tx, pool => {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, stage, csrf, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(stage.code())
        .bind(csrf)
        .bind(&now)
        .execute(pool)
        .await
        .map(|_| ())
    })
}

/// A stored session.
pub async fn session(db: &Db, id_hash: &str) -> sqlx::Result<Option<SessionRow>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, SessionRow>(
            "SELECT user_id, stage, csrf, created_at, last_seen_at, failures FROM sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(pool)
        .await
    })
}

/// Notes that a session was used now.
pub async fn touch_session(db: &Db, id_hash: &str) -> sqlx::Result<()> {
    let now = now_text();
    with_pool!(db, pool => {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1").bind(id_hash).bind(&now).execute(pool).await.map(|_| ())
    })
}

/// Ends a session.
pub async fn delete_session(tx: &mut Tx, id_hash: &str) -> sqlx::Result<()> {
    with_tx!(tx, pool => {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(pool).await.map(|_| ())
    })
}

/// Counts a wrong code on a half-finished sign-in; returns how many there
/// were on it.
pub async fn session_failed(tx: &mut Tx, id_hash: &str) -> sqlx::Result<i64> {
    with_tx!(tx, conn => {
        sqlx::query_scalar("UPDATE sessions SET failures = failures + 1 WHERE id_hash = $1 RETURNING failures")
            .bind(id_hash)
            .fetch_optional(&mut *conn)
            .await
            .map(|failures| failures.unwrap_or(i64::MAX))
    })
}

/// Ends a half-finished sign-in to finish it, if it is still there at
/// `stage` with fewer than `max_failures` wrong codes: of two requests
/// finishing the same one, one wins; one that guessed too often, none.
pub async fn finish_half_session(
    tx: &mut Tx,
    id_hash: &str,
    stage: Stage,
    max_failures: i64,
) -> sqlx::Result<bool> {
    let ended = with_tx!(tx, conn => {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1 AND stage = $2 AND failures < $3")
            .bind(id_hash)
            .bind(stage.code())
            .bind(max_failures)
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(ended == 1)
}

/// Ends every session of an account (password changed, account disabled).
pub async fn delete_user_sessions(tx: &mut Tx, user_id: &UserId) -> sqlx::Result<()> {
    with_tx!(tx, pool => {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(pool).await.map(|_| ())
    })
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    /// When.
    pub at: String,
    /// Who: an e-mail, or `relais` for the command line.
    pub actor: String,
    /// The territory concerned, if any.
    pub territory: Option<String>,
    /// What was done: `sign-in`, `service-created`…
    pub action: String,
    /// On what: an identifier.
    pub object: String,
    /// A few words more, never a person's answers.
    pub detail: String,
}

/// Declares the audit log's actions once: the enum, its stored codes, and
/// the list of all of them.
macro_rules! audit_actions {
    ($($variant:ident => $code:literal,)+) => {
        /// What an audit line records. The stored code is the variant's in
        /// kebab case; lines written before a variant existed keep theirs.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum AuditAction {
            $(
                #[doc = concat!("`", $code, "`")]
                $variant,
            )+
        }

        impl AuditAction {
            /// Every action, in code order.
            pub const ALL: &[Self] = &[$(Self::$variant),+];

            /// The code stored in the audit log.
            pub fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }
        }
    };
}

audit_actions! {
    AccessGiven => "access-given",
    AccessGivenWithRecoveryKey => "access-given-with-recovery-key",
    AccountDisabled => "account-disabled",
    AccountEnabled => "account-enabled",
    AccountInvited => "account-invited",
    AccountPasswordReset => "account-password-reset",
    AccountReinvited => "account-reinvited",
    CentroidsImported => "centroids-imported",
    DirectoryImported => "directory-imported",
    DirectorySynced => "directory-synced",
    DutyEnded => "duty-ended",
    DutyStarted => "duty-started",
    FlowDraftSaved => "flow-draft-saved",
    FlowPublished => "flow-published",
    FlowRolledBack => "flow-rolled-back",
    InvitationAccepted => "invitation-accepted",
    KeyCreated => "key-created",
    LiveAnswered => "live-answered",
    OrganisationAddedFromSource => "organisation-added-from-source",
    OrganisationArchived => "organisation-archived",
    OrganisationChanged => "organisation-changed",
    OrganisationCreated => "organisation-created",
    OrganisationUpdatedFromSource => "organisation-updated-from-source",
    RecoveryKeyProposalWithdrawn => "recovery-key-proposal-withdrawn",
    RecoveryKeyProposed => "recovery-key-proposed",
    RecoveryKeyReplaced => "recovery-key-replaced",
    RecoveryKeySet => "recovery-key-set",
    ReferralAccepted => "referral-accepted",
    ReferralClosed => "referral-closed",
    ReferralDeletedByPerson => "referral-deleted-by-person",
    ReferralErased => "referral-erased",
    ReferralOpened => "referral-opened",
    ReferralRead => "referral-read",
    ReferralRedirected => "referral-redirected",
    ReferralReplied => "referral-replied",
    ReferralSent => "referral-sent",
    ReferralTransferred => "referral-transferred",
    SecondFactorEnrolled => "second-factor-enrolled",
    ServiceAddedFromSource => "service-added-from-source",
    ServiceArchived => "service-archived",
    ServiceChanged => "service-changed",
    ServiceCreated => "service-created",
    ServiceGoneFromSource => "service-gone-from-source",
    ServiceUpdatedFromSource => "service-updated-from-source",
    ServiceVerified => "service-verified",
    SheetSaved => "sheet-saved",
    SignIn => "sign-in",
    SignInFailed => "sign-in-failed",
    SignOut => "sign-out",
    TerritoryChanged => "territory-changed",
    TerritoryCreated => "territory-created",
    TerritoryLogoChanged => "territory-logo-changed",
    TerritoryResumed => "territory-resumed",
    TerritorySuspended => "territory-suspended",
    TerritoryVoiceChanged => "territory-voice-changed",
}

/// What an audit line's object is, so that the log can name it: the
/// identifier is stored, the name is looked up when the log is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditObject {
    /// An account (its id).
    Account,
    /// An organisation (its id).
    Organisation,
    /// A service (its id).
    Service,
    /// A referral (its id): it has no name, only the day it was received.
    Referral,
    /// A territory (its slug).
    Territory,
    /// A sheet (`language/slug`).
    Sheet,
    /// A file imported from the command line or a screen (its name).
    File,
}

impl AuditAction {
    /// What the line is about.
    pub fn object(self) -> AuditObject {
        use AuditAction as A;
        match self {
            A::AccessGiven
            | A::AccessGivenWithRecoveryKey
            | A::AccountDisabled
            | A::AccountEnabled
            | A::AccountInvited
            | A::AccountPasswordReset
            | A::AccountReinvited
            | A::InvitationAccepted
            | A::KeyCreated
            | A::SecondFactorEnrolled
            | A::SignIn
            | A::SignInFailed
            | A::SignOut => AuditObject::Account,
            A::OrganisationAddedFromSource
            | A::OrganisationArchived
            | A::OrganisationChanged
            | A::OrganisationCreated
            | A::OrganisationUpdatedFromSource
            | A::DutyStarted
            | A::DutyEnded
            | A::LiveAnswered => AuditObject::Organisation,
            A::ServiceAddedFromSource
            | A::ServiceArchived
            | A::ServiceChanged
            | A::ServiceCreated
            | A::ServiceGoneFromSource
            | A::ServiceUpdatedFromSource
            | A::ServiceVerified => AuditObject::Service,
            A::ReferralAccepted
            | A::ReferralClosed
            | A::ReferralDeletedByPerson
            | A::ReferralErased
            | A::ReferralOpened
            | A::ReferralRead
            | A::ReferralRedirected
            | A::ReferralReplied
            | A::ReferralSent
            | A::ReferralTransferred => AuditObject::Referral,
            A::RecoveryKeyProposalWithdrawn
            | A::RecoveryKeyProposed
            | A::RecoveryKeyReplaced
            | A::RecoveryKeySet
            | A::TerritoryChanged
            | A::FlowDraftSaved
            | A::FlowPublished
            | A::FlowRolledBack
            | A::TerritoryCreated
            | A::TerritoryLogoChanged
            | A::TerritoryResumed
            | A::TerritorySuspended
            | A::TerritoryVoiceChanged => AuditObject::Territory,
            A::SheetSaved => AuditObject::Sheet,
            A::CentroidsImported | A::DirectoryImported | A::DirectorySynced => AuditObject::File,
        }
    }

    /// What was done, in French, as the end of a sentence whose subject is
    /// who did it; `{o}` stands for the object's name.
    pub fn sentence(self) -> &'static str {
        use AuditAction as A;
        match self {
            A::AccessGiven => "a donné à {o} l'accès à des demandes",
            A::AccessGivenWithRecoveryKey => {
                "a donné à {o} l'accès à des demandes, avec la clé de secours du territoire"
            }
            A::AccountDisabled => "a désactivé le compte de {o}",
            A::AccountEnabled => "a réactivé le compte de {o}",
            A::AccountInvited => "a invité {o}",
            A::AccountPasswordReset => {
                "a envoyé à {o} un lien pour choisir un nouveau mot de passe"
            }
            A::AccountReinvited => "a envoyé une nouvelle invitation à {o}",
            A::CentroidsImported => "a importé les coordonnées des communes ({o})",
            A::DirectoryImported => "a importé un annuaire ({o})",
            A::DirectorySynced => "a mis l'annuaire à jour depuis la source ({o})",
            A::DutyEnded => "a terminé sa permanence d'aide en direct pour {o}",
            A::DutyStarted => "a pris la permanence d'aide en direct pour {o}",
            A::InvitationAccepted => "a accepté son invitation et choisi son mot de passe",
            A::KeyCreated => "a créé sa clé pour lire les demandes",
            A::LiveAnswered => "a répondu en direct à une personne, pour {o}",
            A::OrganisationAddedFromSource => "a ajouté la structure {o} depuis la source",
            A::OrganisationArchived => "a archivé la structure {o}",
            A::OrganisationChanged => "a modifié la structure {o}",
            A::OrganisationCreated => "a ajouté la structure {o}",
            A::OrganisationUpdatedFromSource => "a mis à jour la structure {o} depuis la source",
            A::RecoveryKeyProposalWithdrawn => {
                "a retiré la nouvelle clé de secours proposée pour {o}"
            }
            A::RecoveryKeyProposed => "a proposé une nouvelle clé de secours pour {o}",
            A::RecoveryKeyReplaced => "a approuvé la nouvelle clé de secours de {o}",
            A::RecoveryKeySet => "a créé la clé de secours de {o}",
            A::ReferralAccepted => "a pris en charge {o}",
            A::ReferralClosed => "a clos {o}",
            A::ReferralDeletedByPerson => "a effacé {o}",
            A::ReferralErased => "a effacé {o}, au bout de sa durée de conservation",
            A::ReferralOpened => "a ouvert {o}",
            A::ReferralRead => "a marqué {o} comme lue",
            A::ReferralRedirected => "a réorienté {o}",
            A::ReferralReplied => "a répondu à la personne dans {o}",
            A::ReferralSent => "a remis {o} au statut « envoyée »",
            A::ReferralTransferred => "a transféré {o} à une autre structure",
            A::SecondFactorEnrolled => "a configuré son application d'authentification",
            A::ServiceAddedFromSource => "a ajouté le service {o} depuis la source, à vérifier",
            A::ServiceArchived => "a archivé le service {o}",
            A::ServiceChanged => "a modifié le service {o}",
            A::ServiceCreated => "a ajouté le service {o}",
            A::ServiceGoneFromSource => "a signalé que le service {o} n'est plus dans la source",
            A::ServiceUpdatedFromSource => "a mis à jour le service {o} depuis la source",
            A::ServiceVerified => "a vérifié le service {o}",
            A::SheetSaved => "a enregistré une version de la fiche {o}",
            A::SignIn => "s'est connecté·e",
            A::SignInFailed => "n'a pas pu se connecter",
            A::SignOut => "s'est déconnecté·e",
            A::TerritoryChanged => "a modifié les paramètres du territoire {o}",
            A::FlowDraftSaved => "a enregistré un brouillon du questionnaire de {o}",
            A::FlowPublished => "a publié une version du questionnaire de {o}",
            A::FlowRolledBack => {
                "a remis en service une version antérieure du questionnaire de {o}"
            }
            A::TerritoryCreated => "a créé le territoire {o}",
            A::TerritoryLogoChanged => "a changé le logo du territoire {o}",
            A::TerritoryResumed => "a remis en service le territoire {o}",
            A::TerritorySuspended => "a suspendu le territoire {o}",
            A::TerritoryVoiceChanged => "a modifié la présentation du territoire {o}",
        }
    }

    /// The action of a stored code; `None` for a code no action has.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|action| action.code() == code)
    }
}

/// Appends a line to the audit log.
pub async fn audit(
    tx: &mut Tx,
    actor: &str,
    territory: Option<&str>,
    action: AuditAction,
    object: &(impl AsRef<str> + ?Sized),
    detail: &str,
) -> sqlx::Result<()> {
    let object = object.as_ref();
    let now = now_text();
    with_tx!(tx, pool => {
        sqlx::query("INSERT INTO audit_log (at, actor, territory, action, object, detail) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&now)
            .bind(actor)
            .bind(territory)
            .bind(action.code())
            .bind(object)
            .bind(detail)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// The latest lines of the audit log, newest first: every line (`None`),
/// or the lines of some territories.
pub async fn audit_entries(
    db: &Db,
    territories: Option<&[String]>,
    limit: i64,
) -> sqlx::Result<Vec<AuditEntry>> {
    if territories.is_some_and(<[String]>::is_empty) {
        return Ok(Vec::new());
    }
    with_pool!(db, pool => {
        let mut query = sqlx::QueryBuilder::new("SELECT at, actor, territory, action, object, detail FROM audit_log");
        if let Some(allowed) = territories {
            query.push(" WHERE territory IN (");
            let mut list = query.separated(", ");
            for territory in allowed {
                list.push_bind(territory.clone());
            }
            query.push(")");
        }
        query.push(" ORDER BY id DESC LIMIT ");
        query.push_bind(limit);
        query.build_query_as::<AuditEntry>().fetch_all(pool).await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_role_or_stage_reads_back_and_an_unknown_one_is_an_error() {
        for role in [Role::Admin, Role::Coordinator, Role::Professional] {
            assert_eq!(Role::try_from(role.code().to_owned()).unwrap(), role);
        }
        for stage in [Stage::Password, Stage::Enrol, Stage::Full] {
            assert_eq!(Stage::try_from(stage.code().to_owned()).unwrap(), stage);
        }
        // Never a professional by default: a bad row is refused.
        assert!(Role::try_from("superuser".to_owned()).is_err());
        assert!(Stage::try_from("half".to_owned()).is_err());
    }

    #[test]
    fn every_audit_action_reads_as_a_french_sentence_and_reads_back_from_its_code() {
        for action in AuditAction::ALL {
            let sentence = action.sentence();
            assert_eq!(AuditAction::parse(action.code()), Some(*action));
            // A verb in the past, never the stored code.
            assert!(
                sentence.starts_with("a ")
                    || sentence.starts_with("s'est ")
                    || sentence.starts_with("n'a "),
                "{sentence}"
            );
            assert!(!sentence.contains(action.code()), "{sentence}");
            assert!(
                sentence.chars().all(|c| !c.is_ascii_uppercase()),
                "{sentence}"
            );
            // An action done to someone or something names it; one a person
            // does to her own account needs no name.
            let on_herself = matches!(
                action,
                AuditAction::InvitationAccepted
                    | AuditAction::KeyCreated
                    | AuditAction::SecondFactorEnrolled
                    | AuditAction::SignIn
                    | AuditAction::SignInFailed
                    | AuditAction::SignOut
            );
            assert_eq!(sentence.contains("{o}"), !on_herself, "{sentence}");
            if on_herself {
                assert_eq!(action.object(), AuditObject::Account);
            }
        }
        assert_eq!(AuditAction::parse("service-deleted"), None);
    }

    #[test]
    fn every_audit_action_has_a_code_of_its_own() {
        let codes: std::collections::BTreeSet<&str> =
            AuditAction::ALL.iter().map(|a| a.code()).collect();
        assert_eq!(codes.len(), AuditAction::ALL.len());
        for code in codes {
            assert!(
                code.split('-')
                    .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase())),
                "{code}"
            );
        }
    }
}
