//! Writing a territory's directory: CSV and data·inclusion, which the
//! importer reads back to the same directory (Open Referral HSDS is in
//! [`crate::directory::hsds`]).
//!
//! A confidential address is never written anywhere, in any format: the
//! importer refuses to store one.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::directory::cells::spreadsheet_safe;
use crate::directory::communes::Communes;
use crate::directory::import::COLUMNS;
use crate::directory::model::{Need, Organisation, Service};

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// CSV, as the importer reads it.
    Csv,
    /// data·inclusion JSON, as the importer reads it.
    DataInclusion,
    /// Open Referral HSDS 3.0 JSON: an array of services.
    Hsds,
}

/// The source name written in data·inclusion records.
const SOURCE: &str = "relais";

fn yes_no(value: bool) -> &'static str {
    if value { "oui" } else { "non" }
}

/// The directory as CSV (UTF-8 with BOM, `;`), one row per service, every
/// cell spreadsheet-safe.
pub fn to_csv(organisations: &[Organisation], services: &[Service]) -> Vec<u8> {
    let by_id: HashMap<&str, &Organisation> =
        organisations.iter().map(|o| (o.id.as_str(), o)).collect();
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    // A spreadsheet opens UTF-8 CSV correctly only with a BOM.
    let mut out = "\u{feff}".as_bytes().to_vec();
    let mut write = |record: Vec<String>| {
        // Writing to memory cannot fail.
        let _ = writer.write_record(
            record
                .iter()
                .map(|cell| spreadsheet_safe(cell).into_owned()),
        );
    };
    write(COLUMNS.iter().map(|c| (*c).to_owned()).collect());
    for service in services {
        let Some(organisation) = by_id.get(service.organisation_id.as_str()) else {
            continue;
        };
        let opt = |value: &Option<String>| value.clone().unwrap_or_default();
        let row = COLUMNS
            .iter()
            .map(|column| match *column {
                "structure_id" => organisation.source_id.clone(),
                "structure_nom" => organisation.name.clone(),
                "structure_type" => organisation.kind.code().to_owned(),
                "structure_siret" => opt(&organisation.siret),
                "structure_telephone" => opt(&organisation.phone),
                "structure_courriel" => opt(&organisation.email),
                "structure_site_web" => opt(&organisation.website),
                "live" => yes_no(organisation.live).to_owned(),
                "live_hours" => organisation.live_hours.clone(),
                "service_id" => service.source_id.clone(),
                "service_nom" => service.name.clone(),
                "presentation" => opt(&service.description),
                "besoins" => service.needs.to_codes(),
                "thematiques" => service.thematiques.join(","),
                "publics" => service.publics.join(","),
                "modes_accueil" => service.modes_accueil.join(","),
                "zone_eligibilite" => service.zone_eligibilite.join(","),
                "horaires_accueil" => opt(&service.opening_hours),
                "telephone" => opt(&service.phone),
                "courriel" => opt(&service.email),
                "site_web" => opt(&service.website),
                "adresse" => opt(&service.street),
                "code_postal" => opt(&service.postcode),
                "code_insee" => service.commune_insee.clone(),
                "latitude" => service.point.map(|p| p.lat.to_string()).unwrap_or_default(),
                "longitude" => service.point.map(|p| p.lon.to_string()).unwrap_or_default(),
                "adresse_confidentielle" => yes_no(service.confidential_address).to_owned(),
                "contact_public" => opt(&service.public_contact),
                "accueil_anonyme" => yes_no(service.accepts_anonymous).to_owned(),
                "langues" => service.languages.join(","),
                "lsf" => yes_no(service.lsf).to_owned(),
                "acces_fauteuil" => yes_no(service.wheelchair).to_owned(),
                "recoit_mineurs" => yes_no(service.receives_minors).to_owned(),
                // Empty when it was never said (data·inclusion's `frais`
                // absent), so that it stays unsaid on the way back.
                "gratuit" => if service.free_of_charge {
                    "oui"
                } else if service.source_fields.get("frais") == Some(&Value::from("payant")) {
                    "non"
                } else {
                    ""
                }
                .to_owned(),
                "recoit_orientations" => yes_no(service.receives_referrals).to_owned(),
                "verifie_le" => service
                    .verified_on
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                "verifie_par" => opt(&service.verified_by),
                // "commune" is derived from code_insee on the way back in.
                _ => String::new(),
            })
            .collect();
        write(row);
    }
    out.extend(writer.into_inner().unwrap_or_default());
    out
}

/// Inserts `value` under `key` unless it is empty.
pub(crate) fn put(object: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(value) = value {
        let value = value.into();
        let empty = matches!(&value, Value::String(s) if s.is_empty())
            || matches!(&value, Value::Array(a) if a.is_empty());
        if !empty {
            object.insert(key.to_owned(), value);
        }
    }
}

/// The directory as data·inclusion JSON: `{"structures": […], "services": […]}`.
///
/// Each record starts from the fields kept as they came
/// (`source_fields`: everything of the schema Relais does not show), then
/// takes Relais's own values for what it shows and may have been edited
/// in the back office. The producer's `source` stays; a number whose value
/// Relais still has is written as it was given (`+33321…`); `date_maj` is
/// the producer's, or the last verification when it is later (or when
/// there is none: a CSV gives no structure a date, so a structure takes its
/// services' latest verification); `frais` is `gratuit` when the service is free,
/// `payant` only when that was said, else absent.
pub fn to_data_inclusion(
    organisations: &[Organisation],
    services: &[Service],
    communes: &Communes,
) -> Value {
    let by_id: HashMap<&str, &Organisation> =
        organisations.iter().map(|o| (o.id.as_str(), o)).collect();
    let latest: HashMap<&str, String> = services
        .iter()
        .filter_map(|s| Some((s.organisation_id.as_str(), s.verified_on?.to_string())))
        .fold(HashMap::new(), |mut latest, (id, date)| {
            let entry = latest.entry(id).or_insert_with(String::new);
            if date > *entry {
                *entry = date;
            }
            latest
        });
    let structures: Vec<Value> = organisations
        .iter()
        .map(|organisation| {
            let mut object = organisation.source_fields.clone();
            object.entry("source").or_insert_with(|| json!(SOURCE));
            let id = own_id(&object, &organisation.source_id);
            object.insert("id".to_owned(), json!(id));
            object.insert("nom".to_owned(), json!(organisation.name));
            let date_maj = later_date(
                object.get("date_maj"),
                latest.get(organisation.id.as_str()).cloned(),
            );
            replace(&mut object, "date_maj", date_maj);
            replace(&mut object, "siret", organisation.siret.clone());
            phone(&mut object, organisation.phone.as_deref());
            replace(&mut object, "courriel", organisation.email.clone());
            replace(&mut object, "site_web", organisation.website.clone());
            let mut relais = Map::new();
            relais.insert("type".to_owned(), json!(organisation.kind.code()));
            relais.insert("live".to_owned(), json!(organisation.live));
            put(
                &mut relais,
                "live_hours",
                Some(organisation.live_hours.clone()),
            );
            object.insert("relais".to_owned(), Value::Object(relais));
            Value::Object(object)
        })
        .collect();
    let services: Vec<Value> = services
        .iter()
        .filter_map(|service| {
            let organisation = by_id.get(service.organisation_id.as_str())?;
            let mut object = service.source_fields.clone();
            object.entry("source").or_insert_with(|| json!(SOURCE));
            let structure_id = own_id(&organisation.source_fields, &organisation.source_id);
            object.insert("structure_id".to_owned(), json!(structure_id));
            let id = own_id(&object, &service.source_id);
            object.insert("id".to_owned(), json!(id));
            object.insert("nom".to_owned(), json!(service.name));
            replace(&mut object, "description", service.description.clone());
            let date_maj = later_date(
                object.get("date_maj"),
                service.verified_on.map(|d| d.to_string()),
            );
            replace(&mut object, "date_maj", date_maj);
            replace(
                &mut object,
                "thematiques",
                Some(service.thematiques.clone()),
            );
            replace(&mut object, "publics", Some(service.publics.clone()));
            replace(
                &mut object,
                "modes_accueil",
                Some(service.modes_accueil.clone()),
            );
            replace(
                &mut object,
                "zone_eligibilite",
                Some(service.zone_eligibilite.clone()),
            );
            replace(
                &mut object,
                "horaires_accueil",
                service.opening_hours.clone(),
            );
            let paid = object.get("frais").and_then(Value::as_str) == Some("payant");
            replace(
                &mut object,
                "frais",
                if service.free_of_charge {
                    Some("gratuit")
                } else if paid {
                    Some("payant")
                } else {
                    None
                },
            );
            phone(&mut object, service.phone.as_deref());
            replace(&mut object, "courriel", service.email.clone());
            replace(&mut object, "adresse", service.street.clone());
            replace(&mut object, "code_postal", service.postcode.clone());
            object.insert("code_insee".to_owned(), json!(service.commune_insee));
            replace(
                &mut object,
                "commune",
                communes
                    .by_insee(&service.commune_insee)
                    .map(|c| c.name.to_string()),
            );
            object.remove("latitude");
            object.remove("longitude");
            if let Some(point) = service.point {
                object.insert("latitude".to_owned(), json!(point.lat));
                object.insert("longitude".to_owned(), json!(point.lon));
            }
            let mut relais = Map::new();
            relais.insert(
                "besoins".to_owned(),
                json!(service.needs.iter().map(Need::code).collect::<Vec<_>>()),
            );
            put(&mut relais, "site_web", service.website.clone());
            relais.insert(
                "adresse_confidentielle".to_owned(),
                json!(service.confidential_address),
            );
            put(
                &mut relais,
                "contact_public",
                service.public_contact.clone(),
            );
            relais.insert(
                "accueil_anonyme".to_owned(),
                json!(service.accepts_anonymous),
            );
            put(&mut relais, "langues", Some(service.languages.clone()));
            relais.insert("lsf".to_owned(), json!(service.lsf));
            relais.insert("acces_fauteuil".to_owned(), json!(service.wheelchair));
            relais.insert("recoit_mineurs".to_owned(), json!(service.receives_minors));
            relais.insert("gratuit".to_owned(), json!(service.free_of_charge));
            relais.insert(
                "recoit_orientations".to_owned(),
                json!(service.receives_referrals),
            );
            put(
                &mut relais,
                "verifie_le",
                service.verified_on.map(|d| d.to_string()),
            );
            put(&mut relais, "verifie_par", service.verified_by.clone());
            object.insert("relais".to_owned(), Value::Object(relais));
            Some(Value::Object(object))
        })
        .collect();
    json!({ "structures": structures, "services": services })
}

/// The `date_maj` to write: the one given, as given, unless Relais's
/// (`verified`, `YYYY-MM-DD`) is later.
fn later_date(given: Option<&Value>, verified: Option<String>) -> Option<Value> {
    let day = given
        .and_then(Value::as_str)
        .map(|d| d.chars().take(10).collect::<String>());
    // ISO dates compare as text.
    match (day, verified) {
        (Some(day), Some(verified)) if verified > day => Some(Value::from(verified)),
        (Some(_), _) => given.cloned(),
        (None, verified) => verified.map(Value::from),
    }
}

/// A record's id as its source wrote it: the import knows it as
/// `source/id`.
fn own_id<'a>(object: &Map<String, Value>, source_id: &'a str) -> &'a str {
    object
        .get("source")
        .and_then(Value::as_str)
        .map(str::trim)
        .and_then(|source| source_id.strip_prefix(source)?.strip_prefix('/'))
        .unwrap_or(source_id)
}

/// Sets `key` to `value`, or removes it when `value` is empty: Relais's
/// own value replaces the one kept from the source.
fn replace(object: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    object.remove(key);
    put(object, key, value);
}

/// The number: as it was given when it still is the number Relais has
/// (`+33321000000` stays so), else as Relais writes it.
fn phone(object: &mut Map<String, Value>, phone: Option<&str>) {
    let given = object.get("telephone").and_then(Value::as_str);
    let same = given
        .and_then(|raw| crate::directory::contact::Phone::parse(raw).ok())
        .is_some_and(|parsed| Some(parsed.as_str()) == phone);
    if !same {
        replace(object, "telephone", phone.map(str::to_owned));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::cells::FORMULA_STARTS;

    #[test]
    fn no_cell_of_the_csv_export_starts_like_a_formula_and_the_import_reads_it_back() {
        let communes = Communes::embedded();
        let text = "structure_id;structure_nom;structure_type;structure_telephone;service_id;service_nom;besoins;code_insee;presentation;verifie_le\n\
                    a;\"=HYPERLINK(\"\"https://evil.example\"\";\"\"x\"\")\";lawyer;+33 3 21 00 00 00;s;@SUM(1);legal;62588;-moins;2026-11-28\n";
        let parsed = crate::directory::import::parse(
            text.as_bytes(),
            crate::directory::import::Format::Csv,
            &communes,
        )
        .unwrap();
        let mut organisations = parsed.organisations.clone();
        organisations[0].id = organisations[0].source_id.as_str().into();
        let csv = to_csv(&organisations, &parsed.services);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(&csv[3..]);
        for record in reader.records() {
            for cell in &record.unwrap() {
                assert!(!cell.starts_with(FORMULA_STARTS), "{cell:?}");
            }
        }
        let again =
            crate::directory::import::parse(&csv, crate::directory::import::Format::Csv, &communes)
                .unwrap();
        assert_eq!(
            again.organisations[0].name,
            "=HYPERLINK(\"https://evil.example\";\"x\")"
        );
        assert_eq!(
            again.organisations[0].phone.as_deref(),
            parsed.organisations[0].phone.as_deref()
        );
        assert_eq!(again.services[0].name, "@SUM(1)");
        assert_eq!(again.services[0].description.as_deref(), Some("-moins"));
    }

    #[test]
    fn live_help_and_its_hours_survive_an_export_and_an_import_in_both_formats() {
        use crate::directory::import::{Format, parse};
        let communes = Communes::embedded();
        let text = "structure_id;structure_nom;structure_type;live;live_hours;service_id;service_nom;besoins;code_insee;presentation;verifie_le\n\
                    a;A (exemple);victim-support;oui;\"Mo-Fr 13:00-20:00; PH off\";s1;Écoute;legal;62588;Une écoute;2026-11-28\n\
                    b;B (exemple);cidff;non;Sa 10:00-12:00;s2;Permanence;legal;62588;Une permanence;2026-11-28\n\
                    c;C (exemple);lawyer;non;;s3;Consultation;legal;62588;Une consultation;2026-11-28\n";
        let parsed = parse(text.as_bytes(), Format::Csv, &communes).unwrap();
        let organisations: Vec<Organisation> = parsed
            .organisations
            .iter()
            .map(|o| Organisation {
                id: o.source_id.as_str().into(),
                ..o.clone()
            })
            .collect();
        let csv = to_csv(&organisations, &parsed.services);
        let json = to_data_inclusion(&organisations, &parsed.services, &communes).to_string();
        for (bytes, format) in [
            (csv, Format::Csv),
            (json.into_bytes(), Format::DataInclusion),
        ] {
            let mut again = parse(&bytes, format, &communes).unwrap();
            // What the JSON carries besides (its `source`, `date_maj`) is
            // compared by tests/it/data_inclusion.rs.
            again.complete_source_fields = parsed.complete_source_fields;
            for organisation in &mut again.organisations {
                organisation.source_fields.clear();
            }
            for service in &mut again.services {
                service.source_fields.clear();
            }
            assert_eq!(again, parsed, "{format:?}");
        }
    }

    #[test]
    fn frais_is_written_only_when_it_was_said() {
        use crate::directory::import::{Format, parse};
        let communes = Communes::embedded();
        let text = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee;presentation;verifie_le;gratuit\n\
                    a;A (exemple);cidff;s1;Permanence;legal;62588;Une permanence;2026-11-28;\n\
                    a;A (exemple);cidff;s2;Permanence;legal;62588;Une permanence;2026-11-28;non\n\
                    a;A (exemple);cidff;s3;Permanence;legal;62588;Une permanence;2026-11-28;oui\n";
        let parsed = parse(text.as_bytes(), Format::Csv, &communes).unwrap();
        let organisations: Vec<Organisation> = parsed
            .organisations
            .iter()
            .map(|o| Organisation {
                id: o.source_id.as_str().into(),
                ..o.clone()
            })
            .collect();
        let json = to_data_inclusion(&organisations, &parsed.services, &communes);
        let frais: Vec<Option<&str>> = json["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.get("frais").and_then(Value::as_str))
            .collect();
        assert_eq!(frais, [None, Some("payant"), Some("gratuit")]);
        // The structure takes its services' latest verification.
        assert_eq!(json["structures"][0]["date_maj"], "2026-11-28");
        assert_eq!(json["structures"][0]["source"], "relais");
    }
}
