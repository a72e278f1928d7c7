//! Live help in a real browser (docs/live.md): the person's page with
//! JavaScript never navigates while she talks; without it, the streamed
//! page updates by itself; quick exit's beacon reaches the professional;
//! a closed console stops being counted; Arabic reads right to left.
//!
//! The person is on a phone; the professional, when a browser is needed
//! for their side, on a desktop screen. Only the first test holds two
//! browsers at once, so that two tests never wait for each other's.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Browser, Elsewhere, Js, PATIENCE, app_leaving_to, click, fill, sign_in, wait_until};
use crate::helpers::TestApp;
use crate::helpers::live::{at_the_lines, live_hours, on_duty, takes};
use crate::helpers::professional::{Account, SignedIn};

/// The professional's sentence when she left, as the console's HTML
/// escapes it.
const SHE_LEFT: &str =
    "La personne a quitté la conversation. Ne la rappelez pas sauf si elle l&#39;a demandé.";

/// The conversation to the orientation, with our scripts running, as
/// `helpers/person.rs` answers it over HTTP.
const TO_THE_ORIENTATION: [(&str, &[&str]); 12] = [
    ("formulaire", &["button[name='choix'][value='oui']"]),
    ("age", &["fill answer-field 34", ANSWER]),
    ("danger", &["button[name='choix'][value='non']"]),
    ("concerne", &["button[name='choix'][value='moi']"]),
    ("violences", &["#choix-psychologiques", ANSWER]),
    ("enfants", &["button[name='choix'][value='non']"]),
    ("commune", &["fill answer-field Montreuil-sur-Mer", ANSWER]),
    ("besoins", &["#choix-droits", ANSWER]),
    ("prenom", &["fill answer-field Camille", ANSWER]),
    ("contact", &["#canal-aucun", ANSWER]),
    (
        "message",
        &["fill answer-field Je voudrais parler à quelqu'un.", ANSWER],
    ),
    ("resume", &[ANSWER]),
];

/// The submit button of the question on screen.
const ANSWER: &str = "#question button[name='action'][value='repondre']";

/// The live offer's button in the conversation's outcome.
const OFFER: &str = "button[form='live-offer-form']";

/// Answers the conversation to the orientation, with JavaScript.
async fn reaches_the_orientation(browser: &Browser, app: &TestApp) {
    browser.goto(&app.url("/aide")).await;
    for (step, gestures) in TO_THE_ORIENTATION {
        for gesture in gestures {
            if let Some(typed) = gesture.strip_prefix("fill ") {
                let (id, text) = typed.split_once(' ').expect("a field and a text");
                fill(browser, id, text).await;
            } else {
                click(browser, gesture).await;
            }
        }
        wait_until(
            browser,
            &format!(
                "const step = document.querySelector(\"input[name='etape']\");
                 return !!document.getElementById('question') && (!step || step.value !== '{step}');"
            ),
        )
        .await;
    }
}

/// Opens `prefix/aide` and chooses "I would rather call someone", with
/// JavaScript; waits for that outcome.
async fn at_the_lines_in(browser: &Browser, app: &TestApp, prefix: &str) {
    browser.goto(&app.url(&format!("{prefix}/aide"))).await;
    click(browser, "button[name='choix'][value='appeler']").await;
    wait_until(
        browser,
        "return !!document.querySelector('#question.outcome .live-offer')",
    )
    .await;
}

/// Waits until the text of the element `css` holds `wanted`.
async fn wait_for_text(browser: &Browser, css: &str, wanted: &str) {
    wait_until(
        browser,
        &format!(
            "const e = document.querySelector({}); return !!e && e.textContent.includes({});",
            json!(css),
            json!(wanted)
        ),
    )
    .await;
}

/// Waits until the page's source (all that arrived of it) holds `wanted`:
/// the way to read a page that never finishes loading.
async fn wait_for_source(browser: &Browser, wanted: &str) -> String {
    let started = Instant::now();
    loop {
        let source = browser
            .eval("return document.documentElement.outerHTML")
            .await;
        let source = source.as_str().unwrap_or_default().to_owned();
        if source.contains(wanted) {
            return source;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "never « {wanted} » in:\n{source}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the professional's console, over HTTP, holds `wanted`.
async fn console_shows(pro: &mut SignedIn<'_>, wanted: &str) -> String {
    let started = Instant::now();
    loop {
        let console = pro.get("/pro/permanence").await.body;
        if console.contains(wanted) {
            return console;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "never « {wanted} » in the console:\n{console}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Signs a new professional of `organisation` (with a key) in, on a
/// desktop browser, and takes the duty from the console as they would.
async fn professional_on_duty_in_a_browser(
    app: &TestApp,
    email: &str,
    organisation: &relais::storage::OrganisationId,
) -> Option<(Browser, Account)> {
    let browser = Browser::start_sized(Js::On, (1024, 768)).await?;
    let account = app
        .professional(email, organisation)
        .with_key()
        .account()
        .await;
    let console = app.url("/pro/permanence");
    sign_in(&browser, app, &account, &console, &console).await;
    click(&browser, "button[name='action'][value='commencer']").await;
    wait_for_text(&browser, "#duty-heading", "Vous êtes de permanence").await;
    app.state.live.refresh(&app.state.db).await.unwrap();
    Some((browser, account))
}

/// From the outcome, with JavaScript: the offer, what would be shared,
/// then joining; waits for the conversation drawn in the same page.
async fn joins_with_javascript(browser: &Browser, share: &str) {
    click(browser, OFFER).await;
    wait_until(
        browser,
        "return document.readyState === 'complete' && !!document.getElementById('live-join')",
    )
    .await;
    browser.eval("window.__relaisLive = 1; return null;").await;
    click(browser, &format!("button[name='partage'][value='{share}']")).await;
    wait_until(browser, "return !!document.getElementById('live-room')").await;
}

/// The page was not loaded again since `joins_with_javascript`.
async fn assert_never_navigated(browser: &Browser) {
    let same = browser
        .eval(
            "return window.__relaisLive === 1 \
             && performance.getEntriesByType('navigation').length === 1",
        )
        .await;
    assert_eq!(same, Value::Bool(true), "the person's page navigated");
}

#[tokio::test]
async fn with_javascript_she_talks_with_a_professional_who_reads_her_answers_and_her_page_never_navigates()
 {
    let Some(person) = Browser::start(Js::On).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    let Some((pro, _)) =
        professional_on_duty_in_a_browser(&app, "camille@example.org", &organisation).await
    else {
        return;
    };
    let title = pro.eval("return document.title").await;

    // She reaches the orientation and is offered to talk now.
    reaches_the_orientation(&person, &app).await;
    wait_for_text(
        &person,
        ".live-offer",
        "Parler maintenant avec un professionnel",
    )
    .await;
    click(&person, OFFER).await;
    // What would be shared, before anything is.
    wait_for_text(&person, "#live-offer", "Ce que le professionnel verra").await;
    wait_for_text(&person, ".report-preview", "Camille").await;
    person.screenshot("live-preview").await;
    person.eval("window.__relaisLive = 1; return null;").await;
    click(&person, "button[name='partage'][value='oui']").await;
    wait_until(&person, "return !!document.getElementById('live-room')").await;
    wait_for_text(&person, "#live-status", "file d").await;

    // The console shows her, its title says so; the professional takes her
    // and has her answers at once.
    wait_until(&pro, "return !!document.getElementById('take-next')").await;
    wait_until(
        &pro,
        "return document.title.indexOf('(1) Quelqu\u{2019}un attend') === 0",
    )
    .await;
    assert_ne!(pro.eval("return document.title").await, title);
    click(&pro, "#take-next").await;
    wait_for_text(&pro, ".live-shared", "Camille").await;
    wait_for_text(&person, "#live-status", "vous répond").await;

    // Both ways, without her page loading again.
    fill(&person, "texte", "Bonjour, j'ai peur ce soir").await;
    click(&person, "#live-write button[type=submit]").await;
    wait_for_text(&pro, "#live-messages", "peur ce soir").await;
    fill(&pro, "texte", "Je suis là. Êtes-vous en sécurité ?").await;
    click(&pro, "#live-write button[type=submit]").await;
    wait_for_text(&person, "#live-messages", "Je suis là").await;
    // Each side's page had the other's message: delivered.
    wait_for_text(&person, "#live-messages .me", "reçu").await;
    wait_for_text(&pro, "#live-messages .me", "reçu").await;
    person.screenshot("live-conversation").await;
    assert_never_navigated(&person).await;

    // The professional ends it; her page says so, still the same page.
    click(&pro, "button[name='action'][value='terminer']").await;
    wait_for_text(&person, "#live-end", "a terminé la conversation").await;
    assert_eq!(
        person
            .eval("return document.getElementById('live-write').hidden")
            .await,
        Value::Bool(true)
    );
    assert_never_navigated(&person).await;
    wait_for_text(&pro, "#live-ended", "terminé la conversation").await;
    pro.close().await;
    person.close().await;
}

#[tokio::test]
async fn without_javascript_her_streamed_page_shows_the_professionals_words_without_her_doing_anything()
 {
    // Our scripts are blocked rather than JavaScript turned off, so that
    // the test can still find the buttons and read the page; and the
    // browser's commands do not wait for the page to load, since the
    // conversation's page never finishes loading.
    let Some(person) = Browser::start_with(Js::Blocked, (320, 640), "none").await else {
        return;
    };
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    let mut pro = on_duty(&app, "camille@example.org", &organisation).await;

    person.goto(&app.url("/aide")).await;
    wait_until(&person, "return document.readyState === 'complete'").await;
    click(&person, "button[name='choix'][value='appeler']").await;
    wait_for_source(&person, "live-offer-form").await;
    wait_until(&person, "return document.readyState === 'complete'").await;
    click(&person, OFFER).await;
    wait_for_source(&person, "Ce que le professionnel verra").await;
    wait_until(&person, "return document.readyState === 'complete'").await;
    click(&person, "button[name='partage'][value='oui']").await;
    wait_for_source(&person, "file d").await;

    takes(&mut pro).await;
    wait_for_source(&person, "vous répond").await;
    // The professional writes; her page shows it without a click.
    let console = console_shows(&mut pro, "live-write").await;
    let (m, csrf) = (
        crate::helpers::page::hidden(&console, "m"),
        pro.csrf.clone(),
    );
    pro.post(
        "/pro/permanence/message",
        &[
            ("csrf", &csrf),
            ("m", &m),
            ("texte", "Je suis là. Êtes-vous en sécurité ?"),
        ],
    )
    .await;
    wait_for_source(&person, "Êtes-vous en sécurité ?").await;
    console_shows(&mut pro, "· reçu").await;
    person.screenshot("live-streamed").await;

    // She writes back with the form: the professional reads it.
    fill(&person, "texte", "Oui, il est parti travailler").await;
    click(&person, "button[name='action'][value='envoyer']").await;
    wait_for_source(&person, "Oui, il est parti travailler").await;
    console_shows(&mut pro, "Oui, il est parti travailler").await;
    // The new page is streamed too: the professional's next words come.
    let console = pro.get("/pro/permanence").await.body;
    let m = crate::helpers::page::hidden(&console, "m");
    pro.post(
        "/pro/permanence/message",
        &[("csrf", &csrf), ("m", &m), ("texte", "D'accord, je note.")],
    )
    .await;
    wait_for_source(&person, "je note").await;
    person.close().await;
}

#[tokio::test]
async fn quick_exit_during_the_conversation_tells_the_professional_within_seconds() {
    let Some(person) = Browser::start(Js::On).await else {
        return;
    };
    let elsewhere = Elsewhere::spawn().await;
    let app = app_leaving_to(&elsewhere).await;
    let organisation = live_hours(&app, "24/7").await;
    let mut pro = on_duty(&app, "camille@example.org", &organisation).await;
    at_the_lines_in(&person, &app, "").await;
    joins_with_javascript(&person, "non").await;
    takes(&mut pro).await;
    wait_for_text(&person, "#live-status", "vous répond").await;

    let started = Instant::now();
    click(&person, "#exit").await;
    person.wait_for_url(&elsewhere.url("/meteo")).await;
    // The beacon, not the silence delay (20 s), ended it.
    console_shows(&mut pro, SHE_LEFT).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    person.close().await;
}

#[tokio::test]
async fn with_nobody_on_duty_she_is_told_so_and_offered_a_callback() {
    let Some(person) = Browser::start(Js::On).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    // Someone who receives referrals, but not on duty.
    app.professional("camille@example.org", &organisation)
        .with_key()
        .account()
        .await;
    at_the_lines_in(&person, &app, "").await;
    wait_for_text(
        &person,
        ".live-offer",
        "Personne n'est disponible pour parler maintenant",
    )
    .await;
    assert_eq!(
        person
            .eval(&format!(
                "return !!document.querySelector({})",
                json!(OFFER)
            ))
            .await,
        Value::Bool(false)
    );
    let button = format!("button[form='callback-{organisation}']");
    wait_for_text(&person, &button, "Être rappelée").await;
    // The button posts the callback form to /envoyer. The callback form
    // (`genre=rappel`) is being built on another branch, not merged here
    // yet: this branch's /envoyer refuses the unknown field `genre` ("Cette
    // demande n'a pas pu être lue"), so the test stops at the form the
    // button sends. Once merged, click the button and check the form.
    let form = person
        .eval(&format!(
            "const f = document.getElementById('callback-{organisation}');
             return {{ action: new URL(f.action).pathname, method: f.method,
                      genre: f.elements.genre.value, organisation: f.elements.organisation.value,
                      token: f.elements.t.value.length > 0 }};"
        ))
        .await;
    assert_eq!(
        form,
        json!({ "action": "/envoyer", "method": "post", "genre": "rappel",
                "organisation": organisation.as_str(), "token": true })
    );
    person.close().await;
}

#[tokio::test]
async fn a_professional_whose_console_tab_is_closed_stops_being_counted() {
    let app = TestApp::spawn_with(|s| s.live_console_silence = 2).await;
    let organisation = live_hours(&app, "24/7").await;
    let Some((console, _)) =
        professional_on_duty_in_a_browser(&app, "camille@example.org", &organisation).await
    else {
        return;
    };
    // The open console's socket keeps them counted beyond the silence.
    tokio::time::sleep(Duration::from_secs(4)).await;
    app.state.live_state().tick().await.unwrap();
    let (page, _) = at_the_lines(&app).await;
    assert!(
        page.contains("live-offer-form"),
        "counted with the console open: {page}"
    );

    console.close().await;
    let started = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        app.state.live_state().tick().await.unwrap();
        let (page, _) = at_the_lines(&app).await;
        if !page.contains("live-offer-form") {
            break;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "still offered with the console closed"
        );
    }
}

#[tokio::test]
async fn in_arabic_the_offer_and_the_conversation_read_right_to_left() {
    let Some(person) = Browser::start(Js::On).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    let mut pro = on_duty(&app, "camille@example.org", &organisation).await;
    let direction = |css: &str| {
        format!(
            "return getComputedStyle(document.querySelector({})).direction",
            json!(css)
        )
    };

    at_the_lines_in(&person, &app, "/ar").await;
    assert_eq!(person.eval(&direction(".live-offer")).await, "rtl");
    // The organisation's name (Latin letters) is isolated in the sentence.
    let isolated = person
        .eval(
            "const p = document.querySelector('.live-offer p');
             return /\u{2068}[^\u{2069}]*Association[^\u{2069}]*\u{2069}/.test(p.textContent);",
        )
        .await;
    assert_eq!(isolated, Value::Bool(true));
    joins_with_javascript(&person, "non").await;
    assert_eq!(person.eval(&direction("#live-room")).await, "rtl");
    assert_eq!(person.eval(&direction("#live-write")).await, "rtl");
    let heading = person
        .eval("return document.getElementById('live-heading').textContent")
        .await;
    assert!(
        heading.as_str().unwrap_or_default().contains('\u{2068}'),
        "{heading}"
    );
    takes(&mut pro).await;

    let words = "مرحبا، أحتاج إلى المساعدة";
    fill(&person, "texte", words).await;
    click(&person, "#live-write button[type=submit]").await;
    wait_for_text(&person, "#live-messages", words).await;
    console_shows(&mut pro, words).await;
    let console = pro.get("/pro/permanence").await.body;
    let (m, csrf) = (
        crate::helpers::page::hidden(&console, "m"),
        pro.csrf.clone(),
    );
    pro.post(
        "/pro/permanence/message",
        &[("csrf", &csrf), ("m", &m), ("texte", "أنا هنا")],
    )
    .await;
    wait_for_text(&person, "#live-messages .bot", "أنا هنا").await;
    person.screenshot("live-arabic").await;
    assert_never_navigated(&person).await;
    person.close().await;
}
