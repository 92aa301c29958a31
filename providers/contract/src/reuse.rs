//! [`Reuse`] and [`FileStamp`]: how long a token from a local tool may be served from the cache.
//!
//! Tokens that come from another tool's sign-in (the Azure CLI, azd) belong to that tool's
//! session: `az logout` must end them. The provider stamps the files that hold the session when
//! it gets the token; the host serves the cached token only while every stamp still matches and
//! the entry is younger than `max_age_secs`. Stamps are cheap to check (one `stat` each), so the
//! cache-hit path stays fast.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

/// Conditions on serving a cached token again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reuse {
    /// The most seconds after it was obtained that the token is served from the cache;
    /// 0 means never cache it.
    pub max_age_secs: u64,
    /// Files that must be unchanged (or still absent) for the token to be served.
    #[serde(default)]
    pub while_unchanged: Vec<FileStamp>,
}

impl Reuse {
    /// Whether every stamped file is as it was.
    pub fn files_unchanged(&self) -> bool {
        self.while_unchanged.iter().all(FileStamp::holds)
    }
}

/// What a file looked like: absent, or its size, modification time and inode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    /// The file.
    pub path: PathBuf,
    /// `None` when the file did not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<FileVersion>,
}

/// The parts of a file's metadata that change when it is written or replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileVersion {
    /// Size in bytes.
    pub len: u64,
    /// Modification time, nanoseconds since the epoch.
    pub modified_ns: u64,
    /// Inode number (0 where the platform has none); catches a replace by rename.
    pub inode: u64,
}

impl FileStamp {
    /// Stamps `path` now.
    pub fn of(path: &Path) -> FileStamp {
        FileStamp {
            path: path.to_owned(),
            seen: version_of(path),
        }
    }

    /// Whether `path` still looks the way it did when stamped.
    pub fn holds(&self) -> bool {
        version_of(&self.path) == self.seen
    }
}

fn version_of(path: &Path) -> Option<FileVersion> {
    let meta = std::fs::metadata(path).ok()?;
    let modified_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some(FileVersion {
        len: meta.len(),
        modified_ns,
        inode,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_breaks_on_write_replace_create_and_delete() {
        let dir = std::env::temp_dir().join(format!("kubectl-aad-stamp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("profile.json");
        let _ = std::fs::remove_file(&file);

        let absent = FileStamp::of(&file);
        assert!(absent.holds(), "still absent");
        std::fs::write(&file, "a").expect("create");
        assert!(!absent.holds(), "created");

        let written = FileStamp::of(&file);
        assert!(written.holds());
        std::fs::write(&file, "ab").expect("grow");
        assert!(!written.holds(), "written");

        let before_replace = FileStamp::of(&file);
        let other = dir.join("new.json");
        std::fs::write(&other, "ab").expect("other");
        std::fs::rename(&other, &file).expect("replace");
        assert!(!before_replace.holds(), "replaced by rename");

        let before_delete = FileStamp::of(&file);
        std::fs::remove_file(&file).expect("delete");
        assert!(!before_delete.holds(), "deleted");
        let reuse = Reuse {
            max_age_secs: 60,
            while_unchanged: vec![FileStamp::of(&file)],
        };
        assert!(reuse.files_unchanged());
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
