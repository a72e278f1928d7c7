//! Territories: the sets of communes an association runs Relais for, with
//! what is particular to each (the neutral exit site, the youth services,
//! the coordinating association's contact).

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::directory::communes::Communes;
use crate::directory::contact::{Phone, check_email, check_website};

/// A territory's slug: lowercase ASCII letters, digits and single hyphens.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    /// Checks a slug.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let valid = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-')
            && !raw.ends_with('-')
            && !raw.contains("--");
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!(
                "« {raw} » n'est pas un identifiant de territoire (lettres minuscules, chiffres et tirets)"
            ))
        }
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A contact for young people, shown to a person under 18.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct YouthService {
    /// Name.
    pub name: String,
    /// Telephone, canonical form.
    pub phone: String,
    /// What it offers, in a few words.
    #[serde(default)]
    pub description: Option<String>,
}

/// The association that runs a territory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coordinator {
    /// Name.
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
}

/// A territory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Territory {
    /// Identifier.
    pub slug: Slug,
    /// Name shown to people.
    pub name: String,
    /// Where quick exit leads on this territory's pages; `None`: the
    /// server's setting.
    pub neutral_url: Option<String>,
    /// Communes listed one by one (current INSEE codes).
    pub communes: BTreeSet<String>,
    /// Whole départements.
    pub departements: BTreeSet<String>,
    /// The coordinating association.
    pub coordinator: Coordinator,
    /// Youth services, in the order to show them.
    pub youth_services: Vec<YouthService>,
    /// The host names that open the site on this territory
    /// (`aide-montreuillois.example.org`), lowercase, without port.
    pub hosts: BTreeSet<String>,
    /// Suspended by an administrator: its entry says so and shows the
    /// national lines; it orients nobody. (Set by its own action, never by
    /// the territory file.)
    pub suspended: bool,
}

impl Territory {
    /// Whether the territory covers a commune.
    pub fn covers(&self, insee: &str, departement: &str) -> bool {
        self.communes.contains(insee) || self.departements.contains(departement)
    }

    /// The département whose clock the territory's days follow: its first
    /// whole département, else that of its first commune. (A territory
    /// spans one time zone: overseas départements are each their own.)
    pub fn departement<'a>(&'a self, communes: &'a Communes) -> &'a str {
        if let Some(code) = self.departements.first() {
            return code;
        }
        self.communes
            .first()
            .and_then(|insee| communes.by_insee(insee))
            .map_or(crate::directory::hours::METROPOLE, |commune| {
                &*commune.departement
            })
    }
}

/// The territory file, as written by a coordinator (or filled from the
/// back office's form).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerritoryFile {
    /// Identifier.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Neutral exit site.
    #[serde(default)]
    pub neutral_url: Option<String>,
    /// INSEE codes.
    #[serde(default)]
    pub communes: Vec<String>,
    /// Département codes.
    #[serde(default)]
    pub departements: Vec<String>,
    /// The coordinating association.
    #[serde(default)]
    pub coordinator: Option<CoordinatorFile>,
    /// Youth services.
    #[serde(default)]
    pub youth_services: Vec<YouthServiceFile>,
    /// Host names of its own entry.
    #[serde(default)]
    pub hosts: Vec<String>,
}

/// The coordinating association, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoordinatorFile {
    /// Name.
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
}

/// A youth service, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YouthServiceFile {
    /// Name.
    pub name: String,
    /// Telephone.
    pub phone: String,
    /// A few words.
    pub description: Option<String>,
}

/// Reads a territory file and checks every field, returning every problem
/// found (with the field it concerns) rather than the first.
pub fn parse_territory_file(text: &str, communes: &Communes) -> Result<Territory, Vec<String>> {
    let file: TerritoryFile = toml::from_str(text).map_err(|error| vec![error.to_string()])?;
    check_territory(file, communes)
}

/// Checks a territory's settings, returning every problem (each starting
/// with the field it concerns) rather than the first.
pub fn check_territory(file: TerritoryFile, communes: &Communes) -> Result<Territory, Vec<String>> {
    let mut problems = Vec::new();
    let slug = Slug::parse(&file.slug)
        .map_err(|e| problems.push(format!("slug : {e}")))
        .ok();
    if file.name.trim().is_empty() {
        problems.push("name : le nom du territoire est vide".to_owned());
    }
    let neutral_url = file
        .neutral_url
        .filter(|url| !url.trim().is_empty())
        .and_then(|url| {
            check_website(&url)
                .map_err(|e| problems.push(format!("neutral_url : {e}")))
                .ok()
        });
    let mut codes = BTreeSet::new();
    for code in &file.communes {
        match communes.by_insee(code) {
            Some(commune) => {
                codes.insert(commune.insee.to_string());
            }
            None => problems.push(format!(
                "communes : « {code} » n'est le code INSEE d'aucune commune"
            )),
        }
    }
    let mut departements = BTreeSet::new();
    for code in &file.departements {
        let code = code.trim().to_ascii_uppercase();
        if communes.departement_exists(&code) {
            departements.insert(code);
        } else {
            problems.push(format!(
                "departements : « {code} » n'est pas un code de département"
            ));
        }
    }
    if codes.is_empty() && departements.is_empty() {
        problems.push(
            "communes : le territoire ne couvre aucune commune (donnez communes ou departements)"
                .to_owned(),
        );
    }
    let coordinator = file
        .coordinator
        .map_or_else(Coordinator::default, |c| Coordinator {
            name: c.name.filter(|n| !n.trim().is_empty()),
            email: c.email.filter(|e| !e.trim().is_empty()).and_then(|e| {
                check_email(&e)
                    .map_err(|e| problems.push(format!("coordinator.email : {e}")))
                    .ok()
            }),
            phone: c.phone.filter(|p| !p.trim().is_empty()).and_then(|p| {
                Phone::parse(&p)
                    .map(|p| p.as_str().to_owned())
                    .map_err(|e| problems.push(format!("coordinator.phone : {e}")))
                    .ok()
            }),
        });
    let mut youth_services = Vec::new();
    for (i, service) in file.youth_services.into_iter().enumerate() {
        if service.name.trim().is_empty() {
            problems.push(format!("youth_services[{i}].name : le nom est vide"));
        }
        match Phone::parse(&service.phone) {
            Ok(phone) => youth_services.push(YouthService {
                name: service.name.trim().to_owned(),
                phone: phone.as_str().to_owned(),
                description: service.description.filter(|d| !d.trim().is_empty()),
            }),
            Err(e) => problems.push(format!("youth_services[{i}].phone : {e}")),
        }
    }
    let mut hosts = BTreeSet::new();
    for host in &file.hosts {
        match check_host(host) {
            Ok(host) => {
                hosts.insert(host);
            }
            Err(e) => problems.push(format!("hosts : {e}")),
        }
    }
    match slug {
        Some(slug) if problems.is_empty() => Ok(Territory {
            slug,
            name: file.name.trim().to_owned(),
            neutral_url,
            communes: codes,
            departements,
            coordinator,
            youth_services,
            hosts,
            suspended: false,
        }),
        _ => Err(problems),
    }
}

/// Checks a host name a territory's entry answers on: a DNS name of at
/// least two labels (letters, digits, hyphens), without scheme, port or
/// path, given back in lowercase.
pub fn check_host(raw: &str) -> Result<String, String> {
    let host = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if !host.is_empty() && host.len() <= 253 && host.contains('.') && host.split('.').all(label_ok)
    {
        Ok(host)
    } else {
        Err(format!(
            "« {} » n'est pas un nom d'hôte (par exemple aide-montreuillois.example.org, sans https:// ni chemin)",
            raw.trim()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_name_is_a_dns_name_without_scheme_port_or_path() {
        assert_eq!(
            check_host(" Aide-Montreuillois.Example.org. ").unwrap(),
            "aide-montreuillois.example.org"
        );
        for bad in [
            "",
            "localhost",
            "https://aide.example.org",
            "aide.example.org:8080",
            "aide.example.org/t",
            "-a.example.org",
            "a..example.org",
            "aidé.example.org",
        ] {
            assert!(check_host(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_territory_keeps_the_clock_of_its_departement_overseas_too() {
        let communes = Communes::embedded();
        let reunion = parse_territory_file(
            "slug = \"sud\"\nname = \"Sud\"\ncommunes = [\"97416\"]\n",
            &communes,
        )
        .unwrap();
        assert_eq!(reunion.departement(&communes), "974");
        let corse = parse_territory_file(
            "slug = \"corse\"\nname = \"Corse\"\ndepartements = [\"2B\", \"2A\"]\n",
            &communes,
        )
        .unwrap();
        assert_eq!(corse.departement(&communes), "2A");
        let montreuil = parse_territory_file(
            "slug = \"m\"\nname = \"M\"\ncommunes = [\"62588\"]\n",
            &communes,
        )
        .unwrap();
        assert_eq!(montreuil.departement(&communes), "62");
    }

    #[test]
    fn a_slug_is_lowercase_letters_digits_and_hyphens() {
        assert!(Slug::parse("montreuillois").is_ok());
        assert!(Slug::parse("pas-de-calais-2").is_ok());
        for bad in ["", "Montreuillois", "mon treuil", "-a", "a--b", "é"] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_territory_file_is_read_and_its_codes_checked() {
        let communes = Communes::embedded();
        let territory = parse_territory_file(
            r#"
            slug = "test"
            name = "Test"
            communes = ["62588", "49006"]
            departements = ["2a"]
            [[youth_services]]
            name = "Fil Santé Jeunes"
            phone = "0800235236"
            "#,
            &communes,
        )
        .unwrap();
        // An old code is stored as the current commune's.
        assert!(territory.communes.contains("49023"));
        assert!(territory.covers("2A004", "2A"));
        assert_eq!(territory.youth_services[0].phone, "0800 235 236");
    }

    #[test]
    fn every_problem_of_a_territory_file_is_reported_with_its_field() {
        let communes = Communes::embedded();
        let problems = parse_territory_file(
            r#"
            slug = "Bad Slug"
            name = ""
            communes = ["99999"]
            departements = ["100"]
            [coordinator]
            email = "nope"
            "#,
            &communes,
        )
        .unwrap_err();
        let all = problems.join("\n");
        for field in [
            "slug",
            "name",
            "communes",
            "departements",
            "coordinator.email",
        ] {
            assert!(
                all.contains(&format!("{field} :")),
                "{field} missing from:\n{all}"
            );
        }
    }

    #[test]
    fn an_unknown_key_in_a_territory_file_is_refused_with_its_line() {
        let communes = Communes::embedded();
        let problems =
            parse_territory_file("slug = \"a\"\nname = \"A\"\ncomunes = []\n", &communes)
                .unwrap_err();
        assert!(
            problems[0].contains("comunes") && problems[0].contains("line 3"),
            "{problems:?}"
        );
    }
}
