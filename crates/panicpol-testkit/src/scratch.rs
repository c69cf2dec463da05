//! A scratch folder for a test, removed when dropped.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh folder under the system's temporary folder, unique to this
/// process and call (tests of one binary run in parallel threads), removed
/// with its contents when dropped. Test support: failures panic.
#[derive(Debug)]
pub struct Scratch(PathBuf);

impl Scratch {
    /// Creates `panicpol-<tag>-<pid>-<n>`.
    pub fn new(tag: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "panicpol-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("create scratch folder {}: {e}", dir.display()));
        Scratch(dir)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `bytes` to a file of the folder and returns its path.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        fs::write(&p, bytes).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
        p
    }

    /// The names in the folder, sorted (to see what a writer left behind).
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(&self.0)
            .unwrap_or_else(|e| panic!("list {}: {e}", self.0.display()))
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // A test may have made the folder read-only (to fail a write).
        let _ = fs::set_permissions(&self.0, fs::Permissions::from_mode(0o755));
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_listed_and_removed_with_the_folder() {
        let s = Scratch::new("scratch-test");
        let other = Scratch::new("scratch-test");
        assert_ne!(s.path(), other.path());
        s.file("b", b"2");
        s.file("a", b"1");
        assert_eq!(s.names(), ["a", "b"]);
        let dir = s.path().to_path_buf();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o555)).unwrap();
        drop(s);
        assert!(!dir.exists());
    }
}
