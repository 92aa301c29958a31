//! Shell completion, asked the way each shell and kubectl ask: `kubectl __complete aad …`
//! through a `kubectl_complete-aad` symlink (kubectl ≥ 1.26), bash's `complete -F` function,
//! fish's `complete -C`, zsh's function with compadd captured, and the static scripts.

use std::path::Path;

use crate::util::*;

const KUBECONFIG: &str = "apiVersion: v1\nkind: Config\ncurrent-context: aks-prod\ncontexts:\n- name: aks-prod\n  context: {cluster: c, user: prod-user}\n- name: aks-dev\n  context: {cluster: c, user: dev-user}\n- name: kind\n  context: {cluster: k, user: k}\n";

/// A PATH directory holding `kubectl-aad` and the completion symlink kubectl looks for.
fn plugin_dir(env: &TestEnv) -> std::path::PathBuf {
    let dir = env.path("bin");
    std::fs::create_dir(&dir).expect("bin");
    for name in ["kubectl-aad", "kubectl_complete-aad"] {
        std::os::unix::fs::symlink(aad_bin(), dir.join(name)).expect("symlink");
    }
    dir
}

fn path_with(dir: &Path) -> String {
    format!("{}:{}", dir.display(), path_with_our_binary())
}

#[test]
fn kubectl_completes_the_plugin_through_kubectl_complete_aad() {
    let env = TestEnv::new();
    let dir = plugin_dir(&env);
    std::fs::write(env.path("config"), KUBECONFIG).expect("kubeconfig");
    let ask = |words: &[&str]| {
        let output = run(env
            .kubectl()
            .arg("__complete")
            .args(words)
            .env("PATH", path_with(&dir))
            .env("KUBECONFIG", env.path("config")));
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    let contexts = ask(&["aad", "login", "--context", "aks"]);
    assert_eq!(
        contexts,
        "aks-prod\tuser prod-user\naks-dev\tuser dev-user\n:4\n"
    );
    let modes = ask(&["aad", "get-token", "--login", "a"]);
    assert!(
        modes.starts_with("azurecli\t") && modes.contains("\nazd\t") && modes.ends_with(":4\n"),
        "{modes}"
    );
    let subcommands = ask(&["aad", "conv"]);
    assert!(
        subcommands.starts_with("convert-kubeconfig\t"),
        "{subcommands}"
    );
}

#[test]
fn bash_completes_modes_clouds_and_contexts() {
    let env = TestEnv::new();
    std::fs::write(env.path("config"), KUBECONFIG).expect("kubeconfig");
    let complete = |line: &str| {
        let script = format!(
            r#"source <(kubectl-aad completion bash)
COMP_LINE={line:?}; COMP_POINT=${{#COMP_LINE}}
read -ra COMP_WORDS <<< "$COMP_LINE"; COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
_kubectl_aad
printf '%s\n' "${{COMPREPLY[@]}}""#
        );
        let output = run(env
            .command("bash")
            .args(["-c", &script])
            .env("KUBECONFIG", env.path("config")));
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    assert_eq!(
        complete("kubectl-aad get-token --login dev"),
        "devicecode\n"
    );
    assert_eq!(
        complete("kubectl-aad get-token --login=inter"),
        "interactive\n"
    );
    assert_eq!(
        complete("kubectl-aad get-token -e AzureUS"),
        "AzureUSGovernmentCloud\n"
    );
    assert_eq!(complete("kubectl-aad whoami --context aks-d"), "aks-dev\n");
    assert_eq!(
        complete("kubectl-aad get-token --server-id x"),
        "\n",
        "no file names for an id"
    );
}

#[test]
fn fish_completes_with_descriptions_and_without() {
    let env = TestEnv::new();
    std::fs::write(env.path("config"), KUBECONFIG).expect("kubeconfig");
    let complete = |line: &str, flags: &str| {
        let script = format!("kubectl-aad completion fish {flags} | source; complete -C {line:?}");
        let output = run(env
            .command("fish")
            .args(["--no-config", "-c", &script])
            .env("KUBECONFIG", env.path("config")));
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    assert_eq!(
        complete("kubectl-aad login --context aks-p", ""),
        "aks-prod\tuser prod-user\n"
    );
    let with_flag = complete("kubectl-aad get-token --login=ms", "");
    assert!(
        with_flag.starts_with("--login=msi\tmanaged identity") && with_flag.lines().count() == 1,
        "fish completes the whole token: {with_flag}"
    );
    assert_eq!(
        complete("kubectl-aad get-token --login ms", "--no-descriptions"),
        "msi\n"
    );
}

#[test]
fn zsh_offers_the_candidates_with_descriptions() {
    let env = TestEnv::new();
    std::fs::write(env.path("config"), KUBECONFIG).expect("kubeconfig");
    // compadd is captured: the values and the display strings it was given.
    let script = r#"compdef() { :; }
compset() { :; }
compadd() { local d=${@[(i)-d]}; print -rl -- "${(@P)${@[-1]}}" -- "${(@P)${@[d+1]}}"; }
source <(kubectl-aad completion zsh)
words=(kubectl-aad whoami --context aks); CURRENT=4
_kubectl_aad"#;
    let output = run(env
        .command("zsh")
        .args(["-f", "-c", script])
        .env("KUBECONFIG", env.path("config")));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "aks-prod\naks-dev\n--\naks-prod  -- user prod-user\naks-dev  -- user dev-user\n"
    );
}

#[test]
fn static_scripts_for_powershell_and_elvish_and_unknown_shells() {
    let env = TestEnv::new();
    for shell in ["powershell", "elvish"] {
        let output = run(env.aad().args(["completion", shell]));
        assert!(output.status.success(), "{shell}");
        let script = stdout(&output);
        assert!(
            script.contains("get-token") && script.contains("devicecode"),
            "{shell}: subcommands and modes"
        );
    }
    let output = run(env.aad().args(["completion", "tcsh"]));
    assert_eq!(output.status.code(), Some(2));
    assert_one_line_failure(&output, "tcsh");
}

#[test]
fn kubelogin_answers_cobras_request_too() {
    let env = TestEnv::new();
    let dir = env.path("bin");
    std::fs::create_dir(&dir).expect("bin");
    std::os::unix::fs::symlink(aad_bin(), dir.join("kubelogin")).expect("symlink");
    let output = run(env.command(dir.join("kubelogin")).args([
        "__completeNoDesc",
        "convert-kubeconfig",
        "-l",
        "sp",
    ]));
    assert_eq!(stdout(&output), "spn\n:4\n");
    let script = run(env
        .command(dir.join("kubelogin"))
        .args(["completion", "bash"]));
    assert!(
        stdout(&script).contains("complete -o filenames -F _kubelogin kubelogin"),
        "the script completes the name it was generated by"
    );
}
