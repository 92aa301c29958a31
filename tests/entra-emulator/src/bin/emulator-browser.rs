//! `emulator-browser URL`: a stand-in browser for tests that plays the user on the emulator's
//! sign-in pages over plain HTTP requests: it fills the sign-in form (EMULATOR_BROWSER_USER,
//! EMULATOR_BROWSER_PASSWORD), accepts consent and delivers the `form_post` answer to the
//! loopback redirect URI. Each launch appends a line to EMULATOR_BROWSER_LOG, so tests can count
//! browser windows. The real-browser test uses headless Chromium instead.

use std::collections::BTreeMap;
use std::io::Write as _;

fn main() {
    if let Err(err) = play(std::env::args().nth(1).unwrap_or_default()) {
        let _ = writeln!(std::io::stderr(), "emulator-browser: {err}");
        std::process::exit(1);
    }
}

fn play(url: String) -> anyhow::Result<()> {
    if let Ok(log) = std::env::var("EMULATOR_BROWSER_LOG") {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        writeln!(file, "{url}")?;
    }
    let mut builder =
        reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none());
    if let Ok(ca) = std::env::var("SSL_CERT_FILE") {
        builder =
            builder.tls_certs_merge(reqwest::Certificate::from_pem_bundle(&std::fs::read(ca)?)?);
    }
    let client = builder.build()?;
    let origin = url::Url::parse(&url)?;
    let sign_in = client.get(&url).send()?.error_for_status()?.text()?;
    let (action, mut fields) = form(&sign_in)?;
    fields.insert("username".into(), std::env::var("EMULATOR_BROWSER_USER")?);
    fields.insert(
        "password".into(),
        std::env::var("EMULATOR_BROWSER_PASSWORD")?,
    );
    let consent = client
        .post(origin.join(&action)?)
        .form(&fields)
        .send()?
        .error_for_status()?
        .text()?;
    let (action, fields) = form(&consent)?;
    let answer = client.post(origin.join(&action)?).form(&fields).send()?;
    let (action, fields) = match answer
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned)
    {
        Some(location) => (location, BTreeMap::new()),
        None => form(&answer.error_for_status()?.text()?)?,
    };
    if fields.is_empty() {
        client.get(&action).send()?;
    } else {
        client.post(&action).form(&fields).send()?;
    }
    Ok(())
}

/// The first form's action and its named inputs.
fn form(html: &str) -> anyhow::Result<(String, BTreeMap<String, String>)> {
    let start = html.find("<form").ok_or_else(|| {
        anyhow::anyhow!(
            "no form in page: {}",
            html.chars().take(300).collect::<String>()
        )
    })?;
    let html = &html[start..];
    let action =
        attribute(html.split('>').next().unwrap_or_default(), "action").unwrap_or_default();
    let end = html.find("</form>").unwrap_or(html.len());
    let mut fields = BTreeMap::new();
    for input in html[..end].split("<input").skip(1) {
        let tag = input.split('>').next().unwrap_or_default();
        if let Some(name) = attribute(tag, "name") {
            fields.insert(name, attribute(tag, "value").unwrap_or_default());
        }
    }
    Ok((action, fields))
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let value = &tag[start..start + tag[start..].find('"')?];
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}
