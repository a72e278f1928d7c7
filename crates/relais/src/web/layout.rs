//! The public layout and the safety chrome every public page carries: the
//! quick-exit button, the emergency band, the help button and the language
//! switch. Templates receive a [`Chrome`] as `c` and extend
//! `templates/web/layout.html`.

use std::borrow::Cow;

use axum::extract::{FromRequestParts, Request};
use axum::http::Uri;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use fluent_bundle::FluentValue;

use crate::web::Web;
use crate::web::i18n::Lang;
use crate::web::national::{self, Line};

/// The language of a request and the French path of the page asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageContext {
    /// The language taken from the path prefix.
    pub lang: Lang,
    /// The path without its language prefix, e.g. `/securite`.
    pub path: String,
}

impl PageContext {
    /// The context recorded by [`localize`], or French when absent.
    pub fn of<B>(request: &axum::http::Request<B>) -> Self {
        request
            .extensions()
            .get::<Self>()
            .cloned()
            .unwrap_or_else(|| Self {
                lang: Lang::Fr,
                path: crate::web::links::local_or(request.uri().path(), "/").to_owned(),
            })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Self>()
            .cloned()
            .unwrap_or_else(|| Self {
                lang: Lang::Fr,
                path: crate::web::links::local_or(parts.uri.path(), "/").to_owned(),
            }))
    }
}

/// Takes the language prefix off the path before routing, so that each page
/// is routed once and answers in three languages.
///
/// This wraps the router (middleware added with `Router::layer` runs after
/// routing, too late to change the path).
pub async fn localize(mut request: Request, next: Next) -> Response {
    let (lang, local) = Lang::from_path(request.uri().path());
    let context = PageContext {
        lang,
        // The page's path becomes the language switch's links: an address
        // that would lead off the site (`/en//evil.example`) links home.
        path: crate::web::links::local_or(local, "/").to_owned(),
    };
    if lang != Lang::Fr {
        let mut parts = request.uri().clone().into_parts();
        let path_and_query = match request.uri().query() {
            Some(query) => format!("{local}?{query}"),
            None => local.to_owned(),
        };
        parts.path_and_query = path_and_query.parse().ok();
        if let Ok(uri) = Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request.extensions_mut().insert(context);
    next.run(request).await
}

/// What the layout needs to draw the safety chrome around a page.
#[derive(Debug)]
pub struct Chrome<'a> {
    /// The page's language.
    pub lang: Lang,
    /// The French path of the page, for the language switch.
    pub path: String,
    /// The stylesheet's hashed address.
    pub css: &'a str,
    /// The quick-exit script's hashed address.
    pub js: &'a str,
    /// The conversation script's hashed address (loaded on `/aide` only).
    pub conversation_js: &'a str,
    /// The icon's hashed address.
    pub favicon: &'a str,
    /// Where quick exit leads.
    pub exit_url: String,
}

impl<'a> Chrome<'a> {
    /// The chrome of a page in the request's language.
    pub fn new(app: &'a Web, context: &PageContext) -> Self {
        Self {
            lang: context.lang,
            path: context.path.clone(),
            css: app.assets.url("css/site.css"),
            js: app.assets.url("js/exit.js"),
            conversation_js: app.assets.url("js/conversation.js"),
            favicon: app.assets.url("favicon.svg"),
            exit_url: app.exit_url(),
        }
    }

    /// A message in the page's language.
    pub fn t(&self, id: &str) -> Cow<'static, str> {
        self.lang.text(id)
    }

    /// A message with one argument.
    pub fn t_arg(&self, id: &str, name: &str, value: &str) -> String {
        self.lang.t_with(id, &[(name, FluentValue::from(value))])
    }

    /// A message that counts something, with `count` as a number so that
    /// the language's plural forms apply.
    pub fn t_count(&self, id: &str, count: usize) -> String {
        self.lang.t_with(id, &[("count", FluentValue::from(count))])
    }

    /// The national lines, in the order every page shows them.
    pub fn national_lines(&self) -> &'static [Line] {
        &national::LINES
    }

    /// The lines for immediate danger: 17, 112, SMS 114.
    pub fn emergency_lines(&self) -> &'static [Line] {
        national::emergency()
    }

    /// The lines to call in immediate danger (17, 112), for the band.
    pub fn danger_calls(&self) -> &'static [Line] {
        national::danger_calls()
    }

    /// The text line for immediate danger (114), for the band.
    pub fn sms_line(&self) -> Line {
        national::SMS
    }

    /// The listening line (3919), for the band.
    pub fn listening_line(&self) -> Line {
        national::LISTENING
    }

    /// The address of a page in the page's language, from its French path.
    pub fn href(&self, local: &str) -> String {
        self.lang.path(local)
    }

    /// The other languages, with the address of this page in each.
    pub fn alternates(&self) -> Vec<(Lang, String)> {
        Lang::ALL
            .into_iter()
            .filter(|lang| *lang != self.lang)
            .map(|lang| (lang, lang.path(&self.path)))
            .collect()
    }

    /// Whether `local` is the page being shown, for `aria-current`.
    pub fn is_current(&self, local: &str) -> bool {
        self.path == local
    }
}
