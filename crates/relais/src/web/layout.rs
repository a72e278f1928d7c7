//! The public layout and the safety chrome every public page carries: the
//! quick-exit button, the emergency band, the help button and the language
//! switch. Templates receive a [`Chrome`] as `c` and extend
//! `templates/web/layout.html`.

use std::borrow::Cow;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::Uri;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use fluent_bundle::FluentValue;

use crate::web::i18n::Lang;
use crate::web::national::{self, Line};
use crate::web::{Entries, Web};

/// The language of a request and the French path of the page asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageContext {
    /// The language taken from the path prefix.
    pub lang: Lang,
    /// The path without its entry and language prefixes, e.g. `/securite`.
    pub path: String,
    /// The territory whose entry the request came by (its host name, or
    /// `/t/{slug}`); `None` on the national entry.
    pub territory: Option<String>,
    /// The path prefix of that entry (`/t/montreuillois`), empty on a host
    /// name of its own and on the national entry: every link of the page
    /// keeps it.
    pub base: String,
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
                territory: None,
                base: String::new(),
            })
    }

    /// The address of a page of this entry in this language, from its
    /// French path.
    pub fn href(&self, local: &str) -> String {
        format!("{}{}", self.base, self.lang.path(local))
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
                territory: None,
                base: String::new(),
            }))
    }
}

/// The longest territory slug an entry path names.
const SLUG_MAX: usize = 64;

/// The territory an entry names: the host name's, else `/t/{slug}` at the
/// start of the path (a slug no territory has is left in the path, where
/// no route answers it). Gives the territory, the path prefix to keep and
/// the path without it.
fn entry<'a>(
    entries: &dyn Entries,
    host: Option<&str>,
    path: &'a str,
) -> (Option<String>, &'a str, &'a str) {
    if let Some(slug) = path.strip_prefix("/t/") {
        let (slug, rest) = slug.split_at(slug.find('/').unwrap_or(slug.len()));
        // The back office has one address, whatever the entry.
        let back_office = rest == "/pro" || rest.starts_with("/pro/");
        if slug.len() <= SLUG_MAX && !back_office && entries.exists(slug) {
            let rest = if rest.is_empty() { "/" } else { rest };
            return (Some(slug.to_owned()), &path[..3 + slug.len()], rest);
        }
    }
    let host = host.map(|h| {
        let h = h.rsplit_once(':').map_or(h, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                h
            }
        });
        h.trim_end_matches('.').to_ascii_lowercase()
    });
    (host.and_then(|h| entries.by_host(&h)), "", path)
}

/// Takes the entry's and the language's prefixes off the path before
/// routing, so that each page is routed once and answers in three
/// languages on every entry, and records what they said in a
/// [`PageContext`].
///
/// This wraps the router (middleware added with `Router::layer` runs after
/// routing, too late to change the path).
pub async fn localize(State(web): State<Web>, mut request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.len() <= 300)
        .map(str::to_owned);
    let full = request.uri().path().to_owned();
    let (territory, base, rest) = entry(web.entries(), host.as_deref(), &full);
    let (lang, local) = Lang::from_path(rest);
    let context = PageContext {
        lang,
        // The page's path becomes the language switch's links: an address
        // that would lead off the site (`/en//evil.example`) links home.
        path: crate::web::links::local_or(local, "/").to_owned(),
        territory,
        base: base.to_owned(),
    };
    if local != full {
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
    /// The path prefix of the entry the page came by (`/t/montreuillois`),
    /// kept by every link.
    pub base: String,
    /// A coordinator's preview, not a person's page: the band that says so
    /// (in French, as the back office), with the way back.
    pub preview: Option<Preview>,
}

/// The band at the top of a preview.
#[derive(Debug)]
pub struct Preview {
    /// The back-office page it came from.
    pub back: String,
    /// The database is a demonstration.
    pub demo: bool,
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
            base: context.base.clone(),
            preview: None,
            exit_url: app.exit_url(context.territory.as_deref()),
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

    /// The address of a page of this entry in the page's language, from
    /// its French path.
    pub fn href(&self, local: &str) -> String {
        format!("{}{}", self.base, self.lang.path(local))
    }

    /// The other languages, with the address of this page in each.
    pub fn alternates(&self) -> Vec<(Lang, String)> {
        Lang::ALL
            .into_iter()
            .filter(|lang| *lang != self.lang)
            .map(|lang| (lang, format!("{}{}", self.base, lang.path(&self.path))))
            .collect()
    }

    /// Whether `local` is the page being shown, for `aria-current`.
    pub fn is_current(&self, local: &str) -> bool {
        self.path == local
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Two;

    impl Entries for Two {
        fn by_host(&self, host: &str) -> Option<String> {
            (host == "aide-montreuillois.example.org").then(|| "montreuillois".to_owned())
        }

        fn exists(&self, slug: &str) -> bool {
            matches!(slug, "montreuillois" | "boulonnais")
        }

        fn exit_url(&self, _: Option<&str>) -> String {
            String::new()
        }
    }

    #[test]
    fn a_territory_is_known_by_its_path_or_its_host_name() {
        assert_eq!(
            entry(&Two, None, "/t/boulonnais/en/aide"),
            (Some("boulonnais".to_owned()), "/t/boulonnais", "/en/aide")
        );
        assert_eq!(
            entry(&Two, None, "/t/boulonnais"),
            (Some("boulonnais".to_owned()), "/t/boulonnais", "/")
        );
        assert_eq!(
            entry(&Two, Some("Aide-Montreuillois.example.org:8443"), "/aide"),
            (Some("montreuillois".to_owned()), "", "/aide")
        );
        // The path's territory comes first: a link to another territory's
        // entry works on any host.
        assert_eq!(
            entry(
                &Two,
                Some("aide-montreuillois.example.org"),
                "/t/boulonnais/"
            ),
            (Some("boulonnais".to_owned()), "/t/boulonnais", "/")
        );
    }

    #[test]
    fn an_unknown_territory_and_the_back_office_are_no_entry() {
        assert_eq!(
            entry(&Two, None, "/t/ailleurs/aide"),
            (None, "", "/t/ailleurs/aide")
        );
        assert_eq!(
            entry(&Two, None, "/t/boulonnais/pro/connexion"),
            (None, "", "/t/boulonnais/pro/connexion")
        );
        assert_eq!(
            entry(&Two, Some("autre.example.org"), "/aide"),
            (None, "", "/aide")
        );
        assert_eq!(entry(&Two, Some("[::1]:80"), "/"), (None, "", "/"));
    }
}
