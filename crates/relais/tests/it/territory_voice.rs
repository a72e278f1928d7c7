//! Each territory's voice and logo, written by its coordination and shown
//! on its home page and `/a-propos`; and many territories run by one
//! operator, who creates them, sees their health at a glance and suspends
//! them.

use relais::backoffice::storage::{self as accounts, Role};
use relais::directory::communes::Communes;
use relais::directory::{DEMO_TERRITORY, storage as directory, territories};

use crate::helpers::TestApp;
use crate::helpers::person::first_sender;
use crate::helpers::professional::members_everywhere;

/// The words of the demo territory's voice, in French.
const VOICE_FR: &[(&str, &str)] = &[
    (
        "presentation_fr",
        "L'association Exemple coordonne le service dans le Montreuillois.\n\nLe réseau s'est construit avec le tribunal, le barreau et les associations.",
    ),
    (
        "partners_fr",
        "Tribunal judiciaire de Boulogne-sur-Mer\nBarreau de Boulogne-sur-Mer",
    ),
    ("join_fr", "Écrivez-nous pour rejoindre le réseau."),
    ("join_email", "reseau@example.org"),
    ("join_phone", "03 21 00 00 00"),
];

/// A PNG as the logo check reads it: its signature, then anything.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-the-rest-of-a-small-logo";

async fn second_territory(app: &TestApp) {
    let communes = Communes::embedded();
    let mut other = territories::parse_territory_file(DEMO_TERRITORY, &communes).unwrap();
    other.slug = territories::Slug::parse("autre").unwrap();
    other.name = "Autre territoire".to_owned();
    other.communes = ["59350".to_owned()].into();
    crate::committed!(&app.state.db, directory::save_territory, &other);
    app.state.directory.refresh(&app.state.db).await.unwrap();
}

#[tokio::test]
async fn a_coordinator_writes_her_territory_s_voice_and_logo_and_never_another_s() {
    let app = TestApp::spawn().await;
    second_territory(&app).await;
    let mut other = app.coordinator("coord-b@example.org", "autre").await;
    let mut own = app
        .coordinator("coord-a@example.org", "montreuillois")
        .await;

    // Another territory's coordination: refused, whatever it tries.
    for path in [
        "/pro/territoires/montreuillois/presentation",
        "/pro/territoires/montreuillois/logo",
    ] {
        let page = if path.ends_with("logo") {
            other.upload_bytes(path, "logo.png", PNG).await
        } else {
            other.submit(path, VOICE_FR).await
        };
        assert_eq!(page.status, 403, "{path}");
    }
    assert_eq!(
        other
            .get("/pro/territoires/montreuillois/presentation")
            .await
            .status,
        403
    );
    assert!(
        app.state
            .directory
            .index()
            .stored_voice("montreuillois")
            .is_none()
    );

    // Its own: saved, audited, on the home page and `/a-propos`.
    let page = own
        .submit("/pro/territoires/montreuillois/presentation", VOICE_FR)
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = own
        .upload_bytes("/pro/territoires/montreuillois/logo", "logo.png", PNG)
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let svg = own
        .upload_bytes(
            "/pro/territoires/montreuillois/logo",
            "logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
        )
        .await;
    assert_eq!(svg.status, 422);
    assert!(svg.body.contains("PNG ou JPEG"), "{}", svg.body);
    let log = accounts::audit_entries(&app.state.db, Some(&["montreuillois".to_owned()]), 10)
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|line| line.action.as_str()).collect();
    assert!(actions.contains(&"territory-voice-changed"), "{actions:?}");
    assert!(actions.contains(&"territory-logo-changed"), "{actions:?}");

    // The national entry of two territories: `/a-propos` lists each
    // territory that has a voice; the territory's entry shows its own.
    let (status, about) = app.get_text("/a-propos").await;
    assert_eq!(status, 200);
    assert!(about.contains("association Exemple coordonne"), "{about}");
    assert!(about.contains("<li>Tribunal judiciaire de Boulogne-sur-Mer</li>"));
    assert!(about.contains("mailto:reseau@example.org"));
    assert!(about.contains("tel:0321000000"));
    let (_, home) = app.get_text("/t/montreuillois/").await;
    assert!(home.contains("association Exemple coordonne"), "{home}");
    // In English, the French words, marked as French.
    let (_, english) = app.get_text("/t/montreuillois/en/a-propos").await;
    assert!(english.contains("lang=\"fr\""), "{english}");
    assert!(english.contains("association Exemple coordonne"));
    // The other territory's entry has no voice of this one.
    let (_, elsewhere) = app.get_text("/t/autre/").await;
    assert!(!elsewhere.contains("association Exemple"));

    // The logo: served by us, with its type, cached under its digest.
    let digest = app
        .state
        .directory
        .index()
        .stored_voice("montreuillois")
        .and_then(|v| v.logo.clone())
        .unwrap()
        .digest;
    let address = format!("/territoires/montreuillois/logo/{digest}");
    assert!(about.contains(&address), "{about}");
    let response = app.get(&address).await;
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "image/png");
    assert!(header("cache-control").starts_with("public"));
    assert!(header("content-security-policy").contains("img-src 'self'"));
    assert_eq!(&response.bytes().await.unwrap()[..], PNG);
    assert_eq!(
        app.get("/territoires/montreuillois/logo/0").await.status(),
        404
    );
}

#[tokio::test]
async fn an_administrator_creates_a_territory_from_departement_arrondissement_epci_and_insee_codes()
{
    let app = TestApp::spawn().await;
    let mut admin = app.administrator().await;
    let form = [
        ("name", "Audomarois et Flandre"),
        ("slug", "audomarois"),
        ("departements", "59"),
        // The arrondissement of Château-Thierry, in the Aisne.
        ("arrondissements", "021"),
        // The CA du Pays de Saint-Omer.
        ("epci", "200069037"),
        ("communes", "80021, 80001"),
        ("hosts", "aide-audomarois.example.org"),
    ];

    // A mistake comes back with what was typed, and nothing is created.
    let mut wrong = form;
    wrong[4] = ("epci", "123456789");
    let page = admin.submit("/pro/territoires/nouveau", &wrong).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("123456789"), "{}", page.body);
    let mut wrong = form;
    wrong[3] = ("arrondissements", "029");
    let page = admin.submit("/pro/territoires/nouveau", &wrong).await;
    assert_eq!(page.status, 422);
    assert!(
        page.body
            .contains("« 029 » n&#39;est le code d&#39;aucun arrondissement"),
        "{}",
        page.body
    );
    // Next to its field, with what was typed kept.
    assert!(page.body.contains(">029</textarea>"), "{}", page.body);
    assert!(
        app.state
            .directory
            .index()
            .territory("audomarois")
            .is_none()
    );

    let page = admin.submit("/pro/territoires/nouveau", &form).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let index = app.state.directory.index();
    let territory = index.territory("audomarois").unwrap();
    let communes = Communes::embedded();
    let saint_omer = communes.by_insee("62765").unwrap();
    assert_eq!(&*saint_omer.name, "Saint-Omer");
    assert!(territory.covers("62765", "62"), "an EPCI member");
    assert!(territory.covers("02168", "02"), "Château-Thierry");
    assert!(!territory.covers("02691", "02"), "not Saint-Quentin");
    assert!(territory.covers("80021", "80"), "an INSEE code");
    assert!(territory.covers("59350", "59"), "a whole département");
    assert!(!territory.covers("62826", "62"), "not Montreuil-sur-Mer");
    assert!(territory.hosts.contains("aide-audomarois.example.org"));
    assert_eq!(
        index
            .territory_of(communes.by_insee("62765").unwrap())
            .map(|t| t.slug.as_str()),
        Some("audomarois")
    );
    let log = accounts::audit_entries(&app.state.db, Some(&["audomarois".to_owned()]), 10)
        .await
        .unwrap();
    assert_eq!(log[0].action, "territory-created");

    // The same slug twice: refused.
    let page = admin.submit("/pro/territoires/nouveau", &form).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("existe déjà"));

    // Its coordination is invited from the list, with the accounts' own
    // invitation.
    let list = admin.get("/pro/territoires").await;
    assert!(list.body.contains("Audomarois et Flandre"));
    assert!(list.body.contains("value=\"audomarois\""));
    let page = admin
        .submit(
            "/pro/comptes/inviter",
            &[
                ("email", "coordination@example.org"),
                ("role", "coordinator"),
                ("territoire", "audomarois"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let invited = accounts::user_by_email(&app.state.db, "coordination@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(invited.role, Role::Coordinator);
    assert_eq!(invited.territories, ["audomarois"]);
}

/// The number the list of territories gives for `what`, in the card of
/// the territory `slug`.
fn health(html: &str, slug: &str, what: &str) -> String {
    let card = &html[html.find(&format!("id=\"{slug}\"")).unwrap()..];
    let marker = format!("data-health=\"{what}\">");
    let at = card.find(&marker).unwrap() + marker.len();
    card[at..at + card[at..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn the_list_of_territories_gives_each_one_s_health() {
    let app = TestApp::spawn().await;
    second_territory(&app).await;
    let db = &app.state.db;
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation("Une histoire.").await);
    // One professional without a key yet.
    crate::committed!(
        db,
        accounts::create_user,
        "sans-cle@example.org",
        Role::Professional,
        Some(&organisation),
        &[],
    );
    // Two referrals not opened: one sent eight days ago, one today.
    app.person()
        .sends_report(&organisation, "Une histoire.")
        .await;
    let eight_days_ago = relais::storage::timestamp_text(
        jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 8),
    );
    relais::with_pool!(db, pool => {
        sqlx::query("UPDATE referrals SET created_at = $1")
            .bind(&eight_days_ago)
            .execute(pool)
            .await
            .unwrap();
    });
    app.person()
        .sends_report(&organisation, "Une autre histoire.")
        .await;

    let (_, services) = directory::directory(db, Some("montreuillois"))
        .await
        .unwrap();
    let limit = app
        .state
        .directory
        .index()
        .today_in("montreuillois")
        .saturating_sub(jiff::Span::new().months(6));
    let due = services
        .iter()
        .filter(|s| s.verified_on.is_none_or(|d| d < limit))
        .count();

    let mut admin = app.administrator().await;
    let page = admin.get("/pro/territoires").await;
    assert_eq!(page.status, 200);
    let html = &page.body;
    assert!(html.contains("plus de 7 jours"), "N is said on the page");
    assert_eq!(
        health(html, "montreuillois", "to-reverify"),
        due.to_string()
    );
    assert_eq!(health(html, "montreuillois", "without-key"), "1");
    assert_eq!(
        health(html, "montreuillois", "receiving"),
        members.len().to_string()
    );
    assert_eq!(health(html, "montreuillois", "unopened"), "1");
    assert_eq!(
        health(html, "montreuillois", "recovery"),
        "pas encore créée"
    );
    assert_eq!(health(html, "autre", "without-key"), "0");
    assert_eq!(health(html, "autre", "receiving"), "0");
    assert_eq!(health(html, "autre", "unopened"), "0");

    // A coordinator does not see the list.
    let mut coordinator = app
        .coordinator("coord-a@example.org", "montreuillois")
        .await;
    assert_eq!(coordinator.get("/pro/territoires").await.status, 403);
}

#[tokio::test]
async fn a_suspended_territory_s_entry_says_so_gives_the_national_lines_and_orients_nobody() {
    let app = TestApp::spawn().await;
    second_territory(&app).await;
    let mut admin = app.administrator().await;
    let montreuil = Communes::embedded().by_insee("62588").unwrap().clone();

    // Without the box ticked, nothing changes.
    let page = admin
        .submit("/pro/territoires/montreuillois/suspendre", &[])
        .await;
    assert_eq!(page.status, 422);
    assert!(
        !app.state
            .directory
            .index()
            .territory("montreuillois")
            .unwrap()
            .suspended
    );

    let page = admin
        .submit(
            "/pro/territoires/montreuillois/suspendre",
            &[("confirmer", "oui")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let index = app.state.directory.index();
    assert!(index.territory("montreuillois").unwrap().suspended);
    assert!(
        index.territory_of(&montreuil).is_none(),
        "it orients nobody"
    );
    for (path, words) in [
        (
            "/t/montreuillois/",
            "Ce service n&#39;est pas disponible en ce moment sur ce territoire. Les lignes nationales restent là, jour et nuit :",
        ),
        (
            "/t/montreuillois/en/",
            "This service is not available in this area at the moment.",
        ),
        ("/t/montreuillois/ar/", "هذه الخدمة غير متاحة حاليًا"),
    ] {
        let (status, html) = app.get_text(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(words), "{path}: {html}");
        assert!(html.contains("tel:3919"), "{path}: the national lines");
        assert!(!html.contains("class=\"button\" href=\"/t/montreuillois/aide\""));
    }
    // The other territory's entry is as it was.
    let (_, other) = app.get_text("/t/autre/").await;
    assert!(!other.contains("pas disponible en ce moment"));
    let list = admin.get("/pro/territoires").await;
    assert!(
        list.body.contains("Montreuillois — suspendu"),
        "{}",
        list.body
    );

    let page = admin
        .submit(
            "/pro/territoires/montreuillois/reprendre",
            &[("confirmer", "oui")],
        )
        .await;
    assert_eq!(page.status, 303);
    let index = app.state.directory.index();
    assert!(!index.territory("montreuillois").unwrap().suspended);
    assert_eq!(
        index.territory_of(&montreuil).map(|t| t.slug.as_str()),
        Some("montreuillois")
    );
    let (_, home) = app.get_text("/t/montreuillois/").await;
    assert!(!home.contains("pas disponible en ce moment"));

    // Both are audited, in order; a coordinator may do neither.
    let log = accounts::audit_entries(&app.state.db, Some(&["montreuillois".to_owned()]), 10)
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|line| line.action.as_str()).collect();
    assert_eq!(actions[..2], ["territory-resumed", "territory-suspended"]);
    let mut coordinator = app
        .coordinator("coord-a@example.org", "montreuillois")
        .await;
    let page = coordinator
        .submit(
            "/pro/territoires/montreuillois/suspendre",
            &[("confirmer", "oui")],
        )
        .await;
    assert_eq!(page.status, 403);
}
