//! Properties of the engine on any answers, and of the parser on any text.

use flow::{
    Answer, Channel, Contact, Flow, NEEDS, Position, Progress, Step, StepKind, advance, needs,
    path, position,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use crate::engine::{CHANGE, FIELDS, RULES};
use crate::support::{EXAMPLE, parse};

/// Conditions on optional steps (`answered`, `skipped`, `has`) and a
/// message reached only by a rule.
const CONDITIONS: &str = r#"id = "conditions"
start = "prenom"

[[step]]
id = "prenom"
type = "text"
role = "name"
question = { fr = "Prénom ?" }
optional = true
next = "violences"

[[step]]
id = "violences"
type = "multiple"
role = "needs"
question = { fr = "Quelles violences ?" }
optional = true
next = "age"

  [[step.choice]]
  id = "physiques"
  label = { fr = "Physiques" }
  needs = ["health"]

  [[step.choice]]
  id = "economiques"
  label = { fr = "Économiques" }
  needs = ["social"]

  [[step.when]]
  if = "violences has physiques"
  next = "blessures"

[[step]]
id = "blessures"
type = "choice"
question = { fr = "Êtes-vous blessée ?" }
next = "age"

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }
  needs = ["health"]

  [[step.choice]]
  id = "non"
  label = { fr = "Non" }

[[step]]
id = "age"
type = "number"
role = "age"
question = { fr = "Âge ?" }
min = 18
max = 120
next = "contact"

  [[step.when]]
  if = "age >= 60 and prenom answered"
  next = "aines"

[[step]]
id = "aines"
type = "message"
question = { fr = "Des associations accompagnent aussi les aînés." }
next = "contact"

[[step]]
id = "contact"
type = "contact"
role = "contact"
question = { fr = "Contact ?" }
optional = true
next = "commune"

  [[step.when]]
  if = "contact skipped"
  next = "lignes"

[[step]]
id = "commune"
type = "commune"
role = "commune"
question = { fr = "Commune ?" }
next = "resume"

[[step]]
id = "resume"
type = "summary"
question = { fr = "Vos réponses" }
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "orientation"
question = { fr = "Orientation" }

[[step]]
id = "lignes"
type = "outcome"
outcome = "leave"
question = { fr = "Lignes nationales" }
"#;

/// Valid flows without loops, which together use every type of step.
const FLOWS: &[&str] = &[EXAMPLE, CHANGE, RULES, FIELDS, CONDITIONS];

/// A valid answer to `step`, chosen by `seed`.
fn valid_answer(step: &Step, seed: u64) -> Answer {
    if step.optional && seed.is_multiple_of(7) {
        return Answer::Skipped;
    }
    let pick = |len: usize| usize::try_from(seed % len as u64).unwrap();
    match &step.kind {
        StepKind::Message | StepKind::Summary | StepKind::Outcome(_) => Answer::Continue,
        StepKind::Choice(choices) => Answer::Choice(choices[pick(choices.len())].id.clone()),
        StepKind::Multiple(choices) => {
            let mut ticked: Vec<String> = choices
                .iter()
                .enumerate()
                .filter(|(at, _)| seed >> (at % 64) & 1 == 1)
                .map(|(_, choice)| choice.id.clone())
                .collect();
            if ticked.is_empty() && !step.optional {
                ticked.push(choices[0].id.clone());
            }
            Answer::Choices(ticked)
        }
        StepKind::Number { min, max, .. } => {
            let span = i128::from(*max) - i128::from(*min) + 1;
            let offset = i128::from(seed) % span;
            Answer::Number(i64::try_from(i128::from(*min) + offset).unwrap())
        }
        StepKind::Commune => {
            let codes = ["75056", "69123", "2A004", "13055"];
            Answer::Commune(codes[pick(codes.len())].to_owned())
        }
        StepKind::Text { max_length } | StepKind::LongText { max_length } => {
            Answer::Text("é".repeat(1 + pick((*max_length).min(12))))
        }
        StepKind::Contact => {
            let (channel, value) = [
                (Channel::None, ""),
                (Channel::Phone, "06 12 34 56 78"),
                (Channel::Sms, "+33 6 12 34 56 78"),
                (Channel::Email, "lea@example.fr"),
            ][pick(4)];
            Answer::Contact(Contact {
                channel,
                value: value.to_owned(),
                times: "après 18 h".to_owned(),
                may_leave_message: seed & 8 == 0,
                neutral_name: "Claire".to_owned(),
            })
        }
    }
}

/// Checks what must hold of every progress the engine returns.
fn assert_fits(flow: &Flow, progress: &Progress) {
    assert!(
        position(flow, progress).is_ok(),
        "the engine returned a progress that does not fit: {progress:?}"
    );
    assert_eq!(path(flow, progress).len(), progress.answers.len());
}

fn any_answer() -> impl Strategy<Value = Answer> {
    let text = prop_oneof![
        any::<String>(),
        select(vec![
            "oui", "non", "moi", "proche", "logement", "75056", "", " "
        ])
        .prop_map(str::to_owned),
    ];
    let channel = select(vec![
        Channel::Phone,
        Channel::Sms,
        Channel::Email,
        Channel::None,
    ]);
    prop_oneof![
        Just(Answer::Continue),
        Just(Answer::Skipped),
        text.clone().prop_map(Answer::Choice),
        vec(text.clone(), 0..4).prop_map(Answer::Choices),
        prop_oneof![any::<i64>(), -5..130_i64].prop_map(Answer::Number),
        text.clone().prop_map(Answer::Commune),
        text.clone().prop_map(Answer::Text),
        (channel, text.clone(), text.clone(), any::<bool>(), text).prop_map(
            |(channel, value, times, may_leave_message, neutral_name)| {
                Answer::Contact(Contact {
                    channel,
                    value,
                    times,
                    may_leave_message,
                    neutral_name,
                })
            }
        ),
    ]
}

fn any_step_id() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "bienvenue",
            "formulaire",
            "age",
            "danger",
            "urgence",
            "concerne",
            "besoins",
            "commune",
            "prenom",
            "contact",
            "resume",
            "orientation",
            "jeunes",
            "qui",
            "lien",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn valid_answers_always_reach_a_final_outcome_within_one_answer_per_step(
        which in 0..FLOWS.len(),
        seeds in vec(any::<u64>(), 64),
    ) {
        let flow = parse(FLOWS[which]);
        let steps = flow.steps().count();
        let mut progress = Progress::default();

        for seed in seeds.iter().take(steps + 1) {
            match position(&flow, &progress).unwrap() {
                Position::Reached(_) => break,
                Position::Ask(step) => {
                    let answer = valid_answer(step, *seed);
                    progress = advance(&flow, &progress, &step.id, answer.clone())
                        .unwrap_or_else(|error| panic!("{} refused {answer:?}: {error:?}", step.id));
                    assert_fits(&flow, &progress);
                }
            }
        }

        prop_assert!(
            matches!(position(&flow, &progress), Ok(Position::Reached(_))),
            "no final outcome after {} answers: {:?}", steps + 1, progress
        );
    }

    #[test]
    fn valid_answers_and_changes_of_earlier_answers_are_always_accepted_and_still_end(
        which in 0..FLOWS.len(),
        seeds in vec(any::<u64>(), 1..120),
    ) {
        let flow = parse(FLOWS[which]);
        let mut progress = Progress::default();

        // Changes may go round in circles: the walk is bounded by the seeds.
        for seed in &seeds {
            let on_path: Vec<&Step> = path(&flow, &progress).into_iter().map(|(step, _)| step).collect();
            let change = seed.is_multiple_of(4) && !on_path.is_empty();
            let step = match position(&flow, &progress).unwrap() {
                _ if change => on_path[usize::try_from((seed >> 8) % on_path.len() as u64).unwrap()],
                Position::Ask(step) => step,
                Position::Reached(_) => break,
            };
            let answer = valid_answer(step, seed >> 16);
            progress = advance(&flow, &progress, &step.id, answer.clone())
                .unwrap_or_else(|error| panic!("{} refused {answer:?}: {error:?}", step.id));
            assert_fits(&flow, &progress);
        }

        // Without changes, the conversation then ends.
        for seed in 0..=flow.steps().count() as u64 {
            let Position::Ask(step) = position(&flow, &progress).unwrap() else { break };
            progress = advance(&flow, &progress, &step.id, valid_answer(step, seed)).unwrap();
        }
        prop_assert!(matches!(position(&flow, &progress), Ok(Position::Reached(_))));
    }

    #[test]
    fn any_step_id_and_any_answer_never_panic_and_never_break_the_progress(
        which in 0..FLOWS.len(),
        moves in vec((any_step_id(), any_answer()), 0..40),
    ) {
        let flow = parse(FLOWS[which]);
        let mut progress = Progress::default();

        for (step_id, answer) in moves {
            if let Ok(next) = advance(&flow, &progress, &step_id, answer) {
                progress = next;
            }
            assert_fits(&flow, &progress);
            let _ = needs(&flow, &progress);
        }
    }

    #[test]
    fn any_progress_is_replayed_without_panicking(
        which in 0..FLOWS.len(),
        answers in vec((any_step_id(), any_answer()), 0..12),
        step_id in any_step_id(),
        answer in any_answer(),
    ) {
        let flow = parse(FLOWS[which]);
        let progress = Progress { answers };

        let _ = position(&flow, &progress);
        let _ = path(&flow, &progress);
        let _ = needs(&flow, &progress);
        if let Ok(next) = advance(&flow, &progress, &step_id, answer) {
            assert_fits(&flow, &next);
        }
    }

    #[test]
    fn parsing_any_text_never_panics(source in any::<String>()) {
        let _ = Flow::parse(&source, NEEDS);
    }

    #[test]
    fn parsing_any_mangled_flow_never_panics(
        which in 0..FLOWS.len(),
        cuts in vec((any::<usize>(), any::<usize>(), select(vec!["", "\"", "[[step]]\n", "next = \"age\"\n", "=", "\n", "{", "}", "optional = true\n"])), 1..6),
    ) {
        let mut source = FLOWS[which].to_owned();
        for (at, length, insert) in cuts {
            let at = floor_char_boundary(&source, at % (source.len() + 1));
            let end = floor_char_boundary(&source, (at + length % 40).min(source.len()));
            source.replace_range(at..end, insert);
        }

        if let Ok(flow) = Flow::parse(&source, NEEDS) {
            let _ = flow.mermaid();
            prop_assert!(position(&flow, &Progress::default()).is_ok());
        }
    }
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[test]
fn every_type_of_step_is_covered_by_the_property_flows() {
    let mut kinds: Vec<&str> = FLOWS
        .iter()
        .flat_map(|source| {
            parse(source)
                .steps()
                .map(|step| step.kind.name())
                .collect::<Vec<_>>()
        })
        .collect();
    kinds.sort_unstable();
    kinds.dedup();

    assert_eq!(
        kinds,
        [
            "choice",
            "commune",
            "contact",
            "long_text",
            "message",
            "multiple",
            "number",
            "outcome",
            "summary",
            "text"
        ]
    );
}
