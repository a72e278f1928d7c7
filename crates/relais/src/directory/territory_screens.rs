//! A territory's own screens in the back office, besides its settings: its
//! voice and logo (its coordinators'), and what an administrator alone
//! does — create a territory, suspend it, lift the suspension. The list of
//! every territory with its health is the overview's (`/pro/territoires`).
//!
//! Each handler reads: access check first, then the form token, then the
//! change and its audit line in one `Tx`, then the index refresh.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::backoffice::session::Pro;
use crate::backoffice::storage::{self, AuditAction};
use crate::backoffice::{Base, CSRF, MessagePage, Screens, csrf, read};
use crate::directory::DirectoryState;
use crate::directory::office::territory;
use crate::directory::storage as directory_storage;
use crate::directory::territories::{self, TerritoryFile};
use crate::directory::voice::{
    self, JOIN_MAX, PARTNERS_MAX, PRESENTATION_MAX, Voice, VoiceTextFile,
};
use crate::storage::Tx;
use crate::web::error::AppError;
use crate::web::form::{EMAIL_MAX, Field, Spec};
use crate::web::i18n::Lang;
use crate::web::{render, render_status};

/// The voice, the logo, creating, suspending and lifting a suspension.
pub fn screens(screens: Screens<DirectoryState>) -> Screens<DirectoryState> {
    screens
        .get("/pro/territoires/{t}/presentation", voice_form)
        .post("/pro/territoires/{t}/presentation", &VOICE, save_voice)
        .upload("/pro/territoires/{t}/logo", &LOGO, save_logo)
        .get("/pro/territoires/nouveau", new_territory_form)
        .post("/pro/territoires/nouveau", &NEW_TERRITORY, create_territory)
        .post("/pro/territoires/{t}/suspendre", &CONFIRM, suspend)
        .post("/pro/territoires/{t}/reprendre", &CONFIRM, resume)
}

/// The voice's form: its words in each language, and how to join.
pub static VOICE: Spec = Spec::new(&[
    CSRF,
    Field::one("presentation_fr", PRESENTATION_MAX),
    Field::one("partners_fr", PARTNERS_MAX),
    Field::one("join_fr", JOIN_MAX),
    Field::one("presentation_en", PRESENTATION_MAX),
    Field::one("partners_en", PARTNERS_MAX),
    Field::one("join_en", JOIN_MAX),
    Field::one("presentation_ar", PRESENTATION_MAX),
    Field::one("partners_ar", PARTNERS_MAX),
    Field::one("join_ar", JOIN_MAX),
    Field::one("join_email", EMAIL_MAX),
    Field::one("join_phone", 40),
]);

/// The logo's form: its token and an image (its size checked apart).
pub static LOGO: Spec = Spec::new(&[CSRF, Field::one("fichier", voice::LOGO_MAX)]);

/// A new territory: its name, its slug, its communes (by département,
/// arrondissement, EPCI or INSEE codes) and its host names.
pub static NEW_TERRITORY: Spec = Spec::new(&[
    CSRF,
    Field::one("slug", 64),
    Field::one("name", 200),
    Field::one("departements", 1000),
    Field::one("arrondissements", 1000),
    Field::one("epci", 2000),
    Field::one("communes", 40_000),
    Field::one("hosts", 2000),
]);

/// A deliberate act, confirmed by a ticked box.
pub static CONFIRM: Spec = Spec::new(&[CSRF, Field::one("confirmer", 3)]);

/// The languages of the voice, French first.
const LANGS: [Lang; 3] = [Lang::Fr, Lang::En, Lang::Ar];

/// Writes a change's audit line in the change's transaction, commits both,
/// then refreshes the index so that the public site shows it at once.
async fn record(
    app: &DirectoryState,
    pro: &Pro,
    mut tx: Tx,
    slug: &str,
    action: AuditAction,
    detail: &str,
) -> Result<(), AppError> {
    storage::audit(&mut tx, &pro.user.email, Some(slug), action, slug, detail).await?;
    tx.commit().await?;
    app.directory.refresh(&app.db).await?;
    Ok(())
}

/// Problems (`field : message`) by field, each message with a capital.
fn by_field(problems: Vec<String>, fallback: &str) -> HashMap<String, String> {
    let mut errors = HashMap::new();
    for problem in problems {
        let (field, message) = problem.split_once(" : ").unwrap_or((fallback, &problem));
        let mut chars = message.chars();
        let message = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect::<String>())
            .unwrap_or_default();
        errors.entry(field.to_owned()).or_insert(message);
    }
    errors
}

// ---------------------------------------------------------------- voice

#[derive(Template)]
#[template(path = "backoffice/voice.html")]
struct VoicePage {
    b: Base,
    slug: String,
    territory: String,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    logo: Option<String>,
    logo_error: Option<String>,
}

impl VoicePage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }
}

fn voice_values(voice: &Voice) -> HashMap<String, String> {
    let mut values = HashMap::new();
    for (code, text) in &voice.texts {
        values.insert(format!("presentation_{code}"), text.presentation.clone());
        values.insert(format!("partners_{code}"), text.partners.join("\n"));
        values.insert(format!("join_{code}"), text.join.clone());
    }
    values.insert(
        "join_email".to_owned(),
        voice.join_email.clone().unwrap_or_default(),
    );
    values.insert(
        "join_phone".to_owned(),
        voice.join_phone.clone().unwrap_or_default(),
    );
    values
}

fn voice_page(
    app: &DirectoryState,
    pro: &Pro,
    slug: &str,
    name: &str,
    values: HashMap<String, String>,
) -> VoicePage {
    let index = app.directory.index();
    VoicePage {
        b: Base::of(app, pro),
        slug: slug.to_owned(),
        territory: name.to_owned(),
        values,
        errors: HashMap::new(),
        logo: index
            .stored_voice(slug)
            .and_then(|v| v.logo.as_ref())
            .map(|l| format!("/territoires/{slug}/logo/{}", l.digest)),
        logo_error: None,
    }
}

async fn voice_form(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let territory = territory(&app.directory, &pro, &slug)?;
    let values = app
        .directory
        .index()
        .stored_voice(&slug)
        .map(voice_values)
        .unwrap_or_default();
    let page = voice_page(&app, &pro, &slug, &territory.name, values);
    Ok(render(&page)?.into_response())
}

async fn save_voice(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let territory = territory(&app.directory, &pro, &slug)?;
    let form = read(&VOICE, &body)?;
    csrf(&form.fields, &pro)?;
    let fields = &form.fields;
    let texts: Vec<(Lang, VoiceTextFile)> = LANGS
        .iter()
        .map(|lang| {
            let code = lang.code();
            (
                *lang,
                VoiceTextFile {
                    presentation: fields.text(&format!("presentation_{code}")),
                    partners: fields.text(&format!("partners_{code}")),
                    join: fields.text(&format!("join_{code}")),
                },
            )
        })
        .collect();
    let mut checked = voice::check_voice(
        &texts,
        fields.value("join_email"),
        fields.value("join_phone"),
    );
    if let Some((field, max)) = form.too_long() {
        let problem = format!("{field} : {max} caractères au plus");
        match &mut checked {
            Ok(_) => checked = Err(vec![problem]),
            Err(problems) => problems.insert(0, problem),
        }
    }
    match checked {
        Ok(voice) => {
            let mut tx = app.db.begin().await?;
            directory_storage::save_voice(&mut tx, &slug, &voice).await?;
            record(
                &app,
                &pro,
                tx,
                &slug,
                AuditAction::TerritoryVoiceChanged,
                &territory.name,
            )
            .await?;
            Ok(Redirect::to(&format!("/pro/territoires/{slug}/presentation")).into_response())
        }
        Err(problems) => {
            let mut page = voice_page(
                &app,
                &pro,
                &slug,
                &territory.name,
                fields.0.iter().cloned().collect(),
            );
            page.errors = by_field(problems, "presentation_fr");
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

async fn save_logo(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let territory = territory(&app.directory, &pro, &slug)?;
    // The fields of LOGO, each once: the body limit bounds the file, the
    // spec the token; anything else is no form of ours.
    let mut token: Option<String> = None;
    let mut file: Option<Bytes> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return Err(AppError::BadRequest),
        };
        match field.name() {
            Some("csrf") if token.is_none() => {
                let text = field.text().await.map_err(|_| AppError::BadRequest)?;
                if text.chars().count() > CSRF.max {
                    return Err(AppError::BadRequest);
                }
                token = Some(text);
            }
            Some("fichier") if file.is_none() => {
                file = Some(field.bytes().await.map_err(|_| AppError::BadRequest)?);
            }
            _ => return Err(AppError::BadRequest),
        }
    }
    pro.check_csrf(token.as_deref().unwrap_or_default())?;
    let bytes = file.unwrap_or_default();
    let checked = if bytes.is_empty() {
        Err("Choisissez une image PNG ou JPEG.".to_owned())
    } else {
        voice::check_logo(&bytes)
    };
    match checked {
        Ok(logo) => {
            let mut tx = app.db.begin().await?;
            directory_storage::save_logo(&mut tx, &slug, logo.content_type, &logo.digest, &bytes)
                .await?;
            record(
                &app,
                &pro,
                tx,
                &slug,
                AuditAction::TerritoryLogoChanged,
                &territory.name,
            )
            .await?;
            Ok(Redirect::to(&format!("/pro/territoires/{slug}/presentation")).into_response())
        }
        Err(problem) => {
            let values = app
                .directory
                .index()
                .stored_voice(&slug)
                .map(voice_values)
                .unwrap_or_default();
            let mut page = voice_page(&app, &pro, &slug, &territory.name, values);
            page.logo_error = Some(problem);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

// ---------------------------------------------------------------- a new territory

#[derive(Template)]
#[template(path = "backoffice/territory_new.html")]
struct NewTerritoryPage {
    b: Base,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl NewTerritoryPage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }
}

async fn new_territory_form(
    State(app): State<DirectoryState>,
    pro: Pro,
) -> Result<Response, AppError> {
    pro.admin()?;
    Ok(render(&NewTerritoryPage {
        b: Base::of(&app, &pro),
        values: HashMap::new(),
        errors: HashMap::new(),
    })?
    .into_response())
}

/// The codes of a list as typed: separated by spaces, commas or semicolons.
fn codes(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn create_territory(
    State(app): State<DirectoryState>,
    pro: Pro,
    body: Bytes,
) -> Result<Response, AppError> {
    pro.admin()?;
    let form = read(&NEW_TERRITORY, &body)?;
    csrf(&form.fields, &pro)?;
    let fields = &form.fields;
    let index = app.directory.index();
    let communes = index.communes().clone();
    let mut problems = Vec::new();
    if let Some((field, max)) = form.too_long() {
        problems.push(format!("{field} : {max} caractères au plus"));
    }
    // An arrondissement or an EPCI stands for its communes, listed one by
    // one: the territory keeps communes and départements only.
    let mut insee = codes(fields.value("communes"));
    for code in codes(fields.value("arrondissements")) {
        match communes.arrondissement(&code) {
            Some(arrondissement) => {
                insee.extend(arrondissement.communes.iter().map(ToString::to_string));
            }
            None => problems.push(format!(
                "arrondissements : « {code} » n'est le code d'aucun arrondissement (celui du département suivi d'un chiffre, par exemple 624)"
            )),
        }
    }
    for code in codes(fields.value("epci")) {
        if communes.epci_name(&code).is_some() {
            insee.extend(communes.zone_members(&code).into_iter().map(str::to_owned));
        } else {
            problems.push(format!(
                "epci : « {code} » n'est le numéro SIREN d'aucun EPCI (neuf chiffres)"
            ));
        }
    }
    let slug = fields.value("slug").trim().to_owned();
    if index.territory(&slug).is_some() {
        problems.push(format!("slug : le territoire « {slug} » existe déjà"));
    }
    let file = TerritoryFile {
        slug: slug.clone(),
        name: fields.value("name").to_owned(),
        communes: insee,
        departements: codes(fields.value("departements")),
        hosts: codes(fields.value("hosts")),
        ..TerritoryFile::default()
    };
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
        Ok(territory) if problems.is_empty() => {
            let mut tx = app.db.begin().await?;
            directory_storage::save_territory(&mut tx, &territory).await?;
            let detail = format!(
                "{} ({} communes, {} départements)",
                territory.name,
                territory.communes.len(),
                territory.departements.len()
            );
            record(
                &app,
                &pro,
                tx,
                territory.slug.as_str(),
                AuditAction::TerritoryCreated,
                &detail,
            )
            .await?;
            Ok(Redirect::to(&format!("/pro/territoires#{}", territory.slug)).into_response())
        }
        checked => {
            problems.extend(checked.err().unwrap_or_default());
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &NewTerritoryPage {
                    b: Base::of(&app, &pro),
                    values: fields.0.iter().cloned().collect(),
                    errors: by_field(problems, "name"),
                },
            )
        }
    }
}

// ---------------------------------------------------------------- suspension

async fn suspend(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    set_suspended(&app, &pro, &slug, &body, true).await
}

async fn resume(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    set_suspended(&app, &pro, &slug, &body, false).await
}

/// Suspends a territory or lifts its suspension, once the box is ticked.
async fn set_suspended(
    app: &DirectoryState,
    pro: &Pro,
    slug: &str,
    body: &[u8],
    suspended: bool,
) -> Result<Response, AppError> {
    pro.admin()?;
    let territory = territory(&app.directory, pro, slug)?;
    let form = read(&CONFIRM, body)?;
    csrf(&form.fields, pro)?;
    if form.fields.value("confirmer") != "oui" {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &MessagePage {
                b: Base::of(app, pro),
                title: "Rien n'a changé".to_owned(),
                message: "Cochez la case de confirmation, puis appuyez de nouveau sur le bouton."
                    .to_owned(),
                link: "/pro/territoires".to_owned(),
                link_label: "Revenir aux territoires".to_owned(),
            },
        );
    }
    if territory.suspended == suspended {
        return Ok(Redirect::to(&format!("/pro/territoires#{slug}")).into_response());
    }
    let at = suspended.then(crate::storage::now_text);
    let mut tx = app.db.begin().await?;
    directory_storage::set_suspended(&mut tx, slug, at.as_deref()).await?;
    let action = if suspended {
        AuditAction::TerritorySuspended
    } else {
        AuditAction::TerritoryResumed
    };
    record(app, pro, tx, slug, action, &territory.name).await?;
    Ok(Redirect::to(&format!("/pro/territoires#{slug}")).into_response())
}
