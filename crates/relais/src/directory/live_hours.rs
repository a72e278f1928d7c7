//! Who offers live help ("Parler maintenant", docs/live.md) and whether
//! their live hours are open at a moment: what the live capability asks of
//! the directory before it counts who is on duty.
//!
//! Pure, as orientation is: [`LiveOffers::at`] (reached through
//! [`Index::live_organisations`](crate::directory::orientation::Index::live_organisations))
//! reads no clock, database or network; the moment is part of the
//! question. The offers are built with the orientation index, so an edit
//! of an organisation's live help is seen when the index is rebuilt, within
//! seconds of the directory's version changing.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::directory::hours::{Hours, OpenState, Place};
use crate::directory::model::{Needs, Organisation, Service};
use crate::storage::OrganisationId;

/// An organisation that offers live help, as it stands at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveOrganisation {
    /// The organisation.
    pub id: OrganisationId,
    /// Its public name.
    pub name: String,
    /// Every need its services serve.
    pub needs: Needs,
    /// Its live hours are open at that moment.
    pub open: bool,
}

/// The organisations with live help, by territory, their hours parsed once.
#[derive(Debug, Default)]
pub struct LiveOffers {
    by_territory: HashMap<String, Vec<Offer>>,
}

#[derive(Debug)]
struct Offer {
    id: OrganisationId,
    name: String,
    needs: Needs,
    /// `None` when the stored hours do not parse: they were checked on the
    /// way in, so only a row written around the checks; never open.
    hours: Option<Hours>,
}

impl LiveOffers {
    /// The offers of a directory: the organisations with `live` set, each
    /// with the needs of its services (services of other organisations, or
    /// of none, are ignored).
    pub fn build(organisations: &[Organisation], services: &[Service]) -> Self {
        let mut needs: HashMap<&str, Needs> = HashMap::new();
        for service in services {
            let entry = needs.entry(service.organisation_id.as_str()).or_default();
            for need in service.needs.iter() {
                entry.insert(need);
            }
        }
        let mut by_territory: HashMap<String, Vec<Offer>> = HashMap::new();
        for organisation in organisations.iter().filter(|o| o.live) {
            by_territory
                .entry(organisation.territory.clone())
                .or_default()
                .push(Offer {
                    id: organisation.id.clone(),
                    name: organisation.name.clone(),
                    needs: needs
                        .get(organisation.id.as_str())
                        .copied()
                        .unwrap_or_default(),
                    hours: Hours::parse(&organisation.live_hours).ok(),
                });
        }
        Self { by_territory }
    }

    /// The territory's organisations with live help, in the directory's
    /// order, each saying whether its live hours are open at `at` without
    /// doubt, read in the time zone `zone` with the holidays of the
    /// territory's département `departement`.
    pub fn at(
        &self,
        territory: &str,
        departement: &str,
        zone: &TimeZone,
        at: Timestamp,
    ) -> Vec<LiveOrganisation> {
        let local = at.to_zoned(zone.clone()).datetime();
        // Live help is not at a point: hours with sun times stay unknown.
        let place = Place::new(departement, None);
        self.by_territory
            .get(territory)
            .into_iter()
            .flatten()
            .map(|offer| LiveOrganisation {
                id: offer.id.clone(),
                name: offer.name.clone(),
                needs: offer.needs,
                open: offer
                    .hours
                    .as_ref()
                    .is_some_and(|hours| hours.state_at(local, &place) == OpenState::Open),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::directory::communes::Communes;
    use crate::directory::import::{self, Format};
    use crate::directory::model::Need;
    use crate::directory::orientation::Index;
    use crate::directory::territories::{Coordinator, Slug, Territory};

    fn territory(slug: &str, communes: &[&str]) -> Territory {
        Territory {
            slug: Slug::parse(slug).unwrap(),
            name: slug.to_owned(),
            neutral_url: None,
            communes: communes.iter().map(|c| (*c).to_owned()).collect(),
            departements: BTreeSet::new(),
            coordinator: Coordinator::default(),
            youth_services: Vec::new(),
            hosts: BTreeSet::new(),
            suspended: false,
        }
    }

    /// An index of two territories: in the Montreuillois, an association
    /// with live help on weekday afternoons (two services), a CIDFF without
    /// it; elsewhere, a lawyer with live help every day.
    fn index(live_hours: &str) -> Index {
        let text = format!(
            "structure_id;structure_nom;structure_type;live;live_hours;service_id;service_nom;besoins;code_insee;presentation;verifie_le\n\
             aav;Aide aux victimes (exemple);victim-support;oui;\"{live_hours}\";aav-1;Accompagnement;complaint,legal;62588;Un accompagnement;2026-11-28\n\
             aav;Aide aux victimes (exemple);victim-support;oui;\"{live_hours}\";aav-2;Écoute;psychological;62318;Une écoute;2026-11-28\n\
             cidff;CIDFF (exemple);cidff;non;Mo-Su 00:00-24:00;cidff-1;Permanence;legal;62588;Une permanence;2026-11-28\n\
             ailleurs;Avocate d'ailleurs (exemple);lawyer;oui;24/7;ailleurs-1;Permanence;legal;62826;Une permanence;2026-11-28\n"
        );
        let communes = Communes::embedded();
        let parsed = import::parse(text.as_bytes(), Format::Csv, &communes).unwrap();
        let organisations: Vec<Organisation> = parsed
            .organisations
            .iter()
            .map(|o| Organisation {
                id: o.source_id.as_str().into(),
                territory: if o.source_id == "ailleurs" {
                    "autre"
                } else {
                    "montreuillois"
                }
                .to_owned(),
                ..o.clone()
            })
            .collect();
        Index::build(
            communes,
            vec![
                territory("montreuillois", &["62588", "62318"]),
                territory("autre", &["62826"]),
            ],
            &organisations,
            &parsed.services,
        )
    }

    fn at(utc: &str) -> Timestamp {
        utc.parse().unwrap()
    }

    // Monday 7 December 2026: Paris is at UTC+1.
    const MONDAY_14H: &str = "2026-12-07T13:00:00Z";
    const MONDAY_21H: &str = "2026-12-07T20:00:00Z";

    #[test]
    fn an_organisation_with_live_help_is_open_at_two_on_a_monday_afternoon() {
        let live = index("Mo-Fr 13:00-20:00").live_organisations("montreuillois", at(MONDAY_14H));
        assert_eq!(
            live,
            vec![LiveOrganisation {
                id: "aav".into(),
                name: "Aide aux victimes (exemple)".to_owned(),
                needs: [Need::Complaint, Need::Legal, Need::Psychological]
                    .into_iter()
                    .collect(),
                open: true,
            }]
        );
    }

    #[test]
    fn it_is_closed_at_nine_in_the_evening() {
        let live = index("Mo-Fr 13:00-20:00").live_organisations("montreuillois", at(MONDAY_21H));
        assert_eq!(live.len(), 1);
        assert!(!live[0].open);
    }

    #[test]
    fn live_hours_are_read_in_the_territory_s_time_not_in_utc() {
        // 19:30 UTC is 20:30 in Paris: closed, though open in UTC.
        let live = index("Mo-Fr 13:00-20:00")
            .live_organisations("montreuillois", at("2026-12-07T19:30:00Z"));
        assert!(!live[0].open);
        // 12:30 UTC is 13:30 in Paris: open, though closed in UTC.
        let live = index("Mo-Fr 13:00-20:00")
            .live_organisations("montreuillois", at("2026-12-07T12:30:00Z"));
        assert!(live[0].open);
    }

    #[test]
    fn it_is_closed_on_a_french_public_holiday_with_ph_off() {
        let index = index("Mo-Fr 13:00-20:00; PH off");
        // Friday 25 December 2026, Christmas, at two; the day before, open.
        let christmas = index.live_organisations("montreuillois", at("2026-12-25T13:00:00Z"));
        assert!(!christmas[0].open);
        let eve = index.live_organisations("montreuillois", at("2026-12-24T13:00:00Z"));
        assert!(eve[0].open);
    }

    #[test]
    fn an_organisation_without_the_live_flag_is_not_listed_even_within_its_hours() {
        let live = index("Mo-Fr 13:00-20:00").live_organisations("montreuillois", at(MONDAY_14H));
        assert!(live.iter().all(|o| o.id.as_str() != "cidff"), "{live:?}");
    }

    #[test]
    fn another_territory_s_organisation_is_never_listed() {
        let index = index("Mo-Fr 13:00-20:00");
        let live = index.live_organisations("montreuillois", at(MONDAY_14H));
        assert!(live.iter().all(|o| o.id.as_str() != "ailleurs"), "{live:?}");
        let elsewhere = index.live_organisations("autre", at(MONDAY_21H));
        assert_eq!(elsewhere.len(), 1);
        assert_eq!(elsewhere[0].id.as_str(), "ailleurs");
        assert!(elsewhere[0].open, "24/7");
        assert!(
            index
                .live_organisations("inconnu", at(MONDAY_14H))
                .is_empty()
        );
    }

    #[test]
    fn hours_that_do_not_parse_are_never_open() {
        let organisation = Organisation {
            id: "o".into(),
            territory: "t".to_owned(),
            source_id: "o".to_owned(),
            name: "O (exemple)".to_owned(),
            kind: crate::directory::model::Kind::Cidff,
            siret: None,
            phone: None,
            email: None,
            website: None,
            live: true,
            live_hours: "Lu 9h".to_owned(),
            source_fields: serde_json::Map::new(),
        };
        let offers = LiveOffers::build(&[organisation], &[]);
        let live = offers.at("t", "62", &TimeZone::UTC, at(MONDAY_14H));
        assert_eq!(live.len(), 1);
        assert!(!live[0].open && live[0].needs.is_empty());
    }
}
