//! Project chores. `cargo xtask bench` measures the budgets of DESIGN.md on
//! this machine, against a bare "hello" axum handler measured in the same
//! run, and prints a Markdown report for BENCHMARKS.md (`--write` replaces
//! the generated section of that file).
//!
//! What it measures, all on loopback with the release build:
//! - the size over the wire of `/` and the assets it loads (brotli), and of
//!   its JavaScript alone;
//! - the release binary's size;
//! - the start-up time (first start, which creates the database and the
//!   secret, then a restart), and the idle resident memory;
//! - requests per second and latency percentiles of `/` and of a bare
//!   "hello" handler, side by side, with the same load generator;
//! - durable referral submissions per second on SQLite, against bare
//!   durable commits, the server's CPU time per submission and the cost of
//!   one seal ([`referral`]).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

mod orientation;
mod referral;
mod stall;

const USAGE: &str = "usage: cargo xtask bench [--seconds N] [--connections N] [--clients N] [--services N] [--queries N] [--write]
       cargo xtask stall [--binary PATH] [--seconds N] [--clients N]   (also part of bench)
       cargo xtask hello --addr IP:PORT   (the baseline server, started by bench)";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("bench") => bench(&args[1..]),
        Some("stall") => stall(&args[1..]),
        Some("hello") => hello(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

/// Options of `bench`.
struct Options {
    seconds: u64,
    connections: usize,
    clients: usize,
    services: usize,
    queries: usize,
    write: bool,
}

fn parse_options(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options {
        seconds: 10,
        connections: 32,
        clients: 8,
        services: 100_000,
        queries: 10_000,
        write: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                options.seconds = args.next().context("--seconds needs a value")?.parse()?;
            }
            "--connections" => {
                options.connections = args
                    .next()
                    .context("--connections needs a value")?
                    .parse()?;
            }
            "--clients" => {
                options.clients = args.next().context("--clients needs a value")?.parse()?;
            }
            "--services" => {
                options.services = args.next().context("--services needs a value")?.parse()?;
            }
            "--queries" => {
                options.queries = args.next().context("--queries needs a value")?.parse()?;
            }
            "--write" => options.write = true,
            other => bail!("unknown option {other}\n{USAGE}"),
        }
    }
    Ok(options)
}

/// `cargo xtask stall`: the worst request against each public form, and the
/// quick exit's latency while heavy work is saturated, for this build or
/// another (`--binary`).
fn stall(args: &[String]) -> anyhow::Result<()> {
    let mut binary: Option<PathBuf> = None;
    let mut seconds = 10;
    let mut clients = 8;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--binary" => binary = Some(args.next().context("--binary needs a path")?.into()),
            "--seconds" => seconds = args.next().context("--seconds needs a value")?.parse()?,
            "--clients" => clients = args.next().context("--clients needs a value")?.parse()?,
            other => bail!("unknown option {other}\n{USAGE}"),
        }
    }
    let relais = match binary {
        Some(path) => path,
        None => release_binary()?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let measured = runtime.block_on(stall::run(
        &relais,
        &tempdir("stall")?,
        clients,
        Duration::from_secs(seconds),
    ))?;
    println!("binary: {}{}", relais.display(), stall::report(&measured));
    Ok(())
}

/// Builds the release binary; returns its path.
fn release_binary() -> anyhow::Result<PathBuf> {
    let root = workspace_root()?;
    eprintln!("building the release binary…");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--package", "relais"])
        .current_dir(&root)
        .status()?;
    if !status.success() {
        bail!("cargo build failed");
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    Ok(target.join("release/relais"))
}

/// The bare baseline: one route answering "Hello, World!".
fn hello(args: &[String]) -> anyhow::Result<()> {
    let addr: SocketAddr = match args {
        [flag, addr] if flag == "--addr" => addr.parse()?,
        _ => bail!("{USAGE}"),
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let router =
            axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
        let listener = tokio::net::TcpListener::bind(addr).await?;
        axum::serve(listener, router).await?;
        Ok(())
    })
}

fn bench(args: &[String]) -> anyhow::Result<()> {
    let options = parse_options(args)?;
    let root = workspace_root()?;
    let relais = release_binary()?;
    let binary_size = std::fs::metadata(&relais)?.len();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let data = tempdir("site")?;

    // Start-up: the first start creates the database and the secret.
    let (first_start, server) = runtime.block_on(start_relais(&relais, &data))?;
    let mut server = Guard(server);
    stop(&mut server.0)?;
    let (restart, server) = runtime.block_on(start_relais(&relais, &data))?;
    let mut server = Guard(server);
    let addr = runtime.block_on(wait_for_addr(&data))?;

    let (page, assets) = runtime.block_on(page_weight(addr))?;
    runtime.block_on(async {
        for _ in 0..20 {
            get(addr, "/", false).await?;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        anyhow::Ok(())
    })?;
    let idle_rss = resident_kib(server.0.id())?;

    let hello_port = free_port()?;
    let hello_addr = SocketAddr::from(([127, 0, 0, 1], hello_port));
    let mut hello = Guard(
        Command::new(std::env::current_exe()?)
            .args(["hello", "--addr", &hello_addr.to_string()])
            .spawn()?,
    );
    runtime.block_on(wait_until_up(hello_addr))?;

    let duration = Duration::from_secs(options.seconds);
    eprintln!(
        "load: {} connections, {} s per run, two rounds…",
        options.connections, options.seconds
    );
    let (step, token_start, token_end) = runtime.block_on(conversation(addr))?;
    let mut rounds = Vec::new();
    for _ in 0..2 {
        let baseline = runtime.block_on(load(
            hello_addr,
            "/",
            None,
            false,
            options.connections,
            duration,
        ))?;
        let home = runtime.block_on(load(addr, "/", None, true, options.connections, duration))?;
        let answer = runtime.block_on(load(
            addr,
            "/aide#fragment",
            Some(&step),
            true,
            options.connections,
            duration,
        ))?;
        let full = runtime.block_on(load(
            addr,
            "/aide",
            Some(&step),
            true,
            options.connections,
            duration,
        ))?;
        rounds.push((baseline, home, answer, full));
    }
    stop(&mut hello.0)?;
    stop(&mut server.0)?;

    eprintln!(
        "referrals: {} clients, {} s…",
        options.clients, options.seconds
    );
    let referrals = runtime.block_on(referral::bench(
        &relais,
        &tempdir("referrals")?,
        options.clients,
        duration,
    ))?;

    eprintln!(
        "stall: the worst request of each form, then {} clients for {} s…",
        options.clients, options.seconds
    );
    let stalls = {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        runtime.block_on(stall::run(
            &relais,
            &tempdir("stall")?,
            options.clients,
            duration,
        ))?
    };

    eprintln!(
        "orientation: {} services, {} queries…",
        options.services, options.queries
    );
    let orientation = orientation::bench(options.services, options.queries);
    let mut report = report(&ReportInput {
        options: &options,
        page,
        assets: &assets,
        binary_size,
        first_start,
        restart,
        idle_rss,
        rounds: &rounds,
        token_start,
        token_end,
    });
    report.push_str(&referral::report(&referrals));
    report.push_str(&stall::report(&stalls));
    report.push_str(&orientation);
    println!("{report}");
    if options.write {
        write_report(&root.join("BENCHMARKS.md"), &report)?;
        eprintln!("BENCHMARKS.md updated");
    }
    Ok(())
}

/// Kills the child if the bench stops early.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn stop(child: &mut Child) -> anyhow::Result<()> {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    child.wait()?;
    Ok(())
}

fn workspace_root() -> anyhow::Result<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(Path::to_path_buf)
        .context("xtask lives in the workspace")
}

fn tempdir(purpose: &str) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("relais-bench-{}-{purpose}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Starts `relais serve` on a free port; returns the time until `/healthz`
/// answers.
async fn start_relais(relais: &Path, data: &Path) -> anyhow::Result<(Duration, Child)> {
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    std::fs::write(data.join("addr"), addr.to_string())?;
    let started = Instant::now();
    let child = Command::new(relais)
        .args([
            "serve",
            "--addr",
            &addr.to_string(),
            "--log",
            "warn",
            "--rate-limit-per-minute",
            "0",
            "--referrals-per-client-per-hour",
            "0",
        ])
        .arg("--data-dir")
        .arg(data.join("relais-data"))
        .current_dir(data)
        .stdout(Stdio::null())
        .spawn()?;
    loop {
        if let Ok(response) = get(addr, "/healthz", false).await
            && response.status == 200
        {
            return Ok((started.elapsed(), child));
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("relais did not start within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

async fn wait_for_addr(data: &Path) -> anyhow::Result<SocketAddr> {
    Ok(std::fs::read_to_string(data.join("addr"))?.parse()?)
}

async fn wait_until_up(addr: SocketAddr) -> anyhow::Result<()> {
    let started = Instant::now();
    while get(addr, "/", false).await.is_err() {
        if started.elapsed() > Duration::from_secs(10) {
            bail!("the hello server did not start");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// Resident memory of a process, in KiB.
fn resident_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .context("no VmRSS")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .context("no value")?
        .parse()?)
}

/// A response as the load generator sees it.
struct Response {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

/// One GET on a fresh connection.
async fn get(addr: SocketAddr, path: &str, brotli: bool) -> anyhow::Result<Response> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(request(path, None, brotli, true).as_bytes())
        .await?;
    read_response(&mut stream).await
}

fn request(path: &str, body: Option<&str>, brotli: bool, close: bool) -> String {
    let method = if body.is_some() { "POST" } else { "GET" };
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: relais-bench\r\n");
    if path.ends_with("#fragment") {
        // What the conversation script asks for: the conversation alone.
        request = request.replace("#fragment", "");
        request.push_str("X-Relais-Fragment: 1\r\n");
    }
    if brotli {
        request.push_str("Accept-Encoding: br, gzip\r\n");
    }
    if close {
        request.push_str("Connection: close\r\n");
    }
    if let Some(body) = body {
        request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    } else {
        request.push_str("\r\n");
    }
    request
}

/// One form POST on a fresh connection.
async fn post(addr: SocketAddr, path: &str, body: &str) -> anyhow::Result<Response> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(request(path, Some(body), false, true).as_bytes())
        .await?;
    read_response(&mut stream).await
}

/// Percent-encodes a form value.
fn form_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The sealed token in a conversation page.
fn token_in(page: &Response) -> anyhow::Result<String> {
    let html = String::from_utf8_lossy(&page.body);
    html.split("name=\"t\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .context("no token in the conversation page")
}

/// Walks the conversation's longest path with every text at its limit;
/// returns the form of one mid-conversation step (to load) and the size of
/// the token at the start and at the end.
async fn conversation(addr: SocketAddr) -> anyhow::Result<(String, usize, usize)> {
    let first = get(addr, "/aide", false).await?;
    let mut token = token_in(&first)?;
    let start_size = token.len();
    let mut step_body = String::new();
    let long = "é".repeat(2000);
    let name = "x".repeat(40);
    let steps: Vec<String> = vec![
        "etape=formulaire&choix=oui".to_owned(),
        "etape=age&nombre=34".to_owned(),
        "etape=danger&choix=oui".to_owned(),
        "etape=urgence&action=repondre".to_owned(),
        "etape=concerne&choix=moi".to_owned(),
        "etape=violences&choix=physiques&choix=psychologiques&choix=sexuelles&choix=economiques&choix=administratives&choix=en-ligne&action=repondre".to_owned(),
        "etape=enfants&choix=oui".to_owned(),
        "etape=commune&lieu=Montreuil-sur-Mer".to_owned(),
        "etape=besoins&choix=droits&choix=plainte&choix=protection&choix=logement&choix=sante&choix=ecoute&choix=social&choix=enfants&choix=etrangers&action=repondre".to_owned(),
        format!("etape=prenom&texte={}", form_value(&name)),
        format!("etape=contact&canal=sms&coordonnee=0612345678&moments={}&message_ok=oui&nom_neutre={}&action=repondre", form_value(&"m".repeat(200)), form_value(&"n".repeat(60))),
        format!("etape=message&texte={}", form_value(&long)),
    ];
    for (i, step) in steps.iter().enumerate() {
        let body = format!("t={token}&{step}");
        if i == 4 {
            // "Qui vit ces violences ?": a step in the middle of the path.
            step_body = body.clone();
        }
        let page = post(addr, "/aide", &body).await?;
        if page.status != 200 {
            bail!("the conversation refused {step}: {}", page.status);
        }
        token = token_in(&page)?;
    }
    Ok((step_body, start_size, token.len()))
}

/// Reads one response with a Content-Length or chunked body.
async fn read_response(stream: &mut TcpStream) -> anyhow::Result<Response> {
    let mut buffer = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("connection closed before the headers");
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let headers = String::from_utf8_lossy(&buffer[..header_end]).to_string();
    let status = headers.split(' ').nth(1).context("no status")?.parse()?;
    let lower = headers.to_ascii_lowercase();
    let mut body = buffer[header_end..].to_vec();
    if let Some(length) = header_value(&lower, "content-length") {
        let length: usize = length.parse()?;
        while body.len() < length {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed in the body");
            }
            body.extend_from_slice(&chunk[..n]);
        }
        body.truncate(length);
    } else if header_value(&lower, "transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        body = read_chunked(stream, body).await?;
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

async fn read_chunked(stream: &mut TcpStream, mut raw: Vec<u8>) -> anyhow::Result<Vec<u8>> {
    let mut chunk = [0u8; 8192];
    let mut body = Vec::new();
    let mut position = 0;
    loop {
        while find(&raw[position..], b"\r\n").is_none() {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed in a chunk");
            }
            raw.extend_from_slice(&chunk[..n]);
        }
        let line_end = position + find(&raw[position..], b"\r\n").unwrap_or_default();
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&raw[position..line_end]).trim(), 16)?;
        let data_start = line_end + 2;
        while raw.len() < data_start + size + 2 {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed in a chunk");
            }
            raw.extend_from_slice(&chunk[..n]);
        }
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&raw[data_start..data_start + size]);
        position = data_start + size + 2;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn header_value<'a>(headers: &'a str, name: &str) -> Option<&'a str> {
    headers.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == name).then(|| value.trim())
    })
}

/// Bytes on the wire for `/` and every asset it references, with brotli.
async fn page_weight(addr: SocketAddr) -> anyhow::Result<(usize, Vec<(String, usize)>)> {
    let page = get(addr, "/", true).await?;
    if !page
        .headers
        .to_ascii_lowercase()
        .contains("content-encoding: br")
    {
        bail!("/ was not compressed");
    }
    let html = get(addr, "/", false).await?.body;
    let html = String::from_utf8_lossy(&html);
    let mut assets = Vec::new();
    for attribute in ["href=\"/static/", "src=\"/static/"] {
        for rest in html.split(attribute).skip(1) {
            let path = format!("/static/{}", rest.split('"').next().unwrap_or_default());
            let response = get(addr, &path, true).await?;
            assets.push((path, response.headers.len() + response.body.len()));
        }
    }
    Ok((page.headers.len() + page.body.len(), assets))
}

/// Figures of one load run.
#[derive(Clone, Copy)]
struct LoadResult {
    requests_per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// Keeps `connections` keep-alive connections busy for `duration` and
/// measures every request's time to its complete response.
async fn load(
    addr: SocketAddr,
    path: &str,
    body: Option<&str>,
    brotli: bool,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<LoadResult> {
    let warm_up = Duration::from_millis(500);
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let measure_from = started + warm_up;
    let request = Arc::new(request(path, body, brotli, false));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let stop = Arc::clone(&stop);
        let request = Arc::clone(&request);
        tasks.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let sent = Instant::now();
                stream.write_all(request.as_bytes()).await?;
                let response = read_response(&mut stream).await?;
                if response.status != 200 {
                    bail!("status {}", response.status);
                }
                if sent >= measure_from {
                    latencies.push(sent.elapsed());
                }
            }
            anyhow::Ok(latencies)
        }));
    }
    tokio::time::sleep(warm_up + duration).await;
    stop.store(true, Ordering::Relaxed);
    let measured = started.elapsed() - warm_up;
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    latencies.sort_unstable();
    let percentile = |p: f64| {
        let index = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies.get(index).copied().unwrap_or_default()
    };
    Ok(LoadResult {
        requests_per_second: latencies.len() as f64 / measured.as_secs_f64(),
        p50: percentile(0.50),
        p99: percentile(0.99),
    })
}

struct ReportInput<'a> {
    options: &'a Options,
    page: usize,
    assets: &'a [(String, usize)],
    binary_size: u64,
    first_start: Duration,
    restart: Duration,
    idle_rss: u64,
    rounds: &'a [(LoadResult, LoadResult, LoadResult, LoadResult)],
    token_start: usize,
    token_end: usize,
}

fn report(input: &ReportInput<'_>) -> String {
    let mut out = String::new();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let date = Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "Measured on {date}, {cpu}, {cores} cores, Linux, loopback; command: `cargo xtask bench --seconds {} --connections {} --clients {} --services {} --queries {}`.\n",
        input.options.seconds,
        input.options.connections,
        input.options.clients,
        input.options.services,
        input.options.queries
    );

    let total: usize = input.page + input.assets.iter().map(|(_, size)| size).sum::<usize>();
    let js: usize = input
        .assets
        .iter()
        .filter(|(path, _)| path.ends_with(".js"))
        .map(|(_, size)| size)
        .sum();
    let _ = writeln!(out, "| measure | value | budget |\n|---|---|---|");
    let _ = writeln!(
        out,
        "| `/` over the wire, brotli (HTML + CSS + JS + icon, with headers) | {:.1} KB | ≤ 30 KB (GlobaLeaks' landing page: 527 KB) |",
        total as f64 / 1000.0
    );
    let _ = writeln!(
        out,
        "| of which the HTML page | {:.1} KB | |",
        input.page as f64 / 1000.0
    );
    for (path, size) in input.assets {
        let _ = writeln!(
            out,
            "| of which `{path}` | {:.1} KB | |",
            *size as f64 / 1000.0
        );
    }
    let _ = writeln!(
        out,
        "| JavaScript | {:.1} KB | ≤ 10 KB |",
        js as f64 / 1000.0
    );
    let _ = writeln!(
        out,
        "| release binary | {:.1} MB | |",
        input.binary_size as f64 / 1_000_000.0
    );
    let _ = writeln!(
        out,
        "| first start (creates the database and secret) to `/healthz` | {:.0} ms | |",
        input.first_start.as_secs_f64() * 1000.0
    );
    let _ = writeln!(
        out,
        "| restart to `/healthz` | {:.0} ms | |",
        input.restart.as_secs_f64() * 1000.0
    );
    let _ = writeln!(
        out,
        "| idle resident memory | {:.1} MB | < 50 MB |",
        input.idle_rss as f64 / 1024.0
    );

    let _ = writeln!(
        out,
        "| conversation token, at the start / at the end of the longest path (every text at its limit) | {} B / {} B | |",
        input.token_start, input.token_end
    );

    let _ = writeln!(
        out,
        "\n| round | hello req/s | `/` req/s | `/` ratio | `/` p50 / p99 | step req/s (with JS) | ratio | p50 / p99 | step req/s (without JS) | ratio | hello p99 |\n|---|---|---|---|---|---|---|---|---|---|---|"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for (i, (baseline, home, step, full)) in input.rounds.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.0} | {:.0} % | {:.2} / {:.2} ms | {:.0} | {:.0} % | {:.2} / {:.2} ms | {:.0} | {:.0} % | {:.2} ms |",
            i + 1,
            baseline.requests_per_second,
            home.requests_per_second,
            100.0 * home.requests_per_second / baseline.requests_per_second,
            ms(home.p50),
            ms(home.p99),
            step.requests_per_second,
            100.0 * step.requests_per_second / baseline.requests_per_second,
            ms(step.p50),
            ms(step.p99),
            full.requests_per_second,
            100.0 * full.requests_per_second / baseline.requests_per_second,
            ms(baseline.p99),
        );
    }
    let _ = writeln!(
        out,
        "\nA step is one answer of the conversation (\"Qui vit ces violences ?\"), posted with its sealed token: the token opened, the flow advanced, the new token sealed, the answer rendered, and compressed when it reaches 4 KiB. With JavaScript the page asks for the conversation alone (`X-Relais-Fragment: 1`); without it, the whole page comes back. Every request says `Accept-Encoding: br, gzip`, as a browser does."
    );
    let _ = writeln!(
        out,
        "\nLatency is the time from sending a request to reading its whole response, on keep-alive connections, with the load generator on the same two cores as the server."
    );
    out
}

const BEGIN: &str = "<!-- bench:begin (written by cargo xtask bench --write) -->";
const END: &str = "<!-- bench:end -->";

fn write_report(path: &Path, report: &str) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let section = format!("{BEGIN}\n{report}{END}");
    let updated = match (text.find(BEGIN), text.find(END)) {
        (Some(begin), Some(end)) if begin < end => {
            format!("{}{section}{}", &text[..begin], &text[end + END.len()..])
        }
        _ => format!("{text}\n{section}\n"),
    };
    std::fs::write(path, updated)?;
    Ok(())
}
