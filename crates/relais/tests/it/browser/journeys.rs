//! The person's journeys on a phone, as she lives them: where each answer
//! lands without JavaScript, what stays on screen while she scrolls, what
//! Back shows after the exit, and the order in which Arabic text reads.

use std::time::Duration;

use serde_json::Value;

use super::{Browser, Js};
use crate::helpers::TestApp;

/// The two phone screens every layout check runs on (CSS pixels).
const PHONES: [(u32, u32); 2] = [(320, 640), (360, 640)];

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
