//! The values a flag can take, for completion: login modes (built in, and the libraries in the
//! providers directory, by file name), clouds, contexts read from kubeconfig, and which flags
//! name files or directories.

use std::path::{Path, PathBuf};

use clap::Arg;
use kubectl_aad_contract::LoginMode;
use kubectl_aad_entra::Cloud;

use super::{Answer, directive};
use crate::env::Env;
use crate::kubeconfig;
use crate::registry;

/// What `arg`'s value may be; `before` holds the words already typed (for `--kubeconfig` and
/// `--providers-dir`).
pub(super) fn of(arg: &Arg, before: &[String], env: &Env) -> Answer {
    let fixed = |values: &[(&str, &str)]| Answer {
        candidates: values
            .iter()
            .map(|(v, d)| ((*v).to_owned(), (*d).to_owned()))
            .collect(),
        directive: directive::NO_FILE,
    };
    match arg.get_id().as_str() {
        "login" => modes(before, env),
        "environment" => fixed(&Cloud::CANONICAL),
        "context" => contexts(before, env),
        "exec_api_version" => fixed(&[
            (
                "v1beta1",
                "client.authentication.k8s.io/v1beta1 (kubectl 1.11+)",
            ),
            ("v1", "client.authentication.k8s.io/v1 (kubectl 1.22+)"),
        ]),
        "kubeconfig" | "client_certificate" | "federated_token_file" | "browser_command" => {
            Answer {
                candidates: Vec::new(),
                directive: directive::DEFAULT,
            }
        }
        "cache_dir" | "token_cache_dir" | "providers_dir" | "azure_config_dir" => Answer {
            candidates: Vec::new(),
            directive: directive::DIRS,
        },
        _ if arg.is_require_equals_set() => fixed(&[("true", ""), ("false", "")]),
        _ => match arg.get_possible_values().as_slice() {
            [] => Answer {
                candidates: Vec::new(),
                directive: directive::NO_FILE,
            },
            values => Answer {
                candidates: values
                    .iter()
                    .filter(|v| !v.is_hide_set())
                    .map(|v| {
                        let help = v.get_help().map(ToString::to_string).unwrap_or_default();
                        (v.get_name().to_owned(), help)
                    })
                    .collect(),
                directive: directive::NO_FILE,
            },
        },
    }
}

/// `completion`'s shells.
pub(super) fn shells() -> Answer {
    Answer {
        candidates: ["bash", "zsh", "fish", "powershell", "elvish"]
            .iter()
            .map(|s| ((*s).to_owned(), String::new()))
            .collect(),
        directive: directive::NO_FILE,
    }
}

fn modes(before: &[String], env: &Env) -> Answer {
    let mut candidates: Vec<(String, String)> = LoginMode::BUILT_IN
        .iter()
        .filter_map(|mode| {
            let summary = mode.descriptor()?.summary.to_string();
            Some((mode.as_str().to_owned(), summary))
        })
        .collect();
    let dir = flag_value(before, "--providers-dir")
        .map(PathBuf::from)
        .or_else(|| env.vars.get("KUBECTL_AAD_PROVIDERS_DIR").map(PathBuf::from));
    if let Some(dir) = dir {
        candidates.extend(
            registry::library_modes(&dir)
                .into_iter()
                .map(|m| (m, format!("from a library in {}", dir.display()))),
        );
    }
    Answer {
        candidates,
        directive: directive::NO_FILE,
    }
}

/// The contexts of the kubeconfig kubectl would read (or `--kubeconfig`'s), with their users.
fn contexts(before: &[String], env: &Env) -> Answer {
    let explicit = flag_value(before, "--kubeconfig");
    let files = kubeconfig::paths(explicit.map(Path::new), &env.vars, env.home.as_deref())
        .ok()
        .and_then(|paths| kubeconfig::load(&paths).ok())
        .unwrap_or_default();
    let mut candidates: Vec<(String, String)> = Vec::new();
    for named in files.iter().flat_map(|f| &f.config.contexts) {
        if candidates.iter().any(|(name, _)| *name == named.name) {
            continue; // the first file wins, as kubectl merges
        }
        let user = named.context.as_ref().and_then(|c| c.user.clone());
        let description = user.map(|u| format!("user {u}")).unwrap_or_default();
        candidates.push((named.name.clone(), description));
    }
    Answer {
        candidates,
        directive: directive::NO_FILE,
    }
}

/// The value of `--flag VALUE` or `--flag=VALUE` among the typed words (the last one wins).
fn flag_value<'a>(words: &'a [String], flag: &str) -> Option<&'a str> {
    let mut found = None;
    for (index, word) in words.iter().enumerate() {
        if word == flag {
            found = words.get(index + 1).map(String::as_str);
        } else if let Some(value) = word.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
            found = Some(value);
        }
    }
    found
}
