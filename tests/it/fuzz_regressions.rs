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
    for (_, data) in inputs("kubeconfig_convert") {
        let text = String::from_utf8_lossy(&data);
        // Refusals are expected; a panic or an unrenderable result fails the test.
        for login in [None, Some("spn")] {
            let outcome = kubectl_aad::fuzzing::convert_kubeconfig(&text, login);
            assert!(
                !matches!(
                    outcome,
                    Err(kubectl_aad::fuzzing::ConvertOutcome::RenderFailed(_))
                ),
                "{outcome:?}"
            );
        }
        replayed += 1;
    }
    for (_, data) in inputs("exec_info") {
        let _ = kubectl_aad::fuzzing::exec_info(&String::from_utf8_lossy(&data));
        replayed += 1;
    }
    for (path, data) in inputs("cache_entry") {
        let parsed = kubectl_aad::fuzzing::cache_entry(&data);
        if path.starts_with(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds")) {
            assert!(parsed, "the seed entry parses");
        }
        replayed += 1;
    }
    for (_, data) in inputs("token_response") {
        if let Ok(response) = serde_json::from_slice::<kubectl_aad_entra::TokenResponse>(&data) {
            let _ = response.into_token_set(1_800_000_000);
        }
        let _ = kubectl_aad_entra::aadsts::to_provider_error(
            400,
            &data,
            "e",
            kubectl_aad_entra::aadsts::Grant::Refresh,
        );
        replayed += 1;
    }
    for (_, data) in inputs("jwt_claims") {
        let _ = kubectl_aad_entra::jwt::Claims::decode(&String::from_utf8_lossy(&data));
        replayed += 1;
    }
    for (_, data) in inputs("pop_claims") {
        let _ = kubectl_aad::fuzzing::pop_claims(&String::from_utf8_lossy(&data));
        replayed += 1;
    }
    for (_, data) in inputs("device_authorization") {
        let _ = kubectl_aad_devicecode::fuzz_parse_authorization(&data);
        replayed += 1;
    }
    for (_, data) in inputs("managed_identity") {
        let status = match data.first() {
            Some(b) if b % 2 == 0 => 200,
            Some(b) => 400 + u16::from(*b),
            None => 200,
        };
        let _ = kubectl_aad_msi::fuzz_answer(status, data.get(1..).unwrap_or_default());
        replayed += 1;
    }
    for (path, data) in inputs("arm_answer") {
        let status = match data.first() {
            Some(b) if b % 2 == 0 => 200,
            Some(b) => 400 + u16::from(*b),
            None => 200,
        };
        let usable = kubectl_aad::fuzzing::arm_answer(status, data.get(1..).unwrap_or_default());
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if ["credential", "listing"].contains(&name) {
            assert!(usable, "the {name} seed is a usable answer");
        }
        replayed += 1;
    }
    for (_, data) in inputs("azurecli_answer") {
        let _ = kubectl_aad_azurecli::fuzz_parse_answer(&data);
        replayed += 1;
    }
    for (_, data) in inputs("azd_answer") {
        let _ = kubectl_aad_azd::fuzz_parse_answer(&data);
        replayed += 1;
    }
    for (_, data) in inputs("tool_failure") {
        let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
        let (stdout, stderr) = data.split_at(split);
        let summary = kubectl_aad_entra::external_tool::fuzz_failure_summary(
            stdout,
            &String::from_utf8_lossy(stderr),
        );
        assert!(!summary.contains('\n'), "{summary}");
        replayed += 1;
    }
    for (_, data) in inputs("certificate") {
        let _ = kubectl_aad_spn::fuzz_parse_certificate(&data, false, "");
        let _ = kubectl_aad_spn::fuzz_parse_certificate(&data, true, "password");
        replayed += 1;
    }
    assert!(
        replayed >= 19,
        "the seed corpus is in place ({replayed} inputs)"
    );
}
