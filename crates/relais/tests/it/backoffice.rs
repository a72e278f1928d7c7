//! The back office as professionals, coordinators and administrators meet
//! it, and as an attacker would try it: who may touch what (the whole
//! matrix), signing in with a second factor, replays, fixation, lockout,
//! forged forms, the audit log, small counts, expired sessions.

use std::time::{SystemTime, UNIX_EPOCH};

use relais::accounts::{signin as auth, totp};
use relais::backoffice::Screen;
use relais::backoffice::storage::{self as accounts, Role};
use relais::directory::communes::Communes;
use relais::directory::import::{self, Format};
use relais::directory::{DEMO_TERRITORY, storage as directory, territories};
use relais::storage::counters::{self, Event};
use relais::storage::{OrganisationId, ServiceId, UserId};
use reqwest::header;

use crate::helpers::TestApp;
use crate::helpers::page::{Page, hidden};
use crate::helpers::professional::{PASSWORD, Session, notices_for};

/// The demo territory, a second territory with one organisation, and their
/// identifiers.
struct Territories {
    /// Two organisations of the demo territory, and a service of the second.
    a_first: OrganisationId,
    a_second: OrganisationId,
    a_second_service: ServiceId,
    /// The other territory's organisation and service.
    b_organisation: OrganisationId,
    b_service: ServiceId,
}

async fn two_territories(app: &TestApp) -> Territories {
    let db = &app.state.db;
    let communes = Communes::embedded();
    let mut other = territories::parse_territory_file(DEMO_TERRITORY, &communes).unwrap();
    other.slug = territories::Slug::parse("autre").unwrap();
    other.name = "Autre territoire".to_owned();
    crate::committed!(db, directory::save_territory, &other);
    let text = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee;presentation;verifie_le\n\
                ailleurs;Structure d'ailleurs (exemple);lawyer;ailleurs-1;Permanence d'ailleurs;legal;62826;Une permanence;2026-11-28\n";
    let parsed = import::parse(text.as_bytes(), Format::Csv, &communes).unwrap();
    crate::committed!(db, directory::import, "autre", &parsed,);
    app.state.directory.refresh(db).await.unwrap();
    let (a_organisations, a_services) = directory::directory(db, Some("montreuillois"))
        .await
        .unwrap();
    let (b_organisations, b_services) = directory::directory(db, Some("autre")).await.unwrap();
    let a_second = a_organisations[1].id.clone();
    Territories {
        a_first: a_organisations[0].id.clone(),
        a_second_service: a_services
            .iter()
            .find(|s| s.organisation_id == a_second)
            .unwrap()
            .id
            .clone(),
        a_second,
        b_organisation: b_organisations[0].id.clone(),
        b_service: b_services[0].id.clone(),
    }
}

/// What a route's placeholders stand for, for one person.
struct Objects<'a> {
    territory: &'a str,
    organisation: &'a OrganisationId,
    service: &'a ServiceId,
    account: &'a UserId,
}

fn fill(pattern: &str, objects: &Objects<'_>) -> String {
    pattern
        .replace("{t}", objects.territory)
        .replace("{o}", objects.organisation.as_str())
        .replace("{s}", objects.service.as_str())
        .replace("{u}", objects.account.as_str())
        .replace("{f}", "csv")
}

/// The guarded screens of the directory, accounts, sheets and settings (the
/// referral screens have tests of their own in `referral.rs`).
fn screens(app: &TestApp) -> Vec<Screen> {
    app.screens
        .clone()
        .into_iter()
        .filter(|screen| {
            // The referral screens, and the live console's (whose refusals
            // tests/it/live.rs checks: anyone may open the console, which
            // says why it offers nothing to whom it offers nothing).
            ![
                "/pro/cle",
                "/pro/demandes",
                "/pro/acces",
                "/cle-de-secours",
                "/pro/permanence",
            ]
            .iter()
            .any(|referral| screen.example.contains(referral))
        })
        .collect()
}

/// Requests `screen` at `path` as `browser`, with a valid form token and a
/// form that would work if access were granted (the fields its form has).
async fn attempt(
    browser: &mut Session<'_>,
    screen: &Screen,
    path: &str,
    organisation: &OrganisationId,
) -> Page {
    if screen.method == "GET" {
        browser.get(path).await
    } else if screen.upload {
        let csv = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee;presentation;verifie_le\n\
                   x;Structure importée (exemple);lawyer;x-1;Permanence importée;legal;62826;Une permanence;2026-11-28\n";
        browser.upload(path, "annuaire.csv", csv).await
    } else {
        let every = [
            ("email", "nouvelle.personne@example.org"),
            ("role", "professional"),
            ("organisation", organisation.as_str()),
            ("territoire", "autre"),
            ("structure_nom", "Nom changé (exemple)"),
            ("structure_type", "lawyer"),
            ("service_nom", "Service changé"),
            ("presentation", "Un service changé"),
            ("besoins", "legal"),
            ("code_insee", "62826"),
            ("name", "Territoire changé"),
            ("communes", "62826"),
            ("source", "une fiche"),
        ];
        let form = screen.form.expect("a POST takes a form");
        let fields: Vec<(&str, &str)> = every
            .into_iter()
            .filter(|(name, _)| form.field(name).is_some())
            .collect();
        browser.submit(path, &fields).await
    }
}

#[tokio::test]
async fn every_route_denies_every_role_the_objects_of_others() {
    let app = TestApp::spawn().await;
    let t = two_territories(&app).await;
    let admin = app.administrator().account().await;
    let coordinator_a = app
        .coordinator("coord-a@example.org", "montreuillois")
        .account()
        .await;
    let coordinator_b = app
        .coordinator("coord-b@example.org", "autre")
        .account()
        .await;
    let professional_a = app
        .professional("pro-a@example.org", &t.a_first)
        .account()
        .await;
    let professional_b = app
        .professional("pro-b@example.org", &t.b_organisation)
        .account()
        .await;

    // Nobody signed in: every guarded route sends to the sign-in page.
    let mut anonymous = Session::new(&app);
    let anyone = Objects {
        territory: "montreuillois",
        organisation: &t.a_first,
        service: &t.a_second_service,
        account: &professional_a.id,
    };
    for screen in &screens(&app) {
        let (method, path) = (screen.method, fill(screen.example, &anyone));
        let page = attempt(&mut anonymous, screen, &path, &t.a_first).await;
        assert_eq!(page.status, 303, "{method} {path} without a session");
        assert!(
            page.location().starts_with("/pro/connexion"),
            "{method} {path}: {}",
            page.location()
        );
    }

    // Each person, on what belongs to others: refused, on every route.
    let cases = [
        (
            &coordinator_a,
            Objects {
                territory: "autre",
                organisation: &t.b_organisation,
                service: &t.b_service,
                account: &professional_b.id,
            },
        ),
        (
            &coordinator_b,
            Objects {
                territory: "montreuillois",
                organisation: &t.a_first,
                service: &t.a_second_service,
                account: &professional_a.id,
            },
        ),
        (
            // A professional: another organisation of their own territory,
            // and their territory itself.
            &professional_a,
            Objects {
                territory: "montreuillois",
                organisation: &t.a_second,
                service: &t.a_second_service,
                account: &coordinator_a.id,
            },
        ),
    ];
    for (who, objects) in &cases {
        let mut browser = Session::new(&app);
        browser.sign_in(who).await;
        let is_coordinator = who.email.starts_with("coord");
        for screen in &screens(&app) {
            let (method, path) = (screen.method, fill(screen.example, objects));
            let page = attempt(&mut browser, screen, &path, objects.organisation).await;
            let allowed = match screen.example {
                "/pro" => true,
                "/pro/comptes" => is_coordinator && method == "GET",
                _ => false,
            };
            if allowed {
                assert_eq!(page.status, 200, "{} {method} {path}", who.email);
            } else {
                assert_eq!(
                    page.status, 403,
                    "{} may not {method} {path}: {}",
                    who.email, page.body
                );
                assert!(
                    page.body.contains("<html"),
                    "a calm page, not a bare status"
                );
            }
        }
    }

    // The other territory is untouched.
    let (organisations, services) = directory::directory(&app.state.db, Some("autre"))
        .await
        .unwrap();
    assert_eq!(organisations[0].name, "Structure d'ailleurs (exemple)");
    assert_eq!(services.len(), 1);
    assert!(
        accounts::user_by_email(&app.state.db, "nouvelle.personne@example.org")
            .await
            .unwrap()
            .is_none()
    );

    // The same routes on their own objects open for a coordinator (signed
    // in again: with the next code, the first one served once)…
    let mut browser = Session::new(&app);
    assert_eq!(browser.sign_in_at(&coordinator_a, 30, "").await.status, 303);
    let own = Objects {
        territory: "montreuillois",
        organisation: &t.a_second,
        service: &t.a_second_service,
        account: &professional_a.id,
    };
    // (The whole log, the list of every territory and the new territory
    // are an administrator's alone.)
    let admin_only = [
        "/pro/journal",
        "/pro/territoires",
        "/pro/territoires/nouveau",
    ];
    for screen in screens(&app)
        .iter()
        .filter(|s| s.method == "GET" && !admin_only.contains(&s.example))
    {
        let path = fill(screen.example, &own);
        assert_eq!(browser.get(&path).await.status, 200, "GET {path}");
    }
    // …and every route opens for an administrator.
    let mut browser = Session::new(&app);
    browser.sign_in(&admin).await;
    let theirs = Objects {
        territory: "autre",
        organisation: &t.b_organisation,
        service: &t.b_service,
        account: &professional_b.id,
    };
    // Archiving last (a service, then its organisation): nothing changes an
    // archived object, so what comes after would rightly be refused.
    let mut every = screens(&app);
    every.sort_by_key(|s| {
        (
            s.example.ends_with("/archiver"),
            s.example.starts_with("/pro/structures"),
        )
    });
    for screen in &every {
        let (method, path) = (screen.method, fill(screen.example, &theirs));
        let page = attempt(&mut browser, screen, &path, &t.b_organisation).await;
        // 409: the object's state refuses it (an invitation for an account
        // that already chose its password), whoever asks.
        assert!(
            [200, 303, 409, 422].contains(&page.status),
            "the administrator {method} {path}: {} {}",
            page.status,
            page.body
        );
        assert!(
            !page.location().starts_with("/pro/connexion"),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn a_professional_keeps_their_own_organisation_current() {
    let app = TestApp::spawn().await;
    let t = two_territories(&app).await;
    let mut browser = app.professional("pro@example.org", &t.a_first).await;

    let home = browser.get("/pro").await;
    assert!(
        home.body
            .contains(&format!("/pro/structures/{}", t.a_first)),
        "{}",
        home.body
    );
    let (_, services) = directory::directory(&app.state.db, Some("montreuillois"))
        .await
        .unwrap();
    let own = services
        .iter()
        .find(|s| s.organisation_id == t.a_first)
        .unwrap();
    let page = browser
        .submit(&format!("/pro/services/{}/verifie", own.id), &[])
        .await;
    assert_eq!(page.status, 303);
    let (service, _) = directory::service(&app.state.db, &own.id)
        .await
        .unwrap()
        .unwrap();
    assert!(service.verified_on.is_some());
    assert_eq!(service.verified_by.as_deref(), Some("pro@example.org"));
    // Archiving is the coordination's decision.
    let page = browser
        .submit(&format!("/pro/services/{}/archiver", own.id), &[])
        .await;
    assert_eq!(page.status, 403);
}

#[tokio::test]
async fn signing_in_takes_the_password_then_a_code_and_a_replayed_code_is_refused() {
    let app = TestApp::spawn().await;
    let coordinator = app
        .coordinator("coord@example.org", "montreuillois")
        .account()
        .await;

    let mut browser = Session::new(&app);
    let page = browser
        .give_password(&coordinator.email, PASSWORD, "")
        .await;
    assert_eq!(page.status, 303);
    // The password alone opens nothing.
    assert_eq!(browser.get("/pro").await.status, 303);

    let code = coordinator.code(0);
    let mut first = Session::new(&app);
    let page = first.sign_in_with(&coordinator, &code, "").await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location(), "/pro");
    assert_eq!(first.get("/pro").await.status, 200);

    // Someone who saw the code cannot use it again, even at once.
    let mut replay = Session::new(&app);
    let page = replay.sign_in_with(&coordinator, &code, "").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Ce code n&#39;est pas valide"),
        "{}",
        page.body
    );
    assert_eq!(replay.get("/pro").await.status, 303);

    // The next code works.
    let page = replay.sign_in_at(&coordinator, 30, "").await;
    assert_eq!(page.status, 303, "{}", page.body);
}

#[tokio::test]
async fn wrong_codes_end_the_half_session_and_a_locked_account_opens_no_session_by_any_path() {
    let app = TestApp::spawn().await;
    let coordinator = app
        .coordinator("coord@example.org", "montreuillois")
        .account()
        .await;
    let max = auth::CODES_PER_HALF_SESSION;

    // A half-finished sign-in ends after a few wrong codes: then even the
    // right code on it opens nothing.
    let mut guesser = Session::new(&app);
    let page = guesser
        .give_password(&coordinator.email, PASSWORD, "")
        .await;
    assert_eq!(page.status, 303);
    for n in 1..=max {
        let page = guesser
            .post(
                "/pro/deuxieme-facteur",
                &[("code", "000000"), ("suite", "/pro")],
            )
            .await;
        if n < max {
            assert_eq!(page.status, 200, "wrong code {n}");
        } else {
            assert_eq!(page.status, 401, "wrong code {n}");
            assert!(
                page.body.contains("recommence depuis le mot de passe"),
                "{}",
                page.body
            );
        }
    }
    let page = guesser
        .post(
            "/pro/deuxieme-facteur",
            &[("code", &coordinator.code(0)), ("suite", "/pro")],
        )
        .await;
    assert_eq!(page.location(), "/pro/connexion");
    assert_eq!(guesser.get("/pro").await.status, 303, "not signed in");

    // A sign-in begun before the account locks cannot be finished after:
    // two more wrong passwords make five failures in a row.
    let mut earlier = Session::new(&app);
    let page = earlier
        .give_password(&coordinator.email, PASSWORD, "")
        .await;
    assert_eq!(page.status, 303);
    let mut elsewhere = Session::new(&app);
    for _ in 0..2 {
        let page = elsewhere
            .give_password(&coordinator.email, "pas le bon mot de passe", "")
            .await;
        assert_eq!(page.status, 401);
    }
    let user = accounts::user_by_email(&app.state.db, &coordinator.email)
        .await
        .unwrap()
        .unwrap();
    assert!(user.locked_until.is_some(), "locked after five failures");
    let page = earlier
        .post(
            "/pro/deuxieme-facteur",
            &[("code", &coordinator.code(30)), ("suite", "/pro")],
        )
        .await;
    assert_eq!(page.location(), "/pro/connexion", "{}", page.body);
    assert_eq!(earlier.get("/pro").await.status, 303, "not signed in");

    // Its owner is told, by an e-mail that says only that.
    assert_eq!(
        notices_for(&app, &coordinator.email).await,
        ["sign-in-failures"]
    );

    // However long someone keeps guessing, a lock never lasts more than a
    // quarter of an hour.
    let mut tx = app.state.db.begin().await.unwrap();
    for _ in 0..200 {
        accounts::record_failure(&mut tx, &coordinator.id)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let user = accounts::user_by_email(&app.state.db, &coordinator.email)
        .await
        .unwrap()
        .unwrap();
    let until: jiff::Timestamp = user.locked_until.unwrap().parse().unwrap();
    let longest = jiff::SignedDuration::from_mins(accounts::LONGEST_LOCK_MINUTES + 1);
    assert!(until < jiff::Timestamp::now() + longest, "{until}");
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_client_before_any_password_is_checked() {
    let app = TestApp::spawn_with(|settings| {
        settings.client_ip_header = Some("x-forwarded-for".to_owned());
    })
    .await;
    let coordinator = app
        .coordinator("coord@example.org", "montreuillois")
        .account()
        .await;
    // Requests without the proxy's header count as one client.
    let mut attacker = Session::new(&app);
    for n in 0..auth::FAILED_SIGN_INS_PER_CLIENT {
        let page = attacker
            .give_password(&format!("personne{n}@example.org"), "devine", "")
            .await;
        assert_eq!(page.status, 401, "try {n}");
    }
    // Over its allowance, the client is refused before anything is looked
    // up: even the right password of a real account is not checked.
    let page = attacker
        .give_password(&coordinator.email, PASSWORD, "")
        .await;
    assert_eq!(page.status, 429);
    assert!(
        page.body.contains("Trop d&#39;essais de connexion"),
        "{}",
        page.body
    );
    let user = accounts::user_by_email(&app.state.db, &coordinator.email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.failed_attempts, 0);

    // Another client signs in as usual.
    let client = &app.client;
    let form = client
        .get(app.url("/pro/connexion"))
        .header("x-forwarded-for", "192.0.2.44")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let page = client
        .post(app.url("/pro/connexion"))
        .header("x-forwarded-for", "192.0.2.44")
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("email", coordinator.email.as_str()),
            ("password", PASSWORD),
            ("jeton", &hidden(&form, "jeton")),
            ("suite", "/pro"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 303);
}

#[tokio::test]
async fn a_recovery_code_replaces_the_code_once() {
    let app = TestApp::spawn().await;
    let coordinator = app
        .coordinator("coord@example.org", "montreuillois")
        .account()
        .await;
    let keys = totp::Keys::new(&app.state.secret);
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| keys.recovery_hash(c)).collect();
    crate::committed!(
        app.state.db,
        accounts::save_recovery_codes,
        &coordinator.id,
        &hashes
    );

    for (attempt, expected) in [(0, 303), (1, 200)] {
        let mut browser = Session::new(&app);
        let page = browser
            .give_password(&coordinator.email, PASSWORD, "")
            .await;
        assert_eq!(page.status, 303, "attempt {attempt}");
        let page = browser
            .post(
                "/pro/deuxieme-facteur",
                &[("code", &codes[0].to_uppercase())],
            )
            .await;
        assert_eq!(page.status, expected, "attempt {attempt}: {}", page.body);
    }
}

#[tokio::test]
async fn signing_in_replaces_the_session_so_a_planted_one_is_worthless() {
    let app = TestApp::spawn().await;
    let coordinator = app
        .coordinator("coord@example.org", "montreuillois")
        .account()
        .await;

    let mut browser = Session::new(&app);
    browser.cookie = Some("planted-by-someone-else".to_owned());
    let page = browser
        .give_password(&coordinator.email, PASSWORD, "")
        .await;
    let after_password = page.session_cookie().unwrap();
    assert_ne!(after_password, "planted-by-someone-else");
    assert!(after_password.len() >= 43, "at least 128 random bits");
    let cookie_header = page
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie_header.contains(attribute), "{cookie_header}");
    }

    let page = browser
        .post("/pro/deuxieme-facteur", &[("code", &coordinator.code(0))])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let complete = page.session_cookie().unwrap();
    assert_ne!(
        complete, after_password,
        "a new session for the new privileges"
    );

    // Neither earlier value opens anything.
    for stale in ["planted-by-someone-else", after_password.as_str()] {
        let mut other = Session::new(&app);
        other.cookie = Some(stale.to_owned());
        assert_eq!(other.get("/pro").await.status, 303, "{stale}");
    }
    // The session is stored hashed: its value is nowhere in the database.
    let stored: Vec<String> = relais::with_pool!(&app.state.db, pool => {
        sqlx::query_scalar("SELECT id_hash FROM sessions").fetch_all(pool).await
    })
    .unwrap();
    assert!(!stored.contains(&complete));
    assert_eq!(browser.get("/pro").await.status, 200);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_without_telling_whether_it_exists() {
    let app = TestApp::spawn().await;
    let coordinator = app
        .coordinator("coord@example.org", "montreuillois")
        .account()
        .await;

    let mut unknown = Session::new(&app);
    let for_unknown = unknown
        .give_password("personne@example.org", PASSWORD, "")
        .await;
    assert_eq!(for_unknown.status, 401);

    let mut browser = Session::new(&app);
    for _ in 0..5 {
        let page = browser
            .give_password(&coordinator.email, "pas le bon mot de passe", "")
            .await;
        assert_eq!(page.status, 401);
    }
    // Locked: the right password is refused too, with the same words as
    // for an address that has no account.
    let page = browser
        .give_password(&coordinator.email, PASSWORD, "")
        .await;
    assert_eq!(page.status, 401);
    let message = |body: &str| {
        let start = body.find("id=\"signin-error\">").unwrap();
        body[start..][..body[start..].find("</p>").unwrap()].to_owned()
    };
    assert_eq!(message(&page.body), message(&for_unknown.body));
    let user = accounts::user_by_email(&app.state.db, &coordinator.email)
        .await
        .unwrap()
        .unwrap();
    assert!(user.locked_until.is_some());

    let log = accounts::audit_entries(&app.state.db, Some(&["montreuillois".to_owned()]), 100)
        .await
        .unwrap();
    assert_eq!(
        log.iter().filter(|e| e.action == "sign-in-failed").count(),
        6
    );
    assert!(log.iter().all(|e| e.actor == coordinator.email));
}

#[tokio::test]
async fn a_form_without_its_token_or_from_another_site_changes_nothing() {
    let app = TestApp::spawn().await;
    let t = two_territories(&app).await;
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;
    let path = format!("/pro/services/{}/verifie", t.a_second_service);
    let before = directory::service(&app.state.db, &t.a_second_service)
        .await
        .unwrap()
        .unwrap()
        .0;

    let page = browser.post(&path, &[("csrf", "pas-le-bon-jeton")]).await;
    assert_eq!(page.status, 403);
    let page = browser.post(&path, &[]).await;
    assert_eq!(page.status, 403);
    let cross_site = browser
        .request(reqwest::Method::POST, &path)
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf", browser.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status().as_u16(), 403);
    let other_origin = browser
        .request(reqwest::Method::POST, &path)
        .header(header::ORIGIN, "https://evil.example")
        .form(&[("csrf", browser.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(other_origin.status().as_u16(), 403);
    // The same host over another scheme is another origin.
    let other_scheme = browser
        .request(reqwest::Method::POST, &path)
        .header(header::ORIGIN, format!("https://{}", app.addr))
        .form(&[("csrf", browser.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(other_scheme.status().as_u16(), 403);
    let after = directory::service(&app.state.db, &t.a_second_service)
        .await
        .unwrap()
        .unwrap()
        .0;
    assert_eq!(before, after, "nothing changed");

    assert_eq!(browser.submit(&path, &[]).await.status, 303);
}

#[tokio::test]
async fn every_change_is_written_to_an_audit_log_that_cannot_be_rewritten() {
    let app = TestApp::spawn().await;
    let _ = two_territories(&app).await;
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;

    let page = browser
        .submit(
            "/pro/territoires/montreuillois/structures/nouvelle",
            &[
                ("structure_nom", "Maison des femmes (exemple)"),
                ("structure_type", "victim-support"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let organisation = page
        .location()
        .trim_start_matches("/pro/structures/")
        .to_owned();
    let page = browser
        .submit(
            &format!("/pro/structures/{organisation}/services/nouveau"),
            &[
                ("service_nom", "Écoute sans rendez-vous"),
                ("presentation", "Une écoute, sans rendez-vous"),
                ("besoins", "psychological"),
                ("code_insee", "62588"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);

    let log = accounts::audit_entries(&app.state.db, Some(&["montreuillois".to_owned()]), 100)
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["sign-in", "organisation-created", "service-created"]
    );
    assert!(
        log.iter()
            .all(|e| e.actor == "coord@example.org" && !e.at.is_empty())
    );
    assert_eq!(log[1].object, organisation);

    // Read in French sentences, at the territory's time, with names.
    let page = browser.get("/pro/territoires/montreuillois/journal").await;
    assert!(
        page.body
            .contains("coord@example.org s&#39;est connecté·e.")
            || page.body.contains("coord@example.org s'est connecté·e."),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("coord@example.org a ajouté la structure « Maison des femmes (exemple) »."),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("coord@example.org a ajouté le service « Écoute sans rendez-vous »."),
        "{}",
        page.body
    );
    let local = log[1]
        .at
        .parse::<jiff::Timestamp>()
        .unwrap()
        .in_tz("Europe/Paris")
        .unwrap()
        .strftime("%d/%m/%Y à %H:%M")
        .to_string();
    assert!(page.body.contains(&local), "{local}: {}", page.body);
    for raw in [
        "organisation-created",
        "service-created",
        ">sign-in<",
        "UTC",
        organisation.as_str(),
        log[2].object.as_str(),
        log[0].at.as_str(),
    ] {
        assert!(!page.body.contains(raw), "{raw} in {}", page.body);
    }
    // The other territory's coordination sees its own log only.
    let mut elsewhere = app.coordinator("coord-b@example.org", "autre").await;
    let page = elsewhere.get("/pro/territoires/autre/journal").await;
    assert!(!page.body.contains("Maison des femmes"), "{}", page.body);

    // Append-only, whatever the engine.
    let rewrite: sqlx::Result<()> = relais::with_pool!(&app.state.db, pool => {
        sqlx::query("UPDATE audit_log SET actor = 'quelqu''un d''autre'").execute(pool).await.map(drop)
    });
    assert!(rewrite.is_err());
    let erase: sqlx::Result<()> = relais::with_pool!(&app.state.db, pool => {
        sqlx::query("DELETE FROM audit_log").execute(pool).await.map(drop)
    });
    assert!(erase.is_err());
    let kept = accounts::audit_entries(&app.state.db, None, 100)
        .await
        .unwrap();
    assert!(kept.len() >= 4);
}

/// Makes every insert into `table` fail, on either engine, as a full disk
/// or a broken constraint would.
async fn refuse_writes_to(db: &relais::storage::Db, table: &str, event: &str) {
    let sql = match db {
        relais::storage::Db::Sqlite(..) => format!(
            "CREATE TRIGGER refuse_{table}_{event} BEFORE {event} ON {table} \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        ),
        relais::storage::Db::Postgres(_) => format!(
            "CREATE FUNCTION refuse_{table}_{event}() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$; \
             CREATE TRIGGER refuse_{table}_{event} BEFORE {event} ON {table} \
             FOR EACH ROW EXECUTE FUNCTION refuse_{table}_{event}()"
        ),
    };
    relais::with_pool!(db, pool => {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(pool).await.unwrap();
    });
}

#[tokio::test]
async fn a_change_whose_audit_line_cannot_be_written_does_not_happen() {
    let app = TestApp::spawn().await;
    let t = two_territories(&app).await;
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;
    let db = &app.state.db;
    let (_, services) = directory::directory(db, Some("montreuillois"))
        .await
        .unwrap();
    let service = services[0].id.clone();
    let version = directory::version(db).await.unwrap();
    refuse_writes_to(db, "audit_log", "INSERT").await;

    let page = browser
        .submit(
            &format!("/pro/structures/{}", t.a_first),
            &[
                ("structure_nom", "Nom changé sans trace"),
                ("structure_type", "victim-support"),
            ],
        )
        .await;
    assert_eq!(page.status, 500);
    let page = browser
        .submit(&format!("/pro/services/{service}/verifie"), &[])
        .await;
    assert_eq!(page.status, 500);
    let page = browser
        .submit(&format!("/pro/services/{service}/archiver"), &[])
        .await;
    assert_eq!(page.status, 500);

    let (organisation, _) = directory::organisation(db, &t.a_first)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(organisation.name, "Nom changé sans trace");
    let (after, _) = directory::service(db, &service).await.unwrap().unwrap();
    assert_eq!(after.verified_on, services[0].verified_on);
    let (_, still) = directory::directory(db, Some("montreuillois"))
        .await
        .unwrap();
    assert!(
        still.iter().any(|s| s.id == service),
        "archived without an audit line"
    );
    assert_eq!(directory::version(db).await.unwrap(), version);
}

#[tokio::test]
async fn a_change_that_fails_leaves_no_audit_line() {
    let app = TestApp::spawn().await;
    let t = two_territories(&app).await;
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;
    let db = &app.state.db;
    let before = accounts::audit_entries(db, None, 1000).await.unwrap().len();
    refuse_writes_to(db, "organisations", "UPDATE").await;

    let page = browser
        .submit(
            &format!("/pro/structures/{}", t.a_first),
            &[
                ("structure_nom", "Nom qui ne sera pas enregistré"),
                ("structure_type", "victim-support"),
            ],
        )
        .await;
    assert_eq!(page.status, 500);
    let page = browser
        .submit(&format!("/pro/structures/{}/archiver", t.a_first), &[])
        .await;
    assert_eq!(page.status, 500);

    let after = accounts::audit_entries(db, None, 1000).await.unwrap().len();
    assert_eq!(
        after, before,
        "an audit line for a change that did not happen"
    );
}

#[tokio::test]
async fn statistics_show_counts_under_five_as_less_than_five() {
    let app = TestApp::spawn().await;
    let today = jiff::Zoned::now().date();
    for _ in 0..12 {
        counters::increment(
            &app.state.db,
            today,
            "montreuillois",
            Event::new("conversation-started"),
        )
        .await
        .unwrap();
    }
    for _ in 0..3 {
        counters::increment(
            &app.state.db,
            today,
            "montreuillois",
            Event::new("outcome:emergency"),
        )
        .await
        .unwrap();
    }
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;
    let page = browser
        .get("/pro/territoires/montreuillois/statistiques")
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<td>12</td>"), "{}", page.body);
    assert!(page.body.contains("<td>&#60; 5</td>"), "{}", page.body);
    assert!(!page.body.contains("<td>3</td>"), "{}", page.body);
    assert!(!page.body.contains("<td>0</td>"));
}

#[tokio::test]
async fn live_help_counts_appear_on_the_territorys_statistics_with_small_ones_suppressed() {
    let app = TestApp::spawn().await;
    let today = app.state.directory.index().today_in("montreuillois");
    let counted = [
        ("live:offered", 20),
        ("live:joined", 7),
        ("live:answered", 6),
        ("live:left-waiting", 1),
        ("live:ended", 5),
        ("live:callback", 2),
        ("live:wait:under-1", 3),
        ("live:wait:1-5", 9),
    ];
    for (event, times) in counted {
        for _ in 0..times {
            counters::increment(&app.state.db, today, "montreuillois", Event::new(event))
                .await
                .unwrap();
        }
    }
    // Another territory's counts are not this one's.
    for _ in 0..11 {
        counters::increment(&app.state.db, today, "autre", Event::new("live:joined"))
            .await
            .unwrap();
    }
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;
    let page = browser
        .get("/pro/territoires/montreuillois/statistiques")
        .await;
    assert_eq!(page.status, 200);
    let month = format!("{}-{:02}", today.year(), today.month());
    let row = |cells: &[&str]| {
        let cells: String = cells.iter().map(|c| format!("<td>{c}</td>")).collect();
        format!("<tr><th scope=\"row\">{month}</th>{cells}</tr>")
    };
    let under = "&#60; 5";
    for heading in [
        "<h2>Aide en direct</h2>",
        "<th scope=\"col\">Proposée</th>",
        "<th scope=\"col\">Partie en attendant</th>",
        "<th scope=\"col\">Rappels demandés</th>",
        "<th scope=\"col\">moins d&#39;une minute</th>",
        "<th scope=\"col\">plus de 15 minutes</th>",
    ] {
        assert!(page.body.contains(heading), "{heading}: {}", page.body);
    }
    assert!(
        page.body
            .contains(&row(&["20", "7", "6", under, "5", under])),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&row(&[under, "9", under, under])),
        "{}",
        page.body
    );
    for hidden_count in ["<td>1</td>", "<td>2</td>", "<td>3</td>", "<td>11</td>"] {
        assert!(!page.body.contains(hidden_count), "{hidden_count}");
    }
    // No conversation was counted: that table says so.
    assert!(page.body.contains("Aucune conversation pour le moment."));
}

#[tokio::test]
async fn an_expired_session_sends_to_sign_in_then_back_to_the_page() {
    let app = TestApp::spawn().await;
    let coordinator = app
        .coordinator("coord@example.org", "montreuillois")
        .account()
        .await;
    let mut browser = Session::new(&app);
    browser.sign_in(&coordinator).await;
    relais::with_pool!(&app.state.db, pool => {
        sqlx::query("UPDATE sessions SET last_seen_at = '2026-01-01T00:00:00Z'").execute(pool).await.map(drop)
    })
    .unwrap();

    let page = browser.get("/pro/territoires/montreuillois/annuaire").await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location(),
        "/pro/connexion?suite=%2Fpro%2Fterritoires%2Fmontreuillois%2Fannuaire"
    );
    assert_eq!(
        page.session_cookie().as_deref(),
        Some(""),
        "the stale cookie is removed"
    );
    let page = browser
        .sign_in_at(
            &coordinator,
            30,
            "%2Fpro%2Fterritoires%2Fmontreuillois%2Fannuaire",
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location(), "/pro/territoires/montreuillois/annuaire");
    // Only a back-office address is followed.
    let page = browser
        .give_password(
            &coordinator.email,
            PASSWORD,
            "https%3A%2F%2Fevil.example%2F",
        )
        .await;
    assert!(
        page.location().ends_with("suite=%2Fpro"),
        "{}",
        page.location()
    );
}

#[tokio::test]
async fn a_bad_form_comes_back_with_what_was_typed_and_one_message_per_field() {
    let app = TestApp::spawn().await;
    let t = two_territories(&app).await;
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;

    let page = browser
        .submit(
            &format!("/pro/structures/{}/services/nouveau", t.a_first),
            &[
                ("service_nom", "Permanence du mardi"),
                ("presentation", "Une permanence le mardi"),
                ("telephone", "01 23 45"),
                ("code_insee", "62588"),
                ("horaires_accueil", "Tu 09:00-12:00"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.body.contains("value=\"Permanence du mardi\""),
        "the name is kept"
    );
    assert!(
        page.body.contains("value=\"01 23 45\""),
        "the phone is kept as typed"
    );
    assert!(page.body.contains("value=\"Tu 09:00-12:00\""));
    let field_errors = page.body.matches("<span class=\"error\">").count();
    assert_eq!(
        field_errors, 2,
        "the phone and the missing needs: {}",
        page.body
    );
    let (_, services) = directory::directory(&app.state.db, Some("montreuillois"))
        .await
        .unwrap();
    assert!(
        services.iter().all(|s| s.name != "Permanence du mardi"),
        "nothing saved"
    );

    // A territory setting that is wrong names its field, keeps the others.
    let page = browser
        .submit(
            "/pro/territoires/montreuillois/parametres",
            &[
                ("name", "Montreuillois"),
                ("neutral_url", "pas une adresse"),
                ("communes", "62588"),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("value=\"pas une adresse\""));
    assert!(
        page.body.contains("has-error\"><label for=\"neutral_url\""),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn what_a_coordinator_adds_or_archives_reaches_the_public_site_at_once() {
    let app = TestApp::spawn().await;
    let t = two_territories(&app).await;
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;

    let page = browser
        .submit(
            &format!("/pro/structures/{}/services/nouveau", t.a_first),
            &[
                ("service_nom", "Permanence du soir à Étaples"),
                ("presentation", "Une permanence le soir"),
                ("besoins", "foreigners"),
                ("code_insee", "62318"),
                ("telephone", "01 99 00 99 99"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let search = [("lieu", "Étaples"), ("besoin", "foreigners")];
    let found = app
        .client
        .post(app.url("/annuaire"))
        .form(&search)
        .send()
        .await
        .unwrap();
    let html = found.text().await.unwrap();
    assert!(html.contains("Permanence du soir à Étaples"), "{html}");

    let (_, services) = directory::directory(&app.state.db, Some("montreuillois"))
        .await
        .unwrap();
    let added = services
        .iter()
        .find(|s| s.name == "Permanence du soir à Étaples")
        .unwrap();
    let page = browser
        .submit(&format!("/pro/services/{}/archiver", added.id), &[])
        .await;
    assert_eq!(page.status, 303);
    let found = app
        .client
        .post(app.url("/annuaire"))
        .form(&search)
        .send()
        .await
        .unwrap();
    assert!(
        !found
            .text()
            .await
            .unwrap()
            .contains("Permanence du soir à Étaples")
    );
}

#[tokio::test]
async fn an_invitation_sets_a_password_then_the_second_factor_once() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let id = crate::committed!(
        db,
        accounts::create_user,
        "nouvelle@example.org",
        Role::Coordinator,
        None,
        &["montreuillois".to_owned()],
    );
    let link = crate::committed!(db, auth::new_invitation, "http://relais.example", &id);
    let path = link
        .strip_prefix("http://relais.example")
        .unwrap()
        .to_owned();

    let mut browser = Session::new(&app);
    assert_eq!(browser.get(&path).await.status, 200);
    let page = browser
        .post(
            &path,
            &[("password", "motdepasse123"), ("confirm", "motdepasse123")],
        )
        .await;
    assert!(page.body.contains("plus courants"), "{}", page.body);
    let page = browser
        .post(
            &path,
            &[
                ("password", "nouvelle@example.org!!"),
                ("confirm", "nouvelle@example.org!!"),
            ],
        )
        .await;
    assert!(
        page.body.contains("contient votre adresse"),
        "{}",
        page.body
    );
    let page = browser
        .post(&path, &[("password", PASSWORD), ("confirm", PASSWORD)])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location(), "/pro/deuxieme-facteur/activer");
    // Not signed in yet: the second factor comes first.
    let page = browser.get("/pro").await;
    assert_eq!(page.location(), "/pro/deuxieme-facteur/activer");

    let page = browser.get("/pro/deuxieme-facteur/activer").await;
    assert!(
        page.body.contains("<svg"),
        "the QR code is drawn on the server"
    );
    let sealed = hidden(&page.body, "secret");
    let secret = totp::Keys::new(&app.state.secret).open(&sealed).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let code = totp::code_at(&secret, "nouvelle@example.org", now);
    let page = browser
        .post(
            "/pro/deuxieme-facteur/activer",
            &[("code", &code), ("secret", &sealed)],
        )
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.body.matches("<li><code>").count(),
        totp::RECOVERY_CODES,
        "recovery codes, shown once"
    );
    let page = browser
        .post("/pro/deuxieme-facteur/termine", &[("noted", "oui")])
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(browser.get("/pro").await.status, 200);

    // The link served once.
    let mut again = Session::new(&app);
    assert_eq!(again.get(&path).await.status, 410);
    let page = again
        .post(&path, &[("password", PASSWORD), ("confirm", PASSWORD)])
        .await;
    assert_eq!(page.status, 410);
}

#[tokio::test]
async fn signing_out_ends_the_session_and_clears_the_browser() {
    let app = TestApp::spawn().await;
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;
    let cookie = browser.cookie.clone();

    let page = browser.submit("/pro/deconnexion", &[]).await;
    assert_eq!(page.status, 303);
    assert_eq!(page.session_cookie().as_deref(), Some(""));
    let clear = page
        .headers
        .get("clear-site-data")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(clear.contains("\"cookies\"") && clear.contains("\"storage\""));

    let mut stale = Session::new(&app);
    stale.cookie = cookie;
    assert_eq!(stale.get("/pro").await.status, 303);
}

#[tokio::test]
async fn the_back_office_is_served_with_its_own_strict_headers() {
    let app = TestApp::spawn().await;
    let response = app.get("/pro/connexion").await;
    assert_eq!(response.status().as_u16(), 200);
    let headers = response.headers();
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(
        headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(
        headers.get(header::SET_COOKIE).is_none(),
        "no cookie before signing in"
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("noindex"));
}

#[tokio::test]
async fn a_single_territory_s_neutral_site_is_where_quick_exit_leads() {
    let app = TestApp::spawn().await;
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;
    let page = browser
        .submit(
            "/pro/territoires/montreuillois/parametres",
            &[
                ("name", "Montreuillois"),
                ("neutral_url", "https://meteo.example.org/littoral"),
                ("communes", "62588 62318"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);

    let exit = app.get("/sortie").await;
    assert_eq!(
        exit.headers()[header::LOCATION],
        "https://meteo.example.org/littoral"
    );
    let (_, home) = app.get_text("/").await;
    assert!(home.contains("data-exit-url=\"https://meteo.example.org/littoral\""));
    let log = accounts::audit_entries(&app.state.db, None, 10)
        .await
        .unwrap();
    assert_eq!(log[0].action, "territory-changed");
}

#[tokio::test]
async fn a_coordinator_previews_then_saves_a_territory_version_of_a_sheet() {
    let app = TestApp::spawn().await;
    let _ = two_territories(&app).await;
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;
    let path = "/pro/territoires/montreuillois/fiches/fr/porter-plainte";

    let page = browser.get(path).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Pas encore de version pour ce territoire")
    );
    let national = app.state.sheets.get("porter-plainte", "fr", false).unwrap();
    let local = national.source.replacen(
        "## En bref\n",
        "## En bref\n\n- À Boulogne-sur-Mer, le tribunal judiciaire reçoit les plaintes écrites.\n",
        1,
    );

    // A preview saves nothing.
    let page = browser
        .submit(path, &[("source", &local), ("action", "apercu")])
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Aperçu"));
    assert!(
        page.body
            .contains("le tribunal judiciaire reçoit les plaintes écrites")
    );
    let key = relais::sheets::storage::SheetKey {
        slug: "porter-plainte",
        language: "fr",
        easy_to_read: false,
    };
    assert!(
        relais::sheets::storage::history(&app.state.db, "montreuillois", key)
            .await
            .unwrap()
            .is_empty()
    );

    // A sheet without its sources is refused, and the text is kept.
    let start = local.find("[[sources]]").unwrap();
    let end = local.find("+++\n\n").unwrap();
    let without_sources = format!("{}{}", &local[..start], &local[end..]);
    let page = browser
        .submit(
            path,
            &[("source", &without_sources), ("action", "enregistrer")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.body.contains("au moins une source officielle"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("le tribunal judiciaire reçoit les plaintes écrites")
    );

    let page = browser
        .submit(path, &[("source", &local), ("action", "enregistrer")])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location(), format!("{path}?enregistre=1"));
    let (_, here) = app
        .get_text("/territoires/montreuillois/fiches/porter-plainte")
        .await;
    assert!(here.contains("le tribunal judiciaire reçoit les plaintes écrites"));
    let (_, elsewhere) = app
        .get_text("/territoires/autre/fiches/porter-plainte")
        .await;
    assert!(!elsewhere.contains("le tribunal judiciaire reçoit les plaintes écrites"));

    let page = browser.get(path).await;
    assert!(page.body.contains("(en ligne)") && page.body.contains("coord@example.org"));
    let log = accounts::audit_entries(&app.state.db, None, 10)
        .await
        .unwrap();
    assert_eq!(log[0].action, "sheet-saved");
    assert_eq!(log[0].object, "fr/porter-plainte");
}

#[tokio::test]
async fn sheets_not_reviewed_for_a_year_are_listed_for_the_coordination() {
    let app = TestApp::spawn().await;
    let national = app.state.sheets.get("porter-plainte", "fr", false).unwrap();
    let old = national.source.replacen(
        &format!("reviewed_on = {}", national.reviewed_on),
        "reviewed_on = 2024-01-15",
        1,
    );
    let key = relais::sheets::storage::SheetKey {
        slug: "porter-plainte",
        language: "fr",
        easy_to_read: false,
    };
    crate::committed!(
        app.state.db,
        relais::sheets::storage::save,
        "montreuillois",
        key,
        &old,
        "test"
    );
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;

    let page = browser.get("/pro/territoires/montreuillois/fiches").await;
    assert!(
        page.body
            .contains("2024-01-15 <strong class=\"badge\">à relire</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("1 fiche(s) à relire"));
    let page = browser.get("/pro").await;
    assert!(page.body.contains("(1 à relire)"), "{}", page.body);
}

#[tokio::test]
async fn a_coordinator_invites_a_professional_and_a_mistake_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let t = two_territories(&app).await;
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;

    let invite = |email: &'static str| {
        [
            ("email", email),
            ("role", "professional"),
            ("organisation", t.a_second.as_str()),
        ]
    };
    let page = browser
        .submit("/pro/comptes/inviter", &invite("accueil@"))
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("value=\"accueil@\""), "{}", page.body);
    assert!(page.body.contains("n&#39;est pas complète"));
    assert!(
        page.body
            .contains(&format!("value=\"{}\" selected", t.a_second))
    );

    let page = browser
        .submit("/pro/comptes/inviter", &invite("accueil@asso.example.org"))
        .await;
    assert_eq!(page.status, 200);
    let start = page.body.find("/pro/invitation/").unwrap();
    assert!(page.body[start..].len() > 50, "the link is shown once");
    let user = accounts::user_by_email(&app.state.db, "accueil@asso.example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.role, Role::Professional);
    assert_eq!(user.organisation_id.as_ref(), Some(&t.a_second));
    assert!(user.password_hash.is_none());
    assert!(page.body.contains("invitation envoyée"));

    let page = browser
        .submit("/pro/comptes/inviter", &invite("accueil@asso.example.org"))
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Un compte existe déjà"));
}

/// The invitation or reset link shown once on the accounts page, as a path.
fn link_in(body: &str) -> String {
    let start = body.find("/pro/invitation/").expect("a link on the page");
    body[start..][..body[start..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn a_coordinator_cannot_take_over_an_active_account_and_a_reset_is_confirmed_audited_and_told()
 {
    let app = TestApp::spawn().await;
    let t = two_territories(&app).await;
    let mut at_work = app.professional("pro@example.org", &t.a_first).await;
    let mut coordination = app.coordinator("coord@example.org", "montreuillois").await;
    let invitations = || async {
        relais::with_pool!(&app.state.db, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM invitations")
                .fetch_one(pool)
                .await
                .unwrap()
        })
    };

    // An invitation for an account that chose its password: refused by the
    // handler, whatever the page shows.
    let page = coordination
        .submit(
            &format!("/pro/comptes/{}/invitation", at_work.account.id),
            &[],
        )
        .await;
    assert_eq!(page.status, 409);
    assert!(!page.body.contains("/pro/invitation/"));
    assert_eq!(invitations().await, 0);
    assert_eq!(at_work.get("/pro").await.status, 200, "her session goes on");

    // A reset is a deliberate act: refused unless confirmed…
    let reset = format!("/pro/comptes/{}/reinitialiser", at_work.account.id);
    let page = coordination.submit(&reset, &[]).await;
    assert_eq!(page.status, 409);
    assert!(page.body.contains("Je confirme"));
    assert_eq!(invitations().await, 0);
    // …then audited, and told to the account's owner.
    let page = coordination.submit(&reset, &[("confirmer", "oui")]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let first = link_in(&page.body);
    let log = accounts::audit_entries(&app.state.db, None, 100)
        .await
        .unwrap();
    assert!(log.iter().any(|e| e.action == "account-password-reset"
        && at_work.account.id == e.object
        && e.actor == "coord@example.org"));
    assert_eq!(
        notices_for(&app, &at_work.account.email).await,
        ["password-reset"]
    );
    // Until the link is used, nothing changes for her.
    assert_eq!(at_work.get("/pro").await.status, 200);

    // A newer link kills the older one.
    let page = coordination.submit(&reset, &[("confirmer", "oui")]).await;
    let second = link_in(&page.body);
    let mut anyone = Session::new(&app);
    assert_eq!(anyone.get(&first).await.status, 410);
    assert_eq!(anyone.get(&second).await.status, 200);
}

#[tokio::test]
async fn an_older_invitation_stops_working_when_a_newer_one_is_made_or_used() {
    let app = TestApp::spawn().await;
    let t = two_territories(&app).await;
    let mut coordination = app.coordinator("coord@example.org", "montreuillois").await;
    let page = coordination
        .submit(
            "/pro/comptes/inviter",
            &[
                ("email", "nouvelle@asso.example.org"),
                ("role", "professional"),
                ("organisation", t.a_first.as_str()),
            ],
        )
        .await;
    let first = link_in(&page.body);
    let user = accounts::user_by_email(&app.state.db, "nouvelle@asso.example.org")
        .await
        .unwrap()
        .unwrap();
    let page = coordination
        .submit(&format!("/pro/comptes/{}/invitation", user.id), &[])
        .await;
    assert_eq!(page.status, 200);
    let second = link_in(&page.body);
    let mut newcomer = Session::new(&app);
    assert_eq!(newcomer.get(&first).await.status, 410);
    let page = newcomer
        .post(&first, &[("password", PASSWORD), ("confirm", PASSWORD)])
        .await;
    assert_eq!(page.status, 410, "the older link sets no password");
    let page = newcomer
        .post(&second, &[("password", PASSWORD), ("confirm", PASSWORD)])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(newcomer.get(&second).await.status, 410, "used once");
}

#[tokio::test]
async fn an_archived_organisation_or_service_is_changed_by_no_form() {
    let app = TestApp::spawn().await;
    let t = two_territories(&app).await;
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;
    let page = browser
        .submit(
            &format!("/pro/services/{}/archiver", t.a_second_service),
            &[],
        )
        .await;
    assert_eq!(page.status, 303);
    for path in [
        format!("/pro/services/{}", t.a_second_service),
        format!("/pro/services/{}/verifie", t.a_second_service),
    ] {
        let page = browser
            .submit(
                &path,
                &[("service_nom", "Ressuscité"), ("besoins", "legal")],
            )
            .await;
        assert_eq!(page.status, 404, "{path}");
    }
    let page = browser
        .submit(&format!("/pro/structures/{}/archiver", t.a_second), &[])
        .await;
    assert_eq!(page.status, 303);
    let page = browser
        .submit(
            &format!("/pro/structures/{}", t.a_second),
            &[
                ("structure_nom", "Ressuscitée"),
                ("structure_type", "lawyer"),
            ],
        )
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(
        browser
            .get(&format!("/pro/structures/{}", t.a_second))
            .await
            .status,
        404
    );
}

/// Checks that `page` is the back office's own error page: its frame, its
/// words, the way back to the dashboard, and nothing of the public side's
/// page for a person in danger.
fn assert_back_office_error(page: &Page, status: u16, heading: &str) {
    assert_eq!(page.status, status, "{}", page.body);
    assert!(page.body.contains("<body class=\"pro\">"), "{}", page.body);
    assert!(page.body.contains(heading), "{status}: {}", page.body);
    assert!(
        page.body
            .contains("<a class=\"button\" href=\"/pro\">Revenir au tableau de bord</a>")
    );
    for public in [
        "tel:17",
        "tel:3919",
        "id=\"exit\"",
        "coordination de votre territoire",
    ] {
        assert!(
            !page.body.contains(public),
            "{status}: {public} in {}",
            page.body
        );
    }
}

#[tokio::test]
async fn every_back_office_error_is_the_back_office_s_own_calm_page_and_the_public_side_keeps_its_own()
 {
    let app = TestApp::spawn().await;
    let mut coordinator = app.coordinator("coord@example.org", "montreuillois").await;
    let new_organisation = "/pro/territoires/montreuillois/structures/nouvelle";

    let page = Session::new(&app).get("/pro/nulle-part").await;
    assert_back_office_error(&page, 404, "Cette page n&#39;existe pas");
    let page = coordinator.get("/pro/deconnexion").await;
    assert_back_office_error(&page, 405, "Cette page n&#39;existe pas");
    // The administration's log, asked by a coordinator: she is not sent
    // to ask "la coordination de votre territoire", herself.
    let page = coordinator.get("/pro/journal").await;
    assert_back_office_error(&page, 403, "Cette page ne vous est pas ouverte");
    assert!(page.body.contains("la personne qui vous a invité·e"));
    let page = coordinator
        .submit(new_organisation, &[("inconnu", "x")])
        .await;
    assert_back_office_error(&page, 400, "Cette demande n&#39;a pas pu être lue");
    let long = "x".repeat(300 * 1024);
    let page = coordinator
        .submit(new_organisation, &[("structure_nom", long.as_str())])
        .await;
    assert_back_office_error(&page, 413, "L&#39;envoi est trop lourd");

    // The public side keeps the page with the exit button and the numbers.
    let (status, public) = app.get_text("/nulle-part").await;
    assert_eq!(status, 404);
    crate::helpers::assert_has_safety_chrome(&public, "/nulle-part");

    // The server's own failure: the database gone.
    app.state.db.close().await;
    let page = coordinator.get("/pro").await;
    assert_back_office_error(&page, 500, "Une erreur est survenue de notre côté");

    // Too many requests in a minute.
    let app = TestApp::spawn_with(|settings| settings.rate_limit_per_minute = 3).await;
    let mut visitor = Session::new(&app);
    let mut last = visitor.get("/pro/connexion").await;
    for _ in 0..5 {
        last = visitor.get("/pro/connexion").await;
    }
    assert_back_office_error(&last, 429, "Trop de demandes en peu de temps");
}

#[tokio::test]
async fn a_coordinator_is_told_on_the_dashboard_to_make_the_recovery_key_until_it_exists() {
    let app = TestApp::spawn().await;
    let mut coordinator = app.coordinator("coord@example.org", "montreuillois").await;
    let page = coordinator.get("/pro").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("n'a pas encore de clé de secours")
            && page.body.contains(
                "href=\"/pro/territoires/montreuillois/cle-de-secours\">Créer la clé de secours"
            ),
        "{}",
        page.body
    );
    let (_, public_key) = relais::referral::envelope::PrivateKey::generate();
    crate::committed!(
        app.state.db,
        relais::referral::storage::set_recovery_key,
        "montreuillois",
        &public_key.encode()
    );
    let page = coordinator.get("/pro").await;
    assert!(
        !page.body.contains("pas encore de clé de secours"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Clé de secours des demandes"));
}

#[tokio::test]
async fn an_account_attached_to_nothing_is_pointed_to_someone_else_than_herself() {
    let app = TestApp::spawn().await;
    let mut coordinator = app
        .coordinator("sans-territoire@example.org", "montreuillois")
        .await;
    // Her territory taken back: she coordinates nothing for now.
    let id = coordinator.account.id.clone();
    relais::with_pool!(&app.state.db, pool => {
        sqlx::query("DELETE FROM user_territories WHERE user_id = $1").bind(&id).execute(pool).await.map(drop)
    })
    .unwrap();
    let page = coordinator.get("/pro").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("Votre compte n'est rattaché à aucun territoire")
    );
    assert!(
        page.body
            .contains("La personne qui administre Relais peut vous confier un territoire."),
        "{}",
        page.body
    );
    assert!(!page.body.contains("La coordination de votre territoire"));
}

#[tokio::test]
async fn no_back_office_page_sends_a_coordinator_to_ask_the_coordination() {
    let app = TestApp::spawn().await;
    let t = two_territories(&app).await;
    let mut coordinator = app.coordinator("coord@example.org", "montreuillois").await;
    let account = coordinator.account.id.clone();
    let objects = Objects {
        territory: "montreuillois",
        organisation: &t.a_first,
        service: &t.a_second_service,
        account: &account,
    };
    let mut seen = 0;
    for screen in app.screens.iter().filter(|s| s.method == "GET") {
        let path = fill(screen.example, &objects);
        if path.contains('{') {
            continue;
        }
        let page = coordinator.get(&path).await;
        seen += 1;
        for wrong in [
            "la coordination de votre territoire",
            "La coordination de votre territoire",
            "prévenez la coordination",
        ] {
            assert!(!page.body.contains(wrong), "{path}: {}", page.body);
        }
    }
    assert!(seen > 10, "{seen} pages");
}
