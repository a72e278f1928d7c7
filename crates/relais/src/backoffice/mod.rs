//! The back office at `/pro`: safe sign-in for professionals, coordinators
//! and administrators, and the screens that keep each territory's directory
//! audited and current.
//!
//! Every route but those of signing in goes through
//! [`session::require`]; what an account may touch is decided by
//! [`session::Pro`] alone. Every change is written to the audit log, and
//! every change to the directory reaches the public site at once (the
//! orientation index is rebuilt). The back office is in French: the people
//! who use it work in French.

pub mod auth;
pub mod commands;
pub mod password;
pub mod screens;
pub mod session;
pub mod sheets;
pub mod storage;
pub mod totp;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};

use tower_http::timeout::TimeoutLayer;

use crate::backoffice::session::Pro;
use crate::web::AppState;

/// Largest body the back office accepts (a directory file to import).
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// What the back-office layout shows around every page.
#[derive(Debug)]
pub struct Base {
    /// Stylesheet addresses: the site's, then the back office's.
    pub css: String,
    /// The back office's own stylesheet.
    pub pro_css: String,
    /// Icon address.
    pub favicon: String,
    /// The signed-in account's e-mail.
    pub email: Option<String>,
    /// The session's form token.
    pub csrf: String,
    /// Menu entries: address, label.
    pub menu: Vec<(String, String)>,
    /// A message after an action.
    pub flash: Option<String>,
    /// The cryptography module of the referral screens.
    pub crypto_js: String,
    /// The referral screens' script.
    pub pro_js: String,
}

impl Base {
    /// The layout before signing in.
    pub fn anonymous(app: &AppState) -> Self {
        Self {
            css: app.assets.url("css/site.css").to_owned(),
            pro_css: app.assets.url("css/pro.css").to_owned(),
            favicon: app.assets.url("favicon.svg").to_owned(),
            email: None,
            csrf: String::new(),
            menu: Vec::new(),
            flash: None,
            crypto_js: app.assets.url("js/crypto.js").to_owned(),
            pro_js: app.assets.url("js/pro.js").to_owned(),
        }
    }

    /// The layout of a signed-in account.
    pub fn of(app: &AppState, pro: &Pro) -> Self {
        let mut menu = Vec::new();
        if pro.user.role == storage::Role::Professional && pro.user.organisation_id.is_some() {
            menu.push(("/pro/demandes".to_owned(), "Demandes".to_owned()));
        }
        if pro.is_coordinator() {
            menu.push(("/pro/comptes".to_owned(), "Comptes".to_owned()));
        }
        if pro.is_admin() {
            menu.push(("/pro/journal".to_owned(), "Journal".to_owned()));
        }
        Self {
            email: Some(pro.user.email.clone()),
            csrf: pro.csrf.clone(),
            menu,
            ..Self::anonymous(app)
        }
    }

    /// With a message after an action.
    #[must_use]
    pub fn with_flash(mut self, flash: Option<String>) -> Self {
        self.flash = flash;
        self
    }
}

/// The routes of the back office, with their own body limit (a directory
/// file to import) and timeout (an import takes a while): they are merged
/// after the public site's layers, then share its error pages, compression
/// and security headers.
pub fn router(state: AppState) -> Router<AppState> {
    let open = Router::new()
        .route(
            "/pro/connexion",
            get(auth::sign_in_form).post(auth::sign_in),
        )
        .route(
            "/pro/deuxieme-facteur",
            get(auth::second_factor_form).post(auth::second_factor),
        )
        .route(
            "/pro/deuxieme-facteur/activer",
            get(auth::enrol_form).post(auth::enrol),
        )
        .route("/pro/deuxieme-facteur/termine", post(auth::enrolled))
        .route(
            "/pro/invitation/{token}",
            get(auth::invitation_form).post(auth::accept_invitation),
        )
        .route("/pro/deconnexion", post(auth::sign_out));
    let guarded = screens::routes()
        .merge(crate::referral::pro::routes())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            session::require,
        ));
    open.merge(guarded)
        .layer(middleware::from_fn(session::same_origin))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state,
            crate::web::ratelimit::limit,
        ))
}

/// Every back-office route that needs a signed-in account, with an example
/// address per role check, for the authorization tests.
pub fn guarded_routes() -> &'static [(&'static str, &'static str)] {
    screens::ROUTES
}
