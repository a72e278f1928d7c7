//! The report: what the person said, put into words a professional reads in
//! one glance, in French, and in her language when she used another one.
//! Built in memory from the conversation's progress, serialised to JSON,
//! sealed at once (docs/crypto.md, "The report").

use flow::{Answer, Channel, Contact, Flow, Progress, Role, StepKind};
use fluent_bundle::FluentValue;
use serde::{Deserialize, Serialize};

use crate::conversation::answers::{answer_text, commune_of, needs_latest_first};
use crate::directory::Directory;
use crate::referral::ReferralState;
use crate::storage::ReferralId;
use crate::web::i18n::Lang;

/// The format version, also in the associated data of the envelope.
pub const VERSION: u32 = 1;

/// One question and its answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// The question, in French.
    pub question: String,
    /// The answer, in French.
    pub answer: String,
    /// The question as she read it, when not in French.
    pub question_original: Option<String>,
    /// The answer as she read it, when not in French.
    pub answer_original: Option<String>,
}

/// A report, version 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`VERSION`].
    pub version: u32,
    /// The referral's id.
    pub id: ReferralId,
    /// The day it was sent, YYYY-MM-DD.
    pub sent_on: String,
    /// The language she used: fr, en or ar.
    pub language: String,
    /// She said it is urgent.
    pub urgent: bool,
    /// The organisation she chose.
    pub organisation: String,
    /// Her commune and its postcode, "Montreuil-sur-Mer (62170)".
    pub commune: Option<String>,
    /// The first name or pseudonym she gave.
    pub name: Option<String>,
    /// Her needs, in French, hers first.
    pub needs: Vec<String>,
    /// How to contact her safely, each line labelled for the professional
    /// ("Comment la joindre", "Moments sans danger"…), not with the
    /// question she was asked.
    pub contact: Vec<Line>,
    /// The other answers, in the order asked, but those of the steps the
    /// flow leaves out of the report (`report = false`).
    pub answers: Vec<Line>,
    /// What she wants to say to the professional, in her words.
    pub free_text: Option<String>,
    /// A live conversation kept with her consent (docs/live.md), in order;
    /// absent from the reports sent from the conversation's outcome.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conversation: Vec<Spoken>,
}

/// One message of a live conversation kept in a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spoken {
    /// `person` or `professional`.
    pub from: String,
    /// The local time it was sent, `14:05`.
    pub at: String,
    /// What was written.
    pub text: String,
}

/// What the person chose on the sending page.
#[derive(Debug)]
pub struct Choices<'a> {
    /// The referral's id.
    pub id: &'a ReferralId,
    /// The organisation's public name.
    pub organisation: &'a str,
    /// Urgent or not.
    pub urgent: bool,
    /// Her contact preferences, when she changed them on the sending page,
    /// or gave them there because the conversation had not asked yet.
    pub contact: Option<&'a Answer>,
}

/// Builds the report of `progress`.
pub fn build(
    app: &ReferralState,
    flow: &Flow,
    lang: Lang,
    progress: &Progress,
    choices: &Choices<'_>,
) -> Report {
    build_with(&app.directory, flow, lang, progress, choices)
}

/// Builds the report of `progress` in `flow`, with the directory's words
/// for communes and needs.
pub fn build_with(
    directory: &Directory,
    flow: &Flow,
    lang: Lang,
    progress: &Progress,
    choices: &Choices<'_>,
) -> Report {
    let mut report = Report {
        version: VERSION,
        id: choices.id.clone(),
        sent_on: jiff::Zoned::now().date().to_string(),
        language: lang.code().to_owned(),
        urgent: choices.urgent,
        organisation: choices.organisation.to_owned(),
        commune: commune_of(directory, flow, progress).map(|c| match c.postcodes.first() {
            Some(postcode) => format!("{} ({postcode})", c.name),
            None => c.name.to_string(),
        }),
        name: None,
        needs: needs_latest_first(flow, progress)
            .into_iter()
            .map(|need| need.label().to_owned())
            .collect(),
        contact: Vec::new(),
        answers: Vec::new(),
        free_text: None,
        conversation: Vec::new(),
    };
    for (step, answer) in flow::path(flow, progress) {
        let answer = match (step.role, choices.contact) {
            (Some(Role::Contact), Some(chosen)) => chosen,
            _ => answer,
        };
        if !step.in_report {
            continue;
        }
        match (step.role, &step.kind, answer) {
            (_, StepKind::Message | StepKind::Summary | StepKind::Outcome(_), _)
            | (_, _, Answer::Continue)
            | (Some(Role::Name | Role::Message), _, Answer::Skipped) => {}
            (Some(Role::Name), _, Answer::Text(text)) => {
                report.name = Some(text.clone());
            }
            (Some(Role::Message), _, Answer::Text(text)) => {
                report.free_text = Some(text.clone());
            }
            (Some(Role::Contact), _, Answer::Contact(contact)) => {
                report.contact = contact_lines(lang, contact);
            }
            _ => {
                let line = Line {
                    question: step.question.get(Lang::Fr.code()).to_owned(),
                    answer: answer_text(directory, Lang::Fr, step, answer),
                    question_original: (lang != Lang::Fr)
                        .then(|| step.question.get(lang.code()).to_owned()),
                    answer_original: (lang != Lang::Fr)
                        .then(|| answer_text(directory, lang, step, answer)),
                };
                if step.role == Some(Role::Contact) {
                    report.contact.push(line);
                } else {
                    report.answers.push(line);
                }
            }
        }
    }
    // Given on the sending page when the conversation never asked it (a
    // callback asked for before the contact question).
    if let (None, Some(Answer::Contact(contact))) = (
        flow::answer_with_role(flow, progress, Role::Contact),
        choices.contact,
    ) {
        report.contact = contact_lines(lang, contact);
    }
    report
}

/// Her contact preferences as the professional reads them: one line each,
/// labelled for the professional, in French, with her language's words when
/// she used another. Her own words (the number, the times, the name) are
/// given as she typed them.
fn contact_lines(lang: Lang, contact: &Contact) -> Vec<Line> {
    let in_her_language = |french: String, hers: String| Line {
        question: String::new(),
        answer: french,
        question_original: None,
        answer_original: (lang != Lang::Fr).then_some(hers),
    };
    let as_typed = |text: &str| Line {
        question: String::new(),
        answer: text.to_owned(),
        question_original: None,
        answer_original: None,
    };
    let channel = |lang: Lang| {
        let value = [("value", FluentValue::from(contact.value.as_str()))];
        match contact.channel {
            Channel::Phone => lang.t_with("conversation-contact-by-phone", &value),
            Channel::Sms => lang.t_with("conversation-contact-by-sms", &value),
            Channel::Email => lang.t_with("conversation-contact-by-email", &value),
            Channel::None => lang.t("conversation-contact-none"),
        }
    };
    let mut lines = Vec::new();
    let how = if contact.channel == Channel::None {
        in_her_language(
            "Elle ne souhaite pas être contactée : elle suit sa demande avec son code de suivi"
                .to_owned(),
            channel(lang),
        )
    } else {
        in_her_language(channel(Lang::Fr), channel(lang))
    };
    lines.push(Line {
        question: "Comment la joindre".to_owned(),
        ..how
    });
    if contact.channel == Channel::None {
        return lines;
    }
    if !contact.times.is_empty() {
        lines.push(Line {
            question: "Moments sans danger".to_owned(),
            ..as_typed(&contact.times)
        });
    }
    let message = |lang: Lang| {
        lang.t(if contact.may_leave_message {
            "conversation-contact-message-yes"
        } else {
            "conversation-contact-message-no"
        })
    };
    lines.push(Line {
        question: "Laisser un message".to_owned(),
        ..in_her_language(
            if contact.may_leave_message {
                "Oui, c'est possible".to_owned()
            } else {
                "Non : ne laissez pas de message".to_owned()
            },
            message(lang),
        )
    });
    if !contact.neutral_name.is_empty() {
        lines.push(Line {
            question: "Se présenter comme".to_owned(),
            ..as_typed(&contact.neutral_name)
        });
    }
    lines
}
