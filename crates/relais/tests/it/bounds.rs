//! Bounds before work. Every field of every form and query the site reads —
//! walked from the route registries (`Site` for the public side, the back
//! office's `Screens`), never listed by hand — is posted at its bound, far
//! beyond it up to the body limit, repeated, and next to fields no form
//! has. Each answer must come within a CPU budget measured on the server's
//! own threads (not the wall clock), and never be a server error. And every
//! form a page shows must be one its route reads, with bounds that agree.

use std::time::Duration;

use relais::backoffice::{self, FORM_LIMIT, Screen};
use relais::web::form::Spec;
use relais::web::i18n::Lang;

use crate::helpers::TestApp;
use crate::helpers::professional::Session;

/// What a request may cost the server, whatever it carries: a fixed part
/// (routing, a page rendered in a debug build) and a part linear in the
/// body (reading it once). A quadratic algorithm on 64 KiB, as the commune
/// search was, costs seconds.
fn budget(body_bytes: usize) -> Duration {
    Duration::from_millis(60) + Duration::from_nanos(40 * body_bytes as u64)
}

/// The largest body of a public form, as the test settings have it.
fn public_limit(app: &TestApp) -> usize {
    app.state.settings.body_limit
}

/// A value of `len` bytes that every text field takes: letters a person
/// could type, with a space now and then (the commune search folds words).
fn filler(len: usize) -> String {
    "saint-pierre montreuil "
        .chars()
        .cycle()
        .take(len)
        .collect()
}

/// The bodies to try against `spec` within `limit` bytes, with a name for
/// each: every field at its bound, every field beyond it up to the limit,
/// a field repeated until the limit, a field no form has.
fn bodies(spec: &Spec, limit: usize, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let prefix: String = extra
        .iter()
        .map(|(k, v)| format!("{k}={}&", urlencode(v)))
        .collect();
    let room = limit.saturating_sub(prefix.len() + 64);
    let mut bodies = Vec::new();
    for field in spec.fields.iter() {
        let at_bound = filler(field.max.min(room));
        bodies.push((
            format!("{} at its bound", field.name),
            format!("{prefix}{}={}", field.name, urlencode(&at_bound)),
        ));
        bodies.push((
            format!("{} at the body limit", field.name),
            format!("{prefix}{}={}", field.name, "a".repeat(room)),
        ));
        let one = format!("&{}=a", field.name);
        bodies.push((
            format!("{} repeated", field.name),
            format!(
                "{prefix}{}",
                one.repeat(room / one.len()).trim_start_matches('&')
            ),
        ));
    }
    bodies.push((
        "a field no form has".to_owned(),
        format!("{prefix}structure_id={}", "a".repeat(room)),
    ));
    bodies
}

fn urlencode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Sends `request`, and checks what it cost the server.
async fn within_budget(app: &TestApp, what: &str, bytes: usize, request: reqwest::RequestBuilder) {
    let before = app.server_cpu();
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let _ = response.bytes().await;
    let spent = app.server_cpu().saturating_sub(before);
    if std::env::var_os("RELAIS_SHOW_CPU").is_some() {
        eprintln!(
            "cpu {:>9.3} ms  {bytes:>8} B  {status}  {what}",
            spent.as_secs_f64() * 1000.0
        );
    }
    assert!(
        status < 500,
        "{what}: a server error ({status}) instead of a calm refusal"
    );
    assert!(
        spent <= budget(bytes),
        "{what}: {spent:?} of server CPU for {bytes} bytes (budget {:?})",
        budget(bytes)
    );
}

/// The referral screens are a professional's; the rest an administrator's.
fn is_referral_screen(screen: &Screen) -> bool {
    ["/pro/cle", "/pro/demandes", "/pro/acces"]
        .iter()
        .any(|prefix| screen.example.starts_with(prefix))
}

#[tokio::test]
async fn no_field_of_any_form_or_query_makes_a_request_cost_more_than_its_budget() {
    let app = TestApp::spawn_measured().await;
    let db = &app.state.db;
    let (organisations, services) =
        relais::directory::storage::directory(db, Some("montreuillois"))
            .await
            .unwrap();
    let organisation = organisations[0].id.clone();
    let admin = app.administrator().account().await;
    let professional = app
        .professional("pro@example.org", &organisation)
        .with_key()
        .account()
        .await;
    app.person().sends_report(&organisation, "Un récit.").await;
    let referral = relais::referral::storage::inbox(db, &organisation)
        .await
        .unwrap()[0]
        .id
        .clone();
    let mut as_admin = Session::new(&app);
    as_admin.sign_in(&admin).await;
    let mut as_professional = Session::new(&app);
    as_professional.sign_in(&professional).await;
    let fill = |example: &str| {
        example
            .replace("{t}", "montreuillois")
            .replace("{o}", organisation.as_str())
            .replace("{s}", services[0].id.as_str())
            .replace("{u}", professional.id.as_str())
            .replace("{f}", "csv")
            .replace("{r}", referral.as_str())
            .replace("{i}", "pas-une-invitation")
    };
    let mut tried = 0;

    // The public site, in every language.
    for route in app
        .routes
        .iter()
        .filter(|r| r.form.is_some() || r.query.is_some())
    {
        for lang in Lang::ALL {
            let path = lang.path(route.path);
            if let Some(form) = route.form {
                for (what, body) in bodies(form, public_limit(&app), &[]) {
                    let request = app
                        .client
                        .post(app.url(&path))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(body.clone());
                    within_budget(&app, &format!("POST {path}: {what}"), body.len(), request).await;
                    tried += 1;
                }
            }
        }
    }
    // Routes that take a POST without reading a form (quick exit) are not
    // slowed by a body either.
    let junk = "x=".to_owned() + &"a".repeat(public_limit(&app) - 64);
    within_budget(
        &app,
        "POST /sortie with a full body",
        junk.len(),
        app.client.post(app.url("/sortie")).body(junk.clone()),
    )
    .await;

    // The back office: signing in, open to anyone, then every screen.
    let screens = app
        .open_screens
        .clone()
        .into_iter()
        .map(|screen| (None, screen))
        .chain(app.screens.clone().into_iter().map(|screen| {
            let who = if is_referral_screen(&screen) { 1 } else { 0 };
            (Some(who), screen)
        }));
    for (who, screen) in screens {
        let path = fill(screen.example);
        let browser = match who {
            Some(1) => Some(&mut as_professional),
            Some(_) => Some(&mut as_admin),
            None => None,
        };
        let (cookie, csrf) = browser
            .map(|b| (b.cookie.clone(), b.csrf.clone()))
            .unwrap_or_default();
        let with_session = |request: reqwest::RequestBuilder| {
            let request = request
                .header("sec-fetch-site", "same-origin")
                .header("origin", format!("http://{}", app.addr));
            match &cookie {
                Some(cookie) => request.header("cookie", format!("__Host-relais={cookie}")),
                None => request,
            }
        };
        if let Some(query) = screen.query {
            for field in query.fields.iter() {
                let value = "a".repeat(16 * 1024);
                let url = format!("{}?{}={value}", app.url(&path), field.name);
                within_budget(
                    &app,
                    &format!("GET {path}?{}=…", field.name),
                    value.len(),
                    with_session(app.client.get(url)),
                )
                .await;
                tried += 1;
            }
        }
        let Some(form) = screen.form else { continue };
        if screen.upload {
            let file = "structure_id;structure_nom\n".to_owned()
                + &"a;".repeat((backoffice::BODY_LIMIT - 4096) / 2);
            let boundary = "relais-bounds";
            let body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"a.csv\"\r\n\
                 Content-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
            );
            let request = with_session(app.client.post(app.url(&path)))
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body.clone());
            within_budget(
                &app,
                &format!("POST {path} with a full file"),
                body.len(),
                request,
            )
            .await;
            tried += 1;
            continue;
        }
        let extra: Vec<(&str, &str)> = if form.field("csrf").is_some() {
            vec![("csrf", csrf.as_str())]
        } else {
            Vec::new()
        };
        for (what, body) in bodies(form, FORM_LIMIT, &extra) {
            let request = with_session(app.client.post(app.url(&path)))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.clone());
            within_budget(&app, &format!("POST {path}: {what}"), body.len(), request).await;
            tried += 1;
        }
    }
    assert!(tried > 300, "the walk tried only {tried} requests");
}

/// A form of a page: where it posts, and the fields it sends with their
/// `maxlength`.
type PageForm = (String, Vec<(String, Option<usize>)>);

/// The forms of a page (buttons with a `formaction` post elsewhere).
fn forms(html: &str) -> Vec<PageForm> {
    let attribute = |tag: &str, name: &str| {
        let marker = format!(" {name}=\"");
        tag.find(&marker).map(|at| {
            let value = &tag[at + marker.len()..];
            value[..value.find('"').unwrap_or(value.len())].replace("&#x2f;", "/")
        })
    };
    let mut found = Vec::new();
    for chunk in html.split("<form").skip(1) {
        let Some(end) = chunk.find("</form>") else {
            continue;
        };
        let (open, body) = chunk[..end].split_at(chunk.find('>').unwrap_or(0));
        let Some(action) = attribute(open, "action") else {
            continue;
        };
        let mut fields = Vec::new();
        let mut elsewhere = Vec::new();
        for tag in body.split('<').filter(|t| {
            ["input", "select", "textarea", "button"]
                .iter()
                .any(|kind| t.starts_with(kind))
        }) {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            let Some(name) = attribute(tag, "name") else {
                continue;
            };
            let max = attribute(tag, "maxlength").and_then(|m| m.parse().ok());
            match attribute(tag, "formaction") {
                Some(target) => elsewhere.push((target, vec![(name, max)])),
                None => fields.push((name, max)),
            }
        }
        for (target, extra) in elsewhere {
            let hidden: Vec<_> = fields
                .iter()
                .filter(|(name, _)| name == "t")
                .cloned()
                .chain(extra)
                .collect();
            found.push((target, hidden));
        }
        found.push((action, fields));
    }
    found
}

/// Whether a registered pattern (`/pro/structures/{o}`) matches a path.
fn matches(pattern: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let (mut p, mut a) = (pattern.split('/'), path.split('/'));
    loop {
        match (p.next(), a.next()) {
            (None, None) => return true,
            (Some(want), Some(got)) if want.starts_with('{') || want == got => {}
            _ => return false,
        }
    }
}

/// The form a path takes by POST, from the registries.
fn form_of(app: &TestApp, path: &str) -> Option<&'static Spec> {
    // A browser sends no fragment: `/aide#question` posts to `/aide`.
    let path = path.split('#').next().unwrap_or(path);
    let (_, local) = Lang::from_path(path);
    app.routes
        .iter()
        .find(|r| r.form.is_some() && matches(r.pattern, local))
        .and_then(|r| r.form)
        .or_else(|| {
            app.open_screens
                .iter()
                .chain(&app.screens)
                .find(|s| s.method == "POST" && matches(s.pattern, path))
                .and_then(|s| s.form)
        })
}

fn check_forms(app: &TestApp, page: &str, html: &str) -> usize {
    let mut checked = 0;
    for (action, fields) in forms(html) {
        let form = form_of(app, &action)
            .unwrap_or_else(|| panic!("{page}: a form posts to {action}, which reads no form"));
        for (name, maxlength) in fields {
            let field = form
                .field(&name)
                .unwrap_or_else(|| panic!("{page}: {action} does not read the field {name}"));
            if let Some(maxlength) = maxlength {
                assert!(
                    maxlength <= field.max,
                    "{page}: {name} allows {maxlength} characters in the page, {} on the server",
                    field.max
                );
            }
            checked += 1;
        }
    }
    checked
}

#[tokio::test]
async fn every_form_a_page_shows_is_one_its_route_reads_with_the_same_bounds() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let (organisations, services) =
        relais::directory::storage::directory(db, Some("montreuillois"))
            .await
            .unwrap();
    let organisation = organisations[0].id.clone();
    let admin = app.administrator().account().await;
    let professional = app
        .professional("pro@example.org", &organisation)
        .with_key()
        .account()
        .await;
    let receipt = app.person().sends_report(&organisation, "Un récit.").await;
    let referral = relais::referral::storage::inbox(db, &organisation)
        .await
        .unwrap()[0]
        .id
        .clone();
    let mut checked = 0;

    for route in app.routes.iter().filter(|r| r.is_page) {
        for lang in Lang::ALL {
            let path = lang.path(route.path);
            let (_, html) = app.get_text(&path).await;
            checked += check_forms(&app, &path, &html);
        }
    }
    // Pages only a form leads to: the orientation, the sending form, the
    // receipt, the follow-up.
    let outcome = app.person().reaches_the_orientation("Un récit.").await;
    checked += check_forms(&app, "the orientation", &outcome);
    let (_, followed) = app.person().follows_up(&[("code", receipt.as_str())]).await;
    checked += check_forms(&app, "the follow-up", &followed);

    let fill = |example: &str| {
        example
            .replace("{t}", "montreuillois")
            .replace("{o}", organisation.as_str())
            .replace("{s}", services[0].id.as_str())
            .replace("{u}", professional.id.as_str())
            .replace("{f}", "csv")
            .replace("{r}", referral.as_str())
    };
    let mut as_admin = Session::new(&app);
    let sign_in = as_admin.get("/pro/connexion").await;
    checked += check_forms(&app, "/pro/connexion", &sign_in.body);
    as_admin.sign_in(&admin).await;
    let mut as_professional = Session::new(&app);
    as_professional.sign_in(&professional).await;
    for screen in app.screens.iter().filter(|s| {
        s.method == "GET"
            && !s.example.contains("/export/")
            && !s.example.ends_with("/destinataires")
            // A WebSocket, not a page.
            && !s.example.ends_with("/ws")
    }) {
        let path = fill(screen.example);
        let browser = if is_referral_screen(screen) {
            &mut as_professional
        } else {
            &mut as_admin
        };
        let page = browser.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        checked += check_forms(&app, &path, &page.body);
    }
    assert!(checked > 150, "only {checked} fields checked");
}
