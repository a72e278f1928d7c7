//! The back office's screen for updating a territory's directory from a
//! data·inclusion source ([`sync`]): a file is uploaded, what it would
//! change is shown, and the same file posted again with the preview's
//! digest applies it. Nothing travels in the address; a file or a directory
//! that changed since the preview is previewed again, never applied.
//!
//! Access first (a coordinator of that territory, or an administrator),
//! then the form token, then the file.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::backoffice::session::Pro;
use crate::backoffice::{Base, CSRF, Screens, Upload, read_upload};
use crate::directory::DirectoryState;
use crate::directory::office::territory;
use crate::directory::sync::{self, ApplyError, Line, Plan};
use crate::web::error::AppError;
use crate::web::form::{Field, Spec};
use crate::web::{render, render_status};

/// The screens of the sync.
pub fn screens(screens: Screens<DirectoryState>) -> Screens<DirectoryState> {
    screens
        .get("/pro/territoires/{t}/synchronisation", form)
        .upload("/pro/territoires/{t}/synchronisation", &SYNC, upload)
}

/// The sync form: its token, a file, and the digest of the preview being
/// applied (empty: preview only).
pub static SYNC: Spec = Spec::new(&[
    CSRF,
    Field::one("fichier", crate::backoffice::BODY_LIMIT),
    Field::one("apercu", 64),
]);

/// What a file would change, and the digest its apply form carries.
struct Preview {
    digest: String,
    summary: String,
    sections: Vec<Section>,
}

/// One list of the preview.
struct Section {
    title: &'static str,
    count: usize,
    lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "backoffice/sync.html")]
struct SyncPage {
    b: Base,
    slug: String,
    territory: String,
    problems: Vec<String>,
    /// Said above the preview: why it is shown again, or what was done.
    notice: Option<String>,
    /// The preview.
    preview: Option<Preview>,
    done: Option<String>,
}

async fn form(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let territory = territory(&app.directory, &pro, &slug)?;
    let page = SyncPage {
        b: Base::of(&app, &pro),
        slug,
        territory: territory.name,
        problems: Vec::new(),
        notice: None,
        preview: None,
        done: None,
    };
    Ok(render(&page)?.into_response())
}

fn sections(plan: &Plan) -> Vec<Section> {
    let c = &plan.counts;
    vec![
        Section {
            title: "Ajouté, à vérifier",
            count: c.services_added + c.organisations_added,
            lines: plan.added.clone(),
        },
        Section {
            title: "Mis à jour depuis la source",
            count: c.services_updated + c.organisations_updated,
            lines: plan.updated.clone(),
        },
        Section {
            title: "Plus dans la source : signalé, rien n'est supprimé",
            count: c.services_gone,
            lines: plan.gone.clone(),
        },
        Section {
            title: "Modifié ici et gardé : diffère de la source",
            count: c.kept_local_edits,
            lines: plan.kept.clone(),
        },
    ]
}

async fn upload(
    State(app): State<DirectoryState>,
    pro: Pro,
    Path(slug): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let territory = territory(&app.directory, &pro, &slug)?;
    let Upload { fields, file } = read_upload(multipart, &SYNC, "fichier", &pro).await?;
    let applying = fields.get("apercu").map(str::to_owned);
    let mut page = SyncPage {
        b: Base::of(&app, &pro),
        slug: slug.clone(),
        territory: territory.name.clone(),
        problems: Vec::new(),
        notice: None,
        preview: None,
        done: None,
    };
    let Some((name, bytes)) = file else {
        page.problems = vec!["Choisissez un fichier data·inclusion (.json).".to_owned()];
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    if !name.to_ascii_lowercase().ends_with(".json") {
        page.problems = vec![format!(
            "« {name} » : un fichier data·inclusion finit par .json."
        )];
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let communes = app.directory.index().communes().clone();
    let plan = match sync::preview(&app.db, &territory, &communes, bytes.to_vec()).await? {
        Ok(plan) => plan,
        Err(problems) => {
            page.problems = problems.iter().map(ToString::to_string).collect();
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let applying = applying.filter(|digest| !digest.is_empty());
    let status = match applying {
        None => StatusCode::OK,
        Some(digest) if digest == plan.digest => {
            match sync::apply(&app.db, &slug, &plan, &pro.user.email, &name).await {
                Ok(_) => {
                    app.directory.refresh(&app.db).await?;
                    page.done = Some(format!("C'est fait. {}", plan.summary()));
                    return Ok(render(&page)?.into_response());
                }
                Err(ApplyError::DirectoryChanged) => {
                    page.notice = Some(
                        "L'annuaire a changé pendant l'envoi : rien n'a été appliqué. \
                         Voici ce que le fichier changerait maintenant."
                            .to_owned(),
                    );
                    StatusCode::CONFLICT
                }
                Err(ApplyError::Database(error)) => return Err(error.into()),
            }
        }
        Some(_) => {
            page.notice = Some(
                "Le fichier ou l'annuaire a changé depuis l'aperçu : rien n'a été appliqué. \
                 Voici ce que ce fichier changerait maintenant."
                    .to_owned(),
            );
            StatusCode::CONFLICT
        }
    };
    page.preview = Some(Preview {
        digest: plan.digest.clone(),
        summary: plan.summary(),
        sections: sections(&plan),
    });
    render_status(status, &page)
}
