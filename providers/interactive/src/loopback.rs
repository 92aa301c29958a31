//! The loopback redirect server: accepts connections until one carries the answer to *our*
//! authorization request (a GET query or a `form_post` body with our `state`), answers it with a
//! small page, and stops.
//!
//! Any local process can connect to the port, so a request without our `state` — a forged
//! code or error — is answered and ignored, never taken as the outcome, and every request is
//! read within bounds (line, header and body sizes, a read timeout), so none can stall the
//! sign-in or grow our memory.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// The longest request line or header line read.
const MAX_LINE_BYTES: u64 = 8 * 1024;
/// The most header lines read.
const MAX_HEADERS: usize = 100;
/// The largest `form_post` body read.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// What the browser brought back.
pub(crate) enum Outcome {
    /// The authorization code.
    Code(String),
    /// `error` and `error_description`.
    Error { error: String, description: String },
}

/// Waits until `deadline` for the answer carrying `state` on any of `listeners`.
pub(crate) fn wait(
    listeners: &[TcpListener],
    path: &str,
    state: &str,
    deadline: Instant,
) -> Option<Outcome> {
    for listener in listeners {
        listener.set_nonblocking(true).ok()?;
    }
    while Instant::now() < deadline {
        let mut idle = true;
        for listener in listeners {
            if let Ok((stream, _)) = listener.accept() {
                idle = false;
                if let Some(outcome) = handle(stream, path, state) {
                    return Some(outcome);
                }
            }
        }
        if idle {
            std::thread::sleep(Duration::from_millis(25));
        }
    }
    None
}

/// A parsed request: method, target, and its parameters (query, or `form_post` body).
struct Request {
    target_path: String,
    params: Vec<(String, String)>,
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let line = |reader: &mut BufReader<TcpStream>| {
        let mut text = String::new();
        let read = reader
            .by_ref()
            .take(MAX_LINE_BYTES)
            .read_line(&mut text)
            .ok()?;
        (read > 0 && text.ends_with('\n')).then_some(text)
    };
    let request_line = line(reader)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut content_length = 0usize;
    for _ in 0..MAX_HEADERS {
        let header = line(reader)?;
        if header == "\r\n" || header == "\n" {
            let (target_path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
            let params = if method == "POST" {
                let mut body = vec![0; content_length.min(MAX_BODY_BYTES)];
                reader.read_exact(&mut body).ok()?;
                url::form_urlencoded::parse(&body).into_owned().collect()
            } else {
                url::form_urlencoded::parse(query.as_bytes())
                    .into_owned()
                    .collect()
            };
            return Some(Request {
                target_path: target_path.to_owned(),
                params,
            });
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            content_length = value.trim().parse().unwrap_or(0);
        }
    }
    None
}

fn handle(stream: TcpStream, path: &str, state: &str) -> Option<Outcome> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream);
    let request = read_request(&mut reader);
    let get = |name: &str| {
        request
            .as_ref()?
            .params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let ours = request
        .as_ref()
        .is_some_and(|r| r.target_path.trim_end_matches('/') == path.trim_end_matches('/'))
        && get("state").as_deref() == Some(state);
    let outcome = match (ours, get("code"), get("error")) {
        (true, Some(code), _) => Some(Outcome::Code(code)),
        (true, None, Some(error)) => Some(Outcome::Error {
            error,
            description: get("error_description").unwrap_or_default(),
        }),
        _ => None,
    };
    let (status, body) = match &outcome {
        Some(Outcome::Code(_)) => (
            "200 OK",
            "<h1>Signed in</h1><p>kubectl-aad has your sign-in. You can close this window.</p>",
        ),
        Some(Outcome::Error { .. }) => (
            "200 OK",
            "<h1>Sign-in failed</h1><p>Return to the terminal for details.</p>",
        ),
        None => (
            "400 Bad Request",
            "<h1>Not the sign-in kubectl-aad is waiting for</h1>",
        ),
    };
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>kubectl-aad</title></head><body>{body}</body></html>"
    );
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = stream.flush();
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(port: u16, request: &[u8]) {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.write_all(request);
            let mut answer = Vec::new();
            let _ = stream.read_to_end(&mut answer);
        }
    }

    #[test]
    fn forged_and_endless_requests_are_ignored_until_ours_arrives() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let attacker = std::thread::spawn(move || {
            send(port, b"GET /?code=forged&state=wrong HTTP/1.1\r\n\r\n");
            send(port, b"GET /?error=access_denied HTTP/1.1\r\n\r\n");
            send(port, &vec![b'A'; 100 * 1024]);
            send(port, b"GET /?code=real&state=ours HTTP/1.1\r\n\r\n");
        });
        let outcome = wait(
            std::slice::from_ref(&listener),
            "/",
            "ours",
            Instant::now() + Duration::from_secs(30),
        );
        attacker.join().expect("attacker");
        assert!(matches!(outcome, Some(Outcome::Code(code)) if code == "real"));
    }
}
