//! The HTTP toolkit shared by every capability: its state ([`Web`]), the
//! route registry, the layout, security headers, errors, assets, forms and
//! languages. It imports no capability: the application (`crate::app`)
//! gives it what it needs (where quick exit leads, the back office's
//! router).
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

use askama::Template;
use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse as _, Response};
use axum::routing::MethodRouter;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::config::Settings;
use crate::storage::Db;
use crate::web::assets::Assets;
use crate::web::error::AppError;
use crate::web::form::Spec;
use crate::web::ratelimit::RateLimiter;
use crate::web::security::SecurityHeaders;

/// What the HTTP toolkit needs, and every capability's state carries
/// (they dereference to it): the settings, the database, the assets, the
/// limits, the headers, and where quick exit leads. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Web(Arc<WebInner>);

/// What the application tells the toolkit of its territories' entries:
/// each territory opens at `/t/{slug}` and at its own host names, and
/// quick exit leads to its neutral site there.
pub trait Entries: Send + Sync {
    /// The territory whose entry this host name is (lowercase, without
    /// port).
    fn by_host(&self, host: &str) -> Option<String>;
    /// Whether a territory of that slug exists, so that `/t/{slug}` is its
    /// entry.
    fn exists(&self, slug: &str) -> bool;
    /// Where quick exit leads on a page of that territory's entry, or of
    /// the national entry (`None`).
    fn exit_url(&self, territory: Option<&str>) -> String;
}

/// The contents of [`Web`].
pub struct WebInner {
    /// The settings the process started with.
    pub settings: Settings,
    /// The database.
    pub db: Db,
    /// Embedded static files.
    pub assets: Assets,
    /// Per-client request limit.
    pub limiter: RateLimiter,
    security: SecurityHeaders,
    entries: Box<dyn Entries>,
    demo: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for WebInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebInner")
            .field("settings", &self.settings)
            .field("db", &self.db)
            .field("limiter", &self.limiter)
            .finish_non_exhaustive()
    }
}

impl Web {
    /// The toolkit's state from the settings and the database; `entries`
    /// says which territory an address opens on, and where quick exit
    /// leads.
    pub fn new(settings: Settings, db: Db, entries: Box<dyn Entries>) -> Self {
        let limiter = RateLimiter::new(
            settings.rate_limit_per_minute,
            settings
                .client_ip_header
                .as_deref()
                .and_then(|name| axum::http::HeaderName::from_bytes(name.as_bytes()).ok()),
        );
        let security = SecurityHeaders::new(settings.https);
        Self(Arc::new(WebInner {
            assets: Assets::embedded(),
            limiter,
            security,
            settings,
            db,
            entries,
            demo: std::sync::atomic::AtomicBool::new(false),
        }))
    }

    /// Whether the database is a demonstration (`relais demo`), which the
    /// back office says on every page.
    pub fn is_demo(&self) -> bool {
        self.demo.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Records that the database is a demonstration, as read at start.
    pub fn set_demo(&self, demo: bool) {
        self.demo.store(demo, std::sync::atomic::Ordering::Relaxed);
    }

    /// Where quick exit leads now, on a page of that territory's entry
    /// (`None`: the national entry).
    pub fn exit_url(&self, territory: Option<&str>) -> String {
        self.entries.exit_url(territory)
    }

    /// The territories' entries.
    pub fn entries(&self) -> &dyn Entries {
        &*self.entries
    }
}

impl Deref for Web {
    type Target = WebInner;

    fn deref(&self) -> &WebInner {
        &self.0
    }
}

/// Gives a capability's state the toolkit's: the state holds a [`Web`] in
/// a field named `web`, dereferences to it, and gives it to the toolkit's
/// extractors and middleware.
#[macro_export]
macro_rules! capability_state {
    ($state:ty) => {
        impl ::std::ops::Deref for $state {
            type Target = $crate::web::Web;

            fn deref(&self) -> &$crate::web::Web {
                &self.web
            }
        }

        impl ::axum::extract::FromRef<$state> for $crate::web::Web {
            fn from_ref(state: &$state) -> Self {
                state.web.clone()
            }
        }
    };
}

/// Renders a template into a page.
pub fn render(template: &impl Template) -> Result<Html<String>, AppError> {
    Ok(Html(template.render()?))
}

/// Renders a page with another status than 200 (a form that comes back
/// with its mistakes, an expired link).
pub fn render_status(status: StatusCode, template: &impl Template) -> Result<Response, AppError> {
    Ok((status, render(template)?).into_response())
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

/// The registry of routes: a router, and every path added to it. A
/// capability adds its routes to a `Site` of its own state; the
/// application merges each, with its state, into one `Site<()>`.
#[derive(Debug)]
pub struct Site<S = ()> {
    router: Router<S>,
    examples: Vec<RouteExample>,
}

impl<S: Clone + Send + Sync + 'static> Default for Site<S> {
    fn default() -> Self {
        Self {
            router: Router::new(),
            examples: Vec::new(),
        }
    }
}

impl<S: Clone + Send + Sync + 'static> Site<S> {
    /// An empty site.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds every route of a capability's site, given the capability's
    /// state.
    #[must_use]
    ///
    /// Without a state only the list grows: that is for tools that read
    /// the routes without serving them.
    pub fn merge<T: Clone + Send + Sync + 'static>(
        mut self,
        other: Site<T>,
        state: Option<T>,
    ) -> Self {
        if let Some(state) = state {
            self.router = self.router.merge(other.router.with_state(state));
        }
        self.examples.extend(other.examples);
        self
    }

    /// Adds a public page, served in every language.
    #[must_use]
    pub fn page(self, path: &'static str, handler: MethodRouter<S>) -> Self {
        self.add(path, path, true, true, handler)
    }

    /// Adds a public page whose path has parameters; `example` reaches an
    /// existing page.
    #[must_use]
    pub fn page_like(
        self,
        path: &'static str,
        example: &'static str,
        handler: MethodRouter<S>,
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
        handler: MethodRouter<S>,
    ) -> Self {
        self.add(path, missing, true, false, handler)
    }

    /// Adds a route that is not a page (a redirect, an asset, a probe).
    #[must_use]
    pub fn endpoint(
        self,
        path: &'static str,
        example: &'static str,
        handler: MethodRouter<S>,
    ) -> Self {
        self.add(path, example, false, true, handler)
    }

    fn add(
        mut self,
        path: &'static str,
        example: &'static str,
        is_page: bool,
        found: bool,
        handler: MethodRouter<S>,
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
}

impl Site {
    /// The router with every layer of the public site, and below them the
    /// back office's `inner` router (which has its own limits); then the
    /// error pages (the public ones, or those of `own_errors` under their
    /// prefix), compression and security headers over both. The access
    /// log writes `private` path prefixes without what follows them.
    pub fn into_router(
        self,
        web: Web,
        inner: Router,
        private: &'static [&'static str],
        own_errors: Vec<error::OwnErrorPages>,
    ) -> Router {
        let settings = &web.settings;
        let mut router = self
            .router
            .fallback(|| async { AppError::NotFound })
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                settings.request_timeout(),
            ))
            .layer(RequestBodyLimitLayer::new(settings.body_limit))
            .layer(middleware::from_fn_with_state(
                web.clone(),
                ratelimit::limit,
            ));
        router = router.merge(inner);
        if settings.access_log {
            router = router.layer(middleware::from_fn(move |request: Request, next: Next| {
                access_log(private, request, next)
            }));
        }
        router
            .layer(middleware::from_fn_with_state(
                error::ErrorPages {
                    web: web.clone(),
                    own: own_errors,
                },
                error::error_pages,
            ))
            .layer(compression::layer())
            .layer(middleware::from_fn_with_state(web, security::headers))
    }
}

/// A path as it may be logged: what follows a private prefix (an
/// invitation's token opens an account) is left out.
fn loggable_path(private: &[&str], path: &str) -> String {
    match private.iter().find(|prefix| path.starts_with(**prefix)) {
        Some(prefix) => format!("{prefix}…"),
        None => path.to_owned(),
    }
}

/// One line per request: method, path without query, status, duration. No
/// IP, no query string, no header, no body, no invitation token.
async fn access_log(private: &[&str], request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = loggable_path(private, request.uri().path());
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
        let private = ["/pro/invitation/"];
        assert_eq!(
            loggable_path(&private, "/pro/invitation/abcDEF123"),
            "/pro/invitation/…"
        );
        assert_eq!(loggable_path(&private, "/annuaire"), "/annuaire");
    }
}
