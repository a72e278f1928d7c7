//! The back office's people, as the tests make them: accounts enrolled
//! with a password and a second factor (`Account`, made through
//! `NewAccount`), a browser without JavaScript that signs in through the
//! real forms (`Session`), a session signed in as one account (`SignedIn`),
//! and the referral keys a professional's browser would hold (`give_key`,
//! `Member`).
//!
//! Nothing here takes a shortcut past the server's own checks: an account
//! is stored as the invitation would leave it, and signing in goes through
//! the password, the authenticator's code and the form token, as a person
//! at work does.

use std::collections::HashMap;
use std::future::{Future, IntoFuture};
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use relais::accounts::{password, totp};
use relais::backoffice::storage::{self as accounts, Role};
use relais::referral::envelope::PrivateKey;
use relais::referral::storage::{self as referrals, KeyRecord};
use relais::storage::{OrganisationId, ReferralId, UserId};
use reqwest::header;

use crate::helpers::TestApp;
use crate::helpers::page::{Page, hidden};

/// The password of every account a test makes.
pub const PASSWORD: &str = "une phrase de passe assez longue";

/// An account made for a test, with its authenticator's secret and, for a
/// professional made `with_key`, the private key their browser would hold.
pub struct Account {
    pub id: UserId,
    pub email: String,
    pub secret: Vec<u8>,
    key: Option<PrivateKey>,
}

impl Account {
    /// The code the authenticator shows `offset` seconds from now.
    pub fn code(&self, offset: i64) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        totp::code_at(&self.secret, &self.email, now.saturating_add_signed(offset))
    }

    /// The private key of a professional made `with_key`.
    pub fn key(&self) -> &PrivateKey {
        self.key
            .as_ref()
            .unwrap_or_else(|| panic!("{} was made without a key", self.email))
    }
}

/// An account about to be made (from `TestApp::professional`,
/// `coordinator` or `administrator`). Awaited, it is made and signed in in a
/// `Session` of its own; `account()` makes it only, for a test that signs
/// in itself.
#[must_use = "an account is made only when awaited"]
pub struct NewAccount<'a> {
    app: &'a TestApp,
    email: String,
    role: Role,
    organisation: Option<OrganisationId>,
    territories: Vec<String>,
    with_key: bool,
}

impl<'a> NewAccount<'a> {
    pub(super) fn new(
        app: &'a TestApp,
        email: &str,
        role: Role,
        organisation: Option<&OrganisationId>,
        territories: &[&str],
    ) -> Self {
        Self {
            app,
            email: email.to_owned(),
            role,
            organisation: organisation.cloned(),
            territories: territories.iter().map(|t| (*t).to_owned()).collect(),
            with_key: false,
        }
    }

    /// A professional who has made their referral key: every referral to
    /// their organisation is then sealed for them too.
    pub fn with_key(self) -> Self {
        Self {
            with_key: true,
            ..self
        }
    }

    /// Makes the account, fully enrolled, without signing in.
    pub async fn account(self) -> Account {
        let Self {
            app,
            email,
            role,
            organisation,
            territories,
            with_key,
        } = self;
        let db = &app.state.db;
        let id = crate::committed!(
            db,
            accounts::create_user,
            &email,
            role,
            organisation.as_ref(),
            &territories
        );
        let hashed = password::hash(PASSWORD).await;
        crate::committed!(db, accounts::set_password, &id, &hashed);
        let secret = totp::new_secret();
        let keys = totp::Keys::new(&app.state.secret);
        crate::committed!(db, accounts::set_totp, &id, &keys.seal(&secret), 0);
        let key = if with_key {
            Some(give_key(app, &id).await)
        } else {
            None
        };
        Account {
            id,
            email,
            secret,
            key,
        }
    }
}

impl<'a> IntoFuture for NewAccount<'a> {
    type Output = SignedIn<'a>;
    type IntoFuture = Pin<Box<dyn Future<Output = SignedIn<'a>> + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let app = self.app;
            let account = self.account().await;
            let mut session = Session::new(app);
            session.sign_in(&account).await;
            SignedIn { account, session }
        })
    }
}

/// A session signed in as `account`, with the code of this moment. It is
/// used as the `Session` it holds (`coordinator.get(..)`,
/// `coordinator.submit(..)`), and gives the account for what the test
/// checks (`coordinator.account.id`).
pub struct SignedIn<'a> {
    pub account: Account,
    session: Session<'a>,
}

impl<'a> Deref for SignedIn<'a> {
    type Target = Session<'a>;

    fn deref(&self) -> &Session<'a> {
        &self.session
    }
}

impl DerefMut for SignedIn<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.session
    }
}

/// The back office as a browser without JavaScript meets it, as the tests
/// drive it: it keeps the session cookie, says where its forms come from,
/// and adds the session's form token when asked to.
pub struct Session<'a> {
    app: &'a TestApp,
    /// The session cookie's value, once signed in (or planted by a test).
    pub cookie: Option<String>,
    /// The session's form token, once signed in.
    pub csrf: String,
}

impl<'a> Session<'a> {
    /// A browser that has not signed in.
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookie: None,
            csrf: String::new(),
        }
    }

    fn remember(&mut self, page: &Page) {
        if let Some(cookie) = page.session_cookie() {
            self.cookie = (!cookie.is_empty()).then_some(cookie);
        }
    }

    /// A request to `path` that carries the session cookie, for a test that
    /// sends what no page of the site would.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut request = self.app.client.request(method, self.app.url(path));
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, format!("__Host-relais={cookie}"));
        }
        request
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let page = Page::read(
            self.request(reqwest::Method::GET, path)
                .send()
                .await
                .unwrap(),
        )
        .await;
        self.remember(&page);
        page
    }

    /// Posts a form as a page of the site would (same origin).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let request = self
            .request(reqwest::Method::POST, path)
            .header("sec-fetch-site", "same-origin")
            .header(header::ORIGIN, format!("http://{}", self.app.addr))
            .form(fields);
        let page = Page::read(request.send().await.unwrap()).await;
        self.remember(&page);
        page
    }

    /// Posts a form with the session's token added.
    pub async fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf.clone();
        let mut fields = fields.to_vec();
        fields.push(("csrf", &csrf));
        self.post(path, &fields).await
    }

    /// Posts a file as the import form does.
    pub async fn upload(&mut self, path: &str, name: &str, content: &str) -> Page {
        self.upload_bytes(path, name, content.as_bytes()).await
    }

    /// Posts a file of any bytes (an image) as the upload forms do.
    pub async fn upload_bytes(&mut self, path: &str, name: &str, content: &[u8]) -> Page {
        let boundary = "relais-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n",
            self.csrf
        )
        .into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = self
            .request(reqwest::Method::POST, path)
            .header("sec-fetch-site", "same-origin")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        Page::read(request.send().await.unwrap()).await
    }

    /// Gives e-mail and password on the sign-in page; returns the answer.
    pub async fn give_password(&mut self, email: &str, password: &str, next: &str) -> Page {
        let form = self.get(&format!("/pro/connexion?suite={next}")).await;
        let token = hidden(&form.body, "jeton");
        let suite = hidden(&form.body, "suite");
        self.post(
            "/pro/connexion",
            &[
                ("email", email),
                ("password", password),
                ("jeton", &token),
                ("suite", &suite),
            ],
        )
        .await
    }

    /// Signs in completely with the code `offset` seconds from now; returns
    /// the last answer (a redirect to where the person was going).
    pub async fn sign_in_at(&mut self, who: &Account, offset: i64, next: &str) -> Page {
        self.sign_in_with(who, &who.code(offset), next).await
    }

    /// Signs in completely with this code.
    pub async fn sign_in_with(&mut self, who: &Account, code: &str, next: &str) -> Page {
        let page = self.give_password(&who.email, PASSWORD, next).await;
        assert_eq!(page.status, 303, "{}", page.body);
        assert!(
            page.location().starts_with("/pro/deuxieme-facteur?"),
            "{}",
            page.location()
        );
        let suite = page.location().split_once("suite=").unwrap().1.to_owned();
        let suite: String = form_urlencoded::parse(format!("s={suite}").as_bytes())
            .next()
            .unwrap()
            .1
            .into_owned();
        let page = self
            .post(
                "/pro/deuxieme-facteur",
                &[("code", code), ("suite", &suite)],
            )
            .await;
        if page.status == 303 {
            let home = self.get("/pro").await;
            self.csrf = hidden(&home.body, "csrf");
        }
        page
    }

    /// Signs in with the code of this moment.
    pub async fn sign_in(&mut self, who: &Account) {
        let page = self.sign_in_at(who, 0, "").await;
        assert_eq!(page.status, 303, "{}", page.body);
    }
}

/// A member of an organisation who can receive referrals, stored without a
/// password (they never sign in): the test holds the private key a browser
/// would hold.
pub struct Member {
    pub user_id: UserId,
    pub key: PrivateKey,
}

/// One member with a key in every organisation of the demo territory
/// (`pro0@example.org`, `pro1@example.org`…), by organisation.
pub async fn members_everywhere(app: &TestApp) -> HashMap<OrganisationId, Member> {
    let db = &app.state.db;
    let (organisations, _) = relais::directory::storage::directory(db, Some("montreuillois"))
        .await
        .unwrap();
    let mut members = HashMap::new();
    for (n, organisation) in organisations.iter().enumerate() {
        let user_id = crate::committed!(
            db,
            accounts::create_user,
            &format!("pro{n}@example.org"),
            Role::Professional,
            Some(&organisation.id),
            &[],
        );
        let key = give_key(app, &user_id).await;
        members.insert(organisation.id.clone(), Member { user_id, key });
    }
    members
}

/// Gives `user_id` a new key pair, as their browser makes one (which also
/// replaces the key they had).
pub async fn give_key(app: &TestApp, user_id: &UserId) -> PrivateKey {
    let (key, _) = PrivateKey::generate();
    crate::committed!(
        app.state.db,
        referrals::save_key,
        user_id,
        &key_record(&key)
    );
    app.state
        .referrals
        .refresh_receiving(&app.state.db)
        .await
        .unwrap();
    key
}

/// The kinds of the e-mails the outbox holds for `email`, oldest first.
pub async fn notices_for(app: &TestApp, email: &str) -> Vec<String> {
    relais::with_pool!(&app.state.db, pool => {
        sqlx::query_scalar("SELECT kind FROM outbox WHERE recipient = $1 ORDER BY created_at, id")
            .bind(email)
            .fetch_all(pool)
            .await
            .unwrap()
    })
}

/// A key record as a browser would post it: the public key, and a wrapped
/// private key the server cannot check (random bytes of the right sizes).
pub fn key_record(key: &PrivateKey) -> KeyRecord {
    let random = |n: usize| {
        URL_SAFE_NO_PAD.encode(
            ReferralId::new()
                .as_str()
                .as_bytes()
                .repeat(4)
                .get(..n)
                .unwrap(),
        )
    };
    KeyRecord {
        public_key: key.public_key().encode(),
        salt: random(16),
        iterations: 600_000,
        nonce: random(12),
        wrapped: random(64),
    }
}
