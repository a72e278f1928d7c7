//! axe-core on every public and back-office page, in French and Arabic,
//! with our scripts and without them: no violation.
//!
//! axe-core is a test tool, installed by `.ci/run` with npm outside the
//! repository; `RELAIS_TEST_AXE` gives the path of its `axe.min.js`. The
//! script is handed to the page by WebDriver, so the site's own policy
//! (no script from anywhere but itself) stays as it is.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{Browser, Js, PATIENCE, click, sign_in, wait_until};
use crate::helpers::person::{first_sender, receipt_of, send_form};
use crate::helpers::professional::members_everywhere;
use crate::helpers::{TestApp, in_ci};

/// The variable giving the path of axe-core's `axe.min.js`.
pub const AXE_VAR: &str = "RELAIS_TEST_AXE";

/// axe-core's source, or `None` when no path is given (a failure under
/// `.ci/run`).
fn axe_source() -> Option<String> {
    let Some(path) = std::env::var_os(AXE_VAR).filter(|path| !path.is_empty()) else {
        assert!(
            !in_ci(),
            "{AXE_VAR} is not set: .ci/run must provide axe-core"
        );
        eprintln!("accessibility test skipped: set {AXE_VAR} to axe.min.js to run it");
        return None;
    };
    Some(std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path:?}: {error}")))
}

/// Runs axe-core on the current page and returns its violations, one line
/// each: the rule, what it says, and where.
async fn violations(browser: &Browser, axe: &str) -> Vec<String> {
    let script = format!(
        "{axe}\n;return axe.run(document, {{ resultTypes: ['violations'] }}).then((r) => \
         r.violations.map((v) => v.id + ' (' + v.help + '): ' + \
         v.nodes.map((n) => n.target.join(' ')).join(', ')));"
    );
    let found = browser.eval(&script).await;
    found
        .as_array()
        .unwrap_or_else(|| panic!("axe-core answers a list: {found}"))
        .iter()
        .map(|line| line.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Checks the page at `url` and adds what axe-core finds to `found`.
async fn audit(browser: &Browser, axe: &str, url: &str, found: &mut Vec<String>) {
    browser.goto(url).await;
    audit_here(browser, axe, url, found).await;
}

/// Checks the page the browser shows and adds what axe-core finds, with
/// `what` saying which page it is.
async fn audit_here(browser: &Browser, axe: &str, what: &str, found: &mut Vec<String>) {
    for violation in violations(browser, axe).await {
        found.push(format!("{what}: {violation}"));
    }
}

/// Checks every page of the public site, under `prefix` (`""` for French,
/// `"/ar"` for Arabic).
async fn audit_public_pages(
    browser: &Browser,
    axe: &str,
    app: &TestApp,
    prefix: &str,
    found: &mut Vec<String>,
) {
    let pages: BTreeSet<&str> = app
        .routes
        .iter()
        .filter(|route| route.is_page && route.found)
        .map(|route| route.path)
        .collect();
    assert!(pages.len() >= 8, "{pages:?}");
    for page in pages {
        audit(browser, axe, &app.url(&format!("{prefix}{page}")), found).await;
    }
}

/// Posts `fields` from the current page to `action`, as its form would,
/// with the page's conversation token when it has one, and waits for the
/// next page (our scripts are blocked: this is a plain navigation).
async fn post_from_page(browser: &Browser, action: &str, fields: &[(&str, &str)]) {
    browser
        .eval("window.__relaisBefore = true; return null;")
        .await;
    let fields: Vec<Value> = fields.iter().map(|(k, v)| json!([k, v])).collect();
    browser
        .client
        .execute(
            "const [action, fields] = arguments;\n\
             const form = document.createElement('form');\n\
             form.method = 'post'; form.action = action;\n\
             const add = (name, value) => { const i = document.createElement('input');\n\
               i.type = 'hidden'; i.name = name; i.value = value; form.appendChild(i); };\n\
             const t = document.querySelector('input[name=t]');\n\
             if (t && !fields.some(([k]) => k === 't')) add('t', t.value);\n\
             for (const [k, v] of fields) add(k, v);\n\
             document.body.appendChild(form); form.submit(); return null;",
            vec![json!(action), json!(fields)],
        )
        .await
        .expect("the form is sent");
    let started = std::time::Instant::now();
    loop {
        let gone = browser
            .client
            .execute(
                "return window.__relaisBefore !== true && document.readyState === 'complete';",
                vec![],
            )
            .await
            .unwrap_or(Value::Bool(false));
        if gone == Value::Bool(true) {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "no page after posting to {action}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The person's conversation to the orientation, step by step, as
/// `helpers/person.rs` answers it.
const STORY: &[&[(&str, &str)]] = &[
    &[("etape", "formulaire"), ("choix", "oui")],
    &[("etape", "age"), ("nombre", "34")],
    &[("etape", "danger"), ("choix", "non")],
    &[("etape", "concerne"), ("choix", "moi")],
    &[("etape", "violences"), ("action", "passer")],
    &[("etape", "enfants"), ("choix", "oui")],
    // Several communes have this postcode: she is asked which.
    &[("etape", "commune"), ("lieu", "62170")],
    &[("etape", "commune"), ("lieu", "Montreuil-sur-Mer")],
    &[
        ("etape", "besoins"),
        ("choix", "droits"),
        ("action", "repondre"),
    ],
    &[("etape", "prenom"), ("texte", "Camille")],
    &[
        ("etape", "contact"),
        ("canal", "sms"),
        ("coordonnee", "06 12 34 56 78"),
        ("moments", "le matin"),
        ("nom_neutre", "Madame Martin"),
        ("action", "repondre"),
    ],
    &[("etape", "message"), ("texte", "Un récit pour l'essai.")],
    &[("etape", "resume"), ("action", "repondre")],
];

#[tokio::test]
async fn every_public_page_and_every_step_of_the_conversation_has_no_accessibility_violation() {
    let Some(axe) = axe_source() else {
        return;
    };
    let Some(browser) = Browser::start(Js::Blocked).await else {
        return;
    };
    let app = TestApp::spawn().await;
    members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation("x").await);
    let mut found = Vec::new();
    for prefix in ["", "/ar"] {
        audit_public_pages(&browser, &axe, &app, prefix, &mut found).await;
        audit(
            &browser,
            &axe,
            &app.url(&format!("{prefix}/nulle-part")),
            &mut found,
        )
        .await;

        // Every step of the conversation, then the report and its receipt.
        let aide = app.url(&format!("{prefix}/aide"));
        browser.goto(&aide).await;
        for fields in STORY {
            post_from_page(&browser, &aide, fields).await;
            audit_here(
                &browser,
                &axe,
                &format!("{aide} after {fields:?}"),
                &mut found,
            )
            .await;
        }
        let outcome = browser.client.source().await.unwrap();
        assert!(outcome.contains("(exemple)"), "the orientation: {outcome}");
        let envoyer = app.url(&format!("{prefix}/envoyer"));
        post_from_page(
            &browser,
            &envoyer,
            &[("organisation", organisation.as_str())],
        )
        .await;
        audit_here(&browser, &axe, &envoyer, &mut found).await;
        let page = browser.client.source().await.unwrap();
        let form = send_form(&page);
        let fields: Vec<(&str, &str)> =
            form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let confirm = app.url(&format!("{prefix}/envoyer/confirmer"));
        post_from_page(&browser, &confirm, &fields).await;
        audit_here(&browser, &axe, &confirm, &mut found).await;
        let receipt = receipt_of(&browser.client.source().await.unwrap());
        let suivi = app.url(&format!("{prefix}/suivi"));
        browser.goto(&suivi).await;
        post_from_page(&browser, &suivi, &[("code", &receipt)]).await;
        audit_here(
            &browser,
            &axe,
            &format!("{suivi} with a receipt"),
            &mut found,
        )
        .await;

        // The other outcomes: the lines, the minor's, the emergency.
        browser.goto(&aide).await;
        post_from_page(
            &browser,
            &aide,
            &[("etape", "formulaire"), ("choix", "appeler")],
        )
        .await;
        audit_here(&browser, &axe, &format!("{aide}, the lines"), &mut found).await;
        for (age, danger) in [("15", None), ("34", Some("oui"))] {
            browser.goto(&aide).await;
            post_from_page(
                &browser,
                &aide,
                &[("etape", "formulaire"), ("choix", "oui")],
            )
            .await;
            post_from_page(&browser, &aide, &[("etape", "age"), ("nombre", age)]).await;
            if let Some(danger) = danger {
                post_from_page(&browser, &aide, &[("etape", "danger"), ("choix", danger)]).await;
            }
            audit_here(
                &browser,
                &axe,
                &format!("{aide} at {age}, danger {danger:?}"),
                &mut found,
            )
            .await;
        }
    }
    browser.close().await;
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
}

#[tokio::test]
async fn every_back_office_page_has_no_accessibility_violation() {
    let Some(axe) = axe_source() else {
        return;
    };
    let Some(browser) = Browser::start_sized(Js::On, (1024, 768)).await else {
        return;
    };
    let app = TestApp::spawn().await;
    // On a demonstration database, so that its band, which sits above the
    // page's own landmarks, is audited on every screen too.
    let mut tx = app.state.db.begin().await.unwrap();
    relais::storage::demo::mark(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    app.state.web.set_demo(true);
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation("x").await);
    let professional = app
        .professional("lectrice@example.org", &organisation)
        .with_key()
        .account()
        .await;
    app.person()
        .sends_report(&organisation, "Un récit pour l'essai.")
        .await;
    let referral = relais::referral::storage::inbox(&app.state.db, &organisation)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap()
        .id;
    let mut found = Vec::new();

    // Signed out: the sign-in screens.
    for screen in app.open_screens.iter().filter(|s| s.method == "GET") {
        if screen.example.contains('{') {
            continue;
        }
        audit(&browser, &axe, &app.url(screen.example), &mut found).await;
    }

    // A coordinator, on every screen she may open.
    let coordinator = app
        .coordinator("coordination@example.org", "montreuillois")
        .account()
        .await;
    let accounts = app.url("/pro/comptes");
    sign_in(&browser, &app, &coordinator, &accounts, &accounts).await;
    let service = relais::directory::storage::directory(&app.state.db, Some("montreuillois"))
        .await
        .unwrap()
        .1
        .into_iter()
        .find(|s| s.organisation_id == organisation)
        .unwrap()
        .id;
    let member = &members[&organisation];
    let mut seen = BTreeSet::new();
    for screen in app.screens.iter().filter(|s| s.method == "GET") {
        let path = screen
            .example
            .replace("{t}", "montreuillois")
            .replace("{o}", organisation.as_str())
            .replace("{s}", service.as_str())
            .replace("{u}", member.user_id.as_str())
            .replace("{f}", "csv");
        if path.contains('{') || path.contains("/export") || !seen.insert(path.clone()) {
            continue;
        }
        audit(&browser, &axe, &app.url(&path), &mut found).await;
    }
    browser.client.delete_all_cookies().await.unwrap();

    // A professional with a key, on her requests and one of them.
    sign_in(
        &browser,
        &app,
        &professional,
        &app.url("/pro/demandes"),
        &app.url("/pro/demandes"),
    )
    .await;
    audit_here(&browser, &axe, "/pro/demandes", &mut found).await;
    audit(
        &browser,
        &axe,
        &app.url(&format!("/pro/demandes/{referral}")),
        &mut found,
    )
    .await;
    browser.close().await;
    assert!(seen.len() >= 10, "{seen:?}");
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
}

#[tokio::test]
async fn every_public_page_with_our_scripts_running_has_no_accessibility_violation() {
    let Some(axe) = axe_source() else {
        return;
    };
    let Some(browser) = Browser::start(Js::On).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let mut found = Vec::new();
    for prefix in ["", "/ar"] {
        audit_public_pages(&browser, &axe, &app, prefix, &mut found).await;
        // The conversation as the script carries it on, in the same page.
        browser.goto(&app.url(&format!("{prefix}/aide"))).await;
        click(&browser, "button[name='choix'][value='oui']").await;
        wait_until(
            &browser,
            "return !!document.querySelector(\"input[name='nombre']\")",
        )
        .await;
        audit_here(
            &browser,
            &axe,
            &format!("{prefix}/aide, second question"),
            &mut found,
        )
        .await;
    }
    browser.close().await;
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
}

#[tokio::test]
async fn live_help_from_its_preview_to_its_end_has_no_accessibility_violation() {
    let Some(axe) = axe_source() else {
        return;
    };
    let app = TestApp::spawn().await;
    let organisation = crate::helpers::live::live_hours(&app, "24/7").await;
    let mut pro = crate::helpers::live::on_duty(&app, "camille@example.org", &organisation).await;
    let mut found = Vec::new();
    for js in [Js::On, Js::Blocked] {
        // The streamed page never finishes loading: commands must not wait
        // for it.
        let Some(browser) = Browser::start_with(js, (320, 640), "none").await else {
            return;
        };
        let room = if js == Js::On {
            "#live-room"
        } else {
            ".live-stream"
        };
        for prefix in ["", "/ar"] {
            let what = |stage: &str| format!("{prefix}/parler ({stage}, {})", js_name(js));
            browser.goto(&app.url(&format!("{prefix}/aide"))).await;
            wait_until(&browser, "return document.readyState === 'complete'").await;
            click(&browser, "button[name='choix'][value='appeler']").await;
            let loaded = |css: &str| {
                format!(
                    "return document.readyState === 'complete' && !!document.querySelector({})",
                    json!(css)
                )
            };
            wait_until(&browser, &loaded("button[form='live-offer-form']")).await;
            click(&browser, "button[form='live-offer-form']").await;
            wait_until(&browser, &loaded("#live-join")).await;
            audit_here(&browser, &axe, &what("preview"), &mut found).await;

            click(&browser, "button[name='partage'][value='oui']").await;
            wait_until(
                &browser,
                &format!(
                    "return !!document.querySelector({})",
                    json!(format!("{room} .live-status, #live-status:not(:empty)"))
                ),
            )
            .await;
            audit_here(&browser, &axe, &what("waiting"), &mut found).await;

            let console = crate::helpers::live::takes(&mut pro).await;
            let (m, csrf) = (
                crate::helpers::page::hidden(&console, "m"),
                pro.csrf.clone(),
            );
            pro.post(
                "/pro/permanence/message",
                &[
                    ("csrf", &csrf),
                    ("m", &m),
                    ("texte", "Bonjour, je vous lis."),
                ],
            )
            .await;
            wait_until(
                &browser,
                &format!(
                    "const b = document.querySelector({}); return !!b && b.textContent.includes('je vous lis');",
                    json!(format!("{room} .bot"))
                ),
            )
            .await;
            audit_here(&browser, &axe, &what("conversation"), &mut found).await;

            pro.post(
                "/pro/permanence/fin",
                &[("csrf", &csrf), ("action", "terminer")],
            )
            .await;
            wait_until(
                &browser,
                "const e = document.querySelector('.live-end'); return !!e && !e.hidden;",
            )
            .await;
            audit_here(&browser, &axe, &what("ended"), &mut found).await;
        }
        browser.close().await;
    }
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
}

fn js_name(js: Js) -> &'static str {
    match js {
        Js::On => "with our scripts",
        Js::Off => "without JavaScript",
        Js::Blocked => "our scripts blocked",
    }
}
