//! Live help, "Parler maintenant" (docs/live.md): offered only when a
//! professional is really on duty, a queue, a conversation both ways with
//! and without JavaScript, leaving, and what is kept only with her yes.

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use relais::storage::OrganisationId;
use tokio_tungstenite::tungstenite::Message as Frame;

use crate::helpers::TestApp;
use crate::helpers::live::{at_the_lines, live_hours, on_duty, starts_duty, takes};
use crate::helpers::page::{field, hidden};

/// Reads a streamed page until it holds `wanted`, or fails after a while.
async fn read_until(response: &mut reqwest::Response, so_far: &mut String, wanted: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !so_far.contains(wanted) {
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .unwrap_or_else(|_| panic!("waited for « {wanted} » in:\n{so_far}"))
            .unwrap();
        match chunk {
            Some(bytes) => so_far.push_str(&String::from_utf8_lossy(&bytes)),
            None => panic!("the page ended before « {wanted} »:\n{so_far}"),
        }
    }
}

/// Posts to `/parler` and reads the page until `wanted`; the response
/// stays open for more.
async fn post_live(
    app: &TestApp,
    form: &[(&str, &str)],
    wanted: &str,
) -> (reqwest::Response, String) {
    let mut response = app
        .client
        .post(app.url("/parler"))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut html = String::new();
    read_until(&mut response, &mut html, wanted).await;
    (response, html)
}

/// She joins the queue without JavaScript, sharing her answers; her
/// handle and the open page.
async fn joins(
    app: &TestApp,
    token: &str,
    organisation: &OrganisationId,
) -> (String, reqwest::Response) {
    let (handle, page, _) = joins_reading(app, token, organisation).await;
    (handle, page)
}

/// The same, with what the page showed so far.
async fn joins_reading(
    app: &TestApp,
    token: &str,
    organisation: &OrganisationId,
) -> (String, reqwest::Response, String) {
    let (response, html) = post_live(
        app,
        &[
            ("t", token),
            ("organisation", organisation.as_str()),
            ("action", "rejoindre"),
            ("partage", "oui"),
        ],
        "live-stream",
    )
    .await;
    (hidden(&html, "h"), response, html)
}

#[tokio::test]
async fn nothing_is_offered_when_nobody_is_on_duty_and_she_is_told_so_with_a_callback() {
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    let (page, token) = at_the_lines(&app).await;
    assert!(!page.contains("live-offer-form"), "{page}");
    assert!(
        page.contains("est disponible pour parler maintenant"),
        "{page}"
    );
    // Asked anyway (an old page, a forged form): the honest answer.
    let response = app
        .client
        .post(app.url("/parler"))
        .form(&[
            ("t", token.as_str()),
            ("organisation", organisation.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let html = response.text().await.unwrap();
    assert!(html.contains("Personne n"), "{html}");
    assert!(
        html.contains("disponible pour vous répondre en ce moment"),
        "{html}"
    );
    assert!(html.contains("3919"));
}

#[tokio::test]
async fn live_help_is_offered_only_during_its_hours_and_only_with_someone_on_duty() {
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "off").await;
    let _pro = on_duty(&app, "camille@example.org", &organisation).await;
    let (page, _) = at_the_lines(&app).await;
    assert!(
        !page.contains("live-offer-form"),
        "closed hours offer nothing: {page}"
    );
    live_hours(&app, "24/7").await;
    let (page, _) = at_the_lines(&app).await;
    assert!(page.contains("live-offer-form"), "{page}");
    assert!(page.contains("Parler maintenant avec un professionnel"));
    assert!(page.contains("Association d"), "with whom: {page}");
    assert!(page.contains("dès qu"), "no measure yet: {page}");
}

#[tokio::test]
async fn a_person_without_javascript_talks_with_a_professional_who_has_her_shared_answers() {
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    let mut pro = on_duty(&app, "camille@example.org", &organisation).await;
    let mut person = app.person().arrives().await;
    let outcome = person
        .reaches_the_orientation("Je voudrais parler à quelqu'un")
        .await;
    assert!(outcome.contains("live-offer-form"), "{outcome}");
    let token = hidden(&outcome, "t");
    // What would be shared, before joining.
    let preview = app
        .client
        .post(app.url("/parler"))
        .form(&[
            ("t", token.as_str()),
            ("organisation", organisation.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        preview.contains("Ce que le professionnel verra"),
        "{preview}"
    );
    assert!(
        preview.contains("Camille"),
        "her answers as the report shows them"
    );
    let (handle, mut page, mut seen) = joins_reading(&app, &token, &organisation).await;
    assert_eq!(handle.len(), 48);
    read_until(&mut page, &mut seen, "file d").await;

    let console = pro.get("/pro/permanence").await.body;
    assert!(
        console.contains("Prendre la personne suivante"),
        "{console}"
    );
    let console = takes(&mut pro).await;
    assert!(console.contains("elle a partagé"), "{console}");
    assert!(
        console.contains("Camille"),
        "her answers at once: {console}"
    );
    // Her open page is told who answers.
    read_until(&mut page, &mut seen, "vous répond").await;

    // She writes; the answer is her page again, with her message.
    let m = field(&seen, "m").unwrap();
    let (_, mine) = post_live(
        &app,
        &[
            ("h", handle.as_str()),
            ("m", m.as_str()),
            ("action", "envoyer"),
            ("texte", "Bonjour, j'ai peur ce soir"),
        ],
        "peur ce soir",
    )
    .await;
    // Sent again (Back, then the same form): kept once.
    post_live(
        &app,
        &[
            ("h", handle.as_str()),
            ("m", m.as_str()),
            ("action", "envoyer"),
            ("texte", "Bonjour, j'ai peur ce soir"),
        ],
        "live-stream",
    )
    .await;
    drop(mine);
    let console = pro.get("/pro/permanence").await.body;
    assert_eq!(console.matches("peur ce soir").count(), 1, "{console}");

    // The professional answers; her open page shows it.
    let (m, csrf) = (hidden(&console, "m"), pro.csrf.clone());
    pro.post(
        "/pro/permanence/message",
        &[
            ("csrf", &csrf),
            ("m", &m),
            ("texte", "Je suis là. Êtes-vous en sécurité ?"),
        ],
    )
    .await;
    read_until(&mut page, &mut seen, "Je suis là").await;
    // Her page had it: delivered.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let console = pro.get("/pro/permanence").await.body;
    assert!(console.contains("· reçu"), "{console}");

    // The professional ends it: her page says so and closes.
    pro.post(
        "/pro/permanence/fin",
        &[("csrf", &csrf), ("action", "terminer")],
    )
    .await;
    read_until(&mut page, &mut seen, "a terminé la conversation").await;
    read_until(&mut page, &mut seen, "</html>").await;
    let console = pro.get("/pro/permanence").await.body;
    assert!(
        console.contains("Vous avez terminé la conversation"),
        "{console}"
    );
}

#[tokio::test]
async fn quick_exit_ends_her_side_at_once_and_the_professional_is_told_not_to_call() {
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    let mut pro = on_duty(&app, "camille@example.org", &organisation).await;
    let (_, token) = at_the_lines(&app).await;
    let (handle, _page) = joins(&app, &token, &organisation).await;
    takes(&mut pro).await;
    // What live.js's beacon sends before location.replace.
    let response = app
        .client
        .post(app.url("/parler/fin"))
        .form(&[("h", handle.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let console = pro.get("/pro/permanence").await.body;
    assert!(
        console.contains("La personne a quitté la conversation. Ne la rappelez pas sauf si elle"),
        "{console}"
    );
}

#[tokio::test]
async fn a_page_that_goes_silent_ends_the_conversation_after_the_silence_delay() {
    let app = TestApp::spawn_with(|s| s.live_person_silence = 1).await;
    let organisation = live_hours(&app, "24/7").await;
    let mut pro = on_duty(&app, "camille@example.org", &organisation).await;
    let (_, token) = at_the_lines(&app).await;
    let (_, page) = joins(&app, &token, &organisation).await;
    takes(&mut pro).await;
    // The tab is closed: the page stops reading.
    drop(page);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    app.state.live_state().tick().await.unwrap();
    let console = pro.get("/pro/permanence").await.body;
    assert!(
        console.contains("La personne a quitté la conversation"),
        "{console}"
    );
}

#[tokio::test]
async fn a_professional_whose_console_is_closed_stops_being_counted_within_the_silence_delay() {
    let app = TestApp::spawn_with(|s| s.live_console_silence = 1).await;
    let organisation = live_hours(&app, "24/7").await;
    let _pro = on_duty(&app, "camille@example.org", &organisation).await;
    let (page, _) = at_the_lines(&app).await;
    assert!(page.contains("live-offer-form"), "{page}");
    // No console open anywhere: no sign.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    app.state.live_state().tick().await.unwrap();
    let (page, _) = at_the_lines(&app).await;
    assert!(!page.contains("live-offer-form"), "{page}");
}

#[tokio::test]
async fn two_professionals_taking_at_once_never_get_the_same_person() {
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    let mut first = on_duty(&app, "camille@example.org", &organisation).await;
    let mut second = on_duty(&app, "dominique@example.org", &organisation).await;
    let (_, token) = at_the_lines(&app).await;
    let (_handle, _page) = joins(&app, &token, &organisation).await;
    let (a, b) = (first.csrf.clone(), second.csrf.clone());
    let (fa, fb) = ([("csrf", a.as_str())], [("csrf", b.as_str())]);
    let (one, two) = tokio::join!(
        first.post("/pro/permanence/prendre", &fa),
        second.post("/pro/permanence/prendre", &fb),
    );
    assert_eq!((one.status, two.status), (303, 303));
    let taken = [&first.account.id, &second.account.id]
        .iter()
        .filter(|id| app.state.live.talking_with(id).is_some())
        .count();
    assert_eq!(taken, 1);
}

#[tokio::test]
async fn many_professionals_taking_at_once_each_get_someone_while_people_wait() {
    let app = TestApp::spawn_with(|s| s.live_joins_per_client_per_hour = 0).await;
    let organisation = live_hours(&app, "24/7").await;
    let mut pros = Vec::new();
    for n in 0..6 {
        pros.push(on_duty(&app, &format!("pro{n}@example.org"), &organisation).await);
    }
    let (_, token) = at_the_lines(&app).await;
    let mut pages = Vec::new();
    for _ in 0..6 {
        pages.push(joins(&app, &token, &organisation).await);
    }
    let csrf: Vec<String> = pros.iter().map(|p| p.csrf.clone()).collect();
    let form = |n: usize| [("csrf", csrf[n].as_str())];
    let (f0, f1, f2, f3, f4, f5) = (form(0), form(1), form(2), form(3), form(4), form(5));
    let [p0, p1, p2, p3, p4, p5] = &mut pros[..] else {
        unreachable!()
    };
    // Every one chooses the same first person, five lose her: each must
    // choose again until someone is theirs.
    let taken = tokio::join!(
        p0.post("/pro/permanence/prendre", &f0),
        p1.post("/pro/permanence/prendre", &f1),
        p2.post("/pro/permanence/prendre", &f2),
        p3.post("/pro/permanence/prendre", &f3),
        p4.post("/pro/permanence/prendre", &f4),
        p5.post("/pro/permanence/prendre", &f5),
    );
    assert_eq!(taken.0.status, 303);
    let talking: std::collections::HashSet<_> = pros
        .iter()
        .filter_map(|pro| app.state.live.talking_with(&pro.account.id))
        .collect();
    assert_eq!(talking.len(), 6, "six professionals, six people");
    assert_eq!(app.state.live.queue_length(&organisation), 0);
    drop(pages);
}

#[tokio::test]
async fn a_long_queue_lists_its_first_twenty_and_counts_the_others() {
    let app = TestApp::spawn_with(|settings| settings.live_joins_per_client_per_hour = 0).await;
    let organisation = live_hours(&app, "24/7").await;
    let mut pro = on_duty(&app, "camille@example.org", &organisation).await;
    let mut pages = Vec::new();
    for _ in 0..22 {
        let (_, token) = at_the_lines(&app).await;
        pages.push(joins(&app, &token, &organisation).await);
    }
    let console = pro.get("/pro/permanence").await.body;
    assert_eq!(console.matches("<tr><td>").count(), 20, "{console}");
    assert!(
        console.contains("Et 2 autres personnes attendent."),
        "{console}"
    );
    assert!(console.contains("id=\"take-next\""), "{console}");
}

#[tokio::test]
async fn taking_someone_is_refused_off_duty_and_to_another_organisation() {
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    let _on = on_duty(&app, "camille@example.org", &organisation).await;
    let (_, token) = at_the_lines(&app).await;
    let (_handle, _page) = joins(&app, &token, &organisation).await;
    // A colleague who did not take the duty.
    let mut off = app
        .professional("dominique@example.org", &organisation)
        .await;
    let csrf = off.csrf.clone();
    off.post("/pro/permanence/prendre", &[("csrf", &csrf)])
        .await;
    assert!(app.state.live.talking_with(&off.account.id).is_none());
    // A professional of an organisation without live help.
    let (organisations, _) =
        relais::directory::storage::directory(&app.state.db, Some("montreuillois"))
            .await
            .unwrap();
    let other = organisations.iter().find(|o| o.id != organisation).unwrap();
    let mut outsider = app.professional("eden@example.org", &other.id).await;
    let csrf = outsider.csrf.clone();
    let page = outsider
        .post(
            "/pro/permanence/service",
            &[("csrf", &csrf), ("action", "commencer")],
        )
        .await;
    assert_eq!(page.status, 403);
    let page = outsider
        .post("/pro/permanence/prendre", &[("csrf", &csrf)])
        .await;
    assert_eq!(page.status, 403);
    assert!(app.state.live.talking_with(&outsider.account.id).is_none());
}

#[tokio::test]
async fn taking_the_duty_and_answering_are_in_the_audit_log() {
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    let mut pro = on_duty(&app, "camille@example.org", &organisation).await;
    let (_, token) = at_the_lines(&app).await;
    let (_handle, _page) = joins(&app, &token, &organisation).await;
    takes(&mut pro).await;
    let entries = relais::backoffice::storage::audit_entries(&app.state.db, None, 20)
        .await
        .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"duty-started"), "{actions:?}");
    assert!(actions.contains(&"live-answered"), "{actions:?}");
}

#[tokio::test]
async fn with_her_yes_the_conversation_is_sealed_into_a_referral_and_she_gets_a_receipt() {
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    let mut pro = on_duty(&app, "camille@example.org", &organisation).await;
    let (_, token) = at_the_lines(&app).await;
    let (handle, _page) = joins(&app, &token, &organisation).await;
    takes(&mut pro).await;
    let csrf = pro.csrf.clone();
    pro.post(
        "/pro/permanence/fin",
        &[("csrf", &csrf), ("action", "demande")],
    )
    .await;
    let (_, page) = post_live(
        &app,
        &[("h", handle.as_str()), ("action", "attendre")],
        "Êtes-vous d",
    )
    .await;
    assert!(page.contains("value=\"oui\""), "{page}");
    let kept = app
        .client
        .post(app.url("/parler"))
        .form(&[("h", handle.as_str()), ("action", "oui")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let receipt = crate::helpers::person::receipt_of(&kept);
    assert!(!receipt.is_empty(), "{kept}");
    let console = pro.get("/pro/permanence").await.body;
    assert!(console.contains("Elle a accepté"), "{console}");
}

#[tokio::test]
async fn a_conversation_is_not_offered_to_be_kept_when_nobody_in_the_organisation_can_read_it() {
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    // No member of the organisation has made a key: nothing can be sealed
    // for it.
    let mut pro = app.professional("camille@example.org", &organisation).await;
    starts_duty(&app, &mut pro).await;
    let csrf = pro.csrf.clone();
    let (_, token) = at_the_lines(&app).await;
    let (_handle, _page) = joins(&app, &token, &organisation).await;
    takes(&mut pro).await;
    let id = app.state.live.talking_with(&pro.account.id).unwrap();
    let console = pro.get("/pro/permanence").await.body;
    assert!(console.contains("id=\"not-keepable\""), "{console}");
    assert!(!console.contains("value=\"demande\""), "{console}");
    assert!(!console.contains("value=\"rappeler\""), "{console}");
    // Posted anyway, the proposal is refused by the handler: she is never
    // asked a question whose yes would keep nothing.
    for action in ["demande", "rappeler"] {
        pro.post(
            "/pro/permanence/fin",
            &[("csrf", &csrf), ("action", action)],
        )
        .await;
    }
    let view = app.state.live.view(&id).unwrap();
    assert!(view.proposal.is_none(), "{view:?}");
    let console = pro.get("/pro/permanence").await.body;
    assert!(!console.contains("Elle a répondu non"), "{console}");
}

#[tokio::test]
async fn renewing_the_signs_never_waits_for_a_conversation_being_taken() {
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    let mut pro = on_duty(&app, "camille@example.org", &organisation).await;
    let (_, token) = at_the_lines(&app).await;
    let (_handle, _page) = joins(&app, &token, &organisation).await;
    takes(&mut pro).await;
    let id = app.state.live.talking_with(&pro.account.id).unwrap();
    let touch = relais::live::storage::touch_people(&app.state.db, std::slice::from_ref(&id), 7);
    // On PostgreSQL, another transaction holds her row, as a professional
    // taking her does: the renewal skips it rather than wait (a renewal
    // that waited deadlocked with takings under load).
    let held = match &app.state.db {
        relais::storage::Db::Postgres(pool) => {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("SELECT id FROM live_sessions WHERE id = $1 FOR UPDATE")
                .bind(&id)
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            Some(tx)
        }
        relais::storage::Db::Sqlite(..) => None,
    };
    tokio::time::timeout(Duration::from_secs(3), touch)
        .await
        .expect("the renewal did not wait")
        .unwrap();
    drop(held);
}

/// A WebSocket to the server.
async fn socket(
    app: &TestApp,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let (socket, _) = tokio_tungstenite::connect_async(format!("ws://{}/parler/ws", app.addr))
        .await
        .unwrap();
    socket
}

/// The next frame of a type, as JSON.
async fn next_of<S>(socket: &mut S, kind: &str) -> serde_json::Value
where
    S: futures_util::Stream<Item = Result<Frame, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .unwrap_or_else(|_| panic!("no « {kind} » frame"))
            .expect("the socket is open")
            .unwrap();
        if let Frame::Text(text) = frame {
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            if value["type"] == kind {
                return value;
            }
        }
    }
}

#[tokio::test]
async fn with_javascript_she_talks_through_a_socket_that_resumes_without_losing_or_doubling_a_message()
 {
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    let mut pro = on_duty(&app, "camille@example.org", &organisation).await;
    let (_, token) = at_the_lines(&app).await;
    let mut ws = socket(&app).await;
    let join = serde_json::json!({"type": "join", "t": token, "organisation": organisation.as_str(), "share": false});
    ws.send(Frame::Text(join.to_string().into())).await.unwrap();
    let handle = next_of(&mut ws, "joined").await["h"]
        .as_str()
        .unwrap()
        .to_owned();
    next_of(&mut ws, "state").await;
    let console = takes(&mut pro).await;
    assert!(console.contains("choisi de ne pas partager"), "{console}");
    let send = serde_json::json!({"type": "send", "id": "m-1", "text": "Allô ?"});
    ws.send(Frame::Text(send.to_string().into())).await.unwrap();
    next_of(&mut ws, "message").await;
    // The network is lost; the page opens a socket again and sends again
    // what was not acknowledged.
    drop(ws);
    let mut ws = socket(&app).await;
    let resume = serde_json::json!({"type": "resume", "h": handle});
    ws.send(Frame::Text(resume.to_string().into()))
        .await
        .unwrap();
    next_of(&mut ws, "joined").await;
    ws.send(Frame::Text(send.to_string().into())).await.unwrap();
    let console = pro.get("/pro/permanence").await.body;
    assert_eq!(console.matches("Allô ?").count(), 1, "{console}");
    // The professional's answer arrives on the socket.
    let (m, csrf) = (hidden(&console, "m"), pro.csrf.clone());
    pro.post(
        "/pro/permanence/message",
        &[("csrf", &csrf), ("m", &m), ("texte", "Oui, je vous lis.")],
    )
    .await;
    loop {
        let message = next_of(&mut ws, "message").await;
        if message["text"] == "Oui, je vous lis." {
            assert_eq!(message["mine"], false);
            break;
        }
    }
    // She leaves: the professional is told.
    ws.send(Frame::Text(
        serde_json::json!({"type": "leave"}).to_string().into(),
    ))
    .await
    .unwrap();
    next_of(&mut ws, "ended").await;
    let console = pro.get("/pro/permanence").await.body;
    assert!(
        console.contains("La personne a quitté la conversation"),
        "{console}"
    );
}

#[tokio::test]
async fn a_socket_opened_from_another_site_is_refused() {
    let app = TestApp::spawn().await;
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(format!(
            "ws://{}/parler/ws",
            app.addr
        ))
        .unwrap();
    request
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_err());
}

#[tokio::test]
async fn on_postgresql_a_person_on_one_instance_talks_with_a_professional_on_another() {
    if std::env::var(crate::helpers::DATABASE_URL_VAR).is_err() {
        assert!(!crate::helpers::in_ci(), "the CI gives a PostgreSQL server");
        eprintln!(
            "skipped: two instances need PostgreSQL ({})",
            crate::helpers::DATABASE_URL_VAR
        );
        return;
    }
    let (one, two) = TestApp::spawn_pair().await;
    let organisation = live_hours(&one, "24/7").await;
    two.state.directory.refresh(&two.state.db).await.unwrap();
    // Two professionals on the second instance; the person on the first.
    let mut first = on_duty(&two, "camille@example.org", &organisation).await;
    let mut second = on_duty(&two, "dominique@example.org", &organisation).await;
    one.state.live.refresh(&one.state.db).await.unwrap();
    let (_, token) = at_the_lines(&one).await;
    let (handle, mut page, mut seen) = joins_reading(&one, &token, &organisation).await;
    // The join reaches the other instance.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while two.state.live.queue_length(&organisation) == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the queue never reached the other instance"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Both press at once: one gets her.
    let (a, b) = (first.csrf.clone(), second.csrf.clone());
    let (fa, fb) = ([("csrf", a.as_str())], [("csrf", b.as_str())]);
    tokio::join!(
        first.post("/pro/permanence/prendre", &fa),
        second.post("/pro/permanence/prendre", &fb),
    );
    let taking: Vec<_> = [&mut first, &mut second]
        .into_iter()
        .filter(|pro| two.state.live.talking_with(&pro.account.id).is_some())
        .collect();
    assert_eq!(taking.len(), 1, "one person, one professional");
    let pro = taking.into_iter().next().unwrap();
    read_until(&mut page, &mut seen, "vous répond").await;
    // Her message crosses to the professional's instance.
    let m = field(&seen, "m").unwrap();
    post_live(
        &one,
        &[
            ("h", handle.as_str()),
            ("m", m.as_str()),
            ("action", "envoyer"),
            ("texte", "CANARI-pg-live-7hw : vous me lisez ?"),
        ],
        "vous me lisez",
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let console = loop {
        let console = pro.get("/pro/permanence").await.body;
        if console.contains("vous me lisez") {
            break console;
        }
        assert!(tokio::time::Instant::now() < deadline, "{console}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // And the professional's answer crosses back to her open page.
    let csrf = pro.csrf.clone();
    pro.post(
        "/pro/permanence/message",
        &[
            ("csrf", &csrf),
            ("m", &hidden(&console, "m")),
            ("texte", "Oui, je suis là."),
        ],
    )
    .await;
    read_until(&mut page, &mut seen, "je suis là").await;
}

#[tokio::test]
async fn a_person_waiting_when_the_last_professional_leaves_is_told_at_once_and_offered_a_callback()
{
    let app = TestApp::spawn().await;
    let organisation = live_hours(&app, "24/7").await;
    let mut pro = on_duty(&app, "camille@example.org", &organisation).await;
    let (_, token) = at_the_lines(&app).await;
    let (_, mut page, mut seen) = joins_reading(&app, &token, &organisation).await;
    let csrf = pro.csrf.clone();
    pro.post(
        "/pro/permanence/service",
        &[("csrf", &csrf), ("action", "terminer")],
    )
    .await;
    app.state.live_state().tick().await.unwrap();
    read_until(&mut page, &mut seen, "Plus personne").await;
    read_until(&mut page, &mut seen, "</html>").await;
    assert!(seen.contains("name=\"genre\" value=\"rappel\""), "{seen}");
    // The callback form is the sending page's, for a callback.
    let callback = app
        .client
        .post(app.url("/envoyer"))
        .form(&[
            ("t", token.as_str()),
            ("organisation", organisation.as_str()),
            ("genre", "rappel"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(callback.contains("tre rappelée"), "{callback}");
}
