//! Our own `get-token` / `login` argv: the one reader and the one writer.
//!
//! * [`ExecArgs`] reads the arguments of an existing exec entry leniently — kubelogin's or ours,
//!   `--flag value` or `--flag=value`, kubelogin's short forms folded into long names, unknown
//!   words ignored — so that convert-kubeconfig can carry values over.
//! * [`parse_get_token`] parses our own entry exactly as get-token would (the same clap
//!   definitions), for `whoami` and `login` with `--context`.
//! * [`ArgList`] writes argument lists: convert-kubeconfig's exec entries and the
//!   `kubectl-aad login …` command that error messages suggest.

use std::collections::HashMap;

use anyhow::Context as _;
use clap::Parser as _;
use kubectl_aad_contract::Input;

use crate::cli::{GetTokenCli, TokenFlags};
use crate::settings::TokenSettings;

/// Flags that take no value (a following word is not theirs unless written `--flag=value`).
const SWITCHES: &[&str] = &[
    "legacy",
    "pop-enabled",
    "disable-environment-override",
    "disable-instance-discovery",
    "use-azurerm-env-vars",
    "force-refresh",
    "allow-provider-override",
    "logtostderr",
];

/// The flags found in an exec entry's `args`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ExecArgs {
    values: HashMap<String, String>,
    switches: HashMap<String, bool>,
    provider_options: Vec<String>,
}

impl ExecArgs {
    /// Parses an argument list; unknown words are ignored.
    pub(crate) fn parse(args: &[String]) -> ExecArgs {
        let mut parsed = ExecArgs::default();
        let mut words = args.iter().peekable();
        while let Some(word) = words.next() {
            let Some(flag) = word.strip_prefix("--").or_else(|| word.strip_prefix('-')) else {
                continue;
            };
            let (name, inline) = match flag.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (flag, None),
            };
            let name = match name {
                "l" => "login",
                "t" => "tenant-id",
                "e" => "environment",
                "s" => "subscription",
                "v" => "verbose",
                "token-cache-dir" => "cache-dir",
                other => other,
            };
            if SWITCHES.contains(&name) {
                let on = inline.is_none_or(|v| crate::cli::parse_bool(&v).unwrap_or(true));
                parsed.switches.insert(name.to_owned(), on);
                continue;
            }
            let value = match inline {
                Some(value) => Some(value),
                None => words.next_if(|next| !next.starts_with('-')).cloned(),
            };
            match (name, value) {
                ("provider-option", Some(value)) => parsed.provider_options.push(value),
                (_, Some(value)) => {
                    parsed.values.insert(name.to_owned(), value);
                }
                (_, None) => {}
            }
        }
        parsed
    }

    /// The value of an input's flag, if present and not empty.
    pub(crate) fn value(&self, input: Input) -> Option<&str> {
        let name = input.flag().trim_start_matches('-');
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether a switch (`--legacy`, `--pop-enabled` …, by long name) is present and on.
    pub(crate) fn switch(&self, name: &str) -> bool {
        self.switches.get(name).copied().unwrap_or(false)
    }

    /// The `--provider-option` values, in order.
    pub(crate) fn provider_options(&self) -> &[String] {
        &self.provider_options
    }
}

/// Parses our own get-token arguments (from a kubeconfig user's exec entry) into its flags.
pub(crate) fn parse_get_token(args: &[String], user: &str) -> anyhow::Result<TokenFlags> {
    // kubelogin's global `-v 5` may come before the subcommand.
    let start = args.iter().position(|w| w == "get-token");
    let cli = start
        .and_then(|start| GetTokenCli::try_parse_from(&args[start..]).ok())
        .with_context(|| {
            format!(
                "the exec entry of user {user:?} is not a `get-token` call kubectl-aad understands; re-run convert-kubeconfig"
            )
        })?;
    Ok(cli.args.token)
}

/// An argument list being written, in order.
#[derive(Debug, Default)]
pub(crate) struct ArgList(pub(crate) Vec<String>);

impl ArgList {
    /// Starts with `words`.
    pub(crate) fn new(words: &[&str]) -> ArgList {
        ArgList(words.iter().map(|w| (*w).to_owned()).collect())
    }

    /// `flag value`, when there is a value.
    pub(crate) fn value(&mut self, flag: &str, value: Option<String>) {
        if let Some(value) = value {
            self.0.push(flag.to_owned());
            self.0.push(value);
        }
    }

    /// A switch, when `on`.
    pub(crate) fn switch(&mut self, flag: &str, on: bool) {
        if on {
            self.0.push(flag.to_owned());
        }
    }

    /// An input with its value: a switch for switches, `--pop-enabled --pop-claims C` for PoP
    /// claims, one `--provider-option` per comma-separated pair, else `flag value`.
    pub(crate) fn input(&mut self, input: Input, value: Option<String>) {
        match input {
            _ if input.is_switch() => self.switch(input.flag(), value.is_some()),
            Input::PopClaims => {
                self.switch("--pop-enabled", value.is_some());
                self.value(input.flag(), value);
            }
            Input::ProviderOptions => {
                for option in value.iter().flat_map(|v| v.split(',')) {
                    self.value(input.flag(), Some(option.to_owned()));
                }
            }
            _ => self.value(input.flag(), value),
        }
    }
}

/// The `kubectl-aad login` command that signs in for these settings (never with a secret).
pub(crate) fn login_command(program: &str, settings: &TokenSettings) -> String {
    let mut words = ArgList::new(&[program, "login", "-l", settings.login().as_str()]);
    for input in [
        Input::ServerId,
        Input::ClientId,
        Input::TenantId,
        Input::Environment,
        Input::AuthorityHost,
        Input::LoginHint,
        Input::Username,
        Input::CacheDir,
        Input::ProvidersDir,
    ] {
        let shown = match input {
            // The cloud's own authority host is the default: not worth a flag.
            Input::AuthorityHost if !settings.given.contains(input) => None,
            _ => settings.value(input),
        };
        words.value(input.flag(), shown);
    }
    words.switch("--legacy", settings.request.legacy);
    words
        .0
        .iter()
        .map(|word| match word.contains(char::is_whitespace) {
            true => format!("'{word}'"),
            false => word.clone(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &str) -> ExecArgs {
        ExecArgs::parse(
            &args
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn reads_both_spellings_and_short_forms() {
        let args = parse(
            "get-token -l spn --server-id=abc -t tenant --legacy --client-id c --pop-enabled=false --token-cache-dir /c",
        );
        assert_eq!(args.value(Input::Login), Some("spn"));
        assert_eq!(args.value(Input::ServerId), Some("abc"));
        assert_eq!(args.value(Input::TenantId), Some("tenant"));
        assert_eq!(args.value(Input::ClientId), Some("c"));
        assert_eq!(args.value(Input::CacheDir), Some("/c"));
        assert!(args.switch("legacy"));
        assert!(!args.switch("pop-enabled"));
    }

    #[test]
    fn a_flag_without_its_value_takes_nothing_and_options_repeat() {
        let args =
            parse("get-token --server-id --legacy --provider-option a=1 --provider-option b=2");
        assert_eq!(args.value(Input::ServerId), None);
        assert!(args.switch("legacy"));
        assert_eq!(args.provider_options(), ["a=1", "b=2"]);
    }

    #[test]
    fn our_own_entries_parse_as_get_token_would() {
        let args: Vec<String> = "get-token --login spn --server-id s --legacy=1"
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let flags = parse_get_token(&args, "u").expect("ours");
        assert_eq!(flags.server_id.as_deref(), Some("s"));
        assert_eq!(flags.legacy, Some(true));
        let err = parse_get_token(&["version".to_owned()], "u").expect_err("not ours");
        assert!(
            err.to_string().contains("re-run convert-kubeconfig"),
            "{err}"
        );
    }
}
