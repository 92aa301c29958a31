//! Crash-safe file replacement: temp file in the same directory, fsync, rename, fsync the
//! directory. A reader sees the old or the new content, never a mix; a crash leaves at most a
//! stray temp file (named `.<name>.tmp*`), never a truncated target.

use std::fs::{self, File, Permissions};
use std::io::{self, Write};
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;

/// Replaces `path` with `contents`, giving the new file `mode` (Unix permission bits).
pub(crate) fn write(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    set_mode(temp.as_file(), mode)?;
    crash_test_pause();
    let (first, second) = contents.split_at(contents.len() / 2);
    temp.write_all(first)?;
    crash_test_pause();
    temp.write_all(second)?;
    temp.as_file().sync_all()?;
    crash_test_pause();
    temp.persist(path).map_err(|err| err.error)?;
    crash_test_pause();
    sync_dir(dir);
    Ok(())
}

/// Test hook for the crash-safety test: `KUBECTL_AAD_TEST_WRITE_DELAY_MS` pauses between the
/// steps of a write so the test can SIGKILL the process inside each one. Unset (always, outside
/// that test) it costs one environment lookup per file written; the cache-hit path writes none.
fn crash_test_pause() {
    if let Some(ms) = std::env::var("KUBECTL_AAD_TEST_WRITE_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(unix)]
fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    file.set_permissions(Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &File, _: u32) -> io::Result<()> {
    Ok(())
}

/// Makes a rename durable. Best effort: some file systems refuse to open directories.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The Unix permission bits of a file (0o600 where there are none).
pub(crate) fn mode_of(metadata: &fs::Metadata) -> u32 {
    #[cfg(unix)]
    {
        metadata.permissions().mode() & 0o7777
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        0o600
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_sets_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config");
        fs::write(&path, "old").expect("seed");
        write(&path, b"new", 0o600).expect("write");
        assert_eq!(fs::read_to_string(&path).expect("read"), "new");
        #[cfg(unix)]
        assert_eq!(mode_of(&fs::metadata(&path).expect("meta")), 0o600);
        let leftovers: Vec<_> = fs::read_dir(dir.path()).expect("ls").collect();
        assert_eq!(leftovers.len(), 1, "no temp file left behind");
    }
}
