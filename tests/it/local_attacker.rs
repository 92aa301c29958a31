//! Trust at the boundaries, part two: another user on the same machine. Nothing in the cache
//! is read through a link, from a FIFO, from a shared folder or from another user's files — on
//! the cache-hit path as much as on a miss.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::fixture::*;
use crate::util::*;

/// The uid of `nobody`, to own what "another user" planted.
const NOBODY: u32 = 65534;

fn spn(cluster: &Cluster, cache: &Path) -> Command {
    let mut command = cluster.get_token(&["-l", "spn", "--client-id", SECRET_APP, "--cache-dir"]);
    command.arg(cache).env("AZURE_CLIENT_SECRET", CLIENT_SECRET);
    command
}

fn with_extension(dir: &Path, extension: &str) -> PathBuf {
    fs::read_dir(dir)
        .expect("cache dir")
        .flatten()
        .map(|e| e.path())
        // An entry's own files, not the data key's lock.
        .filter(|p| !p.to_string_lossy().contains("data-key"))
        .find(|p| p.extension().is_some_and(|e| e == extension))
        .unwrap_or_else(|| panic!("a .{extension} file in {}", dir.display()))
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

fn chown(path: &Path, uid: u32) {
    let status = Command::new("chown")
        .arg(uid.to_string())
        .arg(path)
        .status()
        .expect("chown runs");
    assert!(
        status.success(),
        "the test suite runs as root (CI does), so it can chown"
    );
}

#[test]
fn root_never_serves_what_another_user_planted() {
    let cluster = Cluster::start();
    let planted = cluster.env.path("planted");
    exec_credential(&run(&mut spn(&cluster, &planted)));
    // Another user's folder, and another user's entry in a folder of ours.
    chown(&planted, NOBODY);
    assert_one_line_failure(
        &run(&mut spn(&cluster, &planted)),
        "belongs to another user (uid 65534)",
    );
    chown(&planted, 0);
    chown(&with_extension(&planted, "json"), NOBODY);
    assert_one_line_failure(
        &run(&mut spn(&cluster, &planted)),
        "belongs to another user (uid 65534)",
    );
    assert_eq!(
        cluster.emulator.token_requests(),
        1,
        "refused on the hit path, no sign-in either"
    );
}

#[test]
fn a_shared_folder_is_refused_and_a_merely_readable_one_of_ours_is_tightened() {
    let cluster = Cluster::start();
    let shared = cluster.env.path("shared");
    fs::create_dir(&shared).expect("mkdir");
    chmod(&shared, 0o1777);
    let output = run(&mut spn(&cluster, &shared));
    assert_one_line_failure(&output, "shared with other users");
    assert!(
        !stderr(&output).contains("chmod"),
        "never advise opening /tmp further"
    );
    chmod(&shared, 0o770);
    assert_one_line_failure(
        &run(&mut spn(&cluster, &shared)),
        "writable by other users; run `chmod 700",
    );
    // Older kubelogin made ~/.kube/cache/kubelogin 0755: it keeps working, tightened.
    chmod(&shared, 0o755);
    exec_credential(&run(&mut spn(&cluster, &shared)));
    assert_eq!(fs::metadata(&shared).expect("meta").mode() & 0o777, 0o700);
    exec_credential(&run(&mut spn(&cluster, &shared)));
}

#[test]
fn links_in_place_of_our_files_are_never_followed() {
    let cluster = Cluster::start();
    let cache = cluster.env.path("cache");
    exec_credential(&run(&mut spn(&cluster, &cache)));
    let entry = with_extension(&cache, "json");
    let lock = with_extension(&cache, "lock");
    let elsewhere = cluster.env.path("elsewhere");
    fs::create_dir(&elsewhere).expect("mkdir");

    // A lock that points elsewhere: root would create files wherever it points.
    fs::remove_file(&lock).expect("rm lock");
    std::os::unix::fs::symlink(elsewhere.join("created-by-root"), &lock).expect("symlink");
    let output = run(spn(&cluster, &cache).arg("--force-refresh"));
    assert_one_line_failure(&output, "is a symbolic link");
    assert!(!elsewhere.join("created-by-root").exists());
    fs::remove_file(&lock).expect("rm link");

    // An entry that points at a planted one.
    let planted = elsewhere.join("planted.json");
    fs::copy(&entry, &planted).expect("copy");
    fs::remove_file(&entry).expect("rm entry");
    std::os::unix::fs::symlink(&planted, &entry).expect("symlink");
    assert_one_line_failure(&run(&mut spn(&cluster, &cache)), "is a symbolic link");
}

#[test]
fn a_fifo_in_place_of_an_entry_does_not_hang_get_token() {
    let cluster = Cluster::start();
    let cache = cluster.env.path("cache");
    exec_credential(&run(&mut spn(&cluster, &cache)));
    let entry = with_extension(&cache, "json");
    fs::remove_file(&entry).expect("rm entry");
    let status = Command::new("mkfifo").arg(&entry).status().expect("mkfifo");
    assert!(status.success());
    let mut child = spn(&cluster, &cache)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("get-token blocked on the FIFO");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    assert_one_line_failure(&output, "is not a regular file");
}
