use super::*;
use crate::env::EnvVars;

fn answer(line: &str, vars: &[(&str, &str)]) -> Answer {
    let vars: EnvVars = vars.iter().copied().collect();
    let env = Env::for_test(vars, Box::new(std::io::sink()), Box::new(std::io::sink()));
    let mut words: Vec<String> = line.split(' ').map(str::to_owned).collect();
    if line.is_empty() {
        words = vec![String::new()];
    }
    complete(crate::cli::command("kubectl-aad"), &words, &env)
}

fn values(line: &str) -> Vec<String> {
    answer(line, &[])
        .candidates
        .into_iter()
        .map(|(v, _)| v)
        .collect()
}

#[test]
fn subcommands_flags_and_modes() {
    let top = values("");
    assert!(top.contains(&"get-token".to_owned()) && top.contains(&"help".to_owned()));
    assert_eq!(values("conv"), ["convert-kubeconfig"]);
    assert_eq!(values("get-token --login dev"), ["devicecode"]);
    assert_eq!(values("get-token -l azu"), ["azurecli", "azurepipelines"]);
    assert_eq!(values("get-token --login=ms"), ["msi"], "the value after =");
    assert_eq!(
        values("convert-kubeconfig --environment AzureC"),
        ["AzureChinaCloud"]
    );
    assert_eq!(values("help who"), ["whoami"]);
    assert_eq!(values("completion f"), ["fish"]);
    assert_eq!(values("get-token --legacy="), ["true", "false"]);
    let flags = values("get-token --pop");
    assert_eq!(flags, ["--pop-enabled", "--pop-claims"]);
    assert!(
        !values("get-token --").contains(&"--logtostderr".to_owned()),
        "hidden flags are not offered"
    );
}

#[test]
fn directives_say_when_file_names_fit() {
    assert_eq!(
        answer("get-token --server-id ", &[]).directive,
        directive::NO_FILE
    );
    assert_eq!(
        answer("convert-kubeconfig --kubeconfig ", &[]).directive,
        directive::DEFAULT
    );
    assert_eq!(
        answer("get-token --cache-dir ", &[]).directive,
        directive::DIRS
    );
    // A value flag consumes the next word, so `spn` is not taken for a subcommand.
    assert_eq!(
        values("get-token --client-id spn --log"),
        ["--login", "--login-hint"]
    );
}

#[test]
fn contexts_come_from_the_kubeconfig_kubectl_would_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("config");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: Config\ncontexts:\n- name: aks-prod\n  context: {cluster: c, user: u1}\n- name: aks-dev\n  context: {cluster: c, user: u2}\n- name: kind\n  context: {cluster: k, user: k}\n",
    )
    .expect("kubeconfig");
    let path = file.to_str().expect("utf8");
    let from_env = answer("login --context aks", &[("KUBECONFIG", path)]);
    assert_eq!(
        from_env.candidates,
        [
            ("aks-prod".to_owned(), "user u1".to_owned()),
            ("aks-dev".to_owned(), "user u2".to_owned())
        ]
    );
    let explicit = answer(&format!("whoami --kubeconfig {path} --context k"), &[]);
    assert_eq!(explicit.candidates.len(), 1);
    let unreadable = answer("whoami --kubeconfig /nonexistent --context ", &[]);
    assert_eq!(
        unreadable,
        Answer {
            candidates: vec![],
            directive: directive::NO_FILE
        }
    );
}

#[test]
fn the_format_is_cobras() {
    let answer = Answer {
        candidates: vec![
            ("devicecode".into(), "device code\nsecond line".into()),
            ("msi".into(), String::new()),
        ],
        directive: directive::NO_FILE,
    };
    assert_eq!(render(&answer, true), "devicecode\tdevice code\nmsi\n:4\n");
    assert_eq!(render(&answer, false), "devicecode\nmsi\n:4\n");
}
