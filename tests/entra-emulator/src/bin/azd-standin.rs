//! `azd-standin`: a test stand-in for the Azure Developer CLI, which cannot be installed here
//! (no package registry we can reach carries it). Tests put it on PATH under the name `azd`.
//!
//! It reproduces the parts of azd that kubectl-aad relies on, with azd's documented shapes:
//! * `azd auth login --client-id ID --client-secret SECRET --tenant-id T` signs a service
//!   principal in (state in `$AZD_CONFIG_DIR`, default `~/.azd`); the authority is
//!   `$AZURE_AUTHORITY_HOST` and the CA `$SSL_CERT_FILE`, i.e. the emulator.
//! * `azd auth token --output json --scope S [--tenant-id T]` prints
//!   `{"token": "<jwt>", "expiresOn": "<RFC 3339>"}`, a real token from the emulator.
//! * Not signed in: exit 1 with `ERROR: not logged in, run `azd auth login` to login` on stderr
//!   — with `--output json` as a JSON console message line, as real azd writes its errors.
//! * `azd auth logout` forgets the sign-in.
//!   `AZD_STANDIN_SLEEP=<secs>` makes every command hang first (for timeout tests).

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

fn main() {
    if let Some(secs) = std::env::var("AZD_STANDIN_SLEEP")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        std::thread::sleep(Duration::from_secs(secs));
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args
        .windows(2)
        .any(|w| w[0] == "--output" && w[1] == "json");
    let code = match run(args) {
        Ok(()) => 0,
        // Real azd: with `--output json`, errors are JSON console messages on stderr.
        Err(message) if json => {
            let line = serde_json::json!({
                "type": "consoleMessage",
                "timestamp": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
                "data": {"message": format!("\nERROR: {message}\n")},
            });
            let _ = writeln!(std::io::stderr(), "{line}");
            1
        }
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "\nERROR: {message}\n");
            1
        }
    };
    std::process::exit(code);
}

fn state_file() -> PathBuf {
    let dir = std::env::var_os("AZD_CONFIG_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".azd")
        });
    dir.join("auth").join("standin-login.json")
}

fn flags(args: &[String]) -> HashMap<String, String> {
    args.chunks(2)
        .filter_map(|pair| match pair {
            [flag, value] if flag.starts_with("--") => Some((flag.clone(), value.clone())),
            _ => None,
        })
        .collect()
}

fn run(args: Vec<String>) -> Result<(), String> {
    match args
        .iter()
        .take(2)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["auth", "login"] => {
            let f = flags(&args[2..]);
            let login = serde_json::json!({
                "client_id": f.get("--client-id").ok_or("--client-id is required")?,
                "client_secret": f.get("--client-secret").ok_or("--client-secret is required")?,
                "tenant_id": f.get("--tenant-id").ok_or("--tenant-id is required")?,
            });
            let file = state_file();
            std::fs::create_dir_all(file.parent().unwrap_or(&file)).map_err(|e| e.to_string())?;
            std::fs::write(&file, login.to_string()).map_err(|e| e.to_string())?;
            let _ = writeln!(std::io::stderr(), "Logged in to Azure.");
            Ok(())
        }
        ["auth", "logout"] => {
            let _ = std::fs::remove_file(state_file());
            Ok(())
        }
        ["auth", "token"] => token(&flags(&args[2..])),
        _ => Err(format!("unknown command {args:?}")),
    }
}

fn token(f: &HashMap<String, String>) -> Result<(), String> {
    let login: serde_json::Value = std::fs::read(state_file())
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or("not logged in, run `azd auth login` to login")?;
    let text = |key: &str| login[key].as_str().unwrap_or_default().to_owned();
    let tenant = f
        .get("--tenant-id")
        .cloned()
        .unwrap_or_else(|| text("tenant_id"));
    let scope = f.get("--scope").ok_or("--scope is required")?;
    let authority =
        std::env::var("AZURE_AUTHORITY_HOST").map_err(|_| "AZURE_AUTHORITY_HOST is not set")?;
    let mut builder = reqwest::blocking::Client::builder();
    if let Ok(ca) = std::env::var("SSL_CERT_FILE") {
        let pem = std::fs::read(ca).map_err(|e| e.to_string())?;
        builder = builder.tls_certs_merge(
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| e.to_string())?,
        );
    }
    let http = builder.build().map_err(|e| e.to_string())?;
    let response = http
        .post(format!("{authority}{tenant}/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &text("client_id")),
            ("client_secret", &text("client_secret")),
            ("scope", scope),
        ])
        .send()
        .map_err(|e| format!("fetching token: {e}"))?;
    let body: serde_json::Value = response.json().map_err(|e| e.to_string())?;
    let Some(token) = body["access_token"].as_str() else {
        return Err(format!(
            "fetching token: {}",
            body["error_description"].as_str().unwrap_or("failed")
        ));
    };
    let lifetime = body["expires_in"].as_u64().unwrap_or(3600);
    let expires =
        humantime::format_rfc3339_seconds(SystemTime::now() + Duration::from_secs(lifetime));
    let answer = serde_json::json!({"token": token, "expiresOn": expires.to_string()});
    writeln!(std::io::stdout(), "{answer}").map_err(|e| e.to_string())
}
