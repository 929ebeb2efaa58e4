//! Moving files between the submit side and the sandbox.
//!
//! [`Transfer`] is the seam: [`LocalTransfer`] serves an execute point on
//! the submit host (or sharing its file system), copying (or, for outputs
//! whose sandbox copy is about to be deleted, renaming) files directly.
//! A remote transfer (files streamed from the schedd) implements the same
//! two calls.
//!
//! When the starter runs as root for another user, every file operation
//! on the submit side is done with that user's file-system identity
//! (`setfsuid`/`setfsgid`), so a job can read and write only what its
//! owner could.

use std::io;
use std::path::Path;

/// Move files in and out of a sandbox.
pub trait Transfer {
    /// Bring `from` (submit side; a directory is copied whole, its contents
    /// only when `contents_only`) into the sandbox as `to`. Returns bytes moved.
    fn fetch(&self, from: &Path, to: &Path, contents_only: bool) -> io::Result<u64>;
    /// Send `from` (in the sandbox) to `to` on the submit side; the sandbox
    /// copy may be consumed. Returns bytes moved.
    fn send(&self, from: &Path, to: &Path) -> io::Result<u64>;
}

/// A user identity for file operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ids {
    pub uid: u32,
    pub gid: u32,
}

/// Files on a file system the starter can reach directly.
#[derive(Debug, Clone, Default)]
pub struct LocalTransfer {
    /// Act as this user on the submit side (the starter runs as root).
    pub user: Option<Ids>,
}

/// Run `f` with the file-system identity of `ids` (when given).
pub fn as_user<T>(ids: Option<Ids>, f: impl FnOnce() -> T) -> T {
    match ids {
        None => f(),
        Some(ids) => {
            let old_gid = nix::unistd::setfsgid(nix::unistd::Gid::from_raw(ids.gid));
            let old_uid = nix::unistd::setfsuid(nix::unistd::Uid::from_raw(ids.uid));
            let r = f();
            nix::unistd::setfsuid(old_uid);
            nix::unistd::setfsgid(old_gid);
            r
        }
    }
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<u64> {
    let meta = std::fs::symlink_metadata(from)?;
    if meta.is_dir() {
        std::fs::create_dir_all(to)?;
        let mut n = 0;
        for e in std::fs::read_dir(from)? {
            let e = e?;
            n += copy_tree(&e.path(), &to.join(e.file_name()))?;
        }
        Ok(n)
    } else {
        // A symbolic link is copied as what it points to, never as a link.
        std::fs::copy(from, to)
    }
}

impl Transfer for LocalTransfer {
    fn fetch(&self, from: &Path, to: &Path, contents_only: bool) -> io::Result<u64> {
        // Read as the user; the sandbox side is written by the starter and
        // handed to the user afterwards.
        let meta = as_user(self.user, || std::fs::metadata(from))?;
        if meta.is_dir() {
            let entries: Vec<std::path::PathBuf> =
                as_user(self.user, || std::fs::read_dir(from).and_then(|rd| rd.map(|e| e.map(|e| e.path())).collect()))?;
            // `to` is the directory itself, or (contents only) where its entries go.
            let _ = contents_only;
            std::fs::create_dir_all(to)?;
            let mut n = 0;
            for p in entries {
                let name = p.file_name().map(|n| n.to_os_string()).unwrap_or_default();
                n += self.fetch(&p, &to.join(name), false)?;
            }
            return Ok(n);
        }
        let data = as_user(self.user, || std::fs::read(from))?;
        std::fs::write(to, &data)?;
        Ok(data.len() as u64)
    }

    fn send(&self, from: &Path, to: &Path) -> io::Result<u64> {
        let size = std::fs::symlink_metadata(from).map(|m| if m.is_dir() { 0 } else { m.len() })?;
        as_user(self.user, || match std::fs::rename(from, to) {
            Ok(()) => Ok(size),
            Err(e) if e.raw_os_error() == Some(libc::EXDEV) => {
                let n = copy_tree(from, to)?;
                Ok(n)
            }
            Err(e) => Err(e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_copies_files_and_directory_contents() {
        let src = tempfile::tempdir().unwrap();
        let dst = tempfile::tempdir().unwrap();
        std::fs::write(src.path().join("a.txt"), "A").unwrap();
        std::fs::create_dir(src.path().join("lib")).unwrap();
        std::fs::write(src.path().join("lib/x"), "XX").unwrap();
        let t = LocalTransfer::default();
        assert_eq!(t.fetch(&src.path().join("a.txt"), &dst.path().join("a.txt"), false).unwrap(), 1);
        t.fetch(&src.path().join("lib"), &dst.path().join("lib"), false).unwrap();
        t.fetch(&src.path().join("lib"), dst.path(), true).unwrap();
        assert_eq!(std::fs::read_to_string(dst.path().join("lib/x")).unwrap(), "XX");
        assert_eq!(std::fs::read_to_string(dst.path().join("x")).unwrap(), "XX");
    }

    #[test]
    fn send_moves_the_file_to_its_destination() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("_condor_stdout"), "hello\n").unwrap();
        let t = LocalTransfer::default();
        assert_eq!(t.send(&d.path().join("_condor_stdout"), &d.path().join("out")).unwrap(), 6);
        assert_eq!(std::fs::read_to_string(d.path().join("out")).unwrap(), "hello\n");
        let err = t.send(&d.path().join("missing"), &d.path().join("x")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
