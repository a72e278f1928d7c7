//! The referral benchmark: durable submissions per second on SQLite through
//! HTTP (the whole of `/envoyer/confirmer`: report built, sealed, receipt
//! hashed, envelope and notifications committed with fsync, receipt page
//! rendered), the server's CPU time per submission, and the cost of one
//! seal. The baseline, measured in the same run with the same number of
//! clients, is a bare durable commit of one small row on the same kind of
//! database file.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use relais::backoffice::storage::{Role, create_user};
use relais::referral::envelope::{PrivateKey, ReferralKey};
use relais::referral::receipt::{Hasher, Receipt};
use relais::referral::storage::{KeyRecord, save_key};
use relais::storage::Db;
use relais::storage::ReferralId;

use crate::client::{Connection, form_value, get, post, request, token_in};
use crate::process::{Guard, addr_of, cpu_time, start_relais, stop};

/// Members with a key in each organisation of the demo territory.
const MEMBERS: usize = 3;

/// What the referral benchmark measured.
pub struct Measured {
    clients: usize,
    submissions_per_second: f64,
    p50: Duration,
    p99: Duration,
    cpu_ms_per_submission: f64,
    commits_per_second: f64,
    stored: i64,
    acknowledged: usize,
    seal: Duration,
    derive: Duration,
    report_bytes: usize,
}

/// A key record as a browser would post it (the server cannot check the
/// wrapped half; random bytes of the right sizes).
fn key_record(key: &PrivateKey) -> KeyRecord {
    use base64::Engine as _;
    let bytes = |n: usize| {
        let hex = ReferralId::new().as_str().repeat(4);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&hex.as_bytes()[..n])
    };
    KeyRecord {
        public_key: key.public_key().encode(),
        salt: bytes(16),
        iterations: 600_000,
        nonce: bytes(12),
        wrapped: bytes(64),
    }
}

/// Prepares `data/relais-data` with the demo territory and `MEMBERS`
/// professionals with a key in each organisation.
async fn prepare(data: &Path) -> anyhow::Result<()> {
    let dir = data.join("relais-data");
    relais::storage::create_private_dir(&dir)?;
    let db = Db::sqlite_file(&dir.join("relais.sqlite3"), 1).await?;
    db.migrate().await?;
    relais::directory::load_demo_if_empty(&db).await?;
    let (organisations, _) =
        relais::directory::storage::directory(&db, Some("montreuillois")).await?;
    let mut tx = db.begin().await?;
    for (n, organisation) in organisations.iter().enumerate() {
        for m in 0..MEMBERS {
            let user = create_user(
                &mut tx,
                &format!("pro{n}-{m}@example.org"),
                Role::Professional,
                Some(&organisation.id),
                &[],
            )
            .await?;
            let (key, _) = PrivateKey::generate();
            save_key(&mut tx, &user, &key_record(&key)).await?;
        }
    }
    tx.commit().await?;
    db.close().await;
    Ok(())
}

/// The conversation to its end; returns the finished conversation's token
/// and the rest of the form of `/envoyer/confirmer`.
async fn conversation(addr: SocketAddr) -> anyhow::Result<(String, String)> {
    let mut token = token_in(&get(addr, "/aide", false).await?)?;
    let story = form_value(&"Ce que je veux dire au professionnel. ".repeat(50));
    let steps = [
        "etape=formulaire&choix=oui".to_owned(),
        "etape=age&nombre=34".to_owned(),
        "etape=danger&choix=non".to_owned(),
        "etape=concerne&choix=moi".to_owned(),
        "etape=violences&choix=physiques&choix=psychologiques&action=repondre".to_owned(),
        "etape=enfants&choix=oui".to_owned(),
        "etape=commune&lieu=Montreuil-sur-Mer".to_owned(),
        "etape=besoins&choix=droits&choix=logement&action=repondre".to_owned(),
        "etape=prenom&texte=Camille".to_owned(),
        "etape=contact&canal=sms&coordonnee=0612345678&moments=le+matin&message_ok=oui&nom_neutre=Madame+Martin&action=repondre".to_owned(),
        format!("etape=message&texte={story}"),
        "etape=resume&action=repondre".to_owned(),
    ];
    let mut html = String::new();
    for step in &steps {
        let page = post(addr, "/aide", &format!("t={token}&{step}")).await?;
        if page.status != 200 {
            bail!("the conversation refused {step}: {}", page.status);
        }
        html = page.text().into_owned();
        token = token_in(&page)?;
    }
    let organisation = html
        .split("formaction=\"/envoyer\"")
        .nth(1)
        .and_then(|b| b.split("name=\"organisation\" value=\"").nth(1))
        .and_then(|r| r.split('"').next())
        .context("no organisation offered to send the report to")?
        .to_owned();
    Ok((
        token,
        format!(
            "organisation={organisation}&canal=sms&coordonnee=06+12+34+56+78&moments=le+matin&message_ok=oui&nom_neutre=Madame+Martin&urgent=non&consentement=oui"
        ),
    ))
}

/// Makes the tokens of as many conversations as needed, each with the same
/// answers: a conversation sends one referral per organisation, so every
/// submission of the benchmark is the end of a conversation of its own. It
/// seals with the server's own secret, read from its data directory, so
/// that the load generator does not have to walk twelve steps each time.
struct Conversations {
    conversation: relais::conversation::Conversation,
    progress: flow::Progress,
}

impl Conversations {
    fn new(data: &Path, token: &str) -> anyhow::Result<Self> {
        let secret =
            relais::secret::ServerSecret::load_or_create(&data.join("relais-data/secret.key"))?;
        let conversation = relais::conversation::Conversation::national(&secret)?;
        let now = jiff::Timestamp::now().as_second();
        let (progress, _) = conversation
            .sealer
            .open(token, conversation.national.version(), now)
            .map_err(|e| anyhow::anyhow!("the conversation's token does not open: {e}"))?;
        Ok(Self {
            conversation,
            progress,
        })
    }

    /// The token of another conversation with the same answers.
    fn another(&self) -> String {
        self.conversation.sealer.seal(
            self.conversation.national.version(),
            jiff::Timestamp::now().as_second(),
            &self.progress,
            &relais::conversation::token::ConversationId::new(),
        )
    }
}

/// `clients` connections submitting for `duration`, each submission the end
/// of another conversation.
async fn submit(
    addr: SocketAddr,
    form: &str,
    conversations: &Arc<Conversations>,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<Vec<Duration>> {
    let stop = Arc::new(AtomicBool::new(false));
    let form = Arc::new(form.to_owned());
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let stop = Arc::clone(&stop);
        let form = Arc::clone(&form);
        let conversations = Arc::clone(conversations);
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(addr).await?;
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let body = format!("t={}&{form}", conversations.another());
                let request = request("/envoyer/confirmer", Some(&body), false, false)?;
                let sent = Instant::now();
                let response = connection.send(request).await?;
                if response.status != 200 || !response.text().contains("class=\"receipt\"") {
                    bail!("a submission failed: {}", response.status);
                }
                latencies.push(sent.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    latencies.sort_unstable();
    Ok(latencies)
}

/// The baseline: `clients` tasks committing one small row each, durably,
/// on a SQLite file opened as Relais opens it.
async fn bare_commits(dir: &Path, clients: usize, duration: Duration) -> anyhow::Result<f64> {
    let db = Db::sqlite_file(&dir.join("baseline.sqlite3"), 8).await?;
    db.migrate().await?;
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let db = db.clone();
        let stop = Arc::clone(&stop);
        tasks.push(tokio::spawn(async move {
            let mut commits = 0_u64;
            let today = jiff::civil::date(2026, 1, 1);
            while !stop.load(Ordering::Relaxed) {
                relais::storage::counters::increment(
                    &db,
                    today,
                    "bench",
                    relais::storage::counters::Event::new("bench"),
                )
                .await?;
                commits += 1;
            }
            anyhow::Ok(commits)
        }));
    }
    let started = Instant::now();
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut commits = 0;
    for task in tasks {
        commits += task.await??;
    }
    db.close().await;
    Ok(commits as f64 / started.elapsed().as_secs_f64())
}

/// Runs the whole referral benchmark with the release binary `relais`.
pub async fn bench(
    relais_binary: &Path,
    data: &Path,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<Measured> {
    prepare(data).await?;
    let (_, server) = start_relais(relais_binary, data).await?;
    let mut server = Guard(server);
    let addr = addr_of(data)?;
    let (token, form) = conversation(addr).await?;
    let conversations = Arc::new(Conversations::new(data, &token)?);
    // Warm up, then measure.
    let warm = submit(
        addr,
        &form,
        &conversations,
        clients,
        Duration::from_millis(500),
    )
    .await?
    .len();
    let cpu_before = cpu_time(server.0.id())?;
    let started = Instant::now();
    let latencies = submit(addr, &form, &conversations, clients, duration).await?;
    let elapsed = started.elapsed();
    let cpu = cpu_time(server.0.id())? - cpu_before;
    stop(&mut server.0)?;

    let db = Db::sqlite_file(&data.join("relais-data/relais.sqlite3"), 1).await?;
    let stored = relais::referral::storage::count(&db).await?;
    db.close().await;
    let commits_per_second = bare_commits(data, clients, duration).await?;

    // The cost of one seal, in process: a fresh key, the report encrypted,
    // the key wrapped for three members and the person.
    let report = vec![b'x'; 6 * 1024];
    let recipients: Vec<_> = (0..=MEMBERS).map(|_| PrivateKey::generate().1).collect();
    let rounds = 2000_u32;
    let sealing = Instant::now();
    for _ in 0..rounds {
        let id = ReferralId::new();
        let key = ReferralKey::random();
        std::hint::black_box(key.seal_report(&id, &report));
        for recipient in &recipients {
            std::hint::black_box(key.wrap_for(recipient, &id));
        }
    }
    let seal = sealing.elapsed() / rounds;
    let hasher = Hasher::new(&relais::secret::ServerSecret::random()?);
    let deriving = Instant::now();
    for _ in 0..200 {
        std::hint::black_box(hasher.derive(&Receipt::generate()));
    }
    let derive = deriving.elapsed() / 200;

    let percentile = |p: f64| {
        let index = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies.get(index).copied().unwrap_or_default()
    };
    Ok(Measured {
        clients,
        submissions_per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: percentile(0.5),
        p99: percentile(0.99),
        cpu_ms_per_submission: cpu.as_secs_f64() * 1000.0 / latencies.len().max(1) as f64,
        commits_per_second,
        stored,
        acknowledged: warm + latencies.len(),
        seal,
        derive,
        report_bytes: report.len(),
    })
}

/// The Markdown lines of the report.
pub fn report(m: &Measured) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n### Referrals\n\n| measure | value | budget |\n|---|---|---|"
    );
    let _ = writeln!(
        out,
        "| durable submissions per second on SQLite, {} clients (`POST /envoyer/confirmer`: report built, sealed for {MEMBERS} members and the person, receipt hashed, envelope and notifications committed with fsync, receipt rendered) | {:.0}/s | ≥ 300/s |",
        m.clients, m.submissions_per_second
    );
    let _ = writeln!(
        out,
        "| baseline: bare durable commits of one small row, same file settings, same clients | {:.0}/s (submissions: {:.0} %) | |",
        m.commits_per_second,
        100.0 * m.submissions_per_second / m.commits_per_second
    );
    let _ = writeln!(
        out,
        "| submission latency p50 / p99 | {:.1} / {:.1} ms | |",
        m.p50.as_secs_f64() * 1000.0,
        m.p99.as_secs_f64() * 1000.0
    );
    let _ = writeln!(
        out,
        "| server CPU time per submission (user + system, from /proc) | {:.2} ms | GlobaLeaks here: 56–64 ms |",
        m.cpu_ms_per_submission
    );
    let _ = writeln!(
        out,
        "| acknowledged / stored after the run | {} / {} | none lost |",
        m.acknowledged, m.stored
    );
    let _ = writeln!(
        out,
        "| one seal: fresh key, {} KB report encrypted, key wrapped for {} recipients (HPKE) | {:.0} µs | |",
        m.report_bytes / 1024,
        MEMBERS + 1,
        m.seal.as_secs_f64() * 1e6
    );
    let _ = writeln!(
        out,
        "| one receipt: Argon2id (4 MiB, 1 pass) and the person's key | {:.0} µs | |",
        m.derive.as_secs_f64() * 1e6
    );
    out
}
