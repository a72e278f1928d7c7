//! The professional's and the coordinator's screens in the browser: what
//! the dashboard, the inbox, the key page, the report and the audit log
//! show a busy, non-technical reader.
