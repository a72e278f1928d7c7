//! The processes the measures run and read: the release build of `relais`,
//! its server started and stopped, its resident memory and CPU time from
//! `/proc`, and the scratch directories and ports they use.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::client::get;

/// Kills the child if the bench stops early.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Stops a server as an operator does (SIGTERM), and waits for its exit.
pub fn stop(child: &mut Child) -> anyhow::Result<()> {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    child.wait()?;
    Ok(())
}

/// The workspace's root directory.
pub fn workspace_root() -> anyhow::Result<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(Path::to_path_buf)
        .context("xtask lives in the workspace")
}

/// Builds the release binary; returns its path.
pub fn release_binary() -> anyhow::Result<PathBuf> {
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

/// An empty scratch directory for one `purpose` of this run.
pub fn tempdir(purpose: &str) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("relais-bench-{}-{purpose}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A loopback port free at the time of asking.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Starts `relais serve` on a free port, without its request limits, and
/// writes its address to `data/addr`; returns the time until `/healthz`
/// answers.
pub async fn start_relais(relais: &Path, data: &Path) -> anyhow::Result<(Duration, Child)> {
    start_relais_with(relais, data, &[]).await
}

/// [`start_relais`] with more arguments to `serve`.
pub async fn start_relais_with(
    relais: &Path,
    data: &Path,
    extra: &[&str],
) -> anyhow::Result<(Duration, Child)> {
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
        .args(extra)
        .arg("--data-dir")
        .arg(data.join("relais-data"))
        .current_dir(data)
        .stdout(Stdio::null())
        .spawn()?;
    until_healthy(addr, Duration::from_millis(1)).await?;
    Ok((started.elapsed(), child))
}

/// Asks `/healthz` every `every` until it answers 200, for 30 s at most.
pub async fn until_healthy(addr: SocketAddr, every: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        if let Ok(response) = get(addr, "/healthz", false).await
            && response.status == 200
        {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("relais did not start within 30 s");
        }
        tokio::time::sleep(every).await;
    }
}

/// The address [`start_relais`] wrote to `data/addr`.
pub fn addr_of(data: &Path) -> anyhow::Result<SocketAddr> {
    Ok(std::fs::read_to_string(data.join("addr"))?.parse()?)
}

/// Waits until a server answers `GET /`, for 10 s at most.
pub async fn wait_until_up(addr: SocketAddr) -> anyhow::Result<()> {
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
pub fn resident_kib(pid: u32) -> anyhow::Result<u64> {
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

/// User + system CPU time of a process, from `/proc/<pid>/stat`, to the
/// kernel's tick (10 ms).
pub fn cpu_time(pid: u32) -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit(')').next().context("a stat line")?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the command name: state is field 3, utime 14 and stime 15.
    let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    // The kernel's USER_HZ: 100 on Linux.
    Ok(Duration::from_millis(ticks * 10))
}

/// The CPU time every thread of `pid` has spent, to the nanosecond, from
/// `/proc/<pid>/task/*/schedstat`.
pub fn threads_cpu_time(pid: u32) -> anyhow::Result<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let stat = std::fs::read_to_string(task?.path().join("schedstat")).unwrap_or_default();
        total += stat
            .split_whitespace()
            .next()
            .and_then(|ns| ns.parse::<u64>().ok())
            .unwrap_or(0);
    }
    Ok(Duration::from_nanos(total))
}
