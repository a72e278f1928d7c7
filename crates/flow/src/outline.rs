//! A flow read as a person would walk it, for coordinators: every way out
//! of a step ([`Flow::ways`]), the flow as a nested outline from its start
//! ([`Flow::outline`]), and what changed between two versions
//! ([`changes`]), all in French words.

use crate::model::{Flow, Step, StepKind};
use crate::text::Text;

/// When a way out of a step is taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum When {
    /// A `[[step.when]]` condition holds (as written: `age < 18`).
    Condition(String),
    /// One of these answers is chosen (French labels).
    Answers(Vec<String>),
    /// The step is skipped ("Passer").
    Skipped,
    /// Always (the step's own `next`, no condition before it).
    Always,
    /// When none of the ways before it applies.
    Otherwise,
}

impl std::fmt::Display for When {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            When::Condition(condition) => write!(f, "si {condition}"),
            When::Answers(labels) => {
                let quoted: Vec<String> = labels.iter().map(|l| format!("« {l} »")).collect();
                write!(f, "réponse {}", quoted.join(" ou "))
            }
            When::Skipped => f.write_str("si elle passe la question"),
            When::Always => f.write_str("ensuite"),
            When::Otherwise => f.write_str("sinon"),
        }
    }
}

/// One way out of a step: when it is taken, and the step it leads to.
#[derive(Clone, Debug)]
pub struct Way<'a> {
    /// When.
    pub when: When,
    /// Where.
    pub to: &'a Step,
}

/// One row of the outline: a step, at a depth, reached by a way.
#[derive(Clone, Debug)]
pub struct Row<'a> {
    /// 0 for the start; one more for each way followed.
    pub depth: usize,
    /// How the step is reached from its parent (`None` for the start).
    pub when: Option<When>,
    /// The step.
    pub step: &'a Step,
    /// The step is drawn in full at an earlier row: this row only points
    /// at it.
    pub seen: bool,
}

impl Flow {
    /// Every way out of `step`, in the order they are tried: its
    /// conditions, then its answers (grouped by where they lead), then
    /// skipping it, then its own `next`.
    pub fn ways(&self, step: &Step) -> Vec<Way<'_>> {
        let mut ways: Vec<Way<'_>> = step
            .rules
            .iter()
            .map(|rule| Way {
                when: When::Condition(rule.condition.source.clone()),
                to: &self.steps[rule.next],
            })
            .collect();
        let conditioned = !ways.is_empty();
        if let StepKind::Choice(choices) = &step.kind {
            let mut targets: Vec<(usize, Vec<String>)> = Vec::new();
            for choice in choices {
                let Some(target) = choice.next.or(step.next) else {
                    continue;
                };
                match targets.iter_mut().find(|(known, _)| *known == target) {
                    Some((_, labels)) => labels.push(choice.label.fr().to_owned()),
                    None => targets.push((target, vec![choice.label.fr().to_owned()])),
                }
            }
            let all_alike = targets.len() == 1;
            for (target, labels) in targets {
                let when = match (all_alike, conditioned) {
                    (true, false) => When::Always,
                    (true, true) => When::Otherwise,
                    (false, _) => When::Answers(labels),
                };
                ways.push(Way {
                    when,
                    to: &self.steps[target],
                });
            }
            if let (true, Some(next)) = (step.optional, step.next) {
                ways.push(Way {
                    when: When::Skipped,
                    to: &self.steps[next],
                });
            }
        } else if let Some(next) = step.next {
            ways.push(Way {
                when: if conditioned {
                    When::Otherwise
                } else {
                    When::Always
                },
                to: &self.steps[next],
            });
        }
        ways
    }

    /// The flow as a nested outline from its start: each step once in
    /// full, at the first place a walk from the start meets it (depth
    /// first, ways in order), and elsewhere as a pointer to it.
    pub fn outline(&self) -> Vec<Row<'_>> {
        let mut rows = Vec::new();
        let mut seen = vec![false; self.steps.len()];
        // An explicit stack: a long chain of steps must not exhaust the
        // thread's stack.
        let mut stack: Vec<(usize, Option<When>, usize)> = vec![(0, None, self.start)];
        while let Some((depth, when, at)) = stack.pop() {
            let step = &self.steps[at];
            let already = seen[at];
            rows.push(Row {
                depth,
                when,
                step,
                seen: already,
            });
            if already {
                continue;
            }
            seen[at] = true;
            let ways = self.ways(step);
            for way in ways.into_iter().rev() {
                let target = self.index[&way.to.id];
                stack.push((depth + 1, Some(way.when), target));
            }
        }
        rows
    }
}

/// What changed from one version of a flow to the next, in French, one
/// line each: steps added and removed, and for each step kept what it
/// asks, its help, button, type, role, whether it is optional or in the
/// report, its answers and where each way leads.
pub fn changes(before: &Flow, after: &Flow) -> Vec<String> {
    let mut out = Vec::new();
    if before.start().id != after.start().id {
        out.push(format!(
            "La conversation commence maintenant par « {} » (au lieu de « {} »).",
            after.start().id,
            before.start().id
        ));
    }
    for step in after.steps() {
        let Some(old) = before.step(&step.id) else {
            out.push(format!(
                "Étape ajoutée « {} » : « {} ».",
                step.id,
                step.question.fr()
            ));
            continue;
        };
        step_changes(before, old, after, step, &mut out);
    }
    for old in before.steps() {
        if after.step(&old.id).is_none() {
            out.push(format!(
                "Étape retirée « {} » : « {} ».",
                old.id,
                old.question.fr()
            ));
        }
    }
    out
}

fn step_changes(before: &Flow, old: &Step, after: &Flow, new: &Step, out: &mut Vec<String>) {
    let id = &new.id;
    text_change(out, id, "texte", Some(&old.question), Some(&new.question));
    text_change(out, id, "aide", old.help.as_ref(), new.help.as_ref());
    text_change(out, id, "bouton", old.button.as_ref(), new.button.as_ref());
    if old.kind.name() != new.kind.name() {
        out.push(format!(
            "« {id} » : type {} au lieu de {}.",
            new.kind.name(),
            old.kind.name()
        ));
    } else if let (
        StepKind::Number { min, max, .. },
        StepKind::Number {
            min: new_min,
            max: new_max,
            ..
        },
    ) = (&old.kind, &new.kind)
        && (min, max) != (new_min, new_max)
    {
        out.push(format!(
            "« {id} » : nombre entre {new_min} et {new_max} (au lieu de {min} à {max})."
        ));
    }
    if let (StepKind::Outcome(was), StepKind::Outcome(is)) = (&old.kind, &new.kind)
        && was != is
    {
        out.push(format!(
            "« {id} » : issue {} au lieu de {}.",
            is.name(),
            was.name()
        ));
    }
    if old.role != new.role {
        let name = |role: Option<crate::Role>| role.map_or("aucun", crate::Role::name);
        out.push(format!(
            "« {id} » : rôle {} au lieu de {}.",
            name(new.role),
            name(old.role)
        ));
    }
    if old.optional != new.optional {
        out.push(if new.optional {
            format!("« {id} » : peut maintenant être passée.")
        } else {
            format!("« {id} » : ne peut plus être passée.")
        });
    }
    if old.in_report != new.in_report {
        out.push(if new.in_report {
            format!("« {id} » : la réponse figure maintenant dans le compte rendu.")
        } else {
            format!("« {id} » : la réponse ne figure plus dans le compte rendu.")
        });
    }
    for choice in new.choices() {
        match old.choices().iter().find(|c| c.id == choice.id) {
            None => out.push(format!(
                "« {id} » : réponse ajoutée « {} ».",
                choice.label.fr()
            )),
            Some(was) => {
                if was.label != choice.label {
                    out.push(format!(
                        "« {id} » : la réponse « {} » devient « {} ».",
                        was.label.fr(),
                        choice.label.fr()
                    ));
                }
                if was.needs != choice.needs {
                    out.push(format!(
                        "« {id} » : la réponse « {} » révèle maintenant les besoins [{}].",
                        choice.label.fr(),
                        choice.needs.join(", ")
                    ));
                }
            }
        }
    }
    for was in old.choices() {
        if !new.choices().iter().any(|c| c.id == was.id) {
            out.push(format!(
                "« {id} » : réponse retirée « {} ».",
                was.label.fr()
            ));
        }
    }
    let ways = |flow: &Flow, step: &Step| -> Vec<String> {
        flow.ways(step)
            .iter()
            .map(|way| format!("{} → « {} »", way.when, way.to.id))
            .collect()
    };
    let (was, is) = (ways(before, old), ways(after, new));
    if was != is {
        out.push(format!(
            "« {id} » mène maintenant : {} (au lieu de : {}).",
            or_nothing(&is),
            or_nothing(&was)
        ));
    }
}

fn or_nothing(ways: &[String]) -> String {
    if ways.is_empty() {
        "nulle part, c'est une fin".to_owned()
    } else {
        ways.join(" ; ")
    }
}

fn text_change(
    out: &mut Vec<String>,
    id: &str,
    what: &str,
    old: Option<&Text>,
    new: Option<&Text>,
) {
    match (old, new) {
        (Some(old), Some(new)) if old != new => {
            if old.fr() == new.fr() {
                out.push(format!("« {id} » : {what} changé dans une autre langue."));
            } else {
                out.push(format!(
                    "« {id} » : {what} « {} » devient « {} ».",
                    old.fr(),
                    new.fr()
                ));
            }
        }
        (None, Some(new)) => out.push(format!("« {id} » : {what} ajouté « {} ».", new.fr())),
        (Some(old), None) => out.push(format!("« {id} » : {what} retiré « {} ».", old.fr())),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEFORE: &str = r#"
id = "t"
start = "debut"

[[step]]
id = "debut"
type = "choice"
question = { fr = "Vous souhaitez continuer ?" }

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }
  next = "fin"

  [[step.choice]]
  id = "non"
  label = { fr = "Non" }
  next = "lignes"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Merci." }

[[step]]
id = "lignes"
type = "outcome"
outcome = "leave"
question = { fr = "Les lignes nationales." }
"#;

    fn flow(source: &str) -> Flow {
        Flow::parse(source, crate::NEEDS).unwrap()
    }

    #[test]
    fn the_outline_shows_each_step_once_and_points_back_at_the_rest() {
        let original = flow(BEFORE);
        let rows: Vec<(usize, String, bool)> = original
            .outline()
            .iter()
            .map(|r| {
                (
                    r.depth,
                    format!(
                        "{} {}",
                        r.when.as_ref().map_or(String::new(), ToString::to_string),
                        r.step.id
                    ),
                    r.seen,
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (0, " debut".to_owned(), false),
                (1, "réponse « Oui » fin".to_owned(), false),
                (1, "réponse « Non » lignes".to_owned(), false),
            ]
        );
    }

    #[test]
    fn the_changes_name_each_step_answer_and_way_that_changed() {
        let before = flow(BEFORE);
        let after = flow(
            &BEFORE
                .replace("Vous souhaitez continuer ?", "Voulez-vous continuer ?")
                .replace(
                    "  [[step.choice]]\n  id = \"non\"",
                    "  [[step.choice]]\n  id = \"suivie\"\n  label = { fr = \"Je suis déjà suivie\" }\n  next = \"lignes\"\n\n  [[step.choice]]\n  id = \"non\"",
                ),
        );
        let found = changes(&before, &after);
        assert!(
            found.contains(
                &"« debut » : texte « Vous souhaitez continuer ? » devient « Voulez-vous continuer ? »."
                    .to_owned()
            ),
            "{found:#?}"
        );
        assert!(
            found.contains(&"« debut » : réponse ajoutée « Je suis déjà suivie ».".to_owned()),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|c| c.starts_with("« debut » mène maintenant")),
            "{found:#?}"
        );
        assert!(changes(&before, &before).is_empty());
    }
}
