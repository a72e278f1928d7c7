//! The territory file reader on any text: it must return a territory or
//! problems, never panic, and a territory it accepts must be a fixed point:
//! written back as a file (what the back office's form does) and checked
//! again, it is accepted and unchanged — every code and number is already
//! in its canonical form.

#![no_main]

use libfuzzer_sys::fuzz_target;
use relais::directory::territories::{
    CoordinatorFile, TerritoryFile, YouthServiceFile, check_territory, parse_territory_file,
};
use relais_fuzz::COMMUNES;

fuzz_target!(|text: &str| {
    let communes = &**COMMUNES;
    let Ok(territory) = parse_territory_file(text, communes) else {
        return;
    };
    let file = TerritoryFile {
        slug: territory.slug.to_string(),
        name: territory.name.clone(),
        neutral_url: territory.neutral_url.clone(),
        communes: territory.communes.iter().cloned().collect(),
        departements: territory.departements.iter().cloned().collect(),
        coordinator: Some(CoordinatorFile {
            name: territory.coordinator.name.clone(),
            email: territory.coordinator.email.clone(),
            phone: territory.coordinator.phone.clone(),
        }),
        youth_services: territory
            .youth_services
            .iter()
            .map(|s| YouthServiceFile {
                name: s.name.clone(),
                phone: s.phone.clone(),
                description: s.description.clone(),
            })
            .collect(),
        hosts: territory.hosts.iter().cloned().collect(),
    };
    let again = check_territory(file, communes).unwrap_or_else(|problems| {
        panic!("{territory:?} is refused when checked again: {problems:?}")
    });
    assert_eq!(again, territory);

    // The question the orientation asks of every territory.
    for insee in territory.communes.iter().take(3) {
        let departement = communes.by_insee(insee).map(|c| c.departement.to_string());
        assert!(territory.covers(insee, departement.as_deref().unwrap_or_default()));
    }
});
