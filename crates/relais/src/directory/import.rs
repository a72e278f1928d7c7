//! Reading a directory file: CSV (one row per service) or data·inclusion
//! JSON, into organisations and services.
//!
//! Parsing is all or nothing: every problem in the file is collected, each
//! with its place (a line number for CSV, a JSON path), its column and a
//! reason in plain French, and nothing is returned unless there is none.
//! Both formats go through the same checks: a JSON record is first turned
//! into the CSV's columns.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;

use jiff::civil::Date;
use serde_json::{Map, Value};

use crate::directory::communes::{Communes, Point, Resolution, ZoneCode, is_postcode_shaped};
use crate::directory::contact::{Phone, check_email, check_website};
use crate::directory::hours::{self, Hours};
use crate::directory::model::{Kind, Need, Needs, Organisation, Service};
use crate::directory::vocabulary::{self, List};
use crate::storage::{OrganisationId, ServiceId};

/// The formats a directory file can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// CSV, columns as in docs/directory.md.
    Csv,
    /// data·inclusion JSON.
    DataInclusion,
}

impl Format {
    /// The format a file's extension suggests.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" | "txt" => Some(Self::Csv),
            "json" => Some(Self::DataInclusion),
            _ => None,
        }
    }
}

/// One problem in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where: "ligne 7", "services[3]".
    pub place: String,
    /// Which column or field, when one is concerned.
    pub column: Option<String>,
    /// What is wrong, in plain French.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) if self.place.contains('[') => {
                write!(f, "{}.{column} : {}", self.place, self.reason)
            }
            Some(column) => write!(f, "{}, colonne {column} : {}", self.place, self.reason),
            None => write!(f, "{} : {}", self.place, self.reason),
        }
    }
}

/// What a file holds, checked. A service's `organisation_id` holds its
/// organisation's *source* identifier until it is stored; `id` fields are
/// empty.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    /// Organisations, in file order.
    pub organisations: Vec<Organisation>,
    /// Services, in file order.
    pub services: Vec<Service>,
    /// The source identifiers of the organisations whose record gives
    /// neither `live` nor `live_hours` (a file from before live help, or
    /// from another directory): storing keeps the live help they already
    /// have, which their members may have set, instead of switching it off.
    pub without_live: Vec<String>,
    /// What was read but is worth a look, without stopping the import: a
    /// data·inclusion version 0 code read as its version 1 code, a service
    /// left out because no need of Relais matches its thematiques…
    pub warnings: Vec<Problem>,
    /// The file was data·inclusion: its records' `source_fields` are the
    /// whole of what the source says, and replace what was kept. A CSV's
    /// (at most `frais`) are added to what a data·inclusion import kept.
    pub complete_source_fields: bool,
    /// The opening hours corrected on the way in (`--fix-hours`), in file
    /// order.
    pub hours_fixes: Vec<HoursFix>,
}

/// Opening hours the specification refuses, corrected as Relais proposes
/// (`Mon-Fri 9-17` → `Mo-Fr 09:00-17:00`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoursFix {
    /// Where: "ligne 7, colonne horaires_accueil", "services[3].horaires_accueil".
    pub place: String,
    /// As written in the file.
    pub from: String,
    /// As imported.
    pub to: String,
}

/// The CSV columns, in the order the export writes them.
pub const COLUMNS: &[&str] = &[
    "structure_id",
    "structure_nom",
    "structure_type",
    "structure_siret",
    "structure_telephone",
    "structure_courriel",
    "structure_site_web",
    "live",
    "live_hours",
    "service_id",
    "service_nom",
    "presentation",
    "besoins",
    "thematiques",
    "publics",
    "modes_accueil",
    "zone_eligibilite",
    "horaires_accueil",
    "telephone",
    "courriel",
    "site_web",
    "adresse",
    "code_postal",
    "code_insee",
    "commune",
    "latitude",
    "longitude",
    "adresse_confidentielle",
    "contact_public",
    "accueil_anonyme",
    "langues",
    "lsf",
    "acces_fauteuil",
    "recoit_mineurs",
    "gratuit",
    "recoit_orientations",
    "verifie_le",
    "verifie_par",
];

/// The most characters a column's value may have: a value longer is a
/// problem of its own, and is cut before any other check reads it.
pub fn column_max(column: &str) -> usize {
    match column {
        // data·inclusion's bounds: a description of 10,000 characters, a
        // name of 150.
        "presentation" => DESCRIPTION_MAX,
        "structure_nom" | "service_nom" => NAME_MAX,
        "adresse" | "commune" | "verifie_par" => 200,
        "contact_public" => 300,
        "horaires_accueil" | "live_hours" => 500,
        "structure_courriel" | "courriel" => 254,
        "structure_site_web" | "site_web" => 500,
        "besoins" | "thematiques" | "publics" | "modes_accueil" | "zone_eligibilite"
        | "langues" => 2000,
        "structure_id" | "service_id" => 100,
        _ => 40,
    }
}

/// The fewest characters of a name (data·inclusion: 3).
pub const NAME_MIN: usize = 3;
/// The most characters of a name (data·inclusion: 150).
pub const NAME_MAX: usize = 150;
/// The fewest characters of a presentation (data·inclusion: 5).
pub const DESCRIPTION_MIN: usize = 5;
/// The most characters of a presentation (data·inclusion: 10,000).
pub const DESCRIPTION_MAX: usize = 10_000;

/// The live hours every message about them shows as an example.
const LIVE_HOURS_EXAMPLE: &str = "Mo-Fr 13:00-20:00; PH off";

const REQUIRED: &[&str] = &[
    "structure_id",
    "structure_nom",
    "structure_type",
    "service_id",
    "service_nom",
    "besoins",
];

/// Reads a directory file of the given format.
pub fn parse(bytes: &[u8], format: Format, communes: &Communes) -> Result<Parsed, Vec<Problem>> {
    parse_with(bytes, format, communes, false)
}

/// Reads a directory file of the given format; with `fix_hours`, opening
/// hours that Relais can correct are corrected (and listed in
/// [`Parsed::hours_fixes`]) instead of refused with the correction proposed.
pub fn parse_with(
    bytes: &[u8],
    format: Format,
    communes: &Communes,
    fix_hours: bool,
) -> Result<Parsed, Vec<Problem>> {
    let mut records = match format {
        Format::Csv => csv_records(bytes)?,
        Format::DataInclusion => json_records(bytes)?,
    };
    let too_long = bound(&mut records);
    let mut parsed = with_problems(
        too_long,
        check_records(&records, communes, today(), fix_hours),
    )?;
    parsed.complete_source_fields = format == Format::DataInclusion;
    Ok(parsed)
}

/// Today in metropolitan France: no date checked may come after it.
fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Paris").unwrap_or(jiff::tz::TimeZone::UTC))
        .date()
}

/// A data·inclusion record is known by its source and id: two sources
/// may use the same id, and the national files mix sources. Every `id`
/// (and a service's `structure_id`) of `value` is prefixed by its record's
/// `source`.
fn key_by_source(value: &mut Value) {
    let key = |record: &mut Map<String, Value>, field: &str| {
        let source = record
            .get("source")
            .and_then(Value::as_str)
            .map(str::trim)
            // Relais's own export says `relais`: its ids are already ours.
            .filter(|s| !s.is_empty() && *s != "relais")
            .map(str::to_owned);
        let Some(source) = source else { return };
        let id = match record.get(field) {
            Some(Value::String(id)) => id.trim().to_owned(),
            Some(Value::Number(id)) => id.to_string(),
            _ => return,
        };
        if !id.is_empty() {
            record.insert(field.to_owned(), Value::String(format!("{source}/{id}")));
        }
    };
    let each = |items: Option<&mut Value>, fields: &[&str]| {
        if let Some(Value::Array(items)) = items {
            for item in items {
                if let Value::Object(record) = item {
                    for field in fields {
                        key(record, field);
                    }
                }
            }
        }
    };
    // A bare array holds services when one of them names its structure,
    // as the import reads it.
    let bare_services = value
        .as_array()
        .is_some_and(|items| items.iter().any(|item| item.get("structure_id").is_some()));
    if let Value::Object(object) = value {
        each(object.get_mut("structures"), &["id"]);
        each(object.get_mut("services"), &["id", "structure_id"]);
    } else if value.is_array() {
        let fields: &[&str] = if bare_services {
            &["id", "structure_id"]
        } else {
            &["id"]
        };
        each(Some(value), fields);
    }
}

/// Cuts every value to its column's bound ([`column_max`]) before any check
/// reads it, writing down a problem for each value cut.
fn bound(records: &mut [Record]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for record in records.iter_mut() {
        let mut cut = Vec::new();
        for (column, value) in &mut record.fields {
            let max = column_max(column);
            if let Some((at, _)) = value.char_indices().nth(max) {
                value.truncate(at);
                cut.push((*column, max));
            }
        }
        cut.sort_unstable();
        for (column, max) in cut {
            problems.push(record.problem(column, format!("trop long : {max} caractères au plus")));
        }
    }
    problems
}

/// `result`, with the problems found before it first.
fn with_problems<T>(
    mut first: Vec<Problem>,
    result: Result<T, Vec<Problem>>,
) -> Result<T, Vec<Problem>> {
    match result {
        Ok(value) if first.is_empty() => Ok(value),
        Ok(_) => Err(first),
        Err(problems) => {
            first.extend(problems);
            Err(first)
        }
    }
}

/// A record with the CSV's column names, wherever it came from.
#[derive(Debug)]
struct Record {
    /// "ligne 7" or "services[3]".
    place: String,
    fields: HashMap<&'static str, String>,
    /// For JSON, the field name behind each column (`relais.besoins`).
    json_names: Option<HashMap<&'static str, &'static str>>,
    /// What the record describes: both (CSV), an organisation, a service.
    holds: Holds,
    /// The data·inclusion fields Relais has no column for, and those whose
    /// value as given the export writes back (`source`, `telephone`,
    /// `date_maj`, `frais`): kept as they came.
    source_fields: Map<String, Value>,
    /// A data·inclusion service without `relais.besoins`: its needs are
    /// read from its thematiques.
    needs_from_thematiques: bool,
    /// A data·inclusion structure without `relais.type`: its kind was
    /// read from `typologie` or `reseaux_porteurs` (or is `other`).
    kind_derived: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Holds {
    Both,
    Organisation,
    Service,
}

impl Record {
    fn get(&self, column: &str) -> Option<&str> {
        self.fields
            .get(column)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn problem(&self, column: &str, reason: impl Into<String>) -> Problem {
        let name = self
            .json_names
            .as_ref()
            .and_then(|names| names.get(column).copied())
            .unwrap_or(column);
        Problem {
            place: self.place.clone(),
            column: Some(name.to_owned()),
            reason: reason.into(),
        }
    }

    /// A problem with the `index`-th value of a list column: at its JSON
    /// path (`thematiques[1]`) in a data·inclusion file, at the column in a
    /// CSV.
    fn item_problem(&self, column: &str, index: usize, reason: impl Into<String>) -> Problem {
        let mut problem = self.problem(column, reason);
        if self.json_names.is_some()
            && let Some(name) = &mut problem.column
        {
            name.push_str(&format!("[{index}]"));
        }
        problem
    }

    /// Whether the record was typed in a back-office form.
    fn is_form(&self) -> bool {
        self.place == FORM_PLACE
    }
}

/// Where a problem of a back-office form is.
const FORM_PLACE: &str = "formulaire";

/// Whether a column describes the organisation rather than the service.
pub fn is_organisation_column(column: &str) -> bool {
    column.starts_with("structure_") || column == "live" || column == "live_hours"
}

/// Checks an organisation typed in a form (fields named like the CSV's
/// columns); problems name the field.
pub fn check_organisation_fields(
    fields: &[(String, String)],
) -> Result<Organisation, Vec<Problem>> {
    let mut record = form_record(fields, Holds::Organisation);
    let mut problems = bound(std::slice::from_mut(&mut record));
    let mut warnings = Vec::new();
    // A form is typed by a person: hours are refused with their
    // correction proposed, never corrected behind her back.
    let organisation = Check {
        record: &record,
        problems: &mut problems,
        warnings: &mut warnings,
        today: today(),
        fix_hours: false,
        hours_fixes: &mut Vec::new(),
    }
    .organisation();
    match organisation {
        Some(organisation) if problems.is_empty() => Ok(organisation),
        _ => Err(problems),
    }
}

/// Checks a service typed in a form (fields named like the CSV's columns,
/// `structure_id` holding its organisation's source id).
pub fn check_service_fields(
    fields: &[(String, String)],
    communes: &Communes,
) -> Result<Service, Vec<Problem>> {
    let mut record = form_record(fields, Holds::Service);
    let mut problems = bound(std::slice::from_mut(&mut record));
    let mut warnings = Vec::new();
    // A form is typed by a person: hours are refused with their
    // correction proposed, never corrected behind her back.
    let service = Check {
        record: &record,
        problems: &mut problems,
        warnings: &mut warnings,
        today: today(),
        fix_hours: false,
        hours_fixes: &mut Vec::new(),
    }
    .service(communes);
    match service {
        Some(service) if problems.is_empty() => Ok(service),
        _ => Err(problems),
    }
}

fn form_record(fields: &[(String, String)], holds: Holds) -> Record {
    let mut values: HashMap<&'static str, String> = HashMap::new();
    for (name, value) in fields {
        if let Some(column) = COLUMNS.iter().find(|c| **c == name.as_str()) {
            // Checkbox lists arrive as repeated fields: join them.
            values
                .entry(column)
                .and_modify(|v| {
                    v.push(',');
                    v.push_str(value);
                })
                .or_insert_with(|| value.clone());
        }
    }
    Record {
        place: FORM_PLACE.to_owned(),
        fields: values,
        json_names: None,
        holds,
        source_fields: Map::new(),
        needs_from_thematiques: false,
        kind_derived: false,
    }
}

/// Splits a CSV file into records, checking its header.
fn csv_records(bytes: &[u8]) -> Result<Vec<Record>, Vec<Problem>> {
    let text = decode(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let header_line = text.lines().next().unwrap_or_default();
    let delimiter = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| header_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = |place: &str, column: Option<&str>, reason: String| Problem {
        place: place.to_owned(),
        column: column.map(str::to_owned),
        reason,
    };
    let headers = reader
        .headers()
        .map_err(|e| vec![header("ligne 1", None, format!("en-tête illisible ({e})"))])?
        .clone();
    let mut problems = Vec::new();
    let mut columns = Vec::new();
    for name in &headers {
        let name = name.trim().to_lowercase();
        match COLUMNS.iter().find(|c| **c == name) {
            Some(known) if columns.contains(&Some(*known)) => {
                problems.push(header(
                    "ligne 1",
                    Some(known),
                    "colonne en double".to_owned(),
                ));
                columns.push(None);
            }
            Some(known) => columns.push(Some(*known)),
            None => {
                problems.push(header(
                    "ligne 1",
                    Some(&name),
                    "colonne inconnue (voir docs/directory.md)".to_owned(),
                ));
                columns.push(None);
            }
        }
    }
    for required in REQUIRED {
        if !columns.contains(&Some(*required)) {
            problems.push(header(
                "ligne 1",
                Some(required),
                "colonne obligatoire absente".to_owned(),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut records = Vec::new();
    for row in reader.records() {
        let row = match row {
            Ok(row) => row,
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                problems.push(header(
                    &format!("ligne {line}"),
                    None,
                    format!("ligne illisible ({error})"),
                ));
                continue;
            }
        };
        let line = row.position().map_or(0, csv::Position::line);
        if row.iter().all(str::is_empty) {
            continue;
        }
        if row.len() > columns.len() {
            problems.push(header(
                &format!("ligne {line}"),
                None,
                format!(
                    "{} valeurs pour {} colonnes (un séparateur en trop ?)",
                    row.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        let fields: HashMap<&'static str, String> = columns
            .iter()
            .zip(row.iter())
            .filter_map(|(column, value)| {
                column.map(|c| {
                    (
                        c,
                        crate::directory::cells::from_spreadsheet_safe(value).to_owned(),
                    )
                })
            })
            .collect();
        // An explicit "non" in `gratuit` says the service is paid for; an
        // empty cell says nothing (data·inclusion's `frais` stays empty).
        let mut source_fields = Map::new();
        if let Some(free) = fields.get("gratuit")
            && matches!(
                free.trim().to_lowercase().as_str(),
                "non" | "n" | "no" | "faux" | "false" | "0"
            )
        {
            source_fields.insert("frais".to_owned(), Value::from("payant"));
        }
        records.push(Record {
            place: format!("ligne {line}"),
            fields,
            json_names: None,
            holds: Holds::Both,
            source_fields,
            needs_from_thematiques: false,
            kind_derived: false,
        });
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(problems)
    }
}

/// UTF-8, or Windows-1252 as spreadsheets save "CSV" in France.
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| windows_1252(b)).collect(),
    }
}

fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9f => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// Column ← data·inclusion field, for structures.
const STRUCTURE_FIELDS: &[(&str, &str)] = &[
    ("structure_id", "id"),
    ("structure_nom", "nom"),
    ("structure_type", "relais.type"),
    ("structure_siret", "siret"),
    ("structure_telephone", "telephone"),
    ("structure_courriel", "courriel"),
    ("structure_site_web", "site_web"),
    ("live", "relais.live"),
    ("live_hours", "relais.live_hours"),
];

/// Column ← data·inclusion field, for services.
const SERVICE_FIELDS: &[(&str, &str)] = &[
    ("structure_id", "structure_id"),
    ("service_id", "id"),
    ("service_nom", "nom"),
    ("presentation", "description"),
    ("besoins", "relais.besoins"),
    ("thematiques", "thematiques"),
    ("publics", "publics"),
    ("modes_accueil", "modes_accueil"),
    ("zone_eligibilite", "zone_eligibilite"),
    ("horaires_accueil", "horaires_accueil"),
    ("telephone", "telephone"),
    ("courriel", "courriel"),
    ("site_web", "relais.site_web"),
    ("adresse", "adresse"),
    ("code_postal", "code_postal"),
    ("code_insee", "code_insee"),
    ("commune", "commune"),
    ("latitude", "latitude"),
    ("longitude", "longitude"),
    ("adresse_confidentielle", "relais.adresse_confidentielle"),
    ("contact_public", "relais.contact_public"),
    ("accueil_anonyme", "relais.accueil_anonyme"),
    ("langues", "relais.langues"),
    ("lsf", "relais.lsf"),
    ("acces_fauteuil", "relais.acces_fauteuil"),
    ("recoit_mineurs", "relais.recoit_mineurs"),
    ("gratuit", "relais.gratuit"),
    ("recoit_orientations", "relais.recoit_orientations"),
    ("verifie_le", "relais.verifie_le"),
    ("verifie_par", "relais.verifie_par"),
];

/// The data·inclusion fields whose value as given is kept, though Relais
/// reads them into its own columns: the export writes them back as they
/// came (a number in E.164, the producer's own `source` and `date_maj`).
const KEPT_AS_GIVEN: &[&str] = &["source", "date_maj", "telephone", "frais"];

/// Splits a data·inclusion file into records.
fn json_records(bytes: &[u8]) -> Result<Vec<Record>, Vec<Problem>> {
    let mut value: Value = serde_json::from_slice(bytes).map_err(|e| {
        vec![Problem {
            place: format!("ligne {}", e.line()),
            column: None,
            reason: format!("JSON illisible ({e})"),
        }]
    })?;
    key_by_source(&mut value);
    let (structures, services) = match &value {
        Value::Object(object) => (object.get("structures"), object.get("services")),
        Value::Array(items) if items.iter().any(|item| item.get("structure_id").is_some()) => {
            (None, Some(&value))
        }
        Value::Array(_) => (Some(&value), None),
        _ => (None, None),
    };
    if structures.is_none() && services.is_none() {
        return Err(vec![Problem {
            place: "$".to_owned(),
            column: None,
            reason: "un objet avec « structures » et « services » était attendu".to_owned(),
        }]);
    }
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (name, items, fields, holds) in [
        (
            "structures",
            structures,
            STRUCTURE_FIELDS,
            Holds::Organisation,
        ),
        ("services", services, SERVICE_FIELDS, Holds::Service),
    ] {
        let Some(items) = items else { continue };
        let Some(items) = items.as_array() else {
            problems.push(Problem {
                place: name.to_owned(),
                column: None,
                reason: "une liste était attendue".to_owned(),
            });
            continue;
        };
        for (index, item) in items.iter().enumerate() {
            let place = format!("{name}[{index}]");
            let Some(object) = item.as_object() else {
                problems.push(Problem {
                    place,
                    column: None,
                    reason: "un objet était attendu".to_owned(),
                });
                continue;
            };
            let mut values = HashMap::new();
            for (column, path) in fields {
                let value = match path.split_once('.') {
                    Some((outer, inner)) => object.get(outer).and_then(|o| o.get(inner)),
                    None => object.get(*path),
                };
                if let Some(text) = value.and_then(json_text) {
                    values.insert(*column, text);
                }
            }
            // Every other field, and those kept as given, as they came.
            let source_fields: Map<String, Value> = object
                .iter()
                .filter(|(key, value)| {
                    !value.is_null()
                        && key.as_str() != "relais"
                        && (KEPT_AS_GIVEN.contains(&key.as_str())
                            || !fields.iter().any(|(_, path)| *path == key.as_str()))
                })
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect();
            let relais = object.get("relais");
            let needs_from_thematiques = holds == Holds::Service
                && relais
                    .and_then(|r| r.get("besoins"))
                    .is_none_or(Value::is_null);
            let mut json_names: HashMap<&'static str, &'static str> =
                fields.iter().copied().collect();
            let mut kind_derived = false;
            if holds == Holds::Organisation && !values.contains_key("structure_type") {
                // No `relais.type`: the kind from `typologie` (version 0),
                // else from `reseaux_porteurs`, else `other`.
                kind_derived = true;
                let kind = object
                    .get("typologie")
                    .and_then(Value::as_str)
                    .and_then(vocabulary::kind_of_typologie)
                    .or_else(|| {
                        object
                            .get("reseaux_porteurs")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .find_map(vocabulary::kind_of_reseau)
                    })
                    .unwrap_or(Kind::Other);
                values.insert("structure_type", kind.code().to_owned());
            }
            // data·inclusion: `frais` and `date_maj` stand for our fields
            // when the `relais` extension does not give them.
            if holds == Holds::Service {
                if !values.contains_key("gratuit")
                    && let Some(frais) = object.get("frais").and_then(Value::as_str)
                {
                    match frais {
                        "gratuit" | "gratuit-sous-conditions" => {
                            values.insert("gratuit", "oui".to_owned());
                        }
                        "payant" | "adhesion" | "pass-numerique" => {
                            values.insert("gratuit", "non".to_owned());
                        }
                        // Refused in the checks, with its place.
                        _ => {}
                    }
                }
                if !values.contains_key("verifie_le")
                    && let Some(date) = object.get("date_maj").and_then(json_text)
                {
                    values.insert("verifie_le", date.chars().take(10).collect());
                    json_names.insert("verifie_le", "date_maj");
                }
            }
            records.push(Record {
                place,
                fields: values,
                json_names: Some(json_names),
                holds,
                source_fields,
                needs_from_thematiques,
                kind_derived,
            });
        }
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(problems)
    }
}

fn json_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        Value::Bool(true) => Some("oui".to_owned()),
        Value::Bool(false) => Some("non".to_owned()),
        Value::Number(number) => Some(number.to_string()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(json_text)
                .collect::<Vec<_>>()
                .join(","),
        ),
        Value::Object(_) => Some(value.to_string()),
    }
}

/// Checks every record and builds the organisations and services.
fn check_records(
    records: &[Record],
    communes: &Communes,
    today: Date,
    fix_hours: bool,
) -> Result<Parsed, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut parsed = Parsed::default();
    let mut hours_fixes = Vec::new();
    // Organisation source id → (index in parsed, place first seen).
    let mut organisations: HashMap<String, (usize, String)> = HashMap::new();
    let mut service_ids: HashMap<String, String> = HashMap::new();
    let mut referenced: Vec<(String, &Record)> = Vec::new();
    for record in records {
        let mut check = Check {
            record,
            problems: &mut problems,
            warnings: &mut warnings,
            today,
            fix_hours,
            hours_fixes: &mut hours_fixes,
        };
        if record.holds != Holds::Service
            && let Some(organisation) = check.organisation()
        {
            match organisations.get(&organisation.source_id) {
                Some((index, first)) => {
                    let known = &parsed.organisations[*index];
                    if record.holds == Holds::Organisation {
                        problems.push(record.problem(
                            "structure_id",
                            format!("identifiant déjà utilisé ({first})"),
                        ));
                    } else if known != &organisation {
                        problems.push(record.problem(
                            "structure_nom",
                            format!(
                                "la structure « {} » est décrite autrement {first}",
                                organisation.source_id
                            ),
                        ));
                    }
                }
                None => {
                    organisations.insert(
                        organisation.source_id.clone(),
                        (parsed.organisations.len(), record.place.clone()),
                    );
                    if !record.fields.contains_key("live")
                        && !record.fields.contains_key("live_hours")
                    {
                        parsed.without_live.push(organisation.source_id.clone());
                    }
                    parsed.organisations.push(organisation);
                }
            }
        }
        let mut duplicate = false;
        if record.holds != Holds::Organisation
            && let Some(raw_id) = record.get("service_id")
        {
            match service_ids.get(raw_id) {
                Some(first) => {
                    problems.push(
                        record.problem("service_id", format!("identifiant déjà utilisé ({first})")),
                    );
                    duplicate = true;
                }
                None => {
                    service_ids.insert(raw_id.to_owned(), record.place.clone());
                }
            }
        }
        let mut check = Check {
            record,
            problems: &mut problems,
            warnings: &mut warnings,
            today,
            fix_hours,
            hours_fixes: &mut hours_fixes,
        };
        if record.holds != Holds::Organisation
            && let Some(service) = check.service(communes)
            && !duplicate
        {
            if record.holds == Holds::Service {
                referenced.push((service.organisation_id.to_string(), record));
            }
            parsed.services.push(service);
        }
    }
    for (organisation, record) in referenced {
        if !organisations.contains_key(&organisation) {
            problems.push(record.problem(
                "structure_id",
                format!("aucune structure n'a l'identifiant « {organisation} »"),
            ));
        }
    }
    if records.is_empty() {
        problems.push(Problem {
            place: "fichier".to_owned(),
            column: None,
            reason: "aucune ligne à importer".to_owned(),
        });
    }
    if problems.is_empty() {
        parsed.warnings = warnings;
        parsed.hours_fixes = hours_fixes;
        Ok(parsed)
    } else {
        Err(problems)
    }
}

/// The checks of one record, writing down every problem.
struct Check<'a> {
    record: &'a Record,
    problems: &'a mut Vec<Problem>,
    warnings: &'a mut Vec<Problem>,
    today: Date,
    /// Correct the opening hours Relais can correct, instead of refusing
    /// them with the correction proposed.
    fix_hours: bool,
    hours_fixes: &'a mut Vec<HoursFix>,
}

impl Check<'_> {
    fn fail(&mut self, column: &str, reason: impl Into<String>) {
        self.problems.push(self.record.problem(column, reason));
    }

    fn warn(&mut self, column: &str, reason: impl Into<String>) {
        self.warnings.push(self.record.problem(column, reason));
    }

    /// A name between data·inclusion's bounds ([`NAME_MIN`], [`NAME_MAX`]).
    fn name(&mut self, column: &str) -> Option<String> {
        let name = self.required(column)?;
        if name.chars().count() < NAME_MIN {
            self.fail(
                column,
                format!("« {name} » : le nom doit avoir au moins {NAME_MIN} caractères"),
            );
            return None;
        }
        Some(name)
    }

    /// A date: not empty (but in a back-office form), not before 2000,
    /// not after today.
    fn date(&mut self, column: &str) -> Option<Date> {
        if self.record.get(column).is_none() && !self.record.is_form() {
            self.fail(
                column,
                "la date de la dernière vérification est obligatoire (2026-11-28 ou 28/11/2026)",
            );
            return None;
        }
        let date = self
            .checked(column, parse_date)
            .and_then(|d| d.parse::<Date>().ok())?;
        if date > self.today {
            self.fail(
                column,
                format!("le {date} est dans le futur : donnez la date de la dernière vérification"),
            );
            return None;
        }
        if date.year() < 2000 {
            self.fail(column, format!("le {date} est avant 2000"));
            return None;
        }
        Some(date)
    }

    /// A list of codes of one data·inclusion vocabulary: a version 0 code
    /// is read as its version 1 code, with a warning; an unknown code is a
    /// problem.
    fn codes(
        &mut self,
        column: &str,
        list: List,
        v0: fn(&str) -> Option<&'static str>,
    ) -> Vec<String> {
        let mut codes: Vec<String> = Vec::new();
        for (index, code) in self.list(column).into_iter().enumerate() {
            let code = if vocabulary::is_code(list, &code) {
                code
            } else if let Some(v1) = v0(&code) {
                self.warnings.push(self.record.item_problem(
                    column,
                    index,
                    format!("« {code} » est un code de la version 0 de data·inclusion : lu comme « {v1} »"),
                ));
                v1.to_owned()
            } else {
                self.problems.push(self.record.item_problem(
                    column,
                    index,
                    format!(
                        "« {code} » n'est pas un code data·inclusion connu (voir docs/directory.md)"
                    ),
                ));
                continue;
            };
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        codes
    }

    fn required(&mut self, column: &str) -> Option<String> {
        let value = self.record.get(column).map(str::to_owned);
        if value.is_none() {
            let reason = match column {
                "structure_nom" | "service_nom" => "le nom est obligatoire",
                _ => "cette valeur est obligatoire",
            };
            self.fail(column, reason);
        }
        value
    }

    fn optional(&self, column: &str) -> Option<String> {
        self.record.get(column).map(str::to_owned)
    }

    fn checked(
        &mut self,
        column: &str,
        check: impl Fn(&str) -> Result<String, String>,
    ) -> Option<String> {
        let value = self.record.get(column)?;
        check(value)
            .map_err(|reason| self.fail(column, reason))
            .ok()
    }

    /// Opening hours, read with the parser the orientation uses. A value
    /// the specification refuses but that Relais can correct (`Mon-Fri`,
    /// `9-17`, an en dash…) is refused with the correction proposed, or
    /// corrected when the import was asked to (`--fix-hours`).
    fn hours(&mut self, column: &str, example: &str) -> Option<String> {
        let raw = self.record.get(column)?;
        if Hours::parse(raw).is_ok() {
            return Some(raw.to_owned());
        }
        match hours::corrected(raw) {
            Some(fixed) if self.fix_hours => {
                let place = self.record.problem(column, "").to_string();
                self.hours_fixes.push(HoursFix {
                    place: place.trim_end_matches([' ', ':']).to_owned(),
                    from: raw.to_owned(),
                    to: fixed.clone(),
                });
                Some(fixed)
            }
            Some(fixed) => {
                self.fail(
                    column,
                    format!("« {raw} » n'est pas un horaire au format OpenStreetMap ; correction proposée : « {fixed} »"),
                );
                None
            }
            None => {
                self.fail(
                    column,
                    format!("« {raw} » n'est pas un horaire au format OpenStreetMap (par exemple {example})"),
                );
                None
            }
        }
    }

    fn phone(&mut self, column: &str) -> Option<String> {
        self.checked(column, |raw| {
            Phone::parse(raw).map(|p| p.as_str().to_owned())
        })
    }

    fn flag(&mut self, column: &str) -> bool {
        let Some(value) = self.record.get(column) else {
            return false;
        };
        match value.to_lowercase().as_str() {
            "oui" | "o" | "yes" | "y" | "vrai" | "true" | "1" | "x" => true,
            "non" | "n" | "no" | "faux" | "false" | "0" => false,
            other => {
                self.fail(column, format!("« {other} » : écrivez oui ou non"));
                false
            }
        }
    }

    fn list(&self, column: &str) -> Vec<String> {
        self.record
            .get(column)
            .map(|v| {
                v.split([',', '|'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn organisation(&mut self) -> Option<Organisation> {
        let source_id = self.required("structure_id");
        let name = self.name("structure_nom");
        if self.record.kind_derived && self.record.get("structure_type") == Some(Kind::Other.code())
        {
            self.warn(
                "structure_type",
                "le type de la structure ne se déduit ni de typologie ni de reseaux_porteurs : « autre » ; précisez relais.type pour mieux orienter",
            );
        }
        let source_fields = if self.record.holds == Holds::Organisation {
            self.source_fields(STRUCTURE_SOURCE_FIELDS)
        } else {
            Map::new()
        };
        let kind = self.required("structure_type").and_then(|raw| {
            Kind::parse(&raw).or_else(|| {
                self.fail(
                    "structure_type",
                    format!("« {raw} » n'est pas un type de structure connu"),
                );
                None
            })
        });
        let siret = self.checked("structure_siret", |raw| {
            let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
            if digits.len() == 14 && digits.bytes().all(|b| b.is_ascii_digit()) {
                Ok(digits)
            } else {
                Err(format!("« {raw} » n'est pas un SIRET (14 chiffres)"))
            }
        });
        let phone = self.phone("structure_telephone");
        let email = self.checked("structure_courriel", check_email);
        let website = self.checked("structure_site_web", check_website);
        let (live, live_hours) = self.live();
        Some(Organisation {
            id: OrganisationId::default(),
            territory: String::new(),
            source_id: source_id?,
            name: name?,
            kind: kind?,
            siret,
            phone,
            email,
            website,
            live,
            live_hours,
            source_fields,
        })
    }

    /// Live help and its hours, read with the parser the orientation uses
    /// for every service's hours; live help without hours is refused.
    fn live(&mut self) -> (bool, String) {
        let live = self.flag("live");
        let given = self.record.get("live_hours").is_some();
        let live_hours = self
            .hours("live_hours", LIVE_HOURS_EXAMPLE)
            .unwrap_or_default();
        if live && !given {
            self.fail(
                "live_hours",
                format!(
                    "l'aide en direct a besoin de ses horaires (par exemple {LIVE_HOURS_EXAMPLE})"
                ),
            );
        }
        (live, live_hours)
    }

    fn service(&mut self, communes: &Communes) -> Option<Service> {
        let organisation = self.required("structure_id");
        let source_id = self.required("service_id");
        let name = self.name("service_nom");
        let description = self.description();
        let thematiques = self.codes("thematiques", List::Thematique, vocabulary::v0_thematique);
        let publics = self.publics();
        let modes_accueil = self.codes("modes_accueil", List::ModeAccueil, |_| None);
        let needs = self.needs(&thematiques);
        let source_fields = if self.record.holds == Holds::Both {
            self.record.source_fields.clone()
        } else {
            self.source_fields(SERVICE_SOURCE_FIELDS)
        };
        let commune = self.commune(communes);
        let confidential_address = self.flag("adresse_confidentielle");
        let point = self.point(confidential_address);
        let street = self.optional("adresse");
        if confidential_address && street.is_some() {
            self.fail(
                "adresse",
                "adresse confidentielle : ne donnez pas la rue, seulement la commune",
            );
        }
        let opening_hours = self.hours("horaires_accueil", "Mo-Fr 09:00-12:00,14:00-17:00");
        let zone_eligibilite = self.zone(communes);
        let languages = self.languages();
        let verified_on = self.date("verifie_le");
        // Every check runs before any `?`, so that every problem is reported.
        let phone = self.phone("telephone");
        let email = self.checked("courriel", check_email);
        let website = self.checked("site_web", check_website);
        let accepts_anonymous = self.flag("accueil_anonyme");
        let lsf = self.flag("lsf");
        let wheelchair = self.flag("acces_fauteuil");
        let receives_minors = self.flag("recoit_mineurs");
        let free_of_charge = self.flag("gratuit");
        let receives_referrals = self.flag("recoit_orientations");
        let (commune_insee, postcode) = commune?;
        let Some(needs) = needs? else {
            // No need of Relais: left out, with a warning (in `needs`).
            return None;
        };
        let service = Service {
            id: ServiceId::default(),
            // The organisation's source id, on the way in.
            organisation_id: organisation?.into(),
            source_id: source_id?,
            name: name?,
            description: Some(description?),
            needs,
            thematiques,
            publics,
            modes_accueil,
            zone_eligibilite,
            opening_hours,
            phone,
            email,
            website,
            street: if confidential_address { None } else { street },
            postcode,
            commune_insee,
            point,
            confidential_address,
            public_contact: self.optional("contact_public"),
            accepts_anonymous,
            languages,
            lsf,
            wheelchair,
            receives_minors,
            free_of_charge,
            receives_referrals,
            verified_on,
            verified_by: self.optional("verifie_par"),
            source_fields,
        };
        Some(service)
    }

    /// The presentation: data·inclusion requires one, of at least
    /// [`DESCRIPTION_MIN`] characters.
    fn description(&mut self) -> Option<String> {
        let Some(description) = self.optional("presentation") else {
            self.fail(
                "presentation",
                "la présentation est obligatoire : quelques phrases pour la personne (ce qui s'y passe, comment venir)",
            );
            return None;
        };
        if description.chars().count() < DESCRIPTION_MIN {
            self.fail(
                "presentation",
                format!("« {description} » : la présentation doit avoir au moins {DESCRIPTION_MIN} caractères"),
            );
            return None;
        }
        Some(description)
    }

    /// The publics: data·inclusion codes, `tous-publics` alone.
    fn publics(&mut self) -> Vec<String> {
        let publics = self.codes("publics", List::Public, vocabulary::v0_public);
        if publics.len() > 1 && publics.iter().any(|p| p == "tous-publics") {
            self.fail(
                "publics",
                "« tous-publics » ne va pas avec d'autres publics : gardez-le seul, ou retirez-le",
            );
        }
        publics
    }

    /// The fields of a data·inclusion record Relais keeps as they came,
    /// each checked as the schema wants it (`names`: field → its check).
    fn source_fields(&mut self, names: &[(&str, Field)]) -> Map<String, Value> {
        let mut kept = Map::new();
        // A service's `date_maj` read as its date of verification is
        // checked as that.
        let date_checked = self
            .record
            .json_names
            .as_ref()
            .is_some_and(|names| names.get("verifie_le") == Some(&"date_maj"));
        for (key, value) in &self.record.source_fields {
            if date_checked && key == "date_maj" {
                kept.insert(key.clone(), value.clone());
                continue;
            }
            let check = names
                .iter()
                .find(|(name, _)| name == key)
                .map_or(Field::Other, |(_, check)| *check);
            // `frais` of version 0: its version 1 code.
            let v0_frais = match (key.as_str(), value.as_str()) {
                ("frais", Some("gratuit-sous-conditions")) => Some("gratuit"),
                ("frais", Some("adhesion" | "pass-numerique")) => Some("payant"),
                _ => None,
            };
            let mapped;
            let value = match v0_frais {
                Some(v1) => {
                    self.warnings.push(Problem {
                        place: self.record.place.clone(),
                        column: Some(key.clone()),
                        reason: format!("{value} est un code de la version 0 de data·inclusion : lu comme « {v1} »"),
                    });
                    mapped = Value::from(v1);
                    &mapped
                }
                None => value,
            };
            let mut fail = |reason: String| {
                self.problems.push(Problem {
                    place: self.record.place.clone(),
                    column: Some(key.clone()),
                    reason,
                });
            };
            let text = value.as_str();
            match check {
                Field::Text => match text {
                    Some(t) if t.chars().count() > DESCRIPTION_MAX => {
                        fail(format!("trop long : {DESCRIPTION_MAX} caractères au plus"));
                    }
                    Some(_) => {}
                    None => fail("du texte était attendu".to_owned()),
                },
                Field::Description => match text.map(|t| t.trim().chars().count()) {
                    Some(n) if (DESCRIPTION_MIN..=DESCRIPTION_MAX).contains(&n) => {}
                    Some(_) => fail(format!(
                        "la description doit avoir de {DESCRIPTION_MIN} à {DESCRIPTION_MAX} caractères"
                    )),
                    None => fail("du texte était attendu".to_owned()),
                },
                Field::Url => {
                    if let Err(reason) = text.map_or_else(
                        || Err("une adresse web était attendue".to_owned()),
                        check_website,
                    ) {
                        fail(reason);
                    }
                }
                Field::Date => {
                    let date = text
                        .and_then(|t| t.get(..10))
                        .and_then(|t| t.parse::<Date>().ok());
                    match date {
                        Some(date) if date > self.today => fail(format!(
                            "le {date} est dans le futur : donnez la date de la dernière mise à jour"
                        )),
                        Some(date) if date.year() < 2000 => {
                            fail(format!("le {date} est avant 2000"));
                        }
                        Some(_) => {}
                        None => fail(format!("{value} n'est pas une date (2026-11-28)")),
                    }
                }
                Field::Code(list) => match text {
                    Some(code) if vocabulary::is_code(list, code) => {}
                    _ => fail(format!(
                        "{value} n'est pas un code data·inclusion connu (voir docs/directory.md)"
                    )),
                },
                Field::Codes(list) => match value.as_array() {
                    Some(items) if !items.is_empty() => {
                        for (index, item) in items.iter().enumerate() {
                            if !item
                                .as_str()
                                .is_some_and(|code| vocabulary::is_code(list, code))
                            {
                                self.problems.push(Problem {
                                    place: self.record.place.clone(),
                                    column: Some(format!("{key}[{index}]")),
                                    reason: format!("{item} n'est pas un code data·inclusion connu (voir docs/directory.md)"),
                                });
                            }
                        }
                    }
                    _ => fail("une liste de codes (au moins un) était attendue".to_owned()),
                },
                Field::Hours => match text {
                    Some(raw) if Hours::parse(raw).is_ok() => {}
                    _ => fail(format!(
                        "{value} n'est pas un horaire au format OpenStreetMap (par exemple Mo-Fr 09:00-12:00,14:00-17:00)"
                    )),
                },
                Field::Number { min } => match value.as_f64() {
                    Some(n) if n >= min => {}
                    _ => fail(format!("un nombre d'au moins {min} était attendu")),
                },
                Field::Integer { min } => match value.as_i64() {
                    Some(n) if n >= min => {}
                    _ => fail(format!("un nombre entier d'au moins {min} était attendu")),
                },
                Field::Postcode => match text {
                    Some(code) if is_postcode_shaped(code) => {}
                    _ => fail(format!("{value} n'est pas un code postal (5 chiffres)")),
                },
                Field::Coordinate => {
                    if value.as_f64().is_none() {
                        fail(format!("{value} n'est pas une coordonnée (ex. 50.4637)"));
                    }
                }
                // Any other field, kept but bounded.
                Field::Other => {
                    if value.to_string().len() > DESCRIPTION_MAX {
                        fail(format!("trop long : {DESCRIPTION_MAX} caractères au plus"));
                    }
                }
            }
            kept.insert(key.clone(), value.clone());
        }
        kept
    }

    /// The needs: `besoins`, or, in a data·inclusion file that does not
    /// give them, those its thematiques stand for
    /// ([`vocabulary::needs_of_thematique`]). `Some(None)`: none of its
    /// thematiques is a need of Relais, and the service is left out, with
    /// a warning.
    fn needs(&mut self, thematiques: &[String]) -> Option<Option<Needs>> {
        if self.record.needs_from_thematiques && self.record.get("besoins").is_none() {
            let needs: Needs = thematiques
                .iter()
                .flat_map(|code| vocabulary::needs_of_thematique(code).iter().copied())
                .collect();
            if needs.is_empty() {
                self.warn(
                    "thematiques",
                    "aucun besoin de Relais ne correspond à ces thématiques : service laissé de côté (donnez relais.besoins pour l'importer)",
                );
                return Some(None);
            }
            return Some(Some(needs));
        }
        let raw = self.required("besoins")?;
        let mut needs = Needs::EMPTY;
        let mut ok = true;
        for code in raw
            .split([',', '|'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match Need::parse(code) {
                Some(need) => needs.insert(need),
                None => {
                    self.fail("besoins", format!("« {code} » n'est pas un besoin connu"));
                    ok = false;
                }
            }
        }
        if needs.is_empty() && ok {
            self.fail("besoins", "au moins un besoin est obligatoire");
            ok = false;
        }
        ok.then_some(Some(needs))
    }

    /// The commune, from the postcode, the INSEE code and the name: returns
    /// (INSEE code, postcode).
    fn commune(&mut self, communes: &Communes) -> Option<(String, Option<String>)> {
        let postcode = self.record.get("code_postal").map(str::to_owned);
        let insee = self.record.get("code_insee").map(str::to_owned);
        let name = self.record.get("commune").map(str::to_owned);
        if let Some(postcode) = &postcode
            && (!is_postcode_shaped(postcode) || !communes.postcode_exists(postcode))
        {
            let reason = if is_postcode_shaped(postcode) {
                format!("le code postal « {postcode} » n'existe pas")
            } else {
                format!("« {postcode} » n'est pas un code postal (5 chiffres)")
            };
            self.fail("code_postal", reason);
            return None;
        }
        let commune = match (&insee, &postcode) {
            (Some(code), _) => match communes.by_insee(code) {
                Some(commune) => commune,
                None => {
                    self.fail(
                        "code_insee",
                        format!("« {code} » n'est le code INSEE d'aucune commune"),
                    );
                    return None;
                }
            },
            (None, Some(postcode)) => {
                // The postcode and the name, read by the rule a person's
                // "62170 Montreuil" is read by.
                let typed = match &name {
                    Some(name) => format!("{postcode} {name}"),
                    None => postcode.clone(),
                };
                match communes.resolve(&typed) {
                    Resolution::One(commune) => commune,
                    Resolution::Several(found) if name.is_none() => {
                        self.fail(
                            "code_insee",
                            format!("le code postal {postcode} couvre {} communes : donnez code_insee ou commune", found.len()),
                        );
                        return None;
                    }
                    Resolution::Several(found) => {
                        self.fail(
                            "commune",
                            format!(
                                "{} communes du code postal {postcode} commencent par « {} » : donnez code_insee ou le nom entier",
                                found.len(),
                                name.unwrap_or_default()
                            ),
                        );
                        return None;
                    }
                    Resolution::Unknown(_) => {
                        self.fail(
                            "commune",
                            format!(
                                "aucune commune « {} » n'a le code postal {postcode}",
                                name.unwrap_or_default()
                            ),
                        );
                        return None;
                    }
                }
            }
            (None, None) => {
                self.fail(
                    "code_postal",
                    "donnez le code postal ou le code INSEE de la commune",
                );
                return None;
            }
        };
        if let Some(postcode) = &postcode
            && !commune.postcodes.iter().any(|p| &**p == postcode.as_str())
        {
            self.fail(
                "code_postal",
                format!("{} n'a pas le code postal {postcode}", commune.name),
            );
            return None;
        }
        Some((
            commune.insee.to_string(),
            postcode.or_else(|| commune.postcodes.first().map(ToString::to_string)),
        ))
    }

    fn point(&mut self, confidential: bool) -> Option<Point> {
        let lat = self.record.get("latitude");
        let lon = self.record.get("longitude");
        let (lat, lon) = match (lat, lon) {
            (None, None) => return None,
            (Some(lat), Some(lon)) => (lat.replace(',', "."), lon.replace(',', ".")),
            (Some(_), None) => {
                self.fail("longitude", "la longitude manque (ou retirez la latitude)");
                return None;
            }
            (None, Some(_)) => {
                self.fail("latitude", "la latitude manque (ou retirez la longitude)");
                return None;
            }
        };
        if confidential {
            self.fail(
                "latitude",
                "adresse confidentielle : ne donnez pas de coordonnées, seulement la commune",
            );
            return None;
        }
        match (lat.parse::<f64>(), lon.parse::<f64>()) {
            (Ok(lat), Ok(lon)) => {
                let point = Point { lat, lon };
                if point.is_in_france() {
                    Some(point)
                } else {
                    self.fail(
                        "latitude",
                        format!("les coordonnées {lat}, {lon} sont hors de France"),
                    );
                    None
                }
            }
            (Err(_), _) => {
                self.fail(
                    "latitude",
                    format!("« {lat} » n'est pas une latitude (ex. 50.4637)"),
                );
                None
            }
            (_, Err(_)) => {
                self.fail(
                    "longitude",
                    format!("« {lon} » n'est pas une longitude (ex. 1.7635)"),
                );
                None
            }
        }
    }

    /// The eligibility zone: communes (INSEE codes), départements, EPCI
    /// (SIREN), as data·inclusion allows, and régions (`R32`, kept as their
    /// départements); `france` or `99100`, anyone.
    fn zone(&mut self, communes: &Communes) -> Vec<String> {
        let mut zone = Vec::new();
        for (index, code) in self.list("zone_eligibilite").into_iter().enumerate() {
            let upper = code.to_ascii_uppercase();
            if upper == "FRANCE" || upper == "99100" {
                return Vec::new();
            }
            match communes.zone_code(&upper) {
                Some(ZoneCode::Commune) => {
                    if let Some(commune) = communes.by_insee(&upper) {
                        zone.push(commune.insee.to_string());
                    }
                }
                // A région is kept as its départements, as data·inclusion
                // writes it.
                Some(ZoneCode::Region) => zone.extend(
                    communes
                        .zone_members(&upper)
                        .into_iter()
                        .map(str::to_owned),
                ),
                Some(ZoneCode::Departement | ZoneCode::Epci) => zone.push(upper),
                None => self.problems.push(self.record.item_problem(
                    "zone_eligibilite",
                    index,
                    format!("« {code} » n'est ni une commune (code INSEE), ni un EPCI (SIREN), ni un département, ni une région (R32)"),
                )),
            }
        }
        let mut seen = HashSet::new();
        zone.retain(|code| seen.insert(code.clone()));
        zone
    }

    fn languages(&mut self) -> Vec<String> {
        let mut languages = Vec::new();
        for code in self.list("langues") {
            let lower = code.to_lowercase();
            if (2..=3).contains(&lower.len()) && lower.bytes().all(|b| b.is_ascii_lowercase()) {
                languages.push(lower);
            } else {
                self.fail(
                    "langues",
                    format!("« {code} » n'est pas un code de langue (fr, en, ar…)"),
                );
            }
        }
        languages
    }
}

/// How a data·inclusion field Relais keeps as it came is checked.
#[derive(Clone, Copy, Debug)]
enum Field {
    /// Free text, bounded.
    Text,
    /// A description: data·inclusion's bounds.
    Description,
    /// A web address.
    Url,
    /// A date, not in the future.
    Date,
    /// One code of a vocabulary.
    Code(List),
    /// A list of codes of a vocabulary, at least one.
    Codes(List),
    /// OpenStreetMap opening hours.
    Hours,
    /// A number of at least `min`.
    Number { min: f64 },
    /// A whole number of at least `min`.
    Integer { min: i64 },
    /// Five digits.
    Postcode,
    /// A latitude or a longitude.
    Coordinate,
    /// A field the schema does not have: kept, bounded.
    Other,
}

/// The structure fields Relais keeps as they came, and their checks.
const STRUCTURE_SOURCE_FIELDS: &[(&str, Field)] = &[
    ("source", Field::Text),
    ("date_maj", Field::Date),
    ("telephone", Field::Text),
    ("description", Field::Description),
    ("lien_source", Field::Url),
    ("commune", Field::Text),
    ("code_postal", Field::Postcode),
    ("code_insee", Field::Text),
    ("adresse", Field::Text),
    ("complement_adresse", Field::Text),
    ("longitude", Field::Coordinate),
    ("latitude", Field::Coordinate),
    ("horaires_accueil", Field::Hours),
    ("accessibilite_lieu", Field::Url),
    ("reseaux_porteurs", Field::Codes(List::ReseauPorteur)),
];

/// The service fields Relais keeps as they came, and their checks.
const SERVICE_SOURCE_FIELDS: &[(&str, Field)] = &[
    ("source", Field::Text),
    ("date_maj", Field::Date),
    ("telephone", Field::Text),
    ("frais", Field::Code(List::Frais)),
    ("type", Field::Code(List::Type)),
    ("frais_precisions", Field::Text),
    ("publics_precisions", Field::Text),
    ("conditions_acces", Field::Text),
    ("complement_adresse", Field::Text),
    ("contact_nom_prenom", Field::Text),
    ("lien_source", Field::Url),
    ("lien_mobilisation", Field::Url),
    ("modes_mobilisation", Field::Codes(List::ModeMobilisation)),
    ("mobilisable_par", Field::Codes(List::MobilisablePar)),
    ("mobilisation_precisions", Field::Text),
    ("volume_horaire_hebdomadaire", Field::Number { min: 0.0 }),
    ("nombre_semaines", Field::Integer { min: 1 }),
];

/// `2026-11-28` or `28/11/2026` → `2026-11-28`.
fn parse_date(raw: &str) -> Result<String, String> {
    let iso = match raw.split('/').collect::<Vec<_>>().as_slice() {
        [day, month, year] => format!("{year}-{month:0>2}-{day:0>2}"),
        _ => raw.to_owned(),
    };
    iso.parse::<Date>()
        .map(|date| date.to_string())
        .map_err(|_| format!("« {raw} » n'est pas une date (2026-11-28 ou 28/11/2026)"))
}

/// Reads a CSV of official centroids: `insee`, `latitude`, `longitude`
/// (or `code_insee`, `lat`, `lon`…).
pub fn parse_centroids(
    bytes: &[u8],
    communes: &Communes,
) -> Result<Vec<(String, Point)>, Vec<Problem>> {
    let text = decode(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let header_line = text.lines().next().unwrap_or_default();
    let delimiter = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| header_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let problem = |line: u64, column: Option<&str>, reason: String| Problem {
        place: format!("ligne {line}"),
        column: column.map(str::to_owned),
        reason,
    };
    let headers = reader
        .headers()
        .map_err(|e| vec![problem(1, None, format!("en-tête illisible ({e})"))])?
        .clone();
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.contains(&h.to_lowercase().as_str()))
    };
    let columns = (
        find(&["insee", "code_insee", "codgeo", "code_commune_insee", "com"]),
        find(&["latitude", "lat"]),
        find(&["longitude", "lon", "lng"]),
    );
    let (Some(insee_at), Some(lat_at), Some(lon_at)) = columns else {
        return Err(vec![problem(
            1,
            None,
            "colonnes attendues : insee, latitude, longitude".to_owned(),
        )]);
    };
    let mut problems = Vec::new();
    let mut centroids = BTreeMap::new();
    let mut seen = HashSet::new();
    for row in reader.records() {
        let row = match row {
            Ok(row) => row,
            Err(error) => {
                problems.push(problem(
                    error.position().map_or(0, csv::Position::line),
                    None,
                    format!("ligne illisible ({error})"),
                ));
                continue;
            }
        };
        let line = row.position().map_or(0, csv::Position::line);
        let code = row.get(insee_at).unwrap_or_default();
        let Some(commune) = communes.by_insee(code) else {
            problems.push(problem(
                line,
                Some("insee"),
                format!("« {code} » n'est le code INSEE d'aucune commune"),
            ));
            continue;
        };
        if !seen.insert(commune.insee.to_string()) {
            problems.push(problem(
                line,
                Some("insee"),
                format!("la commune {code} apparaît deux fois"),
            ));
            continue;
        }
        let parse = |at: usize| {
            row.get(at)
                .unwrap_or_default()
                .replace(',', ".")
                .parse::<f64>()
        };
        match (parse(lat_at), parse(lon_at)) {
            (Ok(lat), Ok(lon)) if (Point { lat, lon }).is_in_france() => {
                centroids.insert(commune.insee.to_string(), Point { lat, lon });
            }
            (Ok(lat), Ok(lon)) => problems.push(problem(
                line,
                Some("latitude"),
                format!("les coordonnées {lat}, {lon} sont hors de France"),
            )),
            _ => problems.push(problem(
                line,
                Some("latitude"),
                "latitude ou longitude illisible".to_owned(),
            )),
        }
    }
    if problems.is_empty() {
        Ok(centroids.into_iter().collect())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_postal;code_insee;horaires_accueil;telephone;courriel;presentation;verifie_le";

    /// What every row of these tests ends with: a presentation and a date
    /// of verification, which a file must give.
    const ENDING: &str = ";Une présentation (exemple);2026-11-28";

    fn csv(rows: &[&str]) -> Vec<u8> {
        let mut text = HEADER.to_owned();
        for row in rows {
            text.push('\n');
            text.push_str(row);
            text.push_str(ENDING);
        }
        text.into_bytes()
    }

    #[test]
    fn a_good_row_becomes_an_organisation_and_a_service() {
        let communes = Communes::embedded();
        let parsed = parse(
            &csv(&["cidff;CIDFF (exemple);cidff;s1;Permanence;legal|housing;62170;62588;Tu 14:00-17:00;01 99 00 00 01;a@example.org"]),
            Format::Csv,
            &communes,
        )
        .unwrap();
        assert_eq!(parsed.organisations[0].kind, Kind::Cidff);
        let service = &parsed.services[0];
        assert_eq!(service.commune_insee, "62588");
        assert!(service.needs.contains(Need::Housing));
        assert_eq!(service.phone.as_deref(), Some("01 99 00 00 01"));
        assert_eq!(service.organisation_id, "cidff");
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_column_and_reason() {
        let communes = Communes::embedded();
        let problems = parse(
            &csv(&[
                "a;A (exemple);cidff;s1;Permanence;legal;6217;;;;",
                "a;A (exemple);cidff;s2;Permanence;legal;99999;;;;",
                "b;B (exemple);cidff;s3;;legal;62170;62588;Lu 9h-12h;12;a@b",
                "c;;inconnu;s1;X;vacances;62170;62588;;;",
            ]),
            Format::Csv,
            &communes,
        )
        .unwrap_err();
        let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let expect = [
            "ligne 2, colonne code_postal : « 6217 » n'est pas un code postal",
            "ligne 3, colonne code_postal : le code postal « 99999 » n'existe pas",
            "ligne 4, colonne service_nom : le nom est obligatoire",
            "ligne 4, colonne horaires_accueil",
            "ligne 4, colonne telephone",
            "ligne 4, colonne courriel",
            "ligne 5, colonne structure_nom : le nom est obligatoire",
            "ligne 5, colonne structure_type",
            "ligne 5, colonne besoins : « vacances »",
            "ligne 5, colonne service_id : identifiant déjà utilisé (ligne 2)",
        ];
        for expected in expect {
            assert!(
                all.iter().any(|p| p.starts_with(expected)),
                "missing {expected:?} in:\n{}",
                all.join("\n")
            );
        }
    }

    #[test]
    fn a_bom_commas_crlf_and_accents_are_read() {
        let communes = Communes::embedded();
        let text = "\u{feff}structure_id,structure_nom,structure_type,service_id,service_nom,besoins,code_insee,presentation,verifie_le\r\n\
                    a,\"Étaples, accueil (exemple)\",ccas,s1,Aide d'urgence,\"social,housing\",62318,\"Une aide, vite\",28/11/2026\r\n";
        let parsed = parse(text.as_bytes(), Format::Csv, &communes).unwrap();
        assert_eq!(parsed.organisations[0].name, "Étaples, accueil (exemple)");
        assert_eq!(parsed.services[0].postcode.as_deref(), Some("62630"));
    }

    #[test]
    fn a_file_saved_as_windows_1252_is_read() {
        let communes = Communes::embedded();
        let mut bytes = b"structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee;presentation;verifie_le\n".to_vec();
        bytes.extend_from_slice(
            b"a;Accueil \xc9taples (exemple);ccas;s1;Aide;social;62318;Une aide;2026-11-28\n",
        );
        let parsed = parse(&bytes, Format::Csv, &communes).unwrap();
        assert_eq!(parsed.organisations[0].name, "Accueil Étaples (exemple)");
    }

    #[test]
    fn an_unknown_column_is_refused() {
        let communes = Communes::embedded();
        let text = format!("{HEADER};couleur\n");
        let problems = parse(text.as_bytes(), Format::Csv, &communes).unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "ligne 1, colonne couleur : colonne inconnue (voir docs/directory.md)"
        );
    }

    #[test]
    fn a_confidential_address_never_keeps_a_street_or_coordinates() {
        let communes = Communes::embedded();
        let text = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee;adresse;latitude;longitude;adresse_confidentielle\n\
                    a;Abri (exemple);shelter;s1;Hébergement;housing;62588;3 rue X;50.4;1.7;oui\n";
        let problems = parse(text.as_bytes(), Format::Csv, &communes).unwrap_err();
        let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            all.iter()
                .any(|p| p.contains("colonne adresse : adresse confidentielle")),
            "{all:?}"
        );
        assert!(
            all.iter()
                .any(|p| p.contains("colonne latitude : adresse confidentielle")),
            "{all:?}"
        );
    }

    #[test]
    fn coordinates_outside_france_are_refused() {
        let communes = Communes::embedded();
        let text = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee;latitude;longitude;presentation;verifie_le\n\
                    a;A (exemple);cidff;s1;Permanence;legal;62588;40.7;-74.0;Une permanence;2026-11-28\n";
        let problems = parse(text.as_bytes(), Format::Csv, &communes).unwrap_err();
        assert!(
            problems[0].to_string().contains("hors de France"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_shared_postcode_needs_the_commune() {
        let communes = Communes::embedded();
        let text = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_postal;commune;presentation;verifie_le\n\
                    a;A (exemple);cidff;s1;Permanence;legal;62170;;Une permanence;2026-11-28\n\
                    a;A (exemple);cidff;s2;Permanence;legal;62170;Saint-Josse;Une permanence;2026-11-28\n";
        let problems = parse(text.as_bytes(), Format::Csv, &communes).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0]
                .to_string()
                .starts_with("ligne 2, colonne code_insee : le code postal 62170 couvre")
        );
    }

    #[test]
    fn data_inclusion_json_is_read_with_errors_at_their_json_path() {
        let communes = Communes::embedded();
        let json = r#"{
          "structures": [{"id": "s", "nom": "Structure (exemple)", "relais": {"type": "cidff"}}],
          "services": [
            {"id": "a", "structure_id": "s", "nom": "Accueil A", "code_insee": "62588", "frais": "gratuit",
             "description": "Une permanence", "date_maj": "2026-11-28",
             "thematiques": ["famille--surmonter-conflits-separation-violence"], "relais": {"besoins": ["legal"]}},
            {"id": "b", "structure_id": "s", "nom": "Accueil B", "code_postal": "123", "description": "Une permanence",
             "date_maj": "2026-11-28", "relais": {"besoins": ["legal"]}}
          ]
        }"#;
        let problems = parse(json.as_bytes(), Format::DataInclusion, &communes).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0]
                .to_string()
                .starts_with("services[1].code_postal : "),
            "{}",
            problems[0]
        );

        let fixed = json.replace(
            "\"code_postal\": \"123\"",
            "\"code_postal\": \"62630\", \"commune\": \"Étaples\"",
        );
        let parsed = parse(fixed.as_bytes(), Format::DataInclusion, &communes).unwrap();
        assert!(parsed.services[0].free_of_charge);
        assert_eq!(parsed.services[1].commune_insee, "62318");
    }

    const LIVE_HEADER: &str = "structure_id;structure_nom;structure_type;live;live_hours;service_id;service_nom;besoins;code_insee;presentation;verifie_le";

    #[test]
    fn live_help_and_its_hours_are_read_with_the_other_booleans_words() {
        let communes = Communes::embedded();
        let text = format!(
            "{LIVE_HEADER}\n\
             a;A (exemple);cidff;oui;\"Mo-Fr 13:00-20:00; PH off\";s1;Permanence;legal;62588;Une permanence;2026-11-28\n\
             b;B (exemple);cidff;true;24/7;s2;Permanence;legal;62588;Une permanence;2026-11-28\n\
             c;C (exemple);cidff;non;;s3;Permanence;legal;62588;Une permanence;2026-11-28\n"
        );
        let parsed = parse(text.as_bytes(), Format::Csv, &communes).unwrap();
        let live: Vec<(bool, &str)> = parsed
            .organisations
            .iter()
            .map(|o| (o.live, o.live_hours.as_str()))
            .collect();
        assert_eq!(
            live,
            [
                (true, "Mo-Fr 13:00-20:00; PH off"),
                (true, "24/7"),
                (false, "")
            ]
        );
        assert!(parsed.without_live.is_empty());
    }

    #[test]
    fn bad_live_hours_and_live_help_without_hours_are_reported_at_their_line_and_column() {
        let communes = Communes::embedded();
        let text = format!(
            "{LIVE_HEADER}\n\
             a;A (exemple);cidff;oui;Lu 9h-12h;s1;Permanence;legal;62588;Une permanence;2026-11-28\n\
             b;B (exemple);cidff;oui;;s2;Permanence;legal;62588;Une permanence;2026-11-28\n\
             c;C (exemple);cidff;peut-être;24/7;s3;Permanence;legal;62588;Une permanence;2026-11-28\n"
        );
        let problems = parse(text.as_bytes(), Format::Csv, &communes).unwrap_err();
        let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            all,
            [
                "ligne 2, colonne live_hours : « Lu 9h-12h » n'est pas un horaire au format OpenStreetMap (par exemple Mo-Fr 13:00-20:00; PH off)",
                "ligne 3, colonne live_hours : l'aide en direct a besoin de ses horaires (par exemple Mo-Fr 13:00-20:00; PH off)",
                "ligne 4, colonne live : « peut-être » : écrivez oui ou non",
            ]
        );
    }

    #[test]
    fn a_file_that_does_not_describe_live_help_says_which_organisations_keep_theirs() {
        let communes = Communes::embedded();
        let parsed = parse(
            &csv(&["a;A (exemple);cidff;s1;Permanence;legal;;62588;;;"]),
            Format::Csv,
            &communes,
        )
        .unwrap();
        assert_eq!(parsed.without_live, ["a"]);
        let json = r#"{
          "structures": [
            {"id": "a", "nom": "A (exemple)", "relais": {"type": "cidff"}},
            {"id": "b", "nom": "B (exemple)", "relais": {"type": "cidff", "live": true, "live_hours": "24/7"}}
          ],
          "services": []
        }"#;
        let parsed = parse(json.as_bytes(), Format::DataInclusion, &communes).unwrap();
        assert_eq!(parsed.without_live, ["a"]);
        assert!(parsed.organisations[1].live);
    }

    #[test]
    fn bad_live_hours_in_data_inclusion_are_reported_at_their_json_path() {
        let communes = Communes::embedded();
        let json = r#"{"structures": [{"id": "a", "nom": "A (exemple)",
            "relais": {"type": "cidff", "live": true, "live_hours": "Lu 9h"}}]}"#;
        let problems = parse(json.as_bytes(), Format::DataInclusion, &communes).unwrap_err();
        assert!(
            problems[0]
                .to_string()
                .starts_with("structures[0].relais.live_hours : « Lu 9h »"),
            "{problems:?}"
        );
    }

    #[test]
    fn dates_are_read_in_iso_and_french_forms() {
        assert_eq!(parse_date("2026-11-28").unwrap(), "2026-11-28");
        assert_eq!(parse_date("28/11/2026").unwrap(), "2026-11-28");
        assert_eq!(parse_date("1/2/2026").unwrap(), "2026-02-01");
        assert!(parse_date("31/02/2026").is_err());
    }

    #[test]
    fn centroids_are_read_and_checked() {
        let communes = Communes::embedded();
        let good =
            parse_centroids(b"code_insee;lat;lon\n62588;50,4650;1,7640\n", &communes).unwrap();
        assert_eq!(
            good,
            vec![(
                "62588".to_owned(),
                Point {
                    lat: 50.465,
                    lon: 1.764
                }
            )]
        );
        let problems = parse_centroids(
            b"insee,latitude,longitude\n99999,50,1\n62588,0,0\n",
            &communes,
        )
        .unwrap_err();
        assert_eq!(problems.len(), 2);
        assert!(
            problems[0]
                .to_string()
                .starts_with("ligne 2, colonne insee")
        );
        assert!(
            problems[1]
                .to_string()
                .starts_with("ligne 3, colonne latitude")
        );
    }

    fn json_problems(json: &str) -> Vec<String> {
        let communes = Communes::embedded();
        parse(json.as_bytes(), Format::DataInclusion, &communes)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn one_service(fields: &str) -> String {
        format!(
            r#"{{"structures": [{{"id": "s", "nom": "Structure (exemple)", "date_maj": "2026-11-01", "relais": {{"type": "cidff"}}}}],
                "services": [{{"id": "a", "structure_id": "s", "code_insee": "62588", {fields}}}]}}"#
        )
    }

    const GOOD: &str =
        r#""nom": "Permanence", "description": "Une permanence", "date_maj": "2026-11-28""#;

    #[test]
    fn a_v0_thematique_is_read_as_its_v1_code_with_a_warning() {
        let communes = Communes::embedded();
        let json = one_service(&format!(
            r#"{GOOD}, "thematiques": ["famille--violences-intrafamiliales", "famille--surmonter-conflits-separation-violence"]"#
        ));
        let parsed = parse(json.as_bytes(), Format::DataInclusion, &communes).unwrap();
        assert_eq!(
            parsed.services[0].thematiques,
            ["famille--surmonter-conflits-separation-violence"]
        );
        assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
        assert!(
            parsed.warnings[0]
                .to_string()
                .starts_with("services[0].thematiques[0] : « famille--violences-intrafamiliales » est un code de la version 0"),
            "{}",
            parsed.warnings[0]
        );
    }

    #[test]
    fn an_unknown_thematique_public_or_mode_is_refused_at_its_json_path() {
        let all = json_problems(&one_service(&format!(
            r#"{GOOD}, "thematiques": ["famille--surmonter-conflits-separation-violence", "vacances"],
               "publics": ["femmes", "martiens"], "modes_accueil": ["par-pigeon"], "relais": {{"besoins": ["legal"]}}"#
        )));
        for expected in [
            "services[0].thematiques[1] : « vacances » n'est pas un code data·inclusion connu",
            "services[0].publics[1] : « martiens »",
            "services[0].modes_accueil[0] : « par-pigeon »",
        ] {
            assert!(
                all.iter().any(|p| p.starts_with(expected)),
                "{expected} not in {all:?}"
            );
        }
    }

    #[test]
    fn every_public_together_with_tous_publics_is_refused() {
        let all = json_problems(&one_service(&format!(
            r#"{GOOD}, "publics": ["tous-publics", "femmes"], "relais": {{"besoins": ["legal"]}}"#
        )));
        assert_eq!(
            all,
            [
                "services[0].publics : « tous-publics » ne va pas avec d'autres publics : gardez-le seul, ou retirez-le"
            ]
        );
    }

    #[test]
    fn a_name_too_short_or_too_long_and_an_empty_presentation_are_refused() {
        let long = "a".repeat(151);
        let all = json_problems(&format!(
            r#"{{"structures": [{{"id": "s", "nom": "AB", "relais": {{"type": "cidff"}}}}],
                "services": [{{"id": "a", "structure_id": "s", "code_insee": "62588", "nom": "{long}",
                   "description": " ", "date_maj": "2026-11-28", "relais": {{"besoins": ["legal"]}}}},
                   {{"id": "b", "structure_id": "s", "code_insee": "62588", "nom": "Permanence",
                   "description": "Oui", "date_maj": "2026-11-28", "relais": {{"besoins": ["legal"]}}}}]}}"#
        ));
        for expected in [
            "structures[0].nom : « AB » : le nom doit avoir au moins 3 caractères",
            "services[0].nom : trop long : 150 caractères au plus",
            "services[0].description : la présentation est obligatoire",
            "services[1].description : « Oui » : la présentation doit avoir au moins 5 caractères",
        ] {
            assert!(
                all.iter().any(|p| p.starts_with(expected)),
                "{expected} not in {all:?}"
            );
        }
    }

    #[test]
    fn a_missing_or_future_date_is_refused_on_its_line() {
        let communes = Communes::embedded();
        let text = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee;presentation;verifie_le\n\
                    a;A (exemple);cidff;s1;Permanence;legal;62588;Une permanence;\n\
                    a;A (exemple);cidff;s2;Permanence;legal;62588;Une permanence;2999-01-01\n\
                    a;A (exemple);cidff;s3;Permanence;legal;62588;Une permanence;1999-12-31\n";
        let all: Vec<String> = parse(text.as_bytes(), Format::Csv, &communes)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            all,
            [
                "ligne 2, colonne verifie_le : la date de la dernière vérification est obligatoire (2026-11-28 ou 28/11/2026)",
                "ligne 3, colonne verifie_le : le 2999-01-01 est dans le futur : donnez la date de la dernière vérification",
                "ligne 4, colonne verifie_le : le 1999-12-31 est avant 2000",
            ]
        );
        let all = json_problems(&one_service(
            r#""nom": "Permanence", "description": "Une permanence", "date_maj": "", "relais": {"besoins": ["legal"]}"#,
        ));
        assert_eq!(
            all,
            [
                "services[0].date_maj : la date de la dernière vérification est obligatoire (2026-11-28 ou 28/11/2026)"
            ]
        );
    }

    #[test]
    fn the_fields_relais_keeps_are_checked_as_the_schema_wants_them() {
        let all = json_problems(&one_service(&format!(
            r#"{GOOD}, "relais": {{"besoins": ["legal"]}}, "type": "conference", "lien_source": "pas un lien",
               "modes_mobilisation": ["crier"], "mobilisable_par": [], "nombre_semaines": 0,
               "volume_horaire_hebdomadaire": -1, "frais": "cher""#
        )));
        for expected in [
            "services[0].type : \"conference\" n'est pas un code data·inclusion connu",
            "services[0].lien_source : « pas un lien »",
            "services[0].modes_mobilisation[0] : \"crier\"",
            "services[0].mobilisable_par : une liste de codes (au moins un) était attendue",
            "services[0].nombre_semaines : un nombre entier d'au moins 1 était attendu",
            "services[0].volume_horaire_hebdomadaire : un nombre d'au moins 0 était attendu",
            "services[0].frais : \"cher\"",
        ] {
            assert!(
                all.iter().any(|p| p.starts_with(expected)),
                "{expected} not in {all:?}"
            );
        }
    }

    #[test]
    fn an_empty_gratuit_says_nothing_of_the_fees_and_a_no_says_they_are_paid() {
        let communes = Communes::embedded();
        let parsed = parse(
            &csv(&["a;A (exemple);cidff;s1;Permanence;legal;;62588;;;"]),
            Format::Csv,
            &communes,
        )
        .unwrap();
        assert!(!parsed.services[0].free_of_charge);
        assert_eq!(parsed.services[0].source_fields.get("frais"), None);
        let text = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee;presentation;verifie_le;gratuit\n\
                    a;A (exemple);cidff;s1;Permanence;legal;62588;Une permanence;2026-11-28;non\n";
        let parsed = parse(text.as_bytes(), Format::Csv, &communes).unwrap();
        assert_eq!(
            parsed.services[0].source_fields.get("frais"),
            Some(&Value::from("payant"))
        );
    }

    #[test]
    fn without_the_relais_extension_needs_come_from_thematiques_and_the_kind_from_the_networks() {
        let communes = Communes::embedded();
        let json = r#"{"structures": [
              {"id": "s", "nom": "CCAS (exemple)", "date_maj": "2026-11-01", "reseaux_porteurs": ["ccas-cias"]},
              {"id": "t", "nom": "Association (exemple)", "date_maj": "2026-11-01"}],
            "services": [
              {"id": "a", "structure_id": "s", "code_insee": "62588", "nom": "Permanence", "description": "Une permanence",
               "date_maj": "2026-11-28", "thematiques": ["famille--surmonter-conflits-separation-violence", "logement-hebergement--louer-un-logement"]},
              {"id": "b", "structure_id": "t", "code_insee": "62588", "nom": "Atelier CV", "description": "Un atelier",
               "date_maj": "2026-11-28", "thematiques": ["preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"]},
              {"id": "c", "structure_id": "t", "code_insee": "62588", "nom": "Écoute", "description": "Une écoute",
               "date_maj": "2026-11-28", "thematiques": ["sante--sante-mentale"], "relais": {"besoins": ["legal"]}}]}"#;
        let parsed = parse(json.as_bytes(), Format::DataInclusion, &communes).unwrap();
        assert_eq!(parsed.organisations[0].kind, Kind::Ccas);
        assert_eq!(parsed.organisations[1].kind, Kind::Other);
        let ids: Vec<&str> = parsed
            .services
            .iter()
            .map(|s| s.source_id.as_str())
            .collect();
        assert_eq!(ids, ["a", "c"], "the CV workshop serves no need of Relais");
        assert_eq!(
            parsed.services[0].needs.to_codes(),
            "legal,housing,psychological"
        );
        // The extension, when given, wins over the thematiques.
        assert_eq!(parsed.services[1].needs.to_codes(), "legal");
        let warnings: Vec<String> = parsed.warnings.iter().map(ToString::to_string).collect();
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with("structures[1].relais.type : le type")),
            "{warnings:?}"
        );
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with("services[1].thematiques : aucun besoin")),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_zone_takes_communes_epci_departements_and_regions_and_refuses_the_rest() {
        let communes = Communes::embedded();
        let parsed = parse(
            one_service(&format!(
                r#"{GOOD}, "relais": {{"besoins": ["legal"]}}, "zone_eligibilite": ["200069029", "62588", "59", "R32"]"#
            ))
            .as_bytes(),
            Format::DataInclusion,
            &communes,
        )
        .unwrap();
        assert_eq!(
            parsed.services[0].zone_eligibilite,
            ["200069029", "62588", "59", "02", "60", "62", "80"]
        );
        let all = json_problems(&one_service(&format!(
            r#"{GOOD}, "relais": {{"besoins": ["legal"]}}, "zone_eligibilite": ["62588", "123456789"]"#
        )));
        assert_eq!(
            all,
            [
                "services[0].zone_eligibilite[1] : « 123456789 » n'est ni une commune (code INSEE), ni un EPCI (SIREN), ni un département, ni une région (R32)"
            ]
        );
    }
}
