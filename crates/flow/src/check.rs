//! Checking a draft against the rules of `docs/flows.md` and linking it into
//! a `Flow`.
//!
//! Every problem is collected, not just the first: a coordinator fixes a
//! file in one go. A part of the file that could not be read is given the
//! benefit of the doubt, so that one mistake is not reported again as
//! unreachable steps or cycles further on.

use std::collections::HashMap;

use crate::condition::{self, Check, Condition, Op, Test, WrittenTest};
use crate::graph::{self, Dominators};
use crate::model::{Choice, Flow, Outcome, Role, Rule, Step, StepKind};
use crate::problem::Problem;
use crate::read::{self, At, Draft, DraftStep, Ty};

/// Parses, checks and links a flow file.
pub(crate) fn parse(source: &str, known_needs: &[&str]) -> Result<Flow, Vec<Problem>> {
    let mut problems = Vec::new();
    let draft = read::read(source, &mut problems);
    let linked = Linker::new(&draft, known_needs, &mut problems).link();
    problems.sort_by_key(|problem| problem.line);
    if !problems.is_empty() {
        return Err(problems);
    }
    build(&draft, linked, version(source)).ok_or_else(|| {
        vec![Problem {
            line: None,
            step: None,
            message: "erreur interne : le parcours semble valide mais n'a pas pu être construit"
                .to_owned(),
        }]
    })
}

/// A stable digest of the source: 64-bit FNV-1a in 16 hex digits.
///
/// Not a cryptographic hash: it only has to change when the file changes,
/// and be the same on every machine and every Rust version (which rules out
/// `std`'s `DefaultHasher`).
fn version(source: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in source.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The links of one step, resolved to step indices.
#[derive(Default)]
struct Links {
    next: Option<usize>,
    choice_next: Vec<Option<usize>>,
    /// Each rule's condition (when it could be checked) and target.
    rules: Vec<(Option<Vec<Test>>, Option<usize>)>,
    /// A reference of this step names no step (already reported).
    uncertain: bool,
}

/// The result of linking: the start and the links of each step.
struct Linked {
    start: Option<usize>,
    links: Vec<Links>,
}

struct Linker<'d, 'p> {
    draft: &'d Draft,
    known_needs: &'d [&'d str],
    problems: &'p mut Vec<Problem>,
    /// Step id → index of its first step.
    index: HashMap<&'d str, usize>,
    /// Role → index of the first step that carries it.
    roles: HashMap<Role, usize>,
}

impl<'d, 'p> Linker<'d, 'p> {
    fn new(draft: &'d Draft, known_needs: &'d [&'d str], problems: &'p mut Vec<Problem>) -> Self {
        Linker {
            draft,
            known_needs,
            problems,
            index: HashMap::new(),
            roles: HashMap::new(),
        }
    }

    fn problem(&mut self, line: usize, step: Option<&str>, message: String) {
        self.problems.push(Problem {
            line: Some(line),
            step: step.map(str::to_owned),
            message,
        });
    }

    fn link(mut self) -> Linked {
        let draft = self.draft;
        for (at, step) in draft.steps.iter().enumerate() {
            let Some(id) = &step.id else { continue };
            if let Some(&first) = self.index.get(id.value.as_str()) {
                let first_line = draft.steps[first].line;
                self.problem(
                    id.line,
                    Some(&id.value),
                    format!(
                        "une autre étape porte déjà l'id « {} » (ligne {first_line})",
                        id.value
                    ),
                );
            } else {
                self.index.insert(&id.value, at);
            }
        }

        for (at, step) in draft.steps.iter().enumerate() {
            let Some(role) = &step.role else { continue };
            if let Some(&first) = self.roles.get(&role.value) {
                let first_line = draft.steps[first].line;
                self.problem(
                    role.line,
                    step.id(),
                    format!(
                        "une autre étape porte déjà le rôle « {} » (ligne {first_line}) : \
                         chaque rôle ne se donne qu'à une seule étape",
                        role.value.name()
                    ),
                );
            } else {
                self.roles.insert(role.value, at);
            }
        }

        let start = draft.start.as_ref().and_then(|start| {
            let found = self.index.get(start.value.as_str()).copied();
            if found.is_none() {
                self.problem(
                    start.line,
                    None,
                    format!(
                        "« start » nomme l'étape « {} », qui n'existe pas",
                        start.value
                    ),
                );
            }
            found
        });

        let links: Vec<Links> = draft.steps.iter().map(|step| self.step(step)).collect();

        let dead: Vec<bool> = draft.steps.iter().map(|step| self.dead_end(step)).collect();
        if let Some(start) = start {
            self.graph(start, &links, &dead);
        }
        Linked { start, links }
    }

    /// Resolves a reference to a step; reports it when no step has that id.
    fn resolve(&mut self, target: &At<String>, step: &DraftStep, what: &str) -> Option<usize> {
        let found = self.index.get(target.value.as_str()).copied();
        if found.is_none() {
            self.problem(
                target.line,
                step.id(),
                format!("{what} l'étape « {} », qui n'existe pas", target.value),
            );
        }
        found
    }

    fn step(&mut self, step: &'d DraftStep) -> Links {
        let mut links = Links::default();
        if let Some(next) = &step.next {
            links.next = self.resolve(next, step, "« next » nomme");
            links.uncertain |= links.next.is_none();
        }
        links.uncertain |= step.next_written && step.next.is_none();

        let mut choice_ids: HashMap<&str, usize> = HashMap::new();
        for choice in &step.choices {
            if let Some(id) = &choice.id
                && let Some(first) = choice_ids.insert(&id.value, id.line)
            {
                self.problem(
                    id.line,
                    step.id(),
                    format!(
                        "une autre réponse de cette étape porte déjà l'id « {} » (ligne {first})",
                        id.value
                    ),
                );
            }
            for need in &choice.needs {
                if !self.known_needs.contains(&need.value.as_str()) {
                    let known = if self.known_needs.is_empty() {
                        String::new()
                    } else {
                        format!(" : {}", self.known_needs.join(", "))
                    };
                    self.problem(
                        need.line,
                        step.id(),
                        format!("le besoin « {} » n'existe pas{known}", need.value),
                    );
                }
            }
            let next = choice
                .next
                .as_ref()
                .and_then(|next| self.resolve(next, step, "« next » nomme"));
            links.uncertain |= choice.next_written && next.is_none();
            links.choice_next.push(next);
        }

        for rule in &step.when {
            let next = rule
                .next
                .as_ref()
                .and_then(|next| self.resolve(next, step, "« next » nomme"));
            links.uncertain |= next.is_none();
            let tests = rule
                .condition
                .as_ref()
                .and_then(|condition| self.condition(step, condition));
            links.rules.push((tests, next));
        }
        links
    }

    /// Reads and checks the condition of a rule of step `at`.
    fn condition(&mut self, step: &DraftStep, condition: &At<String>) -> Option<Vec<Test>> {
        let written = match condition::read(&condition.value) {
            Ok(written) => written,
            Err(message) => {
                self.problem(condition.line, step.id(), message);
                return None;
            }
        };
        let mut tests = Vec::new();
        let mut complete = true;
        for test in written {
            let Some(&target) = self.index.get(test.step.as_str()) else {
                self.problem(
                    condition.line,
                    step.id(),
                    format!(
                        "la condition nomme l'étape « {} », qui n'existe pas",
                        test.step
                    ),
                );
                complete = false;
                continue;
            };
            let target_step = &self.draft.steps[target];
            match fit(&test.test, &test.step, target_step) {
                Ok(Some(_)) if test.test.compares() && target_step.optional => {
                    self.problem(
                        condition.line,
                        step.id(),
                        format!(
                            "la condition compare la réponse de « {0} », une étape facultative \
                             qui peut être passée : testez « {0} answered » ou « {0} skipped », \
                             ou rendez-la obligatoire",
                            test.step
                        ),
                    );
                    complete = false;
                }
                Ok(Some(check)) => tests.push(Test {
                    step: target,
                    check,
                }),
                Ok(None) => complete = false,
                Err(message) => {
                    self.problem(condition.line, step.id(), message);
                    complete = false;
                }
            }
        }
        complete.then_some(tests)
    }

    /// The checks on the whole graph: reachability, dead ends, cycles with
    /// no way out, conditions on answers not always given before.
    fn graph(&mut self, start: usize, links: &[Links], dead: &[bool]) {
        let draft = self.draft;
        let edges: Vec<Vec<usize>> = draft
            .steps
            .iter()
            .zip(links)
            .map(|(step, links)| {
                let mut edges: Vec<usize> =
                    links.rules.iter().filter_map(|(_, next)| *next).collect();
                if step.ty == Some(Ty::Choice) {
                    edges.extend(links.choice_next.iter().flatten());
                }
                edges.extend(links.next);
                edges
            })
            .collect();

        let reached = graph::reachable(start, &edges);
        for (at, (step, reached)) in draft.steps.iter().zip(&reached).enumerate() {
            // A second step with the same id is reported as such, not as
            // unreachable because every reference goes to the first.
            let first = |id: &At<String>| self.index.get(id.value.as_str()) == Some(&at);
            if let (Some(id), false) = (&step.id, reached)
                && first(id)
            {
                self.problem(
                    id.line,
                    Some(&id.value),
                    "aucun chemin depuis « start » ne mène à cette étape".to_owned(),
                );
            }
        }

        // Steps that end well, or about which nothing more can be said.
        let ends: Vec<bool> = draft
            .steps
            .iter()
            .zip(links)
            .zip(dead)
            .map(|((step, links), dead)| is_final(step) || step.broken || links.uncertain || *dead)
            .collect();
        let ending = graph::reaching(&ends, &edges);
        for (at, step) in draft.steps.iter().enumerate() {
            if reached[at] && !ending[at] {
                self.problem(
                    step.line,
                    step.id(),
                    "aucune issue ne peut être atteinte depuis cette étape : \
                     le parcours y tourne en rond sans sortie"
                        .to_owned(),
                );
            }
        }

        let dominators = Dominators::new(start, &edges);
        for (at, (step, links)) in draft.steps.iter().zip(links).enumerate() {
            if !reached[at] {
                continue;
            }
            for (rule, (tests, _)) in step.when.iter().zip(&links.rules) {
                for test in tests.iter().flatten() {
                    if !dominates_or_unsure(&dominators, test.step, at, draft) {
                        let name = draft.steps[test.step].id().unwrap_or_default();
                        self.problem(
                            rule.line,
                            step.id(),
                            format!(
                                "la condition porte sur « {name} », qui n'est pas toujours \
                                 répondue avant cette étape : un chemin y mène sans passer par elle"
                            ),
                        );
                    }
                }
            }
        }

        for (at, step) in draft.steps.iter().enumerate() {
            if let (true, Some(outcome)) = (reached[at], step.outcome) {
                self.roles_of(at, outcome, &reached, &dominators);
            }
        }
    }

    /// Reports the roles a reached outcome needs that no step carries, or
    /// that some path to it does not answer first.
    fn roles_of(&mut self, at: usize, outcome: Outcome, reached: &[bool], dominators: &Dominators) {
        let draft = self.draft;
        let step = &draft.steps[at];
        // A role that could not be read may be the one missing: it is
        // already reported.
        let unread = draft.steps.iter().any(|step| step.role_unread);
        let mut missing = Vec::new();
        for &role in outcome.roles() {
            match self.roles.get(&role) {
                None if !unread => missing.push(role),
                None => {}
                // An unreached step is already reported as such.
                Some(&carrier) if !reached[carrier] => {}
                Some(&carrier) if !dominates_or_unsure(dominators, carrier, at, draft) => {
                    let carrier = &draft.steps[carrier];
                    let name = carrier.id().unwrap_or_default();
                    self.problem(
                        step.line,
                        step.id(),
                        format!(
                            "l'étape « {name} » (ligne {}), qui porte le rôle « {} », n'est pas \
                             toujours répondue avant cette issue : un chemin y mène sans passer \
                             par elle, et sur ce chemin {}",
                            carrier.line,
                            role.name(),
                            why(role),
                        ),
                    );
                }
                Some(_) => {}
            }
        }
        if missing.is_empty() {
            return;
        }
        let names: Vec<String> = missing
            .iter()
            .map(|role| format!("« {} »", role.name()))
            .collect();
        let message = match (missing.as_slice(), names.split_last()) {
            ([role], _) => format!(
                "une issue « {} » a besoin du rôle « {} », qu'aucune étape ne porte : sans lui, \
                 {} ; ajoutez role = \"{}\" à l'étape qui pose cette question",
                outcome.name(),
                role.name(),
                why(*role),
                role.name(),
            ),
            (_, Some((last, others))) => format!(
                "une issue « {} » a besoin des rôles {} et {last}, qu'aucune étape ne porte : {} ; \
                 ajoutez role = \"…\" aux étapes qui posent ces questions",
                outcome.name(),
                others.join(", "),
                missing
                    .iter()
                    .map(|&role| format!("sans « {} », {}", role.name(), why(role)))
                    .collect::<Vec<_>>()
                    .join(" ; "),
            ),
            (_, None) => return,
        };
        self.problem(step.line, step.id(), message);
    }

    /// Reports a step that is not a final outcome and may have no way on.
    fn dead_end(&mut self, step: &DraftStep) -> bool {
        let Some(ty) = step.ty else { return false };
        if is_final(step) || step.next_written || (ty == Ty::Outcome && step.outcome.is_none()) {
            return false;
        }
        let mut dead = false;
        match ty {
            Ty::Choice => {
                for choice in &step.choices {
                    if !choice.next_written {
                        let name = choice.id.as_ref().map_or("?", |id| id.value.as_str());
                        self.problem(
                            choice.line,
                            step.id(),
                            format!(
                                "la réponse « {name} » ne mène nulle part : donnez-lui un \
                                 « next », ou donnez-en un à l'étape"
                            ),
                        );
                        dead = true;
                    }
                }
                if step.optional {
                    self.problem(
                        step.line,
                        step.id(),
                        "cette étape facultative n'a pas de « next » : passer la question ne \
                         mènerait nulle part"
                            .to_owned(),
                    );
                    dead = true;
                }
            }
            Ty::Outcome => {
                self.problem(
                    step.line,
                    step.id(),
                    "une issue « emergency » continue après son bouton : il lui faut un « next »"
                        .to_owned(),
                );
                dead = true;
            }
            _ => {
                let rules = if step.when.is_empty() {
                    ""
                } else {
                    " (les [[step.when]] ne couvrent pas tous les cas)"
                };
                self.problem(
                    step.line,
                    step.id(),
                    format!("cette étape ne mène nulle part : il lui faut un « next »{rules}"),
                );
                dead = true;
            }
        }
        dead
    }
}

/// Why an outcome needs a role: what would go wrong without it.
fn why(role: Role) -> &'static str {
    match role {
        Role::Commune => "les professionnels ne pourraient pas être cherchés près de chez elle",
        Role::Age => "les services ne pourraient pas être filtrés selon qu'elle est mineure ou non",
        Role::Needs => "les professionnels ne pourraient pas être classés selon ses besoins",
        Role::Contact => "la fiche envoyée au professionnel n'aurait aucun moyen de la joindre",
        Role::Name => "le professionnel ne saurait pas comment l'appeler",
        Role::Message => "ses mots ne parviendraient pas au professionnel",
    }
}

/// Whether the step ends the conversation.
fn is_final(step: &DraftStep) -> bool {
    step.outcome.is_some_and(Outcome::is_final)
}

fn dominates_or_unsure(
    dominators: &Dominators,
    through: usize,
    step: usize,
    draft: &Draft,
) -> bool {
    through == step || dominators.dominates(through, step) || draft.steps[through].broken
}

/// Whether a written test fits the step it names, and what it checks.
///
/// `Ok(None)` when the step's type is unknown (already reported).
fn fit(test: &WrittenTest, name: &str, target: &DraftStep) -> Result<Option<Check>, String> {
    let Some(ty) = target.ty else { return Ok(None) };
    let has_choice = |choice: &str| {
        target
            .choices
            .iter()
            .any(|known| known.id.as_ref().is_some_and(|id| id.value == choice))
    };
    let unknown_choice =
        |choice: &str| format!("l'étape « {name} » n'a pas de réponse « {choice} »");
    match (ty, test) {
        (_, WrittenTest::Answered | WrittenTest::Skipped) if is_final(target) => Err(format!(
            "« {name} » termine la conversation : elle n'a pas de réponse à tester"
        )),
        (_, WrittenTest::Answered) => Ok(Some(Check::Answered)),
        (_, WrittenTest::Skipped) => Ok(Some(Check::Skipped)),
        (Ty::Number, WrittenTest::Compare(op, value)) => match value.parse::<i64>() {
            Ok(number) => Ok(Some(Check::Compare(*op, number))),
            Err(_) => Err(format!(
                "« {name} » est un nombre : comparez-le à un nombre entier, pas à « {value} »"
            )),
        },
        (Ty::Number, WrittenTest::Has(_)) => Err(format!(
            "« {name} » est un nombre : « has » ne s'applique qu'à une étape « multiple »"
        )),
        (Ty::Choice, WrittenTest::Compare(op @ (Op::Eq | Op::Ne), choice)) => {
            if !has_choice(choice) {
                return Err(unknown_choice(choice));
            }
            Ok(Some(if *op == Op::Eq {
                Check::Is(choice.clone())
            } else {
                Check::IsNot(choice.clone())
            }))
        }
        (Ty::Choice, WrittenTest::Compare(..)) => Err(format!(
            "« {name} » est un choix : on le compare avec == ou != à l'une de ses réponses"
        )),
        (Ty::Choice, WrittenTest::Has(choice)) => Err(format!(
            "« {name} » est un choix unique : écrivez « {name} == {choice} »"
        )),
        (Ty::Multiple, WrittenTest::Has(choice)) => {
            if has_choice(choice) {
                Ok(Some(Check::Has(choice.clone())))
            } else {
                Err(unknown_choice(choice))
            }
        }
        (Ty::Multiple, WrittenTest::Compare(_, choice)) => Err(format!(
            "« {name} » est un choix multiple : écrivez « {name} has {choice} »"
        )),
        (ty, _) => Err(format!(
            "la réponse d'une étape « {} » ne se compare pas : seules « {name} answered » et \
             « {name} skipped » s'y appliquent",
            ty.name()
        )),
    }
}

/// Builds the flow from a draft that passed every check; `None` if some
/// part is missing, which the checks rule out.
fn build(draft: &Draft, linked: Linked, version: String) -> Option<Flow> {
    let mut index = HashMap::new();
    let mut steps = Vec::with_capacity(draft.steps.len());
    for (at, (step, links)) in draft.steps.iter().zip(linked.links).enumerate() {
        let id = step.id.as_ref()?.value.clone();
        index.insert(id.clone(), at);
        let choices = || -> Option<Vec<Choice>> {
            step.choices
                .iter()
                .zip(&links.choice_next)
                .map(|(choice, next)| {
                    Some(Choice {
                        id: choice.id.as_ref()?.value.clone(),
                        label: choice.label.clone()?,
                        needs: choice.needs.iter().map(|need| need.value.clone()).collect(),
                        next: *next,
                    })
                })
                .collect()
        };
        let kind = match step.ty? {
            Ty::Message => StepKind::Message,
            Ty::Choice => StepKind::Choice(choices()?),
            Ty::Multiple => StepKind::Multiple(choices()?),
            Ty::Number => StepKind::Number {
                min: step.min?,
                max: step.max?,
                unit: step.unit.clone(),
            },
            Ty::Commune => StepKind::Commune,
            Ty::Text => StepKind::Text {
                max_length: step.max_length?,
            },
            Ty::LongText => StepKind::LongText {
                max_length: step.max_length?,
            },
            Ty::Contact => StepKind::Contact,
            Ty::Summary => StepKind::Summary,
            Ty::Outcome => StepKind::Outcome(step.outcome?),
        };
        let rules = step
            .when
            .iter()
            .zip(links.rules)
            .map(|(rule, (tests, next))| {
                Some(Rule {
                    condition: Condition {
                        source: rule.condition.as_ref()?.value.clone(),
                        tests: tests?,
                    },
                    next: next?,
                })
            })
            .collect::<Option<Vec<Rule>>>()?;
        steps.push(Step {
            id,
            kind,
            question: step.question.clone()?,
            help: step.help.clone(),
            button: step.button.clone(),
            optional: step.optional,
            in_report: step.report,
            role: step.role.as_ref().map(|role| role.value),
            next: links.next,
            rules,
            line: step.line,
        });
    }
    Some(Flow {
        id: draft.id.as_ref()?.value.clone(),
        version,
        start: linked.start?,
        steps,
        index,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_sixteen_hex_digits_that_change_with_the_text() {
        let one = version("id = \"a\"");
        let other = version("id = \"b\"");

        assert_eq!(one.len(), 16);
        assert!(one.bytes().all(|byte| byte.is_ascii_hexdigit()));
        assert_ne!(one, other);
        assert_eq!(one, version("id = \"a\""));
    }

    #[test]
    fn the_version_is_the_same_on_every_machine() {
        // FNV-1a of the empty text is its offset basis.
        assert_eq!(version(""), "cbf29ce484222325");
        assert_eq!(version("a"), "af63dc4c8601ec8c");
    }
}
