//! What the conversation's answers say, for the conversation's pages and for
//! the capabilities that read them (the referral's report and form): an
//! answer read from a form, an answer in words, the commune, the needs and
//! the orientation they lead to.

use flow::{Answer, AnswerError, Channel, Contact, Flow, Outcome, Progress, Role, Step, StepKind};
use fluent_bundle::FluentValue;

use crate::directory::Directory;
use crate::directory::communes::{Commune, Resolution};
use crate::directory::hours;
use crate::directory::model::Need;
use crate::directory::orientation::{Orientation, Query};
use crate::directory::views::Choice as CommuneChoice;
use crate::web::form::Fields;
use crate::web::i18n::Lang;

/// The commune answered on the path (the step with the `commune` role),
/// if any.
pub fn commune_of(directory: &Directory, flow: &Flow, progress: &Progress) -> Option<Commune> {
    match flow::answer_with_role(flow, progress, Role::Commune)? {
        Answer::Commune(insee) => directory.index().communes().by_insee(insee).cloned(),
        _ => None,
    }
}

/// Why the fields do not make an answer yet.
#[derive(Debug)]
pub enum Refusal {
    /// A message to show next to the field.
    Message(String),
    /// Several communes match: choose one.
    ChooseCommune(Vec<CommuneChoice>),
    /// None matches, but these are near what she typed: did she mean one?
    SuggestCommune(Vec<CommuneChoice>),
}

/// Turns the posted fields into an answer to `step`.
pub fn read_answer(
    directory: &Directory,
    lang: Lang,
    step: &Step,
    fields: &Fields,
) -> Result<Answer, Refusal> {
    let skip = fields.get("action") == Some("passer") && step.optional;
    if skip {
        return Ok(match &step.kind {
            StepKind::Multiple(_) => Answer::Choices(Vec::new()),
            _ => Answer::Skipped,
        });
    }
    match &step.kind {
        StepKind::Message | StepKind::Summary | StepKind::Outcome(_) => Ok(Answer::Continue),
        StepKind::Choice(_) => match fields.get("choix").filter(|c| !c.is_empty()) {
            Some(choice) => Ok(Answer::Choice(choice.to_owned())),
            None => Err(Refusal::Message(lang.t("conversation-error-choose"))),
        },
        StepKind::Multiple(_) => Ok(Answer::Choices(fields.all("choix"))),
        StepKind::Number { min, max, .. } => {
            let raw = fields.text("nombre");
            match raw.trim().parse::<i64>() {
                Ok(number) => Ok(Answer::Number(number)),
                Err(_) if raw.trim().is_empty() => {
                    Err(Refusal::Message(lang.t("conversation-error-required")))
                }
                Err(_) => Err(Refusal::Message(lang.t_with(
                    "conversation-error-number",
                    &[
                        ("min", FluentValue::from(*min)),
                        ("max", FluentValue::from(*max)),
                    ],
                ))),
            }
        }
        StepKind::Commune => read_commune(directory, lang, fields).map(Answer::Commune),
        StepKind::Text { .. } | StepKind::LongText { .. } => {
            let text = fields.text("texte");
            if text.trim().is_empty() {
                if step.optional {
                    Ok(Answer::Skipped)
                } else {
                    Err(Refusal::Message(lang.t("conversation-error-required")))
                }
            } else {
                Ok(Answer::Text(text))
            }
        }
        StepKind::Contact => {
            let channel = match fields.get("canal") {
                Some("telephone") => Channel::Phone,
                Some("sms") => Channel::Sms,
                Some("courriel") => Channel::Email,
                Some("aucun") => Channel::None,
                _ => return Err(Refusal::Message(lang.t("conversation-error-channel"))),
            };
            Ok(Answer::Contact(Contact {
                channel,
                value: if channel == Channel::None {
                    String::new()
                } else {
                    fields.text("coordonnee").trim().to_owned()
                },
                times: fields.text("moments").trim().to_owned(),
                may_leave_message: fields.get("message_ok") == Some("oui"),
                neutral_name: fields.text("nom_neutre").trim().to_owned(),
            }))
        }
    }
}

/// A refused answer in the visitor's words.
pub fn refusal_message(lang: Lang, step: &Step, error: &AnswerError) -> String {
    match error {
        AnswerError::Required => match step.kind {
            StepKind::Choice(_) | StepKind::Multiple(_) => lang.t("conversation-error-choose"),
            _ => lang.t("conversation-error-required"),
        },
        AnswerError::OutOfRange { min, max } => lang.t_with(
            "conversation-error-number",
            &[
                ("min", FluentValue::from(*min)),
                ("max", FluentValue::from(*max)),
            ],
        ),
        AnswerError::TooLong { max } => lang.t_with(
            "conversation-error-too-long",
            &[("max", FluentValue::from(*max))],
        ),
        AnswerError::ContactTooLong { max, .. } => lang.t_with(
            "conversation-error-too-long",
            &[("max", FluentValue::from(*max))],
        ),
        AnswerError::ContactValueMissing => lang.t("conversation-error-contact-missing"),
        AnswerError::ContactPhone => lang.t("conversation-error-phone"),
        AnswerError::ContactEmail => lang.t("conversation-error-email"),
        AnswerError::BadCommune => lang.t("directory-place-missing"),
        AnswerError::UnknownChoice(_)
        | AnswerError::WrongKind
        | AnswerError::NotOnPath
        | AnswerError::Finished => lang.t("conversation-error-choose"),
    }
}

/// The answer on the path to `step_id`, if any.
pub fn answered<'a>(flow: &'a Flow, progress: &'a Progress, step_id: &str) -> Option<&'a Answer> {
    flow::path(flow, progress)
        .into_iter()
        .find(|(step, _)| step.id == step_id)
        .map(|(_, answer)| answer)
}

/// The ways to be contacted, as the contact question offers them.
pub fn channels(lang: Lang) -> Vec<(&'static str, String)> {
    vec![
        ("telephone", lang.t("conversation-channel-phone")),
        ("sms", lang.t("conversation-channel-sms")),
        ("courriel", lang.t("conversation-channel-email")),
        ("aucun", lang.t("conversation-channel-none")),
    ]
}

pub fn channel_code(channel: Channel) -> &'static str {
    match channel {
        Channel::Phone => "telephone",
        Channel::Sms => "sms",
        Channel::Email => "courriel",
        Channel::None => "aucun",
    }
}

/// An answer in words, as the transcript and the summary show it.
pub fn answer_text(directory: &Directory, lang: Lang, step: &Step, answer: &Answer) -> String {
    let code = lang.code();
    let label = |id: &str| match &step.kind {
        StepKind::Choice(choices) | StepKind::Multiple(choices) => choices
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| id.to_owned(), |c| c.label.get(code).to_owned()),
        _ => id.to_owned(),
    };
    match answer {
        Answer::Continue => String::new(),
        Answer::Skipped => lang.t("conversation-skipped"),
        Answer::Choice(id) => label(id),
        Answer::Choices(ids) if ids.is_empty() => lang.t("conversation-skipped"),
        Answer::Choices(ids) => ids
            .iter()
            .map(|id| label(id))
            .collect::<Vec<_>>()
            .join(", "),
        Answer::Number(n) => match &step.kind {
            StepKind::Number {
                unit: Some(unit), ..
            } => format!("{n} {}", unit.get(code)),
            _ => n.to_string(),
        },
        Answer::Commune(insee) => directory.index().communes().by_insee(insee).map_or_else(
            || insee.clone(),
            |c| format!("{} ({})", c.name, c.postcodes.first().map_or("", |p| &**p)),
        ),
        Answer::Text(text) => text.clone(),
        Answer::Contact(contact) => {
            let mut parts = vec![match contact.channel {
                Channel::Phone => lang.t_with(
                    "conversation-contact-by-phone",
                    &[("value", FluentValue::from(contact.value.as_str()))],
                ),
                Channel::Sms => lang.t_with(
                    "conversation-contact-by-sms",
                    &[("value", FluentValue::from(contact.value.as_str()))],
                ),
                Channel::Email => lang.t_with(
                    "conversation-contact-by-email",
                    &[("value", FluentValue::from(contact.value.as_str()))],
                ),
                Channel::None => lang.t("conversation-contact-none"),
            }];
            if contact.channel != Channel::None {
                if !contact.times.is_empty() {
                    parts.push(contact.times.clone());
                }
                parts.push(if contact.may_leave_message {
                    lang.t("conversation-contact-message-yes")
                } else {
                    lang.t("conversation-contact-message-no")
                });
                if !contact.neutral_name.is_empty() {
                    parts.push(lang.t_with(
                        "conversation-contact-neutral",
                        &[("name", FluentValue::from(contact.neutral_name.as_str()))],
                    ));
                }
            }
            parts.join(" · ")
        }
    }
}

/// The commune a form names (`lieu` as typed, `commune` as chosen from
/// a list we showed), by its INSEE code, or why there is none yet: a list
/// to choose from, communes near what she typed, or a message.
pub fn read_commune(directory: &Directory, lang: Lang, fields: &Fields) -> Result<String, Refusal> {
    let index = directory.index();
    let communes = index.communes();
    let query = fields.text("lieu");
    let resolution = communes.find(fields.get("commune").unwrap_or_default(), &query);
    let choice = |commune: &Commune| CommuneChoice {
        insee: commune.insee.to_string(),
        label: match commune.postcodes.first() {
            Some(postcode) => format!("{} ({postcode})", commune.name),
            None => commune.name.to_string(),
        },
    };
    match resolution {
        Resolution::One(commune) => Ok(commune.insee.to_string()),
        Resolution::Unknown(_) if query.trim().is_empty() => {
            Err(Refusal::Message(lang.t("directory-place-missing")))
        }
        Resolution::Several(found) => Err(Refusal::ChooseCommune(
            found.into_iter().map(choice).collect(),
        )),
        Resolution::Unknown(near) if near.is_empty() => Err(Refusal::Message(
            lang.t_with("directory-unknown", &[("query", FluentValue::from(query))]),
        )),
        Resolution::Unknown(near) => Err(Refusal::SuggestCommune(
            near.into_iter().map(choice).collect(),
        )),
    }
}

/// Her territory's slug (from her commune, else the territory of the entry
/// she came by, else the only territory; never a suspended one) and her
/// needs, if she named any: where live help looks for someone.
pub fn territory_and_needs(
    directory: &Directory,
    flow: &Flow,
    progress: &Progress,
    entry: Option<&str>,
) -> (Option<String>, Option<crate::directory::model::Needs>) {
    let territory = territory_of(directory, flow, progress, entry);
    let mut needs = crate::directory::model::Needs::EMPTY;
    for need in needs_latest_first(flow, progress) {
        needs.insert(need);
    }
    (territory, (!needs.is_empty()).then_some(needs))
}

/// Her territory's slug: her commune's, else that of the entry she came by,
/// else the only one the site serves; never a suspended one.
pub fn territory_of(
    directory: &Directory,
    flow: &Flow,
    progress: &Progress,
    entry: Option<&str>,
) -> Option<String> {
    let index = directory.index();
    commune_of(directory, flow, progress)
        .as_ref()
        .and_then(|c| index.territory_of(c))
        .or_else(|| entry.and_then(|slug| index.territory(slug)))
        .or_else(|| index.only_territory())
        .filter(|t| !t.suspended)
        .map(|t| t.slug.to_string())
}

/// The needs the answers reveal: those of the step with the `needs` role
/// first (the person's own choice should lead the orientation), then those
/// of the other questions, the latest first.
pub fn needs_latest_first(flow: &Flow, progress: &Progress) -> Vec<Need> {
    let mut needs = Vec::new();
    let mut path = flow::path(flow, progress);
    path.reverse();
    path.sort_by_key(|(step, _)| step.role != Some(Role::Needs));
    for (step, answer) in path {
        let (StepKind::Choice(choices) | StepKind::Multiple(choices)) = &step.kind else {
            continue;
        };
        let chosen: Vec<&String> = match answer {
            Answer::Choice(id) => vec![id],
            Answer::Choices(ids) => ids.iter().collect(),
            _ => continue,
        };
        for choice in choices.iter().filter(|c| chosen.contains(&&c.id)) {
            for need in choice.needs.iter().filter_map(|code| Need::parse(code)) {
                if !needs.contains(&need) {
                    needs.push(need);
                }
            }
        }
    }
    needs
}

/// The orientation the answers lead to: her commune, the ranked contacts,
/// and the local time they were ranked at. `None` without a commune.
pub fn orientation_for(
    directory: &Directory,
    flow: &Flow,
    progress: &Progress,
) -> Option<(Commune, Orientation, jiff::civil::DateTime)> {
    let needs = needs_latest_first(flow, progress);
    let age = flow::answer_with_role(flow, progress, Role::Age).and_then(|a| match a {
        Answer::Number(n) => u8::try_from(*n).ok(),
        _ => None,
    });
    let danger = flow::path(flow, progress)
        .iter()
        .any(|(step, _)| matches!(step.kind, StepKind::Outcome(Outcome::Emergency)));
    let index = directory.index();
    let commune = commune_of(directory, flow, progress)?;
    let at = hours::now_in(&commune.departement);
    let needs = if needs.is_empty() {
        vec![Need::Legal]
    } else {
        needs
    };
    let orientation = index.orient(&Query {
        commune: &commune,
        needs: &needs,
        age,
        danger_now: danger,
        at,
        per_need: 3,
    });
    Some((commune, orientation, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Her own choice of needs first, a question about her situation after
    /// it: the step with the `needs` role leads, wherever it stands.
    const FLOW: &str = r#"id = "essai"
start = "choix"

[[step]]
id = "choix"
type = "multiple"
role = "needs"
question = { fr = "De quoi avez-vous besoin ?" }
next = "situation"

  [[step.choice]]
  id = "logement"
  label = { fr = "Un logement" }
  needs = ["housing"]

[[step]]
id = "situation"
type = "choice"
question = { fr = "Voulez-vous porter plainte ?" }
next = "fin"

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }
  needs = ["complaint"]

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Merci." }
"#;

    #[test]
    fn the_needs_she_chose_lead_the_orientation_whatever_the_step_is_called() {
        let flow = Flow::parse(FLOW, &crate::conversation::known_needs()).unwrap();
        let progress = Progress::default();
        let progress = flow::advance(
            &flow,
            &progress,
            "choix",
            Answer::Choices(vec!["logement".to_owned()]),
        )
        .unwrap();
        let progress = flow::advance(
            &flow,
            &progress,
            "situation",
            Answer::Choice("oui".to_owned()),
        )
        .unwrap();
        assert_eq!(
            needs_latest_first(&flow, &progress),
            [Need::Housing, Need::Complaint]
        );
    }
}
