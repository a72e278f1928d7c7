//! Static assets: our CSS and our small scripts, embedded in the binary and
//! served under a name that carries a hash of their content, so that they
//! can be cached for a year and a new release is never mixed with an old
//! stylesheet. Nothing is ever loaded from another origin.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::web::Web;
use crate::web::compression::{Coding, compress, negotiate};
use crate::web::error::AppError;

/// The embedded files: logical name, content type, bytes.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "css/site.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/css/site.css"),
    ),
    (
        "css/pro.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/css/pro.css"),
    ),
    (
        "js/exit.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/js/exit.js"),
    ),
    (
        "js/conversation.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/js/conversation.js"),
    ),
    (
        "js/crypto.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/js/crypto.js"),
    ),
    (
        "js/pro.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/js/pro.js"),
    ),
    (
        "js/live.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/js/live.js"),
    ),
    (
        "js/console.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/js/console.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../static/favicon.svg"),
    ),
];

/// One embedded file, and its compressed forms.
#[derive(Debug)]
struct Asset {
    content_type: &'static str,
    bytes: &'static [u8],
    brotli: Vec<u8>,
    gzip: Vec<u8>,
}

/// The embedded assets, by hashed name.
#[derive(Debug)]
pub struct Assets {
    by_hashed_name: HashMap<String, Asset>,
    urls: HashMap<&'static str, String>,
}

impl Assets {
    /// Hashes every embedded file once, at start-up.
    pub fn embedded() -> Self {
        let mut by_hashed_name = HashMap::new();
        let mut urls = HashMap::new();
        for &(name, content_type, bytes) in FILES {
            let hashed = hashed_name(name, bytes);
            urls.insert(name, format!("/static/{hashed}"));
            by_hashed_name.insert(
                hashed,
                Asset {
                    content_type,
                    bytes,
                    brotli: compress(bytes, Coding::Brotli, true),
                    gzip: compress(bytes, Coding::Gzip, true),
                },
            );
        }
        Self {
            by_hashed_name,
            urls,
        }
    }

    /// The address of an embedded file, e.g. `/static/css/site.1a2b3c4d5e6f.css`.
    ///
    /// # Panics
    /// When `name` is not embedded: a typo in a template, caught by the tests
    /// that render every page.
    pub fn url(&self, name: &str) -> &str {
        match self.urls.get(name) {
            Some(url) => url,
            None => panic!("no embedded asset named {name}"),
        }
    }

    /// Every address, for tests and benchmarks.
    pub fn all_urls(&self) -> impl Iterator<Item = &str> {
        self.urls.values().map(String::as_str)
    }
}

/// Serves `/static/{*name}`, compressed once and for all; unknown names are
/// a 404 like any other.
pub async fn serve(
    State(app): State<Web>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let asset = app
        .assets
        .by_hashed_name
        .get(&name)
        .ok_or(AppError::NotFound)?;
    let (encoding, body): (Option<&'static str>, &[u8]) = match negotiate(&headers) {
        Some(Coding::Brotli) => (Some("br"), &asset.brotli),
        Some(Coding::Gzip) => (Some("gzip"), &asset.gzip),
        None => (None, asset.bytes),
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, asset.content_type),
            // The name changes with the content: cache it for a year.
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body.to_vec(),
    )
        .into_response();
    if let Some(encoding) = encoding {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    Ok(response)
}

/// `css/site.css` + content → `css/site.<12 hex digits>.css`.
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let digest = format!("{:016x}", fnv1a(bytes));
    let short = &digest[..12];
    match name.rsplit_once('.') {
        Some((stem, extension)) => format!("{stem}.{short}.{extension}"),
        None => format!("{name}.{short}"),
    }
}

/// FNV-1a: a stable, dependency-free hash; it only needs to change when the
/// content does, not to resist an adversary.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_asset_name_carries_a_hash_of_its_content() {
        let a = hashed_name("css/site.css", b"body{}");
        let b = hashed_name("css/site.css", b"body{color:red}");
        assert!(a.starts_with("css/site.") && a.ends_with(".css"), "{a}");
        assert_ne!(a, b);
        assert_eq!(a, hashed_name("css/site.css", b"body{}"));
    }

    #[test]
    fn every_embedded_file_has_an_address() {
        let assets = Assets::embedded();
        for (name, _, _) in FILES {
            assert!(assets.url(name).starts_with("/static/"));
        }
    }
}
