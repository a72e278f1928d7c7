//! The directory as a person, a coordinator and an operator meet it: the
//! public `/annuaire`, imports and exports, and the index kept current.

use std::process::Command;

use relais::directory::communes::Communes;
use relais::directory::export;
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
            ..o
        })
        .collect();
    let services = services
        .into_iter()
        .map(|s| Service {
            id: ServiceId::default(),
            // The organisation's source id, as a file gives it.
            organisation_id: sources[&s.organisation_id].as_str().into(),
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
    crate::committed!(
        db,
        storage::import,
        "premier",
        &parsed,
    );
    let (organisations, services) = storage::directory(&db, Some("premier")).await.unwrap();

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
        crate::committed!(
            db,
            storage::import,
            "second",
            &again,
        );
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
    let first = crate::committed!(
        db,
        storage::import,
        "montreuillois",
        &parsed,
    );
    let before = storage::directory(&db, Some("montreuillois"))
        .await
        .unwrap();
    let second = crate::committed!(
        db,
        storage::import,
        "montreuillois",
        &parsed,
    );
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
    crate::committed!(
        db,
        storage::import,
        "montreuillois",
        &parsed,
    );
    let (organisations, services) = storage::directory(&db, Some("montreuillois"))
        .await
        .unwrap();
    let hsds = export::to_hsds(&organisations, &services, &Communes::embedded());

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
    let text = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee\n\
                nouvelle;Nouvelle permanence (exemple);lawyer;nouveau;Permanence du soir;foreigners;62826\n";
    let parsed = import::parse(text.as_bytes(), Format::Csv, &communes).unwrap();
    crate::committed!(
        app.state.db,
        storage::import,
        "montreuillois",
        &parsed,
    );

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
