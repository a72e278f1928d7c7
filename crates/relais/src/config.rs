//! Settings: one place for every knob an operator can turn.
//!
//! A setting is read, in order of precedence, from a command-line flag, a
//! `RELAIS_*` environment variable, the configuration file (`relais.toml` in
//! the working directory, or the file named by `--config`), and finally its
//! default. Every setting has a doc comment, a default and an environment
//! variable; the README's configuration table lists them all, and a test
//! checks that it does. Secrets never reach `Debug`.
//!
//! Each setting is declared once, in the `settings!` list below: its doc
//! comment, name, type, default and the name of its flag's value. From that
//! entry come the field of [`Settings`] (and so its TOML key), its default,
//! its flag `--name-in-kebab-case` and variable `RELAIS_NAME_IN_CAPITALS` in
//! [`Overrides`] with the doc as help and the real default shown, the line in
//! [`Settings::with`] that applies the flag, and the line of
//! [`Settings::describe`]. Adding a setting is adding an entry (and its row
//! in the README).

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "relais.toml";

/// Makes [`Settings`], its `Default`, [`Overrides`], [`Settings::with`] and
/// [`Settings::describe`] from the list of settings. An entry is
///
/// ```text
/// /// Doc comment: the field's doc and the flag's help.
/// name: Type = default expression, value_name = "NAME" [, empty_means_none];
/// ```
///
/// `value_name` is what `--help` shows after the flag (`--addr <IP:PORT>`).
/// `empty_means_none` makes an empty flag or variable unset an optional
/// setting that the file set. How a type is given as a flag and shown by
/// `relais config` is its [`SettingValue`] implementation.
macro_rules! settings {
    ($(
        $(#[doc = $doc:literal])+
        $name:ident: $ty:ty = $default:expr, value_name = $value_name:literal
            $(, $option:ident)?;
    )+) => {
        /// The effective settings of a Relais process.
        #[derive(Clone, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct Settings {
            $( $(#[doc = $doc])+ pub $name: $ty, )+
            /// Where each value came from, as [`Settings::load`] found it.
            #[serde(skip)]
            pub origins: Origins,
        }

        impl Default for Settings {
            fn default() -> Self {
                Self { $( $name: $default, )+ origins: Origins::default() }
            }
        }

        /// The same settings as command-line flags and environment variables;
        /// an absent value leaves the file's or the default in place.
        #[derive(Clone, Default, clap::Args)]
        pub struct Overrides {
            /// Configuration file.
            #[arg(
                long,
                env = "RELAIS_CONFIG",
                global = true,
                value_name = "FILE",
                help = format!("Configuration file [default: {DEFAULT_CONFIG_FILE} if present]")
            )]
            pub config: Option<PathBuf>,
            $(
                $(#[doc = $doc])+
                #[arg(
                    long,
                    env = env_name!($name),
                    global = true,
                    value_name = $value_name,
                    hide_env_values = <$ty as SettingValue>::SECRET,
                    help = flag_help(&[$($doc),+], Settings::default().$name.show())
                )]
                pub $name: Option<<$ty as SettingValue>::Flag>,
            )+
        }

        impl Overrides {
            /// The settings given as a flag or a variable.
            fn given(&self) -> Vec<&'static str> {
                let mut given = Vec::new();
                $( if self.$name.is_some() { given.push(stringify!($name)); } )+
                given
            }
        }

        impl Settings {
            /// These settings with every present override applied.
            pub fn with(mut self, overrides: Overrides) -> Self {
                let Overrides { config: _, $($name),+ } = overrides;
                $( if let Some(flag) = $name { apply!(self.$name, flag $(, $option)?); } )+
                self
            }

            /// Every setting with its effective value, secrets masked, for
            /// `relais config`.
            pub fn describe(&self) -> Vec<(&'static str, String)> {
                vec![$(
                    (stringify!($name), self.$name.show().unwrap_or_else(|| "(none)".to_owned())),
                )+]
            }
        }

        /// Secrets masked, as in [`Settings::describe`].
        impl fmt::Debug for Overrides {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct("Overrides")
                    .field("config", &self.config)
                    $(.field(
                        stringify!($name),
                        &self.$name.clone().and_then(|flag| <$ty>::from_flag(flag).show()),
                    ))+
                    .finish()
            }
        }
    };
}

/// Applies one override in [`Settings::with`].
macro_rules! apply {
    ($setting:expr, $flag:ident) => {
        $setting = SettingValue::from_flag($flag)
    };
    ($setting:expr, $flag:ident, empty_means_none) => {
        $setting = if $flag.is_empty() {
            None
        } else {
            SettingValue::from_flag($flag)
        }
    };
}

/// The variable of a setting, `RELAIS_` and its name in capitals, as a
/// `&'static str` made at compile time.
macro_rules! env_name {
    ($name:ident) => {{
        const NAME: &str = concat!("RELAIS_", stringify!($name));
        const BYTES: [u8; NAME.len()] = ascii_uppercase(NAME);
        const UPPER: &str = match std::str::from_utf8(&BYTES) {
            Ok(upper) => upper,
            Err(_) => panic!("a setting's name is ASCII"),
        };
        UPPER
    }};
}

settings! {
    /// Address and port the web server listens on.
    addr: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080)), value_name = "IP:PORT";

    /// Directory for the SQLite database and the server secret; created with
    /// mode 0700.
    data_dir: PathBuf = PathBuf::from("relais-data"), value_name = "DIR";

    /// `sqlite:PATH`, `sqlite::memory:` or `postgres://…`; when absent, the
    /// SQLite file `relais.sqlite3` inside `data_dir`.
    database_url: Option<SecretString> = None, value_name = "URL";

    /// Most connections the pool opens to the database.
    database_max_connections: u32 = 8, value_name = "N";

    /// File holding the server secret that seals tokens; generated with mode
    /// 0600 on first start. Several instances must share the same file. When
    /// absent, `secret.key` inside `data_dir`.
    secret_file: Option<PathBuf> = None, value_name = "FILE";

    /// Where "Cacher le site" sends the visitor: a neutral, harmless site.
    neutral_url: String = "https://meteofrance.com/".to_owned(), value_name = "URL";

    /// The site is served over HTTPS (usually by a reverse proxy): send HSTS.
    https: bool = false, value_name = "BOOL";

    /// Log filter, in `tracing` syntax (`info`, `relais=debug,warn`, …).
    log: String = "info".to_owned(), value_name = "FILTER";

    /// `text` for people, `json` for log collectors.
    log_format: LogFormat = LogFormat::Text, value_name = "FORMAT";

    /// Log one line per request (method, path without query, status, time).
    /// Off by default: fewer records of visits is safer for visitors.
    access_log: bool = false, value_name = "BOOL";

    /// Largest request body accepted, in bytes.
    body_limit: usize = 64 * 1024, value_name = "BYTES";

    /// Longest time a request may take, in seconds.
    request_timeout_secs: u64 = 30, value_name = "SECONDS";

    /// Requests per minute allowed from one client before "429"; 0 disables.
    /// Clients are told apart by a keyed hash of their IP kept in memory,
    /// with a key that changes every hour.
    rate_limit_per_minute: u32 = 600, value_name = "N";

    /// Referrals one client may send per hour; 0 disables. A person sends
    /// one or two; a flood of them would flood the organisations.
    referrals_per_client_per_hour: u32 = 5, value_name = "N";

    /// Header carrying the client's IP when Relais runs behind a reverse
    /// proxy (e.g. `x-forwarded-for`; its last entry is used). Leave unset
    /// when clients connect directly.
    client_ip_header: Option<String> = None, value_name = "HEADER", empty_means_none;

    /// Load the demo territory (Montreuillois, with example organisations)
    /// when the database has no territory. Turn off in production.
    load_demo: bool = true, value_name = "BOOL";

    /// The site's address as people reach it, for the links Relais writes
    /// (invitations).
    public_url: String = "http://127.0.0.1:8080".to_owned(), value_name = "URL";

    /// SMTP server for the notifications to professionals, as
    /// `smtps://user:password@host:465` or `smtp://host:587?tls=required`.
    /// When absent, e-mails are written as files into `mailbox_dir`.
    smtp_url: Option<SecretString> = None, value_name = "URL", empty_means_none;

    /// The sender of the notifications.
    mail_from: String = "Relais <relais@localhost>".to_owned(), value_name = "ADDRESS";

    /// Where e-mails are written when no `smtp_url` is set. When absent,
    /// `mailbox` inside `data_dir`.
    mailbox_dir: Option<PathBuf> = None, value_name = "DIR";

    /// Days after closing when a referral is erased.
    retention_closed_days: u32 = 90, value_name = "DAYS";

    /// Days after sending when a referral nobody opened is erased.
    retention_unopened_days: u32 = 30, value_name = "DAYS";

    /// Seconds without a sign from a professional's open console after
    /// which they are no longer counted as on duty (docs/live.md).
    live_console_silence: u64 = 60, value_name = "SECONDS";

    /// Seconds without a sign from a person's page, or from the
    /// professional, after which a live conversation ends (docs/live.md).
    live_person_silence: u64 = 20, value_name = "SECONDS";

    /// Most people waiting for one organisation's live help; 0 disables.
    live_queue_max: usize = 50, value_name = "N";

    /// Live help queues one client may join per hour; 0 disables.
    live_joins_per_client_per_hour: u32 = 10, value_name = "N";
}

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Its flag on the command line.
    Flag,
    /// Its `RELAIS_*` variable.
    Environment,
    /// The configuration file.
    File(PathBuf),
    /// Nothing set it.
    Default,
}

impl Origin {
    /// The origin in French, for the commands' output: « valeur par
    /// défaut », « --public-url », « RELAIS_PUBLIC_URL », « relais.toml ».
    pub fn french(&self, key: &str) -> String {
        match self {
            Self::Flag => format!("--{}", key.replace('_', "-")),
            Self::Environment => format!("RELAIS_{}", key.to_uppercase()),
            Self::File(path) => path.display().to_string(),
            Self::Default => "valeur par défaut".to_owned(),
        }
    }

    /// How to set `key`, in French: its key in `relais.toml`, its variable
    /// and its flag.
    pub fn how_to_set(key: &str) -> String {
        format!(
            "{key} dans {DEFAULT_CONFIG_FILE}, RELAIS_{} ou --{}",
            key.to_uppercase(),
            key.replace('_', "-")
        )
    }
}

/// Where each setting came from; a setting absent here is its default.
#[derive(Clone, Debug, Default)]
pub struct Origins(HashMap<String, Origin>);

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// A type a setting can have: how its flag is parsed and how
/// `relais config` shows it.
pub trait SettingValue: Sized {
    /// What clap parses the flag or variable into.
    type Flag: Clone + Send + Sync + 'static;
    /// The value is a secret: `--help` never shows its variable's value.
    const SECRET: bool = false;
    /// The setting a flag gives.
    fn from_flag(flag: Self::Flag) -> Self;
    /// The value as `relais config` shows it, secrets masked; `None` when
    /// absent.
    fn show(&self) -> Option<String>;
}

/// Types given as themselves and shown with `Display`.
macro_rules! displayed {
    ($($ty:ty),+) => {$(
        impl SettingValue for $ty {
            type Flag = Self;
            fn from_flag(flag: Self) -> Self {
                flag
            }
            fn show(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
    )+};
}

displayed!(SocketAddr, String, bool, u32, u64, usize);

impl SettingValue for PathBuf {
    type Flag = Self;
    fn from_flag(flag: Self) -> Self {
        flag
    }
    fn show(&self) -> Option<String> {
        Some(self.display().to_string())
    }
}

impl SettingValue for LogFormat {
    type Flag = Self;
    fn from_flag(flag: Self) -> Self {
        flag
    }
    fn show(&self) -> Option<String> {
        Some(format!("{self:?}").to_lowercase())
    }
}

impl SettingValue for Option<String> {
    type Flag = String;
    fn from_flag(flag: String) -> Self {
        Some(flag)
    }
    fn show(&self) -> Option<String> {
        self.clone()
    }
}

impl SettingValue for Option<PathBuf> {
    type Flag = PathBuf;
    fn from_flag(flag: PathBuf) -> Self {
        Some(flag)
    }
    fn show(&self) -> Option<String> {
        self.as_ref().map(|path| path.display().to_string())
    }
}

/// A URL that may hold a password: masked wherever it is shown.
impl SettingValue for Option<SecretString> {
    type Flag = String;
    const SECRET: bool = true;
    fn from_flag(flag: String) -> Self {
        Some(SecretString::from(flag))
    }
    fn show(&self) -> Option<String> {
        self.as_ref().map(|url| mask_url(url.expose_secret()))
    }
}

/// A flag's help: the setting's doc on one line, then its default.
fn flag_help(doc: &[&str], default: Option<String>) -> String {
    let doc: Vec<&str> = doc.iter().map(|line| line.trim()).collect();
    format!(
        "{} [default: {}]",
        doc.join(" ").replace('`', ""),
        default.as_deref().unwrap_or("none")
    )
}

/// `name` in capitals, for [`env_name!`]; `N` is its length.
const fn ascii_uppercase<const N: usize>(name: &str) -> [u8; N] {
    let bytes = name.as_bytes();
    let mut upper = [0; N];
    let mut i = 0;
    while i < N {
        upper[i] = bytes[i].to_ascii_uppercase();
        i += 1;
    }
    upper
}

impl Settings {
    /// Reads the configuration file (if any), then applies the overrides,
    /// noting where each value came from.
    pub fn load(overrides: Overrides) -> anyhow::Result<Self> {
        let file = match &overrides.config {
            Some(path) => Some(path.clone()),
            None if Path::new(DEFAULT_CONFIG_FILE).exists() => {
                Some(PathBuf::from(DEFAULT_CONFIG_FILE))
            }
            None => None,
        };
        let (from_file, in_file) = match &file {
            Some(path) => Self::read_file(path)?,
            None => (Self::default(), Vec::new()),
        };
        let given = overrides.given();
        let mut settings = from_file.with(overrides);
        let mut origins = HashMap::new();
        if let Some(path) = file {
            for key in in_file {
                origins.insert(key, Origin::File(path.clone()));
            }
        }
        let args: Vec<String> = std::env::args().collect();
        for key in given {
            let flag = format!("--{}", key.replace('_', "-"));
            let on_command_line = args
                .iter()
                .any(|arg| *arg == flag || arg.starts_with(&format!("{flag}=")));
            let origin = if on_command_line {
                Origin::Flag
            } else {
                Origin::Environment
            };
            origins.insert(key.to_owned(), origin);
        }
        settings.origins = Origins(origins);
        settings.validate()?;
        Ok(settings)
    }

    /// Parses a TOML configuration file; unknown keys are an error, so a
    /// typo never silently falls back to a default.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        Self::read_file(path).map(|(settings, _)| settings)
    }

    /// [`Self::from_file`], with the keys the file sets.
    fn read_file(path: &Path) -> anyhow::Result<(Self, Vec<String>)> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("could not read the configuration file {}", path.display()))?;
        let settings: Self = toml::from_str(&text)
            .with_context(|| format!("the configuration file {} is not valid", path.display()))?;
        let keys = toml::from_str::<toml::Table>(&text)
            .map(|table| table.keys().cloned().collect())
            .unwrap_or_default();
        Ok((settings, keys))
    }

    /// Where the value of `key` came from, in words, with how to set it
    /// otherwise when it is the default: for a command's output that shows
    /// a value the operator may not know they rely on.
    pub fn origin(&self, key: &str) -> &Origin {
        self.origins.0.get(key).unwrap_or(&Origin::Default)
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

    /// An entry in `settings!` is all a new setting needs: this checks that
    /// each one is listed by `relais config`, has its flag and variable with
    /// its real default in `--help`, and a row in the README's table.
    #[test]
    fn every_setting_has_its_flag_variable_shown_default_and_readme_row() {
        use clap::{Args as _, CommandFactory as _};
        let readme = include_str!("../../../README.md");
        let mut command = Overrides::augment_args(clap::Command::new("relais"));
        let help = command.render_long_help().to_string();
        let described = Settings::default().describe();
        let settings_flags = command
            .get_arguments()
            .filter(|arg| arg.get_env().is_some() && arg.get_id() != "config")
            .count();
        assert_eq!(described.len(), settings_flags);
        for (key, default) in described {
            let variable = format!("RELAIS_{}", key.to_uppercase());
            let flag = key.replace('_', "-");
            let arg = command
                .get_arguments()
                .find(|arg| arg.get_id() == key)
                .unwrap_or_else(|| panic!("no flag for {key}"));
            assert_eq!(arg.get_long(), Some(flag.as_str()));
            assert_eq!(arg.get_env(), Some(std::ffi::OsStr::new(&variable)));
            let shown = if default == "(none)" {
                "none"
            } else {
                &default
            };
            let arg_help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            assert!(
                arg_help.ends_with(&format!("[default: {shown}]")),
                "{key}: {arg_help}"
            );
            assert!(help.contains(&format!("--{flag} <")), "{help}");
            assert!(help.contains(&format!("[env: {variable}")), "{help}");
            assert!(
                readme.contains(&format!("| `{key}` | `{variable}` |")),
                "README's table lacks {key}"
            );
        }
        // The whole command line parses with them, as `relais` flattens them.
        crate::cli::Cli::command().debug_assert();
    }

    #[test]
    fn a_secret_is_masked_in_the_overrides_and_hidden_in_help() {
        let overrides = Overrides {
            database_url: Some("postgres://u:hunter22@localhost/relais".to_owned()),
            smtp_url: Some("smtps://u:hunter22@mail:465".to_owned()),
            ..Overrides::default()
        };
        let shown = format!("{overrides:?}");
        assert!(!shown.contains("hunter22"), "{shown}");
        assert!(
            shown.contains("postgres://u:***@localhost/relais"),
            "{shown}"
        );
        use clap::Args as _;
        let command = Overrides::augment_args(clap::Command::new("relais"));
        for arg in command.get_arguments() {
            let secret = ["database_url", "smtp_url"].contains(&arg.get_id().as_str());
            assert_eq!(arg.is_hide_env_values_set(), secret, "{}", arg.get_id());
        }
    }

    #[test]
    fn an_empty_override_unsets_only_the_settings_that_allow_it() {
        let file: Settings = toml::from_str(
            "smtp_url = \"smtp://h:25\"\nclient_ip_header = \"x-real-ip\"\nmailbox_dir = \"/m\"",
        )
        .unwrap();
        let settings = file.with(Overrides {
            smtp_url: Some(String::new()),
            client_ip_header: Some(String::new()),
            database_url: Some(String::new()),
            ..Overrides::default()
        });
        assert!(settings.smtp_url.is_none());
        assert!(settings.client_ip_header.is_none());
        assert_eq!(settings.mailbox_dir, Some(PathBuf::from("/m")));
        assert!(settings.database_url.is_some());
    }
}
