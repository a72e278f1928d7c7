//! One error type at the HTTP edge, and the pages that explain errors.
//!
//! Handlers return [`AppError`]; it chooses the status and logs the cause of
//! server errors, but writes no body. The [`error_pages`] middleware then
//! gives every error response that is not already a page of ours (ours, the
//! router's 404 and 405, the body limit's 413, the rate limiter's 429, the
//! timeout's 408) a calm page in the visitor's language, with the exit
//! button and the emergency band, showing nothing internal.

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

/// Gives every error response without a page of its own the error page.
pub async fn error_pages(State(app): State<Web>, request: Request, next: Next) -> Response {
    let context = PageContext::of(&request);
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_html(&response) {
        return response;
    }
    let (mut parts, _body) = response.into_parts();
    let kind = ErrorKind::for_status(status);
    let c = Chrome::new(&app, &context);
    let (title, message) = kind.messages();
    let page = ErrorPage {
        title: c.t(title).into_owned(),
        message: c.t(message).into_owned(),
        c,
    };
    let body = match page.render() {
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
    fn the_error_chain_shows_every_cause() {
        let error = AppError::Database(sqlx::Error::PoolTimedOut);
        assert!(
            ErrorChain(&error)
                .to_string()
                .starts_with("database error: ")
        );
    }
}
