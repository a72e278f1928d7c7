//! The professional's and the coordinator's screens in the browser: what
//! the dashboard, the inbox, the key page, the report and the audit log
//! show a busy, non-technical reader.

use relais::referral::storage as referrals;
use serde_json::Value;

use super::{Browser, Js, click, click_and_wait, fill, make_key, sign_in, wait_until};
use crate::helpers::TestApp;
use crate::helpers::person::first_sender;
use crate::helpers::professional::members_everywhere;

/// The phone screens the layout is checked on.
const SCREENS: [(u32, u32); 2] = [(320, 640), (360, 640)];

#[tokio::test]
async fn the_key_page_s_passphrase_fields_span_a_phone_s_width_and_are_44_pixels_high_with_or_without_javascript()
 {
    for js in [Js::On, Js::Blocked] {
        for (width, height) in SCREENS {
            let Some(browser) = Browser::start_sized(js, (width, height)).await else {
                return;
            };
            let app = TestApp::spawn().await;
            let members = members_everywhere(&app).await;
            let organisation = members.keys().next().unwrap().clone();
            let professional = app
                .professional("mesure@example.org", &organisation)
                .account()
                .await;
            sign_in(
                &browser,
                &app,
                &professional,
                &app.url("/pro/cle"),
                &app.url("/pro/cle"),
            )
            .await;
            let measured = browser
                .eval(
                    "const page = document.documentElement.clientWidth;\n\
                     return [page, document.documentElement.scrollWidth].concat(\n\
                       ['passphrase', 'passphrase-again'].map(id => {\n\
                         const r = document.getElementById(id).getBoundingClientRect();\n\
                         return [r.left, r.right, r.height];\n\
                       }));",
                )
                .await;
            let name = format!(
                "backoffice-key-{}-{width}",
                if js == Js::On { "js" } else { "sans-js" }
            );
            browser
                .eval("document.getElementById('passphrase').scrollIntoView(); return null;")
                .await;
            browser.screenshot(&name).await;
            let page = measured[0].as_f64().unwrap();
            assert!(
                measured[1].as_f64().unwrap() <= page,
                "{name}: the page scrolls sideways: {measured}"
            );
            for field in measured.as_array().unwrap()[2..]
                .iter()
                .map(Value::as_array)
            {
                let [left, right, tall] = field.unwrap().as_slice() else {
                    panic!("{name}: {measured}")
                };
                let (left, right, tall) = (
                    left.as_f64().unwrap(),
                    right.as_f64().unwrap(),
                    tall.as_f64().unwrap(),
                );
                assert!(tall >= 44.0, "{name}: a field {tall} px high: {measured}");
                assert!(
                    right <= page && right - left >= page - 48.0,
                    "{name}: a field from {left} to {right} on a {page} px page"
                );
            }
            browser.close().await;
        }
    }
}

#[tokio::test]
async fn the_key_made_in_the_browser_is_confirmed_once_the_server_stored_it() {
    let Some(browser) = Browser::start(Js::On).await else {
        return;
    };
    let app = TestApp::spawn().await;
    members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation("x").await);
    app.person()
        .sends_report(&organisation, "Je voudrais parler à quelqu'un.")
        .await;
    let professional = app
        .professional("nouvelle@example.org", &organisation)
        .account()
        .await;
    sign_in(
        &browser,
        &app,
        &professional,
        &app.url("/pro/cle"),
        &app.url("/pro/cle"),
    )
    .await;
    wait_until(
        &browser,
        "return document.querySelector('h1').textContent === 'Votre clé pour lire les demandes'",
    )
    .await;
    assert!(
        referrals::key_of(&app.state.db, &professional.id)
            .await
            .unwrap()
            .is_none()
    );
    make_key(&browser).await;
    browser.screenshot("backoffice-key-created").await;
    // Said by the server's answer, so only once the key is stored.
    assert!(
        referrals::key_of(&app.state.db, &professional.id)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        browser
            .eval("return document.querySelector('main').innerText")
            .await
            .as_str()
            .unwrap()
            .contains("Gardez votre phrase secrète pour vous")
    );
    click_and_wait(
        &browser,
        "main a[href='/pro/demandes']",
        &app.url("/pro/demandes"),
    )
    .await;
    browser.screenshot("backoffice-inbox").await;
    browser.goto(&app.url("/pro")).await;
    browser.screenshot("backoffice-dashboard").await;
    browser.close().await;
}

#[tokio::test]
async fn a_coordinator_sees_at_first_glance_that_the_recovery_key_is_missing_and_reads_the_log_in_sentences()
 {
    for (width, height) in SCREENS {
        let Some(browser) = Browser::start_sized(Js::Blocked, (width, height)).await else {
            return;
        };
        let app = TestApp::spawn().await;
        let coordinator = app
            .coordinator("coordination@example.org", "montreuillois")
            .account()
            .await;
        sign_in(
            &browser,
            &app,
            &coordinator,
            &app.url("/pro/territoires/montreuillois/journal"),
            &app.url("/pro/territoires/montreuillois/journal"),
        )
        .await;
        browser
            .screenshot(&format!("backoffice-journal-{width}"))
            .await;
        let text = browser
            .eval("return document.querySelector('main').innerText")
            .await;
        let text = text.as_str().unwrap();
        assert!(
            text.contains("coordination@example.org s'est connecté·e."),
            "{text}"
        );
        assert!(!text.contains("sign-in") && !text.contains("UTC"), "{text}");

        browser.goto(&app.url("/pro")).await;
        browser
            .screenshot(&format!("backoffice-dashboard-coordination-{width}"))
            .await;
        // The prompt is on the first screen, not below the fold.
        let top = browser
            .eval(
                "const h = [...document.querySelectorAll('h2')]\n\
                   .find(h => h.textContent.includes('pas encore de clé de secours'));\n\
                 return h ? h.getBoundingClientRect().bottom : null;",
            )
            .await;
        let bottom = top.as_f64().expect("the recovery key prompt");
        assert!(bottom <= f64::from(height), "{width}: at {bottom} px");

        // A page she may not open: the back office's own calm page, with
        // the way back and neither the exit button nor the emergency band.
        browser.goto(&app.url("/pro/journal")).await;
        browser
            .screenshot(&format!("backoffice-error-403-{width}"))
            .await;
        let shown = browser
            .eval(
                "return [document.querySelector('h1').textContent,
                   !!document.getElementById('exit'), !!document.querySelector('a[href^=\"tel:\"]'),
                   !!document.querySelector('main a[href=\"/pro\"]')]",
            )
            .await;
        assert_eq!(
            shown,
            serde_json::json!(["Cette page ne vous est pas ouverte", false, false, true]),
            "{width}"
        );
        browser.close().await;
    }
}

/// Presses the questionnaire editor's button of that action, by script, as
/// the button's own click: a WebDriver click below the editor's
/// twelve-thousand-character text area did not submit in headless
/// Chromium.
async fn press(browser: &Browser, action: &str) {
    browser
        .eval(&format!(
            "document.querySelector('button[name=action][value={action}]').click(); return null;"
        ))
        .await;
}

#[tokio::test]
async fn a_coordinator_adapts_tries_and_publishes_the_questionnaire_in_the_browser_with_and_without_javascript()
 {
    for js in [Js::On, Js::Blocked] {
        let Some(browser) = Browser::start_sized(js, (360, 640)).await else {
            return;
        };
        let app = TestApp::spawn().await;
        let coordinator = app
            .coordinator("coordination@example.org", "montreuillois")
            .account()
            .await;
        let screen = app.url("/pro/territoires/montreuillois/questionnaire");
        sign_in(&browser, &app, &coordinator, &screen, &screen).await;
        // She rewords the first question in the form of texts, as she
        // would type it, and saves it as the draft.
        browser
            .goto(&app.url("/pro/territoires/montreuillois/questionnaire/textes"))
            .await;
        let id = browser
            .eval(
                "const field = [...document.querySelectorAll('textarea[name=texte]')].find(t => t.value === \"Vous souhaitez utiliser le formulaire d'aide en ligne ?\"); field.value = ''; return field.id;",
            )
            .await;
        fill(
            &browser,
            id.as_str().unwrap(),
            "Souhaitez-vous remplir le formulaire du Montreuillois ?",
        )
        .await;
        click(&browser, "form[action$='/textes'] button[type=submit]").await;
        wait_until(
            &browser,
            "return document.body.innerText.includes('Votre brouillon') && document.body.innerText.includes('Ce que la publication changerait');",
        )
        .await;

        // She tries it as a person would: the answer leads on, with or
        // without the script that swaps the conversation in place.
        let preview = app.url("/pro/territoires/montreuillois/questionnaire/apercu");
        browser.goto(&preview).await;
        wait_until(
            &browser,
            "return document.body.innerText.includes('du Montreuillois ?') && document.body.innerText.includes('Aperçu du brouillon');",
        )
        .await;
        click(&browser, "button[name=choix][value=oui]").await;
        wait_until(
            &browser,
            "return !!document.getElementById('answer-field') && document.body.innerText.includes('Quel âge avez-vous ?');",
        )
        .await;
        browser
            .screenshot(&format!(
                "backoffice-questionnaire-apercu-{}",
                if js == Js::On { "js" } else { "sans-js" }
            ))
            .await;

        // In Arabic, the preview reads right to left, its band in French.
        browser.goto(&format!("{preview}?langue=ar")).await;
        wait_until(
            &browser,
            "return document.documentElement.dir === 'rtl' && document.body.innerText.includes('هل تريدين استعمال استمارة المساعدة عبر الإنترنت؟') && document.querySelector('.demo-banner').dir === 'ltr';",
        )
        .await;
        click(&browser, "button[name=choix][value=oui]").await;
        wait_until(
            &browser,
            "return document.documentElement.dir === 'rtl' && document.body.innerText.includes('كم عمرك؟');",
        )
        .await;

        // She publishes the draft: the public conversation asks her
        // question.
        browser.goto(&screen).await;
        press(&browser, "publier").await;
        wait_until(
            &browser,
            "return document.body.innerText.includes('Version 1 publiée');",
        )
        .await;
        browser.goto(&app.url("/aide")).await;
        wait_until(
            &browser,
            "return document.body.innerText.includes('Souhaitez-vous remplir le formulaire du Montreuillois ?');",
        )
        .await;
        browser.close().await;
    }
}
