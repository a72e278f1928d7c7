//! The orientation engine: needs, commune, age, danger and time in; for
//! each need, the best few named services with their reasons out, always
//! followed by the national lines.
//!
//! Pure: it reads an in-memory [`Index`] built from the directory and never
//! touches the database, the clock or the network, so that a coordinator can
//! replay why a person was sent somewhere (`relais orient`).
//!
//! Ranking, for each need: only services that serve the need and receive
//! this person (minors only where received; youth-only services only for
//! minors; eligibility zones respected); then by distance in 10 km bands,
//! open now first within a band, then the soonest to open, then exact
//! distance. In danger, open now comes before distance.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use jiff::civil::DateTime;

use crate::directory::communes::{Commune, Communes, Point};
use crate::directory::hours::{Hours, OpenState, Place};
use crate::directory::live_hours::{LiveOffers, LiveOrganisation};
use crate::directory::model::{Kind, Need, Needs, Organisation, Service};
use crate::directory::territories::Territory;
use crate::directory::voice::Voice;
use crate::storage::{OrganisationId, ServiceId};

/// Grid cell size in degrees.
const CELL: f64 = 0.1;
/// Kilometres per degree of latitude.
const KM_PER_DEGREE: f64 = 111.2;
/// Rings searched around the commune before scanning every service.
const MAX_RING: i32 = 40;
/// Candidates ranked per need, of which `per_need` are kept.
const CANDIDATES: usize = 12;
/// Width of a distance band, in kilometres.
const BAND_KM: f64 = 10.0;

/// What a suggestion shows: everything public about a service, and nothing
/// else (no street when the address is confidential).
#[derive(Clone, Debug, PartialEq)]
pub struct Listing {
    /// Service identifier.
    pub service_id: ServiceId,
    /// Organisation identifier.
    pub organisation_id: OrganisationId,
    /// Organisation name.
    pub organisation_name: String,
    /// Kind of organisation.
    pub kind: Kind,
    /// Service name.
    pub service_name: String,
    /// A few sentences for the person.
    pub description: Option<String>,
    /// Needs served.
    pub needs: Needs,
    /// Telephone, service's or else organisation's.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// Street; always `None` for a confidential address.
    pub street: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Commune name.
    pub commune_name: String,
    /// Commune INSEE code.
    pub commune_insee: String,
    /// The address is confidential: show the public contact only.
    pub confidential_address: bool,
    /// How to reach the service when the address is confidential.
    pub public_contact: Option<String>,
    /// Opening hours as written.
    pub opening_hours: Option<String>,
    /// A person may stay anonymous.
    pub accepts_anonymous: bool,
    /// Receives people under 18.
    pub receives_minors: bool,
    /// Free of charge.
    pub free_of_charge: bool,
    /// French Sign Language.
    pub lsf: bool,
    /// Wheelchair access.
    pub wheelchair: bool,
    /// Languages spoken.
    pub languages: Vec<String>,
    /// Receives reports through Relais.
    pub receives_referrals: bool,
    /// Territory slug.
    pub territory: String,
    /// When the information was last checked.
    pub verified_on: Option<jiff::civil::Date>,
}

/// Why a service is suggested, in words a person understands.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// In the person's commune.
    InCommune,
    /// At this many kilometres.
    Distance(u32),
    /// Open now.
    OpenNow,
    /// Closed now; opens then (the service's local time).
    OpensAt(DateTime),
    /// The hours do not say for sure whether it is open: their comment
    /// (« sur rendez-vous »), or none ("horaires à confirmer").
    HoursUnsure(Option<Arc<str>>),
    /// Receives people under 18.
    ReceivesMinors,
    /// Accepts anonymous contact.
    AcceptsAnonymous,
    /// Free of charge.
    FreeOfCharge,
    /// French Sign Language.
    Lsf,
}

impl Reason {
    /// The reason in French, relative to `now` ("ouvre demain à 9 h").
    pub fn french(&self, now: DateTime) -> String {
        match self {
            Self::InCommune => "dans votre commune".to_owned(),
            Self::Distance(km) => format!("à {km} km"),
            Self::OpenNow => "ouvert maintenant".to_owned(),
            Self::OpensAt(at) => {
                let time = if at.minute() == 0 {
                    format!("{} h", at.hour())
                } else {
                    format!("{} h {:02}", at.hour(), at.minute())
                };
                match day_offset(now, *at) {
                    0 => format!("ouvre aujourd'hui à {time}"),
                    1 => format!("ouvre demain à {time}"),
                    // Beyond tomorrow a day name alone could be next week's.
                    _ => format!(
                        "ouvre {} {} {} à {time}",
                        FRENCH_DAYS
                            [usize::from(at.weekday().to_monday_zero_offset().unsigned_abs())],
                        at.day(),
                        FRENCH_MONTHS[usize::from(at.month().unsigned_abs().saturating_sub(1))]
                    ),
                }
            }
            Self::HoursUnsure(Some(note)) => note.to_string(),
            Self::HoursUnsure(None) => "horaires à confirmer".to_owned(),
            Self::ReceivesMinors => "reçoit les mineurs".to_owned(),
            Self::AcceptsAnonymous => "accepte les contacts anonymes".to_owned(),
            Self::FreeOfCharge => "gratuit".to_owned(),
            Self::Lsf => "accueil en langue des signes".to_owned(),
        }
    }
}

const FRENCH_DAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

const FRENCH_MONTHS: [&str; 12] = [
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

/// Days from `now`'s date to `at`'s date (0: same day).
pub fn day_offset(now: DateTime, at: DateTime) -> i64 {
    (at.date() - now.date()).get_days().into()
}

/// One suggested service.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// The service.
    pub listing: Arc<Listing>,
    /// Distance from the person's commune.
    pub distance_km: f64,
    /// Open or not at the time of the query.
    pub state: OpenState,
    /// Why it is suggested.
    pub reasons: Vec<Reason>,
}

/// The suggestions for one need.
#[derive(Clone, Debug, PartialEq)]
pub struct NeedResult {
    /// The need.
    pub need: Need,
    /// Best first; empty when no service serves this need for this person.
    pub suggestions: Vec<Suggestion>,
}

/// A territory as an orientation names it.
#[derive(Clone, Debug, PartialEq)]
pub struct TerritoryRef {
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
}

/// The whole answer to a query.
#[derive(Clone, Debug, PartialEq)]
pub struct Orientation {
    /// The territory covering the commune, if any.
    pub territory: Option<TerritoryRef>,
    /// When no territory covers the commune: the nearest one and how far.
    pub nearest_territory: Option<(TerritoryRef, u32)>,
    /// Youth services to show a minor (the territory's, or the nearest's).
    pub youth_services: Vec<crate::directory::territories::YouthService>,
    /// Per need asked, in the order asked.
    pub needs: Vec<NeedResult>,
    /// The person is under 18.
    pub minor: bool,
    /// The person is in danger now: emergency lines first.
    pub danger_now: bool,
}

/// A question to the engine.
#[derive(Clone, Debug)]
pub struct Query<'a> {
    /// Where the person lives or is.
    pub commune: &'a Commune,
    /// What she needs, in her order.
    pub needs: &'a [Need],
    /// Her age, if she gave it.
    pub age: Option<u8>,
    /// She is in danger now.
    pub danger_now: bool,
    /// Local time at the commune (each service's hours are read in its own
    /// time zone, at the same instant).
    pub at: DateTime,
    /// How many services to suggest per need.
    pub per_need: usize,
}

#[derive(Debug)]
struct Entry {
    listing: Arc<Listing>,
    point: Point,
    needs: Needs,
    minors: bool,
    adults: bool,
    zone: Box<[Box<str>]>,
    hours: Option<Arc<Hours>>,
    /// Where its hours are read: its département, its point.
    place: Place,
    /// Its time zone's IANA name.
    time_zone: &'static str,
}

#[derive(Debug)]
struct TerritoryArea {
    territory: Territory,
    points: Vec<Point>,
}

/// The directory in memory, ready for queries. Rebuilt whenever the
/// directory changes.
#[derive(Debug)]
pub struct Index {
    communes: Arc<Communes>,
    entries: Vec<Entry>,
    grids: Vec<Grid>,
    by_need: Vec<Vec<u32>>,
    territories: Vec<TerritoryArea>,
    by_service: HashMap<ServiceId, u32>,
    live: LiveOffers,
    /// Each territory's voice, by slug (`directory::voice`).
    voices: HashMap<String, Voice>,
}

/// A grid of cells: cell → indexes of entries.
type Grid = HashMap<(i32, i32), Vec<u32>, BuildHasherDefault<CellHasher>>;

/// A multiplicative hash for small integer keys: the ring search looks up
/// thousands of cells per query, and SipHash's resistance to crafted keys
/// is not needed for keys we compute ourselves.
#[derive(Default)]
struct CellHasher(u64);

impl Hasher for CellHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_i32(&mut self, value: i32) {
        self.write_u64(u64::from(value.cast_unsigned()));
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

fn cell_of(point: Point) -> (i32, i32) {
    // Saturating casts: coordinates are checked to lie in France.
    (
        (point.lat / CELL).floor() as i32,
        (point.lon / CELL).floor() as i32,
    )
}

impl Index {
    /// Builds the index over every territory's directory.
    pub fn build(
        communes: Arc<Communes>,
        territories: Vec<Territory>,
        organisations: &[Organisation],
        services: &[Service],
    ) -> Self {
        let live = LiveOffers::build(organisations, services);
        let organisations: HashMap<&str, &Organisation> =
            organisations.iter().map(|o| (o.id.as_str(), o)).collect();
        let mut hours_cache: HashMap<&str, Option<Arc<Hours>>> = HashMap::new();
        let mut entries = Vec::with_capacity(services.len());
        for service in services {
            let Some(organisation) = organisations.get(service.organisation_id.as_str()) else {
                continue;
            };
            let Some(commune) = communes.by_insee(&service.commune_insee) else {
                continue;
            };
            let point = if service.confidential_address {
                commune.point
            } else {
                service.point.unwrap_or(commune.point)
            };
            let hours = service.opening_hours.as_deref().and_then(|raw| {
                hours_cache
                    .entry(raw)
                    .or_insert_with(|| Hours::parse(raw).ok().map(Arc::new))
                    .clone()
            });
            let youth_only = organisation.kind == Kind::YouthHouse
                || (!service.publics.is_empty() && service.publics.iter().all(|p| p == "jeunes"));
            let listing = Listing {
                service_id: service.id.clone(),
                organisation_id: organisation.id.clone(),
                organisation_name: organisation.name.clone(),
                kind: organisation.kind,
                service_name: service.name.clone(),
                description: service.description.clone(),
                needs: service.needs,
                phone: service.phone.clone().or_else(|| organisation.phone.clone()),
                email: service.email.clone().or_else(|| organisation.email.clone()),
                website: service
                    .website
                    .clone()
                    .or_else(|| organisation.website.clone()),
                street: if service.confidential_address {
                    None
                } else {
                    service.street.clone()
                },
                postcode: service.postcode.clone(),
                commune_name: commune.name.to_string(),
                commune_insee: commune.insee.to_string(),
                confidential_address: service.confidential_address,
                public_contact: service.public_contact.clone(),
                opening_hours: service.opening_hours.clone(),
                accepts_anonymous: service.accepts_anonymous,
                receives_minors: service.receives_minors,
                free_of_charge: service.free_of_charge,
                lsf: service.lsf,
                wheelchair: service.wheelchair,
                languages: service.languages.clone(),
                receives_referrals: service.receives_referrals,
                territory: organisation.territory.clone(),
                verified_on: service.verified_on,
            };
            entries.push(Entry {
                listing: Arc::new(listing),
                point,
                needs: service.needs,
                minors: service.receives_minors,
                adults: !youth_only,
                // An EPCI stands for its communes and a région for its
                // départements, so that a commune is matched on its own
                // INSEE code or its département's.
                zone: service
                    .zone_eligibilite
                    .iter()
                    .flat_map(|code| communes.zone_members(code))
                    .map(Into::into)
                    .collect(),
                hours,
                place: Place::new(&commune.departement, Some(point)),
                time_zone: crate::directory::hours::timezone_of(&commune.departement),
            });
        }
        let mut grids = vec![Grid::default(); Need::ALL.len()];
        let mut by_need = vec![Vec::new(); Need::ALL.len()];
        let mut by_service = HashMap::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            by_service.insert(entry.listing.service_id.clone(), index);
            for need in entry.needs.iter() {
                grids[need as usize]
                    .entry(cell_of(entry.point))
                    .or_insert_with(Vec::new)
                    .push(index);
                by_need[need as usize].push(index);
            }
        }
        let territories = territories
            .into_iter()
            .map(|territory| {
                let mut points: Vec<Point> = territory
                    .communes
                    .iter()
                    .filter_map(|code| communes.by_insee(code))
                    .map(|c| c.point)
                    .collect();
                for departement in &territory.departements {
                    points.extend(communes.in_departement(departement).map(|c| c.point));
                }
                TerritoryArea { territory, points }
            })
            .collect();
        Self {
            communes,
            entries,
            grids,
            by_need,
            territories,
            by_service,
            live,
            voices: HashMap::new(),
        }
    }

    /// Gives the index the territories' voices, read with the directory.
    pub fn set_voices(&mut self, voices: HashMap<String, Voice>) {
        self.voices = voices;
    }

    /// The voice of the territory of that slug, when it has one that shows.
    pub fn voice(&self, slug: &str) -> Option<&Voice> {
        self.stored_voice(slug).filter(|v| v.shows())
    }

    /// The voice of the territory of that slug as stored, shown or not
    /// (a logo given before any French text), for its editor.
    pub fn stored_voice(&self, slug: &str) -> Option<&Voice> {
        self.voices.get(slug)
    }

    /// The communes this index was built with.
    pub fn communes(&self) -> &Arc<Communes> {
        &self.communes
    }

    /// How many services are indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no service is indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A service's listing.
    pub fn listing(&self, service_id: &str) -> Option<&Arc<Listing>> {
        self.by_service
            .get(service_id)
            .map(|&index| &self.entries[index as usize].listing)
    }

    /// The listings of an organisation's services.
    pub fn organisation(&self, organisation_id: &OrganisationId) -> Vec<&Arc<Listing>> {
        self.entries
            .iter()
            .map(|entry| &entry.listing)
            .filter(|listing| listing.organisation_id == *organisation_id)
            .collect()
    }

    /// The active territory covering a commune: a suspended one orients
    /// nobody (its people are given the national lines).
    pub fn territory_of(&self, commune: &Commune) -> Option<&Territory> {
        self.territories
            .iter()
            .map(|area| &area.territory)
            .filter(|territory| !territory.suspended)
            .find(|territory| territory.covers(&commune.insee, &commune.departement))
    }

    /// The territory whose entry this host name is (lowercase).
    pub fn territory_of_host(&self, host: &str) -> Option<&Territory> {
        self.territories()
            .find(|territory| territory.hosts.contains(host))
    }

    /// Every territory.
    pub fn territories(&self) -> impl Iterator<Item = &Territory> {
        self.territories.iter().map(|area| &area.territory)
    }

    /// The territory, when the site serves exactly one and it is not
    /// suspended.
    pub fn only_territory(&self) -> Option<&Territory> {
        match self.territories.as_slice() {
            [only] if !only.territory.suspended => Some(&only.territory),
            _ => None,
        }
    }

    /// The territory, when the site serves exactly one, suspended or not:
    /// what its pages are about (a suspended one says so) and where quick
    /// exit leads, never whom it orients.
    pub fn single_territory(&self) -> Option<&Territory> {
        match self.territories.as_slice() {
            [only] => Some(&only.territory),
            _ => None,
        }
    }

    /// The territory a public page is about: that of the entry it came by
    /// (`Some(slug)`: its host name or `/t/{slug}`), else the only
    /// territory this instance serves — suspended or not, so that its page
    /// can say so. The one rule every page, quick exit and the
    /// conversation follow.
    pub fn page_territory(&self, entry: Option<&str>) -> Option<&Territory> {
        match entry {
            Some(slug) => self.territory(slug),
            None => self.single_territory(),
        }
    }

    /// The territory of that slug.
    pub fn territory(&self, slug: &str) -> Option<&Territory> {
        self.territories().find(|t| t.slug.as_str() == slug)
    }

    /// Today's date where the territory of that slug is (metropolitan
    /// France's for an unknown slug, and for the national counts).
    pub fn today_in(&self, slug: &str) -> jiff::civil::Date {
        let departement = self
            .territory(slug)
            .map_or(crate::directory::hours::METROPOLE, |t| {
                t.departement(&self.communes)
            });
        crate::directory::hours::now_in(departement).date()
    }

    /// The time zone of the territory of that slug (metropolitan France's
    /// for an unknown slug), by its IANA name.
    pub fn time_zone_of(&self, slug: &str) -> &'static str {
        crate::directory::hours::timezone_of(
            self.territory(slug)
                .map_or(crate::directory::hours::METROPOLE, |t| {
                    t.departement(&self.communes)
                }),
        )
    }

    /// The organisations of the territory of that slug that offer live
    /// help, in the directory's order, each with the needs its services
    /// serve and whether its live hours are open at `at`, in the
    /// territory's time with French public holidays (docs/live.md). Pure,
    /// as [`Index::orient`] is: the moment is part of the question.
    pub fn live_organisations(
        &self,
        territory: &str,
        at: jiff::Timestamp,
    ) -> Vec<LiveOrganisation> {
        let zone = jiff::tz::TimeZone::get(self.time_zone_of(territory))
            .unwrap_or(jiff::tz::TimeZone::UTC);
        let departement = self
            .territory(territory)
            .map_or(crate::directory::hours::METROPOLE, |t| {
                t.departement(&self.communes)
            });
        self.live.at(territory, departement, &zone, at)
    }

    /// The territory with a commune nearest to `point`, and the distance.
    pub fn nearest_territory(&self, point: Point) -> Option<(&Territory, f64)> {
        self.territories
            .iter()
            .filter_map(|area| {
                let km = area
                    .points
                    .iter()
                    .map(|p| p.distance_km(point))
                    .fold(f64::INFINITY, f64::min);
                km.is_finite().then_some((&area.territory, km))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Answers a query.
    pub fn orient(&self, query: &Query<'_>) -> Orientation {
        let minor = query.age.is_some_and(|age| age < 18);
        let territory = self.territory_of(query.commune);
        let nearest = if territory.is_none() {
            self.nearest_territory(query.commune.point)
        } else {
            None
        };
        let youth_services = territory
            .or(nearest.map(|(t, _)| t))
            .map(|t| t.youth_services.clone())
            .unwrap_or_default();
        let needs = query
            .needs
            .iter()
            .map(|&need| NeedResult {
                need,
                suggestions: self.suggest(query, need, minor),
            })
            .collect();
        Orientation {
            territory: territory.map(|t| TerritoryRef {
                slug: t.slug.to_string(),
                name: t.name.clone(),
            }),
            nearest_territory: nearest.map(|(t, km)| {
                (
                    TerritoryRef {
                        slug: t.slug.to_string(),
                        name: t.name.clone(),
                    },
                    km.round() as u32,
                )
            }),
            youth_services,
            needs,
            minor,
            danger_now: query.danger_now,
        }
    }

    fn receives(&self, entry: &Entry, commune: &Commune, minor: bool) -> bool {
        let audience = if minor { entry.minors } else { entry.adults };
        audience
            && (entry.zone.is_empty()
                || entry
                    .zone
                    .iter()
                    .any(|code| **code == *commune.insee || **code == *commune.departement))
    }

    fn suggest(&self, query: &Query<'_>, need: Need, minor: bool) -> Vec<Suggestion> {
        let mut candidates = self.nearest_candidates(query, need, minor);
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
        candidates.truncate(CANDIDATES);
        // The search compared flat-Earth distances; say the true ones.
        let origin = query.commune.point;
        for candidate in &mut candidates {
            candidate.0 = origin.distance_km(self.entries[candidate.1 as usize].point);
        }
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
        let band = |km: f64| (km / BAND_KM).floor() as u32;
        if !query.danger_now
            && let Some(last) = candidates.get(query.per_need.saturating_sub(1))
        {
            // A service in a farther band than the last one kept can never
            // move up: no need to read its hours.
            let last_band = band(last.0);
            candidates.retain(|(km, _)| band(*km) <= last_band);
        }
        let person_zone = crate::directory::hours::timezone_of(&query.commune.departement);
        let mut ranked: Vec<(f64, OpenState, u32)> = candidates
            .into_iter()
            .map(|(km, index)| {
                let entry = &self.entries[index as usize];
                let state = entry.hours.as_ref().map_or(OpenState::Unknown(None), |h| {
                    h.state_at(
                        local_time(query.at, person_zone, entry.time_zone),
                        &entry.place,
                    )
                });
                (km, state, index)
            })
            .collect();
        // Open now first, then the soonest to open, then unsure or unknown
        // hours, then closed for the next two weeks.
        let open_rank = |state: &OpenState| match state {
            OpenState::Open => (0, None),
            OpenState::OpensAt(at) => (1, Some(*at)),
            OpenState::UnsureFrom(..) | OpenState::Unknown(_) => (2, None),
            OpenState::Closed => (3, None),
        };
        if query.danger_now {
            ranked.sort_by(|a, b| {
                open_rank(&a.1)
                    .cmp(&open_rank(&b.1))
                    .then(a.0.total_cmp(&b.0))
            });
        } else {
            ranked.sort_by(|a, b| {
                let band = |km: f64| (km / BAND_KM).floor() as u32;
                band(a.0)
                    .cmp(&band(b.0))
                    .then(open_rank(&a.1).cmp(&open_rank(&b.1)))
                    .then(a.0.total_cmp(&b.0))
            });
        }
        ranked
            .into_iter()
            .take(query.per_need)
            .map(|(km, state, index)| {
                let listing = Arc::clone(&self.entries[index as usize].listing);
                let reasons = reasons(&listing, query.commune, km, &state, minor);
                Suggestion {
                    listing,
                    distance_km: km,
                    state,
                    reasons,
                }
            })
            .collect()
    }

    /// The services nearest to the commune that serve `need` and receive
    /// this person: a ring search on the grid, then a full scan when the
    /// rings found too few. Distances here are flat-Earth approximations
    /// (exact to a fraction of a percent at these ranges, and ten times
    /// cheaper than great circles); the caller computes the true ones.
    fn nearest_candidates(&self, query: &Query<'_>, need: Need, minor: bool) -> Vec<(f64, u32)> {
        let origin = query.commune.point;
        let flat = FlatDistance::around(origin);
        let grid = &self.grids[need as usize];
        let (row, column) = cell_of(origin);
        let mut candidates: Vec<(f64, u32)> = Vec::new();
        let visit = |cell: (i32, i32), candidates: &mut Vec<(f64, u32)>| {
            if let Some(indexes) = grid.get(&cell) {
                for &index in indexes {
                    let entry = &self.entries[index as usize];
                    if self.receives(entry, query.commune, minor) {
                        candidates.push((flat.km(entry.point), index));
                    }
                }
            }
        };
        for ring in 0..=MAX_RING {
            if ring == 0 {
                visit((row, column), &mut candidates);
            } else {
                for d in -ring..=ring {
                    visit((row - ring, column + d), &mut candidates);
                    visit((row + ring, column + d), &mut candidates);
                }
                for d in (-ring + 1)..ring {
                    visit((row + d, column - ring), &mut candidates);
                    visit((row + d, column + ring), &mut candidates);
                }
            }
            if candidates.len() >= CANDIDATES {
                candidates.select_nth_unstable_by(CANDIDATES - 1, |a, b| a.0.total_cmp(&b.0));
                let kth = candidates[CANDIDATES - 1].0;
                // Anything in the next ring is at least `ring` cells away.
                let latitude = (origin.lat.abs() + f64::from(ring + 1) * CELL).min(89.0);
                let cell_km = CELL * KM_PER_DEGREE * latitude.to_radians().cos();
                if kth <= f64::from(ring) * cell_km {
                    return candidates;
                }
            }
        }
        // Every service within the rings is found: if they are enough to
        // fill the answer, farther ones would rank after them anyway.
        if candidates.len() >= query.per_need.max(1) {
            return candidates;
        }
        // Few services serve this need near here: look at all of them.
        self.by_need[need as usize]
            .iter()
            .map(|&index| (index, &self.entries[index as usize]))
            .filter(|(_, entry)| self.receives(entry, query.commune, minor))
            .map(|(index, entry)| (flat.km(entry.point), index))
            .collect()
    }
}

/// Equirectangular distances from one point: good for comparing nearby
/// points, cheap enough for thousands per query.
struct FlatDistance {
    origin: Point,
    cos_lat: f64,
}

impl FlatDistance {
    fn around(origin: Point) -> Self {
        Self {
            origin,
            cos_lat: origin.lat.to_radians().cos(),
        }
    }

    fn km(&self, point: Point) -> f64 {
        let mut dlon = point.lon - self.origin.lon;
        if dlon > 180.0 {
            dlon -= 360.0;
        } else if dlon < -180.0 {
            dlon += 360.0;
        }
        let dx = dlon * self.cos_lat;
        let dy = point.lat - self.origin.lat;
        (dx * dx + dy * dy).sqrt() * KM_PER_DEGREE
    }
}

/// The local time in the zone `to` at the instant that is `at` in the
/// zone `from` (IANA names); `at` itself when they are the same zone.
fn local_time(at: DateTime, from: &str, to: &str) -> DateTime {
    if from == to {
        return at;
    }
    let zone = |name: &str| jiff::tz::TimeZone::get(name).unwrap_or(jiff::tz::TimeZone::UTC);
    at.to_zoned(zone(from))
        .map(|instant| instant.with_time_zone(zone(to)).datetime())
        .unwrap_or(at)
}

fn reasons(
    listing: &Listing,
    commune: &Commune,
    km: f64,
    state: &OpenState,
    minor: bool,
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if listing.commune_insee == *commune.insee {
        reasons.push(Reason::InCommune);
    } else {
        reasons.push(Reason::Distance(km.round().max(1.0) as u32));
    }
    // "ouvert maintenant" only when the hours say so without doubt; hours
    // that leave a doubt say it, and no hours at all say nothing.
    match state {
        OpenState::Open => reasons.push(Reason::OpenNow),
        OpenState::OpensAt(at) => reasons.push(Reason::OpensAt(*at)),
        OpenState::Unknown(note) | OpenState::UnsureFrom(_, note)
            if listing.opening_hours.is_some() =>
        {
            reasons.push(Reason::HoursUnsure(note.clone()));
        }
        OpenState::Closed | OpenState::Unknown(_) | OpenState::UnsureFrom(..) => {}
    }
    if minor && listing.receives_minors {
        reasons.push(Reason::ReceivesMinors);
    }
    if listing.accepts_anonymous {
        reasons.push(Reason::AcceptsAnonymous);
    }
    if listing.free_of_charge {
        reasons.push(Reason::FreeOfCharge);
    }
    if listing.lsf {
        reasons.push(Reason::Lsf);
    }
    reasons
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use jiff::civil::date;

    use super::*;
    use crate::directory::territories::{Coordinator, Slug, YouthService};

    fn organisation(id: &str, kind: Kind) -> Organisation {
        Organisation {
            id: id.into(),
            territory: "montreuillois".to_owned(),
            source_id: id.to_owned(),
            name: format!("{id} (exemple)"),
            kind,
            siret: None,
            phone: None,
            email: None,
            website: None,
            live: false,
            live_hours: String::new(),
            source_fields: serde_json::Map::new(),
        }
    }

    fn service(
        id: &str,
        organisation: &str,
        needs: &[Need],
        insee: &str,
        hours: Option<&str>,
    ) -> Service {
        Service {
            id: id.into(),
            organisation_id: organisation.into(),
            source_id: id.to_owned(),
            name: id.to_owned(),
            description: None,
            needs: needs.iter().copied().collect(),
            thematiques: Vec::new(),
            publics: Vec::new(),
            modes_accueil: Vec::new(),
            zone_eligibilite: Vec::new(),
            opening_hours: hours.map(str::to_owned),
            phone: Some("01 99 00 00 01".to_owned()),
            email: None,
            website: None,
            street: Some("1 rue de l'Exemple".to_owned()),
            postcode: None,
            commune_insee: insee.to_owned(),
            point: None,
            confidential_address: false,
            public_contact: None,
            accepts_anonymous: false,
            languages: Vec::new(),
            lsf: false,
            wheelchair: false,
            receives_minors: false,
            free_of_charge: false,
            receives_referrals: false,
            verified_on: None,
            verified_by: None,
            source_fields: serde_json::Map::new(),
        }
    }

    fn territory() -> Territory {
        Territory {
            slug: Slug::parse("montreuillois").unwrap(),
            name: "Montreuillois".to_owned(),
            neutral_url: None,
            // Montreuil-sur-Mer, Berck, Étaples, Hesdin-la-Forêt.
            communes: ["62588", "62108", "62318", "62447"]
                .into_iter()
                .map(str::to_owned)
                .collect(),
            departements: BTreeSet::new(),
            coordinator: Coordinator::default(),
            youth_services: vec![YouthService {
                name: "Maison des Adolescents du Littoral Est".to_owned(),
                phone: "03 91 18 15 80".to_owned(),
                description: None,
            }],
            hosts: BTreeSet::new(),
            suspended: false,
        }
    }

    const MONTREUIL: &str = "62588";
    const BERCK: &str = "62108";
    const ETAPLES: &str = "62318";

    /// A small directory around Montreuil-sur-Mer.
    fn index() -> Index {
        let organisations = vec![
            organisation("lawyer", Kind::Lawyer),
            organisation("cidff", Kind::Cidff),
            organisation("gendarmerie", Kind::Gendarmerie),
            organisation("shelter", Kind::Shelter),
            organisation("mda", Kind::YouthHouse),
            organisation("pmi", Kind::Pmi),
        ];
        let mut shelter = service(
            "shelter",
            "shelter",
            &[Need::Housing],
            MONTREUIL,
            Some("24/7"),
        );
        shelter.confidential_address = true;
        shelter.street = None;
        shelter.public_contact = Some("Appeler le 115".to_owned());
        let mut mda = service(
            "mda",
            "mda",
            &[Need::Youth, Need::Psychological],
            BERCK,
            None,
        );
        mda.receives_minors = true;
        let mut pmi = service(
            "pmi",
            "pmi",
            &[Need::Children, Need::Psychological],
            ETAPLES,
            Some("Mo-Fr 09:00-17:00"),
        );
        pmi.receives_minors = true;
        let mut cidff_berck = service(
            "cidff-berck",
            "cidff",
            &[Need::Legal],
            BERCK,
            Some("Mo-Fr 09:00-17:00"),
        );
        cidff_berck.accepts_anonymous = true;
        cidff_berck.free_of_charge = true;
        let services = vec![
            service(
                "lawyer",
                "lawyer",
                &[Need::Legal],
                MONTREUIL,
                Some("Mo-Fr 09:00-12:00"),
            ),
            cidff_berck,
            service(
                "gendarmerie",
                "gendarmerie",
                &[Need::Complaint, Need::Protection],
                MONTREUIL,
                Some("24/7"),
            ),
            shelter,
            mda,
            pmi,
        ];
        Index::build(
            Communes::embedded(),
            vec![territory()],
            &organisations,
            &services,
        )
    }

    fn commune(code: &str) -> Commune {
        Communes::embedded()
            .by_insee(code)
            .cloned()
            .unwrap_or_else(|| panic!("no commune has the INSEE code {code}"))
    }

    fn ask(
        index: &Index,
        insee: &str,
        needs: &[Need],
        age: Option<u8>,
        at: DateTime,
    ) -> Orientation {
        let commune = commune(insee);
        index.orient(&Query {
            commune: &commune,
            needs,
            age,
            danger_now: false,
            at,
            per_need: 3,
        })
    }

    fn names(result: &NeedResult) -> Vec<&str> {
        result
            .suggestions
            .iter()
            .map(|s| s.listing.service_id.as_str())
            .collect()
    }

    /// Tuesday 1 December 2026, 10:00.
    fn tuesday_morning() -> DateTime {
        date(2026, 12, 1).at(10, 0, 0, 0)
    }

    #[test]
    fn the_need_comes_first_then_distance_with_reasons() {
        let orientation = ask(
            &index(),
            MONTREUIL,
            &[Need::Legal],
            Some(34),
            tuesday_morning(),
        );
        let legal = &orientation.needs[0];
        assert_eq!(names(legal), ["lawyer", "cidff-berck"]);
        assert_eq!(
            legal.suggestions[0].reasons[..2],
            [Reason::InCommune, Reason::OpenNow]
        );
        let berck = &legal.suggestions[1];
        assert!(
            matches!(berck.reasons[0], Reason::Distance(km) if (10..30).contains(&km)),
            "{:?}",
            berck.reasons
        );
        assert!(
            berck.reasons.contains(&Reason::AcceptsAnonymous)
                && berck.reasons.contains(&Reason::FreeOfCharge)
        );
        assert_eq!(orientation.territory.unwrap().slug, "montreuillois");
    }

    #[test]
    fn a_minor_is_sent_only_where_minors_are_received_and_gets_youth_services() {
        let orientation = ask(
            &index(),
            MONTREUIL,
            &[Need::Psychological, Need::Legal],
            Some(15),
            tuesday_morning(),
        );
        assert!(orientation.minor);
        let psychological = &orientation.needs[0];
        assert_eq!(names(psychological), ["pmi", "mda"]);
        assert!(
            psychological
                .suggestions
                .iter()
                .all(|s| s.reasons.contains(&Reason::ReceivesMinors))
        );
        // No legal service receives minors here: said, not hidden.
        assert!(orientation.needs[1].suggestions.is_empty());
        assert_eq!(orientation.youth_services[0].phone, "03 91 18 15 80");
    }

    #[test]
    fn an_adult_is_not_sent_to_a_youth_only_service() {
        let orientation = ask(
            &index(),
            MONTREUIL,
            &[Need::Psychological],
            Some(40),
            tuesday_morning(),
        );
        assert!(!names(&orientation.needs[0]).contains(&"mda"));
    }

    #[test]
    fn a_need_no_service_serves_gets_an_empty_answer() {
        let orientation = ask(
            &index(),
            MONTREUIL,
            &[Need::Foreigners],
            Some(30),
            tuesday_morning(),
        );
        assert!(orientation.needs[0].suggestions.is_empty());
    }

    #[test]
    fn in_danger_a_service_open_now_comes_before_a_closer_closed_one() {
        let index = index();
        let commune = commune(MONTREUIL);
        // Tuesday 21:00: the lawyer in Montreuil is closed, so is the CIDFF.
        let at = date(2026, 12, 1).at(21, 0, 0, 0);
        let orientation = index.orient(&Query {
            commune: &commune,
            needs: &[Need::Complaint, Need::Legal],
            age: None,
            danger_now: true,
            at,
            per_need: 3,
        });
        assert!(orientation.danger_now);
        let complaint = &orientation.needs[0].suggestions[0];
        assert_eq!(complaint.state, OpenState::Open);
        let legal = &orientation.needs[1].suggestions[0];
        assert_eq!(
            legal.state,
            OpenState::OpensAt(date(2026, 12, 2).at(9, 0, 0, 0))
        );
        assert_eq!(legal.reasons[1].french(at), "ouvre demain à 9 h");
    }

    #[test]
    fn closed_now_says_when_it_opens() {
        // Saturday 5 December 2026, 11:00.
        let at = date(2026, 12, 5).at(11, 0, 0, 0);
        let orientation = ask(&index(), MONTREUIL, &[Need::Legal], None, at);
        let lawyer = &orientation.needs[0].suggestions[0];
        assert_eq!(lawyer.reasons[1].french(at), "ouvre lundi 7 décembre à 9 h");
    }

    #[test]
    fn beyond_tomorrow_an_opening_gives_its_date_and_doubtful_hours_say_so() {
        // Wednesday 2 December, 15:00: the next opening is a week later.
        let now = date(2026, 12, 2).at(15, 0, 0, 0);
        let next_week = Reason::OpensAt(date(2026, 12, 9).at(14, 0, 0, 0));
        assert_eq!(next_week.french(now), "ouvre mercredi 9 décembre à 14 h");
        assert_eq!(
            Reason::OpensAt(date(2026, 12, 3).at(9, 30, 0, 0)).french(now),
            "ouvre demain à 9 h 30"
        );
        assert_eq!(
            Reason::HoursUnsure(Some("sur rendez-vous".into())).french(now),
            "sur rendez-vous"
        );
        assert_eq!(
            Reason::HoursUnsure(None).french(now),
            "horaires à confirmer"
        );
    }

    #[test]
    fn a_service_by_appointment_is_never_said_open_now_and_says_why() {
        let organisations = vec![organisation("lawyer", Kind::Lawyer)];
        let services = vec![service(
            "lawyer",
            "lawyer",
            &[Need::Legal],
            MONTREUIL,
            Some(r#"Mo-Fr 09:00-17:00 "sur rendez-vous""#),
        )];
        let index = Index::build(
            Communes::embedded(),
            vec![territory()],
            &organisations,
            &services,
        );
        // Tuesday 10:00, within its hours.
        let at = date(2026, 12, 1).at(10, 0, 0, 0);
        let orientation = ask(&index, MONTREUIL, &[Need::Legal], None, at);
        let lawyer = &orientation.needs[0].suggestions[0];
        let reasons: Vec<String> = lawyer.reasons.iter().map(|r| r.french(at)).collect();
        assert!(
            !reasons.iter().any(|r| r == "ouvert maintenant"),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r == "sur rendez-vous"),
            "{reasons:?}"
        );
    }

    #[test]
    fn each_service_is_read_in_its_own_time_zone() {
        // 10:00 in Paris is 13:00 in La Réunion (UTC+4, Paris UTC+1 in
        // December), and 05:00 in Guadeloupe (UTC-4).
        let at = date(2026, 12, 1).at(10, 0, 0, 0);
        assert_eq!(
            local_time(at, "Europe/Paris", "Indian/Reunion"),
            date(2026, 12, 1).at(13, 0, 0, 0)
        );
        assert_eq!(
            local_time(at, "Europe/Paris", "America/Guadeloupe"),
            date(2026, 12, 1).at(5, 0, 0, 0)
        );
        assert_eq!(local_time(at, "Europe/Paris", "Europe/Paris"), at);
    }

    #[test]
    fn outside_every_territory_the_nearest_services_and_territory_are_given_honestly() {
        // Lille is outside the demo territory, about 100 km away.
        let orientation = ask(
            &index(),
            "59350",
            &[Need::Legal],
            Some(30),
            tuesday_morning(),
        );
        assert!(orientation.territory.is_none());
        let (nearest, km) = orientation.nearest_territory.clone().unwrap();
        assert_eq!(nearest.slug, "montreuillois");
        assert!((70..150).contains(&km), "{km}");
        assert_eq!(orientation.needs[0].suggestions.len(), 2);
    }

    #[test]
    fn a_confidential_address_is_never_in_a_listing() {
        let index = index();
        let orientation = ask(&index, ETAPLES, &[Need::Housing], None, tuesday_morning());
        let shelter = &orientation.needs[0].suggestions[0].listing;
        assert!(shelter.confidential_address);
        assert_eq!(shelter.street, None);
        assert_eq!(shelter.public_contact.as_deref(), Some("Appeler le 115"));
        assert_eq!(index.listing("shelter").unwrap().street, None);
    }

    #[test]
    fn a_suspended_territory_orients_nobody_but_its_pages_still_know_it() {
        let suspended = Territory {
            suspended: true,
            ..territory()
        };
        let index = Index::build(Communes::embedded(), vec![suspended], &[], &[]);
        let montreuil = index.communes().by_insee(MONTREUIL).unwrap().clone();
        assert!(index.territory_of(&montreuil).is_none());
        assert!(index.only_territory().is_none());
        assert_eq!(
            index.single_territory().map(|t| t.slug.as_str()),
            Some("montreuillois")
        );
        assert!(index.territory("montreuillois").is_some());
    }

    #[test]
    fn an_epci_zone_receives_the_people_of_its_member_communes() {
        let organisations = vec![organisation("ccas", Kind::Ccas)];
        let mut ccas = service("ccas", "ccas", &[Need::Social], ETAPLES, None);
        // CA des Deux Baies en Montreuillois: Étaples and Berck, not Boulogne.
        ccas.zone_eligibilite = vec!["200069029".to_owned()];
        let index = Index::build(
            Communes::embedded(),
            vec![territory()],
            &organisations,
            &[ccas],
        );
        let found = |insee| {
            ask(&index, insee, &[Need::Social], None, tuesday_morning()).needs[0]
                .suggestions
                .len()
        };
        assert_eq!(found(BERCK), 1);
        assert_eq!(found("62160"), 0);
    }

    #[test]
    fn an_eligibility_zone_is_respected() {
        let organisations = vec![organisation("ccas", Kind::Ccas)];
        let mut ccas = service("ccas", "ccas", &[Need::Social], ETAPLES, None);
        ccas.zone_eligibilite = vec![ETAPLES.to_owned()];
        let index = Index::build(
            Communes::embedded(),
            vec![territory()],
            &organisations,
            &[ccas],
        );
        assert_eq!(
            ask(&index, ETAPLES, &[Need::Social], None, tuesday_morning()).needs[0]
                .suggestions
                .len(),
            1
        );
        assert!(
            ask(&index, BERCK, &[Need::Social], None, tuesday_morning()).needs[0]
                .suggestions
                .is_empty()
        );
    }

    #[test]
    fn the_ring_search_finds_the_same_nearest_services_as_a_full_scan() {
        // 2,000 services scattered over a grid of communes: the index's
        // answer must be the true nearest ones.
        let communes = Communes::embedded();
        let all = communes.all();
        let organisations = vec![organisation("o", Kind::Cidff)];
        let services: Vec<Service> = (0..2000)
            .map(|i| {
                service(
                    &format!("s{i}"),
                    "o",
                    &[Need::Legal],
                    &all[(i * 17) % all.len()].insee,
                    None,
                )
            })
            .collect();
        let index = Index::build(
            Arc::clone(&communes),
            vec![territory()],
            &organisations,
            &services,
        );
        for probe in [MONTREUIL, "75056", "2A004", "13055", "97411"] {
            let commune = commune(probe);
            let orientation = index.orient(&Query {
                commune: &commune,
                needs: &[Need::Legal],
                age: None,
                danger_now: false,
                at: tuesday_morning(),
                per_need: 3,
            });
            let mut distances: Vec<f64> = services
                .iter()
                .map(|s| {
                    communes
                        .by_insee(&s.commune_insee)
                        .unwrap()
                        .point
                        .distance_km(commune.point)
                })
                .collect();
            distances.sort_by(f64::total_cmp);
            let found: Vec<f64> = orientation.needs[0]
                .suggestions
                .iter()
                .map(|s| s.distance_km)
                .collect();
            // All services share one band order here (no hours): exact.
            assert_eq!(found.len(), 3);
            for (found, truth) in found.iter().zip(&distances) {
                assert!(
                    (found - truth).abs() < BAND_KM,
                    "{probe}: {found} vs {truth}"
                );
            }
            assert!(
                (found[0] - distances[0]).abs() < 1e-9,
                "{probe}: nearest {} vs {}",
                found[0],
                distances[0]
            );
        }
    }
}
