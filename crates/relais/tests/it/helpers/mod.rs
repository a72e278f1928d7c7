//! What every integration test needs: a running application on a random
//! port with a fresh database, an HTTP client, and one client per role
//! that meets it, made from the application in the manner of crates.io's
//! `TestApp`:
//!
//! ```ignore
//! let app = TestApp::spawn().await;
//! let receipt = app.person().sends_report(&organisation, "…").await;
//! let mut pro = app.professional("pro@example.org", &organisation).with_key().await;
//! let mut coordination = app.coordinator("coord@example.org", "montreuillois").await;
//! let mut admin = app.administrator().await;
//! ```
//!
//! `person` is the anonymous public side (the conversation, the report,
//! the follow-up); `professional` the accounts, the signed-in back office
//! and the referral keys; `page` reads what the server answers. No test
//! module borrows a helper from another: what two of them share lives here.
//!
//! The database is in-memory SQLite, unless `RELAIS_TEST_DATABASE_URL`
//! names a PostgreSQL server: then each application gets a database of its
//! own, created on that server. `.ci/run` runs the whole suite both ways.

pub mod live;
pub mod page;
pub mod person;
pub mod professional;

use std::net::SocketAddr;
use std::str::FromStr as _;

use relais::app::AppState;
use relais::app::Application;
use relais::backoffice::Screen;
use relais::backoffice::storage::Role;
use relais::config::Settings;
use relais::secret::ServerSecret;
use relais::storage::{Db, OrganisationId};
use relais::web::RouteExample;
use sqlx::postgres::PgConnectOptions;
use tokio::sync::oneshot;

use crate::helpers::person::Person;
use crate::helpers::professional::NewAccount;

/// The variable naming the PostgreSQL server the suite may run against.
pub const DATABASE_URL_VAR: &str = "RELAIS_TEST_DATABASE_URL";
/// Set by `.ci/run`: a component that is not given is then a failure.
pub const CI_VAR: &str = "RELAIS_CI";

/// Whether `.ci/run` is running the suite (every component is required).
pub fn in_ci() -> bool {
    std::env::var_os(CI_VAR).is_some_and(|value| value == "1")
}

/// A fresh, migrated database: in-memory SQLite, or a new PostgreSQL
/// database when the environment names a server.
pub async fn test_db() -> Db {
    let db = match std::env::var(DATABASE_URL_VAR) {
        Ok(url) if !url.is_empty() => fresh_postgres(&url).await,
        _ => Db::connect(
            &relais::config::DatabaseTarget::Url("sqlite::memory:".to_owned().into()),
            1,
        )
        .await
        .expect("in-memory SQLite opens"),
    };
    db.migrate().await.expect("migrations apply");
    db
}

async fn fresh_postgres(url: &str) -> Db {
    let admin =
        PgConnectOptions::from_str(url).expect("RELAIS_TEST_DATABASE_URL is a PostgreSQL URL");
    let name = format!("relais_test_{}", random_hex(8));
    let server = Db::postgres(admin.clone(), 1)
        .await
        .expect("the PostgreSQL server answers");
    let Db::Postgres(pool) = &server else {
        unreachable!()
    };
    // The name is ours (hexadecimal), never input: safe to format in.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(pool)
        .await
        .expect("a test database can be created");
    server.close().await;
    Db::postgres(admin.database(&name), 4)
        .await
        .expect("the test database opens")
}

/// `n` random bytes as hexadecimal.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A running application.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state, to look behind the HTTP side.
    pub state: AppState,
    /// Every route it has, with an address that reaches it.
    pub routes: Vec<RouteExample>,
    /// Every back-office route of signing in.
    pub open_screens: Vec<Screen>,
    /// Every back-office route behind a signed-in account.
    pub screens: Vec<Screen>,
    /// A client that follows no redirect and keeps no cookie.
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
    /// The name of the threads of a measured application.
    threads: Option<String>,
}

impl TestApp {
    /// An application with the test settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// An application with the test settings, changed by `configure`.
    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> Self {
        let db = test_db().await;
        let secret = ServerSecret::random().expect("random secret");
        Self::spawn_on(db, secret, configure).await
    }

    /// Two instances of one application, as behind a load balancer: one
    /// database, one server secret.
    pub async fn spawn_pair() -> (Self, Self) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("secret.key");
        let db = test_db().await;
        let secret = || ServerSecret::load_or_create(&path).expect("a shared secret");
        let first = Self::spawn_on(db.clone(), secret(), |_| {}).await;
        let second = Self::spawn_on(db, secret(), |_| {}).await;
        (first, second)
    }

    /// An application on this database and secret.
    async fn spawn_on(db: Db, secret: ServerSecret, configure: impl FnOnce(&mut Settings)) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut settings = test_settings(&dir);
        configure(&mut settings);
        let app = Application::build_with(settings, db, secret)
            .await
            .expect("the application builds");
        let addr = app.local_addr().expect("a bound address");
        let state = app.state().clone();
        let routes = app.routes().to_vec();
        let open_screens = app.open_screens().to_vec();
        let screens = app.guarded_screens().to_vec();
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        Self {
            addr,
            state,
            routes,
            open_screens,
            screens,
            client: test_client(),
            shutdown: Some(tx),
            _dir: dir,
            threads: None,
        }
    }

    /// An application on a runtime of its own, whose threads carry a name
    /// of their own: [`Self::server_cpu`] then measures the CPU time the
    /// server spends, apart from the test's own and other tests'.
    pub async fn spawn_measured() -> Self {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let name = format!(
            "relais-srv-{}",
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let dir = tempfile::tempdir().expect("a temporary directory");
        let settings = test_settings(&dir);
        let (ready_tx, ready_rx) = oneshot::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread_name = name.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name(thread_name)
                // A thread that ends takes its CPU time with it: keep them.
                .thread_keep_alive(std::time::Duration::from_secs(3600))
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let db = test_db().await;
                let secret = ServerSecret::random().expect("random secret");
                let app = Application::build_with(settings, db, secret)
                    .await
                    .expect("the application builds");
                let ready = (
                    app.local_addr().expect("a bound address"),
                    app.state().clone(),
                    app.routes().to_vec(),
                    app.open_screens().to_vec(),
                    app.guarded_screens().to_vec(),
                );
                let _ = ready_tx.send(ready);
                let _ = app
                    .run_until(async {
                        let _ = stop_rx.await;
                    })
                    .await;
            });
        });
        let (addr, state, routes, open_screens, screens) =
            ready_rx.await.expect("the server starts");
        Self {
            addr,
            state,
            routes,
            open_screens,
            screens,
            client: test_client(),
            shutdown: Some(stop_tx),
            _dir: dir,
            threads: Some(name),
        }
    }

    /// The CPU time the threads of an application from
    /// [`Self::spawn_measured`] have spent so far (from
    /// `/proc/self/task/*/schedstat`, in nanoseconds).
    pub fn server_cpu(&self) -> std::time::Duration {
        let name = self.threads.as_deref().expect("a measured application");
        let mut total = 0u64;
        for task in std::fs::read_dir("/proc/self/task")
            .expect("/proc is mounted")
            .flatten()
        {
            let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
            if comm.trim_end() != name {
                continue;
            }
            let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            total += stat
                .split_whitespace()
                .next()
                .and_then(|ns| ns.parse::<u64>().ok())
                .unwrap_or(0);
        }
        std::time::Duration::from_nanos(total)
    }

    /// The absolute address of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the server answers")
    }

    /// `GET path`, returning the status and the body.
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("a text body"))
    }

    /// `POST path` with `form`, as a page without JavaScript posts it;
    /// returns the status and the body.
    pub async fn post_text<F: serde::Serialize + ?Sized>(
        &self,
        path: &str,
        form: &F,
    ) -> (u16, String) {
        let response = self
            .client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        (status, response.text().await.expect("a text body"))
    }

    /// A person on the public side: anonymous, without JavaScript.
    pub fn person(&self) -> Person<'_> {
        Person::new(self)
    }

    /// A professional of `organisation`: awaited, signed in to the back
    /// office; `.with_key()` gives them a referral key first, `.account()`
    /// makes the account without signing in.
    pub fn professional(&self, email: &str, organisation: &OrganisationId) -> NewAccount<'_> {
        NewAccount::new(self, email, Role::Professional, Some(organisation), &[])
    }

    /// A coordinator of `territory`: awaited, signed in to the back office;
    /// `.account()` makes the account without signing in.
    pub fn coordinator(&self, email: &str, territory: &str) -> NewAccount<'_> {
        NewAccount::new(self, email, Role::Coordinator, None, &[territory])
    }

    /// The administrator, `admin@example.org`: awaited, signed in to the
    /// back office; `.account()` makes the account without signing in.
    pub fn administrator(&self) -> NewAccount<'_> {
        NewAccount::new(self, "admin@example.org", Role::Admin, None, &[])
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Checks the safety chrome every public page must carry.
pub fn assert_has_safety_chrome(html: &str, context: &str) {
    assert!(html.contains("id=\"exit\""), "{context}: no exit button");
    assert!(
        html.contains("href=\"/sortie\""),
        "{context}: the exit button does not work without JS"
    );
    assert!(
        html.contains("tel:17") && html.contains("tel:112"),
        "{context}: no 17/112"
    );
    assert!(html.contains("sms:114"), "{context}: no SMS 114");
    assert!(html.contains("tel:3919"), "{context}: no 3919");
    assert!(html.contains("class=\"help\""), "{context}: no help button");
}

/// Runs one storage change in a transaction of its own and commits it:
/// `committed!(db, storage::save_territory, &territory)` passes the
/// transaction first.
#[macro_export]
macro_rules! committed {
    ($db:expr, $f:path $(, $arg:expr)* $(,)?) => {{
        let mut tx = $db.begin().await.unwrap();
        let value = $f(&mut tx $(, $arg)*).await.unwrap();
        tx.commit().await.unwrap();
        value
    }};
}

/// `GET path` sent as raw bytes, so that the path reaches the server exactly
/// as written (an HTTP client would turn `\` into `/`); returns the status,
/// the headers' text and the body.
pub async fn raw_get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("the server accepts");
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("the request is sent");
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .await
        .expect("the answer is read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

/// The settings of a test application: port 0, a data directory in `dir`,
/// no rate limit (every test comes from the same address).
fn test_settings(dir: &tempfile::TempDir) -> Settings {
    Settings {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: dir.path().join("data"),
        rate_limit_per_minute: 0,
        ..Settings::default()
    }
}

/// A client that follows no redirect and keeps no cookie.
fn test_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}
