//! The professional's side, behind [`Pro`]: their key pair, the
//! organisation's inbox, a referral (decrypted in the browser), replies,
//! acceptance, closing, transfer to another organisation, and giving a
//! colleague access; for coordinators, the territory's recovery key.
//!
//! The server hands the browser ciphertext and wrapped keys, and takes back
//! ciphertext and wrapped keys: it never sees a professional's private key
//! unwrapped, nor a report in clear. `static/js/pro.js` does the
//! cryptography with `static/js/crypto.js` (docs/crypto.md).
//!
//! Only the professionals of the receiving organisation may open a referral
//! (deny by default, here in [`member_of`]); every opening is in the audit
//! log.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse as _, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flow::Channel;
use serde::{Deserialize, Serialize};

use crate::backoffice::MessagePage;
use crate::backoffice::session::Pro;
use crate::backoffice::storage::AuditAction;
use crate::backoffice::storage::{Role, audit};
use crate::backoffice::{Base, CSRF_ONLY, Screens};
use crate::backoffice::{button, submitted};
use crate::directory::model::Organisation;
use crate::referral::ReferralState;
use crate::referral::envelope::Author;
use crate::referral::envelope::{PublicKey, is_wrapped_key};
use crate::referral::forms::{
    self, Access, CONFIRMED, Confirmed, Decision, GRANT, KEY, MAX_BODY, RECIPIENTS, RECOVERY,
    REPLY, Recipients, Recovery, Reply, STATUS, TRANSFER,
};
use crate::referral::local_time;
use crate::referral::storage::{
    self, Event, HistoryLine, KeyRecord, Kind, Message, Referral, Status, StoredChannel,
    StoredLanguage,
};
use crate::storage::{MessageId, OrganisationId, ReferralId, UserId, now_text};
use crate::web::error::AppError;
use crate::web::form::read_form;
use crate::web::i18n::Lang;
use crate::web::{render, render_status};

/// Fewest PBKDF2 iterations accepted for a wrapped private key.
pub const MIN_ITERATIONS: i64 = 600_000;

/// The guarded screens of this module (`{r}` a referral, `{t}` a
/// territory), with the form each reads.
pub fn screens(screens: Screens<ReferralState>) -> Screens<ReferralState> {
    screens
        .get("/pro/cle", key_page)
        .post("/pro/cle", &KEY, save_key)
        .get("/pro/demandes", inbox)
        .get("/pro/demandes/{r}", referral_page)
        .post("/pro/demandes/{r}/statut", &STATUS, set_status)
        .post("/pro/demandes/{r}/reponse", &REPLY, reply)
        .get("/pro/demandes/{r}/destinataires", recipients)
        .query(&RECIPIENTS)
        .post("/pro/demandes/{r}/transfert", &TRANSFER, transfer)
        .get("/pro/acces", access_page)
        .post("/pro/acces", &GRANT, grant)
        .get("/pro/territoires/{t}/cle-de-secours", recovery_page)
        .post(
            "/pro/territoires/{t}/cle-de-secours",
            &RECOVERY,
            save_recovery,
        )
        .post(
            "/pro/territoires/{t}/cle-de-secours/approuver",
            &CONFIRMED,
            approve_recovery,
        )
        .post(
            "/pro/territoires/{t}/cle-de-secours/annuler",
            &CSRF_ONLY,
            cancel_recovery,
        )
        .post(
            "/pro/territoires/{t}/cle-de-secours/acces",
            &GRANT,
            grant_with_recovery,
        )
}

/// A calm page saying why an action was refused (a browser without the
/// script, a key that does not match), with the way back.
fn refused(
    app: &ReferralState,
    pro: &Pro,
    message: &str,
    back: &str,
) -> Result<Response, AppError> {
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &MessagePage {
            b: Base::of(app, pro),
            title: "Cette action n'a pas pu être faite".to_owned(),
            message: message.to_owned(),
            link: back.to_owned(),
            link_label: "Revenir à la page précédente".to_owned(),
        },
    )
}

/// The organisation of a professional, or 403: only professionals hold
/// keys and read referrals.
fn organisation_of(pro: &Pro) -> Result<&OrganisationId, AppError> {
    match (&pro.user.role, &pro.user.organisation_id) {
        (Role::Professional, Some(organisation)) => Ok(organisation),
        _ => Err(AppError::Forbidden),
    }
}

/// The referral, if `pro` is a professional of its organisation; 403
/// otherwise, whether it exists or not.
async fn member_of(app: &ReferralState, pro: &Pro, id: &ReferralId) -> Result<Referral, AppError> {
    let organisation = organisation_of(pro)?;
    if !id.is_well_formed() {
        return Err(AppError::Forbidden);
    }
    match storage::by_id(&app.db, id).await? {
        Some(referral) if referral.organisation_id == *organisation => Ok(referral),
        _ => Err(AppError::Forbidden),
    }
}

/// Whether `text` is base64url of exactly `len` bytes.
fn is_b64(text: &str, len: usize) -> bool {
    URL_SAFE_NO_PAD
        .decode(text)
        .is_ok_and(|bytes| bytes.len() == len)
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Sent => "Nouvelle",
        Status::Read => "Lue",
        Status::Accepted => "Prise en charge",
        Status::Redirected => "Réorientée vers vous",
        Status::Closed => "Close",
    }
}

// --------------------------------------------------------------------- keys

#[derive(Template)]
#[template(path = "referral/key.html")]
struct KeyPage {
    b: Base,
    has_key: bool,
    min_iterations: i64,
    error: Option<String>,
}

async fn key_page(State(app): State<ReferralState>, pro: Pro) -> Result<Response, AppError> {
    organisation_of(&pro)?;
    let has_key = storage::key_of(&app.db, &pro.user.id).await?.is_some();
    Ok(render(&KeyPage {
        b: Base::of(&app, &pro),
        has_key,
        min_iterations: MIN_ITERATIONS,
        error: None,
    })?
    .into_response())
}

async fn save_key(
    State(app): State<ReferralState>,
    pro: Pro,
    body: Bytes,
) -> Result<Response, AppError> {
    organisation_of(&pro)?;
    let record: KeyRecord = submitted(&body, &pro)?;
    let valid = PublicKey::parse(&record.public_key).is_ok()
        && record.iterations >= MIN_ITERATIONS
        && is_b64(&record.salt, 16)
        && is_b64(&record.nonce, 12)
        && is_b64(&record.wrapped, 48 + 16);
    if !valid {
        let has_key = storage::key_of(&app.db, &pro.user.id).await?.is_some();
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &KeyPage {
                b: Base::of(&app, &pro),
                has_key,
                min_iterations: MIN_ITERATIONS,
                error: Some(
                    "La clé n'a pas pu être enregistrée : votre navigateur a envoyé une clé incomplète. Réessayez, ou utilisez un navigateur à jour."
                        .to_owned(),
                ),
            },
        );
    }
    let mut tx = app.db.begin().await?;
    storage::save_key(&mut tx, &pro.user.id, &record).await?;
    audit(
        &mut tx,
        &pro.user.email,
        None,
        AuditAction::KeyCreated,
        &pro.user.id,
        "",
    )
    .await?;
    tx.commit().await?;
    app.referrals.refresh_receiving(&app.db).await?;
    // Said only now that the key is stored: the browser made it, but only
    // the server's answer tells that it arrived.
    Ok(render(&MessagePage {
        b: Base::of(&app, &pro),
        title: "Votre clé est créée".to_owned(),
        message: "Les demandes envoyées à votre structure sont désormais chiffrées pour vous aussi. \
                  Gardez votre phrase secrète pour vous : personne ne pourra vous la redonner. \
                  Les demandes arrivées avant votre clé s'ouvriront dès qu'un·e collègue vous en aura donné l'accès."
            .to_owned(),
        link: "/pro/demandes".to_owned(),
        link_label: "Voir les demandes".to_owned(),
    })?
    .into_response())
}

// -------------------------------------------------------------------- inbox

#[derive(Debug)]
struct InboxLine {
    id: ReferralId,
    received: String,
    /// What it is, in words ("Rappel demandé"…).
    kind: &'static str,
    /// She asked to be called back: the line stands out.
    callback: bool,
    status: &'static str,
    /// How long it has waited for someone to take it in hand, in words;
    /// `None` once taken in hand or closed.
    waiting: Option<String>,
    urgent: bool,
    /// Whether she accepts a call, in words.
    reach: &'static str,
    /// The language of the pages she used, in words.
    language: &'static str,
    can_open: bool,
}

/// How long a referral has waited, from `since` (as stored) to `now`, in
/// the words of the inbox: "moins d'une heure", "5 h", "3 jours".
fn waiting_for(since: &str, now: jiff::Timestamp) -> Option<String> {
    let since = since.parse::<jiff::Timestamp>().ok()?;
    let hours = now.duration_since(since).as_hours().max(0);
    Some(match hours {
        0 => "moins d'une heure".to_owned(),
        1..=23 => format!("{hours} h"),
        24..=47 => "1 jour".to_owned(),
        _ => format!("{} jours", hours / 24),
    })
}

/// Whether she accepts a call, as the inbox says it: what she chose, never
/// her number.
fn reach_label(channel: StoredChannel) -> &'static str {
    match channel.0 {
        Some(Channel::Phone) => "Appel possible",
        Some(Channel::Sms) => "Pas d'appel : par SMS",
        Some(Channel::Email) => "Pas d'appel : par e-mail",
        Some(Channel::None) => "Ne pas la contacter",
        None => "—",
    }
}

/// The language of the pages she used, in words.
fn language_label(language: StoredLanguage) -> &'static str {
    match language.0 {
        Some(Lang::Fr) => "français",
        Some(Lang::En) => "anglais",
        Some(Lang::Ar) => "arabe",
        None => "—",
    }
}

#[derive(Template)]
#[template(path = "referral/inbox.html")]
struct InboxPage {
    b: Base,
    lines: Vec<InboxLine>,
    waiting: Vec<(String, usize)>,
    /// The accesses given in the organisation these last days, in words.
    accesses: Vec<String>,
}

/// How long the inbox shows the accesses given.
const ACCESSES_SHOWN_DAYS: i64 = 30;

/// The accesses given to an organisation's referrals lately, one sentence
/// per grant (the same giver, receiver and way, in the same minute).
async fn recent_accesses(
    app: &ReferralState,
    organisation: &OrganisationId,
) -> Result<Vec<String>, AppError> {
    let since = crate::storage::timestamp_text(
        jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * ACCESSES_SHOWN_DAYS),
    );
    let mut grouped: Vec<(String, String, String, Event, usize)> = Vec::new();
    for line in storage::accesses_given(&app.db, organisation, &since).await? {
        let minute = line.at.chars().take(16).collect::<String>();
        match grouped.iter_mut().find(|(m, by, to, event, _)| {
            *m == minute && *by == line.actor && *to == line.subject && *event == line.event
        }) {
            Some(group) => group.4 += 1,
            None => grouped.push((minute, line.actor, line.subject, line.event, 1)),
        }
    }
    Ok(grouped
        .into_iter()
        .map(|(minute, by, to, event, count)| {
            let how = if event == Event::AccessGivenWithRecovery {
                ", avec la clé de secours du territoire"
            } else {
                ""
            };
            format!(
                "{} : {to} a reçu l'accès à {count} demande(s), donné par {by}{how}.",
                local_time(&format!("{minute}:00Z"))
            )
        })
        .collect())
}

async fn inbox(State(app): State<ReferralState>, pro: Pro) -> Result<Response, AppError> {
    let organisation = organisation_of(&pro)?;
    if storage::key_of(&app.db, &pro.user.id).await?.is_none() {
        return Ok(Redirect::to("/pro/cle").into_response());
    }
    let mine: std::collections::HashSet<ReferralId> =
        storage::wrapped_keys_of(&app.db, organisation, pro.user.id.as_str())
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
    let now = jiff::Timestamp::now();
    let lines = storage::inbox(&app.db, organisation)
        .await?
        .into_iter()
        .map(|r| InboxLine {
            received: local_time(&r.created_at),
            kind: r.kind.label(),
            callback: r.kind == Kind::Callback,
            status: status_label(r.status()),
            waiting: match r.status() {
                Status::Accepted | Status::Closed => None,
                Status::Sent | Status::Read | Status::Redirected => {
                    waiting_for(r.retain_from.as_deref().unwrap_or(&r.created_at), now)
                }
            },
            urgent: r.urgent,
            reach: reach_label(r.contact_channel),
            language: language_label(r.language),
            can_open: mine.contains(&r.id),
            id: r.id,
        })
        .collect();
    let mut waiting = Vec::new();
    for member in storage::members(&app.db, organisation).await? {
        if member.user_id == pro.user.id {
            continue;
        }
        let missing = storage::missing_for(&app.db, organisation, &member.user_id)
            .await?
            .into_iter()
            .filter(|id| mine.contains(id))
            .count();
        if missing > 0 {
            waiting.push((member.email, missing));
        }
    }
    let accesses = recent_accesses(&app, organisation).await?;
    Ok(render(&InboxPage {
        b: Base::of(&app, &pro),
        lines,
        waiting,
        accesses,
    })?
    .into_response())
}

// ----------------------------------------------------------------- referral

/// What the browser needs to open a referral: sealed, all of it.
#[derive(Debug, Serialize)]
struct Sealed<'a> {
    id: &'a ReferralId,
    key: KeyRecord,
    wrapped: Option<String>,
    report: &'a str,
    messages: Vec<SealedMessage>,
}

#[derive(Debug, Serialize)]
struct SealedMessage {
    id: MessageId,
    /// `person` or `professional`.
    author: &'static str,
    at: String,
    body: String,
}

#[derive(Template)]
#[template(path = "referral/referral.html")]
struct ReferralPage {
    b: Base,
    id: ReferralId,
    received: String,
    /// What it is, in words.
    kind: &'static str,
    status: &'static str,
    urgent: bool,
    closed: bool,
    accepted: bool,
    sealed: String,
    organisations: Vec<(OrganisationId, String)>,
    /// What happened to it, oldest first, in words.
    history: Vec<(String, String)>,
}

/// The name of an organisation, as the directory has it.
fn organisation_name(app: &ReferralState, id: &OrganisationId) -> String {
    app.directory.index().organisation(id).first().map_or_else(
        || "une autre structure".to_owned(),
        |l| l.organisation_name.clone(),
    )
}

/// A line of a referral's history, in words for its organisation.
fn history_text(app: &ReferralState, line: &HistoryLine) -> String {
    let by = &line.actor;
    match line.event {
        Event::Sent => "Envoyée par la personne".to_owned(),
        Event::Opened => format!("Ouverte pour la première fois par {by}"),
        Event::Accepted => format!("Prise en charge par {by}"),
        Event::Closed => format!("Close par {by}"),
        Event::Transferred => format!(
            "Transférée par {by}, de {} à {}",
            organisation_name(app, &OrganisationId::from(line.subject.as_str())),
            organisation_name(app, &line.organisation_id)
        ),
        Event::AccessGiven => format!("Accès donné à {} par {by}", line.subject),
        Event::AccessGivenWithRecovery => format!(
            "Accès donné à {} par {by}, avec la clé de secours du territoire",
            line.subject
        ),
    }
}

async fn referral_page(
    State(app): State<ReferralState>,
    pro: Pro,
    Path(id): Path<ReferralId>,
) -> Result<Response, AppError> {
    let referral = member_of(&app, &pro, &id).await?;
    let Some(key) = storage::key_of(&app.db, &pro.user.id).await? else {
        return Ok(Redirect::to("/pro/cle").into_response());
    };
    let mut tx = app.db.begin().await?;
    storage::mark_opened(&mut tx, &id, &pro.user.email).await?;
    audit(
        &mut tx,
        &pro.user.email,
        referral.territory.as_deref(),
        AuditAction::ReferralOpened,
        &id,
        "",
    )
    .await?;
    tx.commit().await?;
    let wrapped = storage::wrapped_key(&app.db, &id, pro.user.id.as_str()).await?;
    let messages = storage::messages(&app.db, &id)
        .await?
        .into_iter()
        .map(|m| SealedMessage {
            at: local_time(&m.at),
            id: m.id,
            author: m.author.code(),
            body: m.body,
        })
        .collect();
    let sealed = serde_json::to_string(&Sealed {
        id: &id,
        key,
        wrapped,
        report: &referral.report,
        messages,
    })
    .expect("sealed values serialise");
    let receiving = app.referrals.receiving();
    let (organisations, _) = crate::directory::storage::directory(&app.db, None).await?;
    let organisations = organisations
        .into_iter()
        .filter(|o| o.id != referral.organisation_id && receiving.contains(&o.id))
        .map(|o| (o.id, o.name))
        .collect();
    let history = storage::history(&app.db, &id)
        .await?
        .iter()
        .map(|line| (local_time(&line.at), history_text(&app, line)))
        .collect();
    // What `mark_opened` just did to it.
    let status = match referral.status() {
        Status::Sent | Status::Redirected => Status::Read,
        other => other,
    };
    Ok(render(&ReferralPage {
        b: Base::of(&app, &pro),
        received: local_time(&referral.created_at),
        kind: referral.kind.label(),
        status: status_label(status),
        urgent: referral.urgent,
        closed: status == Status::Closed,
        accepted: status == Status::Accepted,
        id,
        sealed,
        organisations,
        history,
    })?
    .into_response())
}

async fn set_status(
    State(app): State<ReferralState>,
    pro: Pro,
    Path(id): Path<ReferralId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let referral = member_of(&app, &pro, &id).await?;
    let Decision(status) = submitted(&body, &pro)?;
    // A closed referral is closed for good: taking it in hand again would
    // reopen what the person was told is finished.
    if referral.status() == Status::Closed {
        return refused(
            &app,
            &pro,
            "Cette demande est close : elle ne peut plus changer d'état.",
            &format!("/pro/demandes/{id}"),
        );
    }
    let mut tx = app.db.begin().await?;
    storage::set_status(&mut tx, &id, status, &pro.user.email).await?;
    audit(
        &mut tx,
        &pro.user.email,
        referral.territory.as_deref(),
        match status {
            Status::Sent => AuditAction::ReferralSent,
            Status::Read => AuditAction::ReferralRead,
            Status::Accepted => AuditAction::ReferralAccepted,
            Status::Redirected => AuditAction::ReferralRedirected,
            Status::Closed => AuditAction::ReferralClosed,
        },
        &id,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/pro/demandes/{id}")).into_response())
}

async fn reply(
    State(app): State<ReferralState>,
    pro: Pro,
    Path(id): Path<ReferralId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let referral = member_of(&app, &pro, &id).await?;
    let Reply { message_id, sealed } = submitted(&body, &pro)?;
    let valid = message_id.is_well_formed()
        && sealed.len() <= MAX_BODY
        && URL_SAFE_NO_PAD
            .decode(&sealed)
            .is_ok_and(|bytes| bytes.len() > 12 + 16);
    if !valid || referral.status() == Status::Closed {
        return refused(
            &app,
            &pro,
            "La réponse n'a pas été envoyée : elle doit être chiffrée par votre navigateur, avec JavaScript activé, après avoir ouvert la demande. Une demande close ne reçoit plus de réponse.",
            &format!("/pro/demandes/{id}"),
        );
    }
    let mut tx = app.db.begin().await?;
    let added = storage::add_message(
        &mut tx,
        &id,
        &Message {
            id: message_id,
            author: Author::Professional,
            at: now_text(),
            body: sealed,
        },
        // The person is never e-mailed.
        &[],
    )
    .await;
    // The browser chose the message's id: one already used is a form sent
    // twice (or forged), never a server error.
    match added {
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            drop(tx);
            return render_status(
                StatusCode::CONFLICT,
                &MessagePage {
                    b: Base::of(&app, &pro),
                    title: "Cette réponse est déjà partie".to_owned(),
                    message: "Une réponse avec le même identifiant a déjà été envoyée : rien de plus n'a été envoyé.".to_owned(),
                    link: format!("/pro/demandes/{id}"),
                    link_label: "Revenir à la demande".to_owned(),
                },
            );
        }
        other => other?,
    }
    audit(
        &mut tx,
        &pro.user.email,
        referral.territory.as_deref(),
        AuditAction::ReferralReplied,
        &id,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/pro/demandes/{id}")).into_response())
}

// ----------------------------------------------------------------- transfer

/// A public key the browser must wrap a referral key for: a member's
/// (named by the key itself: the browser needs no account's id), or the
/// receiving territory's recovery key (`recovery`).
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Recipient {
    recipient: String,
    public_key: String,
}

/// Where a referral may be sent on, and who must receive a copy of its
/// key there: every active member with a key, and the territory's recovery
/// key when the referral has no copy for it yet.
struct Destination {
    organisation: Organisation,
    members: Vec<storage::Member>,
    /// The recovery copy's name and public key, when one is needed.
    recovery: Option<(String, String)>,
}

/// The destination of a transfer of `referral`, if it may go there: another
/// organisation that receives referrals, not archived, while the referral
/// is open. `None` says no, whatever the reason.
async fn destination(
    app: &ReferralState,
    referral: &Referral,
    target: &OrganisationId,
) -> Result<Option<Destination>, AppError> {
    if referral.status() == Status::Closed
        || *target == referral.organisation_id
        || !app.referrals.receiving().contains(target)
    {
        return Ok(None);
    }
    let Some((organisation, false)) =
        crate::directory::storage::organisation(&app.db, target).await?
    else {
        return Ok(None);
    };
    let members = storage::members(&app.db, &organisation.id).await?;
    if members.is_empty() {
        return Ok(None);
    }
    let name = storage::recovery_recipient(&organisation.territory);
    let recovery = match storage::recovery_key(&app.db, &organisation.territory).await? {
        Some(public_key)
            if storage::wrapped_key(&app.db, &referral.id, &name)
                .await?
                .is_none() =>
        {
            Some((name, public_key))
        }
        _ => None,
    };
    Ok(Some(Destination {
        organisation,
        members,
        recovery,
    }))
}

async fn recipients(
    State(app): State<ReferralState>,
    pro: Pro,
    Path(id): Path<ReferralId>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let referral = member_of(&app, &pro, &id).await?;
    let query: Recipients = read_form(query.unwrap_or_default().as_bytes())?;
    // Only what a transfer needs: public keys, nothing that names anyone.
    let Some(destination) = destination(&app, &referral, &query.organisation).await? else {
        return Err(AppError::NotFound);
    };
    let mut list: Vec<Recipient> = destination
        .members
        .into_iter()
        .map(|m| Recipient {
            recipient: m.public_key.clone(),
            public_key: m.public_key,
        })
        .collect();
    if let Some((_, public_key)) = destination.recovery {
        list.push(Recipient {
            recipient: "recovery".to_owned(),
            public_key,
        });
    }
    let json = serde_json::to_string(&list).expect("recipients serialise");
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

#[derive(Debug, Deserialize)]
struct Wrapped {
    recipient: String,
    wrapped: String,
}

/// Whether the check value a browser sent shows it holds the referral's key.
fn holds_key(referral: &Referral, check: &str) -> bool {
    !referral.key_check.is_empty()
        && crate::secret::constant_time_eq(referral.key_check.as_bytes(), check.as_bytes())
}

const TRANSFER_REFUSED: &str = "Le transfert n'a pas été fait : la demande doit être rechiffrée par votre navigateur, pour chaque membre de la structure choisie, avec la clé de cette demande. L'équipe de cette structure a peut-être changé entre-temps. Réessayez ; votre structure garde la demande.";

async fn transfer(
    State(app): State<ReferralState>,
    pro: Pro,
    Path(id): Path<ReferralId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let referral = member_of(&app, &pro, &id).await?;
    let form: forms::Transfer = submitted(&body, &pro)?;
    let back = format!("/pro/demandes/{id}");
    let refuse = || refused(&app, &pro, TRANSFER_REFUSED, &back);
    let Some(destination) = destination(&app, &referral, &form.organisation).await? else {
        return refuse();
    };
    // The browser shows it opened the referral's key, bound to this
    // referral, before the old copies are destroyed…
    if !holds_key(&referral, &form.check) {
        return refuse();
    }
    // …and sent a well-formed copy for exactly each current member, and
    // for the recovery key when one is needed.
    let Ok(given) = serde_json::from_str::<Vec<Wrapped>>(&form.keys) else {
        return refuse();
    };
    // (recipient, wrapped): a member's account id.
    let mut member_keys: Vec<(String, String)> = Vec::new();
    let mut recovery = None;
    for copy in given {
        if !is_wrapped_key(&copy.wrapped) {
            return refuse();
        }
        if copy.recipient == "recovery" {
            match &destination.recovery {
                Some((name, _)) if recovery.is_none() => {
                    recovery = Some((name.clone(), copy.wrapped));
                }
                _ => return refuse(),
            }
            continue;
        }
        let member = destination
            .members
            .iter()
            .find(|m| m.public_key == copy.recipient);
        match member {
            Some(member) if !member_keys.iter().any(|(user, _)| member.user_id == *user) => {
                member_keys.push((member.user_id.to_string(), copy.wrapped));
            }
            _ => return refuse(),
        }
    }
    if member_keys.len() != destination.members.len()
        || destination.recovery.is_some() != recovery.is_some()
    {
        return refuse();
    }
    let target = &destination.organisation;
    let notify: Vec<String> = destination
        .members
        .iter()
        .map(|m| m.email.clone())
        .collect();
    let mut tx = app.db.begin().await?;
    storage::transfer(
        &mut tx,
        &storage::Transfer {
            id: &id,
            from: &referral.organisation_id,
            to: &target.id,
            territory: Some(&target.territory),
            member_keys: &member_keys,
            recovery,
            notify: &notify,
            actor: &pro.user.email,
        },
    )
    .await?;
    for territory in [
        referral.territory.as_deref(),
        Some(target.territory.as_str()),
    ] {
        audit(
            &mut tx,
            &pro.user.email,
            territory,
            AuditAction::ReferralTransferred,
            &id,
            &format!("{} → {}", referral.organisation_id, target.id),
        )
        .await?;
    }
    tx.commit().await?;
    app.referrals.bell.notify_one();
    Ok(Redirect::to("/pro/demandes").into_response())
}

// ------------------------------------------------------------------- access

/// A colleague who lacks copies, and the copies to re-wrap for them.
#[derive(Debug, Serialize)]
struct Grant {
    recipient: UserId,
    email: String,
    public_key: String,
    /// (referral id, the copy wrapped for the key that opens it)
    keys: Vec<(ReferralId, String)>,
}

#[derive(Template)]
#[template(path = "referral/access.html")]
struct AccessPage {
    b: Base,
    grants: Vec<(String, usize)>,
    sealed: String,
    own_key: String,
}

/// The colleagues of `organisation` who lack copies that `opener` has.
async fn grants(
    app: &ReferralState,
    organisation: &OrganisationId,
    opener: &str,
) -> Result<Vec<Grant>, AppError> {
    let available: std::collections::HashMap<ReferralId, String> =
        storage::wrapped_keys_of(&app.db, organisation, opener)
            .await?
            .into_iter()
            .collect();
    let mut grants = Vec::new();
    for member in storage::members(&app.db, organisation).await? {
        if member.user_id == opener {
            continue;
        }
        let keys: Vec<(ReferralId, String)> =
            storage::missing_for(&app.db, organisation, &member.user_id)
                .await?
                .into_iter()
                .filter_map(|id| available.get(&id).map(|w| (id, w.clone())))
                .collect();
        if !keys.is_empty() {
            grants.push(Grant {
                recipient: member.user_id,
                email: member.email,
                public_key: member.public_key,
                keys,
            });
        }
    }
    Ok(grants)
}

async fn access_page(State(app): State<ReferralState>, pro: Pro) -> Result<Response, AppError> {
    let organisation = organisation_of(&pro)?;
    let Some(key) = storage::key_of(&app.db, &pro.user.id).await? else {
        return Ok(Redirect::to("/pro/cle").into_response());
    };
    let grants = grants(&app, organisation, pro.user.id.as_str()).await?;
    Ok(render(&AccessPage {
        b: Base::of(&app, &pro),
        grants: grants
            .iter()
            .map(|g| (g.email.clone(), g.keys.len()))
            .collect(),
        sealed: serde_json::to_string(&grants).expect("grants serialise"),
        own_key: serde_json::to_string(&key).expect("a key serialises"),
    })?
    .into_response())
}

/// Copies re-wrapped for a member of an organisation, checked.
struct Granted {
    /// The member given access.
    member: storage::Member,
    /// (referral id, the copy wrapped for them).
    keys: Vec<(ReferralId, String)>,
}

/// The copies a browser re-wrapped for `recipient`, if every one may be
/// stored: each referral the organisation's, each copy well-formed, and each
/// key check showing the browser held that referral's key (`None` refuses
/// the whole grant). A recipient who is not an active member of
/// `organisation` with a key is forbidden.
async fn granted_keys(
    app: &ReferralState,
    organisation: &OrganisationId,
    form: &Access,
) -> Result<Option<Granted>, AppError> {
    let Some(member) = storage::members(&app.db, organisation)
        .await?
        .into_iter()
        .find(|m| m.user_id == form.recipient)
    else {
        // Access is given only to a member of the organisation.
        return Err(AppError::Forbidden);
    };
    let Ok(given) = serde_json::from_str::<Vec<(ReferralId, String, String)>>(&form.keys) else {
        return Ok(None);
    };
    let referrals: std::collections::HashMap<ReferralId, Referral> =
        storage::inbox(&app.db, organisation)
            .await?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
    let mut keys = Vec::with_capacity(given.len());
    for (id, wrapped, check) in given {
        match referrals.get(&id) {
            Some(referral) if is_wrapped_key(&wrapped) && holds_key(referral, &check) => {
                keys.push((id, wrapped));
            }
            _ => return Ok(None),
        }
    }
    Ok(Some(Granted { member, keys }))
}

/// Stores a grant with its history and tells every member of the
/// organisation: no account gains a referral's key unseen.
async fn store_grant(
    app: &ReferralState,
    pro: &Pro,
    organisation: &OrganisationId,
    granted: &Granted,
    event: Event,
    territory: Option<&str>,
) -> Result<(), AppError> {
    let told: Vec<String> = storage::members(&app.db, organisation)
        .await?
        .into_iter()
        .map(|m| m.email)
        .collect();
    let mut tx = app.db.begin().await?;
    storage::add_keys(
        &mut tx,
        granted.member.user_id.as_str(),
        &granted.keys,
        storage::Given {
            event,
            by: &pro.user.email,
            to: &granted.member.email,
            organisation_id: organisation,
        },
    )
    .await?;
    for email in &told {
        storage::notify(&mut tx, email, storage::Notice::AccessGiven).await?;
    }
    audit(
        &mut tx,
        &pro.user.email,
        territory,
        match event {
            Event::Sent => AuditAction::ReferralSent,
            Event::Opened => AuditAction::ReferralOpened,
            Event::Accepted => AuditAction::ReferralAccepted,
            Event::Closed => AuditAction::ReferralClosed,
            Event::Transferred => AuditAction::ReferralTransferred,
            Event::AccessGiven => AuditAction::AccessGiven,
            Event::AccessGivenWithRecovery => AuditAction::AccessGivenWithRecoveryKey,
        },
        &granted.member.user_id,
        &format!(
            "{} : {} demande(s)",
            granted.member.email,
            granted.keys.len()
        ),
    )
    .await?;
    tx.commit().await?;
    app.referrals.bell.notify_one();
    Ok(())
}

const GRANT_REFUSED: &str = "L'accès n'a pas été donné : chaque demande doit être rechiffrée par votre navigateur, avec sa clé, pour un membre actif de la structure. Rechargez la page et réessayez.";

async fn grant(
    State(app): State<ReferralState>,
    pro: Pro,
    body: Bytes,
) -> Result<Response, AppError> {
    let organisation = organisation_of(&pro)?;
    let form: Access = submitted(&body, &pro)?;
    let Some(granted) = granted_keys(&app, organisation, &form).await? else {
        return refused(&app, &pro, GRANT_REFUSED, "/pro/acces");
    };
    let territory = crate::directory::office::territory_of(&app.directory, &pro.user);
    store_grant(
        &app,
        &pro,
        organisation,
        &granted,
        Event::AccessGiven,
        territory.as_deref(),
    )
    .await?;
    Ok(Redirect::to("/pro/acces").into_response())
}

// ----------------------------------------------------------------- recovery

#[derive(Template)]
#[template(path = "referral/recovery.html")]
struct RecoveryPage {
    b: Base,
    territory: String,
    name: String,
    has_key: bool,
    /// A replacement waiting for approval: who proposed it, when, and
    /// whether this account may approve it.
    proposal: Option<(String, String, bool)>,
    /// Per organisation of the territory: the colleagues waiting.
    sealed: String,
    waiting: Vec<(String, usize)>,
}

async fn recovery_page(
    State(app): State<ReferralState>,
    pro: Pro,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    pro.can_territory(&slug)?;
    let Some(territory) = crate::directory::storage::territory(&app.db, &slug).await? else {
        return Err(AppError::NotFound);
    };
    let has_key = storage::recovery_key(&app.db, &slug).await?.is_some();
    let proposal = storage::recovery_proposal(&app.db, &slug).await?.map(|p| {
        let may_approve = p.proposed_by != pro.user.email;
        (p.proposed_by, local_time(&p.proposed_at), may_approve)
    });
    let (organisations, _) = crate::directory::storage::directory(&app.db, Some(&slug)).await?;
    let opener = storage::recovery_recipient(&slug);
    let mut all = Vec::new();
    for organisation in organisations {
        all.extend(grants(&app, &organisation.id, &opener).await?);
    }
    Ok(render(&RecoveryPage {
        b: Base::of(&app, &pro),
        waiting: all
            .iter()
            .map(|g| (g.email.clone(), g.keys.len()))
            .collect(),
        sealed: serde_json::to_string(&all).expect("grants serialise"),
        territory: slug,
        name: territory.name,
        has_key,
        proposal,
    })?
    .into_response())
}

/// Sets a territory's first recovery key, or proposes a replacement: that
/// takes a second person (another coordinator of the territory, or an
/// administrator) to approve, and is announced to the territory's
/// organisations.
async fn save_recovery(
    State(app): State<ReferralState>,
    pro: Pro,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    pro.can_territory(&slug)?;
    let Recovery {
        public_key,
        confirmed,
    } = submitted(&body, &pro)?;
    let back = format!("/pro/territoires/{slug}/cle-de-secours");
    if PublicKey::parse(&public_key).is_err() {
        return refused(
            &app,
            &pro,
            "La clé de secours n'a pas été enregistrée : elle doit être créée par votre navigateur, avec JavaScript activé.",
            &back,
        );
    }
    if crate::directory::storage::territory(&app.db, &slug)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let replacing = storage::recovery_key(&app.db, &slug).await?.is_some();
    let mut tx = app.db.begin().await?;
    if replacing {
        if !confirmed {
            drop(tx);
            return refused(
                &app,
                &pro,
                "Rien n'a été fait : cochez « Je confirme » pour proposer de remplacer la clé de secours.",
                &back,
            );
        }
        storage::propose_recovery_key(&mut tx, &slug, &public_key, &pro.user.email).await?;
        audit(
            &mut tx,
            &pro.user.email,
            Some(&slug),
            AuditAction::RecoveryKeyProposed,
            &slug,
            "en attente de l'accord d'une autre personne",
        )
        .await?;
    } else {
        storage::set_recovery_key(&mut tx, &slug, &public_key).await?;
        audit(
            &mut tx,
            &pro.user.email,
            Some(&slug),
            AuditAction::RecoveryKeySet,
            &slug,
            "",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&back).into_response())
}

/// A second person approves the replacement of a recovery key: it takes
/// effect, and every member of the territory's organisations is told.
async fn approve_recovery(
    State(app): State<ReferralState>,
    pro: Pro,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    pro.can_territory(&slug)?;
    let Confirmed(confirmed) = submitted(&body, &pro)?;
    let back = format!("/pro/territoires/{slug}/cle-de-secours");
    let Some(proposal) = storage::recovery_proposal(&app.db, &slug).await? else {
        return refused(&app, &pro, "Aucun remplacement n'attend d'accord.", &back);
    };
    if proposal.proposed_by == pro.user.email {
        return refused(
            &app,
            &pro,
            "Le remplacement de la clé de secours doit être approuvé par une autre personne que celle qui l'a proposé : une autre personne de la coordination du territoire, ou de l'administration.",
            &back,
        );
    }
    if !confirmed {
        return refused(
            &app,
            &pro,
            "Rien n'a été fait : cochez « Je confirme » pour approuver le remplacement.",
            &back,
        );
    }
    let told = storage::territory_members(&app.db, &slug).await?;
    let mut tx = app.db.begin().await?;
    // Taken in the transaction: of two approvals, one replaces the key,
    // and only with the key that was proposed and shown.
    match storage::take_recovery_proposal(&mut tx, &slug).await? {
        Some(taken) if taken == proposal => {}
        _ => {
            drop(tx);
            return refused(&app, &pro, "Ce remplacement a changé entre-temps.", &back);
        }
    }
    storage::set_recovery_key(&mut tx, &slug, &proposal.public_key).await?;
    audit(
        &mut tx,
        &pro.user.email,
        Some(&slug),
        AuditAction::RecoveryKeyReplaced,
        &slug,
        &format!(
            "proposé par {}, approuvé par {}",
            proposal.proposed_by, pro.user.email
        ),
    )
    .await?;
    for email in &told {
        storage::notify(&mut tx, email, storage::Notice::RecoveryKeyReplaced).await?;
    }
    tx.commit().await?;
    app.referrals.bell.notify_one();
    Ok(Redirect::to(&back).into_response())
}

/// Withdraws a replacement waiting for approval.
async fn cancel_recovery(
    State(app): State<ReferralState>,
    pro: Pro,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    pro.can_territory(&slug)?;
    button(&body, &pro)?;
    let mut tx = app.db.begin().await?;
    if storage::take_recovery_proposal(&mut tx, &slug)
        .await?
        .is_some()
    {
        audit(
            &mut tx,
            &pro.user.email,
            Some(&slug),
            AuditAction::RecoveryKeyProposalWithdrawn,
            &slug,
            "",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/pro/territoires/{slug}/cle-de-secours")).into_response())
}

async fn grant_with_recovery(
    State(app): State<ReferralState>,
    pro: Pro,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    pro.can_territory(&slug)?;
    let form: Access = submitted(&body, &pro)?;
    let back = format!("/pro/territoires/{slug}/cle-de-secours");
    let Some(user) = crate::backoffice::storage::user(&app.db, &form.recipient).await? else {
        return Err(AppError::Forbidden);
    };
    let Some(organisation) = user.organisation_id.clone() else {
        return Err(AppError::Forbidden);
    };
    let in_territory = crate::directory::storage::organisation(&app.db, &organisation)
        .await?
        .is_some_and(|(o, _)| o.territory == slug);
    if !in_territory {
        return Err(AppError::Forbidden);
    }
    let Some(granted) = granted_keys(&app, &organisation, &form).await? else {
        return refused(&app, &pro, GRANT_REFUSED, &back);
    };
    store_grant(
        &app,
        &pro,
        &organisation,
        &granted,
        Event::AccessGivenWithRecovery,
        Some(&slug),
    )
    .await?;
    Ok(Redirect::to(&back).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_waiting_time_is_said_in_hours_then_days() {
        let now: jiff::Timestamp = "2026-03-10T12:00:00Z".parse().unwrap();
        let waited = |since: &str| waiting_for(since, now).unwrap();
        assert_eq!(waited("2026-03-10T11:30:00Z"), "moins d'une heure");
        assert_eq!(waited("2026-03-10T07:00:00Z"), "5 h");
        assert_eq!(waited("2026-03-09T11:00:00Z"), "1 jour");
        assert_eq!(waited("2026-03-07T12:00:00Z"), "3 jours");
        // A clock a little behind another instance's is not a negative wait.
        assert_eq!(waited("2026-03-10T12:05:00Z"), "moins d'une heure");
        assert_eq!(waiting_for("not a time", now), None);
    }

    #[test]
    fn the_inbox_says_whether_she_accepts_a_call_without_her_number() {
        assert_eq!(
            reach_label(StoredChannel(Some(Channel::Phone))),
            "Appel possible"
        );
        for channel in [Channel::Sms, Channel::Email, Channel::None] {
            assert!(!reach_label(StoredChannel(Some(channel))).starts_with("Appel"));
        }
        assert_eq!(reach_label(StoredChannel(None)), "—");
        assert_eq!(language_label(StoredLanguage(Some(Lang::Ar))), "arabe");
    }
}
