//! The directory as a person, a coordinator and an operator meet it: the
//! public `/annuaire`, imports and exports, and the index kept current.

use std::process::Command;

use relais::backoffice::storage as audit_log;
use relais::directory::communes::Communes;
use relais::directory::export;
use relais::directory::hsds;
use relais::directory::import::{self, Format};
use relais::directory::model::{Organisation, Service};
use relais::directory::{DEMO_DIRECTORY, DEMO_TERRITORY, storage, territories};
use relais::storage::{OrganisationId, ServiceId};
use serde_json::Value;

use crate::helpers::{TestApp, assert_has_safety_chrome, test_db};

const RELAIS: &str = env!("CARGO_BIN_EXE_relais");

#[tokio::test]
async fn a_shared_postcode_asks_which_commune_then_names_contacts_with_reasons() {
    let app = TestApp::spawn().await;

    let (status, html) = app
        .post_text("/annuaire", &[("lieu", "62170"), ("besoin", "legal")])
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Plusieurs communes correspondent"), "{html}");
    assert!(html.contains("name=\"commune\" value=\"62588\""));

    let (status, html) = app
        .post_text(
            "/annuaire",
            &[("lieu", "62170"), ("commune", "62588"), ("besoin", "legal")],
        )
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Près de Montreuil-sur-Mer"), "{html}");
    assert!(html.contains("(exemple)"));
    assert!(html.contains("dans votre commune"));
    assert!(
        html.contains("href=\"tel:0199"),
        "a contact has a tel: link"
    );
    assert!(
        html.contains("tel:3919") && html.contains("tel:115"),
        "the national lines follow"
    );
    assert_has_safety_chrome(&html, "/annuaire");
}

#[tokio::test]
async fn the_search_never_puts_the_place_or_need_in_a_url() {
    let app = TestApp::spawn().await;
    let (_, html) = app.get_text("/annuaire").await;
    assert!(html.contains("<form method=\"post\" action=\"/annuaire#reponse\""));
    assert!(!html.contains("method=\"get\""));
}

#[tokio::test]
async fn an_unknown_postcode_gets_suggestions_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let (status, html) = app
        .post_text("/annuaire", &[("lieu", "62179x"), ("besoin", "housing")])
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Nous ne trouvons pas « 62179x »"), "{html}");
    assert!(
        html.contains("value=\"62179x\""),
        "the field keeps what was typed"
    );
    assert!(
        html.contains("<option value=\"housing\" selected>"),
        "the need stays chosen"
    );
}

#[tokio::test]
async fn a_missing_field_is_named_and_the_other_kept() {
    let app = TestApp::spawn().await;
    let (_, html) = app
        .post_text("/annuaire", &[("lieu", "Berck"), ("besoin", "")])
        .await;
    assert!(
        html.contains("Choisissez un besoin dans la liste."),
        "{html}"
    );
    assert!(html.contains("value=\"Berck\""));
    let (_, html) = app
        .post_text("/annuaire", &[("lieu", ""), ("besoin", "health")])
        .await;
    assert!(html.contains("Indiquez votre code postal"), "{html}");
    assert!(html.contains("<option value=\"health\" selected>"));
}

#[tokio::test]
async fn no_service_for_a_need_says_so_and_gives_the_national_lines() {
    let app = TestApp::spawn().await;
    // A person under 18 in Hucqueliers looking for a lawyer: none receives minors.
    let (_, html) = app
        .post_text(
            "/annuaire",
            &[
                ("lieu", "Hucqueliers"),
                ("besoin", "foreigners"),
                ("mineur", "oui"),
            ],
        )
        .await;
    assert!(
        html.contains("Aucun service de l&#39;annuaire")
            || html.contains("Aucun service de l'annuaire"),
        "{html}"
    );
    assert!(html.contains("tel:3919"));
}

#[tokio::test]
async fn outside_every_territory_the_nearest_territory_is_named() {
    let app = TestApp::spawn().await;
    let (_, html) = app
        .post_text("/annuaire", &[("lieu", "13001"), ("besoin", "legal")])
        .await;
    assert!(
        html.contains("Relais ne couvre pas encore votre commune"),
        "{html}"
    );
    assert!(html.contains("Montreuillois"));
}

#[tokio::test]
async fn an_organisation_page_shows_the_public_contact_of_a_confidential_address_only() {
    let app = TestApp::spawn().await;
    let index = app.state.directory.index();
    let communes = Communes::embedded();
    let montreuil = communes.by_insee("62588").unwrap();
    let orientation = index.orient(&relais::directory::orientation::Query {
        commune: montreuil,
        needs: &[relais::directory::model::Need::Housing],
        age: None,
        danger_now: false,
        at: jiff::civil::date(2026, 12, 1).at(10, 0, 0, 0),
        per_need: 10,
    });
    let shelter = orientation.needs[0]
        .suggestions
        .iter()
        .map(|s| &s.listing)
        .find(|l| l.confidential_address)
        .expect("the demo has a confidential shelter");

    let (status, html) = app
        .get_text(&format!("/annuaire/{}", shelter.organisation_id))
        .await;

    assert_eq!(status, 200);
    assert!(html.contains("Adresse confidentielle"), "{html}");
    assert!(html.contains("115"));
    assert!(
        !html.contains("rue de l"),
        "a street appears on a confidential page"
    );
    assert_has_safety_chrome(&html, "organisation page");
    let (status, _) = app.get_text("/en/annuaire/nope").await;
    assert_eq!(status, 404);
}

fn demo() -> import::Parsed {
    import::parse(DEMO_DIRECTORY, Format::Csv, &Communes::embedded())
        .expect("the demo directory is valid")
}

async fn load(db: &relais::storage::Db, slug: &str) {
    let mut territory =
        territories::parse_territory_file(DEMO_TERRITORY, &Communes::embedded()).unwrap();
    territory.slug = territories::Slug::parse(slug).unwrap();
    crate::committed!(db, storage::save_territory, &territory);
}

/// A directory without our identifiers, to compare two of them.
fn comparable(
    organisations: Vec<Organisation>,
    services: Vec<Service>,
) -> (Vec<Organisation>, Vec<Service>) {
    let sources: std::collections::HashMap<OrganisationId, String> = organisations
        .iter()
        .map(|o| (o.id.clone(), o.source_id.clone()))
        .collect();
    let organisations = organisations
        .into_iter()
        .map(|o| Organisation {
            id: OrganisationId::default(),
            territory: String::new(),
            // What a CSV cannot carry: tests/it/data_inclusion.rs compares it.
            source_fields: serde_json::Map::new(),
            ..o
        })
        .collect();
    let services = services
        .into_iter()
        .map(|s| Service {
            id: ServiceId::default(),
            // The organisation's source id, as a file gives it.
            organisation_id: sources[&s.organisation_id].as_str().into(),
            source_fields: serde_json::Map::new(),
            ..s
        })
        .collect();
    (organisations, services)
}

#[tokio::test]
async fn csv_then_export_then_import_gives_the_same_directory() {
    let db = test_db().await;
    let communes = Communes::embedded();
    load(&db, "premier").await;
    load(&db, "second").await;
    let parsed = demo();
    crate::committed!(db, storage::import, "premier", &parsed,);
    let (organisations, services) = storage::directory(&db, Some("premier")).await.unwrap();
    assert!(
        organisations
            .iter()
            .any(|o| o.live && !o.live_hours.is_empty()),
        "the demo offers live help somewhere, so that the round trip carries it"
    );

    for format in [Format::Csv, Format::DataInclusion] {
        let bytes = match format {
            Format::Csv => export::to_csv(&organisations, &services),
            Format::DataInclusion => serde_json::to_vec(&export::to_data_inclusion(
                &organisations,
                &services,
                &communes,
            ))
            .unwrap(),
        };
        let again = import::parse(&bytes, format, &communes)
            .unwrap_or_else(|p| panic!("{format:?}: {p:?}"));
        crate::committed!(db, storage::import, "second", &again,);
        let (organisations2, services2) = storage::directory(&db, Some("second")).await.unwrap();
        assert_eq!(
            comparable(organisations.clone(), services.clone()),
            comparable(organisations2, services2),
            "{format:?}"
        );
    }
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing() {
    let db = test_db().await;
    load(&db, "montreuillois").await;
    let parsed = demo();
    let first = crate::committed!(db, storage::import, "montreuillois", &parsed,);
    let before = storage::directory(&db, Some("montreuillois"))
        .await
        .unwrap();
    let second = crate::committed!(db, storage::import, "montreuillois", &parsed,);
    let after = storage::directory(&db, Some("montreuillois"))
        .await
        .unwrap();
    assert_eq!(first.services_created, parsed.services.len());
    assert_eq!(
        (second.services_created, second.services_updated),
        (0, parsed.services.len())
    );
    assert_eq!(before, after);
}

#[tokio::test]
async fn the_hsds_export_has_every_field_hsds_3_requires() {
    let db = test_db().await;
    load(&db, "montreuillois").await;
    let parsed = demo();
    crate::committed!(db, storage::import, "montreuillois", &parsed,);
    let (organisations, services) = storage::directory(&db, Some("montreuillois"))
        .await
        .unwrap();
    let hsds = hsds::to_hsds(&organisations, &services, &Communes::embedded());

    let records = hsds.as_array().unwrap();
    assert_eq!(records.len(), services.len());
    let is_uuid = |v: &Value| {
        let s = v.as_str().unwrap_or_default();
        s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
    };
    let require = |object: &Value, fields: &[&str], what: &str| {
        for field in fields {
            let value = &object[field];
            assert!(
                !value.is_null() && value != "",
                "{what} lacks {field}: {object}"
            );
        }
        assert!(is_uuid(&object["id"]), "{what} id is not a uuid: {object}");
    };
    for service in records {
        require(service, &["id", "name", "status"], "service");
        assert!(
            ["active", "inactive", "defunct", "temporarily closed"]
                .contains(&service["status"].as_str().unwrap())
        );
        require(
            &service["organization"],
            &["id", "name", "description"],
            "organization",
        );
        for phone in service["phones"].as_array().into_iter().flatten() {
            require(phone, &["id", "number"], "phone");
        }
        for schedule in service["schedules"].as_array().into_iter().flatten() {
            require(schedule, &["id"], "schedule");
        }
        for language in service["languages"].as_array().into_iter().flatten() {
            require(language, &["id"], "language");
        }
        for attribute in service["attributes"].as_array().into_iter().flatten() {
            require(attribute, &["id"], "attribute");
            require(
                &attribute["taxonomy_term"],
                &["id", "name", "description"],
                "taxonomy_term",
            );
        }
        for at_location in service["service_at_locations"].as_array().unwrap() {
            require(at_location, &["id"], "service_at_location");
            let location = &at_location["location"];
            require(location, &["id", "location_type"], "location");
            assert!(
                ["physical", "postal", "virtual"]
                    .contains(&location["location_type"].as_str().unwrap())
            );
            for address in location["addresses"].as_array().into_iter().flatten() {
                require(
                    address,
                    &[
                        "id",
                        "address_1",
                        "city",
                        "state_province",
                        "postal_code",
                        "country",
                        "address_type",
                    ],
                    "address",
                );
            }
        }
    }
    // A confidential address: no street, no coordinate, anywhere.
    let confidential: Vec<&Value> = records
        .iter()
        .filter(|r| {
            services
                .iter()
                .any(|s| s.confidential_address && s.name == r["name"])
        })
        .collect();
    assert!(!confidential.is_empty());
    for record in confidential {
        let location = &record["service_at_locations"][0]["location"];
        assert!(
            location["addresses"].is_null() && location["latitude"].is_null(),
            "{location}"
        );
    }
}

#[tokio::test]
async fn a_change_to_the_directory_reaches_the_public_site() {
    let app = TestApp::spawn().await;
    let communes = Communes::embedded();
    let text = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee;presentation;verifie_le\n\
                nouvelle;Nouvelle permanence (exemple);lawyer;nouveau;Permanence du soir;foreigners;62826;Une avocate, le soir;2026-11-28\n";
    let parsed = import::parse(text.as_bytes(), Format::Csv, &communes).unwrap();
    crate::committed!(app.state.db, storage::import, "montreuillois", &parsed,);

    // What each instance does every few seconds, done now; the background
    // check may have been first, so whether this call saw the change is
    // not the point: the public site must show it.
    app.state.directory.refresh(&app.state.db).await.unwrap();
    let (_, html) = app
        .post_text(
            "/annuaire",
            &[("lieu", "Le Touquet-Paris-Plage"), ("besoin", "foreigners")],
        )
        .await;
    assert!(html.contains("Nouvelle permanence (exemple)"), "{html}");
    assert!(
        !app.state.directory.refresh(&app.state.db).await.unwrap(),
        "nothing changed since"
    );
}

#[test]
fn a_broken_file_lists_every_error_with_its_line_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let relais = |args: &[&str]| {
        Command::new(RELAIS)
            .args(args)
            .args(["--data-dir", "data", "--log", "warn"])
            .current_dir(dir.path())
            .env_remove("RELAIS_DATABASE_URL")
            .output()
            .unwrap()
    };
    std::fs::write(
        dir.path().join("t.toml"),
        "slug = \"t\"\nname = \"T\"\ncommunes = [\"62588\"]\n",
    )
    .unwrap();
    assert!(relais(&["migrate"]).status.success());
    assert!(relais(&["territory", "add", "t.toml"]).status.success());
    std::fs::write(
        dir.path().join("broken.csv"),
        "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_postal;telephone;courriel;horaires_accueil\n\
         a;A (exemple);cidff;s1;Bon;legal;62170;;;\n\
         a;A (exemple);cidff;s2;Mauvais;legal;6217;;;\n\
         b;B (exemple);cidff;s3;Mauvais;legal;62588;0321;x@;Lu 9h\n",
    )
    .unwrap();

    let output = relais(&["directory", "import", "broken.csv", "--territory", "t"]);

    assert!(!output.status.success());
    let errors = String::from_utf8(output.stderr).unwrap();
    for expected in [
        "ligne 2, colonne code_insee : le code postal 62170 couvre",
        "ligne 3, colonne code_postal",
        "ligne 4, colonne code_postal",
        "ligne 4, colonne telephone",
        "ligne 4, colonne courriel",
        "ligne 4, colonne horaires_accueil",
        "Rien n'a été importé",
    ] {
        assert!(
            errors.contains(expected),
            "missing {expected:?} in:\n{errors}"
        );
    }
    let export = relais(&["directory", "export", "--territory", "t", "--format", "csv"]);
    assert!(export.status.success());
    assert_eq!(
        String::from_utf8(export.stdout).unwrap().lines().count(),
        1,
        "only the header: nothing was imported"
    );
}

#[test]
fn communes_lookup_lists_every_commune_of_a_shared_postcode() {
    let output = Command::new(RELAIS)
        .args(["communes", "lookup", "62170", "--log", "warn"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.lines().count() > 20, "{text}");
    assert!(text.contains("Montreuil-sur-Mer") && text.contains("Saint-Josse"));
}

#[test]
fn orient_prints_the_ranked_contacts_and_their_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let content = concat!(env!("CARGO_MANIFEST_DIR"), "/../../content/territories/");
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
    relais(&["migrate"]);
    relais(&["territory", "add", &format!("{content}montreuillois.toml")]);
    let imported = relais(&[
        "directory",
        "import",
        &format!("{content}montreuillois.csv"),
        "--territory",
        "montreuillois",
    ]);
    assert!(imported.contains("25 services (25 nouveaux"), "{imported}");

    let text = relais(&[
        "orient",
        "--insee",
        "62588",
        "--needs",
        "legal,hebergement",
        "--age",
        "34",
        "--at",
        "2026-12-01T21:00",
    ]);

    assert!(
        text.contains("Montreuil-sur-Mer (62588), territoire Montreuillois"),
        "{text}"
    );
    assert!(text.contains("Droits, conseil juridique\n  1. "), "{text}");
    assert!(text.contains("Hébergement, logement\n  1. "), "{text}");
    assert!(
        text.contains("dans votre commune") && text.contains("ouvre demain à"),
        "{text}"
    );
    assert!(text.contains("adresse confidentielle"), "{text}");
    assert!(text.contains("Numéros nationaux : 17"), "{text}");
}

#[tokio::test]
async fn quick_exit_leads_to_the_neutral_site_of_the_only_territory() {
    let app = TestApp::spawn_with(|settings| {
        settings.neutral_url = "https://meteo.example.org/national".to_owned();
    })
    .await;
    let exit = app.get("/sortie").await;
    assert_eq!(
        exit.headers()["location"],
        "https://meteo.example.org/national"
    );

    let mut territory =
        territories::parse_territory_file(DEMO_TERRITORY, &Communes::embedded()).unwrap();
    territory.neutral_url = Some("https://meteo.example.org/littoral".to_owned());
    crate::committed!(app.state.db, storage::save_territory, &territory);
    app.state.directory.refresh(&app.state.db).await.unwrap();
    let exit = app.get("/sortie").await;
    assert_eq!(
        exit.headers()["location"],
        "https://meteo.example.org/littoral"
    );
    let (_, home) = app.get_text("/").await;
    assert!(home.contains("data-exit-url=\"https://meteo.example.org/littoral\""));

    // With a second territory, the page cannot know the person's.
    territory.slug = territories::Slug::parse("autre").unwrap();
    territory.neutral_url = Some("https://meteo.example.org/ailleurs".to_owned());
    crate::committed!(app.state.db, storage::save_territory, &territory);
    app.state.directory.refresh(&app.state.db).await.unwrap();
    let exit = app.get("/sortie").await;
    assert_eq!(
        exit.headers()["location"],
        "https://meteo.example.org/national"
    );
}

/// A demo organisation, as stored, by its source identifier.
async fn demo_organisation(app: &TestApp, source_id: &str) -> Organisation {
    let (organisations, _) = storage::directory(&app.state.db, Some("montreuillois"))
        .await
        .unwrap();
    organisations
        .into_iter()
        .find(|o| o.source_id == source_id)
        .unwrap_or_else(|| panic!("the demo has no {source_id}"))
}

/// The organisation form of `organisation` as its page fills it, with live
/// help and its hours as given.
fn live_form<'a>(
    organisation: &'a Organisation,
    live: bool,
    live_hours: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("structure_nom", organisation.name.as_str()),
        ("structure_type", organisation.kind.code()),
        (
            "structure_telephone",
            organisation.phone.as_deref().unwrap_or(""),
        ),
        (
            "structure_courriel",
            organisation.email.as_deref().unwrap_or(""),
        ),
        (
            "structure_site_web",
            organisation.website.as_deref().unwrap_or(""),
        ),
        ("live_hours", live_hours),
    ];
    if live {
        fields.push(("live", "oui"));
    }
    fields
}

#[tokio::test]
async fn a_member_offers_live_help_on_their_organisation_and_the_audit_log_says_so() {
    let app = TestApp::spawn().await;
    let cidff = demo_organisation(&app, "cidff-62").await;
    assert!(!cidff.live);
    let mut member = app.professional("juriste@example.org", &cidff.id).await;

    let page = member.get(&format!("/pro/structures/{}", cidff.id)).await;
    assert!(
        page.body.contains("Aide en direct (« Parler maintenant »)")
            && page.body.contains("Mo-Fr 13:00-20:00; PH off"),
        "{}",
        page.body
    );
    let page = member
        .submit(
            &format!("/pro/structures/{}", cidff.id),
            &live_form(&cidff, true, "Mo-Fr 13:00-20:00; PH off"),
        )
        .await;

    assert_eq!(page.status, 303, "{}", page.body);
    let after = demo_organisation(&app, "cidff-62").await;
    assert!(after.live);
    assert_eq!(after.live_hours, "Mo-Fr 13:00-20:00; PH off");
    assert_eq!(
        (after.name.as_str(), after.phone.as_deref()),
        (cidff.name.as_str(), cidff.phone.as_deref()),
        "the rest of the organisation is as it was"
    );
    let log = audit_log::audit_entries(&app.state.db, None, 1)
        .await
        .unwrap();
    assert_eq!(log[0].actor, "juriste@example.org");
    assert_eq!(log[0].action, "organisation-changed");
    assert_eq!(log[0].object, cidff.id.as_str());
    assert!(
        log[0]
            .detail
            .ends_with("aide en direct : oui, Mo-Fr 13:00-20:00; PH off"),
        "{}",
        log[0].detail
    );
    // The coordination reads it in its log…
    let mut coordinator = app.coordinator("coord@example.org", "montreuillois").await;
    let journal = coordinator
        .get("/pro/territoires/montreuillois/journal")
        .await;
    assert!(
        journal
            .body
            .contains("aide en direct : oui, Mo-Fr 13:00-20:00; PH off"),
        "{}",
        journal.body
    );
    // …and the live capability sees it at once: on Monday 7 December 2026
    // at 14:00 in Montreuil-sur-Mer.
    let live = app
        .state
        .directory
        .index()
        .live_organisations("montreuillois", "2026-12-07T13:00:00Z".parse().unwrap());
    assert!(live.iter().any(|o| o.id == cidff.id && o.open), "{live:?}");
}

#[tokio::test]
async fn a_professional_of_another_organisation_may_not_change_its_live_help() {
    let app = TestApp::spawn().await;
    let cidff = demo_organisation(&app, "cidff-62").await;
    let victims = demo_organisation(&app, "aav-montreuillois").await;
    let mut outsider = app.professional("ecoutante@example.org", &victims.id).await;
    let before = audit_log::audit_entries(&app.state.db, None, 1000)
        .await
        .unwrap()
        .len();

    let page = outsider
        .submit(
            &format!("/pro/structures/{}", cidff.id),
            &live_form(&cidff, true, "24/7"),
        )
        .await;

    assert_eq!(page.status, 403);
    assert!(
        page.body.contains("Cette page ne vous est pas ouverte"),
        "{}",
        page.body
    );
    assert_eq!(
        demo_organisation(&app, "cidff-62").await,
        cidff,
        "nothing changed"
    );
    let after = audit_log::audit_entries(&app.state.db, None, 1000)
        .await
        .unwrap();
    assert_eq!(after.len(), before, "no audit line: {:?}", after[0]);
}

#[tokio::test]
async fn invalid_live_hours_are_refused_next_to_the_field_and_what_was_saved_stays() {
    let app = TestApp::spawn().await;
    let victims = demo_organisation(&app, "aav-montreuillois").await;
    assert!(victims.live, "the demo offers live help here");
    let mut member = app.professional("ecoutante@example.org", &victims.id).await;
    let path = format!("/pro/structures/{}", victims.id);

    let page = member
        .submit(&path, &live_form(&victims, true, "Lu 9h-12h"))
        .await;

    assert_eq!(page.status, 422);
    let field = crate::helpers::page::between(&page.body, "<label for=\"live_hours\">", "</p>")
        .unwrap_or_else(|| panic!("no live hours field in {}", page.body));
    assert!(
        field.contains(
            "id=\"live_hours-error\">« Lu 9h-12h » n&#39;est pas un horaire au format OpenStreetMap"
        ),
        "{field}"
    );
    assert!(
        field.contains("value=\"Lu 9h-12h\""),
        "the typed value is kept: {field}"
    );
    assert!(
        crate::helpers::page::between(&page.body, "<input type=\"checkbox\" id=\"live\"", ">")
            .is_some_and(|input| input.contains("checked")),
        "the box stays ticked"
    );

    // Live help without its hours: refused too, next to the hours.
    let page = member.submit(&path, &live_form(&victims, true, "")).await;
    assert_eq!(page.status, 422);
    let field =
        crate::helpers::page::between(&page.body, "<label for=\"live_hours\">", "</p>").unwrap();
    assert!(
        field.contains("L&#39;aide en direct a besoin de ses horaires"),
        "{field}"
    );

    assert_eq!(
        demo_organisation(&app, "aav-montreuillois").await,
        victims,
        "nothing already saved is lost"
    );
}

#[tokio::test]
async fn an_import_with_bad_live_hours_names_the_line_and_imports_nothing() {
    let app = TestApp::spawn().await;
    let victims = demo_organisation(&app, "aav-montreuillois").await;
    let mut coordinator = app.coordinator("coord@example.org", "montreuillois").await;
    let csv = "structure_id;structure_nom;structure_type;live;live_hours;service_id;service_nom;besoins;code_insee;presentation;verifie_le\n\
               nouvelle;Nouvelle écoute (exemple);victim-support;oui;24/7;n-1;Écoute;psychological;62588;Une écoute;2026-11-28\n\
               aav-montreuillois;Association d'aide aux victimes du Montreuillois (exemple);victim-support;oui;Mo-Fr 9h-20h;aav-accompagnement-etaples;Accompagnement;complaint;62318;Un accompagnement;2026-11-28\n";

    let page = coordinator
        .upload("/pro/territoires/montreuillois/import", "annuaire.csv", csv)
        .await;

    assert_eq!(page.status, 422);
    assert!(
        page.body
            .contains("ligne 3, colonne live_hours : « Mo-Fr 9h-20h » n&#39;est pas un horaire"),
        "{}",
        page.body
    );
    assert_eq!(demo_organisation(&app, "aav-montreuillois").await, victims);
    let (organisations, _) = storage::directory(&app.state.db, Some("montreuillois"))
        .await
        .unwrap();
    assert!(organisations.iter().all(|o| o.source_id != "nouvelle"));
}

#[tokio::test]
async fn an_import_that_does_not_describe_live_help_keeps_it_and_one_that_does_changes_it() {
    let app = TestApp::spawn().await;
    let victims = demo_organisation(&app, "aav-montreuillois").await;
    let mut coordinator = app.coordinator("coord@example.org", "montreuillois").await;
    let row = "aav-montreuillois;Association d'aide aux victimes (nouveau nom);victim-support";
    let service =
        "aav-accompagnement-etaples;Accompagnement;complaint;62318;Un accompagnement;2026-11-28";

    // A spreadsheet from before live help: the members' setting stays.
    let old = format!(
        "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee;presentation;verifie_le\n{row};{service}\n"
    );
    let page = coordinator
        .upload("/pro/territoires/montreuillois/import", "ancien.csv", &old)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let after = demo_organisation(&app, "aav-montreuillois").await;
    assert_eq!(after.name, "Association d'aide aux victimes (nouveau nom)");
    assert_eq!(
        (after.live, after.live_hours.as_str()),
        (victims.live, victims.live_hours.as_str())
    );

    // A file that says no: live help is off.
    let new = format!(
        "structure_id;structure_nom;structure_type;live;live_hours;service_id;service_nom;besoins;code_insee;presentation;verifie_le\n{row};non;;{service}\n"
    );
    let page = coordinator
        .upload("/pro/territoires/montreuillois/import", "nouveau.csv", &new)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let after = demo_organisation(&app, "aav-montreuillois").await;
    assert_eq!((after.live, after.live_hours.as_str()), (false, ""));
}
