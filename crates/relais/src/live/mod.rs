//! Live help, "Parler maintenant" (docs/live.md): professionals on duty,
//! a queue per organisation, and conversations whose words exist only in
//! memory.
//!
//! [`Live`] is this instance's part: the conversations it knows (every
//! conversation of every instance, kept in step by [`bus`]), the sign of
//! the pages and consoles connected to it, and the availability read from
//! the database every few seconds. Everything that changes a conversation
//! is an [`Event`]: applied here, then published to the other instances.
//! A connection (a person's page or socket, a professional's console)
//! waits on the version of its room or of its organisation's queue and
//! shows what changed since it last looked.
//!
//! - `storage.rs`: duty, queue and assignments (no content);
//! - `bus.rs`: the events between instances (sealed, through PostgreSQL);
//! - `offer.rs`: what the conversation's outcome says of live help;
//! - `person.rs`: `/parler`, with and without JavaScript;
//! - `console.rs`: the professional's console, `/pro/permanence`;
//! - `keep.rs`: a conversation sealed into a referral, with her consent.

pub mod bus;
pub mod console;
pub mod keep;
pub mod offer;
pub mod person;
pub mod storage;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use tokio::sync::watch;

use crate::conversation::Conversation;
use crate::directory::Directory;
use crate::referral::Referrals;
use crate::referral::report::Report;
use crate::secret::ServerSecret;
use crate::storage::counters::{self, Event as Counter};
use crate::storage::{Db, LiveId, OrganisationId, UserId};
use crate::web::Web;
use crate::web::clients::ClientCounts;

/// The counters of live help, per day and territory (the conversation
/// counts `live:offered` itself).
pub mod counted {
    use crate::storage::counters::Event;

    /// She joined a queue.
    pub const JOINED: Event = Event::new("live:joined");
    /// A professional took her.
    pub const ANSWERED: Event = Event::new("live:answered");
    /// She left, or went silent, before anyone answered.
    pub const LEFT_WAITING: Event = Event::new("live:left-waiting");
    /// A conversation that was answered ended.
    pub const ENDED: Event = Event::new("live:ended");
    /// The waiting time before an answer, in four bands of minutes.
    pub const WAIT: [(i64, Event); 4] = [
        (60, Event::new("live:wait:under-1")),
        (300, Event::new("live:wait:1-5")),
        (900, Event::new("live:wait:5-15")),
        (i64::MAX, Event::new("live:wait:over-15")),
    ];
}

/// Longest message, in characters.
pub const MESSAGE_MAX: usize = 2000;
/// Most messages in one conversation.
pub const MESSAGES_MAX: usize = 500;
/// Longest message id a client may choose.
pub const MESSAGE_ID_MAX: usize = 40;
/// How often each instance renews signs and ends silent conversations.
const TICK: Duration = Duration::from_secs(2);
/// How long an ended conversation stays in memory, for a last look.
const ENDED_KEPT: Duration = Duration::from_secs(120);

/// The state the live routes and screens share.
#[derive(Clone, Debug)]
pub struct LiveState {
    /// The toolkit's state.
    pub web: Web,
    /// The directory: organisations, their live hours.
    pub directory: Arc<Directory>,
    /// The help conversation: its flow and token sealer.
    pub conversation: Arc<Conversation>,
    /// This instance's part of live help.
    pub live: Arc<Live>,
    /// Referrals, to keep a conversation with her consent.
    pub referrals: Arc<Referrals>,
    /// The server secret.
    pub secret: Arc<ServerSecret>,
}

crate::capability_state!(LiveState);

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Author {
    /// The person.
    Person,
    /// The professional.
    Professional,
}

/// What the professional proposes to keep, with her consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Keep {
    /// "À rappeler": a callback, with what she shared.
    Callback,
    /// A referral of the organisation, with the conversation.
    Referral,
}

/// Something that happened to a conversation: applied on every instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "e")]
pub enum Event {
    /// She joined an organisation's queue.
    Joined {
        /// The conversation.
        s: LiveId,
        /// Her place, and what she shared.
        room: Box<Joining>,
    },
    /// A professional took her.
    Taken {
        /// The conversation.
        s: LiveId,
        /// Who.
        by: UserId,
    },
    /// A message.
    Said {
        /// The conversation.
        s: LiveId,
        /// The id its sender chose.
        id: String,
        /// Who wrote it.
        from: Author,
        /// What.
        text: String,
        /// When, in milliseconds.
        at: i64,
    },
    /// The other side's page has these messages of `from`.
    Delivered {
        /// The conversation.
        s: LiveId,
        /// Whose messages.
        from: Author,
        /// Which.
        ids: Vec<String>,
    },
    /// The professional proposes to keep the conversation.
    Proposed {
        /// The conversation.
        s: LiveId,
        /// As what.
        keep: Keep,
    },
    /// Her answer to the proposal.
    Answered {
        /// The conversation.
        s: LiveId,
        /// Yes or no.
        yes: bool,
    },
    /// The conversation ended.
    Ended {
        /// The conversation.
        s: LiveId,
        /// How.
        by: Ended,
    },
}

impl Event {
    /// The conversation it is about.
    pub fn session(&self) -> &LiveId {
        match self {
            Self::Joined { s, .. }
            | Self::Taken { s, .. }
            | Self::Said { s, .. }
            | Self::Delivered { s, .. }
            | Self::Proposed { s, .. }
            | Self::Answered { s, .. }
            | Self::Ended { s, .. } => s,
        }
    }
}

/// How a conversation ended, as the events carry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ended {
    /// She left.
    Person,
    /// The professional ended it.
    Professional,
    /// Her page gave no sign.
    PersonSilent,
    /// The professional's console gave no sign.
    ProfessionalSilent,
    /// Nobody was on duty any more.
    Nobody,
    /// Kept as a referral, with her consent.
    Kept,
}

impl Ended {
    /// The code stored in `live_sessions.ended_by`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Professional => "professional",
            Self::PersonSilent => "person-silent",
            Self::ProfessionalSilent => "professional-silent",
            Self::Nobody => "nobody",
            Self::Kept => "kept",
        }
    }
}

/// A person joining a queue: what every instance keeps of her.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Joining {
    /// The organisation.
    pub organisation: OrganisationId,
    /// Its public name.
    pub organisation_name: String,
    /// Its territory.
    pub territory: String,
    /// The language of her pages.
    pub language: String,
    /// She said it is urgent.
    pub urgent: bool,
    /// When she joined, UNIX seconds.
    pub joined_at: i64,
    /// Her answers as the report shows them, when she chose to share them.
    pub report: Option<Report>,
    /// How she agreed to be contacted, when she shared her answers.
    pub channel: Option<flow::Channel>,
    /// Her conversation's sealed token, for a callback if the
    /// conversation cannot go on (it opens only with the server's key).
    pub token: String,
}

/// A message, as kept in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The id its sender chose.
    pub id: String,
    /// Who wrote it.
    pub from: Author,
    /// What.
    pub text: String,
    /// When, in milliseconds.
    pub at: i64,
    /// The other side's page has it.
    pub delivered: bool,
}

/// Where a conversation stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    /// In the queue.
    Waiting,
    /// With this professional.
    Talking(UserId),
    /// Over.
    Ended(Ended),
}

/// A conversation, as this instance keeps it.
#[derive(Debug)]
pub struct Room {
    /// Who she is waiting for, and what she shared.
    pub joining: Joining,
    /// Where it stands.
    pub stage: Stage,
    /// The messages, in order.
    pub messages: Vec<Message>,
    /// A proposal to keep it, waiting for her answer.
    pub proposal: Option<Keep>,
    /// Her answer to the last proposal.
    pub answer: Option<bool>,
    /// The professional it was given to, kept after it ended.
    professional: Option<UserId>,
    /// When this instance heard of it.
    known: Instant,
    /// When it ended here.
    ended: Option<Instant>,
    /// Moves on at every change.
    version: watch::Sender<u64>,
}

/// What a connection reads of a room.
#[derive(Clone, Debug)]
pub struct RoomView {
    /// Who she is waiting for, and what she shared.
    pub joining: Joining,
    /// Where it stands.
    pub stage: Stage,
    /// The messages, in order.
    pub messages: Vec<Message>,
    /// A proposal waiting for her answer.
    pub proposal: Option<Keep>,
    /// Her answer to the last proposal.
    pub answer: Option<bool>,
    /// Her place in the queue (1 = next), while she waits.
    pub position: usize,
}

/// What the database says of availability, read every few seconds.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Professionals counted now, per organisation.
    pub counted: HashMap<OrganisationId, u32>,
    /// Mean recent conversation length, seconds, per organisation.
    pub lengths: HashMap<OrganisationId, i64>,
}

/// The handle of a conversation: what her page holds (in a form, never an
/// address). The database knows only its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handle(String);

impl Handle {
    /// A fresh handle.
    pub fn new() -> Self {
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes).expect("the system gives random bytes");
        Self(hex::encode(bytes))
    }

    /// A handle as posted, if it has the shape of one.
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 48 && text.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(text.to_ascii_lowercase()))
    }

    /// The handle as her page holds it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The conversation's id: a hash of the handle.
    pub fn id(&self) -> LiveId {
        let hash = sha2::Sha256::digest(self.0.as_bytes());
        LiveId::from(hex::encode(&hash[..16]))
    }
}

impl Default for Handle {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether a message id chosen by a client is acceptable.
pub fn valid_message_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MESSAGE_ID_MAX
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A message as typed, trimmed, if it says something and fits.
pub fn message_text(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty() && text.chars().count() <= MESSAGE_MAX).then(|| text.to_owned())
}

/// This instance's part of live help.
pub struct Live {
    /// This instance, among those on the bus.
    instance: String,
    rooms: Mutex<HashMap<LiveId, Room>>,
    /// Each organisation's queue in order, (joined at, id): her place is
    /// found by a binary search, not by looking at everyone. Locked after
    /// `rooms`, never before.
    lines: Mutex<HashMap<OrganisationId, Vec<(i64, LiveId)>>>,
    /// Per organisation, rung when someone leaves its queue (taken, gone):
    /// the places behind move. A join behind her changes nothing of hers.
    departures: Mutex<HashMap<OrganisationId, watch::Sender<u64>>>,
    queues: Mutex<HashMap<OrganisationId, watch::Sender<u64>>>,
    snapshot: RwLock<Arc<Snapshot>>,
    bus: bus::Bus,
    /// Seconds of console silence before a professional is not counted.
    pub console_silence: i64,
    /// Seconds of silence before a conversation ends.
    pub person_silence: i64,
    /// The pages and sockets of people connected here.
    people: Mutex<HashMap<LiveId, usize>>,
    /// The consoles connected here.
    consoles: Mutex<HashMap<UserId, usize>>,
    /// Queues joined per client and hour.
    pub joins: ClientCounts,
    /// Most people waiting for one organisation (0: no limit).
    pub queue_max: usize,
    closing: watch::Sender<bool>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live")
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

impl Live {
    /// This instance's part, on this database, with a bus sealed by a key
    /// derived from the server secret.
    pub fn new(db: &Db, secret: &ServerSecret, settings: &crate::config::Settings) -> Self {
        let mut instance = [0u8; 8];
        getrandom::fill(&mut instance).expect("the system gives random bytes");
        Self {
            instance: hex::encode(instance),
            rooms: Mutex::new(HashMap::new()),
            lines: Mutex::new(HashMap::new()),
            departures: Mutex::new(HashMap::new()),
            queues: Mutex::new(HashMap::new()),
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            bus: bus::Bus::new(db, secret),
            console_silence: i64::try_from(settings.live_console_silence).unwrap_or(60),
            person_silence: i64::try_from(settings.live_person_silence).unwrap_or(20),
            queue_max: settings.live_queue_max,
            people: Mutex::new(HashMap::new()),
            consoles: Mutex::new(HashMap::new()),
            joins: ClientCounts::new(
                settings.live_joins_per_client_per_hour,
                Duration::from_secs(3600),
            ),
            closing: watch::channel(false).0,
        }
    }

    /// The availability last read.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(
            &self
                .snapshot
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Applies an event here, then tells the other instances.
    pub async fn publish(&self, event: Event) {
        self.apply(&event);
        self.bus.publish(&self.instance, &event).await;
    }

    /// Applies an event: the room changes, and whoever waits on it or on
    /// its queue is woken.
    pub fn apply(&self, event: &Event) {
        let mut rooms = self
            .rooms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let id = event.session();
        let mut queue = None;
        let mut departed = false;
        if let Event::Joined { room, .. } = event {
            if !rooms.contains_key(id) {
                let mut lines = self
                    .lines
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let line = lines.entry(room.organisation.clone()).or_default();
                let place = (room.joined_at, id.clone());
                let at = line.binary_search(&place).unwrap_or_else(|at| at);
                line.insert(at, place);
                drop(lines);
                rooms.insert(
                    id.clone(),
                    Room {
                        joining: (**room).clone(),
                        stage: Stage::Waiting,
                        messages: Vec::new(),
                        proposal: None,
                        answer: None,
                        professional: None,
                        known: Instant::now(),
                        ended: None,
                        version: watch::channel(0).0,
                    },
                );
                queue = Some(room.organisation.clone());
            }
        } else if let Some(room) = rooms.get_mut(id) {
            let ended = matches!(room.stage, Stage::Ended(_));
            let leaves = room.stage == Stage::Waiting
                && matches!(event, Event::Taken { .. } | Event::Ended { .. });
            if leaves {
                let mut lines = self
                    .lines
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some(line) = lines.get_mut(&room.joining.organisation)
                    && let Ok(at) = line.binary_search(&(room.joining.joined_at, id.clone()))
                {
                    line.remove(at);
                }
                departed = true;
            }
            match event {
                Event::Joined { .. } => {}
                Event::Taken { by, .. } if !ended => {
                    room.stage = Stage::Talking(by.clone());
                    room.professional = Some(by.clone());
                    queue = Some(room.joining.organisation.clone());
                }
                Event::Said {
                    id: message,
                    from,
                    text,
                    at,
                    ..
                } if !ended
                    && room.messages.len() < MESSAGES_MAX
                    && !room
                        .messages
                        .iter()
                        .any(|m| m.id == *message && m.from == *from) =>
                {
                    let place = room
                        .messages
                        .iter()
                        .rposition(|m| (m.at, m.from as u8) <= (*at, *from as u8))
                        .map_or(0, |i| i + 1);
                    room.messages.insert(
                        place,
                        Message {
                            id: message.clone(),
                            from: *from,
                            text: text.clone(),
                            at: *at,
                            delivered: false,
                        },
                    );
                }
                Event::Delivered { from, ids, .. } => {
                    for message in &mut room.messages {
                        if message.from == *from && ids.contains(&message.id) {
                            message.delivered = true;
                        }
                    }
                }
                Event::Proposed { keep, .. } if !ended => {
                    room.proposal = Some(*keep);
                    room.answer = None;
                }
                Event::Answered { yes, .. } => {
                    room.proposal = None;
                    room.answer = Some(*yes);
                }
                Event::Ended { by, .. } if !ended => {
                    room.stage = Stage::Ended(*by);
                    room.proposal = None;
                    room.ended = Some(Instant::now());
                    queue = Some(room.joining.organisation.clone());
                }
                _ => return,
            }
            room.version.send_modify(|v| *v += 1);
        }
        drop(rooms);
        if let Some(organisation) = queue {
            self.queue_bell(&organisation).send_modify(|v| *v += 1);
            if departed {
                self.departure_bell(&organisation).send_modify(|v| *v += 1);
            }
        }
    }

    /// The bell of departures from an organisation's queue.
    fn departure_bell(&self, organisation: &OrganisationId) -> watch::Sender<u64> {
        self.departures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(organisation.clone())
            .or_insert_with(|| watch::channel(0).0)
            .clone()
    }

    /// Wakes when someone leaves an organisation's queue: the places of
    /// those behind move.
    pub fn watch_place(&self, organisation: &OrganisationId) -> watch::Receiver<u64> {
        self.departure_bell(organisation).subscribe()
    }

    /// The bell of an organisation's queue.
    fn queue_bell(&self, organisation: &OrganisationId) -> watch::Sender<u64> {
        self.queues
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(organisation.clone())
            .or_insert_with(|| watch::channel(0).0)
            .clone()
    }

    /// Wakes at every change of an organisation's queue.
    pub fn watch_queue(&self, organisation: &OrganisationId) -> watch::Receiver<u64> {
        self.queue_bell(organisation).subscribe()
    }

    /// Wakes at every change of a room.
    pub fn watch_room(&self, id: &LiveId) -> Option<watch::Receiver<u64>> {
        self.rooms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(id)
            .map(|room| room.version.subscribe())
    }

    /// What a room holds now, with her place in the queue.
    pub fn view(&self, id: &LiveId) -> Option<RoomView> {
        let rooms = self
            .rooms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let room = rooms.get(id)?;
        let position = match room.stage {
            Stage::Waiting => self
                .lines
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(&room.joining.organisation)
                .map_or(1, |line| {
                    1 + line
                        .binary_search(&(room.joining.joined_at, id.clone()))
                        .unwrap_or_else(|at| at)
                }),
            _ => 0,
        };
        Some(RoomView {
            joining: room.joining.clone(),
            stage: room.stage.clone(),
            messages: room.messages.clone(),
            proposal: room.proposal,
            answer: room.answer,
            position,
        })
    }

    /// The first `at_most` people waiting for an organisation, first
    /// first (id, when they joined, urgency, language), and how many wait
    /// in all.
    pub fn waiting(
        &self,
        organisation: &OrganisationId,
        at_most: usize,
    ) -> (Vec<(LiveId, Joining)>, usize) {
        let rooms = self
            .rooms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let lines = self
            .lines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let line = lines.get(organisation);
        let first = line
            .into_iter()
            .flatten()
            .filter_map(|(_, id)| rooms.get(id).map(|r| (id.clone(), r.joining.clone())))
            .take(at_most)
            .collect();
        (first, line.map_or(0, Vec::len))
    }

    /// The conversation a professional is having, if any.
    pub fn talking_with(&self, professional: &UserId) -> Option<LiveId> {
        self.rooms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .find(|(_, r)| r.stage == Stage::Talking(professional.clone()))
            .map(|(id, _)| id.clone())
    }

    /// The conversation a professional had last, ended a moment ago: the
    /// console still shows how it ended.
    pub fn last_of(&self, professional: &UserId) -> Option<LiveId> {
        self.rooms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .filter(|(_, r)| r.professional.as_ref() == Some(professional))
            .filter_map(|(id, r)| r.ended.map(|at| (at, id)))
            .max_by_key(|(at, _)| *at)
            .map(|(_, id)| id.clone())
    }

    /// How many wait for an organisation.
    pub fn queue_length(&self, organisation: &OrganisationId) -> usize {
        self.lines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(organisation)
            .map_or(0, Vec::len)
    }

    /// Counts a person's page or socket connected here while the guard
    /// lives: her sign is renewed every few seconds meanwhile.
    pub fn person_connected(self: &Arc<Self>, id: &LiveId) -> Presence {
        *self
            .people
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(id.clone())
            .or_default() += 1;
        Presence {
            live: Arc::clone(self),
            who: Who::Person(id.clone()),
        }
    }

    /// Counts a console connected here while the guard lives.
    pub fn console_connected(self: &Arc<Self>, user: &UserId) -> Presence {
        *self
            .consoles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(user.clone())
            .or_default() += 1;
        Presence {
            live: Arc::clone(self),
            who: Who::Console(user.clone()),
        }
    }

    /// Resolves when the instance stops: connections end then.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Ends every connection of this instance.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Refreshes the availability from the database.
    pub async fn refresh(&self, db: &Db) -> sqlx::Result<()> {
        let now = now();
        let snapshot = Snapshot {
            counted: storage::counted(db, now - self.console_silence).await?,
            lengths: storage::recent_lengths(db, now - 86_400).await?,
        };
        *self
            .snapshot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(snapshot);
        Ok(())
    }

    /// Forgets the rooms ended a while ago, and those the database no
    /// longer has open (ended by an instance whose event was lost).
    /// `open` was read at `listed`: a room heard of since then is not in
    /// it yet, and is left alone (ending it would end a conversation that
    /// has just begun).
    fn tidy(&self, open: &[storage::Open], listed: Instant) {
        let mut rooms = self
            .rooms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let open: std::collections::HashSet<&LiveId> = open.iter().map(|o| &o.id).collect();
        let mut lines = self
            .lines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (id, room) in rooms.iter_mut() {
            if room.ended.is_none() && room.known < listed && !open.contains(id) {
                if room.stage == Stage::Waiting
                    && let Some(line) = lines.get_mut(&room.joining.organisation)
                {
                    line.retain(|(_, other)| other != id);
                }
                room.stage = Stage::Ended(Ended::Nobody);
                room.ended = Some(Instant::now());
                room.version.send_modify(|v| *v += 1);
            }
        }
        drop(lines);
        rooms.retain(|_, room| room.ended.is_none_or(|at| at.elapsed() < ENDED_KEPT));
    }
}

/// Who a [`Presence`] counts.
#[derive(Debug)]
enum Who {
    Person(LiveId),
    Console(UserId),
}

/// A connection counted while it lives.
#[derive(Debug)]
pub struct Presence {
    live: Arc<Live>,
    who: Who,
}

impl Drop for Presence {
    fn drop(&mut self) {
        fn leave<K: std::hash::Hash + Eq>(map: &Mutex<HashMap<K, usize>>, key: &K) {
            let mut map = map
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(count) = map.get_mut(key) {
                *count -= 1;
                if *count == 0 {
                    map.remove(key);
                }
            }
        }
        match &self.who {
            Who::Person(id) => leave(&self.live.people, id),
            Who::Console(user) => leave(&self.live.consoles, user),
        }
    }
}

/// Now, in UNIX seconds.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The local time of a message, `14:05`.
pub fn clock(at_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(at_ms)
        .ok()
        .and_then(|at| at.in_tz("Europe/Paris").ok())
        .map(|at| at.strftime("%H:%M").to_string())
        .unwrap_or_default()
}

/// A fresh message id, for the forms that write one.
pub fn fresh_id() -> String {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).expect("the system gives random bytes");
    hex::encode(bytes)
}

/// Now, in milliseconds.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

impl LiveState {
    /// Counts one event of live help in a territory, today there.
    pub async fn count(&self, territory: &str, event: Counter) {
        let today = self.directory.index().today_in(territory);
        if let Err(error) = counters::increment(&self.db, today, territory, event).await {
            tracing::warn!(%error, event = event.as_str(), "could not count a live event");
        }
    }

    /// A message of `from`, once (the room ignores an id it has, and any
    /// message once the conversation has ended).
    pub async fn say(&self, id: &LiveId, message: &str, from: Author, text: String) {
        self.live
            .publish(Event::Said {
                s: id.clone(),
                id: message.to_owned(),
                from,
                text,
                at: now_ms(),
            })
            .await;
    }

    /// Ends a conversation if it has not ended: in the database first (so
    /// that exactly one instance does it), then everywhere.
    pub async fn end(&self, id: &LiveId, by: Ended) -> sqlx::Result<bool> {
        if !storage::end(&self.db, id, by, now()).await? {
            return Ok(false);
        }
        let view = self.live.view(id);
        self.live.publish(Event::Ended { s: id.clone(), by }).await;
        if let Some(view) = view {
            let event = match view.stage {
                Stage::Waiting => counted::LEFT_WAITING,
                _ => counted::ENDED,
            };
            if !(view.stage == Stage::Waiting && by == Ended::Nobody) {
                self.count(&view.joining.territory, event).await;
            }
        }
        Ok(true)
    }

    /// One round of upkeep: renew the signs of what is connected here,
    /// end what went silent, read the availability again.
    pub async fn tick(&self) -> sqlx::Result<()> {
        let now = now();
        let live = &self.live;
        let people: Vec<LiveId> = live
            .people
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .keys()
            .cloned()
            .collect();
        let consoles: Vec<UserId> = live
            .consoles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .keys()
            .cloned()
            .collect();
        storage::touch_people(&self.db, &people, now).await?;
        storage::touch_consoles(&self.db, &consoles, now).await?;
        live.refresh(&self.db).await?;
        let snapshot = live.snapshot();
        let listed = Instant::now();
        let open = storage::open(&self.db).await?;
        let silent = now - live.person_silence;
        for session in &open {
            let ended = if session.person_seen < silent {
                Some(if session.state == "waiting" {
                    Ended::Person
                } else {
                    Ended::PersonSilent
                })
            } else if session.state == "talking"
                && session.professional_seen.is_none_or(|seen| seen < silent)
            {
                Some(Ended::ProfessionalSilent)
            } else if session.state == "waiting"
                && (snapshot
                    .counted
                    .get(&session.organisation_id)
                    .copied()
                    .unwrap_or(0)
                    == 0
                    || !self.open_now(&session.organisation_id))
            {
                Some(Ended::Nobody)
            } else {
                None
            };
            if let Some(by) = ended {
                self.end(&session.id, by).await?;
            }
        }
        live.tidy(&open, listed);
        Ok(())
    }

    /// Whether an organisation's live hours are open now.
    pub fn open_now(&self, organisation: &OrganisationId) -> bool {
        let index = self.directory.index();
        offer::live_organisation(&index, organisation, jiff::Timestamp::now())
            .is_some_and(|o| o.open)
    }

    /// Runs the upkeep and the bus until the instance stops.
    pub async fn run(self) {
        let listening = tokio::spawn(Arc::clone(&self.live).listen());
        let mut forget = Instant::now();
        let mut closing = self.live.closing();
        loop {
            tokio::select! {
                () = tokio::time::sleep(TICK) => {}
                _ = closing.changed() => break,
            }
            if let Err(error) = self.tick().await {
                tracing::warn!(%error, "live help: could not renew the signs");
            }
            if forget.elapsed() > Duration::from_secs(600) {
                forget = Instant::now();
                if let Err(error) = storage::forget(&self.db, now() - 86_400).await {
                    tracing::warn!(%error, "live help: could not forget old conversations");
                }
            }
        }
        listening.abort();
    }
}

impl Live {
    /// Applies the other instances' events until the instance stops.
    async fn listen(self: Arc<Self>) {
        let instance = self.instance.clone();
        let live = Arc::clone(&self);
        self.bus
            .listen(&instance, move |event| live.apply(&event))
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joining(organisation: &str) -> Box<Joining> {
        Box::new(Joining {
            organisation: OrganisationId::from(organisation),
            organisation_name: "Écoute".to_owned(),
            territory: "montreuillois".to_owned(),
            language: "fr".to_owned(),
            urgent: false,
            joined_at: 1,
            report: None,
            channel: None,
            token: String::new(),
        })
    }

    #[tokio::test]
    async fn the_tidy_ends_only_rooms_it_could_have_seen_in_the_database() {
        let db = Db::connect(
            &crate::config::DatabaseTarget::Url("sqlite::memory:".to_owned().into()),
            1,
        )
        .await
        .unwrap();
        let secret = ServerSecret::random().unwrap();
        let live = Live::new(&db, &secret, &crate::config::Settings::default());
        let (before, after) = (LiveId::new(), LiveId::new());
        live.apply(&Event::Joined {
            s: before.clone(),
            room: joining("o1"),
        });
        // The list of open conversations is read, empty: `before` was
        // ended elsewhere. `after` joins while the list is being read.
        let listed = Instant::now();
        live.apply(&Event::Joined {
            s: after.clone(),
            room: joining("o1"),
        });
        live.tidy(&[], listed);
        let stage = |id: &LiveId| live.view(id).map(|view| view.stage);
        assert_eq!(stage(&before), Some(Stage::Ended(Ended::Nobody)));
        assert_eq!(stage(&after), Some(Stage::Waiting));
    }
}
