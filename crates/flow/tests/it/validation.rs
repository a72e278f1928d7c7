//! What `Flow::parse` refuses: one small bad flow per problem, with its line.

use flow::{Flow, NEEDS, Outcome, Role, StepKind};

use crate::support::{EXAMPLE, assert_one_problem, listed, parse, places, problems};

#[test]
fn a_valid_flow_is_read_with_its_steps_in_file_order() {
    let flow = parse(EXAMPLE);

    let ids: Vec<&str> = flow.steps().map(|step| step.id.as_str()).collect();

    assert_eq!(flow.id(), "exemple");
    assert_eq!(flow.start().id, "bienvenue");
    assert_eq!(ids[..4], ["bienvenue", "formulaire", "age", "danger"]);
    assert_eq!(ids.len(), 16);
    assert!(flow.step("age").is_some());
    assert!(flow.step("inconnue").is_none());
    assert!(matches!(
        flow.step("age").unwrap().kind,
        StepKind::Number {
            min: 8,
            max: 120,
            ..
        }
    ));
    assert_eq!(
        flow.step("age").unwrap().question.get("en"),
        "How old are you?"
    );
    assert_eq!(
        flow.step("danger").unwrap().question.get("en"),
        "Êtes-vous en danger en ce moment ?"
    );
}

#[test]
fn the_version_changes_whenever_the_file_changes() {
    let one = parse(EXAMPLE);
    let other = parse(&format!("{EXAMPLE}\n# une note\n"));

    assert_eq!(one.version().len(), 16);
    assert_eq!(one.version(), parse(EXAMPLE).version());
    assert_ne!(one.version(), other.version());
}

#[test]
fn text_and_long_text_have_default_maximum_lengths() {
    let flow = parse(
        r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "text"
question = { fr = "A" }
next = "b"

[[step]]
id = "b"
type = "long_text"
question = { fr = "B" }
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#,
    );

    assert!(matches!(
        flow.step("a").unwrap().kind,
        StepKind::Text { max_length: 80 }
    ));
    assert!(matches!(
        flow.step("b").unwrap().kind,
        StepKind::LongText { max_length: 2000 }
    ));
}

#[test]
fn a_toml_syntax_error_is_given_with_its_line() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "message
"#;

    assert_one_problem(source, 6, None, "TOML");
}

#[test]
fn an_unknown_key_is_refused_where_it_is() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "number"
question = { fr = "Âge ?" }
min = 8
maxi = 120
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    let problems = problems(source);

    assert_eq!(
        places(&problems),
        [(Some(5), Some("a")), (Some(9), Some("a"))],
        "{}",
        listed(&problems)
    );
    assert!(problems[0].message.contains("il manque « max »"));
    assert!(problems[1].message.contains("clé « maxi » inconnue"));
}

#[test]
fn unknown_keys_at_the_top_in_a_choice_and_in_a_rule_are_all_refused() {
    let source = r#"id = "t"
start = "a"
titre = "Parcours"

[[step]]
id = "a"
type = "choice"
question = { fr = "A ?" }

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }
  suivant = "fin"
  next = "fin"

  [[step.when]]
  if = "a == oui"
  then = "fin"
  next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    let problems = problems(source);

    assert_eq!(
        places(&problems),
        [
            (Some(3), None),
            (Some(13), Some("a")),
            (Some(18), Some("a"))
        ],
        "{}",
        listed(&problems)
    );
}

#[test]
fn a_setting_that_does_not_fit_the_type_is_refused() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "choice"
question = { fr = "A ?" }
min = 3

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }
  next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(
        source,
        8,
        Some("a"),
        "« min » ne s'applique pas à une étape « choice »",
    );
}

#[test]
fn a_message_cannot_be_optional() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "message"
question = { fr = "Bonjour" }
optional = true
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 8, Some("a"), "ne peut pas être facultative");
}

#[test]
fn a_step_marked_report_false_is_read_so_and_the_others_are_in_the_report() {
    let flow = parse(
        r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "choice"
question = { fr = "Le formulaire ?" }
report = false

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }
  next = "b"

[[step]]
id = "b"
type = "text"
question = { fr = "B" }
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#,
    );

    assert!(!flow.step("a").unwrap().in_report);
    assert!(flow.step("b").unwrap().in_report);
}

#[test]
fn a_message_cannot_be_left_out_of_the_report_it_is_never_in() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "message"
question = { fr = "Bonjour" }
report = false
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 8, Some("a"), "le compte-rendu ne la montre jamais");
}

#[test]
fn the_contact_cannot_be_left_out_of_the_report() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "contact"
role = "contact"
question = { fr = "Comment vous joindre ?" }
report = false
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 9, Some("a"), "le compte-rendu en a besoin");
}

#[test]
fn report_is_true_or_false() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "text"
question = { fr = "A" }
report = "non"
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 8, Some("a"), "vaut true ou false");
}

#[test]
fn an_unknown_type_is_refused() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "date"
question = { fr = "Quand ?" }
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 6, Some("a"), "type « date » inconnu");
}

#[test]
fn two_steps_with_the_same_id_are_refused() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "message"
question = { fr = "A" }
next = "fin"

[[step]]
id = "a"
type = "message"
question = { fr = "Encore A" }
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 11, Some("a"), "déjà l'id « a » (ligne 5)");
}

#[test]
fn two_choices_of_a_step_with_the_same_id_are_refused() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "choice"
question = { fr = "A ?" }
next = "fin"

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui, vraiment" }

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 15, Some("a"), "déjà l'id « oui » (ligne 11)");
}

#[test]
fn an_id_with_capitals_or_accents_is_refused() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "choice"
question = { fr = "A ?" }
next = "fin"

  [[step.choice]]
  id = "Déjà"
  label = { fr = "Déjà" }

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 11, Some("a"), "n'est pas un identifiant");
}

#[test]
fn a_next_naming_no_step_is_refused() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "message"
question = { fr = "A" }
next = "fni"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    let problems = problems(source);

    // The unreachable end follows from the same typo, and is reported too:
    // both are true, and fixing the typo mends both.
    assert_eq!(
        places(&problems),
        [(Some(8), Some("a")), (Some(11), Some("fin"))],
        "{}",
        listed(&problems)
    );
    assert!(
        problems[0]
            .message
            .contains("l'étape « fni », qui n'existe pas")
    );
}

#[test]
fn a_start_naming_no_step_is_refused() {
    let source = r#"id = "t"
start = "debut"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 2, None, "« start » nomme l'étape « debut »");
}

#[test]
fn a_condition_naming_no_step_is_refused() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "number"
question = { fr = "Âge ?" }
min = 0
max = 120
next = "fin"

  [[step.when]]
  if = "ages < 18"
  next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 13, Some("a"), "la condition nomme l'étape « ages »");
}

#[test]
fn a_need_that_does_not_exist_is_refused() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "multiple"
question = { fr = "Besoins ?" }
next = "fin"

  [[step.choice]]
  id = "toit"
  label = { fr = "Un toit" }
  needs = ["housing",
           "logement"]

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 14, Some("a"), "le besoin « logement » n'existe pas");
}

#[test]
fn every_text_needs_its_french_version() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "number"
question = { en = "Age?" }
help = { fr = "" }
button = { ar = "…" }
min = 0
max = 120
unit = { en = "years" }
next = "b"

[[step]]
id = "b"
type = "choice"
question = { fr = "B ?" }

  [[step.choice]]
  id = "oui"
  label = { en = "Yes" }
  next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    let problems = problems(source);

    assert_eq!(
        places(&problems),
        [
            (Some(7), Some("a")),
            (Some(8), Some("a")),
            (Some(9), Some("a")),
            (Some(12), Some("a")),
            (Some(22), Some("b")),
        ],
        "{}",
        listed(&problems)
    );
    assert!(
        problems[0]
            .message
            .contains("« question » n'a pas de version française")
    );
    assert!(
        problems[1]
            .message
            .contains("le texte français de « help » est vide")
    );
    assert!(
        problems[4]
            .message
            .contains("« label » n'a pas de version française")
    );
}

#[test]
fn a_step_no_path_reaches_is_refused() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "message"
question = { fr = "A" }
next = "fin"

[[step]]
id = "oubliee"
type = "message"
question = { fr = "Jamais vue" }
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 11, Some("oubliee"), "aucun chemin depuis « start »");
}

#[test]
fn a_step_with_no_way_on_is_a_dead_end() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "commune"
question = { fr = "Où ?" }

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    let problems = problems(source);

    // The end is also unreachable: nothing leads to it.
    assert_eq!(
        places(&problems),
        [(Some(5), Some("a")), (Some(10), Some("fin"))],
        "{}",
        listed(&problems)
    );
    assert!(problems[0].message.contains("ne mène nulle part"));
}

#[test]
fn rules_alone_do_not_save_a_step_from_being_a_dead_end() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "number"
question = { fr = "Âge ?" }
min = 0
max = 120

  [[step.when]]
  if = "a < 18"
  next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(
        source,
        5,
        Some("a"),
        "les [[step.when]] ne couvrent pas tous les cas",
    );
}

#[test]
fn a_choice_with_no_next_in_a_step_with_no_next_is_a_dead_end() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "choice"
question = { fr = "A ?" }

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }
  next = "fin"

  [[step.choice]]
  id = "non"
  label = { fr = "Non" }

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(
        source,
        15,
        Some("a"),
        "la réponse « non » ne mène nulle part",
    );
}

#[test]
fn an_optional_choice_needs_its_own_next_for_when_it_is_skipped() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "choice"
question = { fr = "A ?" }
optional = true

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }
  next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(
        source,
        5,
        Some("a"),
        "passer la question ne mènerait nulle part",
    );
}

#[test]
fn a_cycle_with_no_way_out_is_refused() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "choice"
question = { fr = "A ?" }

  [[step.choice]]
  id = "fin"
  label = { fr = "Finir" }
  next = "fin"

  [[step.choice]]
  id = "boucle"
  label = { fr = "Tourner" }
  next = "b"

[[step]]
id = "b"
type = "message"
question = { fr = "B" }
next = "c"

[[step]]
id = "c"
type = "message"
question = { fr = "C" }
next = "b"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    let problems = problems(source);

    assert_eq!(
        places(&problems),
        [(Some(20), Some("b")), (Some(26), Some("c"))],
        "{}",
        listed(&problems)
    );
    assert!(
        problems[0]
            .message
            .contains("aucune issue ne peut être atteinte")
    );
}

#[test]
fn a_cycle_with_a_way_out_is_allowed() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "choice"
question = { fr = "Avez-vous compris ?" }

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }
  next = "fin"

  [[step.choice]]
  id = "non"
  label = { fr = "Non, réexpliquez" }
  next = "explication"

[[step]]
id = "explication"
type = "message"
question = { fr = "Autrement dit…" }
next = "a"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert!(Flow::parse(source, NEEDS).is_ok());
}

#[test]
fn a_condition_on_a_later_answer_is_refused() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "message"
question = { fr = "A" }
next = "age"

  [[step.when]]
  if = "age < 18"
  next = "fin"

[[step]]
id = "age"
type = "number"
question = { fr = "Âge ?" }
min = 0
max = 120
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(
        source,
        11,
        Some("a"),
        "« age », qui n'est pas toujours répondue avant",
    );
}

#[test]
fn a_condition_on_a_step_that_some_paths_skip_over_is_refused() {
    let source = r#"id = "t"
start = "qui"

[[step]]
id = "qui"
type = "choice"
question = { fr = "Qui ?" }
next = "fin"

  [[step.choice]]
  id = "moi"
  label = { fr = "Moi" }
  next = "age"

  [[step.choice]]
  id = "proche"
  label = { fr = "Un proche" }
  next = "besoins"

[[step]]
id = "age"
type = "number"
question = { fr = "Âge ?" }
min = 0
max = 120
next = "besoins"

[[step]]
id = "besoins"
type = "message"
question = { fr = "Besoins" }
next = "fin"

  [[step.when]]
  if = "qui == moi and age < 18"
  next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(
        source,
        35,
        Some("besoins"),
        "« age », qui n'est pas toujours répondue",
    );
}

#[test]
fn a_comparison_on_an_optional_step_is_refused_but_answered_and_skipped_are_allowed() {
    let source = r#"id = "t"
start = "age"

[[step]]
id = "age"
type = "number"
question = { fr = "Âge ?" }
optional = true
min = 0
max = 120
next = "fin"

  [[step.when]]
  if = "age skipped"
  next = "fin"

  [[step.when]]
  if = "age answered and age < 18"
  next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 18, Some("age"), "une étape facultative");
}

#[test]
fn a_condition_that_does_not_fit_its_step_is_refused() {
    let source = r#"id = "t"
start = "age"

[[step]]
id = "age"
type = "number"
question = { fr = "Âge ?" }
min = 0
max = 120
next = "danger"

  [[step.when]]
  if = "age has x"
  next = "fin"

[[step]]
id = "danger"
type = "choice"
question = { fr = "Danger ?" }
next = "fin"

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }

  [[step.choice]]
  id = "non"
  label = { fr = "Non" }

  [[step.when]]
  if = "danger < 3"
  next = "fin"

  [[step.when]]
  if = "danger == peut-etre"
  next = "fin"

  [[step.when]]
  if = "age == vieux"
  next = "fin"

  [[step.when]]
  if = "age >="
  next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    let problems = problems(source);

    assert_eq!(
        places(&problems),
        [
            (Some(13), Some("age")),
            (Some(31), Some("danger")),
            (Some(35), Some("danger")),
            (Some(39), Some("danger")),
            (Some(43), Some("danger")),
        ],
        "{}",
        listed(&problems)
    );
    assert!(problems[0].message.contains("« age » est un nombre"));
    assert!(problems[1].message.contains("« danger » est un choix"));
    assert!(
        problems[2]
            .message
            .contains("n'a pas de réponse « peut-etre »")
    );
    assert!(problems[3].message.contains("pas à « vieux »"));
    assert!(problems[4].message.contains("je ne comprends pas"));
}

#[test]
fn has_names_a_choice_of_a_multiple_step() {
    let source = r#"id = "t"
start = "v"

[[step]]
id = "v"
type = "multiple"
question = { fr = "Violences ?" }
optional = true
next = "fin"

  [[step.choice]]
  id = "physiques"
  label = { fr = "Physiques" }

  [[step.when]]
  if = "v has physique"
  next = "fin"

  [[step.when]]
  if = "v == physiques"
  next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    let problems = problems(source);

    assert_eq!(
        places(&problems),
        [(Some(16), Some("v")), (Some(20), Some("v"))],
        "{}",
        listed(&problems)
    );
    assert!(
        problems[0]
            .message
            .contains("n'a pas de réponse « physique »")
    );
    assert!(problems[1].message.contains("écrivez « v has physiques »"));
}

#[test]
fn a_choice_of_a_multiple_step_cannot_have_a_next() {
    let source = r#"id = "t"
start = "v"

[[step]]
id = "v"
type = "multiple"
question = { fr = "Violences ?" }
next = "fin"

  [[step.choice]]
  id = "physiques"
  label = { fr = "Physiques" }
  next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(
        source,
        13,
        Some("v"),
        "une réponse d'une étape « multiple »",
    );
}

#[test]
fn a_number_needs_min_no_greater_than_max() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "number"
question = { fr = "Âge ?" }
min = 120
max = 8
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(
        source,
        8,
        Some("a"),
        "« min » (120) est plus grand que « max » (8)",
    );
}

#[test]
fn a_setting_of_the_wrong_type_is_refused() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "text"
question = { fr = "Prénom ?" }
optional = "oui"
max_length = 0
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = "Fin"
"#;

    let problems = problems(source);

    assert_eq!(
        places(&problems),
        [
            (Some(8), Some("a")),
            (Some(9), Some("a")),
            (Some(16), Some("fin"))
        ],
        "{}",
        listed(&problems)
    );
    assert!(
        problems[0]
            .message
            .contains("« optional » vaut true ou false")
    );
    assert!(
        problems[1]
            .message
            .contains("« max_length » doit être au moins 1")
    );
    assert!(
        problems[2]
            .message
            .contains("« question » est un texte par langue")
    );
}

#[test]
fn a_text_step_cannot_ask_for_more_than_the_server_reads() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "long_text"
question = { fr = "A" }
max_length = 100000
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(
        source,
        8,
        Some("a"),
        "« max_length » doit être au plus 4000, pas 100000",
    );
}

#[test]
fn an_outcome_step_needs_its_outcome() {
    let source = r#"id = "t"
start = "fin"

[[step]]
id = "fin"
type = "outcome"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 5, Some("fin"), "il manque « outcome = »");
}

#[test]
fn an_unknown_outcome_is_refused() {
    let source = r#"id = "t"
start = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "urgence"
question = { fr = "Fin" }
"#;

    assert_one_problem(source, 7, Some("fin"), "issue « urgence » inconnue");
}

#[test]
fn an_emergency_outcome_needs_a_next() {
    let source = r#"id = "t"
start = "urgence"

[[step]]
id = "urgence"
type = "outcome"
outcome = "emergency"
question = { fr = "Appelez le 17" }

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    let problems = problems(source);

    assert_eq!(
        places(&problems),
        [(Some(5), Some("urgence")), (Some(11), Some("fin"))],
        "{}",
        listed(&problems)
    );
    assert!(
        problems[0]
            .message
            .contains("une issue « emergency » continue")
    );
}

#[test]
fn a_final_outcome_cannot_go_on() {
    let source = r#"id = "t"
start = "jeunes"

[[step]]
id = "jeunes"
type = "outcome"
outcome = "youth"
question = { fr = "Services jeunesse" }
next = "fin"

  [[step.when]]
  if = "jeunes answered"
  next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    let problems = problems(source);

    assert_eq!(
        places(&problems),
        [
            (Some(9), Some("jeunes")),
            (Some(11), Some("jeunes")),
            (Some(12), Some("jeunes"))
        ],
        "{}",
        listed(&problems)
    );
    assert!(
        problems[0]
            .message
            .contains("ne peut pas avoir de « next »")
    );
    assert!(
        problems[1]
            .message
            .contains("ne peut pas avoir de [[step.when]]")
    );
    assert!(problems[2].message.contains("termine la conversation"));
}

/// The smallest flow an orientation accepts: each role it needs, on a step
/// always answered before it. The outcome's id is at line 40.
const ORIENTED: &str = r#"id = "t"
start = "age"

[[step]]
id = "age"
type = "number"
role = "age"
question = { fr = "Âge ?" }
min = 8
max = 120
next = "commune"

[[step]]
id = "commune"
type = "commune"
role = "commune"
question = { fr = "Commune ?" }
next = "besoins"

[[step]]
id = "besoins"
type = "multiple"
role = "needs"
question = { fr = "Besoins ?" }
next = "contact"

  [[step.choice]]
  id = "logement"
  label = { fr = "Un logement" }
  needs = ["housing"]

[[step]]
id = "contact"
type = "contact"
role = "contact"
question = { fr = "Contact ?" }
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "orientation"
question = { fr = "Voici qui peut aider" }
"#;

#[test]
fn each_role_is_read_on_its_step_and_found_by_role() {
    let flow = parse(ORIENTED);
    let with_role = |role: Role| flow.step_with_role(role).map(|step| step.id.as_str());

    assert_eq!(with_role(Role::Age), Some("age"));
    assert_eq!(with_role(Role::Commune), Some("commune"));
    assert_eq!(with_role(Role::Needs), Some("besoins"));
    assert_eq!(with_role(Role::Contact), Some("contact"));
    assert_eq!(with_role(Role::Name), None);
    assert_eq!(flow.step("fin").unwrap().role, None);
}

#[test]
fn a_role_is_known_by_its_name_in_the_file() {
    for role in [
        Role::Age,
        Role::Commune,
        Role::Needs,
        Role::Name,
        Role::Contact,
        Role::Message,
    ] {
        assert_eq!(Role::from_name(role.name()), Some(role));
    }
    assert_eq!(Role::from_name("âge"), None);
    assert_eq!(Outcome::Orientation.roles().len(), 4);
    assert!(Outcome::Leave.roles().is_empty());
}

#[test]
fn the_national_flow_gives_every_role_on_the_step_that_asks_it() {
    let flow = parse(include_str!("../../../../content/flows/national.toml"));
    let with_role = |role: Role| flow.step_with_role(role).map(|step| step.id.as_str());

    assert_eq!(with_role(Role::Age), Some("age"));
    assert_eq!(with_role(Role::Commune), Some("commune"));
    assert_eq!(with_role(Role::Needs), Some("besoins"));
    assert_eq!(with_role(Role::Name), Some("prenom"));
    assert_eq!(with_role(Role::Contact), Some("contact"));
    assert_eq!(with_role(Role::Message), Some("message"));
}

#[test]
fn an_unknown_role_is_refused_with_the_known_ones_and_nothing_else() {
    let source = ORIENTED.replace(r#"role = "age""#, r#"role = "âge""#);

    // The orientation is not also told it lacks an age: the unknown role
    // may be the one meant.
    assert_one_problem(
        &source,
        7,
        Some("age"),
        "rôle « âge » inconnu : age, commune, needs, name, contact ou message",
    );
}

#[test]
fn a_role_that_is_not_a_text_is_refused() {
    let source = ORIENTED.replace(r#"role = "age""#, "role = 18");

    assert_one_problem(
        &source,
        7,
        Some("age"),
        "« role » doit être un texte entre guillemets",
    );
}

#[test]
fn a_role_on_a_step_of_the_wrong_type_is_refused_with_the_types_that_fit() {
    let source = r#"id = "t"
start = "bienvenue"

[[step]]
id = "bienvenue"
type = "message"
role = "name"
question = { fr = "Bonjour" }
next = "age"

[[step]]
id = "age"
type = "text"
role = "age"
question = { fr = "Âge ?" }
next = "besoins"

[[step]]
id = "besoins"
type = "number"
role = "needs"
question = { fr = "Combien ?" }
min = 0
max = 9
next = "recit"

[[step]]
id = "recit"
type = "commune"
role = "message"
question = { fr = "Racontez" }
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    let problems = problems(source);

    assert_eq!(
        places(&problems),
        [
            (Some(7), Some("bienvenue")),
            (Some(14), Some("age")),
            (Some(21), Some("besoins")),
            (Some(30), Some("recit")),
        ],
        "{}",
        listed(&problems)
    );
    assert_eq!(
        problems[0].message,
        "le rôle « name » se donne à une étape « text », pas à une étape « message »"
    );
    assert_eq!(
        problems[1].message,
        "le rôle « age » se donne à une étape « number », pas à une étape « text »"
    );
    assert_eq!(
        problems[2].message,
        "le rôle « needs » se donne à une étape « choice » ou « multiple », \
         pas à une étape « number »"
    );
    assert_eq!(
        problems[3].message,
        "le rôle « message » se donne à une étape « text » ou « long_text », \
         pas à une étape « commune »"
    );
}

#[test]
fn the_same_role_on_two_steps_is_refused_at_the_second() {
    let source = r#"id = "t"
start = "prenom"

[[step]]
id = "prenom"
type = "text"
role = "name"
question = { fr = "Prénom ?" }
next = "surnom"

[[step]]
id = "surnom"
type = "text"
role = "name"
question = { fr = "Un surnom ?" }
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    assert_one_problem(
        source,
        14,
        Some("surnom"),
        "une autre étape porte déjà le rôle « name » (ligne 5) : \
         chaque rôle ne se donne qu'à une seule étape",
    );
}

#[test]
fn an_orientation_without_an_age_is_refused_because_minors_could_not_be_filtered() {
    let source = ORIENTED.replace("role = \"age\"\n", "");

    assert_one_problem(
        &source,
        39,
        Some("fin"),
        "une issue « orientation » a besoin du rôle « age », qu'aucune étape ne porte : \
         sans lui, les services ne pourraient pas être filtrés selon qu'elle est mineure ou non ; \
         ajoutez role = \"age\" à l'étape qui pose cette question",
    );
}

#[test]
fn an_orientation_without_a_commune_needs_or_contact_is_told_why_each_is_needed() {
    let without = |role: &str| ORIENTED.replace(&format!("role = \"{role}\"\n"), "");

    assert_one_problem(
        &without("commune"),
        39,
        Some("fin"),
        "sans lui, les professionnels ne pourraient pas être cherchés près de chez elle",
    );
    assert_one_problem(
        &without("needs"),
        39,
        Some("fin"),
        "sans lui, les professionnels ne pourraient pas être classés selon ses besoins",
    );
    assert_one_problem(
        &without("contact"),
        39,
        Some("fin"),
        "sans lui, la fiche envoyée au professionnel n'aurait aucun moyen de la joindre",
    );
}

#[test]
fn an_orientation_lacking_several_roles_names_them_all_in_one_problem() {
    let source = r#"id = "t"
start = "bienvenue"

[[step]]
id = "bienvenue"
type = "message"
question = { fr = "Bonjour" }
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "orientation"
question = { fr = "Voici qui peut aider" }
"#;

    let problems = problems(source);

    assert_eq!(
        places(&problems),
        [(Some(11), Some("fin"))],
        "{}",
        listed(&problems)
    );
    assert!(
        problems[0].message.starts_with(
            "une issue « orientation » a besoin des rôles « commune », « age », « needs » et \
             « contact », qu'aucune étape ne porte : sans « commune », "
        ),
        "{}",
        problems[0].message
    );
    assert!(problems[0].message.contains("; sans « contact », "));
}

#[test]
fn an_orientation_no_path_reaches_is_not_also_told_it_lacks_roles() {
    let source = r#"id = "t"
start = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }

[[step]]
id = "orientation"
type = "outcome"
outcome = "orientation"
question = { fr = "Voici qui peut aider" }
"#;

    assert_one_problem(
        source,
        11,
        Some("orientation"),
        "aucun chemin depuis « start » ne mène à cette étape",
    );
}

#[test]
fn a_role_an_orientation_needs_on_a_step_some_path_skips_over_is_refused() {
    // "proche" goes straight to the commune: on that path, no age.
    let source = format!(
        r#"id = "t"
start = "qui"

[[step]]
id = "qui"
type = "choice"
question = {{ fr = "Qui est concerné ?" }}

  [[step.choice]]
  id = "moi"
  label = {{ fr = "Moi" }}
  next = "age"

  [[step.choice]]
  id = "proche"
  label = {{ fr = "Une personne proche" }}
  next = "commune"

{}"#,
        ORIENTED.split_once("\n\n").unwrap().1
    );

    // Every line of ORIENTED moves down by the 15 lines of "qui".
    assert_one_problem(
        &source,
        55,
        Some("fin"),
        "l'étape « age » (ligne 20), qui porte le rôle « age », n'est pas toujours répondue \
         avant cette issue : un chemin y mène sans passer par elle, et sur ce chemin les \
         services ne pourraient pas être filtrés selon qu'elle est mineure ou non",
    );
}

#[test]
fn a_flow_without_id_start_or_steps_is_refused() {
    let problems = problems("# rien\n");

    assert_eq!(
        places(&problems),
        [(Some(1), None), (Some(1), None), (Some(1), None)]
    );
    assert!(problems[0].message.contains("« id »"));
    assert!(problems[1].message.contains("« start »"));
    assert!(problems[2].message.contains("aucune étape"));
}

#[test]
fn every_problem_of_a_file_is_reported_at_once_sorted_by_line() {
    let source = r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "choice"
question = { en = "A?" }
next = "nulle-part"

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }
  needs = ["argent"]

[[step]]
id = "a"
type = "message"
question = { fr = "Encore" }
couleur = "rouge"
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#;

    let problems = problems(source);

    assert_eq!(
        listed(&problems),
        "ligne 7, étape « a » : « question » n'a pas de version française : ajoutez fr = \"…\"\n\
         ligne 8, étape « a » : « next » nomme l'étape « nulle-part », qui n'existe pas\n\
         ligne 13, étape « a » : le besoin « argent » n'existe pas : legal, complaint, protection, \
         housing, health, psychological, social, children, foreigners, administrative, youth\n\
         ligne 16, étape « a » : une autre étape porte déjà l'id « a » (ligne 5)\n\
         ligne 19, étape « a » : clé « couleur » inconnue : une étape accepte ici id, type, \
         question, help, button, next, when\n\
         ligne 23, étape « fin » : aucun chemin depuis « start » ne mène à cette étape"
    );
}

#[test]
fn the_diagram_draws_every_step_and_way_on_with_french_labels() {
    let flow = parse(EXAMPLE);

    let diagram = flow.mermaid();

    assert!(diagram.starts_with("flowchart TD\n"));
    assert!(diagram.contains("    s0[\"bienvenue : Bonjour."));
    assert!(diagram.contains("s1 -->|\"Oui\"| s2"));
    assert!(diagram.contains("s2 -->|\"si age #lt; 18\"| s14"));
    assert!(diagram.contains("s2 -->|\"sinon\"| s3"));
    assert!(diagram.contains("s3 -->|\"Non / Je ne sais pas\"| s5"));
    assert!(
        diagram.contains(
            "s1[\"formulaire : Vous souhaitez utiliser le formulaire d'aide en ligne ?\"]"
        )
    );
    assert!(diagram.contains("s13([\"orientation (issue orientation) : "));
    assert!(diagram.contains("s4{{\"urgence (issue emergency) : "));
    assert!(!diagram.contains("\"\""));
}

#[test]
fn quotes_in_texts_are_escaped_in_the_diagram() {
    let flow = parse(
        r#"id = "t"
start = "a"

[[step]]
id = "a"
type = "message"
question = { fr = "Cliquez sur « Passer » ou sur \"Suite\"" }
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#,
    );

    let diagram = flow.mermaid();

    assert!(
        diagram.contains("s0[\"a : Cliquez sur « Passer » ou sur #quot;Suite#quot;\"]"),
        "{diagram}"
    );
}

#[test]
fn a_deeply_nested_file_is_refused_without_crashing() {
    let source = format!("id = {}", "[".repeat(100_000));

    let problems = problems(&source);

    assert_eq!(places(&problems), [(Some(1), None)]);
    assert!(problems[0].message.contains("TOML"));
}
