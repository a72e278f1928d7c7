//! SQL of the directory, for SQLite and PostgreSQL alike.
//!
//! Every change bumps `directory_version` in the same transaction, so that
//! each instance knows when to rebuild its orientation index.

use std::collections::{BTreeSet, HashMap, HashSet};

use jiff::civil::Date;
use serde_json::{Map, Value};

use crate::directory::communes::Point;
use crate::directory::import::Parsed;
use crate::directory::model::{Kind, Needs, Organisation, Service};
use crate::directory::territories::{Coordinator, Slug, Territory, YouthService};
use crate::directory::voice::{LogoRef, Voice};
use crate::storage::{Db, OrganisationId, ServiceId, Tx};
use crate::{with_pool, with_tx};

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// Organisations created.
    pub organisations_created: usize,
    /// Organisations already there, updated.
    pub organisations_updated: usize,
    /// Services created.
    pub services_created: usize,
    /// Services already there, updated.
    pub services_updated: usize,
}

/// The directory's version: it changes with every change of the directory.
pub async fn version(db: &Db) -> sqlx::Result<i64> {
    with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT version FROM directory_version WHERE id = 1").fetch_one(pool).await
    })
}

/// Whether no territory exists yet (a new database).
pub async fn has_no_territory(db: &Db) -> sqlx::Result<bool> {
    let count = with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM territories").fetch_one(pool).await
    })?;
    Ok(count == 0)
}

/// Creates or replaces a territory.
pub async fn save_territory(tx: &mut Tx, territory: &Territory) -> sqlx::Result<()> {
    let youth =
        serde_json::to_string(&territory.youth_services).unwrap_or_else(|_| "[]".to_owned());
    let slug = territory.slug.as_str();
    with_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO territories (slug, name, neutral_url, coordinator_name, coordinator_email, coordinator_phone, youth_services)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (slug) DO UPDATE SET name = $2, neutral_url = $3, coordinator_name = $4,
                 coordinator_email = $5, coordinator_phone = $6, youth_services = $7",
        )
        .bind(slug)
        .bind(&territory.name)
        .bind(&territory.neutral_url)
        .bind(&territory.coordinator.name)
        .bind(&territory.coordinator.email)
        .bind(&territory.coordinator.phone)
        .bind(&youth)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM territory_areas WHERE territory = $1").bind(slug).execute(&mut *conn).await?;
        sqlx::query("DELETE FROM territory_hosts WHERE territory = $1").bind(slug).execute(&mut *conn).await?;
        for host in &territory.hosts {
            sqlx::query("INSERT INTO territory_hosts (host, territory) VALUES ($1, $2)")
                .bind(host)
                .bind(slug)
                .execute(&mut *conn)
                .await?;
        }
        let areas = territory
            .communes
            .iter()
            .map(|code| ("commune", code))
            .chain(territory.departements.iter().map(|code| ("departement", code)));
        for (kind, code) in areas {
            sqlx::query("INSERT INTO territory_areas (territory, kind, code) VALUES ($1, $2, $3)")
                .bind(slug)
                .bind(kind)
                .bind(code)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query(BUMP_VERSION).execute(&mut *conn).await?;
        Ok(())
    })
}

#[derive(sqlx::FromRow)]
struct TerritoryRow {
    slug: String,
    name: String,
    neutral_url: Option<String>,
    coordinator_name: Option<String>,
    coordinator_email: Option<String>,
    coordinator_phone: Option<String>,
    youth_services: String,
    suspended_at: Option<String>,
}

/// The territory whose entry another territory's host names would take:
/// `(host, its territory)` for the first host of `hosts` that is already
/// another territory's.
pub async fn host_taken(
    db: &Db,
    slug: &str,
    hosts: &BTreeSet<String>,
) -> sqlx::Result<Option<(String, String)>> {
    let taken = with_pool!(db, pool => {
        sqlx::query_as::<_, (String, String)>("SELECT host, territory FROM territory_hosts WHERE territory <> $1")
            .bind(slug)
            .fetch_all(pool)
            .await?
    });
    Ok(taken.into_iter().find(|(host, _)| hosts.contains(host)))
}

/// Suspends a territory (`at`, UTC) or lifts its suspension (`None`).
pub async fn set_suspended(tx: &mut Tx, slug: &str, at: Option<&str>) -> sqlx::Result<bool> {
    with_tx!(tx, conn => {
        let changed = sqlx::query("UPDATE territories SET suspended_at = $2 WHERE slug = $1")
            .bind(slug)
            .bind(at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        sqlx::query(BUMP_VERSION).execute(&mut *conn).await?;
        Ok(changed == 1)
    })
}

/// Saves a territory's voice (its texts and contact; the logo apart).
pub async fn save_voice(tx: &mut Tx, slug: &str, voice: &Voice) -> sqlx::Result<()> {
    let texts = serde_json::to_string(&voice.texts).unwrap_or_else(|_| "{}".to_owned());
    let now = crate::storage::now_text();
    with_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO territory_voices (territory, texts, join_email, join_phone, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (territory) DO UPDATE SET texts = $2, join_email = $3, join_phone = $4, updated_at = $5",
        )
        .bind(slug)
        .bind(&texts)
        .bind(&voice.join_email)
        .bind(&voice.join_phone)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(BUMP_VERSION).execute(&mut *conn).await?;
        Ok(())
    })
}

/// Sets a territory's logo, checked before (`check_logo`).
pub async fn save_logo(
    tx: &mut Tx,
    slug: &str,
    content_type: &str,
    digest: &str,
    image: &[u8],
) -> sqlx::Result<()> {
    let now = crate::storage::now_text();
    with_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO territory_logos (territory, content_type, digest, image, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (territory) DO UPDATE SET content_type = $2, digest = $3, image = $4, updated_at = $5",
        )
        .bind(slug)
        .bind(content_type)
        .bind(digest)
        .bind(image)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(BUMP_VERSION).execute(&mut *conn).await?;
        Ok(())
    })
}

/// A territory's logo: its content type, digest and bytes.
pub async fn logo(db: &Db, slug: &str) -> sqlx::Result<Option<(String, String, Vec<u8>)>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, (String, String, Vec<u8>)>(
            "SELECT content_type, digest, image FROM territory_logos WHERE territory = $1",
        )
        .bind(slug)
        .fetch_optional(pool)
        .await
    })
}

/// Every territory's voice, by slug, with its logo's digest (not its
/// bytes). A voice whose stored texts cannot be read is an error.
pub async fn voices(db: &Db) -> sqlx::Result<HashMap<String, Voice>> {
    let (rows, logos) = with_pool!(db, pool => {
        let rows = sqlx::query_as::<_, (String, String, Option<String>, Option<String>)>(
            "SELECT territory, texts, join_email, join_phone FROM territory_voices",
        )
        .fetch_all(pool)
        .await?;
        let logos = sqlx::query_as::<_, (String, String, String)>(
            "SELECT territory, content_type, digest FROM territory_logos",
        )
        .fetch_all(pool)
        .await?;
        (rows, logos)
    });
    let mut voices = HashMap::new();
    for (territory, texts, join_email, join_phone) in rows {
        let texts = serde_json::from_str(&texts).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        voices.insert(
            territory,
            Voice {
                texts,
                join_email,
                join_phone,
                logo: None,
            },
        );
    }
    for (territory, content_type, digest) in logos {
        voices.entry(territory).or_default().logo = Some(LogoRef {
            content_type,
            digest,
        });
    }
    Ok(voices)
}

/// Every territory, by slug.
pub async fn territories(db: &Db) -> sqlx::Result<Vec<Territory>> {
    let (rows, areas, hosts) = with_pool!(db, pool => {
        let rows = sqlx::query_as::<_, TerritoryRow>(
            "SELECT slug, name, neutral_url, coordinator_name, coordinator_email, coordinator_phone, youth_services,
                    suspended_at
             FROM territories ORDER BY slug",
        )
        .fetch_all(pool)
        .await?;
        let areas = sqlx::query_as::<_, (String, String, String)>("SELECT territory, kind, code FROM territory_areas")
            .fetch_all(pool)
            .await?;
        let hosts = sqlx::query_as::<_, (String, String)>("SELECT territory, host FROM territory_hosts")
            .fetch_all(pool)
            .await?;
        (rows, areas, hosts)
    });
    let mut hosts_by_slug: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (territory, host) in hosts {
        hosts_by_slug.entry(territory).or_default().insert(host);
    }
    let mut by_slug: HashMap<String, (BTreeSet<String>, BTreeSet<String>)> = HashMap::new();
    for (territory, kind, code) in areas {
        let entry = by_slug.entry(territory).or_default();
        if kind == "commune" {
            entry.0.insert(code)
        } else {
            entry.1.insert(code)
        };
    }
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let (communes, departements) = by_slug.remove(&row.slug).unwrap_or_default();
            Some(Territory {
                slug: Slug::parse(&row.slug).ok()?,
                name: row.name,
                neutral_url: row.neutral_url,
                communes,
                departements,
                coordinator: Coordinator {
                    name: row.coordinator_name,
                    email: row.coordinator_email,
                    phone: row.coordinator_phone,
                },
                youth_services: serde_json::from_str::<Vec<YouthService>>(&row.youth_services)
                    .unwrap_or_default(),
                hosts: hosts_by_slug.remove(&row.slug).unwrap_or_default(),
                suspended: row.suspended_at.is_some(),
            })
        })
        .collect())
}

/// One territory.
pub async fn territory(db: &Db, slug: &str) -> sqlx::Result<Option<Territory>> {
    Ok(territories(db)
        .await?
        .into_iter()
        .find(|t| t.slug.as_str() == slug))
}

/// Adds an organisation or updates it with its live help.
const UPSERT_ORGANISATION: &str = "INSERT INTO organisations
         (id, territory, source_id, name, kind, siret, phone, email, website, live, live_hours, source_fields)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (territory, source_id) DO UPDATE SET name = $4, kind = $5, siret = $6,
         phone = $7, email = $8, website = $9, live = $10, live_hours = $11,
         source_fields = CASE WHEN $12 = '{}' THEN organisations.source_fields ELSE $12 END";

/// Adds an organisation or updates it but for its live help, which an
/// import that does not describe it keeps (`Parsed::without_live`).
const UPSERT_ORGANISATION_KEEPING_LIVE: &str = "INSERT INTO organisations
         (id, territory, source_id, name, kind, siret, phone, email, website, live, live_hours, source_fields)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (territory, source_id) DO UPDATE SET name = $4, kind = $5, siret = $6,
         phone = $7, email = $8, website = $9,
         source_fields = CASE WHEN $12 = '{}' THEN organisations.source_fields ELSE $12 END";

/// Adds an organisation or updates it, matched on its territory and source
/// identifier, inside the transaction `$tx`, with the statement `$sql` (one
/// of the two above).
macro_rules! upsert_organisation {
    ($tx:expr, $sql:expr, $id:expr, $territory:expr, $source_id:expr, $organisation:expr) => {{
        let organisation: &Organisation = $organisation;
        sqlx::query($sql)
            .bind($id)
            .bind($territory)
            .bind($source_id)
            .bind(&organisation.name)
            .bind(organisation.kind.code())
            .bind(&organisation.siret)
            .bind(&organisation.phone)
            .bind(&organisation.email)
            .bind(&organisation.website)
            .bind(organisation.live)
            .bind(&organisation.live_hours)
            .bind(Value::Object(organisation.source_fields.clone()).to_string())
            .execute(&mut *$tx)
            .await
    }};
}

/// Adds a service or updates it, matched on its territory and source
/// identifier, inside the transaction `$tx` (one statement for both engines
/// and for both the importer and the back office).
macro_rules! upsert_service {
    ($tx:expr, $id:expr, $organisation_id:expr, $territory:expr, $source_id:expr, $service:expr) => {{
        let service: &Service = $service;
        sqlx::query(
            "INSERT INTO services (id, organisation_id, territory, source_id, name, description, needs, thematiques,
                 publics, modes_accueil, zone_eligibilite, opening_hours, phone, email, website, street, postcode,
                 commune_insee, latitude, longitude, confidential_address, public_contact, accepts_anonymous,
                 languages, lsf, wheelchair, receives_minors, free_of_charge, receives_referrals, verified_on, verified_by,
                 source_fields)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                 $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)
             ON CONFLICT (territory, source_id) DO UPDATE SET organisation_id = $2, name = $5, description = $6,
                 needs = $7, thematiques = $8, publics = $9, modes_accueil = $10, zone_eligibilite = $11,
                 opening_hours = $12, phone = $13, email = $14, website = $15, street = $16, postcode = $17,
                 commune_insee = $18, latitude = $19, longitude = $20, confidential_address = $21,
                 public_contact = $22, accepts_anonymous = $23, languages = $24, lsf = $25, wheelchair = $26,
                 receives_minors = $27, free_of_charge = $28, receives_referrals = $29, verified_on = $30,
                 verified_by = $31,
                 source_fields = CASE WHEN $32 = '{}' THEN services.source_fields ELSE $32 END",
        )
        .bind($id)
        .bind($organisation_id)
        .bind($territory)
        .bind($source_id)
        .bind(&service.name)
        .bind(&service.description)
        .bind(service.needs.to_codes())
        .bind(service.thematiques.join(","))
        .bind(service.publics.join(","))
        .bind(service.modes_accueil.join(","))
        .bind(service.zone_eligibilite.join(","))
        .bind(&service.opening_hours)
        .bind(&service.phone)
        .bind(&service.email)
        .bind(&service.website)
        .bind(&service.street)
        .bind(&service.postcode)
        .bind(&service.commune_insee)
        .bind(service.point.map(|p| p.lat))
        .bind(service.point.map(|p| p.lon))
        .bind(service.confidential_address)
        .bind(&service.public_contact)
        .bind(service.accepts_anonymous)
        .bind(service.languages.join(","))
        .bind(service.lsf)
        .bind(service.wheelchair)
        .bind(service.receives_minors)
        .bind(service.free_of_charge)
        .bind(service.receives_referrals)
        .bind(service.verified_on.map(|d| d.to_string()))
        .bind(&service.verified_by)
        .bind(Value::Object(service.source_fields.clone()).to_string())
        .execute(&mut *$tx)
        .await
    }};
}

/// Adds or updates what a file holds, organisations and services matched
/// on their source identifiers, in one transaction. The live help of an
/// organisation the file does not describe it for is kept.
pub async fn import(tx: &mut Tx, territory: &str, parsed: &Parsed) -> sqlx::Result<ImportCounts> {
    let Parsed {
        organisations,
        services,
        without_live,
        complete_source_fields,
        ..
    } = parsed;
    let without_live: HashSet<&str> = without_live.iter().map(String::as_str).collect();
    let mut counts = ImportCounts::default();
    with_tx!(tx, conn => {
        let existing: Vec<(String, OrganisationId)> =
            sqlx::query_as("SELECT source_id, id FROM organisations WHERE territory = $1").bind(territory).fetch_all(&mut *conn).await?;
        let mut organisation_ids: HashMap<String, OrganisationId> = existing.into_iter().collect();
        for organisation in organisations {
            let id = match organisation_ids.get(&organisation.source_id) {
                Some(id) => {
                    counts.organisations_updated += 1;
                    id.clone()
                }
                None => {
                    counts.organisations_created += 1;
                    OrganisationId::new()
                }
            };
            let sql = if without_live.contains(organisation.source_id.as_str()) {
                UPSERT_ORGANISATION_KEEPING_LIVE
            } else {
                UPSERT_ORGANISATION
            };
            upsert_organisation!(conn, sql, &id, territory, &organisation.source_id, organisation)?;
            organisation_ids.insert(organisation.source_id.clone(), id);
        }
        let existing: Vec<(String, ServiceId, String)> =
            sqlx::query_as("SELECT source_id, id, source_fields FROM services WHERE territory = $1").bind(territory).fetch_all(&mut *conn).await?;
        let mut kept: HashMap<String, String> = HashMap::new();
        let mut service_ids: HashMap<String, ServiceId> = HashMap::new();
        for (source_id, id, fields) in existing {
            kept.insert(source_id.clone(), fields);
            service_ids.insert(source_id, id);
        }
        for service in services {
            // A CSV's few kept fields are added to what a data·inclusion
            // import kept, never in its place.
            let merged;
            let service = match kept.get(&service.source_id) {
                Some(fields) if !complete_source_fields && !service.source_fields.is_empty() => {
                    let mut fields = json_object(fields);
                    fields.extend(service.source_fields.clone());
                    merged = Service { source_fields: fields, ..service.clone() };
                    &merged
                }
                _ => service,
            };
            // `organisation_id` holds the organisation's source id on the way in.
            let Some(organisation_id) = organisation_ids.get(service.organisation_id.as_str()) else {
                return Err(sqlx::Error::Protocol(format!("unknown organisation {}", service.organisation_id)));
            };
            let id = match service_ids.get(&service.source_id) {
                Some(id) => {
                    counts.services_updated += 1;
                    id.clone()
                }
                None => {
                    counts.services_created += 1;
                    ServiceId::new()
                }
            };
            upsert_service!(conn, &id, organisation_id, territory, &service.source_id, service)?;
        }
        sqlx::query(BUMP_VERSION).execute(&mut *conn).await?;
        Ok::<(), sqlx::Error>(())
    })?;
    Ok(counts)
}

#[derive(sqlx::FromRow)]
struct OrganisationRow {
    id: OrganisationId,
    territory: String,
    source_id: String,
    name: String,
    #[sqlx(try_from = "String")]
    kind: Kind,
    siret: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    website: Option<String>,
    live: bool,
    live_hours: String,
    source_fields: String,
}

impl OrganisationRow {
    fn into_model(self) -> Organisation {
        Organisation {
            id: self.id,
            territory: self.territory,
            source_id: self.source_id,
            name: self.name,
            kind: self.kind,
            siret: self.siret,
            phone: self.phone,
            email: self.email,
            website: self.website,
            live: self.live,
            live_hours: self.live_hours,
            source_fields: json_object(&self.source_fields),
        }
    }
}

/// The columns an [`OrganisationRow`] is read from.
const ORGANISATION_COLUMNS: &str = "id, territory, source_id, name, kind, siret, phone, email, website, live, live_hours, source_fields";

#[derive(sqlx::FromRow)]
struct ServiceRow {
    id: ServiceId,
    organisation_id: OrganisationId,
    source_id: String,
    name: String,
    description: Option<String>,
    needs: String,
    thematiques: String,
    publics: String,
    modes_accueil: String,
    zone_eligibilite: String,
    opening_hours: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    website: Option<String>,
    street: Option<String>,
    postcode: Option<String>,
    commune_insee: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    confidential_address: bool,
    public_contact: Option<String>,
    accepts_anonymous: bool,
    languages: String,
    lsf: bool,
    wheelchair: bool,
    receives_minors: bool,
    free_of_charge: bool,
    receives_referrals: bool,
    verified_on: Option<String>,
    verified_by: Option<String>,
    source_fields: String,
}

/// A stored JSON object: it was written from one, so anything else reads
/// as none.
fn json_object(text: &str) -> Map<String, Value> {
    match serde_json::from_str(text) {
        Ok(Value::Object(object)) => object,
        _ => Map::new(),
    }
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl ServiceRow {
    fn into_model(self) -> Service {
        Service {
            id: self.id,
            organisation_id: self.organisation_id,
            source_id: self.source_id,
            name: self.name,
            description: self.description,
            needs: Needs::from_codes(&self.needs),
            thematiques: list(&self.thematiques),
            publics: list(&self.publics),
            modes_accueil: list(&self.modes_accueil),
            zone_eligibilite: list(&self.zone_eligibilite),
            opening_hours: self.opening_hours,
            phone: self.phone,
            email: self.email,
            website: self.website,
            street: self.street,
            postcode: self.postcode,
            commune_insee: self.commune_insee,
            point: self
                .latitude
                .zip(self.longitude)
                .map(|(lat, lon)| Point { lat, lon }),
            confidential_address: self.confidential_address,
            public_contact: self.public_contact,
            accepts_anonymous: self.accepts_anonymous,
            languages: list(&self.languages),
            lsf: self.lsf,
            wheelchair: self.wheelchair,
            receives_minors: self.receives_minors,
            free_of_charge: self.free_of_charge,
            receives_referrals: self.receives_referrals,
            verified_on: self.verified_on.and_then(|d| d.parse::<Date>().ok()),
            verified_by: self.verified_by,
            source_fields: json_object(&self.source_fields),
        }
    }
}

const SERVICE_COLUMNS: &str = "id, organisation_id, source_id, name, description, needs, thematiques, publics,
    modes_accueil, zone_eligibilite, opening_hours, phone, email, website, street, postcode, commune_insee, latitude,
    longitude, confidential_address, public_contact, accepts_anonymous, languages, lsf, wheelchair, receives_minors,
    free_of_charge, receives_referrals, verified_on, verified_by, source_fields";

/// The name of every organisation and service ever stored, archived ones
/// included, by id: what the audit log shows instead of an identifier.
pub async fn names(db: &Db) -> sqlx::Result<Vec<(String, String)>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, (String, String)>(
            "SELECT id, name FROM organisations UNION ALL SELECT id, name FROM services",
        )
        .fetch_all(pool)
        .await
    })
}

/// The organisations and services of a territory (or of all territories
/// when `territory` is `None`), ordered by source identifier.
pub async fn directory(
    db: &Db,
    territory: Option<&str>,
) -> sqlx::Result<(Vec<Organisation>, Vec<Service>)> {
    let (organisations, services) = with_pool!(db, pool => {
        let organisations = sqlx::query_as::<_, OrganisationRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {ORGANISATION_COLUMNS} FROM organisations
             WHERE ($1 IS NULL OR territory = $1) AND archived_at IS NULL ORDER BY territory, source_id"
        )))
        .bind(territory)
        .fetch_all(pool)
        .await?;
        let services = sqlx::query_as::<_, ServiceRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {SERVICE_COLUMNS} FROM services s WHERE ($1 IS NULL OR territory = $1) AND archived_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = s.organisation_id AND o.archived_at IS NOT NULL)
             ORDER BY territory, source_id"
        )))
        .bind(territory)
        .fetch_all(pool)
        .await?;
        (organisations, services)
    });
    Ok((
        organisations
            .into_iter()
            .map(OrganisationRow::into_model)
            .collect(),
        services.into_iter().map(ServiceRow::into_model).collect(),
    ))
}

/// One organisation (archived or not) and whether it is archived.
pub async fn organisation(
    db: &Db,
    id: &OrganisationId,
) -> sqlx::Result<Option<(Organisation, bool)>> {
    let row: Option<(OrganisationRow, Option<String>)> = with_pool!(db, pool => {
        let row = sqlx::query_as::<_, OrganisationRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {ORGANISATION_COLUMNS} FROM organisations WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(pool)
        .await?;
        let archived: Option<String> = sqlx::query_scalar("SELECT archived_at FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?
            .flatten();
        Ok::<_, sqlx::Error>(row.map(|r| (r, archived)))
    })?;
    Ok(row.map(|(row, archived)| (row.into_model(), archived.is_some())))
}

/// One service (archived or not) with its territory.
pub async fn service(db: &Db, id: &ServiceId) -> sqlx::Result<Option<(Service, String)>> {
    let found = with_pool!(db, pool => {
        let row = sqlx::query_as::<_, ServiceRow>(sqlx::AssertSqlSafe(format!("SELECT {SERVICE_COLUMNS} FROM services WHERE id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await?;
        let territory: Option<String> = sqlx::query_scalar("SELECT territory FROM services WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
        Ok::<_, sqlx::Error>(row.zip(territory))
    })?;
    Ok(found.map(|(row, territory)| (row.into_model(), territory)))
}

/// Whether a service, or its organisation, is archived.
pub async fn service_archived(db: &Db, id: &ServiceId) -> sqlx::Result<bool> {
    let archived: Option<String> = with_pool!(db, pool => {
        sqlx::query_scalar(
            "SELECT s.id FROM services s JOIN organisations o ON o.id = s.organisation_id
             WHERE s.id = $1 AND (s.archived_at IS NOT NULL OR o.archived_at IS NOT NULL)",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
    })?;
    Ok(archived.is_some())
}

/// Creates (empty `id`) or updates an organisation typed in the back
/// office; returns its id.
pub async fn save_organisation(
    tx: &mut Tx,
    territory: &str,
    organisation: &Organisation,
) -> sqlx::Result<OrganisationId> {
    let id = if organisation.id.as_str().is_empty() {
        OrganisationId::new()
    } else {
        organisation.id.clone()
    };
    let source_id = if organisation.source_id.is_empty() {
        format!("relais-{id}")
    } else {
        organisation.source_id.clone()
    };
    with_tx!(tx, conn => {
        upsert_organisation!(conn, UPSERT_ORGANISATION, &id, territory, &source_id, organisation)?;
        sqlx::query(BUMP_VERSION).execute(&mut *conn).await?;
        Ok::<(), sqlx::Error>(())
    })?;
    Ok(id)
}

/// Creates (empty `id`) or updates a service typed in the back office;
/// returns its id.
pub async fn save_service(
    tx: &mut Tx,
    territory: &str,
    organisation_id: &OrganisationId,
    service: &Service,
) -> sqlx::Result<ServiceId> {
    let id = if service.id.as_str().is_empty() {
        ServiceId::new()
    } else {
        service.id.clone()
    };
    let source_id = if service.source_id.is_empty() {
        format!("relais-{id}")
    } else {
        service.source_id.clone()
    };
    with_tx!(tx, conn => {
        upsert_service!(conn, &id, organisation_id, territory, &source_id, service)?;
        sqlx::query(BUMP_VERSION).execute(&mut *conn).await?;
        Ok::<(), sqlx::Error>(())
    })?;
    Ok(id)
}

/// Archives an organisation (and so its services) or a service: it leaves
/// the public site and the exports, and stays in the database.
pub async fn archive(tx: &mut Tx, what: Archivable<'_>) -> sqlx::Result<()> {
    let now = jiff::Timestamp::now().to_string();
    let (sql, id) = match what {
        Archivable::Organisation(id) => (
            "UPDATE organisations SET archived_at = $2 WHERE id = $1",
            id.as_str(),
        ),
        Archivable::Service(id) => (
            "UPDATE services SET archived_at = $2 WHERE id = $1",
            id.as_str(),
        ),
    };
    with_tx!(tx, conn => {
        sqlx::query(sql).bind(id).bind(&now).execute(&mut *conn).await?;
        sqlx::query(BUMP_VERSION).execute(&mut *conn).await?;
        Ok(())
    })
}

/// What can be archived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Archivable<'a> {
    /// An organisation and its services.
    Organisation(&'a OrganisationId),
    /// One service.
    Service(&'a ServiceId),
}

/// Records that a service's information was checked today by someone.
pub async fn mark_verified(
    tx: &mut Tx,
    service_id: &ServiceId,
    on: Date,
    by: &str,
) -> sqlx::Result<()> {
    with_tx!(tx, conn => {
        sqlx::query("UPDATE services SET verified_on = $2, verified_by = $3 WHERE id = $1")
            .bind(service_id)
            .bind(on.to_string())
            .bind(by)
            .execute(&mut *conn)
            .await?;
        sqlx::query(BUMP_VERSION).execute(&mut *conn).await?;
        Ok(())
    })
}

/// Official centroids imported by the operator.
pub async fn centroids(db: &Db) -> sqlx::Result<Vec<(String, Point)>> {
    let rows: Vec<(String, f64, f64)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT insee, latitude, longitude FROM commune_centroids ORDER BY insee").fetch_all(pool).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(insee, lat, lon)| (insee, Point { lat, lon }))
        .collect())
}

/// Adds or replaces official centroids, in one transaction.
pub async fn save_centroids(tx: &mut Tx, centroids: &[(String, Point)]) -> sqlx::Result<()> {
    with_tx!(tx, conn => {
        for (insee, point) in centroids {
            sqlx::query(
                "INSERT INTO commune_centroids (insee, latitude, longitude) VALUES ($1, $2, $3)
                 ON CONFLICT (insee) DO UPDATE SET latitude = $2, longitude = $3",
            )
            .bind(insee)
            .bind(point.lat)
            .bind(point.lon)
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query(BUMP_VERSION).execute(&mut *conn).await?;
        Ok(())
    })
}

/// Every change of the directory runs this in its transaction.
const BUMP_VERSION: &str = "UPDATE directory_version SET version = version + 1 WHERE id = 1";

/// An organisation of a territory as a sync finds it: with the fields its
/// source last gave it (`None`: it never came from a sync) and whether it
/// is archived.
#[derive(Clone, Debug)]
pub struct SyncedOrganisation {
    /// The organisation as stored, local edits included.
    pub organisation: Organisation,
    /// The source's fields at the last sync, as JSON.
    pub snapshot: Option<String>,
    /// Archived in the back office: a sync leaves it so.
    pub archived: bool,
}

/// A service of a territory as a sync finds it.
#[derive(Clone, Debug)]
pub struct SyncedService {
    /// The service as stored, local edits included.
    pub service: Service,
    /// The source's fields at the last sync, as JSON.
    pub snapshot: Option<String>,
    /// When a sync first found it gone from the source.
    pub gone_from_source_at: Option<String>,
    /// Archived in the back office (or its organisation is).
    pub archived: bool,
}

#[derive(sqlx::FromRow)]
struct SyncedOrganisationRow {
    #[sqlx(flatten)]
    row: OrganisationRow,
    source_snapshot: Option<String>,
    archived: bool,
}

#[derive(sqlx::FromRow)]
struct SyncedServiceRow {
    #[sqlx(flatten)]
    row: ServiceRow,
    source_snapshot: Option<String>,
    gone_from_source_at: Option<String>,
    archived: bool,
}

/// Every organisation and service of a territory, archived ones included,
/// with what the last sync saw of them.
pub async fn sync_state(
    db: &Db,
    territory: &str,
) -> sqlx::Result<(Vec<SyncedOrganisation>, Vec<SyncedService>)> {
    let (organisations, services) = with_pool!(db, pool => {
        let organisations = sqlx::query_as::<_, SyncedOrganisationRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {ORGANISATION_COLUMNS}, source_snapshot, archived_at IS NOT NULL AS archived
             FROM organisations WHERE territory = $1 ORDER BY source_id"
        )))
        .bind(territory)
        .fetch_all(pool)
        .await?;
        let services = sqlx::query_as::<_, SyncedServiceRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {SERVICE_COLUMNS}, source_snapshot, gone_from_source_at,
                 (archived_at IS NOT NULL OR EXISTS (SELECT 1 FROM organisations o
                     WHERE o.id = services.organisation_id AND o.archived_at IS NOT NULL)) AS archived
             FROM services WHERE territory = $1 ORDER BY source_id"
        )))
        .bind(territory)
        .fetch_all(pool)
        .await?;
        (organisations, services)
    });
    Ok((
        organisations
            .into_iter()
            .map(|r| SyncedOrganisation {
                organisation: r.row.into_model(),
                snapshot: r.source_snapshot,
                archived: r.archived,
            })
            .collect(),
        services
            .into_iter()
            .map(|r| SyncedService {
                service: r.row.into_model(),
                snapshot: r.source_snapshot,
                gone_from_source_at: r.gone_from_source_at,
                archived: r.archived,
            })
            .collect(),
    ))
}

/// What the back office shows of a service's source: the fields the last
/// sync saw (JSON) and when it found the service gone, by service id, for
/// the services of a territory that came from a sync.
pub async fn source_states(
    db: &Db,
    territory: &str,
) -> sqlx::Result<HashMap<ServiceId, (String, Option<String>)>> {
    let rows: Vec<(ServiceId, String, Option<String>)> = with_pool!(db, pool => {
        sqlx::query_as(
            "SELECT id, source_snapshot, gone_from_source_at FROM services
             WHERE territory = $1 AND source_snapshot IS NOT NULL",
        )
        .bind(territory)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, snapshot, gone)| (id, (snapshot, gone)))
        .collect())
}

/// What the last sync saw of one service (its snapshot and when it found
/// it gone), if it came from a sync.
pub async fn source_state(
    db: &Db,
    id: &ServiceId,
) -> sqlx::Result<Option<(String, Option<String>)>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, (String, Option<String>)>(
            "SELECT source_snapshot, gone_from_source_at FROM services WHERE id = $1 AND source_snapshot IS NOT NULL",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
    })
}

/// The directory's version, read inside a transaction: what a sync checks
/// before writing the changes it previewed.
pub async fn version_in(tx: &mut Tx) -> sqlx::Result<i64> {
    with_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>("SELECT version FROM directory_version WHERE id = 1").fetch_one(&mut *conn).await
    })
}

/// What a sync writes: organisations and services with their ids set
/// (new or existing) and the source's fields to remember, and the services
/// to flag as gone from the source.
#[derive(Clone, Debug, Default)]
pub struct SyncWrite {
    /// Organisations to add or update, with their snapshot.
    pub organisations: Vec<(Organisation, String)>,
    /// Services to add or update (`organisation_id` is ours), with their
    /// snapshot; writing one clears its "gone" flag.
    pub services: Vec<(Service, String)>,
    /// Services the source no longer lists.
    pub gone: Vec<ServiceId>,
}

/// Writes a sync, in the caller's transaction. An organisation keeps its
/// live help (its members set it); a service keeps its archive state.
pub async fn apply_sync(
    tx: &mut Tx,
    territory: &str,
    write: &SyncWrite,
    now: &str,
) -> sqlx::Result<()> {
    with_tx!(tx, conn => {
        for (organisation, snapshot) in &write.organisations {
            upsert_organisation!(
                conn,
                UPSERT_ORGANISATION_KEEPING_LIVE,
                &organisation.id,
                territory,
                &organisation.source_id,
                organisation
            )?;
            sqlx::query("UPDATE organisations SET source_snapshot = $2 WHERE id = $1")
                .bind(&organisation.id)
                .bind(snapshot)
                .execute(&mut *conn)
                .await?;
        }
        for (service, snapshot) in &write.services {
            upsert_service!(conn, &service.id, &service.organisation_id, territory, &service.source_id, service)?;
            sqlx::query("UPDATE services SET source_snapshot = $2, gone_from_source_at = NULL WHERE id = $1")
                .bind(&service.id)
                .bind(snapshot)
                .execute(&mut *conn)
                .await?;
        }
        for id in &write.gone {
            sqlx::query("UPDATE services SET gone_from_source_at = $2 WHERE id = $1 AND gone_from_source_at IS NULL")
                .bind(id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query(BUMP_VERSION).execute(&mut *conn).await?;
        Ok(())
    })
}
