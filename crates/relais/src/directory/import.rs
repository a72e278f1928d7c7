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
use serde_json::Value;

use crate::directory::communes::{Communes, Point, Resolution, is_postcode_shaped};
use crate::directory::contact::{Phone, check_email, check_website};
use crate::directory::hours::{self, Hours};
use crate::directory::model::{Kind, Need, Needs, Organisation, Service};
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
        "presentation" => 2000,
        "structure_nom" | "service_nom" | "adresse" | "commune" | "verifie_par" => 200,
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
    with_problems(too_long, check_records(&records, communes, fix_hours))
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
}

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
    // A form is typed by a person: hours are refused with their
    // correction proposed, never corrected behind her back.
    let organisation = Check {
        record: &record,
        problems: &mut problems,
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
    // A form is typed by a person: hours are refused with their
    // correction proposed, never corrected behind her back.
    let service = Check {
        record: &record,
        problems: &mut problems,
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
        place: "formulaire".to_owned(),
        fields: values,
        json_names: None,
        holds,
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
        let fields = columns
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
        records.push(Record {
            place: format!("ligne {line}"),
            fields,
            json_names: None,
            holds: Holds::Both,
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

/// Splits a data·inclusion file into records.
fn json_records(bytes: &[u8]) -> Result<Vec<Record>, Vec<Problem>> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        vec![Problem {
            place: format!("ligne {}", e.line()),
            column: None,
            reason: format!("JSON illisible ({e})"),
        }]
    })?;
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
            // data·inclusion: `frais` and `date_maj` stand for our fields
            // when the `relais` extension does not give them.
            if holds == Holds::Service {
                if !values.contains_key("gratuit")
                    && let Some(frais) = object.get("frais").and_then(json_text)
                {
                    values.insert(
                        "gratuit",
                        if frais.contains("gratuit") {
                            "oui"
                        } else {
                            "non"
                        }
                        .to_owned(),
                    );
                }
                if !values.contains_key("verifie_le")
                    && let Some(date) = object.get("date_maj").and_then(json_text)
                {
                    values.insert("verifie_le", date.chars().take(10).collect());
                }
            }
            records.push(Record {
                place,
                fields: values,
                json_names: Some(fields.iter().copied().collect()),
                holds,
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
    fix_hours: bool,
) -> Result<Parsed, Vec<Problem>> {
    let mut problems = Vec::new();
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
    /// Correct the opening hours Relais can correct, instead of refusing
    /// them with the correction proposed.
    fix_hours: bool,
    hours_fixes: &'a mut Vec<HoursFix>,
}

impl Check<'_> {
    fn fail(&mut self, column: &str, reason: impl Into<String>) {
        self.problems.push(self.record.problem(column, reason));
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
        let name = self.required("structure_nom");
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
        let name = self.required("service_nom");
        let needs = self.needs();
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
        let verified_on = self
            .checked("verifie_le", parse_date)
            .and_then(|d| d.parse::<Date>().ok());
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
        let service = Service {
            id: ServiceId::default(),
            // The organisation's source id, on the way in.
            organisation_id: organisation?.into(),
            source_id: source_id?,
            name: name?,
            description: self.optional("presentation"),
            needs: needs?,
            thematiques: self.list("thematiques"),
            publics: self.list("publics"),
            modes_accueil: self.list("modes_accueil"),
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
        };
        Some(service)
    }

    fn needs(&mut self) -> Option<Needs> {
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
        ok.then_some(needs)
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

    fn zone(&mut self, communes: &Communes) -> Vec<String> {
        let mut zone = Vec::new();
        for code in self.list("zone_eligibilite") {
            let upper = code.to_ascii_uppercase();
            if upper == "FRANCE" || upper == "99100" {
                return Vec::new();
            }
            if communes.departement_exists(&upper) {
                zone.push(upper);
            } else if let Some(commune) = communes.by_insee(&upper) {
                zone.push(commune.insee.to_string());
            } else {
                self.fail(
                    "zone_eligibilite",
                    format!("« {code} » n'est ni un code INSEE ni un département"),
                );
            }
        }
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

    const HEADER: &str = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_postal;code_insee;horaires_accueil;telephone;courriel";

    fn csv(rows: &[&str]) -> Vec<u8> {
        let mut text = HEADER.to_owned();
        for row in rows {
            text.push('\n');
            text.push_str(row);
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
        let text = "\u{feff}structure_id,structure_nom,structure_type,service_id,service_nom,besoins,code_insee\r\n\
                    a,\"Étaples, accueil (exemple)\",ccas,s1,Aide d'urgence,\"social,housing\",62318\r\n";
        let parsed = parse(text.as_bytes(), Format::Csv, &communes).unwrap();
        assert_eq!(parsed.organisations[0].name, "Étaples, accueil (exemple)");
        assert_eq!(parsed.services[0].postcode.as_deref(), Some("62630"));
    }

    #[test]
    fn a_file_saved_as_windows_1252_is_read() {
        let communes = Communes::embedded();
        let mut bytes = b"structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee\n".to_vec();
        bytes.extend_from_slice(b"a;Accueil \xc9taples (exemple);ccas;s1;Aide;social;62318\n");
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
        let text = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee;latitude;longitude\n\
                    a;A (exemple);cidff;s1;X;legal;62588;40.7;-74.0\n";
        let problems = parse(text.as_bytes(), Format::Csv, &communes).unwrap_err();
        assert!(
            problems[0].to_string().contains("hors de France"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_shared_postcode_needs_the_commune() {
        let communes = Communes::embedded();
        let text = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_postal;commune\n\
                    a;A (exemple);cidff;s1;X;legal;62170;\n\
                    a;A (exemple);cidff;s2;X;legal;62170;Saint-Josse\n";
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
            {"id": "a", "structure_id": "s", "nom": "A", "code_insee": "62588", "frais": "gratuit",
             "thematiques": ["famille--surmonter-conflits-separation-violence"], "relais": {"besoins": ["legal"]}},
            {"id": "b", "structure_id": "s", "nom": "B", "code_postal": "123", "relais": {"besoins": ["legal"]}}
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

    const LIVE_HEADER: &str = "structure_id;structure_nom;structure_type;live;live_hours;service_id;service_nom;besoins;code_insee";

    #[test]
    fn live_help_and_its_hours_are_read_with_the_other_booleans_words() {
        let communes = Communes::embedded();
        let text = format!(
            "{LIVE_HEADER}\n\
             a;A (exemple);cidff;oui;\"Mo-Fr 13:00-20:00; PH off\";s1;X;legal;62588\n\
             b;B (exemple);cidff;true;24/7;s2;X;legal;62588\n\
             c;C (exemple);cidff;non;;s3;X;legal;62588\n"
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
             a;A (exemple);cidff;oui;Lu 9h-12h;s1;X;legal;62588\n\
             b;B (exemple);cidff;oui;;s2;X;legal;62588\n\
             c;C (exemple);cidff;peut-être;24/7;s3;X;legal;62588\n"
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
            &csv(&["a;A (exemple);cidff;s1;X;legal;;62588;;;"]),
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
}
