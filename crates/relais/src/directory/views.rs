//! The directory as pages show it: needs and kinds in words, the reasons a
//! contact is suggested, opening hours read aloud, an orientation ready
//! for a template. Shared by the public directory and the conversation's
//! outcome.

use fluent_bundle::FluentValue;
use jiff::civil::DateTime;

use crate::directory::communes::Commune;
use crate::directory::model::{Kind, Need};
use crate::directory::orientation::{Listing, Orientation, Reason, day_offset};
use crate::storage::OrganisationId;
use crate::web::i18n::{Lang, msg};
use crate::web::national::{self, Line, Listed};

/// The message id of a need's label.
pub fn need_message(need: Need) -> &'static str {
    match need {
        Need::Legal => msg("need-legal"),
        Need::Complaint => msg("need-complaint"),
        Need::Protection => msg("need-protection"),
        Need::Housing => msg("need-housing"),
        Need::Health => msg("need-health"),
        Need::Psychological => msg("need-psychological"),
        Need::Social => msg("need-social"),
        Need::Children => msg("need-children"),
        Need::Foreigners => msg("need-foreigners"),
        Need::Administrative => msg("need-administrative"),
        Need::Youth => msg("need-youth"),
    }
}

/// The message id of a kind's label.
pub fn kind_message(kind: Kind) -> &'static str {
    match kind {
        Kind::Lawyer => msg("kind-lawyer"),
        Kind::JusticePoint => msg("kind-justice-point"),
        Kind::Police => msg("kind-police"),
        Kind::Gendarmerie => msg("kind-gendarmerie"),
        Kind::SocialWorkerPolice => msg("kind-social-worker-police"),
        Kind::VictimSupport => msg("kind-victim-support"),
        Kind::Cidff => msg("kind-cidff"),
        Kind::Shelter => msg("kind-shelter"),
        Kind::Health => msg("kind-health"),
        Kind::Psychologist => msg("kind-psychologist"),
        Kind::Pmi => msg("kind-pmi"),
        Kind::FamilyPlanning => msg("kind-family-planning"),
        Kind::YouthHouse => msg("kind-youth-house"),
        Kind::SocialService => msg("kind-social-service"),
        Kind::Ccas => msg("kind-ccas"),
        Kind::Other => msg("kind-other"),
    }
}

const MONTHS: [&str; 12] = [
    msg("month-1"),
    msg("month-2"),
    msg("month-3"),
    msg("month-4"),
    msg("month-5"),
    msg("month-6"),
    msg("month-7"),
    msg("month-8"),
    msg("month-9"),
    msg("month-10"),
    msg("month-11"),
    msg("month-12"),
];

const DAYS: [&str; 7] = [
    msg("day-1"),
    msg("day-2"),
    msg("day-3"),
    msg("day-4"),
    msg("day-5"),
    msg("day-6"),
    msg("day-7"),
];

/// A reason in the visitor's language, relative to `now`.
pub fn reason_text(lang: Lang, reason: &Reason, now: DateTime) -> String {
    match reason {
        Reason::InCommune => lang.t("reason-in-commune"),
        Reason::Distance(km) => lang.t_with("reason-distance", &[("km", FluentValue::from(*km))]),
        Reason::OpenNow => lang.t("reason-open-now"),
        Reason::OpensAt(at) => {
            let time = match lang {
                Lang::Fr if at.minute() == 0 => format!("{} h", at.hour()),
                Lang::Fr => format!("{} h {:02}", at.hour(), at.minute()),
                Lang::En | Lang::Ar => format!("{}:{:02}", at.hour(), at.minute()),
            };
            let time = FluentValue::from(time);
            match day_offset(now, *at) {
                0 => lang.t_with("reason-opens-today", &[("time", time)]),
                1 => lang.t_with("reason-opens-tomorrow", &[("time", time)]),
                // Beyond tomorrow a day name alone could be next week's: the
                // date too ("ouvre mercredi 9 décembre à 14 h").
                _ => {
                    let day =
                        DAYS[usize::from(at.weekday().to_monday_zero_offset().unsigned_abs())];
                    let month = MONTHS[usize::from(at.month().unsigned_abs().saturating_sub(1))];
                    let date = format!("{} {}", at.day(), lang.t(month));
                    lang.t_with(
                        "reason-opens-on",
                        &[
                            ("day", FluentValue::from(lang.t(day))),
                            ("date", FluentValue::from(date)),
                            ("time", time),
                        ],
                    )
                }
            }
        }
        Reason::HoursUnsure(Some(note)) => note.to_string(),
        Reason::HoursUnsure(None) => lang.t("reason-hours-unsure"),
        Reason::ReceivesMinors => lang.t("reason-minors"),
        Reason::AcceptsAnonymous => lang.t("reason-anonymous"),
        Reason::FreeOfCharge => lang.t("reason-free"),
        Reason::Lsf => lang.t("reason-lsf"),
    }
}

/// Opening hours in OpenStreetMap syntax, made readable in the visitor's
/// language (day names, "24/7", "PH off").
pub fn readable_hours(lang: Lang, raw: &str) -> String {
    let table: &[(&str, &str)] = match lang {
        Lang::Fr => &[
            ("24/7", "24 h/24, 7 j/7"),
            ("PH off", "fermé les jours fériés"),
            ("Mo", "lun."),
            ("Tu", "mar."),
            ("We", "mer."),
            ("Th", "jeu."),
            ("Fr", "ven."),
            ("Sa", "sam."),
            ("Su", "dim."),
            ("off", "fermé"),
        ],
        Lang::En => &[
            ("24/7", "24 hours, 7 days"),
            ("PH off", "closed on public holidays"),
            ("off", "closed"),
        ],
        Lang::Ar => &[
            ("24/7", "24/24، 7/7"),
            ("PH off", "مغلق في أيام العطل الرسمية"),
            ("off", "مغلق"),
        ],
    };
    let mut text = raw.replace(';', " ;").replace(',', ", ");
    for (from, to) in table {
        text = text.replace(from, to);
    }
    text
}

/// A suggestion ready for the template.
#[derive(Debug)]
pub struct SuggestionView {
    /// For the link to the organisation's page.
    pub organisation_id: OrganisationId,
    /// Organisation name.
    pub organisation_name: String,
    /// Service name.
    pub service_name: String,
    /// Kind, in words.
    pub kind: String,
    /// Reasons, in words.
    pub reasons: Vec<String>,
    /// Telephone as shown, and for the link.
    pub phone: Option<(String, String)>,
    /// Street and commune, or nothing when confidential.
    pub address: Option<String>,
    /// The public contact point of a confidential address.
    pub public_contact: Option<String>,
}

impl SuggestionView {
    fn new(lang: Lang, listing: &Listing, reasons: Vec<String>) -> Self {
        Self {
            organisation_id: listing.organisation_id.clone(),
            organisation_name: listing.organisation_name.clone(),
            service_name: listing.service_name.clone(),
            kind: lang.t(kind_message(listing.kind)),
            reasons,
            phone: listing.phone.as_ref().map(|p| {
                (
                    p.clone(),
                    p.chars()
                        .filter(|c| c.is_ascii_digit() || *c == '+')
                        .collect(),
                )
            }),
            address: address(listing),
            public_contact: listing
                .public_contact
                .clone()
                .filter(|_| listing.confidential_address),
        }
    }
}

pub fn address(listing: &Listing) -> Option<String> {
    if listing.confidential_address {
        return None;
    }
    let place = match &listing.postcode {
        Some(postcode) => format!("{postcode} {}", listing.commune_name),
        None => listing.commune_name.clone(),
    };
    Some(match &listing.street {
        Some(street) => format!("{street}, {place}"),
        None => place,
    })
}

/// The results for one need, ready for the template.
#[derive(Debug)]
pub struct NeedView {
    /// The need, in words.
    pub label: String,
    /// Best first.
    pub suggestions: Vec<SuggestionView>,
    /// Organisations listed under an earlier need that also meet this one:
    /// named, not listed again.
    pub also_above: Vec<String>,
}

/// An orientation, ready for the template.
#[derive(Debug)]
pub struct OrientationView {
    /// "Près de Montreuil-sur-Mer".
    pub heading: String,
    /// Said when no territory covers the commune.
    pub outside: Option<String>,
    /// Per need.
    pub needs: Vec<NeedView>,
    /// Said when a need has no service.
    pub none: String,
    /// The national lines that follow, less those the results already give
    /// (a service with the same number or name): a service is listed once.
    pub national: Vec<Line>,
}

impl OrientationView {
    /// Puts an orientation into words.
    pub fn new(lang: Lang, commune: &Commune, orientation: &Orientation, now: DateTime) -> Self {
        let outside =
            orientation
                .territory
                .is_none()
                .then(|| match &orientation.nearest_territory {
                    Some((territory, km)) => lang.t_with(
                        "directory-outside",
                        &[
                            ("territory", FluentValue::from(territory.name.as_str())),
                            ("km", FluentValue::from(*km)),
                        ],
                    ),
                    None => lang.t("directory-none"),
                });
        Self {
            heading: lang.t_with(
                "directory-results",
                &[("commune", FluentValue::from(&*commune.name))],
            ),
            outside,
            needs: need_views(lang, orientation, now),
            none: lang.t("directory-none"),
            national: national::besides(
                &national::LINES,
                orientation
                    .needs
                    .iter()
                    .flat_map(|result| &result.suggestions)
                    .map(|s| Listed {
                        names: [&s.listing.organisation_name, &s.listing.service_name],
                        phone: s.listing.phone.as_deref(),
                    }),
            ),
        }
    }
}

/// The results need by need, each service once: a service that meets
/// several of her needs is shown under the first, and named under the
/// others, so that she does not read the same number twice.
fn need_views(lang: Lang, orientation: &Orientation, now: DateTime) -> Vec<NeedView> {
    let mut shown = std::collections::HashSet::new();
    orientation
        .needs
        .iter()
        .map(|result| {
            let mut suggestions = Vec::new();
            let mut also_above = Vec::new();
            for s in &result.suggestions {
                if !shown.insert(&s.listing.service_id) {
                    if !also_above.contains(&s.listing.organisation_name) {
                        also_above.push(s.listing.organisation_name.clone());
                    }
                    continue;
                }
                let reasons = s
                    .reasons
                    .iter()
                    .map(|r| reason_text(lang, r, now))
                    .collect();
                suggestions.push(SuggestionView::new(lang, &s.listing, reasons));
            }
            NeedView {
                label: lang.t(need_message(result.need)),
                suggestions,
                also_above,
            }
        })
        .collect()
}

/// A commune offered to choose from.
#[derive(Debug)]
pub struct Choice {
    /// INSEE code.
    pub insee: String,
    /// "Montreuil-sur-Mer (62170)".
    pub label: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_hours_are_made_readable() {
        assert_eq!(
            readable_hours(Lang::Fr, "Mo-Fr 09:00-12:00,14:00-17:00; PH off"),
            "lun.-ven. 09:00-12:00, 14:00-17:00 ; fermé les jours fériés"
        );
        assert_eq!(readable_hours(Lang::Fr, "24/7"), "24 h/24, 7 j/7");
    }
}
