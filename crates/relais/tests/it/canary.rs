//! The canary: a phrase typed into the conversation is found nowhere the
//! server writes — not the database, its WAL, the logs, nor a temporary
//! file. The server runs as an operator would run it, as its own process.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

#[tokio::test]
async fn a_phrase_typed_in_the_conversation_is_found_in_no_file_the_server_writes() {
    let root = tempfile::tempdir().unwrap();
    let temp = root.path().join("tmp");
    std::fs::create_dir(&temp).unwrap();
    let log = std::fs::File::create(root.path().join("server.log")).unwrap();
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
        .current_dir(root.path())
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

    let canary = "CANARI-zx7-un-secret-tres-personnel";
    let client = reqwest::Client::new();
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
        token = html
            .split("name=\"t\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
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
    let leaks = files_containing(root.path(), b"canari@example.org");
    assert!(leaks.is_empty(), "the contact was written to {leaks:?}");
    let log = std::fs::read_to_string(root.path().join("server.log")).unwrap();
    assert!(
        log.contains("/aide"),
        "the access log ran, and says only the path"
    );
}
