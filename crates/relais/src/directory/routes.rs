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

use crate::directory::DirectoryState;
use crate::directory::communes::{Commune, Resolution};
use crate::directory::hours;
use crate::directory::model::Need;
use crate::directory::orientation::Query;
use crate::directory::views::{
    Choice, OrientationView, address, kind_message, need_message, readable_hours,
};
use crate::storage::OrganisationId;
use crate::web::Site;
use crate::web::error::AppError;
use crate::web::form::{Field, Fields, Spec};
use crate::web::layout::{Chrome, PageContext};
use crate::web::{render, render_status};

/// Adds the routes of the public directory.
pub fn routes(site: Site<DirectoryState>) -> Site<DirectoryState> {
    site.page("/annuaire", get(search_form).post(search))
        .posts(&SEARCH)
        .page_unlisted("/annuaire/{id}", "/annuaire/inconnu", get(organisation))
}

/// What the search form may carry.
pub static SEARCH: Spec = Spec::new(&[
    Field::one("lieu", crate::directory::communes::PLACE_MAX),
    Field::one("besoin", 32),
    Field::one("commune", 8),
    Field::one("mineur", 3),
]);

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
    State(app): State<DirectoryState>,
    context: PageContext,
) -> Result<Html<String>, AppError> {
    render(&SearchPage::new(
        Chrome::new(&app, &context),
        &SearchForm::default(),
    ))
}

async fn search(
    State(app): State<DirectoryState>,
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
    let resolution = match communes.find(&form.commune, query) {
        Resolution::Unknown(_) if query.is_empty() => {
            page.place_error = Some(lang.t("directory-place-missing"));
            None
        }
        resolution => Some(resolution),
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
    State(app): State<DirectoryState>,
    context: PageContext,
    Path(id): Path<OrganisationId>,
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
