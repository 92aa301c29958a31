//! Opening a sign-in page for the user flows: `--browser-command`, else `$BROWSER`, else the
//! system opener.
//! The launched program's stdout goes to our stderr (ours is the ExecCredential channel).

use std::process::Stdio;
use std::time::{Duration, Instant};

use kubectl_aad_contract::Host;

use crate::process;

/// How long an opener is watched for an early failure. Openers such as xdg-open exit 0 once
/// they have handed the URL on; a browser started directly keeps running; a broken command
/// fails at once.
const EARLY_EXIT_WINDOW: Duration = Duration::from_millis(500);

/// Tries to open `url` with `--browser-command`, else `$BROWSER` (read through the host), else
/// the system's opener; on failure, says why (the caller then shows the URL to open by hand).
pub fn open(url: &str, browser_command: Option<&str>, host: &dyn Host) -> Result<(), String> {
    let command = browser_command
        .map(str::to_owned)
        .or_else(|| host.var("BROWSER"))
        .filter(|c| !c.trim().is_empty());
    match command {
        Some(command) => run(&command, url),
        // webbrowser silences GUI browsers' output and never picks a text editor.
        None => webbrowser::open(url).map_err(|err| format!("no browser could be started: {err}")),
    }
}

/// Splits a command line into words: whitespace separates them, and double or single quotes
/// keep a path with spaces in one word (`"C:\Program Files\…\chrome.exe" --new-window`).
/// Backslashes are kept as they are, since they are Windows' path separator; a command that
/// names an existing file as a whole is that one word.
fn words(command: &str) -> Result<Vec<String>, String> {
    let command = command.trim();
    if std::path::Path::new(command).is_file() {
        return Ok(vec![command.to_owned()]);
    }
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in command.chars() {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), c) => word.get_or_insert_default().push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_default().push(c),
        }
    }
    if quote.is_some() {
        return Err(format!(
            "the browser command {command:?} has an unclosed quote"
        ));
    }
    words.extend(word);
    Ok(words)
}

/// Runs a command line with the URL as its last argument (`%s` is replaced, as xdg does).
fn run(command: &str, url: &str) -> Result<(), String> {
    let mut words = words(command)?;
    if words.iter().any(|w| w.contains("%s")) {
        words = words.into_iter().map(|w| w.replace("%s", url)).collect();
    } else {
        words.push(url.to_owned());
    }
    let Some((program, args)) = words.split_first() else {
        return Err("the browser command is empty".into());
    };
    // A group of its own: the browser must not be hung up when our terminal closes.
    let mut command = process::detached(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(process::stderr_for_child());
    let mut child = command
        .spawn()
        .map_err(|err| format!("cannot run the browser command {program:?}: {err}"))?;
    let watched_until = Instant::now() + EARLY_EXIT_WINDOW;
    while Instant::now() < watched_until {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                return Err(format!("the browser command {program:?} failed ({status})"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_commands_split_on_spaces_outside_quotes_and_keep_backslashes() {
        assert_eq!(
            words("firefox --new-window").expect("plain"),
            ["firefox", "--new-window"]
        );
        assert_eq!(
            words(r#""C:\Program Files\Google\Chrome\Application\chrome.exe" --incognito %s"#)
                .expect("quoted"),
            [
                r"C:\Program Files\Google\Chrome\Application\chrome.exe",
                "--incognito",
                "%s"
            ]
        );
        assert_eq!(
            words("open -a 'Google Chrome'").expect("single quotes"),
            ["open", "-a", "Google Chrome"]
        );
        assert_eq!(words(r#"x """#).expect("empty word"), ["x", ""]);
        assert!(words(r#""unclosed"#).is_err());
        let dir = tempfile::tempdir().expect("tempdir");
        let spaced = dir.path().join("my browser");
        std::fs::write(&spaced, "").expect("file");
        let whole = spaced.to_str().expect("utf8");
        assert_eq!(words(whole).expect("a path with a space"), [whole]);
    }
}
