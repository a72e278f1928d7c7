//! `/aide`: one address, one question at a time.
//!
//! A POST carries the sealed token `t`, the button pressed `action`, the
//! step answered `etape`, and the answer's fields; a "Modifier" button sends
//! `modifier=<step>`. The handler reads parse → decide → store → render: it
//! reads the form once (`AnswerForm`), opens the token, lets `decide` (a
//! plain function) say what comes next (`Next`: turning the fields into a
//! [`flow::Answer`] and advancing the flow), counts what must be counted,
//! then seals the progress and renders what it shows (`Shown`): the next
//! question or the outcome. A refused answer comes back with its message
//! next to the field and everything typed kept.
//!
//! With JavaScript, `static/js/conversation.js` posts the same form with
//! `fetch` and swaps the conversation in place: the page never navigates.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use flow::{Answer, Flow, Outcome, Position, Progress, Step, StepKind};
use fluent_bundle::FluentValue;

use crate::conversation::answers::{
    Refusal, answer_text, answered, channel_code, channels, commune_of, orientation_for,
    read_answer, read_commune, refusal_message, territory_and_needs,
};
pub use crate::conversation::decide::ANSWER;
use crate::conversation::decide::{Action, AnswerForm, Next, Opened, Why, can_change, decide};
use crate::conversation::token::TokenError;
use crate::conversation::{ConversationState, Outlook};
use crate::directory::hours;
use crate::directory::territories::YouthService;
use crate::directory::views::{Choice as CommuneChoice, OrientationView};
use crate::storage::OrganisationId;
use crate::storage::counters::{self, Event};
use crate::web::Site;
use crate::web::error::AppError;
use crate::web::form::Fields;
use crate::web::i18n::Lang;
use crate::web::layout::{Chrome, PageContext, Preview};
use crate::web::national::{self, Listed};

const STARTED: Event = Event::new("conversation-started");
const COMPLETED: Event = Event::new("conversation-completed");
const OUTCOME_YOUTH: Event = Event::new("outcome:youth");
const OUTCOME_EMERGENCY: Event = Event::new("outcome:emergency");
const OUTCOME_ORIENTATION: Event = Event::new("outcome:orientation");
const OUTCOME_LEAVE: Event = Event::new("outcome:leave");
const LIVE_OFFERED: Event = Event::new("live:offered");

/// Adds `/aide`.
pub fn routes(site: Site<ConversationState>) -> Site<ConversationState> {
    site.page("/aide", get(start).post(answer)).posts(&ANSWER)
}

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
#[derive(Debug)]
struct QuestionView {
    step: String,
    question: String,
    help: Option<String>,
    button: String,
    optional: bool,
    error: Option<String>,
    editing: bool,
    /// What is asked, with what each kind of question shows.
    asked: Asked,
}

/// What a question asks, one variant per kind of step, each with the
/// fields only it shows.
#[derive(Debug)]
enum Asked {
    /// One choice: each is a button that answers.
    Choice { choices: Vec<ChoiceView> },
    /// Several choices: checkboxes.
    Multiple { choices: Vec<ChoiceView> },
    /// A number, in its unit.
    Number { value: String, unit: Option<String> },
    /// A commune typed, and the communes to choose from when several match.
    Commune {
        value: String,
        communes: Vec<CommuneChoice>,
        /// "Plusieurs communes correspondent à « … ». Choisissez la vôtre :",
        /// a question put to her, not an error.
        prompt: Option<String>,
    },
    /// A line of text, and its limit.
    Text { value: String, max_length: usize },
    /// A text of several lines, and its limit.
    LongText { value: String, max_length: usize },
    /// How she may be reached: the channels offered and what she gave.
    Contact {
        channels: Vec<(&'static str, String)>,
        channel: String,
        value: String,
        times: String,
        leave_message: bool,
        neutral_name: String,
    },
    /// A message to read.
    Message,
    /// The summary of her answers.
    Summary,
    /// The emergency numbers, then a button that goes on: the only outcome
    /// that is asked (the others are final).
    Emergency,
}

impl Asked {
    /// Whether the question labels one field of its own (the question text
    /// is then that field's label).
    fn labels_a_field(&self) -> bool {
        matches!(
            self,
            Self::Number { .. } | Self::Commune { .. } | Self::Text { .. } | Self::LongText { .. }
        )
    }

    /// Whether the question has its answer button (a single choice answers
    /// with the choice's own button).
    fn has_answer_button(&self) -> bool {
        !matches!(self, Self::Choice { .. })
    }
}

impl QuestionView {
    /// The question shown to change its answer.
    fn editing(self) -> Self {
        Self {
            editing: true,
            ..self
        }
    }

    /// The question with this message next to its field.
    fn with_error(self, error: String) -> Self {
        Self {
            error: Some(error),
            ..self
        }
    }

    /// A commune question with these communes to choose from, and the
    /// question that offers them.
    fn offering(mut self, communes: Vec<CommuneChoice>, question: String) -> Self {
        if let Asked::Commune {
            communes: offered,
            prompt,
            ..
        } = &mut self.asked
        {
            *offered = communes;
            *prompt = Some(question);
        }
        self
    }
}

/// A youth service as shown: "la Maison des Adolescents du Littoral Est au
/// 03 91 18 15 80", then what it offers.
#[derive(Debug)]
struct YouthView {
    name: String,
    phone: String,
    dial: String,
    description: Option<String>,
}

/// "Dans quelle commune habitez-vous ?" on the youth outcome, or what her
/// commune gave.
#[derive(Debug)]
struct PlaceView {
    /// What she typed.
    value: String,
    /// Communes to choose from.
    communes: Vec<CommuneChoice>,
    /// Why she is asked again, or the list's question.
    prompt: Option<String>,
    /// The commune's territory's name, once found; `Some("")` when no
    /// territory covers it.
    found: Option<String>,
}

/// What the page shows below the transcript.
#[derive(Debug)]
enum Stage {
    Ask(Box<QuestionView>),
    Youth {
        heading: String,
        services: Vec<YouthView>,
        button: String,
        /// On the national entry of several territories, with no commune
        /// given: the question that offers her territory's services.
        place: Option<PlaceView>,
    },
    Orientation {
        heading: String,
        results: OrientationView,
        /// Organisations among the results that receive referrals: id, name.
        senders: Vec<(OrganisationId, String)>,
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
    /// Live help, on the outcomes that offer it.
    live: Outlook,
    /// The question, for the live region.
    announce: String,
    /// Where the form posts.
    action: String,
    /// Fields the form carries besides the token.
    hidden: Vec<(&'static str, String)>,
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
    /// Live help, on the outcomes that offer it.
    live: Outlook,
    announce: String,
    /// Where the form posts.
    action: String,
    /// Fields the form carries besides the token.
    hidden: Vec<(&'static str, String)>,
}

/// The request's language and entry, and whether it wants the fragment
/// only.
pub(super) struct Context {
    pub(super) page: PageContext,
    pub(super) fragment: bool,
}

/// The commune a minor gave on the youth outcome of the national entry.
#[derive(Debug)]
enum Place {
    /// The commune, by its INSEE code.
    Found(String),
    /// Not yet: what she typed, the communes to choose from, and why.
    Asked {
        value: String,
        communes: Vec<CommuneChoice>,
        prompt: Option<String>,
    },
}

/// What a response shows: a conversation where it stands, the question as
/// it comes back (refused, or to change) instead of its next one, a notice
/// above it, and the status.
pub(super) struct Shown {
    at: Opened,
    question: Option<QuestionView>,
    notice: Option<String>,
    status: StatusCode,
    /// The commune she gave on the youth outcome.
    place: Option<Place>,
}

impl Shown {
    /// The conversation where it stands: its next question or its outcome.
    pub(super) fn at(at: Opened) -> Self {
        Self {
            at,
            question: None,
            notice: None,
            status: StatusCode::OK,
            place: None,
        }
    }

    /// A new conversation, at its first question.
    pub(super) fn start() -> Self {
        Self::at(Opened::new())
    }

    /// The calm page of a conversation that cannot go on: a new one, and
    /// why.
    fn closed(lang: Lang, error: &TokenError) -> Self {
        let (notice, status) = match error {
            TokenError::Expired => (lang.t("conversation-expired"), StatusCode::OK),
            TokenError::OtherFlow => (lang.t("conversation-changed"), StatusCode::OK),
            TokenError::Malformed | TokenError::Tampered => {
                (lang.t("conversation-unreadable"), StatusCode::BAD_REQUEST)
            }
        };
        Self {
            notice: Some(notice),
            ..Self::start().status(status)
        }
    }

    /// This question instead of the next one.
    fn with_question(self, question: QuestionView) -> Self {
        Self {
            question: Some(question),
            ..self
        }
    }

    fn status(self, status: StatusCode) -> Self {
        Self { status, ..self }
    }
}

/// The header the conversation script sends to get the fragment only.
const FRAGMENT_HEADER: &str = "x-relais-fragment";

/// Whether the request asks for the fragment only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct WantsFragment(pub(super) bool);

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

/// A conversation being served: on which flow, for which entry, and
/// whether it is a coordinator's preview (which counts nothing, offers no
/// live help and sends nothing).
pub(super) struct Run<'a> {
    pub(super) app: &'a ConversationState,
    pub(super) flow: &'a Flow,
    /// The territory of the entry the page came by, else the only one the
    /// instance serves (not suspended).
    pub(super) territory: Option<String>,
    pub(super) preview: bool,
    /// Where the form posts (`/aide` in the page's language and entry).
    pub(super) action: String,
    /// Fields the form carries besides the token (the preview's).
    pub(super) hidden: Vec<(&'static str, String)>,
}

/// The territory a page of this entry is about: the entry's, else the only
/// one this instance serves; a suspended territory is nobody's.
pub fn entry_territory(app: &ConversationState, page: &PageContext) -> Option<String> {
    app.directory
        .index()
        .page_territory(page.territory.as_deref())
        .filter(|t| !t.suspended)
        .map(|t| t.slug.to_string())
}

async fn start(
    State(app): State<ConversationState>,
    page: PageContext,
) -> Result<Response, AppError> {
    let territory = entry_territory(&app, &page);
    let flow = app.conversation.flow(territory.as_deref());
    let run = Run {
        app: &app,
        flow: &flow,
        action: page.href("/aide"),
        territory,
        preview: false,
        hidden: Vec::new(),
    };
    let context = Context {
        page,
        fragment: false,
    };
    start_page(&run, &context)
}

/// A new conversation's first page on the run's flow.
pub(super) fn start_page(run: &Run<'_>, context: &Context) -> Result<Response, AppError> {
    render(run, context, Shown::start())
}

async fn answer(
    State(app): State<ConversationState>,
    page: PageContext,
    WantsFragment(fragment): WantsFragment,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = AnswerForm::try_from(ANSWER.read(&body))?;
    let territory = entry_territory(&app, &page);
    let start = app.conversation.flow(territory.as_deref());
    let (flow, opened) = form
        .token
        .open(start, |token| app.conversation.open(token, now()));
    let run = Run {
        app: &app,
        flow: &flow,
        action: page.href("/aide"),
        territory,
        preview: false,
        hidden: Vec::new(),
    };
    converse(&run, &form, opened, Context { page, fragment }).await
}

/// Answers a conversation's form on the run's flow: decide, count (unless
/// a preview), render.
pub(super) async fn converse(
    run: &Run<'_>,
    form: &AnswerForm,
    opened: Result<Opened, TokenError>,
    context: Context,
) -> Result<Response, AppError> {
    let lang = context.page.lang;
    let app = run.app;
    // Her commune on the youth outcome: the button, or the Enter key in
    // its field (which presses the form's first button, "Continuer",
    // with no step to answer).
    let place = form.action == Action::Place
        || (form.action == Action::Answer
            && form.step.is_none()
            && form.fields.get("lieu").is_some());
    if place {
        return youth_place(run, form, opened, &context);
    }
    let next = decide(run.flow, form, opened, |step| {
        read_answer(&app.directory, lang, step, &form.fields)
    })?;
    let shown = match next {
        Next::Restart => Shown::start(),
        Next::Closed(error) => Shown::closed(lang, &error),
        Next::Stay(at) => Shown::at(at),
        Next::Edit(at, step) => {
            let question = question_view(run, lang, step, &at.progress, None).editing();
            Shown::at(at).with_question(question)
        }
        Next::Refused { at, step, why } => {
            let (question, status) = refused(run, lang, step, &at.progress, &form.fields, why);
            Shown::at(at).with_question(question).status(status)
        }
        Next::Advanced { before, after } => {
            if !run.preview {
                count(run, &before, &after.progress).await;
            }
            Shown::at(after)
        }
    };
    render(run, &context, shown)
}

/// "Dans quelle commune habitez-vous ?" on the youth outcome of the
/// national entry: her territory's youth services for the commune she
/// gave, on this page only (the commune is in no token and nowhere kept).
fn youth_place(
    run: &Run<'_>,
    form: &AnswerForm,
    opened: Result<Opened, TokenError>,
    context: &Context,
) -> Result<Response, AppError> {
    let lang = context.page.lang;
    let Ok(at) = opened else {
        return render(run, context, Shown::start());
    };
    let reached_youth = matches!(
        flow::position(run.flow, &at.progress),
        Ok(Position::Reached(step)) if matches!(step.kind, StepKind::Outcome(Outcome::Youth))
    );
    if !reached_youth {
        return Err(AppError::BadRequest);
    }
    let typed = form.fields.text("lieu");
    let place = match read_commune(&run.app.directory, lang, &form.fields) {
        Ok(insee) => Place::Found(insee),
        Err(refusal) => {
            let (communes, prompt) = match commune_offer(lang, refusal, &typed) {
                Offer::Message(message) => (Vec::new(), message),
                Offer::Communes(communes, prompt) => (communes, prompt),
            };
            Place::Asked {
                value: typed,
                communes,
                prompt: Some(prompt),
            }
        }
    };
    let shown = Shown {
        place: Some(place),
        ..Shown::at(at)
    };
    render(run, context, shown)
}

/// The question refused, with what she typed and why, and the status that
/// says so: several communes matching is a choice to make, not an error.
fn refused(
    run: &Run<'_>,
    lang: Lang,
    step: &Step,
    progress: &Progress,
    fields: &Fields,
    why: Why,
) -> (QuestionView, StatusCode) {
    let question = question_view(run, lang, step, progress, Some(fields));
    match why {
        // What she typed comes back cut, and says so.
        Why::TooLong(max) => (
            question.with_error(lang.t_with("form-too-long", &[("max", FluentValue::from(max))])),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Why::Unread(refusal) => match commune_offer(lang, refusal, &fields.text("lieu")) {
            Offer::Message(message) => (
                question.with_error(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Offer::Communes(communes, prompt) => {
                (question.offering(communes, prompt), StatusCode::OK)
            }
        },
        Why::Flow(error) => (
            question.with_error(refusal_message(lang, step, &error)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

/// What a commune not read yet comes back with.
enum Offer {
    /// A message to show next to the field.
    Message(String),
    /// Communes to choose from, and the question that offers them.
    Communes(Vec<CommuneChoice>, String),
}

/// What to say of a commune not read from what she `typed`: several match
/// (a choice to make, not an error), none does but these are near it, or
/// a message.
fn commune_offer(lang: Lang, refusal: Refusal, typed: &str) -> Offer {
    match refusal {
        Refusal::Message(message) => Offer::Message(message),
        Refusal::ChooseCommune(communes) => Offer::Communes(
            communes,
            lang.t_with(
                "conversation-commune-several",
                &[("query", FluentValue::from(typed))],
            ),
        ),
        Refusal::SuggestCommune(communes) => Offer::Communes(
            communes,
            format!(
                "{} {}",
                lang.t_with("directory-unknown", &[("query", FluentValue::from(typed))]),
                lang.t("directory-suggestions")
            ),
        ),
    }
}

/// What the page is at, to count each outcome once.
fn position_key(position: &Position<'_>) -> String {
    match position {
        Position::Ask(step) | Position::Reached(step) => step.id.clone(),
    }
}

/// Adds one to the counters an answer moves: started (the first answer),
/// an outcome reached, completed (a final outcome).
async fn count(run: &Run<'_>, before: &Progress, after: &Progress) {
    let flow = run.flow;
    let app = run.app;
    let was = flow::position(flow, before).ok().map(|p| position_key(&p));
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
            let offers_live = matches!(
                outcome,
                Outcome::Orientation | Outcome::Leave | Outcome::Emergency
            );
            let (live_territory, needs) =
                territory_and_needs(&app.directory, run.flow, after, run.territory.as_deref());
            if offers_live
                && live_territory
                    .is_some_and(|territory| !app.live.outlook(&territory, needs).offers.is_empty())
            {
                events.push(LIVE_OFFERED);
            }
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
    let commune = commune_of(&app.directory, run.flow, after);
    let territory = commune
        .as_ref()
        .and_then(|c| index.territory_of(c))
        .or_else(|| {
            run.territory
                .as_deref()
                .and_then(|slug| index.territory(slug))
        })
        .or_else(|| index.only_territory());
    let departement = commune.as_ref().map_or_else(
        || territory.map_or(hours::METROPOLE, |t| t.departement(index.communes())),
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

/// The question form for a step, filled with what was `posted`, else with
/// the answer already given.
fn question_view(
    run: &Run<'_>,
    lang: Lang,
    step: &Step,
    progress: &Progress,
    posted: Option<&Fields>,
) -> QuestionView {
    let app = run.app;
    let code = lang.code();
    let given = answered(run.flow, progress, &step.id);
    let choices = |choices: &[flow::Choice]| {
        let chosen: Vec<String> = match posted {
            Some(fields) => fields.all("choix"),
            None => match given {
                Some(Answer::Choice(id)) => vec![id.clone()],
                Some(Answer::Choices(ids)) => ids.clone(),
                _ => Vec::new(),
            },
        };
        choices
            .iter()
            .map(|c| ChoiceView {
                id: c.id.clone(),
                label: c.label.get(code).to_owned(),
                checked: chosen.contains(&c.id),
            })
            .collect()
    };
    let text = || match posted {
        Some(fields) => fields.text("texte"),
        None => match given {
            Some(Answer::Text(text)) => text.clone(),
            _ => String::new(),
        },
    };
    let asked = match &step.kind {
        StepKind::Message => Asked::Message,
        StepKind::Summary => Asked::Summary,
        StepKind::Outcome(_) => Asked::Emergency,
        StepKind::Choice(offered) => Asked::Choice {
            choices: choices(offered),
        },
        StepKind::Multiple(offered) => Asked::Multiple {
            choices: choices(offered),
        },
        StepKind::Number { unit, .. } => Asked::Number {
            value: match posted {
                Some(fields) => fields.text("nombre"),
                None => match given {
                    Some(Answer::Number(n)) => n.to_string(),
                    _ => String::new(),
                },
            },
            unit: unit.as_ref().map(|u| u.get(code).to_owned()),
        },
        StepKind::Commune => Asked::Commune {
            value: match posted {
                Some(fields) => fields.text("lieu"),
                None => match given {
                    Some(Answer::Commune(insee)) => app
                        .directory
                        .index()
                        .communes()
                        .by_insee(insee)
                        .map(|c| c.name.to_string())
                        .unwrap_or_default(),
                    _ => String::new(),
                },
            },
            communes: Vec::new(),
            prompt: None,
        },
        StepKind::Text { max_length } => Asked::Text {
            value: text(),
            max_length: *max_length,
        },
        StepKind::LongText { max_length } => Asked::LongText {
            value: text(),
            max_length: *max_length,
        },
        StepKind::Contact => {
            let (channel, value, times, leave_message, neutral_name) = match (posted, given) {
                (Some(fields), _) => (
                    fields.text("canal"),
                    fields.text("coordonnee"),
                    fields.text("moments"),
                    fields.get("message_ok") == Some("oui"),
                    fields.text("nom_neutre"),
                ),
                (None, Some(Answer::Contact(contact))) => (
                    channel_code(contact.channel).to_owned(),
                    contact.value.clone(),
                    contact.times.clone(),
                    contact.may_leave_message,
                    contact.neutral_name.clone(),
                ),
                (None, _) => Default::default(),
            };
            Asked::Contact {
                channels: channels(lang),
                channel,
                value,
                times,
                leave_message,
                neutral_name,
            }
        }
    };
    QuestionView {
        step: step.id.clone(),
        question: step.question.get(code).to_owned(),
        help: step.help.as_ref().map(|h| h.get(code).to_owned()),
        button: step.button.as_ref().map_or_else(
            || lang.t("conversation-continue"),
            |b| b.get(code).to_owned(),
        ),
        optional: step.optional,
        error: None,
        editing: false,
        asked,
    }
}

/// Renders what is `shown`: the transcript, then the question (the one
/// given, or the next) or the outcome, with the progress sealed in the form.
fn render(run: &Run<'_>, context: &Context, shown: Shown) -> Result<Response, AppError> {
    let app = run.app;
    let Shown {
        at: Opened { progress, id },
        question,
        notice,
        status,
        place,
    } = shown;
    let progress = &progress;
    let flow = run.flow;
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
        let text = answer_text(&app.directory, lang, step, answer);
        if text.is_empty() {
            // A message read, an emergency acknowledged: nothing to change.
            continue;
        }
        transcript.push(Bubble {
            question: step.question.get(code).to_owned(),
            answer: text,
            edit: can_change(step).then(|| step.id.clone()),
        });
    }
    let stage = match (question, position) {
        (Some(question), _) => Stage::Ask(Box::new(question)),
        (None, Position::Ask(step)) => {
            Stage::Ask(Box::new(question_view(run, lang, step, progress, None)))
        }
        (None, Position::Reached(step)) => outcome_stage(run, lang, step, progress, place),
    };
    let announce = match &stage {
        Stage::Ask(question) => question.question.clone(),
        Stage::Youth { heading, .. }
        | Stage::Orientation { heading, .. }
        | Stage::Leave { heading } => heading.clone(),
    };
    let live = live_outlook(run, &stage, progress);
    let mut c = Chrome::new(app, &context.page);
    if run.preview {
        c.preview = Some(Preview {
            back: run.action.trim_end_matches("/apercu").to_owned(),
            demo: app.is_demo(),
        });
    }
    let token = app
        .conversation
        .sealer
        .seal(flow.version(), now(), progress, &id);
    let action = run.action.clone();
    let hidden = run.hidden.clone();
    let html = if context.fragment {
        Fragment {
            c,
            token,
            transcript,
            stage,
            notice,
            announce,
            live,
            action,
            hidden,
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
            live,
            action,
            hidden,
        }
        .render()?
    };
    Ok((status, Html(html)).into_response())
}

/// What live help can do for her on this stage: on the orientation, the
/// national lines and the emergency numbers only.
fn live_outlook(run: &Run<'_>, stage: &Stage, progress: &Progress) -> Outlook {
    let app = run.app;
    if run.preview {
        return Outlook::default();
    }
    let offered = match stage {
        Stage::Orientation { .. } | Stage::Leave { .. } => true,
        Stage::Ask(question) => matches!(question.asked, Asked::Emergency),
        Stage::Youth { .. } => false,
    };
    if !offered {
        return Outlook::default();
    }
    let (Some(territory), needs) =
        territory_and_needs(&app.directory, run.flow, progress, run.territory.as_deref())
    else {
        return Outlook::default();
    };
    let mut outlook = app.live.outlook(&territory, needs);
    // A callback is a referral: only to who can receive one.
    let receiving = app.recipients.receiving();
    for closed in &mut outlook.closed {
        closed.callback = receiving.contains(&closed.organisation);
    }
    outlook
}

/// What a minor is told to reach: the territory's youth services, then the
/// national lines for young people, each once. A territory that lists Fil
/// Santé Jeunes itself keeps it in its place, in the national line's words
/// (which exist in every language), and does not see it again after "Ou".
fn youth_views(lang: Lang, territory: &[YouthService]) -> Vec<YouthView> {
    fn listed(service: &YouthService) -> Listed<'_> {
        Listed {
            names: [service.name.as_str(), service.name.as_str()],
            phone: Some(service.phone.as_str()),
        }
    }
    let line_view = |line: &national::Line| YouthView {
        name: lang.t(line.name),
        phone: line.number.to_owned(),
        dial: line.dial.to_owned(),
        description: Some(lang.t(line.text)),
    };
    let mut seen: Vec<Listed<'_>> = Vec::new();
    let mut views = Vec::new();
    for service in territory {
        let this = listed(service);
        if seen.iter().any(|s| s.same_as(&this)) {
            continue;
        }
        seen.push(this);
        views.push(
            match national::YOUTH.iter().find(|l| l.listed().same_as(&this)) {
                Some(line) => line_view(line),
                None => YouthView {
                    name: service.name.clone(),
                    phone: service.phone.clone(),
                    dial: service.phone.chars().filter(char::is_ascii_digit).collect(),
                    description: service.description.clone().filter(|d| !d.trim().is_empty()),
                },
            },
        );
    }
    views.extend(
        national::besides(&national::YOUTH, seen)
            .iter()
            .map(line_view),
    );
    views
}

fn outcome_stage(
    run: &Run<'_>,
    lang: Lang,
    step: &Step,
    progress: &Progress,
    place: Option<Place>,
) -> Stage {
    let app = run.app;
    let code = lang.code();
    let heading = step.question.get(code).to_owned();
    match &step.kind {
        StepKind::Outcome(Outcome::Youth) => {
            let index = app.directory.index();
            let given = commune_of(&app.directory, run.flow, progress);
            let mut territory = run
                .territory
                .as_deref()
                .and_then(|slug| index.territory(slug))
                .or_else(|| given.as_ref().and_then(|c| index.territory_of(c)));
            // The national entry of several territories, without her
            // commune: she may give it, never has to.
            let place = if territory.is_none() && index.territories().count() > 1 {
                Some(match place {
                    Some(Place::Found(insee)) => {
                        let commune = index.communes().by_insee(&insee);
                        territory = commune.and_then(|c| index.territory_of(c));
                        PlaceView {
                            value: commune.map(|c| c.name.to_string()).unwrap_or_default(),
                            communes: Vec::new(),
                            prompt: None,
                            found: Some(territory.map(|t| t.name.clone()).unwrap_or_default()),
                        }
                    }
                    Some(Place::Asked {
                        value,
                        communes,
                        prompt,
                    }) => PlaceView {
                        value,
                        communes,
                        prompt,
                        found: None,
                    },
                    None => PlaceView {
                        value: String::new(),
                        communes: Vec::new(),
                        prompt: None,
                        found: None,
                    },
                })
            } else {
                None
            };
            let services = youth_views(
                lang,
                territory.map_or(&[][..], |t| t.youth_services.as_slice()),
            );
            let button = step.button.as_ref().map_or_else(
                || lang.t("conversation-continue"),
                |b| b.get(code).to_owned(),
            );
            Stage::Youth {
                heading,
                services,
                button,
                place,
            }
        }
        StepKind::Outcome(Outcome::Orientation) => {
            let Some((commune, orientation, at)) =
                orientation_for(&app.directory, run.flow, progress)
            else {
                return Stage::Leave { heading };
            };
            // A preview sends nothing.
            let receiving = if run.preview {
                std::sync::Arc::default()
            } else {
                app.recipients.receiving()
            };
            let mut senders: Vec<(OrganisationId, String)> = Vec::new();
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
        // Position::Reached is a final outcome (flow::position), so this
        // is Outcome::Leave: the national lines.
        _ => Stage::Leave { heading },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn youth(name: &str, phone: &str, description: Option<&str>) -> YouthService {
        YouthService {
            name: name.to_owned(),
            phone: phone.to_owned(),
            description: description.map(str::to_owned),
        }
    }

    #[test]
    fn a_minor_is_told_of_each_youth_service_once_the_territorys_first() {
        let territory = [
            youth(
                "Maison des Adolescents du Littoral Est",
                "03 91 18 15 80",
                Some("Écoute, conseil et accompagnement des jeunes"),
            ),
            youth("Fil Santé Jeunes", "0800 235 236", None),
            youth("Maison des Adolescents (antenne)", "03.91.18.15.80", None),
        ];
        let views = youth_views(Lang::Fr, &territory);
        let shown: Vec<(&str, &str)> = views
            .iter()
            .map(|v| (v.name.as_str(), v.phone.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("Maison des Adolescents du Littoral Est", "03 91 18 15 80"),
                ("Fil Santé Jeunes", "0800 235 236"),
            ]
        );
        assert_eq!(
            views[0].description.as_deref(),
            Some("Écoute, conseil et accompagnement des jeunes")
        );
        assert_eq!(views[1].dial, "0800235236");
        assert!(views.iter().all(|v| v.description.is_some()));
    }

    #[test]
    fn a_territory_without_youth_services_gives_the_national_lines_for_young_people() {
        let views = youth_views(Lang::Ar, &[]);
        let dials: Vec<&str> = views.iter().map(|v| v.dial.as_str()).collect();
        assert_eq!(dials, ["0800235236"]);
    }
}
