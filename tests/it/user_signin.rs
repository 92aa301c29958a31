//! The user sign-in flows end to end: device code (played by a helper on the emulator's
//! verification page), ROPC (flags, and a hidden prompt on a pseudo-terminal), the browser flow
//! (through `login`, and the non-interactive contract), refresh and revocation, and parallel
//! kubectl processes sharing one sign-in.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use entra_emulator::{AKS_CLIENT_ID, AKS_SERVER_ID};

use crate::fixture::*;
use crate::util::*;

/// The claims of the token in an ExecCredential printed on stdout.
fn credential_claims(credential_json: &str) -> serde_json::Value {
    let credential: serde_json::Value =
        serde_json::from_str(credential_json).expect("one JSON document");
    claims_of(&token_of(&credential))
}

/// Spawns a command with piped output, plays the device code user as soon as the message
/// appears on stderr, and returns the finished output.
pub(crate) fn with_device_code_user(
    cluster: &Cluster,
    command: &mut Command,
    username: &str,
    password: &str,
) -> (std::process::Output, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let (lines_tx, lines_rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut seen = String::new();
    let mut played = false;
    while let Ok(line) = lines_rx.recv_timeout(Duration::from_secs(60)) {
        seen.push_str(&line);
        seen.push('\n');
        if !played && line.contains("enter the code") {
            cluster.complete_device_code(&line, username, password);
            played = true;
        }
    }
    let output = child.wait_with_output().expect("wait");
    let _ = reader.join();
    assert!(played, "no device code message appeared on stderr: {seen}");
    (output, seen)
}

/// The screen of a command run under `script` (a pseudo-terminal), read on a thread so a test can
/// wait for a prompt and then type, as a person would.
struct Terminal {
    screen: String,
    chunks: mpsc::Receiver<String>,
    reader: std::thread::JoinHandle<()>,
}

impl Terminal {
    fn attach(child: &mut std::process::Child) -> Terminal {
        let mut output = child.stdout.take().expect("stdout");
        let (tx, chunks) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            use std::io::Read as _;
            let mut buffer = [0u8; 4096];
            while let Ok(n) = output.read(&mut buffer) {
                if n == 0
                    || tx
                        .send(String::from_utf8_lossy(&buffer[..n]).into_owned())
                        .is_err()
                {
                    break;
                }
            }
        });
        Terminal {
            screen: String::new(),
            chunks,
            reader,
        }
    }

    /// Waits (up to a minute) until `text` is on the screen; returns the screen so far.
    fn wait_for(&mut self, text: &str, what: &str) -> &str {
        while !self.screen.contains(text) {
            self.screen.push_str(
                &self
                    .chunks
                    .recv_timeout(Duration::from_secs(60))
                    .expect(what),
            );
        }
        &self.screen
    }

    fn type_line(&self, child: &mut std::process::Child, line: &str) {
        use std::io::Write as _;
        child
            .stdin
            .as_mut()
            .expect("stdin")
            .write_all(format!("{line}\r").as_bytes())
            .expect("type");
    }

    /// The whole screen, once the command has ended.
    fn finish(mut self) -> String {
        let _ = self.reader.join();
        self.screen.extend(self.chunks.try_iter());
        self.screen
    }
}

fn successful_token_requests(cluster: &Cluster) -> usize {
    cluster
        .emulator
        .requests()
        .iter()
        .filter(|r| r.grant_type.is_some() && r.status == 200)
        .count()
}

#[test]
fn device_code_through_kubectl_then_silent() {
    let cluster = Cluster::start();
    cluster.kubeconfig_for(&[]);
    let (output, stderr_text) = with_device_code_user(
        &cluster,
        cluster.kubectl().args(["get", "namespaces"]),
        ALICE,
        ALICE_PASSWORD,
    );
    assert!(output.status.success(), "{stderr_text}");
    assert!(stdout(&output).contains("kube-system"));
    assert!(
        stderr_text.contains("/devicelogin"),
        "the message names the verification page: {stderr_text}"
    );
    let output = run(cluster.kubectl().args(["auth", "whoami", "-o", "json"]));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains(ALICE) && stdout(&output).contains("aks-admins"));
    assert_eq!(
        cluster.emulator.sign_ins(),
        vec![ALICE.to_owned()],
        "one sign-in, then the cache"
    );
    assert_eq!(successful_token_requests(&cluster), 1);
}

/// Two people on one machine sharing a kubeconfig pattern: `--login-hint` gives each their own
/// cache entry, and a sign-in as anyone but the hinted user is refused and not cached.
#[test]
fn device_code_login_hints_keep_users_apart() {
    let cluster = Cluster::start();
    let device_code = |hint: &str| {
        let mut command = cluster.get_token(&["--client-id", AKS_CLIENT_ID, "--login-hint", hint]);
        command.env("KUBERNETES_EXEC_INFO", r#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}"#);
        command
    };
    let (output, seen) =
        with_device_code_user(&cluster, &mut device_code(ALICE), ALICE, ALICE_PASSWORD);
    assert!(output.status.success(), "{seen}");
    let (output, seen) = with_device_code_user(&cluster, &mut device_code(BOB), BOB, BOB_PASSWORD);
    assert!(output.status.success(), "{seen}");
    for (hint, user) in [(ALICE, ALICE), (BOB, BOB)] {
        let credential = exec_credential(&run(&mut device_code(hint)));
        assert_eq!(
            claims_of(&token_of(&credential))["upn"],
            user,
            "a cache hit, per user"
        );
    }
    assert_eq!(
        cluster.emulator.sign_ins(),
        vec![ALICE.to_owned(), BOB.to_owned()]
    );

    let (output, seen) = with_device_code_user(
        &cluster,
        &mut device_code("carol@contoso.test"),
        ALICE,
        ALICE_PASSWORD,
    );
    assert!(!output.status.success());
    assert!(
        seen.contains(&format!(
            "error: signed in as {ALICE}, but --login-hint is carol@contoso.test"
        )),
        "{seen}"
    );
    assert!(output.stdout.is_empty(), "nothing on stdout");
}

/// kubectl with no terminal on stderr (a script, a TUI): nobody sees the code, so the flow waits
/// only `--timeout`, then names the command that shows it to a person.
#[test]
fn an_unattended_device_code_waits_only_the_timeout() {
    let cluster = Cluster::start();
    let started = std::time::Instant::now();
    let output = run(cluster
        .get_token(&["--client-id", AKS_CLIENT_ID, "--timeout", "2s"])
        .stdin(Stdio::null()));
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "not the code's 15 minutes"
    );
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("enter the code") && err.lines().last().is_some_and(|l| l.starts_with(
            "error: nobody entered the device code within 2s, and this run has no terminal to show it on; run `kubectl-aad login -l devicecode"
        )),
        "{err}"
    );
    assert!(cluster.emulator.sign_ins().is_empty());
}

#[test]
fn legacy_device_code_gets_the_spn_audience_and_is_cached() {
    let cluster = Cluster::start();
    let args = ["-l", "devicecode", "--client-id", AKS_CLIENT_ID, "--legacy"];
    let (output, seen) = with_device_code_user(
        &cluster,
        &mut cluster.get_token(&args),
        ALICE,
        ALICE_PASSWORD,
    );
    assert!(output.status.success(), "{seen}");
    assert_eq!(
        credential_claims(&stdout(&output))["aud"],
        format!("spn:{AKS_SERVER_ID}")
    );
    assert!(
        cluster
            .emulator
            .requests()
            .iter()
            .any(|r| r.path == format!("/{TENANT}/oauth2/devicecode")),
        "the v1 device endpoint"
    );
    let again = run(&mut cluster.get_token(&args));
    assert!(
        again.status.success() && again.stderr.is_empty(),
        "served from the cache (kubelogin's #640): {}",
        stderr(&again)
    );
}

#[test]
fn sixteen_parallel_kubectl_processes_share_one_sign_in() {
    let cluster = Cluster::start();
    cluster.kubeconfig_for(&[]);
    let children: Vec<_> = (0..16)
        .map(|_| {
            cluster
                .kubectl()
                .args(["get", "--raw", "/version"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    // Exactly one process (the lock holder) shows a code; play it.
    let start = std::time::Instant::now();
    let mut played = false;
    let mut handles = vec![];
    for mut child in children {
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        handles.push((child, rx));
    }
    let mut codes_shown = 0;
    while !played && start.elapsed() < Duration::from_secs(60) {
        for (_, rx) in &handles {
            while let Ok(line) = rx.try_recv() {
                if line.contains("enter the code") {
                    codes_shown += 1;
                    if !played {
                        cluster.complete_device_code(&line, ALICE, ALICE_PASSWORD);
                        played = true;
                    }
                }
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(played, "no process showed a device code");
    for (child, rx) in handles {
        let output = child.wait_with_output().expect("wait");
        codes_shown += rx
            .try_iter()
            .filter(|l| l.contains("enter the code"))
            .count();
        assert!(output.status.success(), "{}", stdout(&output));
    }
    assert_eq!(codes_shown, 1, "one prompt for sixteen processes");
    assert_eq!(cluster.emulator.sign_ins().len(), 1);
    assert_eq!(successful_token_requests(&cluster), 1);
}

#[test]
fn ropc_good_and_bad_passwords() {
    let cluster = Cluster::start();
    let output = run(cluster
        .get_token(&[
            "-l",
            "ropc",
            "--client-id",
            AKS_CLIENT_ID,
            "--username",
            ALICE,
        ])
        .env("AZURE_PASSWORD", ALICE_PASSWORD));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(credential_claims(&stdout(&output))["upn"], ALICE);
    assert_no_secret(&output, &[ALICE_PASSWORD]);
    for verbosity in ["0", "10"] {
        let output = run(cluster
            .get_token(&[
                "-l",
                "ropc",
                "--client-id",
                AKS_CLIENT_ID,
                "--username",
                BOB,
                "-v",
                verbosity,
            ])
            .env("AZURE_PASSWORD", "wrong-password-xyz"));
        assert!(!output.status.success() && output.stdout.is_empty());
        assert!(
            stderr(&output).lines().last().is_some_and(
                |l| l.contains("AADSTS50126") && l.contains("check --username and --password")
            ),
            "{}",
            stderr(&output)
        );
        if verbosity == "0" {
            assert_one_line_failure(&output, "AADSTS50126");
        }
        assert_no_secret(&output, &["wrong-password-xyz"]);
    }
    // No password and no terminal: one line, no prompt.
    let output = run(&mut cluster.get_token(&[
        "-l",
        "ropc",
        "--client-id",
        AKS_CLIENT_ID,
        "--username",
        BOB,
    ]));
    assert_one_line_failure(&output, "password cannot be empty");
}

#[test]
fn ropc_prompts_on_a_terminal_with_hidden_input() {
    let cluster = Cluster::start();
    let command_line = format!(
        "{} get-token -l ropc --server-id {AKS_SERVER_ID} --tenant-id {TENANT} --client-id {AKS_CLIENT_ID} --username {BOB} --authority-host {} --cache-dir {}",
        aad_bin().display(),
        cluster.emulator.authority_host(),
        cluster.cache_dir.display()
    );
    // `script` gives the command a pseudo-terminal; the password is typed into it.
    let mut child = Command::new("script")
        .args(["-qec", &command_line, "/dev/null"])
        .env("SSL_CERT_FILE", &cluster.ca_file)
        .env("HOME", cluster.env.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script");
    // Type only once the prompt is on the screen, as a person would.
    let mut terminal = Terminal::attach(&mut child);
    terminal.wait_for("Password for", "the password prompt appears");
    // The prompt switches the terminal to no-echo mode just after it is printed. A person reads
    // the prompt before typing: so do we, or the terminal could still echo (or discard) the line.
    // If a line is lost anyway, a person would type it again, and so do we.
    std::thread::sleep(Duration::from_millis(500));
    let mut status = None;
    for _ in 0..10 {
        terminal.type_line(&mut child, BOB_PASSWORD);
        let deadline = std::time::Instant::now() + Duration::from_secs(3);
        while status.is_none() && std::time::Instant::now() < deadline {
            status = child.try_wait().expect("try_wait");
            std::thread::sleep(Duration::from_millis(50));
        }
        if status.is_some() {
            break;
        }
    }
    let status = status.expect("the password was accepted");
    let screen = terminal.finish();
    let output = std::process::Output {
        status,
        stdout: screen.into_bytes(),
        stderr: vec![],
    };
    let screen = stdout(&output);
    assert!(output.status.success(), "{screen}");
    assert!(
        screen.contains(&format!("Password for {BOB}")),
        "the prompt is shown: {screen}"
    );
    assert!(screen.contains("\"kind\":\"ExecCredential\""), "{screen}");
    assert!(
        !screen.contains(BOB_PASSWORD),
        "the password is never echoed: {screen}"
    );
}

#[test]
fn the_browser_flow_needs_a_person_and_login_provides_one() {
    let cluster = Cluster::start();
    cluster.kubeconfig_for(&["-l", "interactive", "--login-hint", ALICE]);
    let browser_log = cluster.env.path("browser.log");
    let browser = cluster.helper("emulator-browser");
    let env = |command: &mut Command| {
        command
            .env("BROWSER", &browser)
            .env("EMULATOR_BROWSER_LOG", &browser_log)
            .env("EMULATOR_BROWSER_USER", ALICE)
            .env("EMULATOR_BROWSER_PASSWORD", ALICE_PASSWORD);
    };
    // kubectl without a terminal: no browser, no port, one line naming the login command.
    let mut kubectl = cluster.kubectl();
    kubectl.args(["get", "--raw", "/version"]);
    env(&mut kubectl);
    let output = run(&mut kubectl);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("kubectl-aad login -l interactive")
            && err.contains(&format!("--login-hint {ALICE}")),
        "{err}"
    );
    assert!(!browser_log.exists(), "no browser was started");
    assert!(
        !cluster
            .emulator
            .requests()
            .iter()
            .any(|r| r.path.contains("authorize"))
    );

    // `login --context` opens the browser (the helper plays the user) and fills the cache.
    let mut login = cluster.env.aad();
    login
        .args(["login", "--context", "aks"])
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("SSL_CERT_FILE", &cluster.ca_file);
    env(&mut login);
    let output = run(&mut login);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "login prints nothing on stdout");
    assert!(
        stderr(&output).contains(&format!("signed in as {ALICE}")),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(&browser_log)
            .expect("log")
            .lines()
            .count(),
        1
    );

    // Now kubectl works without a terminal, from the cache.
    let output = run(&mut kubectl);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        cluster
            .api
            .requests()
            .iter()
            .any(|r| r.username.as_deref() == Some(ALICE))
    );
}

/// `--redirect-url http://[::1]:PORT/` is listened on where it says, and an opener that fails
/// is reported with the URL, which a person can then open by hand and still finish.
#[test]
fn the_browser_flow_listens_where_the_redirect_url_says_and_survives_a_failed_opener() {
    let cluster = Cluster::start();
    let port = std::net::TcpListener::bind("[::1]:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("IPv6 loopback");
    let redirect = format!("http://[::1]:{port}/");
    let login = |browser_command: &str| {
        let mut command = cluster.env.aad();
        command
            .args(["login", "-l", "interactive", "--server-id", AKS_SERVER_ID])
            .args(["--client-id", AKS_CLIENT_ID, "--tenant-id", TENANT])
            .args(["--authority-host", &cluster.emulator.authority_host()])
            .args([
                "--redirect-url",
                &redirect,
                "--browser-command",
                browser_command,
            ])
            .arg("--cache-dir")
            .arg(&cluster.cache_dir)
            .env("SSL_CERT_FILE", &cluster.ca_file)
            .env("EMULATOR_BROWSER_USER", ALICE)
            .env("EMULATOR_BROWSER_PASSWORD", ALICE_PASSWORD);
        command
    };
    let browser = cluster.helper("emulator-browser");
    let output = run(&mut login(browser.to_str().expect("utf8")));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains(&format!("signed in as {ALICE}")));

    run(cluster
        .env
        .aad()
        .args(["remove-tokens", "--cache-dir"])
        .arg(&cluster.cache_dir));
    let mut child = login("/bin/false")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut seen = String::new();
    let url = loop {
        let line = lines.next().expect("the URL is printed").expect("utf8");
        seen.push_str(&line);
        seen.push('\n');
        if line.starts_with("https://") {
            break line;
        }
    };
    assert!(
        seen.contains("Could not open a browser: the browser command \"/bin/false\" failed"),
        "{seen}"
    );
    // The person opens the printed URL themselves.
    let played = run(cluster
        .env
        .command(&browser)
        .arg(&url)
        .env("SSL_CERT_FILE", &cluster.ca_file)
        .env("EMULATOR_BROWSER_USER", ALICE)
        .env("EMULATOR_BROWSER_PASSWORD", ALICE_PASSWORD));
    assert!(played.status.success(), "{}", stderr(&played));
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().expect("wait").success(), "{seen}{rest:?}");
}

#[test]
fn refresh_is_silent_and_a_revoked_session_signs_in_again_only_when_allowed() {
    let cluster = Cluster::start();
    let ropc = [
        "-l",
        "ropc",
        "--client-id",
        AKS_CLIENT_ID,
        "--username",
        ALICE,
    ];
    let get = |extra: &[&str]| {
        let mut args = ropc.to_vec();
        args.extend_from_slice(extra);
        run(cluster
            .get_token(&args)
            .env("AZURE_PASSWORD", ALICE_PASSWORD))
    };
    assert!(get(&[]).status.success());
    let refreshed = get(&["--force-refresh"]);
    assert!(refreshed.status.success(), "{}", stderr(&refreshed));
    assert_eq!(
        cluster.emulator.sign_ins().len(),
        1,
        "the refresh token was redeemed silently"
    );
    assert!(
        cluster
            .emulator
            .requests()
            .iter()
            .any(|r| r.grant_type.as_deref() == Some("refresh_token") && r.status == 200)
    );

    cluster.emulator.revoke_refresh_tokens();
    let after_revoke = get(&["--force-refresh"]);
    assert!(after_revoke.status.success(), "{}", stderr(&after_revoke));
    assert_eq!(
        cluster.emulator.sign_ins().len(),
        2,
        "invalid_grant dropped the refresh token and signed in again"
    );

    // Interactive mode, not interactive: a revoked session is one line pointing at login.
    let browser = cluster.helper("emulator-browser");
    let interactive = ["-l", "interactive", "--client-id", AKS_CLIENT_ID];
    let output = run(cluster
        .env
        .aad()
        .args([
            "login",
            "--server-id",
            AKS_SERVER_ID,
            "--tenant-id",
            TENANT,
            "--authority-host",
            &cluster.emulator.authority_host(),
            "--cache-dir",
        ])
        .arg(&cluster.cache_dir)
        .args(interactive)
        .env("SSL_CERT_FILE", &cluster.ca_file)
        .env("BROWSER", &browser)
        .env("EMULATOR_BROWSER_USER", ALICE)
        .env("EMULATOR_BROWSER_PASSWORD", ALICE_PASSWORD));
    assert!(output.status.success(), "{}", stderr(&output));
    cluster.emulator.revoke_refresh_tokens();
    let info = r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#;
    let output = run(cluster
        .get_token(&interactive)
        .arg("--force-refresh")
        .env("KUBERNETES_EXEC_INFO", info)
        .env("BROWSER", &browser));
    assert_one_line_failure(&output, "kubectl-aad login -l interactive");
}

#[test]
fn whoami_warns_about_a_groups_overage() {
    let cluster = Cluster::start();
    let output = run(cluster
        .env
        .aad()
        .args([
            "whoami",
            "-l",
            "ropc",
            "--server-id",
            AKS_SERVER_ID,
            "--tenant-id",
            TENANT,
            "--client-id",
            AKS_CLIENT_ID,
            "--username",
            BOB,
            "--authority-host",
            &cluster.emulator.authority_host(),
            "--cache-dir",
        ])
        .arg(&cluster.cache_dir)
        .env("SSL_CERT_FILE", &cluster.ca_file)
        .env("AZURE_PASSWORD", BOB_PASSWORD));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("groups:    overage"),
        "{}",
        stdout(&output)
    );
    assert!(stderr(&output).contains("more than 200 groups"));
}

#[test]
fn device_code_on_a_terminal_opens_the_verification_page() {
    let cluster = Cluster::start();
    let log = cluster.env.path("opened.log");
    let browser = cluster.env.path("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\necho \"$1\" >> {}\n", log.display()),
    )
    .expect("browser script");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let command_line = format!(
        "{} get-token --server-id {AKS_SERVER_ID} --tenant-id {TENANT} --client-id {AKS_CLIENT_ID} --authority-host {} --cache-dir {}",
        aad_bin().display(),
        cluster.emulator.authority_host(),
        cluster.cache_dir.display()
    );
    let mut child = Command::new("script")
        .args(["-qec", &command_line, "/dev/null"])
        .env("SSL_CERT_FILE", &cluster.ca_file)
        .env("HOME", cluster.env.dir.path())
        .env("BROWSER", &browser)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script");
    let mut terminal = Terminal::attach(&mut child);
    let screen = terminal
        .wait_for("enter the code there", "the device code message")
        .to_owned();
    let message = screen
        .lines()
        .find(|l| l.contains("enter the code ") && !l.contains("there"))
        .expect("message line")
        .to_owned();
    cluster.complete_device_code(&message, ALICE, ALICE_PASSWORD);
    let status = child.wait().expect("wait");
    let screen = terminal.finish();
    assert!(status.success(), "{screen}");
    assert!(screen.contains("\"kind\":\"ExecCredential\""), "{screen}");
    let opened = std::fs::read_to_string(&log).expect("the browser was started");
    assert_eq!(
        opened.trim(),
        format!("{}/devicelogin", cluster.emulator.url())
    );

    // Not interactive (no terminal): the code is printed and nobody's browser is started.
    std::fs::remove_file(&log).expect("rm");
    let mut quiet = cluster.get_token(&["--client-id", AKS_CLIENT_ID, "--cache-dir"]);
    quiet
        .arg(cluster.env.path("other-cache"))
        .env("BROWSER", &browser);
    let (output, seen) = with_device_code_user(&cluster, &mut quiet, ALICE, ALICE_PASSWORD);
    assert!(output.status.success(), "{seen}");
    assert!(!log.exists(), "no browser for a non-interactive run");
}
