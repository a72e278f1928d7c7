//! The vocabulary of the directory: needs, kinds of organisation, and the
//! records themselves. Codes are parsed once, at the edge (a file, a form, a
//! flag), into these types; nothing downstream handles raw strings.

use std::fmt;

use jiff::civil::Date;
use serde_json::{Map, Value};

use crate::directory::communes::Point;
use crate::storage::{OrganisationId, ServiceId};

macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal [$($alias:literal),*] $label:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every value, in a stable order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The canonical code, as stored and exported.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// The French label, for people.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)* }
            }

            /// Parses a code or one of its French aliases, ignoring case and
            /// surrounding spaces.
            pub fn parse(raw: &str) -> Option<Self> {
                let raw = raw.trim().to_lowercase();
                match raw.as_str() {
                    $( $code $(| $alias)* => Some(Self::$variant), )*
                    _ => None,
                }
            }
        }

        /// A stored code: one no value has is an error when the row is
        /// read, never a row quietly left out.
        impl TryFrom<String> for $name {
            type Error = crate::storage::UnknownCode;

            fn try_from(code: String) -> Result<Self, Self::Error> {
                Self::parse(&code).ok_or(crate::storage::UnknownCode {
                    what: stringify!($name),
                    code,
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

coded_enum! {
    /// What a person needs help with; a service serves one or several.
    pub enum Need {
        /// Know one's rights, legal advice.
        Legal = "legal" ["juridique", "droit"] "Droits, conseil juridique",
        /// File a complaint.
        Complaint = "complaint" ["plainte"] "Plainte, main courante",
        /// Protection order, téléphone grave danger.
        Protection = "protection" ["ordonnance-protection", "ordonnance-de-protection"] "Protection, ordonnance de protection",
        /// Shelter, emergency housing, staying at home.
        Housing = "housing" ["hebergement", "logement"] "Hébergement, logement",
        /// Care, medical certificate, forensic examination.
        Health = "health" ["sante"] "Soins, constat des blessures",
        /// Being listened to.
        Psychological = "psychological" ["psychologique", "ecoute"] "Écoute, soutien psychologique",
        /// Social and financial help.
        Social = "social" ["argent", "social-financier"] "Aide sociale et financière",
        /// Children: custody, protection.
        Children = "children" ["enfants"] "Enfants",
        /// Rights of foreign nationals.
        Foreigners = "foreigners" ["etrangers", "droit-des-etrangers"] "Droits des personnes étrangères",
        /// Administrative steps.
        Administrative = "administrative" ["administratif", "demarches"] "Démarches administratives",
        /// Services for young people.
        Youth = "youth" ["jeunes", "jeunesse"] "Jeunes",
    }
}

coded_enum! {
    /// The kind of an organisation.
    pub enum Kind {
        /// Lawyer or legal advice session (permanence juridique).
        Lawyer = "lawyer" ["avocat", "avocate", "permanence-juridique"] "Avocat·e, permanence juridique",
        /// Point-justice, CDAD.
        JusticePoint = "justice-point" ["point-justice", "cdad"] "Point-justice",
        /// Police.
        Police = "police" [] "Police",
        /// Gendarmerie.
        Gendarmerie = "gendarmerie" [] "Gendarmerie",
        /// Social worker in police and gendarmerie stations.
        SocialWorkerPolice = "social-worker-police" ["intervenant-social", "iscg"] "Intervenant·e social·e en commissariat et gendarmerie",
        /// Victim support association.
        VictimSupport = "victim-support" ["aide-aux-victimes", "france-victimes"] "Association d'aide aux victimes",
        /// Centre d'information sur les droits des femmes et des familles.
        Cidff = "cidff" [] "CIDFF",
        /// Day centre and shelter.
        Shelter = "shelter" ["hebergement", "accueil-de-jour"] "Accueil de jour, hébergement",
        /// Hospital, forensic unit, doctor.
        Health = "health" ["sante", "umj", "hopital"] "Santé, unité médico-judiciaire",
        /// Psychologist.
        Psychologist = "psychologist" ["psychologue"] "Psychologue",
        /// Protection maternelle et infantile.
        Pmi = "pmi" [] "PMI",
        /// Family planning.
        FamilyPlanning = "family-planning" ["planning-familial", "cpef"] "Planning familial, CPEF",
        /// Maison des Adolescents.
        YouthHouse = "youth-house" ["maison-des-adolescents", "mda"] "Maison des Adolescents",
        /// Departmental social service.
        SocialService = "social-service" ["service-social"] "Service social départemental",
        /// Centre communal d'action sociale.
        Ccas = "ccas" [] "CCAS",
        /// Any other organisation: what a data·inclusion file describes
        /// without a type Relais can read (docs/directory.md).
        Other = "other" ["autre"] "Autre structure",
    }
}

/// A set of needs, as a bit mask: cheap to copy and to test.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Needs(u16);

impl Needs {
    /// No need.
    pub const EMPTY: Self = Self(0);

    /// Adds a need.
    pub fn insert(&mut self, need: Need) {
        self.0 |= Self::bit(need);
    }

    /// Whether the set holds `need`.
    pub fn contains(self, need: Need) -> bool {
        self.0 & Self::bit(need) != 0
    }

    fn bit(need: Need) -> u16 {
        // Variants carry no explicit discriminant: 0, 1, 2… in order.
        1 << (need as u16)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The needs in the set, in the order of [`Need::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Need> {
        Need::ALL
            .iter()
            .copied()
            .filter(move |need| self.contains(*need))
    }

    /// Comma-separated canonical codes, as stored.
    pub fn to_codes(self) -> String {
        self.iter().map(Need::code).collect::<Vec<_>>().join(",")
    }

    /// Parses stored codes; unknown codes are skipped (they were checked on
    /// the way in).
    pub fn from_codes(codes: &str) -> Self {
        codes.split(',').filter_map(Need::parse).collect()
    }
}

impl FromIterator<Need> for Needs {
    fn from_iter<I: IntoIterator<Item = Need>>(iter: I) -> Self {
        let mut needs = Self::EMPTY;
        for need in iter {
            needs.insert(need);
        }
        needs
    }
}

/// An organisation (a *structure*): who offers services.
#[derive(Clone, Debug, PartialEq)]
pub struct Organisation {
    /// Our identifier.
    pub id: OrganisationId,
    /// The territory whose directory lists it.
    pub territory: String,
    /// Its identifier in the source file.
    pub source_id: String,
    /// Public name.
    pub name: String,
    /// What kind of organisation it is.
    pub kind: Kind,
    /// SIRET, 14 digits.
    pub siret: Option<String>,
    /// Main telephone number.
    pub phone: Option<String>,
    /// Main e-mail.
    pub email: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// It offers live help ("Parler maintenant", docs/live.md) during
    /// `live_hours`; never set without them.
    pub live: bool,
    /// When a professional may be on duty for live help, OpenStreetMap
    /// syntax in the territory's time, checked on the way in; empty: never.
    pub live_hours: String,
    /// The data·inclusion fields Relais shows nobody but keeps, as they
    /// came (checked on the way in), so that its export gives them back:
    /// `description`, `lien_source`, the address, `horaires_accueil`,
    /// `accessibilite_lieu`, `reseaux_porteurs`, and `source`, `date_maj`,
    /// `telephone` as given. Empty for what a CSV or a form described.
    pub source_fields: Map<String, Value>,
}

/// A service: what a person can get, where and when.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// Our identifier.
    pub id: ServiceId,
    /// The organisation offering it.
    pub organisation_id: OrganisationId,
    /// Its identifier in the source file.
    pub source_id: String,
    /// What it is, in a few words.
    pub name: String,
    /// A few sentences for the person.
    pub description: Option<String>,
    /// The needs it serves.
    pub needs: Needs,
    /// data·inclusion thematiques.
    pub thematiques: Vec<String>,
    /// data·inclusion publics.
    pub publics: Vec<String>,
    /// data·inclusion modes d'accueil.
    pub modes_accueil: Vec<String>,
    /// INSEE or département codes of who may come; empty: anyone.
    pub zone_eligibilite: Vec<String>,
    /// Opening hours, OpenStreetMap syntax, checked on the way in.
    pub opening_hours: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// Street address; never shown when `confidential_address`.
    pub street: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// INSEE code of the commune.
    pub commune_insee: String,
    /// Where it is; `None`: the commune's coordinate.
    pub point: Option<Point>,
    /// The address must never be shown: only the public contact.
    pub confidential_address: bool,
    /// How to reach it when the address is confidential.
    pub public_contact: Option<String>,
    /// A person may contact it without giving her name.
    pub accepts_anonymous: bool,
    /// ISO 639-1 codes of the languages spoken.
    pub languages: Vec<String>,
    /// French Sign Language available.
    pub lsf: bool,
    /// Wheelchair accessible.
    pub wheelchair: bool,
    /// Receives people under 18.
    pub receives_minors: bool,
    /// Free of charge.
    pub free_of_charge: bool,
    /// Receives reports sent through Relais.
    pub receives_referrals: bool,
    /// When the information was last checked.
    pub verified_on: Option<Date>,
    /// Who checked it.
    pub verified_by: Option<String>,
    /// The data·inclusion fields Relais shows nobody but keeps, as they
    /// came (checked on the way in), so that its export gives them back:
    /// `type`, `frais_precisions`, `conditions_acces`, the ways to
    /// mobilise it…, and `source`, `date_maj`, `telephone`, `frais` as
    /// given. Empty for what a form described.
    pub source_fields: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_kind_no_value_has_is_an_error_not_a_row_left_out() {
        for kind in Kind::ALL {
            assert_eq!(Kind::try_from(kind.code().to_owned()).unwrap(), *kind);
        }
        let error = Kind::try_from("ovni".to_owned()).unwrap_err();
        assert_eq!(error.to_string(), "unknown stored Kind \"ovni\"");
    }

    #[test]
    fn codes_and_french_aliases_parse_to_the_same_need() {
        assert_eq!(Need::parse("legal"), Some(Need::Legal));
        assert_eq!(Need::parse(" Juridique "), Some(Need::Legal));
        assert_eq!(Need::parse("hebergement"), Some(Need::Housing));
        assert_eq!(Need::parse("vacances"), None);
        assert_eq!(Kind::parse("CIDFF"), Some(Kind::Cidff));
        assert_eq!(Kind::parse("planning-familial"), Some(Kind::FamilyPlanning));
    }

    #[test]
    fn a_set_of_needs_round_trips_through_its_codes() {
        let needs: Needs = [Need::Housing, Need::Legal, Need::Youth]
            .into_iter()
            .collect();
        assert_eq!(needs.to_codes(), "legal,housing,youth");
        assert_eq!(Needs::from_codes("legal,housing,youth"), needs);
        assert!(needs.contains(Need::Housing) && !needs.contains(Need::Health));
    }

    #[test]
    fn every_need_fits_in_the_mask() {
        assert!(Need::ALL.len() <= 16);
    }
}

#[cfg(test)]
mod documentation {
    use super::*;

    #[test]
    fn every_code_is_documented_for_coordinators() {
        let doc = include_str!("../../../../docs/directory.md");
        for code in Need::ALL
            .iter()
            .map(|n| n.code())
            .chain(Kind::ALL.iter().map(|k| k.code()))
        {
            assert!(
                doc.contains(&format!("| `{code}` |")),
                "docs/directory.md does not document `{code}`"
            );
        }
    }
}
