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
use serde::{Deserialize, Serialize};

use crate::backoffice::auth::MessagePage;
use crate::backoffice::screens::csrf;
use crate::backoffice::session::Pro;
use crate::backoffice::storage::{Role, audit, now_text};
use crate::backoffice::{Base, CSRF, Screens};
use crate::referral::envelope::{PublicKey, is_id};
use crate::referral::local_time;
use crate::referral::storage::{self, KeyRecord, Message, Referral, Status};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form::{Field, Fields, Spec};
use crate::web::pages::{render, render_status};

/// Fewest PBKDF2 iterations accepted for a wrapped private key.
pub const MIN_ITERATIONS: i64 = 600_000;
/// Longest reply, in base64url characters of ciphertext.
const MAX_BODY: usize = 64 * 1024;

/// The guarded screens of this module (`{r}` a referral, `{t}` a
/// territory), with the form each reads.
pub fn screens(screens: Screens) -> Screens {
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
            "/pro/territoires/{t}/cle-de-secours/acces",
            &GRANT,
            grant_with_recovery,
        )
}

/// A professional's key pair, the private half wrapped in the browser.
pub static KEY: Spec = Spec::new(&[
    CSRF,
    Field::one("public_key", 64),
    Field::one("salt", 32),
    Field::one("iterations", 12),
    Field::one("nonce", 32),
    Field::one("wrapped", 128),
]);
/// Take in hand, or close.
pub static STATUS: Spec = Spec::new(&[CSRF, Field::one("statut", 16)]);
/// A reply, sealed in the browser.
pub static REPLY: Spec = Spec::new(&[
    CSRF,
    Field::one("message_id", 32),
    Field::one("body", MAX_BODY),
]);
/// Which organisation to wrap for.
pub static RECIPIENTS: Spec = Spec::new(&[Field::one("organisation", 64)]);
/// A transfer: the organisation, and the key wrapped for each of its
/// members.
pub static TRANSFER: Spec = Spec::new(&[
    CSRF,
    Field::one("organisation", 64),
    Field::one("keys", MAX_BODY),
]);
/// Copies of referral keys re-wrapped for a colleague.
pub static GRANT: Spec = Spec::new(&[
    CSRF,
    Field::one("recipient", 64),
    Field::one("keys", crate::backoffice::FORM_LIMIT - 1024),
]);
/// A territory's recovery public key.
pub static RECOVERY: Spec = Spec::new(&[CSRF, Field::one("public_key", 64)]);

/// Reads a form of these screens: every field is written by our script,
/// never typed, so anything off (forged, too long) is a calm 400.
fn read(spec: &Spec, body: &[u8]) -> Result<Fields, AppError> {
    spec.read(body)
        .into_result()
        .map_err(|_| AppError::BadRequest)
}

/// A calm page saying why an action was refused (a browser without the
/// script, a key that does not match), with the way back.
fn refused(app: &AppState, pro: &Pro, message: &str, back: &str) -> Result<Response, AppError> {
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
fn organisation_of(pro: &Pro) -> Result<&str, AppError> {
    match (&pro.user.role, &pro.user.organisation_id) {
        (Role::Professional, Some(organisation)) => Ok(organisation),
        _ => Err(AppError::Forbidden),
    }
}

/// The referral, if `pro` is a professional of its organisation; 403
/// otherwise, whether it exists or not.
async fn member_of(app: &AppState, pro: &Pro, id: &str) -> Result<Referral, AppError> {
    let organisation = organisation_of(pro)?;
    if !is_id(id) {
        return Err(AppError::Forbidden);
    }
    match storage::by_id(&app.db, id).await? {
        Some(referral) if referral.organisation_id == organisation => Ok(referral),
        _ => Err(AppError::Forbidden),
    }
}

/// Whether `text` is base64url of exactly `len` bytes.
fn is_b64(text: &str, len: usize) -> bool {
    URL_SAFE_NO_PAD
        .decode(text)
        .is_ok_and(|bytes| bytes.len() == len)
}

/// Length of a wrapped referral key: HPKE enc, then 32 bytes and a tag.
const WRAPPED_LEN: usize = 80;

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

async fn key_page(State(app): State<AppState>, pro: Pro) -> Result<Response, AppError> {
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
    State(app): State<AppState>,
    pro: Pro,
    body: Bytes,
) -> Result<Response, AppError> {
    organisation_of(&pro)?;
    let fields = read(&KEY, &body)?;
    csrf(&fields, &pro)?;
    let record = KeyRecord {
        public_key: fields.text("public_key"),
        salt: fields.text("salt"),
        iterations: fields.value("iterations").parse().unwrap_or(0),
        nonce: fields.text("nonce"),
        wrapped: fields.text("wrapped"),
    };
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
        "key-created",
        &pro.user.id,
        "",
    )
    .await?;
    tx.commit().await?;
    app.referrals.refresh_receiving(&app.db).await?;
    Ok(Redirect::to("/pro/demandes").into_response())
}

// -------------------------------------------------------------------- inbox

#[derive(Debug)]
struct InboxLine {
    id: String,
    received: String,
    status: &'static str,
    urgent: bool,
    can_open: bool,
}

#[derive(Template)]
#[template(path = "referral/inbox.html")]
struct InboxPage {
    b: Base,
    lines: Vec<InboxLine>,
    waiting: Vec<(String, usize)>,
}

async fn inbox(State(app): State<AppState>, pro: Pro) -> Result<Response, AppError> {
    let organisation = organisation_of(&pro)?;
    if storage::key_of(&app.db, &pro.user.id).await?.is_none() {
        return Ok(Redirect::to("/pro/cle").into_response());
    }
    let mine: std::collections::HashSet<String> =
        storage::wrapped_keys_of(&app.db, organisation, &pro.user.id)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
    let lines = storage::inbox(&app.db, organisation)
        .await?
        .into_iter()
        .map(|r| InboxLine {
            received: local_time(&r.created_at),
            status: status_label(r.status()),
            urgent: r.urgent,
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
    Ok(render(&InboxPage {
        b: Base::of(&app, &pro),
        lines,
        waiting,
    })?
    .into_response())
}

// ----------------------------------------------------------------- referral

/// What the browser needs to open a referral: sealed, all of it.
#[derive(Debug, Serialize)]
struct Sealed<'a> {
    id: &'a str,
    key: KeyRecord,
    wrapped: Option<String>,
    report: &'a str,
    messages: Vec<SealedMessage>,
}

#[derive(Debug, Serialize)]
struct SealedMessage {
    id: String,
    author: String,
    at: String,
    body: String,
}

#[derive(Template)]
#[template(path = "referral/referral.html")]
struct ReferralPage {
    b: Base,
    id: String,
    received: String,
    status: &'static str,
    urgent: bool,
    closed: bool,
    accepted: bool,
    sealed: String,
    organisations: Vec<(String, String)>,
}

async fn referral_page(
    State(app): State<AppState>,
    pro: Pro,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let referral = member_of(&app, &pro, &id).await?;
    let Some(key) = storage::key_of(&app.db, &pro.user.id).await? else {
        return Ok(Redirect::to("/pro/cle").into_response());
    };
    let mut tx = app.db.begin().await?;
    storage::mark_opened(&mut tx, &id).await?;
    audit(
        &mut tx,
        &pro.user.email,
        referral.territory.as_deref(),
        "referral-opened",
        &id,
        "",
    )
    .await?;
    tx.commit().await?;
    let wrapped = storage::wrapped_key(&app.db, &id, &pro.user.id).await?;
    let messages = storage::messages(&app.db, &id)
        .await?
        .into_iter()
        .map(|m| SealedMessage {
            at: local_time(&m.at),
            id: m.id,
            author: m.author,
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
    // What `mark_opened` just did to it.
    let status = match referral.status() {
        Status::Sent | Status::Redirected => Status::Read,
        other => other,
    };
    Ok(render(&ReferralPage {
        b: Base::of(&app, &pro),
        received: local_time(&referral.created_at),
        status: status_label(status),
        urgent: referral.urgent,
        closed: status == Status::Closed,
        accepted: status == Status::Accepted,
        id,
        sealed,
        organisations,
    })?
    .into_response())
}

async fn set_status(
    State(app): State<AppState>,
    pro: Pro,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let referral = member_of(&app, &pro, &id).await?;
    let fields = read(&STATUS, &body)?;
    csrf(&fields, &pro)?;
    let status = match fields.value("statut") {
        "accepted" => Status::Accepted,
        "closed" => Status::Closed,
        _ => return Err(AppError::BadRequest),
    };
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
    storage::set_status(&mut tx, &id, status).await?;
    audit(
        &mut tx,
        &pro.user.email,
        referral.territory.as_deref(),
        &format!("referral-{}", status.code()),
        &id,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/pro/demandes/{id}")).into_response())
}

async fn reply(
    State(app): State<AppState>,
    pro: Pro,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let referral = member_of(&app, &pro, &id).await?;
    let fields = read(&REPLY, &body)?;
    csrf(&fields, &pro)?;
    let message_id = fields.value("message_id");
    let sealed = fields.value("body");
    let valid = is_id(message_id)
        && sealed.len() <= MAX_BODY
        && URL_SAFE_NO_PAD
            .decode(sealed)
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
    storage::add_message(
        &mut tx,
        &id,
        &Message {
            id: message_id.to_owned(),
            author: "professional".to_owned(),
            at: now_text(),
            body: sealed.to_owned(),
        },
        // The person is never e-mailed.
        &[],
    )
    .await?;
    audit(
        &mut tx,
        &pro.user.email,
        referral.territory.as_deref(),
        "referral-replied",
        &id,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/pro/demandes/{id}")).into_response())
}

// ----------------------------------------------------------------- transfer

/// A public key the browser must wrap a referral key for.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Recipient {
    recipient: String,
    public_key: String,
}

/// The recipients of a referral in `organisation`: its members with a key,
/// and its territory's recovery key.
async fn recipients_in(
    app: &AppState,
    organisation: &str,
) -> Result<(Vec<Recipient>, Option<String>), AppError> {
    let Some((organisation, _)) =
        crate::directory::storage::organisation(&app.db, organisation).await?
    else {
        return Err(AppError::NotFound);
    };
    let mut list: Vec<Recipient> = storage::members(&app.db, &organisation.id)
        .await?
        .into_iter()
        .map(|m| Recipient {
            recipient: m.user_id,
            public_key: m.public_key,
        })
        .collect();
    if let Some(public_key) = storage::recovery_key(&app.db, &organisation.territory).await? {
        list.push(Recipient {
            recipient: "recovery".to_owned(),
            public_key,
        });
    }
    Ok((list, Some(organisation.territory)))
}

async fn recipients(
    State(app): State<AppState>,
    pro: Pro,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    member_of(&app, &pro, &id).await?;
    let query = RECIPIENTS
        .read_query(query.as_deref())
        .into_result()
        .map_err(|_| AppError::BadRequest)?;
    let (list, _) = recipients_in(&app, query.value("organisation")).await?;
    let json = serde_json::to_string(&list).expect("recipients serialise");
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

#[derive(Debug, Deserialize)]
struct Wrapped {
    recipient: String,
    wrapped: String,
}

async fn transfer(
    State(app): State<AppState>,
    pro: Pro,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let referral = member_of(&app, &pro, &id).await?;
    let fields = read(&TRANSFER, &body)?;
    csrf(&fields, &pro)?;
    let target = fields.value("organisation");
    let (expected, territory) = recipients_in(&app, target).await?;
    let given: Vec<Wrapped> = serde_json::from_str(fields.value("keys")).unwrap_or_default();
    let mut keys: Vec<(String, String)> = given
        .into_iter()
        .filter(|w| is_b64(&w.wrapped, WRAPPED_LEN))
        .map(|w| (w.recipient, w.wrapped))
        .collect();
    keys.sort();
    keys.dedup_by(|a, b| a.0 == b.0);
    let mut wanted: Vec<&str> = expected.iter().map(|r| r.recipient.as_str()).collect();
    wanted.sort_unstable();
    let got: Vec<&str> = keys.iter().map(|(r, _)| r.as_str()).collect();
    let has_member = expected.iter().any(|r| r.recipient != "recovery");
    if target == referral.organisation_id || !has_member || got != wanted {
        return refused(
            &app,
            &pro,
            "Le transfert n'a pas été fait : la demande doit être rechiffrée par votre navigateur pour chaque membre de la structure choisie, et l'équipe de cette structure a peut-être changé entre-temps. Réessayez.",
            &format!("/pro/demandes/{id}"),
        );
    }
    let notify: Vec<String> = storage::members(&app.db, target)
        .await?
        .into_iter()
        .map(|m| m.email)
        .collect();
    let mut tx = app.db.begin().await?;
    storage::transfer(&mut tx, &id, target, territory.as_deref(), &keys, &notify).await?;
    for territory in [referral.territory.as_deref(), territory.as_deref()] {
        audit(
            &mut tx,
            &pro.user.email,
            territory,
            "referral-transferred",
            &id,
            &format!("{} → {target}", referral.organisation_id),
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
    recipient: String,
    email: String,
    public_key: String,
    /// (referral id, the copy wrapped for the key that opens it)
    keys: Vec<(String, String)>,
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
async fn grants(app: &AppState, organisation: &str, opener: &str) -> Result<Vec<Grant>, AppError> {
    let available: std::collections::HashMap<String, String> =
        storage::wrapped_keys_of(&app.db, organisation, opener)
            .await?
            .into_iter()
            .collect();
    let mut grants = Vec::new();
    for member in storage::members(&app.db, organisation).await? {
        if member.user_id == opener {
            continue;
        }
        let keys: Vec<(String, String)> =
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

async fn access_page(State(app): State<AppState>, pro: Pro) -> Result<Response, AppError> {
    let organisation = organisation_of(&pro)?;
    let Some(key) = storage::key_of(&app.db, &pro.user.id).await? else {
        return Ok(Redirect::to("/pro/cle").into_response());
    };
    let grants = grants(&app, organisation, &pro.user.id).await?;
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

/// The copies re-wrapped for `recipient`, a member of `organisation`, that
/// may be stored: only for that organisation's referrals.
async fn granted_keys(
    app: &AppState,
    organisation: &str,
    fields: &Fields,
) -> Result<Vec<(String, String)>, AppError> {
    let recipient = fields.value("recipient");
    let is_member = storage::members(&app.db, organisation)
        .await?
        .iter()
        .any(|m| m.user_id == recipient);
    if !is_member {
        return Err(AppError::Forbidden);
    }
    let given: Vec<(String, String)> =
        serde_json::from_str(fields.value("keys")).unwrap_or_default();
    let mut keys = Vec::new();
    for (id, wrapped) in given {
        if !is_id(&id) || !is_b64(&wrapped, WRAPPED_LEN) {
            continue;
        }
        if storage::by_id(&app.db, &id)
            .await?
            .is_some_and(|r| r.organisation_id == organisation)
        {
            keys.push((id, wrapped));
        }
    }
    Ok(keys)
}

async fn grant(State(app): State<AppState>, pro: Pro, body: Bytes) -> Result<Response, AppError> {
    let organisation = organisation_of(&pro)?;
    let fields = read(&GRANT, &body)?;
    csrf(&fields, &pro)?;
    let keys = granted_keys(&app, organisation, &fields).await?;
    let mut tx = app.db.begin().await?;
    storage::add_keys(&mut tx, fields.value("recipient"), &keys).await?;
    let count = keys.len();
    audit(
        &mut tx,
        &pro.user.email,
        None,
        "access-given",
        fields.value("recipient"),
        &format!("{count} demande(s)"),
    )
    .await?;
    tx.commit().await?;
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
    /// Per organisation of the territory: the colleagues waiting.
    sealed: String,
    waiting: Vec<(String, usize)>,
}

async fn recovery_page(
    State(app): State<AppState>,
    pro: Pro,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    pro.can_territory(&slug)?;
    let Some(territory) = crate::directory::storage::territory(&app.db, &slug).await? else {
        return Err(AppError::NotFound);
    };
    let has_key = storage::recovery_key(&app.db, &slug).await?.is_some();
    let (organisations, _) = crate::directory::storage::directory(&app.db, Some(&slug)).await?;
    let mut all = Vec::new();
    for organisation in organisations {
        all.extend(grants(&app, &organisation.id, "recovery").await?);
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
    })?
    .into_response())
}

async fn save_recovery(
    State(app): State<AppState>,
    pro: Pro,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    pro.can_territory(&slug)?;
    let fields = read(&RECOVERY, &body)?;
    csrf(&fields, &pro)?;
    let public_key = fields.text("public_key");
    if PublicKey::parse(&public_key).is_err() {
        return refused(
            &app,
            &pro,
            "La clé de secours n'a pas été enregistrée : elle doit être créée par votre navigateur, avec JavaScript activé.",
            &format!("/pro/territoires/{slug}/cle-de-secours"),
        );
    }
    if crate::directory::storage::territory(&app.db, &slug)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let mut tx = app.db.begin().await?;
    storage::set_recovery_key(&mut tx, &slug, &public_key).await?;
    audit(
        &mut tx,
        &pro.user.email,
        Some(&slug),
        "recovery-key-set",
        &slug,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/pro/territoires/{slug}/cle-de-secours")).into_response())
}

async fn grant_with_recovery(
    State(app): State<AppState>,
    pro: Pro,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    pro.can_territory(&slug)?;
    let fields = read(&GRANT, &body)?;
    csrf(&fields, &pro)?;
    let recipient = fields.value("recipient");
    let Some(user) = crate::backoffice::storage::user(&app.db, recipient).await? else {
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
    let keys = granted_keys(&app, &organisation, &fields).await?;
    let mut tx = app.db.begin().await?;
    storage::add_keys(&mut tx, recipient, &keys).await?;
    let count = keys.len();
    audit(
        &mut tx,
        &pro.user.email,
        Some(&slug),
        "access-given-with-recovery-key",
        recipient,
        &format!("{count} demande(s)"),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/pro/territoires/{slug}/cle-de-secours")).into_response())
}
