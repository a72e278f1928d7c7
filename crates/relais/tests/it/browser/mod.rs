//! What only a browser can check: quick exit and Back, the shortcut, the
//! page without JavaScript, requests to other origins, storage, the exit
//! button on a small screen, and the referral's cryptography in the
//! professional's browser (RFC 9180 vectors, round trips with Rust, a
//! report read and answered).
//!
//! They run in headless Chromium through ChromeDriver when
//! `RELAIS_TEST_WEBDRIVER` gives its address (`.ci/run` starts one); without
//! it they return at once, except under `.ci/run` (`RELAIS_CI=1`), where a
//! missing browser is a failure.

mod accessibility;
mod backoffice;
mod journeys;
mod live;
mod reading;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::http::Method;
use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use relais::storage::{ReferralId, UserId};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::helpers::person::first_sender;
use crate::helpers::professional::{Account, PASSWORD, give_key, members_everywhere};
use crate::helpers::{TestApp, in_ci};

/// The variable giving ChromeDriver's address, e.g. `http://127.0.0.1:9515`.
pub const WEBDRIVER_VAR: &str = "RELAIS_TEST_WEBDRIVER";
/// The variable giving the Chromium binary [default: /usr/bin/chromium].
pub const CHROMIUM_VAR: &str = "RELAIS_TEST_CHROMIUM";
/// The variable naming a folder where the layout tests save what the
/// screen showed, for a person to look at (`.ci/run` keeps them).
pub const SCREENSHOTS_VAR: &str = "RELAIS_TEST_SCREENSHOTS";

const LEFT_SHIFT: char = '\u{e008}';
const RIGHT_SHIFT: char = '\u{e050}';
const TAB: char = '\u{e004}';
const ENTER: char = '\u{e007}';
const PATIENCE: Duration = Duration::from_secs(10);

/// Two browsers at a time: the machine has two cores.
static BROWSERS: Semaphore = Semaphore::const_new(2);

/// A browser session, closed when the test ends.
struct Browser {
    client: Client,
    js: Js,
    _permit: SemaphorePermit<'static>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Js {
    On,
    /// JavaScript turned off in the browser: ChromeDriver can then neither
    /// find elements nor run a script, so only keys and the page source
    /// are left to a test.
    Off,
    /// Our scripts blocked from loading (every `*.js` request fails), so
    /// the page is what a person without JavaScript gets, while the test
    /// can still measure it with scripts of its own (the layout tests).
    Blocked,
}

impl Browser {
    /// A headless Chromium on a 320×640 phone screen, or `None` when no
    /// ChromeDriver is given (a failure under `.ci/run`).
    async fn start(js: Js) -> Option<Self> {
        Self::start_sized(js, (320, 640)).await
    }

    /// A headless Chromium on a screen of this size (CSS pixels).
    async fn start_sized(js: Js, size: (u32, u32)) -> Option<Self> {
        Self::start_with(js, size, "normal").await
    }

    /// A headless Chromium whose commands wait for a page as `page_load`
    /// says (WebDriver's `pageLoadStrategy`): `"none"` for a page that
    /// never finishes loading, as live help's streamed page without
    /// JavaScript.
    async fn start_with(js: Js, (width, height): (u32, u32), page_load: &str) -> Option<Self> {
        let Some(webdriver) = std::env::var(WEBDRIVER_VAR)
            .ok()
            .filter(|url| !url.is_empty())
        else {
            assert!(
                !in_ci(),
                "{WEBDRIVER_VAR} is not set: .ci/run must provide ChromeDriver"
            );
            eprintln!("browser test skipped: set {WEBDRIVER_VAR} to run it");
            return None;
        };
        let permit = BROWSERS
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let binary = std::env::var(CHROMIUM_VAR).unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        let mut options = json!({
            "binary": binary,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--no-first-run", "--disable-component-update",
                "--disable-sync", "--disable-quic", "--disable-default-apps", "--disable-extensions"
            ],
            "mobileEmulation": { "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2.0 } },
        });
        if js == Js::Off {
            options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let capabilities = json!({
            "browserName": "chrome",
            "pageLoadStrategy": page_load,
            "goog:chromeOptions": options,
            "goog:loggingPrefs": { "performance": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&webdriver)
            .await
            .expect("ChromeDriver starts a session");
        if js == Js::Blocked {
            for (cmd, params) in [
                ("Network.enable", json!({})),
                ("Network.setBlockedURLs", json!({ "urls": ["*.js"] })),
            ] {
                client
                    .issue_cmd(ChromePost {
                        path: "goog/cdp/execute",
                        body: json!({ "cmd": cmd, "params": params }),
                    })
                    .await
                    .expect("ChromeDriver passes DevTools commands on");
            }
        }
        Some(Self {
            client,
            js,
            _permit: permit,
        })
    }

    async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("the page loads");
    }

    async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("a current URL")
            .to_string()
    }

    /// Waits until the current address starts with `prefix`.
    async fn wait_for_url(&self, prefix: &str) {
        let started = Instant::now();
        loop {
            let url = self.url().await;
            if url.starts_with(prefix) {
                return;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "still at {url}, expected {prefix}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn eval(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("the script runs")
    }

    async fn keys(&self, keys: KeyActions) {
        // Chromium drops input sent before a fresh page has painted, which a
        // loaded machine makes likely: wait for two frames first. Without
        // JavaScript the script cannot run (keyboard tests then retry).
        if self.js != Js::Off {
            self.client
                .execute_async(
                    "const done = arguments[arguments.length - 1];\n\
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                    vec![],
                )
                .await
                .expect("the page paints");
        }
        self.client
            .perform_actions(keys)
            .await
            .expect("the keys are pressed");
        self.client
            .release_actions()
            .await
            .expect("the keys are released");
    }

    /// Opens `page`, presses Tab `tabs` times then Enter, as a keyboard
    /// user would, and waits until `arrived(url, source)` holds. Pages
    /// without scripts cannot be queried for the focused element, and a
    /// loaded machine sometimes loses the first keys sent to a fresh page,
    /// so the whole gesture is tried again, at most three times.
    async fn tab_then_enter(&self, page: &str, tabs: usize, arrived: impl Fn(&str, &str) -> bool) {
        let mut seen = String::new();
        for _ in 0..3 {
            self.goto(page).await;
            let keys = (0..tabs).fold(KeyActions::new("keyboard".to_owned()), |keys, _| {
                keys.then(KeyAction::Down { value: TAB })
                    .then(KeyAction::Up { value: TAB })
            });
            self.keys(
                keys.then(KeyAction::Down { value: ENTER })
                    .then(KeyAction::Up { value: ENTER }),
            )
            .await;
            let started = Instant::now();
            while started.elapsed() < PATIENCE / 3 {
                let url = self.url().await;
                let source = self.client.source().await.expect("a page source");
                if arrived(&url, &source) {
                    return;
                }
                seen = url;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        panic!("{tabs} Tabs then Enter on {page} led nowhere expected; still at {seen}");
    }

    /// Every URL the browser requested since the last call.
    async fn requested_urls(&self) -> Vec<String> {
        let log = self
            .client
            .issue_cmd(ChromePost {
                path: "se/log",
                body: json!({ "type": "performance" }),
            })
            .await
            .expect("the performance log");
        let mut urls = Vec::new();
        for entry in log.as_array().into_iter().flatten() {
            let Some(message) = entry["message"].as_str() else {
                continue;
            };
            let Ok(message) = serde_json::from_str::<Value>(message) else {
                continue;
            };
            if message["message"]["method"] == "Network.requestWillBeSent"
                && let Some(url) = message["message"]["params"]["request"]["url"].as_str()
            {
                urls.push(url.to_owned());
            }
        }
        urls
    }

    /// Saves what the screen shows as `name.png` in the folder
    /// [`SCREENSHOTS_VAR`] names, when it names one.
    async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os(SCREENSHOTS_VAR).filter(|dir| !dir.is_empty()) else {
            return;
        };
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("the screenshots folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("the screenshot is saved");
    }

    async fn close(self) {
        self.client.close().await.expect("the session closes");
    }
}

/// A POST to one of ChromeDriver's own endpoints of the session, which
/// fantoccini does not wrap: `se/log` (the performance log) and
/// `goog/cdp/execute` (a DevTools command).
#[derive(Debug)]
struct ChromePost {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for ChromePost {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let base = base.as_str().trim_end_matches('/');
        url::Url::parse(&format!(
            "{base}/session/{}/{}",
            session.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _url: &url::Url) -> (Method, Option<String>) {
        (Method::POST, Some(self.body.to_string()))
    }
}

/// A harmless site on another port, standing for the neutral site.
struct Elsewhere {
    addr: SocketAddr,
}

impl Elsewhere {
    async fn spawn() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let page = |title: &'static str| {
            axum::routing::get(move || async move {
                axum::response::Html(format!(
                    "<!doctype html><title>{title}</title><p>{title}</p>"
                ))
            })
        };
        let router = axum::Router::new()
            .route("/avant", page("Avant"))
            .route("/meteo", page("Météo"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { addr }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// An application whose quick exit leads to `elsewhere`'s weather page.
async fn app_leaving_to(elsewhere: &Elsewhere) -> TestApp {
    let neutral = elsewhere.url("/meteo");
    TestApp::spawn_with(move |settings| settings.neutral_url = neutral).await
}

fn shift_presses(keys: &[char]) -> KeyActions {
    keys.iter()
        .fold(KeyActions::new("keyboard".to_owned()), |actions, &key| {
            actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Pause {
                    duration: Duration::from_millis(60),
                })
                .then(KeyAction::Up { value: key })
                .then(KeyAction::Pause {
                    duration: Duration::from_millis(120),
                })
        })
}

/// After leaving, Back must land before our site, never on it.
async fn assert_back_does_not_show_relais(browser: &Browser, app: &TestApp, elsewhere: &Elsewhere) {
    browser.client.back().await.expect("Back works");
    browser.wait_for_url(&elsewhere.url("/avant")).await;
    let url = browser.url().await;
    assert!(
        !url.starts_with(&app.url("/")),
        "Back showed our page: {url}"
    );
    let source = browser.client.source().await.unwrap();
    assert!(
        !source.contains("Cacher le site"),
        "Back showed our content"
    );
}

#[tokio::test]
async fn shift_pressed_three_times_leaves_the_site_and_back_does_not_show_it() {
    let Some(browser) = Browser::start(Js::On).await else {
        return;
    };
    let elsewhere = Elsewhere::spawn().await;
    let app = app_leaving_to(&elsewhere).await;
    browser.goto(&elsewhere.url("/avant")).await;
    browser.goto(&app.url("/")).await;
    // A visit of several pages still takes one place in history.
    click(&browser, "footer a[href='/securite']").await;
    browser.wait_for_url(&app.url("/securite")).await;

    // Left and right Shift mixed, as people do.
    browser
        .keys(shift_presses(&[LEFT_SHIFT, RIGHT_SHIFT, LEFT_SHIFT]))
        .await;

    browser.wait_for_url(&elsewhere.url("/meteo")).await;
    assert_back_does_not_show_relais(&browser, &app, &elsewhere).await;
    browser.close().await;
}

#[tokio::test]
async fn the_exit_button_leaves_the_site_and_back_does_not_show_it() {
    let Some(browser) = Browser::start(Js::On).await else {
        return;
    };
    let elsewhere = Elsewhere::spawn().await;
    let app = app_leaving_to(&elsewhere).await;
    browser.goto(&elsewhere.url("/avant")).await;
    browser.goto(&app.url("/securite")).await;

    browser
        .client
        .find(Locator::Id("exit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    browser.wait_for_url(&elsewhere.url("/meteo")).await;
    assert_back_does_not_show_relais(&browser, &app, &elsewhere).await;
    browser.close().await;
}

#[tokio::test]
async fn typing_capitals_with_shift_does_not_leave_the_site() {
    let Some(browser) = Browser::start(Js::On).await else {
        return;
    };
    let elsewhere = Elsewhere::spawn().await;
    let app = app_leaving_to(&elsewhere).await;
    browser.goto(&app.url("/")).await;

    let typing = ['A', 'B', 'C'].iter().fold(
        KeyActions::new("keyboard".to_owned()),
        |actions, &letter| {
            actions
                .then(KeyAction::Down { value: LEFT_SHIFT })
                .then(KeyAction::Down { value: letter })
                .then(KeyAction::Up { value: letter })
                .then(KeyAction::Up { value: LEFT_SHIFT })
        },
    );
    browser.keys(typing).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    assert!(
        browser.url().await.starts_with(&app.url("/")),
        "typing capitals left the site"
    );
    browser.close().await;
}

#[tokio::test]
async fn the_shortcut_announces_its_progress_to_screen_readers() {
    let Some(browser) = Browser::start(Js::On).await else {
        return;
    };
    let app = TestApp::spawn().await;
    browser.goto(&app.url("/")).await;

    browser.keys(shift_presses(&[LEFT_SHIFT])).await;
    let live = browser
        .eval("return document.getElementById('exit-live').textContent")
        .await;
    assert_eq!(
        live,
        "Touche Maj : appuyez encore 2 fois pour cacher le site."
    );
    let region = browser
        .eval("return document.getElementById('exit-live').getAttribute('aria-live')")
        .await;
    assert_eq!(region, "assertive");

    browser.keys(shift_presses(&[RIGHT_SHIFT])).await;
    let live = browser
        .eval("return document.getElementById('exit-live').textContent")
        .await;
    assert_eq!(
        live,
        "Touche Maj : appuyez encore 1 fois pour cacher le site."
    );
    browser.close().await;
}

#[tokio::test]
async fn without_javascript_the_exit_link_leaves_the_site() {
    let Some(browser) = Browser::start(Js::Off).await else {
        return;
    };
    let elsewhere = Elsewhere::spawn().await;
    let app = app_leaving_to(&elsewhere).await;
    // As a keyboard user would: skip link, site name, then the exit link.
    let meteo = elsewhere.url("/meteo");
    browser
        .tab_then_enter(&app.url("/securite"), 3, |url, _| url.starts_with(&meteo))
        .await;
    // The plain link went through /sortie: proof that no script ran.
    let requested = browser.requested_urls().await;
    assert!(
        requested.iter().any(|url| url == &app.url("/sortie")),
        "{requested:?}"
    );
    browser.close().await;
}

#[tokio::test]
async fn public_pages_request_nothing_from_another_origin_and_store_nothing() {
    let Some(browser) = Browser::start(Js::On).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let origin = app.url("");
    let mut pages: Vec<String> = app
        .routes
        .iter()
        .filter(|route| route.is_page)
        .flat_map(|route| relais::web::i18n::Lang::ALL.map(|lang| lang.path(route.path)))
        .collect();
    pages.push("/page-inconnue".to_owned());

    for page in &pages {
        browser.goto(&app.url(page)).await;
    }

    let requested = browser.requested_urls().await;
    assert!(
        requested.len() >= pages.len(),
        "the log is incomplete: {requested:?}"
    );
    let elsewhere: BTreeSet<_> = requested
        .iter()
        .filter(|url| {
            !url.starts_with(&origin) && !url.starts_with("data:") && *url != "about:blank"
        })
        .collect();
    assert!(
        elsewhere.is_empty(),
        "requests to other origins: {elsewhere:?}"
    );

    let cookies = browser.client.get_all_cookies().await.unwrap();
    assert!(cookies.is_empty(), "cookies: {cookies:?}");
    let stored = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const dbs = indexedDB.databases ? indexedDB.databases() : Promise.resolve([]);
             Promise.all([dbs, caches.keys()]).then(([databases, cacheNames]) => done({
               local: localStorage.length, session: sessionStorage.length,
               databases: databases.length, caches: cacheNames.length }));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        stored,
        json!({ "local": 0, "session": 0, "databases": 0, "caches": 0 })
    );
    browser.close().await;
}

#[tokio::test]
async fn the_exit_button_is_visible_and_uncovered_at_320_by_640_before_and_after_scrolling() {
    // With JavaScript, and without it (our scripts blocked, the page
    // measured all the same).
    for js in [Js::On, Js::Blocked] {
        exit_button_visible_and_uncovered(js).await;
    }
}

async fn exit_button_visible_and_uncovered(js: Js) {
    let Some(browser) = Browser::start(js).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let check = "const exit = document.getElementById('exit');
         const r = exit.getBoundingClientRect();
         const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
         return { width: innerWidth, height: innerHeight, scrolled: scrollY,
                  inside: r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth
                          && r.width > 0 && r.height > 0,
                  uncovered: hit === exit || exit.contains(hit) };";

    let pages = [
        "/securite",
        "/ar/securite",
        "/en/",
        "/fiches/porter-plainte",
        "/ar/aide",
        "/annuaire",
        "/suivi",
    ];
    for page in pages {
        browser.goto(&app.url(page)).await;
        let before = browser.eval(check).await;
        assert_eq!(
            (before["width"].as_f64(), before["height"].as_f64()),
            (Some(320.0), Some(640.0))
        );
        assert_eq!(before["inside"], true, "{page} before scrolling: {before}");
        assert_eq!(
            before["uncovered"], true,
            "{page} before scrolling: {before}"
        );

        browser
            .eval("window.scrollTo(0, document.documentElement.scrollHeight); return null;")
            .await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let after = browser.eval(check).await;
        assert_eq!(after["inside"], true, "{page} after scrolling: {after}");
        assert_eq!(after["uncovered"], true, "{page} after scrolling: {after}");
        if page.contains("/securite") || page.contains("/fiches") {
            assert!(
                after["scrolled"].as_f64().unwrap_or_default() > 100.0,
                "{page} did not scroll: {after}"
            );
        }
    }
    browser.close().await;
}

/// Waits until a script returns true.
async fn wait_until(browser: &Browser, script: &str) {
    let started = Instant::now();
    loop {
        if browser.eval(script).await == Value::Bool(true) {
            return;
        }
        assert!(started.elapsed() < PATIENCE, "never true: {script}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn with_javascript_the_conversation_goes_on_without_navigating_and_announces_each_question() {
    let Some(browser) = Browser::start(Js::On).await else {
        return;
    };
    let app = TestApp::spawn().await;
    browser.goto(&app.url("/aide")).await;
    let length = browser.eval("return history.length").await;
    browser
        .eval("window.__relaisMarker = 1; return null;")
        .await;

    click(&browser, "button[name='choix'][value='oui']").await;
    wait_until(
        &browser,
        "return !!document.querySelector(\"input[name='nombre']\")",
    )
    .await;
    let field = browser
        .client
        .find(Locator::Id("answer-field"))
        .await
        .unwrap();
    field.send_keys("34").await.unwrap();
    browser
        .keys(
            KeyActions::new("keyboard".to_owned())
                .then(KeyAction::Down { value: ENTER })
                .then(KeyAction::Up { value: ENTER }),
        )
        .await;
    wait_until(
        &browser,
        "return !!document.querySelector(\"input[name='etape'][value='danger']\")",
    )
    .await;

    // Same document (the marker survived), same history, focus on the new
    // question, and the live region says it.
    assert_eq!(
        browser.eval("return window.__relaisMarker === 1").await,
        Value::Bool(true),
        "the page navigated"
    );
    assert_eq!(
        browser.eval("return history.length").await,
        length,
        "history grew"
    );
    assert_eq!(
        browser.eval("return document.activeElement.id").await,
        "question"
    );
    wait_until(
        &browser,
        "return document.getElementById('conversation-live').textContent.indexOf('danger') >= 0",
    )
    .await;
    assert_eq!(
        browser
            .eval("return document.getElementById('conversation-live').getAttribute('aria-live')")
            .await,
        "polite"
    );
    let edits = browser
        .eval("return document.querySelectorAll(\"button[name='modifier']\").length")
        .await;
    assert_eq!(edits, 2, "every earlier answer can be changed");

    let stored = browser
        .eval("return localStorage.length + sessionStorage.length + document.cookie.length")
        .await;
    assert_eq!(stored, 0);
    let origin = app.url("");
    let elsewhere: Vec<String> = browser
        .requested_urls()
        .await
        .into_iter()
        .filter(|url| {
            !url.starts_with(&origin) && !url.starts_with("data:") && url != "about:blank"
        })
        .collect();
    assert!(elsewhere.is_empty(), "{elsewhere:?}");
    browser.close().await;
}

#[tokio::test]
async fn without_javascript_the_conversation_is_answered_by_plain_forms() {
    let Some(browser) = Browser::start(Js::Off).await else {
        return;
    };
    let app = TestApp::spawn().await;
    // Keyboard only (ChromeDriver cannot find elements without scripts): the
    // first answer is the eighth stop after the skip link, the site name,
    // the exit button, the three numbers for immediate danger and the help
    // button.
    browser
        .tab_then_enter(&app.url("/aide"), 8, |_, source| {
            source.contains("name=\"nombre\"")
        })
        .await;
    // One address, landing on the question.
    assert_eq!(
        browser.url().await,
        app.url("/aide#question"),
        "the conversation stays at one address"
    );
    let requested = browser.requested_urls().await;
    assert!(
        requested.iter().filter(|u| u.ends_with("/aide")).count() >= 2,
        "a form was posted: {requested:?}"
    );
    browser.close().await;
}

/// Fills the field `id` of the current page.
async fn fill(browser: &Browser, id: &str, text: &str) {
    let field = browser
        .client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("a field #{id}"));
    field.send_keys(text).await.expect("the field takes text");
}

/// The passphrase of the professionals of the browser tests.
const PASSPHRASE: &str = "quatre mots pris au hasard";

/// Sets up what the browser tests of referrals share: professionals with a
/// key in every demo organisation, the organisation a finished
/// conversation offers first, and in it a new professional who signs in
/// for the first time and makes their key in the browser.
async fn professional_with_a_browser_key(
    browser: &Browser,
    app: &TestApp,
    email: &str,
) -> (relais::storage::OrganisationId, Account) {
    members_everywhere(app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation("x").await);
    let professional = app.professional(email, &organisation).account().await;
    sign_in(
        browser,
        app,
        &professional,
        &app.url("/pro/demandes"),
        &app.url("/pro/cle"),
    )
    .await;
    make_key(browser).await;
    // Then on to the inbox.
    click_and_wait(
        browser,
        "main a[href='/pro/demandes']",
        &app.url("/pro/demandes"),
    )
    .await;
    (organisation, professional)
}

/// On the key page, types the passphrase twice and makes the key, as a
/// professional does, then waits for the server's answer that it is stored.
async fn make_key(browser: &Browser) {
    fill(browser, "passphrase", PASSPHRASE).await;
    fill(browser, "passphrase-again", PASSPHRASE).await;
    click(browser, "#key-form button[type=submit]").await;
    wait_until(
        browser,
        "return document.querySelector('h1')?.textContent === 'Votre clé est créée'",
    )
    .await;
}

/// Opens `page` signed out, signs `who` in through the forms (password,
/// then the authenticator's code), and waits to land on `next`.
async fn sign_in(browser: &Browser, app: &TestApp, who: &Account, page: &str, next: &str) {
    browser.goto(page).await;
    browser
        .wait_for_url(&app.url("/pro/connexion?suite="))
        .await;
    fill(browser, "email", &who.email).await;
    fill(browser, "password", PASSWORD).await;
    click_and_wait(
        browser,
        "form.pro-form button[type=submit]",
        &app.url("/pro/deuxieme-facteur"),
    )
    .await;
    fill(browser, "code", &who.code(0)).await;
    click_and_wait(browser, "form.pro-form button[type=submit]", next).await;
}

/// Clicks the element matching `css`, then waits for the next page.
async fn click_and_wait(browser: &Browser, css: &str, next: &str) {
    click(browser, css).await;
    browser.wait_for_url(next).await;
}

/// Clicks the element matching `css`, scrolled first to the middle of the
/// screen, as a person scrolls to what she wants to tap: the bars at the
/// top and bottom of a phone's screen stay over the page's edges.
async fn click(browser: &Browser, css: &str) {
    let element = browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("an element {css}"));
    browser
        .client
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' });",
            vec![serde_json::to_value(&element).expect("an element reference")],
        )
        .await
        .expect("the element scrolls into view");
    element.click().await.expect("the click lands");
}

#[tokio::test]
async fn a_coordinator_signs_in_adds_a_service_and_finds_it_on_the_public_directory() {
    let Some(browser) = Browser::start_sized(Js::On, (1024, 768)).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let coordinator = app
        .coordinator("coordination@example.org", "montreuillois")
        .account()
        .await;
    let (organisations, _) =
        relais::directory::storage::directory(&app.state.db, Some("montreuillois"))
            .await
            .unwrap();
    let organisation = &organisations[0].id;

    // The page asked for comes back after signing in.
    let form = app.url(&format!("/pro/structures/{organisation}/services/nouveau"));
    sign_in(&browser, &app, &coordinator, &form, &form).await;

    fill(&browser, "service_nom", "Permanence du soir (exemple)").await;
    browser
        .client
        .find(Locator::Id("besoin-foreigners"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&browser, "code_insee", "62318").await;
    fill(
        &browser,
        "presentation",
        "Une permanence du soir, sans rendez-vous.",
    )
    .await;
    fill(&browser, "telephone", "01 99 00 99 98").await;
    click_and_wait(
        &browser,
        "form.pro-form button[type=submit]",
        &app.url(&format!("/pro/structures/{organisation}")),
    )
    .await;
    let source = browser.client.source().await.unwrap();
    assert!(source.contains("Permanence du soir (exemple)"), "{source}");
    let cookies = browser.client.get_all_cookies().await.unwrap();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert_eq!(cookies[0].name(), "__Host-relais");
    assert_eq!(cookies[0].http_only(), Some(true));

    // The public side, at once.
    browser.goto(&app.url("/annuaire")).await;
    fill(&browser, "lieu", "Étaples").await;
    click(&browser, "#besoin option[value=foreigners]").await;
    click(&browser, "form[action^='/annuaire'] button[type=submit]").await;
    let started = Instant::now();
    loop {
        let source = browser.client.source().await.unwrap();
        if source.contains("Permanence du soir (exemple)") {
            break;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "the new service is not on /annuaire: {source}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.close().await;
}

/// The script that loads our crypto module into the page, then runs `body`
/// (an async function body receiving `C` and `args`) and hands back what it
/// returns, or `{error}`.
fn with_crypto(body: &str) -> String {
    format!(
        "const done = arguments[arguments.length - 1];\n\
         const args = arguments[0];\n\
         const run = async (C, args) => {{ {body} }};\n\
         const go = () => run(window.RelaisCrypto, args).then(done, (e) => done({{ error: String(e && e.stack || e) }}));\n\
         if (window.RelaisCrypto) {{ go(); }} else {{\n\
           const s = document.createElement('script');\n\
           s.src = args.src; s.onload = go; s.onerror = () => done({{ error: 'the module did not load' }});\n\
           document.head.appendChild(s);\n\
         }}"
    )
}

/// Checks one HPKE base-mode vector in the page: key derivation, the
/// encapsulation with the given ephemeral key, every ciphertext sealed and
/// opened at its sequence number, and the exported values.
const CHECK_VECTOR: &str = r#"
const v = args.vector, h = C.hex, aead = parseInt(v.aead_id, 16);
const eq = (a, b) => h.encode(a) === b;
const problems = [];
const info = h.decode(v.info);
if (v.ikmR) {
  const r = await C.hpke.deriveKeyPair(h.decode(v.ikmR));
  if (!eq(r.pk, v.pkRm)) problems.push('DeriveKeyPair(ikmR)');
}
if (v.ikmE) {
  const e = await C.hpke.deriveKeyPair(h.decode(v.ikmE));
  if (!eq(e.pk, v.pkEm)) problems.push('DeriveKeyPair(ikmE)');
}
const sender = await C.hpke.setupBaseS({ pkR: h.decode(v.pkRm), info, aead, skE: h.decode(v.skEm) });
if (!eq(sender.enc, v.pkEm)) problems.push('enc');
const receiver = await C.hpke.setupBaseR({ enc: h.decode(v.pkEm), skR: h.decode(v.skRm), info, aead });
for (const e of v.encryptions) {
  sender.seq = e.seq; receiver.seq = e.seq;
  const ct = await sender.seal(h.decode(e.aad), h.decode(e.pt));
  if (!eq(ct, e.ct)) problems.push('seal ' + e.seq);
  const pt = await receiver.open(h.decode(e.aad), h.decode(e.ct));
  if (!eq(pt, e.pt)) problems.push('open ' + e.seq);
}
for (const x of v.exports) {
  const out = await receiver.export(h.decode(x.exporter_context), x.L);
  if (!eq(out, x.exported_value)) problems.push('export');
}
return { checked: v.encryptions.length, problems };
"#;

#[tokio::test]
async fn the_browser_module_passes_the_hpke_vectors_and_round_trips_with_rust() {
    use relais::referral::envelope::{Author, PrivateKey, ReferralKey};
    use relais::storage::MessageId;

    let Some(browser) = Browser::start(Js::On).await else {
        return;
    };
    let app = TestApp::spawn().await;
    browser.goto(&app.url("/pro/connexion")).await;
    let src = app.state.assets.url("js/crypto.js").to_owned();
    let run = async |body: &str, args: Value| {
        browser
            .client
            .execute_async(&with_crypto(body), vec![args])
            .await
            .expect("the script runs")
    };

    for file in ["rfc9180-a1.json", "hpke-x25519-aes256.json"] {
        let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
        let vector: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let result = run(CHECK_VECTOR, json!({ "src": src, "vector": vector })).await;
        assert_eq!(result["problems"], json!([]), "{file}: {result}");
        assert_eq!(result["checked"], json!(6), "{file}: {result}");
    }

    // Rust seals, the browser opens.
    let seed: [u8; 32] = std::array::from_fn(|i| u8::try_from(i * 7 + 1).unwrap());
    let private = PrivateKey::from_bytes(&seed);
    let mut pkcs8 = hex::decode("302e020100300506032b656e04220420").unwrap();
    pkcs8.extend_from_slice(&seed);
    let recovery_text = format!(
        "RELAIS-RECOVERY-1:{}",
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &pkcs8)
    );
    let id = ReferralId::new();
    let message_id = MessageId::new();
    let key = ReferralKey::random();
    let report = json!({ "version": 1, "free_text": "Écrit en Rust, lu dans le navigateur ✓" });
    let sealed = json!({
        "src": src,
        "recovery": recovery_text,
        "id": id,
        "message_id": message_id,
        "wrapped": key.wrap_for(&private.public_key(), &id),
        "report": key.seal_report(&id, report.to_string().as_bytes()),
        "message": key.seal_message(&id, &message_id, Author::Person, "Merci d'avance"),
    });
    let opened = run(
        r#"
        const key = await C.importRecoveryKey(args.recovery);
        const K = await C.openReferralKey(args.wrapped, key, args.id);
        return {
          report: await C.decryptReport(K, args.id, args.report),
          message: await C.decryptMessage(K, args.id, args.message_id, 'person', args.message),
        };"#,
        sealed,
    )
    .await;
    assert_eq!(opened["report"], report, "{opened}");
    assert_eq!(opened["message"], "Merci d'avance", "{opened}");

    // The browser seals, Rust opens; and a private key wrapped with a
    // passphrase opens only with it.
    let id = ReferralId::new();
    let made = run(
        r#"
        const K = C.randomBytes(32);
        const messageId = C.newMessageId();
        const pair = await C.generateKeyPair();
        const record = await C.wrapPrivateKey(pair.privateKey, 'une phrase secrète assez longue');
        let wrong = 'opened';
        try { await C.unwrapPrivateKey(record, 'pas la bonne phrase'); } catch (e) { wrong = e.name; }
        const back = await C.unwrapPrivateKey(record, 'une phrase secrète assez longue');
        const K2 = await C.openReferralKey(await C.sealReferralKey(K, pair.publicKey, args.id), back, args.id);
        return {
          wrapped: await C.sealReferralKey(K, args.public_key, args.id),
          report: await C.encryptReport(K, args.id, { version: 1, free_text: 'Écrit dans le navigateur' }),
          message_id: messageId,
          message: await C.encryptMessage(K, args.id, messageId, 'professional', 'Je vous rappelle demain'),
          iterations: record.iterations,
          wrong,
          same: C.hex.encode(K) === C.hex.encode(K2),
        };"#,
        json!({ "src": src, "id": id, "public_key": private.public_key().encode() }),
    )
    .await;
    assert_eq!(made["wrong"], "WrongPassphrase", "{made}");
    assert_eq!(made["same"], true, "{made}");
    assert!(made["iterations"].as_i64().unwrap() >= 600_000);
    let key = ReferralKey::unwrap(made["wrapped"].as_str().unwrap(), &private, &id).unwrap();
    let report: Value = serde_json::from_slice(
        &key.open_report(&id, made["report"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(report["free_text"], "Écrit dans le navigateur");
    let message = key
        .open_message(
            &id,
            &MessageId::from(made["message_id"].as_str().unwrap()),
            Author::Professional,
            made["message"].as_str().unwrap(),
        )
        .unwrap();
    assert_eq!(message, "Je vous rappelle demain");
    browser.close().await;
}

#[tokio::test]
async fn a_report_sent_without_javascript_is_read_and_answered_in_the_professionals_browser() {
    let Some(browser) = Browser::start_sized(Js::On, (1024, 768)).await else {
        return;
    };
    let app = TestApp::spawn().await;
    // First sign-in: the key is made in the browser.
    let (organisation, professional) =
        professional_with_a_browser_key(&browser, &app, "lecture@example.org").await;
    let stored = relais::referral::storage::key_of(&app.state.db, &professional.id)
        .await
        .unwrap()
        .expect("the key reached the server");
    assert!(stored.iterations >= 600_000);
    assert!(!stored.wrapped.is_empty());

    // The person, without JavaScript, sends her story to that organisation.
    let story = "Je voudrais partir avec mes enfants, sans qu'il le sache.";
    let receipt = app.person().sends_report(&organisation, story).await;
    let id = relais::referral::storage::inbox(&app.state.db, &organisation)
        .await
        .unwrap()[0]
        .id
        .clone();

    // The professional opens it: decrypted in the browser.
    browser.goto(&app.url("/pro/demandes")).await;
    click_and_wait(
        &browser,
        &format!("a[href='/pro/demandes/{id}']"),
        &app.url(&format!("/pro/demandes/{id}")),
    )
    .await;
    // (That the page arrives with ciphertext only is checked over HTTP in
    // tests/it/referral.rs: here the script has already opened it.)
    // The key unlocked when it was made is remembered for the session: the
    // report opens in one click, without the phrase.
    let shown = format!(
        "const r = document.getElementById('report'); return !r.hidden && r.textContent.includes({})",
        json!(story)
    );
    wait_until(&browser, &shown).await;
    // Forgotten (as after 30 idle minutes or signing out), the phrase opens it.
    browser
        .client
        .execute_async(
            "const done = arguments[0]; const r = indexedDB.deleteDatabase('relais-pro'); r.onsuccess = r.onerror = () => done(true);",
            vec![],
        )
        .await
        .unwrap();
    browser.client.refresh().await.unwrap();
    fill(&browser, "passphrase", PASSPHRASE).await;
    click(&browser, "#unlock button[type=submit]").await;
    wait_until(&browser, &shown).await;
    let text = browser
        .eval("return document.getElementById('report').textContent")
        .await;
    let text = text.as_str().unwrap();
    assert!(
        text.contains("Camille") && text.contains("06 12 34 56 78"),
        "{text}"
    );

    // A reply, encrypted in the browser, read by the person with her receipt.
    fill(
        &browser,
        "reply-text",
        "Bonjour, je vous appelle demain à 10 h.",
    )
    .await;
    click(&browser, "#reply-form button[type=submit]").await;
    let started = Instant::now();
    while relais::referral::storage::messages(&app.state.db, &id)
        .await
        .unwrap()
        .is_empty()
    {
        assert!(started.elapsed() < PATIENCE, "the reply never arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stored = relais::referral::storage::messages(&app.state.db, &id)
        .await
        .unwrap();
    assert!(!stored[0].body.contains("demain"));
    let (_, page) = app.person().follows_up(&[("code", receipt.as_str())]).await;
    assert!(page.contains("je vous appelle demain à 10 h"), "{page}");
    browser.close().await;
}

/// Waits until `check` holds on the database.
async fn wait_for_db<F: AsyncFn() -> bool>(what: &str, check: F) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < PATIENCE, "{what} never happened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits for the copy of referral `id`'s key wrapped for `recipient`, as a
/// browser sends it, and returns it.
async fn wrapped_copy(app: &TestApp, id: &ReferralId, recipient: &UserId) -> String {
    let copy = async || {
        relais::referral::storage::wrapped_key(&app.state.db, id, recipient.as_str())
            .await
            .unwrap()
    };
    wait_for_db(&format!("the copy for {recipient}"), async || {
        copy().await.is_some()
    })
    .await;
    copy().await.unwrap()
}

#[tokio::test]
async fn a_coordinator_makes_the_recovery_key_in_the_browser_and_gives_access_back_with_it() {
    use relais::referral::envelope::ReferralKey;
    use relais::referral::storage as referrals;

    let Some(browser) = Browser::start_sized(Js::On, (1024, 768)).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation("x").await);
    let coordinator = app
        .coordinator("coordination@example.org", "montreuillois")
        .account()
        .await;
    let page = app.url("/pro/territoires/montreuillois/cle-de-secours");
    sign_in(&browser, &app, &coordinator, &page, &page).await;

    // Made in the browser, shown once, only its public half saved.
    browser
        .client
        .find(Locator::Id("recovery-generate"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(
        &browser,
        "return !document.getElementById('recovery-show').hidden",
    )
    .await;
    let text = browser
        .eval("return document.getElementById('recovery-text').value")
        .await;
    let text = text.as_str().unwrap().to_owned();
    assert!(text.starts_with("RELAIS-RECOVERY-1:"), "{text}");
    browser
        .client
        .find(Locator::Id("recovery-kept"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&browser, "#recovery-show button[type=submit]").await;
    let db = &app.state.db;
    wait_for_db("the recovery key saved", async || {
        referrals::recovery_key(db, "montreuillois")
            .await
            .unwrap()
            .is_some()
    })
    .await;
    let public = referrals::recovery_key(db, "montreuillois")
        .await
        .unwrap()
        .unwrap();
    assert!(
        !text.contains(&public),
        "only the public half reaches the server"
    );
    browser.wait_for_url(&page).await;

    // A referral arrives; a professional then makes a new key.
    app.person().sends_report(&organisation, "x").await;
    let id = referrals::inbox(db, &organisation).await.unwrap()[0]
        .id
        .clone();
    let member = &members[&organisation];
    let new_key = give_key(&app, &member.user_id).await;

    // The coordinator pastes the recovery key: access is given back.
    browser.goto(&page).await;
    fill(&browser, "recovery-input", &text).await;
    click(&browser, "#recovery-grant button[type=submit]").await;
    let copy = wrapped_copy(&app, &id, &member.user_id).await;
    assert!(ReferralKey::unwrap(&copy, &new_key, &id).is_ok());
    browser.close().await;
}

#[tokio::test]
async fn a_professional_gives_a_new_colleague_access_from_the_browser() {
    use relais::referral::envelope::ReferralKey;
    use relais::referral::storage as referrals;

    let Some(browser) = Browser::start_sized(Js::On, (1024, 768)).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let (organisation, _) =
        professional_with_a_browser_key(&browser, &app, "premiere@example.org").await;
    app.person().sends_report(&organisation, "x").await;
    let db = &app.state.db;
    let id = referrals::inbox(db, &organisation).await.unwrap()[0]
        .id
        .clone();
    let newcomer = app
        .professional("nouvelle@example.org", &organisation)
        .with_key()
        .account()
        .await;

    browser.goto(&app.url("/pro/acces")).await;
    // The key is still unlocked in this session: no phrase to type again.
    wait_until(
        &browser,
        "return document.getElementById('passphrase').parentNode.hidden",
    )
    .await;
    click(&browser, "#grant-form button[type=submit]").await;
    let copy = wrapped_copy(&app, &id, &newcomer.id).await;
    assert!(ReferralKey::unwrap(&copy, newcomer.key(), &id).is_ok());
    browser.close().await;
}
