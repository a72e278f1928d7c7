//! `/aide`: one address, one question at a time.
//!
//! A POST carries the sealed token `t`, the step answered `etape`, and the
//! answer's fields; a "Modifier" button sends `modifier=<step>`. The handler
//! opens the token, turns the fields into a [`flow::Answer`], advances the
//! flow, counts what must be counted, seals the new progress and renders the
//! next question or the outcome. A refused answer comes back with its
//! message next to the field and everything typed kept.
//!
//! With JavaScript, `static/js/conversation.js` posts the same form with
//! `fetch` and swaps the conversation in place: the page never navigates.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use flow::{Answer, AnswerError, Channel, Contact, Outcome, Position, Progress, Step, StepKind};
use fluent_bundle::FluentValue;

use crate::conversation::token::{ConversationId, TokenError};
use crate::directory::communes::{Commune, Resolution};
use crate::directory::hours;
use crate::directory::model::Need;
use crate::directory::orientation::{Orientation, Query};
use crate::directory::routes::{Choice as CommuneChoice, OrientationView};
use crate::storage::counters::{self, Event};
use crate::web::error::AppError;
use crate::web::form::{Field, Fields, Spec};
use crate::web::i18n::Lang;
use crate::web::layout::{Chrome, PageContext};
use crate::web::{AppState, Site};

const STARTED: Event = Event::new("conversation-started");
const COMPLETED: Event = Event::new("conversation-completed");
const OUTCOME_YOUTH: Event = Event::new("outcome:youth");
const OUTCOME_EMERGENCY: Event = Event::new("outcome:emergency");
const OUTCOME_ORIENTATION: Event = Event::new("outcome:orientation");
const OUTCOME_LEAVE: Event = Event::new("outcome:leave");

/// Adds `/aide`.
pub fn routes(site: Site) -> Site {
    site.page("/aide", get(start).post(answer)).posts(&ANSWER)
}

/// Longest step identifier a form names.
const STEP_ID_MAX: usize = 64;

/// What an answer to `/aide` may carry, each field with its bound.
pub static ANSWER: Spec = Spec::new(&[
    Field::one("t", crate::conversation::token::MAX_TOKEN_LEN),
    Field::one("etape", STEP_ID_MAX),
    Field::one("action", 16),
    Field::one("modifier", STEP_ID_MAX),
    Field::many("choix", STEP_ID_MAX, 32),
    Field::one("nombre", 16),
    Field::one("lieu", PLACE_MAX),
    Field::one("commune", 8),
    Field::one("texte", flow::TEXT_MAX),
    Field::one("canal", 16),
    Field::one("coordonnee", flow::CONTACT_VALUE_MAX),
    Field::one("moments", flow::CONTACT_TIMES_MAX),
    Field::one("message_ok", 3),
    Field::one("nom_neutre", flow::CONTACT_NAME_MAX),
]);

/// Longest place (a postcode or a commune's name) a person may type.
pub const PLACE_MAX: usize = 80;

/// One question and its answer, in the transcript.
#[derive(Debug)]
struct Bubble {
    question: String,
    answer: String,
    /// The step, when its answer can be changed.
    edit: Option<String>,
}

/// A choice as shown.
#[derive(Debug)]
struct ChoiceView {
    id: String,
    label: String,
    checked: bool,
}

/// The question being asked, with what was already typed.
#[derive(Debug, Default)]
struct QuestionView {
    step: String,
    kind: &'static str,
    question: String,
    help: Option<String>,
    button: String,
    optional: bool,
    choices: Vec<ChoiceView>,
    value: String,
    unit: Option<String>,
    min: i64,
    max: i64,
    max_length: usize,
    communes: Vec<CommuneChoice>,
    channels: Vec<(&'static str, String)>,
    channel: String,
    times: String,
    leave_message: bool,
    neutral_name: String,
    error: Option<String>,
    editing: bool,
}

/// A youth service as shown.
#[derive(Debug)]
struct YouthView {
    name: String,
    phone: String,
    dial: String,
}

/// What the page shows below the transcript.
#[derive(Debug)]
enum Stage {
    Ask(Box<QuestionView>),
    Youth {
        heading: String,
        services: Vec<YouthView>,
        button: String,
    },
    Orientation {
        heading: String,
        results: OrientationView,
        /// Organisations among the results that receive referrals: id, name.
        senders: Vec<(String, String)>,
    },
    Leave {
        heading: String,
    },
}

#[derive(Template)]
#[template(path = "conversation/page.html")]
struct Page<'a> {
    c: Chrome<'a>,
    token: String,
    transcript: Vec<Bubble>,
    stage: Stage,
    notice: Option<String>,
    /// The question, for the live region.
    announce: String,
}

/// The same conversation without the layout, for the script that swaps it
/// in place: a fraction of the page to send, on slow connections too.
#[derive(Template)]
#[template(path = "conversation/fragment.html")]
struct Fragment<'a> {
    c: Chrome<'a>,
    token: String,
    transcript: Vec<Bubble>,
    stage: Stage,
    notice: Option<String>,
    announce: String,
}

/// The request's language and whether it wants the fragment only.
struct Context {
    page: PageContext,
    fragment: bool,
    /// The conversation's identity, carried in its token.
    conversation: ConversationId,
}

/// The header the conversation script sends to get the fragment only.
const FRAGMENT_HEADER: &str = "x-relais-fragment";

/// Whether the request asks for the fragment only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct WantsFragment(bool);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for WantsFragment {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts.headers.get(FRAGMENT_HEADER).is_some_and(|v| v == "1"),
        ))
    }
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

async fn start(State(app): State<AppState>, page: PageContext) -> Result<Response, AppError> {
    let context = Context {
        page,
        fragment: false,
        conversation: ConversationId::new(),
    };
    render(
        &app,
        &context,
        &Progress::default(),
        None,
        None,
        StatusCode::OK,
    )
}

async fn answer(
    State(app): State<AppState>,
    page: PageContext,
    WantsFragment(fragment): WantsFragment,
    body: Bytes,
) -> Result<Response, AppError> {
    let mut context = Context {
        page,
        fragment,
        conversation: ConversationId::new(),
    };
    let posted = ANSWER.read(&body);
    if posted.is_forged() {
        return Err(AppError::BadRequest);
    }
    let too_long = posted.too_long();
    let fields = posted.fields;
    if too_long.is_some_and(|(field, _)| field == "t") {
        return closed(&app, &context, &TokenError::Malformed);
    }
    let conversation = &app.conversation;
    let flow = &conversation.flow;
    if fields.get("action") == Some("recommencer") {
        return render(
            &app,
            &context,
            &Progress::default(),
            None,
            None,
            StatusCode::OK,
        );
    }
    let progress = match fields.get("t").filter(|t| !t.is_empty()) {
        None => Progress::default(),
        Some(token) => match conversation.sealer.open(token, flow.version(), now()) {
            Ok((progress, id)) => {
                context.conversation = id;
                progress
            }
            Err(error) => return closed(&app, &context, &error),
        },
    };
    if flow::position(flow, &progress).is_err() {
        return closed(&app, &context, &TokenError::OtherFlow);
    }
    let lang = context.page.lang;
    // "Modifier": show that step again, prefilled; nothing changes yet.
    if let Some(step_id) = fields.get("modifier")
        && let Some(step) = flow.step(step_id)
    {
        let mut question = question_view(&app, lang, step, &progress, &Fields(Vec::new()));
        question.editing = true;
        return render(
            &app,
            &context,
            &progress,
            Some(question),
            None,
            StatusCode::OK,
        );
    }
    if fields.get("action") == Some("reprendre") {
        return render(&app, &context, &progress, None, None, StatusCode::OK);
    }
    let Some(step) = fields.get("etape").and_then(|id| flow.step(id)) else {
        return render(&app, &context, &progress, None, None, StatusCode::OK);
    };
    if let Some((_, max)) = too_long {
        // Nothing is read beyond the bound: the question comes back with
        // what she typed, cut, and says so.
        let mut question = question_view(&app, lang, step, &progress, &fields);
        question.error = Some(lang.t_with("form-too-long", &[("max", FluentValue::from(max))]));
        return render(
            &app,
            &context,
            &progress,
            Some(question),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let answer = match read_answer(&app, lang, step, &fields) {
        Ok(answer) => answer,
        Err(Refusal::Message(message)) => {
            let mut question = question_view(&app, lang, step, &progress, &fields);
            question.error = Some(message);
            return render(
                &app,
                &context,
                &progress,
                Some(question),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        Err(Refusal::ChooseCommune(communes)) => {
            let mut question = question_view(&app, lang, step, &progress, &fields);
            question.communes = communes;
            question.error = Some(lang.t_with(
                "conversation-commune-several",
                &[("query", FluentValue::from(fields.text("lieu")))],
            ));
            return render(
                &app,
                &context,
                &progress,
                Some(question),
                None,
                StatusCode::OK,
            );
        }
    };
    let before = flow::position(flow, &progress)
        .ok()
        .map(|p| position_key(&p));
    match flow::advance(flow, &progress, &step.id, answer) {
        Ok(next) => {
            count(&app, &progress, &next, before).await;
            render(&app, &context, &next, None, None, StatusCode::OK)
        }
        Err(error) => {
            let mut question = question_view(&app, lang, step, &progress, &fields);
            question.error = Some(refusal_message(lang, step, &error));
            let status = if error == AnswerError::Finished || error == AnswerError::NotOnPath {
                // A double submission or an old page: show where she is.
                return render(&app, &context, &progress, None, None, StatusCode::OK);
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render(&app, &context, &progress, Some(question), None, status)
        }
    }
}

/// The calm page of a conversation that cannot go on.
fn closed(app: &AppState, context: &Context, error: &TokenError) -> Result<Response, AppError> {
    let lang = context.page.lang;
    let (notice, status) = match error {
        TokenError::Expired => (lang.t("conversation-expired"), StatusCode::OK),
        TokenError::OtherFlow => (lang.t("conversation-changed"), StatusCode::OK),
        TokenError::Malformed | TokenError::Tampered => {
            (lang.t("conversation-unreadable"), StatusCode::BAD_REQUEST)
        }
    };
    render(
        app,
        context,
        &Progress::default(),
        None,
        Some(notice),
        status,
    )
}

/// What the page is at, to count each outcome once.
fn position_key(position: &Position<'_>) -> String {
    match position {
        Position::Ask(step) | Position::Reached(step) => step.id.clone(),
    }
}

/// Adds one to the counters an answer moves: started (the first answer),
/// an outcome reached, completed (a final outcome).
async fn count(app: &AppState, before: &Progress, after: &Progress, was: Option<String>) {
    let flow = &app.conversation.flow;
    let mut events = Vec::new();
    if before.answers.is_empty() {
        events.push(STARTED);
    }
    if let Ok(position) = flow::position(flow, after)
        && Some(position_key(&position)) != was
    {
        let (step, final_) = match position {
            Position::Ask(step) => (step, false),
            Position::Reached(step) => (step, true),
        };
        if let StepKind::Outcome(outcome) = &step.kind {
            events.push(match outcome {
                Outcome::Youth => OUTCOME_YOUTH,
                Outcome::Emergency => OUTCOME_EMERGENCY,
                Outcome::Orientation => OUTCOME_ORIENTATION,
                Outcome::Leave => OUTCOME_LEAVE,
            });
        }
        if final_ {
            events.push(COMPLETED);
        }
    }
    if events.is_empty() {
        return;
    }
    let index = app.directory.index();
    let commune = commune_of(app, after);
    let territory = commune
        .as_ref()
        .and_then(|c| index.territory_of(c))
        .or_else(|| index.only_territory());
    let departement = commune.as_ref().map_or_else(
        || territory.map_or(hours::METROPOLE, |t| t.departement()),
        |c| &*c.departement,
    );
    let today = hours::now_in(departement).date();
    let territory = territory.map_or_else(|| "national".to_owned(), |t| t.slug.to_string());
    for event in events {
        // A lost count must never stop a person's conversation.
        if let Err(error) = counters::increment(&app.db, today, &territory, event).await {
            tracing::warn!(%error, event = event.as_str(), "could not count a conversation event");
        }
    }
}

/// The commune answered on the path, if any.
pub(crate) fn commune_of(app: &AppState, progress: &Progress) -> Option<Commune> {
    let flow = &app.conversation.flow;
    flow::path(flow, progress)
        .into_iter()
        .find_map(|(_, answer)| match answer {
            Answer::Commune(insee) => app.directory.index().communes().by_insee(insee).cloned(),
            _ => None,
        })
}

/// Why the fields do not make an answer yet.
pub(crate) enum Refusal {
    /// A message to show next to the field.
    Message(String),
    /// Several communes match: choose one.
    ChooseCommune(Vec<CommuneChoice>),
}

/// Turns the posted fields into an answer to `step`.
pub(crate) fn read_answer(
    app: &AppState,
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
        StepKind::Commune => {
            let index = app.directory.index();
            let communes = index.communes();
            if let Some(commune) = fields
                .get("commune")
                .filter(|c| !c.is_empty())
                .and_then(|c| communes.by_insee(c))
            {
                return Ok(Answer::Commune(commune.insee.to_string()));
            }
            let query = fields.text("lieu");
            if query.trim().is_empty() {
                return Err(Refusal::Message(lang.t("directory-place-missing")));
            }
            let choice = |commune: &Commune| CommuneChoice {
                insee: commune.insee.to_string(),
                label: match commune.postcodes.first() {
                    Some(postcode) => format!("{} ({postcode})", commune.name),
                    None => commune.name.to_string(),
                },
            };
            match communes.resolve(&query) {
                Resolution::One(commune) => Ok(Answer::Commune(commune.insee.to_string())),
                Resolution::Several(found) => Err(Refusal::ChooseCommune(
                    found.into_iter().map(choice).collect(),
                )),
                Resolution::Unknown(near) if near.is_empty() => Err(Refusal::Message(
                    lang.t_with("directory-unknown", &[("query", FluentValue::from(query))]),
                )),
                Resolution::Unknown(near) => Err(Refusal::ChooseCommune(
                    near.into_iter().map(choice).collect(),
                )),
            }
        }
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
pub(crate) fn refusal_message(lang: Lang, step: &Step, error: &AnswerError) -> String {
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
fn answered<'a>(flow: &'a flow::Flow, progress: &'a Progress, step_id: &str) -> Option<&'a Answer> {
    flow::path(flow, progress)
        .into_iter()
        .find(|(step, _)| step.id == step_id)
        .map(|(_, answer)| answer)
}

/// The question form for a step, filled with what was posted, else with
/// the answer already given.
fn question_view(
    app: &AppState,
    lang: Lang,
    step: &Step,
    progress: &Progress,
    fields: &Fields,
) -> QuestionView {
    let code = lang.code();
    let given = answered(&app.conversation.flow, progress, &step.id);
    let posted = !fields.0.is_empty();
    let mut view = QuestionView {
        step: step.id.clone(),
        question: step.question.get(code).to_owned(),
        help: step.help.as_ref().map(|h| h.get(code).to_owned()),
        button: step.button.as_ref().map_or_else(
            || lang.t("conversation-continue"),
            |b| b.get(code).to_owned(),
        ),
        optional: step.optional,
        ..QuestionView::default()
    };
    match &step.kind {
        StepKind::Message => view.kind = "message",
        StepKind::Summary => view.kind = "summary",
        StepKind::Outcome(_) => view.kind = "emergency",
        StepKind::Choice(choices) | StepKind::Multiple(choices) => {
            view.kind = if matches!(step.kind, StepKind::Choice(_)) {
                "choice"
            } else {
                "multiple"
            };
            let chosen: Vec<String> = if posted {
                fields.all("choix")
            } else {
                match given {
                    Some(Answer::Choice(id)) => vec![id.clone()],
                    Some(Answer::Choices(ids)) => ids.clone(),
                    _ => Vec::new(),
                }
            };
            view.choices = choices
                .iter()
                .map(|c| ChoiceView {
                    id: c.id.clone(),
                    label: c.label.get(code).to_owned(),
                    checked: chosen.contains(&c.id),
                })
                .collect();
        }
        StepKind::Number { min, max, unit } => {
            view.kind = "number";
            view.min = *min;
            view.max = *max;
            view.unit = unit.as_ref().map(|u| u.get(code).to_owned());
            view.value = if posted {
                fields.text("nombre")
            } else {
                match given {
                    Some(Answer::Number(n)) => n.to_string(),
                    _ => String::new(),
                }
            };
        }
        StepKind::Commune => {
            view.kind = "commune";
            view.value = if posted {
                fields.text("lieu")
            } else {
                match given {
                    Some(Answer::Commune(insee)) => app
                        .directory
                        .index()
                        .communes()
                        .by_insee(insee)
                        .map(|c| c.name.to_string())
                        .unwrap_or_default(),
                    _ => String::new(),
                }
            };
        }
        StepKind::Text { max_length } | StepKind::LongText { max_length } => {
            view.kind = if matches!(step.kind, StepKind::Text { .. }) {
                "text"
            } else {
                "long_text"
            };
            view.max_length = *max_length;
            view.value = if posted {
                fields.text("texte")
            } else {
                match given {
                    Some(Answer::Text(text)) => text.clone(),
                    _ => String::new(),
                }
            };
        }
        StepKind::Contact => {
            view.kind = "contact";
            view.channels = channels(lang);
            if posted {
                view.channel = fields.text("canal");
                view.value = fields.text("coordonnee");
                view.times = fields.text("moments");
                view.leave_message = fields.get("message_ok") == Some("oui");
                view.neutral_name = fields.text("nom_neutre");
            } else if let Some(Answer::Contact(contact)) = given {
                view.channel = channel_code(contact.channel).to_owned();
                view.value = contact.value.clone();
                view.times = contact.times.clone();
                view.leave_message = contact.may_leave_message;
                view.neutral_name = contact.neutral_name.clone();
            }
        }
    }
    view
}

/// The ways to be contacted, as the contact question offers them.
pub(crate) fn channels(lang: Lang) -> Vec<(&'static str, String)> {
    vec![
        ("telephone", lang.t("conversation-channel-phone")),
        ("sms", lang.t("conversation-channel-sms")),
        ("courriel", lang.t("conversation-channel-email")),
        ("aucun", lang.t("conversation-channel-none")),
    ]
}

pub(crate) fn channel_code(channel: Channel) -> &'static str {
    match channel {
        Channel::Phone => "telephone",
        Channel::Sms => "sms",
        Channel::Email => "courriel",
        Channel::None => "aucun",
    }
}

/// An answer in words, as the transcript and the summary show it.
pub(crate) fn answer_text(app: &AppState, lang: Lang, step: &Step, answer: &Answer) -> String {
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
        Answer::Commune(insee) => app
            .directory
            .index()
            .communes()
            .by_insee(insee)
            .map_or_else(
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

/// Renders the conversation at `progress`: the transcript, then the
/// question (or `question` when given: an error, an edit) or the outcome.
fn render(
    app: &AppState,
    context: &Context,
    progress: &Progress,
    question: Option<QuestionView>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let flow = &app.conversation.flow;
    let lang = context.page.lang;
    let code = lang.code();
    let position = flow::position(flow, progress).map_err(|_| AppError::NotFound)?;
    let editing = question
        .as_ref()
        .filter(|q| q.editing)
        .map(|q| q.step.clone());
    let mut transcript = Vec::new();
    for (step, answer) in flow::path(flow, progress) {
        if Some(&step.id) == editing.as_ref() {
            break;
        }
        let text = answer_text(app, lang, step, answer);
        if text.is_empty() {
            // A message read, an emergency acknowledged: nothing to change.
            continue;
        }
        let can_edit = !matches!(
            step.kind,
            StepKind::Outcome(_) | StepKind::Message | StepKind::Summary
        );
        transcript.push(Bubble {
            question: step.question.get(code).to_owned(),
            answer: text,
            edit: can_edit.then(|| step.id.clone()),
        });
    }
    let stage = match (question, position) {
        (Some(question), _) => Stage::Ask(Box::new(question)),
        (None, Position::Ask(step)) => Stage::Ask(Box::new(question_view(
            app,
            lang,
            step,
            progress,
            &Fields(Vec::new()),
        ))),
        (None, Position::Reached(step)) => outcome_stage(app, lang, step, progress),
    };
    let announce = match &stage {
        Stage::Ask(question) => question.question.clone(),
        Stage::Youth { heading, .. }
        | Stage::Orientation { heading, .. }
        | Stage::Leave { heading } => heading.clone(),
    };
    let c = Chrome::new(app, &context.page);
    let token =
        app.conversation
            .sealer
            .seal(flow.version(), now(), progress, &context.conversation);
    let html = if context.fragment {
        Fragment {
            c,
            token,
            transcript,
            stage,
            notice,
            announce,
        }
        .render()?
    } else {
        Page {
            c,
            token,
            transcript,
            stage,
            notice,
            announce,
        }
        .render()?
    };
    Ok((status, Html(html)).into_response())
}

/// The needs the answers reveal, the latest question first: the person's
/// own choice of needs comes after the questions about her situation, and
/// should lead the orientation.
pub(crate) fn needs_latest_first(flow: &flow::Flow, progress: &Progress) -> Vec<Need> {
    let mut needs = Vec::new();
    for (step, answer) in flow::path(flow, progress).into_iter().rev() {
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
pub(crate) fn orientation_for(
    app: &AppState,
    progress: &Progress,
) -> Option<(Commune, Orientation, jiff::civil::DateTime)> {
    let flow = &app.conversation.flow;
    let needs = needs_latest_first(flow, progress);
    let age = answered(flow, progress, "age").and_then(|a| match a {
        Answer::Number(n) => u8::try_from(*n).ok(),
        _ => None,
    });
    let danger = flow::path(flow, progress)
        .iter()
        .any(|(step, _)| matches!(step.kind, StepKind::Outcome(Outcome::Emergency)));
    let index = app.directory.index();
    let commune = commune_of(app, progress)?;
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

fn outcome_stage(app: &AppState, lang: Lang, step: &Step, progress: &Progress) -> Stage {
    let code = lang.code();
    let heading = step.question.get(code).to_owned();
    match &step.kind {
        StepKind::Outcome(Outcome::Youth) => {
            let commune = commune_of(app, progress);
            let index = app.directory.index();
            let territory = commune
                .as_ref()
                .and_then(|c| index.territory_of(c))
                .or_else(|| index.only_territory());
            let services = territory
                .map(|t| t.youth_services.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|s| YouthView {
                    dial: s.phone.chars().filter(char::is_ascii_digit).collect(),
                    phone: s.phone,
                    name: s.name,
                })
                .collect();
            let button = step.button.as_ref().map_or_else(
                || lang.t("conversation-continue"),
                |b| b.get(code).to_owned(),
            );
            Stage::Youth {
                heading,
                services,
                button,
            }
        }
        StepKind::Outcome(Outcome::Orientation) => {
            let Some((commune, orientation, at)) = orientation_for(app, progress) else {
                return Stage::Leave { heading };
            };
            let receiving = app.referrals.receiving();
            let mut senders: Vec<(String, String)> = Vec::new();
            for suggestion in orientation.needs.iter().flat_map(|n| &n.suggestions) {
                let listing = &suggestion.listing;
                if receiving.contains(&listing.organisation_id)
                    && !senders.iter().any(|(id, _)| *id == listing.organisation_id)
                {
                    senders.push((
                        listing.organisation_id.clone(),
                        listing.organisation_name.clone(),
                    ));
                }
            }
            Stage::Orientation {
                heading,
                results: OrientationView::new(lang, &commune, &orientation, at),
                senders,
            }
        }
        _ => Stage::Leave { heading },
    }
}
