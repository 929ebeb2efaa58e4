//! The attributes every daemon's own ad carries.

use proto::address::{Address, Daemon};
use proto::collector::{quote, set_addresses};
use proto::WireAd;

use crate::settings::Settings;

/// Seconds since the epoch.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Seconds since the epoch, with a fraction.
pub fn now_f64() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

/// A daemon ad: `MyType`, `Name`, `Machine`, `MyAddress`, versions, start
/// time and pid. `name` is the daemon's `Name` (HTCondor uses the host name
/// for most daemons, `user@host` for a personal schedd).
pub fn daemon_ad(settings: &Settings, daemon: Daemon, name: &str, addrs: &[Address], start_time: i64) -> WireAd {
    let mut ad = WireAd::new();
    ad.set("MyType", quote(daemon.ad_type()));
    ad.set("TargetType", quote(""));
    ad.set("Name", quote(name));
    ad.set("Machine", quote(&crate::host::hostname()));
    set_addresses(&mut ad, addrs);
    ad.set("CondorVersion", quote(&crate::version::condor_version_line()));
    ad.set("CondorPlatform", quote(&crate::version::condor_platform_line()));
    ad.set("AerieVersion", quote(crate::version::AERIE_VERSION));
    ad.set("DaemonStartTime", start_time.to_string());
    ad.set("DaemonPid", std::process::id().to_string());
    ad.set("MyCurrentTime", now_secs().to_string());
    if let Some(host) = settings.get("COLLECTOR_HOST") {
        ad.set("CollectorHost", quote(&host));
    }
    ad
}
