//! Dynamic shell completion: `__complete` / `__completeNoDesc` (cobra's protocol, which
//! kubelogin answers and kubectl ≥ 1.26 speaks to `kubectl_complete-aad` for `kubectl aad
//! <TAB>`), and the scripts `completion bash|zsh|fish` print, which ask it.
//!
//! The words are the command line after the program name, the last one being the word under
//! the cursor (empty for a new word). The answer is one candidate per line, `value\tdescription`,
//! then `:<directive>`; a candidate never spans lines. Completion never fails loudly: an
//! unreadable kubeconfig just offers no contexts.

mod values;

use clap::{Arg, Command};

use crate::env::Env;

/// cobra's directive bits.
pub(crate) mod directive {
    /// The shell may fall back to file names.
    pub(crate) const DEFAULT: u32 = 0;
    /// Offer no file names.
    pub(crate) const NO_FILE: u32 = 4;
    /// Offer directory names only.
    pub(crate) const DIRS: u32 = 16;
}

/// What to offer for the word under the cursor.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Answer {
    /// `(value, description)`, filtered by what is already typed.
    pub(crate) candidates: Vec<(String, String)>,
    /// The cobra directive.
    pub(crate) directive: u32,
}

/// Completes `words` against `command` (the whole tree, as [`crate::cli::command`] builds it).
pub(crate) fn complete(mut command: Command, words: &[String], env: &Env) -> Answer {
    command.build();
    let (typed, before) = match words.split_last() {
        Some((last, rest)) => (last.as_str(), rest),
        None => ("", &[][..]),
    };
    let (found, wants_value) = walk(&command, before);
    let sub = found.unwrap_or(&command);

    // `--flag=partial`: the value of that flag (the shell keeps the `--flag=` part).
    if let Some((flag, partial)) = typed.split_once('=').filter(|_| typed.starts_with("--"))
        && let Some(arg) = long_arg(sub, &flag[2..])
    {
        return filtered(values::of(arg, before, env), partial);
    }
    if let Some(arg) = wants_value {
        return filtered(values::of(arg, before, env), typed);
    }
    if typed.starts_with('-') {
        return filtered(flags(sub), typed);
    }
    match found {
        None => filtered(subcommands(&command), typed),
        Some(sub) if sub.get_name() == "help" => filtered(subcommands(&command), typed),
        Some(sub) if sub.get_name() == "completion" => filtered(values::shells(), typed),
        Some(_) => Answer {
            candidates: Vec::new(),
            directive: directive::NO_FILE,
        },
    }
}

/// The subcommand the words name (if any), and the flag whose value the next word is.
fn walk<'a>(root: &'a Command, words: &[String]) -> (Option<&'a Command>, Option<&'a Arg>) {
    let mut found: Option<&Command> = None;
    let mut pending: Option<&Arg> = None;
    for word in words {
        if pending.take().is_some() {
            continue;
        }
        let current = found.unwrap_or(root);
        if let Some(long) = word.strip_prefix("--") {
            pending = long_arg(current, long).filter(|a| takes_next_word(a));
        } else if let Some(short) = word.strip_prefix('-').filter(|s| s.len() == 1) {
            let letter = short.chars().next();
            pending = current
                .get_arguments()
                .find(|a| a.get_short() == letter)
                .filter(|a| takes_next_word(a));
        } else if found.is_none() {
            found = root
                .get_subcommands()
                .find(|s| s.get_name() == word || s.get_all_aliases().any(|a| a == word));
        }
    }
    (found, pending)
}

fn long_arg<'a>(command: &'a Command, name: &str) -> Option<&'a Arg> {
    command.get_arguments().find(|a| {
        a.get_long() == Some(name) || a.get_all_aliases().is_some_and(|v| v.contains(&name))
    })
}

/// A flag whose value is the next word (`--login MODE`); pflag-style booleans take theirs only
/// after `=`.
fn takes_next_word(arg: &Arg) -> bool {
    arg.get_action().takes_values()
        && !arg.is_require_equals_set()
        && arg.get_num_args().is_none_or(|n| n.min_values() > 0)
}

fn flags(command: &Command) -> Answer {
    let candidates = command
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_positional())
        .filter_map(|a| Some((format!("--{}", a.get_long()?), help_of(a))))
        .collect();
    Answer {
        candidates,
        directive: directive::NO_FILE,
    }
}

fn subcommands(root: &Command) -> Answer {
    let candidates = root
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| {
            let about = s.get_about().map(ToString::to_string).unwrap_or_default();
            (s.get_name().to_owned(), about)
        })
        .collect();
    Answer {
        candidates,
        directive: directive::NO_FILE,
    }
}

/// The first line of a flag's help, without clap's bracketed notes.
fn help_of(arg: &Arg) -> String {
    let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
    let first = help.lines().next().unwrap_or_default();
    first.split(" [").next().unwrap_or(first).trim().to_owned()
}

fn filtered(answer: Answer, typed: &str) -> Answer {
    Answer {
        candidates: answer
            .candidates
            .into_iter()
            .filter(|(value, _)| value.starts_with(typed))
            .collect(),
        directive: answer.directive,
    }
}

/// Writes the answer in cobra's format; without descriptions for `__completeNoDesc`.
pub(crate) fn render(answer: &Answer, descriptions: bool) -> String {
    let mut out = String::new();
    for (value, description) in &answer.candidates {
        let one_line = |s: &str| s.lines().next().unwrap_or_default().trim().to_owned();
        out.push_str(&one_line(value));
        if descriptions && !description.is_empty() {
            out.push('\t');
            out.push_str(&one_line(description));
        }
        out.push('\n');
    }
    out.push_str(&format!(":{}\n", answer.directive));
    out
}

#[cfg(test)]
mod tests;
