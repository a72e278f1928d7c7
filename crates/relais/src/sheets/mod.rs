//! Information sheets ("fiches"): Markdown with TOML front matter, embedded
//! from `content/sheets/<lang>/<slug>.md` (easy-to-read variants are
//! `<slug>.facile.md`), rendered safely, searchable, overridable per
//! territory.
//!
//! Every sheet is checked when the library is built (front matter, sources,
//! review date, category, links to other sheets): a bad sheet stops the
//! server from starting, and the tests build the library.

pub mod commands;
pub mod render;
pub mod reviews;
pub mod routes;
pub mod screens;
pub mod storage;

use std::sync::Arc;

use crate::web::Web;
use std::collections::HashMap;

use jiff::civil::Date;
use serde::Deserialize;

use crate::directory::communes::fold;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/sheets.rs"));
}

/// What the sheets' handlers reach, public and back office.
#[derive(Clone, Debug)]
pub struct SheetsState {
    /// The toolkit's state.
    pub web: Web,
    /// The directory, for the territories and their services.
    pub directory: Arc<crate::directory::Directory>,
    /// The information sheets.
    pub sheets: Arc<Library>,
}

crate::capability_state!(SheetsState);

/// The categories a sheet can belong to, in the order `/fiches` shows them.
pub const CATEGORIES: &[&str] = &[
    "urgence-protection",
    "justice",
    "logement",
    "sante",
    "enfants-famille",
    "etrangers",
    "argent-travail",
    "securite-numerique",
];

/// Who a sheet speaks to.
pub const AUDIENCES: &[&str] = &["victime", "proche", "temoin", "jeune"];

/// A source a sheet relies on.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// What it is.
    pub title: String,
    /// Where it is.
    pub url: String,
}

/// The front matter of a sheet.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Title.
    pub title: String,
    /// One or two sentences saying what the sheet explains.
    pub summary: String,
    /// One of [`CATEGORIES`].
    pub category: String,
    /// Some of [`AUDIENCES`].
    pub audience: Vec<String>,
    /// When the content was last checked against its sources.
    pub reviewed_on: toml::value::Datetime,
    /// `fr` or `en`.
    pub language: String,
    /// Written in "facile à lire et à comprendre" (FALC).
    pub easy_to_read: bool,
    /// Official texts and pages it relies on (checked: at least one, with
    /// a message that says so rather than a missing-field error).
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// A checked, rendered sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sheet {
    /// Identifier, shared by every language and variant.
    pub slug: String,
    /// Front matter.
    pub meta: Meta,
    /// Review date.
    pub reviewed_on: Date,
    /// The Markdown body, as written.
    pub markdown: String,
    /// The body as safe HTML.
    pub html: String,
    /// The whole file as written (front matter and body), to edit it.
    pub source: String,
    /// Folded words of the title, summary and body, for search.
    words: Vec<String>,
}

impl Sheet {
    /// Parses a sheet file. `slug`, `language` and `easy` come from the file
    /// name and folder and must agree with the front matter.
    pub fn parse(slug: &str, language: &str, easy: bool, text: &str) -> Result<Self, Vec<String>> {
        let text = text
            .strip_prefix('\u{feff}')
            .unwrap_or(text)
            .replace("\r\n", "\n");
        let Some(rest) = text.strip_prefix("+++\n") else {
            return Err(vec![
                "la fiche doit commencer par une ligne +++ (l'en-tête TOML)".to_owned(),
            ]);
        };
        let Some((front, markdown)) = rest.split_once("\n+++\n") else {
            return Err(vec![
                "l'en-tête TOML n'est pas fermé par une ligne +++".to_owned(),
            ]);
        };
        let meta: Meta = toml::from_str(front).map_err(|e| vec![format!("en-tête : {e}")])?;
        let mut problems = Vec::new();
        let reviewed_on = parse_date(&meta.reviewed_on)
            .map_err(|e| problems.push(e))
            .ok();
        if meta.title.trim().is_empty() {
            problems.push("title : le titre est vide".to_owned());
        }
        if meta.summary.trim().is_empty() {
            problems.push("summary : le résumé est vide".to_owned());
        }
        if !CATEGORIES.contains(&meta.category.as_str()) {
            problems.push(format!(
                "category : « {} » n'est pas une catégorie ({})",
                meta.category,
                CATEGORIES.join(", ")
            ));
        }
        for audience in &meta.audience {
            if !AUDIENCES.contains(&audience.as_str()) {
                problems.push(format!(
                    "audience : « {audience} » n'est pas un public ({})",
                    AUDIENCES.join(", ")
                ));
            }
        }
        if meta.language != language {
            problems.push(format!(
                "language : « {} » alors que la fiche est dans le dossier {language}",
                meta.language
            ));
        }
        if meta.easy_to_read != easy {
            problems
                .push("easy_to_read : ne correspond pas au nom du fichier (.facile.md)".to_owned());
        }
        if meta.sources.is_empty() {
            problems.push("sources : au moins une source officielle est obligatoire".to_owned());
        }
        for source in &meta.sources {
            if !source.url.starts_with("https://") || source.title.trim().is_empty() {
                problems.push(format!(
                    "sources : « {} » doit avoir un titre et une adresse https://",
                    source.url
                ));
            }
        }
        let html = render::to_html(markdown);
        let words = search_words(&format!("{} {} {}", meta.title, meta.summary, markdown));
        match reviewed_on {
            Some(reviewed_on) if problems.is_empty() => Ok(Self {
                slug: slug.to_owned(),
                meta,
                reviewed_on,
                markdown: markdown.to_owned(),
                html,
                source: text.clone(),
                words,
            }),
            _ => Err(problems),
        }
    }

    /// The links to other sheets in the body: their slugs.
    pub fn sheet_links(&self) -> Vec<String> {
        render::links(&self.markdown)
            .into_iter()
            .filter_map(|link| {
                let rest = link
                    .strip_prefix("/en")
                    .unwrap_or(&link)
                    .strip_prefix("/fiches/")?;
                Some(rest.trim_end_matches("/facile").to_owned())
            })
            .collect()
    }

    /// Whether every word of the (folded) query starts a word of the sheet.
    fn matches(&self, query: &[String]) -> usize {
        if query.is_empty() {
            return 0;
        }
        let hits: Vec<usize> = query
            .iter()
            .map(|q| {
                self.words
                    .iter()
                    .filter(|w| w.starts_with(q.as_str()))
                    .count()
            })
            .collect();
        if hits.contains(&0) {
            0
        } else {
            hits.iter().sum()
        }
    }
}

fn parse_date(value: &toml::value::Datetime) -> Result<Date, String> {
    let date = value
        .date
        .ok_or_else(|| "reviewed_on : une date est attendue (2026-11-28)".to_owned())?;
    Date::new(
        i16::try_from(date.year).unwrap_or(0),
        i8::try_from(date.month).unwrap_or(0),
        i8::try_from(date.day).unwrap_or(0),
    )
    .map_err(|_| "reviewed_on : date invalide".to_owned())
}

/// Folded words of a text, for search (accents and case ignored).
fn search_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = fold(text)
        .split(' ')
        .filter(|w| w.len() >= 2)
        .map(str::to_owned)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// The words of a query, folded; very short ones are ignored.
pub fn query_words(query: &str) -> Vec<String> {
    fold(query)
        .split(' ')
        .filter(|w| w.len() >= 2)
        .map(str::to_owned)
        .collect()
}

/// Key of a sheet in the library: (slug, language, easy to read).
type Key = (String, String, bool);

/// Every embedded sheet.
#[derive(Debug)]
pub struct Library {
    sheets: HashMap<Key, Sheet>,
    /// Slugs in a stable order (category, then title).
    order: Vec<String>,
}

impl Library {
    /// Builds the library from the embedded files, checking every sheet and
    /// every link between sheets.
    pub fn embedded() -> Result<Self, Vec<String>> {
        Self::from_files(embedded::FILES)
    }

    /// Builds a library from (language folder, file name, contents).
    pub fn from_files(files: &[(&str, &str, &str)]) -> Result<Self, Vec<String>> {
        let mut sheets = HashMap::new();
        let mut problems = Vec::new();
        for (language, name, text) in files {
            let Some(stem) = name.strip_suffix(".md") else {
                continue;
            };
            let (slug, easy) = match stem.strip_suffix(".facile") {
                Some(slug) => (slug, true),
                None => (stem, false),
            };
            match Sheet::parse(slug, language, easy, text) {
                Ok(sheet) => {
                    sheets.insert((slug.to_owned(), (*language).to_owned(), easy), sheet);
                }
                Err(found) => problems.extend(
                    found
                        .into_iter()
                        .map(|p| format!("content/sheets/{language}/{name} : {p}")),
                ),
            }
        }
        for ((slug, language, easy), sheet) in &sheets {
            if !*easy
                && language != "fr"
                && !sheets.contains_key(&(slug.clone(), "fr".to_owned(), false))
            {
                problems.push(format!(
                    "content/sheets/{language}/{slug}.md : aucune version française"
                ));
            }
            for target in sheet.sheet_links() {
                if !sheets.contains_key(&(target.clone(), language.clone(), false)) {
                    problems.push(format!(
                        "content/sheets/{language}/{slug}{} : le lien vers /fiches/{target} ne mène à aucune fiche en {language}",
                        if *easy { ".facile.md" } else { ".md" }
                    ));
                }
            }
        }
        if !problems.is_empty() {
            problems.sort();
            return Err(problems);
        }
        let mut order: Vec<(usize, String, String)> = sheets
            .iter()
            .filter(|((_, language, easy), _)| language == "fr" && !easy)
            .map(|((slug, _, _), sheet)| {
                let category = CATEGORIES
                    .iter()
                    .position(|c| *c == sheet.meta.category)
                    .unwrap_or(usize::MAX);
                (category, sheet.meta.title.clone(), slug.clone())
            })
            .collect();
        order.sort();
        Ok(Self {
            sheets,
            order: order.into_iter().map(|(_, _, slug)| slug).collect(),
        })
    }

    /// A sheet in a language, if written in it.
    pub fn get(&self, slug: &str, language: &str, easy: bool) -> Option<&Sheet> {
        self.sheets
            .get(&(slug.to_owned(), language.to_owned(), easy))
    }

    /// Every sheet slug, by category then title.
    pub fn slugs(&self) -> &[String] {
        &self.order
    }

    /// How many sheets of each language and variant.
    pub fn count(&self, language: &str, easy: bool) -> usize {
        self.sheets
            .keys()
            .filter(|(_, l, e)| l == language && *e == easy)
            .count()
    }

    /// Every sheet, in any language or variant.
    pub fn all(&self) -> impl Iterator<Item = &Sheet> {
        self.sheets.values()
    }

    /// The sheets matching a query in a language (falling back to French
    /// for sheets not translated), best first.
    pub fn search(&self, query: &str, language: &str) -> Vec<&Sheet> {
        let words = query_words(query);
        let mut found: Vec<(usize, &Sheet)> = self
            .order
            .iter()
            .filter_map(|slug| {
                self.get(slug, language, false)
                    .or_else(|| self.get(slug, "fr", false))
            })
            .filter_map(|sheet| {
                let score = sheet.matches(&words);
                let in_title = words
                    .iter()
                    .all(|w| fold(&sheet.meta.title).contains(w.as_str()));
                (score > 0).then_some((score + if in_title { 1000 } else { 0 }, sheet))
            })
            .collect();
        found.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
        found.into_iter().map(|(_, sheet)| sheet).collect()
    }

    /// Sheets not reviewed since `today` minus twelve months.
    pub fn stale(&self, today: Date) -> Vec<&Sheet> {
        let limit = today.saturating_sub(jiff::Span::new().months(12));
        let mut stale: Vec<&Sheet> = self
            .sheets
            .values()
            .filter(|s| s.reviewed_on < limit)
            .collect();
        stale.sort_by(|a, b| a.reviewed_on.cmp(&b.reviewed_on).then(a.slug.cmp(&b.slug)));
        stale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_sheet_parses_with_sources_a_review_date_and_working_links() {
        let library =
            Library::embedded().unwrap_or_else(|problems| panic!("{}", problems.join("\n")));
        assert!(
            library.count("fr", false) >= 14,
            "{}",
            library.count("fr", false)
        );
        assert!(library.count("en", false) >= 5);
        assert!(library.count("fr", true) >= 3);
        for sheet in library.all() {
            assert!(!sheet.meta.sources.is_empty(), "{}", sheet.slug);
            assert!(sheet.reviewed_on.year() >= 2025, "{}", sheet.slug);
            assert!(
                sheet.html.contains("/aide"),
                "{} does not lead to the conversation",
                sheet.slug
            );
            assert!(
                sheet.html.contains("/annuaire"),
                "{} does not lead to the directory",
                sheet.slug
            );
        }
    }

    #[test]
    fn a_link_to_a_missing_sheet_is_refused() {
        let sheet = |body: &str| {
            format!(
                "+++\ntitle = \"T\"\nsummary = \"S\"\ncategory = \"justice\"\naudience = [\"victime\"]\n\
                 reviewed_on = 2026-11-28\nlanguage = \"fr\"\neasy_to_read = false\n\
                 [[sources]]\ntitle = \"Service-Public\"\nurl = \"https://www.service-public.gouv.fr/\"\n+++\n{body}"
            )
        };
        let good = sheet("Voir [b](/fiches/b).");
        let other = sheet("Rien.");
        assert!(Library::from_files(&[("fr", "a.md", &good), ("fr", "b.md", &other)]).is_ok());
        let problems = Library::from_files(&[("fr", "a.md", &good)]).unwrap_err();
        assert!(problems[0].contains("/fiches/b"), "{problems:?}");
    }

    #[test]
    fn a_sheet_without_sources_or_with_a_bad_category_is_refused() {
        let text = "+++\ntitle = \"T\"\nsummary = \"S\"\ncategory = \"cuisine\"\naudience = []\n\
                    reviewed_on = 2026-11-28\nlanguage = \"fr\"\neasy_to_read = false\nsources = []\n+++\nTexte";
        let problems = Sheet::parse("t", "fr", false, text).unwrap_err();
        assert!(
            problems.iter().any(|p| p.starts_with("category")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.starts_with("sources")),
            "{problems:?}"
        );
    }

    #[test]
    fn search_finds_words_with_and_without_accents() {
        let library = Library::embedded().unwrap();
        for query in ["hébergement", "hebergement", "HEBERGEMENT", "héberg"] {
            let found = library.search(query, "fr");
            assert!(
                found.iter().any(|s| s.slug == "hebergement-urgence"),
                "{query}"
            );
        }
        let found = library.search("ordonnance protection", "fr");
        assert_eq!(found[0].slug, "ordonnance-de-protection");
        assert!(library.search("zzzzzz", "fr").is_empty());
    }

    #[test]
    fn a_sheet_reviewed_over_a_year_ago_is_stale() {
        let library = Library::embedded().unwrap();
        assert!(library.stale(jiff::civil::date(2026, 11, 28)).is_empty());
        assert_eq!(
            library.stale(jiff::civil::date(2030, 1, 1)).len(),
            library.all().count()
        );
    }
}
