//! The interactive flow in a real browser: kubectl runs kubectl-aad through a converted
//! kubeconfig, kubectl-aad opens headless Chromium (driven through chromedriver by the
//! `webdriver-browser` helper), the emulator's sign-in page is completed in it, and the API
//! server sees the user. Needs Debian's `chromium` and `chromium-driver` (.ci/run installs them).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::fixture::*;
use crate::util::*;

/// A chromedriver on a free loopback port, stopped on drop.
struct Chromedriver {
    child: Child,
    url: String,
}

impl Chromedriver {
    fn start() -> Chromedriver {
        let binary = std::env::var_os("KUBECTL_AAD_TEST_CHROMEDRIVER")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| "/usr/bin/chromedriver".into());
        assert!(
            binary.exists(),
            "chromedriver is not installed at {}: run the suite with scripts/test.sh, which installs chromium and chromium-driver",
            binary.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        // Its own process group: Chromium's processes are its children, ended together.
        let child = std::os::unix::process::CommandExt::process_group(
            Command::new(binary)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
            0,
        )
        .spawn()
        .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start listening"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Chromedriver { child, url }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The whole group: chromedriver and any Chromium process it started.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether a process whose command line mentions `needle` is still running.
fn running(needle: &str) -> bool {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .any(|cmdline| String::from_utf8_lossy(&cmdline).contains(needle))
}

#[test]
fn interactive_sign_in_in_headless_chromium_launched_by_kubectl() {
    let cluster = Cluster::start();
    cluster.kubeconfig_for(&["-l", "interactive"]);
    let driver = Chromedriver::start();
    let profile = cluster.env.path("chromium-profile");
    let done = cluster.env.path("browser-done");
    let command_line = format!("{} get namespaces -o name", kubectl_bin().display());
    // `script` gives kubectl a terminal, so `interactiveMode: IfAvailable` makes the run interactive.
    let output = Command::new("script")
        .args(["-qec", &command_line, "/dev/null"])
        .env_clear()
        .env("PATH", path_with_our_binary())
        .env("HOME", cluster.env.dir.path())
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("SSL_CERT_FILE", &cluster.ca_file)
        .env("BROWSER", cluster.helper("webdriver-browser"))
        .env("CHROMEDRIVER_URL", &driver.url)
        .env("WEBDRIVER_BROWSER_PROFILE", &profile)
        .env("WEBDRIVER_BROWSER_DONE", &done)
        .env("EMULATOR_BROWSER_USER", ALICE)
        .env("EMULATOR_BROWSER_PASSWORD", ALICE_PASSWORD)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("script runs kubectl");
    let screen = stdout(&output);
    assert!(output.status.success(), "{screen}{}", stderr(&output));
    assert!(screen.contains("namespace/kube-system"), "{screen}");
    assert!(
        screen.contains("Opened the browser for sign-in"),
        "the plugin said what it did: {screen}"
    );
    assert!(!screen.contains(ALICE_PASSWORD));
    assert_eq!(cluster.emulator.sign_ins(), vec![ALICE.to_owned()]);
    assert!(
        cluster
            .emulator
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/oauth2/v2.0/consent")),
        "the consent page was submitted by the browser"
    );
    assert!(
        cluster
            .api
            .requests()
            .iter()
            .any(|r| r.username.as_deref() == Some(ALICE))
    );
    // Nothing outlives the test: the helper ended its session, then chromedriver's group goes.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done.exists() {
        assert!(
            Instant::now() < deadline,
            "the browser helper never finished"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(driver);
    let deadline = Instant::now() + Duration::from_secs(10);
    while running(&profile.display().to_string()) {
        assert!(
            Instant::now() < deadline,
            "a Chromium process outlived the test"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!profile.exists(), "the browser profile is removed");
}
