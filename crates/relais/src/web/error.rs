//! One error type at the HTTP edge, and the pages that explain errors.
//!
//! Handlers return [`AppError`]; it chooses the status and logs the cause of
//! server errors, but writes no body. The [`error_pages`] middleware then
//! gives every error response that is not already a page of ours (ours, the
//! router's 404 and 405, the body limit's 413, the rate limiter's 429, the
//! timeout's 408) a calm page in the visitor's language, with the exit
//! button and the emergency band, showing nothing internal. A part of the
//! site that draws its own error pages (the back office, under `/pro`)
//! says so with [`OwnErrorPages`]: its errors get its page instead.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::web::Web;
use crate::web::i18n::msg;
use crate::web::layout::{Chrome, PageContext};

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such page.
    #[error("no such page")]
    NotFound,
    /// This account may not do this.
    #[error("forbidden")]
    Forbidden,
    /// A request no page of ours sends (a field the form does not have, a
    /// field given twice): a calm 400 page.
    #[error("bad request")]
    BadRequest,
    /// The database failed; the visitor sees a calm 500 page.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// A template failed to render.
    #[error("template error")]
    Render(#[from] askama::Error),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Database(_) | Self::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            // The cause chain only: never the request, its form or its path
            // parameters, which may carry what a person typed.
            tracing::error!(error = %ErrorChain(&self), "request failed");
        }
        status.into_response()
    }
}

/// Displays an error and its sources, separated by ": ".
struct ErrorChain<'a>(&'a dyn std::error::Error);

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

/// The kinds of error page, each with its own words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// 404, 405.
    NotFound,
    /// 403.
    Forbidden,
    /// 400, 415, 422.
    BadRequest,
    /// 408.
    Timeout,
    /// 413.
    TooLarge,
    /// 429.
    TooMany,
    /// 5xx and anything unexpected.
    Internal,
}

impl ErrorKind {
    fn for_status(status: StatusCode) -> Self {
        match status.as_u16() {
            404 | 405 => Self::NotFound,
            403 => Self::Forbidden,
            400 | 415 | 422 => Self::BadRequest,
            408 => Self::Timeout,
            413 => Self::TooLarge,
            429 => Self::TooMany,
            _ => Self::Internal,
        }
    }

    /// The ids of the page's title and message.
    fn messages(self) -> (&'static str, &'static str) {
        match self {
            Self::NotFound => (msg("error-not-found-title"), msg("error-not-found-message")),
            Self::Forbidden => (msg("error-forbidden-title"), msg("error-forbidden-message")),
            Self::BadRequest => (
                msg("error-bad-request-title"),
                msg("error-bad-request-message"),
            ),
            Self::Timeout => (msg("error-timeout-title"), msg("error-timeout-message")),
            Self::TooLarge => (msg("error-too-large-title"), msg("error-too-large-message")),
            Self::TooMany => (msg("error-too-many-title"), msg("error-too-many-message")),
            Self::Internal => (msg("error-internal-title"), msg("error-internal-message")),
        }
    }
}

#[derive(Template)]
#[template(path = "web/error.html")]
struct ErrorPage<'a> {
    c: Chrome<'a>,
    title: String,
    message: String,
}

/// The error pages of a part of the site under a path prefix that draws
/// its own: the back office, whose people are at work and need neither the
/// exit button nor the emergency band, but the way back to their screens.
/// The toolkit knows only the prefix and the function.
#[derive(Clone, Copy)]
pub struct OwnErrorPages {
    /// The prefix, without a trailing slash: `/pro`.
    pub prefix: &'static str,
    /// The page for a status.
    pub page: fn(&Web, StatusCode) -> Result<String, askama::Error>,
}

impl std::fmt::Debug for OwnErrorPages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnErrorPages")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl OwnErrorPages {
    /// Whether `path` (without its language prefix) is under the prefix.
    pub fn covers(&self, path: &str) -> bool {
        path.strip_prefix(self.prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

/// What the error pages middleware needs: the toolkit's state and the
/// parts of the site with pages of their own.
#[derive(Clone, Debug)]
pub struct ErrorPages {
    /// The toolkit's state.
    pub web: Web,
    /// The parts with their own pages.
    pub own: Vec<OwnErrorPages>,
}

/// Gives every error response without a page of its own the error page:
/// the public one, or that of the part of the site the path is under.
pub async fn error_pages(
    State(pages): State<ErrorPages>,
    request: Request,
    next: Next,
) -> Response {
    let app = &pages.web;
    let context = PageContext::of(&request);
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_html(&response) {
        return response;
    }
    let (mut parts, _body) = response.into_parts();
    let rendered = match pages.own.iter().find(|own| own.covers(&context.path)) {
        Some(own) => (own.page)(app, status),
        None => {
            let kind = ErrorKind::for_status(status);
            let c = Chrome::new(app, &context);
            let (title, message) = kind.messages();
            ErrorPage {
                title: c.t(title).into_owned(),
                message: c.t(message).into_owned(),
                c,
            }
            .render()
        }
    };
    let body = match rendered {
        Ok(html) => html,
        Err(error) => {
            tracing::error!(%error, "the error page could not be rendered");
            // Still calm, still no detail: the plainest page we can give.
            "<!doctype html><meta charset=utf-8><title>Relais</title><p>Une erreur est survenue. \
             En cas de danger : 17 ou 112, SMS 114. 3919 : gratuit et anonyme, 24h/24.</p>"
                .to_owned()
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_ENCODING);
    let mut page = Html(body).into_response();
    *page.status_mut() = status;
    for (name, value) in &parts.headers {
        // Keep what the error said about itself (Allow, Retry-After…).
        if name != header::CONTENT_TYPE {
            page.headers_mut().insert(name.clone(), value.clone());
        }
    }
    page
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_has_the_page_that_explains_it() {
        assert_eq!(
            ErrorKind::for_status(StatusCode::NOT_FOUND),
            ErrorKind::NotFound
        );
        assert_eq!(
            ErrorKind::for_status(StatusCode::METHOD_NOT_ALLOWED),
            ErrorKind::NotFound
        );
        assert_eq!(
            ErrorKind::for_status(StatusCode::PAYLOAD_TOO_LARGE),
            ErrorKind::TooLarge
        );
        assert_eq!(
            ErrorKind::for_status(StatusCode::TOO_MANY_REQUESTS),
            ErrorKind::TooMany
        );
        assert_eq!(
            ErrorKind::for_status(StatusCode::SERVICE_UNAVAILABLE),
            ErrorKind::Internal
        );
    }

    #[test]
    fn a_part_with_its_own_pages_covers_its_prefix_and_nothing_that_only_starts_like_it() {
        let own = OwnErrorPages {
            prefix: "/pro",
            page: |_, _| Ok(String::new()),
        };
        assert!(own.covers("/pro"));
        assert!(own.covers("/pro/demandes/abc"));
        assert!(!own.covers("/professionnels"));
        assert!(!own.covers("/"));
        assert!(!own.covers("/aide"));
    }

    #[test]
    fn the_error_chain_shows_every_cause() {
        let error = AppError::Database(sqlx::Error::PoolTimedOut);
        assert!(
            ErrorChain(&error)
                .to_string()
                .starts_with("database error: ")
        );
    }
}
