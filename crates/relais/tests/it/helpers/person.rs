//! The person who asks for help, as the public side meets her: anonymous,
//! without JavaScript, carrying from page to page nothing but the
//! conversation's sealed token. She answers the conversation, reaches the
//! orientation, sends her report and follows it up with her receipt.
//!
//! Every public form is a plain POST; `Person` keeps the token the last page
//! gave, as a browser keeps the hidden field of the form it shows.

use relais::storage::OrganisationId;

use crate::helpers::TestApp;
use crate::helpers::page::{between, field, hidden};

/// A person on the public side: no cookie, no account.
pub struct Person<'a> {
    app: &'a TestApp,
    /// The language prefix of the addresses she visits (`""`, `"/en"`…).
    lang: &'static str,
    /// The conversation's progress, as the last page sealed it.
    pub token: String,
    /// The last page of the conversation she was shown.
    pub html: String,
    /// Its status.
    pub status: u16,
}

impl<'a> Person<'a> {
    /// Someone who has not opened the conversation yet (`TestApp::person`).
    pub(super) fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            lang: "",
            token: String::new(),
            html: String::new(),
            status: 0,
        }
    }

    /// The same person, reading the site in the language of `prefix`.
    pub fn in_language(self, prefix: &'static str) -> Self {
        Self {
            lang: prefix,
            ..self
        }
    }

    /// Opens the conversation at `/aide`.
    pub async fn arrives(mut self) -> Self {
        let (status, html) = self.app.get_text(&format!("{}/aide", self.lang)).await;
        assert_eq!(status, 200);
        self.token = field(&html, "t").unwrap_or_default();
        self.html = html;
        self.status = status;
        self
    }

    /// Posts the current form with these fields.
    pub async fn sends(&mut self, fields: &[(&str, &str)]) -> &str {
        let mut form: Vec<(&str, &str)> = vec![("t", &self.token)];
        form.extend_from_slice(fields);
        let (status, html) = self
            .app
            .post_text(&format!("{}/aide", self.lang), &form)
            .await;
        self.status = status;
        self.html = html;
        if let Some(token) = field(&self.html, "t").filter(|token| !token.is_empty()) {
            self.token = token;
        }
        &self.html
    }

    /// Answers `step` with one field.
    pub async fn answers(&mut self, step: &str, field: &str, value: &str) -> &str {
        self.sends(&[("etape", step), (field, value)]).await
    }

    /// Goes on from `step` without changing its answer.
    pub async fn continues(&mut self, step: &str) -> &str {
        self.sends(&[("etape", step), ("action", "repondre")]).await
    }

    /// The step the last page asks.
    pub fn asked(&self) -> String {
        field(&self.html, "etape").unwrap_or_default()
    }

    /// From the start to the commune question, as an adult not in danger.
    pub async fn reaches_the_commune(&mut self) {
        self.answers("formulaire", "choix", "oui").await;
        self.answers("age", "nombre", "34").await;
        self.answers("danger", "choix", "non").await;
        self.answers("concerne", "choix", "moi").await;
        self.sends(&[
            ("etape", "violences"),
            ("choix", "physiques"),
            ("choix", "psychologiques"),
            ("action", "repondre"),
        ])
        .await;
        self.answers("enfants", "choix", "non").await;
        assert_eq!(self.asked(), "commune", "{}", self.html);
    }

    /// Walks the whole conversation to the orientation, at
    /// Montreuil-sur-Mer, needing legal advice, with `story` as her own
    /// words; returns the page.
    pub async fn reaches_the_orientation(&mut self, story: &str) -> String {
        let steps: Vec<Vec<(&str, &str)>> = vec![
            vec![("etape", "formulaire"), ("choix", "oui")],
            vec![("etape", "age"), ("nombre", "34")],
            vec![("etape", "danger"), ("choix", "non")],
            vec![("etape", "concerne"), ("choix", "moi")],
            vec![("etape", "violences"), ("action", "passer")],
            vec![("etape", "enfants"), ("choix", "oui")],
            vec![("etape", "commune"), ("lieu", "Montreuil-sur-Mer")],
            vec![
                ("etape", "besoins"),
                ("choix", "droits"),
                ("action", "repondre"),
            ],
            vec![("etape", "prenom"), ("texte", "Camille")],
            vec![
                ("etape", "contact"),
                ("canal", "sms"),
                ("coordonnee", "06 12 34 56 78"),
                ("moments", "le matin"),
                ("nom_neutre", "Madame Martin"),
                ("action", "repondre"),
            ],
            vec![("etape", "message"), ("texte", story)],
            vec![("etape", "resume"), ("action", "repondre")],
        ];
        for fields in steps {
            self.sends(&fields).await;
        }
        assert!(
            self.html.contains("(exemple)"),
            "the orientation: {}",
            self.html
        );
        self.html.clone()
    }

    /// Reaches the orientation with `story`, then sends her report to
    /// `organisation` with the form as `send_form` fills it; returns the
    /// receipt.
    pub async fn sends_report(&mut self, organisation: &OrganisationId, story: &str) -> String {
        let outcome = self.reaches_the_orientation(story).await;
        let form = vec![
            ("t".to_owned(), hidden(&outcome, "t")),
            ("organisation".to_owned(), organisation.to_string()),
        ];
        let (status, page) = self.app.post_text("/envoyer", &form).await;
        assert_eq!(status, 200, "{page}");
        let (status, sent) = self
            .app
            .post_text("/envoyer/confirmer", &send_form(&page))
            .await;
        assert_eq!(status, 200, "{sent}");
        receipt_of(&sent)
    }

    /// Follows up her report at `/suivi` with these fields (`code`, and an
    /// `action`); returns the status and the page.
    pub async fn follows_up(&self, fields: &[(&str, &str)]) -> (u16, String) {
        self.app.post_text("/suivi", fields).await
    }
}

/// The form of `/envoyer`, as the person fills it.
pub fn send_form(page: &str) -> Vec<(String, String)> {
    vec![
        ("t".to_owned(), hidden(page, "t")),
        ("organisation".to_owned(), hidden(page, "organisation")),
        ("canal".to_owned(), "sms".to_owned()),
        ("coordonnee".to_owned(), "06 12 34 56 78".to_owned()),
        ("moments".to_owned(), "le matin".to_owned()),
        ("message_ok".to_owned(), "oui".to_owned()),
        ("nom_neutre".to_owned(), "Madame Martin".to_owned()),
        ("urgent".to_owned(), "oui".to_owned()),
        ("consentement".to_owned(), "oui".to_owned()),
    ]
}

/// The organisation of the first "Envoyer mon récit" button.
pub fn first_sender(html: &str) -> OrganisationId {
    let button = html
        .find("formaction=")
        .expect("an organisation that receives referrals");
    hidden(&html[button..], "organisation").into()
}

/// The receipt shown on a page, as typed back: 16 digits in four groups.
pub fn receipt_of(html: &str) -> String {
    between(html, "<p class=\"receipt\"", "</strong>")
        .and_then(|p| p.split_once("<strong"))
        .and_then(|(_, strong)| strong.split_once('>'))
        .map(|(_, receipt)| receipt)
        .unwrap_or_else(|| panic!("a receipt in {html}"))
        .to_owned()
}
