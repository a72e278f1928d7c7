//! Whether an answer fits a step, and its tidy form.
//!
//! `accept` is the one gate every answer goes through, both when it is
//! given and when a progress is replayed: the engine stores only what
//! `accept` returned, so a stored answer is always accepted again as is.

use crate::engine::Answer;
use crate::engine::{AnswerError, Channel, Contact};
use crate::model::{Choice, Step, StepKind};

/// The longest safe times text, in characters.
pub const CONTACT_TIMES_MAX: usize = 200;
/// The longest `max_length` a text step may have: the server bounds every
/// field before it reads it, and a flow cannot ask for more.
pub const TEXT_MAX: usize = 4000;
/// The longest neutral name, in characters.
pub const CONTACT_NAME_MAX: usize = 60;
/// The longest phone number or e-mail address, in characters (the longest
/// e-mail address SMTP carries).
pub const CONTACT_VALUE_MAX: usize = 254;

/// Checks `answer` against `step` and returns it tidied: texts trimmed,
/// ticked choices deduplicated in the flow's order, an empty answer to an
/// optional step turned into `Skipped`.
pub(crate) fn accept(step: &Step, answer: Answer) -> Result<Answer, AnswerError> {
    let empty = || {
        if step.optional {
            Ok(Answer::Skipped)
        } else {
            Err(AnswerError::Required)
        }
    };
    match (&step.kind, answer) {
        (StepKind::Outcome(outcome), _) if outcome.is_final() => Err(AnswerError::Finished),
        (StepKind::Message | StepKind::Summary | StepKind::Outcome(_), Answer::Continue) => {
            Ok(Answer::Continue)
        }
        (StepKind::Message | StepKind::Summary | StepKind::Outcome(_), _) => {
            Err(AnswerError::WrongKind)
        }
        (_, Answer::Skipped) => empty(),
        (StepKind::Choice(choices), Answer::Choice(chosen)) => {
            if chosen.is_empty() {
                empty()
            } else if choices.iter().any(|choice| choice.id == chosen) {
                Ok(Answer::Choice(chosen))
            } else {
                Err(AnswerError::UnknownChoice(chosen))
            }
        }
        (StepKind::Multiple(choices), Answer::Choices(ticked)) => multiple(step, choices, ticked),
        (StepKind::Number { min, max, .. }, Answer::Number(number)) => {
            if (*min..=*max).contains(&number) {
                Ok(Answer::Number(number))
            } else {
                Err(AnswerError::OutOfRange {
                    min: *min,
                    max: *max,
                })
            }
        }
        (StepKind::Commune, Answer::Commune(code)) => {
            if code.is_empty() {
                empty()
            } else if code.len() == 5 && code.bytes().all(|byte| byte.is_ascii_alphanumeric()) {
                Ok(Answer::Commune(code))
            } else {
                Err(AnswerError::BadCommune)
            }
        }
        (StepKind::Text { max_length } | StepKind::LongText { max_length }, Answer::Text(text)) => {
            let text = text.trim();
            if text.is_empty() {
                empty()
            } else if text.chars().count() > *max_length {
                Err(AnswerError::TooLong { max: *max_length })
            } else {
                Ok(Answer::Text(text.to_owned()))
            }
        }
        (StepKind::Contact, Answer::Contact(contact)) => {
            contact_answer(contact).map(Answer::Contact)
        }
        _ => Err(AnswerError::WrongKind),
    }
}

fn multiple(step: &Step, choices: &[Choice], ticked: Vec<String>) -> Result<Answer, AnswerError> {
    if let Some(unknown) = ticked
        .iter()
        .find(|id| !choices.iter().any(|choice| choice.id == **id))
    {
        return Err(AnswerError::UnknownChoice(unknown.clone()));
    }
    if ticked.is_empty() && !step.optional {
        return Err(AnswerError::Required);
    }
    Ok(Answer::Choices(
        choices
            .iter()
            .filter(|choice| ticked.contains(&choice.id))
            .map(|choice| choice.id.clone())
            .collect(),
    ))
}

fn contact_answer(contact: Contact) -> Result<Contact, AnswerError> {
    let value = contact.value.trim();
    let times = contact.times.trim();
    let neutral_name = contact.neutral_name.trim();
    if contact.channel != Channel::None {
        if value.is_empty() {
            return Err(AnswerError::ContactValueMissing);
        }
        if value.chars().count() > CONTACT_VALUE_MAX {
            return Err(AnswerError::ContactTooLong {
                field: "value",
                max: CONTACT_VALUE_MAX,
            });
        }
        match contact.channel {
            Channel::Email if !is_email(value) => return Err(AnswerError::ContactEmail),
            Channel::Phone | Channel::Sms if !is_phone(value) => {
                return Err(AnswerError::ContactPhone);
            }
            _ => {}
        }
    }
    if times.chars().count() > CONTACT_TIMES_MAX {
        return Err(AnswerError::ContactTooLong {
            field: "times",
            max: CONTACT_TIMES_MAX,
        });
    }
    if neutral_name.chars().count() > CONTACT_NAME_MAX {
        return Err(AnswerError::ContactTooLong {
            field: "neutral_name",
            max: CONTACT_NAME_MAX,
        });
    }
    // Not to be contacted: no number or address is kept, and no message
    // can be left.
    let silent = contact.channel == Channel::None;
    Ok(Contact {
        channel: contact.channel,
        value: if silent {
            String::new()
        } else {
            value.to_owned()
        },
        times: times.to_owned(),
        may_leave_message: contact.may_leave_message && !silent,
        neutral_name: neutral_name.to_owned(),
    })
}

/// A French or international phone number: digits, spaces, dots, dashes and
/// a leading `+`; 10 digits starting with 0, or `+` and 8 to 15 digits.
pub fn is_phone(value: &str) -> bool {
    if !value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '+'))
    {
        return false;
    }
    let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
    match value.matches('+').count() {
        0 => digits.len() == 10 && digits.first() == Some(&'0'),
        1 => value.starts_with('+') && (8..=15).contains(&digits.len()),
        _ => false,
    }
}

/// An e-mail address as people type it: `local@domain.tld`, no spaces.
///
/// Deliberately loose: the professional reads it, nothing sends to it
/// automatically, so refusing a strange but real address would do more harm
/// than letting a typo through.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"@".contains(c);
    !local.is_empty()
        && !local.chars().any(forbidden)
        && domain.contains('.')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_and_international_phone_numbers_are_accepted() {
        for number in [
            "0612345678",
            "06 12 34 56 78",
            "06.12.34.56.78",
            "06-12-34-56-78",
            "+33 6 12 34 56 78",
            "+44 20 7946 0958",
        ] {
            assert!(is_phone(number), "{number} should be a phone number");
        }
    }

    #[test]
    fn what_is_not_a_phone_number_is_refused() {
        for number in [
            "",
            "612345678",
            "1612345678",
            "06123456789",
            "06 12 34 56 7a",
            "+331",
            "+1234567890123456",
            "33+612345678",
            "++33612345678",
            "(0)6 12 34 56 78",
        ] {
            assert!(!is_phone(number), "{number} should not be a phone number");
        }
    }

    #[test]
    fn plausible_email_addresses_are_accepted_and_others_refused() {
        for address in [
            "lea@example.fr",
            "l.martin+aide@mail.example.org",
            "é@exemple.fr",
        ] {
            assert!(is_email(address), "{address} should be accepted");
        }
        for address in [
            "",
            "lea",
            "lea@",
            "@example.fr",
            "lea@example",
            "lea@@example.fr",
            "lea @example.fr",
            "lea@exa mple.fr",
            "lea@.example.fr",
            "lea@example..fr",
            "lea@example.fr.",
            "lea@-example.fr",
        ] {
            assert!(!is_email(address), "{address} should be refused");
        }
    }
}
