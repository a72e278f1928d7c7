//! What the back office shows of a territory's directory, for the
//! directory's screens and the dashboard: the territory behind its access
//! check, today's date there, the organisations with the checks due, and
//! the territory an account's audit lines belong to.

use jiff::civil::Date;

use crate::backoffice::session::Pro;
use crate::directory::Directory;
use crate::directory::communes::Communes;
use crate::directory::model::{Need, Service};
use crate::directory::storage as directory_storage;
use crate::directory::territories::Territory;
use crate::storage::{Db, OrganisationId, ServiceId};
use crate::web::error::AppError;

/// The territory, or 404 (after the access check, so that a territory a
/// person may not manage answers 403 whether it exists or not).
pub fn territory(directory: &Directory, pro: &Pro, slug: &str) -> Result<Territory, AppError> {
    pro.can_territory(slug)?;
    let index = directory.index();
    index
        .territories()
        .find(|t| t.slug.as_str() == slug)
        .cloned()
        .ok_or(AppError::NotFound)
}

/// Today's date in the territory of that slug.
pub fn today(directory: &Directory, slug: &str) -> Date {
    directory.index().today_in(slug)
}

/// Six months before today in the territory: older checks are due again.
pub fn reverify_limit(directory: &Directory, slug: &str) -> Date {
    today(directory, slug).saturating_sub(jiff::Span::new().months(6))
}

#[derive(Debug)]
pub struct ServiceLine {
    pub id: ServiceId,
    pub name: String,
    pub needs: String,
    pub commune: String,
    pub verified: String,
    pub due: bool,
    /// How it stands with its data·inclusion source, when it came from a
    /// sync and differs from it or is gone from it.
    pub source: Option<String>,
}

#[derive(Debug)]
pub struct OrganisationView {
    pub id: OrganisationId,
    pub name: String,
    pub kind: String,
    pub services: Vec<ServiceLine>,
}

pub fn service_line(service: &Service, communes: &Communes, limit: Date) -> ServiceLine {
    ServiceLine {
        id: service.id.clone(),
        name: service.name.clone(),
        needs: service
            .needs
            .iter()
            .map(Need::label)
            .collect::<Vec<_>>()
            .join(", "),
        commune: communes
            .by_insee(&service.commune_insee)
            .map(|c| c.name.to_string())
            .unwrap_or_default(),
        verified: service.verified_on.map_or_else(
            || "jamais".to_owned(),
            |d| {
                format!(
                    "{d}{}",
                    service
                        .verified_by
                        .as_ref()
                        .map(|b| format!(" par {b}"))
                        .unwrap_or_default()
                )
            },
        ),
        due: service.verified_on.is_none_or(|d| d < limit),
        source: None,
    }
}

pub async fn organisation_view(
    db: &Db,
    directory: &Directory,
    id: &OrganisationId,
) -> Result<Option<OrganisationView>, AppError> {
    let Some((organisation, _)) = directory_storage::organisation(db, id).await? else {
        return Ok(None);
    };
    let (_, services) = directory_storage::directory(db, Some(&organisation.territory)).await?;
    let communes = Communes::embedded();
    let limit = reverify_limit(directory, &organisation.territory);
    Ok(Some(OrganisationView {
        id: organisation.id.clone(),
        name: organisation.name.clone(),
        kind: organisation.kind.label().to_owned(),
        services: services
            .iter()
            .filter(|s| s.organisation_id == organisation.id)
            .map(|s| service_line(s, &communes, limit))
            .collect(),
    }))
}

/// The territory an account's events belong to in the audit log.
pub fn territory_of(
    directory: &Directory,
    user: &crate::backoffice::storage::User,
) -> Option<String> {
    if let Some(first) = user.territories.first() {
        return Some(first.clone());
    }
    let organisation = user.organisation_id.as_ref()?;
    let index = directory.index();
    index
        .organisation(organisation)
        .first()
        .map(|listing| listing.territory.clone())
}
