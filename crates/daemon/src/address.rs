//! Address files: how local tools find a running daemon.

use std::io::Write;
use std::path::{Path, PathBuf};

use proto::address::{Address, Daemon};

/// The address file of `daemon` under the log directory.
pub fn address_file(log_dir: &Path, daemon: Daemon) -> PathBuf {
    log_dir.join(daemon.address_file_name())
}

/// Write the address file atomically (write a temporary file, then rename),
/// one address per line, the Unix socket first.
pub fn write_address_file(log_dir: &Path, daemon: Daemon, addrs: &[Address]) -> std::io::Result<()> {
    std::fs::create_dir_all(log_dir)?;
    let path = address_file(log_dir, daemon);
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    for a in addrs {
        writeln!(f, "{a}")?;
    }
    f.sync_all()?;
    std::fs::rename(&tmp, &path)
}

/// Remove the address file (the daemon is going away).
pub fn remove_address_file(log_dir: &Path, daemon: Daemon) {
    let _ = std::fs::remove_file(address_file(log_dir, daemon));
}
