//! What a POST to `/aide` says, read once, and what it leads to.
//!
//! [`AnswerForm`] is the form as posted: the sealed token, the button
//! pressed ([`Action`]), the step answered, the step to change; anything our
//! pages never send is a [`FormError`] (a 400). [`decide`] is a plain
//! function from the form and the progress the token opened to what comes
//! next ([`Next`]): start again, show a step to change, stay where she is,
//! refuse the answer with the reading's or the flow's reason, or advance.
//! `routes.rs` reads, asks `decide`, counts, and renders.

use flow::{Answer, AnswerError, Flow, Progress, Step, StepKind};

use std::sync::Arc;

use crate::conversation::answers::Refusal;
use crate::conversation::token::{self, ConversationId, TokenError};
use crate::web::error::AppError;
use crate::web::form::{Field, Fields, Posted, Spec};

/// Longest step identifier a form names.
pub(super) const STEP_ID_MAX: usize = 64;

/// What an answer to `/aide` may carry, each field with its bound.
pub static ANSWER: Spec = Spec::new(&[
    Field::one("t", token::MAX_TOKEN_LEN),
    Field::one("etape", STEP_ID_MAX),
    Field::one("action", 16),
    Field::one("modifier", STEP_ID_MAX),
    Field::many("choix", STEP_ID_MAX, 32),
    Field::one("nombre", 16),
    Field::one("lieu", crate::directory::communes::PLACE_MAX),
    Field::one("commune", 8),
    Field::one("texte", flow::TEXT_MAX),
    Field::one("canal", 16),
    Field::one("coordonnee", flow::CONTACT_VALUE_MAX),
    Field::one("moments", flow::CONTACT_TIMES_MAX),
    Field::one("message_ok", 3),
    Field::one("nom_neutre", flow::CONTACT_NAME_MAX),
]);

/// What the conversation's form posts, read once from [`ANSWER`]: the
/// token, the button pressed, the step answered or to change, and the
/// answer's own fields.
#[derive(Debug)]
pub(super) struct AnswerForm {
    pub(super) token: Token,
    pub(super) action: Action,
    /// The step answered (`etape`), when the page asked one.
    pub(super) step: Option<String>,
    /// The step whose answer she wants to change (`modifier`).
    pub(super) edit: Option<String>,
    /// The bound of a value cut to it (the token's aside): the question
    /// comes back with what she typed, cut, and says so.
    pub(super) too_long: Option<usize>,
    /// Every field as posted: [`read_answer`] reads the answer's own.
    pub(super) fields: Fields,
}

/// The token a form carries.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Token {
    /// None (or empty): the conversation starts.
    Absent,
    /// Longer than its bound, so cut: it cannot open.
    Cut,
    /// A sealed progress, to open.
    Sealed(String),
}

/// The button pressed (`action`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Action {
    /// `repondre`, or no action at all (a choice answers with its own
    /// button, which names no action): answer the step.
    Answer,
    /// `passer`: leave an optional step unanswered ([`read_answer`] reads
    /// it as such).
    Skip,
    /// `reprendre`: leave the change of an answer, back to where she was.
    Resume,
    /// `recommencer`: a new conversation from the first question.
    Restart,
    /// `commune`: on the youth outcome of the national entry, the commune
    /// whose territory's youth services she would like to see.
    Place,
}

/// Why a posted form is not one our pages send: a 400.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum FormError {
    #[error("a field the form does not have, or has once only, given anyway")]
    Forged,
    #[error("an action no button of the conversation sends")]
    UnknownAction,
    /// A step the flow does not have, or that no page names there: an
    /// answer to a final outcome, a change to an answer that has none.
    #[error("a step no page of the conversation names there")]
    UnknownStep,
}

impl From<FormError> for AppError {
    fn from(_: FormError) -> Self {
        AppError::BadRequest
    }
}

impl TryFrom<Posted> for AnswerForm {
    type Error = FormError;

    fn try_from(posted: Posted) -> Result<Self, FormError> {
        if posted.is_forged() {
            return Err(FormError::Forged);
        }
        let cut = posted.too_long();
        let fields = posted.fields;
        let token = match (cut, fields.get("t")) {
            (Some(("t", _)), _) => Token::Cut,
            (_, None | Some("")) => Token::Absent,
            (_, Some(sealed)) => Token::Sealed(sealed.to_owned()),
        };
        Ok(Self {
            token,
            action: Action::parse(fields.get("action"))?,
            step: fields.get("etape").map(str::to_owned),
            edit: fields.get("modifier").map(str::to_owned),
            too_long: cut.filter(|(field, _)| *field != "t").map(|(_, max)| max),
            fields,
        })
    }
}

impl Action {
    pub(super) fn parse(raw: Option<&str>) -> Result<Self, FormError> {
        match raw {
            None | Some("repondre") => Ok(Self::Answer),
            Some("passer") => Ok(Self::Skip),
            Some("reprendre") => Ok(Self::Resume),
            Some("recommencer") => Ok(Self::Restart),
            Some("commune") => Ok(Self::Place),
            Some(_) => Err(FormError::UnknownAction),
        }
    }
}

impl Token {
    /// The conversation it carries and the flow it goes on with: a new one
    /// on the `start` flow when there is no token yet; else what `open`
    /// makes of the token (the flow it was sealed for, if its answers fit
    /// it), or why it cannot go on (and the `start` flow, to begin again
    /// on).
    pub(super) fn open(
        &self,
        start: Arc<Flow>,
        open: impl FnOnce(&str) -> Result<(Arc<Flow>, Progress, ConversationId), TokenError>,
    ) -> (Arc<Flow>, Result<Opened, TokenError>) {
        match self {
            Self::Absent => (start, Ok(Opened::new())),
            Self::Cut => (start, Err(TokenError::Malformed)),
            Self::Sealed(token) => match open(token) {
                Ok((flow, progress, id)) => (flow, Ok(Opened { progress, id })),
                Err(error) => (start, Err(error)),
            },
        }
    }
}

/// A conversation as its token gives it: the answers, and the identity
/// sealed with them.
#[derive(Debug)]
pub(super) struct Opened {
    pub(super) progress: Progress,
    pub(super) id: ConversationId,
}

impl Opened {
    /// A new conversation, at its first question.
    pub(super) fn new() -> Self {
        Self {
            progress: Progress::default(),
            id: ConversationId::new(),
        }
    }
}

/// What a posted form leads to, decided before anything is counted or
/// shown.
#[derive(Debug)]
pub(super) enum Next<'f> {
    /// "Recommencer": a new conversation.
    Restart,
    /// The token cannot go on: the calm page that offers to start again.
    Closed(TokenError),
    /// Where she is, unchanged: a change of answer left, a form without a
    /// step, a double submission or an old page.
    Stay(Opened),
    /// A step shown again, prefilled, to change its answer; nothing
    /// changes yet.
    Edit(Opened, &'f Step),
    /// The question comes back with what she typed, and why.
    Refused {
        at: Opened,
        step: &'f Step,
        why: Why,
    },
    /// The answer is taken: the progress it answered, and where it leads.
    Advanced { before: Progress, after: Opened },
}

/// Why an answer is refused.
#[derive(Debug)]
pub(super) enum Why {
    /// A value was longer than its bound (this one).
    TooLong(usize),
    /// The fields make no answer yet: a message, or communes to choose.
    Unread(Refusal),
    /// The flow refuses the answer.
    Flow(AnswerError),
}

/// Decides what `form` leads to, from the conversation its token `opened`
/// and the answer `read` makes of its fields ([`read_answer`]; a test gives
/// its own). A step no page names there is refused, not ignored.
pub(super) fn decide<'f>(
    flow: &'f Flow,
    form: &AnswerForm,
    opened: Result<Opened, TokenError>,
    read: impl FnOnce(&Step) -> Result<Answer, Refusal>,
) -> Result<Next<'f>, FormError> {
    // A cut token never opens, whatever was pressed; "Recommencer" needs
    // no token at all.
    if form.token == Token::Cut {
        return Ok(Next::Closed(TokenError::Malformed));
    }
    if form.action == Action::Restart {
        return Ok(Next::Restart);
    }
    let at = match opened {
        Ok(at) => at,
        Err(error) => return Ok(Next::Closed(error)),
    };
    if let Some(id) = &form.edit {
        return Ok(Next::Edit(at, named(flow, id, can_change)?));
    }
    // The page of a final outcome has no step to answer.
    let step = match &form.step {
        Some(id) => Some(named(flow, id, |step| !step.is_final())?),
        None => None,
    };
    let step = match step {
        Some(step) if form.action != Action::Resume => step,
        _ => return Ok(Next::Stay(at)),
    };
    if let Some(max) = form.too_long {
        // Nothing is read beyond the bound.
        return Ok(Next::Refused {
            at,
            step,
            why: Why::TooLong(max),
        });
    }
    let answer = match read(step) {
        Ok(answer) => answer,
        Err(refusal) => {
            return Ok(Next::Refused {
                at,
                step,
                why: Why::Unread(refusal),
            });
        }
    };
    Ok(match flow::advance(flow, &at.progress, &step.id, answer) {
        Ok(progress) => Next::Advanced {
            before: at.progress,
            after: Opened {
                progress,
                id: at.id,
            },
        },
        // A double submission or an old page: show where she is.
        Err(AnswerError::Finished | AnswerError::NotOnPath) => Next::Stay(at),
        Err(error) => Next::Refused {
            at,
            step,
            why: Why::Flow(error),
        },
    })
}

/// The step `id` of the flow, if it is one a page of ours names there.
pub(super) fn named<'f>(
    flow: &'f Flow,
    id: &str,
    fits: fn(&Step) -> bool,
) -> Result<&'f Step, FormError> {
    flow.step(id)
        .filter(|step| fits(step))
        .ok_or(FormError::UnknownStep)
}

/// Whether a step's answer can be changed ("Modifier"): a message read,
/// the summary, an outcome acknowledged say nothing to change.
pub(super) fn can_change(step: &Step) -> bool {
    !matches!(
        step.kind,
        StepKind::Outcome(_) | StepKind::Message | StepKind::Summary
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str) -> Result<AnswerForm, FormError> {
        AnswerForm::try_from(ANSWER.read(body.as_bytes()))
    }

    #[test]
    fn each_button_of_the_conversation_is_read_as_its_action() {
        for (body, action) in [
            ("t=x&etape=danger&choix=oui", Action::Answer),
            ("t=x&etape=age&nombre=34&action=repondre", Action::Answer),
            ("t=x&etape=violences&action=passer", Action::Skip),
            ("t=x&etape=age&action=reprendre", Action::Resume),
            ("t=x&action=recommencer", Action::Restart),
        ] {
            assert_eq!(form(body).unwrap().action, action, "{body}");
        }
    }

    #[test]
    fn a_form_with_an_action_no_button_sends_is_refused() {
        assert_eq!(
            form("t=x&etape=age&action=effacer").unwrap_err(),
            FormError::UnknownAction
        );
        assert_eq!(form("t=x&action=").unwrap_err(), FormError::UnknownAction);
    }

    #[test]
    fn a_field_the_form_does_not_have_is_refused() {
        assert_eq!(form("t=x&structure_id=1").unwrap_err(), FormError::Forged);
        assert_eq!(form("etape=a&etape=b").unwrap_err(), FormError::Forged);
    }

    #[test]
    fn the_step_answered_and_the_step_to_change_are_read_as_posted() {
        let answered = form("t=x&etape=age&nombre=34").unwrap();
        assert_eq!(answered.token, Token::Sealed("x".to_owned()));
        assert_eq!(
            (answered.step.as_deref(), answered.edit.as_deref()),
            (Some("age"), None)
        );
        assert_eq!(answered.fields.value("nombre"), "34");
        let edited = form("t=x&modifier=age").unwrap();
        assert_eq!(
            (edited.step.as_deref(), edited.edit.as_deref()),
            (None, Some("age"))
        );
    }

    #[test]
    fn a_form_without_a_token_starts_a_conversation() {
        assert_eq!(form("etape=formulaire").unwrap().token, Token::Absent);
        assert_eq!(form("t=&etape=formulaire").unwrap().token, Token::Absent);
    }

    #[test]
    fn a_token_longer_than_its_bound_is_cut_and_a_long_answer_says_its_bound() {
        let long_token = format!("t={}", "a".repeat(token::MAX_TOKEN_LEN + 1));
        let cut = form(&long_token).unwrap();
        assert_eq!((cut.token, cut.too_long), (Token::Cut, None));
        let long_text = format!("t=x&etape=message&texte={}", "a".repeat(flow::TEXT_MAX + 1));
        let said = form(&long_text).unwrap();
        assert_eq!(said.too_long, Some(flow::TEXT_MAX));
        assert_eq!(said.fields.value("texte").len(), flow::TEXT_MAX);
    }

    /// An age, a choice that may lead to the emergency numbers, an end.
    const FLOW: &str = r#"id = "essai"
start = "age"

[[step]]
id = "age"
type = "number"
question = { fr = "Quel âge avez-vous ?" }
min = 8
max = 120
next = "danger"

[[step]]
id = "danger"
type = "choice"
question = { fr = "Êtes-vous en danger maintenant ?" }

  [[step.choice]]
  id = "oui"
  label = { fr = "Oui" }
  next = "urgence"

  [[step.choice]]
  id = "non"
  label = { fr = "Non" }
  next = "fin"

[[step]]
id = "urgence"
type = "outcome"
outcome = "emergency"
question = { fr = "Appelez le 17." }
next = "fin"

[[step]]
id = "fin"
type = "outcome"
outcome = "leave"
question = { fr = "Merci." }
"#;

    fn essai() -> Flow {
        Flow::parse(FLOW, &crate::conversation::known_needs()).unwrap()
    }

    /// A conversation that answered `age`, with this many years.
    fn aged(flow: &Flow, years: i64) -> Opened {
        let progress =
            flow::advance(flow, &Progress::default(), "age", Answer::Number(years)).unwrap();
        Opened {
            progress,
            id: ConversationId::new(),
        }
    }

    /// Decides `body` for a conversation `opened`, reading the answer as
    /// `answer` (or panicking when the decision should not read one).
    fn decided<'f>(
        flow: &'f Flow,
        body: &str,
        opened: Result<Opened, TokenError>,
        answer: Option<Result<Answer, Refusal>>,
    ) -> Next<'f> {
        let form = form(body).unwrap();
        decide(flow, &form, opened, |_| {
            answer.expect("this decision reads no answer")
        })
        .unwrap()
    }

    #[test]
    fn recommencer_starts_again_whatever_the_token_but_a_cut_token_closes_first() {
        let flow = essai();
        let next = decided(
            &flow,
            "t=x&action=recommencer",
            Err(TokenError::Tampered),
            None,
        );
        assert!(matches!(next, Next::Restart), "{next:?}");
        let cut = format!(
            "t={}&action=recommencer",
            "a".repeat(token::MAX_TOKEN_LEN + 1)
        );
        let next = decided(&flow, &cut, Err(TokenError::Malformed), None);
        assert!(
            matches!(next, Next::Closed(TokenError::Malformed)),
            "{next:?}"
        );
    }

    #[test]
    fn a_token_that_does_not_open_closes_the_conversation() {
        let flow = essai();
        let next = decided(
            &flow,
            "t=x&etape=age&nombre=34",
            Err(TokenError::Expired),
            None,
        );
        assert!(
            matches!(next, Next::Closed(TokenError::Expired)),
            "{next:?}"
        );
    }

    #[test]
    fn modifier_shows_the_step_again_before_anything_is_read() {
        let flow = essai();
        let next = decided(&flow, "t=x&modifier=age", Ok(aged(&flow, 34)), None);
        assert!(
            matches!(next, Next::Edit(_, step) if step.id == "age"),
            "{next:?}"
        );
    }

    #[test]
    fn reprendre_or_a_form_without_a_step_stays_where_she_is() {
        let flow = essai();
        for body in ["t=x&etape=age&action=reprendre", "t=x&action=repondre"] {
            let next = decided(&flow, body, Ok(aged(&flow, 34)), None);
            assert!(matches!(next, Next::Stay(_)), "{body}: {next:?}");
        }
    }

    #[test]
    fn a_value_beyond_its_bound_is_refused_without_being_read() {
        let flow = essai();
        let body = format!("t=x&etape=age&nombre={}", "1".repeat(17));
        let next = decided(&flow, &body, Ok(Opened::new()), None);
        assert!(
            matches!(next, Next::Refused { step, why: Why::TooLong(16), .. } if step.id == "age"),
            "{next:?}"
        );
    }

    #[test]
    fn fields_that_make_no_answer_are_refused_with_what_the_reading_said() {
        let flow = essai();
        let unread = Err(Refusal::Message("Écrivez un nombre".to_owned()));
        let next = decided(
            &flow,
            "t=x&etape=age&nombre=trente",
            Ok(Opened::new()),
            Some(unread),
        );
        assert!(
            matches!(
                next,
                Next::Refused {
                    why: Why::Unread(Refusal::Message(_)),
                    ..
                }
            ),
            "{next:?}"
        );
    }

    #[test]
    fn an_answer_the_flow_refuses_comes_back_with_the_flow_s_reason() {
        let flow = essai();
        let next = decided(
            &flow,
            "t=x&etape=age&nombre=300",
            Ok(Opened::new()),
            Some(Ok(Answer::Number(300))),
        );
        assert!(
            matches!(
                next,
                Next::Refused {
                    why: Why::Flow(AnswerError::OutOfRange { min: 8, max: 120 }),
                    ..
                }
            ),
            "{next:?}"
        );
    }

    #[test]
    fn an_answer_taken_advances_from_the_progress_it_answered() {
        let flow = essai();
        let next = decided(
            &flow,
            "t=x&etape=age&nombre=34",
            Ok(Opened::new()),
            Some(Ok(Answer::Number(34))),
        );
        let Next::Advanced { before, after } = next else {
            panic!("{next:?}");
        };
        assert_eq!(before, Progress::default());
        assert_eq!(after.progress, aged(&flow, 34).progress);
    }

    #[test]
    fn an_answer_after_the_end_or_off_the_path_stays_where_she_is() {
        let flow = essai();
        let ended = flow::advance(
            &flow,
            &aged(&flow, 34).progress,
            "danger",
            Answer::Choice("non".to_owned()),
        )
        .unwrap();
        let at = Opened {
            progress: ended,
            id: ConversationId::new(),
        };
        let next = decided(
            &flow,
            "t=x&etape=urgence",
            Ok(at),
            Some(Ok(Answer::Continue)),
        );
        assert!(matches!(next, Next::Stay(_)), "{next:?}");
        let next = decided(
            &flow,
            "t=x&etape=urgence",
            Ok(Opened::new()),
            Some(Ok(Answer::Continue)),
        );
        assert!(matches!(next, Next::Stay(_)), "{next:?}");
    }

    #[test]
    fn a_step_no_page_names_there_is_refused() {
        let flow = essai();
        for body in [
            "t=x&etape=inconnue&nombre=34",
            "t=x&etape=fin&action=repondre",
            "t=x&modifier=inconnue",
            "t=x&modifier=urgence",
            "t=x&modifier=fin",
        ] {
            let form = form(body).unwrap();
            let next = decide(&flow, &form, Ok(aged(&flow, 34)), |_| {
                panic!("{body}: no answer is read")
            });
            assert_eq!(next.unwrap_err(), FormError::UnknownStep, "{body}");
        }
    }
}
