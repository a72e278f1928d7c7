//! What the fuzz targets share: the embedded communes, built once, and the
//! round trips of a directory file, which the CSV and the data·inclusion
//! targets both check.
//!
//! The invariant: a directory the importer accepts, exported again, is
//! accepted again and reads back to the same directory, in both formats.
//! That is what `relais directory export` then `import` promises an
//! operator (tests/it/directory.rs checks it on the demo, through the
//! database).

use std::sync::{Arc, LazyLock};

use relais::directory::communes::Communes;
use relais::directory::export;
use relais::directory::import::{self, Format};
use relais::directory::model::Organisation;

/// Every commune of France: parsing them takes a while, so once per process.
pub static COMMUNES: LazyLock<Arc<Communes>> = LazyLock::new(Communes::embedded);

/// Reads `bytes` as a directory file of `format`; when the importer accepts
/// it, checks that both exports read back to the same directory.
pub fn check_directory_file(bytes: &[u8], format: Format) {
    let communes = &**COMMUNES;
    let Ok(parsed) = import::parse(bytes, format, communes) else {
        return;
    };
    // The importer leaves `id` empty and points services at their
    // organisation's source identifier; the exporters join on `id`, as they
    // do for a directory read from the database. Giving each organisation
    // its source identifier as id makes the two agree.
    let organisations: Vec<Organisation> = parsed
        .organisations
        .iter()
        .map(|o| Organisation {
            id: o.source_id.as_str().into(),
            ..o.clone()
        })
        .collect();

    // The exports always describe live help, so what they read back to has
    // no organisation `without_live`: compare the directories themselves.
    let json = export::to_data_inclusion(&organisations, &parsed.services, communes).to_string();
    let again = import::parse(json.as_bytes(), Format::DataInclusion, communes).unwrap_or_else(
        |problems| panic!("the data·inclusion export is refused: {problems:?}\n{json}"),
    );
    // The export adds what data·inclusion requires (a `source`, a
    // `date_maj`), which the import then keeps among the fields Relais does
    // not show: compare Relais's own fields (tests/it/data_inclusion.rs
    // compares the kept ones, field by field).
    assert_eq!(
        without_source_fields(again.organisations, again.services),
        without_source_fields(parsed.organisations.clone(), parsed.services.clone()),
        "the data·inclusion export reads back differently"
    );

    // A CSV row is a service: organisations without one are not written,
    // and a file without a row is refused. Compare what a CSV can hold.
    if parsed.services.is_empty() {
        return;
    }
    let csv = export::to_csv(&organisations, &parsed.services);
    let again = import::parse(&csv, Format::Csv, communes).unwrap_or_else(|problems| {
        panic!(
            "the CSV export is refused: {problems:?}\n{}",
            String::from_utf8_lossy(&csv)
        )
    });
    // The CSV names each organisation on its first service's row: that is
    // the order it reads them back in.
    let mut with_services: Vec<Organisation> = Vec::new();
    for service in &parsed.services {
        if !with_services
            .iter()
            .any(|o| service.organisation_id == o.source_id)
            && let Some(organisation) = parsed
                .organisations
                .iter()
                .find(|o| service.organisation_id == o.source_id)
        {
            with_services.push(organisation.clone());
        }
    }
    assert_eq!(
        without_source_fields(again.organisations, again.services),
        without_source_fields(with_services, parsed.services.clone()),
        "the CSV export reads back differently"
    );
}

/// The directory without the data·inclusion fields kept as they came.
fn without_source_fields(
    mut organisations: Vec<Organisation>,
    mut services: Vec<relais::directory::model::Service>,
) -> (Vec<Organisation>, Vec<relais::directory::model::Service>) {
    for organisation in &mut organisations {
        organisation.source_fields.clear();
    }
    for service in &mut services {
        service.source_fields.clear();
    }
    (organisations, services)
}
