//! The orientation benchmark: 100,000 generated services spread over every
//! commune of France, queried from random communes, against a baseline
//! measured in the same run — the obvious full scan of every service.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::civil::{DateTime, date};
use relais::directory::communes::{Commune, Communes};
use relais::directory::model::{Kind, Need, Organisation, Service};
use relais::directory::orientation::{Index, Query};
use relais::directory::territories::{Coordinator, Slug, Territory};

/// A small deterministic generator (xorshift64*), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const HOURS: &[Option<&str>] = &[
    Some("Mo-Fr 09:00-12:00,14:00-17:00"),
    Some("Tu,Th 14:00-17:30"),
    Some("24/7"),
    Some("Mo-Fr 08:30-18:30; PH off"),
    Some("We 09:00-12:00; Sa 09:00-12:00"),
    None,
];

fn generate(
    communes: &Communes,
    services: usize,
    rng: &mut Rng,
) -> (Vec<Territory>, Vec<Organisation>, Vec<Service>) {
    let all = communes.all();
    // One territory per département, as a national deployment could be.
    let departements: BTreeSet<&str> = all.iter().map(|c| &*c.departement).collect();
    let territories = departements
        .iter()
        .map(|code| Territory {
            slug: Slug::parse(&format!("dep-{}", code.to_lowercase())).expect("a valid slug"),
            name: format!("Département {code}"),
            neutral_url: None,
            communes: BTreeSet::new(),
            departements: std::iter::once((*code).to_owned()).collect(),
            coordinator: Coordinator::default(),
            youth_services: Vec::new(),
            hosts: BTreeSet::new(),
            suspended: false,
        })
        .collect();
    let mut organisations = Vec::with_capacity(services / 2);
    let mut generated = Vec::with_capacity(services);
    for i in 0..services {
        let commune = &all[rng.below(all.len())];
        if i % 2 == 0 {
            organisations.push(Organisation {
                id: format!("o{i}").into(),
                territory: format!("dep-{}", commune.departement.to_lowercase()),
                source_id: format!("o{i}"),
                name: format!("Structure {i}"),
                kind: Kind::ALL[rng.below(Kind::ALL.len())],
                siret: None,
                phone: None,
                email: None,
                website: None,
                live: false,
                live_hours: String::new(),
                source_fields: Default::default(),
            });
        }
        let needs = (0..1 + rng.below(3))
            .map(|_| Need::ALL[rng.below(Need::ALL.len())])
            .collect();
        generated.push(Service {
            id: format!("s{i}").into(),
            organisation_id: format!("o{}", i - i % 2).into(),
            source_id: format!("s{i}"),
            name: format!("Service {i}"),
            description: None,
            needs,
            thematiques: Vec::new(),
            publics: Vec::new(),
            modes_accueil: Vec::new(),
            zone_eligibilite: Vec::new(),
            opening_hours: HOURS[rng.below(HOURS.len())].map(str::to_owned),
            phone: Some("01 99 00 00 00".to_owned()),
            email: None,
            website: None,
            street: None,
            postcode: commune.postcodes.first().map(ToString::to_string),
            commune_insee: commune.insee.to_string(),
            point: None,
            confidential_address: rng.chance(3),
            public_contact: None,
            accepts_anonymous: rng.chance(30),
            languages: Vec::new(),
            lsf: false,
            wheelchair: true,
            receives_minors: rng.chance(15),
            free_of_charge: rng.chance(60),
            receives_referrals: false,
            verified_on: None,
            verified_by: None,
            source_fields: Default::default(),
        });
    }
    (territories, organisations, generated)
}

/// What a query asks, generated once and replayed on both engines.
struct Asked {
    commune: usize,
    needs: Vec<Need>,
    age: Option<u8>,
    danger: bool,
    at: DateTime,
}

fn questions(communes: &Communes, count: usize, rng: &mut Rng) -> Vec<Asked> {
    (0..count)
        .map(|_| Asked {
            commune: rng.below(communes.len()),
            needs: (0..1 + rng.below(3))
                .map(|_| Need::ALL[rng.below(Need::ALL.len())])
                .collect(),
            age: if rng.chance(10) { Some(15) } else { Some(30) },
            danger: rng.chance(5),
            at: date(2026, 11, 30).at(0, 0, 0, 0)
                + jiff::Span::new().minutes(i64::try_from(rng.below(7 * 24 * 60)).unwrap_or(0)),
        })
        .collect()
}

/// The obvious engine: scan every service for every need, keep the three
/// nearest that receive the person.
struct FullScan {
    entries: Vec<(f64, f64, relais::directory::model::Needs, bool)>,
}

impl FullScan {
    fn new(communes: &Communes, services: &[Service]) -> Self {
        let entries = services
            .iter()
            .filter_map(|s| {
                let commune = communes.by_insee(&s.commune_insee)?;
                let point = s.point.unwrap_or(commune.point);
                Some((point.lat, point.lon, s.needs, s.receives_minors))
            })
            .collect();
        Self { entries }
    }

    fn orient(&self, commune: &Commune, needs: &[Need], minor: bool) -> usize {
        let mut found = 0;
        for need in needs {
            let mut candidates: Vec<(f64, usize)> = self
                .entries
                .iter()
                .enumerate()
                .filter(|(_, (_, _, served, minors))| served.contains(*need) && (!minor || *minors))
                .map(|(i, (lat, lon, _, _))| {
                    (
                        commune
                            .point
                            .distance_km(relais::directory::communes::Point {
                                lat: *lat,
                                lon: *lon,
                            }),
                        i,
                    )
                })
                .collect();
            let keep = candidates.len().min(3);
            if keep > 0 {
                candidates.select_nth_unstable_by(keep - 1, |a, b| a.0.total_cmp(&b.0));
            }
            found += keep;
        }
        found
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Runs the benchmark and returns its Markdown report.
pub fn bench(services: usize, queries: usize) -> String {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let communes = Communes::embedded();
    let (territories, organisations, generated) = generate(&communes, services, &mut rng);

    let started = Instant::now();
    let index = Index::build(
        Arc::clone(&communes),
        territories,
        &organisations,
        &generated,
    );
    let build = started.elapsed();

    let asked = questions(&communes, queries, &mut rng);
    // Warm up caches and lazy statics.
    for question in asked.iter().take(200) {
        let commune = &communes.all()[question.commune];
        let _ = index.orient(&Query {
            commune,
            needs: &question.needs,
            age: question.age,
            danger_now: question.danger,
            at: question.at,
            per_need: 3,
        });
    }
    let mut times = Vec::with_capacity(asked.len());
    let mut suggested = 0usize;
    for question in &asked {
        let commune = &communes.all()[question.commune];
        let started = Instant::now();
        let orientation = index.orient(&Query {
            commune,
            needs: &question.needs,
            age: question.age,
            danger_now: question.danger,
            at: question.at,
            per_need: 3,
        });
        times.push(started.elapsed());
        suggested += orientation
            .needs
            .iter()
            .map(|n| n.suggestions.len())
            .sum::<usize>();
    }
    times.sort_unstable();

    let scan = FullScan::new(&communes, &generated);
    let baseline_queries = queries.min(500);
    let mut baseline = Vec::with_capacity(baseline_queries);
    for question in asked.iter().take(baseline_queries) {
        let commune = &communes.all()[question.commune];
        let started = Instant::now();
        std::hint::black_box(scan.orient(
            commune,
            &question.needs,
            question.age.is_some_and(|a| a < 18),
        ));
        baseline.push(started.elapsed());
    }
    baseline.sort_unstable();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n### Orientation over {services} generated services\n"
    );
    let _ = writeln!(
        out,
        "Services spread uniformly over the {} communes of France (one to three needs each, a sixth without hours), \
         one territory per département; {queries} queries from random communes asking one to three needs \
         ({:.1} suggestions per query on average), at random times of one week.\n",
        communes.len(),
        suggested as f64 / queries as f64
    );
    let _ = writeln!(out, "| measure | value | budget |\n|---|---|---|");
    let _ = writeln!(
        out,
        "| index build | {:.0} ms | |",
        build.as_secs_f64() * 1000.0
    );
    let _ = writeln!(
        out,
        "| query p50 | {:.1} µs | |",
        micros(percentile(&times, 0.50))
    );
    let _ = writeln!(
        out,
        "| query p99 | {:.1} µs | ≤ 200 µs (PostgreSQL+PostGIS, need-filtered nearest 5: 258 µs) |",
        micros(percentile(&times, 0.99))
    );
    let _ = writeln!(
        out,
        "| query max | {:.1} µs | |",
        micros(*times.last().unwrap_or(&Duration::ZERO))
    );
    let _ = writeln!(
        out,
        "| baseline: full scan, p50 / p99 ({baseline_queries} queries, nearest 3 per need, no hours) | {:.0} µs / {:.0} µs | |",
        micros(percentile(&baseline, 0.50)),
        micros(percentile(&baseline, 0.99))
    );
    let _ = writeln!(
        out,
        "| index p50 relative to the full scan | {:.1} % | |",
        100.0 * micros(percentile(&times, 0.50)) / micros(percentile(&baseline, 0.50))
    );
    out
}
