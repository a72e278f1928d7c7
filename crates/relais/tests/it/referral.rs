//! The report that travels, over HTTP and without JavaScript: sending it
//! from the orientation, the receipt, the follow-up at `/suivi`, the
//! professional's side (with keys the test holds, as their browser would),
//! transfer, access for a colleague, notifications, retention, and eight
//! clients sending at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flow::Channel;
use relais::backoffice::storage as accounts;
use relais::referral::envelope::{Author, PrivateKey, ReferralKey};
use relais::referral::report::Report;
use relais::referral::storage::{self as referrals, Status, StoredChannel, StoredLanguage};
use relais::referral::{outbox, retention};
use relais::storage::{MessageId, OrganisationId, ReferralId};
use relais::web::i18n::Lang;

use crate::helpers::TestApp;
use crate::helpers::page::hidden;
use crate::helpers::person::{first_sender, receipt_of, send_form};
use crate::helpers::professional::{
    Member, Session, give_key, key_record, members_everywhere, notices_for,
};

/// The free text every test person writes.
const STORY: &str = "Il me surveille et je voudrais partir avec mes enfants.";

/// The same answers as `token`'s, in a conversation of their own.
fn another_conversation(app: &TestApp, token: &str) -> String {
    let conversation = &app.state.conversation;
    let now = jiff::Timestamp::now().as_second();
    let (progress, _) = conversation
        .sealer
        .open(token, conversation.national.version(), now)
        .unwrap();
    conversation.sealer.seal(
        conversation.national.version(),
        now,
        &progress,
        &relais::conversation::token::ConversationId::new(),
    )
}

/// The only referral stored, with the key its member opens.
async fn only_referral(app: &TestApp, member: &Member) -> (referrals::Referral, ReferralKey) {
    let id = {
        let receiving = referrals::inbox(
            &app.state.db,
            &accounts::user(&app.state.db, &member.user_id)
                .await
                .unwrap()
                .unwrap()
                .organisation_id
                .unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(receiving.len(), 1);
        receiving[0].id.clone()
    };
    let referral = referrals::by_id(&app.state.db, &id).await.unwrap().unwrap();
    let wrapped = referrals::wrapped_key(&app.state.db, &id, member.user_id.as_str())
        .await
        .unwrap()
        .expect("a copy for the member");
    let key = ReferralKey::unwrap(&wrapped, &member.key, &id).unwrap();
    (referral, key)
}

#[tokio::test]
async fn a_report_sent_without_javascript_is_sealed_for_the_chosen_organisation_only() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let outcome = app.person().reaches_the_orientation(STORY).await;
    assert!(outcome.contains("Envoyer mon récit à ce professionnel"));
    let organisation = first_sender(&outcome);

    // The sending page: what will be sent, and who will read it.
    let form = vec![
        ("t".to_owned(), hidden(&outcome, "t")),
        ("organisation".to_owned(), organisation.to_string()),
    ];
    let (status, page) = app.post_text("/envoyer", &form).await;
    assert_eq!(status, 200);
    crate::helpers::assert_has_safety_chrome(&page, "/envoyer");
    assert!(page.contains(STORY), "the preview shows her words");
    assert!(page.contains("Ce qui sera envoyé"));
    assert!(
        page.contains("Personne d&#39;autre ne pourra le lire")
            || page.contains("Personne d'autre ne pourra le lire")
    );
    assert!(page.contains("value=\"06 12 34 56 78\""), "contact kept");

    let (status, sent) = app.post_text("/envoyer/confirmer", &send_form(&page)).await;
    assert_eq!(status, 200, "{sent}");
    let receipt = receipt_of(&sent);
    assert_eq!(receipt.len(), 19, "16 digits in four groups: {receipt}");
    assert!(
        receipt
            .split(' ')
            .all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_digit()))
    );
    assert!(sent.contains("J&#39;ai noté mon code") || sent.contains("J'ai noté mon code"));

    // Stored: the envelope only.
    let member = &members[&organisation];
    let (referral, key) = only_referral(&app, member).await;
    assert!(referral.urgent);
    assert_eq!(referral.status(), Status::Sent);
    assert!(!referral.report.contains("surveille"));
    let report: Report =
        serde_json::from_slice(&key.open_report(&referral.id, &referral.report).unwrap()).unwrap();
    assert_eq!(report.free_text.as_deref(), Some(STORY));
    assert_eq!(report.name.as_deref(), Some("Camille"));
    assert!(
        report
            .commune
            .as_deref()
            .unwrap()
            .starts_with("Montreuil-sur-Mer")
    );
    assert!(report.urgent);
    assert_eq!(report.language, "fr");
    assert!(!report.needs.is_empty());
    assert!(report.contact[0].answer.contains("06 12 34 56 78"));
    assert!(
        report
            .answers
            .iter()
            .any(|l| l.question.contains("âge") && l.answer.contains("34"))
    );
    // Nobody of another organisation holds a copy.
    for (other, member) in &members {
        if *other != organisation {
            assert_eq!(
                referrals::wrapped_key(&app.state.db, &referral.id, member.user_id.as_str())
                    .await
                    .unwrap(),
                None
            );
        }
    }
    // The same form again: no second referral.
    let (status, again) = app.post_text("/envoyer/confirmer", &send_form(&page)).await;
    assert_eq!(status, 200);
    assert!(again.contains("déjà été envoyée"), "{again}");
    assert_eq!(referrals::count(&app.state.db).await.unwrap(), 1);

    // Leaving requires "J'ai noté mon code"; without it the code is shown again.
    let (status, kept) = app
        .post_text("/envoyer/note", &[("code".to_owned(), receipt.clone())])
        .await;
    assert_eq!(status, 422);
    assert!(kept.contains(&receipt));
    let (status, done) = app
        .post_text(
            "/envoyer/note",
            &[
                ("code".to_owned(), receipt.clone()),
                ("note".to_owned(), "oui".to_owned()),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(!done.contains(&receipt), "the receipt is never shown again");
}

#[tokio::test]
async fn without_consent_the_form_comes_back_with_everything_typed() {
    let app = TestApp::spawn().await;
    members_everywhere(&app).await;
    let outcome = app.person().reaches_the_orientation(STORY).await;
    let form = vec![
        ("t".to_owned(), hidden(&outcome, "t")),
        (
            "organisation".to_owned(),
            first_sender(&outcome).to_string(),
        ),
    ];
    let (_, page) = app.post_text("/envoyer", &form).await;
    let mut typed = send_form(&page);
    typed.retain(|(k, _)| k != "consentement");
    for (key, value) in &mut typed {
        if key == "coordonnee" {
            *value = "07 11 22 33 44".to_owned();
        }
    }
    let (status, back) = app.post_text("/envoyer/confirmer", &typed).await;
    assert_eq!(status, 422);
    assert!(back.contains("cochez la case"), "{back}");
    assert!(back.contains("value=\"07 11 22 33 44\""));
    assert!(back.contains("id=\"urgent-oui\" name=\"urgent\" value=\"oui\" checked"));
    assert_eq!(referrals::count(&app.state.db).await.unwrap(), 0);

    // A phone number that is not one: the message sits by the contact.
    for (key, value) in &mut typed {
        if key == "coordonnee" {
            *value = "12".to_owned();
        }
    }
    typed.push(("consentement".to_owned(), "oui".to_owned()));
    let (status, back) = app.post_text("/envoyer/confirmer", &typed).await;
    assert_eq!(status, 422);
    assert!(back.contains("id=\"contact-error\""), "{back}");
    assert_eq!(referrals::count(&app.state.db).await.unwrap(), 0);
}

#[tokio::test]
async fn an_organisation_nobody_can_receive_for_is_not_offered_and_is_refused() {
    let app = TestApp::spawn().await;
    let outcome = app.person().reaches_the_orientation(STORY).await;
    assert!(!outcome.contains("Envoyer mon récit à ce professionnel"));
    let (organisations, _) =
        relais::directory::storage::directory(&app.state.db, Some("montreuillois"))
            .await
            .unwrap();
    let form = vec![
        ("t".to_owned(), hidden(&outcome, "t")),
        ("organisation".to_owned(), organisations[0].id.to_string()),
    ];
    let (status, page) = app.post_text("/envoyer", &form).await;
    assert_eq!(status, 200);
    assert!(page.contains("ne peut pas recevoir de récit"), "{page}");
    let (status, page) = app.post_text::<[(&str, &str)]>("/envoyer", &[]).await;
    assert_eq!(status, 200);
    assert!(page.contains("ne sont plus disponibles"), "{page}");
}

#[tokio::test]
async fn with_her_receipt_she_reads_replies_writes_and_deletes_and_no_text_is_stored_in_clear() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation(STORY).await);
    let member = &members[&organisation];
    let mut professional = app
        .professional("lecture@example.org", &organisation)
        .with_key()
        .await;
    let receipt = app.person().sends_report(&organisation, STORY).await;
    let (referral, key) = only_referral(&app, member).await;
    let id = referral.id.clone();
    assert!(
        referrals::wrapped_key(&app.state.db, &id, professional.account.id.as_str())
            .await
            .unwrap()
            .is_some(),
        "every member with a key gets a copy"
    );

    // The status, with or without spaces in the code.
    let digits: String = receipt.chars().filter(char::is_ascii_digit).collect();
    let (status, page) = app.person().follows_up(&[("code", &digits)]).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Envoyée"));
    crate::helpers::assert_has_safety_chrome(&page, "/suivi");

    // The professional opens it, replies (sealed in their browser).
    let opened = professional.get(&format!("/pro/demandes/{id}")).await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert!(
        !opened.body.contains("surveille"),
        "the page carries only ciphertext"
    );
    let own = referrals::wrapped_key(&app.state.db, &id, professional.account.id.as_str())
        .await
        .unwrap()
        .unwrap();
    let their_key = ReferralKey::unwrap(&own, professional.account.key(), &id).unwrap();
    let message_id = MessageId::new();
    let reply = "Bonjour Camille, je peux vous rappeler demain matin.";
    let body = their_key.seal_message(&id, &message_id, Author::Professional, reply);
    let page = professional
        .submit(
            &format!("/pro/demandes/{id}/reponse"),
            &[("message_id", message_id.as_str()), ("body", &body)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = professional
        .submit(
            &format!("/pro/demandes/{id}/statut"),
            &[("statut", "accepted")],
        )
        .await;
    assert_eq!(page.status, 303);

    let (_, page) = app.person().follows_up(&[("code", &receipt)]).await;
    assert!(page.contains("Prise en charge"), "{page}");
    assert!(
        page.contains("je peux vous rappeler demain matin"),
        "{page}"
    );

    // She writes back.
    let (status, page) = app
        .person()
        .follows_up(&[
            ("code", &receipt),
            ("action", "ecrire"),
            ("texte", "Merci, le matin me va."),
        ])
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("Votre message est envoyé"));
    assert!(page.contains("Merci, le matin me va."));
    let messages = referrals::messages(&app.state.db, &id).await.unwrap();
    assert_eq!(messages.len(), 2);
    assert!(
        messages
            .iter()
            .all(|m| !m.body.contains("Merci") && !m.body.contains("rappeler"))
    );
    let hers = messages
        .iter()
        .find(|m| m.author == Author::Person)
        .unwrap();
    assert_eq!(
        key.open_message(&id, &hers.id, Author::Person, &hers.body)
            .unwrap(),
        "Merci, le matin me va."
    );
    // An empty message comes back with its message, nothing lost.
    let (status, page) = app
        .person()
        .follows_up(&[("code", &receipt), ("action", "ecrire"), ("texte", "  ")])
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("Votre message est vide"));

    // Every opening is in the audit log.
    let log = accounts::audit_entries(&app.state.db, None, 50)
        .await
        .unwrap();
    assert!(log.iter().any(|e| e.action == "referral-opened"
        && id == e.object
        && e.actor == "lecture@example.org"));

    // She deletes it: asked first, then gone for everyone.
    let (_, page) = app
        .person()
        .follows_up(&[("code", &receipt), ("action", "supprimer")])
        .await;
    assert!(page.contains("Oui, supprimer"));
    let (status, page) = app
        .person()
        .follows_up(&[("code", &receipt), ("action", "supprimer-oui")])
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("Votre demande est supprimée"));
    assert_eq!(referrals::count(&app.state.db).await.unwrap(), 0);
    assert!(
        referrals::messages(&app.state.db, &id)
            .await
            .unwrap()
            .is_empty()
    );
    let (status, _) = app.person().follows_up(&[("code", &receipt)]).await;
    assert_eq!(status, 422, "the receipt opens nothing any more");
}

#[tokio::test]
async fn a_professional_of_another_organisation_is_refused_and_holds_no_key_to_it() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation(STORY).await);
    let other_organisation = members
        .keys()
        .find(|o| **o != organisation)
        .unwrap()
        .clone();
    app.person().sends_report(&organisation, STORY).await;
    let (referral, _) = only_referral(&app, &members[&organisation]).await;
    let id = referral.id;

    let mut outsider = app
        .professional("ailleurs@example.org", &other_organisation)
        .with_key()
        .await;
    let mut coordinator = app.coordinator("coord@example.org", "montreuillois").await;
    for who in [&mut outsider, &mut coordinator] {
        for (method, path) in [
            ("GET", format!("/pro/demandes/{id}")),
            (
                "GET",
                format!("/pro/demandes/{id}/destinataires?organisation={other_organisation}"),
            ),
            ("POST", format!("/pro/demandes/{id}/reponse")),
            ("POST", format!("/pro/demandes/{id}/statut")),
            ("POST", format!("/pro/demandes/{id}/transfert")),
        ] {
            let page = if method == "GET" {
                who.get(&path).await
            } else {
                who.submit(&path, &[("statut", "closed")]).await
            };
            assert_eq!(page.status, 403, "{} {method} {path}", who.account.email);
            assert!(page.body.contains("<html"));
        }
    }
    // And could not decrypt it anyway: no copy is wrapped for them, and the
    // copies that exist do not open with their key.
    assert_eq!(
        referrals::wrapped_key(&app.state.db, &id, outsider.account.id.as_str())
            .await
            .unwrap(),
        None
    );
    let copy = referrals::wrapped_key(&app.state.db, &id, members[&organisation].user_id.as_str())
        .await
        .unwrap()
        .unwrap();
    assert!(ReferralKey::unwrap(&copy, outsider.account.key(), &id).is_err());
    let status = referrals::by_id(&app.state.db, &id)
        .await
        .unwrap()
        .unwrap()
        .status();
    assert_eq!(status, Status::Sent, "nothing changed");
}

#[tokio::test]
async fn concurrent_wrong_receipts_are_evaluated_no_more_often_than_the_limit() {
    let app = TestApp::spawn().await;
    let mut tries = Vec::new();
    for n in 0..40_u64 {
        let (client, url) = (app.client.clone(), app.url("/suivi"));
        let guess = format!("{:016}", 2_000_000_000_000_000_u64 + n);
        tries.push(tokio::spawn(async move {
            let response = client.post(url).form(&[("code", guess)]).send().await;
            response.unwrap().status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for try_ in tries {
        statuses.push(try_.await.unwrap());
    }
    let evaluated = statuses.iter().filter(|status| **status == 422).count();
    let refused = statuses.iter().filter(|status| **status == 429).count();
    assert_eq!(
        evaluated,
        usize::try_from(relais::referral::public::TRIES_PER_HOUR).unwrap()
    );
    assert_eq!(evaluated + refused, statuses.len());
}

#[tokio::test]
async fn guessing_receipts_is_rate_limited() {
    let app = TestApp::spawn().await;
    for n in 0..relais::referral::public::TRIES_PER_HOUR {
        let guess = format!("{:016}", 1_000_000_000_000_000_u64 + u64::from(n));
        let (status, page) = app.person().follows_up(&[("code", &guess)]).await;
        assert_eq!(status, 422, "try {n}");
        assert!(page.contains("Nous ne trouvons pas de demande"));
        assert!(
            page.contains(&format!("value=\"{guess}\"")),
            "what she typed is kept"
        );
    }
    let (status, page) = app
        .person()
        .follows_up(&[("code", "1234 5678 9012 3456")])
        .await;
    assert_eq!(status, 429);
    assert!(
        page.contains("Trop d&#39;essais") || page.contains("Trop d'essais"),
        "{page}"
    );
    crate::helpers::assert_has_safety_chrome(&page, "/suivi");
    // A code that is not 16 digits is no guess: it is not counted, and says why.
    let (status, page) = app.person().follows_up(&[("code", "12 34")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("16 chiffres"));
}

#[tokio::test]
async fn transfer_rewraps_the_key_for_the_new_organisation_and_she_sees_reoriented() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation(STORY).await);
    let target = members
        .keys()
        .find(|o| **o != organisation)
        .unwrap()
        .clone();
    let mut browser = app
        .professional("transfert@example.org", &organisation)
        .with_key()
        .await;
    let receipt = app.person().sends_report(&organisation, STORY).await;
    let (referral, _) = only_referral(&app, &members[&organisation]).await;
    let id = referral.id;
    let own = referrals::wrapped_key(&app.state.db, &id, browser.account.id.as_str())
        .await
        .unwrap()
        .unwrap();
    let referral_key = ReferralKey::unwrap(&own, browser.account.key(), &id).unwrap();

    let list = browser
        .get(&format!(
            "/pro/demandes/{id}/destinataires?organisation={target}"
        ))
        .await;
    assert_eq!(list.status, 200);
    let recipients: Vec<serde_json::Value> = serde_json::from_str(&list.body).unwrap();
    assert_eq!(recipients.len(), 1, "{}", list.body);
    // Keys that do not match the members: refused, nothing changes.
    let page = browser
        .submit(
            &format!("/pro/demandes/{id}/transfert"),
            &[("organisation", target.as_str()), ("keys", "[]")],
        )
        .await;
    assert_eq!(page.status, 422);
    let keys: Vec<serde_json::Value> = recipients
        .iter()
        .map(|r| {
            let public = relais::referral::envelope::PublicKey::parse(r["public_key"].as_str().unwrap()).unwrap();
            serde_json::json!({"recipient": r["recipient"], "wrapped": referral_key.wrap_for(&public, &id)})
        })
        .collect();
    let keys = serde_json::to_string(&keys).unwrap();
    let page = browser
        .submit(
            &format!("/pro/demandes/{id}/transfert"),
            &[
                ("organisation", target.as_str()),
                ("keys", &keys),
                ("check", &referral_key.check(&id)),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);

    let moved = referrals::by_id(&app.state.db, &id).await.unwrap().unwrap();
    assert_eq!(moved.organisation_id, target);
    assert_eq!(moved.status(), Status::Redirected);
    assert_eq!(
        referrals::wrapped_key(&app.state.db, &id, browser.account.id.as_str())
            .await
            .unwrap(),
        None,
        "the first organisation's copies are destroyed"
    );
    let new_member = &members[&target];
    let copy = referrals::wrapped_key(&app.state.db, &id, new_member.user_id.as_str())
        .await
        .unwrap()
        .unwrap();
    let opened = ReferralKey::unwrap(&copy, &new_member.key, &id).unwrap();
    assert!(opened.open_report(&id, &moved.report).is_ok());
    let page = browser.get(&format!("/pro/demandes/{id}")).await;
    assert_eq!(
        page.status, 403,
        "the first organisation no longer reads it"
    );
    let (_, page) = app.person().follows_up(&[("code", &receipt)]).await;
    assert!(page.contains("Réorientée"), "{page}");
}

#[tokio::test]
async fn a_colleague_given_access_can_open_what_arrived_before_their_key() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation(STORY).await);
    let mut first = app
        .professional("premiere@example.org", &organisation)
        .with_key()
        .await;
    app.person().sends_report(&organisation, STORY).await;
    let (referral, _) = only_referral(&app, &members[&organisation]).await;
    let id = referral.id;

    // A colleague arrives after the referral.
    let newcomer = app
        .professional("nouvelle@example.org", &organisation)
        .with_key()
        .account()
        .await;
    assert_eq!(
        referrals::missing_for(&app.state.db, &organisation, &newcomer.id)
            .await
            .unwrap(),
        vec![id.clone()]
    );
    let inbox = first.get("/pro/demandes").await;
    assert!(
        inbox.body.contains("nouvelle@example.org"),
        "{}",
        inbox.body
    );
    let access = first.get("/pro/acces").await;
    assert_eq!(access.status, 200);
    // What the browser does: open its copy, wrap it for the colleague.
    let own = referrals::wrapped_key(&app.state.db, &id, first.account.id.as_str())
        .await
        .unwrap()
        .unwrap();
    let key = ReferralKey::unwrap(&own, first.account.key(), &id).unwrap();
    let keys = serde_json::to_string(&[(
        id.clone(),
        key.wrap_for(&newcomer.key().public_key(), &id),
        key.check(&id),
    )])
    .unwrap();
    let page = first
        .submit(
            "/pro/acces",
            &[("recipient", newcomer.id.as_str()), ("keys", &keys)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let copy = referrals::wrapped_key(&app.state.db, &id, newcomer.id.as_str())
        .await
        .unwrap()
        .unwrap();
    assert!(ReferralKey::unwrap(&copy, newcomer.key(), &id).is_ok());
    // Access is given only to a member of one's own organisation.
    let outsider = members.iter().find(|(o, _)| **o != organisation).unwrap().1;
    let page = first
        .submit(
            "/pro/acces",
            &[("recipient", outsider.user_id.as_str()), ("keys", &keys)],
        )
        .await;
    assert_eq!(page.status, 403);
}

#[tokio::test]
async fn the_recovery_key_gets_a_copy_and_a_coordinator_can_give_access_with_it() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation(STORY).await);
    let (recovery, recovery_public) = PrivateKey::generate();
    let mut browser = app.coordinator("coord@example.org", "montreuillois").await;
    let page = browser
        .get("/pro/territoires/montreuillois/cle-de-secours")
        .await;
    assert_eq!(page.status, 200);
    let page = browser
        .submit(
            "/pro/territoires/montreuillois/cle-de-secours",
            &[("public_key", &recovery_public.encode())],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);

    app.person().sends_report(&organisation, STORY).await;
    let (referral, _) = only_referral(&app, &members[&organisation]).await;
    let id = referral.id;
    let copy = referrals::wrapped_key(&app.state.db, &id, "recovery:montreuillois")
        .await
        .unwrap()
        .unwrap();
    let key = ReferralKey::unwrap(&copy, &recovery, &id).unwrap();

    // A professional forgot their passphrase and made a new key.
    let member = &members[&organisation];
    let new_key = give_key(&app, &member.user_id).await;
    assert_eq!(
        referrals::wrapped_key(&app.state.db, &id, member.user_id.as_str())
            .await
            .unwrap(),
        None,
        "the copy for the old key is gone"
    );
    let page = browser
        .get("/pro/territoires/montreuillois/cle-de-secours")
        .await;
    assert!(page.body.contains("Redonner l&#39;accès") || page.body.contains("Redonner l'accès"));
    let keys = serde_json::to_string(&[(
        id.clone(),
        key.wrap_for(&new_key.public_key(), &id),
        key.check(&id),
    )])
    .unwrap();
    let page = browser
        .submit(
            "/pro/territoires/montreuillois/cle-de-secours/acces",
            &[("recipient", member.user_id.as_str()), ("keys", &keys)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let copy = referrals::wrapped_key(&app.state.db, &id, member.user_id.as_str())
        .await
        .unwrap()
        .unwrap();
    assert!(ReferralKey::unwrap(&copy, &new_key, &id).is_ok());
}

#[tokio::test]
async fn the_notification_says_nothing_about_the_person_and_is_sent_once() {
    let mailbox = tempfile::tempdir().unwrap();
    let dir = mailbox.path().to_owned();
    let app = TestApp::spawn_with(move |settings| settings.mailbox_dir = Some(dir)).await;
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation(STORY).await);
    app.person().sends_report(&organisation, STORY).await;
    // The worker inside the server sends it after the commit.
    let started = Instant::now();
    while referrals::pending_notifications(&app.state.db)
        .await
        .unwrap()
        > 0
    {
        assert!(started.elapsed() < Duration::from_secs(10), "never sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let files: Vec<_> = std::fs::read_dir(mailbox.path())
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    let mail = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(mail.contains("Une nouvelle demande vous attend"), "{mail}");
    let member = &members[&organisation];
    let email = accounts::user(&app.state.db, &member.user_id)
        .await
        .unwrap()
        .unwrap()
        .email;
    assert!(mail.contains(&email));
    for secret in [
        "surveille",
        "Camille",
        "06 12 34 56 78",
        "Montreuil",
        "Madame Martin",
    ] {
        assert!(!mail.contains(secret), "the e-mail says {secret}");
    }
    // Sent once: nothing left to send.
    let mailer = outbox::Mailer::from_settings(&app.state.settings).unwrap();
    assert_eq!(
        outbox::send_due(&app.state.db, &app.state.settings, &mailer)
            .await
            .unwrap(),
        0
    );
    assert_eq!(std::fs::read_dir(mailbox.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn purge_erases_referrals_closed_or_never_opened_for_too_long() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation(STORY).await);
    let db = &app.state.db;
    for _ in 0..3 {
        app.person().sends_report(&organisation, STORY).await;
    }
    let inbox = referrals::inbox(db, &organisation).await.unwrap();
    let (closed, unopened, open) = (&inbox[0].id, &inbox[1].id, &inbox[2].id);
    crate::committed!(db, referrals::mark_opened, closed, "pro@example.org");
    crate::committed!(
        db,
        referrals::set_status,
        closed,
        Status::Closed,
        "pro@example.org"
    );
    crate::committed!(db, referrals::mark_opened, open, "pro@example.org");
    let _ = &members;
    let now = jiff::Timestamp::now();
    let day = |n: i64| now + jiff::SignedDuration::from_hours(24 * n);

    assert_eq!(retention::purge(db, day(29), 90, 30).await.unwrap(), 0);
    assert_eq!(retention::purge(db, day(31), 90, 30).await.unwrap(), 1);
    assert!(referrals::by_id(db, unopened).await.unwrap().is_none());
    assert_eq!(retention::purge(db, day(91), 90, 30).await.unwrap(), 1);
    assert!(referrals::by_id(db, closed).await.unwrap().is_none());
    assert!(
        referrals::by_id(db, open).await.unwrap().is_some(),
        "still in hand"
    );
    for id in [closed, unopened] {
        assert_eq!(
            referrals::wrapped_key(db, id, "person").await.unwrap(),
            None,
            "keys destroyed"
        );
    }
    let log = accounts::audit_entries(db, None, 50).await.unwrap();
    assert_eq!(
        log.iter().filter(|e| e.action == "referral-erased").count(),
        2
    );
}

#[tokio::test]
async fn eight_clients_sending_for_twenty_seconds_get_no_error_and_lose_nothing() {
    let app = Arc::new(TestApp::spawn_with(|s| s.referrals_per_client_per_hour = 0).await);
    members_everywhere(&app).await;
    let outcome = app.person().reaches_the_orientation(STORY).await;
    let organisation = first_sender(&outcome);
    let form = vec![
        ("t".to_owned(), hidden(&outcome, "t")),
        ("organisation".to_owned(), organisation.to_string()),
    ];
    let (_, page) = app.post_text("/envoyer", &form).await;
    let template = Arc::new(send_form(&page));
    let until = Instant::now() + Duration::from_secs(20);
    let mut clients = Vec::new();
    for _ in 0..8 {
        let app = Arc::clone(&app);
        let template = Arc::clone(&template);
        clients.push(tokio::spawn(async move {
            let (mut receipts, mut errors) = (Vec::new(), Vec::new());
            while Instant::now() < until {
                // Each submission another conversation: one conversation
                // sends one referral per organisation.
                let mut form = (*template).clone();
                for (key, value) in &mut form {
                    if key == "t" {
                        *value = another_conversation(&app, value);
                    }
                }
                let (status, page) = app.post_text("/envoyer/confirmer", &form).await;
                if status == 200 && page.contains("class=\"receipt\"") {
                    receipts.push(receipt_of(&page));
                } else {
                    errors.push(status);
                }
            }
            (receipts, errors)
        }));
    }
    let mut receipts = Vec::new();
    for client in clients {
        let (sent, errors) = client.await.unwrap();
        assert!(errors.is_empty(), "errors: {errors:?}");
        receipts.extend(sent);
    }
    let stored = referrals::count(&app.state.db).await.unwrap();
    assert_eq!(usize::try_from(stored).unwrap(), receipts.len());
    receipts.sort();
    receipts.dedup();
    assert_eq!(
        usize::try_from(stored).unwrap(),
        receipts.len(),
        "every receipt differs"
    );
    assert!(
        receipts.len() >= 8,
        "each client sent at least one: {}",
        receipts.len()
    );
    // A sample of receipts open their referral.
    for receipt in receipts.iter().step_by(receipts.len() / 4 + 1) {
        let (status, page) = app.person().follows_up(&[("code", receipt)]).await;
        assert_eq!(status, 200, "{page}");
    }
}

#[tokio::test]
async fn every_referral_screen_sends_an_anonymous_visitor_to_sign_in() {
    let app = TestApp::spawn().await;
    let mut browser = Session::new(&app);
    let screens: Vec<_> = app
        .screens
        .clone()
        .into_iter()
        .filter(|s| {
            ["/pro/cle", "/pro/demandes", "/pro/acces", "/cle-de-secours"]
                .iter()
                .any(|referral| s.example.contains(referral))
        })
        .collect();
    assert!(screens.len() >= 12, "{screens:?}");
    for screen in &screens {
        let method = screen.method;
        let path = screen
            .example
            .replace("{r}", ReferralId::new().as_str())
            .replace("{t}", "montreuillois");
        let page = if method == "GET" {
            browser.get(&path).await
        } else {
            browser.post(&path, &[("csrf", "x")]).await
        };
        assert_eq!(page.status, 303, "{method} {path}");
        assert!(
            page.location().starts_with("/pro/connexion"),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn a_professional_cannot_manage_a_recovery_key_nor_a_coordinator_hold_a_referral_key() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = members.keys().next().unwrap().clone();
    let mut as_professional = app.professional("pro@example.org", &organisation).await;
    let recovery = "/pro/territoires/montreuillois/cle-de-secours";
    assert_eq!(as_professional.get(recovery).await.status, 403);
    let page = as_professional
        .submit(
            "/pro/territoires/montreuillois/cle-de-secours",
            &[("public_key", "x")],
        )
        .await;
    assert_eq!(page.status, 403);
    let mut as_coordinator = app.coordinator("coord@example.org", "montreuillois").await;
    for path in ["/pro/cle", "/pro/demandes", "/pro/acces"] {
        assert_eq!(as_coordinator.get(path).await.status, 403, "{path}");
    }
    // A key that is not one is refused with a calm page, nothing saved.
    let page = as_professional
        .submit("/pro/cle", &[("public_key", "abc"), ("iterations", "1000")])
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.body.contains("n&#39;a pas pu être enregistrée")
            || page.body.contains("n'a pas pu être enregistrée"),
        "{}",
        page.body
    );
    assert!(
        referrals::key_of(&app.state.db, &as_professional.account.id)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_report_sent_in_english_carries_her_words_next_to_the_french() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let outcome = app
        .person()
        .in_language("/en")
        .reaches_the_orientation(STORY)
        .await;
    assert!(outcome.contains("formaction=\"/en/envoyer\""), "{outcome}");
    let organisation = first_sender(&outcome);
    let form = vec![
        ("t".to_owned(), hidden(&outcome, "t")),
        ("organisation".to_owned(), organisation.to_string()),
    ];
    let (status, page) = app.post_text("/en/envoyer", &form).await;
    assert_eq!(status, 200);
    assert!(page.contains("lang=\"en\""));
    let (status, sent) = app
        .post_text("/en/envoyer/confirmer", &send_form(&page))
        .await;
    assert_eq!(status, 200, "{sent}");
    receipt_of(&sent);
    let (referral, key) = only_referral(&app, &members[&organisation]).await;
    let report: Report =
        serde_json::from_slice(&key.open_report(&referral.id, &referral.report).unwrap()).unwrap();
    assert_eq!(report.language, "en");
    let age = report
        .answers
        .iter()
        .find(|l| l.question.contains("âge"))
        .unwrap();
    assert!(
        age.question_original.as_deref().unwrap().contains("old"),
        "{age:?}"
    );
    assert!(age.answer.contains("34") && age.answer_original.as_deref().unwrap().contains("34"));
}

#[tokio::test]
async fn a_professional_without_a_key_goes_on_to_make_one_after_signing_in() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = members.keys().next().unwrap().clone();
    let newcomer = app
        .professional("nouvelle@example.org", &organisation)
        .account()
        .await;
    let page = Session::new(&app).sign_in_at(&newcomer, 0, "").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), "/pro/cle");
    let with_key = app
        .professional("cle@example.org", &organisation)
        .with_key()
        .account()
        .await;
    let page = Session::new(&app).sign_in_at(&with_key, 0, "").await;
    assert_eq!(page.location(), "/pro");
    // A page asked for before signing in still comes first.
    let page = Session::new(&app)
        .sign_in_at(&newcomer, 30, "/pro/demandes")
        .await;
    assert_eq!(page.location(), "/pro/demandes");
}

/// What the browser sends to transfer `id` to `target`: the key wrapped for
/// each recipient the server lists, and the key's check value.
async fn transfer_form(
    browser: &mut Session<'_>,
    id: &ReferralId,
    target: &OrganisationId,
    key: &ReferralKey,
) -> Vec<(String, String)> {
    let list = browser
        .get(&format!(
            "/pro/demandes/{id}/destinataires?organisation={target}"
        ))
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    let recipients: Vec<serde_json::Value> = serde_json::from_str(&list.body).unwrap();
    let keys: Vec<serde_json::Value> = recipients
        .iter()
        .map(|r| {
            let public =
                relais::referral::envelope::PublicKey::parse(r["public_key"].as_str().unwrap())
                    .unwrap();
            serde_json::json!({"recipient": r["recipient"], "wrapped": key.wrap_for(&public, id)})
        })
        .collect();
    vec![
        ("organisation".to_owned(), target.to_string()),
        ("keys".to_owned(), serde_json::to_string(&keys).unwrap()),
        ("check".to_owned(), key.check(id)),
    ]
}

/// The recipients of every copy of a referral's key.
async fn copies(app: &TestApp, id: &ReferralId) -> Vec<String> {
    relais::with_pool!(&app.state.db, pool => {
        sqlx::query_scalar("SELECT recipient FROM referral_keys WHERE referral_id = $1 ORDER BY recipient")
            .bind(id)
            .fetch_all(pool)
            .await
            .unwrap()
    })
}

#[tokio::test]
async fn a_transfer_is_refused_unless_each_copy_is_a_real_one_for_a_current_member_and_nothing_is_ever_destroyed()
 {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation(STORY).await);
    let target = members
        .keys()
        .find(|o| **o != organisation)
        .unwrap()
        .clone();
    let (_, recovery_public) = PrivateKey::generate();
    let mut coordination = app.coordinator("coord@example.org", "montreuillois").await;
    let page = coordination
        .submit(
            "/pro/territoires/montreuillois/cle-de-secours",
            &[("public_key", &recovery_public.encode())],
        )
        .await;
    assert_eq!(page.status, 303);
    let mut browser = app
        .professional("transfert@example.org", &organisation)
        .with_key()
        .await;
    app.person().sends_report(&organisation, STORY).await;
    let (referral, _) = only_referral(&app, &members[&organisation]).await;
    let id = referral.id.clone();
    let own = referrals::wrapped_key(&app.state.db, &id, browser.account.id.as_str())
        .await
        .unwrap()
        .unwrap();
    let referral_key = ReferralKey::unwrap(&own, browser.account.key(), &id).unwrap();
    let before = copies(&app, &id).await;
    let good = transfer_form(&mut browser, &id, &target, &referral_key).await;
    let with = |name: &str, value: String| -> Vec<(String, String)> {
        good.iter()
            .map(|(k, v)| (k.clone(), if k == name { value.clone() } else { v.clone() }))
            .collect()
    };
    let target_member = &members[&target];
    let some_public = |p: &PrivateKey| p.public_key().encode();
    let one_copy = |wrapped: String| {
        format!(
            r#"[{{"recipient":"{}","wrapped":"{wrapped}"}}]"#,
            some_public(&target_member.key)
        )
    };
    let without_check = |form: Vec<(String, String)>| -> Vec<(String, String)> {
        form.into_iter()
            .map(|(k, v)| {
                if k == "check" {
                    (k, String::new())
                } else {
                    (k, v)
                }
            })
            .collect()
    };
    let forged = [
        // Any 80 bytes, as the review sent, from someone who cannot show
        // they hold the key…
        without_check(with("keys", one_copy(URL_SAFE_NO_PAD.encode([7u8; 80])))),
        // …and, even from someone who can, bytes that are no encapsulation
        // (a point of small order: anyone could open it).
        with("keys", one_copy(URL_SAFE_NO_PAD.encode([0u8; 80]))),
        // A real copy, for a key that is no member's.
        with(
            "keys",
            format!(
                r#"[{{"recipient":"{}","wrapped":"{}"}}]"#,
                some_public(&PrivateKey::generate().0),
                referral_key.wrap_for(&PrivateKey::generate().1, &id)
            ),
        ),
        // Right copies, but no proof the browser held the key…
        with("check", String::new()),
        // …or a proof for another key.
        with("check", ReferralKey::random().check(&id)),
        // No copy at all.
        with("keys", "[]".to_owned()),
    ];
    for (n, form) in forged.iter().enumerate() {
        let fields: Vec<(&str, &str)> =
            form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let page = browser
            .submit(&format!("/pro/demandes/{id}/transfert"), &fields)
            .await;
        assert_eq!(page.status, 422, "forged transfer {n}: {}", page.body);
        assert_eq!(
            copies(&app, &id).await,
            before,
            "forged transfer {n} changed a copy"
        );
    }

    let fields: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let page = browser
        .submit(&format!("/pro/demandes/{id}/transfert"), &fields)
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let after = copies(&app, &id).await;
    assert!(after.contains(&"person".to_owned()));
    assert!(
        after.contains(&"recovery:montreuillois".to_owned()),
        "the recovery copy is kept across transfers: {after:?}"
    );
    assert!(after.contains(&target_member.user_id.to_string()));
    assert!(!after.contains(&browser.account.id.to_string()));
    // The list of recipients names nobody: only public keys.
    let list = browser
        .get(&format!(
            "/pro/demandes/{id}/destinataires?organisation={organisation}"
        ))
        .await;
    assert_eq!(list.status, 403, "no longer theirs");
}

#[tokio::test]
async fn no_account_gains_the_key_of_a_referral_without_its_team_and_the_person_being_told() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation(STORY).await);
    let mut coordination = app.coordinator("coord@example.org", "montreuillois").await;
    let second = app
        .coordinator("coord-2@example.org", "montreuillois")
        .account()
        .await;
    let (first_recovery, first_public) = PrivateKey::generate();
    let recovery_page = "/pro/territoires/montreuillois/cle-de-secours";
    let page = coordination
        .submit(recovery_page, &[("public_key", &first_public.encode())])
        .await;
    assert_eq!(page.status, 303, "the first key needs no second person");
    let colleague = app
        .professional("equipe@example.org", &organisation)
        .with_key()
        .account()
        .await;
    let receipt = app.person().sends_report(&organisation, STORY).await;
    let (referral, _) = only_referral(&app, &members[&organisation]).await;
    let id = referral.id.clone();
    let (_, page) = app.person().follows_up(&[("code", &receipt)]).await;
    assert!(page.contains("2 personnes de"), "{page}");

    // Replacing the recovery key with one the coordinator holds: a
    // proposal only, which he cannot approve himself.
    let (_, his_public) = PrivateKey::generate();
    let page = coordination
        .submit(recovery_page, &[("public_key", &his_public.encode())])
        .await;
    assert_eq!(page.status, 422, "refused without confirmation");
    let page = coordination
        .submit(
            recovery_page,
            &[("public_key", &his_public.encode()), ("confirmer", "oui")],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(
        referrals::recovery_key(&app.state.db, "montreuillois")
            .await
            .unwrap(),
        Some(first_public.encode()),
        "not replaced yet"
    );
    let approve = "/pro/territoires/montreuillois/cle-de-secours/approuver";
    let page = coordination.submit(approve, &[("confirmer", "oui")]).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("une autre personne"), "{}", page.body);
    assert_eq!(
        referrals::recovery_key(&app.state.db, "montreuillois")
            .await
            .unwrap(),
        Some(first_public.encode())
    );
    // A second coordinator approves: replaced, and every member of the
    // territory's organisations told.
    let mut other = Session::new(&app);
    other.sign_in(&second).await;
    let page = other.get(recovery_page).await;
    assert!(
        page.body.contains("Approuver le remplacement"),
        "{}",
        page.body
    );
    let page = other.submit(approve, &[("confirmer", "oui")]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(
        referrals::recovery_key(&app.state.db, "montreuillois")
            .await
            .unwrap(),
        Some(his_public.encode())
    );
    assert!(
        notices_for(&app, &colleague.email)
            .await
            .contains(&"recovery-key-replaced".to_owned())
    );
    let log = accounts::audit_entries(&app.state.db, None, 100)
        .await
        .unwrap();
    assert!(log.iter().any(|e| e.action == "recovery-key-replaced"
        && e.detail.contains("coord@example.org")
        && e.detail.contains("coord-2@example.org")));

    // An account the coordinator controls, invited into the organisation and
    // given the referral's key with the recovery key: its team sees it in
    // the referral's history and in their inbox, is told by e-mail, and the
    // person sees one more reader.
    let planted = app
        .professional("complice@example.org", &organisation)
        .with_key()
        .account()
        .await;
    let copy = referrals::wrapped_key(&app.state.db, &id, "recovery:montreuillois")
        .await
        .unwrap()
        .unwrap();
    let key = ReferralKey::unwrap(&copy, &first_recovery, &id).unwrap();
    let keys = serde_json::to_string(&[(
        id.clone(),
        key.wrap_for(&planted.key().public_key(), &id),
        key.check(&id),
    )])
    .unwrap();
    let page = coordination
        .submit(
            "/pro/territoires/montreuillois/cle-de-secours/acces",
            &[("recipient", planted.id.as_str()), ("keys", &keys)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let mut team = Session::new(&app);
    team.sign_in(&colleague).await;
    let page = team.get(&format!("/pro/demandes/{id}")).await;
    assert!(
        page.body.contains(
            "Accès donné à complice@example.org par coord@example.org, avec la clé de secours"
        ),
        "{}",
        page.body
    );
    let inbox = team.get("/pro/demandes").await;
    assert!(
        inbox
            .body
            .contains("complice@example.org a reçu l&#39;accès à 1 demande(s)"),
        "{}",
        inbox.body
    );
    assert!(
        notices_for(&app, &colleague.email)
            .await
            .contains(&"access-given".to_owned())
    );
    let (_, page) = app.person().follows_up(&[("code", &receipt)]).await;
    assert!(page.contains("3 personnes de"), "{page}");
    assert!(page.contains("une personne de plus de"), "{page}");
}

#[tokio::test]
async fn retention_counts_from_the_transfer_so_a_referral_opened_then_transferred_a_month_later_stays()
 {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation(STORY).await);
    let target = members
        .keys()
        .find(|o| **o != organisation)
        .unwrap()
        .clone();
    let mut browser = app
        .professional("transfert@example.org", &organisation)
        .with_key()
        .await;
    app.person().sends_report(&organisation, STORY).await;
    let (referral, _) = only_referral(&app, &members[&organisation]).await;
    let id = referral.id.clone();
    assert_eq!(
        browser.get(&format!("/pro/demandes/{id}")).await.status,
        200,
        "opened"
    );
    // Sent and opened 31 days ago.
    let long_ago = relais::storage::timestamp_text(
        jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 31),
    );
    relais::with_pool!(&app.state.db, pool => {
        sqlx::query("UPDATE referrals SET created_at = $2, opened_at = $2, retain_from = $2 WHERE id = $1")
            .bind(&id)
            .bind(&long_ago)
            .execute(pool)
            .await
            .unwrap();
    });
    // Transferred today: the new organisation has not opened it yet.
    let own = referrals::wrapped_key(&app.state.db, &id, browser.account.id.as_str())
        .await
        .unwrap()
        .unwrap();
    let referral_key = ReferralKey::unwrap(&own, browser.account.key(), &id).unwrap();
    let form = transfer_form(&mut browser, &id, &target, &referral_key).await;
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let page = browser
        .submit(&format!("/pro/demandes/{id}/transfert"), &fields)
        .await;
    assert_eq!(page.status, 303, "{}", page.body);

    let now = jiff::Timestamp::now();
    assert_eq!(
        retention::purge(&app.state.db, now, 90, 30).await.unwrap(),
        0,
        "not erased the next night"
    );
    assert!(
        referrals::by_id(&app.state.db, &id)
            .await
            .unwrap()
            .is_some()
    );
    let later = now + jiff::SignedDuration::from_hours(24 * 31);
    assert_eq!(
        retention::purge(&app.state.db, later, 90, 30)
            .await
            .unwrap(),
        1,
        "erased once the new organisation left it unopened for 30 days"
    );
}

#[tokio::test]
async fn a_finished_conversation_sends_at_most_one_referral_per_organisation() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let outcome = app.person().reaches_the_orientation(STORY).await;
    let organisation = first_sender(&outcome);
    let form = vec![
        ("t".to_owned(), hidden(&outcome, "t")),
        ("organisation".to_owned(), organisation.to_string()),
    ];
    let (_, page) = app.post_text("/envoyer", &form).await;
    let filled = send_form(&page);
    let (status, sent) = app.post_text("/envoyer/confirmer", &filled).await;
    assert_eq!(status, 200);
    assert!(sent.contains("class=\"receipt\""));
    // The same conversation, sent again and again, with any token it had.
    for _ in 0..5 {
        let (status, again) = app.post_text("/envoyer/confirmer", &filled).await;
        assert_eq!(status, 200);
        assert!(again.contains("a déjà été envoyée"), "{again}");
    }
    assert_eq!(referrals::count(&app.state.db).await.unwrap(), 1);
    // Another organisation may receive it too.
    let other = members.keys().find(|o| **o != organisation).unwrap();
    let to_other: Vec<(String, String)> = filled
        .iter()
        .map(|(k, v)| {
            let v = if k == "organisation" {
                other.to_string()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect();
    let (status, sent) = app.post_text("/envoyer/confirmer", &to_other).await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(referrals::count(&app.state.db).await.unwrap(), 2);
}

#[tokio::test]
async fn sending_is_limited_per_client_and_a_burst_makes_one_email() {
    let app = TestApp::spawn_with(|s| s.referrals_per_client_per_hour = 3).await;
    let members = members_everywhere(&app).await;
    let outcome = app.person().reaches_the_orientation(STORY).await;
    let organisation = first_sender(&outcome);
    let form = vec![
        ("t".to_owned(), hidden(&outcome, "t")),
        ("organisation".to_owned(), organisation.to_string()),
    ];
    let (_, page) = app.post_text("/envoyer", &form).await;
    let template = send_form(&page);
    let with_token = |token: String| -> Vec<(String, String)> {
        template
            .iter()
            .map(|(k, v)| (k.clone(), if k == "t" { token.clone() } else { v.clone() }))
            .collect()
    };
    for n in 0..3 {
        let token = another_conversation(&app, &hidden(&outcome, "t"));
        let (status, sent) = app
            .post_text("/envoyer/confirmer", &with_token(token))
            .await;
        assert_eq!(status, 200, "referral {n}: {sent}");
    }
    let token = another_conversation(&app, &hidden(&outcome, "t"));
    let (status, page) = app
        .post_text("/envoyer/confirmer", &with_token(token))
        .await;
    assert_eq!(status, 429);
    assert!(
        page.contains("Plusieurs demandes sont déjà parties"),
        "{page}"
    );
    assert!(
        page.contains("value=\"Madame Martin\""),
        "what she chose is kept"
    );
    assert_eq!(referrals::count(&app.state.db).await.unwrap(), 3);

    // Three referrals in a burst: one e-mail leaves for the member at once;
    // what comes after waits ten minutes and goes in one.
    let member = accounts::user(&app.state.db, &members[&organisation].user_id)
        .await
        .unwrap()
        .unwrap();
    let sent_to = |email: String| {
        let db = app.state.db.clone();
        async move {
            relais::with_pool!(&db, pool => {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND sent_at IS NOT NULL")
                    .bind(&email)
                    .fetch_one(pool)
                    .await
                    .unwrap()
            })
        }
    };
    let started = Instant::now();
    while sent_to(member.email.clone()).await == 0 {
        assert!(started.elapsed() < Duration::from_secs(10), "never sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    outbox::send_due(
        &app.state.db,
        &app.state.settings,
        &outbox::Mailer::from_settings(&app.state.settings).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        sent_to(member.email.clone()).await,
        1,
        "one e-mail for the burst"
    );
    let waiting: Vec<String> = relais::with_pool!(&app.state.db, pool => {
        sqlx::query_scalar("SELECT next_attempt_at FROM outbox WHERE recipient = $1 AND sent_at IS NULL")
            .bind(&member.email)
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert_eq!(waiting.len(), 1);
    let next: jiff::Timestamp = waiting[0].parse().unwrap();
    assert!(
        next > jiff::Timestamp::now() + jiff::SignedDuration::from_mins(5),
        "{next}"
    );
}

#[tokio::test]
async fn a_reply_sent_twice_with_the_same_id_is_a_calm_refusal_not_a_server_error() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation(STORY).await);
    let mut browser = app
        .professional("repond@example.org", &organisation)
        .with_key()
        .await;
    app.person().sends_report(&organisation, STORY).await;
    let (referral, _) = only_referral(&app, &members[&organisation]).await;
    let id = referral.id;
    let own = referrals::wrapped_key(&app.state.db, &id, browser.account.id.as_str())
        .await
        .unwrap()
        .unwrap();
    let referral_key = ReferralKey::unwrap(&own, browser.account.key(), &id).unwrap();
    let message_id = MessageId::new();
    let body = referral_key.seal_message(&id, &message_id, Author::Professional, "Bonjour");
    let path = format!("/pro/demandes/{id}/reponse");
    let fields = [("message_id", message_id.as_str()), ("body", body.as_str())];
    assert_eq!(browser.submit(&path, &fields).await.status, 303);
    let again = browser.submit(&path, &fields).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("déjà partie"));
    // Given twice in one form: no form of ours, a calm 400.
    let twice = browser
        .submit(
            &path,
            &[
                ("message_id", MessageId::new().as_str()),
                ("message_id", MessageId::new().as_str()),
                ("body", body.as_str()),
            ],
        )
        .await;
    assert_eq!(twice.status, 400);
    assert_eq!(
        referrals::messages(&app.state.db, &id).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn the_follow_up_page_names_the_organisation_her_request_went_to() {
    let app = TestApp::spawn().await;
    members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation(STORY).await);
    let (named, _) = relais::directory::storage::organisation(&app.state.db, &organisation)
        .await
        .unwrap()
        .expect("the organisation");
    let name = named.name.replace('\'', "&#39;");
    let receipt = app.person().sends_report(&organisation, STORY).await;

    let (status, page) = app.person().follows_up(&[("code", &receipt)]).await;
    assert_eq!(status, 200, "{page}");
    let said = crate::helpers::page::between(&page, "<p class=\"sent-to\">", "</p>")
        .unwrap_or_else(|| panic!("the page does not say where it went: {page}"));
    assert!(
        said.contains("Structure qui a reçu votre demande") && said.contains(&name),
        "{said}"
    );

    // In Arabic, the name is isolated: Latin script inside right-to-left text.
    let (_, page) = app
        .post_text("/ar/suivi", &[("code", receipt.as_str())])
        .await;
    assert!(page.contains(&format!("<bdi>{name}</bdi>")), "{page}");
}

#[tokio::test]
async fn the_report_labels_her_contact_for_the_professional_and_leaves_out_what_only_steered_the_conversation()
 {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = first_sender(&app.person().reaches_the_orientation(STORY).await);
    app.person().sends_report(&organisation, STORY).await;
    let (referral, key) = only_referral(&app, &members[&organisation]).await;
    let report: Report =
        serde_json::from_slice(&key.open_report(&referral.id, &referral.report).unwrap()).unwrap();

    // Her contact, under labels for the one who will call her, not under
    // the question she was asked ("Comment pouvons-nous vous contacter…").
    let labels: Vec<&str> = report.contact.iter().map(|l| l.question.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Comment la joindre",
            "Moments sans danger",
            "Laisser un message",
            "Se présenter comme"
        ]
    );
    let answers: Vec<&str> = report.contact.iter().map(|l| l.answer.as_str()).collect();
    assert_eq!(
        answers,
        [
            "Par SMS au 06 12 34 56 78",
            "le matin",
            "Oui, c'est possible",
            "Madame Martin"
        ]
    );
    // What the flow marks `report = false` is not in it: the online
    // form's "Oui" told the professional nothing.
    let flow = &app.state.conversation.national;
    let left_out: Vec<&str> = flow
        .steps()
        .filter(|step| !step.in_report)
        .map(|step| step.question.get("fr"))
        .collect();
    assert!(
        left_out
            .iter()
            .any(|q| q.contains("formulaire d'aide en ligne"))
    );
    for line in report.answers.iter().chain(&report.contact) {
        assert!(!left_out.contains(&line.question.as_str()), "{line:?}");
        assert!(!line.question.contains("pouvons-nous"), "{line:?}");
    }
    assert!(report.answers.iter().any(|l| l.question.contains("âge")));
}

#[tokio::test]
async fn the_inbox_and_the_dashboard_say_what_helps_to_choose_without_what_she_wrote() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let outcome = app
        .person()
        .in_language("/en")
        .reaches_the_orientation(STORY)
        .await;
    let organisation = first_sender(&outcome);
    let mut professional = app
        .professional("accueil@example.org", &organisation)
        .with_key()
        .await;
    let page = professional.get("/pro").await;
    assert!(
        page.body.contains("Aucune nouvelle demande"),
        "{}",
        page.body
    );

    // She writes in English, and accepts a call.
    let form = vec![
        ("t".to_owned(), hidden(&outcome, "t")),
        ("organisation".to_owned(), organisation.to_string()),
    ];
    let (status, page) = app.post_text("/en/envoyer", &form).await;
    assert_eq!(status, 200);
    let mut fields = send_form(&page);
    for (name, value) in &mut fields {
        if name == "canal" {
            "telephone".clone_into(value);
        }
    }
    let (status, sent) = app.post_text("/en/envoyer/confirmer", &fields).await;
    assert_eq!(status, 200, "{sent}");

    // Kept in clear: her choices, nothing she wrote.
    let (referral, _) = only_referral(&app, &members[&organisation]).await;
    assert_eq!(referral.language, StoredLanguage(Some(Lang::En)));
    assert_eq!(
        referral.contact_channel,
        StoredChannel(Some(Channel::Phone))
    );

    let page = professional.get("/pro").await;
    assert!(
        page.body.contains("1 nouvelle demande</strong>, urgente."),
        "{}",
        page.body
    );
    let inbox = professional.get("/pro/demandes").await;
    assert_eq!(inbox.status, 200);
    for shown in [
        "Attend depuis",
        "moins d",
        "Appel possible",
        "anglais",
        "Urgente",
    ] {
        assert!(inbox.body.contains(shown), "{shown}: {}", inbox.body);
    }
    for hidden_text in [
        "06 12 34 56 78",
        "Camille",
        "surveille",
        "Madame Martin",
        "le matin",
    ] {
        assert!(
            !inbox.body.contains(hidden_text),
            "{hidden_text} in the inbox"
        );
    }

    // Opened: no longer new.
    let opened = professional
        .get(&format!("/pro/demandes/{}", referral.id))
        .await;
    assert_eq!(opened.status, 200);
    let page = professional.get("/pro").await;
    assert!(
        page.body.contains("Aucune nouvelle demande"),
        "{}",
        page.body
    );
    // Taken in hand: it waits no more.
    let taken = professional
        .submit(
            &format!("/pro/demandes/{}/statut", referral.id),
            &[("statut", "accepted")],
        )
        .await;
    assert!(taken.status < 400, "{}", taken.body);
    let inbox = professional.get("/pro/demandes").await;
    assert!(!inbox.body.contains("moins d"), "{}", inbox.body);
}

#[tokio::test]
async fn a_key_is_confirmed_once_the_server_stored_it_and_never_when_it_refused_it() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = members.keys().next().unwrap().clone();
    let mut professional = app
        .professional("nouvelle@example.org", &organisation)
        .await;
    let page = professional.get("/pro/cle").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Votre clé est créée"));

    let (key, _) = PrivateKey::generate();
    let record = key_record(&key);
    let iterations = record.iterations.to_string();
    let mut fields = vec![
        ("public_key", record.public_key.as_str()),
        ("salt", record.salt.as_str()),
        ("iterations", iterations.as_str()),
        ("nonce", record.nonce.as_str()),
        ("wrapped", record.wrapped.as_str()),
    ];
    fields[0].1 = "incomplete";
    let refused = professional.submit("/pro/cle", &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(!refused.body.contains("Votre clé est créée"));

    fields[0].1 = record.public_key.as_str();
    let stored = professional.submit("/pro/cle", &fields).await;
    assert_eq!(stored.status, 200, "{}", stored.body);
    assert!(
        stored.body.contains("<h1>Votre clé est créée</h1>"),
        "{}",
        stored.body
    );
    assert!(stored.body.contains("href=\"/pro/demandes\""));
    assert!(
        referrals::key_of(&app.state.db, &professional.account.id)
            .await
            .unwrap()
            .is_some()
    );
}

/// The callback form of `/envoyer` with `genre=rappel`, as she fills it.
fn callback_form(page: &str, number: &str) -> Vec<(String, String)> {
    assert_eq!(hidden(page, "genre"), "rappel");
    assert_eq!(hidden(page, "canal"), "telephone");
    [
        ("t", hidden(page, "t")),
        ("organisation", hidden(page, "organisation")),
        ("genre", "rappel".to_owned()),
        ("canal", "telephone".to_owned()),
        ("coordonnee", number.to_owned()),
        ("moments", "le soir après 18 h".to_owned()),
        ("nom_neutre", "Madame Martin".to_owned()),
        ("urgent", "non".to_owned()),
        ("consentement", "oui".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Asks `/envoyer` for a callback by `organisation` from the conversation
/// of `token`.
async fn ask_callback(app: &TestApp, token: &str, organisation: &OrganisationId) -> (u16, String) {
    app.post_text(
        "/envoyer",
        &[
            ("t", token),
            ("organisation", organisation.as_str()),
            ("genre", "rappel"),
        ],
    )
    .await
}

#[tokio::test]
async fn a_callback_request_sends_a_referral_of_kind_callback_that_the_inbox_shows_as_rappel_demande()
 {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = members.keys().next().unwrap().clone();
    let name = relais::directory::storage::organisation(&app.state.db, &organisation)
        .await
        .unwrap()
        .unwrap()
        .0
        .name;

    // After the emergency numbers, shown then acknowledged, a callback can
    // be asked for.
    let mut person = app.person().arrives().await;
    person.answers("formulaire", "choix", "oui").await;
    person.answers("age", "nombre", "34").await;
    person.answers("danger", "choix", "oui").await;
    assert_eq!(person.asked(), "urgence");
    let (status, page) = ask_callback(&app, &person.token, &organisation).await;
    assert_eq!(status, 200);
    assert!(page.contains("Être rappelée"), "{page}");
    person.continues("urgence").await;
    assert_eq!(person.asked(), "concerne");
    let (_, page) = ask_callback(&app, &person.token, &organisation).await;
    assert!(page.contains("Être rappelée"), "{page}");
    // Before any outcome: not yet.
    let mut early = app.person().arrives().await;
    early.answers("formulaire", "choix", "oui").await;
    let (_, page) = ask_callback(&app, &early.token, &organisation).await;
    assert!(!page.contains("name=\"coordonnee\""), "{page}");

    // "I would rather call someone": the page says plainly what happens.
    let mut person = app.person().arrives().await;
    person.answers("formulaire", "choix", "appeler").await;
    let (status, page) = ask_callback(&app, &person.token, &organisation).await;
    assert_eq!(status, 200);
    crate::helpers::assert_has_safety_chrome(&page, "/envoyer rappel");
    let name_html = name.replace('\'', "&#39;");
    assert!(page.contains("<title>Être rappelée"), "{page}");
    assert!(
        page.contains(&format!(
            "Un professionnel de {name_html} vous rappellera au numéro et aux moments"
        )),
        "{page}"
    );
    assert!(page.contains("peut laisser un message"), "{page}");
    assert!(page.contains("nom neutre"), "{page}");
    assert!(
        page.contains(&format!("les professionnels de {name_html} reçoivent")),
        "{page}"
    );
    let form = callback_form(&page, "06 98 76 54 32");
    let (status, sent) = app.post_text("/envoyer/confirmer", &form).await;
    assert_eq!(status, 200, "{sent}");
    assert!(
        sent.contains("Votre demande de rappel est envoyée"),
        "{sent}"
    );
    let receipt = receipt_of(&sent);
    assert_eq!(receipt.len(), 19);

    // A referral of kind callback, sealed as a report is.
    let member = &members[&organisation];
    let (referral, key) = only_referral(&app, member).await;
    assert_eq!(referral.kind, referrals::Kind::Callback);
    assert_eq!(
        referral.contact_channel,
        StoredChannel(Some(Channel::Phone))
    );
    assert!(!referral.report.contains("98 76"));
    let report: Report =
        serde_json::from_slice(&key.open_report(&referral.id, &referral.report).unwrap()).unwrap();
    assert!(
        report.contact[0].answer.contains("06 98 76 54 32"),
        "{report:?}"
    );
    assert!(
        report
            .contact
            .iter()
            .any(|l| l.answer == "le soir après 18 h")
    );
    assert!(
        report
            .contact
            .iter()
            .any(|l| l.answer == "Non : ne laissez pas de message")
    );
    assert!(report.contact.iter().any(|l| l.answer == "Madame Martin"));

    // The inbox shows it at a glance.
    let mut professional = app
        .professional("accueil@example.org", &organisation)
        .with_key()
        .await;
    let inbox = professional.get("/pro/demandes").await;
    assert!(
        inbox
            .body
            .contains("<strong class=\"callback\">Rappel demandé</strong>"),
        "{}",
        inbox.body
    );
    assert!(!inbox.body.contains("98 76"));

    // Sent twice: one referral, counted once.
    let (status, again) = app.post_text("/envoyer/confirmer", &form).await;
    assert_eq!(status, 200);
    assert!(again.contains("déjà été envoyée"), "{again}");
    assert_eq!(referrals::count(&app.state.db).await.unwrap(), 1);
    let today = app.state.directory.index().today_in("montreuillois");
    let counts = relais::storage::counters::between(&app.state.db, "montreuillois", today, today)
        .await
        .unwrap();
    let callbacks: i64 = counts
        .iter()
        .filter(|c| c.event == "live:callback")
        .map(|c| c.count)
        .sum();
    assert_eq!(callbacks, 1, "{counts:?}");
}

#[tokio::test]
async fn a_callback_without_a_phone_number_is_refused_next_to_the_field_and_keeps_what_she_typed() {
    let app = TestApp::spawn().await;
    let members = members_everywhere(&app).await;
    let organisation = members.keys().next().unwrap().clone();
    let mut person = app.person().arrives().await;
    person.answers("formulaire", "choix", "appeler").await;
    let (_, page) = ask_callback(&app, &person.token, &organisation).await;

    let (status, back) = app
        .post_text("/envoyer/confirmer", &callback_form(&page, ""))
        .await;
    assert_eq!(status, 422);
    assert!(back.contains("id=\"contact-error\""), "{back}");
    assert!(
        back.contains("Pour être rappelée, indiquez un numéro de téléphone."),
        "{back}"
    );
    assert!(
        back.contains("aria-describedby=\"contact-error\""),
        "{back}"
    );
    assert!(back.contains("value=\"le soir après 18 h\""), "{back}");
    assert!(back.contains("value=\"Madame Martin\""), "{back}");
    assert!(back.contains("id=\"consentement\" name=\"consentement\" value=\"oui\" checked"));

    // An e-mail address is no number to call back, whatever the form says.
    let mut by_email = callback_form(&page, "camille@example.org");
    for (key, value) in &mut by_email {
        if key == "canal" {
            "courriel".clone_into(value);
        }
    }
    let (status, back) = app.post_text("/envoyer/confirmer", &by_email).await;
    assert_eq!(status, 422);
    assert!(back.contains("indiquez un numéro de téléphone"), "{back}");
    assert!(back.contains("value=\"camille@example.org\""), "{back}");
    assert_eq!(referrals::count(&app.state.db).await.unwrap(), 0);
}

#[tokio::test]
async fn a_callback_to_an_organisation_of_another_territory_is_refused() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let members = members_everywhere(&app).await;
    let communes = relais::directory::communes::Communes::embedded();
    let mut paris = relais::directory::territories::parse_territory_file(
        relais::directory::DEMO_TERRITORY,
        &communes,
    )
    .unwrap();
    paris.slug = relais::directory::territories::Slug::parse("paris").unwrap();
    paris.name = "Paris".to_owned();
    paris.communes.clear();
    paris.departements = ["75".to_owned()].into();
    crate::committed!(db, relais::directory::storage::save_territory, &paris);
    let text = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee;presentation;verifie_le\n\
                paris;Structure de Paris (exemple);lawyer;paris-1;Permanence de Paris;legal;75056;Une permanence;2026-11-28\n";
    let parsed = relais::directory::import::parse(
        text.as_bytes(),
        relais::directory::import::Format::Csv,
        &communes,
    )
    .unwrap();
    crate::committed!(db, relais::directory::storage::import, "paris", &parsed);
    app.state.directory.refresh(db).await.unwrap();
    let (organisations, _) = relais::directory::storage::directory(db, Some("paris"))
        .await
        .unwrap();
    let elsewhere = organisations[0].id.clone();
    let user_id = crate::committed!(
        db,
        accounts::create_user,
        "paris@example.org",
        accounts::Role::Professional,
        Some(&elsewhere),
        &[],
    );
    give_key(&app, &user_id).await;
    assert!(app.state.referrals.receiving().contains(&elsewhere));

    // Her conversation is in the Montreuillois.
    let outcome = app.person().reaches_the_orientation(STORY).await;
    let token = hidden(&outcome, "t");
    let (status, page) = ask_callback(&app, &token, &elsewhere).await;
    assert_eq!(status, 200);
    assert!(page.contains("ne peut pas vous rappeler"), "{page}");
    assert!(!page.contains("name=\"coordonnee\""));

    // Her own territory's organisation can call her back; the same form
    // turned towards Paris cannot.
    let here = members.keys().next().unwrap();
    let (_, page) = ask_callback(&app, &token, here).await;
    let mut form = callback_form(&page, "06 98 76 54 32");
    for (key, value) in &mut form {
        if key == "organisation" {
            *value = elsewhere.to_string();
        }
    }
    let (status, refused) = app.post_text("/envoyer/confirmer", &form).await;
    assert_eq!(status, 200);
    assert!(refused.contains("ne peut pas vous rappeler"), "{refused}");
    assert_eq!(referrals::count(db).await.unwrap(), 0);
    let (status, sent) = app
        .post_text(
            "/envoyer/confirmer",
            &callback_form(&page, "06 98 76 54 32"),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(referrals::count(db).await.unwrap(), 1);
}
