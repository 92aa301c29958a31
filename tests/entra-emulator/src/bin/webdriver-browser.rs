//! `webdriver-browser URL`: the browser for the real-browser test. It drives headless Chromium
//! through chromedriver (WebDriver over HTTP, at CHROMEDRIVER_URL): opens the sign-in URL, types
//! EMULATOR_BROWSER_USER / EMULATOR_BROWSER_PASSWORD into the emulator's sign-in page, accepts
//! consent, and waits until the browser has delivered the answer to the loopback redirect page.
//! Chromium accepts the emulator's test certificate for the page itself; kubectl-aad's own calls
//! still verify it against the test CA.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn main() -> ExitCode {
    match drive(&std::env::args().nth(1).unwrap_or_default()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "webdriver-browser: {err}");
            ExitCode::FAILURE
        }
    }
}

struct Session {
    client: reqwest::blocking::Client,
    base: String,
}

impl Session {
    fn call(&self, method: reqwest::Method, path: &str, body: Value) -> anyhow::Result<Value> {
        let response = self
            .client
            .request(method, format!("{}{path}", self.base))
            .json(&body)
            .send()?;
        let status = response.status();
        let value: Value = response.json()?;
        anyhow::ensure!(status.is_success(), "webdriver {path}: {status} {value}");
        Ok(value["value"].clone())
    }

    fn element(&self, css: &str) -> anyhow::Result<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match self.call(
                reqwest::Method::POST,
                "/element",
                json!({"using": "css selector", "value": css}),
            ) {
                Ok(found) => {
                    return found
                        .as_object()
                        .and_then(|o| o.values().next())
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .ok_or_else(|| anyhow::anyhow!("no element id"));
                }
                Err(err) if Instant::now() > deadline => return Err(err),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    fn type_into(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let id = self.element(css)?;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            json!({}),
        )?;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            json!({"text": text}),
        )?;
        Ok(())
    }

    fn click(&self, css: &str) -> anyhow::Result<()> {
        let id = self.element(css)?;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            json!({}),
        )?;
        Ok(())
    }
}

fn drive(url: &str) -> anyhow::Result<()> {
    let driver = std::env::var("CHROMEDRIVER_URL")?;
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    // The test gives a profile folder inside its own temp folder, so nothing outlives it.
    let profile = std::env::var_os("WEBDRIVER_BROWSER_PROFILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::env::temp_dir().join(format!("webdriver-browser-{}", std::process::id()))
        });
    let capabilities = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "acceptInsecureCerts": true,
        "goog:chromeOptions": {"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", format!("--user-data-dir={}", profile.display())]}
    }}});
    let created: Value = client
        .post(format!("{driver}/session"))
        .json(&capabilities)
        .send()?
        .json()?;
    let id = created["value"]["sessionId"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no session: {created}"))?
        .to_owned();
    let session = Session {
        client,
        base: format!("{driver}/session/{id}"),
    };
    let result = (|| {
        session.call(reqwest::Method::POST, "/url", json!({"url": url}))?;
        session.type_into("#i0116", &std::env::var("EMULATOR_BROWSER_USER")?)?;
        session.type_into("#i0118", &std::env::var("EMULATOR_BROWSER_PASSWORD")?)?;
        session.click("#idSIButton9")?;
        session.click("#idBtn_Accept")?;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let current = session
                .call(reqwest::Method::GET, "/url", Value::Null)
                .unwrap_or_default();
            if current.as_str().is_some_and(|u| {
                u.starts_with("http://localhost:") || u.starts_with("http://127.0.0.1:")
            }) {
                return Ok(());
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the browser never reached the loopback redirect (at {current})"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    })();
    // End the session (chromedriver then stops Chromium), drop the profile, and tell the test.
    let _ = session.client.delete(&session.base).send();
    let _ = std::fs::remove_dir_all(&profile);
    if let Some(done) = std::env::var_os("WEBDRIVER_BROWSER_DONE") {
        let _ = std::fs::write(done, "done");
    }
    result
}
