//! A territory's own questionnaire in the back office: its coordinator
//! starts from the national flow (or uploads a flow file), edits it, sees
//! every problem with its line, reads it as an outline drawn here, answers
//! it in a preview that counts nothing, and publishes it as a new version
//! (who, when, and what changed, in the audit log). One click puts an
//! earlier version back, or the national flow. Conversations already
//! under way finish on the version they started with (`Conversation`
//! keeps it loaded). When the operator's national flow changed since her
//! version was adapted from it, the page says what changed.

use std::sync::{Arc, LazyLock};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use flow::{Flow, Outcome, Problem, Row, StepKind};

use crate::backoffice::session::Pro;
use crate::backoffice::storage::{self as accounts, AuditAction};
use crate::backoffice::{Base, CSRF, CSRF_ONLY, Screens, button, read, read_upload};
use crate::conversation::decide::{ANSWER, AnswerForm};
use crate::conversation::routes::{Context, Run, converse, start_page};
use crate::conversation::storage::{self, Version};
use crate::conversation::wording;
use crate::conversation::{ConversationState, NATIONAL_FLOW, parse_flow};
use crate::directory::office;
use crate::web::error::AppError;
use crate::web::form::{Field, Spec};
use crate::web::i18n::Lang;
use crate::web::layout::PageContext;
use crate::web::{render, render_status};

/// The questionnaire's screens.
pub fn screens(screens: Screens<ConversationState>) -> Screens<ConversationState> {
    screens
        .get("/pro/territoires/{t}/questionnaire", page)
        .query(&START)
        .post("/pro/territoires/{t}/questionnaire", &EDIT, edit)
        .upload(
            "/pro/territoires/{t}/questionnaire/fichier",
            &UPLOAD,
            upload,
        )
        .post_like(
            "/pro/territoires/{t}/questionnaire/versions/{n}",
            "/pro/territoires/{t}/questionnaire/versions/1",
            &CSRF_ONLY,
            put_back,
        )
        .post(
            "/pro/territoires/{t}/questionnaire/national",
            &CSRF_ONLY,
            use_national,
        )
        .get("/pro/territoires/{t}/questionnaire/textes", wording::page)
        .post(
            "/pro/territoires/{t}/questionnaire/textes",
            &wording::WORDING,
            wording::save,
        )
        .get("/pro/territoires/{t}/questionnaire/apercu", preview_start)
        .query(&PREVIEW_QUERY)
        .post(
            "/pro/territoires/{t}/questionnaire/apercu",
            &PREVIEW,
            preview_answer,
        )
}

/// The longest flow file, in bytes (the national flow is some 20 KB).
pub const SOURCE_MAX: usize = 100_000;

/// The editor's form.
pub static EDIT: Spec = Spec::new(&[
    CSRF,
    Field::one("action", 16),
    Field::one("source", SOURCE_MAX),
]);

/// The upload's fields besides the file.
pub static UPLOAD: Spec = Spec::new(&[CSRF, Field::one("fichier", crate::backoffice::BODY_LIMIT)]);

/// What the page's address may say: start the editor from the national
/// flow (`depart=national`) or from a version (`version=N`).
pub static START: Spec = Spec::new(&[Field::one("depart", 16), Field::one("version", 12)]);

/// The preview's language.
pub static PREVIEW_QUERY: Spec = Spec::new(&[Field::one("langue", 2)]);

/// The preview's form: the conversation's, with the session's token and
/// the language.
pub static PREVIEW: LazyLock<Spec> = LazyLock::new(|| {
    let mut fields = ANSWER.fields.to_vec();
    fields.push(CSRF);
    fields.push(Field::one("langue", 2));
    Spec::owned(fields)
});

/// A row of the outline, as the page draws it: nested lists.
#[derive(Debug)]
struct OutlineRow {
    /// How the step is reached from the one above ("réponse « Oui »").
    when: Option<String>,
    id: String,
    /// What it asks, in French.
    question: String,
    /// What kind of step, in words.
    kind: String,
    /// Drawn in full elsewhere: this row points there.
    seen: bool,
    /// The next row is one level deeper: open a list inside this item.
    opens: bool,
    /// Lists to close after this item.
    closes: usize,
}

#[derive(Template)]
#[template(path = "backoffice/flow.html")]
struct FlowPage {
    b: Base,
    slug: String,
    territory: String,
    /// "la version 3, publiée le … par …" or "le questionnaire national".
    in_use: String,
    /// The editor's text.
    source: String,
    /// Where the text comes from, in words.
    origin: String,
    /// What the check found, each with its line.
    problems: Vec<String>,
    /// The outline of the text, when it reads.
    outline: Vec<OutlineRow>,
    /// What publishing would change (against the version in use).
    changes: Vec<String>,
    /// What the operator changed in the national flow since the version in
    /// use was adapted from it.
    national_changes: Vec<String>,
    /// A message: saved, published.
    notice: Option<String>,
    versions: Vec<VersionLine>,
    /// Whether a version of its own is in use (the national flow can be
    /// put back).
    own: bool,
}

#[derive(Debug)]
struct VersionLine {
    number: i64,
    published_at: String,
    published_by: String,
    in_use: bool,
}

/// What the editor starts from.
enum Origin {
    Draft(storage::Draft),
    National,
    Version(Version),
}

/// The kind of a step, in words, for the outline.
fn kind_words(kind: &StepKind) -> &'static str {
    match kind {
        StepKind::Message => "message",
        StepKind::Choice(_) => "un choix",
        StepKind::Multiple(_) => "plusieurs choix",
        StepKind::Number { .. } => "un nombre",
        StepKind::Commune => "une commune",
        StepKind::Text { .. } => "un texte court",
        StepKind::LongText { .. } => "un texte",
        StepKind::Contact => "comment la joindre",
        StepKind::Summary => "récapitulatif",
        StepKind::Outcome(Outcome::Youth) => "fin : les services pour les jeunes",
        StepKind::Outcome(Outcome::Emergency) => "les numéros d'urgence, puis la suite",
        StepKind::Outcome(Outcome::Orientation) => "fin : les professionnels proches",
        StepKind::Outcome(Outcome::Leave) => "fin : les lignes nationales",
    }
}

/// The outline as nested lists.
fn outline_rows(rows: &[Row<'_>]) -> Vec<OutlineRow> {
    rows.iter()
        .enumerate()
        .map(|(at, row)| {
            let next = rows.get(at + 1).map_or(0, |r| r.depth);
            let mut question: String = row.step.question.fr().chars().take(160).collect();
            if row.step.question.fr().chars().count() > 160 {
                question.push('…');
            }
            OutlineRow {
                when: row.when.as_ref().map(ToString::to_string),
                id: row.step.id.clone(),
                question,
                kind: kind_words(&row.step.kind).to_owned(),
                seen: row.seen,
                opens: next > row.depth,
                closes: row.depth.saturating_sub(next),
            }
        })
        .collect()
}

/// What a flow file gives: the flow, or every problem with its line.
pub(super) async fn checked(source: String) -> Result<Flow, Vec<Problem>> {
    crate::work::run(crate::work::Class::Staff, move || parse_flow(&source)).await
}

/// The territory's name, after the access check (403 for a territory she
/// may not manage, existing or not).
pub(super) fn territory(
    app: &ConversationState,
    pro: &Pro,
    slug: &str,
) -> Result<String, AppError> {
    Ok(office::territory(&app.directory, pro, slug)?.name)
}

/// The page, with the editor holding `source`.
#[allow(clippy::too_many_arguments)]
async fn flow_page(
    app: &ConversationState,
    pro: &Pro,
    slug: &str,
    source: String,
    origin: String,
    checked_flow: Result<Flow, Vec<Problem>>,
    notice: Option<String>,
) -> Result<FlowPage, AppError> {
    let name = territory(app, pro, slug)?;
    let versions = storage::versions(&app.db, slug).await?;
    let number = storage::in_use(&app.db, slug).await?;
    let current = number.and_then(|n| versions.iter().find(|v| v.number == n));
    let in_use = match current {
        Some(version) => format!(
            "sa version {}, publiée le {} (UTC) par {}",
            version.number, version.published_at, version.published_by
        ),
        None => "le questionnaire national".to_owned(),
    };
    let in_use_flow = app.conversation.flow(Some(slug));
    let (problems, outline, changes) = match &checked_flow {
        Ok(flow) => (
            Vec::new(),
            outline_rows(&flow.outline()),
            flow::changes(&in_use_flow, flow),
        ),
        Err(problems) => (
            problems.iter().map(ToString::to_string).collect(),
            Vec::new(),
            Vec::new(),
        ),
    };
    let national_changes = match current {
        Some(version) if version.national != app.conversation.national.version() => {
            national_changes(app, &version.national).await?
        }
        _ => Vec::new(),
    };
    Ok(FlowPage {
        b: Base::of(app, pro),
        slug: slug.to_owned(),
        territory: name,
        in_use,
        source,
        origin,
        problems,
        outline,
        changes,
        national_changes,
        notice,
        own: current.is_some(),
        versions: versions
            .iter()
            .map(|v| VersionLine {
                number: v.number,
                published_at: v.published_at.clone(),
                published_by: v.published_by.clone(),
                in_use: Some(v.number) == number,
            })
            .collect(),
    })
}

/// What changed in the national flow since the one of that digest.
async fn national_changes(app: &ConversationState, digest: &str) -> Result<Vec<String>, AppError> {
    let Some(source) = storage::national(&app.db, digest).await? else {
        return Ok(vec![
            "Le questionnaire national a changé depuis cette version.".to_owned(),
        ]);
    };
    let national = Arc::clone(&app.conversation.national);
    let before = checked(source).await;
    Ok(match before {
        Ok(before) => {
            let changes = flow::changes(&before, &national);
            if changes.is_empty() {
                vec!["Le questionnaire national a changé depuis cette version (mise en forme seulement).".to_owned()]
            } else {
                changes
            }
        }
        Err(_) => vec!["Le questionnaire national a changé depuis cette version.".to_owned()],
    })
}

async fn page(
    State(app): State<ConversationState>,
    pro: Pro,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    territory(&app, &pro, &slug)?;
    let query = START.read_query(query.as_deref());
    if query.is_forged() {
        return Err(AppError::BadRequest);
    }
    let fields = query.fields;
    let origin = if fields.get("depart") == Some("national") {
        Origin::National
    } else if let Some(number) = fields.get("version") {
        let number: i64 = number.parse().map_err(|_| AppError::BadRequest)?;
        let versions = storage::versions(&app.db, &slug).await?;
        Origin::Version(
            versions
                .into_iter()
                .find(|v| v.number == number)
                .ok_or(AppError::NotFound)?,
        )
    } else {
        default_origin(&app, &slug).await?
    };
    let (source, origin) = origin.source();
    let checked_flow = checked(source.clone()).await;
    let page = flow_page(&app, &pro, &slug, source, origin, checked_flow, None).await?;
    Ok(render(&page)?.into_response())
}

/// What the editor starts from when the address names nothing: the
/// draft, else the version in use, else the national flow.
async fn default_origin(app: &ConversationState, slug: &str) -> Result<Origin, AppError> {
    Ok(match storage::draft(&app.db, slug).await? {
        Some(draft) => Origin::Draft(draft),
        None => match storage::in_use(&app.db, slug).await? {
            Some(number) => storage::versions(&app.db, slug)
                .await?
                .into_iter()
                .find(|v| v.number == number)
                .map_or(Origin::National, Origin::Version),
            None => Origin::National,
        },
    })
}

/// The text the editors start from (the draft, else the version in use,
/// else the national flow), and where it comes from in words.
pub(super) async fn default_source(
    app: &ConversationState,
    slug: &str,
) -> Result<(String, String), AppError> {
    Ok(default_origin(app, slug).await?.source())
}

impl Origin {
    /// Its text, and where it comes from in words.
    fn source(self) -> (String, String) {
        match self {
            Origin::Draft(draft) => (
                draft.source,
                format!(
                    "Votre brouillon, enregistré le {} (UTC) par {}.",
                    draft.updated_at, draft.updated_by
                ),
            ),
            Origin::National => (
                NATIONAL_FLOW.to_owned(),
                "Le questionnaire national, tel que l'opérateur le fournit.".to_owned(),
            ),
            Origin::Version(version) => (
                version.source,
                format!("La version {} publiée.", version.number),
            ),
        }
    }
}

/// Saves the draft, with its audit line.
pub(super) async fn save_draft(
    app: &ConversationState,
    pro: &Pro,
    slug: &str,
    source: &str,
    detail: &str,
) -> Result<(), AppError> {
    let mut tx = app.db.begin().await?;
    storage::save_draft(
        &mut tx,
        slug,
        source,
        app.conversation.national.version(),
        &pro.user.email,
    )
    .await?;
    accounts::audit(
        &mut tx,
        &pro.user.email,
        Some(slug),
        AuditAction::FlowDraftSaved,
        slug,
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes a checked flow as the territory's next version, with the
/// audit line that says what changed; this instance loads it at once,
/// the others within seconds.
async fn publish(
    app: &ConversationState,
    pro: &Pro,
    slug: &str,
    source: &str,
    flow: &Flow,
    action: AuditAction,
    detail: String,
) -> Result<i64, AppError> {
    let mut tx = app.db.begin().await?;
    let number = storage::publish(
        &mut tx,
        slug,
        source,
        flow.version(),
        (app.conversation.national.version(), NATIONAL_FLOW),
        &pro.user.email,
    )
    .await?;
    accounts::audit(
        &mut tx,
        &pro.user.email,
        Some(slug),
        action,
        slug,
        &format!("version {number}\n{detail}"),
    )
    .await?;
    tx.commit().await?;
    app.conversation.refresh(&app.db, false).await?;
    Ok(number)
}

/// The changes, as an audit line's detail (bounded: a whole new flow is
/// a long list).
fn detail(changes: &[String]) -> String {
    let mut detail = if changes.is_empty() {
        "aucun changement de contenu".to_owned()
    } else {
        changes.join("\n")
    };
    if detail.len() > 8_000 {
        let mut cut = 8_000;
        while !detail.is_char_boundary(cut) {
            cut -= 1;
        }
        detail.truncate(cut);
        detail.push_str("\n…");
    }
    detail
}

async fn edit(
    State(app): State<ConversationState>,
    pro: Pro,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    territory(&app, &pro, &slug)?;
    let form = read(&EDIT, &body)?;
    crate::backoffice::csrf(&form.fields, &pro)?;
    if form.too_long().is_some() {
        let source = form.fields.text("source");
        let page = flow_page(
            &app,
            &pro,
            &slug,
            source,
            "Le texte envoyé.".to_owned(),
            Err(Vec::new()),
            None,
        )
        .await?;
        let page = FlowPage {
            problems: vec![format!(
                "Le questionnaire est trop long : {SOURCE_MAX} caractères au plus. Rien n'a été enregistré."
            )],
            ..page
        };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let source = form.fields.text("source");
    // The form's first button (and Enter) checks: it changes nothing.
    let action = match form.fields.value("action") {
        action @ ("enregistrer" | "publier") => action,
        _ => "verifier",
    };
    let checked_flow = checked(source.clone()).await;
    let origin = "Le texte envoyé.".to_owned();
    match (action, checked_flow) {
        ("publier", Ok(flow)) => {
            let changes = flow::changes(&app.conversation.flow(Some(&slug)), &flow);
            save_draft(&app, &pro, &slug, &source, "avant publication").await?;
            let number = publish(
                &app,
                &pro,
                &slug,
                &source,
                &flow,
                AuditAction::FlowPublished,
                detail(&changes),
            )
            .await?;
            let page = flow_page(
                &app,
                &pro,
                &slug,
                source,
                origin,
                Ok(flow),
                Some(format!(
                    "Version {number} publiée : les conversations qui commencent maintenant la suivent ; celles déjà commencées finissent sur la version avec laquelle elles ont commencé."
                )),
            )
            .await?;
            Ok(render(&page)?.into_response())
        }
        ("publier", Err(problems)) => {
            let page = flow_page(&app, &pro, &slug, source, origin, Err(problems), None).await?;
            let page = FlowPage {
                notice: Some(
                    "Rien n'a été publié : corrigez d'abord les problèmes ci-dessous.".to_owned(),
                ),
                ..page
            };
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        (action, checked_flow) => {
            let notice = if action == "enregistrer" {
                save_draft(&app, &pro, &slug, &source, "depuis l'éditeur").await?;
                Some(
                    "Brouillon enregistré. Il n'est pas en ligne tant qu'il n'est pas publié."
                        .to_owned(),
                )
            } else {
                None
            };
            let status = if checked_flow.is_err() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            let page = flow_page(&app, &pro, &slug, source, origin, checked_flow, notice).await?;
            render_status(status, &page)
        }
    }
}

async fn upload(
    State(app): State<ConversationState>,
    pro: Pro,
    Path(slug): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    territory(&app, &pro, &slug)?;
    let file = read_upload(multipart, &UPLOAD, "fichier", &pro).await?.file;
    let problem = |text: String| async {
        let page = flow_page(
            &app,
            &pro,
            &slug,
            String::new(),
            "Aucun texte.".to_owned(),
            Err(Vec::new()),
            None,
        )
        .await?;
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &FlowPage {
                problems: vec![text],
                ..page
            },
        )
    };
    let Some((name, bytes)) = file else {
        return problem("Choisissez un fichier de questionnaire (.toml).".to_owned()).await;
    };
    if bytes.len() > SOURCE_MAX {
        return problem(format!(
            "« {name} » est trop long : {SOURCE_MAX} octets au plus. Rien n'a été enregistré."
        ))
        .await;
    }
    let Ok(source) = String::from_utf8(bytes.to_vec()) else {
        return problem(format!(
            "« {name} » n'est pas un texte en UTF-8 : enregistrez-le en UTF-8 et envoyez-le à nouveau."
        ))
        .await;
    };
    save_draft(&app, &pro, &slug, &source, &format!("fichier « {name} »")).await?;
    let checked_flow = checked(source.clone()).await;
    let status = if checked_flow.is_err() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = flow_page(
        &app,
        &pro,
        &slug,
        source,
        format!("Le fichier « {name} », enregistré comme brouillon."),
        checked_flow,
        Some("Fichier enregistré comme brouillon. Il n'est pas en ligne tant qu'il n'est pas publié.".to_owned()),
    )
    .await?;
    render_status(status, &page)
}

/// Puts an earlier version back in use, as a new version (the history is
/// never rewritten).
async fn put_back(
    State(app): State<ConversationState>,
    pro: Pro,
    Path((slug, number)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    territory(&app, &pro, &slug)?;
    button(&body, &pro)?;
    let number: i64 = number.parse().map_err(|_| AppError::NotFound)?;
    let Some(version) = storage::versions(&app.db, &slug)
        .await?
        .into_iter()
        .find(|v| v.number == number)
    else {
        // A button of an old page, say: the page as it is now, and why.
        let source = NATIONAL_FLOW.to_owned();
        let checked_flow = checked(source.clone()).await;
        let page = flow_page(
            &app,
            &pro,
            &slug,
            source,
            "Le questionnaire national.".to_owned(),
            checked_flow,
            Some(format!(
                "Ce territoire n'a pas de version {number} : rien n'a été changé."
            )),
        )
        .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let flow = match checked(version.source.clone()).await {
        Ok(flow) => flow,
        Err(problems) => {
            let page = flow_page(
                &app,
                &pro,
                &slug,
                version.source,
                format!("La version {number}."),
                Err(problems),
                Some(format!(
                    "La version {number} ne se lit plus avec cette version de Relais : elle n'a pas été remise en service."
                )),
            )
            .await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let changes = flow::changes(&app.conversation.flow(Some(&slug)), &flow);
    let new = publish(
        &app,
        &pro,
        &slug,
        &version.source,
        &flow,
        AuditAction::FlowRolledBack,
        format!("reprise de la version {number}\n{}", detail(&changes)),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/pro/territoires/{slug}/questionnaire?version={new}"
    ))
    .into_response())
}

/// Puts the national flow back in use in the territory.
async fn use_national(
    State(app): State<ConversationState>,
    pro: Pro,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    territory(&app, &pro, &slug)?;
    button(&body, &pro)?;
    let changes = flow::changes(
        &app.conversation.flow(Some(&slug)),
        &app.conversation.national,
    );
    let mut tx = app.db.begin().await?;
    storage::use_national(&mut tx, &slug).await?;
    accounts::audit(
        &mut tx,
        &pro.user.email,
        Some(&slug),
        AuditAction::FlowRolledBack,
        &slug,
        &format!("retour au questionnaire national\n{}", detail(&changes)),
    )
    .await?;
    tx.commit().await?;
    app.conversation.refresh(&app.db, false).await?;
    Ok(Redirect::to(&format!(
        "/pro/territoires/{slug}/questionnaire?depart=national"
    ))
    .into_response())
}

/// The language a preview is in.
fn preview_lang(code: Option<&str>) -> Result<Lang, AppError> {
    match code {
        None | Some("fr") => Ok(Lang::Fr),
        Some("en") => Ok(Lang::En),
        Some("ar") => Ok(Lang::Ar),
        Some(_) => Err(AppError::BadRequest),
    }
}

/// The draft to preview (else the version in use), read.
async fn previewed(
    app: &ConversationState,
    slug: &str,
) -> Result<Result<Arc<Flow>, Vec<Problem>>, AppError> {
    Ok(match storage::draft(&app.db, slug).await? {
        Some(draft) => checked(draft.source).await.map(Arc::new),
        None => Ok(app.conversation.flow(Some(slug))),
    })
}

/// The preview's run: the draft's flow, posting back here with the
/// session's token and the language.
fn preview_run<'a>(
    app: &'a ConversationState,
    pro: &Pro,
    flow: &'a Flow,
    slug: &str,
    lang: Lang,
) -> Run<'a> {
    Run {
        app,
        flow,
        territory: Some(slug.to_owned()),
        preview: true,
        action: format!("/pro/territoires/{slug}/questionnaire/apercu"),
        hidden: vec![
            ("csrf", pro.csrf.clone()),
            ("langue", lang.code().to_owned()),
        ],
    }
}

fn preview_context(slug: &str, lang: Lang, fragment: bool) -> Context {
    Context {
        page: PageContext {
            lang,
            path: format!("/pro/territoires/{slug}/questionnaire/apercu"),
            territory: Some(slug.to_owned()),
            base: String::new(),
        },
        fragment,
    }
}

/// A preview that cannot be drawn: the draft has problems.
async fn unreadable_draft(
    app: &ConversationState,
    pro: &Pro,
    slug: &str,
    problems: Vec<Problem>,
) -> Result<Response, AppError> {
    let draft = storage::draft(&app.db, slug).await?;
    let page = flow_page(
        app,
        pro,
        slug,
        draft.map(|d| d.source).unwrap_or_default(),
        "Votre brouillon.".to_owned(),
        Err(problems),
        Some("L'aperçu n'est possible qu'une fois les problèmes corrigés.".to_owned()),
    )
    .await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

async fn preview_start(
    State(app): State<ConversationState>,
    pro: Pro,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    territory(&app, &pro, &slug)?;
    let query = PREVIEW_QUERY.read_query(query.as_deref());
    if query.is_forged() {
        return Err(AppError::BadRequest);
    }
    let lang = preview_lang(query.fields.get("langue"))?;
    let flow = match previewed(&app, &slug).await? {
        Ok(flow) => flow,
        Err(problems) => return unreadable_draft(&app, &pro, &slug, problems).await,
    };
    let run = preview_run(&app, &pro, &flow, &slug, lang);
    start_page(&run, &preview_context(&slug, lang, false))
}

async fn preview_answer(
    State(app): State<ConversationState>,
    pro: Pro,
    Path(slug): Path<String>,
    fragment: crate::conversation::routes::WantsFragment,
    body: Bytes,
) -> Result<Response, AppError> {
    territory(&app, &pro, &slug)?;
    let posted = PREVIEW.read(&body);
    crate::backoffice::csrf(&posted.fields, &pro)?;
    let lang = preview_lang(posted.fields.get("langue"))?;
    let form = AnswerForm::try_from(posted)?;
    let flow = match previewed(&app, &slug).await? {
        Ok(flow) => flow,
        Err(problems) => return unreadable_draft(&app, &pro, &slug, problems).await,
    };
    // A preview's token opens on the draft only: a draft changed since
    // starts the preview again.
    let (flow, opened) = form.token.open(Arc::clone(&flow), |token| {
        let (progress, id) = app.conversation.sealer.open(
            token,
            flow.version(),
            jiff::Timestamp::now().as_second(),
        )?;
        Ok((Arc::clone(&flow), progress, id))
    });
    let run = preview_run(&app, &pro, &flow, &slug, lang);
    converse(
        &run,
        &form,
        opened,
        preview_context(&slug, lang, fragment.0),
    )
    .await
}
