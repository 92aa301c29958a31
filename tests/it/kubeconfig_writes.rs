//! Trust at the boundaries, part three: convert-kubeconfig among other writers and other users.
//! client-go's lock is honoured (no kubectl edit is lost), owners, groups and modes are kept,
//! backups never overwrite, a secret makes its file private, and a file that is not one (a FIFO,
//! a device) is refused without blocking.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;

use crate::convert::AKS_EXEC;
use crate::util::*;

fn convert(env: &TestEnv, file: &std::path::Path, args: &[&str]) -> std::process::Output {
    run(env
        .aad()
        .args(["convert-kubeconfig", "--kubeconfig"])
        .arg(file)
        .args(args))
}

fn backups(env: &TestEnv) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = fs::read_dir(env.dir.path())
        .expect("ls")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".bak"))
        .collect();
    found.sort();
    found
}

#[test]
fn a_held_kubeconfig_lock_is_honoured() {
    let env = TestEnv::new();
    let file = env.path("config");
    fs::write(&file, AKS_EXEC).expect("seed");
    fs::write(env.path("config.lock"), "").expect("kubectl's lock");
    let output = convert(&env, &file, &["-l", "azurecli"]);
    assert_one_line_failure(&output, "is being changed by another program (");
    assert_eq!(
        fs::read_to_string(&file).expect("read"),
        AKS_EXEC,
        "nothing written"
    );
    fs::remove_file(env.path("config.lock")).expect("unlock");
    assert!(convert(&env, &file, &["-l", "azurecli"]).status.success());
    assert!(!env.path("config.lock").exists(), "our lock is released");
}

#[test]
fn no_kubectl_edit_is_lost_while_converting() {
    let env = TestEnv::new();
    let file = env.path("config");
    fs::write(&file, AKS_EXEC).expect("seed");
    let kubectl = kubectl_bin();
    // kubectl adds 40 contexts, retrying while our lock is held, as a script would.
    let writer = {
        let file = file.clone();
        let home = env.dir.path().to_path_buf();
        std::thread::spawn(move || {
            for i in 0..40 {
                loop {
                    let status = Command::new(&kubectl)
                        .args([
                            "config",
                            "set-context",
                            &format!("ctx-{i}"),
                            "--cluster=aks1",
                        ])
                        .arg("--kubeconfig")
                        .arg(&file)
                        .env("HOME", &home)
                        .output()
                        .expect("kubectl runs");
                    if status.status.success() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
            }
        })
    };
    for round in 0..40 {
        let mode = if round % 2 == 0 { "azurecli" } else { "azd" };
        let output = convert(&env, &file, &["--no-backup", "-l", mode]);
        assert!(
            output.status.success()
                || stderr(&output).contains("is being changed by another program"),
            "{}",
            stderr(&output)
        );
    }
    writer.join().expect("writer");
    let view = run(env
        .kubectl()
        .args(["config", "view", "-o", "json", "--kubeconfig"])
        .arg(&file));
    let view: serde_json::Value = serde_json::from_slice(&view.stdout).expect("json");
    let contexts = view["contexts"].as_array().expect("contexts");
    for i in 0..40 {
        assert!(
            contexts.iter().any(|c| c["name"] == format!("ctx-{i}")),
            "kubectl's context ctx-{i} was lost"
        );
    }
}

#[test]
fn root_keeps_the_owner_group_and_mode_of_what_it_replaces() {
    let env = TestEnv::new();
    let file = env.path("config");
    fs::write(&file, AKS_EXEC).expect("seed");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).expect("chmod");
    let status = Command::new("chown")
        .arg("65534:65534")
        .arg(&file)
        .status()
        .expect("chown");
    assert!(status.success(), "the suite runs as root");
    let output = convert(&env, &file, &["-l", "azurecli"]);
    assert!(output.status.success(), "{}", stderr(&output));
    for path in [file.clone(), backups(&env).pop().expect("a backup")] {
        let meta = fs::metadata(&path).expect("meta");
        assert_eq!(
            (meta.uid(), meta.gid(), meta.mode() & 0o7777),
            (65534, 65534, 0o640),
            "{}",
            path.display()
        );
    }
}

#[test]
fn backups_in_the_same_second_never_overwrite_each_other() {
    let env = TestEnv::new();
    let file = env.path("config");
    fs::write(&file, AKS_EXEC).expect("seed");
    for mode in ["azurecli", "azd", "msi"] {
        assert!(convert(&env, &file, &["-l", mode]).status.success());
    }
    let found = backups(&env);
    assert_eq!(found.len(), 3, "{found:?}");
    let contents: Vec<String> = found
        .iter()
        .map(|p| fs::read_to_string(p).expect("read"))
        .collect();
    assert!(
        contents.iter().any(|c| c == AKS_EXEC),
        "the original is kept"
    );
    // Converting again to the same mode changes nothing: no write, no backup.
    let output = convert(&env, &file, &["-l", "msi"]);
    assert!(
        stderr(&output).contains("unchanged: user"),
        "{}",
        stderr(&output)
    );
    assert_eq!(backups(&env).len(), 3);
}

#[test]
fn a_secret_written_into_kubeconfig_makes_it_private_and_says_so() {
    let env = TestEnv::new();
    let file = env.path("config");
    fs::write(&file, AKS_EXEC).expect("seed");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).expect("chmod");
    let output = convert(
        &env,
        &file,
        &["-l", "spn", "--client-secret", "in-kubeconfig-now"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("now holds a secret in clear: its mode changes from 0644 to 0600"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::metadata(&file).expect("meta").mode() & 0o777, 0o600);
}

#[test]
fn a_list_whose_second_file_cannot_be_written_changes_neither() {
    let env = TestEnv::new();
    let (first, second) = (env.path("a"), env.path("b"));
    fs::write(&first, AKS_EXEC).expect("a");
    // The second file is large: under a small file-size limit its temp file cannot be written
    // (root or not), after the first file's was.
    let mut large = AKS_EXEC
        .replace("clusterUser_rg_aks1", "other")
        .replace("aks1", "aks2");
    for i in 0..300 {
        large.push_str(&format!(
            "- name: padding-{i}\n  user:\n    token: {}\n",
            "x".repeat(64)
        ));
    }
    fs::write(&second, &large).expect("b");
    let before = fs::read_to_string(&second).expect("read");
    let list = format!("{}:{}", first.display(), second.display());
    let output = run(env
        .command("sh")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 16; exec \"$0\" convert-kubeconfig -l azurecli",
        ])
        .arg(aad_bin())
        .env("KUBECONFIG", &list));
    assert_one_line_failure(&output, "no file was changed");
    assert_eq!(fs::read_to_string(&first).expect("read"), AKS_EXEC);
    assert_eq!(fs::read_to_string(&second).expect("read"), before);
    let leftovers: Vec<_> = fs::read_dir(env.dir.path())
        .expect("ls")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staged temp files are removed: {leftovers:?}"
    );
}

#[test]
fn what_is_not_a_kubeconfig_file_is_refused_without_blocking() {
    let env = TestEnv::new();
    let fifo = env.path("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    for path in [fifo.as_path(), std::path::Path::new("/dev/zero")] {
        let output = convert(&env, path, &[]);
        assert_one_line_failure(&output, "is not a regular file");
    }
}
