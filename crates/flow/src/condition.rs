//! Conditions of `[[step.when]]` rules: their syntax and how they hold.
//!
//! A condition is one or more tests joined by `and`, each on the answer of
//! one step: `age < 18`, `danger == oui`, `violences has physique`,
//! `prenom answered`. This module reads the text and evaluates a checked
//! condition; whether a test fits its step is checked in `check`.

use crate::engine::Answer;

/// A checked condition: every test names an existing step it fits.
#[derive(Clone, Debug)]
pub(crate) struct Condition {
    /// The condition as written, for the diagram.
    pub(crate) source: String,
    pub(crate) tests: Vec<Test>,
}

/// One test of a condition, on the answer of `step`.
#[derive(Clone, Debug)]
pub(crate) struct Test {
    pub(crate) step: usize,
    pub(crate) check: Check,
}

/// What a test asks of an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    /// The number answered compares so with the value.
    Compare(Op, i64),
    /// The choice is this one.
    Is(String),
    /// The choice is not this one.
    IsNot(String),
    /// The choices ticked include this one.
    Has(String),
    /// The step was answered (not skipped).
    Answered,
    /// The step was skipped.
    Skipped,
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Op {
    fn from_text(text: &str) -> Option<Op> {
        match text {
            "<" => Some(Op::Lt),
            "<=" => Some(Op::Le),
            ">" => Some(Op::Gt),
            ">=" => Some(Op::Ge),
            "==" => Some(Op::Eq),
            "!=" => Some(Op::Ne),
            _ => None,
        }
    }

    fn holds(self, left: i64, right: i64) -> bool {
        match self {
            Op::Lt => left < right,
            Op::Le => left <= right,
            Op::Gt => left > right,
            Op::Ge => left >= right,
            Op::Eq => left == right,
            Op::Ne => left != right,
        }
    }
}

/// A test as written, before its step is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Written {
    pub(crate) step: String,
    pub(crate) test: WrittenTest,
}

/// The right-hand side of a written test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum WrittenTest {
    Compare(Op, String),
    Has(String),
    Answered,
    Skipped,
}

impl WrittenTest {
    /// Whether the test compares the answer's value (all but `answered`,
    /// `skipped` and `has`), so needs an answer that cannot be skipped.
    pub(crate) fn compares(&self) -> bool {
        matches!(self, WrittenTest::Compare(..))
    }
}

impl Condition {
    /// Whether every test holds, given the latest answer of each step.
    ///
    /// A test on a step without an answer does not hold; a checked flow never
    /// asks, since the step always comes before.
    pub(crate) fn holds<'a>(&self, answer_of: impl Fn(usize) -> Option<&'a Answer>) -> bool {
        self.tests
            .iter()
            .all(|test| answer_of(test.step).is_some_and(|answer| test.check.holds(answer)))
    }
}

impl Check {
    fn holds(&self, answer: &Answer) -> bool {
        match (self, answer) {
            (Check::Answered, answer) => *answer != Answer::Skipped,
            (Check::Skipped, answer) => *answer == Answer::Skipped,
            (Check::Compare(op, value), Answer::Number(number)) => op.holds(*number, *value),
            (Check::Is(choice), Answer::Choice(chosen)) => chosen == choice,
            (Check::IsNot(choice), Answer::Choice(chosen)) => chosen != choice,
            (Check::Has(choice), Answer::Choices(ticked)) => ticked.contains(choice),
            _ => false,
        }
    }
}

/// Reads a condition: tests joined by `and`. The error is a French message.
pub(crate) fn read(text: &str) -> Result<Vec<Written>, String> {
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err("la condition est vide".to_owned());
    }
    tokens
        .split(|token| *token == Token::Word("and"))
        .map(read_test)
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a str),
    Op(&'a str),
}

fn is_operator(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '!')
}

/// Splits on spaces and around operators, so that `age<18` reads as
/// `age < 18`.
fn tokenize(text: &str) -> Result<Vec<Token<'_>>, String> {
    let mut tokens = Vec::new();
    let mut rest = text.trim_start();
    while let Some(first) = rest.chars().next() {
        let end = if is_operator(first) {
            rest.find(|c: char| !is_operator(c)).unwrap_or(rest.len())
        } else {
            rest.find(|c: char| c.is_whitespace() || is_operator(c))
                .unwrap_or(rest.len())
        };
        let (token, after) = rest.split_at(end);
        if is_operator(first) {
            if Op::from_text(token).is_none() {
                return Err(format!(
                    "opérateur « {token} » inconnu : utilisez <, <=, >, >=, == ou !="
                ));
            }
            tokens.push(Token::Op(token));
        } else {
            tokens.push(Token::Word(token));
        }
        rest = after.trim_start();
    }
    Ok(tokens)
}

fn read_test(tokens: &[Token<'_>]) -> Result<Written, String> {
    let test = match tokens {
        [Token::Word(step), Token::Word("answered")] => Some((step, WrittenTest::Answered)),
        [Token::Word(step), Token::Word("skipped")] => Some((step, WrittenTest::Skipped)),
        [Token::Word(step), Token::Word("has"), Token::Word(choice)] => {
            Some((step, WrittenTest::Has((*choice).to_owned())))
        }
        [Token::Word(step), Token::Op(op), Token::Word(value)] => {
            Op::from_text(op).map(|op| (step, WrittenTest::Compare(op, (*value).to_owned())))
        }
        _ => None,
    };
    match test {
        Some((step, test)) => Ok(Written {
            step: (*step).to_owned(),
            test,
        }),
        None => {
            let written: Vec<&str> = tokens
                .iter()
                .map(|token| match token {
                    Token::Word(text) | Token::Op(text) => *text,
                })
                .collect();
            Err(format!(
                "je ne comprends pas « {} » : écrivez par exemple « age < 18 », \
                 « danger == oui », « violences has physique » ou « prenom answered », \
                 joints par « and »",
                written.join(" ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(step: &str, test: WrittenTest) -> Written {
        Written {
            step: step.to_owned(),
            test,
        }
    }

    #[test]
    fn tests_joined_by_and_are_read_in_order() {
        let read = read("age >= 18 and danger == non and prenom answered").unwrap();

        assert_eq!(
            read,
            vec![
                written("age", WrittenTest::Compare(Op::Ge, "18".to_owned())),
                written("danger", WrittenTest::Compare(Op::Eq, "non".to_owned())),
                written("prenom", WrittenTest::Answered),
            ]
        );
    }

    #[test]
    fn operators_need_no_spaces_around_them() {
        let read = read("age<18").unwrap();

        assert_eq!(
            read,
            vec![written(
                "age",
                WrittenTest::Compare(Op::Lt, "18".to_owned())
            )]
        );
    }

    #[test]
    fn has_and_skipped_are_read() {
        let read = read("violences has physique and prenom skipped").unwrap();

        assert_eq!(
            read,
            vec![
                written("violences", WrittenTest::Has("physique".to_owned())),
                written("prenom", WrittenTest::Skipped),
            ]
        );
    }

    #[test]
    fn an_unknown_operator_or_a_broken_test_is_refused() {
        assert!(read("age => 18").is_err());
        assert!(read("age 18").is_err());
        assert!(read("age < 18 and").is_err());
        assert!(read("").is_err());
        assert!(read("   ").is_err());
    }

    #[test]
    fn a_test_on_a_missing_answer_does_not_hold() {
        let condition = Condition {
            source: "age < 18".to_owned(),
            tests: vec![Test {
                step: 0,
                check: Check::Compare(Op::Lt, 18),
            }],
        };
        let fifteen = Answer::Number(15);

        assert!(condition.holds(|_| Some(&fifteen)));
        assert!(!condition.holds(|_| None));
    }

    #[test]
    fn answered_and_skipped_look_only_at_whether_the_step_was_skipped() {
        let skipped = Answer::Skipped;
        let given = Answer::Text("Léa".to_owned());

        assert!(Check::Skipped.holds(&skipped));
        assert!(!Check::Answered.holds(&skipped));
        assert!(Check::Answered.holds(&given));
        assert!(!Check::Has("x".to_owned()).holds(&skipped));
    }
}
