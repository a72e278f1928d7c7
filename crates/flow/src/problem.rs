//! A problem found in a flow file, told to the coordinator who wrote it.

use std::fmt;

/// A problem found in a flow file, with where it is.
///
/// Displayed as `ligne 12, étape « age » : <message>`; the parts that are
/// unknown are left out. The message is plain French, for the coordinator
/// who wrote the file, not for developers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The line in the file, counted from 1.
    pub line: Option<usize>,
    /// The id of the step the problem belongs to.
    pub step: Option<String>,
    /// What is wrong and, when it helps, how to mend it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, &self.step) {
            (Some(line), Some(step)) => write!(f, "ligne {line}, étape « {step} » : ")?,
            (Some(line), None) => write!(f, "ligne {line} : ")?,
            (None, Some(step)) => write!(f, "étape « {step} » : ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Problem {}

/// The line, counted from 1, of a byte offset in `source`.
///
/// Never panics: an offset past the end counts the lines of the whole text.
pub(crate) fn line_of(source: &str, offset: usize) -> usize {
    let end = offset.min(source.len());
    source.as_bytes()[..end]
        .iter()
        .filter(|byte| **byte == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_shows_its_line_and_step_before_the_message() {
        let problem = Problem {
            line: Some(12),
            step: Some("age".to_owned()),
            message: "il manque « min »".to_owned(),
        };

        assert_eq!(
            problem.to_string(),
            "ligne 12, étape « age » : il manque « min »"
        );
    }

    #[test]
    fn a_problem_leaves_out_what_it_does_not_know() {
        let line_only = Problem {
            line: Some(3),
            step: None,
            message: "m".to_owned(),
        };
        let step_only = Problem {
            line: None,
            step: Some("age".to_owned()),
            message: "m".to_owned(),
        };
        let neither = Problem {
            line: None,
            step: None,
            message: "m".to_owned(),
        };

        assert_eq!(line_only.to_string(), "ligne 3 : m");
        assert_eq!(step_only.to_string(), "étape « age » : m");
        assert_eq!(neither.to_string(), "m");
    }

    #[test]
    fn lines_are_counted_from_one_and_offsets_past_the_end_are_safe() {
        let source = "a\nb\nc";

        assert_eq!(line_of(source, 0), 1);
        assert_eq!(line_of(source, 2), 2);
        assert_eq!(line_of(source, 4), 3);
        assert_eq!(line_of(source, 999), 3);
    }
}
