//! Each territory its own: a questionnaire its coordinator adapts,
//! previews and publishes (conversations under way finish on their
//! version; an earlier one comes back in one click), and an entry of its
//! own (`/t/SLUG`, its host names) where every page is the territory's
//! from the first question.

use relais::backoffice::storage as accounts;
use relais::conversation::NATIONAL_FLOW;
use relais::conversation::storage as flows;
use relais::directory::communes::Communes;
use relais::directory::territories::{self, Slug, YouthService};
use relais::directory::{DEMO_TERRITORY, storage as directory_storage};

use crate::helpers::TestApp;
use crate::helpers::page::field;
use crate::helpers::professional::Session;

const NATIONAL_QUESTION: &str = "Vous souhaitez utiliser le formulaire d'aide en ligne ?";
/// The national question as a page shows it (the apostrophe escaped).
const NATIONAL_SHOWN: &str = "Vous souhaitez utiliser le formulaire d&#39;aide en ligne ?";

/// The national flow with its first question worded `question`.
fn adapted(question: &str) -> String {
    NATIONAL_FLOW.replacen(NATIONAL_QUESTION, question, 1)
}

/// A second territory, "boulonnais": Boulogne-sur-Mer and Le Portel, with
/// its own youth service and host name.
async fn second_territory(app: &TestApp) {
    let mut territory =
        territories::parse_territory_file(DEMO_TERRITORY, &Communes::embedded()).unwrap();
    territory.slug = Slug::parse("boulonnais").unwrap();
    territory.name = "Boulonnais".to_owned();
    territory.communes = ["62160", "62667"].into_iter().map(str::to_owned).collect();
    territory.youth_services = vec![YouthService {
        name: "Point Accueil Écoute Jeunes du Boulonnais".to_owned(),
        phone: "03 21 00 00 99".to_owned(),
        description: None,
    }];
    territory.hosts = ["aide-boulonnais.example.org".to_owned()].into();
    crate::committed!(app.state.db, directory_storage::save_territory, &territory);
    app.state.directory.refresh(&app.state.db).await.unwrap();
}

/// Publishes `source` for `territory` as its coordinator would, and loads
/// it.
async fn published(app: &TestApp, territory: &str, source: &str) {
    let flow = relais::conversation::parse_flow(source).unwrap();
    let national = &app.state.conversation.national;
    crate::committed!(
        app.state.db,
        flows::publish,
        territory,
        source,
        flow.version(),
        (national.version(), NATIONAL_FLOW),
        "test",
    );
    app.state
        .conversation
        .refresh(&app.state.db, false)
        .await
        .unwrap();
}

/// A coordinator of `territory`, signed in to the back office.
async fn signed_in<'a>(app: &'a TestApp, email: &str, territory: &str) -> Session<'a> {
    let who = app.coordinator(email, territory).account().await;
    let mut session = Session::new(app);
    session.sign_in(&who).await;
    session
}

async fn lines(app: &TestApp, action: &str) -> Vec<String> {
    accounts::audit_entries(&app.state.db, None, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|line| line.action == action)
        .map(|line| line.detail)
        .collect()
}

#[tokio::test]
async fn a_coordinator_adapts_previews_and_publishes_and_a_conversation_under_way_finishes_on_its_version()
 {
    let app = TestApp::spawn().await;
    let mut coordinator = signed_in(&app, "coord@example.org", "montreuillois").await;
    let screen = "/pro/territoires/montreuillois/questionnaire";

    // She starts from the national flow, drawn as an outline.
    let page = coordinator.get(screen).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("le questionnaire national"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Le parcours, question par question"));
    assert!(page.body.contains("réponse « Oui » →"), "{}", page.body);

    // A person begins on the national flow.
    let mut before = app.person().arrives().await;
    assert!(before.html.contains(NATIONAL_SHOWN));
    before.answers("formulaire", "choix", "oui").await;
    assert_eq!(before.asked(), "age");

    // She rewords the first question and saves her draft; the preview
    // asks it as a person would see it, and counts nothing.
    let source = adapted("Souhaitez-vous remplir le formulaire du Montreuillois ?");
    let saved = coordinator
        .submit(screen, &[("action", "enregistrer"), ("source", &source)])
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("Brouillon enregistré"));
    assert!(
        saved
            .body
            .contains("« formulaire » : texte « Vous souhaitez"),
        "what publishing would change: {}",
        saved.body
    );
    let preview = coordinator.get(&format!("{screen}/apercu")).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview.body.contains("du Montreuillois ?"));
    assert!(preview.body.contains("est compté"));
    let token = field(&preview.body, "t").unwrap();
    let today = jiff::Zoned::now().date();
    let counted = || async {
        relais::storage::counters::between(
            &app.state.db,
            "montreuillois",
            today.yesterday().unwrap(),
            today.tomorrow().unwrap(),
        )
        .await
        .unwrap()
        .iter()
        .map(|c| c.count)
        .sum::<i64>()
    };
    let counted_before = counted().await;
    let next = coordinator
        .submit(
            &format!("{screen}/apercu"),
            &[
                ("t", &token),
                ("etape", "formulaire"),
                ("choix", "oui"),
                ("langue", "fr"),
            ],
        )
        .await;
    assert_eq!(next.status, 200, "{}", next.body);
    assert_eq!(field(&next.body, "etape").as_deref(), Some("age"));
    assert_eq!(counted().await, counted_before, "a preview counted");
    // The public site still asks the national question.
    assert!(app.person().arrives().await.html.contains(NATIONAL_SHOWN));

    // She publishes: a version, in the audit log with what changed.
    let published = coordinator
        .submit(screen, &[("action", "publier"), ("source", &source)])
        .await;
    assert_eq!(published.status, 200, "{}", published.body);
    assert!(
        published.body.contains("Version 1 publiée"),
        "{}",
        published.body
    );
    let audit = lines(&app, "flow-published").await;
    assert_eq!(audit.len(), 1);
    assert!(audit[0].contains("version 1"), "{audit:?}");
    assert!(audit[0].contains("Souhaitez-vous remplir"), "{audit:?}");

    // A new conversation asks her question; the one under way goes on
    // with the national flow it started on, without starting again.
    assert!(
        app.person()
            .arrives()
            .await
            .html
            .contains("Souhaitez-vous remplir le formulaire du Montreuillois ?")
    );
    before.answers("age", "nombre", "34").await;
    assert_eq!(before.status, 200);
    assert_eq!(before.asked(), "danger", "{}", before.html);
    assert!(!before.html.contains("a changé"), "{}", before.html);

    // A flow with a problem is not published, and says where.
    let broken = source.replacen("next = \"age\"", "next = \"agee\"", 1);
    let refused = coordinator
        .submit(screen, &[("action", "publier"), ("source", &broken)])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("été publié : corrigez"));
    assert!(refused.body.contains("ligne"), "{}", refused.body);
    assert!(refused.body.contains("agee"), "{}", refused.body);
    assert_eq!(
        flows::versions(&app.state.db, "montreuillois")
            .await
            .unwrap()
            .len(),
        1
    );

    // A second version, then one click puts the first back.
    let second = adapted("Deuxième version ?");
    coordinator
        .submit(screen, &[("action", "publier"), ("source", &second)])
        .await;
    assert!(
        app.person()
            .arrives()
            .await
            .html
            .contains("Deuxième version ?")
    );
    let back = coordinator
        .submit(&format!("{screen}/versions/1"), &[])
        .await;
    assert_eq!(back.status, 303, "{}", back.body);
    let person = app.person().arrives().await;
    assert!(
        person.html.contains("du Montreuillois ?"),
        "{}",
        person.html
    );
    assert_eq!(
        flows::in_use(&app.state.db, "montreuillois").await.unwrap(),
        Some(3),
        "a rollback is a new version: the history is kept"
    );
    assert_eq!(lines(&app, "flow-rolled-back").await.len(), 1);

    // And the national flow comes back in one click too.
    let national = coordinator.submit(&format!("{screen}/national"), &[]).await;
    assert_eq!(national.status, 303);
    assert!(app.person().arrives().await.html.contains(NATIONAL_SHOWN));
}

#[tokio::test]
async fn a_coordinator_cannot_see_nor_change_another_territorys_questionnaire() {
    let app = TestApp::spawn().await;
    second_territory(&app).await;
    let mut coordinator = signed_in(&app, "coord@example.org", "montreuillois").await;
    let other = "/pro/territoires/boulonnais/questionnaire";
    assert_eq!(coordinator.get(other).await.status, 403);
    assert_eq!(
        coordinator.get(&format!("{other}/apercu")).await.status,
        403
    );
    let source = adapted("Pris ?");
    assert_eq!(
        coordinator
            .submit(other, &[("action", "publier"), ("source", &source)])
            .await
            .status,
        403
    );
    assert_eq!(
        coordinator
            .submit(&format!("{other}/national"), &[])
            .await
            .status,
        403
    );
    assert!(
        flows::versions(&app.state.db, "boulonnais")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_territorys_path_and_host_name_give_its_questionnaire_and_youth_services_from_the_first_question()
 {
    let app = TestApp::spawn().await;
    second_territory(&app).await;
    published(
        &app,
        "boulonnais",
        &adapted("Bienvenue dans le Boulonnais : on commence ?"),
    )
    .await;

    // The national entry of two territories asks the national question.
    let (_, national) = app.get_text("/aide").await;
    assert!(national.contains(NATIONAL_SHOWN));

    // Its path, in every language, and every link of the page keeps it.
    let (status, html) = app.get_text("/t/boulonnais/aide").await;
    assert_eq!(status, 200);
    assert!(html.contains("Bienvenue dans le Boulonnais"), "{html}");
    assert!(
        html.contains("action=\"/t/boulonnais/aide#question\""),
        "{html}"
    );
    assert!(html.contains("href=\"/t/boulonnais/en/aide\""), "{html}");
    let (status, _) = app.get_text("/t/boulonnais/en/aide").await;
    assert_eq!(status, 200);
    assert_eq!(app.get_text("/t/inconnu/aide").await.0, 404);

    // Its host name.
    let response = app
        .client
        .get(app.url("/aide"))
        .header("host", "aide-boulonnais.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Bienvenue dans le Boulonnais")
    );

    // A minor on its entry is given its youth services, without being
    // asked her commune.
    let token = field(&html, "t").unwrap();
    let (_, age) = app
        .post_text(
            "/t/boulonnais/aide",
            &[
                ("t", token.as_str()),
                ("etape", "formulaire"),
                ("choix", "oui"),
            ],
        )
        .await;
    let token = field(&age, "t").unwrap();
    let (_, youth) = app
        .post_text(
            "/t/boulonnais/aide",
            &[("t", token.as_str()), ("etape", "age"), ("nombre", "15")],
        )
        .await;
    assert!(
        youth.contains("Point Accueil Écoute Jeunes du Boulonnais"),
        "{youth}"
    );
    assert!(
        !youth.contains("Maison des Adolescents du Littoral Est"),
        "{youth}"
    );
    assert!(!youth.contains("name=\"lieu\""), "{youth}");
}

#[tokio::test]
async fn a_minor_on_the_national_entry_of_two_territories_reaches_her_territorys_youth_services_after_giving_her_commune()
 {
    let app = TestApp::spawn().await;
    second_territory(&app).await;
    let mut person = app.person().arrives().await;
    person.answers("formulaire", "choix", "oui").await;
    person.answers("age", "nombre", "15").await;
    // The national lines for young people, and the question, never
    // required.
    assert!(person.html.contains("Fil Santé Jeunes"), "{}", person.html);
    assert!(!person.html.contains("Point Accueil Écoute Jeunes"));
    assert!(person.html.contains("Dans quelle commune habitez-vous ?"));
    assert!(person.html.contains("name=\"lieu\""));

    person
        .sends(&[("action", "commune"), ("lieu", "Boulogne-sur-Mer")])
        .await;
    assert_eq!(person.status, 200, "{}", person.html);
    assert!(
        person
            .html
            .contains("Point Accueil Écoute Jeunes du Boulonnais"),
        "{}",
        person.html
    );
    assert!(
        person.html.contains("Fil Santé Jeunes"),
        "the national lines stay"
    );

    // A commune no territory covers: the national lines, said calmly.
    let mut elsewhere = app.person().arrives().await;
    elsewhere.answers("formulaire", "choix", "oui").await;
    elsewhere.answers("age", "nombre", "15").await;
    elsewhere
        .sends(&[("action", "commune"), ("lieu", "Strasbourg")])
        .await;
    assert!(
        elsewhere.html.contains("pas encore de service local"),
        "{}",
        elsewhere.html
    );
    assert!(elsewhere.html.contains("Fil Santé Jeunes"));
}

#[tokio::test]
async fn on_a_territorys_entry_of_a_two_territory_instance_live_help_is_offered_before_she_names_her_commune()
 {
    use crate::helpers::live::{live_hours, on_duty};
    let app = TestApp::spawn().await;
    second_territory(&app).await;
    let organisation = live_hours(&app, "24/7").await;
    let _pro = on_duty(&app, "ecoute@example.org", &organisation).await;

    // On the national entry, nobody knows her territory yet: the lines.
    let mut national = app.person().arrives().await;
    national.answers("formulaire", "choix", "appeler").await;
    assert!(!national.html.contains("/parler"), "{}", national.html);

    // On the Montreuillois's entry, its permanence is there.
    let (_, html) = app.get_text("/t/montreuillois/aide").await;
    let token = field(&html, "t").unwrap();
    let (_, lines) = app
        .post_text(
            "/t/montreuillois/aide",
            &[
                ("t", token.as_str()),
                ("etape", "formulaire"),
                ("choix", "appeler"),
            ],
        )
        .await;
    assert!(
        lines.contains("action=\"/t/montreuillois/parler\""),
        "{lines}"
    );
}

/// The texts of the wording form, in the page's order, as the browser
/// would send them back.
fn texts(html: &str) -> Vec<String> {
    html.split("name=\"texte\"")
        .skip(1)
        .map(|rest| {
            let value = &rest[rest.find('>').unwrap() + 1..rest.find("</textarea>").unwrap()];
            value
                .replace("&#39;", "'")
                .replace("&quot;", "\"")
                .replace("&#34;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect()
}

/// The form as posted: its digest, then every text.
fn wording_form<'a>(digest: &'a str, texts: &'a [String]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("depuis", digest)];
    form.extend(texts.iter().map(|text| ("texte", text.as_str())));
    form
}

#[tokio::test]
async fn a_coordinator_changes_the_words_in_a_form_and_the_draft_keeps_everything_else() {
    let app = TestApp::spawn().await;
    let mut coordinator = signed_in(&app, "coord@example.org", "montreuillois").await;
    let screen = "/pro/territoires/montreuillois/questionnaire/textes";

    // Every text of the national flow, each in its field, in its language.
    let page = coordinator.get(screen).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Étape « formulaire »"), "{}", page.body);
    assert!(page.body.contains("Question — en arabe"));
    assert!(page.body.contains("lang=\"ar\" dir=\"rtl\""));
    assert!(page.body.contains("Réponse « appeler » — en français"));
    let digest = field(&page.body, "depuis").unwrap();
    let mut values = texts(&page.body);
    let first = values
        .iter()
        .position(|text| text == NATIONAL_QUESTION)
        .unwrap();
    let call = values
        .iter()
        .position(|text| text == "Je préfère appeler quelqu'un")
        .unwrap();
    assert!(values.len() > 100, "{}", values.len());

    // Emptying a French text is refused, what she typed kept.
    let mut emptied = values.clone();
    emptied[first] = String::new();
    emptied[call] = "Je préfère téléphoner".to_owned();
    let refused = coordinator
        .submit(screen, &wording_form(&digest, &emptied))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("Rien n'a été enregistré"));
    assert!(
        refused
            .body
            .contains("le texte français de « question » est vide"),
        "{}",
        refused.body
    );
    assert_eq!(texts(&refused.body), emptied);
    assert!(
        flows::draft(&app.state.db, "montreuillois")
            .await
            .unwrap()
            .is_none()
    );

    // Two texts changed, one with quotes: the draft has them, and the rest
    // of the file, its comments included, is as it was.
    values[first] = "Souhaitez-vous remplir le formulaire « d'ici » ?".to_owned();
    values[call] = "Je préfère téléphoner \"tout de suite\"".to_owned();
    let saved = coordinator
        .submit(screen, &wording_form(&digest, &values))
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let draft = flows::draft(&app.state.db, "montreuillois")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        draft.source,
        NATIONAL_FLOW
            .replacen(
                NATIONAL_QUESTION,
                "Souhaitez-vous remplir le formulaire « d'ici » ?",
                1
            )
            .replacen(
                "\"Je préfère appeler quelqu'un\"",
                "\"Je préfère téléphoner \\\"tout de suite\\\"\"",
                1
            )
    );
    assert_eq!(
        lines(&app, "flow-draft-saved").await,
        ["2 texte(s) changé(s) depuis le formulaire des textes"]
    );
    // The questionnaire's page shows the draft and what publishing it
    // would change; the form now starts from the draft.
    let page = coordinator
        .get("/pro/territoires/montreuillois/questionnaire")
        .await;
    assert!(page.body.contains("Votre brouillon"), "{}", page.body);
    assert!(page.body.contains("Ce que la publication changerait"));
    let again = coordinator.get(screen).await;
    assert_eq!(texts(&again.body), values);

    // A form drawn before the draft changed saves nothing, and gives her
    // texts back.
    let mut stale = values.clone();
    stale[first] = "Un texte d'une page ancienne".to_owned();
    let conflict = coordinator
        .submit(screen, &wording_form(&digest, &stale))
        .await;
    assert_eq!(conflict.status, 409, "{}", conflict.body);
    assert!(conflict.body.contains("Un texte d&#39;une page ancienne"));
    let unchanged = flows::draft(&app.state.db, "montreuillois")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.source, draft.source);

    // A field too many is no form of ours.
    let digest = field(&again.body, "depuis").unwrap();
    let mut more = values.clone();
    more.push("de trop".to_owned());
    let forged = coordinator
        .submit(screen, &wording_form(&digest, &more))
        .await;
    assert_eq!(forged.status, 400);

    // Another territory's coordinator may not read or change them.
    second_territory(&app).await;
    let mut intruder = signed_in(&app, "autre@example.org", "boulonnais").await;
    assert_eq!(intruder.get(screen).await.status, 403);
    let digest = field(&again.body, "depuis").unwrap();
    assert_eq!(
        intruder
            .submit(screen, &wording_form(&digest, &values))
            .await
            .status,
        403
    );
}
