//! The versions a daemon reports: the HTCondor release whose languages and
//! outputs Aerie matches (clients check it), and Aerie's own.

/// The HTCondor release Aerie speaks for.
pub const CONDOR_VERSION: &str = "25.0.14";

/// Aerie's own version.
pub const AERIE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// `$CondorVersion: 25.0.14 2025-01-31 Aerie $` (the `CondorVersion` attribute
/// and `condor_version`'s first line).
pub fn condor_version_line() -> String {
    format!("$CondorVersion: {CONDOR_VERSION} {} Aerie $", env!("AERIE_BUILD_DATE"))
}

/// `$CondorPlatform: X86_64-Debian_12 $`.
pub fn condor_platform_line() -> String {
    let f = crate::host::os_facts();
    if f.opsys_major_ver > 0 {
        format!("$CondorPlatform: {}-{}_{} $", f.arch, f.opsys_name, f.opsys_major_ver)
    } else {
        format!("$CondorPlatform: {}-Linux $", f.arch)
    }
}

/// `$AerieVersion: 0.1.0 $` (`condor_version`'s third line).
pub fn aerie_version_line() -> String {
    format!("$AerieVersion: {AERIE_VERSION} $")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_htcondor_shape() {
        let v = condor_version_line();
        assert!(v.starts_with("$CondorVersion: 25.0.14 ") && v.ends_with(" $"), "{v}");
        assert!(condor_platform_line().starts_with("$CondorPlatform: "));
    }
}
