//! The directory's screens in the back office, each behind [`Pro`]: a
//! territory's directory (organisations and services: create, edit,
//! archive, "vérifié aujourd'hui", the list to re-verify), import and
//! export from the browser, and the territory's settings.
//!
//! Each handler reads: access check first (`pro.can_…`), then the form
//! token, then the change, then the audit line, then the index refresh.

use std::collections::HashMap;
use std::sync::LazyLock;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::backoffice::session::Pro;
use crate::backoffice::storage::AuditAction;
use crate::backoffice::storage::{self};
use crate::backoffice::{Base, CSRF, CSRF_ONLY, Screens, button, csrf, read, read_upload};
use crate::directory::DirectoryState;
use crate::directory::communes::Communes;
use crate::directory::export::{self, ExportFormat};
use crate::directory::hsds;
use crate::directory::import::{self, COLUMNS, Format, Problem};
use crate::directory::model::{Kind, Need, Organisation, Service};
use crate::directory::office::{
    OrganisationView, ServiceLine, organisation_view, reverify_limit, service_line, territory,
    today,
};
use crate::directory::storage::{self as directory_storage, Archivable};
use crate::directory::territories::{
    self, CoordinatorFile, Territory, TerritoryFile, YouthServiceFile,
};
use crate::storage::{OrganisationId, ServiceId, Tx};
use crate::web::error::AppError;
use crate::web::form::{Field, Posted, Spec};
use crate::web::{render, render_status};

/// Every screen of the directory, with the form each one reads.
pub fn screens(screens: Screens<DirectoryState>) -> Screens<DirectoryState> {
    let screens = crate::directory::territory_screens::screens(screens);
    crate::directory::sync_screens::screens(screens)
        .get("/pro/territoires/{t}/annuaire", directory)
        .get("/pro/territoires/{t}/a-reverifier", to_reverify)
        .get(
            "/pro/territoires/{t}/structures/nouvelle",
            new_organisation_form,
        )
        .post(
            "/pro/territoires/{t}/structures/nouvelle",
            &ORGANISATION_FORM,
            create_organisation,
        )
        .get("/pro/structures/{o}", organisation_form)
        .post(
            "/pro/structures/{o}",
            &ORGANISATION_FORM,
            update_organisation,
        )
        .post(
            "/pro/structures/{o}/archiver",
            &CSRF_ONLY,
            archive_organisation,
        )
        .get("/pro/structures/{o}/services/nouveau", new_service_form)
        .post(
            "/pro/structures/{o}/services/nouveau",
            &SERVICE_FORM,
            create_service,
        )
        .get("/pro/services/{s}", service_form)
        .post("/pro/services/{s}", &SERVICE_FORM, update_service)
        .post("/pro/services/{s}/verifie", &CSRF_ONLY, verified_today)
        .post("/pro/services/{s}/archiver", &CSRF_ONLY, archive_service)
        .get("/pro/territoires/{t}/import", import_form)
        .upload("/pro/territoires/{t}/import", &IMPORT, import_file)
        .get("/pro/territoires/{t}/export/{f}", export_file)
        .get("/pro/territoires/{t}/parametres", settings_form)
        .post("/pro/territoires/{t}/parametres", &SETTINGS, save_settings)
}

/// The organisation form: its token and the CSV's organisation columns,
/// live help included (the identifier is the server's to set).
pub static ORGANISATION_FORM: LazyLock<Spec> =
    LazyLock::new(|| columns_form(|c| import::is_organisation_column(c) && c != "structure_id"));

/// The service form: its token and the CSV's service columns.
pub static SERVICE_FORM: LazyLock<Spec> =
    LazyLock::new(|| columns_form(|c| !import::is_organisation_column(c) && c != "service_id"));

/// A form of the token and the CSV's `columns`, each with its bound; needs
/// are checkboxes, one value each.
fn columns_form(columns: impl Fn(&str) -> bool) -> Spec {
    let mut fields = vec![CSRF];
    for column in COLUMNS.iter().copied().filter(|c| columns(c)) {
        fields.push(if column == "besoins" {
            Field::many(column, 32, Need::ALL.len())
        } else {
            Field::one(column, import::column_max(column))
        });
    }
    Spec::owned(fields)
}

/// The import form: its token and a file.
pub static IMPORT: Spec = Spec::new(&[CSRF, Field::one("fichier", crate::backoffice::BODY_LIMIT)]);

/// A territory's settings.
pub static SETTINGS: Spec = Spec::new(&[
    CSRF,
    Field::one("name", 200),
    Field::one("neutral_url", 500),
    Field::one("communes", 40_000),
    Field::one("departements", 1000),
    Field::one("coordinator_name", 200),
    Field::one("coordinator_email", crate::web::form::EMAIL_MAX),
    Field::one("coordinator_phone", 40),
    Field::one("youth_services", 4000),
    Field::one("hosts", 2000),
]);

/// A value cut to its bound, as the problem of its field.
fn cut(posted: &Posted) -> Vec<Problem> {
    posted
        .too_long()
        .map(|(field, max)| Problem {
            place: "formulaire".to_owned(),
            column: Some(field.to_owned()),
            reason: format!("trop long : {max} caractères au plus"),
        })
        .into_iter()
        .collect()
}

/// `checked`, with the values cut to their bound among its problems.
fn also_cut<T>(posted: &Posted, checked: Result<T, Vec<Problem>>) -> Result<T, Vec<Problem>> {
    let mut problems = cut(posted);
    match checked {
        Ok(value) if problems.is_empty() => Ok(value),
        Ok(_) => Err(problems),
        Err(more) => {
            problems.extend(more);
            Err(problems)
        }
    }
}

/// Writes a change's audit line in the change's transaction, commits both,
/// then refreshes the orientation index so that the public site shows the
/// change at once.
async fn record_change(
    app: &DirectoryState,
    pro: &Pro,
    mut tx: Tx,
    territory: &str,
    action: AuditAction,
    object: &(impl AsRef<str> + ?Sized),
    detail: &str,
) -> Result<(), AppError> {
    storage::audit(
        &mut tx,
        &pro.user.email,
        Some(territory),
        action,
        object,
        detail,
    )
    .await?;
    tx.commit().await?;
    app.directory.refresh(&app.db).await?;
    Ok(())
}

// ---------------------------------------------------------------- directory

#[derive(Template)]
#[template(path = "backoffice/directory.html")]
struct DirectoryPage {
    b: Base,
    territory: String,
    slug: String,
    only_due: bool,
    organisations: Vec<OrganisationView>,
}

async fn directory_page(
    app: &DirectoryState,
    pro: &Pro,
    slug: &str,
    only_due: bool,
    flash: Option<String>,
) -> Result<Response, AppError> {
    let territory = territory(&app.directory, pro, slug)?;
    let (organisations, services) = directory_storage::directory(&app.db, Some(slug)).await?;
    let communes = Communes::embedded();
    let limit = reverify_limit(&app.directory, slug);
    let sources = directory_storage::source_states(&app.db, slug).await?;
    let organisations = organisations
        .iter()
        .map(|o| OrganisationView {
            id: o.id.clone(),
            name: o.name.clone(),
            kind: o.kind.label().to_owned(),
            services: services
                .iter()
                .filter(|s| s.organisation_id == o.id)
                .map(|s| ServiceLine {
                    source: crate::directory::sync::source_note(s, sources.get(&s.id)),
                    ..service_line(s, &communes, limit)
                })
                .filter(|line| !only_due || line.due)
                .collect(),
        })
        .filter(|o| !only_due || !o.services.is_empty())
        .collect();
    let page = DirectoryPage {
        b: Base::of(app, pro).with_flash(flash),
        territory: territory.name,
        slug: slug.to_owned(),
        only_due,
        organisations,
    };
    Ok(render(&page)?.into_response())
}

async fn directory(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    directory_page(&app, &pro, &slug, false, None).await
}

async fn to_reverify(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    directory_page(&app, &pro, &slug, true, None).await
}

/// The back-office form of an organisation.
#[derive(Template)]
#[template(path = "backoffice/organisation_form.html")]
struct OrganisationForm {
    b: Base,
    title: String,
    action: String,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    kinds: Vec<(String, String)>,
    archive: Option<String>,
}

impl OrganisationForm {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    fn checked(&self, name: &str) -> bool {
        self.value(name) == "oui"
    }
}

fn kinds() -> Vec<(String, String)> {
    Kind::ALL
        .iter()
        .map(|k| (k.code().to_owned(), k.label().to_owned()))
        .collect()
}

fn organisation_values(organisation: &Organisation) -> HashMap<String, String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    HashMap::from([
        ("structure_nom".to_owned(), organisation.name.clone()),
        (
            "structure_type".to_owned(),
            organisation.kind.code().to_owned(),
        ),
        ("structure_siret".to_owned(), opt(&organisation.siret)),
        ("structure_telephone".to_owned(), opt(&organisation.phone)),
        ("structure_courriel".to_owned(), opt(&organisation.email)),
        ("structure_site_web".to_owned(), opt(&organisation.website)),
        (
            "live".to_owned(),
            if organisation.live { "oui" } else { "non" }.to_owned(),
        ),
        ("live_hours".to_owned(), organisation.live_hours.clone()),
    ])
}

/// What an organisation's audit line says besides its name: what became of
/// its live help, when a change touched it, since who may talk to people
/// live, and when, is what a coordinator looks for in the log.
fn change_detail(before: Option<&Organisation>, after: &Organisation) -> String {
    let untouched = match before {
        Some(before) => before.live == after.live && before.live_hours == after.live_hours,
        None => !after.live && after.live_hours.is_empty(),
    };
    if untouched {
        return after.name.clone();
    }
    let live = match (after.live, after.live_hours.as_str()) {
        (true, hours) => format!("aide en direct : oui, {hours}"),
        (false, "") => "aide en direct : non".to_owned(),
        (false, hours) => format!("aide en direct : non (horaires gardés : {hours})"),
    };
    format!("{} — {live}", after.name)
}

fn problems_by_field(problems: &[Problem]) -> HashMap<String, String> {
    let mut errors: HashMap<String, String> = HashMap::new();
    for problem in problems {
        let field = problem.column.clone().unwrap_or_default();
        errors
            .entry(field)
            .and_modify(|e| {
                e.push(' ');
                e.push_str(&problem.reason);
            })
            .or_insert_with(|| capitalise(&problem.reason));
    }
    errors
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

async fn new_organisation_form(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let territory = territory(&app.directory, &pro, &slug)?;
    let form = OrganisationForm {
        b: Base::of(&app, &pro),
        title: format!("Nouvelle structure — {}", territory.name),
        action: format!("/pro/territoires/{slug}/structures/nouvelle"),
        values: HashMap::new(),
        errors: HashMap::new(),
        kinds: kinds(),
        archive: None,
    };
    Ok(render(&form)?.into_response())
}

async fn create_organisation(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let territory = territory(&app.directory, &pro, &slug)?;
    let form = read(&ORGANISATION_FORM, &body)?;
    csrf(&form.fields, &pro)?;
    let mut posted = form.fields.0.clone();
    posted.push(("structure_id".to_owned(), "nouvelle".to_owned()));
    let fields = &form.fields;
    match also_cut(&form, import::check_organisation_fields(&posted)) {
        Ok(mut organisation) => {
            organisation.source_id = String::new();
            let mut tx = app.db.begin().await?;
            let id = directory_storage::save_organisation(&mut tx, &slug, &organisation).await?;
            record_change(
                &app,
                &pro,
                tx,
                &slug,
                AuditAction::OrganisationCreated,
                &id,
                &change_detail(None, &organisation),
            )
            .await?;
            Ok(Redirect::to(&format!("/pro/structures/{id}")).into_response())
        }
        Err(problems) => {
            let form = OrganisationForm {
                b: Base::of(&app, &pro),
                title: format!("Nouvelle structure — {}", territory.name),
                action: format!("/pro/territoires/{slug}/structures/nouvelle"),
                values: fields.0.iter().cloned().collect(),
                errors: problems_by_field(&problems),
                kinds: kinds(),
                archive: None,
            };
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &form)
        }
    }
}

/// An organisation the account may change, or 403; 404 once archived (it
/// is on no page any more, and nothing changes it).
async fn owned_organisation(
    app: &DirectoryState,
    pro: &Pro,
    id: &OrganisationId,
) -> Result<Organisation, AppError> {
    let (organisation, archived) = directory_storage::organisation(&app.db, id)
        .await?
        .ok_or(AppError::Forbidden)?;
    pro.can_organisation(&organisation.id, &organisation.territory)?;
    if archived {
        return Err(AppError::NotFound);
    }
    Ok(organisation)
}

#[derive(Template)]
#[template(path = "backoffice/organisation.html")]
struct OrganisationPage {
    b: Base,
    organisation: OrganisationView,
    territory: String,
    form: OrganisationForm,
}

async fn organisation_page(
    app: &DirectoryState,
    pro: &Pro,
    id: &OrganisationId,
    form: Option<OrganisationForm>,
) -> Result<Response, AppError> {
    let organisation = owned_organisation(app, pro, id).await?;
    let view = organisation_view(&app.db, &app.directory, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = form.unwrap_or_else(|| OrganisationForm {
        b: Base::of(app, pro),
        title: "Modifier la structure".to_owned(),
        action: format!("/pro/structures/{id}"),
        values: organisation_values(&organisation),
        errors: HashMap::new(),
        kinds: kinds(),
        archive: pro
            .can_territory(&organisation.territory)
            .is_ok()
            .then(|| format!("/pro/structures/{id}/archiver")),
    });
    let page = OrganisationPage {
        b: Base::of(app, pro),
        organisation: view,
        territory: organisation.territory.clone(),
        form,
    };
    Ok(render(&page)?.into_response())
}

async fn organisation_form(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(id): Path<OrganisationId>,
) -> Result<Response, AppError> {
    organisation_page(&app, &pro, &id, None).await
}

async fn update_organisation(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(id): Path<OrganisationId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let current = owned_organisation(&app, &pro, &id).await?;
    let form = read(&ORGANISATION_FORM, &body)?;
    csrf(&form.fields, &pro)?;
    let mut posted = form.fields.0.clone();
    posted.push(("structure_id".to_owned(), current.source_id.clone()));
    let fields = &form.fields;
    match also_cut(&form, import::check_organisation_fields(&posted)) {
        Ok(organisation) => {
            let organisation = Organisation {
                id: current.id.clone(),
                territory: current.territory.clone(),
                ..organisation
            };
            let mut tx = app.db.begin().await?;
            directory_storage::save_organisation(&mut tx, &current.territory, &organisation)
                .await?;
            record_change(
                &app,
                &pro,
                tx,
                &current.territory,
                AuditAction::OrganisationChanged,
                &id,
                &change_detail(Some(&current), &organisation),
            )
            .await?;
            Ok(Redirect::to(&format!("/pro/structures/{id}")).into_response())
        }
        Err(problems) => {
            let form = OrganisationForm {
                b: Base::of(&app, &pro),
                title: "Modifier la structure".to_owned(),
                action: format!("/pro/structures/{id}"),
                values: fields.0.iter().cloned().collect(),
                errors: problems_by_field(&problems),
                kinds: kinds(),
                archive: None,
            };
            let page = organisation_page(&app, &pro, &id, Some(form)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn archive_organisation(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(id): Path<OrganisationId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let organisation = owned_organisation(&app, &pro, &id).await?;
    pro.can_territory(&organisation.territory)?;
    button(&body, &pro)?;
    let mut tx = app.db.begin().await?;
    directory_storage::archive(&mut tx, Archivable::Organisation(&id)).await?;
    record_change(
        &app,
        &pro,
        tx,
        &organisation.territory,
        AuditAction::OrganisationArchived,
        &id,
        &organisation.name,
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/pro/territoires/{}/annuaire",
        organisation.territory
    ))
    .into_response())
}

/// The back-office form of a service.
#[derive(Template)]
#[template(path = "backoffice/service_form.html")]
struct ServiceForm {
    b: Base,
    title: String,
    action: String,
    organisation: String,
    values: HashMap<String, Vec<String>>,
    errors: HashMap<String, String>,
    needs: Vec<(String, String)>,
    actions: Option<(String, String)>,
    /// How it stands with its data·inclusion source, if it came from one.
    source: Option<String>,
}

impl ServiceForm {
    fn value(&self, name: &str) -> String {
        self.values
            .get(name)
            .map(|v| v.join(","))
            .unwrap_or_default()
    }

    fn checked(&self, name: &str, value: &str) -> bool {
        self.values.get(name).is_some_and(|values| {
            values.iter().flat_map(|v| v.split([',', '|'])).any(|v| {
                v.trim() == value
                    || (name == "besoins"
                        && Need::parse(v).is_some_and(|need| Need::parse(value) == Some(need)))
            })
        })
    }

    fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }
}

fn service_values(service: &Service) -> HashMap<String, Vec<String>> {
    let row = export::to_csv(
        &[Organisation {
            id: service.organisation_id.clone(),
            territory: String::new(),
            source_id: String::new(),
            name: String::new(),
            kind: Kind::Cidff,
            siret: None,
            phone: None,
            email: None,
            website: None,
            live: false,
            live_hours: String::new(),
            source_fields: serde_json::Map::new(),
        }],
        std::slice::from_ref(service),
    );
    // One row of our own CSV: the simplest way to have every field as the
    // form names it.
    let text = String::from_utf8_lossy(&row)
        .trim_start_matches('\u{feff}')
        .to_owned();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    let values: Vec<String> = reader
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(str::to_owned).collect())
        .unwrap_or_default();
    COLUMNS
        .iter()
        .zip(values)
        .filter(|(column, value)| {
            !import::is_organisation_column(column) && !value.is_empty() && value != "non"
        })
        .map(|(column, value)| ((*column).to_owned(), vec![value]))
        .collect()
}

fn needs() -> Vec<(String, String)> {
    Need::ALL
        .iter()
        .map(|n| (n.code().to_owned(), n.label().to_owned()))
        .collect()
}

fn grouped(fields: Vec<(String, String)>) -> HashMap<String, Vec<String>> {
    let mut values: HashMap<String, Vec<String>> = HashMap::new();
    for (name, value) in fields {
        values.entry(name).or_default().push(value);
    }
    values
}

async fn new_service_form(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(id): Path<OrganisationId>,
) -> Result<Response, AppError> {
    let organisation = owned_organisation(&app, &pro, &id).await?;
    let form = ServiceForm {
        b: Base::of(&app, &pro),
        title: format!("Nouveau service — {}", organisation.name),
        action: format!("/pro/structures/{id}/services/nouveau"),
        organisation: organisation.name,
        values: HashMap::new(),
        errors: HashMap::new(),
        needs: needs(),
        actions: None,
        source: None,
    };
    Ok(render(&form)?.into_response())
}

async fn save_service_form(
    app: &DirectoryState,
    pro: &Pro,
    organisation: &Organisation,
    existing: Option<&Service>,
    body: &[u8],
) -> Result<Response, AppError> {
    let form = read(&SERVICE_FORM, body)?;
    csrf(&form.fields, pro)?;
    let mut posted = form.fields.0.clone();
    posted.push(("structure_id".to_owned(), organisation.source_id.clone()));
    posted.push((
        "service_id".to_owned(),
        existing.map_or_else(|| "nouveau".to_owned(), |s| s.source_id.clone()),
    ));
    let communes = app.directory.index().communes().clone();
    let fields = &form.fields;
    match also_cut(&form, import::check_service_fields(&posted, &communes)) {
        Ok(service) => {
            let service = Service {
                id: existing.map(|s| s.id.clone()).unwrap_or_default(),
                source_id: existing.map(|s| s.source_id.clone()).unwrap_or_default(),
                organisation_id: organisation.id.clone(),
                ..service
            };
            let mut tx = app.db.begin().await?;
            let id = directory_storage::save_service(
                &mut tx,
                &organisation.territory,
                &organisation.id,
                &service,
            )
            .await?;
            let action = if existing.is_some() {
                AuditAction::ServiceChanged
            } else {
                AuditAction::ServiceCreated
            };
            record_change(
                app,
                pro,
                tx,
                &organisation.territory,
                action,
                &id,
                &service.name,
            )
            .await?;
            Ok(Redirect::to(&format!("/pro/structures/{}", organisation.id)).into_response())
        }
        Err(problems) => {
            let form = ServiceForm {
                b: Base::of(app, pro),
                title: existing.map_or_else(
                    || format!("Nouveau service — {}", organisation.name),
                    |s| format!("Modifier « {} »", s.name),
                ),
                action: existing.map_or_else(
                    || format!("/pro/structures/{}/services/nouveau", organisation.id),
                    |s| format!("/pro/services/{}", s.id),
                ),
                organisation: organisation.name.clone(),
                values: grouped(fields.0.clone()),
                errors: problems_by_field(&problems),
                needs: needs(),
                actions: None,
                source: None,
            };
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &form)
        }
    }
}

async fn create_service(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(id): Path<OrganisationId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let organisation = owned_organisation(&app, &pro, &id).await?;
    save_service_form(&app, &pro, &organisation, None, &body).await
}

/// A service the account may change, with its organisation.
async fn owned_service(
    app: &DirectoryState,
    pro: &Pro,
    id: &ServiceId,
) -> Result<(Service, Organisation), AppError> {
    let (service, _) = directory_storage::service(&app.db, id)
        .await?
        .ok_or(AppError::Forbidden)?;
    let organisation = owned_organisation(app, pro, &service.organisation_id).await?;
    if directory_storage::service_archived(&app.db, id).await? {
        return Err(AppError::NotFound);
    }
    Ok((service, organisation))
}

async fn service_form(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(id): Path<ServiceId>,
) -> Result<Response, AppError> {
    let (service, organisation) = owned_service(&app, &pro, &id).await?;
    let form = ServiceForm {
        b: Base::of(&app, &pro),
        title: format!("Modifier « {} »", service.name),
        action: format!("/pro/services/{id}"),
        organisation: organisation.name.clone(),
        values: service_values(&service),
        errors: HashMap::new(),
        needs: needs(),
        actions: Some((
            format!("/pro/services/{id}/verifie"),
            format!("/pro/services/{id}/archiver"),
        )),
        source: crate::directory::sync::source_note(
            &service,
            directory_storage::source_state(&app.db, &id)
                .await?
                .as_ref(),
        ),
    };
    Ok(render(&form)?.into_response())
}

async fn update_service(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(id): Path<ServiceId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (service, organisation) = owned_service(&app, &pro, &id).await?;
    save_service_form(&app, &pro, &organisation, Some(&service), &body).await
}

async fn verified_today(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(id): Path<ServiceId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (service, organisation) = owned_service(&app, &pro, &id).await?;
    button(&body, &pro)?;
    let mut tx = app.db.begin().await?;
    directory_storage::mark_verified(
        &mut tx,
        &id,
        today(&app.directory, &organisation.territory),
        &pro.user.email,
    )
    .await?;
    record_change(
        &app,
        &pro,
        tx,
        &organisation.territory,
        AuditAction::ServiceVerified,
        &id,
        &service.name,
    )
    .await?;
    Ok(Redirect::to(&format!("/pro/structures/{}", organisation.id)).into_response())
}

async fn archive_service(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(id): Path<ServiceId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (service, organisation) = owned_service(&app, &pro, &id).await?;
    pro.can_territory(&organisation.territory)?;
    button(&body, &pro)?;
    let mut tx = app.db.begin().await?;
    directory_storage::archive(&mut tx, Archivable::Service(&id)).await?;
    record_change(
        &app,
        &pro,
        tx,
        &organisation.territory,
        AuditAction::ServiceArchived,
        &id,
        &service.name,
    )
    .await?;
    Ok(Redirect::to(&format!("/pro/structures/{}", organisation.id)).into_response())
}

// ---------------------------------------------------------------- import, export

#[derive(Template)]
#[template(path = "backoffice/import.html")]
struct ImportPage {
    b: Base,
    slug: String,
    territory: String,
    problems: Vec<String>,
    done: Option<String>,
    /// What was imported but is worth a look (a version 0 code read as its
    /// version 1 code…).
    warnings: Vec<String>,
}

async fn import_form(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let territory = territory(&app.directory, &pro, &slug)?;
    let page = ImportPage {
        b: Base::of(&app, &pro),
        slug,
        territory: territory.name,
        problems: Vec::new(),
        done: None,
        warnings: Vec::new(),
    };
    Ok(render(&page)?.into_response())
}

async fn import_file(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let territory = territory(&app.directory, &pro, &slug)?;
    let file = read_upload(multipart, &IMPORT, "fichier", &pro).await?.file;
    let page = |problems: Vec<String>, done: Option<String>| ImportPage {
        b: Base::of(&app, &pro),
        slug: slug.clone(),
        territory: territory.name.clone(),
        problems,
        done,
        warnings: Vec::new(),
    };
    let Some((name, bytes)) = file else {
        return Ok(render(&page(
            vec!["Choisissez un fichier CSV ou JSON.".to_owned()],
            None,
        ))?
        .into_response());
    };
    let Some(format) = Format::from_path(std::path::Path::new(&name)) else {
        return Ok(render(&page(
            vec![format!(
                "« {name} » : le fichier doit finir par .csv ou .json."
            )],
            None,
        ))?
        .into_response());
    };
    let communes = app.directory.index().communes().clone();
    // Reading a file of several megabytes takes a core for a while: off the
    // async workers, behind the limit of heavy work.
    let parsed = crate::work::run(crate::work::Class::Staff, move || {
        import::parse(&bytes, format, &communes)
    })
    .await;
    match parsed {
        Ok(parsed) => {
            let mut tx = app.db.begin().await?;
            let counts = directory_storage::import(&mut tx, &slug, &parsed).await?;
            let summary = format!(
                "{} structures ({} nouvelles), {} services ({} nouveaux) importés.",
                parsed.organisations.len(),
                counts.organisations_created,
                parsed.services.len(),
                counts.services_created
            );
            record_change(
                &app,
                &pro,
                tx,
                &slug,
                AuditAction::DirectoryImported,
                &name,
                &summary,
            )
            .await?;
            let page = ImportPage {
                warnings: parsed.warnings.iter().map(ToString::to_string).collect(),
                ..page(Vec::new(), Some(summary))
            };
            Ok(render(&page)?.into_response())
        }
        Err(problems) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(problems.iter().map(ToString::to_string).collect(), None),
        ),
    }
}

async fn export_file(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path((slug, format)): Path<(String, String)>,
) -> Result<Response, AppError> {
    territory(&app.directory, &pro, &slug)?;
    let (organisations, services) = directory_storage::directory(&app.db, Some(&slug)).await?;
    let communes = app.directory.index().communes().clone();
    let format = match format.as_str() {
        "csv" => ExportFormat::Csv,
        "data-inclusion" => ExportFormat::DataInclusion,
        "hsds" => ExportFormat::Hsds,
        _ => return Err(AppError::NotFound),
    };
    // A territory of thousands of services takes a while to write: off the
    // async workers.
    let (bytes, content_type, extension) =
        crate::work::run(crate::work::Class::Staff, move || match format {
            ExportFormat::Csv => (
                export::to_csv(&organisations, &services),
                "text/csv; charset=utf-8",
                "csv",
            ),
            ExportFormat::DataInclusion => (
                serde_json::to_vec_pretty(&export::to_data_inclusion(
                    &organisations,
                    &services,
                    &communes,
                ))
                .unwrap_or_default(),
                "application/json",
                "data-inclusion.json",
            ),
            ExportFormat::Hsds => (
                serde_json::to_vec_pretty(&hsds::to_hsds(&organisations, &services, &communes))
                    .unwrap_or_default(),
                "application/json",
                "hsds.json",
            ),
        })
        .await;
    let disposition = format!("attachment; filename=\"annuaire-{slug}.{extension}\"");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------- territory settings

#[derive(Template)]
#[template(path = "backoffice/settings.html")]
struct SettingsPage {
    b: Base,
    slug: String,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl SettingsPage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }
}

fn settings_values(territory: &Territory) -> HashMap<String, String> {
    let lines: Vec<String> = territory
        .youth_services
        .iter()
        .map(|s| {
            format!(
                "{} | {} | {}",
                s.name,
                s.phone,
                s.description.clone().unwrap_or_default()
            )
        })
        .collect();
    HashMap::from([
        ("name".to_owned(), territory.name.clone()),
        (
            "neutral_url".to_owned(),
            territory.neutral_url.clone().unwrap_or_default(),
        ),
        (
            "communes".to_owned(),
            territory
                .communes
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        (
            "departements".to_owned(),
            territory
                .departements
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        (
            "coordinator_name".to_owned(),
            territory.coordinator.name.clone().unwrap_or_default(),
        ),
        (
            "coordinator_email".to_owned(),
            territory.coordinator.email.clone().unwrap_or_default(),
        ),
        (
            "coordinator_phone".to_owned(),
            territory.coordinator.phone.clone().unwrap_or_default(),
        ),
        ("youth_services".to_owned(), lines.join("\n")),
        (
            "hosts".to_owned(),
            territory
                .hosts
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    ])
}

async fn settings_form(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let territory = territory(&app.directory, &pro, &slug)?;
    let page = SettingsPage {
        b: Base::of(&app, &pro),
        values: settings_values(&territory),
        errors: HashMap::new(),
        slug,
    };
    Ok(render(&page)?.into_response())
}

async fn save_settings(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let current = territory(&app.directory, &pro, &slug)?;
    let form = read(&SETTINGS, &body)?;
    csrf(&form.fields, &pro)?;
    let fields = &form.fields;
    let list = |name: &str| {
        fields
            .value(name)
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let youth: Vec<YouthServiceFile> = fields
        .value("youth_services")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut parts = line.split('|').map(str::trim);
            YouthServiceFile {
                name: parts.next().unwrap_or_default().to_owned(),
                phone: parts.next().unwrap_or_default().to_owned(),
                description: parts.next().filter(|d| !d.is_empty()).map(str::to_owned),
            }
        })
        .collect();
    let file = TerritoryFile {
        slug: slug.clone(),
        name: fields.value("name").to_owned(),
        neutral_url: Some(fields.value("neutral_url").to_owned()),
        communes: list("communes"),
        departements: list("departements"),
        coordinator: Some(CoordinatorFile {
            name: Some(fields.value("coordinator_name").to_owned()),
            email: Some(fields.value("coordinator_email").to_owned()),
            phone: Some(fields.value("coordinator_phone").to_owned()),
        }),
        youth_services: youth,
        hosts: list("hosts"),
    };
    let communes = app.directory.index().communes().clone();
    let mut checked = territories::check_territory(file, &communes);
    if let Ok(territory) = &checked
        && let Some((host, other)) =
            directory_storage::host_taken(&app.db, &slug, &territory.hosts).await?
    {
        checked = Err(vec![format!(
            "hosts : « {host} » est déjà l'adresse du territoire « {other} »"
        )]);
    }
    match checked {
        Ok(mut territory) => {
            territory.suspended = current.suspended;
            let mut tx = app.db.begin().await?;
            directory_storage::save_territory(&mut tx, &territory).await?;
            record_change(
                &app,
                &pro,
                tx,
                &slug,
                AuditAction::TerritoryChanged,
                &slug,
                &territory.name,
            )
            .await?;
            Ok(Redirect::to(&format!("/pro/territoires/{slug}/parametres")).into_response())
        }
        Err(problems) => {
            let mut errors: HashMap<String, String> = HashMap::new();
            for problem in problems {
                let (field, message) = problem.split_once(" : ").unwrap_or(("name", &problem));
                let field = match field.split(['.', '[']).next().unwrap_or(field) {
                    "coordinator" if field.ends_with("email") => "coordinator_email",
                    "coordinator" => "coordinator_phone",
                    "youth_services" => "youth_services",
                    other => other,
                };
                errors
                    .entry(field.to_owned())
                    .or_insert_with(|| capitalise(message));
            }
            let page = SettingsPage {
                b: Base::of(&app, &pro),
                values: fields.0.iter().cloned().collect(),
                errors,
                slug,
            };
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
