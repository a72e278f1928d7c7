//! The professional's console, `/pro/permanence`: on duty or not, who
//! waits (place, waiting time, urgency, language: nothing else), the
//! conversation with her shared answers beside it. Every action is a form
//! (keyboard only, no script needed); `static/js/console.js` keeps the
//! page current through `/pro/permanence/ws`, sends messages without
//! reloading, and changes the title and plays a tone when someone arrives.
//! Without JavaScript the page refreshes itself every few seconds.
//!
//! Each handler checks the actor's right and the object's state itself:
//! a professional of the organisation, on duty to take someone, the
//! professional the conversation was given to for everything else.

use std::time::{Duration, Instant};

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::{Message as Frame, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::backoffice::session::Pro;
use crate::backoffice::storage::{AuditAction, Role, audit};
use crate::backoffice::{Base, CSRF, Screens, csrf, read};
use crate::directory::live_hours::LiveOrganisation;
use crate::live::offer::live_organisation;
use crate::live::{
    Author, Ended, Event, Keep, LiveState, MESSAGE_ID_MAX, MESSAGE_MAX, RoomView, Stage, clock,
    counted, fresh_id, message_text, now, storage, valid_message_id,
};
use crate::storage::{LiveId, OrganisationId};
use crate::web::error::AppError;
use crate::web::form::{Field, Spec};
use crate::web::render;

/// The console's screens.
pub fn screens(screens: Screens<LiveState>) -> Screens<LiveState> {
    screens
        .get("/pro/permanence", console)
        .post("/pro/permanence/service", &DUTY, duty)
        .post("/pro/permanence/prendre", &TAKE, take)
        .post("/pro/permanence/message", &WRITE, write)
        .post("/pro/permanence/fin", &FINISH, finish)
        .get("/pro/permanence/ws", socket)
}

/// "Je prends la permanence" / "Je termine".
pub static DUTY: Spec = Spec::new(&[CSRF, Field::one("action", 16)]);
/// "Prendre la personne suivante".
pub static TAKE: Spec = Spec::new(&[CSRF]);
/// A message.
pub static WRITE: Spec = Spec::new(&[
    CSRF,
    Field::one("m", MESSAGE_ID_MAX),
    Field::one("texte", MESSAGE_MAX * 4),
]);
/// End, "à rappeler", or propose a referral.
pub static FINISH: Spec = Spec::new(&[CSRF, Field::one("action", 16)]);

/// Someone waiting, as the console shows her.
#[derive(Debug)]
struct WaitingView {
    position: usize,
    minutes: i64,
    urgent: bool,
    language: &'static str,
}

/// A message, as the console shows it.
#[derive(Debug)]
struct MessageView {
    mine: bool,
    at: String,
    text: String,
    delivered: bool,
}

/// The conversation in progress.
#[derive(Debug)]
struct TalkView {
    shared: Option<crate::referral::report::Report>,
    messages: Vec<MessageView>,
    language: &'static str,
    urgent: bool,
    proposal: Option<&'static str>,
    answer: Option<&'static str>,
    ended: Option<&'static str>,
    message_id: String,
    /// Whether the organisation can receive a kept conversation: at least
    /// one member has a key. Without one, nothing can be sealed for it,
    /// so "À rappeler" and "En faire une demande suivie" are not offered.
    keepable: bool,
}

#[derive(Template)]
#[template(path = "live/console.html")]
struct ConsolePage {
    b: Base,
    organisation: Option<String>,
    /// Why there is no live help for this account, if there is none.
    unavailable: Option<String>,
    live_hours: String,
    open_now: bool,
    on_duty: bool,
    waiting: Vec<WaitingView>,
    /// How many wait after those listed.
    more: usize,
    talk: Option<TalkView>,
    console_js: String,
}

impl ConsolePage {
    /// In a conversation that has not ended: nobody else to take.
    fn busy(&self) -> bool {
        self.talk.as_ref().is_some_and(|t| t.ended.is_none())
    }
}

#[derive(Template)]
#[template(path = "live/queue.html")]
struct QueueFragment {
    on_duty: bool,
    busy: bool,
    csrf: String,
    waiting: Vec<WaitingView>,
    more: usize,
}

/// The language's name in French.
fn language_name(code: &str) -> &'static str {
    match code {
        "en" => "anglais",
        "ar" => "arabe",
        _ => "français",
    }
}

/// The account's organisation offering live help, or why there is none.
fn organisation(app: &LiveState, pro: &Pro) -> Result<LiveOrganisation, String> {
    let Some(id) = pro
        .user
        .organisation_id
        .as_ref()
        .filter(|_| pro.user.role == Role::Professional)
    else {
        return Err(
            "La permanence est tenue par les professionnels d'une structure : ce compte n'est rattaché à aucune structure."
                .to_owned(),
        );
    };
    live_organisation(&app.directory.index(), id, jiff::Timestamp::now()).ok_or_else(|| {
        "Votre structure ne propose pas l'aide en direct. Elle peut l'ouvrir, avec ses horaires, sur sa fiche de l'annuaire."
            .to_owned()
    })
}

/// The territory of an organisation, for the audit log and the counts.
async fn territory_of(
    app: &LiveState,
    organisation: &OrganisationId,
) -> Result<Option<String>, AppError> {
    Ok(
        crate::directory::storage::organisation(&app.db, organisation)
            .await?
            .map(|(o, _)| o.territory),
    )
}

/// How many of those waiting the console lists; the others are counted.
/// A professional takes the first, and a long list drawn for every console
/// every second would cost more than it tells.
const QUEUE_SHOWN: usize = 20;

/// The first of those waiting, as the console lists them, and how many
/// more wait after them.
fn waiting_views(app: &LiveState, organisation: &OrganisationId) -> (Vec<WaitingView>, usize) {
    let now = now();
    let (first, total) = app.live.waiting(organisation, QUEUE_SHOWN);
    let views: Vec<WaitingView> = first
        .into_iter()
        .enumerate()
        .map(|(i, (_, joining))| WaitingView {
            position: i + 1,
            minutes: (now - joining.joined_at).max(0) / 60,
            urgent: joining.urgent,
            language: language_name(&joining.language),
        })
        .collect();
    let more = total.saturating_sub(views.len());
    (views, more)
}

fn ended_words(by: Ended) -> &'static str {
    match by {
        Ended::Person | Ended::PersonSilent => {
            "La personne a quitté la conversation. Ne la rappelez pas sauf si elle l'a demandé."
        }
        Ended::Professional => "Vous avez terminé la conversation.",
        Ended::ProfessionalSilent => {
            "Votre console est restée silencieuse : la conversation s'est arrêtée. La personne a été prévenue."
        }
        Ended::Nobody => "La conversation s'est arrêtée.",
        Ended::Kept => {
            "Elle a accepté : la conversation est gardée dans les demandes de votre structure."
        }
    }
}

fn talk_view(view: &RoomView) -> TalkView {
    TalkView {
        shared: view.joining.report.clone(),
        messages: view
            .messages
            .iter()
            .map(|m| MessageView {
                mine: m.from == Author::Professional,
                at: clock(m.at),
                text: m.text.clone(),
                delivered: m.delivered,
            })
            .collect(),
        language: language_name(&view.joining.language),
        urgent: view.joining.urgent,
        proposal: view.proposal.map(|keep| match keep {
            Keep::Callback => "Vous avez proposé de la rappeler : elle répond.",
            Keep::Referral => "Vous avez proposé d'en faire une demande suivie : elle répond.",
        }),
        answer: match view.answer {
            Some(false) => Some("Elle a répondu non : rien ne sera gardé."),
            _ => None,
        },
        ended: match view.stage {
            Stage::Ended(by) => Some(ended_words(by)),
            _ => None,
        },
        message_id: fresh_id(),
        keepable: false,
    }
}

/// Whether a conversation can be kept for this organisation: a sealed
/// referral needs at least one member with a key.
async fn keepable(app: &LiveState, organisation: &OrganisationId) -> Result<bool, AppError> {
    Ok(!crate::referral::storage::members(&app.db, organisation)
        .await?
        .is_empty())
}

/// The conversation this professional has, or had a moment ago.
fn current(app: &LiveState, pro: &Pro) -> Option<(LiveId, RoomView)> {
    let id = app
        .live
        .talking_with(&pro.user.id)
        .or_else(|| app.live.last_of(&pro.user.id))?;
    let view = app.live.view(&id)?;
    Some((id, view))
}

async fn console(State(app): State<LiveState>, pro: Pro) -> Result<Response, AppError> {
    let b = Base::of(&app, &pro);
    let console_js = app.assets.url("js/console.js").to_owned();
    let page = match organisation(&app, &pro) {
        Err(why) => ConsolePage {
            b,
            organisation: None,
            unavailable: Some(why),
            live_hours: String::new(),
            open_now: false,
            on_duty: false,
            waiting: Vec::new(),
            more: 0,
            talk: None,
            console_js,
        },
        Ok(organisation) => {
            let duty = storage::duty(&app.db, &pro.user.id).await?;
            let on_duty = duty.is_some_and(|d| d.organisation_id == organisation.id);
            if on_duty {
                // Opening the console is a sign of it.
                storage::touch_consoles(&app.db, std::slice::from_ref(&pro.user.id), now()).await?;
            }
            let hours = crate::directory::storage::organisation(&app.db, &organisation.id)
                .await?
                .map(|(o, _)| o.live_hours)
                .unwrap_or_default();
            let (waiting, more) = waiting_views(&app, &organisation.id);
            let talk = match current(&app, &pro) {
                Some((_, view)) => Some(TalkView {
                    keepable: keepable(&app, &organisation.id).await?,
                    ..talk_view(&view)
                }),
                None => None,
            };
            ConsolePage {
                b,
                unavailable: None,
                live_hours: hours,
                open_now: organisation.open,
                on_duty,
                waiting,
                more,
                talk,
                organisation: Some(organisation.name),
                console_js,
            }
        }
    };
    Ok(render(&page)?.into_response())
}

async fn duty(State(app): State<LiveState>, pro: Pro, body: Bytes) -> Result<Response, AppError> {
    let fields = read(&DUTY, &body)?
        .into_result()
        .map_err(|_| AppError::BadRequest)?;
    csrf(&fields, &pro)?;
    let organisation = organisation(&app, &pro).map_err(|_| AppError::Forbidden)?;
    let territory = territory_of(&app, &organisation.id).await?;
    let mut tx = app.db.begin().await?;
    match fields.value("action") {
        "commencer" => {
            storage::start_duty(&mut tx, &pro.user.id, &organisation.id, now()).await?;
            audit(
                &mut tx,
                &pro.user.email,
                territory.as_deref(),
                AuditAction::DutyStarted,
                &organisation.id,
                "",
            )
            .await?;
        }
        "terminer" => {
            if storage::end_duty(&mut tx, &pro.user.id).await? {
                audit(
                    &mut tx,
                    &pro.user.email,
                    territory.as_deref(),
                    AuditAction::DutyEnded,
                    &organisation.id,
                    "",
                )
                .await?;
            }
        }
        _ => return Err(AppError::BadRequest),
    }
    tx.commit().await?;
    if fields.value("action") == "terminer"
        && let Some(id) = app.live.talking_with(&pro.user.id)
    {
        app.end(&id, Ended::Professional).await?;
    }
    app.live.refresh(&app.db).await?;
    Ok(Redirect::to("/pro/permanence").into_response())
}

async fn take(State(app): State<LiveState>, pro: Pro, body: Bytes) -> Result<Response, AppError> {
    let fields = read(&TAKE, &body)?
        .into_result()
        .map_err(|_| AppError::BadRequest)?;
    csrf(&fields, &pro)?;
    let organisation = organisation(&app, &pro).map_err(|_| AppError::Forbidden)?;
    let on_duty = storage::duty(&app.db, &pro.user.id)
        .await?
        .is_some_and(|d| d.organisation_id == organisation.id);
    if !on_duty || app.live.talking_with(&pro.user.id).is_some() {
        // Taken only on duty, one conversation at a time.
        return Ok(Redirect::to("/pro/permanence").into_response());
    }
    let now = now();
    let territory = territory_of(&app, &organisation.id).await?;
    let mut tx = app.db.begin().await?;
    let taken = storage::take_next(&mut tx, &organisation.id, &pro.user.id, now).await?;
    if taken.is_some() {
        audit(
            &mut tx,
            &pro.user.email,
            territory.as_deref(),
            AuditAction::LiveAnswered,
            &organisation.id,
            "",
        )
        .await?;
    }
    tx.commit().await?;
    if let Some((id, joined_at)) = taken {
        app.live
            .publish(Event::Taken {
                s: id.clone(),
                by: pro.user.id.clone(),
            })
            .await;
        if let Some(territory) = &territory {
            app.count(territory, counted::ANSWERED).await;
            let waited = now - joined_at;
            if let Some((_, band)) = counted::WAIT.iter().find(|(limit, _)| waited < *limit) {
                app.count(territory, *band).await;
            }
        }
    }
    Ok(Redirect::to("/pro/permanence").into_response())
}

/// The conversation given to this professional, if it has not ended.
fn mine(app: &LiveState, pro: &Pro) -> Option<(LiveId, RoomView)> {
    let id = app.live.talking_with(&pro.user.id)?;
    app.live.view(&id).map(|view| (id, view))
}

async fn write(State(app): State<LiveState>, pro: Pro, body: Bytes) -> Result<Response, AppError> {
    let fields = read(&WRITE, &body)?.fields;
    csrf(&fields, &pro)?;
    organisation(&app, &pro).map_err(|_| AppError::Forbidden)?;
    if let Some((id, _)) = mine(&app, &pro)
        && valid_message_id(fields.value("m"))
        && let Some(text) = message_text(fields.value("texte"))
    {
        app.say(&id, fields.value("m"), Author::Professional, text)
            .await;
    }
    Ok(Redirect::to("/pro/permanence").into_response())
}

async fn finish(State(app): State<LiveState>, pro: Pro, body: Bytes) -> Result<Response, AppError> {
    let fields = read(&FINISH, &body)?
        .into_result()
        .map_err(|_| AppError::BadRequest)?;
    csrf(&fields, &pro)?;
    let organisation = organisation(&app, &pro).map_err(|_| AppError::Forbidden)?;
    let Some((id, _)) = mine(&app, &pro) else {
        return Ok(Redirect::to("/pro/permanence").into_response());
    };
    // Keeping needs a member's key: without one, her yes could seal
    // nothing, so the proposal is not made (the console says why).
    if matches!(fields.value("action"), "rappeler" | "demande")
        && !keepable(&app, &organisation.id).await?
    {
        return Ok(Redirect::to("/pro/permanence").into_response());
    }
    match fields.value("action") {
        "terminer" => {
            app.end(&id, Ended::Professional).await?;
        }
        "rappeler" => {
            app.live
                .publish(Event::Proposed {
                    s: id,
                    keep: Keep::Callback,
                })
                .await;
        }
        "demande" => {
            app.live
                .publish(Event::Proposed {
                    s: id,
                    keep: Keep::Referral,
                })
                .await;
        }
        _ => return Err(AppError::BadRequest),
    }
    Ok(Redirect::to("/pro/permanence").into_response())
}

// ------------------------------------------------------------ WebSocket

/// A frame from the console.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum FromConsole {
    Send { id: String, text: String },
    Seen { ids: Vec<String> },
    Ping,
}

/// A frame to the console.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ToConsole {
    /// The queue, drawn, and how many wait.
    Queue { html: String, waiting: usize },
    /// A message.
    Message {
        id: String,
        mine: bool,
        text: String,
        at: String,
    },
    /// The person's page has these messages.
    Delivered { ids: Vec<String> },
    /// The conversation changed in a way the page shows whole.
    Reload,
}

async fn socket(
    State(app): State<LiveState>,
    pro: Pro,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !crate::backoffice::session::same_site_socket(&app.settings, &headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Ok(organisation) = organisation(&app, &pro) else {
        return StatusCode::FORBIDDEN.into_response();
    };
    upgrade
        .max_message_size(16 * 1024)
        .read_buffer_size(crate::live::person::SOCKET_BUFFER)
        .write_buffer_size(crate::live::person::SOCKET_BUFFER)
        .on_upgrade(move |socket| console_socket(app, pro, organisation.id, socket))
}

async fn send(socket: &mut WebSocket, frame: &ToConsole) -> bool {
    let text = serde_json::to_string(frame).expect("a frame serialises");
    socket.send(Frame::Text(text.into())).await.is_ok()
}

/// How often a console's queue is drawn, at most.
const QUEUE_EVERY: Duration = Duration::from_secs(1);

async fn console_socket(
    app: LiveState,
    pro: Pro,
    organisation: OrganisationId,
    mut socket: WebSocket,
) {
    let _presence = app.live.console_connected(&pro.user.id);
    let mut queue = app.live.watch_queue(&organisation);
    let mut closing = app.live.closing();
    let mut room: Option<(LiveId, tokio::sync::watch::Receiver<u64>)> = None;
    let mut sent: std::collections::HashMap<String, bool> = std::collections::HashMap::new();
    let mut stage: Option<(Stage, Option<Keep>, Option<bool>)> = None;
    let mut window = (Instant::now(), 0u32);
    // The duty changes only by this professional's own forms, which load
    // the page (and open a new socket) again.
    let on_duty = matches!(storage::duty(&app.db, &pro.user.id).await, Ok(Some(_)));
    // The queue is drawn at most once a second: a busy queue would
    // otherwise be drawn by every console at every join.
    let mut drawn = tokio::time::Instant::now() - QUEUE_EVERY;
    let mut pending = false;
    queue.mark_changed();
    loop {
        let room_changed = async {
            match &mut room {
                Some((_, changes)) => changes.changed().await.is_ok(),
                None => std::future::pending().await,
            }
        };
        let mut queue_moved = false;
        tokio::select! {
            frame = socket.recv() => {
                let Some(Ok(frame)) = frame else { return };
                if window.0.elapsed() > Duration::from_secs(10) {
                    window = (Instant::now(), 0);
                }
                window.1 += 1;
                if window.1 > 60 {
                    return;
                }
                let Frame::Text(text) = frame else { continue };
                match serde_json::from_str::<FromConsole>(&text) {
                    Ok(FromConsole::Send { id, text }) => {
                        if let (Some((live, _)), Some(text)) = (mine(&app, &pro), message_text(&text))
                            && valid_message_id(&id)
                        {
                            app.say(&live, &id, Author::Professional, text).await;
                        }
                    }
                    Ok(FromConsole::Seen { ids }) => {
                        if let Some((live, _)) = mine(&app, &pro) {
                            let ids: Vec<String> = ids.into_iter().filter(|i| valid_message_id(i)).take(100).collect();
                            app.live.publish(Event::Delivered { s: live, from: Author::Person, ids }).await;
                        }
                    }
                    Ok(FromConsole::Ping) => {}
                    Err(_) => return,
                }
                continue;
            }
            alive = room_changed => if !alive { room = None },
            _ = queue.changed() => {
                if drawn.elapsed() < QUEUE_EVERY {
                    pending = true;
                    continue;
                }
                queue_moved = true;
            }
            () = tokio::time::sleep_until(drawn + QUEUE_EVERY), if pending => queue_moved = true,
            _ = closing.changed() => return,
        }
        if queue_moved {
            pending = false;
            drawn = tokio::time::Instant::now();
            let (waiting, more) = waiting_views(&app, &organisation);
            let count = waiting.len() + more;
            let html = QueueFragment {
                on_duty,
                busy: app.live.talking_with(&pro.user.id).is_some(),
                csrf: pro.csrf.clone(),
                waiting,
                more,
            }
            .render()
            .unwrap_or_default();
            if !send(
                &mut socket,
                &ToConsole::Queue {
                    html,
                    waiting: count,
                },
            )
            .await
            {
                return;
            }
            // A conversation given to this professional, on any instance.
            if let Some(id) = app.live.talking_with(&pro.user.id)
                && room.as_ref().is_none_or(|(current, _)| *current != id)
            {
                if let Some(mut changes) = app.live.watch_room(&id) {
                    changes.mark_changed();
                    room = Some((id, changes));
                }
                if stage.is_some() && !send(&mut socket, &ToConsole::Reload).await {
                    return;
                }
                sent.clear();
                stage = None;
            }
            continue;
        }
        let Some((id, _)) = &room else { continue };
        let Some(view) = app.live.view(id) else {
            continue;
        };
        let now = (view.stage.clone(), view.proposal, view.answer);
        if stage.as_ref().is_some_and(|before| *before != now)
            && !send(&mut socket, &ToConsole::Reload).await
        {
            return;
        }
        stage = Some(now);
        let mut delivered = Vec::new();
        for message in &view.messages {
            let mine = message.from == Author::Professional;
            match sent.get(&message.id) {
                None => {
                    let frame = ToConsole::Message {
                        id: message.id.clone(),
                        mine,
                        text: message.text.clone(),
                        at: clock(message.at),
                    };
                    if !send(&mut socket, &frame).await {
                        return;
                    }
                    if mine && message.delivered {
                        delivered.push(message.id.clone());
                    }
                }
                Some(false) if mine && message.delivered => delivered.push(message.id.clone()),
                _ => {}
            }
            sent.insert(message.id.clone(), message.delivered);
        }
        if !delivered.is_empty()
            && !send(&mut socket, &ToConsole::Delivered { ids: delivered }).await
        {
            return;
        }
    }
}
