//! `cargo xtask stall`: can one request occupy a core, and does the quick
//! exit still answer while the heavy work is saturated?
//!
//! 1. For every public form of the registry (`relais::app::Routes::listed()`), every
//!    field is posted alone far beyond its bound (to the body limit, with
//!    words the commune search folds), and, for the conversation, next to
//!    every step it could answer. The server's CPU time for each request is
//!    read from `/proc/<pid>/task/*/schedstat` (nanoseconds, every thread of
//!    the server); the worst of each form is reported.
//! 2. `clients` clients then send the worst requests for `seconds`: sign-in
//!    attempts (Argon2id, 64 MiB) and receipt guesses (Argon2id, 4 MiB),
//!    each from another address (`X-Forwarded-For`, as a botnet would, so
//!    that no per-client limit stops them), and the worst search and answer
//!    found in 1. Meanwhile one probe asks `/sortie`, `/` and `/healthz` in
//!    turn, and its latency is reported.
//!
//! `--binary PATH` measures another build of `relais serve` (an older one,
//! to compare); it must accept `--client-ip-header`.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Method, Request, header};

use crate::client::{Response, form_value, get, send};
use crate::process::{Guard, free_port, stop, threads_cpu_time, until_healthy};

/// What a request may take before the measurement gives up on it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// The worst request found against one form.
pub struct Worst {
    route: String,
    what: String,
    bytes: usize,
    cpu: Duration,
}

/// Latencies of one probe path while the heavy work was saturated.
pub struct Probe {
    path: &'static str,
    p50: Duration,
    p99: Duration,
    max: Duration,
    count: usize,
}

/// What the stall measurement found.
pub struct Measured {
    clients: usize,
    seconds: u64,
    worst: Vec<Worst>,
    probes: Vec<Probe>,
    heavy_requests: u64,
}

/// One POST with extra headers, on a fresh connection.
async fn post_with(
    addr: SocketAddr,
    path: &str,
    body: &str,
    headers: &[(&str, String)],
) -> anyhow::Result<Response> {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::HOST, addr.to_string())
        .header(header::USER_AGENT, "relais-stall")
        .header(header::CONNECTION, "close")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let body = Bytes::copy_from_slice(body.as_bytes());
    send(addr, request.body(Full::new(body))?).await
}

/// Words the commune search folds, to the length asked.
fn filler(len: usize) -> String {
    "saint-pierre montreuil "
        .chars()
        .cycle()
        .take(len)
        .collect()
}

/// Starts `relais serve` behind a pretend proxy, without the request limit.
async fn start(relais: &Path, data: &Path) -> anyhow::Result<(Guard, SocketAddr)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()?));
    let child = Command::new(relais)
        .args([
            "serve",
            "--addr",
            &addr.to_string(),
            "--log",
            "error",
            "--rate-limit-per-minute",
            "0",
            "--client-ip-header",
            "x-forwarded-for",
        ])
        .arg("--data-dir")
        .arg(data.join("relais-data"))
        .current_dir(data)
        .stdout(Stdio::null())
        .spawn()?;
    let guard = Guard(child);
    until_healthy(addr, Duration::from_millis(10)).await?;
    Ok((guard, addr))
}

/// Every worst body to try against each public form: each field alone to
/// the body limit, and, for the conversation, next to every step.
fn candidates(body_limit: usize) -> anyhow::Result<Vec<(String, String, String)>> {
    let secret = relais::secret::ServerSecret::random()?;
    let conversation = relais::conversation::Conversation::national(&secret)?;
    let steps: Vec<String> = conversation
        .national
        .steps()
        .map(|s| s.id.clone())
        .collect();
    let mut out = Vec::new();
    for route in relais::app::Routes::listed().site.examples() {
        let Some(form) = route.form else { continue };
        for field in form.fields.iter() {
            let contexts: Vec<String> = if route.pattern == "/aide" && field.name != "etape" {
                steps.iter().map(|s| format!("etape={s}&")).collect()
            } else {
                vec![String::new()]
            };
            for context in contexts {
                let room = body_limit.saturating_sub(context.len() + field.name.len() + 64);
                let body = format!("{context}{}={}", field.name, form_value(&filler(room)));
                let what = format!(
                    "{}{} at the body limit",
                    context.replace('&', " "),
                    field.name
                );
                out.push((route.pattern.to_owned(), what, body));
            }
        }
    }
    Ok(out)
}

/// Runs the stall measurement with the release binary `relais`.
pub async fn run(
    relais: &Path,
    data: &Path,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<Measured> {
    let (server, addr) = start(relais, data).await?;
    let pid = server.0.id();
    let body_limit = relais::config::Settings::default().body_limit;

    // 1. The worst request against each form.
    let mut worst: Vec<Worst> = Vec::new();
    for (route, what, body) in candidates(body_limit)? {
        let before = threads_cpu_time(pid)?;
        let answered =
            tokio::time::timeout(REQUEST_TIMEOUT, post_with(addr, &route, &body, &[])).await;
        let cpu = threads_cpu_time(pid)? - before;
        let what = match answered {
            Ok(Ok(_)) => what,
            _ => format!("{what} (no answer within {} s)", REQUEST_TIMEOUT.as_secs()),
        };
        match worst.iter_mut().find(|w| w.route == route) {
            Some(known) if known.cpu >= cpu => {}
            Some(known) => {
                *known = Worst {
                    route,
                    what,
                    bytes: body.len(),
                    cpu,
                };
            }
            None => worst.push(Worst {
                route,
                what,
                bytes: body.len(),
                cpu,
            }),
        }
    }

    // 2. Saturation, and the quick exit meanwhile.
    let form = get(addr, "/pro/connexion", false).await?;
    let jeton = form
        .text()
        .split("name=\"jeton\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .context("no sign-in token")?
        .to_owned();
    let body_of = |route: &str| {
        candidates(body_limit).ok().and_then(|all| {
            let target = worst.iter().find(|w| w.route == route)?;
            all.into_iter()
                .find(|(r, what, _)| r == route && target.what.starts_with(what.as_str()))
                .map(|(_, _, body)| body)
        })
    };
    let search = Arc::new(body_of("/annuaire").unwrap_or_default());
    let answer = Arc::new(body_of("/aide").unwrap_or_default());
    let stop_flag = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for n in 0..clients {
        let (stop_flag, served) = (Arc::clone(&stop_flag), Arc::clone(&served));
        let (search, answer, jeton) = (Arc::clone(&search), Arc::clone(&answer), jeton.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            while !stop_flag.load(Ordering::Relaxed) {
                i += 1;
                let from = vec![(
                    "X-Forwarded-For",
                    format!("10.{}.{}.{}", n, (i >> 8) & 255, i & 255),
                )];
                let (path, body) = match n % 4 {
                    0 => (
                        "/pro/connexion",
                        format!(
                            "email=personne{i}%40example.org&password={}&jeton={jeton}&suite=%2Fpro",
                            "x".repeat(64)
                        ),
                    ),
                    1 => ("/suivi", format!("code={:016}", 1_000_000_000_000_000u64 + i)),
                    2 => ("/annuaire", (*search).clone()),
                    _ => ("/aide", (*answer).clone()),
                };
                let request = post_with(addr, path, &body, &from);
                if tokio::time::timeout(REQUEST_TIMEOUT, request).await.is_ok() {
                    served.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    // Let the heavy work fill every slot before probing.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let paths: [&'static str; 3] = ["/sortie", "/", "/healthz"];
    let mut latencies: Vec<Vec<Duration>> = vec![Vec::new(); paths.len()];
    let until = Instant::now() + duration;
    let mut turn = 0;
    while Instant::now() < until {
        let index = turn % paths.len();
        let asked = Instant::now();
        let answered =
            tokio::time::timeout(Duration::from_secs(30), get(addr, paths[index], false)).await;
        if let Ok(Ok(response)) = answered
            && !response.status.is_server_error()
        {
            latencies[index].push(asked.elapsed());
        } else {
            latencies[index].push(Duration::from_secs(30));
        }
        turn += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop_flag.store(true, Ordering::Relaxed);
    for task in tasks {
        task.abort();
    }
    let mut server = server;
    stop(&mut server.0)?;
    let probes = paths
        .iter()
        .zip(latencies)
        .map(|(path, mut times)| {
            times.sort_unstable();
            let at = |p: f64| {
                let index = ((times.len() as f64 - 1.0) * p).round() as usize;
                times.get(index).copied().unwrap_or_default()
            };
            Probe {
                path,
                p50: at(0.5),
                p99: at(0.99),
                max: times.last().copied().unwrap_or_default(),
                count: times.len(),
            }
        })
        .collect();
    Ok(Measured {
        clients,
        seconds: duration.as_secs(),
        worst,
        probes,
        heavy_requests: served.load(Ordering::Relaxed),
    })
}

/// The Markdown of the stall measurement.
pub fn report(measured: &Measured) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n| worst request against each public form (every field posted alone to the body limit; the conversation's next to every step) | server CPU |\n|---|---|"
    );
    for worst in &measured.worst {
        let _ = writeln!(
            out,
            "| `POST {}`: {} ({} B) | {:.1} ms |",
            worst.route,
            worst.what,
            worst.bytes,
            worst.cpu.as_secs_f64() * 1000.0
        );
    }
    let _ = writeln!(
        out,
        "\n| while {} clients send the worst requests for {} s ({} answered: sign-ins and receipts from ever new addresses, the worst search and answer) | p50 | p99 | max | probes |\n|---|---|---|---|---|",
        measured.clients, measured.seconds, measured.heavy_requests
    );
    for probe in &measured.probes {
        let _ = writeln!(
            out,
            "| `GET {}` | {:.1} ms | {:.1} ms | {:.1} ms | {} |",
            probe.path,
            probe.p50.as_secs_f64() * 1000.0,
            probe.p99.as_secs_f64() * 1000.0,
            probe.max.as_secs_f64() * 1000.0,
            probe.count
        );
    }
    out
}
