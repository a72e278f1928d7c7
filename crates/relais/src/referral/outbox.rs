//! Notifications: an e-mail to each member of an organisation when a
//! referral or a message arrives, with no content at all: "Une nouvelle
//! demande vous attend sur Relais". The person is never e-mailed.
//!
//! Notifications are written to the `outbox` table in the same transaction
//! as what they announce, so a crash never loses one; a worker inside
//! `relais serve` sends them after the commit (woken at once, and every 30
//! seconds anyway). A row is claimed with a lease before sending, so two
//! instances never send the same one, and marked sent after; a failure is
//! retried later, waiting longer each time. Bursts are grouped: a
//! notification is not queued while another of the same kind waits for the
//! same person, and at most one of a kind leaves for a person every ten
//! minutes.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor,
};
use secrecy::ExposeSecret as _;

use crate::config::Settings;
use crate::referral::storage::{self, Notice, Notification};
use crate::storage::Db;

/// How long a claimed notification is reserved for the instance sending it.
const LEASE_SECONDS: i64 = 300;
/// The most notifications sent in one round.
const BATCH: i64 = 50;
/// A round runs at least this often, even without a bell.
const TICK: Duration = Duration::from_secs(30);
/// At most one e-mail of a kind to a person in this time: what comes in a
/// burst waits, and goes in one.
pub const GROUP_MINUTES: i64 = 10;

/// Where e-mails go.
pub enum Mailer {
    /// An SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Files in a folder (development, tests).
    Files(AsyncFileTransport<Tokio1Executor>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Smtp(_) => "Mailer::Smtp",
            Self::Files(_) => "Mailer::Files",
        })
    }
}

impl Mailer {
    /// The mailer the settings ask for; creates the mailbox folder.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        match &settings.smtp_url {
            Some(url) => Ok(Self::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .map_err(|_| anyhow::anyhow!("smtp_url is not a valid SMTP address"))?
                    .build(),
            )),
            None => {
                let dir = settings.mailbox_path();
                crate::storage::create_private_dir(&dir)?;
                Ok(Self::Files(AsyncFileTransport::new(dir)))
            }
        }
    }

    async fn send(&self, message: Message) -> Result<(), String> {
        match self {
            Self::Smtp(transport) => transport
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            Self::Files(transport) => transport
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
        }
    }
}

/// The e-mail of a notification: a subject and a few sentences, nothing
/// about the person or the referral. A kind it does not know is an error,
/// never another e-mail.
pub fn message(settings: &Settings, notification: &Notification) -> anyhow::Result<Message> {
    let from: Mailbox = settings.mail_from.parse()?;
    let to: Mailbox = notification.recipient.parse()?;
    let notice = Notice::parse(&notification.kind)
        .ok_or_else(|| anyhow::anyhow!("unknown notification kind {:?}", notification.kind))?;
    let base = settings.public_url.trim_end_matches('/');
    let (subject, text, path) = match notice {
        Notice::NewReferral => (
            "Relais : une nouvelle demande vous attend",
            "Une nouvelle demande vous attend sur Relais.",
            "/pro/demandes",
        ),
        Notice::NewMessage => (
            "Relais : un nouveau message vous attend",
            "Un nouveau message vous attend sur Relais.",
            "/pro/demandes",
        ),
        Notice::SignInFailures => (
            "Relais : des essais de connexion à votre compte",
            "Quelqu'un a essayé plusieurs fois de se connecter à votre compte Relais \
             sans y parvenir ; la connexion est suspendue quelques minutes. Si c'était vous, \
             attendez un peu et réessayez. Sinon, prévenez la personne qui vous a invité·e sur Relais.",
            "/pro/connexion",
        ),
        Notice::PasswordReset => (
            "Relais : un lien pour changer votre mot de passe a été créé",
            "Un lien pour choisir un nouveau mot de passe a été créé pour votre compte Relais ; \
             la personne qui l'a créé doit vous le transmettre. Si vous ne l'avez pas demandé, \
             prévenez-la : votre mot de passe actuel reste valable tant que le lien n'a pas servi.",
            "/pro/connexion",
        ),
        Notice::AccessGiven => (
            "Relais : un accès aux demandes de votre structure a été donné",
            "Un compte de votre structure vient de recevoir l'accès à des demandes. \
             L'historique de chaque demande dit qui et quand : vérifiez que c'est bien \
             une personne de votre équipe.",
            "/pro/demandes",
        ),
        Notice::RecoveryKeyReplaced => (
            "Relais : la clé de secours de votre territoire a été remplacée",
            "La clé de secours de votre territoire vient d'être remplacée. Si vous ne \
             l'attendiez pas, prévenez la coordination ou l'administration.",
            "/pro",
        ),
    };
    let body = format!(
        "Bonjour,\n\n{text}\n\nPour vous connecter : {base}{path}\n\n\
         Ce message ne contient volontairement aucune information sur une personne.\n"
    );
    let domain = settings
        .mail_from
        .rsplit_once('@')
        .map_or("relais", |(_, d)| d.trim_end_matches('>'));
    Ok(Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .message_id(Some(format!("<{}@{domain}>", notification.id)))
        .body(body)?)
}

/// Sends what is due, once; returns how many were sent.
pub async fn send_due(db: &Db, settings: &Settings, mailer: &Mailer) -> sqlx::Result<usize> {
    let mut sent = 0;
    for notification in storage::claim_due(db, BATCH, LEASE_SECONDS).await? {
        // An e-mail of this kind went to this person a moment ago: this one
        // waits, and says everything that arrives meanwhile.
        if let Some(last) = storage::last_sent(db, &notification.recipient, &notification.kind)
            .await?
            .and_then(|at| at.parse::<jiff::Timestamp>().ok())
        {
            let next = last + jiff::SignedDuration::from_mins(GROUP_MINUTES);
            if next > jiff::Timestamp::now() {
                let until = crate::storage::timestamp_text(next);
                storage::postpone(db, &notification.id, &until).await?;
                continue;
            }
        }
        let result = match message(settings, &notification) {
            Ok(message) => mailer.send(message).await,
            Err(error) => Err(error.to_string()),
        };
        match result {
            Ok(()) => {
                storage::mark_sent(db, &notification.id).await?;
                sent += 1;
            }
            Err(error) => {
                let wait = 60_i64.saturating_mul(1 << notification.attempts.clamp(0, 6));
                tracing::warn!(
                    attempts = notification.attempts + 1,
                    "a notification could not be sent: {error}"
                );
                storage::mark_failed(db, &notification.id, &error, wait).await?;
            }
        }
    }
    Ok(sent)
}

/// The worker inside `relais serve`: sends after each bell, and every 30
/// seconds, until the process stops.
pub async fn run(app: crate::referral::ReferralState, mailer: Mailer) {
    loop {
        if let Err(error) = send_due(&app.db, &app.settings, &mailer).await {
            tracing::warn!("the outbox could not be read: {error}");
        }
        let _ = tokio::time::timeout(TICK, app.referrals.bell.notified()).await;
    }
}
