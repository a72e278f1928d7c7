//! The person's journeys on a phone, as she lives them: where each answer
//! lands without JavaScript, what stays on screen while she scrolls, what
//! Back shows after the exit, and the order in which Arabic text reads.

use std::time::Duration;

use serde_json::Value;

use super::{Browser, Elsewhere, Js, app_leaving_to, click, fill, wait_until};
use crate::helpers::TestApp;

/// The two phone screens every layout check runs on (CSS pixels).
const PHONES: [(u32, u32); 2] = [(320, 640), (360, 640)];

/// Where the question stands on screen, between the exit bar above and the
/// help bar below, and how the earlier answers are shown.
const QUESTION_ON_SCREEN: &str = "
    const question = document.getElementById('question');
    const text = question.querySelector('.ask');
    const first = question.querySelector('button.answer, #answer-field, input[type=checkbox], \
        input[type=radio], .lines a, button.button');
    const top = document.querySelector('.bar').getBoundingClientRect().bottom;
    const bottom = document.querySelector('.help-bar').getBoundingClientRect().top;
    const within = (r) => r.top >= top - 1 && r.bottom <= bottom + 1;
    const fold = document.querySelector('.transcript-fold');
    return {
      step: (document.querySelector(\"input[name='etape']\") || {}).value || 'outcome',
      url: location.href,
      scrolled: scrollY,
      question: within(text.getBoundingClientRect()),
      // An outcome has no answer: its heading is what she lands on.
      first: !first || question.classList.contains('outcome') || within(first.getBoundingClientRect()),
      questionTop: text.getBoundingClientRect().top, barBottom: top, helpTop: bottom,
      folded: !fold || !fold.open,
      summaryHeight: fold ? fold.querySelector('summary').getBoundingClientRect().height : 0,
      answers: document.querySelectorAll('.transcript .exchange').length,
    };";

/// The submit button of the question on screen.
const ANSWER: &str = "#question button[name='action'][value='repondre']";

/// Answers the whole conversation one question at a time, as she would,
/// and checks after each that the page shows the next question (or the
/// outcome), with its first answer, between the two bars, the earlier
/// answers folded into one line.
async fn answer_and_check_each_question(browser: &Browser, app: &TestApp, lang: &str, shot: &str) {
    browser.goto(&app.url(&format!("{lang}/aide"))).await;
    let answers: [(&str, &[&str]); 13] = [
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
        ("orientation", &[]),
    ];
    for (count, (step, gestures)) in answers.iter().enumerate() {
        if gestures.is_empty() {
            break;
        }
        for gesture in *gestures {
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
                 return document.readyState === 'complete' && !!document.getElementById('question')
                   && (!step || step.value !== '{step}');"
            ),
        )
        .await;
        // Without JavaScript the browser scrolls to the fragment once the
        // page is laid out; give it the frame it needs.
        tokio::time::sleep(Duration::from_millis(150)).await;
        let seen = browser.eval(QUESTION_ON_SCREEN).await;
        let context = format!("{shot}, after answering {step}: {seen}");
        assert_eq!(
            seen["question"], true,
            "the question is off screen: {context}"
        );
        assert_eq!(
            seen["first"], true,
            "its first answer is off screen: {context}"
        );
        assert_eq!(
            seen["folded"], true,
            "the earlier answers are unfolded: {context}"
        );
        if count < 6 {
            assert_eq!(
                seen["answers"].as_u64(),
                Some(count as u64 + 1),
                "{context}"
            );
        }
        assert!(
            seen["summaryHeight"].as_f64().unwrap_or(999.0) < 50.0,
            "the earlier answers take more than one line: {context}"
        );
        if browser.js == Js::Blocked {
            assert!(
                seen["url"]
                    .as_str()
                    .unwrap_or_default()
                    .ends_with("/aide#question"),
                "the form did not land on the question: {context}"
            );
        }
        if count == 1 || count == 5 || count == answers.len() - 2 {
            browser.screenshot(&format!("{shot}-after-{step}")).await;
        }
    }
    // Opened, the fold shows every answer with its "Modifier".
    click(browser, ".transcript-fold summary").await;
    let edits = browser
        .eval(
            "const buttons = [...document.querySelectorAll(\"button[name='modifier']\")];
             return buttons.filter((b) => b.getBoundingClientRect().height > 0).length;",
        )
        .await;
    assert!(
        edits.as_u64().unwrap_or_default() >= 10,
        "{shot}: every answer can be changed: {edits}"
    );
    browser.screenshot(&format!("{shot}-answers-opened")).await;
}

/// A refused answer lands on its error, and danger now on the numbers to
/// call: both between the two bars.
async fn refused_then_in_danger(browser: &Browser, app: &TestApp, lang: &str, shot: &str) {
    browser.goto(&app.url(&format!("{lang}/aide"))).await;
    click(browser, "button[name='choix'][value='oui']").await;
    wait_until(browser, "return !!document.getElementById('answer-field')").await;
    fill(browser, "answer-field", "300").await;
    click(browser, ANSWER).await;
    wait_until(
        browser,
        "return !!document.getElementById('question-error')",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let error = browser
        .eval(
            "const top = document.querySelector('.bar').getBoundingClientRect().bottom;
             const bottom = document.querySelector('.help-bar').getBoundingClientRect().top;
             const within = (id) => { const r = document.getElementById(id).getBoundingClientRect();
                                      return r.top >= top - 1 && r.bottom <= bottom + 1; };
             return within('question-error') && within('answer-field');",
        )
        .await;
    assert_eq!(
        error, true,
        "{shot}: the refusal or its field is off screen"
    );
    browser
        .eval("document.getElementById('answer-field').value = ''; return null;")
        .await;
    fill(browser, "answer-field", "34").await;
    click(browser, ANSWER).await;
    wait_until(
        browser,
        "return !!document.querySelector(\"input[name='etape'][value='danger']\")",
    )
    .await;
    click(browser, "button[name='choix'][value='oui']").await;
    wait_until(browser, "return !!document.querySelector('.emergency-now')").await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let seen = browser.eval(QUESTION_ON_SCREEN).await;
    assert_eq!(seen["question"], true, "{shot}, in danger: {seen}");
    assert_eq!(
        seen["first"], true,
        "{shot}, in danger: the 17 is off screen: {seen}"
    );
    browser.screenshot(&format!("{shot}-in-danger")).await;
}

#[tokio::test]
async fn each_answer_lands_on_the_next_question_with_earlier_answers_folded_on_a_phone_with_and_without_javascript()
 {
    let app = TestApp::spawn().await;
    for js in [Js::Blocked, Js::On] {
        for (width, height) in PHONES {
            let Some(browser) = Browser::start_sized(js, (width, height)).await else {
                return;
            };
            for lang in ["", "/ar"] {
                let shot = format!(
                    "conversation-{}-{width}x{height}-{}",
                    if lang.is_empty() { "fr" } else { "ar" },
                    if js == Js::On { "js" } else { "nojs" }
                );
                answer_and_check_each_question(&browser, &app, lang, &shot).await;
                refused_then_in_danger(&browser, &app, lang, &shot).await;
            }
            browser.close().await;
        }
    }
}

/// Whether the exit, the help button and the numbers for immediate danger
/// are inside the screen and uncovered, and where the help bar stands.
const CHROME_ON_SCREEN: &str = "
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      if (!(r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0
            && r.bottom <= innerHeight && r.right <= innerWidth)) { return false; }
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return hit === el || el.contains(hit);
    };
    const link = (href) => document.querySelector(`.help-bar a[href='${href}']`);
    const help = document.querySelector('.help-bar a.help');
    const bar = document.querySelector('.help-bar').getBoundingClientRect();
    const footer = document.querySelector('footer').getBoundingClientRect();
    return {
      exit: visible(document.getElementById('exit')),
      help: visible(help),
      helpText: help.textContent.trim(),
      n17: visible(link('tel:17')), n112: visible(link('tel:112')), n114: visible(link('sms:114')),
      barHeight: bar.height, barTop: bar.top, footerBottom: footer.bottom,
      scrolled: scrollY, height: innerHeight,
    };";

/// Focuses, one after the other, every link, button and field of the page
/// outside the two bars, as Tab would, and returns those the bars cover.
const FOCUS_NEVER_HIDDEN: &str = "
    const top = document.querySelector('.bar');
    const bottom = document.querySelector('.help-bar');
    const covered = [];
    const all = document.querySelectorAll('main a[href], main button, main input, main select, \
        main textarea, main summary, footer a[href], .listening a');
    for (const el of all) {
      if (el.closest('details:not([open])') && el.tagName !== 'SUMMARY') { continue; }
      const r0 = el.getBoundingClientRect();
      if (r0.width === 0 || r0.height === 0 || getComputedStyle(el).visibility === 'hidden') { continue; }
      el.focus();
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + Math.min(r.width / 2, 10), r.top + r.height / 2);
      if (top.contains(hit) || bottom.contains(hit)) {
        covered.push((el.textContent || el.name || el.id).trim().slice(0, 40) + ' @' + Math.round(r.top));
      }
    }
    document.activeElement.blur();
    return covered;";

#[tokio::test]
async fn the_help_button_and_the_emergency_numbers_stay_on_screen_at_every_scroll_position_without_covering_anything()
 {
    let app = TestApp::spawn().await;
    let mut pages: Vec<String> = app
        .routes
        .iter()
        .filter(|route| route.is_page && route.found)
        .map(|route| route.path.to_owned())
        .collect();
    // The longest sheet, and a service of the directory.
    pages.push("/fiches/porter-plainte".to_owned());
    pages.sort();
    pages.dedup();
    for js in [Js::Blocked, Js::On] {
        for (width, height) in PHONES {
            let Some(browser) = Browser::start_sized(js, (width, height)).await else {
                return;
            };
            for lang in ["", "/ar"] {
                for page in &pages {
                    let address = format!("{lang}{page}");
                    browser.goto(&app.url(&address)).await;
                    let length = browser
                        .eval("return document.documentElement.scrollHeight - innerHeight")
                        .await
                        .as_f64()
                        .unwrap_or_default();
                    for step in 0..=4 {
                        let y = length * f64::from(step) / 4.0;
                        browser
                            .eval(&format!("window.scrollTo(0, {y}); return null;"))
                            .await;
                        tokio::time::sleep(Duration::from_millis(30)).await;
                        let seen = browser.eval(CHROME_ON_SCREEN).await;
                        if step == 0 && (page == "/aide" || page == "/") {
                            let mode = if js == Js::On { "js" } else { "nojs" };
                            let name = if lang.is_empty() { "fr" } else { "ar" };
                            browser
                                .screenshot(&format!(
                                    "help-bar-{}-{name}-{width}x{height}-{mode}",
                                    page.trim_start_matches('/')
                                ))
                                .await;
                        }
                        let context =
                            format!("{address} at {width}x{height}, scrolled {y}: {seen}");
                        for what in ["exit", "help", "n17", "n112", "n114"] {
                            assert_eq!(seen[what], true, "{what} is not on screen: {context}");
                        }
                        assert!(
                            seen["barHeight"].as_f64().unwrap_or(999.0) <= 100.0,
                            "the help bar takes too much of the screen: {context}"
                        );
                        if step == 4 {
                            // At the end of the page the bar sits below the
                            // footer, covering none of it.
                            assert!(
                                seen["footerBottom"].as_f64().unwrap_or(f64::MAX)
                                    <= seen["barTop"].as_f64().unwrap_or_default() + 1.0,
                                "the help bar covers the end of the page: {context}"
                            );
                        }
                    }
                    let covered = browser.eval(FOCUS_NEVER_HIDDEN).await;
                    assert_eq!(
                        covered,
                        Value::Array(vec![]),
                        "{address} at {width}x{height}: focused under a bar"
                    );
                }
                let mode = if js == Js::On { "js" } else { "nojs" };
                let lang_name = if lang.is_empty() { "fr" } else { "ar" };
                browser
                    .goto(&app.url(&format!("{lang}/fiches/porter-plainte")))
                    .await;
                browser
                    .eval("window.scrollTo(0, document.documentElement.scrollHeight / 2); return null;")
                    .await;
                browser
                    .screenshot(&format!(
                        "help-bar-sheet-{lang_name}-{width}x{height}-{mode}"
                    ))
                    .await;
            }
            browser.close().await;
        }
    }
}

/// What Back shows, entry by entry, until it reaches the page before our
/// site: the address, and whether the page carries anything of ours or of
/// her answers.
async fn walk_back(browser: &Browser, app: &TestApp, before: &str, answer: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for step in 1..=8 {
        browser.client.back().await.expect("Back works");
        tokio::time::sleep(Duration::from_millis(300)).await;
        browser
            .screenshot(&format!("back-after-exit-without-javascript-{step}"))
            .await;
        let url = browser.url().await;
        let source = browser.client.source().await.expect("a page source");
        let ours = source.contains("Cacher le site");
        assert!(
            !source.contains(answer),
            "Back showed one of her answers at {url}"
        );
        assert!(
            !source.contains("class=\"transcript"),
            "Back showed her answers at {url}"
        );
        seen.push(format!(
            "{} {}",
            url.replace(&app.url(""), "relais:"),
            if ours {
                "(our page)"
            } else {
                "(no content of ours)"
            }
        ));
        if url.starts_with(before) {
            return seen;
        }
    }
    panic!("Back never reached the page before: {seen:?}");
}

#[tokio::test]
async fn without_javascript_back_after_the_exit_shows_none_of_her_answers_and_the_safety_page_says_what_it_shows()
 {
    let Some(browser) = Browser::start(Js::Blocked).await else {
        return;
    };
    let elsewhere = Elsewhere::spawn().await;
    let app = app_leaving_to(&elsewhere).await;
    browser.goto(&elsewhere.url("/avant")).await;
    browser.goto(&app.url("/aide")).await;
    click(&browser, "button[name='choix'][value='oui']").await;
    wait_until(&browser, "return !!document.getElementById('answer-field')").await;
    fill(&browser, "answer-field", "47").await;
    click(
        &browser,
        "#question button[name='action'][value='repondre']",
    )
    .await;
    wait_until(
        &browser,
        "return !!document.querySelector(\"input[name='etape'][value='danger']\")",
    )
    .await;

    click(&browser, "#exit").await;
    browser.wait_for_url(&elsewhere.url("/meteo")).await;
    let seen = walk_back(&browser, &app, &elsewhere.url("/avant"), ">47<").await;

    // What the safety page says is what Back does: for each answer sent, a
    // page of the browser's with nothing of ours (the answers were never
    // kept), then the pages seen before, here the start of the
    // conversation, with none of her answers.
    let before = elsewhere.url("/avant");
    assert_eq!(
        seen,
        [
            "relais:/aide#question (no content of ours)",
            "relais:/aide#question (no content of ours)",
            "relais:/aide (our page)",
            &format!("{before} (no content of ours)"),
        ]
    );

    // The safety page and the exit's own hint say exactly that.
    browser.goto(&app.url("/securite")).await;
    let said = browser
        .eval(
            "return { page: document.querySelector('main').innerText,
                      hint: document.getElementById('exit').title };",
        )
        .await;
    let page = said["page"].as_str().unwrap_or_default();
    for sentence in [
        "« Retour » mène à la page d'avant Relais",
        "« Retour » y revient, une par une",
        "À la place de chaque réponse envoyée, le navigateur affiche une page à lui, qui demande s'il faut renvoyer un formulaire : rien de Relais ni de vos réponses n'y apparaît.",
        "Les autres pages de Relais vues avant, comme le début de la conversation, s'affichent de nouveau.",
        "Si quelqu'un accepte de renvoyer le formulaire dans les deux heures, la conversation revient",
    ] {
        assert!(
            page.contains(sentence),
            "/securite does not say: {sentence}"
        );
    }
    let hint = said["hint"].as_str().unwrap_or_default();
    assert!(
        hint.contains("sans JavaScript, il ramène aux pages déjà vues, sans vos réponses"),
        "{hint}"
    );
    browser.close().await;
}

/// Whether the element `css` stands between the two bars.
async fn between_the_bars(browser: &Browser, css: &str) -> Value {
    browser
        .eval(&format!(
            "const top = document.querySelector('.bar').getBoundingClientRect().bottom;
             const bottom = document.querySelector('.help-bar').getBoundingClientRect().top;
             const el = document.querySelector(\"{css}\");
             if (!el) {{ return 'missing'; }}
             const r = el.getBoundingClientRect();
             return {{ within: r.top >= top - 1 && r.bottom <= bottom + 1, top: r.top, url: location.href }};"
        ))
        .await
}

#[tokio::test]
async fn a_search_of_the_directory_or_the_sheets_lands_on_what_it_found_on_a_phone() {
    let app = TestApp::spawn().await;
    for js in [Js::Blocked, Js::On] {
        for (width, height) in PHONES {
            let Some(browser) = Browser::start_sized(js, (width, height)).await else {
                return;
            };
            for lang in ["", "/ar"] {
                let context = format!("{lang} at {width}x{height}");
                // A postcode several communes share: the choice first.
                browser.goto(&app.url(&format!("{lang}/annuaire"))).await;
                fill(&browser, "lieu", "62170").await;
                browser
                    .eval("document.getElementById('besoin').value = 'legal'; return null;")
                    .await;
                click(&browser, "form.search button[type=submit]").await;
                wait_until(&browser, "return !!document.getElementById('choices')").await;
                tokio::time::sleep(Duration::from_millis(150)).await;
                let seen = between_the_bars(&browser, "#choices").await;
                assert_eq!(
                    seen["within"], true,
                    "the communes to choose {context}: {seen}"
                );
                click(&browser, "ul.choices button").await;
                wait_until(&browser, "return !!document.getElementById('results')").await;
                tokio::time::sleep(Duration::from_millis(150)).await;
                let seen = between_the_bars(&browser, "#results").await;
                assert_eq!(
                    seen["within"], true,
                    "the directory's results {context}: {seen}"
                );
                let name = if lang.is_empty() { "fr" } else { "ar" };
                let mode = if js == Js::On { "js" } else { "nojs" };
                browser
                    .screenshot(&format!("directory-results-{name}-{width}x{height}-{mode}"))
                    .await;

                browser.goto(&app.url(&format!("{lang}/fiches"))).await;
                fill(&browser, "q", "plainte").await;
                click(&browser, "form.search button[type=submit]").await;
                wait_until(&browser, "return !!document.getElementById('results')").await;
                tokio::time::sleep(Duration::from_millis(150)).await;
                let seen = between_the_bars(&browser, "#results").await;
                assert_eq!(seen["within"], true, "the sheets found {context}: {seen}");
            }
            browser.close().await;
        }
    }
}
