//! The Markdown report of `bench`, and its place in BENCHMARKS.md: the
//! generated section between two markers, replaced by `--write`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::Context as _;

use crate::Options;
use crate::site::LoadResult;

/// What `bench` measured, for [`report`].
pub struct ReportInput<'a> {
    /// The command line, repeated in the report.
    pub options: &'a Options,
    /// Bytes over the wire of `/`, with brotli.
    pub page: usize,
    /// Each asset of `/` and its bytes over the wire.
    pub assets: &'a [(String, usize)],
    /// The release binary's size, in bytes.
    pub binary_size: u64,
    /// The first start, to `/healthz`.
    pub first_start: Duration,
    /// A restart, to `/healthz`.
    pub restart: Duration,
    /// Idle resident memory, in KiB.
    pub idle_rss: u64,
    /// Each round: hello, `/`, a step with JavaScript and without.
    pub rounds: &'a [(LoadResult, LoadResult, LoadResult, LoadResult)],
    /// The conversation token's size at the start, in bytes.
    pub token_start: usize,
    /// The conversation token's size at the end of the longest path.
    pub token_end: usize,
}

/// When and where the figures were measured.
pub fn machine() -> String {
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
    format!("Measured on {date}, {cpu}, {cores} cores, Linux, loopback")
}

/// The report, in Markdown.
pub fn report(input: &ReportInput<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}; command: `cargo xtask bench --seconds {} --connections {} --clients {} --services {} --queries {}`.\n",
        machine(),
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

/// Where the generated section of BENCHMARKS.md begins.
const BEGIN: &str = "<!-- bench:begin (written by cargo xtask bench --write) -->";
/// Where it ends.
const END: &str = "<!-- bench:end -->";

/// Where the live section begins in the generated section (it is the
/// last).
pub const LIVE: &str = "\n### Live help\n";

/// Replaces only the live section of the generated section (`bench --only
/// live --write`), or adds it at its end.
pub fn write_live_report(path: &Path, live: &str) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let end = text
        .find(END)
        .context("BENCHMARKS.md has no generated section: run `cargo xtask bench --write`")?;
    let start = text[..end].find(LIVE).unwrap_or(end);
    let before = text[..start].trim_end_matches('\n');
    let live = live.trim_start_matches('\n');
    let updated = format!("{before}\n\n{live}{}", &text[end..]);
    std::fs::write(path, updated)?;
    Ok(())
}

/// Replaces the generated section of the file at `path` with `report`, or
/// appends it.
pub fn write_report(path: &Path, report: &str) -> anyhow::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_live_section_alone_replaces_only_itself() -> anyhow::Result<()> {
        let path =
            std::env::temp_dir().join(format!("relais-live-report-{}.md", std::process::id()));
        let first = format!("# B\n\n{BEGIN}\nother figures\n{END}\nafter\n");
        std::fs::write(&path, &first)?;
        write_live_report(&path, "\n### Live help\n\nrun 1\n")?;
        write_live_report(&path, "\n### Live help\n\nrun 2\n")?;
        let text = std::fs::read_to_string(&path)?;
        std::fs::remove_file(&path)?;
        assert_eq!(
            text,
            format!("# B\n\n{BEGIN}\nother figures\n\n### Live help\n\nrun 2\n{END}\nafter\n")
        );
        Ok(())
    }
}
