//! The HTTP side shared by every capability: application state, the route
//! registry, the layout, security headers, errors, assets and languages.
//!
//! Each capability adds its routes to a [`Site`]; the registry remembers
//! every path so that tests can walk all of them (headers, languages, error
//! pages) without a list kept by hand.

pub mod assets;
pub mod clients;
pub mod compression;
pub mod error;
pub mod form;
pub mod i18n;
pub mod layout;
pub mod links;
pub mod national;
pub mod pages;
pub mod ratelimit;
mod security;

use std::ops::Deref;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::MethodRouter;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::config::Settings;
use crate::conversation::Conversation;
use crate::directory::Directory;
use crate::secret::ServerSecret;
use crate::sheets::Library;
use crate::storage::Db;
use crate::web::assets::Assets;
use crate::web::form::Spec;
use crate::web::ratelimit::RateLimiter;
use crate::web::security::SecurityHeaders;

/// What every handler can reach: cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<AppInner>);

/// The contents of [`AppState`].
#[derive(Debug)]
pub struct AppInner {
    /// The settings the process started with.
    pub settings: Settings,
    /// The database.
    pub db: Db,
    /// The key material for sealed tokens.
    pub secret: ServerSecret,
    /// Embedded static files.
    pub assets: Assets,
    /// Per-client request limit.
    pub limiter: RateLimiter,
    /// The directory and its orientation index.
    pub directory: Arc<Directory>,
    /// The information sheets.
    pub sheets: Arc<Library>,
    /// The help conversation's flow and token sealer.
    pub conversation: Arc<Conversation>,
    /// Referrals: receipts, the outbox's bell, who can receive.
    pub referrals: Arc<crate::referral::Referrals>,
    /// Failed sign-ins per client.
    pub sign_in_tries: clients::ClientCounts,
    security: SecurityHeaders,
}

impl AppState {
    /// Assembles the state from its parts.
    pub fn new(
        settings: Settings,
        db: Db,
        secret: ServerSecret,
        directory: Arc<Directory>,
        sheets: Arc<Library>,
        conversation: Arc<Conversation>,
    ) -> Self {
        let limiter = RateLimiter::new(
            settings.rate_limit_per_minute,
            settings
                .client_ip_header
                .as_deref()
                .and_then(|name| axum::http::HeaderName::from_bytes(name.as_bytes()).ok()),
        );
        let security = SecurityHeaders::new(settings.https);
        let referrals = Arc::new(crate::referral::Referrals::new(
            &secret,
            settings.referrals_per_client_per_hour,
        ));
        Self(Arc::new(AppInner {
            assets: Assets::embedded(),
            limiter,
            security,
            settings,
            db,
            secret,
            directory,
            sheets,
            conversation,
            referrals,
            sign_in_tries: crate::backoffice::auth::sign_in_tries(),
        }))
    }

    /// Where quick exit leads: the territory's neutral site when this
    /// instance serves a single territory that has chosen one, else the
    /// server's setting. (With several territories the page cannot know
    /// the person's, and must not ask.)
    pub fn exit_url(&self) -> String {
        self.directory
            .index()
            .only_territory()
            .and_then(|only| only.neutral_url.clone())
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| self.settings.neutral_url.clone())
    }
}

impl Deref for AppState {
    type Target = AppInner;

    fn deref(&self) -> &AppInner {
        &self.0
    }
}

/// A route as tests should reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteExample {
    /// An address that reaches the route, in French.
    pub path: &'static str,
    /// The route as registered (`/annuaire/{id}`).
    pub pattern: &'static str,
    /// Whether the example names something that exists (200) or not (404:
    /// the identifiers of some routes are only known at run time).
    pub found: bool,
    /// A page of the public site, answering in every language.
    pub is_page: bool,
    /// The form the route takes by POST, when it takes one.
    pub form: Option<&'static Spec>,
    /// The query string it reads, when it reads one.
    pub query: Option<&'static Spec>,
}

/// The registry of routes: a router, and every path added to it.
#[derive(Debug, Default)]
pub struct Site {
    router: Router<AppState>,
    examples: Vec<RouteExample>,
}

impl Site {
    /// An empty site.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a public page, served in every language.
    #[must_use]
    pub fn page(self, path: &'static str, handler: MethodRouter<AppState>) -> Self {
        self.add(path, path, true, true, handler)
    }

    /// Adds a public page whose path has parameters; `example` reaches an
    /// existing page.
    #[must_use]
    pub fn page_like(
        self,
        path: &'static str,
        example: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.add(path, example, true, true, handler)
    }

    /// Adds a public page whose path has parameters known only at run time;
    /// `missing` names nothing and must give the calm 404 page.
    #[must_use]
    pub fn page_unlisted(
        self,
        path: &'static str,
        missing: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.add(path, missing, true, false, handler)
    }

    /// Adds a route that is not a page (a redirect, an asset, a probe).
    #[must_use]
    pub fn endpoint(
        self,
        path: &'static str,
        example: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.add(path, example, false, true, handler)
    }

    fn add(
        mut self,
        path: &'static str,
        example: &'static str,
        is_page: bool,
        found: bool,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.router = self.router.route(path, handler);
        self.examples.push(RouteExample {
            path: example,
            pattern: path,
            is_page,
            found,
            form: None,
            query: None,
        });
        self
    }

    /// Says which form the route just added takes by POST: the route-walking
    /// tests fill every field of it to its bound and beyond.
    #[must_use]
    pub fn posts(mut self, form: &'static Spec) -> Self {
        if let Some(last) = self.examples.last_mut() {
            last.form = Some(form);
        }
        self
    }

    /// Every route added, with an address that reaches it.
    pub fn examples(&self) -> &[RouteExample] {
        &self.examples
    }

    /// The router with every layer of the public site.
    pub fn into_router(self, state: AppState) -> Router {
        let settings = &state.settings;
        let mut router = self
            .router
            .fallback(|| async { error::AppError::NotFound })
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                settings.request_timeout(),
            ))
            .layer(RequestBodyLimitLayer::new(settings.body_limit))
            .layer(middleware::from_fn_with_state(
                state.clone(),
                ratelimit::limit,
            ));
        // The back office, below the public limits: it has its own body
        // limit (a directory file to import) and timeout.
        router = router.merge(crate::backoffice::router(state.clone()));
        if settings.access_log {
            router = router.layer(middleware::from_fn(access_log));
        }
        router
            .layer(middleware::from_fn_with_state(
                state.clone(),
                error::error_pages,
            ))
            .layer(compression::layer())
            .layer(middleware::from_fn_with_state(
                state.clone(),
                security::headers,
            ))
            .with_state(state)
    }
}

/// Every route of the application, from every capability.
pub fn site() -> Site {
    let site = pages::routes(Site::new());
    let site = crate::conversation::routes::routes(site);
    let site = crate::directory::routes::routes(site);
    let site = crate::referral::public::routes(site);
    crate::sheets::routes::routes(site)
}

/// A path as it may be logged: an invitation's token opens an account, so
/// it is left out.
fn loggable_path(path: &str) -> String {
    match path.strip_prefix("/pro/invitation/") {
        Some(_) => "/pro/invitation/…".to_owned(),
        None => path.to_owned(),
    }
}

/// One line per request: method, path without query, status, duration. No
/// IP, no query string, no header, no body, no invitation token.
async fn access_log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = loggable_path(request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        target: "relais::access",
        %method,
        path,
        status = response.status().as_u16(),
        micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_token_never_reaches_the_log() {
        assert_eq!(
            loggable_path("/pro/invitation/abcDEF123"),
            "/pro/invitation/…"
        );
        assert_eq!(loggable_path("/annuaire"), "/annuaire");
    }
}
