//! Project chores. `cargo xtask bench` measures the budgets of docs/design.md on
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
//!   one seal ([`referral`]);
//! - the worst request against each public form, and the quick exit while
//!   the heavy work is saturated ([`stall`]);
//! - orientation over generated services against a full scan
//!   ([`orientation`]);
//! - live help: idle people in a queue, conversations' message latency,
//!   the page without JavaScript, each against a bare WebSocket echo or
//!   "hello" ([`live`]); `--only live` runs these alone;
//! - a territory synced from a data·inclusion file of 10,000 services, then
//!   re-synced with 1 % changed, against a plain import of the same file
//!   ([`directory_sync`]); `--only directory-sync` runs it alone;
//! - 100 territories with their own questionnaires: the conversation step
//!   on a territory's entry against the national step of the same server,
//!   the memory per territory, and a publication reaching a second
//!   instance ([`territories`]); `--only territories` runs it alone.
//!
//! Every request goes through [`client`], hyper's HTTP/1.1 client; the
//! servers and their CPU time are handled by [`process`], the measures of
//! `/` and of the conversation sit in [`site`], and [`report`] writes the
//! figures. This file holds the command line and the sequence of `bench`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context as _, bail};

use process::{
    Guard, addr_of, free_port, release_binary, resident_kib, start_relais, stop, tempdir,
    wait_until_up, workspace_root,
};
use report::{ReportInput, report, write_live_report, write_report};
use site::{conversation, load, page_weight};

mod client;
mod directory_sync;
mod live;
mod orientation;
mod process;
mod referral;
mod report;
mod site;
mod stall;
mod territories;

const USAGE: &str = "usage: cargo xtask bench [--seconds N] [--connections N] [--clients N] [--services N] [--queries N]
                         [--people N] [--conversations N] [--sync-services N] [--postgres URL]
                         [--only live|directory-sync|territories] [--write]
       cargo xtask stall [--binary PATH] [--seconds N] [--clients N]   (also part of bench)
       cargo xtask hello --addr IP:PORT   (the baseline server, started by bench: `/` and the WebSocket echo `/echo`)
--postgres defaults to $RELAIS_BENCH_POSTGRES; without either, the two-instance measure is skipped.";

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
    /// Idle people in one queue (live help).
    people: usize,
    /// Conversations at one message a second each way (live help).
    conversations: usize,
    /// A PostgreSQL database for the two-instance live measure.
    postgres: Option<String>,
    /// Only the live measures.
    only_live: bool,
    /// Services in the file a territory is synced from.
    sync_services: usize,
    /// Only the directory sync.
    only_sync: bool,
    /// `--only territories`.
    only_territories: bool,
    write: bool,
}

fn parse_options(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options {
        seconds: 10,
        connections: 32,
        clients: 8,
        services: 100_000,
        queries: 10_000,
        people: 10_000,
        conversations: 1_000,
        postgres: std::env::var("RELAIS_BENCH_POSTGRES")
            .ok()
            .filter(|url| !url.is_empty()),
        only_live: false,
        sync_services: 10_000,
        only_sync: false,
        only_territories: false,
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
            "--people" => {
                options.people = args.next().context("--people needs a value")?.parse()?;
            }
            "--conversations" => {
                options.conversations = args
                    .next()
                    .context("--conversations needs a value")?
                    .parse()?;
            }
            "--postgres" => {
                options.postgres = Some(args.next().context("--postgres needs a URL")?.clone());
            }
            "--sync-services" => {
                options.sync_services = args
                    .next()
                    .context("--sync-services needs a value")?
                    .parse()?;
            }
            "--only" => match args.next().map(String::as_str) {
                Some("live") => options.only_live = true,
                Some("directory-sync") => options.only_sync = true,
                Some("territories") => options.only_territories = true,
                _ => bail!("--only takes: live, directory-sync, territories"),
            },
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

/// The bare baseline: one route answering "Hello, World!", and a
/// WebSocket echo (`/echo`) for the live measures.
fn hello(args: &[String]) -> anyhow::Result<()> {
    let addr: SocketAddr = match args {
        [flag, addr] if flag == "--addr" => addr.parse()?,
        _ => bail!("{USAGE}"),
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let router = axum::Router::new()
            .route("/", axum::routing::get(|| async { "Hello, World!" }))
            .route("/echo", axum::routing::get(echo));
        // As Relais serves: small frames go out at once.
        let listener =
            axum::serve::ListenerExt::tap_io(tokio::net::TcpListener::bind(addr).await?, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
        axum::serve(listener, router).await?;
        Ok(())
    })
}

/// Sends every text frame back, as it came.
async fn echo(upgrade: axum::extract::ws::WebSocketUpgrade) -> axum::response::Response {
    use axum::extract::ws::Message;
    upgrade.on_upgrade(|mut socket| async move {
        while let Some(Ok(frame)) = socket.recv().await {
            if let Message::Text(_) = frame
                && socket.send(frame).await.is_err()
            {
                return;
            }
        }
    })
}

/// Starts the bare baseline server on a free port.
fn start_hello(runtime: &tokio::runtime::Runtime) -> anyhow::Result<(SocketAddr, Guard)> {
    let hello_addr = SocketAddr::from(([127, 0, 0, 1], free_port()?));
    let hello = Guard(
        Command::new(std::env::current_exe()?)
            .args(["hello", "--addr", &hello_addr.to_string()])
            .spawn()?,
    );
    runtime.block_on(wait_until_up(hello_addr))?;
    Ok((hello_addr, hello))
}

/// The live measures, on a runtime of their own (thousands of sockets).
fn live_bench(relais: &std::path::Path, options: &Options) -> anyhow::Result<String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (hello_addr, mut hello) = start_hello(&runtime)?;
    let measured = runtime.block_on(live::bench(
        relais,
        hello_addr,
        hello.0.id(),
        &live::Options {
            people: options.people,
            conversations: options.conversations,
            seconds: options.seconds,
            connections: options.connections,
            postgres: options.postgres.clone(),
        },
    ))?;
    stop(&mut hello.0)?;
    Ok(live::report(&measured))
}

fn bench(args: &[String]) -> anyhow::Result<()> {
    let options = parse_options(args)?;
    let root = workspace_root()?;
    if options.only_sync {
        // In this process: no server to build or start.
        println!("{}", directory_sync::bench(options.sync_services)?);
        return Ok(());
    }
    let relais = release_binary()?;
    if options.only_territories {
        let measured = territories::bench(&relais, options.connections, options.seconds)?;
        println!("{}", territories::report(&measured));
        return Ok(());
    }
    if options.only_live {
        let report = live_bench(&relais, &options)?;
        println!("{report}");
        if options.write {
            write_live_report(&root.join("BENCHMARKS.md"), &report)?;
            eprintln!("BENCHMARKS.md updated (the live section)");
        }
        return Ok(());
    }
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
    let addr = addr_of(&data)?;

    let (page, assets) = runtime.block_on(page_weight(addr))?;
    runtime.block_on(async {
        for _ in 0..20 {
            client::get(addr, "/", false).await?;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        anyhow::Ok(())
    })?;
    let idle_rss = resident_kib(server.0.id())?;

    let (hello_addr, mut hello) = start_hello(&runtime)?;

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
    let live = live_bench(&relais, &options)?;
    let sync = directory_sync::bench(options.sync_services)?;
    let territories = territories::report(&territories::bench(
        &relais,
        options.connections,
        options.seconds,
    )?);
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
    report.push_str(&live);
    report.push_str(&sync);
    report.push_str(&territories);
    println!("{report}");
    if options.write {
        write_report(&root.join("BENCHMARKS.md"), &report)?;
        eprintln!("BENCHMARKS.md updated");
    }
    Ok(())
}
