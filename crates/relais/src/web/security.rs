//! Security headers on every response, public or not, error or not.
//!
//! The content security policy allows nothing but our own scripts, styles,
//! images and fonts: no inline code, no eval, no other origin. Pages are
//! never stored by the browser or any cache (`no-store`); only assets whose
//! name carries a hash set their own long cache.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::web::Web;

/// The content security policy of every response.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

/// The headers, built once at start-up.
#[derive(Debug)]
pub struct SecurityHeaders {
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl SecurityHeaders {
    /// The headers; HSTS only when the site is served over HTTPS.
    pub fn new(https: bool) -> Self {
        let mut headers = vec![
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            ),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            (
                HeaderName::from_static("cross-origin-opener-policy"),
                HeaderValue::from_static("same-origin"),
            ),
            (
                HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("same-origin"),
            ),
            (
                HeaderName::from_static("permissions-policy"),
                HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
            ),
        ];
        if https {
            headers.push((
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=63072000; includeSubDomains"),
            ));
        }
        Self { headers }
    }
}

/// Adds the security headers, and `Cache-Control: no-store` unless the
/// response chose its own caching.
pub async fn headers(State(app): State<Web>, request: Request, next: Next) -> Response {
    let back_office = request.uri().path().starts_with("/pro");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in &app.security.headers {
        headers.insert(name.clone(), value.clone());
    }
    if back_office {
        // The back office checks the `Origin` of every form it receives;
        // under `no-referrer` browsers would send `Origin: null`.
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}
