//! Settings: one place for every knob an operator can turn.
//!
//! A setting is read, in order of precedence, from a command-line flag, a
//! `RELAIS_*` environment variable, the configuration file (`relais.toml` in
//! the working directory, or the file named by `--config`), and finally its
//! default. Every setting has a doc comment, a default and an environment
//! variable; the README's configuration table lists them all, and a test
//! checks that it does. Secrets never reach `Debug`.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "relais.toml";

/// The effective settings of a Relais process.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address and port the web server listens on.
    pub addr: SocketAddr,
    /// Directory for the SQLite database and the server secret; created with
    /// mode 0700.
    pub data_dir: PathBuf,
    /// `sqlite:PATH`, `sqlite::memory:` or `postgres://…`. When absent, the
    /// SQLite file `relais.sqlite3` inside `data_dir`.
    pub database_url: Option<SecretString>,
    /// Most connections the pool opens to the database.
    pub database_max_connections: u32,
    /// File holding the server secret that seals tokens; generated with mode
    /// 0600 on first start. Several instances must share the same file.
    pub secret_file: Option<PathBuf>,
    /// Where "Cacher le site" sends the visitor: a neutral, harmless site.
    pub neutral_url: String,
    /// The site is served over HTTPS (usually by a reverse proxy): send HSTS.
    pub https: bool,
    /// Log filter, in `tracing` syntax (`info`, `relais=debug,warn`, …).
    pub log: String,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// Log one line per request (method, path without query, status, time).
    /// Off by default: fewer records of visits is safer for visitors.
    pub access_log: bool,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Longest time a request may take, in seconds.
    pub request_timeout_secs: u64,
    /// Requests per minute allowed from one client before "429"; 0 disables.
    /// Clients are told apart by a keyed hash of their IP kept in memory,
    /// with a key that changes every hour.
    pub rate_limit_per_minute: u32,
    /// Referrals one client may send per hour; 0 disables. A person sends
    /// one or two; a flood of them would flood the organisations.
    pub referrals_per_client_per_hour: u32,
    /// Header carrying the client's IP when Relais runs behind a reverse
    /// proxy (e.g. `x-forwarded-for`; its last entry is used). Leave unset
    /// when clients connect directly.
    pub client_ip_header: Option<String>,
    /// Load the demo territory (Montreuillois, with example organisations)
    /// when the database has no territory. Turn off in production.
    pub load_demo: bool,
    /// The site's address as people reach it, for the links Relais writes
    /// (invitations).
    pub public_url: String,
    /// SMTP server for the notifications to professionals, as
    /// `smtps://user:password@host:465` or `smtp://host:587?tls=required`.
    /// When absent, e-mails are written as files into `mailbox_dir`.
    pub smtp_url: Option<SecretString>,
    /// The sender of the notifications.
    pub mail_from: String,
    /// Where e-mails are written when no `smtp_url` is set. When absent,
    /// `mailbox` inside `data_dir`.
    pub mailbox_dir: Option<PathBuf>,
    /// Days after closing when a referral is erased.
    pub retention_closed_days: u32,
    /// Days after sending when a referral nobody opened is erased.
    pub retention_unopened_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("relais-data"),
            database_url: None,
            database_max_connections: 8,
            secret_file: None,
            neutral_url: "https://meteofrance.com/".to_owned(),
            https: false,
            log: "info".to_owned(),
            log_format: LogFormat::Text,
            access_log: false,
            body_limit: 64 * 1024,
            request_timeout_secs: 30,
            rate_limit_per_minute: 600,
            referrals_per_client_per_hour: 5,
            client_ip_header: None,
            load_demo: true,
            public_url: "http://127.0.0.1:8080".to_owned(),
            smtp_url: None,
            mail_from: "Relais <relais@localhost>".to_owned(),
            mailbox_dir: None,
            retention_closed_days: 90,
            retention_unopened_days: 30,
        }
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The same settings as command-line flags and environment variables; an
/// absent value leaves the file's or the default in place.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Overrides {
    /// Configuration file [default: relais.toml if present]
    #[arg(long, env = "RELAIS_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address and port to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "RELAIS_ADDR", global = true, value_name = "IP:PORT")]
    pub addr: Option<SocketAddr>,
    /// Directory for the SQLite database and the server secret [default: ./relais-data]
    #[arg(long, env = "RELAIS_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite:PATH, sqlite::memory: or postgres://… [default: DATA_DIR/relais.sqlite3]
    #[arg(
        long,
        env = "RELAIS_DATABASE_URL",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Most connections to the database [default: 8]
    #[arg(
        long,
        env = "RELAIS_DATABASE_MAX_CONNECTIONS",
        global = true,
        value_name = "N"
    )]
    pub database_max_connections: Option<u32>,
    /// File holding the server secret [default: DATA_DIR/secret.key]
    #[arg(long, env = "RELAIS_SECRET_FILE", global = true, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
    /// Where "Cacher le site" leads [default: https://meteofrance.com/]
    #[arg(long, env = "RELAIS_NEUTRAL_URL", global = true, value_name = "URL")]
    pub neutral_url: Option<String>,
    /// The site is served over HTTPS: send HSTS [default: false]
    #[arg(long, env = "RELAIS_HTTPS", global = true, value_name = "BOOL")]
    pub https: Option<bool>,
    /// Log filter [default: info]
    #[arg(long, env = "RELAIS_LOG", global = true, value_name = "FILTER")]
    pub log: Option<String>,
    /// Log format [default: text]
    #[arg(long, env = "RELAIS_LOG_FORMAT", global = true, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Log one line per request, without IP or query [default: false]
    #[arg(long, env = "RELAIS_ACCESS_LOG", global = true, value_name = "BOOL")]
    pub access_log: Option<bool>,
    /// Largest request body, in bytes [default: 65536]
    #[arg(long, env = "RELAIS_BODY_LIMIT", global = true, value_name = "BYTES")]
    pub body_limit: Option<usize>,
    /// Longest time a request may take, in seconds [default: 30]
    #[arg(
        long,
        env = "RELAIS_REQUEST_TIMEOUT_SECS",
        global = true,
        value_name = "SECONDS"
    )]
    pub request_timeout_secs: Option<u64>,
    /// Requests per minute from one client; 0 disables [default: 600]
    #[arg(
        long,
        env = "RELAIS_RATE_LIMIT_PER_MINUTE",
        global = true,
        value_name = "N"
    )]
    pub rate_limit_per_minute: Option<u32>,
    /// Referrals one client may send per hour; 0 disables [default: 5]
    #[arg(
        long,
        env = "RELAIS_REFERRALS_PER_CLIENT_PER_HOUR",
        global = true,
        value_name = "N"
    )]
    pub referrals_per_client_per_hour: Option<u32>,
    /// Header carrying the client IP behind a proxy [default: none]
    #[arg(
        long,
        env = "RELAIS_CLIENT_IP_HEADER",
        global = true,
        value_name = "HEADER"
    )]
    pub client_ip_header: Option<String>,
    /// Load the demo territory into an empty database [default: true]
    #[arg(long, env = "RELAIS_LOAD_DEMO", global = true, value_name = "BOOL")]
    pub load_demo: Option<bool>,
    /// The site's public address, for invitation links [default: http://127.0.0.1:8080]
    #[arg(long, env = "RELAIS_PUBLIC_URL", global = true, value_name = "URL")]
    pub public_url: Option<String>,
    /// SMTP server for notifications, smtps://user:pass@host:465 [default: none, files in mailbox_dir]
    #[arg(
        long,
        env = "RELAIS_SMTP_URL",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// Sender of the notifications [default: Relais <relais@localhost>]
    #[arg(long, env = "RELAIS_MAIL_FROM", global = true, value_name = "ADDRESS")]
    pub mail_from: Option<String>,
    /// Folder for e-mails when no SMTP server is set [default: DATA_DIR/mailbox]
    #[arg(long, env = "RELAIS_MAILBOX_DIR", global = true, value_name = "DIR")]
    pub mailbox_dir: Option<PathBuf>,
    /// Days after closing when a referral is erased [default: 90]
    #[arg(
        long,
        env = "RELAIS_RETENTION_CLOSED_DAYS",
        global = true,
        value_name = "DAYS"
    )]
    pub retention_closed_days: Option<u32>,
    /// Days after sending when an unopened referral is erased [default: 30]
    #[arg(
        long,
        env = "RELAIS_RETENTION_UNOPENED_DAYS",
        global = true,
        value_name = "DAYS"
    )]
    pub retention_unopened_days: Option<u32>,
}

impl Settings {
    /// Reads the configuration file (if any), then applies the overrides.
    pub fn load(overrides: Overrides) -> anyhow::Result<Self> {
        let from_file = match &overrides.config {
            Some(path) => Self::from_file(path)?,
            None if Path::new(DEFAULT_CONFIG_FILE).exists() => {
                Self::from_file(Path::new(DEFAULT_CONFIG_FILE))?
            }
            None => Self::default(),
        };
        let settings = from_file.with(overrides);
        settings.validate()?;
        Ok(settings)
    }

    /// Parses a TOML configuration file; unknown keys are an error, so a
    /// typo never silently falls back to a default.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("could not read the configuration file {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("the configuration file {} is not valid", path.display()))
    }

    /// These settings with every present override applied.
    pub fn with(mut self, overrides: Overrides) -> Self {
        // Destructured in full so that adding a flag without applying it does
        // not compile.
        let Overrides {
            config: _,
            addr,
            data_dir,
            database_url,
            database_max_connections,
            secret_file,
            neutral_url,
            https,
            log,
            log_format,
            access_log,
            body_limit,
            request_timeout_secs,
            rate_limit_per_minute,
            referrals_per_client_per_hour,
            client_ip_header,
            load_demo,
            public_url,
            smtp_url,
            mail_from,
            mailbox_dir,
            retention_closed_days,
            retention_unopened_days,
        } = overrides;
        macro_rules! apply {
            ($($field:ident),*) => { $( if let Some(value) = $field { self.$field = value; } )* };
        }
        apply!(
            addr,
            data_dir,
            database_max_connections,
            neutral_url,
            https,
            log,
            log_format,
            access_log,
            body_limit,
            request_timeout_secs,
            rate_limit_per_minute,
            referrals_per_client_per_hour,
            load_demo,
            public_url,
            mail_from,
            retention_closed_days,
            retention_unopened_days
        );
        if let Some(url) = smtp_url {
            self.smtp_url =
                Some(SecretString::from(url)).filter(|url| !url.expose_secret().is_empty());
        }
        if mailbox_dir.is_some() {
            self.mailbox_dir = mailbox_dir;
        }
        if let Some(url) = database_url {
            self.database_url = Some(SecretString::from(url));
        }
        if secret_file.is_some() {
            self.secret_file = secret_file;
        }
        if client_ip_header.is_some() {
            self.client_ip_header = client_ip_header.filter(|header| !header.is_empty());
        }
        self
    }

    /// Refuses settings that cannot work, saying which one and why.
    pub fn validate(&self) -> anyhow::Result<()> {
        let neutral = &self.neutral_url;
        if !(neutral.starts_with("https://") || neutral.starts_with("http://"))
            || neutral
                .chars()
                .any(|c| c.is_whitespace() || c == '"' || c == '<')
        {
            anyhow::bail!("neutral_url must be an http(s) address without spaces, got {neutral:?}");
        }
        if !(self.public_url.starts_with("https://") || self.public_url.starts_with("http://")) {
            anyhow::bail!(
                "public_url must be an http(s) address, got {:?}",
                self.public_url
            );
        }
        if self.body_limit < 1024 {
            anyhow::bail!(
                "body_limit must be at least 1024 bytes, got {}",
                self.body_limit
            );
        }
        if self.request_timeout_secs == 0 {
            anyhow::bail!("request_timeout_secs must be at least 1");
        }
        if self.retention_closed_days == 0 || self.retention_unopened_days == 0 {
            anyhow::bail!("retention_closed_days and retention_unopened_days must be at least 1");
        }
        if let Some(url) = &self.smtp_url {
            let url = url.expose_secret();
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                anyhow::bail!("smtp_url must start with smtp:// or smtps://");
            }
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            anyhow::bail!(
                "mail_from must be an e-mail address, e.g. \"Relais <relais@example.org>\", got {:?}",
                self.mail_from
            );
        }
        if self.database_max_connections == 0 {
            anyhow::bail!("database_max_connections must be at least 1");
        }
        if let Some(header) = &self.client_ip_header {
            axum::http::HeaderName::from_bytes(header.as_bytes())
                .with_context(|| format!("client_ip_header {header:?} is not a header name"))?;
        }
        Ok(())
    }

    /// Where the database lives.
    pub fn database(&self) -> DatabaseTarget {
        match &self.database_url {
            Some(url) => DatabaseTarget::Url(url.clone()),
            None => DatabaseTarget::SqliteFile(self.data_dir.join("relais.sqlite3")),
        }
    }

    /// The file holding the server secret.
    pub fn secret_path(&self) -> PathBuf {
        self.secret_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("secret.key"))
    }

    /// The folder for e-mails when no SMTP server is set.
    pub fn mailbox_path(&self) -> PathBuf {
        self.mailbox_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("mailbox"))
    }

    /// The request timeout as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// Every setting with its effective value, secrets masked, for
    /// `relais config`.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        // Destructured in full so that a new setting cannot be forgotten here.
        let Self {
            addr,
            data_dir,
            database_url,
            database_max_connections,
            secret_file,
            neutral_url,
            https,
            log,
            log_format,
            access_log,
            body_limit,
            request_timeout_secs,
            rate_limit_per_minute,
            referrals_per_client_per_hour,
            client_ip_header,
            load_demo,
            public_url,
            smtp_url,
            mail_from,
            mailbox_dir,
            retention_closed_days,
            retention_unopened_days,
        } = self;
        let none = || "(none)".to_owned();
        vec![
            ("addr", addr.to_string()),
            ("data_dir", data_dir.display().to_string()),
            (
                "database_url",
                database_url
                    .as_ref()
                    .map_or_else(none, |url| mask_url(url.expose_secret())),
            ),
            (
                "database_max_connections",
                database_max_connections.to_string(),
            ),
            (
                "secret_file",
                secret_file
                    .as_ref()
                    .map_or_else(none, |path| path.display().to_string()),
            ),
            ("neutral_url", neutral_url.clone()),
            ("https", https.to_string()),
            ("log", log.clone()),
            ("log_format", format!("{log_format:?}").to_lowercase()),
            ("access_log", access_log.to_string()),
            ("body_limit", body_limit.to_string()),
            ("request_timeout_secs", request_timeout_secs.to_string()),
            ("rate_limit_per_minute", rate_limit_per_minute.to_string()),
            (
                "referrals_per_client_per_hour",
                referrals_per_client_per_hour.to_string(),
            ),
            (
                "client_ip_header",
                client_ip_header.clone().unwrap_or_else(none),
            ),
            ("load_demo", load_demo.to_string()),
            ("public_url", public_url.clone()),
            (
                "smtp_url",
                smtp_url
                    .as_ref()
                    .map_or_else(none, |url| mask_url(url.expose_secret())),
            ),
            ("mail_from", mail_from.clone()),
            (
                "mailbox_dir",
                mailbox_dir
                    .as_ref()
                    .map_or_else(none, |path| path.display().to_string()),
            ),
            ("retention_closed_days", retention_closed_days.to_string()),
            (
                "retention_unopened_days",
                retention_unopened_days.to_string(),
            ),
        ]
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in self.describe() {
            map.entry(&key, &value);
        }
        map.finish()
    }
}

/// Where the database lives, resolved from the settings.
#[derive(Clone)]
pub enum DatabaseTarget {
    /// The embedded SQLite database in a file.
    SqliteFile(PathBuf),
    /// A URL given by the operator (`sqlite:` or `postgres:`).
    Url(SecretString),
}

impl fmt::Debug for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SqliteFile(path) => write!(f, "SqliteFile({})", path.display()),
            Self::Url(url) => write!(f, "Url({})", mask_url(url.expose_secret())),
        }
    }
}

/// A database URL with any password replaced by `***`.
fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_database_url_is_masked() {
        assert_eq!(
            mask_url("postgres://relais:s3cret@db:5432/relais"),
            "postgres://relais:***@db:5432/relais"
        );
        assert_eq!(
            mask_url("postgres://relais@db/relais"),
            "postgres://relais@db/relais"
        );
        assert_eq!(mask_url("sqlite:relais.db"), "sqlite:relais.db");
    }

    #[test]
    fn debug_output_never_shows_the_database_password() {
        let settings = Settings::default().with(Overrides {
            database_url: Some("postgres://u:hunter22@localhost/relais".to_owned()),
            ..Overrides::default()
        });
        let shown = format!("{settings:?}");
        assert!(!shown.contains("hunter22"), "{shown}");
    }

    #[test]
    fn a_flag_overrides_the_file_which_overrides_the_default() {
        let file: Settings = toml::from_str("addr = \"127.0.0.1:9000\"\nlog = \"debug\"").unwrap();
        let settings = file.with(Overrides {
            log: Some("warn".to_owned()),
            ..Overrides::default()
        });
        assert_eq!(settings.addr.port(), 9000);
        assert_eq!(settings.log, "warn");
        assert_eq!(settings.body_limit, Settings::default().body_limit);
    }

    #[test]
    fn an_unknown_key_in_the_file_is_refused_with_its_name() {
        let error = toml::from_str::<Settings>("adress = \"127.0.0.1:9000\"").unwrap_err();
        assert!(error.to_string().contains("adress"), "{error}");
    }

    #[test]
    fn a_neutral_url_that_is_not_http_is_refused() {
        let settings = Settings {
            neutral_url: "javascript:alert(1)".to_owned(),
            ..Settings::default()
        };
        assert!(settings.validate().is_err());
    }

    #[test]
    fn the_default_database_is_a_sqlite_file_in_the_data_directory() {
        let DatabaseTarget::SqliteFile(path) = Settings::default().database() else {
            panic!("expected a SQLite file");
        };
        assert_eq!(path, Path::new("relais-data/relais.sqlite3"));
    }
}
