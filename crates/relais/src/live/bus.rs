//! The live events between instances. On SQLite there is one instance and
//! nothing to pass. On PostgreSQL each event is sealed (XChaCha20-Poly1305,
//! a key derived from the server secret, which the database never holds:
//! PostgreSQL may write its notification queue to disk) and sent with
//! `NOTIFY`; every instance listens and applies the others' events. A
//! sealed event longer than one notification is sent in parts.
//!
//! A part is `instance.event.index.count.data`: the sending instance, a
//! random id of the event, the part's place, how many parts, and its share
//! of the base64url of `nonce (24 bytes) ‖ ciphertext`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::live::{Event, storage};
use crate::secret::{Purpose, ServerSecret};
use crate::storage::Db;

/// The associated data of every sealed event.
const AAD: &[u8] = b"relais/v1/live-event";
/// The longest share of an event in one notification (PostgreSQL allows
/// 8,000 bytes in all).
const PART: usize = 7000;
/// Longest a part waits for the others.
const PARTS_WAIT: Duration = Duration::from_secs(30);

/// Where events go.
pub enum Bus {
    /// One instance: nothing to pass.
    Local,
    /// Through PostgreSQL's `NOTIFY`.
    Postgres {
        /// The pool the notifications are sent with.
        pool: sqlx::PgPool,
        /// Seals and opens the events.
        cipher: Box<XChaCha20Poly1305>,
        /// The parts waiting to be sent, in order.
        outbox: std::sync::Arc<Outbox>,
    },
}

/// The parts to send, and whether a sender task is at work: the parts
/// published meanwhile wait for it, so that they go out in their order,
/// many in one commit.
#[derive(Default)]
pub struct Outbox(std::sync::Mutex<(Vec<String>, bool)>);

impl Outbox {
    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<String>, bool)> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The most parts sent in one statement.
const BATCH: usize = 500;

/// While alive, its task sends for everyone; dropped (even with a task
/// cancelled at shutdown), the next publisher starts another.
struct Sending {
    outbox: std::sync::Arc<Outbox>,
    /// Its task said so itself, under the lock.
    finished: bool,
}

impl Drop for Sending {
    fn drop(&mut self) {
        if !self.finished {
            self.outbox.lock().1 = false;
        }
    }
}

impl Bus {
    /// The bus of this database.
    pub fn new(db: &Db, secret: &ServerSecret) -> Self {
        match db {
            Db::Sqlite(..) => Self::Local,
            Db::Postgres(pool) => Self::Postgres {
                pool: pool.clone(),
                cipher: Box::new(cipher(secret)),
                outbox: std::sync::Arc::default(),
            },
        }
    }

    /// Sends an event to the other instances. A lost event is logged: the
    /// database still says who waits and who talks, and every instance
    /// reads it again within seconds.
    ///
    /// The parts wait in the outbox for one sender task, which sends
    /// all that waits in one statement: the order is kept, a busy
    /// instance makes one commit for many events, and no publisher waits
    /// for the database.
    pub async fn publish(&self, instance: &str, event: &Event) {
        let Self::Postgres {
            pool,
            cipher,
            outbox,
        } = self
        else {
            return;
        };
        let parts = parts(instance, &seal(cipher, event));
        let mut waiting = outbox.lock();
        waiting.0.extend(parts);
        if !waiting.1 {
            waiting.1 = true;
            drop(waiting);
            tokio::spawn(send_waiting(
                pool.clone(),
                Sending {
                    outbox: std::sync::Arc::clone(outbox),
                    finished: false,
                },
            ));
        }
    }

    /// Applies the other instances' events, reconnecting after a loss.
    pub async fn listen(&self, instance: &str, apply: impl Fn(Event)) {
        let Self::Postgres { pool, cipher, .. } = self else {
            return;
        };
        loop {
            let mut listener = match storage::listener(pool).await {
                Ok(listener) => listener,
                Err(error) => {
                    tracing::warn!(%error, "live help: cannot listen to the other instances");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    continue;
                }
            };
            let mut pending = Parts::default();
            loop {
                let notification = match listener.recv().await {
                    Ok(notification) => notification,
                    Err(error) => {
                        tracing::warn!(%error, "live help: lost the other instances; listening again");
                        break;
                    }
                };
                if let Some(sealed) = pending.add(instance, notification.payload())
                    && let Some(event) = open(cipher, &sealed)
                {
                    apply(event);
                }
            }
        }
    }
}

/// Sends what waits in the outbox until it is empty. A lost batch is
/// logged: the database still says who waits and who talks, and every
/// instance reads it again within seconds.
async fn send_waiting(pool: sqlx::PgPool, mut sending: Sending) {
    loop {
        let batch: Vec<String> = {
            let mut waiting = sending.outbox.lock();
            if waiting.0.is_empty() {
                // Under the lock: a part published from now on starts
                // another sender.
                waiting.1 = false;
                drop(waiting);
                sending.finished = true;
                return;
            }
            let take = waiting.0.len().min(BATCH);
            waiting.0.drain(..take).collect()
        };
        if let Err(error) = storage::notify(&pool, &batch).await {
            tracing::warn!(%error, count = batch.len(), "live help: events could not be sent to the other instances");
        }
    }
}

/// The cipher of the events, from the server secret.
fn cipher(secret: &ServerSecret) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(secret.derive(Purpose::LiveEvents).bytes().into())
}

/// An event sealed, in base64url.
fn seal(cipher: &XChaCha20Poly1305, event: &Event) -> String {
    let plaintext = serde_json::to_vec(event).expect("an event serialises");
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).expect("the system gives random bytes");
    let ciphertext = cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: &plaintext,
                aad: AAD,
            },
        )
        .expect("XChaCha20-Poly1305 encrypts any event");
    let mut bytes = Vec::with_capacity(24 + ciphertext.len());
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&ciphertext);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A sealed event opened, if it is one of ours.
fn open(cipher: &XChaCha20Poly1305, sealed: &str) -> Option<Event> {
    let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
    if bytes.len() < 24 + 16 {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at(24);
    let nonce: [u8; 24] = nonce.try_into().ok()?;
    let plaintext = cipher
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: ciphertext,
                aad: AAD,
            },
        )
        .ok()?;
    serde_json::from_slice(&plaintext).ok()
}

/// A sealed event cut into notifications.
fn parts(instance: &str, sealed: &str) -> Vec<String> {
    let mut id = [0u8; 8];
    getrandom::fill(&mut id).expect("the system gives random bytes");
    let id = hex::encode(id);
    // base64url is ASCII: any byte index is a character boundary.
    let shares: Vec<&str> = sealed
        .as_bytes()
        .chunks(PART)
        .map(|chunk| std::str::from_utf8(chunk).unwrap_or_default())
        .collect();
    let count = shares.len();
    shares
        .into_iter()
        .enumerate()
        .map(|(index, share)| format!("{instance}.{id}.{index}.{count}.{share}"))
        .collect()
}

/// The parts received of events not yet whole.
#[derive(Default)]
struct Parts {
    waiting: HashMap<String, (Instant, Vec<Option<String>>)>,
}

impl Parts {
    /// Adds a notification; the whole sealed event once every part came.
    /// This instance's own notifications are skipped: it applied them when
    /// it sent them.
    fn add(&mut self, own: &str, payload: &str) -> Option<String> {
        let mut fields = payload.splitn(5, '.');
        let (instance, id, index, count, share) = (
            fields.next()?,
            fields.next()?,
            fields.next()?.parse::<usize>().ok()?,
            fields.next()?.parse::<usize>().ok()?,
            fields.next()?,
        );
        if instance == own || count == 0 || count > 64 || index >= count {
            return None;
        }
        if count == 1 {
            return Some(share.to_owned());
        }
        self.waiting
            .retain(|_, (since, _)| since.elapsed() < PARTS_WAIT);
        let key = format!("{instance}.{id}");
        let (_, shares) = self
            .waiting
            .entry(key.clone())
            .or_insert_with(|| (Instant::now(), vec![None; count]));
        if shares.len() != count {
            return None;
        }
        shares[index] = Some(share.to_owned());
        if shares.iter().all(Option::is_some) {
            let (_, shares) = self.waiting.remove(&key)?;
            return Some(shares.into_iter().flatten().collect());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::LiveId;

    fn key() -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&[7u8; 32]).into())
    }

    #[test]
    fn an_event_sealed_opens_to_the_same_event_and_its_words_are_not_readable() {
        let event = Event::Said {
            s: LiveId::from("abc"),
            id: "m1".to_owned(),
            from: crate::live::Author::Person,
            text: "Il me surveille le soir".to_owned(),
            at: 12,
        };
        let sealed = seal(&key(), &event);
        assert!(!sealed.contains("surveille"));
        assert_eq!(open(&key(), &sealed), Some(event));
        let other = XChaCha20Poly1305::new((&[8u8; 32]).into());
        assert_eq!(open(&other, &sealed), None);
    }

    #[test]
    fn a_long_event_travels_in_parts_that_come_back_whole_in_any_order() {
        let sealed = "x".repeat(PART * 2 + 5);
        let mut sent = parts("a1", &sealed);
        assert_eq!(sent.len(), 3);
        assert!(sent.iter().all(|part| part.len() < 8000));
        sent.reverse();
        let mut received = Parts::default();
        let whole: Vec<String> = sent.iter().filter_map(|p| received.add("b2", p)).collect();
        assert_eq!(whole, [sealed]);
    }

    #[test]
    fn an_instance_skips_its_own_events_and_what_is_not_a_part() {
        let mut received = Parts::default();
        let part = parts("a1", "abc").remove(0);
        assert_eq!(received.add("a1", &part), None);
        assert_eq!(received.add("b2", &part).as_deref(), Some("abc"));
        for junk in ["", "a.b", "a.b.9.3.x", "a.b.0.0.x", "a.b.x.y.z"] {
            assert_eq!(received.add("b2", junk), None, "{junk}");
        }
    }
}
