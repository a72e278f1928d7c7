//! Which sheets are due for review in a territory: every national sheet
//! with the territory's version in force, and the twelve months after which
//! a review is due again. For the sheets' screens and the dashboard.

use jiff::civil::Date;

use crate::sheets::{Library, Sheet, storage};
use crate::storage::Db;
use crate::web::error::AppError;

/// Twelve months before `today`: sheets reviewed earlier are due.
pub fn review_limit(today: Date) -> Date {
    today.saturating_sub(jiff::Span::new().months(12))
}

/// Every national sheet, language and variant, in the library's order.
pub fn national(library: &Library) -> impl Iterator<Item = &Sheet> {
    library.slugs().iter().flat_map(move |slug| {
        [("fr", false), ("fr", true), ("en", false)]
            .into_iter()
            .filter_map(move |(language, easy)| library.get(slug, language, easy))
    })
}

/// A national sheet, and the territory's version of it in force.
pub struct Entry<'a> {
    /// The national sheet.
    pub national: &'a Sheet,
    /// The territory's version in force, if any.
    pub local: Option<Sheet>,
}

impl Entry<'_> {
    /// The review date of what the territory's people read.
    pub fn reviewed_on(&self) -> Date {
        self.local
            .as_ref()
            .map_or(self.national.reviewed_on, |s| s.reviewed_on)
    }
}

/// Every national sheet with the territory's version, if any.
pub async fn entries<'a>(
    db: &Db,
    sheets: &'a Library,
    territory: &str,
) -> Result<Vec<Entry<'a>>, AppError> {
    let overrides = storage::all_current(db).await?;
    Ok(national(sheets)
        .map(|national| Entry {
            national,
            local: overrides
                .iter()
                .filter(|o| {
                    o.territory == territory
                        && o.slug == national.slug
                        && o.language == national.meta.language
                        && o.easy_to_read == national.meta.easy_to_read
                })
                .find_map(|o| Sheet::parse(&o.slug, &o.language, o.easy_to_read, &o.source).ok()),
        })
        .collect())
}

/// How many sheets the territory's people read are due for review.
pub async fn due_count(
    db: &Db,
    sheets: &Library,
    territory: &str,
    today: Date,
) -> Result<usize, AppError> {
    let limit = review_limit(today);
    Ok(entries(db, sheets, territory)
        .await?
        .iter()
        .filter(|e| e.reviewed_on() < limit)
        .count())
}
