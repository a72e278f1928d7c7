//! The canary: a phrase typed into the conversation, sent in a report and
//! in a callback request, and written in the follow-up is found nowhere the
//! server writes — not the database, its WAL, the logs, the e-mails, nor a temporary file. And a
//! referral acknowledged just before `kill -9` is there after a restart.
//! The server runs as an operator would run it, as its own process.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::page::hidden;
use crate::helpers::person::receipt_of;
use crate::helpers::professional::key_record;

const RELAIS: &str = env!("CARGO_BIN_EXE_relais");

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path)
            && bytes.windows(needle.len()).any(|window| window == needle)
        {
            found.push(path.display().to_string());
        }
    }
    found
}

/// Prepares `root/relais-data` as `relais serve` would, with the demo
/// territory and, in each of its organisations, a professional with a key
/// (the test keeps no private key: only the envelope matters here).
async fn data_dir_with_receiving_organisations(root: &Path) {
    let dir = root.join("relais-data");
    relais::storage::create_private_dir(&dir).unwrap();
    let db = relais::storage::Db::sqlite_file(&dir.join("relais.sqlite3"), 1)
        .await
        .unwrap();
    db.migrate().await.unwrap();
    relais::directory::load_demo_if_empty(&db).await.unwrap();
    let (organisations, _) = relais::directory::storage::directory(&db, Some("montreuillois"))
        .await
        .unwrap();
    for (n, organisation) in organisations.iter().enumerate() {
        let user = crate::committed!(
            db,
            relais::backoffice::storage::create_user,
            &format!("pro{n}@example.org"),
            relais::backoffice::storage::Role::Professional,
            Some(&organisation.id),
            &[],
        );
        let (key, _) = relais::referral::envelope::PrivateKey::generate();
        crate::committed!(
            db,
            relais::referral::storage::save_key,
            &user,
            &key_record(&key)
        );
    }
    db.close().await;
}

/// `relais serve` on a random port in `root`, its log copied to `log`;
/// returns the process and its address.
fn serve(root: &Path, log: &str) -> (std::process::Child, String, std::thread::JoinHandle<()>) {
    let temp = root.join("tmp");
    std::fs::create_dir_all(&temp).unwrap();
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(root.join(log))
        .unwrap();
    let mut child = Command::new(RELAIS)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--log",
            "debug",
            "--access-log",
            "true",
        ])
        .current_dir(root)
        .env("TMPDIR", &temp)
        .env_remove("RELAIS_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read the address, then keep copying the log to a file.
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let started = Instant::now();
    let mut copied = Vec::new();
    let addr = loop {
        let line = lines.next().expect("the server logs").unwrap();
        copied.push(line.clone());
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest
                .split(|c: char| c.is_whitespace() || c == '"' || c == '\u{1b}')
                .next()
                .unwrap()
                .to_owned();
        }
        assert!(started.elapsed() < Duration::from_secs(30));
    };
    let copier = std::thread::spawn(move || {
        use std::io::Write as _;
        let mut log = log;
        for line in copied.into_iter().chain(lines.map_while(Result::ok)) {
            let _ = writeln!(log, "{line}");
        }
    });
    (child, addr, copier)
}

/// Walks the conversation to the orientation with `canary` in every text;
/// returns the orientation page.
async fn conversation(client: &reqwest::Client, addr: &str, canary: &str) -> String {
    let url = format!("http://{addr}/aide");
    let mut token = String::new();
    let mut send = async |fields: &[(&str, &str)]| {
        let mut form: Vec<(&str, &str)> = vec![("t", &token)];
        form.extend_from_slice(fields);
        let html = client
            .post(&url)
            .form(&form)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        token = hidden(&html, "t");
        html
    };
    send(&[("etape", "formulaire"), ("choix", "oui")]).await;
    send(&[("etape", "age"), ("nombre", "34")]).await;
    send(&[("etape", "danger"), ("choix", "non")]).await;
    send(&[("etape", "concerne"), ("choix", "moi")]).await;
    send(&[("etape", "violences"), ("action", "passer")]).await;
    send(&[("etape", "enfants"), ("choix", "non")]).await;
    send(&[("etape", "commune"), ("lieu", "Berck")]).await;
    send(&[
        ("etape", "besoins"),
        ("choix", "droits"),
        ("action", "repondre"),
    ])
    .await;
    send(&[("etape", "prenom"), ("texte", canary)]).await;
    send(&[
        ("etape", "contact"),
        ("canal", "courriel"),
        ("coordonnee", "canari@example.org"),
        ("nom_neutre", canary),
    ])
    .await;
    let summary = send(&[
        ("etape", "message"),
        ("texte", &format!("{canary} : voici mon histoire")),
    ])
    .await;
    assert!(
        summary.contains(canary),
        "the person sees her own words in the summary"
    );
    let outcome = send(&[("etape", "resume"), ("action", "repondre")]).await;
    assert!(
        outcome.contains("(exemple)"),
        "the journey reached the orientation"
    );
    outcome
}

/// Sends the report to the first organisation offered; returns the receipt.
async fn send_report(client: &reqwest::Client, addr: &str, outcome: &str) -> String {
    let organisation = hidden(
        outcome
            .split("formaction=\"/envoyer\"")
            .nth(1)
            .expect("an organisation that receives"),
        "organisation",
    );
    let page = client
        .post(format!("http://{addr}/envoyer"))
        .form(&[
            ("t", hidden(outcome, "t")),
            ("organisation", organisation.clone()),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let sent = client
        .post(format!("http://{addr}/envoyer/confirmer"))
        .form(&[
            ("t", hidden(&page, "t")),
            ("organisation", organisation),
            ("canal", "courriel".to_owned()),
            ("coordonnee", "canari@example.org".to_owned()),
            ("urgent", "non".to_owned()),
            ("consentement", "oui".to_owned()),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    receipt_of(&sent)
}

/// Asks the second organisation offered to call her back, with `canary` in
/// the safe times and the neutral name; returns the receipt.
async fn ask_callback(client: &reqwest::Client, addr: &str, outcome: &str, canary: &str) -> String {
    let organisation = hidden(
        outcome
            .split("formaction=\"/envoyer\"")
            .nth(2)
            .expect("a second organisation that receives"),
        "organisation",
    );
    let page = client
        .post(format!("http://{addr}/envoyer"))
        .form(&[
            ("t", hidden(outcome, "t")),
            ("organisation", organisation.clone()),
            ("genre", "rappel".to_owned()),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let sent = client
        .post(format!("http://{addr}/envoyer/confirmer"))
        .form(&[
            ("t", hidden(&page, "t")),
            ("organisation", organisation),
            ("genre", "rappel".to_owned()),
            ("canal", "telephone".to_owned()),
            ("coordonnee", "06 55 44 33 22".to_owned()),
            ("moments", format!("{canary} le soir")),
            ("nom_neutre", canary.to_owned()),
            ("urgent", "non".to_owned()),
            ("consentement", "oui".to_owned()),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    receipt_of(&sent)
}

async fn follow_up(client: &reqwest::Client, addr: &str, fields: &[(&str, &str)]) -> String {
    client
        .post(format!("http://{addr}/suivi"))
        .form(fields)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_phrase_typed_in_the_conversation_and_the_report_is_found_in_no_file_the_server_writes() {
    let root = tempfile::tempdir().unwrap();
    data_dir_with_receiving_organisations(root.path()).await;
    let (mut child, addr, copier) = serve(root.path(), "server.log");
    let canary = "CANARI-zx7-un-secret-tres-personnel";
    let client = reqwest::Client::new();
    let outcome = conversation(&client, &addr, canary).await;
    let receipt = send_report(&client, &addr, &outcome).await;
    let callback = ask_callback(&client, &addr, &outcome, canary).await;
    let page = follow_up(
        &client,
        &addr,
        &[
            ("code", &receipt),
            ("action", "ecrire"),
            ("texte", &format!("{canary} encore")),
        ],
    )
    .await;
    assert!(page.contains("Votre message est envoyé"), "{page}");
    // The notifications go out after the commit: wait for them.
    let mailbox = root.path().join("relais-data/mailbox");
    let started = Instant::now();
    while std::fs::read_dir(&mailbox).map_or(0, Iterator::count) < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no e-mail written"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert!(child.wait().unwrap().success());
    copier.join().unwrap();

    let leaks = files_containing(root.path(), canary.as_bytes());
    assert!(leaks.is_empty(), "the canary was written to {leaks:?}");
    for contact in ["canari@example.org", "06 55 44 33 22"] {
        let leaks = files_containing(root.path(), contact.as_bytes());
        assert!(leaks.is_empty(), "the contact was written to {leaks:?}");
    }
    for receipt in [&receipt, &callback] {
        let digits: String = receipt.chars().filter(char::is_ascii_digit).collect();
        for form in [receipt.as_str(), digits.as_str()] {
            let leaks = files_containing(root.path(), form.as_bytes());
            assert!(leaks.is_empty(), "the receipt was written to {leaks:?}");
        }
    }
    let log = std::fs::read_to_string(root.path().join("server.log")).unwrap();
    assert!(
        log.contains("/aide"),
        "the access log ran, and says only the path"
    );
}

#[tokio::test]
async fn a_referral_acknowledged_just_before_kill_9_is_there_after_a_restart() {
    let root = tempfile::tempdir().unwrap();
    data_dir_with_receiving_organisations(root.path()).await;
    let (mut child, addr, copier) = serve(root.path(), "first.log");
    let client = reqwest::Client::new();
    let outcome = conversation(&client, &addr, "avant la coupure").await;
    let receipt = send_report(&client, &addr, &outcome).await;
    // The receipt is shown: kill at once, without a chance to flush.
    assert!(
        Command::new("kill")
            .args(["-KILL", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let _ = child.wait();
    copier.join().unwrap();

    let (mut child, addr, copier) = serve(root.path(), "second.log");
    let page = follow_up(&client, &addr, &[("code", &receipt)]).await;
    assert!(page.contains("Envoyée"), "the referral survived: {page}");
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert!(child.wait().unwrap().success());
    copier.join().unwrap();
}

/// Reads a streamed page until it holds `wanted`.
async fn read_until(response: &mut reqwest::Response, wanted: &str) -> String {
    let mut html = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !html.contains(wanted) {
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .unwrap_or_else(|_| panic!("waited for « {wanted} » in:\n{html}"))
            .unwrap()
            .unwrap_or_else(|| panic!("the page ended before « {wanted} »:\n{html}"));
        html.push_str(&String::from_utf8_lossy(&chunk));
    }
    html
}

#[tokio::test]
async fn a_phrase_written_in_a_live_conversation_is_found_in_no_file_the_server_writes() {
    let root = tempfile::tempdir().unwrap();
    data_dir_with_receiving_organisations(root.path()).await;
    // The demo's live organisation, open at any hour, and the cookie of a
    // session of one of its professionals.
    let cookie = {
        let db =
            relais::storage::Db::sqlite_file(&root.path().join("relais-data/relais.sqlite3"), 1)
                .await
                .unwrap();
        let (organisations, _) = relais::directory::storage::directory(&db, Some("montreuillois"))
            .await
            .unwrap();
        let mut live = organisations
            .into_iter()
            .find(|o| o.live)
            .expect("the demo offers live help");
        live.live_hours = "24/7".to_owned();
        crate::committed!(
            db,
            relais::directory::storage::save_organisation,
            "montreuillois",
            &live
        );
        let user = crate::committed!(
            db,
            relais::backoffice::storage::create_user,
            "permanence@example.org",
            relais::backoffice::storage::Role::Professional,
            Some(&live.id),
            &[],
        );
        let mut tx = db.begin().await.unwrap();
        let cookie = relais::backoffice::session::open(
            &mut tx,
            &user,
            relais::backoffice::storage::Stage::Full,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        db.close().await;
        cookie
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    };
    let (mut child, addr, copier) = serve(root.path(), "server.log");
    let canary = "CANARI-live-9qk-ce-que-je-vis";
    let client = reqwest::Client::new();
    let pro = |method: reqwest::Method, path: &str| {
        client
            .request(method, format!("http://{addr}{path}"))
            .header("cookie", &cookie)
    };
    let console = pro(reqwest::Method::GET, "/pro/permanence")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&console, "csrf");
    pro(reqwest::Method::POST, "/pro/permanence/service")
        .form(&[("csrf", csrf.as_str()), ("action", "commencer")])
        .send()
        .await
        .unwrap();
    // The availability is read every two seconds.
    let outcome = loop {
        let outcome = conversation(&client, &addr, canary).await;
        if outcome.contains("live-offer-form") {
            break outcome;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let organisation = hidden(
        outcome.split("form=\"live-offer-form\"").nth(1).unwrap(),
        "organisation",
    );
    let mut page = client
        .post(format!("http://{addr}/parler"))
        .form(&[
            ("t", hidden(&outcome, "t")),
            ("organisation", organisation),
            ("action", "rejoindre".to_owned()),
            ("partage", "oui".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    let html = read_until(&mut page, "live-stream").await;
    let handle = hidden(&html, "h");
    pro(reqwest::Method::POST, "/pro/permanence/prendre")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let mut mine = client
        .post(format!("http://{addr}/parler"))
        .form(&[
            ("h", handle.as_str()),
            ("m", &hidden(&html, "m")),
            ("action", "envoyer"),
            ("texte", &format!("{canary} : il rentre à 19 h")),
        ])
        .send()
        .await
        .unwrap();
    read_until(&mut mine, "il rentre").await;
    let console = pro(reqwest::Method::GET, "/pro/permanence")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        console.contains(canary),
        "the professional reads her shared answers and message"
    );
    pro(reqwest::Method::POST, "/pro/permanence/message")
        .form(&[
            ("csrf", csrf.as_str()),
            ("m", &hidden(&console, "m")),
            ("texte", &format!("{canary} : je vous lis")),
        ])
        .send()
        .await
        .unwrap();
    read_until(&mut mine, "je vous lis").await;
    pro(reqwest::Method::POST, "/pro/permanence/fin")
        .form(&[("csrf", csrf.as_str()), ("action", "terminer")])
        .send()
        .await
        .unwrap();
    read_until(&mut mine, "</html>").await;
    drop((page, mine));

    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert!(child.wait().unwrap().success());
    copier.join().unwrap();
    let leaks = files_containing(root.path(), canary.as_bytes());
    assert!(leaks.is_empty(), "the canary was written to {leaks:?}");
    let leaks = files_containing(root.path(), handle.as_bytes());
    assert!(leaks.is_empty(), "her handle was written to {leaks:?}");
}
