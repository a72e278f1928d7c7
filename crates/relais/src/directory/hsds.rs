//! Open Referral HSDS 3.0 export, for other directories: an array of
//! services, each nesting its organisation, location, phones, schedules and
//! languages.
//!
//! A confidential address is never written: such a service has no street
//! and no coordinate, not even its commune's, only its public contact.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::directory::communes::Communes;
use crate::directory::export::put;
use crate::directory::hours::{Hours, timezone_of};
use crate::directory::model::{Organisation, Service};

/// A stable UUID (version 8, RFC 9562) for one of our identifiers, so that
/// two exports of the same directory name records the same way.
pub fn stable_uuid(kind: &str, id: &str) -> String {
    let hash = |seed: u64| {
        format!("{kind}:{id}").bytes().fold(seed, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    let (high, low) = (hash(0xcbf2_9ce4_8422_2325), hash(0x8422_2325_cbf2_9ce4));
    // Version 8 in bits 48-51, variant 10 in bits 64-65.
    let high = (high & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_8000;
    let low = (low & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    let hex = format!("{high:016x}{low:016x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The directory as Open Referral HSDS 3.0: an array of services, each with
/// its organisation, location, phones, schedule and languages nested.
pub fn to_hsds(organisations: &[Organisation], services: &[Service], communes: &Communes) -> Value {
    let by_id: HashMap<&str, &Organisation> =
        organisations.iter().map(|o| (o.id.as_str(), o)).collect();
    let records: Vec<Value> = services
        .iter()
        .filter_map(|service| {
            let organisation = by_id.get(service.organisation_id.as_str())?;
            let commune = communes.by_insee(&service.commune_insee);
            let organisation_uuid = stable_uuid("organisation", organisation.id.as_str());
            let service_uuid = stable_uuid("service", service.id.as_str());
            let location_uuid = stable_uuid("location", service.id.as_str());
            let mut organisation_json = Map::new();
            organisation_json.insert("id".to_owned(), json!(organisation_uuid));
            organisation_json.insert("name".to_owned(), json!(organisation.name));
            organisation_json.insert("description".to_owned(), json!(organisation.kind.label()));
            put(&mut organisation_json, "email", organisation.email.clone());
            put(&mut organisation_json, "website", organisation.website.clone());
            if let Some(phone) = &organisation.phone {
                organisation_json.insert(
                    "phones".to_owned(),
                    json!([{ "id": stable_uuid("organisation-phone", organisation.id.as_str()), "number": phone }]),
                );
            }
            if let Some(siret) = &organisation.siret {
                organisation_json.insert(
                    "organization_identifiers".to_owned(),
                    json!([{
                        "id": stable_uuid("siret", organisation.id.as_str()),
                        "identifier_scheme": "FR-SIRET",
                        "identifier_type": "SIRET",
                        "identifier": siret,
                    }]),
                );
            }

            let mut location = Map::new();
            location.insert("id".to_owned(), json!(location_uuid));
            location.insert("location_type".to_owned(), json!("physical"));
            location.insert("name".to_owned(), json!(commune.map(|c| c.name.to_string()).unwrap_or_default()));
            if service.confidential_address {
                // Only the public contact point: no street, no coordinate.
                put(&mut location, "transportation", service.public_contact.clone());
            } else {
                let point = service.point.or_else(|| commune.map(|c| c.point));
                if let Some(point) = point {
                    location.insert("latitude".to_owned(), json!(point.lat));
                    location.insert("longitude".to_owned(), json!(point.lon));
                }
                // A city and a postcode even without a street: the first
                // line, which HSDS requires, is then the commune's name.
                if let Some(commune) = commune {
                    let street = service.street.clone().unwrap_or_else(|| commune.name.to_string());
                    let postcode = service.postcode.clone().or_else(|| commune.postcodes.first().map(ToString::to_string));
                    location.insert(
                        "addresses".to_owned(),
                        json!([{
                            "id": stable_uuid("address", service.id.as_str()),
                            "address_1": street,
                            "city": commune.name.to_string(),
                            "state_province": communes.departement_name(&commune.departement).unwrap_or_default(),
                            "postal_code": postcode.unwrap_or_default(),
                            "country": "FR",
                            "address_type": "physical",
                        }]),
                    );
                }
                if service.wheelchair {
                    location.insert(
                        "accessibility".to_owned(),
                        json!([{ "id": stable_uuid("accessibility", service.id.as_str()), "description": "Accessible en fauteuil roulant" }]),
                    );
                }
            }

            let mut record = Map::new();
            record.insert("id".to_owned(), json!(service_uuid));
            record.insert("name".to_owned(), json!(service.name));
            record.insert("status".to_owned(), json!("active"));
            put(&mut record, "description", service.description.clone());
            put(&mut record, "email", service.email.clone());
            put(&mut record, "url", service.website.clone());
            put(&mut record, "assured_date", service.verified_on.map(|d| d.to_string()));
            if service.free_of_charge {
                record.insert("fees_description".to_owned(), json!("Gratuit"));
            }
            if !service.receives_minors {
                record.insert("minimum_age".to_owned(), json!(18));
            }
            record.insert("organization".to_owned(), Value::Object(organisation_json));
            if let Some(phone) = &service.phone {
                record.insert("phones".to_owned(), json!([{ "id": stable_uuid("phone", service.id.as_str()), "number": phone }]));
            }
            if let Some(hours) = &service.opening_hours {
                let zone = commune.map_or("Europe/Paris", |c| timezone_of(&c.departement));
                record.insert("schedules".to_owned(), schedules(service.id.as_str(), hours, zone));
            }
            let areas: Vec<Value> = service
                .zone_eligibilite
                .iter()
                .map(|code| service_area(service.id.as_str(), code.as_str(), communes))
                .collect();
            if !areas.is_empty() {
                record.insert("service_areas".to_owned(), Value::Array(areas));
            }
            let languages: Vec<Value> = service
                .languages
                .iter()
                .map(|code| json!({ "id": stable_uuid("language", &format!("{}:{code}", service.id)), "code": code }))
                .collect();
            if !languages.is_empty() {
                record.insert("languages".to_owned(), Value::Array(languages));
            }
            record.insert(
                "service_at_locations".to_owned(),
                json!([{ "id": stable_uuid("service-at-location", service.id.as_str()), "location": Value::Object(location) }]),
            );
            let needs: Vec<Value> = service
                .needs
                .iter()
                .map(|need| {
                    // HSDS 3.0 fields only: `label` and `vocabulary` are 3.1's.
                    json!({
                        "id": stable_uuid("attribute", &format!("{}:{}", service.id, need.code())),
                        "taxonomy_term_id": stable_uuid("need", need.code()),
                        "value": need.code(),
                        "taxonomy_term": {
                            "id": stable_uuid("need", need.code()),
                            "code": need.code(),
                            "name": need.label(),
                            "description": need.label(),
                            "taxonomy": "relais-needs",
                        },
                    })
                })
                .collect();
            record.insert("attributes".to_owned(), Value::Array(needs));
            Some(Value::Object(record))
        })
        .collect();
    Value::Array(records)
}

/// The schedules of a service: one per regular opening when the hours are
/// only recurrences (weekly, or the nth weekdays of a month), each with the
/// whole expression in its description; otherwise one schedule that gives
/// the expression in words only.
fn schedules(service_id: &str, hours: &str, zone: &str) -> Value {
    let description = format!("Horaires (syntaxe OpenStreetMap opening_hours) : {hours}");
    let slots = Hours::parse(hours)
        .ok()
        .and_then(|parsed| parsed.regular_slots())
        .filter(|slots| !slots.is_empty());
    let Some(slots) = slots else {
        return json!([{
            "id": stable_uuid("schedule", service_id),
            "description": description,
        }]);
    };
    let records = slots
        .iter()
        .enumerate()
        .map(|(index, slot)| {
            // Times are the service's local time: a fixed UTC offset would
            // be wrong half the year in France.
            json!({
                "id": stable_uuid("schedule", &format!("{service_id}:{index}")),
                "freq": if slot.monthly { "MONTHLY" } else { "WEEKLY" },
                "interval": 1,
                "byday": slot.days.join(","),
                "opens_at": slot.opens,
                "closes_at": slot.closes,
                "description": description,
                "notes": format!("Heure locale ({zone})"),
            })
        })
        .collect();
    Value::Array(records)
}

/// The HSDS service area of one eligibility code: a commune (INSEE code)
/// or a département.
fn service_area(service_id: &str, code: &str, communes: &Communes) -> Value {
    let (name, description) = match communes.by_insee(code) {
        Some(commune) => (
            commune.name.to_string(),
            format!("Commune (code INSEE {code})"),
        ),
        None => (
            communes
                .departement_name(code)
                .map_or_else(|| code.to_owned(), ToString::to_string),
            format!("Département {code}"),
        ),
    };
    json!({
        "id": stable_uuid("service-area", &format!("{service_id}:{code}")),
        "name": name,
        "description": description,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_uuids_are_uuids_and_stable() {
        let a = stable_uuid("service", "abc");
        assert_eq!(a, stable_uuid("service", "abc"));
        assert_ne!(a, stable_uuid("service", "abd"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8", "version 8: {a}");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "variant: {a}");
    }

    fn export(rows: &str) -> Vec<Value> {
        use crate::directory::import::{Format, parse};
        let communes = Communes::embedded();
        let text = format!(
            "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee;adresse;zone_eligibilite;horaires_accueil;presentation;verifie_le\n{}",
            rows.lines()
                .map(|row| format!("{row};Une permanence d'accueil;2026-11-28\n"))
                .collect::<String>()
        );
        let parsed = parse(text.as_bytes(), Format::Csv, &communes).unwrap();
        let organisations: Vec<Organisation> = parsed
            .organisations
            .iter()
            .map(|o| Organisation {
                id: o.source_id.as_str().into(),
                ..o.clone()
            })
            .collect();
        let hsds = to_hsds(&organisations, &parsed.services, &communes);
        hsds.as_array().unwrap().clone()
    }

    #[test]
    fn regular_hours_become_structured_schedules_and_others_stay_in_words() {
        let records = export(
            "a;A (exemple);cidff;s1;Lieu X;legal;62588;;;\"Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off\"\n\
             a;A (exemple);cidff;s2;Lieu Y;legal;62588;;;\"We[2,4] 14:00-16:00\"\n\
             a;A (exemple);cidff;s3;Lieu Z;legal;62588;;;\"Mo-Fr 09:00-17:00 \"\"sur rendez-vous\"\"\"\n",
        );
        let schedules = |i: usize| records[i]["schedules"].as_array().unwrap().clone();
        let weekly = schedules(0);
        let slot = |opens: &str, closes: &str| {
            weekly
                .iter()
                .find(|s| s["opens_at"] == opens && s["closes_at"] == closes)
                .unwrap_or_else(|| panic!("no {opens}-{closes}: {weekly:?}"))
                .clone()
        };
        assert_eq!(slot("09:00", "12:00")["byday"], "MO,TU,WE,TH,FR,SA");
        assert_eq!(slot("14:00", "17:00")["byday"], "MO,TU,WE,TH,FR");
        assert_eq!(slot("09:00", "12:00")["freq"], "WEEKLY");
        assert!(
            slot("14:00", "17:00")["description"]
                .as_str()
                .unwrap()
                .contains("PH off")
        );
        let monthly = schedules(1);
        assert_eq!(monthly[0]["freq"], "MONTHLY");
        assert_eq!(monthly[0]["byday"], "2WE,4WE");
        let words = schedules(2);
        assert_eq!(words.len(), 1);
        assert!(words[0]["opens_at"].is_null() && words[0]["description"].is_string());
    }

    #[test]
    fn an_address_without_street_has_its_city_and_postcode_and_zones_are_service_areas() {
        let records = export("a;A (exemple);cidff;s1;Lieu X;legal;62588;;62588,62;\n");
        let location = &records[0]["service_at_locations"][0]["location"];
        let address = &location["addresses"][0];
        assert_eq!(address["city"], "Montreuil-sur-Mer");
        assert_eq!(address["postal_code"], "62170");
        assert_eq!(address["address_1"], "Montreuil-sur-Mer");
        let areas = records[0]["service_areas"].as_array().unwrap();
        assert_eq!(areas.len(), 2);
        assert_eq!(areas[0]["name"], "Montreuil-sur-Mer");
        assert_eq!(areas[1]["description"], "Département 62");
        // HSDS 3.0 has neither `attributes[].label` nor `vocabulary`.
        let attribute = &records[0]["attributes"][0];
        assert!(attribute["label"].is_null());
        assert!(attribute["taxonomy_term"]["vocabulary"].is_null());
        assert_eq!(attribute["taxonomy_term"]["taxonomy"], "relais-needs");
    }
}
