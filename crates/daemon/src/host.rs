//! Facts about the host a daemon runs on: its name, processors, memory,
//! disk, operating system, load, users.

use std::path::{Path, PathBuf};

/// The host's name as the kernel reports it.
pub fn hostname() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

/// Processors this process may use (affinity and cgroup quotas included).
pub fn detected_cpus() -> u32 {
    std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(1)
}

/// Physical memory in MiB (`MemTotal` of `/proc/meminfo`).
pub fn detected_memory_mb() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| kb / 1024)
        .unwrap_or(1024)
}

/// Free space in KiB on the file system holding `path` (for `Disk`).
pub fn disk_free_kb(path: &Path) -> u64 {
    let mut p = path.to_path_buf();
    loop {
        if let Ok(st) = nix::sys::statvfs::statvfs(&p) {
            return st.blocks_available().saturating_mul(st.fragment_size()) / 1024;
        }
        if !p.pop() {
            return 0;
        }
    }
}

/// The one-minute load average.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0.0)
}

/// The operating system as HTCondor names it in machine ads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsFacts {
    /// `X86_64`, `AARCH64`.
    pub arch: String,
    /// `LINUX`.
    pub opsys: String,
    /// `Debian12`.
    pub opsys_and_ver: String,
    /// `Debian`.
    pub opsys_name: String,
    /// `Debian` (`OpSysShortName`).
    pub opsys_short_name: String,
    /// `Debian GNU/Linux 12 (bookworm)`.
    pub opsys_long_name: String,
    /// `12`.
    pub opsys_major_ver: i64,
    /// `1200` (major × 100 + minor).
    pub opsys_ver: i64,
}

/// Read `/etc/os-release` and the build architecture.
pub fn os_facts() -> OsFacts {
    let text = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    os_facts_from(&text, std::env::consts::ARCH)
}

/// [`os_facts`] from the text of an `os-release` file and a Rust arch name.
pub fn os_facts_from(os_release: &str, arch: &str) -> OsFacts {
    let field = |k: &str| {
        os_release.lines().find_map(|l| {
            let (key, v) = l.split_once('=')?;
            (key.trim() == k).then(|| v.trim().trim_matches('"').to_string())
        })
    };
    let id = field("ID").unwrap_or_else(|| "linux".into());
    let name = match id.as_str() {
        "debian" => "Debian".to_string(),
        "ubuntu" => "Ubuntu".to_string(),
        "centos" => "CentOS".to_string(),
        "rocky" => "Rocky".to_string(),
        "almalinux" => "AlmaLinux".to_string(),
        "rhel" => "RedHat".to_string(),
        "fedora" => "Fedora".to_string(),
        "opensuse-leap" => "openSUSE".to_string(),
        other => {
            let mut c = other.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        }
    };
    let version = field("VERSION_ID").unwrap_or_default();
    let mut parts = version.split('.');
    let major: i64 = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    let minor: i64 = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    OsFacts {
        arch: match arch {
            "x86_64" => "X86_64".into(),
            "aarch64" => "AARCH64".into(),
            "powerpc64" => "PPC64LE".into(),
            other => other.to_ascii_uppercase(),
        },
        opsys: "LINUX".into(),
        opsys_and_ver: format!("{name}{major}"),
        opsys_short_name: name.clone(),
        opsys_long_name: field("PRETTY_NAME").unwrap_or_else(|| name.clone()),
        opsys_name: name,
        opsys_major_ver: major,
        opsys_ver: major * 100 + minor,
    }
}

/// The name of the user this process runs as.
pub fn current_user() -> String {
    let uid = nix::unistd::geteuid();
    nix::unistd::User::from_uid(uid).ok().flatten().map(|u| u.name).unwrap_or_else(|| uid.to_string())
}

/// A daemon's `Name` as HTCondor makes it from `<SUBSYS>_NAME`: a name
/// with an `@` is kept; another name becomes `name@host` (unless it is the
/// host's own name); without one, the host name when the daemon runs as
/// root or as the `condor` user, else `user@host` (a personal pool's
/// daemons are named after their owner).
pub fn daemon_name(configured: Option<&str>) -> String {
    daemon_name_for(configured, &hostname(), &current_user())
}

/// [`daemon_name`] for a given host and user.
pub fn daemon_name_for(configured: Option<&str>, host: &str, user: &str) -> String {
    match configured.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) if n.contains('@') => n.to_string(),
        Some(n) if n.eq_ignore_ascii_case(host) => host.to_string(),
        Some(n) => format!("{n}@{host}"),
        None if user == "root" || user == "condor" || user.is_empty() => host.to_string(),
        None => format!("{user}@{host}"),
    }
}

/// A user's home directory.
pub fn home_of(user: &str) -> Option<PathBuf> {
    nix::unistd::User::from_name(user).ok().flatten().map(|u| u.dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daemon_names_follow_htcondor() {
        assert_eq!(daemon_name_for(None, "vm", "condoruser"), "condoruser@vm");
        assert_eq!(daemon_name_for(None, "vm", "root"), "vm");
        assert_eq!(daemon_name_for(None, "vm", "condor"), "vm");
        assert_eq!(daemon_name_for(Some("s1"), "vm", "root"), "s1@vm");
        assert_eq!(daemon_name_for(Some("s1@h"), "vm", "root"), "s1@h");
        assert_eq!(daemon_name_for(Some("VM"), "vm", "alice"), "vm");
    }

    #[test]
    fn debian_reads_as_htcondor_names_it() {
        let text = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n";
        let f = os_facts_from(text, "x86_64");
        assert_eq!(f.arch, "X86_64");
        assert_eq!(f.opsys_and_ver, "Debian12");
        assert_eq!(f.opsys_ver, 1200);
        assert_eq!(f.opsys_long_name, "Debian GNU/Linux 12 (bookworm)");
    }

    #[test]
    fn host_facts_are_plausible() {
        assert!(detected_cpus() >= 1);
        assert!(detected_memory_mb() > 0);
        assert!(!hostname().is_empty());
        assert!(disk_free_kb(Path::new("/")) > 0);
    }
}
