//! A territory's directory kept in step with a data·inclusion source:
//! `relais directory sync` and the back office's preview, then apply.

use std::process::Command;

use relais::backoffice::storage as audit_log;
use relais::directory::communes::Communes;
use relais::directory::{DEMO_TERRITORY, storage, sync, territories};
use relais::storage::Db;
use reqwest::header;
use serde_json::json;

use crate::helpers::TestApp;
use crate::helpers::page::{Page, hidden};
use crate::helpers::professional::Session;

const RELAIS: &str = env!("CARGO_BIN_EXE_relais");

/// A data·inclusion file from the source `dora`: one structure and a
/// service per `(id, name, phone)`, all in Montreuil-sur-Mer.
fn source(services: &[(&str, &str, &str)]) -> String {
    let services: Vec<_> = services
        .iter()
        .map(|(id, name, phone)| {
            json!({
                "id": id, "source": "dora", "structure_id": "cidff", "nom": name,
                "code_insee": "62588", "telephone": phone, "date_maj": "2026-11-02",
                "description": "Une permanence d'accueil et de conseil.",
                "relais": {"besoins": ["legal"]},
            })
        })
        .collect();
    json!({
        "structures": [{"id": "cidff", "source": "dora", "nom": "CIDFF de la Côte (exemple)",
                        "relais": {"type": "cidff"}}],
        "services": services,
    })
    .to_string()
}

const TWO: &[(&str, &str, &str)] = &[
    ("a", "Permanence juridique (exemple)", "0321000001"),
    ("b", "Écoute des victimes (exemple)", "0321000002"),
];

/// Posts the sync form: the file, and the preview's digest to apply it.
async fn send(browser: &mut Session<'_>, slug: &str, file: &str, applying: Option<&str>) -> Page {
    let boundary = "relais-sync-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
        browser.csrf
    );
    if let Some(digest) = applying {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"apercu\"\r\n\r\n{digest}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"services.json\"\r\n\
         Content-Type: application/json\r\n\r\n{file}\r\n--{boundary}--\r\n"
    ));
    let request = browser
        .request(
            reqwest::Method::POST,
            &format!("/pro/territoires/{slug}/synchronisation"),
        )
        .header("sec-fetch-site", "same-origin")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body);
    Page::read(request.send().await.unwrap()).await
}

/// Syncs the demo territory from `file`, as the command does.
async fn sync_directly(app: &TestApp, file: &str) -> sync::Plan {
    let db = &app.state.db;
    let territory = storage::territory(db, "montreuillois")
        .await
        .unwrap()
        .unwrap();
    let plan = sync::preview(db, &territory, &Communes::embedded(), file.into())
        .await
        .unwrap()
        .unwrap();
    sync::apply(
        db,
        "montreuillois",
        &plan,
        "relais directory sync",
        "test.json",
    )
    .await
    .unwrap();
    app.state.directory.refresh(db).await.unwrap();
    plan
}

async fn synced_services(db: &Db) -> Vec<relais::directory::model::Service> {
    let (_, services) = storage::directory(db, Some("montreuillois")).await.unwrap();
    services
        .into_iter()
        .filter(|s| s.source_id.starts_with("dora/"))
        .collect()
}

async fn audit_actions(db: &Db) -> Vec<String> {
    audit_log::audit_entries(db, Some(&["montreuillois".to_owned()]), 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn a_preview_changes_nothing_and_applying_it_adds_the_services_to_verify() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let mut coordinator = app.coordinator("coord@example.org", "montreuillois").await;
    let before = storage::directory(db, Some("montreuillois")).await.unwrap();
    let version = storage::version(db).await.unwrap();
    let lines = audit_actions(db).await.len();

    let preview = send(&mut coordinator, "montreuillois", &source(TWO), None).await;

    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body.contains("Aperçu : rien n'a encore changé"),
        "{}",
        preview.body
    );
    assert!(
        preview.body.contains("Ajouté, à vérifier (3)"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("Permanence juridique (exemple)"));
    assert_eq!(
        storage::directory(db, Some("montreuillois")).await.unwrap(),
        before
    );
    assert_eq!(storage::version(db).await.unwrap(), version);
    assert_eq!(audit_actions(db).await.len(), lines);

    let digest = hidden(&preview.body, "apercu");
    let done = send(
        &mut coordinator,
        "montreuillois",
        &source(TWO),
        Some(&digest),
    )
    .await;

    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("C&#39;est fait"), "{}", done.body);
    let services = synced_services(db).await;
    assert_eq!(services.len(), 2);
    assert!(
        services.iter().all(|s| s.verified_on.is_none()),
        "a new service is to be verified, whatever the source's date"
    );
    let actions = audit_actions(db).await;
    let count = |code: &str| actions.iter().filter(|a| *a == code).count();
    assert_eq!(count("service-added-from-source"), 2);
    assert_eq!(count("organisation-added-from-source"), 1);
    assert_eq!(count("directory-synced"), 1);
    let page = coordinator
        .get("/pro/territoires/montreuillois/a-reverifier")
        .await;
    assert!(
        page.body.contains("Écoute des victimes (exemple)"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_service_gone_from_the_source_is_flagged_never_deleted() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    sync_directly(&app, &source(TWO)).await;

    let plan = sync_directly(&app, &source(&TWO[..1])).await;

    assert_eq!(plan.counts.services_gone, 1);
    let services = synced_services(db).await;
    assert_eq!(services.len(), 2, "nothing is deleted");
    let actions = audit_actions(db).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "service-gone-from-source")
            .count(),
        1
    );
    let mut coordinator = app.coordinator("coord@example.org", "montreuillois").await;
    let page = coordinator
        .get("/pro/territoires/montreuillois/annuaire")
        .await;
    assert!(
        page.body
            .contains("n&#39;est plus dans la source depuis le"),
        "{}",
        page.body
    );

    // Still gone: flagged once, no new audit line for it.
    let again = sync_directly(&app, &source(&TWO[..1])).await;
    assert_eq!(again.counts.services_gone, 0);
    assert_eq!(again.counts.services_still_gone, 1);
    assert!(again.changes_nothing());
}

#[tokio::test]
async fn a_local_edit_is_kept_and_shown_as_differing_from_the_source() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    sync_directly(&app, &source(TWO)).await;
    let mut coordinator = app.coordinator("coord@example.org", "montreuillois").await;
    // The coordinator corrects the number in the back office.
    let service = synced_services(db)
        .await
        .into_iter()
        .find(|s| s.source_id == "dora/a")
        .unwrap();
    let page = coordinator
        .submit(
            &format!("/pro/services/{}", service.id),
            &[
                ("service_nom", &service.name),
                ("besoins", "legal"),
                ("code_insee", "62588"),
                ("presentation", "Une permanence d'accueil et de conseil."),
                ("telephone", "03 21 99 99 99"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let corrected = synced_services(db).await[0].phone.clone();

    // The source then changes both the name and the number.
    let changed = [
        ("a", "Permanence juridique gratuite (exemple)", "0321000009"),
        TWO[1],
    ];
    let plan = sync_directly(&app, &source(&changed)).await;

    assert_eq!(plan.counts.kept_local_edits, 1);
    assert_eq!(plan.counts.services_updated, 1);
    let after = synced_services(db).await;
    let a = after.iter().find(|s| s.source_id == "dora/a").unwrap();
    assert_eq!(a.phone, corrected, "the local edit is kept");
    assert_eq!(a.name, "Permanence juridique gratuite (exemple)");
    let page = coordinator
        .get("/pro/territoires/montreuillois/annuaire")
        .await;
    assert!(
        page.body
            .contains("diffère de la source : Téléphone (source : "),
        "{}",
        page.body
    );
    let page = coordinator.get(&format!("/pro/services/{}", a.id)).await;
    assert!(
        page.body
            .contains("il diffère de la source : Téléphone (source : "),
        "{}",
        page.body
    );
    let actions = audit_actions(db).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "service-updated-from-source")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_file_changed_since_its_preview_is_previewed_again_and_not_applied() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let mut coordinator = app.coordinator("coord@example.org", "montreuillois").await;
    let preview = send(&mut coordinator, "montreuillois", &source(TWO), None).await;
    let digest = hidden(&preview.body, "apercu");

    let page = send(
        &mut coordinator,
        "montreuillois",
        &source(&TWO[..1]),
        Some(&digest),
    )
    .await;

    assert_eq!(page.status, 409, "{}", page.body);
    assert!(
        page.body.contains("rien n&#39;a été appliqué"),
        "{}",
        page.body
    );
    assert!(synced_services(db).await.is_empty());

    // The directory changing between preview and apply does the same.
    let preview = send(&mut coordinator, "montreuillois", &source(TWO), None).await;
    let digest = hidden(&preview.body, "apercu");
    sync_directly(&app, &source(&TWO[..1])).await;
    let page = send(
        &mut coordinator,
        "montreuillois",
        &source(TWO),
        Some(&digest),
    )
    .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert_eq!(synced_services(db).await.len(), 1);
}

#[tokio::test]
async fn a_coordinator_of_another_territory_may_not_sync_this_one() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let mut other =
        territories::parse_territory_file(DEMO_TERRITORY, &Communes::embedded()).unwrap();
    other.slug = territories::Slug::parse("autre").unwrap();
    crate::committed!(db, storage::save_territory, &other);
    app.state.directory.refresh(db).await.unwrap();
    let mut coordinator = app.coordinator("coord-b@example.org", "autre").await;

    let page = send(&mut coordinator, "montreuillois", &source(TWO), None).await;
    assert_eq!(page.status, 403, "{}", page.body);
    let digest = sync::digest(storage::version(db).await.unwrap(), source(TWO).as_bytes());
    let page = send(
        &mut coordinator,
        "montreuillois",
        &source(TWO),
        Some(&digest),
    )
    .await;

    assert_eq!(page.status, 403, "{}", page.body);
    assert!(synced_services(db).await.is_empty());
    let page = coordinator
        .get("/pro/territoires/montreuillois/synchronisation")
        .await;
    assert_eq!(page.status, 403);
}

#[test]
fn the_command_syncs_from_the_national_bulk_files_and_previews_with_dry_run() {
    let dir = tempfile::tempdir().unwrap();
    let relais = |args: &[&str]| {
        let output = Command::new(RELAIS)
            .args(args)
            .args(["--data-dir", "data", "--log", "warn"])
            .current_dir(dir.path())
            .env_remove("RELAIS_DATABASE_URL")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    std::fs::write(
        dir.path().join("t.toml"),
        "slug = \"t\"\nname = \"T\"\ncommunes = [\"62588\"]\n",
    )
    .unwrap();
    relais(&["migrate"]);
    relais(&["territory", "add", "t.toml"]);
    let file: serde_json::Value = serde_json::from_str(&source(TWO)).unwrap();
    let bulk = dir.path().join("bulk");
    std::fs::create_dir(&bulk).unwrap();
    std::fs::write(bulk.join("structures.json"), file["structures"].to_string()).unwrap();
    std::fs::write(bulk.join("services.json"), file["services"].to_string()).unwrap();

    let preview = relais(&[
        "directory",
        "sync",
        "--territory",
        "t",
        "--from",
        "bulk",
        "--dry-run",
    ]);
    assert!(
        preview.contains("Aperçu, rien n'a été changé : 2 service(s) ajouté(s)"),
        "{preview}"
    );
    let listed = relais(&["territory", "list"]);
    assert!(listed.contains("0 structures, 0 services"), "{listed}");

    let done = relais(&["directory", "sync", "--territory", "t", "--from", "bulk"]);
    assert!(done.contains("Annuaire de « t » mis à jour"), "{done}");
    let listed = relais(&["territory", "list"]);
    assert!(listed.contains("1 structures, 2 services"), "{listed}");
    let again = relais(&["directory", "sync", "--territory", "t", "--from", "bulk"]);
    assert!(
        again.contains("0 service(s) ajouté(s) à vérifier, 0 mis à jour"),
        "{again}"
    );
}
