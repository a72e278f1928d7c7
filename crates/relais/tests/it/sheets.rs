//! Information sheets as a person reads them, and a territory's own
//! versions.

use relais::directory::communes::Communes;
use relais::directory::{DEMO_TERRITORY, storage as directory_storage, territories};
use relais::sheets::storage::{self, SheetKey};

use crate::helpers::{TestApp, assert_has_safety_chrome};

const PLAINTE: SheetKey<'static> = SheetKey {
    slug: "porter-plainte",
    language: "fr",
    easy_to_read: false,
};

fn local_version(marker: &str) -> String {
    format!(
        "+++\ntitle = \"Porter plainte dans le Montreuillois\"\nsummary = \"Les adresses d'ici.\"\n\
         category = \"justice\"\naudience = [\"victime\"]\nreviewed_on = 2026-11-20\nlanguage = \"fr\"\n\
         easy_to_read = false\n[[sources]]\ntitle = \"Service-Public\"\nurl = \"https://www.service-public.gouv.fr/\"\n+++\n\
         ## Ici\n\n{marker} <script>alert(1)</script>\n\n[Aide](/aide) [Annuaire](/annuaire)\n"
    )
}

async fn second_territory(app: &TestApp, slug: &str) {
    let mut territory =
        territories::parse_territory_file(DEMO_TERRITORY, &Communes::embedded()).unwrap();
    territory.slug = territories::Slug::parse(slug).unwrap();
    territory.name = "Autre".to_owned();
    crate::committed!(app.state.db, directory_storage::save_territory, &territory);
    app.state.directory.refresh(&app.state.db).await.unwrap();
}

#[tokio::test]
async fn the_sheets_are_listed_by_category_and_each_shows_its_sources_and_review_date() {
    let app = TestApp::spawn().await;
    let (status, html) = app.get_text("/fiches").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Justice et plainte") && html.contains("href=\"/fiches/porter-plainte\""),
        "{html}"
    );
    assert_has_safety_chrome(&html, "/fiches");

    let (status, html) = app.get_text("/fiches/ordonnance-de-protection").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<h1>L&#39;ordonnance de protection</h1>")
            || html.contains("<h1>L'ordonnance de protection</h1>"),
        "{html}"
    );
    assert!(html.contains("Vérifiée le 28 novembre 2026"), "{html}");
    assert!(html.contains("legifrance.gouv.fr"));
    assert!(
        html.contains("href=\"/fiches/ordonnance-de-protection/facile\""),
        "the easy-to-read version is offered"
    );
    assert!(html.contains("href=\"/aide\"") && html.contains("href=\"/annuaire\""));
    assert_has_safety_chrome(&html, "sheet");
}

#[tokio::test]
async fn the_search_finds_words_with_and_without_accents_without_a_url() {
    let app = TestApp::spawn().await;
    for query in ["hébergement", "hebergement"] {
        let response = app
            .client
            .post(app.url("/fiches"))
            .form(&[("q", query)])
            .send()
            .await
            .unwrap();
        let html = response.text().await.unwrap();
        assert!(
            html.contains("href=\"/fiches/hebergement-urgence\""),
            "{query}: {html}"
        );
        assert!(html.contains("fiches trouvées pour"), "{query}");
    }
    let response = app
        .client
        .post(app.url("/fiches"))
        .form(&[("q", " ")])
        .send()
        .await
        .unwrap();
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Écrivez un ou plusieurs mots")
    );
}

#[tokio::test]
async fn english_and_arabic_readers_get_what_exists_and_are_told_when_it_is_french() {
    let app = TestApp::spawn().await;
    let (status, html) = app.get_text("/en/fiches/porter-plainte").await;
    assert_eq!(status, 200);
    assert!(!html.contains("only in French"), "an English sheet exists");
    let (status, html) = app.get_text("/en/fiches/travail-et-violences").await;
    assert_eq!(status, 200);
    assert!(html.contains("This sheet exists only in French for now."));
    let (_, html) = app.get_text("/ar/fiches/porter-plainte").await;
    assert!(html.contains("dir=\"rtl\"") && html.contains("بالفرنسية فقط"));
}

#[tokio::test]
async fn a_french_sheet_on_an_arabic_page_keeps_its_language_and_direction() {
    let app = TestApp::spawn().await;
    let (_, html) = app.get_text("/ar/fiches/porter-plainte").await;
    // Its numbers, names and sentences read left to right inside the page.
    assert!(
        html.contains("<div class=\"body\" lang=\"fr\" dir=\"ltr\">"),
        "{html}"
    );
    assert!(html.contains("<h1 lang=\"fr\" dir=\"ltr\">"), "{html}");
    let (_, html) = app.get_text("/fiches/porter-plainte").await;
    assert!(html.contains("<div class=\"body\">"), "{html}");
}

#[tokio::test]
async fn a_territorys_version_replaces_the_national_sheet_only_in_that_territory() {
    let app = TestApp::spawn().await;
    crate::committed!(
        app.state.db,
        storage::save,
        "montreuillois",
        PLAINTE,
        &local_version("Commissariat du Montreuillois"),
        "test",
    );

    // The site runs for one territory: its version is the one shown.
    let (_, html) = app.get_text("/fiches/porter-plainte").await;
    assert!(html.contains("Commissariat du Montreuillois"), "{html}");
    assert!(html.contains("adaptée pour le territoire Montreuillois"));
    assert!(!html.contains("<script>alert"), "raw HTML passed through");

    // With a second territory, /fiches is national again, and each
    // territory has its own address.
    second_territory(&app, "autre").await;
    let (_, national) = app.get_text("/fiches/porter-plainte").await;
    assert!(
        !national.contains("Commissariat du Montreuillois"),
        "the national sheet changed"
    );
    let (_, local) = app
        .get_text("/territoires/montreuillois/fiches/porter-plainte")
        .await;
    assert!(local.contains("Commissariat du Montreuillois"));
    let (_, other) = app
        .get_text("/territoires/autre/fiches/porter-plainte")
        .await;
    assert!(
        !other.contains("Commissariat du Montreuillois"),
        "another territory got this territory's version"
    );
    assert_eq!(
        app.get_text("/territoires/inconnu/fiches/porter-plainte")
            .await
            .0,
        404
    );

    // By the territory's own entry, the sheet's national address gives its
    // version, and the other territory's entry does not.
    let (_, entry) = app.get_text("/t/montreuillois/fiches/porter-plainte").await;
    assert!(entry.contains("Commissariat du Montreuillois"), "{entry}");
    let (_, other) = app.get_text("/t/autre/fiches/porter-plainte").await;
    assert!(!other.contains("Commissariat du Montreuillois"));

    // A suspended territory's version names a network that orients nobody
    // for now: its entry shows the national sheet.
    crate::committed!(
        app.state.db,
        directory_storage::set_suspended,
        "montreuillois",
        Some("2026-12-01T10:00:00Z"),
    );
    app.state.directory.refresh(&app.state.db).await.unwrap();
    let (_, suspended) = app.get_text("/t/montreuillois/fiches/porter-plainte").await;
    assert!(
        !suspended.contains("Commissariat du Montreuillois"),
        "{suspended}"
    );
    let (status, suspended) = app
        .get_text("/territoires/montreuillois/fiches/porter-plainte")
        .await;
    assert_eq!(status, 200);
    assert!(!suspended.contains("Commissariat du Montreuillois"));
}

#[tokio::test]
async fn every_saved_version_is_kept_and_the_latest_is_in_force() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    assert_eq!(
        crate::committed!(
            db,
            storage::save,
            "montreuillois",
            PLAINTE,
            &local_version("Première"),
            "alice"
        ),
        1
    );
    assert_eq!(
        crate::committed!(
            db,
            storage::save,
            "montreuillois",
            PLAINTE,
            &local_version("Deuxième"),
            "bob"
        ),
        2
    );

    let history = storage::history(db, "montreuillois", PLAINTE)
        .await
        .unwrap();
    assert_eq!(
        history
            .iter()
            .map(|v| (v.version, v.created_by.as_str()))
            .collect::<Vec<_>>(),
        [(2, "bob"), (1, "alice")]
    );
    let current = storage::current(db, "montreuillois", PLAINTE)
        .await
        .unwrap()
        .unwrap();
    assert!(current.contains("Deuxième"));
}

#[tokio::test]
async fn an_unknown_sheet_is_a_calm_404() {
    let app = TestApp::spawn().await;
    let (status, html) = app.get_text("/fiches/n-existe-pas").await;
    assert_eq!(status, 404);
    assert_has_safety_chrome(&html, "missing sheet");
}

#[test]
fn the_sheets_command_lists_every_sheet_and_none_is_stale_today() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_relais"))
            .args(args)
            .args(["--data-dir", "data", "--log", "warn"])
            .current_dir(dir.path())
            .env_remove("RELAIS_DATABASE_URL")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    run(&["migrate"]);
    assert!(run(&["sheets", "list"]).lines().count() >= 22);
    assert_eq!(run(&["sheets", "stale", "--today", "2026-11-28"]), "");
    assert!(
        run(&["sheets", "stale", "--today", "2028-01-01"])
            .lines()
            .count()
            >= 22
    );
}
