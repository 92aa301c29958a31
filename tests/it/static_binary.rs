//! The static Linux release binary (scripts/build-static.sh): it runs in an empty root holding
//! only itself, `/etc/hosts`, `/etc/resolv.conf` and a CA bundle — no loader, no libc.so, no NSS
//! modules — and reaches the emulator by a host name that only that `/etc/hosts` knows. Outside
//! the chroot it still loads provider libraries.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use entra_emulator::{AKS_SERVER_ID, TEST_HOST_NAME};

use crate::fixture::*;
use crate::util::*;

/// `KUBECTL_AAD_TEST_STATIC_BIN`, which scripts/test.sh builds.
fn static_bin() -> PathBuf {
    let path = std::env::var_os("KUBECTL_AAD_TEST_STATIC_BIN")
        .map(PathBuf::from)
        .expect("KUBECTL_AAD_TEST_STATIC_BIN is not set: run the suite with scripts/test.sh, which builds the static binary");
    assert!(path.exists(), "{} is missing", path.display());
    path
}

/// An empty root with the binary, the name files and the emulator's CA.
fn empty_root(env: &TestEnv, ca: &Path) -> PathBuf {
    let root = env.path("root");
    for dir in ["etc/ssl/certs", "home", "tmp"] {
        fs::create_dir_all(root.join(dir)).expect("dir");
    }
    fs::copy(static_bin(), root.join("kubectl-aad")).expect("binary");
    fs::write(
        root.join("etc/hosts"),
        format!("127.0.0.1 localhost\n127.0.0.1 {TEST_HOST_NAME}\n"),
    )
    .expect("hosts");
    // A name server nobody answers on: every name the test uses is in /etc/hosts.
    fs::write(
        root.join("etc/resolv.conf"),
        "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
    )
    .expect("resolv.conf");
    fs::copy(ca, root.join("etc/ssl/certs/ca-certificates.crt")).expect("ca");
    root
}

/// chroot(8), looked up before the child's environment is cleared.
fn chroot_bin() -> PathBuf {
    let path = std::env::var("PATH").unwrap_or_default();
    path.split(':')
        .chain(["/usr/sbin", "/sbin"])
        .map(|dir| Path::new(dir).join("chroot"))
        .find(|candidate| candidate.is_file())
        .expect("chroot (coreutils) is installed; scripts/test.sh checks it")
}

fn in_root(root: &Path) -> Command {
    let mut command = Command::new(chroot_bin());
    command
        .arg(root)
        .arg("/kubectl-aad")
        .env_clear()
        .env("HOME", "/home")
        .env("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt");
    command
}

#[test]
fn the_static_binary_runs_in_an_empty_root() {
    let cluster = Cluster::start();
    let root = empty_root(&cluster.env, &cluster.ca_file);
    let entries: Vec<_> = fs::read_dir(&root)
        .expect("ls")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        entries.len(),
        4,
        "nothing but the binary, etc, home and tmp: {entries:?}"
    );

    let output = run(in_root(&root).arg("version"));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("kubectl-aad version v"));
    let output = run(in_root(&root).arg("providers"));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output).matches("built in").count(),
        9,
        "{}",
        stdout(&output)
    );

    fs::write(root.join("home/config"), crate::convert::AKS_EXEC).expect("kubeconfig");
    let output = run(in_root(&root).args([
        "convert-kubeconfig",
        "--kubeconfig",
        "/home/config",
        "-l",
        "spn",
    ]));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        fs::read_to_string(root.join("home/config"))
            .expect("read")
            .contains("- spn")
    );

    let port = cluster
        .emulator
        .url()
        .rsplit(':')
        .next()
        .expect("port")
        .to_owned();
    let authority = format!("https://{TEST_HOST_NAME}:{port}/");
    let get_token = || {
        let mut command = in_root(&root);
        command
            .args(["get-token", "-l", "spn", "--server-id", AKS_SERVER_ID])
            .args(["--client-id", SECRET_APP, "--tenant-id", TENANT])
            .args(["--authority-host", &authority, "--cache-dir", "/home/cache"])
            .env("AZURE_CLIENT_SECRET", CLIENT_SECRET);
        command
    };
    for _ in 0..2 {
        let credential = exec_credential(&run(&mut get_token()));
        assert_eq!(claims_of(&token_of(&credential))["oid"], SECRET_APP_OID);
    }
    let token_requests = cluster
        .emulator
        .requests()
        .iter()
        .filter(|r| r.grant_type.is_some())
        .count();
    assert_eq!(
        token_requests, 1,
        "the host name resolved, and the second call was a cache hit"
    );
    // The entry was sealed under a data key named for the folder as the chroot saw it, which
    // the home folder's clean-up cannot find by the host's paths.
    forget_data_key(std::path::Path::new("/home/cache"));
}

#[test]
fn the_static_binary_still_loads_provider_libraries() {
    let cluster = Cluster::start();
    let library = std::env::var_os("KUBECTL_AAD_TEST_TOKENFILE_LIB")
        .map(PathBuf::from)
        .expect("KUBECTL_AAD_TEST_TOKENFILE_LIB is set by scripts/test.sh");
    let dir = cluster.env.path("providers");
    fs::create_dir(&dir).expect("dir");
    fs::copy(&library, dir.join("tokenfile.so")).expect("copy");
    // An agent keeps a cluster token in a file; here it is a service principal's token.
    let agent_token = token_of(&exec_credential(&run(cluster
        .get_token(&["-l", "spn", "--client-id", SECRET_APP])
        .env("AZURE_CLIENT_SECRET", CLIENT_SECRET))));
    let token_file = cluster.env.path("aks-token");
    fs::write(&token_file, &agent_token).expect("token file");
    let output = run(cluster
        .env
        .command(static_bin())
        .args(["get-token", "-l", "tokenfile", "--server-id", AKS_SERVER_ID])
        .arg("--providers-dir")
        .arg(&dir)
        .arg("--provider-option")
        .arg(format!("path={}", token_file.display()))
        .arg("--cache-dir")
        .arg(cluster.env.path("static-cache")));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(token_of(&exec_credential(&output)), agent_token);
}
