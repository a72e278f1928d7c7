//! The pages of the public site that belong to no capability in particular:
//! "Naviguer en sécurité", quick exit without JavaScript, the health probe
//! and the static assets. (The home page says the territory's voice: it is
//! the directory's, `directory::voice`.)

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderName, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::web::error::AppError;
use crate::web::layout::{Chrome, PageContext};
use crate::web::{Site, Web, assets, render};

/// What quick exit asks the browser to forget about us.
pub const CLEAR_SITE_DATA: &str = "\"cache\", \"cookies\", \"storage\"";

/// Adds the routes of this module.
pub fn routes(site: Site<Web>) -> Site<Web> {
    site.page("/securite", get(safety))
        .endpoint("/sortie", "/sortie", get(leave).post(leave))
        .endpoint("/healthz", "/healthz", get(health))
        .endpoint("/static/{*name}", "/static/unknown.css", get(assets::serve))
}

#[derive(Template)]
#[template(path = "web/safety.html")]
struct Safety<'a> {
    c: Chrome<'a>,
}

async fn safety(State(app): State<Web>, context: PageContext) -> Result<Html<String>, AppError> {
    render(&Safety {
        c: Chrome::new(&app, &context),
    })
}

/// Quick exit without JavaScript: forget us, then go to the neutral site.
/// The pages seen before stay in the tab's history, for Back to return to;
/// `/securite` says what they show.
async fn leave(State(app): State<Web>, context: PageContext) -> Response {
    let exit_url = app.exit_url(context.territory.as_deref());
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, exit_url.as_str()),
            (HeaderName::from_static("clear-site-data"), CLEAR_SITE_DATA),
        ],
    )
        .into_response()
}

/// `ok` when the server and its database answer.
async fn health(State(app): State<Web>) -> Response {
    match app.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(error) => {
            tracing::error!(%error, "health check: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}
