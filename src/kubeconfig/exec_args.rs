//! Reads the arguments of an existing `kubelogin` / `kubectl-aad` exec entry.
//!
//! Both `--flag value` and `--flag=value` are accepted, with kubelogin's short forms (`-l`, `-t`,
//! `-e`, `-s`) folded into their long names, so that the converter can carry values over.

use std::collections::HashMap;

/// Flags that take no value (a following word is not theirs unless written `--flag=value`).
const BOOL_FLAGS: &[&str] = &[
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
    bools: HashMap<String, bool>,
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
                other => other,
            };
            if BOOL_FLAGS.contains(&name) {
                let value = inline.map(|v| v != "false").unwrap_or(true);
                parsed.bools.insert(name.to_owned(), value);
                continue;
            }
            let value = match inline {
                Some(value) => Some(value),
                None => words.next_if(|next| !next.starts_with('-')).cloned(),
            };
            if let Some(value) = value {
                parsed.values.insert(name.to_owned(), value);
            }
        }
        parsed
    }

    /// The value of a flag, by long name without dashes.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether a boolean flag is present and true.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.bools.get(name).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> ExecArgs {
        ExecArgs::parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn reads_both_spellings_and_short_forms() {
        let args = parse(&[
            "get-token",
            "-l",
            "spn",
            "--server-id=abc",
            "-t",
            "tenant",
            "--legacy",
            "--client-id",
            "c",
            "--pop-enabled=false",
        ]);
        assert_eq!(args.value("login"), Some("spn"));
        assert_eq!(args.value("server-id"), Some("abc"));
        assert_eq!(args.value("tenant-id"), Some("tenant"));
        assert_eq!(args.value("client-id"), Some("c"));
        assert!(args.flag("legacy"));
        assert!(!args.flag("pop-enabled"));
    }

    #[test]
    fn a_flag_without_its_value_takes_nothing() {
        let args = parse(&["get-token", "--server-id", "--legacy"]);
        assert_eq!(args.value("server-id"), None);
        assert!(args.flag("legacy"));
    }
}
