//! The person's side: `/envoyer` and `/suivi`, plain forms that work
//! without JavaScript.
//!
//! - `POST /envoyer` (from the orientation, with the conversation's token
//!   and the chosen organisation): what will be sent, her contact
//!   preferences, urgency, and the consent sentence that names who reads.
//!   With `genre=rappel` the same pages ask to be called back ("Être
//!   rappelée", docs/live.md "The offer"): a phone number is required,
//!   the referral is of kind `callback`, and it may come from any outcome
//!   she reached (the orientation, "I would rather call someone", the
//!   emergency numbers), to an organisation of her conversation's territory.
//! - `POST /envoyer/confirmer`: builds the report in memory, seals it,
//!   stores the envelope, commits durably, and only then shows the receipt.
//!   The referral id is derived from the conversation (carried in its
//!   token) and the organisation, so a finished conversation sends at most
//!   one referral to each organisation, however often the form is sent;
//!   and each client may send only a few an hour.
//! - `POST /envoyer/note`: "J'ai noté mon code" is required before leaving.
//! - `/suivi`: with the receipt (in the body, never in a URL) she sees the
//!   status, reads replies, writes, or deletes her request. Failed tries are
//!   counted per client (a keyed hash of the IP, in memory) and limited.

use std::time::{Duration, Instant};

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use flow::{Answer, Channel, Outcome, Position, Progress, Role, StepKind};
use fluent_bundle::FluentValue;

use crate::backoffice::storage::AuditAction;
use crate::conversation::answers::{Refusal, read_answer, refusal_message};
use crate::conversation::token::{ConversationId, MAX_TOKEN_LEN};
use crate::directory::model::Organisation;
use crate::referral::ReferralState;
use crate::referral::envelope::Author;
use crate::referral::receipt::Receipt;
use crate::referral::report::{self, Choices, Line};
use crate::referral::storage::{self, InClear, Kind, Status, StoredChannel, StoredLanguage};
use crate::referral::{Opened, SendError, local_time};
use crate::storage::counters::{self, Event};
use crate::storage::{OrganisationId, ReferralId};
use crate::web::Site;
use crate::web::clients::ClientCounts;
use crate::web::error::AppError;
use crate::web::form::{Code, Field, Fields, Spec};
use crate::web::i18n::{Lang, msg};
use crate::web::layout::{Chrome, PageContext};
use crate::web::ratelimit::RequestClient;
use crate::web::render_status;

/// Failed receipt tries allowed per client and hour.
pub const TRIES_PER_HOUR: u32 = 10;

/// The count of wrong receipts per client, per hour.
pub fn receipt_tries() -> ClientCounts {
    ClientCounts::new(TRIES_PER_HOUR, Duration::from_secs(3600))
}

/// The count of referrals sent per client, per hour.
pub fn sends_per_client(per_hour: u32) -> ClientCounts {
    ClientCounts::new(per_hour, Duration::from_secs(3600))
}
/// Longest message the person may write.
const MESSAGE_MAX: usize = 4000;

/// Counted when a callback request is sent (docs/live.md, "Statistics").
const LIVE_CALLBACK: Event = Event::new("live:callback");

/// What the sending pages send: her report, or a request to be called back.
/// Posted as `genre` (`demande` when absent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Genre {
    /// Her report, from the orientation.
    #[default]
    Report,
    /// "Être rappelée": a professional calls her back.
    Callback,
}

impl Code for Genre {
    const CODES: &'static [(&'static str, Self)] =
        &[("demande", Self::Report), ("rappel", Self::Callback)];
}

impl Genre {
    /// The code the pages post.
    pub fn code(self) -> &'static str {
        match self {
            Self::Report => "demande",
            Self::Callback => "rappel",
        }
    }

    /// Whether she asks to be called back.
    pub fn is_callback(self) -> bool {
        self == Self::Callback
    }

    /// The kind of referral it sends.
    fn kind(self) -> Kind {
        match self {
            Self::Report => Kind::Report,
            Self::Callback => Kind::Callback,
        }
    }

    /// The calm sentence when the organisation cannot receive it.
    fn unavailable(self, lang: Lang) -> String {
        lang.t(match self {
            Self::Report => msg("send-unavailable"),
            Self::Callback => msg("send-callback-unavailable"),
        })
    }

    /// Read from a form; absent is a report, anything unknown a 400.
    fn of(fields: &Fields) -> Result<Self, AppError> {
        Ok(fields.code_or_none("genre")?.unwrap_or_default())
    }
}

/// Adds `/envoyer`, `/envoyer/confirmer`, `/envoyer/note` and `/suivi`.
pub fn routes(site: Site<ReferralState>) -> Site<ReferralState> {
    site.page("/envoyer", get(explain).post(prepare))
        .posts(&SEND)
        .page("/envoyer/confirmer", get(explain).post(confirm))
        .posts(&CONFIRM)
        .page("/envoyer/note", get(explain).post(noted))
        .posts(&NOTE)
        .page("/suivi", get(follow_form).post(follow))
        .posts(&FOLLOW)
}

/// The longest receipt as typed (16 digits, spaces, dots, dashes).
const RECEIPT_TYPED_MAX: usize = 40;

/// The orientation's "send" button (and the offer of a callback): the
/// conversation, the organisation, and what she sends (`genre`).
pub static SEND: Spec = Spec::new(&[
    Field::one("t", MAX_TOKEN_LEN),
    Field::one("organisation", 64),
    Field::one("genre", 8),
]);

/// The sending form.
pub static CONFIRM: Spec = Spec::new(&[
    Field::one("t", MAX_TOKEN_LEN),
    Field::one("organisation", 64),
    Field::one("genre", 8),
    Field::one("canal", 16),
    Field::one("coordonnee", flow::CONTACT_VALUE_MAX),
    Field::one("moments", flow::CONTACT_TIMES_MAX),
    Field::one("message_ok", 3),
    Field::one("nom_neutre", flow::CONTACT_NAME_MAX),
    Field::one("urgent", 3),
    Field::one("consentement", 3),
]);

/// "J'ai noté mon code".
pub static NOTE: Spec = Spec::new(&[Field::one("note", 3), Field::one("code", RECEIPT_TYPED_MAX)]);

/// The follow-up: her receipt, what to do, what she writes.
pub static FOLLOW: Spec = Spec::new(&[
    Field::one("code", RECEIPT_TYPED_MAX),
    Field::one("action", 16),
    Field::one("texte", MESSAGE_MAX),
]);

/// A line of the report, as the preview shows it.
#[derive(Debug)]
struct PreviewLine {
    question: String,
    answer: String,
}

/// What the sending pages show.
#[derive(Debug)]
enum Stage {
    /// How to get here: from the conversation.
    Explain,
    /// Something prevents sending; a calm sentence and what to do.
    Problem(String),
    /// The form: preview, contact, urgency, consent.
    Form(Box<SendForm>),
    /// The receipt, shown once.
    Receipt {
        grouped: String,
        error: Option<String>,
    },
    /// Sent, and noted.
    Done,
    /// The same form was sent twice: the first one went through.
    AlreadySent,
}

#[derive(Debug, Default)]
struct SendForm {
    genre: Genre,
    token: String,
    organisation_id: OrganisationId,
    organisation: String,
    lines: Vec<PreviewLine>,
    free_text: Option<String>,
    channels: Vec<(&'static str, String)>,
    channel: String,
    value: String,
    times: String,
    leave_message: bool,
    neutral_name: String,
    urgent: bool,
    consent: bool,
    contact_error: Option<String>,
    consent_error: Option<String>,
    /// Said when this device sent too many already.
    send_error: Option<String>,
}

#[derive(Template)]
#[template(path = "referral/send.html")]
struct SendPage<'a> {
    c: Chrome<'a>,
    /// A report or a callback: the pages' titles and words.
    genre: Genre,
    stage: Stage,
}

fn send_page(
    app: &ReferralState,
    page: &PageContext,
    genre: Genre,
    stage: Stage,
    status: StatusCode,
) -> Result<Response, AppError> {
    render_status(
        status,
        &SendPage {
            c: Chrome::new(app, page),
            genre,
            stage,
        },
    )
}

async fn explain(
    State(app): State<ReferralState>,
    page: PageContext,
) -> Result<Response, AppError> {
    send_page(&app, &page, Genre::Report, Stage::Explain, StatusCode::OK)
}

/// A finished conversation and the organisation chosen to receive it.
struct Checked {
    /// The flow her conversation went on.
    flow: std::sync::Arc<flow::Flow>,
    progress: Progress,
    conversation: ConversationId,
    organisation: Organisation,
}

/// The progress of a finished conversation and the chosen organisation, or
/// the calm sentence that says why not. A report comes from the
/// orientation; a callback from any outcome she reached, to an organisation
/// of her conversation's territory.
async fn checked(
    app: &ReferralState,
    (lang, entry): (Lang, Option<&str>),
    genre: Genre,
    fields: &Fields,
) -> Result<Result<Checked, String>, AppError> {
    let opened = fields.get("t").and_then(|token| {
        app.conversation
            .open(token, jiff::Timestamp::now().as_second())
            .ok()
    });
    let Some((flow, progress, conversation)) = opened else {
        return Ok(Err(lang.t("send-expired")));
    };
    let reached = match genre {
        Genre::Report => matches!(
            flow::position(&flow, &progress),
            Ok(Position::Reached(step)) if matches!(step.kind, StepKind::Outcome(Outcome::Orientation))
        ),
        Genre::Callback => reached_an_outcome(&flow, &progress),
    };
    if !reached {
        return Ok(Err(lang.t("send-expired")));
    }
    // Any organisation of the directory that receives referrals: the
    // ranking that proposed it may have changed since (opening hours), and
    // she must not lose her form for that.
    let wanted = OrganisationId::from(fields.value("organisation"));
    if !app.referrals.receiving().contains(&wanted) {
        return Ok(Err(genre.unavailable(lang)));
    }
    // Not archived, nor gone.
    let Some((organisation, false)) =
        crate::directory::storage::organisation(&app.db, &wanted).await?
    else {
        return Ok(Err(genre.unavailable(lang)));
    };
    // A callback is offered by the organisations of her territory only (the
    // offer may come before she named her commune: the page then knew her
    // territory only when the site has one), and the form must not be
    // turned into a callback from anywhere.
    if genre.is_callback()
        && crate::conversation::answers::territory_of(&app.directory, &flow, &progress, entry)
            .as_deref()
            != Some(&organisation.territory)
    {
        return Ok(Err(genre.unavailable(lang)));
    }
    Ok(Ok(Checked {
        flow,
        progress,
        conversation,
        organisation,
    }))
}

/// Whether the conversation reached an outcome: the one shown now (the
/// orientation, "I would rather call someone", the youth services, the
/// emergency numbers), or one she went past (the emergency numbers,
/// acknowledged).
fn reached_an_outcome(flow: &flow::Flow, progress: &Progress) -> bool {
    let now = flow::position(flow, progress).map(|position| position.step().outcome().is_some());
    now.unwrap_or(false)
        || flow::path(flow, progress)
            .iter()
            .any(|(step, _)| step.outcome().is_some())
}

/// The form, filled from the conversation (its flow and progress), or
/// from what she just typed.
fn form(
    app: &ReferralState,
    (flow, progress): (&flow::Flow, &Progress),
    lang: Lang,
    genre: Genre,
    token: &str,
    organisation: (&OrganisationId, &str),
    typed: Option<&Fields>,
) -> SendForm {
    let preview = report::build(
        app,
        flow,
        lang,
        progress,
        &Choices {
            id: &ReferralId::default(),
            organisation: organisation.1,
            urgent: false,
            contact: None,
        },
    );
    let lines = std::iter::once(PreviewLine {
        question: lang.t("send-preview-needs"),
        answer: preview.needs.join(", "),
    })
    .filter(|line| !line.answer.is_empty())
    .chain(preview.answers.iter().map(|line: &Line| {
        PreviewLine {
            question: line
                .question_original
                .clone()
                .unwrap_or_else(|| line.question.clone()),
            answer: line
                .answer_original
                .clone()
                .unwrap_or_else(|| line.answer.clone()),
        }
    }))
    // Her contact as she gave it, under the question she was asked: the
    // report labels it for the professional ("Comment la joindre").
    .chain(
        flow::path(flow, progress)
            .into_iter()
            .filter(|(step, _)| step.role == Some(Role::Contact))
            .map(|(step, answer)| PreviewLine {
                question: step.question.get(lang.code()).to_owned(),
                answer: crate::conversation::answers::answer_text(
                    &app.directory,
                    lang,
                    step,
                    answer,
                ),
            }),
    )
    .collect();
    let contact = flow::path(flow, progress)
        .into_iter()
        .find_map(|(_, answer)| match answer {
            Answer::Contact(contact) => Some(contact.clone()),
            _ => None,
        });
    let mut form = SendForm {
        genre,
        token: token.to_owned(),
        organisation_id: organisation.0.to_owned(),
        organisation: organisation.1.to_owned(),
        lines,
        free_text: preview.free_text,
        channels: crate::conversation::answers::channels(lang),
        ..SendForm::default()
    };
    if let Some(contact) = contact {
        form.channel = crate::conversation::answers::channel_code(contact.channel).to_owned();
        form.value = contact.value;
        form.times = contact.times;
        form.leave_message = contact.may_leave_message;
        form.neutral_name = contact.neutral_name;
    }
    // A callback is by phone: the number she gave for SMS is kept, one she
    // gave for e-mail is not one.
    if genre.is_callback() {
        if form.channel == "courriel" {
            form.value.clear();
        }
        "telephone".clone_into(&mut form.channel);
    }
    if let Some(fields) = typed {
        form.channel = fields.text("canal");
        form.value = fields.text("coordonnee");
        form.times = fields.text("moments");
        form.leave_message = fields.ticked("message_ok");
        form.neutral_name = fields.text("nom_neutre");
        form.urgent = fields.ticked("urgent");
        form.consent = fields.ticked("consentement");
    }
    form
}

async fn prepare(
    State(app): State<ReferralState>,
    page: PageContext,
    body: Bytes,
) -> Result<Response, AppError> {
    // Nothing here is typed by the person: anything off is no page of ours.
    let fields = SEND
        .read(&body)
        .into_result()
        .map_err(|_| AppError::BadRequest)?;
    let lang = page.lang;
    let genre = Genre::of(&fields)?;
    match checked(&app, (lang, page.territory.as_deref()), genre, &fields).await? {
        Err(problem) => send_page(&app, &page, genre, Stage::Problem(problem), StatusCode::OK),
        Ok(Checked {
            flow,
            progress,
            organisation,
            ..
        }) => {
            let form = form(
                &app,
                (&flow, &progress),
                lang,
                genre,
                &fields.text("t"),
                (&organisation.id, &organisation.name),
                None,
            );
            send_page(
                &app,
                &page,
                genre,
                Stage::Form(Box::new(form)),
                StatusCode::OK,
            )
        }
    }
}

/// The referral id of a conversation sent to an organisation: the same
/// conversation sent twice to the same organisation names the same
/// referral, and the second is refused.
fn referral_id(
    app: &ReferralState,
    conversation: &ConversationId,
    organisation: &OrganisationId,
) -> ReferralId {
    let mac = app.secret.derive(crate::secret::Purpose::ReferralId).mac(&[
        conversation.as_str().as_bytes(),
        b"/",
        organisation.as_str().as_bytes(),
    ]);
    hex::encode(&mac[..16]).into()
}

async fn confirm(
    State(app): State<ReferralState>,
    page: PageContext,
    RequestClient(client): RequestClient,
    body: Bytes,
) -> Result<Response, AppError> {
    let posted = CONFIRM.read(&body);
    let too_long = match posted.too_long() {
        Some((field, max)) if ["coordonnee", "moments", "nom_neutre"].contains(&field) => Some(max),
        Some(_) => return Err(AppError::BadRequest),
        None if posted.is_forged() => return Err(AppError::BadRequest),
        None => None,
    };
    let fields = posted.fields;
    let lang = page.lang;
    let genre = Genre::of(&fields)?;
    let problem =
        |problem: String| send_page(&app, &page, genre, Stage::Problem(problem), StatusCode::OK);
    let Checked {
        flow,
        progress,
        conversation,
        organisation: chosen,
    } = match checked(&app, (lang, page.territory.as_deref()), genre, &fields).await? {
        Ok(checked) => checked,
        Err(sentence) => return problem(sentence),
    };
    let Organisation {
        id: organisation_id,
        name: organisation,
        territory,
        ..
    } = chosen;
    let id = referral_id(&app, &conversation, &organisation_id);
    if storage::by_id(&app.db, &id).await?.is_some() {
        return send_page(&app, &page, genre, Stage::AlreadySent, StatusCode::OK);
    }
    let flow = &*flow;
    let mut form = form(
        &app,
        (flow, &progress),
        lang,
        genre,
        &fields.text("t"),
        (&organisation_id, &organisation),
        Some(&fields),
    );
    // Her contact preferences, checked as the conversation checks them,
    // replace the conversation's answer; when the conversation never asked
    // them (a callback from "I would rather call someone"), they are the
    // report's contact.
    let mut progress = progress;
    let mut contact = None;
    if let Some(step) = flow.step_with_role(Role::Contact) {
        match read_answer(&app.directory, lang, step, &fields) {
            Ok(answer) if genre.is_callback() && !is_callback_number(&answer) => {
                form.contact_error = Some(callback_refusal(lang, &answer));
            }
            Ok(answer)
                if flow::answer_with_role(flow, &progress, Role::Contact).is_none()
                    && genre.is_callback() =>
            {
                contact = Some(answer);
            }
            Ok(answer) => match flow::advance(flow, &progress, &step.id, answer) {
                Ok(next) => progress = next,
                Err(error) => form.contact_error = Some(refusal_message(lang, step, &error)),
            },
            Err(Refusal::Message(_)) if genre.is_callback() => {
                form.contact_error = Some(lang.t("send-callback-phone-missing"));
            }
            Err(Refusal::Message(message)) => form.contact_error = Some(message),
            Err(Refusal::ChooseCommune(_) | Refusal::SuggestCommune(_)) => {}
        }
    }
    if let Some(max) = too_long {
        form.contact_error = Some(lang.t_with("form-too-long", &[("max", FluentValue::from(max))]));
    }
    if !form.consent {
        form.consent_error = Some(lang.t("send-consent-missing"));
    }
    if form.contact_error.is_some() || form.consent_error.is_some() {
        return send_page(
            &app,
            &page,
            genre,
            Stage::Form(Box::new(form)),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    // Taken before any work, given back if nothing was sent.
    let sends = &app.referrals.sends;
    if !sends.take(client, Instant::now()) {
        form.send_error = Some(lang.t("send-too-many"));
        return send_page(
            &app,
            &page,
            genre,
            Stage::Form(Box::new(form)),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let report = report::build(
        &app,
        flow,
        lang,
        &progress,
        &Choices {
            id: &id,
            organisation: &organisation,
            urgent: form.urgent,
            contact: contact.as_ref(),
        },
    );
    let json = serde_json::to_vec(&report).expect("a report serialises");
    drop(report);
    let channel = contact
        .as_ref()
        .or_else(|| flow::answer_with_role(flow, &progress, Role::Contact))
        .and_then(|answer| match answer {
            Answer::Contact(contact) => Some(contact.channel),
            _ => None,
        });
    let in_clear = InClear {
        kind: genre.kind(),
        urgent: form.urgent,
        language: StoredLanguage(Some(lang)),
        channel: StoredChannel(channel),
    };
    let sent = app
        .referrals
        .send(&app.db, &id, &organisation_id, &territory, in_clear, &json)
        .await;
    match sent {
        Ok(receipt) => {
            if genre.is_callback() {
                count_callback(&app, &territory).await;
            }
            send_page(
                &app,
                &page,
                genre,
                Stage::Receipt {
                    grouped: receipt.grouped(),
                    error: None,
                },
                StatusCode::OK,
            )
        }
        Err(SendError::NoRecipient) => {
            sends.give_back(client, Instant::now());
            problem(genre.unavailable(lang))
        }
        Err(SendError::Database(sqlx::Error::Database(error))) if error.is_unique_violation() => {
            sends.give_back(client, Instant::now());
            send_page(&app, &page, genre, Stage::AlreadySent, StatusCode::OK)
        }
        Err(SendError::Database(error)) => Err(AppError::Database(error)),
    }
}

/// Whether a contact answer gives a number to call back: by phone, with a
/// number that is one.
fn is_callback_number(answer: &Answer) -> bool {
    matches!(answer, Answer::Contact(contact)
        if contact.channel == Channel::Phone && flow::is_phone(&contact.value))
}

/// Why a contact answer gives no number to call back, in her words.
fn callback_refusal(lang: Lang, answer: &Answer) -> String {
    match answer {
        Answer::Contact(contact)
            if contact.channel == Channel::Phone && !contact.value.is_empty() =>
        {
            lang.t("conversation-error-phone")
        }
        _ => lang.t("send-callback-phone-missing"),
    }
}

/// Adds one to `live:callback` in the organisation's territory, on its
/// local date. A lost count never stops a request that was sent.
async fn count_callback(app: &ReferralState, territory: &str) {
    let today = app.directory.index().today_in(territory);
    if let Err(error) = counters::increment(&app.db, today, territory, LIVE_CALLBACK).await {
        tracing::warn!(%error, event = LIVE_CALLBACK.as_str(), "could not count a callback request");
    }
}

async fn noted(
    State(app): State<ReferralState>,
    page: PageContext,
    body: Bytes,
) -> Result<Response, AppError> {
    let fields = NOTE
        .read(&body)
        .into_result()
        .map_err(|_| AppError::BadRequest)?;
    if fields.ticked("note") {
        return send_page(&app, &page, Genre::Report, Stage::Done, StatusCode::OK);
    }
    match Receipt::parse(&fields.text("code")) {
        // Shown again, from the form: it is nowhere else.
        Some(receipt) => send_page(
            &app,
            &page,
            Genre::Report,
            Stage::Receipt {
                grouped: receipt.grouped(),
                error: Some(page.lang.t("send-receipt-not-noted")),
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => send_page(&app, &page, Genre::Report, Stage::Done, StatusCode::OK),
    }
}

// ------------------------------------------------------------------ /suivi

/// A message as the person reads it.
#[derive(Debug)]
struct MessageView {
    mine: bool,
    at: String,
    text: String,
}

#[derive(Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "one per response, built once and rendered at once"
)]
enum Follow {
    /// The form asking for the receipt.
    Ask { code: String, error: Option<String> },
    /// Her request.
    Show {
        code: String,
        /// The organisation that has her request (the one it was sent to,
        /// or the one it was handed to since).
        organisation: String,
        readers: String,
        history: Vec<String>,
        status: String,
        status_help: String,
        sent_on: String,
        messages: Vec<MessageView>,
        text: String,
        error: Option<String>,
        flash: Option<String>,
        confirm_delete: bool,
    },
    /// Deleted.
    Deleted,
    /// Too many tries.
    Blocked,
}

#[derive(Template)]
#[template(path = "referral/follow.html")]
struct FollowPage<'a> {
    c: Chrome<'a>,
    follow: Follow,
}

fn follow_page(
    app: &ReferralState,
    page: &PageContext,
    follow: Follow,
    status: StatusCode,
) -> Result<Response, AppError> {
    render_status(
        status,
        &FollowPage {
            c: Chrome::new(app, page),
            follow,
        },
    )
}

async fn follow_form(
    State(app): State<ReferralState>,
    page: PageContext,
) -> Result<Response, AppError> {
    follow_page(
        &app,
        &page,
        Follow::Ask {
            code: String::new(),
            error: None,
        },
        StatusCode::OK,
    )
}

/// The name of an organisation for the person, read from the directory's
/// storage: an organisation without a service in the index (all of them
/// archived, or none yet) still has its name.
async fn organisation_name(app: &ReferralState, id: &OrganisationId) -> Result<String, AppError> {
    Ok(crate::directory::storage::organisation(&app.db, id)
        .await?
        .map(|(organisation, _archived)| organisation.name)
        .unwrap_or_default())
}

/// Her request as she sees it: its status, who can read it and since when,
/// and the messages.
async fn show(
    app: &ReferralState,
    lang: Lang,
    code: &str,
    opened: &Opened,
) -> Result<Follow, AppError> {
    let referral = &opened.referral;
    let status = referral.status();
    let readers = storage::readers(&app.db, &referral.id, &referral.organisation_id).await?;
    let organisation = organisation_name(app, &referral.organisation_id).await?;
    let readers = lang.t_with(
        "follow-readers",
        &[
            ("count", FluentValue::from(readers)),
            ("organisation", FluentValue::from(organisation.as_str())),
        ],
    );
    let mut history = Vec::new();
    for line in storage::history(&app.db, &referral.id).await? {
        let id = match line.event {
            event if event.gives_access() => msg("follow-history-access"),
            storage::Event::Transferred => msg("follow-history-transferred"),
            _ => continue,
        };
        let name = organisation_name(app, &line.organisation_id).await?;
        history.push(lang.t_with(
            id,
            &[
                ("date", FluentValue::from(local_time(&line.at))),
                ("organisation", FluentValue::from(name)),
            ],
        ));
    }
    Ok(Follow::Show {
        organisation,
        readers,
        history,
        code: code.to_owned(),
        status: lang.t(status.message_id()),
        status_help: lang.t(status.help_id()),
        sent_on: local_time(&opened.referral.created_at),
        messages: opened
            .messages
            .iter()
            .map(|(author, at, text)| MessageView {
                mine: *author == Author::Person,
                at: local_time(at),
                text: text.clone(),
            })
            .collect(),
        text: String::new(),
        error: None,
        flash: None,
        confirm_delete: false,
    })
}

async fn follow(
    State(app): State<ReferralState>,
    page: PageContext,
    RequestClient(client): RequestClient,
    body: Bytes,
) -> Result<Response, AppError> {
    let posted = FOLLOW.read(&body);
    if posted.is_forged() {
        return Err(AppError::BadRequest);
    }
    let too_long = posted.too_long();
    let fields = posted.fields;
    let lang = page.lang;
    let typed = fields.text("code");
    let ask = |error: String| Follow::Ask {
        code: typed.clone(),
        error: Some(error),
    };
    let code_too_long = too_long.is_some_and(|(field, _)| field == "code");
    let Some(receipt) = Receipt::parse(&typed).filter(|_| !code_too_long) else {
        return follow_page(
            &app,
            &page,
            ask(lang.t("follow-code-format")),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    // The try is taken before the work, so that concurrent tries cannot all
    // slip under the limit; a right receipt gives it back.
    let tries = &app.referrals.tries;
    if !tries.take(client, Instant::now()) {
        return follow_page(&app, &page, Follow::Blocked, StatusCode::TOO_MANY_REQUESTS);
    }
    let Some(opened) = app.referrals.open(&app.db, receipt.clone()).await? else {
        return follow_page(
            &app,
            &page,
            ask(lang.t("follow-code-unknown")),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    tries.give_back(client, Instant::now());
    let code = receipt.grouped();
    let mut view = show(&app, lang, &code, &opened).await?;
    match fields.code_or_none::<FollowAction>("action")? {
        Some(FollowAction::Write) => {
            let text = fields.text("texte");
            let trimmed = text.trim();
            let error = if let Some((_, max)) = too_long {
                Some(lang.t_with("form-too-long", &[("max", FluentValue::from(max))]))
            } else if trimmed.is_empty() {
                Some(lang.t("follow-message-empty"))
            } else if trimmed.chars().count() > MESSAGE_MAX {
                Some(lang.t_with(
                    "conversation-max-length",
                    &[("max", FluentValue::from(MESSAGE_MAX))],
                ))
            } else if opened.referral.status() == Status::Closed {
                Some(lang.t("follow-closed"))
            } else {
                None
            };
            if let Some(error) = error {
                if let Follow::Show {
                    text: kept,
                    error: shown,
                    ..
                } = &mut view
                {
                    *kept = text;
                    *shown = Some(error);
                }
                return follow_page(&app, &page, view, StatusCode::UNPROCESSABLE_ENTITY);
            }
            app.referrals
                .add_person_message(&app.db, &opened, trimmed)
                .await?;
            let Some(opened) = app.referrals.open(&app.db, receipt).await? else {
                return follow_page(&app, &page, Follow::Deleted, StatusCode::OK);
            };
            let mut view = show(&app, lang, &code, &opened).await?;
            if let Follow::Show { flash, .. } = &mut view {
                *flash = Some(lang.t("follow-message-sent"));
            }
            follow_page(&app, &page, view, StatusCode::OK)
        }
        Some(FollowAction::Delete) => {
            if let Follow::Show { confirm_delete, .. } = &mut view {
                *confirm_delete = true;
            }
            follow_page(&app, &page, view, StatusCode::OK)
        }
        Some(FollowAction::DeleteConfirmed) => {
            let mut tx = app.db.begin().await?;
            storage::delete(&mut tx, &opened.referral.id).await?;
            crate::backoffice::storage::audit(
                &mut tx,
                "relais",
                opened.referral.territory.as_deref(),
                AuditAction::ReferralDeletedByPerson,
                &opened.referral.id,
                "",
            )
            .await?;
            tx.commit().await?;
            follow_page(&app, &page, Follow::Deleted, StatusCode::OK)
        }
        Some(FollowAction::View) | None => follow_page(&app, &page, view, StatusCode::OK),
    }
}

/// What she asks of her follow-up page, besides reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FollowAction {
    /// See it (again): the replies that came since.
    View,
    /// Send what she wrote.
    Write,
    /// Ask to delete everything (a confirmation comes first).
    Delete,
    /// Delete everything, confirmed.
    DeleteConfirmed,
}

impl Code for FollowAction {
    const CODES: &'static [(&'static str, Self)] = &[
        ("voir", Self::View),
        ("ecrire", Self::Write),
        ("supprimer", Self::Delete),
        ("supprimer-oui", Self::DeleteConfirmed),
    ];
}
