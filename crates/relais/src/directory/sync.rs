//! Keeping a territory's directory in step with a data·inclusion source
//! (`relais directory sync`, and the back office's "Mettre à jour depuis
//! data·inclusion"): a file shaped as the national API's bulk files is
//! compared with the directory, the changes are previewed, then applied.
//!
//! The invariants it keeps:
//! - a service is known by its source and its id in that source
//!   (`dora/3f…`), as data·inclusion identifies it;
//! - a new service arrives "à vérifier": its verification date is the
//!   association's to give, never the source's;
//! - a service the source no longer lists is flagged, never deleted;
//! - a field edited in the back office since the last sync is kept, and
//!   shown as differing from the source: each organisation and service
//!   remembers the fields the source last gave it (its snapshot), and a
//!   stored value that differs from the snapshot is a local edit;
//! - every change is an audit line, in the transaction of the change, and
//!   a plan is applied only to the directory it was computed from (its
//!   version is checked again inside the transaction).
//!
//! Reading and checking the file is [`import::parse`]'s: the same rules,
//! the same problems with their JSON path.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest as _, Sha256};

use crate::backoffice::storage::{AuditAction, audit};
use crate::directory::communes::Communes;
use crate::directory::import::{self, Format, Parsed, Problem};
use crate::directory::model::{Need, Organisation, Service};
use crate::directory::storage::{self, SyncWrite, SyncedOrganisation, SyncedService};
use crate::directory::territories::Territory;
use crate::storage::{Db, OrganisationId, ServiceId, now_text};

/// The largest source a sync reads from a file (the back office's upload
/// has its own, smaller limit): a territory's share of the national data
/// is a few megabytes; the whole of France, some hundreds.
pub const MAX_SOURCE_BYTES: u64 = 128 * 1024 * 1024;

/// At most this many lines of each list are kept in a plan for people to
/// read (the counts are always whole).
pub const LISTED: usize = 200;

/// Reads a source from disk: a data·inclusion JSON file, or a directory
/// holding `structures.json` and `services.json` (JSON arrays, as the
/// national API's bulk files are), each within [`MAX_SOURCE_BYTES`].
pub fn read_source(path: &Path) -> Result<Vec<u8>, Problem> {
    if path.is_dir() {
        let structures = read_bounded(&path.join("structures.json"))?;
        let services = read_bounded(&path.join("services.json"))?;
        let mut bytes = Vec::with_capacity(structures.len() + services.len() + 32);
        bytes.extend_from_slice(b"{\"structures\":");
        bytes.extend_from_slice(&structures);
        bytes.extend_from_slice(b",\n\"services\":");
        bytes.extend_from_slice(&services);
        bytes.extend_from_slice(b"}");
        Ok(bytes)
    } else {
        read_bounded(path)
    }
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, Problem> {
    let problem = |reason: String| Problem {
        place: path.display().to_string(),
        column: None,
        reason,
    };
    let file = std::fs::File::open(path)
        .map_err(|e| problem(format!("le fichier ne peut pas être lu ({e})")))?;
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| problem(format!("le fichier ne peut pas être lu ({e})")))?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(problem(format!(
            "trop gros : {} Mo au plus",
            MAX_SOURCE_BYTES / 1024 / 1024
        )));
    }
    Ok(bytes)
}

/// Reads and checks a source as the import does, each record known by its
/// source and id (`source/id`, or its id alone when it has no source or
/// comes from Relais).
pub fn parse(bytes: &[u8], communes: &Communes) -> Result<Parsed, Vec<Problem>> {
    // The import knows a data·inclusion record by its source and id
    // itself: a directory first filled by `directory import` is then
    // synced without doubling its records.
    import::parse(bytes, Format::DataInclusion, communes)
}

/// What identifies a file and the directory it was compared with: the
/// apply form carries it back, and a plan whose digest differs is shown
/// again rather than applied.
pub fn digest(version: i64, bytes: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(b"relais/directory-sync/v1");
    hash.update(version.to_le_bytes());
    hash.update(bytes);
    hex::encode(hash.finalize())
}

/// One line of a plan, for people: what changes, on what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// "structure" or "service".
    pub what: &'static str,
    /// Its name.
    pub name: String,
    /// Its identifier in the source.
    pub source_id: String,
    /// The fields concerned: those the source changes, or, for a local
    /// edit kept, "Téléphone (source : 03 21 …)".
    pub fields: Vec<String>,
}

/// What a sync would do, before it does it.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// The file and directory it was computed from ([`digest`]).
    pub digest: String,
    /// The directory's version it was computed from.
    pub version: i64,
    /// Organisations and services the source adds.
    pub added: Vec<Line>,
    /// Organisations and services the source changes (or lists again).
    pub updated: Vec<Line>,
    /// Services the source no longer lists, flagged now.
    pub gone: Vec<Line>,
    /// Organisations and services whose local edits are kept while the
    /// source says otherwise.
    pub kept: Vec<Line>,
    /// Counts, whole (the lists stop at [`LISTED`]).
    pub counts: Counts,
    /// What to write.
    write: SyncWrite,
    /// The audit lines of the changes: action, object, detail.
    audit: Vec<(AuditAction, String, String)>,
}

/// How many of each, whole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Organisations added.
    pub organisations_added: usize,
    /// Organisations updated.
    pub organisations_updated: usize,
    /// Services added, "à vérifier".
    pub services_added: usize,
    /// Services updated (or listed again after being gone).
    pub services_updated: usize,
    /// Services flagged as gone from the source by this sync.
    pub services_gone: usize,
    /// Services already flagged as gone, still missing.
    pub services_still_gone: usize,
    /// Organisations and services with local edits kept.
    pub kept_local_edits: usize,
    /// Services the source lists as they already are.
    pub services_unchanged: usize,
    /// Services of the source outside the territory, left out.
    pub services_outside: usize,
    /// Services archived here that the source still lists: left archived.
    pub services_archived: usize,
}

impl Plan {
    /// Whether applying it would change nothing.
    pub fn changes_nothing(&self) -> bool {
        self.audit.is_empty()
    }

    /// One sentence for a person or a terminal.
    pub fn summary(&self) -> String {
        let c = &self.counts;
        format!(
            "{} service(s) ajouté(s) à vérifier, {} mis à jour, {} n'étant plus dans la source \
             ({} déjà signalé(s)), {} modification(s) locale(s) gardée(s), {} inchangé(s) ; \
             {} structure(s) ajoutée(s), {} mise(s) à jour ; {} service(s) hors du territoire laissé(s) de côté.",
            c.services_added,
            c.services_updated,
            c.services_gone,
            c.services_still_gone,
            c.kept_local_edits,
            c.services_unchanged,
            c.organisations_added,
            c.organisations_updated,
            c.services_outside,
        )
    }
}

/// Compares a checked source with a territory's directory. Pure: nothing
/// is read or written here.
pub fn plan(
    parsed: Parsed,
    territory: &Territory,
    communes: &Communes,
    current: (Vec<SyncedOrganisation>, Vec<SyncedService>),
    version: i64,
    digest: String,
) -> Plan {
    let (current_organisations, current_services) = current;
    let mut plan = Plan {
        digest,
        version,
        ..Plan::default()
    };
    // The services of the territory, and the organisations they need.
    let mut services = Vec::with_capacity(parsed.services.len());
    for service in parsed.services {
        let inside = communes
            .by_insee(&service.commune_insee)
            .is_some_and(|c| territory.covers(&c.insee, &c.departement));
        if inside {
            services.push(service);
        } else {
            plan.counts.services_outside += 1;
        }
    }
    let needed: HashSet<&str> = services
        .iter()
        .map(|s| s.organisation_id.as_str())
        .collect();
    let existing: HashMap<&str, &SyncedOrganisation> = current_organisations
        .iter()
        .map(|o| (o.organisation.source_id.as_str(), o))
        .collect();

    // Organisations: source id → our id.
    let mut ids: HashMap<String, OrganisationId> = current_organisations
        .iter()
        .map(|o| (o.organisation.source_id.clone(), o.organisation.id.clone()))
        .collect();
    for source in parsed.organisations {
        let known = existing.get(source.source_id.as_str());
        if known.is_none() && !needed.contains(source.source_id.as_str()) {
            continue;
        }
        let snapshot = snapshot(ORGANISATION_FIELDS, &source);
        match known {
            None => {
                let id = OrganisationId::new();
                ids.insert(source.source_id.clone(), id.clone());
                plan.counts.organisations_added += 1;
                plan.push_added("structure", &source.name, &source.source_id);
                plan.audit.push((
                    AuditAction::OrganisationAddedFromSource,
                    id.to_string(),
                    source.name.clone(),
                ));
                let organisation = Organisation { id, ..source };
                plan.write.organisations.push((organisation, snapshot));
            }
            Some(known) if known.archived => {}
            Some(known) => {
                let local = &known.organisation;
                let mut merged = Organisation {
                    id: local.id.clone(),
                    live: local.live,
                    live_hours: local.live_hours.clone(),
                    ..source.clone()
                };
                let merge = merge(
                    ORGANISATION_FIELDS,
                    local,
                    &source,
                    &mut merged,
                    known.snapshot.as_deref(),
                );
                if !merge.kept.is_empty() {
                    plan.counts.kept_local_edits += 1;
                    plan.push_kept("structure", &local.name, &local.source_id, &merge.kept);
                }
                if !merge.updated.is_empty() {
                    plan.counts.organisations_updated += 1;
                    plan.push_updated("structure", &merged.name, &local.source_id, &merge.updated);
                }
                if !merge.updated.is_empty() || known.snapshot.as_deref() != Some(&snapshot) {
                    plan.audit.push((
                        AuditAction::OrganisationUpdatedFromSource,
                        local.id.to_string(),
                        merge.detail(),
                    ));
                    plan.write.organisations.push((merged, snapshot));
                }
            }
        }
    }

    // Services.
    let existing: HashMap<&str, &SyncedService> = current_services
        .iter()
        .map(|s| (s.service.source_id.as_str(), s))
        .collect();
    let mut seen: HashSet<String> = HashSet::with_capacity(services.len());
    for source in services {
        seen.insert(source.source_id.clone());
        let Some(organisation_id) = ids.get(source.organisation_id.as_str()).cloned() else {
            // import::parse refuses a service whose organisation the file
            // does not hold, and every organisation of the file has an id.
            continue;
        };
        let snapshot = snapshot(SERVICE_FIELDS, &source);
        match existing.get(source.source_id.as_str()) {
            None => {
                let id = ServiceId::new();
                plan.counts.services_added += 1;
                plan.push_added("service", &source.name, &source.source_id);
                plan.audit.push((
                    AuditAction::ServiceAddedFromSource,
                    id.to_string(),
                    source.name.clone(),
                ));
                let service = Service {
                    id,
                    organisation_id,
                    verified_on: None,
                    verified_by: None,
                    ..source
                };
                plan.write.services.push((service, snapshot));
            }
            Some(known) if known.archived => plan.counts.services_archived += 1,
            Some(known) => {
                let local = &known.service;
                let mut merged = Service {
                    id: local.id.clone(),
                    organisation_id,
                    verified_on: local.verified_on,
                    verified_by: local.verified_by.clone(),
                    ..source.clone()
                };
                let mut merge = merge(
                    SERVICE_FIELDS,
                    local,
                    &source,
                    &mut merged,
                    known.snapshot.as_deref(),
                );
                // A confidential address is never shown, whatever the
                // source and the local edits make of it together.
                if merged.confidential_address {
                    merged.street = None;
                    merged.point = None;
                }
                if merged.organisation_id != local.organisation_id {
                    merge.updated.push("Structure".to_owned());
                }
                let back = known.gone_from_source_at.is_some();
                if back {
                    merge.updated.push("de nouveau dans la source".to_owned());
                }
                if !merge.kept.is_empty() {
                    plan.counts.kept_local_edits += 1;
                    plan.push_kept("service", &local.name, &local.source_id, &merge.kept);
                }
                if !merge.updated.is_empty() {
                    plan.counts.services_updated += 1;
                    plan.push_updated("service", &merged.name, &local.source_id, &merge.updated);
                } else {
                    plan.counts.services_unchanged += 1;
                }
                if !merge.updated.is_empty() || known.snapshot.as_deref() != Some(&snapshot) {
                    plan.audit.push((
                        AuditAction::ServiceUpdatedFromSource,
                        local.id.to_string(),
                        merge.detail(),
                    ));
                    plan.write.services.push((merged, snapshot));
                }
            }
        }
    }

    // Gone: what came from a sync and the source no longer lists.
    for known in &current_services {
        if known.archived || known.snapshot.is_none() || seen.contains(&known.service.source_id) {
            continue;
        }
        if known.gone_from_source_at.is_some() {
            plan.counts.services_still_gone += 1;
            continue;
        }
        plan.counts.services_gone += 1;
        if plan.gone.len() < LISTED {
            plan.gone.push(Line {
                what: "service",
                name: known.service.name.clone(),
                source_id: known.service.source_id.clone(),
                fields: Vec::new(),
            });
        }
        plan.audit.push((
            AuditAction::ServiceGoneFromSource,
            known.service.id.to_string(),
            known.service.name.clone(),
        ));
        plan.write.gone.push(known.service.id.clone());
    }
    plan
}

impl Plan {
    fn push_added(&mut self, what: &'static str, name: &str, source_id: &str) {
        if self.added.len() < LISTED {
            self.added.push(Line {
                what,
                name: name.to_owned(),
                source_id: source_id.to_owned(),
                fields: Vec::new(),
            });
        }
    }

    fn push_updated(&mut self, what: &'static str, name: &str, source_id: &str, fields: &[String]) {
        if self.updated.len() < LISTED {
            self.updated.push(Line {
                what,
                name: name.to_owned(),
                source_id: source_id.to_owned(),
                fields: fields.to_vec(),
            });
        }
    }

    fn push_kept(&mut self, what: &'static str, name: &str, source_id: &str, kept: &[Kept]) {
        if self.kept.len() < LISTED {
            self.kept.push(Line {
                what,
                name: name.to_owned(),
                source_id: source_id.to_owned(),
                fields: kept
                    .iter()
                    .map(|k| format!("{} (source : {})", k.label, shown_or_empty(&k.source)))
                    .collect(),
            });
        }
    }
}

/// What the applied sync did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Applied {
    /// Its counts.
    pub counts: Counts,
    /// Audit lines written, the sync's own included.
    pub audit_lines: usize,
}

/// Why a plan was not applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The directory changed after the plan was computed: preview again.
    #[error("the directory changed since the plan was computed")]
    DirectoryChanged,
    /// The database failed; nothing was written.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Applies a plan to the territory in one transaction, with an audit line
/// for each change and one for the sync (`file` names the source), by
/// `actor`. Refused if the directory is no longer the one it was computed
/// from.
pub async fn apply(
    db: &Db,
    territory: &str,
    plan: &Plan,
    actor: &str,
    file: &str,
) -> Result<Applied, ApplyError> {
    let mut tx = db.begin().await?;
    if storage::version_in(&mut tx).await? != plan.version {
        return Err(ApplyError::DirectoryChanged);
    }
    if !plan.changes_nothing() {
        storage::apply_sync(&mut tx, territory, &plan.write, &now_text()).await?;
    }
    for (action, object, detail) in &plan.audit {
        audit(&mut tx, actor, Some(territory), *action, object, detail).await?;
    }
    audit(
        &mut tx,
        actor,
        Some(territory),
        AuditAction::DirectorySynced,
        file,
        &plan.summary(),
    )
    .await?;
    tx.commit().await?;
    Ok(Applied {
        counts: plan.counts,
        audit_lines: plan.audit.len() + 1,
    })
}

/// Reads and checks a source, then computes its plan for a territory
/// against the directory as it is now; the reading and the comparison run
/// off the async workers, behind the limit of heavy work.
pub async fn preview(
    db: &Db,
    territory: &Territory,
    communes: &Arc<Communes>,
    bytes: Vec<u8>,
) -> sqlx::Result<Result<Plan, Vec<Problem>>> {
    // The version first: a change made while the state is read makes the
    // plan older than the directory, and its apply is refused.
    let version = storage::version(db).await?;
    let current = storage::sync_state(db, territory.slug.as_str()).await?;
    let territory = territory.clone();
    let communes = Arc::clone(communes);
    Ok(crate::work::run(crate::work::Class::Staff, move || {
        let parsed = parse(&bytes, &communes)?;
        let digest = digest(version, &bytes);
        Ok(plan(
            parsed, &territory, &communes, current, version, digest,
        ))
    })
    .await)
}

/// A field's value as a person reads it in a list: "(vide)" when empty.
pub fn shown_or_empty(value: &str) -> String {
    if value.is_empty() {
        "(vide)".to_owned()
    } else {
        value.to_owned()
    }
}

/// The fields of a service that differ from what the source last gave,
/// with the source's value: what the back office shows as "diffère de la
/// source". `snapshot` is the stored JSON.
pub fn differences(service: &Service, snapshot: &str) -> Vec<(&'static str, String)> {
    let Ok(snapshot) = serde_json::from_str::<BTreeMap<String, String>>(snapshot) else {
        return Vec::new();
    };
    SERVICE_FIELDS
        .iter()
        .filter_map(|field| {
            let source = snapshot.get(field.key)?;
            ((field.show)(service) != *source).then(|| (field.label, source.clone()))
        })
        .collect()
}

/// What the back office says of a service and its source: gone from it
/// since a date, or differing from it (each field with the source's
/// value); `None` when it matches its source or never came from one.
/// `state` is the snapshot and the "gone" date, as stored.
pub fn source_note(service: &Service, state: Option<&(String, Option<String>)>) -> Option<String> {
    let (snapshot, gone) = state?;
    let mut parts = Vec::new();
    if let Some(gone) = gone {
        parts.push(format!(
            "n'est plus dans la source depuis le {}",
            gone.get(..10).unwrap_or(gone)
        ));
    }
    let differences = differences(service, snapshot);
    if !differences.is_empty() {
        let fields: Vec<String> = differences
            .iter()
            .map(|(label, source)| format!("{label} (source : {})", shown_or_empty(source)))
            .collect();
        parts.push(format!("diffère de la source : {}", fields.join(" ; ")));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

// ---------------------------------------------------------------- fields

/// A field a sync compares: its key in the snapshot, its label for people,
/// how it reads, and how it is taken from another record.
struct Field<T> {
    key: &'static str,
    label: &'static str,
    show: fn(&T) -> String,
    take: fn(&mut T, &T),
}

macro_rules! fields {
    ($ty:ty; $( $key:literal, $label:literal, $field:ident, $show:path; )*) => {
        &[ $( Field::<$ty> {
            key: $key,
            label: $label,
            show: |record: &$ty| $show(&record.$field),
            take: |to: &mut $ty, from: &$ty| to.$field.clone_from(&from.$field),
        }, )* ]
    };
}

/// What a sync takes from the source for an organisation. Live help is
/// its members' to set, so it is never among them.
const ORGANISATION_FIELDS: &[Field<Organisation>] = fields!(Organisation;
    "structure_nom", "Nom", name, text;
    "structure_type", "Type", kind, kind;
    "structure_siret", "SIRET", siret, optional;
    "structure_telephone", "Téléphone", phone, optional;
    "structure_courriel", "Courriel", email, optional;
    "structure_site_web", "Site web", website, optional;
);

/// What a sync takes from the source for a service. Its verification
/// (date and who) is the association's, so it is never among them.
const SERVICE_FIELDS: &[Field<Service>] = fields!(Service;
    "service_nom", "Nom", name, text;
    "presentation", "Présentation", description, optional;
    "besoins", "Besoins", needs, needs;
    "thematiques", "Thématiques", thematiques, list;
    "publics", "Publics", publics, list;
    "modes_accueil", "Modes d'accueil", modes_accueil, list;
    "zone_eligibilite", "Zone d'éligibilité", zone_eligibilite, list;
    "horaires_accueil", "Horaires", opening_hours, optional;
    "telephone", "Téléphone", phone, optional;
    "courriel", "Courriel", email, optional;
    "site_web", "Site web", website, optional;
    "adresse", "Adresse", street, optional;
    "code_postal", "Code postal", postcode, optional;
    "code_insee", "Commune (code INSEE)", commune_insee, text;
    "coordonnees", "Coordonnées", point, point;
    "adresse_confidentielle", "Adresse confidentielle", confidential_address, yes_no;
    "contact_public", "Contact public", public_contact, optional;
    "accueil_anonyme", "Accueil anonyme", accepts_anonymous, yes_no;
    "langues", "Langues", languages, list;
    "lsf", "Langue des signes", lsf, yes_no;
    "acces_fauteuil", "Accès en fauteuil", wheelchair, yes_no;
    "recoit_mineurs", "Reçoit les mineurs", receives_minors, yes_no;
    "gratuit", "Gratuit", free_of_charge, yes_no;
    "recoit_orientations", "Reçoit les comptes-rendus", receives_referrals, yes_no;
);

fn text(value: &str) -> String {
    value.to_owned()
}

fn optional(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn list(value: &[String]) -> String {
    value.join(", ")
}

fn kind(value: &crate::directory::model::Kind) -> String {
    value.label().to_owned()
}

fn needs(value: &crate::directory::model::Needs) -> String {
    value.iter().map(Need::label).collect::<Vec<_>>().join(", ")
}

fn point(value: &Option<crate::directory::communes::Point>) -> String {
    value.map_or_else(String::new, |p| format!("{}, {}", p.lat, p.lon))
}

fn yes_no(value: &bool) -> String {
    if *value { "oui" } else { "non" }.to_owned()
}

/// The source's fields of a record, as stored: JSON, key → value.
fn snapshot<T>(fields: &[Field<T>], record: &T) -> String {
    let map: BTreeMap<&str, String> = fields
        .iter()
        .map(|field| (field.key, (field.show)(record)))
        .collect();
    serde_json::to_string(&map).unwrap_or_default()
}

/// A local edit kept while the source says otherwise.
struct Kept {
    label: &'static str,
    source: String,
}

/// What a three-way merge did to one record.
struct Merge {
    /// Labels of the fields taken from the source.
    updated: Vec<String>,
    /// Local edits kept where the source differs.
    kept: Vec<Kept>,
}

impl Merge {
    /// The audit line's detail: the fields changed, the local edits kept.
    fn detail(&self) -> String {
        let mut parts = Vec::new();
        if !self.updated.is_empty() {
            parts.push(format!("depuis la source : {}", self.updated.join(", ")));
        }
        if !self.kept.is_empty() {
            let kept: Vec<&str> = self.kept.iter().map(|k| k.label).collect();
            parts.push(format!("modifié ici, gardé : {}", kept.join(", ")));
        }
        if parts.is_empty() {
            "rien de changé".to_owned()
        } else {
            parts.join(" ; ")
        }
    }
}

/// `merged` starts as the source's record; each field edited locally since
/// the last sync (its stored value differs from the snapshot) is put back
/// to the local value. Without a snapshot (a record imported before any
/// sync) nothing counts as edited: the source's values are taken.
fn merge<T>(
    fields: &[Field<T>],
    local: &T,
    source: &T,
    merged: &mut T,
    snapshot: Option<&str>,
) -> Merge {
    let snapshot: Option<BTreeMap<String, String>> =
        snapshot.and_then(|s| serde_json::from_str(s).ok());
    let mut merge = Merge {
        updated: Vec::new(),
        kept: Vec::new(),
    };
    for field in fields {
        let here = (field.show)(local);
        let there = (field.show)(source);
        let edited = snapshot
            .as_ref()
            .and_then(|s| s.get(field.key))
            .is_some_and(|last| *last != here);
        if edited {
            (field.take)(merged, local);
            if there != here {
                merge.kept.push(Kept {
                    label: field.label,
                    source: there,
                });
            }
        } else if there != here {
            merge.updated.push(field.label.to_owned());
        }
    }
    merge
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::directory::territories::{Coordinator, Slug};

    fn territory() -> Territory {
        Territory {
            slug: Slug::parse("montreuillois").expect("a valid slug"),
            name: "Montreuillois".to_owned(),
            neutral_url: None,
            communes: BTreeSet::from(["62588".to_owned(), "62826".to_owned()]),
            departements: BTreeSet::new(),
            coordinator: Coordinator::default(),
            youth_services: Vec::new(),
            hosts: BTreeSet::new(),
            suspended: false,
        }
    }

    fn source(services: &[(&str, &str, &str)]) -> Parsed {
        let services: Vec<String> = services
            .iter()
            .map(|(id, name, insee)| {
                format!(
                    r#"{{"id": "{id}", "source": "dora", "structure_id": "s1", "nom": "{name}",
                        "description": "Une permanence d'accueil et de conseil.",
                        "date_maj": "2026-11-20",
                        "code_insee": "{insee}", "telephone": "0321000000",
                        "relais": {{"besoins": ["legal"]}}}}"#
                )
            })
            .collect();
        let json = format!(
            r#"{{"structures": [{{"id": "s1", "source": "dora", "nom": "CIDFF (exemple)",
                 "relais": {{"type": "cidff"}}}}],
                "services": [{}]}}"#,
            services.join(",")
        );
        parse(json.as_bytes(), &Communes::embedded()).expect("a valid source")
    }

    /// The directory as it would be after applying `plan` to nothing: what
    /// the next plan compares with.
    fn stored(plan: &Plan) -> (Vec<SyncedOrganisation>, Vec<SyncedService>) {
        (
            plan.write
                .organisations
                .iter()
                .map(|(o, s)| SyncedOrganisation {
                    organisation: o.clone(),
                    snapshot: Some(s.clone()),
                    archived: false,
                })
                .collect(),
            plan.write
                .services
                .iter()
                .map(|(o, s)| SyncedService {
                    service: o.clone(),
                    snapshot: Some(s.clone()),
                    gone_from_source_at: None,
                    archived: false,
                })
                .collect(),
        )
    }

    fn first_plan() -> Plan {
        plan(
            source(&[
                ("a", "Permanence A", "62588"),
                ("b", "Permanence B", "62826"),
            ]),
            &territory(),
            &Communes::embedded(),
            (Vec::new(), Vec::new()),
            1,
            String::new(),
        )
    }

    #[test]
    fn a_record_is_known_by_its_source_and_its_id() {
        let parsed = source(&[("a", "Permanence A", "62588")]);
        assert_eq!(parsed.organisations[0].source_id, "dora/s1");
        assert_eq!(parsed.services[0].source_id, "dora/a");
        assert_eq!(parsed.services[0].organisation_id.as_str(), "dora/s1");
    }

    #[test]
    fn new_services_arrive_unverified_and_outsiders_are_left_out() {
        let parsed = source(&[("a", "Permanence A", "62588"), ("far", "Ailleurs", "75056")]);
        let plan = plan(
            parsed,
            &territory(),
            &Communes::embedded(),
            (Vec::new(), Vec::new()),
            1,
            String::new(),
        );
        assert_eq!(plan.counts.services_added, 1);
        assert_eq!(plan.counts.organisations_added, 1);
        assert_eq!(plan.counts.services_outside, 1);
        assert!(plan.write.services[0].0.verified_on.is_none());
    }

    #[test]
    fn the_same_source_again_changes_nothing() {
        let first = first_plan();
        let again = plan(
            source(&[
                ("a", "Permanence A", "62588"),
                ("b", "Permanence B", "62826"),
            ]),
            &territory(),
            &Communes::embedded(),
            stored(&first),
            2,
            String::new(),
        );
        assert!(again.changes_nothing(), "{:?}", again.audit);
        assert_eq!(again.counts.services_unchanged, 2);
    }

    #[test]
    fn a_local_edit_is_kept_and_a_source_change_elsewhere_is_taken() {
        let first = first_plan();
        let (organisations, mut services) = stored(&first);
        services[0].service.phone = Some("0321999999".to_owned());
        let parsed = source(&[
            ("a", "Permanence A, nouveau nom", "62588"),
            ("b", "Permanence B", "62826"),
        ]);
        let mut parsed = parsed;
        parsed.services[0].phone = Some("0321111111".to_owned());
        let next = plan(
            parsed,
            &territory(),
            &Communes::embedded(),
            (organisations, services),
            2,
            String::new(),
        );
        let (merged, _) = &next.write.services[0];
        assert_eq!(merged.phone.as_deref(), Some("0321999999"));
        assert_eq!(merged.name, "Permanence A, nouveau nom");
        assert_eq!(next.counts.kept_local_edits, 1);
        assert_eq!(next.kept[0].fields, ["Téléphone (source : 0321111111)"]);
        assert_eq!(next.updated[0].fields, ["Nom"]);
    }

    #[test]
    fn a_service_gone_from_the_source_is_flagged_once() {
        let first = first_plan();
        let next = plan(
            source(&[("a", "Permanence A", "62588")]),
            &territory(),
            &Communes::embedded(),
            stored(&first),
            2,
            String::new(),
        );
        assert_eq!(next.counts.services_gone, 1);
        assert_eq!(next.gone[0].source_id, "dora/b");
        let (organisations, mut services) = stored(&first);
        services[1].gone_from_source_at = Some("2026-12-01T00:00:00Z".to_owned());
        let later = plan(
            source(&[("a", "Permanence A", "62588")]),
            &territory(),
            &Communes::embedded(),
            (organisations, services),
            3,
            String::new(),
        );
        assert_eq!(later.counts.services_gone, 0);
        assert_eq!(later.counts.services_still_gone, 1);
    }

    #[test]
    fn a_differing_field_is_shown_with_the_source_value() {
        let first = first_plan();
        let (service, snapshot) = &first.write.services[0];
        let mut edited = service.clone();
        edited.phone = None;
        assert_eq!(
            differences(&edited, snapshot),
            [("Téléphone", service.phone.clone().unwrap_or_default())]
        );
        assert!(differences(service, snapshot).is_empty());
    }
}
