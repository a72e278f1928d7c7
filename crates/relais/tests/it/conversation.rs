//! The help conversation without JavaScript, over HTTP: every answer is a
//! POST to `/aide`, the progress travels in the sealed token.

use jiff::civil::date;
use relais::storage::counters;

use crate::helpers::page::{between, field};
use crate::helpers::{TestApp, assert_has_safety_chrome};

#[tokio::test]
async fn the_conversation_starts_at_one_address_with_the_safety_chrome() {
    let app = TestApp::spawn().await;
    let person = app.person().arrives().await;
    assert!(
        person
            .html
            .contains("Vous souhaitez utiliser le formulaire d&#39;aide en ligne")
            || person
                .html
                .contains("Vous souhaitez utiliser le formulaire d'aide en ligne"),
        "{}",
        person.html
    );
    assert!(
        person
            .html
            .contains("<form method=\"post\" action=\"/aide#question\"")
    );
    assert_has_safety_chrome(&person.html, "/aide");
    assert!(!person.token.is_empty());
}

#[tokio::test]
async fn a_full_adult_path_ends_on_named_contacts_with_their_reasons() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    person.reaches_the_commune().await;
    person.answers("commune", "lieu", "Montreuil-sur-Mer").await;
    assert_eq!(person.asked(), "besoins", "{}", person.html);
    person
        .sends(&[
            ("etape", "besoins"),
            ("choix", "droits"),
            ("choix", "logement"),
            ("action", "repondre"),
        ])
        .await;
    person
        .sends(&[("etape", "prenom"), ("action", "passer")])
        .await;
    person
        .sends(&[
            ("etape", "contact"),
            ("canal", "sms"),
            ("coordonnee", "06 12 34 56 78"),
            ("moments", "le matin"),
            ("nom_neutre", "Madame Martin"),
            ("action", "repondre"),
        ])
        .await;
    person
        .answers("message", "texte", "Je voudrais connaître mes droits.")
        .await;
    assert_eq!(person.asked(), "resume", "{}", person.html);
    assert!(
        person.html.contains("Par SMS au 06 12 34 56 78"),
        "the summary shows every answer"
    );
    let html = person.continues("resume").await.to_owned();

    assert_eq!(person.status, 200);
    assert!(html.contains("(exemple)"), "{html}");
    assert!(html.contains("dans votre commune"), "{html}");
    assert!(html.contains("Hébergement, logement") && html.contains("Droits, conseil juridique"));
    assert!(
        html.contains("tel:3919") && html.contains("tel:115"),
        "the national lines follow"
    );
    assert!(html.contains("Et maintenant ?"));
    let today = relais::directory::hours::now_in("75").date();
    let counts = counters::between(&app.state.db, "montreuillois", today, today)
        .await
        .unwrap();
    let count = |event: &str| {
        counts
            .iter()
            .find(|c| c.event == event)
            .map_or(0, |c| c.count)
    };
    assert_eq!(
        (
            count("conversation-started"),
            count("outcome:orientation"),
            count("conversation-completed")
        ),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn a_minor_is_directed_to_youth_services_before_any_other_question() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    person.answers("formulaire", "choix", "oui").await;
    let html = person.answers("age", "nombre", "15").await.to_owned();

    assert!(html.contains("Nous vous recommandons de joindre"), "{html}");
    assert!(
        html.contains("Maison des Adolescents du Littoral Est") && html.contains("03 91 18 15 80")
    );
    assert!(html.contains("Fil Santé Jeunes") && html.contains("0800 235 236"));
    assert!(
        !html.contains("tel:119"),
        "the model's screen names two services: {html}"
    );
    assert!(html.contains("J&#39;ai compris") || html.contains("J'ai compris"));
    assert!(
        !html.contains("name=\"etape\""),
        "no other question is asked"
    );
}

/// The text a page shows between `start` and `end`, tags dropped, entities
/// read and spaces collapsed: what a person reads, in the source's order.
fn text_between(html: &str, start: &str, end: &str) -> String {
    let part = between(html, start, end).unwrap_or_else(|| panic!("no {start} in {html}"));
    let mut text = String::new();
    // `start` may open a tag and leave its attributes to `part`.
    let mut in_tag = start.starts_with('<') && !start.ends_with('>');
    for c in part.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every `tel:` and `sms:` link of the page's content (the emergency band
/// above it is on every page, and is not the outcome's list).
fn numbers_offered(html: &str) -> Vec<String> {
    let main = between(html, "<main", "</main>").expect("a main");
    main.split("href=\"")
        .skip(1)
        .filter(|link| link.starts_with("tel:") || link.starts_with("sms:"))
        .map(|link| link[..link.find('"').unwrap_or(0)].to_owned())
        .collect()
}

fn assert_each_number_once(html: &str, outcome: &str) {
    let offered = numbers_offered(html);
    let mut seen = std::collections::BTreeSet::new();
    let twice: Vec<&String> = offered.iter().filter(|n| !seen.insert(*n)).collect();
    assert!(
        twice.is_empty(),
        "{outcome} offers {twice:?} twice: {offered:?}"
    );
}

#[tokio::test]
async fn the_minors_screen_reads_as_the_seed_with_each_service_once() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    person.answers("formulaire", "choix", "oui").await;
    let html = person.answers("age", "nombre", "15").await.to_owned();

    let screen = text_between(&html, "<section class=\"outcome\"", "</section>");
    assert!(
        screen.starts_with(
            "Nous vous recommandons de joindre : \
             Maison des Adolescents du Littoral Est au 03 91 18 15 80 \
             Écoute, conseil et accompagnement des jeunes \
             Ou Fil Santé Jeunes au 0800 235 236"
        ),
        "{screen}"
    );
    assert!(screen.ends_with("J'ai compris"), "{screen}");
    assert_eq!(
        screen.matches("Fil Santé Jeunes").count(),
        1,
        "the territory lists it and so does the national list: {screen}"
    );
    for number in ["tel:0391181580", "tel:0800235236"] {
        assert_eq!(html.matches(number).count(), 1, "{number}: {html}");
    }
    assert_each_number_once(&html, "the minor's screen");
}

#[tokio::test]
async fn no_outcome_lists_a_service_twice() {
    let app = TestApp::spawn().await;
    // Orientation, then the national lines.
    let mut person = app.person().arrives().await;
    let html = person
        .reaches_the_orientation("Je voudrais de l'aide.")
        .await;
    assert_each_number_once(&html, "the orientation");
    assert!(
        html.contains("Aussi pour ce besoin, déjà proposé plus haut :"),
        "the lawyer meets both needs, and is named under the second: {html}"
    );
    // Choosing to call: the national lines alone.
    let mut person = app.person().arrives().await;
    let html = person
        .answers("formulaire", "choix", "appeler")
        .await
        .to_owned();
    assert_each_number_once(&html, "the lines");
    // Immediate danger: the emergency numbers.
    let mut person = app.person().arrives().await;
    person.answers("formulaire", "choix", "oui").await;
    person.answers("age", "nombre", "40").await;
    let html = person.answers("danger", "choix", "oui").await.to_owned();
    assert_each_number_once(&html, "the emergency");
    // The minor's screen, in every language.
    for lang in ["", "/en", "/ar"] {
        let mut person = app.person().in_language(lang).arrives().await;
        person.answers("formulaire", "choix", "oui").await;
        let html = person.answers("age", "nombre", "15").await.to_owned();
        assert_each_number_once(&html, &format!("the minor's screen at {lang}/aide"));
    }
}

#[tokio::test]
async fn several_communes_matching_is_asked_as_a_question_not_shown_as_an_error() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    person.reaches_the_commune().await;
    let html = person.answers("commune", "lieu", "62170").await.to_owned();

    assert_eq!(person.status, 200);
    let asked = between(&html, "<p class=\"choose\"", "</p>").expect("the question, as a question");
    assert!(
        asked.contains("Plusieurs communes correspondent à « 62170 »"),
        "{asked}"
    );
    assert!(!asked.contains("role=\"alert\""), "{asked}");
    assert!(
        !html.contains("class=\"error\""),
        "shown as an error: {html}"
    );
    assert!(html.contains("aria-describedby=\"commune-prompt\""));

    // A commune that does not exist is not "several communes match".
    let html = person.answers("commune", "lieu", "62999").await.to_owned();
    assert!(!html.contains("Plusieurs communes"), "{html}");
    assert!(
        html.contains("Nous ne trouvons pas « 62999 »") && html.contains("Vouliez-vous dire"),
        "{html}"
    );
}

#[tokio::test]
async fn danger_now_shows_the_emergency_numbers_then_continues_only_once_safe() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    person.answers("formulaire", "choix", "oui").await;
    person.answers("age", "nombre", "40").await;
    let html = person.answers("danger", "choix", "oui").await.to_owned();
    assert!(
        html.contains("href=\"tel:17\"")
            && html.contains("href=\"tel:112\"")
            && html.contains("href=\"sms:114\"")
    );
    assert_eq!(person.asked(), "urgence");

    person.continues("urgence").await;

    assert_eq!(person.asked(), "concerne");
}

#[tokio::test]
async fn choosing_to_call_instead_gives_the_national_lines() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    let html = person
        .answers("formulaire", "choix", "appeler")
        .await
        .to_owned();
    assert!(html.contains("tel:3919") && html.contains("tel:17"));
    assert!(!html.contains("name=\"etape\""));
}

#[tokio::test]
async fn changing_an_earlier_answer_keeps_the_answers_still_on_the_path() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    person.reaches_the_commune().await;
    person.answers("commune", "lieu", "Berck").await;
    assert_eq!(person.asked(), "besoins");

    let html = person.sends(&[("modifier", "concerne")]).await.to_owned();
    assert_eq!(person.asked(), "concerne");
    assert!(
        html.contains("class=\"answer chosen\""),
        "the earlier answer is shown: {html}"
    );
    person.answers("concerne", "choix", "proche").await;

    assert_eq!(person.asked(), "besoins", "the later answers were kept");
    assert!(person.html.contains("Berck"));
}

#[tokio::test]
async fn changing_the_age_to_a_minor_drops_the_later_answers() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    person.reaches_the_commune().await;
    person.sends(&[("modifier", "age")]).await;
    let html = person.answers("age", "nombre", "16").await.to_owned();
    assert!(html.contains("Nous vous recommandons de joindre"));
    assert!(
        !html.contains("Êtes-vous en danger maintenant"),
        "later answers remain: {html}"
    );
}

#[tokio::test]
async fn an_age_out_of_range_is_refused_and_every_earlier_answer_kept() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    person.answers("formulaire", "choix", "oui").await;
    let html = person.answers("age", "nombre", "200").await.to_owned();
    assert_eq!(person.status, 422);
    assert!(html.contains("Écrivez un nombre entre 8 et 120"), "{html}");
    assert!(html.contains("value=\"200\""), "what was typed is kept");
    assert!(
        html.contains("modifier"),
        "the earlier answer is still there"
    );
    let html = person.answers("age", "nombre", "trente").await.to_owned();
    assert!(html.contains("Écrivez un nombre"), "{html}");
}

#[tokio::test]
async fn an_unknown_postcode_gets_suggestions_and_a_shared_one_a_choice() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    person.reaches_the_commune().await;
    let html = person.answers("commune", "lieu", "62999").await.to_owned();
    assert!(
        html.contains("name=\"commune\" value=\""),
        "suggestions are offered: {html}"
    );
    assert_eq!(person.asked(), "commune");
    let html = person.answers("commune", "lieu", "62170").await.to_owned();
    assert!(
        html.contains("Plusieurs communes correspondent à « 62170 »"),
        "{html}"
    );
    person
        .sends(&[
            ("etape", "commune"),
            ("lieu", "62170"),
            ("commune", "62588"),
        ])
        .await;
    assert_eq!(person.asked(), "besoins");
}

#[tokio::test]
async fn a_text_too_long_is_refused_with_its_limit_and_kept() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    person.reaches_the_commune().await;
    person.answers("commune", "lieu", "Berck").await;
    person
        .sends(&[
            ("etape", "besoins"),
            ("choix", "droits"),
            ("action", "repondre"),
        ])
        .await;
    person
        .sends(&[("etape", "prenom"), ("action", "passer")])
        .await;
    person
        .sends(&[
            ("etape", "contact"),
            ("canal", "aucun"),
            ("action", "repondre"),
        ])
        .await;
    assert!(
        person.html.contains("2 000 caractères au plus")
            || person.html.contains("2000 caractères au plus"),
        "the limit is stated before typing"
    );
    let long = "é".repeat(2001);
    let html = person.answers("message", "texte", &long).await.to_owned();
    assert_eq!(person.status, 422);
    assert!(html.contains("trop long"), "{html}");
    assert!(html.contains(&long), "the text typed is kept");
}

#[tokio::test]
async fn a_double_submission_shows_the_same_next_question() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    let token = person.token.clone();
    person.answers("formulaire", "choix", "oui").await;
    assert_eq!(person.asked(), "age");
    person.token = token;
    person.answers("formulaire", "choix", "oui").await;
    assert_eq!((person.status, person.asked().as_str()), (200, "age"));
}

#[tokio::test]
async fn an_old_page_sent_again_after_going_back_keeps_every_earlier_answer() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    person.answers("formulaire", "choix", "oui").await;
    let at_age = person.token.clone();
    person.answers("age", "nombre", "34").await;
    person.answers("danger", "choix", "non").await;
    // Back, twice, in a browser without JavaScript: the age page is shown
    // again and sent with its own token.
    person.token = at_age;
    person.answers("age", "nombre", "35").await;
    assert_eq!(person.asked(), "danger");
    assert!(person.html.contains("35 ans"), "{}", person.html);
}

#[tokio::test]
async fn an_altered_token_gives_a_calm_page_that_offers_to_start_again() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    person.token.replace_range(10..12, "AA");
    let html = person
        .answers("formulaire", "choix", "oui")
        .await
        .to_owned();
    assert_eq!(person.status, 400);
    assert!(
        html.contains("Cette conversation n&#39;a pas pu être reprise")
            || html.contains("Cette conversation n'a pas pu être reprise"),
        "{html}"
    );
    assert!(
        html.contains("Vous souhaitez utiliser le formulaire"),
        "it starts again"
    );
    assert_has_safety_chrome(&html, "tampered");
}

#[tokio::test]
async fn an_action_or_a_step_no_page_sends_is_refused() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    for fields in [
        [("etape", "formulaire"), ("action", "effacer")],
        [("etape", "inconnue"), ("choix", "oui")],
        [("etape", "orientation"), ("action", "repondre")],
        [("modifier", "inconnue"), ("action", "repondre")],
        [("modifier", "resume"), ("action", "repondre")],
    ] {
        person.sends(&fields).await;
        assert_eq!(person.status, 400, "{fields:?}");
    }
}

#[tokio::test]
async fn an_expired_token_gives_a_calm_page_that_offers_to_start_again() {
    let app = TestApp::spawn().await;
    let conversation = &app.state.conversation;
    let three_hours_ago = jiff::Timestamp::now().as_second() - 3 * 3600;
    let token = conversation.sealer.seal(
        conversation.national.version(),
        three_hours_ago,
        &flow::Progress::default(),
        &relais::conversation::token::ConversationId::new(),
    );
    let response = app
        .client
        .post(app.url("/aide"))
        .form(&[
            ("t", token.as_str()),
            ("etape", "formulaire"),
            ("choix", "oui"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("plus de deux heures"), "{html}");
}

#[tokio::test]
async fn the_conversation_speaks_english_and_arabic_at_its_own_address() {
    let app = TestApp::spawn().await;
    let (_, html) = app.get_text("/en/aide").await;
    assert!(html.contains("action=\"/en/aide#question\""));
    assert!(html.contains("lang=\"en\""));
    let (_, html) = app.get_text("/ar/aide").await;
    assert!(html.contains("action=\"/ar/aide#question\"") && html.contains("dir=\"rtl\""));
}

#[tokio::test]
async fn nothing_about_the_person_is_written_to_the_database() {
    let app = TestApp::spawn().await;
    let mut person = app.person().arrives().await;
    person.reaches_the_commune().await;
    person.answers("commune", "lieu", "Berck").await;
    // Only counters exist, and they hold no answer.
    let counts = counters::between(
        &app.state.db,
        "montreuillois",
        date(2000, 1, 1),
        date(2100, 1, 1),
    )
    .await
    .unwrap();
    assert!(
        counts
            .iter()
            .all(|c| c.event.starts_with("conversation-") || c.event.starts_with("outcome:")),
        "{counts:?}"
    );
}

#[tokio::test]
async fn every_answer_is_answered_with_no_store_and_lands_on_its_question() {
    // Back after the exit shows a page again only if the browser kept it:
    // none of the conversation's answers may be kept, in any language.
    let app = TestApp::spawn().await;
    for lang in ["", "/en", "/ar"] {
        let (_, start) = app.get_text(&format!("{lang}/aide")).await;
        let mut token = field(&start, "t").expect("a token");
        let steps: [&[(&str, &str)]; 5] = [
            &[("etape", "formulaire"), ("choix", "oui")],
            &[("etape", "age"), ("nombre", "34")],
            &[("etape", "danger"), ("choix", "non")],
            &[("etape", "concerne"), ("choix", "moi")],
            &[("etape", "violences"), ("action", "passer")],
        ];
        for fields in steps {
            let current = token.clone();
            let mut form = vec![("t", current.as_str())];
            form.extend_from_slice(fields);
            for fragment in [true, false] {
                let mut request = app
                    .client
                    .post(app.url(&format!("{lang}/aide")))
                    .form(&form);
                if fragment {
                    request = request.header("X-Relais-Fragment", "1");
                }
                let response = request.send().await.expect("the server answers");
                let context = format!("{lang}/aide after {fields:?}, fragment {fragment}");
                assert_eq!(response.status().as_u16(), 200, "{context}");
                assert_eq!(response.headers()["cache-control"], "no-store", "{context}");
                let html = response.text().await.expect("a body");
                assert!(
                    html.contains(&format!("action=\"{lang}/aide#question\"")),
                    "{context}: the form does not land on the question"
                );
                assert!(html.contains("id=\"question\""), "{context}");
                if !fragment {
                    token = field(&html, "t").expect("a token");
                }
            }
        }
    }
}
