//! The person's side of live help: `/parler`, one address.
//!
//! A POST carries the conversation's sealed token `t` and the chosen
//! `organisation` (to see what would be shared, then to join), or the
//! conversation's handle `h` (to write, to leave, to answer a proposal):
//! in the form, never in an address. Without JavaScript the answer to a
//! post that shows the conversation is a page that stays open: the server
//! streams into it what happens (docs/live.md). With JavaScript,
//! `static/js/live.js` joins through `/parler/ws` instead and the page never
//! navigates. `/parler/fin` is where quick exit's beacon says she left.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::extract::ws::{Message as Frame, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post};
use flow::{Answer, Position, Progress, StepKind};
use fluent_bundle::FluentValue;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::conversation::answers::territory_and_needs;
use crate::conversation::token::MAX_TOKEN_LEN;
use crate::conversation::{LiveHelp as _, live_wait};
use crate::directory::model::Needs;
use crate::live::offer::Offers;
use crate::live::storage::{self, NewSession};
use crate::live::{
    Author, Ended, Event, Handle, Joining, Keep, LiveState, MESSAGE_ID_MAX, MESSAGE_MAX, RoomView,
    Stage as RoomStage, clock, counted, fresh_id, keep, message_text, now, valid_message_id,
};
use crate::referral::report::{self, Choices, Report};
use crate::storage::{LiveId, OrganisationId, ReferralId};
use crate::web::Site;
use crate::web::clients::Client;
use crate::web::compression::Streamed;
use crate::web::error::AppError;
use crate::web::form::{Field, Fields, Spec};
use crate::web::i18n::{Lang, msg};
use crate::web::layout::{Chrome, PageContext};
use crate::web::ratelimit::RequestClient;
use crate::web::render_status;

/// Adds `/parler`, `/parler/fin` and `/parler/ws`.
pub fn routes(site: Site<LiveState>) -> Site<LiveState> {
    site.page("/parler", get(explain).post(talk))
        .posts(&TALK)
        .endpoint("/parler/fin", "/parler/fin", post(beacon))
        .posts(&BEACON)
        .endpoint("/parler/ws", "/parler/ws", get(socket))
}

/// Longest handle as posted.
const HANDLE_MAX: usize = 48;

/// Every form of `/parler`.
pub static TALK: Spec = Spec::new(&[
    Field::one("t", MAX_TOKEN_LEN),
    Field::one("organisation", 64),
    Field::one("action", 16),
    Field::one("partage", 3),
    Field::one("h", HANDLE_MAX),
    Field::one("m", MESSAGE_ID_MAX),
    Field::one("texte", MESSAGE_MAX * 4),
]);

/// Quick exit's beacon: the handle.
pub static BEACON: Spec = Spec::new(&[Field::one("h", HANDLE_MAX)]);

/// Where the no-JS page's stream goes in.
const STREAM_MARK: &str = "<!--relais-live-stream-->";
/// How often the no-JS page hears from the server when nothing happens.
const KEEP_ALIVE: Duration = Duration::from_secs(5);

/// A line of what the professional will see.
#[derive(Debug)]
struct Shared {
    question: String,
    answer: String,
}

/// "Parler maintenant": with whom, the wait, what would be shared.
#[derive(Debug)]
struct Preview {
    token: String,
    organisation_id: OrganisationId,
    organisation: String,
    wait: String,
    lines: Vec<Shared>,
    free_text: Option<String>,
}

/// One thing in the conversation, as the page shows it.
#[derive(Debug)]
enum Item {
    /// Where it stands: her place and the wait, or who answers.
    Status(String),
    /// A message.
    Said {
        mine: bool,
        text: String,
        at: String,
        delivered: bool,
    },
    /// The professional proposes to keep the conversation.
    Proposal { text: String, handle: String },
    /// Over, and why; the callback form when nobody could answer.
    Ended {
        text: String,
        callback: Option<(String, OrganisationId)>,
    },
}

/// The conversation as the page opens it.
#[derive(Debug)]
struct RoomPage {
    handle: String,
    message_id: String,
    organisation: String,
    items: Vec<Item>,
    error: Option<String>,
    typed: String,
}

/// What `/parler` shows.
#[derive(Debug)]
enum Stage {
    /// How to get here.
    Explain,
    /// Before joining.
    Preview(Box<Preview>),
    /// Nobody can answer now: the other ways.
    Nobody {
        text: String,
        token: Option<String>,
        organisation: Option<OrganisationId>,
        /// Her report can be sent from here (she reached the orientation).
        report: bool,
    },
    /// The conversation.
    Room(Box<RoomPage>),
    /// Over: why, and the other ways.
    Over {
        text: String,
        receipt: Option<String>,
    },
}

#[derive(Template)]
#[template(path = "live/page.html")]
struct Page<'a> {
    c: Chrome<'a>,
    stage: Stage,
    live_js: &'a str,
    /// The page is streamed: its scripts are in its body.
    streamed: bool,
}

#[derive(Template)]
#[template(path = "live/item.html")]
struct ItemView<'a> {
    c: &'a Chrome<'a>,
    item: &'a Item,
}

fn page(
    app: &LiveState,
    context: &PageContext,
    stage: Stage,
    status: StatusCode,
) -> Result<Response, AppError> {
    render_status(
        status,
        &Page {
            c: Chrome::new(app, context),
            stage,
            live_js: app.assets.url("js/live.js"),
            streamed: false,
        },
    )
}

async fn explain(
    State(app): State<LiveState>,
    page_context: PageContext,
) -> Result<Response, AppError> {
    page(&app, &page_context, Stage::Explain, StatusCode::OK)
}

/// The page of a conversation that is over or was never known here.
fn expired(lang: Lang) -> Stage {
    Stage::Over {
        text: lang.t("live-expired"),
        receipt: None,
    }
}

/// Her conversation's progress, if the token opens and it reached an
/// outcome (orientation, the national lines, the emergency numbers).
fn finished(app: &LiveState, token: &str) -> Option<(Arc<flow::Flow>, Progress)> {
    let (flow, progress, _) = app.conversation.open(token, now()).ok()?;
    let step = match flow::position(&flow, &progress).ok()? {
        Position::Ask(step) | Position::Reached(step) => step,
    };
    matches!(step.kind, StepKind::Outcome(_)).then_some((flow, progress))
}

/// Her answers as the report shows them.
fn her_report(
    app: &LiveState,
    flow: &flow::Flow,
    lang: Lang,
    progress: &Progress,
    organisation: &str,
) -> Report {
    report::build_with(
        &app.directory,
        flow,
        lang,
        progress,
        &Choices {
            id: &ReferralId::default(),
            organisation,
            urgent: false,
            contact: None,
        },
    )
}

/// The lines of a report as she reads them (her language's words).
fn shared_lines(lang: Lang, report: &Report) -> Vec<Shared> {
    let mut lines = Vec::new();
    if let Some(name) = &report.name {
        lines.push(Shared {
            question: lang.t("live-shared-name"),
            answer: name.clone(),
        });
    }
    if let Some(commune) = &report.commune {
        lines.push(Shared {
            question: lang.t("live-shared-commune"),
            answer: commune.clone(),
        });
    }
    if !report.needs.is_empty() {
        lines.push(Shared {
            question: lang.t("send-preview-needs"),
            answer: report.needs.join(", "),
        });
    }
    for line in report.answers.iter().chain(&report.contact) {
        lines.push(Shared {
            question: line
                .question_original
                .clone()
                .unwrap_or_else(|| line.question.clone()),
            answer: line
                .answer_original
                .clone()
                .unwrap_or_else(|| line.answer.clone()),
        });
    }
    lines
}

/// Whether she said it is urgent: the emergency numbers were shown.
fn urgent(flow: &flow::Flow, progress: &Progress) -> bool {
    flow::path(flow, progress)
        .iter()
        .any(|(step, _)| matches!(step.kind, StepKind::Outcome(flow::Outcome::Emergency)))
}

/// The channel of her contact answer.
fn channel(flow: &flow::Flow, progress: &Progress) -> Option<flow::Channel> {
    flow::path(flow, progress)
        .into_iter()
        .find_map(|(_, answer)| match answer {
            Answer::Contact(contact) => Some(contact.channel),
            _ => None,
        })
}

/// The offer of that organisation for her, if someone can answer now.
fn offer_for(
    app: &LiveState,
    territory: &str,
    needs: Option<Needs>,
    organisation: &OrganisationId,
) -> Option<crate::conversation::LiveOffer> {
    Offers {
        live: Arc::clone(&app.live),
        directory: Arc::clone(&app.directory),
    }
    .outlook(territory, needs)
    .offers
    .into_iter()
    .find(|o| o.organisation == *organisation)
}

/// Why she cannot join now, in words.
fn nobody(
    app: &LiveState,
    lang: Lang,
    token: Option<String>,
    organisation: Option<OrganisationId>,
) -> Stage {
    let organisation = organisation.filter(|id| app.referrals.receiving().contains(id));
    // A report is sent from the orientation only; a callback from any outcome.
    let report = token.as_deref().and_then(|t| finished(app, t)).is_some_and(|(flow, progress)| {
        matches!(
            flow::position(&flow, &progress),
            Ok(Position::Reached(step)) if matches!(step.kind, StepKind::Outcome(flow::Outcome::Orientation))
        )
    });
    Stage::Nobody {
        text: lang.t("live-nobody"),
        token,
        organisation,
        report,
    }
}

/// Joins her to an organisation's queue: checked, stored, told to every
/// instance. Her handle, or the stage that says why not.
async fn join(
    app: &LiveState,
    (lang, entry): (Lang, Option<&str>),
    client: Client,
    token: &str,
    organisation: &OrganisationId,
    share: bool,
) -> Result<Result<Handle, Stage>, AppError> {
    let Some((flow, progress)) = finished(app, token) else {
        return Ok(Err(expired(lang)));
    };
    let (territory, needs) = territory_and_needs(&app.directory, &flow, &progress, entry);
    let Some(territory) = territory else {
        return Ok(Err(nobody(app, lang, Some(token.to_owned()), None)));
    };
    let Some(offer) = offer_for(app, &territory, needs, organisation) else {
        return Ok(Err(nobody(
            app,
            lang,
            Some(token.to_owned()),
            Some(organisation.clone()),
        )));
    };
    let full = app.live.queue_max > 0 && app.live.queue_length(organisation) >= app.live.queue_max;
    if full || !app.live.joins.take(client, Instant::now()) {
        return Ok(Err(nobody(
            app,
            lang,
            Some(token.to_owned()),
            Some(organisation.clone()),
        )));
    }
    let handle = Handle::new();
    let id = handle.id();
    let urgent = urgent(&flow, &progress);
    let now = now();
    storage::join(
        &app.db,
        &NewSession {
            id: &id,
            organisation,
            territory: &territory,
            language: lang.code(),
            urgent,
            now,
        },
    )
    .await?;
    let report = share.then(|| her_report(app, &flow, lang, &progress, &offer.name));
    app.live
        .publish(Event::Joined {
            s: id,
            room: Box::new(Joining {
                organisation: organisation.clone(),
                organisation_name: offer.name,
                territory: territory.clone(),
                language: lang.code().to_owned(),
                urgent,
                joined_at: now,
                report,
                channel: share.then(|| channel(&flow, &progress)).flatten(),
                token: token.to_owned(),
            }),
        })
        .await;
    app.count(&territory, counted::JOINED).await;
    Ok(Ok(handle))
}

/// Where the conversation stands, in words.
fn status_words(app: &LiveState, lang: Lang, view: &RoomView) -> String {
    match &view.stage {
        RoomStage::Waiting => {
            let snapshot = app.live.snapshot();
            let organisation = &view.joining.organisation;
            let minutes = crate::live::offer::wait_minutes(
                view.position,
                snapshot.counted.get(organisation).copied().unwrap_or(1),
                snapshot.lengths.get(organisation).copied(),
            );
            format!(
                "{} {}",
                lang.t("live-waiting"),
                live_wait(lang, view.position, minutes)
            )
        }
        RoomStage::Talking(_) => lang.t_with(
            "live-talking",
            &[(
                "organisation",
                FluentValue::from(view.joining.organisation_name.as_str()),
            )],
        ),
        RoomStage::Ended(by) => ended_words(lang, *by),
    }
}

/// Why it ended, in words.
fn ended_words(lang: Lang, by: Ended) -> String {
    lang.t(match by {
        Ended::Person => msg("live-ended-person"),
        Ended::Professional => msg("live-ended-professional"),
        Ended::PersonSilent => msg("live-ended-silent"),
        Ended::ProfessionalSilent => msg("live-ended-lost"),
        Ended::Nobody => msg("live-ended-nobody"),
        Ended::Kept => msg("live-ended-kept"),
    })
}

fn proposal_words(lang: Lang, keep: Keep, organisation: &str) -> String {
    lang.t_with(
        match keep {
            Keep::Callback => msg("live-proposal-callback"),
            Keep::Referral => msg("live-proposal-referral"),
        },
        &[("organisation", FluentValue::from(organisation))],
    )
}

/// What a page or socket has shown already, to show only what is new.
#[derive(Debug, Default)]
struct Shown {
    messages: HashMap<(bool, String), bool>,
    status: String,
    proposal: Option<Keep>,
    ended: bool,
}

impl Shown {
    /// What changed since the last look, as items; the professional's
    /// messages seen for the first time are returned to acknowledge.
    fn news(
        &mut self,
        app: &LiveState,
        lang: Lang,
        view: &RoomView,
        handle: &str,
    ) -> (Vec<Item>, Vec<String>) {
        let mut items = Vec::new();
        let mut seen = Vec::new();
        for message in &view.messages {
            let mine = message.from == Author::Person;
            let key = (mine, message.id.clone());
            if !self.messages.contains_key(&key) {
                items.push(Item::Said {
                    mine,
                    text: message.text.clone(),
                    at: clock(message.at),
                    delivered: message.delivered,
                });
                if !mine {
                    seen.push(message.id.clone());
                }
            }
            self.messages.insert(key, message.delivered);
        }
        let mut status = status_words(app, lang, view);
        let mine: Vec<_> = view
            .messages
            .iter()
            .filter(|m| m.from == Author::Person)
            .collect();
        if matches!(view.stage, RoomStage::Talking(_)) && mine.last().is_some_and(|m| m.delivered) {
            status = format!("{status} {}", lang.t("live-delivered"));
        }
        let ended = matches!(view.stage, RoomStage::Ended(_));
        if status != self.status && !ended {
            items.push(Item::Status(status.clone()));
        }
        self.status = status;
        if view.proposal != self.proposal {
            if let Some(keep) = view.proposal {
                items.push(Item::Proposal {
                    text: proposal_words(lang, keep, &view.joining.organisation_name),
                    handle: handle.to_owned(),
                });
            }
            self.proposal = view.proposal;
        }
        if ended && !self.ended {
            if let RoomStage::Ended(by) = view.stage {
                let callback = matches!(by, Ended::Nobody | Ended::ProfessionalSilent)
                    && app
                        .referrals
                        .receiving()
                        .contains(&view.joining.organisation);
                items.push(Item::Ended {
                    text: ended_words(lang, by),
                    callback: callback.then(|| {
                        (
                            view.joining.token.clone(),
                            view.joining.organisation.clone(),
                        )
                    }),
                });
            }
            self.ended = true;
        }
        (items, seen)
    }
}

/// Says the professional's messages reached her page.
async fn acknowledge(app: &LiveState, id: &LiveId, ids: Vec<String>) {
    if !ids.is_empty() {
        app.live
            .publish(Event::Delivered {
                s: id.clone(),
                from: Author::Professional,
                ids,
            })
            .await;
    }
}

/// The page of her conversation, streamed as it goes on.
async fn room(
    app: &LiveState,
    context: &PageContext,
    handle: &Handle,
    error: Option<String>,
    typed: String,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let id = handle.id();
    let Some(view) = app.live.view(&id) else {
        return page(app, context, expired(lang), StatusCode::OK);
    };
    let mut shown = Shown::default();
    let (items, seen) = shown.news(app, lang, &view, handle.as_str());
    acknowledge(app, &id, seen).await;
    let ended = shown.ended;
    let c = Chrome::new(app, context);
    let html = Page {
        stage: Stage::Room(Box::new(RoomPage {
            handle: handle.as_str().to_owned(),
            message_id: fresh_id(),
            organisation: view.joining.organisation_name.clone(),
            items,
            error,
            typed,
        })),
        live_js: app.assets.url("js/live.js"),
        streamed: !ended,
        c,
    }
    .render()?;
    if ended {
        return Ok(axum::response::Html(html).into_response());
    }
    let (head, tail) = html
        .split_once(STREAM_MARK)
        .map(|(head, tail)| (head.to_owned(), tail.to_owned()))
        .unwrap_or_else(|| (html.clone(), String::new()));
    let (sender, receiver) = mpsc::channel::<Bytes>(8);
    let app = app.clone();
    let context = context.clone();
    let handle = handle.clone();
    tokio::spawn(async move {
        if sender.send(Bytes::from(head)).await.is_err() {
            return;
        }
        stream_room(&app, &context, &handle, shown, &sender).await;
        let _ = sender.send(Bytes::from(tail)).await;
    });
    let mut response = Response::new(Body::new(ChannelBody(receiver)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response.extensions_mut().insert(Streamed);
    Ok(response)
}

/// Streams into her page what happens, until the conversation ends, she
/// leaves the page, or the instance stops.
async fn stream_room(
    app: &LiveState,
    context: &PageContext,
    handle: &Handle,
    mut shown: Shown,
    sender: &mpsc::Sender<Bytes>,
) {
    let id = handle.id();
    let lang = context.lang;
    let _presence = app.live.person_connected(&id);
    let Some(mut changes) = app.live.watch_room(&id) else {
        return;
    };
    let Some(view) = app.live.view(&id) else {
        return;
    };
    let mut queue = app.live.watch_place(&view.joining.organisation);
    let mut closing = app.live.closing();
    let c = Chrome::new(app, context);
    loop {
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { break },
            _ = queue.changed() => {}
            () = tokio::time::sleep(KEEP_ALIVE) => {
                if sender.send(Bytes::from_static(b"<!-- -->\n")).await.is_err() {
                    return;
                }
                continue;
            }
            _ = closing.changed() => break,
            // Her page was left: the body is gone.
            () = sender.closed() => return,
        }
        let Some(view) = app.live.view(&id) else {
            break;
        };
        let (items, seen) = shown.news(app, lang, &view, handle.as_str());
        acknowledge(app, &id, seen).await;
        let mut chunk = String::new();
        for item in &items {
            match (ItemView { c: &c, item }).render() {
                Ok(html) => chunk.push_str(&html),
                Err(error) => tracing::warn!(%error, "live help: an item could not be rendered"),
            }
        }
        if !chunk.is_empty() && sender.send(Bytes::from(chunk)).await.is_err() {
            return;
        }
        if shown.ended {
            break;
        }
    }
}

/// A body fed by a channel: the page's chunks as they come.
struct ChannelBody(mpsc::Receiver<Bytes>);

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|bytes| Ok(http_body::Frame::data(bytes))))
    }
}

/// Whether a handle names a conversation this instance knows.
fn known(app: &LiveState, fields: &Fields) -> Option<Handle> {
    Handle::parse(fields.value("h")).filter(|h| app.live.view(&h.id()).is_some())
}

async fn talk(
    State(app): State<LiveState>,
    context: PageContext,
    RequestClient(client): RequestClient,
    body: Bytes,
) -> Result<Response, AppError> {
    let posted = TALK.read(&body);
    let too_long = posted.too_long().is_some_and(|(field, _)| field == "texte");
    if posted.is_forged() || (posted.too_long().is_some() && !too_long) {
        return Err(AppError::BadRequest);
    }
    let fields = posted.fields;
    let lang = context.lang;
    let action = fields.value("action");
    if fields.get("h").is_some() {
        let Some(handle) = known(&app, &fields) else {
            return page(&app, &context, expired(lang), StatusCode::OK);
        };
        return in_room(&app, &context, &handle, action, &fields, too_long).await;
    }
    let token = fields.text("t");
    let organisation = OrganisationId::from(fields.value("organisation"));
    match action {
        "rejoindre" => match join(
            &app,
            (lang, context.territory.as_deref()),
            client,
            &token,
            &organisation,
            fields.value("partage") == "oui",
        )
        .await?
        {
            Ok(handle) => room(&app, &context, &handle, None, String::new()).await,
            Err(stage) => page(&app, &context, stage, StatusCode::OK),
        },
        _ => {
            let Some((flow, progress)) = finished(&app, &token) else {
                return page(&app, &context, expired(lang), StatusCode::OK);
            };
            let (territory, needs) = territory_and_needs(
                &app.directory,
                &flow,
                &progress,
                context.territory.as_deref(),
            );
            let offer = territory
                .as_deref()
                .and_then(|t| offer_for(&app, t, needs, &organisation));
            let Some(offer) = offer else {
                let stage = nobody(&app, lang, Some(token), Some(organisation));
                return page(&app, &context, stage, StatusCode::OK);
            };
            let report = her_report(&app, &flow, lang, &progress, &offer.name);
            let stage = Stage::Preview(Box::new(Preview {
                token,
                organisation_id: organisation,
                organisation: offer.name,
                wait: live_wait(lang, offer.position, offer.wait_minutes),
                lines: shared_lines(lang, &report),
                free_text: report.free_text,
            }));
            page(&app, &context, stage, StatusCode::OK)
        }
    }
}

/// What she does in her conversation: write, leave, answer a proposal,
/// or only look.
async fn in_room(
    app: &LiveState,
    context: &PageContext,
    handle: &Handle,
    action: &str,
    fields: &Fields,
    too_long: bool,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let id = handle.id();
    match action {
        "envoyer" => {
            if too_long {
                let error =
                    lang.t_with("form-too-long", &[("max", FluentValue::from(MESSAGE_MAX))]);
                return room(app, context, handle, Some(error), fields.text("texte")).await;
            }
            let message = fields.value("m");
            match message_text(fields.value("texte")) {
                Some(text) if valid_message_id(message) => {
                    app.say(&id, message, Author::Person, text).await;
                }
                Some(_) => return Err(AppError::BadRequest),
                None if fields.value("texte").trim().is_empty() => {}
                None => {
                    let error =
                        lang.t_with("form-too-long", &[("max", FluentValue::from(MESSAGE_MAX))]);
                    return room(app, context, handle, Some(error), fields.text("texte")).await;
                }
            }
            room(app, context, handle, None, String::new()).await
        }
        "quitter" => {
            app.end(&id, Ended::Person).await?;
            page(
                app,
                context,
                Stage::Over {
                    text: lang.t("live-you-left"),
                    receipt: None,
                },
                StatusCode::OK,
            )
        }
        "oui" | "non" => match consent(app, &id, action == "oui", lang).await? {
            Some(receipt) => page(
                app,
                context,
                Stage::Over {
                    text: lang.t("live-ended-kept"),
                    receipt: Some(receipt),
                },
                StatusCode::OK,
            ),
            None => room(app, context, handle, None, String::new()).await,
        },
        _ => room(app, context, handle, None, String::new()).await,
    }
}

/// Her answer to a proposal to keep the conversation: with her yes it is
/// sealed into a referral and ends; her receipt.
async fn consent(
    app: &LiveState,
    id: &LiveId,
    yes: bool,
    lang: Lang,
) -> Result<Option<String>, AppError> {
    let Some(view) = app.live.view(id) else {
        return Ok(None);
    };
    let Some(proposed) = view.proposal else {
        return Ok(None);
    };
    if !yes {
        app.live
            .publish(Event::Answered {
                s: id.clone(),
                yes: false,
            })
            .await;
        return Ok(None);
    }
    match keep::keep(app, id, &view, proposed, lang).await {
        Ok(receipt) => {
            app.live
                .publish(Event::Answered {
                    s: id.clone(),
                    yes: true,
                })
                .await;
            app.end(id, Ended::Kept).await?;
            Ok(Some(receipt.grouped()))
        }
        Err(crate::referral::SendError::Database(error)) => Err(AppError::Database(error)),
        Err(crate::referral::SendError::NoRecipient) => {
            app.live
                .publish(Event::Answered {
                    s: id.clone(),
                    yes: false,
                })
                .await;
            Ok(None)
        }
    }
}

async fn beacon(State(app): State<LiveState>, body: Bytes) -> Result<Response, AppError> {
    let fields = BEACON
        .read(&body)
        .into_result()
        .map_err(|_| AppError::BadRequest)?;
    if let Some(handle) = Handle::parse(fields.value("h")) {
        app.end(&handle.id(), Ended::Person).await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ------------------------------------------------------------ WebSocket

/// A frame from her page.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum FromPerson {
    Join {
        t: String,
        organisation: String,
        share: bool,
    },
    Resume {
        h: String,
    },
    Send {
        id: String,
        text: String,
    },
    Seen {
        ids: Vec<String>,
    },
    Consent {
        answer: bool,
    },
    Leave,
    Ping,
}

/// A frame to her page.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ToPerson {
    Joined {
        h: String,
    },
    State {
        text: String,
        talking: bool,
    },
    Message {
        id: String,
        mine: bool,
        text: String,
        at: String,
    },
    Delivered {
        ids: Vec<String>,
    },
    Proposal {
        text: String,
    },
    Receipt {
        code: String,
    },
    Ended {
        text: String,
        /// The page may offer the callback: nobody could answer.
        callback: bool,
    },
}

/// The read and write buffers of a socket (the library's default is
/// 128 KiB each: 2.5 GB for 10,000 people waiting).
pub const SOCKET_BUFFER: usize = 4 * 1024;
/// Largest frame accepted.
const FRAME_MAX: usize = 16 * 1024;
/// Frames one socket may send in [`FRAMES_WINDOW`].
const FRAMES_PER_WINDOW: u32 = 40;
const FRAMES_WINDOW: Duration = Duration::from_secs(10);

async fn socket(
    State(app): State<LiveState>,
    context: PageContext,
    RequestClient(client): RequestClient,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !crate::backoffice::session::same_site_socket(&app.settings, &headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let lang = context.lang;
    let entry = context.territory;
    upgrade
        .max_message_size(FRAME_MAX)
        .max_frame_size(FRAME_MAX)
        // Frames are small; thousands of people wait at once.
        .read_buffer_size(SOCKET_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        .on_upgrade(move |socket| person_socket(app, (lang, entry), client, socket))
}

/// Sends a frame; whether the socket is still there.
async fn send(socket: &mut WebSocket, frame: &ToPerson) -> bool {
    let text = serde_json::to_string(frame).expect("a frame serialises");
    socket.send(Frame::Text(text.into())).await.is_ok()
}

/// Reads the next text frame, within a delay.
async fn first_frame(socket: &mut WebSocket) -> Option<FromPerson> {
    let frame = tokio::time::timeout(Duration::from_secs(15), socket.recv())
        .await
        .ok()??
        .ok()?;
    match frame {
        Frame::Text(text) => serde_json::from_str(&text).ok(),
        _ => None,
    }
}

async fn person_socket(
    app: LiveState,
    (lang, entry): (Lang, Option<String>),
    client: Client,
    mut socket: WebSocket,
) {
    let handle = match first_frame(&mut socket).await {
        Some(FromPerson::Join {
            t,
            organisation,
            share,
        }) => {
            if t.len() > MAX_TOKEN_LEN || organisation.len() > 64 {
                return;
            }
            match join(
                &app,
                (lang, entry.as_deref()),
                client,
                &t,
                &OrganisationId::from(organisation),
                share,
            )
            .await
            {
                Ok(Ok(handle)) => handle,
                Ok(Err(_)) | Err(_) => {
                    let _ = send(
                        &mut socket,
                        &ToPerson::Ended {
                            text: lang.t("live-nobody"),
                            callback: false,
                        },
                    )
                    .await;
                    return;
                }
            }
        }
        Some(FromPerson::Resume { h }) => match Handle::parse(&h) {
            Some(handle) if app.live.view(&handle.id()).is_some() => handle,
            _ => {
                let _ = send(
                    &mut socket,
                    &ToPerson::Ended {
                        text: lang.t("live-expired"),
                        callback: false,
                    },
                )
                .await;
                return;
            }
        },
        _ => return,
    };
    if !send(
        &mut socket,
        &ToPerson::Joined {
            h: handle.as_str().to_owned(),
        },
    )
    .await
    {
        return;
    }
    let id = handle.id();
    let _presence = app.live.person_connected(&id);
    let (Some(mut changes), Some(view)) = (app.live.watch_room(&id), app.live.view(&id)) else {
        return;
    };
    let mut queue = app.live.watch_place(&view.joining.organisation);
    let mut closing = app.live.closing();
    let mut shown = Shown::default();
    let mut delivered: HashMap<String, bool> = HashMap::new();
    let mut window = (Instant::now(), 0u32);
    // The first look shows everything.
    changes.mark_changed();
    loop {
        tokio::select! {
            frame = socket.recv() => {
                let Some(Ok(frame)) = frame else { return };
                if window.0.elapsed() > FRAMES_WINDOW {
                    window = (Instant::now(), 0);
                }
                window.1 += 1;
                if window.1 > FRAMES_PER_WINDOW {
                    return;
                }
                let Frame::Text(text) = frame else { continue };
                match serde_json::from_str::<FromPerson>(&text) {
                    Ok(FromPerson::Send { id: message, text }) => {
                        if let Some(text) = message_text(&text).filter(|_| valid_message_id(&message)) {
                            app.say(&id, &message, Author::Person, text).await;
                        }
                    }
                    Ok(FromPerson::Seen { ids }) => {
                        let ids: Vec<String> = ids.into_iter().filter(|i| valid_message_id(i)).take(100).collect();
                        acknowledge(&app, &id, ids).await;
                    }
                    Ok(FromPerson::Leave) => {
                        let _ = app.end(&id, Ended::Person).await;
                    }
                    Ok(FromPerson::Consent { answer }) => {
                        if let Ok(Some(code)) = consent(&app, &id, answer, lang).await {
                            let _ = send(&mut socket, &ToPerson::Receipt { code }).await;
                        }
                    }
                    Ok(FromPerson::Ping | FromPerson::Join { .. } | FromPerson::Resume { .. }) => {}
                    Err(_) => return,
                }
                continue;
            }
            changed = changes.changed() => if changed.is_err() { return },
            _ = queue.changed() => {}
            _ = closing.changed() => return,
        }
        let Some(view) = app.live.view(&id) else {
            return;
        };
        // The socket's client acknowledges what it shows: not `news`' list.
        let (items, _) = shown.news(&app, lang, &view, handle.as_str());
        let mut frames = Vec::new();
        for item in items {
            frames.push(match item {
                Item::Status(text) => ToPerson::State {
                    text,
                    talking: matches!(view.stage, RoomStage::Talking(_)),
                },
                Item::Said { .. } => continue,
                Item::Proposal { text, .. } => ToPerson::Proposal { text },
                Item::Ended { text, callback } => ToPerson::Ended {
                    text,
                    callback: callback.is_some(),
                },
            });
        }
        // Messages carry their ids, which the items do not.
        let mut messages = Vec::new();
        let mut newly_delivered = Vec::new();
        for message in &view.messages {
            let mine = message.from == Author::Person;
            match delivered.get(&message.id) {
                None => {
                    messages.push(ToPerson::Message {
                        id: message.id.clone(),
                        mine,
                        text: message.text.clone(),
                        at: clock(message.at),
                    });
                    if mine && message.delivered {
                        newly_delivered.push(message.id.clone());
                    }
                }
                Some(false) if mine && message.delivered => {
                    newly_delivered.push(message.id.clone());
                }
                _ => {}
            }
            delivered.insert(message.id.clone(), message.delivered);
        }
        if !newly_delivered.is_empty() {
            messages.push(ToPerson::Delivered {
                ids: newly_delivered,
            });
        }
        let ended = frames.iter().any(|f| matches!(f, ToPerson::Ended { .. }));
        for frame in messages.iter().chain(&frames) {
            if !send(&mut socket, frame).await {
                return;
            }
        }
        if ended {
            return;
        }
    }
}
