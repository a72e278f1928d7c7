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
                "gratuit" => yes_no(service.free_of_charge).to_owned(),
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
            let mut object = Map::new();
            object.insert("source".to_owned(), json!(SOURCE));
            object.insert("id".to_owned(), json!(organisation.source_id));
            object.insert("nom".to_owned(), json!(organisation.name));
            put(
                &mut object,
                "date_maj",
                latest.get(organisation.id.as_str()).cloned(),
            );
            put(&mut object, "siret", organisation.siret.clone());
            put(&mut object, "telephone", organisation.phone.clone());
            put(&mut object, "courriel", organisation.email.clone());
            put(&mut object, "site_web", organisation.website.clone());
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
            let mut object = Map::new();
            object.insert("source".to_owned(), json!(SOURCE));
            object.insert("structure_id".to_owned(), json!(organisation.source_id));
            object.insert("id".to_owned(), json!(service.source_id));
            object.insert("nom".to_owned(), json!(service.name));
            put(&mut object, "description", service.description.clone());
            put(
                &mut object,
                "date_maj",
                service.verified_on.map(|d| d.to_string()),
            );
            put(
                &mut object,
                "thematiques",
                Some(service.thematiques.clone()),
            );
            put(&mut object, "publics", Some(service.publics.clone()));
            put(
                &mut object,
                "modes_accueil",
                Some(service.modes_accueil.clone()),
            );
            put(
                &mut object,
                "zone_eligibilite",
                Some(service.zone_eligibilite.clone()),
            );
            put(
                &mut object,
                "horaires_accueil",
                service.opening_hours.clone(),
            );
            object.insert(
                "frais".to_owned(),
                json!(if service.free_of_charge {
                    "gratuit"
                } else {
                    "payant"
                }),
            );
            put(&mut object, "telephone", service.phone.clone());
            put(&mut object, "courriel", service.email.clone());
            put(&mut object, "adresse", service.street.clone());
            put(&mut object, "code_postal", service.postcode.clone());
            object.insert("code_insee".to_owned(), json!(service.commune_insee));
            put(
                &mut object,
                "commune",
                communes
                    .by_insee(&service.commune_insee)
                    .map(|c| c.name.to_string()),
            );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::cells::FORMULA_STARTS;

    #[test]
    fn no_cell_of_the_csv_export_starts_like_a_formula_and_the_import_reads_it_back() {
        let communes = Communes::embedded();
        let text = "structure_id;structure_nom;structure_type;structure_telephone;service_id;service_nom;besoins;code_insee;presentation\n\
                    a;\"=HYPERLINK(\"\"https://evil.example\"\";\"\"x\"\")\";lawyer;+33 3 21 00 00 00;s;@SUM(1);legal;62588;-moins\n";
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
        let text = "structure_id;structure_nom;structure_type;live;live_hours;service_id;service_nom;besoins;code_insee\n\
                    a;A (exemple);victim-support;oui;\"Mo-Fr 13:00-20:00; PH off\";s1;X;legal;62588\n\
                    b;B (exemple);cidff;non;Sa 10:00-12:00;s2;X;legal;62588\n\
                    c;C (exemple);lawyer;non;;s3;X;legal;62588\n";
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
            let again = parse(&bytes, format, &communes).unwrap();
            assert_eq!(again, parsed, "{format:?}");
        }
    }
}
