//! What the person reads, in the order the browser draws it: numbers,
//! addresses and names inside Arabic text, and the outcomes' lists.
//!
//! A telephone number laid out right to left is a wrong number. These tests
//! do not read the HTML: they ask the browser where it drew each word of a
//! number or an address (a Range over the word, `getBoundingClientRect`)
//! and check that the words come in their own order, left to right, and
//! that a number stays whole on one line, in French and in Arabic, on 320
//! and 360 pixel wide screens, with our scripts and without them
//! (`Js::Blocked`: the page without JavaScript, measured).

use serde_json::{Value, json};

use super::{Browser, Js, click, fill, wait_until};
use crate::helpers::TestApp;
use crate::helpers::page::hidden;
use crate::helpers::person::send_form;
use crate::helpers::professional::members_everywhere;

/// The screens of the layout tests.
const SCREENS: [(u32, u32); 2] = [(320, 640), (360, 640)];

/// The lawyer of the demo directory, as the issue saw it reversed in Arabic.
const LAWYER_PHONE: &str = "01 99 00 20 05";
const LAWYER_ADDRESS: &str = "15 rue de l'Exemple, 62170 Montreuil-sur-Mer";

/// Where the browser drew each space-separated word of `text`, inside the
/// first element matching `selector` whose text holds it.
const WORDS: &str = r#"
const [selector, text] = arguments;
const element = [...document.querySelectorAll(selector)].find(e => e.textContent.includes(text));
if (!element) return null;
const nodes = [];
let length = 0;
const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  nodes.push([node, length]);
  length += node.data.length;
}
const startAt = i => { for (const [n, s] of nodes) if (i >= s && i < s + n.data.length) return [n, i - s]; };
const endAt = i => { for (const [n, s] of nodes) if (i > s && i <= s + n.data.length) return [n, i - s]; };
const begin = element.textContent.indexOf(text);
const words = [];
let offset = begin;
for (const word of text.split(' ')) {
  const range = document.createRange();
  range.setStart(...startAt(offset));
  range.setEnd(...endAt(offset + word.length));
  const box = range.getBoundingClientRect();
  words.push({ word, top: box.top, bottom: box.bottom, left: box.left, right: box.right });
  offset += word.length + 1;
}
return words;
"#;

/// A word as drawn.
#[derive(Debug, Clone)]
struct Word {
    word: String,
    top: f64,
    bottom: f64,
    left: f64,
    right: f64,
}

impl Word {
    fn on_the_line_of(&self, other: &Word) -> bool {
        self.top < other.bottom - 1.0 && self.bottom > other.top + 1.0
    }

    fn below(&self, other: &Word) -> bool {
        self.top >= other.bottom - 1.0
    }
}

/// Where the browser drew the words of `text` in `selector`.
async fn words(browser: &Browser, selector: &str, text: &str) -> Vec<Word> {
    let found = browser
        .client
        .execute(WORDS, vec![json!(selector), json!(text)])
        .await
        .expect("the script runs");
    let Value::Array(found) = found else {
        panic!("no {selector} holds {text:?}");
    };
    found
        .iter()
        .map(|w| Word {
            word: w["word"].as_str().unwrap_or_default().to_owned(),
            top: w["top"].as_f64().unwrap_or_default(),
            bottom: w["bottom"].as_f64().unwrap_or_default(),
            left: w["left"].as_f64().unwrap_or_default(),
            right: w["right"].as_f64().unwrap_or_default(),
        })
        .collect()
}

/// Checks that `text` reads in its own order, left to right: each word on
/// the line of the one before and to its right, or on a later line.
async fn assert_reads_left_to_right(browser: &Browser, selector: &str, text: &str, seen: &str) {
    let drawn = words(browser, selector, text).await;
    for pair in drawn.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        let in_order = if after.on_the_line_of(before) {
            after.left >= before.right - 0.5
        } else {
            after.below(before)
        };
        assert!(
            in_order,
            "{seen}: «{text}» is not read in its order: {:?} is drawn before {:?} ({drawn:?})",
            after.word, before.word
        );
    }
}

/// Checks that the number `text` reads left to right and whole, on one line.
async fn assert_whole_number(browser: &Browser, selector: &str, text: &str, seen: &str) {
    assert_reads_left_to_right(browser, selector, text, seen).await;
    let drawn = words(browser, selector, text).await;
    let first = &drawn[0];
    assert!(
        drawn.iter().all(|w| w.on_the_line_of(first)),
        "{seen}: «{text}» breaks over several lines: {drawn:?}"
    );
}

fn js_name(js: Js) -> &'static str {
    match js {
        Js::On => "js",
        Js::Off => "nojs",
        Js::Blocked => "blocked",
    }
}

/// Searches the directory of `lang` for a lawyer at Montreuil-sur-Mer.
async fn search_for_a_lawyer(browser: &Browser, app: &TestApp, lang: &str) {
    browser.goto(&app.url(&format!("{lang}/annuaire"))).await;
    fill(browser, "lieu", "Montreuil-sur-Mer").await;
    browser
        .eval("document.getElementById('besoin').value = 'legal'; return null;")
        .await;
    click(browser, "form.search button[type=submit]").await;
    wait_until(browser, "return !!document.querySelector('.suggestions')").await;
}

/// Answers the conversation of `lang` as a person of 15: the youth outcome.
async fn reach_the_minors_screen(browser: &Browser, app: &TestApp, lang: &str) {
    browser.goto(&app.url(&format!("{lang}/aide"))).await;
    browser
        .eval("window.__sameDocument = true; return null;")
        .await;
    click(browser, "button[name='choix'][value='oui']").await;
    wait_until(browser, "return !!document.getElementById('answer-field')").await;
    // With our scripts the answer is swapped in place; blocked, the form is
    // posted and a new page drawn: what is measured is the page without them.
    let swapped = browser.eval("return window.__sameDocument === true").await;
    assert_eq!(
        swapped,
        Value::Bool(browser.js == Js::On),
        "the conversation's script ran (or did not) as the browser was set"
    );
    fill(browser, "answer-field", "15").await;
    click(browser, ".actions button[name='action'][value='repondre']").await;
    wait_until(browser, "return !!document.querySelector('.youth')").await;
}

#[tokio::test]
async fn numbers_and_addresses_read_in_their_own_order_in_french_and_arabic_on_small_screens() {
    let app = TestApp::spawn().await;
    for js in [Js::On, Js::Blocked] {
        for screen in SCREENS {
            let Some(browser) = Browser::start_sized(js, screen).await else {
                return;
            };
            for lang in ["", "/ar"] {
                let seen = format!(
                    "{} at {}×{}, {}",
                    if lang.is_empty() { "fr" } else { "ar" },
                    screen.0,
                    screen.1,
                    js_name(js)
                );
                let shot = |page: &str| {
                    format!(
                        "reading-{page}-{}-{}-{}",
                        if lang.is_empty() { "fr" } else { "ar" },
                        screen.0,
                        js_name(js)
                    )
                };

                // The directory's results: the number in "Appeler le …",
                // the address under it.
                search_for_a_lawyer(&browser, &app, lang).await;
                assert_whole_number(&browser, ".suggestion .call", LAWYER_PHONE, &seen).await;
                assert_reads_left_to_right(&browser, ".suggestion .where", LAWYER_ADDRESS, &seen)
                    .await;
                browser
                    .eval(
                        "document.querySelector('.suggestion .where').scrollIntoView({block: 'center'}); return null;",
                    )
                    .await;
                browser.screenshot(&shot("results")).await;

                // The lawyer's own page.
                let page = browser
                    .eval(&format!(
                        "return [...document.querySelectorAll('.suggestion')].find(s => s.textContent.includes('{LAWYER_PHONE}')).querySelector('.who a').href"
                    ))
                    .await;
                browser
                    .goto(page.as_str().expect("a link to the organisation"))
                    .await;
                assert_whole_number(&browser, ".service .call", LAWYER_PHONE, &seen).await;
                assert_reads_left_to_right(&browser, ".service dd", LAWYER_ADDRESS, &seen).await;
                browser
                    .eval("document.querySelector('.service .call').scrollIntoView({block: 'center'}); return null;")
                    .await;
                browser.screenshot(&shot("organisation")).await;

                // The minor's screen: each number whole, after its name in
                // the page's direction.
                reach_the_minors_screen(&browser, &app, lang).await;
                for number in ["03 91 18 15 80", "0800 235 236"] {
                    assert_whole_number(&browser, ".youth .tel", number, &seen).await;
                }
                let name_then_number = browser
                    .eval(
                        "return [...document.querySelectorAll('.youth .reach')].map(p => {
                           // A long name wraps: the number follows its last line.
                           const lines = p.querySelector('strong').getClientRects();
                           const name = lines[lines.length - 1];
                           const number = p.querySelector('.tel').getBoundingClientRect();
                           const rtl = getComputedStyle(p).direction === 'rtl';
                           const sameLine = number.top < name.bottom - 1;
                           return !sameLine || (rtl ? number.right <= name.left + 0.5 : number.left >= name.right - 0.5);
                         })",
                    )
                    .await;
                assert_eq!(
                    name_then_number,
                    json!([true, true]),
                    "{seen}: a number is read before its service's name"
                );
                browser
                    .eval("document.querySelector('.youth').scrollIntoView({block: 'start'}); return null;")
                    .await;
                browser.screenshot(&shot("minor")).await;
            }
            browser.close().await;
        }
    }
}

#[tokio::test]
async fn the_follow_up_code_reads_in_its_own_order_and_whole_in_french_and_arabic() {
    let app = TestApp::spawn_with(|settings| settings.referrals_per_client_per_hour = 0).await;
    members_everywhere(&app).await;
    for js in [Js::On, Js::Blocked] {
        for screen in SCREENS {
            let Some(browser) = Browser::start_sized(js, screen).await else {
                return;
            };
            for lang in ["", "/ar"] {
                let seen = format!(
                    "{} at {}×{}, {}",
                    if lang.is_empty() { "fr" } else { "ar" },
                    screen.0,
                    screen.1,
                    js_name(js)
                );
                // The conversation over HTTP up to the form; the browser
                // posts the form and draws the receipt page itself.
                let mut person = app
                    .person()
                    .in_language(if lang.is_empty() { "" } else { "/ar" });
                let outcome = person
                    .reaches_the_orientation("Je voudrais de l'aide.")
                    .await;
                let organisation = crate::helpers::person::first_sender(&outcome);
                let form = [
                    ("t".to_owned(), hidden(&outcome, "t")),
                    ("organisation".to_owned(), organisation.to_string()),
                ];
                let (status, page) = app.post_text(&format!("{lang}/envoyer"), &form).await;
                assert_eq!(status, 200, "{page}");
                browser.goto(&app.url(&format!("{lang}/suivi"))).await;
                browser
                    .client
                    .execute(
                        "const [action, fields] = arguments;
                         const form = document.createElement('form');
                         form.method = 'post';
                         form.action = action;
                         for (const [name, value] of fields) {
                           const input = document.createElement('input');
                           input.type = 'hidden'; input.name = name; input.value = value;
                           form.appendChild(input);
                         }
                         document.body.appendChild(form);
                         form.submit();
                         return null;",
                        vec![
                            json!(format!("{lang}/envoyer/confirmer")),
                            json!(send_form(&page)),
                        ],
                    )
                    .await
                    .expect("the form is posted");
                wait_until(
                    &browser,
                    "return !!document.querySelector('.receipt strong')",
                )
                .await;
                let receipt = browser
                    .eval("return document.querySelector('.receipt strong').textContent")
                    .await;
                let receipt = receipt.as_str().expect("a receipt").to_owned();
                assert_eq!(receipt.split(' ').count(), 4, "{receipt}");
                assert_whole_number(&browser, ".receipt strong", &receipt, &seen).await;
                browser
                    .screenshot(&format!(
                        "reading-receipt-{}-{}-{}",
                        if lang.is_empty() { "fr" } else { "ar" },
                        screen.0,
                        js_name(js)
                    ))
                    .await;
            }
            browser.close().await;
        }
    }
}
