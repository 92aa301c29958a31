//! Replays the fuzzer's seeds and every checked-in regression input (fuzz/seeds, fuzz/regressions)
//! through the same entry points as the fuzz targets, so a fixed crash stays fixed without
//! running the fuzzer. scripts/fuzz.sh runs the fuzzer itself.

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    ["seeds", "regressions"]
        .iter()
        .flat_map(|kind| {
            std::fs::read_dir(root.join(kind).join(target))
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|entry| (entry.path(), std::fs::read(entry.path()).expect("input")))
        .collect()
}

#[test]
fn every_seed_and_regression_input_is_handled_without_a_panic() {
    let mut replayed = 0;
    for (path, data) in inputs("kubeconfig_convert") {
        let text = String::from_utf8_lossy(&data);
        if let Ok(config) = kubectl_aad::kubeconfig::parse(&text) {
            let flags = kubectl_aad::cli::TokenFlags::default();
            let resolved =
                kubectl_aad::settings::resolve_token_options(&flags, &Default::default(), None)
                    .expect("defaults");
            let options = kubectl_aad::kubeconfig::convert::ConvertOptions {
                flags: &flags,
                resolved: &resolved,
                context: None,
                azure_config_dir: None,
                exec_api_version: None,
                exec_command: "kubectl-aad",
            };
            let mut files = vec![config];
            if kubectl_aad::kubeconfig::convert::convert(&mut files, &options).is_ok() {
                kubectl_aad::kubeconfig::render(&files[0], &path).expect("render");
            }
        }
        replayed += 1;
    }
    for (_, data) in inputs("exec_info") {
        let _ =
            kubectl_aad::exec_credential::parse_exec_info(Some(&String::from_utf8_lossy(&data)));
        replayed += 1;
    }
    for (path, data) in inputs("cache_entry") {
        let entry = kubectl_aad::token_cache::parse_entry(&data);
        if path.starts_with(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds")) {
            assert!(entry.is_some(), "the seed entry parses");
        }
        replayed += 1;
    }
    for (_, data) in inputs("token_response") {
        if let Ok(response) = serde_json::from_slice::<kubectl_aad_entra::TokenResponse>(&data) {
            let _ = response.into_token_set();
        }
        let _ = kubectl_aad_entra::aadsts::to_provider_error(400, &data, "e");
        replayed += 1;
    }
    for (_, data) in inputs("jwt_claims") {
        let _ = kubectl_aad::claims::Claims::decode(&String::from_utf8_lossy(&data));
        replayed += 1;
    }
    for (_, data) in inputs("pop_claims") {
        let _ = kubectl_aad::pop::parse_claims(&String::from_utf8_lossy(&data));
        replayed += 1;
    }
    for (_, data) in inputs("certificate") {
        let _ = kubectl_aad_spn::fuzz_parse_certificate(&data, false, "");
        let _ = kubectl_aad_spn::fuzz_parse_certificate(&data, true, "password");
        replayed += 1;
    }
    assert!(
        replayed >= 7,
        "the seed corpus is in place ({replayed} inputs)"
    );
}
