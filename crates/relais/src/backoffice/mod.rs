//! The back office's toolkit, at `/pro`: the route registry of its screens,
//! the session and the signed-in professional, the page frame, how a form
//! is read and its token checked. It imports no capability: each capability
//! registers its own screens, and the application merges them.
//!
//! Every route but those of signing in goes through
//! [`session::require`]; what an account may touch is decided by
//! [`session::Pro`] alone. The back office is in French: the people who
//! use it work in French.

pub mod session;
pub mod storage;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{MethodRouter, get, post};

use tower_http::timeout::TimeoutLayer;

use askama::Template;

use crate::backoffice::session::Pro;
use crate::web::Web;
use crate::web::error::{AppError, OwnErrorPages};
use crate::web::form::{Field, Fields, Form, Posted, Spec};

/// Largest body the back office accepts: a directory file to import.
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// What the back-office layout shows around every page.
#[derive(Debug)]
pub struct Base {
    /// Stylesheet addresses: the site's, then the back office's.
    pub css: String,
    /// The back office's own stylesheet.
    pub pro_css: String,
    /// Icon address.
    pub favicon: String,
    /// The signed-in account's e-mail.
    pub email: Option<String>,
    /// The session's form token.
    pub csrf: String,
    /// Menu entries: address, label.
    pub menu: Vec<(String, String)>,
    /// A message after an action.
    pub flash: Option<String>,
    /// The cryptography module of the referral screens.
    pub crypto_js: String,
    /// The referral screens' script.
    pub pro_js: String,
    /// The database is a demonstration: every page says so at its top.
    pub demo: bool,
}

impl Base {
    /// The layout before signing in.
    pub fn anonymous(app: &Web) -> Self {
        Self {
            css: app.assets.url("css/site.css").to_owned(),
            pro_css: app.assets.url("css/pro.css").to_owned(),
            favicon: app.assets.url("favicon.svg").to_owned(),
            email: None,
            csrf: String::new(),
            menu: Vec::new(),
            flash: None,
            crypto_js: app.assets.url("js/crypto.js").to_owned(),
            pro_js: app.assets.url("js/pro.js").to_owned(),
            demo: app.is_demo(),
        }
    }

    /// The layout of a signed-in account.
    pub fn of(app: &Web, pro: &Pro) -> Self {
        let mut menu = Vec::new();
        if pro.user.role == storage::Role::Professional && pro.user.organisation_id.is_some() {
            menu.push(("/pro/demandes".to_owned(), "Demandes".to_owned()));
            menu.push(("/pro/permanence".to_owned(), "Permanence".to_owned()));
        }
        if pro.is_coordinator() {
            menu.push(("/pro/comptes".to_owned(), "Comptes".to_owned()));
        }
        if pro.is_admin() {
            menu.push(("/pro/territoires".to_owned(), "Territoires".to_owned()));
            menu.push(("/pro/journal".to_owned(), "Journal".to_owned()));
        }
        Self {
            email: Some(pro.user.email.clone()),
            csrf: pro.csrf.clone(),
            menu,
            ..Self::anonymous(app)
        }
    }

    /// With a message after an action.
    #[must_use]
    pub fn with_flash(mut self, flash: Option<String>) -> Self {
        self.flash = flash;
        self
    }
}

/// The session's form token, in every form that changes something.
pub const CSRF: Field = Field::one("csrf", 64);

/// A form that is only a button: its token.
pub static CSRF_ONLY: Spec = Spec::new(&[CSRF]);

/// Reads a form of the back office: anything forged is a 400; a value too
/// long comes back as the problem of its field.
pub fn read(spec: &Spec, body: &[u8]) -> Result<Posted, AppError> {
    let posted = spec.read(body);
    if posted.is_forged() {
        return Err(AppError::BadRequest);
    }
    Ok(posted)
}

/// Reads a form that is only a button, and checks its token.
pub fn button(body: &[u8], pro: &Pro) -> Result<(), AppError> {
    let fields = CSRF_ONLY
        .read(body)
        .into_result()
        .map_err(|_| AppError::BadRequest)?;
    csrf(&fields, pro)
}

/// Reads a back-office form our pages write (buttons, choices, what our
/// script seals): bounds, then the session's token, then its values.
/// Anything off is a 400, a wrong token a 403, before any other work.
pub fn submitted<F: Form>(body: &[u8], pro: &Pro) -> Result<F, AppError> {
    let fields = F::SPEC
        .read(body)
        .into_result()
        .map_err(|_| AppError::BadRequest)?;
    csrf(&fields, pro)?;
    F::parse(&fields)
}

/// Checks the form's token against the session's.
pub fn csrf(fields: &Fields, pro: &Pro) -> Result<(), AppError> {
    pro.check_csrf(fields.value("csrf"))
}

/// A form with a file, as read by [`read_upload`]: its text fields (each
/// once, within its bound) and the file, with the name it was sent under.
#[derive(Debug, Default)]
pub struct Upload {
    /// The text fields.
    pub fields: Fields,
    /// The file's name (at most 200 characters) and bytes; `None` when no
    /// file, or an empty one, was chosen.
    pub file: Option<(String, axum::body::Bytes)>,
}

/// Reads a back-office form with a file (`multipart/form-data`): the text
/// fields `spec` names, each once and within its bound, and one file
/// field `file`; anything else is no form of ours (400). Then checks the
/// session's token, before any other work. The body limit bounds the file.
pub async fn read_upload(
    mut multipart: axum::extract::Multipart,
    spec: &Spec,
    file: &str,
    pro: &Pro,
) -> Result<Upload, AppError> {
    let mut upload = Upload::default();
    let mut seen: Vec<String> = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return Err(AppError::BadRequest),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if seen.contains(&name) {
            return Err(AppError::BadRequest);
        }
        if name == file {
            let file_name: String = field
                .file_name()
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect();
            let bytes = field.bytes().await.map_err(|_| AppError::BadRequest)?;
            upload.file = (!bytes.is_empty()).then_some((file_name, bytes));
        } else {
            let max = spec.field(&name).ok_or(AppError::BadRequest)?.max;
            let text = field.text().await.map_err(|_| AppError::BadRequest)?;
            if text.chars().count() > max {
                return Err(AppError::BadRequest);
            }
            upload.fields.0.push((name.clone(), text));
        }
        seen.push(name);
    }
    csrf(&upload.fields, pro)?;
    Ok(upload)
}

/// A page that says one thing and where to go next.
#[derive(Template)]
#[template(path = "backoffice/message.html")]
pub struct MessagePage {
    /// The layout.
    pub b: Base,
    /// The heading.
    pub title: String,
    /// The sentence.
    pub message: String,
    /// Where to go next.
    pub link: String,
    /// The link's words.
    pub link_label: String,
}

/// The back office's error pages, for every error response under `/pro`
/// that is not already a page of ours (`web::error::error_pages`).
pub const ERROR_PAGES: OwnErrorPages = OwnErrorPages {
    prefix: "/pro",
    page: error_page,
};

/// The back office's error page: calm, in French, saying what happened
/// and what to do, with the way back to the dashboard; without the public
/// site's exit button and emergency band, which speak to a person in
/// danger, not to a professional at work.
#[derive(Template)]
#[template(path = "backoffice/error.html")]
struct ErrorPage {
    b: Base,
    title: &'static str,
    message: &'static str,
}

fn error_page(web: &Web, status: StatusCode) -> Result<String, askama::Error> {
    let (title, message) = error_words(status);
    ErrorPage {
        b: Base::anonymous(web),
        title,
        message,
    }
    .render()
}

/// The heading and the sentence of the back office's page for a status.
fn error_words(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 | 415 | 422 => (
            "Cette demande n'a pas pu être lue",
            "Ce qui a été envoyé ne correspond pas à ce que la page attendait. Revenez à la page précédente, rechargez-la, puis réessayez.",
        ),
        403 => (
            "Cette page ne vous est pas ouverte",
            "Votre compte n'a pas accès à cette page ou à ce qu'elle montre. Si vous en avez besoin pour votre travail, demandez-le à la personne qui vous a invité·e sur Relais.",
        ),
        404 | 405 => (
            "Cette page n'existe pas",
            "L'adresse est peut-être incomplète, ou ce qu'elle montrait a été archivé ou effacé.",
        ),
        408 => (
            "La réponse a pris trop de temps",
            "Le serveur n'a pas pu finir à temps. Réessayez dans un moment.",
        ),
        409 => (
            "Cette action ne peut plus être faite",
            "Quelqu'un l'a peut-être faite juste avant vous. Rechargez la page pour voir où en sont les choses.",
        ),
        413 => (
            "L'envoi est trop lourd",
            "Un formulaire accepte 256 Ko au plus, un fichier à importer 8 Mo. Allégez ou découpez ce que vous envoyez, puis réessayez.",
        ),
        429 => (
            "Trop de demandes en peu de temps",
            "Pour protéger les comptes, le nombre de demandes par minute est limité. Attendez une minute, puis réessayez.",
        ),
        _ => (
            "Une erreur est survenue de notre côté",
            "Ce n'est pas de votre fait. Réessayez dans quelques minutes ; si cela continue, prévenez la personne qui administre Relais.",
        ),
    }
}

/// The largest body of a back-office form; only the import takes more.
pub const FORM_LIMIT: usize = 256 * 1024;

/// A back-office route, as the route-walking tests see it.
#[derive(Clone, Debug)]
pub struct Screen {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The route as registered.
    pub pattern: &'static str,
    /// The route with the placeholders tests fill: `{t}` a territory, `{o}`
    /// an organisation, `{s}` a service, `{u}` an account, `{f}` an export
    /// format, `{r}` a referral.
    pub example: &'static str,
    /// The form it takes (a `POST`).
    pub form: Option<&'static Spec>,
    /// The query string it reads.
    pub query: Option<&'static Spec>,
    /// Whether its form is a file upload (`multipart/form-data`).
    pub upload: bool,
}

/// The back office's route registry: a router, and every route added to it
/// with its form, so that tests walk every screen that exists instead of a
/// list kept by hand.
#[derive(Debug)]
pub struct Screens<S = ()> {
    router: Router<S>,
    list: Vec<Screen>,
}

impl<S: Clone + Send + Sync + 'static> Default for Screens<S> {
    fn default() -> Self {
        Self {
            router: Router::new(),
            list: Vec::new(),
        }
    }
}

impl<S: Clone + Send + Sync + 'static> Screens<S> {
    /// No route yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn add(
        mut self,
        method: &'static str,
        pattern: &'static str,
        example: &'static str,
        form: Option<&'static Spec>,
        route: MethodRouter<S>,
    ) -> Self {
        self.router = self.router.route(pattern, route);
        self.list.push(Screen {
            method,
            pattern,
            example,
            form,
            query: None,
            upload: false,
        });
        self
    }

    /// A page.
    #[must_use]
    pub fn get<H, T>(self, pattern: &'static str, handler: H) -> Self
    where
        H: Handler<T, S>,
        T: 'static,
    {
        self.add("GET", pattern, pattern, None, get(handler))
    }

    /// A page whose path has parameters the tests cannot guess.
    #[must_use]
    pub fn get_like<H, T>(self, pattern: &'static str, example: &'static str, handler: H) -> Self
    where
        H: Handler<T, S>,
        T: 'static,
    {
        self.add("GET", pattern, example, None, get(handler))
    }

    /// A form, read through `form`.
    #[must_use]
    pub fn post<H, T>(self, pattern: &'static str, form: &'static Spec, handler: H) -> Self
    where
        H: Handler<T, S>,
        T: 'static,
    {
        self.add("POST", pattern, pattern, Some(form), post(handler))
    }

    /// A form whose path has parameters the tests cannot guess.
    #[must_use]
    pub fn post_like<H, T>(
        self,
        pattern: &'static str,
        example: &'static str,
        form: &'static Spec,
        handler: H,
    ) -> Self
    where
        H: Handler<T, S>,
        T: 'static,
    {
        self.add("POST", pattern, example, Some(form), post(handler))
    }

    /// A file upload, its fields read through `form`; it alone takes a body
    /// larger than [`FORM_LIMIT`], up to [`BODY_LIMIT`].
    #[must_use]
    pub fn upload<H, T>(self, pattern: &'static str, form: &'static Spec, handler: H) -> Self
    where
        H: Handler<T, S>,
        T: 'static,
    {
        let mut screens = self.add(
            "POST",
            pattern,
            pattern,
            Some(form),
            post(handler).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        );
        if let Some(last) = screens.list.last_mut() {
            last.upload = true;
        }
        screens
    }

    /// Says which query string the route just added reads.
    #[must_use]
    pub fn query(mut self, spec: &'static Spec) -> Self {
        if let Some(last) = self.list.last_mut() {
            last.query = Some(spec);
        }
        self
    }

    /// Adds every screen of a capability, given the capability's state.
    #[must_use]
    ///
    /// Without a state only the list grows: that is for tools that read
    /// the routes without serving them.
    pub fn merge<T: Clone + Send + Sync + 'static>(
        mut self,
        other: Screens<T>,
        state: Option<T>,
    ) -> Self {
        if let Some(state) = state {
            self.router = self.router.merge(other.router.with_state(state));
        }
        self.list.extend(other.list);
        self
    }

    /// Every route added.
    pub fn list(&self) -> &[Screen] {
        &self.list
    }
}

/// The routes of the back office: `open` (signing in) to anyone, `guarded`
/// behind a complete session ([`session::require`]); with their own body
/// limit (a form is small; only the import takes a file) and timeout (an
/// import takes a while). The application merges them after the public
/// site's layers: they share its error pages, compression and security
/// headers.
pub fn router(web: Web, open: Screens, guarded: Screens) -> Router {
    let guarded = guarded.router.route_layer(middleware::from_fn_with_state(
        web.clone(),
        session::require,
    ));
    open.router
        .merge(guarded)
        .layer(middleware::from_fn_with_state(
            web.clone(),
            session::same_origin,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .layer(middleware::from_fn_with_state(
            web,
            crate::web::ratelimit::limit,
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_status_has_back_office_words_that_never_send_to_the_emergency_numbers() {
        let statuses = [
            400, 403, 404, 405, 408, 409, 413, 415, 422, 429, 500, 502, 503, 504,
        ];
        let mut headings = std::collections::BTreeSet::new();
        for code in statuses {
            let status = StatusCode::from_u16(code).unwrap();
            let (title, message) = error_words(status);
            assert!(!title.is_empty() && message.ends_with('.'), "{code}");
            for number in ["17", "112", "114", "3919"] {
                assert!(!message.contains(number), "{code}: {message}");
            }
            headings.insert(title);
        }
        // Each kind of trouble is told apart: 400, 403, 404, 408, 409, 413,
        // 429 and the server's own errors.
        assert_eq!(headings.len(), 8, "{headings:?}");
    }
}
