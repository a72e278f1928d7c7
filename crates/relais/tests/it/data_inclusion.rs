//! data·inclusion files as France publishes them: a file without Relais's
//! extension imports, and a file with every field of the schema comes back
//! from the export field by field, through the database.

use std::collections::HashMap;

use relais::directory::communes::Communes;
use relais::directory::export;
use relais::directory::import::{self, Format};
use relais::directory::model::{Kind, Need};
use relais::directory::{DEMO_TERRITORY, storage, territories};
use serde_json::Value;

use crate::helpers::test_db;

const MONTREUILLOIS: &[u8] = include_bytes!("../data/data-inclusion-montreuillois.json");
const FULL: &[u8] = include_bytes!("../data/data-inclusion-full.json");

async fn load(db: &relais::storage::Db) {
    let territory =
        territories::parse_territory_file(DEMO_TERRITORY, &Communes::embedded()).unwrap();
    crate::committed!(db, storage::save_territory, &territory);
}

#[test]
fn a_file_as_data_inclusion_publishes_it_imports_without_the_relais_extension() {
    let communes = Communes::embedded();
    let parsed = import::parse(MONTREUILLOIS, Format::DataInclusion, &communes)
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    assert_eq!(parsed.organisations.len(), 3);
    assert_eq!(parsed.services.len(), 5);
    let kinds: Vec<Kind> = parsed.organisations.iter().map(|o| o.kind).collect();
    // From `reseaux_porteurs`; the third gives none.
    assert_eq!(kinds, [Kind::Cidff, Kind::Ccas, Kind::Other]);
    let permanence = &parsed.services[0];
    assert_eq!(
        permanence.opening_hours.as_deref(),
        Some("We[2,4] 14:00-16:00; PH off")
    );
    // The CA des Deux Baies en Montreuillois, by its SIREN.
    assert_eq!(permanence.zone_eligibilite, ["200069029"]);
    assert!(permanence.needs.contains(Need::Legal));
    assert!(permanence.needs.contains(Need::Psychological));
    assert!(permanence.free_of_charge);
    assert!(parsed.services[2].needs.contains(Need::Housing));
    assert!(parsed.services[2].needs.contains(Need::Social));
    // The only remark: the structure whose kind Relais could not read.
    let warnings: Vec<String> = parsed.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].starts_with("structures[2].relais.type"),
        "{warnings:?}"
    );
}

#[tokio::test]
async fn a_full_file_comes_back_from_the_export_field_by_field() {
    let db = test_db().await;
    load(&db).await;
    let communes = Communes::embedded();
    let parsed = import::parse(FULL, Format::DataInclusion, &communes)
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    crate::committed!(db, storage::import, "montreuillois", &parsed,);
    let (organisations, services) = storage::directory(&db, Some("montreuillois"))
        .await
        .unwrap();
    let exported = export::to_data_inclusion(&organisations, &services, &communes);
    let original: Value = serde_json::from_slice(FULL).unwrap();

    for list in ["structures", "services"] {
        let by_id: HashMap<&str, &Value> = exported[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|record| (record["id"].as_str().unwrap(), record))
            .collect();
        for record in original[list].as_array().unwrap() {
            let id = record["id"].as_str().unwrap();
            let again = by_id
                .get(id)
                .unwrap_or_else(|| panic!("{list} {id} is not exported"));
            let fields = record.as_object().unwrap();
            for (field, value) in fields {
                assert_eq!(again.get(field), Some(value), "{list} {id}: {field}");
            }
            // Nothing of the schema is added, only Relais's extension.
            for field in again.as_object().unwrap().keys() {
                assert!(
                    field == "relais" || fields.contains_key(field),
                    "{list} {id}: {field} was not in the file"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_back_office_edit_keeps_the_kept_fields_and_its_own_value_wins() {
    let db = test_db().await;
    load(&db).await;
    let communes = Communes::embedded();
    let parsed = import::parse(FULL, Format::DataInclusion, &communes).unwrap();
    crate::committed!(db, storage::import, "montreuillois", &parsed,);
    let (organisations, services) = storage::directory(&db, Some("montreuillois"))
        .await
        .unwrap();

    // What the service form saves: Relais's fields only, a new number.
    let edited = relais::directory::model::Service {
        phone: Some("03 21 00 00 09".to_owned()),
        source_fields: serde_json::Map::new(),
        ..services[0].clone()
    };
    crate::committed!(
        db,
        storage::save_service,
        "montreuillois",
        &organisations[0].id,
        &edited,
    );

    let (organisations, services) = storage::directory(&db, Some("montreuillois"))
        .await
        .unwrap();
    let exported = export::to_data_inclusion(&organisations, &services, &communes);
    let service = &exported["services"][0];
    assert_eq!(service["telephone"], "03 21 00 00 09", "the edit wins");
    assert_eq!(service["source"], "dora");
    assert_eq!(service["contact_nom_prenom"], "Camille Exemple");
    assert_eq!(service["nombre_semaines"], 12);
}

#[tokio::test]
async fn a_csv_of_the_same_records_keeps_what_the_data_inclusion_import_brought() {
    let db = test_db().await;
    load(&db).await;
    let communes = Communes::embedded();
    let parsed = import::parse(FULL, Format::DataInclusion, &communes).unwrap();
    crate::committed!(db, storage::import, "montreuillois", &parsed,);
    let (organisations, services) = storage::directory(&db, Some("montreuillois"))
        .await
        .unwrap();

    // The spreadsheet a coordinator exports, corrects and imports again.
    let csv = export::to_csv(&organisations, &services);
    let again = import::parse(&csv, Format::Csv, &communes).unwrap();
    crate::committed!(db, storage::import, "montreuillois", &again,);

    let (organisations, services) = storage::directory(&db, Some("montreuillois"))
        .await
        .unwrap();
    let exported = export::to_data_inclusion(&organisations, &services, &communes);
    let original: Value = serde_json::from_slice(FULL).unwrap();
    for list in ["structures", "services"] {
        for (field, value) in original[list][0].as_object().unwrap() {
            assert_eq!(exported[list][0].get(field), Some(value), "{list}: {field}");
        }
    }
}
