//! Reading kubeconfig files: regular files of sane size only (a FIFO would block, `/dev/zero`
//! would fill memory), parsed with a YAML budget that grows with the file (kubectl reads a
//! 20,000-context kubeconfig, so do we) but still refuses alias bombs and deep nesting.

use std::fs;
use std::io::Read as _;
use std::path::Path;

use kube::config::Kubeconfig;

use super::{KubeconfigError, KubeconfigFile};
use crate::atomic_file::Keep;

/// The largest kubeconfig read: a 20,000-context file is about 8 MiB.
const MAX_KUBECONFIG_BYTES: u64 = 64 << 20;

/// Reads and parses each file.
pub(crate) fn load(paths: &[std::path::PathBuf]) -> Result<Vec<KubeconfigFile>, KubeconfigError> {
    paths.iter().map(|path| load_one(path)).collect()
}

fn load_one(path: &Path) -> Result<KubeconfigFile, KubeconfigError> {
    let read_err = |err: std::io::Error| KubeconfigError::Read {
        path: path.to_path_buf(),
        reason: err.to_string(),
    };
    let not_a_kubeconfig = |reason: String| KubeconfigError::NotAKubeconfig {
        path: path.to_path_buf(),
        reason,
    };
    let real = fs::canonicalize(path).map_err(read_err)?;
    let mut options = fs::OpenOptions::new();
    options.read(true);
    // A FIFO opens without blocking, so that it can be refused.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        rustix::fs::OFlags::NONBLOCK.bits() as i32,
    );
    let file = options.open(&real).map_err(read_err)?;
    let metadata = file.metadata().map_err(read_err)?;
    if !metadata.is_file() {
        return Err(not_a_kubeconfig("it is not a regular file".into()));
    }
    if metadata.len() > MAX_KUBECONFIG_BYTES {
        return Err(not_a_kubeconfig(format!(
            "it is larger than {} MiB",
            MAX_KUBECONFIG_BYTES >> 20
        )));
    }
    let mut bytes = Vec::new();
    file.take(MAX_KUBECONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    let text = String::from_utf8(bytes).map_err(|_| not_a_kubeconfig("it is not UTF-8".into()))?;
    let config = parse(&text).map_err(|reason| KubeconfigError::Parse {
        path: path.to_path_buf(),
        reason,
    })?;
    Ok(KubeconfigFile {
        path: real,
        keep: Keep::of(&metadata),
        text,
        config,
    })
}

/// Parses kubeconfig text; several documents are merged, first wins, as kube-rs does.
pub(crate) fn parse(text: &str) -> Result<Kubeconfig, String> {
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget_for(text.len()));
    let documents: Vec<Kubeconfig> = serde_saphyr::from_multiple_with_options(text, options)
        .map_err(|err| one_line(&err.to_string()))?;
    documents
        .into_iter()
        .try_fold(Kubeconfig::default(), Kubeconfig::merge)
        .map_err(|err| one_line(&err.to_string()))
}

/// The YAML budget for `len` bytes: the parser's defaults, raised in proportion to the input
/// (a node takes at least two bytes), so a long but honest file fits while anchors that
/// multiply content (alias bombs) and nesting still hit their own, unchanged limits.
fn budget_for(len: usize) -> serde_saphyr::Budget {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = budget.max_events.max(len.saturating_mul(2));
    budget.max_nodes = budget.max_nodes.max(len);
    budget
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contexts(n: usize) -> String {
        let mut text = String::from("apiVersion: v1\nkind: Config\nclusters:\n");
        for i in 0..n {
            text += &format!("- name: c{i}\n  cluster:\n    server: https://c{i}.example:443\n");
        }
        text += "contexts:\n";
        for i in 0..n {
            text += &format!("- name: c{i}\n  context:\n    cluster: c{i}\n    user: u{i}\n");
        }
        text += "users:\n";
        for i in 0..n {
            text += &format!(
                "- name: u{i}\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: kubelogin\n      args: [get-token, --server-id, s, --client-id, c, --tenant-id, t{i}]\n"
            );
        }
        text
    }

    #[test]
    fn a_large_honest_kubeconfig_parses_and_an_alias_bomb_does_not() {
        let config = parse(&contexts(20_000)).expect("kubectl reads it, so do we");
        assert_eq!(config.contexts.len(), 20_000);
        let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for level in 0..12 {
            let prev = if level == 0 {
                "a".to_owned()
            } else {
                format!("l{}", level - 1)
            };
            bomb += &format!(
                "l{level}: &l{level} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            );
        }
        assert!(parse(&bomb).is_err(), "exponential expansion is refused");
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&deep).is_err(), "deep nesting is refused");
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_read() {
        let err = load(&["/dev/zero".into()]).expect_err("a device");
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }
}
