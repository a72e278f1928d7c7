//! Sessions and access: who is signed in, and what they may touch.
//!
//! A session is a random 256-bit value in a `__Host-` cookie (Secure,
//! HttpOnly, SameSite=Strict, Path=/); the database keeps only its SHA-256,
//! so a copy of it opens no session. A session ends after 30 minutes
//! without use or 12 hours after it began, and is replaced by a new one at
//! sign-in and whenever privileges change (no fixation).
//!
//! Access is decided here and nowhere else: [`require`] lets through only a
//! complete session (password and second factor) on every back-office route
//! that is not part of signing in, and [`Pro`] answers, for each object,
//! whether this account may touch it. Deny is the default: a route without
//! the layer is not reachable, and every check returns `Forbidden` unless a
//! rule grants access.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

use crate::backoffice::storage::{self, Role, Stage, User};
use crate::storage::{OrganisationId, Tx, UserId};
use crate::web::Web;
use crate::web::error::AppError;

/// The session cookie's name; `__Host-` makes browsers refuse it unless
/// Secure, Path=/ and without Domain.
pub const COOKIE: &str = "__Host-relais";
/// A session unused for this long is over.
pub const IDLE_SECS: i64 = 30 * 60;
/// A session older than this is over, used or not.
pub const ABSOLUTE_SECS: i64 = 12 * 60 * 60;

/// A new random token: 32 bytes, base64url.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("random bytes");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token: its SHA-256, hexadecimal.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The `Set-Cookie` value opening a session.
pub fn set_cookie(value: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; Secure; HttpOnly; SameSite=Strict"
    ))
    .expect("a base64url token is a valid header value")
}

/// The `Set-Cookie` value removing the session cookie.
pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("__Host-relais=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// The session cookie's value in a request.
pub fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            pair.trim()
                .strip_prefix(COOKIE)
                .and_then(|rest| rest.strip_prefix('='))
        })
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

fn seconds_since(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>().map_or(i64::MAX, |at| {
        jiff::Timestamp::now().as_second() - at.as_second()
    })
}

/// A session found from the request's cookie, whatever its stage.
#[derive(Clone, Debug)]
pub struct Found {
    /// The stored hash of the cookie.
    pub id_hash: String,
    /// The stored session.
    pub row: storage::SessionRow,
}

/// The request's session, if it exists and has not expired.
pub async fn find(app: &Web, headers: &HeaderMap) -> Result<Option<Found>, AppError> {
    let Some(value) = cookie(headers) else {
        return Ok(None);
    };
    let id_hash = token_hash(&value);
    let Some(row) = storage::session(&app.db, &id_hash).await? else {
        return Ok(None);
    };
    if seconds_since(&row.last_seen_at) > IDLE_SECS
        || seconds_since(&row.created_at) > ABSOLUTE_SECS
    {
        let mut tx = app.db.begin().await?;
        storage::delete_session(&mut tx, &id_hash).await?;
        tx.commit().await?;
        return Ok(None);
    }
    Ok(Some(Found { id_hash, row }))
}

/// Opens a new session (at a new random value) in `tx` and returns its
/// cookie.
pub async fn open(tx: &mut Tx, user_id: &UserId, stage: Stage) -> Result<HeaderValue, AppError> {
    let value = random_token();
    storage::create_session(tx, &token_hash(&value), user_id, stage, &random_token()).await?;
    Ok(set_cookie(&value))
}

/// A signed-in professional, coordinator or administrator.
#[derive(Clone, Debug)]
pub struct Pro {
    /// The account.
    pub user: User,
    /// The form token of the session.
    pub csrf: String,
    /// The stored hash of the session's cookie.
    pub session: String,
}

impl Pro {
    /// Whether the account is an administrator.
    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
    }

    /// Whether the account coordinates (administrators do everything).
    pub fn is_coordinator(&self) -> bool {
        matches!(self.user.role, Role::Admin | Role::Coordinator)
    }

    /// May manage this territory (its directory, settings, accounts, log).
    pub fn can_territory(&self, territory: &str) -> Result<(), AppError> {
        match self.user.role {
            Role::Admin => Ok(()),
            Role::Coordinator if self.user.territories.iter().any(|t| t == territory) => Ok(()),
            _ => Err(AppError::Forbidden),
        }
    }

    /// May change this organisation's records (its own organisation, for a
    /// professional; any in their territories, for a coordinator).
    pub fn can_organisation(
        &self,
        organisation_id: &OrganisationId,
        territory: &str,
    ) -> Result<(), AppError> {
        match self.user.role {
            Role::Professional if self.user.organisation_id.as_ref() == Some(organisation_id) => {
                Ok(())
            }
            Role::Professional => Err(AppError::Forbidden),
            Role::Admin | Role::Coordinator => self.can_territory(territory),
        }
    }

    /// Administrators only.
    pub fn admin(&self) -> Result<(), AppError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The territories this account manages, among `all`.
    pub fn territories<'a>(&self, all: impl Iterator<Item = &'a str>) -> Vec<String> {
        all.filter(|slug| self.can_territory(slug).is_ok())
            .map(str::to_owned)
            .collect()
    }

    /// The form's token matches the session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        if crate::secret::constant_time_eq(self.csrf.as_bytes(), token.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Pro {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Put there by `require`; a route without it answers 403.
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or(AppError::Forbidden)
    }
}

/// Lets through only a complete session; sends anyone else to sign in,
/// then back to the page they asked for.
pub async fn require(State(app): State<Web>, mut request: Request, next: Next) -> Response {
    let back = request
        .uri()
        .path_and_query()
        .map_or("/pro", |p| p.as_str())
        .to_owned();
    let is_get = request.method() == Method::GET;
    let to_step = |step: &str| {
        let mut url = step.to_owned();
        if is_get && back != "/pro" {
            url.push_str("?suite=");
            url.push_str(&form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>());
        }
        Redirect::to(&url).into_response()
    };
    let to_sign_in = || to_step("/pro/connexion");
    let found = match find(&app, request.headers()).await {
        Ok(found) => found,
        Err(error) => return error.into_response(),
    };
    let Some(found) = found else {
        let mut response = to_sign_in();
        if is_get {
            // An expired or unknown session: the browser may forget it.
            response
                .headers_mut()
                .insert(header::SET_COOKIE, clear_cookie());
        }
        return response;
    };
    // Signing in is not finished: back to the step in progress.
    match found.row.stage {
        Stage::Full => {}
        Stage::Enrol => return to_step("/pro/deuxieme-facteur/activer"),
        Stage::Password => return to_step("/pro/deuxieme-facteur"),
    }
    let user = match storage::user(&app.db, &found.row.user_id).await {
        Ok(Some(user)) if !user.disabled => user,
        Ok(_) => return to_sign_in(),
        Err(error) => return AppError::from(error).into_response(),
    };
    if let Err(error) = storage::touch_session(&app.db, &found.id_hash).await {
        return AppError::from(error).into_response();
    }
    request.extensions_mut().insert(Pro {
        user,
        csrf: found.row.csrf,
        session: found.id_hash,
    });
    next.run(request).await
}

/// Refuses a request that changes something from another site: browsers say
/// where a request comes from (`Sec-Fetch-Site`, `Origin`); the form token
/// checked by each handler is the second lock. The origin is compared whole,
/// scheme included: the site's own (`https` when served over HTTPS) or the
/// configured public address.
pub async fn same_origin(State(app): State<Web>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if site.is_some_and(|site| site != "same-origin" && site != "none") {
        return (StatusCode::FORBIDDEN, "").into_response();
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !is_own_origin(&app.settings, host, origin) {
            return (StatusCode::FORBIDDEN, "").into_response();
        }
    }
    next.run(request).await
}

/// Whether a WebSocket's opening request comes from a page of this site:
/// a browser always says where a socket is opened from (`Origin`), and a
/// page of another site must not talk to ours with its visitor's session
/// or on her behalf. A client that is not a browser sends no `Origin`.
pub fn same_site_socket(settings: &crate::config::Settings, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin
        .to_str()
        .is_ok_and(|origin| is_own_origin(settings, host, origin))
}

/// Whether `origin` is this site: the scheme it is served with and the
/// request's host, or the configured public address.
fn is_own_origin(settings: &crate::config::Settings, host: &str, origin: &str) -> bool {
    let scheme = if settings.https { "https" } else { "http" };
    let public = settings.public_url.trim_end_matches('/');
    origin != "null"
        && !host.is_empty()
        && (origin == format!("{scheme}://{host}") || (origin == public && public.contains("://")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_host_only_secure_http_only_and_strict() {
        let cookie = set_cookie("abc").to_str().unwrap().to_owned();
        assert!(cookie.starts_with("__Host-relais=abc; Path=/; Secure; HttpOnly; SameSite=Strict"));
        assert!(!cookie.contains("Domain"));
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; __Host-relais=xyz; b=2"),
        );
        assert_eq!(cookie(&headers).as_deref(), Some("xyz"));
        headers.insert(header::COOKIE, HeaderValue::from_static("__Host-relais="));
        assert_eq!(cookie(&headers), None);
    }

    #[test]
    fn an_origin_is_ours_only_with_our_scheme_and_host() {
        let mut settings = crate::config::Settings {
            public_url: "https://relais.example.org".to_owned(),
            ..crate::config::Settings::default()
        };
        assert!(is_own_origin(
            &settings,
            "127.0.0.1:8080",
            "http://127.0.0.1:8080"
        ));
        assert!(!is_own_origin(
            &settings,
            "127.0.0.1:8080",
            "https://127.0.0.1:8080"
        ));
        assert!(!is_own_origin(
            &settings,
            "127.0.0.1:8080",
            "http://127.0.0.1:8081"
        ));
        assert!(!is_own_origin(&settings, "127.0.0.1:8080", "null"));
        assert!(is_own_origin(
            &settings,
            "internal:8080",
            "https://relais.example.org"
        ));
        settings.https = true;
        assert!(is_own_origin(
            &settings,
            "relais.example.org",
            "https://relais.example.org"
        ));
        assert!(!is_own_origin(
            &settings,
            "relais.example.org",
            "http://relais.example.org"
        ));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert!(a.len() >= 43, "256 bits");
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
