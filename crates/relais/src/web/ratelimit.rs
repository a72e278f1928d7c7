//! A per-client request limit that never stores an IP address.
//!
//! A client is known only by a keyed hash of its IP. The key is random, kept
//! in memory, and replaced every hour together with every count, so that a
//! hash cannot be linked to an address, nor to the same client an hour
//! later. Counts are per fixed minute window: crude, cheap, and enough to
//! stop a flood without ever slowing down a person.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::web::AppState;

const WINDOW: Duration = Duration::from_secs(60);
const KEY_LIFETIME: Duration = Duration::from_secs(3600);

/// Counts requests per client per minute.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    client_ip_header: Option<HeaderName>,
    state: Mutex<Windows>,
}

#[derive(Debug)]
struct Windows {
    key: RandomState,
    key_born: Instant,
    window_start: Instant,
    counts: HashMap<u64, u32>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests (0: no limit).
    pub fn new(per_minute: u32, client_ip_header: Option<HeaderName>) -> Self {
        let now = Instant::now();
        Self {
            per_minute,
            client_ip_header,
            state: Mutex::new(Windows {
                key: RandomState::new(),
                key_born: now,
                window_start: now,
                counts: HashMap::new(),
            }),
        }
    }

    /// Records one request from `ip` at `now`; false when over the limit.
    pub fn allow(&self, ip: IpAddr, now: Instant) -> bool {
        if self.per_minute == 0 {
            return true;
        }
        // A poisoned lock only means another request panicked mid-count;
        // the counts are still usable.
        let mut windows = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if now.duration_since(windows.key_born) >= KEY_LIFETIME {
            windows.key = RandomState::new();
            windows.key_born = now;
            windows.counts.clear();
        }
        if now.duration_since(windows.window_start) >= WINDOW {
            windows.window_start = now;
            windows.counts.clear();
        }
        let client = windows.key.hash_one(ip);
        let count = windows.counts.entry(client).or_insert(0);
        *count = count.saturating_add(1);
        *count <= self.per_minute
    }

    /// The client's IP: the configured header's last entry behind a proxy,
    /// else the peer address.
    fn client_ip(&self, request: &Request) -> Option<IpAddr> {
        self.client_ip_of(request.headers(), request.extensions())
    }

    fn client_ip_of(
        &self,
        headers: &axum::http::HeaderMap,
        extensions: &axum::http::Extensions,
    ) -> Option<IpAddr> {
        if let Some(name) = &self.client_ip_header {
            return headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.rsplit(',').next())
                .and_then(|last| last.trim().parse().ok());
        }
        extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
    }
}

/// The client's IP, for the few handlers that count per client (with a
/// keyed hash, never storing it); `None` when it cannot be known.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub Option<IpAddr>);

impl axum::extract::FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            app.limiter.client_ip_of(&parts.headers, &parts.extensions),
        ))
    }
}

/// Answers 429 to a client over its limit.
pub async fn limit(State(app): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(ip) = app.limiter.client_ip(&request)
        && !app.limiter.allow(ip, Instant::now())
    {
        return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "60")]).into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_over_its_limit_is_refused_and_others_are_not() {
        let limiter = RateLimiter::new(3, None);
        let now = Instant::now();
        let (a, b) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        assert!((0..3).all(|_| limiter.allow(a, now)));
        assert!(!limiter.allow(a, now));
        assert!(limiter.allow(b, now));
    }

    #[test]
    fn a_new_minute_starts_afresh() {
        let limiter = RateLimiter::new(1, None);
        let now = Instant::now();
        let ip = "2001:db8::1".parse().unwrap();
        assert!(limiter.allow(ip, now));
        assert!(!limiter.allow(ip, now));
        assert!(limiter.allow(ip, now + WINDOW));
    }

    #[test]
    fn zero_means_no_limit() {
        let limiter = RateLimiter::new(0, None);
        let ip = "192.0.2.1".parse().unwrap();
        assert!((0..10_000).all(|_| limiter.allow(ip, Instant::now())));
    }

    #[test]
    fn no_address_is_kept_only_a_keyed_hash() {
        let limiter = RateLimiter::new(10, None);
        limiter.allow("203.0.113.77".parse().unwrap(), Instant::now());
        let shown = format!("{limiter:?}");
        assert!(!shown.contains("203.0.113.77"), "{shown}");
    }
}
