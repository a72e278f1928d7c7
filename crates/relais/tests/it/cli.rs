//! The `relais` binary as an operator runs it.

use std::io::{BufRead as _, BufReader};
use std::os::unix::fs::PermissionsExt as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RELAIS: &str = env!("CARGO_BIN_EXE_relais");

#[test]
fn help_lists_the_commands() {
    let output = Command::new(RELAIS).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for command in ["serve", "migrate", "config"] {
        assert!(
            help.contains(command),
            "--help does not list {command}:\n{help}"
        );
    }
    for flag in ["--addr", "--data-dir", "--database-url"] {
        assert!(help.contains(flag), "--help does not list {flag}:\n{help}");
    }
}

#[test]
fn migrate_creates_the_database_in_a_private_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let output = Command::new(RELAIS)
        .args(["migrate", "--data-dir"])
        .arg(&data)
        .env_remove("RELAIS_DATABASE_URL")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    assert!(data.join("relais.sqlite3").exists());
}

#[test]
fn a_bad_setting_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("relais.toml"),
        "neutral_url = \"ftp://nowhere\"\n",
    )
    .unwrap();
    let output = Command::new(RELAIS)
        .arg("config")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(error.contains("neutral_url"), "{error}");
}

#[test]
fn the_environment_overrides_the_file_and_config_masks_the_database_password() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("relais.toml"),
        "addr = \"127.0.0.1:9001\"\nlog = \"debug\"\n",
    )
    .unwrap();
    let output = Command::new(RELAIS)
        .arg("config")
        .current_dir(dir.path())
        .env("RELAIS_LOG", "warn")
        .env(
            "RELAIS_DATABASE_URL",
            "postgres://relais:hunter22@db/relais",
        )
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let shown = String::from_utf8(output.stdout).unwrap();
    assert!(shown.contains("addr = 127.0.0.1:9001"), "{shown}");
    assert!(shown.contains("log = warn"), "{shown}");
    assert!(!shown.contains("hunter22"), "{shown}");
}

#[test]
fn serve_answers_then_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(RELAIS)
        .args(["serve", "--addr", "127.0.0.1:0", "--log-format", "json"])
        .current_dir(dir.path())
        .env_remove("RELAIS_DATABASE_URL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let started = Instant::now();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server logs before exiting")
            .unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split('"').next().unwrap().to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
    };

    let body = http_get(&addr, "/healthz");
    assert!(body.ends_with("ok\n"), "{body}");
    let secret = dir.path().join("relais-data/secret.key");
    assert_eq!(
        std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "relais exited with {status}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|line| line.contains("stopped")), "{rest:?}");
}

/// A minimal HTTP/1.1 GET over a plain socket.
fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn the_readme_documents_every_setting_with_its_variable() {
    use clap::CommandFactory as _;
    let readme = include_str!("../../../../README.md");
    let command = relais::cli::Cli::command();
    let mut documented = 0;
    for arg in command.get_arguments() {
        let Some(variable) = arg.get_env().and_then(|v| v.to_str()) else {
            continue;
        };
        assert!(
            readme.contains(&format!("`{variable}`")),
            "README does not mention {variable}"
        );
        if variable != "RELAIS_CONFIG" {
            let key = arg.get_id().as_str();
            assert!(
                readme.contains(&format!("| `{key}` | `{variable}` |")),
                "README's table lacks {key}"
            );
            documented += 1;
        }
    }
    assert_eq!(
        documented,
        relais::config::Settings::default().describe().len()
    );
}

#[test]
fn user_create_prints_a_one_time_invitation_link_and_names_a_bad_option() {
    let dir = tempfile::tempdir().unwrap();
    let relais = |args: &[&str]| {
        Command::new(RELAIS)
            .args(args)
            .args(["--data-dir", "data"])
            .env_remove("RELAIS_DATABASE_URL")
            .env("RELAIS_PUBLIC_URL", "https://relais.example.org")
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let territory = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../content/territories/montreuillois.toml"
    );
    assert!(relais(&["migrate"]).status.success());
    assert!(relais(&["territory", "add", territory]).status.success());

    let output = relais(&[
        "user",
        "create",
        "--email",
        "Coordination@Example.org",
        "--role",
        "coordinator",
        "--territory",
        "montreuillois",
    ]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let link = stdout.lines().find(|l| l.starts_with("https://")).unwrap();
    assert!(
        link.starts_with("https://relais.example.org/pro/invitation/"),
        "{link}"
    );
    assert!(link.len() > "https://relais.example.org/pro/invitation/".len() + 40);

    let output = relais(&[
        "user",
        "create",
        "--email",
        "autre@example.org",
        "--role",
        "chef",
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("--role : « chef »"), "{stderr}");
    let output = relais(&[
        "user",
        "create",
        "--email",
        "coordination@example.org",
        "--role",
        "coordinator",
        "--territory",
        "ailleurs",
    ]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("--email : un compte existe déjà"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--territory : le territoire « ailleurs » n'existe pas"),
        "{stderr}"
    );

    let output = relais(&["user", "list"]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains(
            "coordination@example.org\tcoordinator\tmontreuillois\tinvitation en attente"
        ),
        "{stdout}"
    );
}

#[test]
fn purge_says_how_many_referrals_it_erased_and_under_which_rules() {
    let dir = tempfile::tempdir().unwrap();
    let migrated = Command::new(RELAIS)
        .args(["migrate", "--data-dir"])
        .arg(dir.path().join("data"))
        .env_remove("RELAIS_DATABASE_URL")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(migrated.status.success());
    let output = Command::new(RELAIS)
        .args(["purge", "--retention-closed-days", "60", "--data-dir"])
        .arg(dir.path().join("data"))
        .env_remove("RELAIS_DATABASE_URL")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains(
            "0 referral(s) erased: closed for more than 60 days, or never opened for 30 days"
        ),
        "{said}"
    );
}

/// `relais` run in `dir` with `args`, without the test's own database
/// settings.
fn relais_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(RELAIS)
        .args(args)
        .args(["--log", "warn"])
        .current_dir(dir)
        .env_remove("RELAIS_DATABASE_URL")
        .env_remove("RELAIS_DATA_DIR")
        .env_remove("RELAIS_PUBLIC_URL")
        .output()
        .unwrap()
}

#[test]
fn orient_reads_five_digits_as_a_postcode_as_the_site_does_and_lists_the_communes_it_covers() {
    let dir = tempfile::tempdir().unwrap();
    assert!(relais_in(dir.path(), &["migrate"]).status.success());
    let output = relais_in(
        dir.path(),
        &["orient", "--commune", "62170", "--needs", "legal"],
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!output.status.success());
    assert!(
        stderr.contains("« 62170 » correspond à ") && stderr.contains("--insee CODE"),
        "{stderr}"
    );
    let listed: Vec<&str> = stderr.lines().filter(|l| l.contains('\t')).collect();
    assert!(listed.len() > 20, "{stderr}");
    assert!(
        listed
            .iter()
            .all(|line| line.split('\t').nth(3).is_some_and(|p| p.contains("62170"))),
        "{stderr}"
    );
    assert!(
        listed
            .iter()
            .any(|line| line.starts_with("62588\tMontreuil-sur-Mer\t")),
        "{stderr}"
    );
    assert!(
        stderr.contains("62170 est aussi le code INSEE de Bouvigny-Boyeffles : --insee 62170"),
        "{stderr}"
    );

    // The lookup lists every reading, and says which one is the INSEE code.
    let output = relais_in(dir.path(), &["communes", "lookup", "62170"]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stdout
            .lines()
            .last()
            .is_some_and(|line| line.starts_with("62170\tBouvigny-Boyeffles\t")),
        "{stdout}"
    );
    assert!(
        stderr.contains("La dernière ligne est la commune dont le code INSEE est 62170"),
        "{stderr}"
    );

    for place in [
        &["--commune", "62170 Montreuil-sur-Mer"][..],
        &["--commune", "Montreuil-sur-Mer"],
        &["--insee", "62588"],
    ] {
        let mut args = vec!["orient", "--needs", "legal", "--at", "2026-12-01T10:00"];
        args.extend_from_slice(place);
        let output = relais_in(dir.path(), &args);
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            stdout.starts_with("Commune : Montreuil-sur-Mer (62588)"),
            "{place:?}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn an_invitation_link_says_which_site_address_it_uses_and_how_to_set_another() {
    let dir = tempfile::tempdir().unwrap();
    assert!(relais_in(dir.path(), &["migrate"]).status.success());
    let output = relais_in(
        dir.path(),
        &[
            "user",
            "create",
            "--email",
            "admin@example.org",
            "--role",
            "admin",
        ],
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("\nhttp://127.0.0.1:8080/pro/invitation/"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "Adresse du site dans ce lien : http://127.0.0.1:8080 (public_url : valeur par défaut)."
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("public_url dans relais.toml, RELAIS_PUBLIC_URL ou --public-url")
            && stdout.contains("relais user invite --email admin@example.org"),
        "{stdout}"
    );

    // The file relais serve reads gives the address to the commands too.
    std::fs::write(
        dir.path().join("relais.toml"),
        "public_url = \"https://relais.example.org\"\n",
    )
    .unwrap();
    let output = relais_in(
        dir.path(),
        &["user", "invite", "--email", "admin@example.org"],
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("\nhttps://relais.example.org/pro/invitation/")
            && stdout.contains(
                "Adresse du site dans ce lien : https://relais.example.org (public_url : relais.toml)."
            )
            && !stdout.contains("Si le site est servi"),
        "{stdout}"
    );
    let output = Command::new(RELAIS)
        .args([
            "user",
            "invite",
            "--email",
            "admin@example.org",
            "--log",
            "warn",
        ])
        .current_dir(dir.path())
        .env_remove("RELAIS_DATABASE_URL")
        .env("RELAIS_PUBLIC_URL", "https://ailleurs.example.org/")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("\nhttps://ailleurs.example.org/pro/invitation/")
            && stdout.contains("(public_url : RELAIS_PUBLIC_URL)"),
        "{stdout}"
    );
}

#[test]
fn every_command_that_needs_data_refuses_a_missing_data_directory_and_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../content/sheets/fr/avocat-aide-juridictionnelle.md"
    );
    let commands: &[&[&str]] = &[
        &["territory", "list"],
        &["territory", "add", "t.toml"],
        &["directory", "import", "d.csv", "--territory", "t"],
        &["directory", "export", "--territory", "t", "--format", "csv"],
        &["communes", "import-centroids", "c.csv"],
        &["orient", "--commune", "62170 Montreuil", "--needs", "legal"],
        &["sheets", "stale"],
        &["sheets", "override", "--territory", "t", sheet, "--by", "X"],
        &["sheets", "history", "--territory", "t", "x"],
        &[
            "user",
            "create",
            "--email",
            "a@example.org",
            "--role",
            "admin",
        ],
        &["user", "invite", "--email", "a@example.org"],
        &["user", "list"],
        &["purge"],
    ];
    for args in commands {
        let output = relais_in(dir.path(), args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(
            stderr.contains("aucune base de données Relais à ")
                && stderr.contains("relais-data/relais.sqlite3")
                && stderr.contains("(data_dir = relais-data, valeur par défaut)")
                && stderr.contains("--data-dir"),
            "{args:?}: {stderr}"
        );
        assert!(
            !dir.path().join("relais-data").exists(),
            "{args:?} made a data directory"
        );
    }
    let output = relais_in(dir.path(), &["demo", "code"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("relais-demo/relais.sqlite3"), "{stderr}");
    assert!(!dir.path().join("relais-demo").exists());

    // What makes data still does.
    assert!(relais_in(dir.path(), &["migrate"]).status.success());
    let output = relais_in(dir.path(), &["territory", "list"]);
    assert!(output.status.success());
}

/// A `relais` process that serves, its address, what it printed on
/// standard output before serving, and stops on drop.
struct Served {
    child: std::process::Child,
    addr: String,
    stdout: String,
}

impl Served {
    /// Starts `relais args` in `dir` on a free port and waits until it
    /// listens.
    fn start(dir: &std::path::Path, args: &[&str]) -> Self {
        let mut child = Command::new(RELAIS)
            .args(args)
            .args(["--addr", "127.0.0.1:0", "--log-format", "json"])
            .current_dir(dir)
            .env_remove("RELAIS_DATABASE_URL")
            .env_remove("RELAIS_DATA_DIR")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let started = Instant::now();
        let addr = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                let output = child.wait_with_output().unwrap();
                panic!(
                    "relais {args:?} stopped: {}",
                    String::from_utf8_lossy(&output.stdout)
                );
            };
            if let Some(rest) = line.split("listening on http://").nth(1) {
                break rest.split('"').next().unwrap().to_owned();
            }
            assert!(started.elapsed() < Duration::from_secs(60), "no start");
        };
        // What is printed is printed before the server listens.
        let mut stdout = String::new();
        if args.first() == Some(&"demo") {
            let out = child.stdout.take().unwrap();
            let mut out = BufReader::new(out).lines();
            while let Some(Ok(line)) = out.next() {
                stdout.push_str(&line);
                stdout.push('\n');
                if line.contains("Ctrl-C") {
                    break;
                }
            }
        }
        Self {
            child,
            addr,
            stdout,
        }
    }

    fn get(&self, path: &str, cookie: Option<&str>) -> String {
        http_request(&self.addr, "GET", path, cookie, "")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 request over a plain socket, as the back office's
/// own pages send it (same origin); returns the whole response.
fn http_request(addr: &str, method: &str, path: &str, cookie: Option<&str>, form: &str) -> String {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let cookie = cookie.map_or(String::new(), |c| format!("Cookie: __Host-relais={c}\r\n"));
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{cookie}\
         Origin: http://{addr}\r\nSec-Fetch-Site: same-origin\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

/// The value of the field `name` in a page, empty when it has none.
fn hidden_field(page: &str, name: &str) -> String {
    crate::helpers::page::field(page, name).unwrap_or_default()
}

/// The `suite` of the second factor a sign-in redirects to.
fn suite_of(response: &str) -> String {
    let location = response
        .lines()
        .find_map(|line| line.strip_prefix("location: "))
        .unwrap_or_default()
        .trim();
    let query = location.split_once('?').map_or("", |(_, query)| query);
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "suite")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// The session cookie a response sets.
fn session_cookie(response: &str) -> Option<String> {
    response
        .lines()
        .filter_map(|line| line.strip_prefix("set-cookie: __Host-relais="))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        .next_back()
}

fn encode(fields: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

const DEMO_BANNER: &str = "Base de démonstration.";

#[test]
fn demo_serves_example_accounts_that_sign_in_with_what_it_prints_on_a_database_that_says_it_is_a_demo()
 {
    let dir = tempfile::tempdir().unwrap();
    let demo = Served::start(dir.path(), &["demo"]);
    assert!(
        demo.stdout.contains("juriste.demo@example.org")
            && demo.stdout.contains("avocate.demo@example.org")
            && demo.stdout.contains("coordination.demo@example.org"),
        "{}",
        demo.stdout
    );
    assert!(dir.path().join("relais-demo/relais.sqlite3").exists());
    assert!(!dir.path().join("relais-data").exists());

    let sign_in = demo.get("/pro/connexion", None);
    assert!(sign_in.contains(DEMO_BANNER), "{sign_in}");

    // The professional signs in with the password printed, then a code of
    // `relais demo code`.
    let printed = demo
        .stdout
        .split("juriste.demo@example.org")
        .nth(1)
        .unwrap();
    let password = printed
        .lines()
        .find_map(|l| l.trim().strip_prefix("mot de passe"))
        .unwrap()
        .trim()
        .to_owned();
    let response = http_request(
        &demo.addr,
        "POST",
        "/pro/connexion",
        None,
        &encode(&[
            ("email", "juriste.demo@example.org"),
            ("password", &password),
            ("jeton", &hidden_field(&sign_in, "jeton")),
            ("suite", &hidden_field(&sign_in, "suite")),
        ]),
    );
    assert!(response.starts_with("HTTP/1.1 303"), "{response}");
    let half = session_cookie(&response).unwrap();
    let suite = suite_of(&response);
    let codes = relais_in(dir.path(), &["demo", "code"]);
    let codes = String::from_utf8(codes.stdout).unwrap();
    let code = codes
        .lines()
        .find_map(|l| l.strip_prefix("juriste.demo@example.org\t"))
        .unwrap_or_else(|| panic!("{codes}"));
    assert_eq!(code.len(), 6, "{codes}");
    let response = http_request(
        &demo.addr,
        "POST",
        "/pro/deuxieme-facteur",
        Some(&half),
        &encode(&[("code", code), ("suite", &suite)]),
    );
    assert!(response.starts_with("HTTP/1.1 303"), "{response}");
    let session = session_cookie(&response).unwrap_or(half);
    let home = demo.get("/pro", Some(&session));
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    assert!(
        home.contains(DEMO_BANNER) && home.contains("juriste.demo@example.org"),
        "{home}"
    );
    // Two territories: the second one has its own entry.
    assert!(
        demo.stdout.contains("/t/boulonnais/aide"),
        "{}",
        demo.stdout
    );
    let second = demo.get("/t/boulonnais/aide", None);
    assert!(second.starts_with("HTTP/1.1 200"), "{second}");
    drop(demo);

    // A second run keeps the accounts and gives them a new password.
    let again = Served::start(dir.path(), &["demo"]);
    assert!(!again.stdout.contains(&password), "{}", again.stdout);
    drop(again);
    let listed = relais_in(dir.path(), &["user", "list", "--data-dir", "relais-demo"]);
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert_eq!(listed.lines().count(), 5, "{listed}");
    assert!(listed.lines().all(|l| l.ends_with("\tactif")), "{listed}");
}

#[test]
fn a_production_start_never_makes_the_demo_accounts_and_demo_refuses_its_database() {
    let dir = tempfile::tempdir().unwrap();
    // load_demo is on by default: the demo territory, never its accounts.
    let served = Served::start(dir.path(), &["serve"]);
    let sign_in = served.get("/pro/connexion", None);
    assert!(sign_in.starts_with("HTTP/1.1 200"), "{sign_in}");
    assert!(!sign_in.contains(DEMO_BANNER), "{sign_in}");
    drop(served);
    let listed = relais_in(dir.path(), &["user", "list"]);
    assert!(listed.status.success());
    assert_eq!(String::from_utf8(listed.stdout).unwrap(), "");

    // Its database is no demonstration, so relais demo will not use it.
    let output = relais_in(
        dir.path(),
        &["demo", "--data-dir", "relais-data", "--addr", "127.0.0.1:0"],
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!output.status.success());
    assert!(
        stderr.contains("cette base n'est pas une base de démonstration"),
        "{stderr}"
    );
    let listed = relais_in(dir.path(), &["user", "list"]);
    assert_eq!(String::from_utf8(listed.stdout).unwrap(), "");
}

#[test]
fn every_relative_link_of_the_readme_and_the_docs_leads_to_a_file_inside_the_repository() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    let mut documents: Vec<std::path::PathBuf> = [
        "README.md",
        "ARCHITECTURE.md",
        "BENCHMARKS.md",
        "SECURITY.md",
    ]
    .iter()
    .map(|name| root.join(name))
    .collect();
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            documents.push(path);
        }
    }
    let mut checked = 0;
    let mut broken = Vec::new();
    for document in &documents {
        let text = std::fs::read_to_string(document).unwrap();
        for (at, _) in text.match_indices("](") {
            let rest = &text[at + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = rest[..end].split('#').next().unwrap_or_default().trim();
            if target.is_empty() || target.contains(':') {
                continue; // an anchor, or an address with a scheme
            }
            checked += 1;
            let resolved = document.parent().unwrap().join(target);
            match resolved.canonicalize() {
                Ok(file) if file.starts_with(&root) && file.is_file() => {}
                _ => broken.push(format!("{}: {target}", document.display())),
            }
        }
    }
    assert!(checked > 20, "only {checked} links found");
    assert!(
        broken.is_empty(),
        "links that leave the repository or lead nowhere:\n{}",
        broken.join("\n")
    );
}
