//! A Mermaid diagram of a flow, for coordinators (`relais flow graph`).

use std::fmt::Write as _;

use crate::model::{Flow, Step, StepKind};

/// The longest question shown in a box, in characters.
const QUESTION_MAX: usize = 80;

/// A `flowchart TD` with a box per step (its id and French question) and an
/// arrow per way on, labelled with the answers or the condition that take it.
pub(crate) fn draw(flow: &Flow) -> String {
    let mut out = String::from("flowchart TD\n");
    for (at, step) in flow.steps.iter().enumerate() {
        let label = escape(&node_label(step));
        // Writing to a String cannot fail.
        let _ = match step.kind {
            StepKind::Outcome(outcome) if outcome.is_final() => {
                writeln!(out, "    s{at}([\"{label}\"])")
            }
            StepKind::Outcome(_) => writeln!(out, "    s{at}{{{{\"{label}\"}}}}"),
            _ => writeln!(out, "    s{at}[\"{label}\"]"),
        };
    }
    for (at, step) in flow.steps.iter().enumerate() {
        for rule in &step.rules {
            let label = escape(&format!("si {}", rule.condition.source));
            let _ = writeln!(out, "    s{at} -->|\"{label}\"| s{}", rule.next);
        }
        let otherwise = |label: &str| {
            if step.rules.is_empty() {
                label.to_owned()
            } else {
                format!("sinon, {label}")
            }
        };
        match &step.kind {
            StepKind::Choice(choices) => {
                // One arrow per target, with every answer that takes it.
                let mut targets: Vec<(usize, Vec<&str>)> = Vec::new();
                for choice in choices {
                    let Some(target) = choice.next.or(step.next) else {
                        continue;
                    };
                    match targets.iter_mut().find(|(known, _)| *known == target) {
                        Some((_, labels)) => labels.push(choice.label.fr()),
                        None => targets.push((target, vec![choice.label.fr()])),
                    }
                }
                // When every answer goes the same way, naming them all says
                // nothing.
                let all_alike = targets.len() == 1;
                for (target, labels) in targets {
                    if all_alike && step.rules.is_empty() {
                        let _ = writeln!(out, "    s{at} --> s{target}");
                        continue;
                    }
                    let label = if all_alike {
                        "sinon".to_owned()
                    } else {
                        otherwise(&labels.join(" / "))
                    };
                    let _ = writeln!(out, "    s{at} -->|\"{}\"| s{target}", escape(&label));
                }
                if let (true, Some(next)) = (step.optional, step.next) {
                    let label = escape(&otherwise("passer"));
                    let _ = writeln!(out, "    s{at} -->|\"{label}\"| s{next}");
                }
            }
            _ => {
                if let Some(next) = step.next {
                    if step.rules.is_empty() {
                        let _ = writeln!(out, "    s{at} --> s{next}");
                    } else {
                        let _ = writeln!(out, "    s{at} -->|\"sinon\"| s{next}");
                    }
                }
            }
        }
    }
    out.push_str("    classDef issue fill:#e8f4ea,stroke:#2e7d32\n");
    out.push_str("    classDef urgence fill:#fdecea,stroke:#c62828\n");
    for (at, step) in flow.steps.iter().enumerate() {
        if let StepKind::Outcome(outcome) = step.kind {
            let class = if outcome.is_final() {
                "issue"
            } else {
                "urgence"
            };
            let _ = writeln!(out, "    class s{at} {class}");
        }
    }
    out
}

fn node_label(step: &Step) -> String {
    let question = step.question.fr();
    let question: String = if question.chars().count() > QUESTION_MAX {
        let cut: String = question.chars().take(QUESTION_MAX - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        question.to_owned()
    };
    match step.outcome() {
        Some(outcome) => format!("{} (issue {}) : {question}", step.id, outcome.name()),
        None => format!("{} : {question}", step.id),
    }
}

/// Escapes a label for a quoted Mermaid string: entity codes for the
/// characters Mermaid would read as syntax, spaces for line breaks.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_angle_brackets_are_written_as_entity_codes() {
        assert_eq!(
            escape("Dites \"oui\" si age < 18 #1\n"),
            "Dites #quot;oui#quot; si age #lt; 18 #35;1 "
        );
    }
}
