//! Reading what the server answers: a response read whole (`Page`), and
//! the pieces of HTML the tests take out of a page (a hidden field, the
//! text between two markers, every address a page links to).
//!
//! The tests read pages as text, as a browser without JavaScript would post
//! them back: each extraction here is written once, so that every test reads
//! a field the same way.

use reqwest::header::{self, HeaderMap};

/// A response, read.
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// Reads `response` whole.
    pub async fn read(response: reqwest::Response) -> Self {
        Self {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    /// Where a redirect leads (empty when it is none).
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The session cookie this response sets, if any (`Some("")` when it
    /// removes it).
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("__Host-relais="))
            .map(|v| v.split(';').next().unwrap_or_default().to_owned())
    }
}

/// The text between the first `start` in `html` and the `end` after it.
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    Some(&html[from..from + html[from..].find(end)?])
}

/// The value of the first field `name` in a page, if it has one, as a
/// browser would post it back.
pub fn field(html: &str, name: &str) -> Option<String> {
    between(html, &format!("name=\"{name}\" value=\""), "\"")
        .map(|value| value.replace("&#43;", "+"))
}

/// The value of the field `name` a page must have (a hidden field: a token,
/// the conversation's progress, an organisation).
pub fn hidden(html: &str, name: &str) -> String {
    field(html, name).unwrap_or_else(|| panic!("no {name} in {html}"))
}

/// Every address a page links to or posts to (`href`, `action`, `src`,
/// `formaction`).
pub fn link_targets(html: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for attribute in ["href=\"", "action=\"", "src=\"", "formaction=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            let value = &rest[at + attribute.len()..];
            let end = value.find('"').unwrap_or(value.len());
            targets.push(value[..end].replace("&#x2f;", "/").replace("&#92;", "\\"));
            rest = &value[end..];
        }
    }
    targets
}

/// Whether a link stays on the site or is a deliberate, complete address
/// (an official source, a phone number).
pub fn is_safe_target(target: &str) -> bool {
    relais::web::links::is_local_path(target)
        || target.starts_with('#')
        || ["https://", "tel:", "sms:", "mailto:"]
            .iter()
            .any(|scheme| target.starts_with(scheme))
}
