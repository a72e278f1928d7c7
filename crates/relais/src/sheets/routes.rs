//! Public sheets: `/fiches` (by category, and a search by words sent by
//! POST so that they never appear in a URL), `/fiches/{slug}` and its
//! easy-to-read variant `/fiches/{slug}/facile`, and the same under
//! `/territoires/{territory}/…` for a territory's own versions.
//!
//! `/fiches/…` shows the versions of the page's territory (that of its
//! entry, else the only one the site serves), and no territory's while it
//! is suspended.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use fluent_bundle::FluentValue;
use jiff::civil::Date;

use crate::sheets::SheetsState;
use crate::sheets::storage::{self, SheetKey};
use crate::sheets::{CATEGORIES, Library, Sheet};
use crate::web::Site;
use crate::web::error::AppError;
use crate::web::form::{Field, Spec};
use crate::web::i18n::{Lang, msg};
use crate::web::layout::{Chrome, PageContext};
use crate::web::render;

/// Adds the routes of the sheets.
pub fn routes(site: Site<SheetsState>) -> Site<SheetsState> {
    site.page("/fiches", get(index).post(search))
        .posts(&SEARCH)
        .page_like("/fiches/{slug}", "/fiches/porter-plainte", get(national))
        .page_like(
            "/fiches/{slug}/facile",
            "/fiches/porter-plainte/facile",
            get(national_easy),
        )
        .page_like(
            "/territoires/{territory}/fiches/{slug}",
            "/territoires/montreuillois/fiches/porter-plainte",
            get(local),
        )
        .page_like(
            "/territoires/{territory}/fiches/{slug}/facile",
            "/territoires/montreuillois/fiches/porter-plainte/facile",
            get(local_easy),
        )
}

/// The message id of a category's name.
fn category_message(category: &str) -> &'static str {
    match category {
        "urgence-protection" => msg("category-urgence-protection"),
        "justice" => msg("category-justice"),
        "logement" => msg("category-logement"),
        "sante" => msg("category-sante"),
        "enfants-famille" => msg("category-enfants-famille"),
        "etrangers" => msg("category-etrangers"),
        "argent-travail" => msg("category-argent-travail"),
        _ => msg("category-securite-numerique"),
    }
}

/// A date as people read it in a language.
pub fn readable_date(lang: Lang, date: Date) -> String {
    const FRENCH: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const ENGLISH: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = usize::from(date.month().unsigned_abs())
        .saturating_sub(1)
        .min(11);
    match lang {
        Lang::Fr => format!("{} {} {}", date.day(), FRENCH[month], date.year()),
        Lang::En => format!("{} {} {}", date.day(), ENGLISH[month], date.year()),
        Lang::Ar => format!("{}/{:02}/{:02}", date.year(), date.month(), date.day()),
    }
}

/// The language folder to read for a page language.
fn folder(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Fr | Lang::Ar => "fr",
    }
}

/// A sheet in a list.
#[derive(Debug)]
struct SheetLink {
    href: String,
    title: String,
    summary: String,
    easy: Option<String>,
}

#[derive(Debug)]
struct Category {
    name: String,
    sheets: Vec<SheetLink>,
}

#[derive(Template)]
#[template(path = "sheets/index.html")]
struct IndexPage<'a> {
    c: Chrome<'a>,
    query: String,
    query_error: Option<String>,
    results_heading: Option<String>,
    results: Vec<SheetLink>,
    categories: Vec<Category>,
}

fn link(c: &Chrome<'_>, library: &Library, sheet: &Sheet) -> SheetLink {
    let easy = library
        .get(&sheet.slug, &sheet.meta.language, true)
        .map(|_| c.href(&format!("/fiches/{}/facile", sheet.slug)));
    SheetLink {
        href: c.href(&format!("/fiches/{}", sheet.slug)),
        title: sheet.meta.title.clone(),
        summary: sheet.meta.summary.clone(),
        easy,
    }
}

fn index_page<'a>(app: &'a SheetsState, context: &PageContext, query: &str) -> IndexPage<'a> {
    let c = Chrome::new(app, context);
    let library = &app.sheets;
    let language = folder(c.lang);
    let categories = CATEGORIES
        .iter()
        .map(|category| Category {
            name: c.t(category_message(category)).into_owned(),
            sheets: library
                .slugs()
                .iter()
                .filter_map(|slug| {
                    library
                        .get(slug, language, false)
                        .or_else(|| library.get(slug, "fr", false))
                })
                .filter(|sheet| sheet.meta.category == *category)
                .map(|sheet| link(&c, library, sheet))
                .collect(),
        })
        .filter(|category| !category.sheets.is_empty())
        .collect();
    IndexPage {
        query: query.to_owned(),
        query_error: None,
        results_heading: None,
        results: Vec::new(),
        categories,
        c,
    }
}

async fn index(
    State(app): State<SheetsState>,
    context: PageContext,
) -> Result<Html<String>, AppError> {
    render(&index_page(&app, &context, ""))
}

/// The search form: a few words.
pub static SEARCH: Spec = Spec::new(&[Field::one("q", 200)]);

async fn search(
    State(app): State<SheetsState>,
    context: PageContext,
    body: Bytes,
) -> Result<Html<String>, AppError> {
    let posted = SEARCH.read(&body);
    if posted.is_forged() {
        return Err(AppError::BadRequest);
    }
    let query = posted.fields.value("q").trim().to_owned();
    let mut page = index_page(&app, &context, &query);
    let lang = page.c.lang;
    if let Some((_, max)) = posted.too_long() {
        page.query_error = Some(lang.t_with("form-too-long", &[("max", FluentValue::from(max))]));
        return render(&page);
    }
    if crate::sheets::query_words(&query).is_empty() {
        page.query_error = Some(lang.t("sheets-search-missing"));
        return render(&page);
    }
    let found = app.sheets.search(&query, folder(lang));
    page.results_heading = Some(lang.t_with(
        "sheets-results",
        &[
            ("count", FluentValue::from(found.len())),
            ("query", FluentValue::from(query.as_str())),
        ],
    ));
    page.results = found
        .into_iter()
        .map(|sheet| link(&page.c, &app.sheets, sheet))
        .collect();
    render(&page)
}

#[derive(Template)]
#[template(path = "sheets/sheet.html")]
struct SheetPage<'a> {
    c: Chrome<'a>,
    title: String,
    summary: String,
    reviewed: String,
    body: String,
    sources: Vec<(String, String)>,
    notice: Option<String>,
    variant: Option<(String, String)>,
    /// ` lang="fr" dir="ltr"` when the sheet is written in another language
    /// than the page's (a French sheet on an Arabic page still reads left to
    /// right), for the elements that hold its text; empty otherwise.
    written_in: String,
}

async fn national(
    State(app): State<SheetsState>,
    context: PageContext,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let territory = page_territory(&app, &context);
    show(&app, &context, territory.as_deref(), &slug, false).await
}

async fn national_easy(
    State(app): State<SheetsState>,
    context: PageContext,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let territory = page_territory(&app, &context);
    show(&app, &context, territory.as_deref(), &slug, true).await
}

async fn local(
    State(app): State<SheetsState>,
    context: PageContext,
    Path((territory, slug)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let territory = known_territory(&app, &territory)?;
    show(&app, &context, territory.as_deref(), &slug, false).await
}

async fn local_easy(
    State(app): State<SheetsState>,
    context: PageContext,
    Path((territory, slug)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let territory = known_territory(&app, &territory)?;
    show(&app, &context, territory.as_deref(), &slug, true).await
}

/// The territory whose version of a sheet the page shows: that of the
/// page (its entry, else the only one served), unless it is suspended,
/// whose local versions may name a network that orients nobody for now.
fn page_territory(app: &SheetsState, context: &PageContext) -> Option<String> {
    app.directory
        .index()
        .page_territory(context.territory.as_deref())
        .filter(|territory| !territory.suspended)
        .map(|territory| territory.slug.to_string())
}

/// The territory of a `/territoires/{territory}/…` address, by the same
/// rule: none (the national sheet) when it is suspended, and a 404 when it
/// does not exist.
fn known_territory(app: &SheetsState, slug: &str) -> Result<Option<String>, AppError> {
    let index = app.directory.index();
    let territory = index.territory(slug).ok_or(AppError::NotFound)?;
    Ok((!territory.suspended).then(|| territory.slug.to_string()))
}

/// The sheet to show: the territory's version if it has one, else the
/// national one; in the page's language, else in French (and said so).
pub async fn resolve(
    app: &SheetsState,
    territory: Option<&str>,
    slug: &str,
    language: &str,
    easy: bool,
) -> Result<Option<(Sheet, bool)>, AppError> {
    for candidate in [language, "fr"] {
        if let Some(territory) = territory {
            let key = SheetKey {
                slug,
                language: candidate,
                easy_to_read: easy,
            };
            if let Some(source) = storage::current(&app.db, territory, key).await? {
                match Sheet::parse(slug, candidate, easy, &source) {
                    Ok(sheet) => return Ok(Some((sheet, true))),
                    Err(problems) => {
                        // Saved versions are checked; a bad one falls back to
                        // the national sheet rather than failing the page.
                        tracing::warn!(
                            territory,
                            slug,
                            ?problems,
                            "a territory's sheet does not parse"
                        );
                    }
                }
            }
        }
        if let Some(sheet) = app.sheets.get(slug, candidate, easy) {
            return Ok(Some((sheet.clone(), false)));
        }
    }
    Ok(None)
}

async fn show(
    app: &SheetsState,
    context: &PageContext,
    territory: Option<&str>,
    slug: &str,
    easy: bool,
) -> Result<Html<String>, AppError> {
    let c = Chrome::new(app, context);
    let lang = c.lang;
    let language = folder(lang);
    let (sheet, local) = resolve(app, territory, slug, language, easy)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut notices = Vec::new();
    if sheet.meta.language != lang.code() {
        notices.push(lang.t("sheets-only-french"));
    }
    if local && let Some(territory) = territory {
        let name = app
            .directory
            .index()
            .territories()
            .find(|t| t.slug.as_str() == territory)
            .map_or_else(|| territory.to_owned(), |t| t.name.clone());
        notices.push(lang.t_with("sheets-local", &[("territory", FluentValue::from(name))]));
    }
    let prefix = match territory {
        Some(territory) if context.path.starts_with("/territoires/") => {
            format!("/territoires/{territory}")
        }
        _ => String::new(),
    };
    let other = app.sheets.get(slug, &sheet.meta.language, !easy).map(|_| {
        let path = if easy {
            format!("{prefix}/fiches/{slug}")
        } else {
            format!("{prefix}/fiches/{slug}/facile")
        };
        let label = if easy {
            lang.t("sheets-standard")
        } else {
            lang.t("sheets-easy")
        };
        (c.href(&path), label)
    });
    let page = SheetPage {
        title: sheet.meta.title.clone(),
        summary: sheet.meta.summary.clone(),
        reviewed: lang.t_with(
            "sheets-reviewed",
            &[(
                "date",
                FluentValue::from(readable_date(lang, sheet.reviewed_on)),
            )],
        ),
        body: sheet.html.clone(),
        sources: sheet
            .meta
            .sources
            .iter()
            .map(|s| (s.title.clone(), s.url.clone()))
            .collect(),
        notice: (!notices.is_empty()).then(|| notices.join(" ")),
        variant: other,
        written_in: match Lang::ALL
            .into_iter()
            .find(|l| l.code() == sheet.meta.language)
        {
            Some(written) if written != lang => {
                format!(" lang=\"{}\" dir=\"{}\"", written.code(), written.dir())
            }
            _ => String::new(),
        },
        c,
    };
    render(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_naturally_in_each_language() {
        let date = jiff::civil::date(2026, 11, 28);
        assert_eq!(readable_date(Lang::Fr, date), "28 novembre 2026");
        assert_eq!(readable_date(Lang::En, date), "28 November 2026");
        assert_eq!(readable_date(Lang::Ar, date), "2026/11/28");
    }
}
