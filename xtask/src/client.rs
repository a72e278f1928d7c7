//! The HTTP/1.1 client of every measure: requests written by hand on
//! tokio's TCP streams, and responses read with a Content-Length or
//! chunked body.

use std::net::SocketAddr;

use anyhow::{Context as _, bail};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// A response as the load generator sees it.
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The status line and the headers, as received.
    pub headers: String,
    /// The body, without the chunks' framing.
    pub body: Vec<u8>,
}

/// One GET on a fresh connection.
pub async fn get(addr: SocketAddr, path: &str, brotli: bool) -> anyhow::Result<Response> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(request(path, None, brotli, true).as_bytes())
        .await?;
    read_response(&mut stream).await
}

/// The request of a measure: `GET path`, or, with a `body`, a form's
/// `POST path`. A `path` ending in `#fragment` asks for the conversation
/// alone, as the conversation's script does; `brotli` accepts compressed
/// answers, as a browser does; `close` asks the server to close the
/// connection after the response.
pub fn request(path: &str, body: Option<&str>, brotli: bool, close: bool) -> String {
    let method = if body.is_some() { "POST" } else { "GET" };
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: relais-bench\r\n");
    if path.ends_with("#fragment") {
        // What the conversation script asks for: the conversation alone.
        request = request.replace("#fragment", "");
        request.push_str("X-Relais-Fragment: 1\r\n");
    }
    if brotli {
        request.push_str("Accept-Encoding: br, gzip\r\n");
    }
    if close {
        request.push_str("Connection: close\r\n");
    }
    if let Some(body) = body {
        request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    } else {
        request.push_str("\r\n");
    }
    request
}

/// One form POST on a fresh connection.
pub async fn post(addr: SocketAddr, path: &str, body: &str) -> anyhow::Result<Response> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(request(path, Some(body), false, true).as_bytes())
        .await?;
    read_response(&mut stream).await
}

/// Percent-encodes a form value.
pub fn form_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The sealed token in a conversation page.
pub fn token_in(page: &Response) -> anyhow::Result<String> {
    let html = String::from_utf8_lossy(&page.body);
    html.split("name=\"t\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .context("no token in the conversation page")
}

/// Reads one response with a Content-Length or chunked body.
pub async fn read_response(stream: &mut TcpStream) -> anyhow::Result<Response> {
    let mut buffer = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("connection closed before the headers");
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let headers = String::from_utf8_lossy(&buffer[..header_end]).to_string();
    let status = headers.split(' ').nth(1).context("no status")?.parse()?;
    let lower = headers.to_ascii_lowercase();
    let mut body = buffer[header_end..].to_vec();
    if let Some(length) = header_value(&lower, "content-length") {
        let length: usize = length.parse()?;
        while body.len() < length {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed in the body");
            }
            body.extend_from_slice(&chunk[..n]);
        }
        body.truncate(length);
    } else if header_value(&lower, "transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        body = read_chunked(stream, body).await?;
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// Reads a chunked body, `raw` holding what came with the headers.
async fn read_chunked(stream: &mut TcpStream, mut raw: Vec<u8>) -> anyhow::Result<Vec<u8>> {
    let mut chunk = [0u8; 8192];
    let mut body = Vec::new();
    let mut position = 0;
    loop {
        while find(&raw[position..], b"\r\n").is_none() {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed in a chunk");
            }
            raw.extend_from_slice(&chunk[..n]);
        }
        let line_end = position + find(&raw[position..], b"\r\n").unwrap_or_default();
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&raw[position..line_end]).trim(), 16)?;
        let data_start = line_end + 2;
        while raw.len() < data_start + size + 2 {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed in a chunk");
            }
            raw.extend_from_slice(&chunk[..n]);
        }
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&raw[data_start..data_start + size]);
        position = data_start + size + 2;
    }
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// The value of the header `name` in the lowercased `headers`.
fn header_value<'a>(headers: &'a str, name: &str) -> Option<&'a str> {
    headers.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == name).then(|| value.trim())
    })
}
