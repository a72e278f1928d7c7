//! Logs: to standard error, as text or JSON, filtered by the `log` setting.
//!
//! Nothing a person typed, no IP address and no query string is ever
//! logged; request lines (when enabled) carry the method, the path, the
//! status and the duration only.

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, Settings};

/// Installs the global subscriber; a second call does nothing.
pub fn init(settings: &Settings) {
    let filter = EnvFilter::try_new(&settings.log).unwrap_or_else(|error| {
        eprintln!(
            "relais: the log filter {:?} is not valid ({error}); using \"info\"",
            settings.log
        );
        EnvFilter::new("info")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match settings.log_format {
        LogFormat::Text => builder.with_target(false).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    // Already installed (a test, or a command that initialised it): keep it.
    drop(result);
}
