//! Counting what each client does, without ever storing an IP address.
//!
//! A client is known only by a keyed hash of its IP. The key is random, kept
//! in memory, and replaced every hour together with every count, so that a
//! hash cannot be linked to an address, nor to the same client an hour
//! later. A client whose address cannot be known (behind a proxy that did
//! not say) is not let through unlimited: every such request counts against
//! one shared allowance, [`Client::Unknown`].
//!
//! [`ClientCounts`] is the one mechanism behind every per-client limit: the
//! request rate, wrong receipts, failed sign-ins, referrals sent. A try is
//! taken from the allowance *before* the work it guards ([`ClientCounts::take`]),
//! so that concurrent tries cannot all slip under the limit, and given back
//! when it turns out to be one that must not count (a right receipt, a
//! successful sign-in).

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher as _;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a hashing key lives; every count goes with it.
const KEY_LIFETIME: Duration = Duration::from_secs(3600);

/// Who a request comes from, as far as limits are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Client {
    /// A known address (hashed before it is counted).
    Ip(IpAddr),
    /// No address could be read: every such request shares one allowance.
    Unknown,
}

/// A per-client allowance of `limit` per `window` (at most an hour).
#[derive(Debug)]
pub struct ClientCounts {
    limit: u32,
    window: Duration,
    state: Mutex<Windows>,
}

#[derive(Debug)]
struct Windows {
    key: RandomState,
    key_born: Instant,
    window_start: Instant,
    counts: HashMap<u64, u32>,
}

impl ClientCounts {
    /// An allowance of `limit` per `window` for each client; `0` means no
    /// limit. A window longer than the key's hour is an hour.
    pub fn new(limit: u32, window: Duration) -> Self {
        let now = Instant::now();
        Self {
            limit,
            window: window.min(KEY_LIFETIME),
            state: Mutex::new(Windows {
                key: RandomState::new(),
                key_born: now,
                window_start: now,
                counts: HashMap::new(),
            }),
        }
    }

    fn with<T>(&self, client: Client, now: Instant, f: impl FnOnce(&mut u32) -> T) -> T {
        // A poisoned lock only means another request panicked mid-count;
        // the counts are still usable.
        let mut windows = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if now.saturating_duration_since(windows.key_born) >= KEY_LIFETIME {
            windows.key = RandomState::new();
            windows.key_born = now;
            windows.window_start = now;
            windows.counts.clear();
        }
        if now.saturating_duration_since(windows.window_start) >= self.window {
            windows.window_start = now;
            windows.counts.clear();
        }
        let hashed = windows.key.hash_one(client);
        let count = windows.counts.entry(hashed).or_insert(0);
        f(count)
    }

    /// Takes one from the client's allowance; false, taking nothing, when
    /// none is left.
    pub fn take(&self, client: Client, now: Instant) -> bool {
        if self.limit == 0 {
            return true;
        }
        self.with(client, now, |count| {
            if *count >= self.limit {
                false
            } else {
                *count += 1;
                true
            }
        })
    }

    /// Gives back one taken in this window: what it guarded must not count.
    pub fn give_back(&self, client: Client, now: Instant) {
        if self.limit == 0 {
            return;
        }
        self.with(client, now, |count| *count = count.saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> Client {
        Client::Ip(text.parse().unwrap())
    }

    #[test]
    fn a_client_over_its_allowance_is_refused_and_others_are_not() {
        let counts = ClientCounts::new(3, Duration::from_secs(60));
        let now = Instant::now();
        assert!((0..3).all(|_| counts.take(ip("192.0.2.1"), now)));
        assert!(!counts.take(ip("192.0.2.1"), now));
        assert!(counts.take(ip("192.0.2.2"), now));
    }

    #[test]
    fn a_new_window_starts_afresh() {
        let counts = ClientCounts::new(1, Duration::from_secs(60));
        let now = Instant::now();
        assert!(counts.take(ip("2001:db8::1"), now));
        assert!(!counts.take(ip("2001:db8::1"), now));
        assert!(counts.take(ip("2001:db8::1"), now + Duration::from_secs(60)));
    }

    #[test]
    fn what_is_given_back_can_be_taken_again() {
        let counts = ClientCounts::new(1, Duration::from_secs(3600));
        let now = Instant::now();
        assert!(counts.take(ip("192.0.2.1"), now));
        counts.give_back(ip("192.0.2.1"), now);
        assert!(counts.take(ip("192.0.2.1"), now));
        assert!(!counts.take(ip("192.0.2.1"), now));
    }

    #[test]
    fn clients_without_an_address_share_one_allowance() {
        let counts = ClientCounts::new(2, Duration::from_secs(60));
        let now = Instant::now();
        assert!(counts.take(Client::Unknown, now));
        assert!(counts.take(Client::Unknown, now));
        assert!(!counts.take(Client::Unknown, now));
        assert!(counts.take(ip("192.0.2.9"), now));
    }

    #[test]
    fn zero_means_no_limit() {
        let counts = ClientCounts::new(0, Duration::from_secs(60));
        assert!((0..10_000).all(|_| counts.take(ip("192.0.2.1"), Instant::now())));
    }

    #[test]
    fn no_address_is_kept_only_a_keyed_hash() {
        let counts = ClientCounts::new(10, Duration::from_secs(60));
        counts.take(ip("203.0.113.77"), Instant::now());
        let shown = format!("{counts:?}");
        assert!(!shown.contains("203.0.113.77"), "{shown}");
    }

    #[test]
    fn concurrent_tries_never_exceed_the_allowance() {
        let counts = std::sync::Arc::new(ClientCounts::new(10, Duration::from_secs(3600)));
        let now = Instant::now();
        let taken: usize = (0..60)
            .map(|_| {
                let counts = std::sync::Arc::clone(&counts);
                std::thread::spawn(move || counts.take(ip("192.0.2.1"), now))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| usize::from(t.join().unwrap()))
            .sum();
        assert_eq!(taken, 10);
    }
}
