//! The per-client request limit, and who a request comes from.
//!
//! Counts are per fixed minute window ([`ClientCounts`]): crude, cheap, and
//! enough to stop a flood without ever slowing down a person. Behind a
//! reverse proxy the client is the configured header's last entry; a request
//! without a readable one is counted under the shared [`Client::Unknown`]
//! (never let through unlimited), and the log says once that the proxy
//! configuration looks wrong.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::web::Web;
use crate::web::clients::{Client, ClientCounts};

/// Counts requests per client per minute.
#[derive(Debug)]
pub struct RateLimiter {
    counts: ClientCounts,
    client_ip_header: Option<HeaderName>,
    warned: AtomicBool,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests (0: no limit).
    pub fn new(per_minute: u32, client_ip_header: Option<HeaderName>) -> Self {
        Self {
            counts: ClientCounts::new(per_minute, Duration::from_secs(60)),
            client_ip_header,
            warned: AtomicBool::new(false),
        }
    }

    /// Records one request from `client` at `now`; false when over the
    /// limit.
    pub fn allow(&self, client: Client, now: Instant) -> bool {
        self.counts.take(client, now)
    }

    /// Who a request comes from: the configured header's last entry behind
    /// a proxy, else the peer address; [`Client::Unknown`] when neither can
    /// be read.
    pub fn client_of(
        &self,
        headers: &axum::http::HeaderMap,
        extensions: &axum::http::Extensions,
    ) -> Client {
        let ip: Option<IpAddr> = match &self.client_ip_header {
            Some(name) => {
                let ip = headers
                    .get(name)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| value.rsplit(',').next())
                    .and_then(|last| last.trim().parse().ok());
                if ip.is_none() && !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        header = name.as_str(),
                        "a request came without a readable client address in this header: \
                         check that the reverse proxy sets it (such requests share one limit)"
                    );
                }
                ip
            }
            None => extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip()),
        };
        ip.map_or(Client::Unknown, Client::Ip)
    }
}

/// Who the request comes from, for the handlers that count per client
/// (with a keyed hash, never storing an address).
#[derive(Clone, Copy, Debug)]
pub struct RequestClient(pub Client);

impl<S> axum::extract::FromRequestParts<S> for RequestClient
where
    S: Send + Sync,
    Web: axum::extract::FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let web = <Web as axum::extract::FromRef<S>>::from_ref(state);
        Ok(Self(
            web.limiter.client_of(&parts.headers, &parts.extensions),
        ))
    }
}

/// Answers 429 to a client over its limit.
pub async fn limit(State(app): State<Web>, request: Request, next: Next) -> Response {
    let client = app
        .limiter
        .client_of(request.headers(), request.extensions());
    if !app.limiter.allow(client, Instant::now()) {
        return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "60")]).into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    use axum::http::{Extensions, HeaderMap, HeaderValue};

    fn behind_proxy() -> RateLimiter {
        RateLimiter::new(2, Some(HeaderName::from_static("x-forwarded-for")))
    }

    #[test]
    fn behind_a_proxy_the_last_address_of_the_header_is_the_client() {
        let limiter = behind_proxy();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.1, 192.0.2.7"),
        );
        assert_eq!(
            limiter.client_of(&headers, &Extensions::new()),
            Client::Ip("192.0.2.7".parse().unwrap())
        );
    }

    #[test]
    fn a_request_without_a_readable_header_is_limited_under_a_shared_key() {
        let limiter = behind_proxy();
        let now = Instant::now();
        let mut garbled = HeaderMap::new();
        garbled.insert(
            "x-forwarded-for",
            HeaderValue::from_static("not an address"),
        );
        for headers in [HeaderMap::new(), garbled] {
            assert_eq!(
                limiter.client_of(&headers, &Extensions::new()),
                Client::Unknown
            );
        }
        assert!(limiter.allow(Client::Unknown, now));
        assert!(limiter.allow(Client::Unknown, now));
        assert!(!limiter.allow(Client::Unknown, now));
    }
}
