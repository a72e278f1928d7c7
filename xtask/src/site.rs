//! What `bench` measures of a running server over HTTP: the weight of `/`
//! and of the assets it loads, the conversation's token along its longest
//! path, and requests per second and latency under load.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::bail;
use hyper::header;

use crate::client::{Connection, form_value, get, post, request, token_in};

/// Bytes on the wire for `/` and every asset it references, with brotli.
pub async fn page_weight(addr: SocketAddr) -> anyhow::Result<(usize, Vec<(String, usize)>)> {
    let page = get(addr, "/", true).await?;
    let encoding = page.headers.get(header::CONTENT_ENCODING);
    if encoding.is_none_or(|encoding| encoding != "br") {
        bail!("/ was not compressed");
    }
    let html = get(addr, "/", false).await?;
    let html = html.text();
    let mut assets = Vec::new();
    for attribute in ["href=\"/static/", "src=\"/static/"] {
        for rest in html.split(attribute).skip(1) {
            let path = format!("/static/{}", rest.split('"').next().unwrap_or_default());
            let response = get(addr, &path, true).await?;
            assets.push((path, response.wire_size()));
        }
    }
    Ok((page.wire_size(), assets))
}

/// Walks the conversation's longest path with every text at its limit;
/// returns the form of one mid-conversation step (to load) and the size of
/// the token at the start and at the end.
pub async fn conversation(addr: SocketAddr) -> anyhow::Result<(String, usize, usize)> {
    conversation_at(addr, "").await
}

/// [`conversation`] on the entry of that prefix (`/t/banc-050`).
pub async fn conversation_at(
    addr: SocketAddr,
    prefix: &str,
) -> anyhow::Result<(String, usize, usize)> {
    let path = format!("{prefix}/aide");
    let first = get(addr, &path, false).await?;
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
        let page = post(addr, &path, &body).await?;
        if page.status != 200 {
            bail!("the conversation refused {step}: {}", page.status);
        }
        token = token_in(&page)?;
    }
    Ok((step_body, start_size, token.len()))
}

/// Whether a new conversation on the entry of that prefix asks, at its
/// fourth question ("Qui vit ces violences ?"), something containing
/// `wanted`.
pub async fn asks(addr: SocketAddr, prefix: &str, wanted: &str) -> anyhow::Result<bool> {
    let path = format!("{prefix}/aide");
    let mut token = token_in(&get(addr, &path, false).await?)?;
    let mut page = None;
    for step in [
        "etape=formulaire&choix=oui",
        "etape=age&nombre=34",
        "etape=danger&choix=non",
    ] {
        let answered = post(addr, &path, &format!("t={token}&{step}")).await?;
        token = token_in(&answered)?;
        page = Some(answered);
    }
    Ok(page.is_some_and(|page| page.text().contains(wanted)))
}

/// Figures of one load run.
#[derive(Clone, Copy)]
pub struct LoadResult {
    /// Complete responses per second, after the warm-up.
    pub requests_per_second: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
}

/// Keeps `connections` keep-alive connections busy for `duration` and
/// measures every request's time to its complete response.
pub async fn load(
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
    let request = request(path, body, brotli, false)?;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let stop = Arc::clone(&stop);
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(addr).await?;
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let request = request.clone();
                let sent = Instant::now();
                let response = connection.send(request).await?;
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
