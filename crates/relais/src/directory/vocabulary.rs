//! The data·inclusion vocabularies, version 1, and what Relais reads from
//! them: the needs a thematique serves, the kind of a structure.
//!
//! The code lists come from the official schema package
//! (`data/data-inclusion-v1.tsv`, written by tools/data-inclusion/generate.sh):
//! a code is checked against them on the way in, so that what Relais
//! imports, its export keeps valid. Codes of version 0 that version 1
//! renamed are read as their version 1 code, with a warning; the mapping is a
//! judgement, written here and in docs/directory.md.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::directory::model::{Kind, Need};

const DATA: &str = include_str!("../../data/data-inclusion-v1.tsv");

/// One of the code lists of the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum List {
    /// `thematiques`.
    Thematique,
    /// `publics`.
    Public,
    /// `modes_accueil`.
    ModeAccueil,
    /// `frais`.
    Frais,
    /// A service's `type`.
    Type,
    /// `modes_mobilisation`.
    ModeMobilisation,
    /// `mobilisable_par`.
    MobilisablePar,
    /// A structure's `reseaux_porteurs`.
    ReseauPorteur,
}

impl List {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "thematique" => Self::Thematique,
            "public" => Self::Public,
            "mode_accueil" => Self::ModeAccueil,
            "frais" => Self::Frais,
            "type" => Self::Type,
            "mode_mobilisation" => Self::ModeMobilisation,
            "mobilisable_par" => Self::MobilisablePar,
            "reseau_porteur" => Self::ReseauPorteur,
            _ => return None,
        })
    }
}

static CODES: LazyLock<HashSet<(List, &'static str)>> = LazyLock::new(|| {
    DATA.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let mut fields = line.split('\t');
            let list = fields.next().and_then(List::parse);
            let code = fields.next();
            match (list, code) {
                (Some(list), Some(code)) => (list, code),
                // The file is embedded and checked by the tests.
                _ => panic!("data-inclusion-v1.tsv: malformed line {line:?}"),
            }
        })
        .collect()
});

/// Whether `code` is in the list.
pub fn is_code(list: List, code: &str) -> bool {
    CODES.contains(&(list, code))
}

/// The version 1 code of a thematique version 0 named otherwise: only the
/// codes of this field of work and its neighbours, each to the closest
/// version 1 thematique.
pub fn v0_thematique(code: &str) -> Option<&'static str> {
    Some(match code {
        "famille--violences-intrafamiliales" => "famille--surmonter-conflits-separation-violence",
        "famille--soutien-a-la-parentalite"
        | "famille--information-et-accompagnement-des-parents"
        | "famille--soutien-aux-familles"
        | "famille--accompagnement-femme-enceinte-bebe-jeune-enfant" => {
            "famille--soutien-a-la-parentalite-et-a-leducation"
        }
        "acces-aux-droits-et-citoyennete--accompagnement-juridique"
        | "acces-aux-droits-et-citoyennete--aide-aux-victimes" => {
            "difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire"
        }
        "acces-aux-droits-et-citoyennete--connaitre-ses-droits" => {
            "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"
        }
        "acces-aux-droits-et-citoyennete--accompagnement-dans-les-demarches-administratives" => {
            "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"
        }
        "acces-aux-droits-et-citoyennete--demandeurs-dasile-et-naturalisation" => {
            "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-a-la-citoyennete"
        }
        "logement-hebergement--mal-loges-sans-logis" => {
            "logement-hebergement--rechercher-une-solution-dhebergement-temporaire"
        }
        "logement-hebergement--etre-accompagne-pour-se-loger"
        | "logement-hebergement--connaissance-de-ses-droits-et-interlocuteurs" => {
            "logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement"
        }
        "logement-hebergement--probleme-avec-son-logement" => {
            "logement-hebergement--se-maintenir-dans-le-logement"
        }
        "logement-hebergement--gerer-son-budget"
        | "gestion-financiere--apprendre-a-gerer-son-budget" => {
            "difficultes-financieres--ameliorer-sa-gestion-budgetaire"
        }
        "gestion-financiere--prevention-et-gestion-du-surendettement" => {
            "difficultes-financieres--situation-dendettement-surendettement"
        }
        "gestion-financiere--obtenir-une-aide-alimentaire" => {
            "equipement-et-alimentation--alimentation"
        }
        "sante--bien-etre-psychologique" | "sante--accompagner-les-traumatismes" => {
            "sante--sante-mentale"
        }
        "sante--prevention-et-acces-aux-soins"
        | "sante--se-soigner-et-prevenir-la-maladie"
        | "sante--obtenir-la-prise-en-charge-de-frais-medicaux"
        | "sante--accompagnement-de-la-femme-enceinte-du-bebe-et-du-jeune-enfant" => {
            "sante--acces-aux-soins"
        }
        "sante--faire-face-a-une-situation-daddiction" => "sante--addictions",
        "sante--vie-relationnelle-et-affective" => "sante--sante-sexuelle",
        _ => return None,
    })
}

/// The version 1 code of a public version 0 (`profils`) named otherwise.
pub fn v0_public(code: &str) -> Option<&'static str> {
    Some(match code {
        "familles-enfants" => "familles",
        "jeunes-16-26" => "jeunes",
        "seniors-65" | "retraites" => "seniors",
        "demandeurs-demploi" => "demandeurs-emploi",
        "beneficiaires-rsa" => "beneficiaires-des-minimas-sociaux",
        "personnes-handicapees" => "personnes-en-situation-de-handicap",
        "personnes-de-nationalite-etrangere" => "personnes-exilees",
        "victimes" | "sans-domicile-fixe" => "personnes-en-situation-durgence",
        "salaries" => "actifs",
        _ => return None,
    })
}

/// The needs a thematique stands for, when a service does not give its own
/// (`relais.besoins`). Empty: the thematique is no need Relais orients to.
pub fn needs_of_thematique(code: &str) -> &'static [Need] {
    use Need::{
        Administrative, Children, Foreigners, Health, Housing, Legal, Psychological, Social,
    };
    match code {
        "famille--surmonter-conflits-separation-violence" => &[Legal, Psychological],
        "difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire"
        | "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"
        | "difficultes-administratives-ou-juridiques--connaitre-ses-droits-face-a-une-discrimination" => {
            &[Legal]
        }
        "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives" => {
            &[Administrative]
        }
        "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-a-la-citoyennete" => {
            &[Foreigners]
        }
        "difficultes-administratives-ou-juridiques--beneficier-dune-mesure-daccompagnement-adapte" => {
            &[Social]
        }
        "famille--soutien-a-la-parentalite-et-a-leducation" | "famille--garde-denfants" => {
            &[Children]
        }
        "sante--acces-aux-soins" | "sante--sante-sexuelle" | "sante--addictions" => &[Health],
        "sante--sante-mentale" | "remobilisation--bien-etre-confiance-en-soi" => &[Psychological],
        code if code.starts_with("logement-hebergement--") => &[Housing],
        code if code.starts_with("difficultes-financieres--")
            || code.starts_with("equipement-et-alimentation--") =>
        {
            &[Social]
        }
        _ => &[],
    }
}

/// The kind of a structure from its version 0 `typologie` (`CIDFF`,
/// `CCAS`…), when it names one Relais knows.
pub fn kind_of_typologie(code: &str) -> Option<Kind> {
    Some(match code.trim().to_ascii_uppercase().as_str() {
        "CIDFF" => Kind::Cidff,
        "CCAS" | "CIAS" => Kind::Ccas,
        "PAD" | "MJD" => Kind::JusticePoint,
        "CHRS" | "CHU" | "HUDA" | "CADA" | "CPH" | "PENSION" | "RS_FJT" => Kind::Shelter,
        "CMP" | "CMS" | "CSAPA" | "CAARUD" => Kind::Health,
        "CDAS" | "DEPT" | "MDS" | "CD" | "ASE" | "UDAF" => Kind::SocialService,
        _ => return None,
    })
}

/// The kind of a structure from one of its `reseaux_porteurs`, when it
/// names one Relais knows.
pub fn kind_of_reseau(code: &str) -> Option<Kind> {
    Some(match code {
        "cidff" => Kind::Cidff,
        "ccas-cias" => Kind::Ccas,
        "points-justice" => Kind::JusticePoint,
        "chrs" | "chu" | "cada" | "huda" | "cph" | "siao" | "residences-fjt" => Kind::Shelter,
        "cmp" | "cms" | "csapa" | "caarud" => Kind::Health,
        "departements"
        | "maisons-des-solidarites"
        | "ase"
        | "delegataire-conseil-departemental" => Kind::SocialService,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_lists_hold_the_v1_codes_and_not_the_v0_ones() {
        assert!(is_code(
            List::Thematique,
            "famille--surmonter-conflits-separation-violence"
        ));
        assert!(!is_code(
            List::Thematique,
            "famille--violences-intrafamiliales"
        ));
        assert!(is_code(List::Public, "tous-publics"));
        assert!(is_code(List::ModeAccueil, "a-distance"));
        assert!(is_code(List::Frais, "payant"));
        assert!(is_code(List::Type, "accompagnement"));
        assert!(is_code(List::ModeMobilisation, "telephoner"));
        assert!(is_code(List::MobilisablePar, "usagers"));
        assert!(is_code(List::ReseauPorteur, "cidff"));
    }

    #[test]
    fn every_v0_mapping_and_every_derived_need_names_a_v1_code() {
        let v0 = [
            "famille--violences-intrafamiliales",
            "famille--soutien-a-la-parentalite",
            "acces-aux-droits-et-citoyennete--demandeurs-dasile-et-naturalisation",
            "acces-aux-droits-et-citoyennete--accompagnement-juridique",
            "acces-aux-droits-et-citoyennete--connaitre-ses-droits",
            "acces-aux-droits-et-citoyennete--accompagnement-dans-les-demarches-administratives",
            "logement-hebergement--mal-loges-sans-logis",
            "logement-hebergement--etre-accompagne-pour-se-loger",
            "logement-hebergement--probleme-avec-son-logement",
            "logement-hebergement--gerer-son-budget",
            "gestion-financiere--prevention-et-gestion-du-surendettement",
            "gestion-financiere--obtenir-une-aide-alimentaire",
            "sante--bien-etre-psychologique",
            "sante--prevention-et-acces-aux-soins",
            "sante--faire-face-a-une-situation-daddiction",
            "sante--vie-relationnelle-et-affective",
        ];
        for code in v0 {
            let v1 = v0_thematique(code).unwrap_or_else(|| panic!("{code}"));
            assert!(is_code(List::Thematique, v1), "{code} → {v1}");
            assert!(!needs_of_thematique(v1).is_empty(), "{v1}");
        }
        for code in [
            "familles-enfants",
            "jeunes-16-26",
            "victimes",
            "personnes-de-nationalite-etrangere",
        ] {
            assert!(is_code(List::Public, v0_public(code).unwrap()), "{code}");
        }
        for code in [
            "cidff",
            "ccas-cias",
            "points-justice",
            "chrs",
            "cmp",
            "departements",
        ] {
            assert!(is_code(List::ReseauPorteur, code), "{code}");
            assert!(kind_of_reseau(code).is_some(), "{code}");
        }
    }
}
