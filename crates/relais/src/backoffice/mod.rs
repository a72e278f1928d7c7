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
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{MethodRouter, get, post};

use tower_http::timeout::TimeoutLayer;

use crate::backoffice::session::Pro;
use crate::web::AppState;
use crate::web::form::{Field, Spec};

/// Largest body the back office accepts: a directory file to import.
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

/// The session's form token, in every form that changes something.
pub const CSRF: Field = Field::one("csrf", 64);

/// A form that is only a button: its token.
pub static CSRF_ONLY: Spec = Spec::new(&[CSRF]);

/// The largest body of a back-office form; only the import takes more.
pub const FORM_LIMIT: usize = 256 * 1024;

/// A back-office route, as the route-walking tests see it.
#[derive(Clone, Debug)]
pub struct Screen {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The route as registered.
    pub pattern: &'static str,
    /// The route with the placeholders tests fill: `{t}` a territory, `{o}`
    /// an organisation, `{s}` a service, `{u}` an account, `{f}` an export
    /// format, `{r}` a referral.
    pub example: &'static str,
    /// The form it takes (a `POST`).
    pub form: Option<&'static Spec>,
    /// The query string it reads.
    pub query: Option<&'static Spec>,
    /// Whether its form is a file upload (`multipart/form-data`).
    pub upload: bool,
}

/// The back office's route registry: a router, and every route added to it
/// with its form, so that tests walk every screen that exists instead of a
/// list kept by hand.
#[derive(Debug, Default)]
pub struct Screens {
    router: Router<AppState>,
    list: Vec<Screen>,
}

impl Screens {
    /// No route yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn add(
        mut self,
        method: &'static str,
        pattern: &'static str,
        example: &'static str,
        form: Option<&'static Spec>,
        route: MethodRouter<AppState>,
    ) -> Self {
        self.router = self.router.route(pattern, route);
        self.list.push(Screen {
            method,
            pattern,
            example,
            form,
            query: None,
            upload: false,
        });
        self
    }

    /// A page.
    #[must_use]
    pub fn get<H, T>(self, pattern: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("GET", pattern, pattern, None, get(handler))
    }

    /// A page whose path has parameters the tests cannot guess.
    #[must_use]
    pub fn get_like<H, T>(self, pattern: &'static str, example: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("GET", pattern, example, None, get(handler))
    }

    /// A form, read through `form`.
    #[must_use]
    pub fn post<H, T>(self, pattern: &'static str, form: &'static Spec, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", pattern, pattern, Some(form), post(handler))
    }

    /// A form whose path has parameters the tests cannot guess.
    #[must_use]
    pub fn post_like<H, T>(
        self,
        pattern: &'static str,
        example: &'static str,
        form: &'static Spec,
        handler: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", pattern, example, Some(form), post(handler))
    }

    /// A file upload, its fields read through `form`; it alone takes a body
    /// larger than [`FORM_LIMIT`], up to [`BODY_LIMIT`].
    #[must_use]
    pub fn upload<H, T>(self, pattern: &'static str, form: &'static Spec, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let mut screens = self.add(
            "POST",
            pattern,
            pattern,
            Some(form),
            post(handler).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        );
        if let Some(last) = screens.list.last_mut() {
            last.upload = true;
        }
        screens
    }

    /// Says which query string the route just added reads.
    #[must_use]
    pub fn query(mut self, spec: &'static Spec) -> Self {
        if let Some(last) = self.list.last_mut() {
            last.query = Some(spec);
        }
        self
    }

    /// Every route of both.
    #[must_use]
    pub fn merge(mut self, other: Self) -> Self {
        self.router = self.router.merge(other.router);
        self.list.extend(other.list);
        self
    }

    /// Every route added.
    pub fn list(&self) -> &[Screen] {
        &self.list
    }

    fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// The routes of signing in: open to anyone.
fn open_screens() -> Screens {
    auth::screens(Screens::new())
}

/// The routes behind a complete session.
fn guarded_screens() -> Screens {
    let screens = screens::screens(Screens::new());
    let screens = sheets::screens(screens);
    crate::referral::pro::screens(screens)
}

/// Every back-office route that needs a signed-in account.
pub fn guarded_routes() -> Vec<Screen> {
    guarded_screens().list
}

/// Every route of signing in.
pub fn open_routes() -> Vec<Screen> {
    open_screens().list
}

/// The routes of the back office, with their own body limit (a form is
/// small; only the import takes a file) and timeout (an import takes a
/// while): they are merged after the public site's layers, then share its
/// error pages, compression and security headers.
pub fn router(state: AppState) -> Router<AppState> {
    let guarded = guarded_screens()
        .into_router()
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            session::require,
        ));
    open_screens()
        .into_router()
        .merge(guarded)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::same_origin,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .layer(middleware::from_fn_with_state(
            state,
            crate::web::ratelimit::limit,
        ))
}
