//! The krew manifest against krew's own validation rules (validate-krew-manifest): name equals
//! the file name, semver with a leading `v`, one-line short description, known and
//! non-overlapping os/arch selectors, a 64-hex sha256, `.exe` entry points on Windows — and the
//! packaged archive: its digest matches, it holds a LICENSE, and its binary runs.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::util::*;

const KNOWN: &[(&str, &str)] = &[
    ("windows", "386"),
    ("windows", "amd64"),
    ("windows", "arm64"),
    ("linux", "386"),
    ("linux", "amd64"),
    ("linux", "arm"),
    ("linux", "arm64"),
    ("linux", "ppc64le"),
    ("darwin", "386"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Applies krew's structural rules; returns the platforms as (os, arch, uri, sha256, bin).
fn validate(path: &Path) -> Vec<(String, String, String, String, String)> {
    let text = fs::read_to_string(path).expect("manifest");
    let doc: serde_json::Value = serde_saphyr::from_str(&text).expect("manifest is YAML");
    assert_eq!(
        doc["apiVersion"],
        "krew.googlecontainertools.github.com/v1alpha2"
    );
    assert_eq!(doc["kind"], "Plugin");
    let name = doc["metadata"]["name"].as_str().expect("name");
    assert_eq!(
        Some(name),
        path.file_stem().and_then(|s| s.to_str()),
        "metadata.name must equal the file name"
    );
    assert!(
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    );
    let spec = &doc["spec"];
    let version = spec["version"].as_str().expect("version");
    let core = version
        .strip_prefix('v')
        .expect("version needs a leading v");
    let core = core.split(['-', '+']).next().expect("core");
    assert_eq!(
        core.split('.').filter(|p| p.parse::<u64>().is_ok()).count(),
        3,
        "semver {version}"
    );
    let short = spec["shortDescription"].as_str().expect("shortDescription");
    assert!(
        !short.is_empty() && !short.contains('\n'),
        "shortDescription is one line"
    );
    assert!(
        spec["description"]
            .as_str()
            .is_some_and(|d| !d.trim().is_empty())
    );
    assert!(
        spec["caveats"]
            .as_str()
            .is_some_and(|c| c.contains("convert-kubeconfig"))
    );
    let platforms = spec["platforms"].as_array().expect("platforms");
    assert!(!platforms.is_empty());
    let mut seen = HashSet::new();
    platforms
        .iter()
        .map(|p| {
            let labels = p["selector"]["matchLabels"]
                .as_object()
                .expect("matchLabels");
            assert!(
                labels.keys().all(|k| k == "os" || k == "arch"),
                "selector keys are os/arch only"
            );
            let os = labels["os"].as_str().expect("os").to_owned();
            let arch = labels["arch"].as_str().expect("arch").to_owned();
            assert!(
                KNOWN.contains(&(os.as_str(), arch.as_str())),
                "unknown platform {os}/{arch}"
            );
            assert!(
                seen.insert((os.clone(), arch.clone())),
                "platforms overlap on {os}/{arch}"
            );
            let uri = p["uri"].as_str().expect("uri").to_owned();
            assert!(uri.ends_with(".tar.gz") || uri.ends_with(".zip"), "{uri}");
            let sha = p["sha256"].as_str().expect("sha256").to_owned();
            assert!(
                sha.len() == 64
                    && sha
                        .chars()
                        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
                "sha256 {sha}"
            );
            let bin = p["bin"].as_str().expect("bin").to_owned();
            assert_eq!(
                os == "windows",
                bin.ends_with(".exe"),
                "windows needs an .exe entry point"
            );
            (os, arch, uri, sha, bin)
        })
        .collect()
}

#[test]
fn the_committed_manifest_follows_krews_rules() {
    let platforms = validate(&repo().join("krew/aad.yaml"));
    let mut wanted = vec![
        ("linux", "amd64"),
        ("linux", "arm64"),
        ("darwin", "amd64"),
        ("darwin", "arm64"),
        ("windows", "amd64"),
    ];
    let mut got: Vec<(&str, &str)> = platforms
        .iter()
        .map(|(o, a, ..)| (o.as_str(), a.as_str()))
        .collect();
    wanted.sort();
    got.sort();
    assert_eq!(got, wanted);
}

#[test]
fn the_packaged_archive_installs_and_runs() {
    let env = TestEnv::new();
    let out = env.path("dist");
    let status = Command::new(repo().join("krew/package.sh"))
        .args([
            "--binary",
            aad_bin().to_str().expect("utf8"),
            "--out",
            out.to_str().expect("utf8"),
        ])
        .status()
        .expect("package.sh runs");
    assert!(status.success());
    let platforms = validate(&out.join("aad.yaml"));
    assert_eq!(
        platforms.len(),
        1,
        "the rendered manifest has the host platform only"
    );
    let (_, _, uri, sha, bin) = &platforms[0];
    let archive = out.join(uri.rsplit('/').next().expect("file name"));
    let digest: String = Sha256::digest(fs::read(&archive).expect("archive"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(&digest, sha);

    let unpacked = env.path("unpacked");
    fs::create_dir(&unpacked).expect("mkdir");
    assert!(
        Command::new("tar")
            .arg("-xzf")
            .arg(&archive)
            .arg("-C")
            .arg(&unpacked)
            .status()
            .expect("tar")
            .success()
    );
    let license = fs::read_dir(&unpacked).expect("ls").flatten().any(|e| {
        e.file_name()
            .to_string_lossy()
            .to_ascii_uppercase()
            .starts_with("LICENSE")
    });
    assert!(license, "krew requires a license file in the archive");
    let output = run(Command::new(unpacked.join(bin)).arg("version"));
    assert!(
        stdout(&output).starts_with("kubectl-aad version v"),
        "{}",
        stderr(&output)
    );
}
