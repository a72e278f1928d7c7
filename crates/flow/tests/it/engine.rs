//! Stepping through flows: answers accepted and refused, changes, replay.

use flow::{
    Answer, AnswerError, Channel, Contact, Position, Progress, ProgressError, Role, advance,
    answer_with_role, needs, path, position,
};

use crate::support::{EXAMPLE, answered, parse};

/// Rules, choice nexts and the step's next, to test which one wins.
pub const RULES: &str = r#"id = "regles"
start = "danger"

[[step]]
id = "danger"
type = "choice"
question = { fr = "En danger ?" }
next = "e"

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }
  next = "a"

  [[step.choice]]
  id = "non"
  label = { fr = "Non" }
  next = "b"

  [[step.choice]]
  id = "nsp"
  label = { fr = "Je ne sais pas" }

  [[step.choice]]
  id = "autre"
  label = { fr = "Autre" }

  [[step.when]]
  if = "danger == oui"
  next = "c"

  [[step.when]]
  if = "danger != non and danger != autre"
  next = "d"

[[step]]
id = "a"
type = "outcome"
outcome = "leave"
question = { fr = "A" }

[[step]]
id = "b"
type = "outcome"
outcome = "leave"
question = { fr = "B" }

[[step]]
id = "c"
type = "outcome"
outcome = "leave"
question = { fr = "C" }

[[step]]
id = "d"
type = "outcome"
outcome = "leave"
question = { fr = "D" }

[[step]]
id = "e"
type = "outcome"
outcome = "leave"
question = { fr = "E" }
"#;

/// A flow whose first answer changes the path: a relative's situation asks
/// one more question. It ends on `leave`: it asks no needs nor contact, the
/// roles an `orientation` would need.
pub const CHANGE: &str = r#"id = "changement"
start = "qui"

[[step]]
id = "qui"
type = "choice"
question = { fr = "Qui est concerné ?" }

  [[step.choice]]
  id = "moi"
  label = { fr = "Moi" }
  next = "commune"

  [[step.choice]]
  id = "proche"
  label = { fr = "Une personne proche" }
  next = "lien"

[[step]]
id = "lien"
type = "choice"
question = { fr = "Qui est-ce pour vous ?" }
next = "commune"

  [[step.choice]]
  id = "parent"
  label = { fr = "Un parent" }

  [[step.choice]]
  id = "ami"
  label = { fr = "Une amie, un ami" }

[[step]]
id = "commune"
type = "commune"
role = "commune"
question = { fr = "Où ?" }
next = "age"

[[step]]
id = "age"
type = "number"
role = "age"
question = { fr = "Quel âge ?" }
min = 8
max = 120
next = "fin"

  [[step.when]]
  if = "age < 18"
  next = "jeunes"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Les lignes nationales" }

[[step]]
id = "jeunes"
type = "outcome"
outcome = "youth"
question = { fr = "Services jeunesse" }
"#;

/// One step of each kind of free answer, each optional or not.
pub const FIELDS: &str = r#"id = "champs"
start = "prenom"

[[step]]
id = "prenom"
type = "text"
role = "name"
question = { fr = "Prénom" }
optional = true
max_length = 5
next = "recit"

[[step]]
id = "recit"
type = "long_text"
role = "message"
question = { fr = "Racontez" }
next = "violences"

[[step]]
id = "violences"
type = "multiple"
question = { fr = "Quelles violences ?" }
optional = true
next = "aides"

  [[step.choice]]
  id = "physiques"
  label = { fr = "Physiques" }
  needs = ["health", "complaint"]

  [[step.choice]]
  id = "psychologiques"
  label = { fr = "Psychologiques" }
  needs = ["psychological", "health"]

[[step]]
id = "aides"
type = "multiple"
role = "needs"
question = { fr = "Quelles aides ?" }
next = "ville"

  [[step.choice]]
  id = "logement"
  label = { fr = "Un logement" }
  needs = ["housing", "health"]

  [[step.choice]]
  id = "droits"
  label = { fr = "Mes droits" }
  needs = ["legal"]

[[step]]
id = "ville"
type = "commune"
role = "commune"
question = { fr = "Commune" }
next = "annees"

[[step]]
id = "annees"
type = "number"
role = "age"
question = { fr = "Âge" }
min = 8
max = 120
next = "contact"

[[step]]
id = "contact"
type = "contact"
role = "contact"
question = { fr = "Contact" }
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "orientation"
question = { fr = "Fin" }
"#;

fn text(value: &str) -> Answer {
    Answer::Text(value.to_owned())
}

fn choice(id: &str) -> Answer {
    Answer::Choice(id.to_owned())
}

fn choices(ids: &[&str]) -> Answer {
    Answer::Choices(ids.iter().map(|id| (*id).to_owned()).collect())
}

fn contact(channel: Channel, value: &str) -> Contact {
    Contact {
        channel,
        value: value.to_owned(),
        times: "le matin".to_owned(),
        may_leave_message: true,
        neutral_name: "Claire".to_owned(),
    }
}

fn asked(flow: &flow::Flow, progress: &Progress) -> String {
    match position(flow, progress).unwrap() {
        Position::Ask(step) => format!("? {}", step.id),
        Position::Reached(step) => format!("-> {}", step.id),
    }
}

/// The progress of `FIELDS` up to the contact step.
fn up_to_contact(flow: &flow::Flow) -> Progress {
    answered(
        flow,
        &[
            ("prenom", Answer::Skipped),
            ("recit", text("…")),
            ("violences", choices(&[])),
            ("aides", choices(&["droits"])),
            ("ville", Answer::Commune("2A004".to_owned())),
            ("annees", Answer::Number(30)),
        ],
    )
}

#[test]
fn a_new_conversation_asks_the_start_step() {
    let flow = parse(EXAMPLE);

    let position = position(&flow, &Progress::default()).unwrap();

    assert!(matches!(position, Position::Ask(step) if step.id == "bienvenue"));
}

#[test]
fn each_choice_leads_where_its_next_says() {
    let flow = parse(CHANGE);

    let moi = answered(&flow, &[("qui", choice("moi"))]);
    let proche = answered(&flow, &[("qui", choice("proche"))]);

    assert_eq!(asked(&flow, &moi), "? commune");
    assert_eq!(asked(&flow, &proche), "? lien");
}

#[test]
fn the_first_rule_that_holds_wins_over_the_choice_and_the_step() {
    let flow = parse(RULES);
    let after = |id: &str| asked(&flow, &answered(&flow, &[("danger", choice(id))]));

    assert_eq!(
        after("oui"),
        "-> c",
        "the first rule beats the choice's next"
    );
    assert_eq!(after("nsp"), "-> d", "the second rule holds");
    assert_eq!(after("non"), "-> b", "no rule holds: the choice's next");
    assert_eq!(
        after("autre"),
        "-> e",
        "no rule, no choice next: the step's next"
    );
}

#[test]
fn a_number_out_of_range_is_refused_with_the_bounds() {
    let flow = parse(CHANGE);
    let progress = answered(
        &flow,
        &[
            ("qui", choice("moi")),
            ("commune", Answer::Commune("75056".to_owned())),
        ],
    );

    let too_young = advance(&flow, &progress, "age", Answer::Number(7));
    let too_old = advance(&flow, &progress, "age", Answer::Number(121));
    let bounds = advance(&flow, &progress, "age", Answer::Number(120));

    assert_eq!(too_young, Err(AnswerError::OutOfRange { min: 8, max: 120 }));
    assert_eq!(too_old, Err(AnswerError::OutOfRange { min: 8, max: 120 }));
    assert!(bounds.is_ok());
}

#[test]
fn a_text_is_trimmed_and_refused_past_its_maximum_length() {
    let flow = parse(FIELDS);

    let too_long = advance(&flow, &Progress::default(), "prenom", text("Marie-Ève"));
    let trimmed = advance(&flow, &Progress::default(), "prenom", text("  Zoé  ")).unwrap();

    assert_eq!(too_long, Err(AnswerError::TooLong { max: 5 }));
    assert_eq!(trimmed.answers, [("prenom".to_owned(), text("Zoé"))]);
}

#[test]
fn an_optional_step_may_be_skipped_and_an_empty_answer_counts_as_skipped() {
    let flow = parse(FIELDS);

    let skipped = advance(&flow, &Progress::default(), "prenom", Answer::Skipped).unwrap();
    let blank = advance(&flow, &Progress::default(), "prenom", text("   ")).unwrap();

    assert_eq!(skipped.answers, [("prenom".to_owned(), Answer::Skipped)]);
    assert_eq!(blank, skipped);
    assert_eq!(asked(&flow, &skipped), "? recit");
}

#[test]
fn a_step_that_is_not_optional_refuses_an_empty_answer() {
    let flow = parse(FIELDS);
    let progress = answered(&flow, &[("prenom", Answer::Skipped)]);

    let skipped = advance(&flow, &progress, "recit", Answer::Skipped);
    let blank = advance(&flow, &progress, "recit", text(" \n "));

    assert_eq!(skipped, Err(AnswerError::Required));
    assert_eq!(blank, Err(AnswerError::Required));
}

#[test]
fn multiple_answers_are_kept_once_in_the_flows_order() {
    let flow = parse(FIELDS);
    let progress = answered(&flow, &[("prenom", Answer::Skipped), ("recit", text("…"))]);

    let ticked = advance(
        &flow,
        &progress,
        "violences",
        choices(&["psychologiques", "physiques", "psychologiques"]),
    )
    .unwrap();

    assert_eq!(
        ticked.answers.last().unwrap().1,
        choices(&["physiques", "psychologiques"])
    );
}

#[test]
fn a_multiple_step_refuses_an_unknown_answer_and_nothing_ticked_unless_optional() {
    let flow = parse(FIELDS);
    let progress = answered(&flow, &[("prenom", Answer::Skipped), ("recit", text("…"))]);
    let at_aides = answered(
        &flow,
        &[
            ("prenom", Answer::Skipped),
            ("recit", text("…")),
            ("violences", choices(&[])),
        ],
    );

    let unknown = advance(&flow, &progress, "violences", choices(&["physiques", "x"]));
    let none_optional = advance(&flow, &progress, "violences", choices(&[]));
    let none_required = advance(&flow, &at_aides, "aides", choices(&[]));

    assert_eq!(unknown, Err(AnswerError::UnknownChoice("x".to_owned())));
    assert!(none_optional.is_ok());
    assert_eq!(none_required, Err(AnswerError::Required));
}

#[test]
fn an_unknown_choice_is_refused() {
    let flow = parse(CHANGE);

    let refused = advance(&flow, &Progress::default(), "qui", choice("voisin"));

    assert_eq!(
        refused,
        Err(AnswerError::UnknownChoice("voisin".to_owned()))
    );
}

#[test]
fn an_answer_of_the_wrong_kind_is_refused() {
    let flow = parse(CHANGE);

    let number = advance(&flow, &Progress::default(), "qui", Answer::Number(3));
    let proceed = advance(&flow, &Progress::default(), "qui", Answer::Continue);

    assert_eq!(number, Err(AnswerError::WrongKind));
    assert_eq!(proceed, Err(AnswerError::WrongKind));
}

#[test]
fn a_commune_must_look_like_an_insee_code() {
    let flow = parse(CHANGE);
    let progress = answered(&flow, &[("qui", choice("moi"))]);
    let commune = |code: &str| {
        advance(
            &flow,
            &progress,
            "commune",
            Answer::Commune(code.to_owned()),
        )
    };

    assert!(commune("75056").is_ok());
    assert!(commune("2B033").is_ok());
    assert_eq!(commune("7505"), Err(AnswerError::BadCommune));
    assert_eq!(commune("75 056"), Err(AnswerError::BadCommune));
    assert_eq!(commune("Lyon!"), Err(AnswerError::BadCommune));
    assert_eq!(commune(""), Err(AnswerError::Required));
}

#[test]
fn a_contact_by_phone_or_sms_needs_a_phone_number() {
    let flow = parse(FIELDS);
    let progress = up_to_contact(&flow);
    let give = |contact: Contact| advance(&flow, &progress, "contact", Answer::Contact(contact));

    assert!(give(contact(Channel::Phone, "06 12 34 56 78")).is_ok());
    assert!(give(contact(Channel::Sms, "+33 6 12 34 56 78")).is_ok());
    assert_eq!(
        give(contact(Channel::Sms, "  ")),
        Err(AnswerError::ContactValueMissing)
    );
    assert_eq!(
        give(contact(Channel::Phone, "06 12 34")),
        Err(AnswerError::ContactPhone)
    );
    assert_eq!(
        give(contact(Channel::Phone, "lea@example.fr")),
        Err(AnswerError::ContactPhone)
    );
}

#[test]
fn a_contact_by_email_needs_an_email_address() {
    let flow = parse(FIELDS);
    let progress = up_to_contact(&flow);
    let give = |contact: Contact| advance(&flow, &progress, "contact", Answer::Contact(contact));

    assert!(give(contact(Channel::Email, " lea@example.fr ")).is_ok());
    assert_eq!(
        give(contact(Channel::Email, "")),
        Err(AnswerError::ContactValueMissing)
    );
    assert_eq!(
        give(contact(Channel::Email, "lea.example.fr")),
        Err(AnswerError::ContactEmail)
    );
}

#[test]
fn safe_times_and_the_neutral_name_have_a_maximum_length() {
    let flow = parse(FIELDS);
    let progress = up_to_contact(&flow);
    let give = |contact: Contact| advance(&flow, &progress, "contact", Answer::Contact(contact));
    let long_times = Contact {
        times: "é".repeat(201),
        ..contact(Channel::Sms, "0612345678")
    };
    let long_name = Contact {
        neutral_name: "é".repeat(61),
        ..contact(Channel::Sms, "0612345678")
    };
    let just_right = Contact {
        times: "é".repeat(200),
        neutral_name: "é".repeat(60),
        ..contact(Channel::Sms, "0612345678")
    };

    assert_eq!(
        give(long_times),
        Err(AnswerError::ContactTooLong {
            field: "times",
            max: 200
        })
    );
    assert_eq!(
        give(long_name),
        Err(AnswerError::ContactTooLong {
            field: "neutral_name",
            max: 60
        })
    );
    assert!(give(just_right).is_ok());
}

#[test]
fn choosing_not_to_be_contacted_keeps_no_number() {
    let flow = parse(FIELDS);
    let progress = up_to_contact(&flow);

    let given = advance(
        &flow,
        &progress,
        "contact",
        Answer::Contact(contact(Channel::None, "0612345678")),
    )
    .unwrap();

    let Answer::Contact(kept) = &given.answers.last().unwrap().1 else {
        panic!("a contact answer");
    };
    assert_eq!(kept.channel, Channel::None);
    assert_eq!(kept.value, "");
    assert!(!kept.may_leave_message);
    assert_eq!(asked(&flow, &given), "-> fin");
}

#[test]
fn changing_an_early_answer_keeps_the_answers_still_on_the_new_path_and_drops_the_others() {
    let flow = parse(CHANGE);
    let progress = answered(
        &flow,
        &[
            ("qui", choice("proche")),
            ("lien", choice("ami")),
            ("commune", Answer::Commune("75056".to_owned())),
            ("age", Answer::Number(40)),
        ],
    );

    let changed = advance(&flow, &progress, "qui", choice("moi")).unwrap();

    assert_eq!(
        changed.answers,
        [
            ("qui".to_owned(), choice("moi")),
            ("commune".to_owned(), Answer::Commune("75056".to_owned())),
            ("age".to_owned(), Answer::Number(40)),
        ]
    );
    assert_eq!(asked(&flow, &changed), "-> fin");
}

#[test]
fn a_change_that_leads_to_a_step_never_answered_stops_there() {
    let flow = parse(CHANGE);
    let progress = answered(
        &flow,
        &[
            ("qui", choice("moi")),
            ("commune", Answer::Commune("75056".to_owned())),
            ("age", Answer::Number(40)),
        ],
    );

    let changed = advance(&flow, &progress, "qui", choice("proche")).unwrap();

    assert_eq!(changed.answers, [("qui".to_owned(), choice("proche"))]);
    assert_eq!(asked(&flow, &changed), "? lien");
}

#[test]
fn changing_the_age_to_under_18_drops_the_later_answers() {
    let flow = parse(EXAMPLE);
    let progress = answered(
        &flow,
        &[
            ("bienvenue", Answer::Continue),
            ("formulaire", choice("oui")),
            ("age", Answer::Number(34)),
            ("danger", choice("non")),
            ("concerne", choice("moi")),
        ],
    );

    let changed = advance(&flow, &progress, "age", Answer::Number(16)).unwrap();

    assert_eq!(changed.answers.len(), 3);
    assert!(
        matches!(position(&flow, &changed), Ok(Position::Reached(step)) if step.id == "jeunes")
    );
}

#[test]
fn a_step_neither_current_nor_earlier_on_the_path_is_refused() {
    let flow = parse(CHANGE);
    let progress = answered(&flow, &[("qui", choice("moi"))]);

    let later = advance(&flow, &progress, "age", Answer::Number(30));
    let other_branch = advance(&flow, &progress, "lien", choice("ami"));
    let unknown = advance(&flow, &progress, "nulle-part", Answer::Continue);

    assert_eq!(later, Err(AnswerError::NotOnPath));
    assert_eq!(other_branch, Err(AnswerError::NotOnPath));
    assert_eq!(unknown, Err(AnswerError::NotOnPath));
}

#[test]
fn nothing_is_answered_after_a_final_outcome() {
    let flow = parse(CHANGE);
    let progress = answered(
        &flow,
        &[
            ("qui", choice("moi")),
            ("commune", Answer::Commune("75056".to_owned())),
            ("age", Answer::Number(12)),
        ],
    );

    let outcome = advance(&flow, &progress, "jeunes", Answer::Continue);
    let elsewhere = advance(&flow, &progress, "lien", choice("ami"));

    assert_eq!(outcome, Err(AnswerError::Finished));
    assert_eq!(elsewhere, Err(AnswerError::Finished));
}

#[test]
fn a_progress_that_does_not_fit_the_flow_is_refused_on_replay() {
    let flow = parse(CHANGE);
    let mismatch = |answers: &[(&str, Answer)]| {
        let progress = Progress {
            answers: answers
                .iter()
                .map(|(id, answer)| ((*id).to_owned(), answer.clone()))
                .collect(),
        };
        position(&flow, &progress).map(|_| ())
    };
    let at = |step: &str| {
        Err(ProgressError::Mismatch {
            step: step.to_owned(),
        })
    };

    assert_eq!(
        mismatch(&[("lien", choice("ami"))]),
        at("lien"),
        "not the start"
    );
    assert_eq!(
        mismatch(&[("qui", choice("voisin"))]),
        at("qui"),
        "no such choice"
    );
    assert_eq!(
        mismatch(&[("qui", Answer::Number(1))]),
        at("qui"),
        "wrong kind"
    );
    assert_eq!(
        mismatch(&[("qui", choice("moi")), ("age", Answer::Number(30))]),
        at("age"),
        "a step skipped over"
    );
    assert_eq!(
        mismatch(&[
            ("qui", choice("moi")),
            ("commune", Answer::Commune("75056".to_owned())),
            ("age", Answer::Number(12)),
            ("jeunes", Answer::Continue),
        ]),
        at("jeunes"),
        "an answer after the end"
    );
    assert_eq!(
        mismatch(&[
            ("qui", choice("moi")),
            ("commune", Answer::Commune(" 75056".to_owned()))
        ]),
        at("commune"),
        "an answer the engine would not have stored"
    );
}

#[test]
fn answering_from_a_progress_that_does_not_fit_is_refused() {
    let flow = parse(CHANGE);
    let foreign = Progress {
        answers: vec![("ailleurs".to_owned(), Answer::Continue)],
    };

    let refused = advance(&flow, &foreign, "qui", choice("moi"));

    assert_eq!(refused, Err(AnswerError::NotOnPath));
}

#[test]
fn the_path_lists_each_step_with_its_answer() {
    let flow = parse(CHANGE);
    let progress = answered(&flow, &[("qui", choice("proche")), ("lien", choice("ami"))]);

    let path: Vec<(&str, &Answer)> = path(&flow, &progress)
        .into_iter()
        .map(|(step, answer)| (step.id.as_str(), answer))
        .collect();

    assert_eq!(path, [("qui", &choice("proche")), ("lien", &choice("ami"))]);
}

#[test]
fn needs_are_listed_once_in_the_order_they_first_appear() {
    let flow = parse(FIELDS);
    let progress = answered(
        &flow,
        &[
            ("prenom", Answer::Skipped),
            ("recit", text("…")),
            ("violences", choices(&["physiques", "psychologiques"])),
            ("aides", choices(&["logement", "droits"])),
        ],
    );

    let needs = needs(&flow, &progress);

    assert_eq!(
        needs,
        ["health", "complaint", "psychological", "housing", "legal"]
    );
}

#[test]
fn the_emergency_outcome_asks_for_its_button_and_goes_on() {
    let flow = parse(EXAMPLE);
    let progress = answered(
        &flow,
        &[
            ("bienvenue", Answer::Continue),
            ("formulaire", choice("oui")),
            ("age", Answer::Number(30)),
            ("danger", choice("oui")),
        ],
    );

    let asked_there = position(&flow, &progress).unwrap();
    let refused = advance(&flow, &progress, "urgence", Answer::Skipped);
    let went_on = advance(&flow, &progress, "urgence", Answer::Continue).unwrap();

    assert!(matches!(asked_there, Position::Ask(step) if step.id == "urgence"));
    assert_eq!(refused, Err(AnswerError::WrongKind));
    assert_eq!(asked(&flow, &went_on), "? concerne");
}

#[test]
fn an_answer_is_found_by_its_role_whatever_the_steps_id() {
    let flow = parse(FIELDS);
    let progress = up_to_contact(&flow);

    // The age is asked at the step "annees": the role finds it.
    assert_eq!(
        answer_with_role(&flow, &progress, Role::Age),
        Some(&Answer::Number(30))
    );
    assert_eq!(
        answer_with_role(&flow, &progress, Role::Commune),
        Some(&Answer::Commune("2A004".to_owned()))
    );
    assert_eq!(
        answer_with_role(&flow, &progress, Role::Needs),
        Some(&choices(&["droits"]))
    );
    assert_eq!(
        answer_with_role(&flow, &progress, Role::Message),
        Some(&text("…"))
    );
}

#[test]
fn a_skipped_step_gives_its_role_the_skipped_answer() {
    let flow = parse(FIELDS);
    let progress = up_to_contact(&flow);

    assert_eq!(
        answer_with_role(&flow, &progress, Role::Name),
        Some(&Answer::Skipped)
    );
}

#[test]
fn a_role_whose_step_is_not_yet_answered_gives_no_answer() {
    let flow = parse(FIELDS);
    let progress = up_to_contact(&flow);

    assert_eq!(answer_with_role(&flow, &progress, Role::Contact), None);
    assert_eq!(
        answer_with_role(&flow, &Progress::default(), Role::Name),
        None
    );
}

#[test]
fn a_role_whose_step_is_off_the_path_or_on_no_step_gives_no_answer() {
    let flow = parse(CHANGE);
    let before = answered(
        &flow,
        &[
            ("qui", choice("moi")),
            ("commune", Answer::Commune("75056".to_owned())),
            ("age", Answer::Number(40)),
        ],
    );

    // Changing who is concerned drops the commune and the age from the path.
    let changed = advance(&flow, &before, "qui", choice("proche")).unwrap();

    assert_eq!(
        answer_with_role(&flow, &before, Role::Age),
        Some(&Answer::Number(40))
    );
    assert_eq!(answer_with_role(&flow, &changed, Role::Age), None);
    assert_eq!(answer_with_role(&flow, &changed, Role::Commune), None);
    assert_eq!(answer_with_role(&flow, &before, Role::Contact), None);
}

#[test]
fn a_progress_that_does_not_fit_gives_the_roles_answered_before_it_stops_fitting() {
    let flow = parse(CHANGE);
    let progress = Progress {
        answers: vec![
            ("qui".to_owned(), choice("moi")),
            ("commune".to_owned(), Answer::Commune("75056".to_owned())),
            ("age".to_owned(), Answer::Number(300)),
        ],
    };

    assert_eq!(
        answer_with_role(&flow, &progress, Role::Commune),
        Some(&Answer::Commune("75056".to_owned()))
    );
    assert_eq!(answer_with_role(&flow, &progress, Role::Age), None);
}

#[test]
fn a_role_asked_twice_by_a_loop_gives_the_latest_answer() {
    let flow = parse(
        r#"id = "boucle"
start = "prenom"

[[step]]
id = "prenom"
type = "text"
role = "name"
question = { fr = "Prénom ?" }
next = "encore"

[[step]]
id = "encore"
type = "choice"
question = { fr = "Le changer ?" }

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }
  next = "prenom"

  [[step.choice]]
  id = "non"
  label = { fr = "Non" }
  next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Fin" }
"#,
    );
    let progress = answered(
        &flow,
        &[
            ("prenom", text("Léa")),
            ("encore", choice("oui")),
            ("prenom", text("Zoé")),
        ],
    );

    assert_eq!(
        answer_with_role(&flow, &progress, Role::Name),
        Some(&text("Zoé"))
    );
}
