//! The public directory, `/annuaire`: search by postcode or commune and
//! need, without JavaScript; results with their reasons; a page per
//! organisation showing its public contact point only.
//!
//! The search is a POST to the same address, so that neither the place nor
//! the need ever appears in a URL or the browser's history.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse as _, Response};
use axum::routing::get;
use fluent_bundle::FluentValue;
use jiff::civil::DateTime;

use crate::directory::communes::{Commune, Resolution};
use crate::directory::hours;
use crate::directory::model::{Kind, Need};
use crate::directory::orientation::{Listing, Orientation, Query, Reason, day_offset};
use crate::web::error::AppError;
use crate::web::form::{Field, Fields, Spec};
use crate::web::i18n::{Lang, msg};
use crate::web::layout::{Chrome, PageContext};
use crate::web::pages::{render, render_status};
use crate::web::{AppState, Site};

/// Adds the routes of the public directory.
pub fn routes(site: Site) -> Site {
    site.page("/annuaire", get(search_form).post(search))
        .posts(&SEARCH)
        .page_unlisted("/annuaire/{id}", "/annuaire/inconnu", get(organisation))
}

/// What the search form may carry.
pub static SEARCH: Spec = Spec::new(&[
    Field::one("lieu", crate::conversation::routes::PLACE_MAX),
    Field::one("besoin", 32),
    Field::one("commune", 8),
    Field::one("mineur", 3),
]);

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
    }
}

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
                _ => {
                    let day =
                        DAYS[usize::from(at.weekday().to_monday_zero_offset().unsigned_abs())];
                    lang.t_with(
                        "reason-opens-on",
                        &[("day", FluentValue::from(lang.t(day))), ("time", time)],
                    )
                }
            }
        }
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
    pub organisation_id: String,
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

fn address(listing: &Listing) -> Option<String> {
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
            needs: orientation
                .needs
                .iter()
                .map(|result| NeedView {
                    label: lang.t(need_message(result.need)),
                    suggestions: result
                        .suggestions
                        .iter()
                        .map(|s| {
                            let reasons = s
                                .reasons
                                .iter()
                                .map(|r| reason_text(lang, r, now))
                                .collect();
                            SuggestionView::new(lang, &s.listing, reasons)
                        })
                        .collect(),
                })
                .collect(),
            none: lang.t("directory-none"),
        }
    }
}

/// The search form as posted.
#[derive(Debug, Default)]
pub struct SearchForm {
    /// Postcode or commune, as typed.
    lieu: String,
    /// A need code.
    besoin: String,
    /// An INSEE code chosen among several communes.
    commune: String,
    /// Checked when the person is under 18.
    mineur: Option<String>,
}

impl SearchForm {
    fn of(fields: &Fields) -> Self {
        Self {
            lieu: fields.text("lieu"),
            besoin: fields.text("besoin"),
            commune: fields.text("commune"),
            mineur: fields.get("mineur").map(str::to_owned),
        }
    }
}

/// A commune offered to choose from.
#[derive(Debug)]
pub struct Choice {
    /// INSEE code.
    pub insee: String,
    /// "Montreuil-sur-Mer (62170)".
    pub label: String,
}

#[derive(Template)]
#[template(path = "directory/search.html")]
struct SearchPage<'a> {
    c: Chrome<'a>,
    lieu: String,
    besoin: String,
    minor: bool,
    needs: Vec<(String, String)>,
    place_error: Option<String>,
    need_error: Option<String>,
    choices_heading: Option<String>,
    choices: Vec<Choice>,
    results: Option<OrientationView>,
}

impl<'a> SearchPage<'a> {
    fn new(c: Chrome<'a>, form: &SearchForm) -> Self {
        let needs = Need::ALL
            .iter()
            .map(|n| (n.code().to_owned(), c.t(need_message(*n)).into_owned()))
            .collect();
        Self {
            lieu: form.lieu.clone(),
            besoin: form.besoin.clone(),
            minor: form.mineur.is_some(),
            needs,
            place_error: None,
            need_error: None,
            choices_heading: None,
            choices: Vec::new(),
            results: None,
            c,
        }
    }
}

async fn search_form(
    State(app): State<AppState>,
    context: PageContext,
) -> Result<Html<String>, AppError> {
    render(&SearchPage::new(
        Chrome::new(&app, &context),
        &SearchForm::default(),
    ))
}

async fn search(
    State(app): State<AppState>,
    context: PageContext,
    body: Bytes,
) -> Result<Response, AppError> {
    let posted = SEARCH.read(&body);
    if posted.is_forged() {
        return Err(AppError::BadRequest);
    }
    let form = SearchForm::of(&posted.fields);
    let c = Chrome::new(&app, &context);
    let lang = c.lang;
    let mut page = SearchPage::new(c, &form);
    if let Some((_, max)) = posted.too_long() {
        page.place_error = Some(lang.t_with("form-too-long", &[("max", FluentValue::from(max))]));
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let need = Need::parse(&form.besoin);
    if need.is_none() {
        page.need_error = Some(lang.t("directory-need-missing"));
    }
    let index = app.directory.index();
    let communes = Arc::clone(index.communes());
    let query = form.lieu.trim();
    let resolution = match communes
        .by_insee(&form.commune)
        .filter(|_| !form.commune.is_empty())
    {
        Some(commune) => Some(Resolution::One(commune)),
        None if query.is_empty() => {
            page.place_error = Some(lang.t("directory-place-missing"));
            None
        }
        None => Some(communes.resolve(query)),
    };
    let choice = |commune: &Commune| Choice {
        insee: commune.insee.to_string(),
        label: match commune.postcodes.first() {
            Some(postcode) => format!("{} ({postcode})", commune.name),
            None => commune.name.to_string(),
        },
    };
    let arg = || [("query", FluentValue::from(query))];
    match resolution {
        Some(Resolution::One(commune)) => {
            if let Some(need) = need {
                let now = hours::now_in(&commune.departement);
                let orientation = index.orient(&Query {
                    commune,
                    needs: &[need],
                    age: if page.minor { Some(15) } else { None },
                    danger_now: false,
                    at: now,
                    per_need: 5,
                });
                page.results = Some(OrientationView::new(lang, commune, &orientation, now));
                page.lieu = commune.name.to_string();
            }
        }
        Some(Resolution::Several(found)) => {
            page.choices_heading = Some(lang.t_with("directory-several", &arg()));
            page.choices = found.into_iter().map(choice).collect();
        }
        Some(Resolution::Unknown(near)) => {
            page.place_error = Some(lang.t_with("directory-unknown", &arg()));
            if !near.is_empty() {
                page.choices_heading = Some(lang.t("directory-suggestions"));
                page.choices = near.into_iter().map(choice).collect();
            }
        }
        None => {}
    }
    Ok(render(&page)?.into_response())
}

/// A service on an organisation's page.
#[derive(Debug)]
pub struct ServiceView {
    /// Name.
    pub name: String,
    /// A few sentences.
    pub description: Option<String>,
    /// Needs served, in words.
    pub needs: Vec<String>,
    /// Telephone as shown, and for the link.
    pub phone: Option<(String, String)>,
    /// E-mail.
    pub email: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// Address, or nothing when confidential.
    pub address: Option<String>,
    /// The public contact point of a confidential address.
    pub public_contact: Option<String>,
    /// Whether the address is confidential.
    pub confidential: bool,
    /// Opening hours, readable.
    pub hours: Option<String>,
    /// What else to know, in words.
    pub notes: Vec<String>,
    /// "Informations vérifiées le 2026-11-20".
    pub verified: Option<String>,
}

#[derive(Template)]
#[template(path = "directory/organisation.html")]
struct OrganisationPage<'a> {
    c: Chrome<'a>,
    name: String,
    kind: String,
    services: Vec<ServiceView>,
}

async fn organisation(
    State(app): State<AppState>,
    context: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let index = app.directory.index();
    let listings = index.organisation(&id);
    let first = listings.first().ok_or(AppError::NotFound)?;
    let c = Chrome::new(&app, &context);
    let lang = c.lang;
    let services = listings
        .iter()
        .map(|listing| {
            let mut notes = Vec::new();
            if listing.accepts_anonymous {
                notes.push(lang.t("reason-anonymous"));
            }
            if listing.free_of_charge {
                notes.push(lang.t("reason-free"));
            }
            if listing.receives_minors {
                notes.push(lang.t("reason-minors"));
            }
            if listing.lsf {
                notes.push(lang.t("reason-lsf"));
            }
            if listing.wheelchair && !listing.confidential_address {
                notes.push(lang.t("directory-wheelchair"));
            }
            if !listing.languages.is_empty() {
                notes.push(lang.t_with(
                    "directory-languages",
                    &[("languages", FluentValue::from(listing.languages.join(", ")))],
                ));
            }
            ServiceView {
                name: listing.service_name.clone(),
                description: listing.description.clone(),
                needs: listing
                    .needs
                    .iter()
                    .map(|need| lang.t(need_message(need)))
                    .collect(),
                phone: listing.phone.as_ref().map(|p| {
                    (
                        p.clone(),
                        p.chars()
                            .filter(|c| c.is_ascii_digit() || *c == '+')
                            .collect(),
                    )
                }),
                email: listing.email.clone(),
                website: listing.website.clone(),
                address: address(listing),
                public_contact: listing
                    .public_contact
                    .clone()
                    .filter(|_| listing.confidential_address),
                confidential: listing.confidential_address,
                hours: listing
                    .opening_hours
                    .as_deref()
                    .map(|raw| readable_hours(lang, raw)),
                notes,
                verified: listing.verified_on.map(|date| {
                    lang.t_with(
                        "directory-verified",
                        &[("date", FluentValue::from(date.to_string()))],
                    )
                }),
            }
        })
        .collect();
    render(&OrganisationPage {
        name: first.organisation_name.clone(),
        kind: lang.t(kind_message(first.kind)),
        services,
        c,
    })
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
