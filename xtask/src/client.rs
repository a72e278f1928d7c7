//! The HTTP/1.1 client of every measure: hyper's client connections
//! (`hyper::client::conn::http1`) over tokio's TCP streams.
//!
//! A [`Connection`] stays open and sends its requests one after the other,
//! each response read whole before the next request goes, as a load client
//! on a keep-alive connection does. [`get`], [`post`] and [`send`] send one
//! request on a fresh connection.

use std::net::SocketAddr;

use anyhow::Context as _;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{self, HeaderMap};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

/// A response as the measures see it, its body read whole.
pub struct Response {
    /// The status code.
    pub status: StatusCode,
    /// The response's headers.
    pub headers: HeaderMap,
    /// The body, as sent (still compressed if it was), without the chunks'
    /// framing.
    pub body: Bytes,
}

impl Response {
    /// Its size over the wire as the server (hyper) writes it: the status
    /// line with the canonical reason, every `name: value` line, the blank
    /// line, and the body without the chunks' framing.
    pub fn wire_size(&self) -> usize {
        let reason = self.status.canonical_reason().unwrap_or_default();
        let status_line = "HTTP/1.1 200 \r\n".len() + reason.len();
        let headers: usize = self
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + ": \r\n".len() + value.len())
            .sum();
        status_line + headers + "\r\n".len() + self.body.len()
    }

    /// The body as text.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// One HTTP/1.1 connection, kept alive between requests.
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    /// The task that reads and writes the socket; aborting it closes the
    /// connection.
    driver: JoinHandle<()>,
}

impl Connection {
    /// Connects to `addr`, with Nagle's algorithm off.
    pub async fn open(addr: SocketAddr) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
        // An error of the connection reaches the request it interrupts.
        let driver = tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Self { sender, driver })
    }

    /// Sends `request` once the previous response is read, and reads the
    /// whole response.
    pub async fn send(&mut self, request: Request<Full<Bytes>>) -> anyhow::Result<Response> {
        self.sender.ready().await.context("the connection closed")?;
        let (head, body) = self.sender.send_request(request).await?.into_parts();
        let body = body.collect().await?.to_bytes();
        Ok(Response {
            status: head.status,
            headers: head.headers,
            body,
        })
    }
}

impl Drop for Connection {
    /// Closes the connection, even in the middle of a request (when a
    /// timeout gives up on it).
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// The request of a measure: `GET path`, or, with a `body`, a form's
/// `POST path`. A `path` ending in `#fragment` asks for the conversation
/// alone, as the conversation's script does; `brotli` accepts compressed
/// answers, as a browser does; `close` asks the server to close the
/// connection after the response.
pub fn request(
    path: &str,
    body: Option<&str>,
    brotli: bool,
    close: bool,
) -> anyhow::Result<Request<Full<Bytes>>> {
    let (path, fragment) = match path.strip_suffix("#fragment") {
        Some(path) => (path, true),
        None => (path, false),
    };
    let method = if body.is_some() {
        Method::POST
    } else {
        Method::GET
    };
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1")
        .header(header::USER_AGENT, "relais-bench");
    if fragment {
        request = request.header("x-relais-fragment", "1");
    }
    if brotli {
        request = request.header(header::ACCEPT_ENCODING, "br, gzip");
    }
    if close {
        request = request.header(header::CONNECTION, "close");
    }
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let body = Bytes::copy_from_slice(body.unwrap_or_default().as_bytes());
    Ok(request.body(Full::new(body))?)
}

/// Sends one request on a fresh connection.
pub async fn send(addr: SocketAddr, request: Request<Full<Bytes>>) -> anyhow::Result<Response> {
    Connection::open(addr).await?.send(request).await
}

/// One GET on a fresh connection.
pub async fn get(addr: SocketAddr, path: &str, brotli: bool) -> anyhow::Result<Response> {
    send(addr, request(path, None, brotli, true)?).await
}

/// One form POST on a fresh connection.
pub async fn post(addr: SocketAddr, path: &str, body: &str) -> anyhow::Result<Response> {
    send(addr, request(path, Some(body), false, true)?).await
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
    page.text()
        .split("name=\"t\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .context("no token in the conversation page")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fragment_path_asks_for_the_conversation_alone() -> anyhow::Result<()> {
        let request = request("/aide#fragment", Some("t=x"), true, false)?;
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri(), "/aide");
        assert_eq!(request.headers()["x-relais-fragment"], "1");
        assert_eq!(request.headers()[header::ACCEPT_ENCODING], "br, gzip");
        assert!(request.headers().get(header::CONNECTION).is_none());
        Ok(())
    }

    #[test]
    fn the_wire_size_counts_the_head_as_hyper_writes_it() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_LENGTH,
            header::HeaderValue::from_static("5"),
        );
        let response = Response {
            status: StatusCode::OK,
            headers,
            body: Bytes::from_static(b"hello"),
        };
        let wire = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello";
        assert_eq!(response.wire_size(), wire.len());
    }

    #[test]
    fn a_connection_sends_its_requests_one_after_the_other() -> anyhow::Result<()> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let router = axum::Router::new()
                .route("/", axum::routing::post(|body: String| async move { body }));
            tokio::spawn(async move { axum::serve(listener, router).await });
            let mut connection = Connection::open(addr).await?;
            for n in 0..3 {
                let body = format!("n={n}");
                let response = connection
                    .send(request("/", Some(&body), false, false)?)
                    .await?;
                assert_eq!(response.status, StatusCode::OK);
                assert_eq!(response.text(), body);
            }
            Ok(())
        })
    }

    #[test]
    fn form_values_are_percent_encoded() {
        assert_eq!(form_value("é a-b"), "%C3%A9+a-b");
    }
}
