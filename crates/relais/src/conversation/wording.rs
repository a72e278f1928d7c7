//! The wording of a territory's questionnaire, changed in a form: every
//! question, help, button, unit and answer of the flow, in each language
//! it is written in, one field each. The coordinator changes the words
//! without reading the flow file; saving rewrites only the texts she
//! changed (`flow::reword`), checks the whole flow and keeps it as the
//! draft, which she then tries and publishes on the questionnaire's page.
//! Adding a question or changing where an answer leads stays the flow
//! file's work, on that page.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use flow::Wording;
use sha2::Digest as _;

use crate::backoffice::session::Pro;
use crate::backoffice::{Base, CSRF, csrf, read};
use crate::conversation::ConversationState;
use crate::conversation::screens::{checked, default_source, save_draft, territory};
use crate::web::error::AppError;
use crate::web::form::{Field, Spec};
use crate::web::{render, render_status};

/// The longest text of a question, an answer or a help, in characters.
pub const WORDING_MAX: usize = 2_000;
/// The most texts a questionnaire may have (the national one has some 200).
const WORDINGS_MAX: usize = 3_000;

/// The form: one `texte` per text, in the page's order, and the digest of
/// the flow file they were read from.
pub static WORDING: Spec = Spec::new(&[
    CSRF,
    Field::one("depuis", 64),
    Field::many("texte", WORDING_MAX, WORDINGS_MAX),
]);

/// One field of the form.
#[derive(Debug)]
struct TextField {
    /// "Question — en anglais".
    label: String,
    lang: String,
    dir: &'static str,
    value: String,
    /// A help or a question may run over a line; a button is short.
    rows: usize,
}

/// The fields of one step, under its heading.
#[derive(Debug)]
struct StepFields {
    id: String,
    fields: Vec<(usize, TextField)>,
}

#[derive(Template)]
#[template(path = "backoffice/flow_wording.html")]
struct WordingPage {
    b: Base,
    slug: String,
    territory: String,
    /// Where the texts come from, in words.
    origin: String,
    digest: String,
    steps: Vec<StepFields>,
    /// Why nothing was saved, when it was not.
    problems: Vec<String>,
    /// What she had changed, when the flow changed under her form.
    lost: Vec<String>,
}

fn digest(source: &str) -> String {
    hex::encode(sha2::Sha256::digest(source.as_bytes()))
}

/// The language's name, as a label says it.
fn language(code: &str) -> String {
    match code {
        "fr" => "en français".to_owned(),
        "en" => "en anglais".to_owned(),
        "ar" => "en arabe".to_owned(),
        other => format!("en « {other} »"),
    }
}

/// What a text is, in words: "Question", "Réponse « oui »".
fn what(wording: &Wording) -> String {
    match (wording.key, &wording.choice) {
        ("label", Some(choice)) => format!("Réponse « {choice} »"),
        ("question", _) => "Question".to_owned(),
        ("help", _) => "Aide sous la question".to_owned(),
        ("button", _) => "Bouton".to_owned(),
        ("unit", _) => "Unité".to_owned(),
        (other, _) => other.to_owned(),
    }
}

/// The fields, grouped by step, holding `values` (one per wording).
fn steps(wordings: &[Wording], values: &[String]) -> Vec<StepFields> {
    let mut steps: Vec<StepFields> = Vec::new();
    for (at, (wording, value)) in wordings.iter().zip(values).enumerate() {
        let field = TextField {
            label: format!("{} — {}", what(wording), language(&wording.lang)),
            dir: if wording.lang == "ar" { "rtl" } else { "ltr" },
            lang: wording.lang.clone(),
            value: value.clone(),
            rows: if matches!(wording.key, "question" | "help") {
                2
            } else {
                1
            },
        };
        match steps.last_mut() {
            Some(step) if step.id == wording.step => step.fields.push((at, field)),
            _ => steps.push(StepFields {
                id: wording.step.clone(),
                fields: vec![(at, field)],
            }),
        }
    }
    steps
}

/// The texts of the flow the editors start from, or why there are none.
async fn current(
    app: &ConversationState,
    slug: &str,
) -> Result<(String, String, Result<Vec<Wording>, String>), AppError> {
    let (source, origin) = default_source(app, slug).await?;
    let wordings = match checked(source.clone()).await {
        Ok(_) => flow::wordings(&source)
            .ok_or_else(|| "Le texte du questionnaire ne se lit pas.".to_owned()),
        Err(problems) => Err(format!(
            "Le brouillon a {} problème(s) à corriger d'abord dans le texte du questionnaire : les textes ne peuvent être changés ici que sur un questionnaire sans problème.",
            problems.len()
        )),
    };
    Ok((source, origin, wordings))
}

pub(super) async fn page(
    State(app): State<ConversationState>,
    pro: Pro,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let name = territory(&app, &pro, &slug)?;
    let (source, origin, wordings) = current(&app, &slug).await?;
    let (wordings, problems) = match wordings {
        Ok(wordings) => (wordings, Vec::new()),
        Err(problem) => (Vec::new(), vec![problem]),
    };
    let values: Vec<String> = wordings.iter().map(|w| w.text.clone()).collect();
    Ok(render(&WordingPage {
        b: Base::of(&app, &pro),
        slug,
        territory: name,
        origin,
        digest: digest(&source),
        steps: steps(&wordings, &values),
        problems,
        lost: Vec::new(),
    })?
    .into_response())
}

pub(super) async fn save(
    State(app): State<ConversationState>,
    pro: Pro,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let name = territory(&app, &pro, &slug)?;
    let form = read(&WORDING, &body)?;
    csrf(&form.fields, &pro)?;
    let values = form.fields.all("texte");
    let (source, origin, wordings) = current(&app, &slug).await?;
    let page = |steps, problems, lost| WordingPage {
        b: Base::of(&app, &pro),
        slug: slug.clone(),
        territory: name.clone(),
        origin: origin.clone(),
        digest: digest(&source),
        steps,
        problems,
        lost,
    };
    let wordings = match wordings {
        Err(problem) => {
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(Vec::new(), vec![problem], values),
            );
        }
        Ok(wordings) if form.fields.value("depuis") == digest(&source) => wordings,
        // The draft changed since her page was drawn (saved from the
        // editor, or by a colleague): her texts no longer fit its fields.
        // Nothing is saved, and what she changed is listed to be typed
        // again.
        Ok(fields) => {
            let fresh: Vec<String> = fields.iter().map(|w| w.text.clone()).collect();
            let lost = values
                .iter()
                .filter(|value| !fresh.contains(value))
                .cloned()
                .collect();
            let problems = vec![
                "Le questionnaire a changé depuis l'ouverture de cette page : rien n'a été enregistré. Vos textes sont rappelés ci-dessous ; reportez-les dans les champs.".to_owned(),
            ];
            return render_status(
                StatusCode::CONFLICT,
                &page(steps(&fields, &fresh), problems, lost),
            );
        }
    };
    if values.len() != wordings.len() {
        return Err(AppError::BadRequest);
    }
    if let Some((_, max)) = form.too_long() {
        let problems = vec![format!(
            "Un texte est trop long : {max} caractères au plus. Il a été coupé ci-dessous ; rien n'a été enregistré."
        )];
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(steps(&wordings, &values), problems, Vec::new()),
        );
    }
    let changed = wordings
        .iter()
        .zip(&values)
        .filter(|(wording, value)| wording.text != **value)
        .count();
    if changed == 0 {
        return Ok(Redirect::to(&format!("/pro/territoires/{slug}/questionnaire")).into_response());
    }
    let reworded = flow::reword(&source, &wordings, &values);
    if let Err(problems) = checked(reworded.clone()).await {
        // An emptied French text, say: said next to nothing else, with
        // every text as she typed it.
        let problems = problems.iter().map(ToString::to_string).collect();
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(steps(&wordings, &values), problems, Vec::new()),
        );
    }
    save_draft(
        &app,
        &pro,
        &slug,
        &reworded,
        &format!("{changed} texte(s) changé(s) depuis le formulaire des textes"),
    )
    .await?;
    Ok(Redirect::to(&format!("/pro/territoires/{slug}/questionnaire#changes")).into_response())
}
