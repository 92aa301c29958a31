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

const VERSION: &str = env!("CARGO_PKG_VERSION");

const RELEASE: &[(&str, &str)] = &[
    ("linux", "amd64"),
    ("linux", "arm64"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "amd64"),
];

/// Packs the archive of each of `platforms`: our binary for linux/amd64 (the host, where the
/// archive is unpacked and run), a small stand-in for the others, since the renderer only reads
/// names and digests; returns their paths.
fn archives(env: &TestEnv, platforms: &[(&str, &str)]) -> Vec<PathBuf> {
    let stand_in = env.path("stand-in");
    fs::write(&stand_in, b"#!/bin/sh\n").expect("stand-in");
    let dir = env.path("archives");
    platforms
        .iter()
        .map(|(os, arch)| {
            let output = run(Command::new(repo().join("scripts/archive.sh")).args([
                "--os",
                os,
                "--arch",
                arch,
                "--binary",
                match (*os, *arch) {
                    ("linux", "amd64") => aad_bin(),
                    _ => stand_in.clone(),
                }
                .to_str()
                .expect("utf8"),
                "--out",
                dir.to_str().expect("utf8"),
            ]));
            assert!(output.status.success(), "{}", stderr(&output));
            PathBuf::from(stdout(&output).trim())
        })
        .collect()
}

fn render(out: &Path, archives: &[PathBuf]) -> std::process::Output {
    run(Command::new(repo().join("krew/package.sh"))
        .arg("--out")
        .arg(out)
        .args(archives))
}

fn sha256_hex(path: &Path) -> String {
    Sha256::digest(fs::read(path).expect("archive"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_release_renders_every_manifest_from_its_archives() {
    let env = TestEnv::new();
    let archives = archives(&env, RELEASE);
    let out = env.path("dist");
    let output = render(&out, &archives);
    assert!(output.status.success(), "{}", stderr(&output));

    let platforms = validate(&out.join("aad.yaml"));
    assert_eq!(platforms.len(), RELEASE.len(), "every platform is rendered");
    let formula = fs::read_to_string(out.join("kubectl-aad.rb")).expect("formula");
    let sums = fs::read_to_string(out.join("SHA256SUMS")).expect("sums");
    for (os, arch, uri, sha, _) in &platforms {
        let file = uri.rsplit('/').next().expect("file name");
        assert!(file.contains(&format!("_{os}_{arch}.")), "{uri}");
        let archive = archives.iter().find(|a| a.ends_with(file)).expect("built");
        assert_eq!(&sha256_hex(archive), sha, "{file}");
        assert!(sums.contains(&format!("{sha}  {file}\n")), "{sums}");
        assert_eq!(
            formula.contains(sha.as_str()),
            os != "windows",
            "{os}/{arch}"
        );
    }
    let installer = fs::read_to_string(
        out.join("winget")
            .join("kubectl-aad.kubectl-aad.installer.yaml"),
    )
    .expect("winget installer");
    let windows = platforms
        .iter()
        .find(|p| p.0 == "windows")
        .expect("windows");
    assert!(
        installer.contains(&windows.3.to_ascii_uppercase()),
        "{installer}"
    );
    for rendered in [&formula, &installer] {
        assert!(!rendered.contains('@'), "a placeholder is left: {rendered}");
    }
    assert!(
        run(Command::new("sha256sum")
            .arg("--check")
            .arg("--strict")
            .arg(out.join("SHA256SUMS"))
            .current_dir(env.path("archives")))
        .status
        .success(),
        "SHA256SUMS verifies the downloads as the README says"
    );

    // The host's archive installs as krew would unpack it: LICENSE beside a binary that runs.
    let host = archives
        .iter()
        .find(|a| a.to_string_lossy().ends_with("_linux_amd64.tar.gz"))
        .expect("linux archive");
    let unpacked = env.path("unpacked");
    fs::create_dir(&unpacked).expect("mkdir");
    assert!(
        Command::new("tar")
            .arg("-xzf")
            .arg(host)
            .arg("-C")
            .arg(&unpacked)
            .status()
            .expect("tar")
            .success()
    );
    assert!(
        unpacked.join("LICENSE").is_file(),
        "krew requires a license"
    );
    let output = run(Command::new(unpacked.join("kubectl-aad")).arg("version"));
    assert!(
        stdout(&output).starts_with("kubectl-aad version v"),
        "{}",
        stderr(&output)
    );
    let windows_zip = archives
        .iter()
        .find(|a| a.to_string_lossy().ends_with(".zip"))
        .expect("zip");
    let listing = run(Command::new("python3")
        .args(["-m", "zipfile", "-l"])
        .arg(windows_zip));
    assert!(
        stdout(&listing).contains("kubectl-aad.exe") && stdout(&listing).contains("LICENSE"),
        "{}",
        stdout(&listing)
    );
}

#[test]
fn an_incomplete_or_inconsistent_set_of_archives_is_refused() {
    let env = TestEnv::new();
    let all = archives(&env, RELEASE);
    let out = env.path("dist");
    let refused = |archives: &[PathBuf], needle: &str| {
        let output = render(&out, archives);
        assert!(!output.status.success(), "rendered: {}", stdout(&output));
        let message = stderr(&output);
        assert_eq!(message.lines().count(), 1, "one line: {message}");
        assert!(message.contains(needle), "{message}");
        assert!(!out.exists(), "nothing is written on a refusal");
    };
    refused(&all[..4], "no archive for: windows_amd64");
    refused(&all[1..], "no archive for: linux_amd64");
    let mut doubled = all.clone();
    doubled.push(all[0].clone());
    refused(&doubled, "two archives for linux_amd64");

    let odd = env.path("odd");
    fs::create_dir(&odd).expect("mkdir");
    let empty = odd.join(format!("kubectl-aad_v{VERSION}_linux_amd64.tar.gz"));
    fs::write(&empty, b"").expect("empty");
    let mut with_empty = all[1..].to_vec();
    with_empty.push(empty);
    refused(&with_empty, "is empty");
    let other_version = odd.join("kubectl-aad_v9.9.9_linux_amd64.tar.gz");
    fs::copy(&all[0], &other_version).expect("copy");
    let mut with_other = all[1..].to_vec();
    with_other.push(other_version);
    refused(&with_other, "is of version v9.9.9");
    let unknown = odd.join(format!("kubectl-aad_v{VERSION}_linux_ppc64le.tar.gz"));
    fs::copy(&all[0], &unknown).expect("copy");
    let mut with_unknown = all.clone();
    with_unknown.push(unknown);
    refused(
        &with_unknown,
        "linux_ppc64le, which krew/aad.yaml has no entry for",
    );
}
