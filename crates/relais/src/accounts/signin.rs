//! Signing in: e-mail and password, then the second factor (enrolled at the
//! first sign-in), then a new session; accepting an invitation; signing
//! out.
//!
//! Every failure says the same thing, whether the e-mail exists or not, and
//! an unknown e-mail costs the same time as a wrong password. Failures are
//! counted per account: from the fifth in a row the account is locked for a
//! while, longer each time.

use std::time::{Duration, Instant};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::accounts::AccountsState;
use crate::accounts::{password, totp};
use crate::backoffice::session::{self, token_hash};
use crate::backoffice::storage::AuditAction;
use crate::backoffice::storage::{self, Role, Stage, User};
use crate::backoffice::{Base, CSRF_ONLY, MessagePage, Screens};
use crate::referral::storage::Notice;
use crate::secret::{Purpose, constant_time_eq};
use crate::storage::{Tx, UserId};
use crate::web::clients::ClientCounts;
use crate::web::error::AppError;
use crate::web::form::{Field, Fields, Spec};
use crate::web::ratelimit::RequestClient;
use crate::web::{render, render_status};

/// The routes of signing in, open to anyone.
pub fn screens(screens: Screens<AccountsState>) -> Screens<AccountsState> {
    screens
        .get("/pro/connexion", sign_in_form)
        .query(&NEXT)
        .post("/pro/connexion", &SIGN_IN, sign_in)
        .get("/pro/deuxieme-facteur", second_factor_form)
        .query(&NEXT)
        .post("/pro/deuxieme-facteur", &SECOND_FACTOR, second_factor)
        .get("/pro/deuxieme-facteur/activer", enrol_form)
        .query(&NEXT)
        .post("/pro/deuxieme-facteur/activer", &ENROL, enrol)
        .post("/pro/deuxieme-facteur/termine", &ENROLLED, enrolled)
        .get_like(
            "/pro/invitation/{token}",
            "/pro/invitation/{i}",
            invitation_form,
        )
        .post_like(
            "/pro/invitation/{token}",
            "/pro/invitation/{i}",
            &NEW_PASSWORD,
            accept_invitation,
        )
        .post("/pro/deconnexion", &CSRF_ONLY, sign_out)
}

/// The longest password accepted: far beyond any passphrase, and a bound
/// on what Argon2id is given.
pub const PASSWORD_MAX: usize = 1024;
/// The longest address to come back to after signing in.
const SUITE_MAX: usize = 512;
/// The paths whose rest is a secret (an invitation's token opens an
/// account): the access log leaves it out.
pub const PRIVATE_PATHS: &[&str] = &["/pro/invitation/"];

pub use crate::web::form::EMAIL_MAX;

/// `?suite=`: where to go after signing in.
pub static NEXT: Spec = Spec::new(&[Field::one("suite", SUITE_MAX)]);
/// The sign-in form.
pub static SIGN_IN: Spec = Spec::new(&[
    Field::one("email", EMAIL_MAX),
    Field::one("password", PASSWORD_MAX),
    Field::one("jeton", 64),
    Field::one("suite", SUITE_MAX),
]);
/// A one-time code or a recovery code.
pub static SECOND_FACTOR: Spec =
    Spec::new(&[Field::one("code", 32), Field::one("suite", SUITE_MAX)]);
/// The first code, with the secret it was made from, sealed.
pub static ENROL: Spec = Spec::new(&[
    Field::one("code", 32),
    Field::one("secret", 256),
    Field::one("suite", SUITE_MAX),
]);
/// "J'ai noté mes codes de secours".
pub static ENROLLED: Spec = Spec::new(&[Field::one("noted", 3), Field::one("suite", SUITE_MAX)]);
/// A new password, twice.
pub static NEW_PASSWORD: Spec = Spec::new(&[
    Field::one("password", PASSWORD_MAX),
    Field::one("confirm", PASSWORD_MAX),
]);

/// The page's query, read against `spec`; a query no page of ours makes is
/// read as none at all.
fn query_of(spec: &Spec, query: Option<&str>) -> Fields {
    spec.read_query(query).into_result().unwrap_or_default()
}

/// Failed sign-ins (wrong passwords, wrong codes) one client may make in a
/// quarter of an hour, whatever the accounts.
pub const FAILED_SIGN_INS_PER_CLIENT: u32 = 10;
/// Wrong codes one half-finished sign-in survives.
pub const CODES_PER_HALF_SESSION: i64 = 3;

/// The count of failed sign-ins per client.
pub fn sign_in_tries() -> ClientCounts {
    ClientCounts::new(FAILED_SIGN_INS_PER_CLIENT, Duration::from_secs(15 * 60))
}

const TOO_MANY: &str = "Trop d'essais de connexion depuis cet appareil. Pour la sécurité des comptes, \
     attendez un quart d'heure avant de réessayer.";
const FAILED: &str = "La connexion n'a pas abouti. Vérifiez votre adresse e-mail et votre mot de passe. \
     Après plusieurs essais, la connexion est bloquée quelques minutes.";
const BAD_CODE: &str = "Ce code n'est pas valide. Attendez le code suivant et recopiez-le, ou utilisez un code de secours.";

/// Where to go after signing in: a back-office path only.
fn safe_next(next: &str) -> String {
    if next.starts_with("/pro") && crate::web::links::is_local_path(next) {
        next.to_owned()
    } else {
        "/pro".to_owned()
    }
}

/// Whether the request came over HTTPS or to the machine itself.
fn secure_context(app: &AccountsState, headers: &HeaderMap) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let loopback =
        host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]");
    let forwarded_https = headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v == "https");
    app.settings.https || loopback || forwarded_https
}

/// A stateless form token for the sign-in form: an HMAC of the time, which
/// another site cannot read from our page.
fn login_token(app: &AccountsState, at: i64) -> String {
    let mac = app
        .secret
        .derive(Purpose::SignInForm)
        .mac(&[at.to_string().as_bytes()]);
    format!("{at}.{}", hex::encode(&mac[..16]))
}

fn login_token_valid(app: &AccountsState, token: &str) -> bool {
    let Some((at, _)) = token.split_once('.') else {
        return false;
    };
    let Ok(at) = at.parse::<i64>() else {
        return false;
    };
    let age = jiff::Timestamp::now().as_second() - at;
    (0..=3600).contains(&age) && constant_time_eq(login_token(app, at).as_bytes(), token.as_bytes())
}

#[derive(Template)]
#[template(path = "backoffice/signin.html")]
struct SignInPage {
    b: Base,
    insecure: bool,
    error: Option<String>,
    token: String,
    next: String,
    email: String,
}

pub async fn sign_in_form(
    State(app): State<AccountsState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let query = query_of(&NEXT, query.as_deref());
    let page = SignInPage {
        b: Base::anonymous(&app),
        insecure: !secure_context(&app, &headers),
        error: None,
        token: login_token(&app, jiff::Timestamp::now().as_second()),
        next: safe_next(query.value("suite")),
        email: String::new(),
    };
    Ok(render(&page)?.into_response())
}

/// The sign-in form, as posted.
struct SignInForm {
    email: String,
    password: String,
    jeton: String,
    suite: String,
}

pub async fn sign_in(
    State(app): State<AccountsState>,
    headers: HeaderMap,
    RequestClient(client): RequestClient,
    body: Bytes,
) -> Result<Response, AppError> {
    // Read before anything else; a field too long is refused like a wrong
    // password, before any hashing.
    let posted = SIGN_IN.read(&body);
    if posted.is_forged() {
        return Err(AppError::BadRequest);
    }
    let too_long = posted.too_long().is_some();
    let fields = posted.fields;
    let form = SignInForm {
        email: fields.text("email"),
        password: fields.text("password"),
        jeton: fields.text("jeton"),
        suite: fields.text("suite"),
    };
    let page =
        |app: &AccountsState, error: &str, status: StatusCode| -> Result<Response, AppError> {
            let page = SignInPage {
                b: Base::anonymous(app),
                insecure: !secure_context(app, &headers),
                error: Some(error.to_owned()),
                token: login_token(app, jiff::Timestamp::now().as_second()),
                next: safe_next(&form.suite),
                email: form.email.clone(),
            };
            render_status(status, &page)
        };
    let refuse = |app: &AccountsState| page(app, FAILED, StatusCode::UNAUTHORIZED);
    if !login_token_valid(&app, &form.jeton) {
        return Err(AppError::Forbidden);
    }
    if too_long {
        return refuse(&app);
    }
    // Every try is taken from this client's allowance before any lookup or
    // hashing, and given back only when it succeeds: failures count.
    if !app.sign_in_tries.take(client, Instant::now()) {
        return page(&app, TOO_MANY, StatusCode::TOO_MANY_REQUESTS);
    }
    let Some(user) = storage::user_by_email(&app.db, &form.email).await? else {
        password::waste_one_verification().await;
        tracing::info!("a sign-in failed (unknown account)");
        return refuse(&app);
    };
    let locked = is_locked(&user);
    let usable = !user.disabled && !locked && user.password_hash.is_some();
    // A locked account is not evaluated, but costs the same time.
    let matches = match user.password_hash.as_deref().filter(|_| usable) {
        Some(hash) => password::verify(&form.password, hash).await,
        None => {
            password::waste_one_verification().await;
            false
        }
    };
    if !matches {
        let mut tx = app.db.begin().await?;
        if !locked {
            failed(&mut tx, &user).await?;
        }
        audit(
            &mut tx,
            &app,
            &user,
            AuditAction::SignInFailed,
            if locked {
                "compte bloqué"
            } else {
                "mot de passe"
            },
        )
        .await?;
        tx.commit().await?;
        return refuse(&app);
    }
    app.sign_in_tries.give_back(client, Instant::now());
    let stage = if user.totp_secret.is_some() {
        Stage::Password
    } else {
        Stage::Enrol
    };
    let mut tx = app.db.begin().await?;
    let cookie = session::open(&mut tx, &user.id, stage).await?;
    tx.commit().await?;
    let next = safe_next(&form.suite);
    let target = if stage == Stage::Enrol {
        "/pro/deuxieme-facteur/activer"
    } else {
        "/pro/deuxieme-facteur"
    };
    let target = format!(
        "{target}?suite={}",
        form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&target)).into_response())
}

/// Whether the account is locked now.
fn is_locked(user: &User) -> bool {
    user.locked_until
        .as_deref()
        .is_some_and(|until| until > crate::storage::now_text().as_str())
}

/// A wrong password or code, counted against the account in `tx`; when it
/// locks the account, its owner is told by an e-mail that says only that.
async fn failed(tx: &mut Tx, user: &User) -> Result<(), AppError> {
    if storage::record_failure(tx, &user.id).await? {
        crate::referral::storage::notify(tx, &user.email, Notice::SignInFailures).await?;
    }
    Ok(())
}

/// Appends to the audit log for this account's territory, in `tx`.
async fn audit(
    tx: &mut Tx,
    app: &AccountsState,
    user: &User,
    action: AuditAction,
    detail: &str,
) -> Result<(), AppError> {
    let territory = crate::directory::office::territory_of(&app.directory, user);
    storage::audit(
        tx,
        &user.email,
        territory.as_deref(),
        action,
        &user.id,
        detail,
    )
    .await?;
    Ok(())
}

/// The session in progress (password given) and its account.
async fn partial(
    app: &AccountsState,
    headers: &HeaderMap,
    stage: Stage,
) -> Result<Option<(session::Found, User)>, AppError> {
    let Some(found) = session::find(app, headers).await? else {
        return Ok(None);
    };
    if found.row.stage != stage {
        return Ok(None);
    }
    let Some(user) = storage::user(&app.db, &found.row.user_id)
        .await?
        .filter(|u| !u.disabled)
    else {
        return Ok(None);
    };
    if is_locked(&user) {
        // A locked account opens no session by any path: what was begun
        // before the lock ends with it.
        let mut tx = app.db.begin().await?;
        storage::delete_session(&mut tx, &found.id_hash).await?;
        tx.commit().await?;
        return Ok(None);
    }
    Ok(Some((found, user)))
}

/// Signing in stopped here: the half-finished sign-in is over, start again.
fn start_again(app: &AccountsState, message: &str) -> Result<Response, AppError> {
    let page = MessagePage {
        b: Base::anonymous(app),
        title: "La connexion est à reprendre".to_owned(),
        message: message.to_owned(),
        link: "/pro/connexion".to_owned(),
        link_label: "Recommencer la connexion".to_owned(),
    };
    let mut response = render_status(StatusCode::UNAUTHORIZED, &page)?;
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session::clear_cookie());
    Ok(response)
}

#[derive(Template)]
#[template(path = "backoffice/second_factor.html")]
struct SecondFactorPage {
    b: Base,
    error: Option<String>,
    next: String,
}

pub async fn second_factor_form(
    State(app): State<AccountsState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let query = query_of(&NEXT, query.as_deref());
    if partial(&app, &headers, Stage::Password).await?.is_none() {
        return Ok(Redirect::to("/pro/connexion").into_response());
    }
    Ok(render(&SecondFactorPage {
        b: Base::anonymous(&app),
        error: None,
        next: safe_next(query.value("suite")),
    })?
    .into_response())
}

/// A code or a recovery code, as posted (with the secret, at enrolment).
struct CodeForm {
    code: String,
    suite: String,
    secret: String,
}

impl CodeForm {
    /// Reads the body against `spec`: anything forged or too long is no
    /// code of ours, and is refused before any work.
    fn read(spec: &Spec, body: &[u8]) -> Result<Self, AppError> {
        let fields = spec
            .read(body)
            .into_result()
            .map_err(|_| AppError::BadRequest)?;
        Ok(Self {
            code: fields.text("code"),
            suite: fields.text("suite"),
            secret: fields.text("secret"),
        })
    }
}

pub async fn second_factor(
    State(app): State<AccountsState>,
    headers: HeaderMap,
    RequestClient(client): RequestClient,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = CodeForm::read(&SECOND_FACTOR, &body)?;
    let Some((found, user)) = partial(&app, &headers, Stage::Password).await? else {
        return Ok(Redirect::to("/pro/connexion").into_response());
    };
    if !app.sign_in_tries.take(client, Instant::now()) {
        return start_again(&app, TOO_MANY);
    }
    let keys = totp::Keys::new(&app.secret);
    let secret = user.totp_secret.as_deref().and_then(|s| keys.open(s));
    let now = u64::try_from(jiff::Timestamp::now().as_second()).unwrap_or(0);
    let last = u64::try_from(user.totp_last_step).unwrap_or(0);
    let mut tx = app.db.begin().await?;
    let by_code = match secret
        .as_deref()
        .and_then(|s| totp::verify(s, &user.email, &form.code, now, last))
    {
        Some(step) => {
            storage::claim_totp_step(&mut tx, &user.id, i64::try_from(step).unwrap_or(i64::MAX))
                .await?
        }
        None => false,
    };
    let by_recovery = !by_code
        && form
            .code
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .count()
            == 12
        && storage::use_recovery_code(&mut tx, &user.id, &keys.recovery_hash(&form.code)).await?;
    if !by_code && !by_recovery {
        // A wrong code counts against the account and against this
        // half-finished sign-in, which a few wrong codes end.
        failed(&mut tx, &user).await?;
        let failures = storage::session_failed(&mut tx, &found.id_hash).await?;
        let over = failures >= CODES_PER_HALF_SESSION;
        if over {
            storage::delete_session(&mut tx, &found.id_hash).await?;
        }
        audit(
            &mut tx,
            &app,
            &user,
            AuditAction::SignInFailed,
            "code de sécurité",
        )
        .await?;
        tx.commit().await?;
        if over {
            return start_again(
                &app,
                "Plusieurs codes n'étaient pas valides : pour la sécurité du compte, la connexion \
                 recommence depuis le mot de passe.",
            );
        }
        let page = SecondFactorPage {
            b: Base::anonymous(&app),
            error: Some(BAD_CODE.to_owned()),
            next: safe_next(&form.suite),
        };
        return Ok(render(&page)?.into_response());
    }
    storage::reset_failures(&mut tx, &user.id).await?;
    app.sign_in_tries.give_back(client, Instant::now());
    let how = if by_recovery {
        "code de secours"
    } else {
        "code de sécurité"
    };
    complete(&app, tx, &user, &found, how, &form.suite).await
}

#[derive(Template)]
#[template(path = "backoffice/enrol.html")]
struct EnrolPage {
    b: Base,
    qr: String,
    secret_text: String,
    sealed: String,
    error: Option<String>,
    next: String,
}

fn enrol_page(
    app: &AccountsState,
    user: &User,
    secret: &[u8],
    error: Option<String>,
    next: &str,
) -> EnrolPage {
    let keys = totp::Keys::new(&app.secret);
    EnrolPage {
        b: Base::anonymous(app),
        qr: totp::qr_svg(secret, &user.email),
        secret_text: totp::secret_text(secret),
        // Not stored until confirmed: it travels sealed in the form.
        sealed: keys.seal(secret),
        error,
        next: safe_next(next),
    }
}

pub async fn enrol_form(
    State(app): State<AccountsState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let query = query_of(&NEXT, query.as_deref());
    let Some((_, user)) = partial(&app, &headers, Stage::Enrol).await? else {
        return Ok(Redirect::to("/pro/connexion").into_response());
    };
    Ok(render(&enrol_page(
        &app,
        &user,
        &totp::new_secret(),
        None,
        query.value("suite"),
    ))?
    .into_response())
}

#[derive(Template)]
#[template(path = "backoffice/recovery.html")]
struct RecoveryPage {
    b: Base,
    codes: Vec<String>,
    next: String,
}

pub async fn enrol(
    State(app): State<AccountsState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = CodeForm::read(&ENROL, &body)?;
    let Some((_, user)) = partial(&app, &headers, Stage::Enrol).await? else {
        return Ok(Redirect::to("/pro/connexion").into_response());
    };
    let keys = totp::Keys::new(&app.secret);
    let Some(secret) = keys.open(&form.secret) else {
        return Err(AppError::Forbidden);
    };
    let now = u64::try_from(jiff::Timestamp::now().as_second()).unwrap_or(0);
    let Some(step) = totp::verify(&secret, &user.email, &form.code, now, 0) else {
        let page = enrol_page(&app, &user, &secret, Some(BAD_CODE.to_owned()), &form.suite);
        return Ok(render(&page)?.into_response());
    };
    let mut tx = app.db.begin().await?;
    storage::set_totp(
        &mut tx,
        &user.id,
        &keys.seal(&secret),
        i64::try_from(step).unwrap_or(i64::MAX),
    )
    .await?;
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| keys.recovery_hash(c)).collect();
    storage::save_recovery_codes(&mut tx, &user.id, &hashes).await?;
    audit(&mut tx, &app, &user, AuditAction::SecondFactorEnrolled, "").await?;
    tx.commit().await?;
    Ok(render(&RecoveryPage {
        b: Base::anonymous(&app),
        codes,
        next: safe_next(&form.suite),
    })?
    .into_response())
}

/// After the recovery codes: the first complete session.
pub async fn enrolled(
    State(app): State<AccountsState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = CodeForm::read(&ENROLLED, &body)?;
    let Some((found, user)) = partial(&app, &headers, Stage::Enrol).await? else {
        return Ok(Redirect::to("/pro/connexion").into_response());
    };
    if user.totp_secret.is_none() {
        return Ok(Redirect::to("/pro/deuxieme-facteur/activer").into_response());
    }
    let tx = app.db.begin().await?;
    complete(&app, tx, &user, &found, "première connexion", &form.suite).await
}

/// Signing in is complete: the audit line, then a new session in place of
/// the one in progress (a new value for the new privileges, so that the
/// one that knew only the password is worth nothing), then on to where the
/// person was going.
async fn complete(
    app: &AccountsState,
    mut tx: Tx,
    user: &User,
    in_progress: &session::Found,
    how: &str,
    next: &str,
) -> Result<Response, AppError> {
    // In the transaction that opens the session: the half-finished one must
    // still be there (not ended by too many wrong codes, nor finished by a
    // concurrent request) and the account must not be locked.
    let finished = storage::finish_half_session(
        &mut tx,
        &in_progress.id_hash,
        in_progress.row.stage,
        CODES_PER_HALF_SESSION,
    )
    .await?;
    if !finished || storage::is_locked(&mut tx, &user.id).await? {
        drop(tx);
        return start_again(
            app,
            "Cette connexion n'est plus valable. Recommencez depuis le mot de passe.",
        );
    }
    audit(&mut tx, app, user, AuditAction::SignIn, how).await?;
    let cookie = session::open(&mut tx, &user.id, Stage::Full).await?;
    tx.commit().await?;
    let mut next = safe_next(next);
    // A professional's first complete sign-in goes on to make the key that
    // opens the organisation's referrals.
    if next == "/pro"
        && user.role == Role::Professional
        && user.organisation_id.is_some()
        && crate::referral::storage::key_of(&app.db, &user.id)
            .await?
            .is_none()
    {
        next = "/pro/cle".to_owned();
    }
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response())
}

#[derive(Template)]
#[template(path = "backoffice/invitation.html")]
struct InvitationPage {
    b: Base,
    email: String,
    token: String,
    error: Option<String>,
}

fn expired_invitation(app: &AccountsState) -> Result<Response, AppError> {
    let page = MessagePage {
        b: Base::anonymous(app),
        title: "Ce lien n'est plus valable".to_owned(),
        message: "Une invitation ne sert qu'une fois et expire après sept jours. Demandez-en une nouvelle à la personne qui vous a invité·e.".to_owned(),
        link: "/pro/connexion".to_owned(),
        link_label: "Aller à la connexion".to_owned(),
    };
    render_status(StatusCode::GONE, &page)
}

/// An invitation's token as a link carries it: 32 random bytes in
/// base64url, 43 characters. Anything else is no link of ours and is refused
/// before any lookup.
#[derive(Clone, PartialEq, Eq)]
pub struct InvitationToken(String);

impl std::fmt::Debug for InvitationToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InvitationToken(***)")
    }
}

impl InvitationToken {
    /// Reads the token of a link.
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 43
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && URL_SAFE_NO_PAD
                .decode(text)
                .is_ok_and(|bytes| bytes.len() == 32))
        .then(|| Self(text.to_owned()))
    }

    /// The stored form: its SHA-256.
    pub fn hash(&self) -> String {
        token_hash(&self.0)
    }

    /// The token, to put back in the form's address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub async fn invitation_form(
    State(app): State<AccountsState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let Some(token) = InvitationToken::parse(&token) else {
        return expired_invitation(&app);
    };
    let Some(user_id) = storage::invitation_user(&app.db, &token.hash()).await? else {
        return expired_invitation(&app);
    };
    let Some(user) = storage::user(&app.db, &user_id).await? else {
        return expired_invitation(&app);
    };
    Ok(render(&InvitationPage {
        b: Base::anonymous(&app),
        email: user.email,
        token: token.as_str().to_owned(),
        error: None,
    })?
    .into_response())
}

pub async fn accept_invitation(
    State(app): State<AccountsState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let posted = NEW_PASSWORD.read(&body);
    if posted.is_forged() {
        return Err(AppError::BadRequest);
    }
    let too_long = posted.too_long();
    let (password, confirm) = (
        posted.fields.text("password"),
        posted.fields.text("confirm"),
    );
    let Some(token) = InvitationToken::parse(&token) else {
        return expired_invitation(&app);
    };
    let hash = token.hash();
    let Some(user_id) = storage::invitation_user(&app.db, &hash).await? else {
        return expired_invitation(&app);
    };
    let Some(user) = storage::user(&app.db, &user_id).await? else {
        return expired_invitation(&app);
    };
    let error = if let Some((_, max)) = too_long {
        Some(format!(
            "Ce mot de passe est trop long : {max} caractères au plus."
        ))
    } else if password != confirm {
        Some("Les deux mots de passe ne sont pas identiques.".to_owned())
    } else {
        password::check_new(&password, &user.email).err().map(|weak| match weak {
            password::Weak::TooShort => "Ce mot de passe est trop court : au moins 12 caractères.".to_owned(),
            password::Weak::Common => "Ce mot de passe fait partie des plus courants : choisissez-en un autre, par exemple une phrase de quelques mots.".to_owned(),
            password::Weak::ContainsEmail => "Ce mot de passe contient votre adresse e-mail : choisissez-en un autre.".to_owned(),
        })
    };
    if let Some(error) = error {
        let page = InvitationPage {
            b: Base::anonymous(&app),
            email: user.email,
            token: token.as_str().to_owned(),
            error: Some(error),
        };
        return Ok(render(&page)?.into_response());
    }
    let hashed = password::hash(&password).await;
    let mut tx = app.db.begin().await?;
    if !storage::use_invitation(&mut tx, &hash).await? {
        return expired_invitation(&app);
    }
    storage::set_password(&mut tx, &user.id, &hashed).await?;
    storage::delete_user_sessions(&mut tx, &user.id).await?;
    audit(&mut tx, &app, &user, AuditAction::InvitationAccepted, "").await?;
    let stage = if user.totp_secret.is_some() {
        Stage::Password
    } else {
        Stage::Enrol
    };
    let cookie = session::open(&mut tx, &user.id, stage).await?;
    tx.commit().await?;
    let target = if stage == Stage::Enrol {
        "/pro/deuxieme-facteur/activer"
    } else {
        "/pro/deuxieme-facteur"
    };
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(target)).into_response())
}

pub async fn sign_out(
    State(app): State<AccountsState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = CSRF_ONLY
        .read(&body)
        .into_result()
        .map_err(|_| AppError::BadRequest)?;
    if let Some(found) = session::find(&app, &headers).await? {
        if !constant_time_eq(found.row.csrf.as_bytes(), form.value("csrf").as_bytes()) {
            return Err(AppError::Forbidden);
        }
        let user = storage::user(&app.db, &found.row.user_id).await?;
        let mut tx = app.db.begin().await?;
        storage::delete_session(&mut tx, &found.id_hash).await?;
        if let Some(user) = user {
            audit(&mut tx, &app, &user, AuditAction::SignOut, "").await?;
        }
        tx.commit().await?;
    }
    Ok((
        [
            (header::SET_COOKIE, session::clear_cookie()),
            (
                HeaderName::from_static("clear-site-data"),
                HeaderValue::from_static("\"cache\", \"cookies\", \"storage\""),
            ),
        ],
        Redirect::to("/pro/connexion"),
    )
        .into_response())
}

/// A one-time invitation link for an account, valid seven days.
pub async fn new_invitation(
    tx: &mut Tx,
    public_url: &str,
    user_id: &UserId,
) -> Result<String, sqlx::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("random bytes");
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let expires = crate::storage::timestamp_text(
        jiff::Timestamp::now() + jiff::SignedDuration::from_hours(7 * 24),
    );
    storage::create_invitation(tx, user_id, &token_hash(&token), &expires).await?;
    Ok(format!(
        "{}/pro/invitation/{token}",
        public_url.trim_end_matches('/')
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_token_is_43_base64url_characters_of_32_bytes() {
        let token = session::random_token();
        assert_eq!(
            InvitationToken::parse(&token).map(|t| t.hash()),
            Some(token_hash(&token))
        );
        let slash = format!("/{}", &token[1..]);
        let padded = format!("{}=", &token[..42]);
        for bad in ["", "abc", &"a".repeat(44), &padded, &slash] {
            assert!(InvitationToken::parse(bad).is_none(), "{bad}");
        }
        assert!(!format!("{:?}", InvitationToken::parse(&token).unwrap()).contains(&token));
    }

    #[test]
    fn only_a_back_office_path_is_followed_after_sign_in() {
        assert_eq!(safe_next("/pro/comptes"), "/pro/comptes");
        assert_eq!(safe_next("https://evil.example/pro"), "/pro");
        assert_eq!(safe_next("//evil.example"), "/pro");
        assert_eq!(safe_next("/aide"), "/pro");
        assert_eq!(safe_next("/pro\\evil.example"), "/pro");
    }
}
