//! The territory's voice: who runs the service locally and with whom (the
//! coordinating association, its partners: the court, the bar,
//! associations), how professionals can join, and its logo; and the public
//! pages that show it, the home page and `/a-propos`.
//!
//! The texts are plain paragraphs, never Markdown nor HTML (the templates
//! escape them). French is required for the voice to show at all; English
//! and Arabic are optional, and a page in a language the voice lacks shows
//! the French. A logo is a PNG or a JPEG (an SVG can carry a script),
//! recognised by its first bytes, served by us under an address that
//! carries its digest.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::directory::DirectoryState;
use crate::directory::contact::{Phone, check_email};
use crate::directory::orientation::Index;
use crate::directory::storage as directory_storage;
use crate::directory::territories::Territory;
use crate::web::error::AppError;
use crate::web::i18n::Lang;
use crate::web::layout::{Chrome, PageContext};
use crate::web::{Site, render};

/// The longest presentation, in characters.
pub const PRESENTATION_MAX: usize = 2000;
/// The longest list of partners, in characters (one a line).
pub const PARTNERS_MAX: usize = 3000;
/// The most partners listed.
pub const PARTNERS_MOST: usize = 40;
/// The longest partner line, in characters.
pub const PARTNER_MAX: usize = 200;
/// The longest sentence on how professionals join, in characters.
pub const JOIN_MAX: usize = 1000;
/// The largest logo, in bytes.
pub const LOGO_MAX: usize = 200 * 1024;

/// The voice's words in one language.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceText {
    /// Who runs the service locally, in paragraphs (blank lines between).
    #[serde(default)]
    pub presentation: String,
    /// Its partners, one a line (« Tribunal judiciaire de Boulogne-sur-Mer »).
    #[serde(default)]
    pub partners: Vec<String>,
    /// How a professional can join, in a sentence or two.
    #[serde(default)]
    pub join: String,
}

impl VoiceText {
    /// Whether nothing is written.
    pub fn is_empty(&self) -> bool {
        self.presentation.trim().is_empty() && self.partners.is_empty() && self.join.is_empty()
    }

    /// The presentation's paragraphs.
    pub fn paragraphs(&self) -> Vec<&str> {
        paragraphs(&self.presentation)
    }

    /// The joining sentence's paragraphs.
    pub fn join_paragraphs(&self) -> Vec<&str> {
        paragraphs(&self.join)
    }
}

fn paragraphs(text: &str) -> Vec<&str> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// A territory's logo, as pages link to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogoRef {
    /// `image/png` or `image/jpeg`.
    pub content_type: String,
    /// SHA-256 of the image, hex.
    pub digest: String,
}

/// A territory's voice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Voice {
    /// The words, by language code (`fr`, `en`, `ar`).
    pub texts: BTreeMap<String, VoiceText>,
    /// The e-mail professionals write to, to join.
    pub join_email: Option<String>,
    /// The telephone professionals call, to join (canonical form).
    pub join_phone: Option<String>,
    /// The logo, if one was given.
    pub logo: Option<LogoRef>,
}

impl Voice {
    /// The words a page in `lang` shows: that language's, else the French;
    /// nothing without French.
    pub fn text(&self, lang: Lang) -> Option<&VoiceText> {
        let french = self
            .texts
            .get("fr")
            .filter(|t| !t.presentation.trim().is_empty())?;
        Some(
            self.texts
                .get(lang.code())
                .filter(|t| !t.presentation.trim().is_empty())
                .unwrap_or(french),
        )
    }

    /// Whether a page shows anything of it.
    pub fn shows(&self) -> bool {
        self.text(Lang::Fr).is_some()
    }
}

/// The voice's fields as the form posts them, in one language.
#[derive(Debug, Default)]
pub struct VoiceTextFile {
    /// Presentation.
    pub presentation: String,
    /// Partners, one a line.
    pub partners: String,
    /// How to join.
    pub join: String,
}

/// Checks a voice as typed, returning every problem (each starting with
/// the field it concerns, `presentation_en : …`) rather than the first.
pub fn check_voice(
    texts: &[(Lang, VoiceTextFile)],
    join_email: &str,
    join_phone: &str,
) -> Result<Voice, Vec<String>> {
    let mut problems = Vec::new();
    let mut voice = Voice::default();
    for (lang, file) in texts {
        let code = lang.code();
        let presentation = file.presentation.trim().replace("\r\n", "\n");
        if presentation.chars().count() > PRESENTATION_MAX {
            problems.push(format!(
                "presentation_{code} : {PRESENTATION_MAX} caractères au plus"
            ));
        }
        let partners: Vec<String> = file
            .partners
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if partners.len() > PARTNERS_MOST {
            problems.push(format!(
                "partners_{code} : {PARTNERS_MOST} partenaires au plus"
            ));
        }
        if partners.iter().any(|p| p.chars().count() > PARTNER_MAX) {
            problems.push(format!(
                "partners_{code} : {PARTNER_MAX} caractères au plus par ligne"
            ));
        }
        let join = file.join.trim().replace("\r\n", "\n");
        if join.chars().count() > JOIN_MAX {
            problems.push(format!("join_{code} : {JOIN_MAX} caractères au plus"));
        }
        let text = VoiceText {
            presentation,
            partners,
            join,
        };
        if *lang != Lang::Fr && !text.is_empty() && text.presentation.is_empty() {
            problems.push(format!(
                "presentation_{code} : la présentation manque, les autres champs de cette langue ne seraient pas montrés"
            ));
        }
        if !text.is_empty() {
            voice.texts.insert(code.to_owned(), text);
        }
    }
    if !voice.texts.is_empty()
        && voice
            .texts
            .get("fr")
            .is_none_or(|t| t.presentation.is_empty())
    {
        problems.push(
            "presentation_fr : la présentation en français est nécessaire : sans elle, rien n'est montré"
                .to_owned(),
        );
    }
    let email = join_email.trim();
    if !email.is_empty() {
        match check_email(email) {
            Ok(email) => voice.join_email = Some(email),
            Err(e) => problems.push(format!("join_email : {e}")),
        }
    }
    let phone = join_phone.trim();
    if !phone.is_empty() {
        match Phone::parse(phone) {
            Ok(phone) => voice.join_phone = Some(phone.to_string()),
            Err(e) => problems.push(format!("join_phone : {e}")),
        }
    }
    if problems.is_empty() {
        Ok(voice)
    } else {
        Err(problems)
    }
}

/// A logo checked: its content type and digest.
#[derive(Debug, PartialEq, Eq)]
pub struct CheckedLogo {
    /// `image/png` or `image/jpeg`.
    pub content_type: &'static str,
    /// SHA-256, hex.
    pub digest: String,
}

/// Checks a logo by its first bytes and its size: a PNG or a JPEG of
/// [`LOGO_MAX`] bytes at most. What it says is the reason, in French.
pub fn check_logo(bytes: &[u8]) -> Result<CheckedLogo, String> {
    if bytes.len() > LOGO_MAX {
        return Err(format!(
            "Le logo pèse {} Ko : {} Ko au plus.",
            bytes.len().div_ceil(1024),
            LOGO_MAX / 1024
        ));
    }
    let content_type = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else {
        return Err("Le logo doit être une image PNG ou JPEG.".to_owned());
    };
    Ok(CheckedLogo {
        content_type,
        digest: hex::encode(sha2::Sha256::digest(bytes)),
    })
}

// ---------------------------------------------------------------- pages

/// Adds the home page, `/a-propos` and the logos.
pub fn routes(site: Site<DirectoryState>) -> Site<DirectoryState> {
    site.page("/", get(home))
        .page("/a-propos", get(about))
        .endpoint(
            "/territoires/{t}/logo/{digest}",
            "/territoires/montreuillois/logo/0",
            get(logo),
        )
}

/// A territory's voice as a page shows it.
#[derive(Debug)]
pub struct VoiceView {
    /// The territory's name.
    pub name: String,
    /// Its words in the page's language (or French).
    pub text: VoiceText,
    /// Whether those words are in another language than the page's.
    pub lang: Option<&'static str>,
    /// E-mail to join.
    pub join_email: Option<String>,
    /// Telephone to join.
    pub join_phone: Option<String>,
    /// Its `tel:` link.
    pub join_tel: String,
    /// The logo's address.
    pub logo: Option<String>,
}

fn view(index: &Index, territory: &Territory, lang: Lang) -> Option<VoiceView> {
    let voice = index.voice(territory.slug.as_str())?;
    let text = voice.text(lang)?;
    let own = voice.texts.get(lang.code()).is_some_and(|t| t == text);
    Some(VoiceView {
        name: territory.name.clone(),
        text: text.clone(),
        lang: (!own).then_some("fr"),
        join_email: voice.join_email.clone(),
        join_phone: voice.join_phone.clone(),
        join_tel: voice
            .join_phone
            .as_deref()
            .and_then(|p| Phone::parse(p).ok())
            .map(|p| format!("tel:{}", p.tel()))
            .unwrap_or_default(),
        logo: voice
            .logo
            .as_ref()
            .map(|l| format!("/territoires/{}/logo/{}", territory.slug, l.digest)),
    })
}

#[derive(Template)]
#[template(path = "web/home.html")]
struct Home<'a> {
    c: Chrome<'a>,
    /// The entry's territory is suspended.
    suspended: bool,
    voice: Option<VoiceView>,
}

async fn home(
    State(app): State<DirectoryState>,
    context: PageContext,
) -> Result<Html<String>, AppError> {
    let index = app.directory.index();
    let territory = index.page_territory(context.territory.as_deref());
    let suspended = territory.is_some_and(|t| t.suspended);
    let voice = territory
        .filter(|t| !t.suspended)
        .and_then(|t| view(&index, t, context.lang));
    render(&Home {
        c: Chrome::new(&app, &context),
        suspended,
        voice,
    })
}

#[derive(Template)]
#[template(path = "directory/about.html")]
struct About<'a> {
    c: Chrome<'a>,
    voices: Vec<VoiceView>,
}

/// `/a-propos`: the voice of the page's territory, else (the national
/// entry of several territories) of each active territory.
async fn about(
    State(app): State<DirectoryState>,
    context: PageContext,
) -> Result<Html<String>, AppError> {
    let index = app.directory.index();
    let voices = match index.page_territory(context.territory.as_deref()) {
        Some(territory) if territory.suspended => Vec::new(),
        Some(territory) => view(&index, territory, context.lang).into_iter().collect(),
        None => index
            .territories()
            .filter(|t| !t.suspended)
            .filter_map(|t| view(&index, t, context.lang))
            .collect(),
    };
    render(&About {
        c: Chrome::new(&app, &context),
        voices,
    })
}

/// A territory's logo, under an address that carries its digest: cached
/// for a year, since another logo has another address.
async fn logo(
    State(app): State<DirectoryState>,
    Path((slug, digest)): Path<(String, String)>,
) -> Result<Response, AppError> {
    if slug.len() > 64 || digest.len() > 64 {
        return Err(AppError::NotFound);
    }
    let Some((content_type, stored, image)) = directory_storage::logo(&app.db, &slug).await? else {
        return Err(AppError::NotFound);
    };
    if stored != digest {
        return Err(AppError::NotFound);
    }
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CACHE_CONTROL,
                "public, max-age=31536000, immutable".to_owned(),
            ),
            (header::ETAG, format!("\"{stored}\"")),
        ],
        image,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(presentation: &str) -> VoiceTextFile {
        VoiceTextFile {
            presentation: presentation.to_owned(),
            partners: "Tribunal judiciaire de Boulogne-sur-Mer\n\n  Barreau de Boulogne-sur-Mer \n"
                .to_owned(),
            join: "Écrivez-nous.".to_owned(),
        }
    }

    #[test]
    fn a_voice_shows_its_language_else_the_french_and_nothing_without_french() {
        let voice = check_voice(
            &[
                (Lang::Fr, text("L'association coordonne.")),
                (Lang::En, text("The association coordinates.")),
                (Lang::Ar, VoiceTextFile::default()),
            ],
            "contact@example.org",
            "03 21 00 00 00",
        )
        .unwrap();
        assert_eq!(
            voice.text(Lang::En).unwrap().presentation,
            "The association coordinates."
        );
        assert_eq!(
            voice.text(Lang::Ar).unwrap().presentation,
            "L'association coordonne."
        );
        assert_eq!(
            voice.text(Lang::Fr).unwrap().partners,
            [
                "Tribunal judiciaire de Boulogne-sur-Mer",
                "Barreau de Boulogne-sur-Mer"
            ]
        );
        assert!(!Voice::default().shows());
        let problems = check_voice(&[(Lang::En, text("Only English."))], "", "").unwrap_err();
        assert!(
            problems[0].starts_with("presentation_fr : "),
            "{problems:?}"
        );
    }

    #[test]
    fn every_field_of_a_voice_is_bounded_and_its_contact_checked() {
        let long = VoiceTextFile {
            presentation: "a".repeat(PRESENTATION_MAX + 1),
            partners: "b".repeat(PARTNER_MAX + 1),
            join: "c".repeat(JOIN_MAX + 1),
        };
        let problems = check_voice(&[(Lang::Fr, long)], "pas une adresse", "12").unwrap_err();
        let fields: Vec<&str> = problems
            .iter()
            .map(|p| p.split(" : ").next().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "presentation_fr",
                "partners_fr",
                "join_fr",
                "join_email",
                "join_phone"
            ]
        );
    }

    #[test]
    fn a_logo_is_a_png_or_a_jpeg_by_its_first_bytes_and_small() {
        let png = b"\x89PNG\r\n\x1a\nrest";
        assert_eq!(check_logo(png).unwrap().content_type, "image/png");
        assert_eq!(
            check_logo(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap().content_type,
            "image/jpeg"
        );
        assert!(check_logo(b"<svg onload=\"alert(1)\"/>").is_err());
        let mut big = png.to_vec();
        big.resize(LOGO_MAX + 1, 0);
        assert!(check_logo(&big).unwrap_err().contains("200 Ko"));
        assert_eq!(check_logo(png).unwrap().digest.len(), 64);
    }
}
