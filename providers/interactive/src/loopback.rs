//! The loopback redirect server: accepts connections until one carries the authorization
//! response (a GET query or a `form_post` body), answers it with a small page, and stops.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// What the browser brought back.
pub(crate) enum Outcome {
    /// `code` and `state`.
    Code { code: String, state: String },
    /// `error` and `error_description`.
    Error { error: String, description: String },
}

/// Waits until `deadline` for the authorization response on `listener`.
pub(crate) fn wait(listener: &TcpListener, path: &str, deadline: Instant) -> Option<Outcome> {
    listener.set_nonblocking(true).ok()?;
    while Instant::now() < deadline {
        match listener.accept() {
            Ok((stream, _)) => {
                if let Some(outcome) = handle(stream, path) {
                    return Some(outcome);
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(25))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(25)),
        }
    }
    None
}

fn handle(stream: TcpStream, path: &str) -> Option<Outcome> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut content_length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            content_length = value.trim().parse().unwrap_or(0).min(64 * 1024);
        }
    }
    let (target_path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
    let params: Vec<(String, String)> = if method == "POST" {
        let mut body = vec![0; content_length];
        reader.read_exact(&mut body).ok()?;
        url::form_urlencoded::parse(&body).into_owned().collect()
    } else {
        url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    };
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut stream = reader.into_inner();
    let outcome = if target_path.trim_end_matches('/') != path.trim_end_matches('/') {
        None
    } else if let Some(code) = get("code") {
        Some(Outcome::Code {
            code,
            state: get("state").unwrap_or_default(),
        })
    } else {
        get("error").map(|error| Outcome::Error {
            error,
            description: get("error_description").unwrap_or_default(),
        })
    };
    let (status, body) = match &outcome {
        Some(Outcome::Code { .. }) => (
            "200 OK",
            "<h1>Signed in</h1><p>kubectl-aad has your sign-in. You can close this window.</p>",
        ),
        Some(Outcome::Error { .. }) => (
            "200 OK",
            "<h1>Sign-in failed</h1><p>Return to the terminal for details.</p>",
        ),
        None => ("404 Not Found", "<h1>Not found</h1>"),
    };
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>kubectl-aad</title></head><body>{body}</body></html>"
    );
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = stream.flush();
    outcome
}
