//! Accounts and invitations in the back office: the coordinators'
//! and administrators' screen of accounts (invite, disable, enable,
//! invite again, reset a password).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::accounts::AccountsState;
use crate::accounts::signin as auth;
use crate::backoffice::session::Pro;
use crate::backoffice::storage::AuditAction;
use crate::backoffice::storage::{self, Role};
use crate::backoffice::{Base, CSRF, CSRF_ONLY, Screens, button, csrf, read};
use crate::directory::storage::{self as directory_storage};
use crate::storage::{OrganisationId, UserId};
use crate::web::error::AppError;
use crate::web::form::{Field, Fields, Spec};
use crate::web::render_status;

/// Every screen of the accounts, with the form each one reads.
pub fn screens(screens: Screens<AccountsState>) -> Screens<AccountsState> {
    screens
        .get("/pro/comptes", accounts)
        .post("/pro/comptes/inviter", &INVITE, invite)
        .post("/pro/comptes/{u}/desactiver", &CSRF_ONLY, disable_account)
        .post("/pro/comptes/{u}/reactiver", &CSRF_ONLY, enable_account)
        .post("/pro/comptes/{u}/invitation", &CSRF_ONLY, reinvite)
        .post("/pro/comptes/{u}/reinitialiser", &RESET, reset_password)
}

/// A password reset: a deliberate act, confirmed.
pub static RESET: Spec = Spec::new(&[CSRF, Field::one("confirmer", 3)]);

/// The invitation form.
pub static INVITE: Spec = Spec::new(&[
    CSRF,
    Field::one("email", auth::EMAIL_MAX),
    Field::one("role", 16),
    Field::one("organisation", 64),
    Field::one("territoire", 64),
]);

// ---------------------------------------------------------------- accounts

#[derive(Debug)]
struct AccountLine {
    id: UserId,
    email: String,
    role: String,
    scope: String,
    state: String,
    disabled: bool,
    invited: bool,
    resettable: bool,
}

#[derive(Template)]
#[template(path = "backoffice/accounts.html")]
struct AccountsPage {
    b: Base,
    accounts: Vec<AccountLine>,
    organisations: Vec<(OrganisationId, String)>,
    territories: Vec<(String, String)>,
    admin: bool,
    link: Option<Link>,
    /// Why an action on an account was refused.
    problem: Option<String>,
    /// The invitation form as typed, when it came back with a mistake.
    typed: Typed,
    /// What is wrong with the e-mail typed.
    error: Option<String>,
}

/// A link just made, shown once.
#[derive(Debug)]
struct Link {
    url: String,
    /// For a password reset: the account's e-mail.
    reset_of: Option<String>,
}

/// The invitation form as typed.
#[derive(Debug, Default)]
struct Typed {
    email: String,
    role: String,
    organisation: String,
    territory: String,
}

/// Whether `pro` may manage `user`: administrators, everyone; a
/// coordinator, the professionals of their territories' organisations.
fn manages(app: &AccountsState, pro: &Pro, user: &storage::User) -> bool {
    match pro.user.role {
        Role::Admin => true,
        Role::Coordinator => {
            user.role == Role::Professional
                && user.organisation_id.as_ref().is_some_and(|org| {
                    let index = app.directory.index();
                    index
                        .organisation(org)
                        .first()
                        .is_some_and(|l| pro.can_territory(&l.territory).is_ok())
                })
        }
        Role::Professional => false,
    }
}

async fn accounts_page(
    app: &AccountsState,
    pro: &Pro,
    link: Option<Link>,
    rejected: Option<(&Fields, &str)>,
) -> Result<Response, AppError> {
    accounts_page_with(app, pro, link, rejected, None).await
}

/// The accounts page, saying why an action on an account was refused.
async fn account_refused(
    app: &AccountsState,
    pro: &Pro,
    problem: &str,
) -> Result<Response, AppError> {
    accounts_page_with(app, pro, None, None, Some(problem.to_owned())).await
}

async fn accounts_page_with(
    app: &AccountsState,
    pro: &Pro,
    link: Option<Link>,
    rejected: Option<(&Fields, &str)>,
    problem: Option<String>,
) -> Result<Response, AppError> {
    if !pro.is_coordinator() {
        return Err(AppError::Forbidden);
    }
    let index = app.directory.index();
    let territories = pro.territories(index.territories().map(|t| t.slug.as_str()));
    let (organisations, _) = directory_storage::directory(&app.db, None).await?;
    let organisations: Vec<(OrganisationId, String)> = organisations
        .into_iter()
        .filter(|o| territories.contains(&o.territory))
        .map(|o| (o.id.clone(), format!("{} ({})", o.name, o.territory)))
        .collect();
    let names: HashMap<&str, &str> = organisations
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    let accounts = storage::users(&app.db)
        .await?
        .into_iter()
        .filter(|u| {
            manages(app, pro, u)
                || (pro.user.role == Role::Coordinator
                    && u.territories.iter().any(|t| territories.contains(t)))
        })
        .map(|u| AccountLine {
            role: match u.role {
                Role::Admin => "administration",
                Role::Coordinator => "coordination",
                Role::Professional => "professionnel·le",
            }
            .to_owned(),
            scope: match u.role {
                Role::Admin => "tous les territoires".to_owned(),
                Role::Coordinator => u.territories.join(", "),
                Role::Professional => u
                    .organisation_id
                    .as_ref()
                    .and_then(|o| names.get(o.as_str()).copied())
                    .unwrap_or("—")
                    .to_owned(),
            },
            state: if u.disabled {
                "désactivé".to_owned()
            } else if u.password_hash.is_none() {
                "invitation envoyée".to_owned()
            } else if u.totp_secret.is_none() {
                "code de sécurité à activer".to_owned()
            } else {
                "actif".to_owned()
            },
            disabled: u.disabled,
            invited: u.password_hash.is_none() && manages(app, pro, &u),
            resettable: u.password_hash.is_some()
                && !u.disabled
                && u.id != pro.user.id
                && manages(app, pro, &u),
            id: u.id,
            email: u.email,
        })
        .collect();
    let page = AccountsPage {
        b: Base::of(app, pro),
        accounts,
        territories: territories.iter().map(|t| (t.clone(), t.clone())).collect(),
        organisations,
        admin: pro.is_admin(),
        link,
        problem,
        typed: rejected.map_or_else(Typed::default, |(fields, _)| Typed {
            email: fields.text("email"),
            role: fields.text("role"),
            organisation: fields.text("organisation"),
            territory: fields.text("territoire"),
        }),
        error: rejected.map(|(_, message)| message.to_owned()),
    };
    let status = if page.problem.is_some() {
        StatusCode::CONFLICT
    } else if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_status(status, &page)
}

async fn accounts(State(app): State<AccountsState>, pro: Pro) -> Result<Response, AppError> {
    accounts_page(&app, &pro, None, None).await
}

async fn invite(
    State(app): State<AccountsState>,
    pro: Pro,
    body: Bytes,
) -> Result<Response, AppError> {
    if !pro.is_coordinator() {
        return Err(AppError::Forbidden);
    }
    let form = read(&INVITE, &body)?;
    csrf(&form.fields, &pro)?;
    let fields = &form.fields;
    if let Some(refusal) = &form.refusal {
        return accounts_page(&app, &pro, None, Some((fields, &refusal.french()))).await;
    }
    let email = fields.value("email").trim().to_lowercase();
    let role = Role::parse(fields.value("role")).unwrap_or(Role::Professional);
    if crate::directory::contact::check_email(&email).is_err() {
        return accounts_page(
            &app,
            &pro,
            None,
            Some((fields, "Cette adresse e-mail n'est pas complète.")),
        )
        .await;
    }
    if storage::user_by_email(&app.db, &email).await?.is_some() {
        return accounts_page(
            &app,
            &pro,
            None,
            Some((
                fields,
                "Un compte existe déjà pour cette adresse : « Nouveau lien d'invitation » dans la liste, s'il n'a pas encore servi.",
            )),
        )
        .await;
    }
    let (organisation, territories): (Option<OrganisationId>, Vec<String>) = match role {
        Role::Professional => {
            let organisation = OrganisationId::from(fields.value("organisation"));
            let (found, _) = directory_storage::organisation(&app.db, &organisation)
                .await?
                .ok_or(AppError::Forbidden)?;
            pro.can_territory(&found.territory)?;
            (Some(organisation), Vec::new())
        }
        Role::Coordinator | Role::Admin => {
            // Only an administrator creates coordinators and administrators.
            pro.admin()?;
            let territory = fields.value("territoire").to_owned();
            if role == Role::Coordinator {
                pro.can_territory(&territory)?;
                (None, vec![territory])
            } else {
                (None, Vec::new())
            }
        }
    };
    let mut tx = app.db.begin().await?;
    let id =
        storage::create_user(&mut tx, &email, role, organisation.as_ref(), &territories).await?;
    let link = auth::new_invitation(&mut tx, &app.settings.public_url, &id).await?;
    let territory = territories.first().cloned().or_else(|| {
        organisation.as_ref().and_then(|o| {
            app.directory
                .index()
                .organisation(o)
                .first()
                .map(|l| l.territory.clone())
        })
    });
    storage::audit(
        &mut tx,
        &pro.user.email,
        territory.as_deref(),
        AuditAction::AccountInvited,
        &id,
        &format!("{email} ({role})"),
    )
    .await?;
    tx.commit().await?;
    accounts_page(
        &app,
        &pro,
        Some(Link {
            url: link,
            reset_of: None,
        }),
        None,
    )
    .await
}

async fn managed_account(
    app: &AccountsState,
    pro: &Pro,
    id: &UserId,
) -> Result<storage::User, AppError> {
    let user = storage::user(&app.db, id)
        .await?
        .ok_or(AppError::Forbidden)?;
    if manages(app, pro, &user) && user.id != pro.user.id {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

async fn disable_account(
    State(app): State<AccountsState>,
    pro: Pro,
    Path(id): Path<UserId>,
    body: Bytes,
) -> Result<Response, AppError> {
    set_disabled(&app, &pro, &id, &body, true).await
}

async fn enable_account(
    State(app): State<AccountsState>,
    pro: Pro,
    Path(id): Path<UserId>,
    body: Bytes,
) -> Result<Response, AppError> {
    set_disabled(&app, &pro, &id, &body, false).await
}

/// Disables an account (ending its sessions at once) or enables it again.
async fn set_disabled(
    app: &AccountsState,
    pro: &Pro,
    id: &UserId,
    body: &[u8],
    disabled: bool,
) -> Result<Response, AppError> {
    let user = managed_account(app, pro, id).await?;
    button(body, pro)?;
    let mut tx = app.db.begin().await?;
    storage::set_disabled(&mut tx, &user.id, disabled).await?;
    if disabled {
        storage::delete_user_sessions(&mut tx, &user.id).await?;
    }
    storage::audit(
        &mut tx,
        &pro.user.email,
        crate::directory::office::territory_of(&app.directory, &user).as_deref(),
        if disabled {
            AuditAction::AccountDisabled
        } else {
            AuditAction::AccountEnabled
        },
        id,
        &user.email,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/pro/comptes").into_response())
}

async fn reinvite(
    State(app): State<AccountsState>,
    pro: Pro,
    Path(id): Path<UserId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let user = managed_account(&app, &pro, &id).await?;
    button(&body, &pro)?;
    // An invitation is for an account that never chose a password: for one
    // that did, a new link would take it over. That is a password reset,
    // a deliberate act of its own, which its owner is told about.
    if user.password_hash.is_some() {
        return account_refused(
            &app,
            &pro,
            "Ce compte a déjà un mot de passe : une invitation n'est plus possible. Si la personne \
             ne peut plus se connecter, utilisez « Réinitialiser le mot de passe ».",
        )
        .await;
    }
    let mut tx = app.db.begin().await?;
    let link = auth::new_invitation(&mut tx, &app.settings.public_url, &user.id).await?;
    storage::audit(
        &mut tx,
        &pro.user.email,
        crate::directory::office::territory_of(&app.directory, &user).as_deref(),
        AuditAction::AccountReinvited,
        &id,
        &user.email,
    )
    .await?;
    tx.commit().await?;
    accounts_page(
        &app,
        &pro,
        Some(Link {
            url: link,
            reset_of: None,
        }),
        None,
    )
    .await
}

/// A link to choose a new password, for an account that has one: confirmed,
/// audited, and told to the account's owner by e-mail.
async fn reset_password(
    State(app): State<AccountsState>,
    pro: Pro,
    Path(id): Path<UserId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let user = managed_account(&app, &pro, &id).await?;
    let form = read(&RESET, &body)?;
    csrf(&form.fields, &pro)?;
    if user.password_hash.is_none() || user.disabled {
        return account_refused(
            &app,
            &pro,
            "Ce compte n'a pas de mot de passe à réinitialiser : s'il n'a jamais servi, créez un \
             nouveau lien d'invitation ; s'il est désactivé, réactivez-le d'abord.",
        )
        .await;
    }
    if !form.fields.ticked("confirmer") {
        return account_refused(
            &app,
            &pro,
            "Rien n'a été fait : cochez « Je confirme » pour créer un lien qui remplace le mot de \
             passe de ce compte.",
        )
        .await;
    }
    let mut tx = app.db.begin().await?;
    let link = auth::new_invitation(&mut tx, &app.settings.public_url, &user.id).await?;
    storage::audit(
        &mut tx,
        &pro.user.email,
        crate::directory::office::territory_of(&app.directory, &user).as_deref(),
        AuditAction::AccountPasswordReset,
        &id,
        &user.email,
    )
    .await?;
    crate::referral::storage::notify(
        &mut tx,
        &user.email,
        crate::referral::storage::Notice::PasswordReset,
    )
    .await?;
    tx.commit().await?;
    accounts_page(
        &app,
        &pro,
        Some(Link {
            url: link,
            reset_of: Some(user.email),
        }),
        None,
    )
    .await
}
