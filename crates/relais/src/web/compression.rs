//! Compression, brotli or gzip as the browser accepts: pages on the fly at
//! the fastest level, static assets once at start-up with the best settings
//! (see `assets.rs`; a response that already has an encoding passes
//! through).

use std::io::Write as _;

use axum::http::{HeaderMap, header};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{And, DefaultPredicate, Predicate as _, SizeAbove};

/// Below this, a response is sent as it is.
const MIN_SIZE: u64 = 4096;

/// A content coding we produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    /// Brotli.
    Brotli,
    /// Gzip.
    Gzip,
}

impl Coding {
    /// The `Content-Encoding` value.
    pub fn name(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        }
    }
}

/// The coding to use for a request: brotli if accepted, else gzip, else
/// none (a coding with `q=0` is refused).
pub fn negotiate(headers: &HeaderMap) -> Option<Coding> {
    let accepted = headers.get(header::ACCEPT_ENCODING)?.to_str().ok()?;
    let accepts = |name: &str| {
        accepted.split(',').any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            coding.eq_ignore_ascii_case(name) && !refused
        })
    };
    if accepts("br") {
        Some(Coding::Brotli)
    } else if accepts("gzip") {
        Some(Coding::Gzip)
    } else {
        None
    }
}

/// Compresses `bytes` in one shot; `best` for assets compressed once.
pub fn compress(bytes: &[u8], coding: Coding, best: bool) -> Vec<u8> {
    match coding {
        Coding::Brotli => {
            let params = brotli::enc::BrotliEncoderParams {
                quality: if best { 11 } else { 0 },
                // The smallest window that holds the whole text.
                lgwin: (usize::BITS - bytes.len().max(1024).leading_zeros())
                    .clamp(10, 22)
                    .cast_signed(),
                size_hint: bytes.len(),
                ..brotli::enc::BrotliEncoderParams::default()
            };
            let mut out = Vec::with_capacity(bytes.len() / 3 + 64);
            // Writing to memory cannot fail.
            let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
            out
        }
        Coding::Gzip => {
            let level = if best {
                flate2::Compression::best()
            } else {
                flate2::Compression::fast()
            };
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 3 + 64), level);
            let _ = encoder.write_all(bytes);
            encoder.finish().unwrap_or_default()
        }
    }
}

/// Compression of pages and other text, as the browser accepts it: at the
/// fastest level (see BENCHMARKS.md for why), and only for bodies of 4 KiB
/// or more. A smaller answer fits in TCP's first round trip either way; the
/// conversation's answers to its script are that small, and compressing
/// them would cost a third of their time on the server.
pub fn layer() -> CompressionLayer<And<And<DefaultPredicate, SizeAbove>, NotStreamed>> {
    CompressionLayer::new()
        .quality(tower_http::CompressionLevel::Fastest)
        .compress_when(
            DefaultPredicate::new()
                .and(SizeAbove::new(MIN_SIZE))
                .and(NotStreamed),
        )
}

/// Marks a response whose body is written as things happen (a live
/// conversation's page without JavaScript): the compressor would hold its
/// chunks back until it has enough, so it is sent as it is.
#[derive(Clone, Copy, Debug)]
pub struct Streamed;

/// Compress only what is not [`Streamed`].
#[derive(Clone, Copy, Debug)]
pub struct NotStreamed;

impl tower_http::compression::Predicate for NotStreamed {
    fn should_compress<B>(&self, response: &axum::http::Response<B>) -> bool
    where
        B: http_body::Body,
    {
        response.extensions().get::<Streamed>().is_none()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use axum::http::HeaderValue;

    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    #[test]
    fn brotli_is_preferred_then_gzip_and_a_refused_coding_is_not_used() {
        assert_eq!(
            negotiate(&accept("gzip, deflate, br")),
            Some(Coding::Brotli)
        );
        assert_eq!(negotiate(&accept("gzip")), Some(Coding::Gzip));
        assert_eq!(negotiate(&accept("br;q=0, gzip;q=0.5")), Some(Coding::Gzip));
        assert_eq!(negotiate(&accept("identity")), None);
        assert_eq!(negotiate(&HeaderMap::new()), None);
    }

    #[test]
    fn what_is_compressed_decompresses_to_the_same_page() {
        let page = "<p>Bonjour, voici une page assez longue pour être compressée.</p>".repeat(50);
        let br = compress(page.as_bytes(), Coding::Brotli, false);
        let mut back = String::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, page);
        assert!(br.len() < page.len() / 5);
        let gz = compress(page.as_bytes(), Coding::Gzip, true);
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, page);
    }
}
