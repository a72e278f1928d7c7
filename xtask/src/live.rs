//! The live help benchmark ("Parler maintenant", docs/live.md), each
//! measure against a baseline measured in the same run with the same
//! client:
//!
//! - idle people: `--people` WebSockets joined to one organisation's queue
//!   and left open, the server's resident memory before and after and the
//!   time to accept them all; baseline, as many idle WebSockets to the bare
//!   axum echo of `cargo xtask hello` (`/echo`), each sending the same
//!   first frame and reading its echo;
//! - conversations: `--conversations` people each talking with a
//!   professional of their own, one message a second each way, the time
//!   from a message's sending (the client's clock, in the text) to its
//!   arrival on the other side; on one SQLite instance, then, with
//!   `--postgres URL` (or `RELAIS_BENCH_POSTGRES`), across two instances
//!   (the person on one, the professional on the other); baseline, twice
//!   as many sockets to the echo sending one message a second, half the
//!   round trip;
//! - the page without JavaScript (`POST /parler`, `action=attendre`): it
//!   streams until the conversation ends, so each request reads its first
//!   chunk (the page up to the conversation) and closes; against the bare
//!   "hello" read the same way.
//!
//! Professionals are made in the database with a complete session (no
//! sign-in), in an organisation of the demo territory whose live help is
//! set on around the clock, so that no measure depends on the time of day.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures_util::{SinkExt as _, StreamExt as _};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use relais::backoffice::session::{random_token, token_hash};
use relais::backoffice::storage::{Role, Stage, create_session, create_user};
use relais::config::DatabaseTarget;
use relais::storage::{Db, OrganisationId};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::client::{post, request, token_in};
use crate::process::{Guard, addr_of, resident_kib, start_relais_with, stop, tempdir};

/// The demo territory, where the bench's organisation is.
const TERRITORY: &str = "montreuillois";
/// Handshakes in flight at once while sockets are opened.
const OPENING: usize = 64;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Options of the live measures.
pub struct Options {
    /// Idle people in the queue.
    pub people: usize,
    /// Conversations at one message a second each way.
    pub conversations: usize,
    /// Seconds of conversation, and of load on the page without JavaScript.
    pub seconds: u64,
    /// Load connections for the page without JavaScript.
    pub connections: usize,
    /// A PostgreSQL database for the two-instance measure.
    pub postgres: Option<String>,
}

/// Idle sockets: memory and the time to accept them.
struct Idle {
    accepted: usize,
    before_kib: u64,
    after_kib: u64,
    accept: Duration,
}

/// Message latencies of one run of conversations.
struct Talk {
    conversations: usize,
    sent: usize,
    received: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

/// First chunks per second, and their latency.
struct FirstChunks {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// What the live benchmark measured.
pub struct Measured {
    people: usize,
    relais_idle: Idle,
    echo_idle: Idle,
    sqlite: Talk,
    postgres: Result<Talk, String>,
    echo_talk: Talk,
    page: FirstChunks,
    hello: FirstChunks,
    seconds: u64,
    connections: usize,
}

/// A professional with a complete session.
#[derive(Clone)]
struct Professional {
    cookie: String,
    csrf: String,
}

/// Opens `database` (SQLite in `data/relais-data` when `None`), with the
/// demo territory, its first organisation offering live help around the
/// clock, and `count` professionals of it, each with a session.
async fn prepare(
    data: &Path,
    database: Option<&str>,
    count: usize,
) -> anyhow::Result<(OrganisationId, Vec<Professional>)> {
    let dir = data.join("relais-data");
    relais::storage::create_private_dir(&dir)?;
    let db = match database {
        None => Db::sqlite_file(&dir.join("relais.sqlite3"), 1).await?,
        Some(url) => Db::connect(&DatabaseTarget::Url(url.to_owned().into()), 2).await?,
    };
    db.migrate().await?;
    relais::directory::load_demo_if_empty(&db).await?;
    let (organisations, _) = relais::directory::storage::directory(&db, Some(TERRITORY)).await?;
    let mut organisation = organisations
        .into_iter()
        .next()
        .context("the demo territory has an organisation")?;
    organisation.live = true;
    organisation.live_hours = "24/7".to_owned();
    let mut tx = db.begin().await?;
    relais::directory::storage::save_organisation(&mut tx, TERRITORY, &organisation).await?;
    // Fresh addresses each run: a PostgreSQL database keeps those of the
    // runs before.
    let run = relais::storage::ReferralId::new();
    let mut professionals = Vec::with_capacity(count);
    for n in 0..count {
        let user = create_user(
            &mut tx,
            &format!("live{n}-{}@example.org", run.as_str()),
            Role::Professional,
            Some(&organisation.id),
            &[],
        )
        .await?;
        let cookie = random_token();
        let csrf = random_token();
        create_session(&mut tx, &token_hash(&cookie), &user, Stage::Full, &csrf).await?;
        professionals.push(Professional { cookie, csrf });
    }
    tx.commit().await?;
    db.close().await;
    Ok((organisation.id, professionals))
}

/// The settings of every live server: no per-client limits, no queue
/// bound.
const SETTINGS: [&str; 4] = [
    "--live-joins-per-client-per-hour",
    "0",
    "--live-queue-max",
    "0",
];

/// Starts a server on `data`, on `database` when given.
async fn start(relais: &Path, data: &Path, database: Option<&str>) -> anyhow::Result<Guard> {
    let mut args: Vec<&str> = SETTINGS.to_vec();
    if let Some(url) = database {
        args.extend(["--database-url", url]);
    }
    let (_, child) = start_relais_with(relais, data, &args).await?;
    Ok(Guard(child))
}

/// A professional's form post; its status.
async fn pro_post(
    addr: SocketAddr,
    pro: &Professional,
    path: &str,
    body: &str,
) -> anyhow::Result<u16> {
    let mut request = request(path, Some(body), false, true)?;
    request.headers_mut().insert(
        hyper::header::COOKIE,
        format!("__Host-relais={}", pro.cookie).parse()?,
    );
    Ok(crate::client::send(addr, request).await?.status.as_u16())
}

/// Puts every professional on duty.
async fn on_duty(addr: SocketAddr, pros: &[Professional]) -> anyhow::Result<()> {
    for_each(pros, 8, move |pro| async move {
        let body = format!("csrf={}&action=commencer", pro.csrf);
        let status = pro_post(addr, &pro, "/pro/permanence/service", &body).await?;
        if status != 303 {
            bail!("going on duty answered {status}");
        }
        Ok(())
    })
    .await
}

/// Runs `work` for each item, `width` at a time.
async fn for_each<T, F, Fut>(items: &[T], width: usize, work: F) -> anyhow::Result<()>
where
    T: Clone + Send + 'static,
    F: Fn(T) -> Fut,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let semaphore = Arc::new(Semaphore::new(width));
    let mut tasks = Vec::with_capacity(items.len());
    for item in items {
        let permit = Arc::clone(&semaphore).acquire_owned().await?;
        let future = work(item.clone());
        tasks.push(tokio::spawn(async move {
            let result = future.await;
            drop(permit);
            result
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

/// The token of a conversation that reached an outcome ("I would rather
/// call someone"), once the server offers live help with `organisation`:
/// availability is read every 2 s.
async fn offered_token(addr: SocketAddr, organisation: &OrganisationId) -> anyhow::Result<String> {
    let started = Instant::now();
    loop {
        let token = token_in(&crate::client::get(addr, "/aide", false).await?)?;
        let page = post(
            addr,
            "/aide",
            &format!("t={token}&etape=formulaire&choix=appeler"),
        )
        .await?;
        if page.text().contains(organisation.as_str()) {
            return token_in(&page);
        }
        if started.elapsed() > Duration::from_secs(15) {
            bail!("live help was not offered within 15 s");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Opens a WebSocket, with the professional's session when given.
async fn open(addr: SocketAddr, path: &str, cookie: Option<&str>) -> anyhow::Result<Socket> {
    let mut request = format!("ws://{addr}{path}").into_client_request()?;
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", format!("__Host-relais={cookie}").parse()?);
    }
    // Browsers send without Nagle's delay: so does the bench.
    let (socket, _) = tokio_tungstenite::connect_async_with_config(request, None, true).await?;
    Ok(socket)
}

/// The next text frame, as JSON.
async fn next_json(socket: &mut Socket) -> anyhow::Result<serde_json::Value> {
    loop {
        match socket.next().await.context("the socket closed")?? {
            Message::Text(text) => return Ok(serde_json::from_str(&text)?),
            Message::Close(_) => bail!("the socket closed"),
            _ => {}
        }
    }
}

/// The join frame of a person.
fn join_frame(token: &str, organisation: &OrganisationId) -> String {
    serde_json::json!({"type": "join", "t": token, "organisation": organisation.as_str(), "share": true})
        .to_string()
}

/// A person joins the queue through her socket; the socket and her handle.
async fn join(addr: SocketAddr, frame: &str) -> anyhow::Result<(Socket, String)> {
    let mut socket = open(addr, "/parler/ws", None).await?;
    socket.send(Message::text(frame)).await?;
    loop {
        let frame = next_json(&mut socket).await?;
        match frame["type"].as_str() {
            Some("joined") => {
                let handle = frame["h"].as_str().context("a handle")?.to_owned();
                return Ok((socket, handle));
            }
            Some("ended") => bail!("the join was refused: {frame}"),
            _ => {}
        }
    }
}

/// Opens `count` sockets, `OPENING` at a time, with `open_one`; the sockets
/// and the time from the first handshake to the last answer.
async fn open_many<F, Fut>(count: usize, mut open_one: F) -> anyhow::Result<(Vec<Socket>, Duration)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Socket>> + Send + 'static,
{
    let semaphore = Arc::new(Semaphore::new(OPENING));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(count);
    for _ in 0..count {
        let permit = Arc::clone(&semaphore).acquire_owned().await?;
        let future = open_one();
        tasks.push(tokio::spawn(async move {
            let result = future.await;
            drop(permit);
            result
        }));
    }
    let mut sockets = Vec::with_capacity(count);
    for task in tasks {
        sockets.push(task.await??);
    }
    Ok((sockets, started.elapsed()))
}

/// Memory before and after `count` idle people join, on a fresh server
/// with one professional on duty and their console open.
async fn idle_people(relais: &Path, count: usize) -> anyhow::Result<Idle> {
    let data = tempdir("live-idle")?;
    let (organisation, pros) = prepare(&data, None, 1).await?;
    let server = start(relais, &data, None).await?;
    let addr = addr_of(&data)?;
    on_duty(addr, &pros).await?;
    let console = open(addr, "/pro/permanence/ws", Some(&pros[0].cookie)).await?;
    let draining = tokio::spawn(drain(console));
    let token = offered_token(addr, &organisation).await?;
    let frame = join_frame(&token, &organisation);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before_kib = resident_kib(server.0.id())?;
    let (sockets, accept) = open_many(count, || {
        let frame = frame.clone();
        async move { Ok(join(addr, &frame).await?.0) }
    })
    .await?;
    // Past one round of upkeep (every 2 s), everyone renewed.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after_kib = resident_kib(server.0.id())?;
    let accepted = sockets.len();
    drop(sockets);
    draining.abort();
    drop(server);
    Ok(Idle {
        accepted,
        before_kib,
        after_kib,
        accept,
    })
}

/// Reads a socket until it closes.
async fn drain(mut socket: Socket) {
    while let Some(Ok(_)) = socket.next().await {}
}

/// The same for the bare echo.
async fn idle_echo(echo: SocketAddr, pid: u32, count: usize) -> anyhow::Result<Idle> {
    let frame = join_frame(&"t".repeat(176), &OrganisationId::from("x".repeat(32)));
    let before_kib = resident_kib(pid)?;
    let (sockets, accept) = open_many(count, || {
        let frame = frame.clone();
        async move {
            let mut socket = open(echo, "/echo", None).await?;
            socket.send(Message::text(frame)).await?;
            next_json(&mut socket).await?;
            Ok(socket)
        }
    })
    .await?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after_kib = resident_kib(pid)?;
    let accepted = sockets.len();
    drop(sockets);
    Ok(Idle {
        accepted,
        before_kib,
        after_kib,
        accept,
    })
}

/// What every talking socket shares: the clock the texts carry, the
/// latencies seen, the counts.
struct Ledger {
    base: Instant,
    latencies: Mutex<Vec<Duration>>,
    sent: AtomicUsize,
    received: AtomicUsize,
    stop: AtomicBool,
}

impl Ledger {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            base: Instant::now(),
            latencies: Mutex::new(Vec::new()),
            sent: AtomicUsize::new(0),
            received: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        })
    }

    /// A text carrying the time of now.
    fn stamp(&self) -> String {
        format!("t{}", self.base.elapsed().as_micros())
    }

    /// Notes a text received now; `halved` for a round trip.
    fn received(&self, text: &str, halved: bool) {
        let Some(sent) = text.strip_prefix('t').and_then(|t| t.parse::<u64>().ok()) else {
            return;
        };
        let mut latency = self
            .base
            .elapsed()
            .saturating_sub(Duration::from_micros(sent));
        if halved {
            latency /= 2;
        }
        self.received.fetch_add(1, Ordering::Relaxed);
        self.latencies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(latency);
    }

    /// Percentiles of what was received.
    fn talk(&self, conversations: usize) -> Talk {
        let mut latencies = self
            .latencies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        latencies.sort();
        Talk {
            conversations,
            sent: self.sent.load(Ordering::Relaxed),
            received: self.received.load(Ordering::Relaxed),
            p50: percentile(&latencies, 0.50),
            p99: percentile(&latencies, 0.99),
            max: latencies.last().copied().unwrap_or_default(),
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

/// One side of a conversation: reads from the start (the queue and the
/// conversation's frames, as a page does), then, once `go` turns true,
/// sends one message a second (starting at `phase`) while the ledger runs,
/// notes the other side's messages and acknowledges them, as live.js does.
/// `prefix` makes its ids unique.
async fn talk_side(
    socket: Socket,
    ledger: Arc<Ledger>,
    prefix: &'static str,
    phase: Duration,
    mut go: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let (mut sink, mut stream) = socket.split();
    let reader_ledger = Arc::clone(&ledger);
    let (acks, mut to_ack) = tokio::sync::mpsc::unbounded_channel::<String>();
    // What ended the socket, if the server did: said when a send fails.
    let last = Arc::new(Mutex::new(String::from("nothing yet")));
    let reader_last = Arc::clone(&last);
    let reader = tokio::spawn(async move {
        let mut seen = HashSet::new();
        let note = |what: String| {
            *reader_last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = what;
        };
        loop {
            let frame = match stream.next().await {
                Some(Ok(frame)) => frame,
                Some(Err(error)) => return note(format!("a read failed: {error}")),
                None => return note("the stream ended".to_owned()),
            };
            let text = match frame {
                Message::Text(text) => text,
                Message::Close(close) => return note(format!("a close frame: {close:?}")),
                _ => continue,
            };
            let Ok(frame) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            if matches!(frame["type"].as_str(), Some("ended" | "reload")) {
                note(format!("the frame {frame}"));
            }
            if frame["type"] == "message" && frame["mine"] == false {
                let id = frame["id"].as_str().unwrap_or_default().to_owned();
                if seen.insert(id.clone()) {
                    reader_ledger.received(frame["text"].as_str().unwrap_or_default(), false);
                    let _ = acks.send(id);
                }
            }
        }
    });
    go.wait_for(|go| *go).await?;
    tokio::time::sleep(phase).await;
    let mut every = tokio::time::interval(Duration::from_secs(1));
    let mut n = 0u64;
    let why = |error: tokio_tungstenite::tungstenite::Error| {
        let last = last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let side = if prefix == "p" {
            "a person's"
        } else {
            "a console's"
        };
        anyhow::anyhow!("{side} socket failed ({error}) after {last}")
    };
    while !ledger.stop.load(Ordering::Relaxed) {
        tokio::select! {
            _ = every.tick() => {
                n += 1;
                let frame = serde_json::json!({"type": "send", "id": format!("{prefix}{n}"), "text": ledger.stamp()});
                sink.send(Message::text(frame.to_string())).await.map_err(why)?;
                ledger.sent.fetch_add(1, Ordering::Relaxed);
            }
            Some(id) = to_ack.recv() => {
                let frame = serde_json::json!({"type": "seen", "ids": [id]});
                sink.send(Message::text(frame.to_string())).await.map_err(why)?;
            }
        }
    }
    // The last messages' way back.
    tokio::time::sleep(Duration::from_secs(2)).await;
    reader.abort();
    Ok(())
}

/// `count` conversations: people on `person`, professionals on
/// `professional` (the same address on one instance), each one message a
/// second each way for `seconds`.
async fn conversations(
    person: SocketAddr,
    professional: SocketAddr,
    organisation: &OrganisationId,
    pros: &[Professional],
    seconds: u64,
) -> anyhow::Result<Talk> {
    let count = pros.len();
    on_duty(professional, pros).await?;
    let ledger = Ledger::new();
    let (go, ready) = tokio::sync::watch::channel(false);
    let mut sides = Vec::with_capacity(2 * count);
    // Each side reads from its first frame, as a page does: a console
    // that nobody reads would go silent and its conversation end.
    let mut side = |n: usize, socket: Socket, prefix: &'static str| {
        // Spread over the second, so that the load is even.
        let phase = Duration::from_micros((n as u64 * 7919) % 1_000_000);
        sides.push(tokio::spawn(talk_side(
            socket,
            Arc::clone(&ledger),
            prefix,
            phase,
            ready.clone(),
        )));
    };
    eprintln!("  {count} professionals open their console…");
    let cookies: Vec<String> = pros.iter().map(|p| p.cookie.clone()).collect();
    let mut cookies = cookies.into_iter();
    let (consoles, _) = open_many(count, || {
        let cookie = cookies.next().unwrap_or_default();
        async move { open(professional, "/pro/permanence/ws", Some(&cookie)).await }
    })
    .await?;
    for (n, socket) in consoles.into_iter().enumerate() {
        side(count + n, socket, "q");
    }
    let token = offered_token(person, organisation).await?;
    let frame = join_frame(&token, organisation);
    eprintln!("  {count} people join…");
    let (people, _) = open_many(count, || {
        let frame = frame.clone();
        async move { Ok(join(person, &frame).await?.0) }
    })
    .await?;
    for (n, socket) in people.into_iter().enumerate() {
        side(n, socket, "p");
    }
    eprintln!("  {count} professionals take one each…");
    for_each(pros, 8, move |pro| async move {
        let body = format!("csrf={}", pro.csrf);
        let status = pro_post(professional, &pro, "/pro/permanence/prendre", &body).await?;
        if status != 303 {
            bail!("taking answered {status}");
        }
        Ok(())
    })
    .await?;
    // The consoles hear of their conversation.
    tokio::time::sleep(Duration::from_secs(3)).await;
    eprintln!("  {count} conversations for {seconds} s…");
    go.send(true)?;
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    ledger.stop.store(true, Ordering::Relaxed);
    for side in sides {
        side.await??;
    }
    Ok(ledger.talk(count))
}

/// The baseline: `2 × count` sockets to the echo, one message a second
/// each, half the round trip.
async fn echo_talk(echo: SocketAddr, count: usize, seconds: u64) -> anyhow::Result<Talk> {
    let (sockets, _) =
        open_many(2 * count, || async move { open(echo, "/echo", None).await }).await?;
    let ledger = Ledger::new();
    let mut sides = Vec::new();
    for (n, socket) in sockets.into_iter().enumerate() {
        let ledger = Arc::clone(&ledger);
        let phase = Duration::from_micros((n as u64 * 7919) % 1_000_000);
        sides.push(tokio::spawn(async move {
            let (mut sink, mut stream) = socket.split();
            let reader_ledger = Arc::clone(&ledger);
            let reader = tokio::spawn(async move {
                while let Some(Ok(Message::Text(text))) = stream.next().await {
                    if let Ok(frame) = serde_json::from_str::<serde_json::Value>(&text) {
                        reader_ledger.received(frame["text"].as_str().unwrap_or_default(), true);
                    }
                }
            });
            tokio::time::sleep(phase).await;
            let mut every = tokio::time::interval(Duration::from_secs(1));
            let mut n = 0u64;
            while !ledger.stop.load(Ordering::Relaxed) {
                every.tick().await;
                n += 1;
                let frame = serde_json::json!({"type": "send", "id": format!("p{n}"), "text": ledger.stamp()});
                sink.send(Message::text(frame.to_string())).await?;
                ledger.sent.fetch_add(1, Ordering::Relaxed);
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
            reader.abort();
            anyhow::Ok(())
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    ledger.stop.store(true, Ordering::Relaxed);
    for side in sides {
        side.await??;
    }
    Ok(ledger.talk(count))
}

/// One request on a fresh connection, its first chunk read, then closed:
/// the time to that chunk.
async fn first_chunk(addr: SocketAddr, body: Option<&str>, path: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake::<_, Full<Bytes>>(
        hyper_util::rt::TokioIo::new(stream),
    )
    .await?;
    let driver = tokio::spawn(async move {
        let _ = connection.await;
    });
    let response = sender
        .send_request(request(path, body, false, false)?)
        .await?;
    if response.status() != 200 {
        bail!("{path} answered {}", response.status());
    }
    let mut body = response.into_body();
    body.frame().await.context("no first chunk")??;
    let elapsed = started.elapsed();
    driver.abort();
    Ok(elapsed)
}

/// `connections` clients asking for first chunks for `duration`.
async fn first_chunks(
    addr: SocketAddr,
    path: &'static str,
    body: Option<String>,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<FirstChunks> {
    let started = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..connections {
        let body = body.clone();
        clients.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while started.elapsed() < duration {
                times.push(first_chunk(addr, body.as_deref(), path).await?);
            }
            anyhow::Ok(times)
        }));
    }
    let mut times = Vec::new();
    for client in clients {
        times.extend(client.await??);
    }
    let elapsed = started.elapsed();
    times.sort();
    Ok(FirstChunks {
        per_second: times.len() as f64 / elapsed.as_secs_f64(),
        p50: percentile(&times, 0.50),
        p99: percentile(&times, 0.99),
    })
}

/// The page without JavaScript of a person waiting (her socket open, so
/// that she stays), against the bare "hello".
async fn no_js_page(
    relais: &Path,
    hello: SocketAddr,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<(FirstChunks, FirstChunks)> {
    let data = tempdir("live-page")?;
    let (organisation, pros) = prepare(&data, None, 1).await?;
    let server = start(relais, &data, None).await?;
    let addr = addr_of(&data)?;
    on_duty(addr, &pros).await?;
    let console = open(addr, "/pro/permanence/ws", Some(&pros[0].cookie)).await?;
    let draining = tokio::spawn(drain(console));
    let token = offered_token(addr, &organisation).await?;
    let (socket, handle) = join(addr, &join_frame(&token, &organisation)).await?;
    let her = tokio::spawn(drain(socket));
    let baseline = first_chunks(hello, "/", None, connections, duration).await?;
    let page = first_chunks(
        addr,
        "/parler",
        Some(format!("h={handle}&action=attendre")),
        connections,
        duration,
    )
    .await?;
    her.abort();
    draining.abort();
    drop(server);
    Ok((page, baseline))
}

/// Every live measure. `echo` is the address of the bare server (its
/// `/echo` and `/`), `echo_pid` its process.
pub async fn bench(
    relais: &Path,
    echo: SocketAddr,
    echo_pid: u32,
    options: &Options,
) -> anyhow::Result<Measured> {
    let duration = Duration::from_secs(options.seconds);
    eprintln!(
        "live: the page without JavaScript, {} connections…",
        options.connections
    );
    let (page, hello) = no_js_page(relais, echo, options.connections, duration).await?;

    eprintln!("live: {} idle people…", options.people);
    let echo_idle = idle_echo(echo, echo_pid, options.people).await?;
    let relais_idle = idle_people(relais, options.people).await?;

    eprintln!("live: {} conversations on SQLite…", options.conversations);
    let echo_talk = echo_talk(echo, options.conversations, options.seconds).await?;
    let sqlite = {
        let data = tempdir("live-sqlite")?;
        let (organisation, pros) = prepare(&data, None, options.conversations).await?;
        let mut server = start(relais, &data, None).await?;
        let addr = addr_of(&data)?;
        let talk = conversations(addr, addr, &organisation, &pros, options.seconds).await?;
        stop(&mut server.0)?;
        talk
    };

    let postgres = match &options.postgres {
        None => Err(
            "skipped: no PostgreSQL URL (`--postgres URL` or `RELAIS_BENCH_POSTGRES`)".to_owned(),
        ),
        Some(url) => {
            eprintln!(
                "live: {} conversations across two instances on PostgreSQL…",
                options.conversations
            );
            let first = tempdir("live-pg-a")?;
            let second = tempdir("live-pg-b")?;
            let (organisation, pros) = prepare(&first, Some(url), options.conversations).await?;
            // Both instances seal the bus with the same secret.
            let secret = first.join("relais-data/secret.key");
            relais::secret::ServerSecret::load_or_create(&secret)?;
            relais::storage::create_private_dir(&second.join("relais-data"))?;
            std::fs::copy(&secret, second.join("relais-data/secret.key"))?;
            let mut a = start(relais, &first, Some(url)).await?;
            let mut b = start(relais, &second, Some(url)).await?;
            let talk = conversations(
                addr_of(&first)?,
                addr_of(&second)?,
                &organisation,
                &pros,
                options.seconds,
            )
            .await?;
            stop(&mut a.0)?;
            stop(&mut b.0)?;
            Ok(talk)
        }
    };
    Ok(Measured {
        people: options.people,
        relais_idle,
        echo_idle,
        sqlite,
        postgres,
        echo_talk,
        page,
        hello,
        seconds: options.seconds,
        connections: options.connections,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn talk_row(out: &mut String, what: &str, talk: &Talk, budget: &str) {
    let _ = writeln!(
        out,
        "| {what} | {:.1} / {:.1} ms (max {:.1}) | {} / {} | {budget} |",
        ms(talk.p50),
        ms(talk.p99),
        ms(talk.max),
        talk.received,
        talk.sent
    );
}

/// The Markdown of the live measures.
pub fn report(m: &Measured) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n### Live help\n");
    let postgres = if m.postgres.is_ok() {
        " --postgres URL"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{}; command: `cargo xtask bench --only live --seconds {} --connections {} --people {} --conversations {}{postgres}`.\n",
        crate::report::machine(),
        m.seconds,
        m.connections,
        m.people,
        m.sqlite.conversations
    );
    let _ = writeln!(out, "| measure | value | budget |\n|---|---|---|");
    let relais = &m.relais_idle;
    let echo = &m.echo_idle;
    let _ = writeln!(
        out,
        "| {} idle people in one queue, each its own WebSocket (accepted: {}): server memory before / after | {:.1} MB / {:.1} MB | < 500 MB after |",
        m.people,
        relais.accepted,
        mb(relais.before_kib),
        mb(relais.after_kib)
    );
    let _ = writeln!(
        out,
        "| per person | {:.1} KB | |",
        (relais.after_kib.saturating_sub(relais.before_kib)) as f64 * 1.024
            / relais.accepted.max(1) as f64
    );
    let _ = writeln!(
        out,
        "| time to accept them all ({OPENING} handshakes at a time: socket, join, `joined`) | {:.2} s | |",
        relais.accept.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "| baseline: {} idle WebSockets to a bare axum echo, memory before / after; time to open them (the same first frame, its echo) | {:.1} MB / {:.1} MB; {:.2} s | |",
        echo.accepted,
        mb(echo.before_kib),
        mb(echo.after_kib),
        echo.accept.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "\n| {} conversations, one message a second each way for {} s | latency p50 / p99 | received / sent | budget |\n|---|---|---|---|",
        m.sqlite.conversations, m.seconds
    );
    talk_row(&mut out, "one instance, SQLite", &m.sqlite, "p99 < 50 ms");
    match &m.postgres {
        Ok(talk) => talk_row(
            &mut out,
            "two instances, PostgreSQL (the person on one, the professional on the other)",
            talk,
            "p99 < 100 ms",
        ),
        Err(why) => {
            let _ = writeln!(
                out,
                "| two instances, PostgreSQL | {why} | | p99 < 100 ms |"
            );
        }
    }
    talk_row(
        &mut out,
        &format!(
            "baseline: {} sockets to the bare echo, one message a second each, half the round trip",
            2 * m.echo_talk.conversations
        ),
        &m.echo_talk,
        "",
    );
    let _ = writeln!(
        out,
        "\n| page without JavaScript, {} clients for {} s, each request on a fresh connection, its first chunk read, then closed | first chunks/s | ratio | p50 / p99 |\n|---|---|---|---|",
        m.connections, m.seconds
    );
    let _ = writeln!(
        out,
        "| `POST /parler` (`action=attendre`, a person waiting): the page up to the conversation | {:.0} | {:.0} % | {:.2} / {:.2} ms |",
        m.page.per_second,
        100.0 * m.page.per_second / m.hello.per_second.max(1.0),
        ms(m.page.p50),
        ms(m.page.p99)
    );
    let _ = writeln!(
        out,
        "| baseline: bare \"hello\", read the same way | {:.0} | 100 % | {:.2} / {:.2} ms |",
        m.hello.per_second,
        ms(m.hello.p50),
        ms(m.hello.p99)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamped_text_gives_the_time_since_it_was_sent() {
        let ledger = Ledger::new();
        let text = ledger.stamp();
        std::thread::sleep(Duration::from_millis(5));
        ledger.received(&text, false);
        ledger.received("not a stamp", false);
        let talk = ledger.talk(1);
        assert_eq!(talk.received, 1);
        assert!(talk.p50 >= Duration::from_millis(5));
        assert!(talk.p50 < Duration::from_secs(1));
    }

    #[test]
    fn a_round_trip_counts_half() {
        let ledger = Ledger::new();
        let sent = ledger.base.elapsed().as_micros();
        std::thread::sleep(Duration::from_millis(20));
        ledger.received(&format!("t{sent}"), true);
        let talk = ledger.talk(1);
        assert!(talk.p50 >= Duration::from_millis(10));
        assert!(talk.p50 < Duration::from_millis(20));
    }
}
