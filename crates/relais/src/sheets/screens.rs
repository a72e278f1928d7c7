//! A territory's own versions of the information sheets: the list (with
//! what is due for review), the editor with a preview, and the history of
//! versions. Only coordinators of the territory (and administrators) come
//! here; every save is a new version, none is ever overwritten.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;

use crate::backoffice::session::Pro;
use crate::backoffice::storage::AuditAction;
use crate::backoffice::{Base, CSRF, Screens, storage as accounts};
use crate::sheets::Sheet;
use crate::sheets::SheetsState;
use crate::sheets::reviews::{entries, review_limit};
use crate::sheets::storage::{self, SheetKey, Version};
use crate::web::error::AppError;
use crate::web::form::{Code, Field, Spec};
use crate::web::{render, render_status};

/// The sheet routes.
pub fn screens(screens: Screens<SheetsState>) -> Screens<SheetsState> {
    screens
        .get("/pro/territoires/{t}/fiches", list)
        .get_like(
            "/pro/territoires/{t}/fiches/{language}/{name}",
            "/pro/territoires/{t}/fiches/fr/porter-plainte",
            editor,
        )
        .query(&EDIT_QUERY)
        .post_like(
            "/pro/territoires/{t}/fiches/{language}/{name}",
            "/pro/territoires/{t}/fiches/fr/porter-plainte",
            &SHEET,
            save,
        )
}

/// The longest sheet, in characters of Markdown.
pub const SOURCE_MAX: usize = 100_000;

/// The editor's form: preview or save.
pub static SHEET: Spec = Spec::new(&[
    CSRF,
    Field::one("action", 16),
    Field::one("source", SOURCE_MAX),
]);

/// The editor's query: start from the national text, or from a version.
pub static EDIT_QUERY: Spec = Spec::new(&[
    Field::one("version", 12),
    Field::one("depart", 16),
    Field::one("enregistre", 12),
]);

/// `slug` or `slug.facile`.
fn file_name(slug: &str, easy: bool) -> String {
    if easy {
        format!("{slug}.facile")
    } else {
        slug.to_owned()
    }
}

/// One line of the list.
#[derive(Debug)]
struct Line {
    title: String,
    variant: String,
    href: String,
    reviewed_on: Date,
    local: Option<String>,
    due: bool,
}

#[derive(Template)]
#[template(path = "backoffice/sheets.html")]
struct ListPage {
    b: Base,
    territory: String,
    lines: Vec<Line>,
    due: usize,
}

/// The territory a coordinator may manage, or 403/404.
fn territory_name(app: &SheetsState, pro: &Pro, slug: &str) -> Result<String, AppError> {
    pro.can_territory(slug)?;
    let index = app.directory.index();
    index
        .territories()
        .find(|t| t.slug.as_str() == slug)
        .map(|t| t.name.clone())
        .ok_or(AppError::NotFound)
}

async fn list(
    State(app): State<SheetsState>,
    pro: Pro,
    Path(territory): Path<String>,
) -> Result<Response, AppError> {
    let name = territory_name(&app, &pro, &territory)?;
    let limit = review_limit(app.directory.index().today_in(&territory));
    let lines: Vec<Line> = entries(&app.db, &app.sheets, &territory)
        .await?
        .into_iter()
        .map(|entry| {
            let sheet = entry.national;
            Line {
                title: sheet.meta.title.clone(),
                variant: match (sheet.meta.language.as_str(), sheet.meta.easy_to_read) {
                    ("fr", true) => "français facile".to_owned(),
                    ("fr", false) => "français".to_owned(),
                    ("en", _) => "anglais".to_owned(),
                    (other, _) => other.to_owned(),
                },
                href: format!(
                    "/pro/territoires/{territory}/fiches/{}/{}",
                    sheet.meta.language,
                    file_name(&sheet.slug, sheet.meta.easy_to_read)
                ),
                reviewed_on: entry.reviewed_on(),
                due: entry.reviewed_on() < limit,
                local: entry.local.map(|s| s.meta.title),
            }
        })
        .collect();
    let due = lines.iter().filter(|l| l.due).count();
    let page = ListPage {
        b: Base::of(&app, &pro),
        territory: name,
        lines,
        due,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "backoffice/sheet_edit.html")]
struct EditPage {
    b: Base,
    territory: String,
    territory_name: String,
    title: String,
    action: String,
    public_href: String,
    source: String,
    problems: Vec<String>,
    preview: Option<Sheet>,
    saved: Option<i64>,
    history: Vec<Version>,
    national_href: String,
}

/// `?version=N` loads an earlier version, `?depart=national` the national
/// text, into the editor.
#[derive(Debug)]
struct EditQuery {
    version: Option<i64>,
    depart: Option<String>,
    enregistre: Option<i64>,
}

impl EditQuery {
    /// Reads the query; anything else than these three is no link of ours.
    fn read(query: Option<&str>) -> Result<Self, AppError> {
        let fields = EDIT_QUERY
            .read_query(query)
            .into_result()
            .map_err(|_| AppError::BadRequest)?;
        let number = |name: &str| match fields.get(name) {
            None => Ok(None),
            Some(value) => value.parse().map(Some).map_err(|_| AppError::BadRequest),
        };
        Ok(Self {
            version: number("version")?,
            depart: fields.get("depart").map(str::to_owned),
            enregistre: number("enregistre")?,
        })
    }
}

/// The sheet named in the path: slug, language, variant, national sheet.
fn named<'a>(
    app: &'a SheetsState,
    language: &str,
    name: &str,
) -> Result<(String, bool, &'a Sheet), AppError> {
    let (slug, easy) = name
        .strip_suffix(".facile")
        .map_or((name, false), |slug| (slug, true));
    let sheet = app
        .sheets
        .get(slug, language, easy)
        .ok_or(AppError::NotFound)?;
    Ok((slug.to_owned(), easy, sheet))
}

#[allow(
    clippy::too_many_arguments,
    reason = "one page, assembled from what each handler has"
)]
async fn edit_page(
    app: &SheetsState,
    pro: &Pro,
    territory: &str,
    language: &str,
    name: &str,
    source: Option<String>,
    problems: Vec<String>,
    preview: Option<Sheet>,
    saved: Option<i64>,
) -> Result<EditPage, AppError> {
    let territory_name = territory_name(app, pro, territory)?;
    let (slug, easy, national) = named(app, language, name)?;
    let key = SheetKey {
        slug: &slug,
        language,
        easy_to_read: easy,
    };
    let history = storage::history(&app.db, territory, key).await?;
    let source = match source {
        Some(source) => source,
        None => history
            .first()
            .map_or_else(|| national.source.clone(), |v| v.source.clone()),
    };
    let public = format!(
        "/territoires/{territory}/fiches/{slug}{}",
        if easy { "/facile" } else { "" }
    );
    Ok(EditPage {
        b: Base::of(app, pro),
        territory: territory.to_owned(),
        territory_name,
        title: national.meta.title.clone(),
        action: format!("/pro/territoires/{territory}/fiches/{language}/{name}"),
        public_href: if language == "fr" {
            public
        } else {
            format!("/{language}{public}")
        },
        source,
        problems,
        preview,
        saved,
        history,
        national_href: format!(
            "/pro/territoires/{territory}/fiches/{language}/{name}?depart=national"
        ),
    })
}

async fn editor(
    State(app): State<SheetsState>,
    pro: Pro,
    Path((territory, language, name)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let query = EditQuery::read(query.as_deref())?;
    let mut page = edit_page(
        &app,
        &pro,
        &territory,
        &language,
        &name,
        None,
        Vec::new(),
        None,
        query.enregistre,
    )
    .await?;
    if query.depart.as_deref() == Some("national") {
        let (_, _, national) = named(&app, &language, &name)?;
        page.source = national.source.clone();
    } else if let Some(wanted) = query.version {
        let version = page
            .history
            .iter()
            .find(|v| v.version == wanted)
            .ok_or(AppError::NotFound)?;
        page.source = version.source.clone();
    }
    Ok(render(&page)?.into_response())
}

/// The two buttons under a sheet being edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    /// Show how it reads; nothing is saved.
    Preview,
    /// Save it as a new version (when nothing is wrong).
    Save,
}

impl Code for Action {
    const CODES: &'static [(&'static str, Self)] =
        &[("apercu", Self::Preview), ("enregistrer", Self::Save)];
}

async fn save(
    State(app): State<SheetsState>,
    pro: Pro,
    Path((territory, language, name)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    territory_name(&app, &pro, &territory)?;
    let (slug, easy, _) = named(&app, &language, &name)?;
    let posted = crate::backoffice::read(&SHEET, &body)?;
    pro.check_csrf(posted.fields.value("csrf"))?;
    let fields = &posted.fields;
    let action = fields
        .code_or_none::<Action>("action")?
        .unwrap_or(Action::Preview);
    let source = fields.text("source").replace("\r\n", "\n");
    // Rendering up to a hundred thousand characters of Markdown: off the
    // async workers.
    let parsed = {
        let (slug, language, source) = (slug.clone(), language.clone(), source.clone());
        crate::work::run(crate::work::Class::Staff, move || {
            Sheet::parse(&slug, &language, easy, &source)
        })
        .await
    };
    let links = match &parsed {
        Ok(sheet) => sheet
            .sheet_links()
            .into_iter()
            .filter(|target| app.sheets.get(target, &language, false).is_none())
            .map(|target| format!("le lien vers /fiches/{target} ne mène à aucune fiche"))
            .collect(),
        Err(_) => Vec::new(),
    };
    let (mut problems, preview) = match parsed {
        Ok(sheet) if links.is_empty() => (Vec::new(), Some(sheet)),
        Ok(sheet) => (links, Some(sheet)),
        Err(problems) => (problems, None),
    };
    if let Some(refusal) = &posted.refusal {
        problems.insert(0, refusal.french());
    }
    if action == Action::Save && problems.is_empty() {
        let key = SheetKey {
            slug: &slug,
            language: &language,
            easy_to_read: easy,
        };
        let mut tx = app.db.begin().await?;
        let version = storage::save(&mut tx, &territory, key, &source, &pro.user.email).await?;
        accounts::audit(
            &mut tx,
            &pro.user.email,
            Some(&territory),
            AuditAction::SheetSaved,
            &format!("{language}/{name}"),
            &format!("version {version}"),
        )
        .await?;
        tx.commit().await?;
        return Ok(Redirect::to(&format!(
            "/pro/territoires/{territory}/fiches/{language}/{name}?enregistre={version}"
        ))
        .into_response());
    }
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = edit_page(
        &app,
        &pro,
        &territory,
        &language,
        &name,
        Some(source),
        problems,
        preview,
        None,
    )
    .await?;
    render_status(status, &page)
}
