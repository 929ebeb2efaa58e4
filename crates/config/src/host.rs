//! Facts about this host that the configuration offers as `<Detected>`
//! values: `ARCH`, `OPSYS`, `FULL_HOSTNAME`, `IP_ADDRESS`, `DETECTED_CPUS`,
//! `DETECTED_MEMORY`, the user's name and ids, …
//!
//! Detection reads `/proc` and `/etc/os-release` and asks the kernel which
//! address it would use to reach the outside (a UDP "connect" sends
//! nothing). It runs once per process; tests pass their own [`HostInfo`].

use std::sync::OnceLock;

/// What was detected, in the form the configuration stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostInfo {
    pub hostname: String,
    pub full_hostname: String,
    pub ipv4: Option<String>,
    pub ipv6: Option<String>,
    pub arch: String,
    pub uname_arch: String,
    pub opsys: String,
    pub opsys_ver: Option<u32>,
    pub opsys_major_ver: Option<u32>,
    pub opsys_and_ver: Option<String>,
    pub opsys_name: Option<String>,
    pub opsys_long_name: Option<String>,
    pub opsys_short_name: Option<String>,
    pub uname_opsys: String,
    pub utsname_release: String,
    pub utsname_version: String,
    /// Physical memory in MiB.
    pub memory_mb: u64,
    pub cpus: u32,
    pub username: Option<String>,
    pub uid: u32,
    pub gid: u32,
    pub pid: u32,
    pub ppid: u32,
    /// Home directory of the `condor` user, when there is one.
    pub tilde: Option<String>,
    /// Whether the process may switch user ids (runs as root).
    pub is_admin: bool,
}

/// This host, detected once per process.
pub fn detected() -> &'static HostInfo {
    static HOST: OnceLock<HostInfo> = OnceLock::new();
    HOST.get_or_init(HostInfo::detect)
}

fn read_trim(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// `KEY=value` pairs of `/etc/os-release`, quotes removed.
fn os_release() -> Vec<(String, String)> {
    let text = std::fs::read_to_string("/etc/os-release").or_else(|_| std::fs::read_to_string("/usr/lib/os-release")).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').trim_matches('\'').to_string()))
        .collect()
}

fn primary_ip(v6: bool) -> Option<String> {
    let (bind, target) = if v6 { ("[::]:0", "[2001:db8::1]:9") } else { ("0.0.0.0:0", "203.0.113.1:9") };
    let sock = std::net::UdpSocket::bind(bind).ok()?;
    sock.connect(target).ok()?;
    let ip = sock.local_addr().ok()?.ip();
    if ip.is_unspecified() {
        return None;
    }
    Some(ip.to_string())
}

impl HostInfo {
    /// Look at this host.
    pub fn detect() -> HostInfo {
        let hostname_full = read_trim("/proc/sys/kernel/hostname").unwrap_or_else(|| "localhost".to_string());
        let hostname = hostname_full.split('.').next().unwrap_or(&hostname_full).to_string();
        let domain = read_trim("/proc/sys/kernel/domainname").filter(|d| d != "(none)");
        let full_hostname = if hostname_full.contains('.') {
            hostname_full.clone()
        } else if let Some(d) = domain {
            format!("{hostname_full}.{d}")
        } else {
            hostname_full.clone()
        };
        let uname_arch = std::env::consts::ARCH.to_string();
        let arch = match uname_arch.as_str() {
            "x86_64" => "X86_64".to_string(),
            "x86" | "i686" | "i386" => "INTEL".to_string(),
            "aarch64" => "aarch64".to_string(),
            "powerpc64" => "PPC64".to_string(),
            other => other.to_ascii_uppercase(),
        };
        let rel = os_release();
        let get = |k: &str| rel.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let id = get("ID");
        let version_id = get("VERSION_ID");
        let opsys_short_name = get("NAME").map(|n| n.split_whitespace().next().unwrap_or(&n).to_string());
        let opsys_name = opsys_short_name.clone();
        let major: Option<u32> = version_id.as_deref().and_then(|v| v.split('.').next()).and_then(|m| m.parse().ok());
        let minor: u32 = version_id.as_deref().and_then(|v| v.split('.').nth(1)).and_then(|m| m.parse().ok()).unwrap_or(0);
        let opsys_ver = major.map(|m| m * 100 + minor);
        let opsys_and_ver = match (&opsys_short_name, major) {
            (Some(n), Some(m)) => Some(format!("{n}{m}")),
            _ => None,
        };
        let opsys_long_name = match (get("NAME"), &version_id) {
            (Some(n), Some(v)) => Some(format!("{n} {}", v.split('.').next().unwrap_or(v))),
            (Some(n), None) => Some(n),
            _ => id.clone(),
        };
        let memory_mb = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find(|l| l.starts_with("MemTotal:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<u64>().ok())
            })
            .map(|kb| kb / 1024)
            .unwrap_or(0);
        let cpus = std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(1);
        let uid = nix::unistd::getuid();
        let gid = nix::unistd::getgid();
        let username = nix::unistd::User::from_uid(uid).ok().flatten().map(|u| u.name);
        let tilde = nix::unistd::User::from_name("condor").ok().flatten().map(|u| u.dir.to_string_lossy().into_owned());
        HostInfo {
            hostname,
            full_hostname,
            ipv4: primary_ip(false),
            ipv6: primary_ip(true),
            arch,
            uname_arch,
            opsys: "LINUX".to_string(),
            opsys_ver,
            opsys_major_ver: major,
            opsys_and_ver,
            opsys_name,
            opsys_long_name,
            opsys_short_name,
            uname_opsys: "Linux".to_string(),
            utsname_release: read_trim("/proc/sys/kernel/osrelease").unwrap_or_default(),
            utsname_version: read_trim("/proc/sys/kernel/version").unwrap_or_default(),
            memory_mb,
            cpus,
            username,
            uid: uid.as_raw(),
            gid: gid.as_raw(),
            pid: std::process::id(),
            ppid: nix::unistd::getppid().as_raw() as u32,
            tilde,
            is_admin: uid.is_root(),
        }
    }

    /// A fixed host for tests: `vm.example`, 192.0.2.2, 4 cpus, 8 GiB.
    pub fn fixed() -> HostInfo {
        HostInfo {
            hostname: "vm".into(),
            full_hostname: "vm.example".into(),
            ipv4: Some("192.0.2.2".into()),
            ipv6: None,
            arch: "X86_64".into(),
            uname_arch: "x86_64".into(),
            opsys: "LINUX".into(),
            opsys_ver: Some(1200),
            opsys_major_ver: Some(12),
            opsys_and_ver: Some("Debian12".into()),
            opsys_name: Some("Debian".into()),
            opsys_long_name: Some("Debian GNU/Linux 12".into()),
            opsys_short_name: Some("Debian".into()),
            uname_opsys: "Linux".into(),
            utsname_release: "6.1.0".into(),
            utsname_version: "#1 SMP".into(),
            memory_mb: 8192,
            cpus: 4,
            username: Some("tester".into()),
            uid: 1000,
            gid: 1000,
            pid: 4242,
            ppid: 4241,
            tilde: None,
            is_admin: false,
        }
    }

    /// The values inserted before the configuration files are read
    /// (HTCondor's `fill_attributes`), in HTCondor's order.
    pub(crate) fn early_values(&self, subsystem: &str, local_name: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> Vec<(&'static str, String)> {
        let mut v: Vec<(&'static str, String)> = Vec::new();
        v.push(("ARCH", self.arch.clone()));
        v.push(("UNAME_ARCH", self.uname_arch.clone()));
        v.push(("OPSYS", self.opsys.clone()));
        if let Some(ver) = self.opsys_ver {
            v.push(("OPSYSVER", ver.to_string()));
        }
        if let Some(s) = &self.opsys_and_ver {
            v.push(("OPSYSANDVER", s.clone()));
        }
        v.push(("UNAME_OPSYS", self.uname_opsys.clone()));
        if let Some(m) = self.opsys_major_ver {
            v.push(("OPSYSMAJORVER", m.to_string()));
        }
        if let Some(s) = &self.opsys_name {
            v.push(("OPSYSNAME", s.clone()));
        }
        if let Some(s) = &self.opsys_long_name {
            v.push(("OPSYSLONGNAME", s.clone()));
        }
        if let Some(s) = &self.opsys_short_name {
            v.push(("OPSYSSHORTNAME", s.clone()));
        }
        v.push(("OPSYSLEGACY", self.opsys.clone()));
        v.push(("UTSNAME_SYSNAME", self.uname_opsys.clone()));
        v.push(("UTSNAME_NODENAME", self.hostname.clone()));
        v.push(("UTSNAME_RELEASE", self.utsname_release.clone()));
        v.push(("UTSNAME_VERSION", self.utsname_version.clone()));
        v.push(("UTSNAME_MACHINE", self.uname_arch.clone()));
        v.push(("CondorIsAdmin", if self.is_admin { "true" } else { "false" }.to_string()));
        v.push(("SUBSYSTEM", subsystem.to_string()));
        v.push(("LOCALNAME", local_name.filter(|l| !l.is_empty()).unwrap_or(subsystem).to_string()));
        v.push(("DETECTED_MEMORY", self.memory_mb.to_string()));
        v.push(("DETECTED_PHYSICAL_CPUS", self.cpus.to_string()));
        v.push(("DETECTED_CPUS", self.cpus.to_string()));
        v.push(("DETECTED_CORES", self.cpus.to_string()));
        if let Some(limit) = self.cpu_limit(env) {
            v.push(("DETECTED_CPUS_LIMIT", limit.to_string()));
        }
        v
    }

    /// HTCondor limits the CPUs a personal pool or glide-in claims by the
    /// thread limits batch systems put in the environment.
    fn cpu_limit(&self, env: &dyn Fn(&str) -> Option<String>) -> Option<u32> {
        let mut limit: Option<u32> = None;
        for var in ["OMP_THREAD_LIMIT", "SLURM_CPUS_ON_NODE"] {
            if let Some(n) = env(var).and_then(|v| v.trim().parse::<u32>().ok()).filter(|&n| n > 0) {
                if n < self.cpus && !matches!(limit, Some(l) if l <= n) {
                    limit = Some(n);
                }
            }
        }
        limit
    }

    /// The values inserted after the files (HTCondor's `reinsert_specials`),
    /// which the files cannot override.
    pub(crate) fn special_values(&self, subsystem: &str, local_name: Option<&str>) -> Vec<(&'static str, String)> {
        let mut v: Vec<(&'static str, String)> = Vec::new();
        if let Some(t) = &self.tilde {
            v.push(("TILDE", t.clone()));
        }
        v.push(("HOSTNAME", self.hostname.clone()));
        v.push(("FULL_HOSTNAME", self.full_hostname.clone()));
        v.push(("SUBSYSTEM", subsystem.to_string()));
        v.push(("LOCALNAME", local_name.filter(|l| !l.is_empty()).unwrap_or(subsystem).to_string()));
        if let Some(u) = &self.username {
            v.push(("USERNAME", u.clone()));
        }
        v.push(("REAL_UID", self.uid.to_string()));
        v.push(("REAL_GID", self.gid.to_string()));
        v.push(("PID", self.pid.to_string()));
        v.push(("PPID", self.ppid.to_string()));
        let ip = self.ipv4.clone().or_else(|| self.ipv6.clone()).unwrap_or_else(|| "127.0.0.1".to_string());
        let is_v6 = ip.contains(':');
        v.push(("IP_ADDRESS", ip));
        v.push(("IP_ADDRESS_IS_IPV6", if is_v6 { "true" } else { "false" }.to_string()));
        if let Some(a) = &self.ipv4 {
            v.push(("IPV4_ADDRESS", a.clone()));
        }
        if let Some(a) = &self.ipv6 {
            v.push(("IPV6_ADDRESS", a.clone()));
        }
        v.push(("DETECTED_CPUS", self.cpus.to_string()));
        v
    }
}
