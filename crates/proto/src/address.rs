//! Where a daemon listens, and the address files that say so.
//!
//! Like HTCondor's `SCHEDD_ADDRESS_FILE`, each daemon writes its address to
//! a file under `$(LOG)` when it is ready; local tools read that file to
//! find it. An address is a Unix socket (`unix:/path`) for local clients or
//! a TCP endpoint (`tcp:host:port`) for other hosts.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A daemon's address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Address {
    Unix(PathBuf),
    Tcp(String),
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Unix(p) => write!(f, "unix:{}", p.display()),
            Address::Tcp(hp) => write!(f, "tcp:{hp}"),
        }
    }
}

/// An address that is neither `unix:PATH` nor `tcp:HOST:PORT`.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("'{0}' is not a daemon address: expected unix:/path/to/socket or tcp:host:port")]
pub struct BadAddress(pub String);

impl FromStr for Address {
    type Err = BadAddress;
    fn from_str(s: &str) -> Result<Address, BadAddress> {
        let s = s.trim();
        if let Some(p) = s.strip_prefix("unix:") {
            if !p.is_empty() {
                return Ok(Address::Unix(PathBuf::from(p)));
            }
        } else if let Some(hp) = s.strip_prefix("tcp:") {
            if hp.rsplit_once(':').is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok()) {
                return Ok(Address::Tcp(hp.to_string()));
            }
        }
        Err(BadAddress(s.to_string()))
    }
}

/// The daemons of a pool, by the names HTCondor gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Daemon {
    Master,
    Collector,
    Negotiator,
    Schedd,
    Startd,
}

impl Daemon {
    pub const ALL: [Daemon; 5] = [Daemon::Master, Daemon::Collector, Daemon::Negotiator, Daemon::Schedd, Daemon::Startd];

    /// Lowercase name (`schedd`), as in `condor_off -daemon schedd`.
    pub fn name(self) -> &'static str {
        match self {
            Daemon::Master => "master",
            Daemon::Collector => "collector",
            Daemon::Negotiator => "negotiator",
            Daemon::Schedd => "schedd",
            Daemon::Startd => "startd",
        }
    }

    /// Name in `DAEMON_LIST` and the subsystem name (`SCHEDD`).
    pub fn subsystem(self) -> &'static str {
        match self {
            Daemon::Master => "MASTER",
            Daemon::Collector => "COLLECTOR",
            Daemon::Negotiator => "NEGOTIATOR",
            Daemon::Schedd => "SCHEDD",
            Daemon::Startd => "STARTD",
        }
    }

    pub fn from_name(s: &str) -> Option<Daemon> {
        Daemon::ALL.into_iter().find(|d| d.name().eq_ignore_ascii_case(s) || d.subsystem().eq_ignore_ascii_case(s))
    }

    /// The address file's name under `$(LOG)`: `.schedd_address`.
    pub fn address_file_name(self) -> String {
        format!(".{}_address", self.name())
    }

    /// The log file HTCondor names for it under `$(LOG)` (`SchedLog`).
    pub fn log_file_name(self) -> &'static str {
        match self {
            Daemon::Master => "MasterLog",
            Daemon::Collector => "CollectorLog",
            Daemon::Negotiator => "NegotiatorLog",
            Daemon::Schedd => "SchedLog",
            Daemon::Startd => "StartLog",
        }
    }

    /// The Unix socket's file name under `$(LOCK)`: `schedd.sock`.
    pub fn socket_file_name(self) -> String {
        format!("{}.sock", self.name())
    }

    /// The `MyType` of the daemon's own ad in the collector.
    pub fn ad_type(self) -> &'static str {
        match self {
            Daemon::Master => "DaemonMaster",
            Daemon::Collector => "Collector",
            Daemon::Negotiator => "Negotiator",
            Daemon::Schedd => "Scheduler",
            Daemon::Startd => "Machine",
        }
    }
}

/// Read a daemon's address file.
pub fn read_address_file(path: &Path) -> std::io::Result<Address> {
    let text = std::fs::read_to_string(path)?;
    let first = text.lines().next().unwrap_or("");
    first
        .parse()
        .map_err(|e: BadAddress| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_and_print() {
        let a: Address = "unix:/tmp/pool/schedd.sock".parse().unwrap();
        assert_eq!(a.to_string(), "unix:/tmp/pool/schedd.sock");
        let t: Address = "tcp:127.0.0.1:9618".parse().unwrap();
        assert_eq!(t, Address::Tcp("127.0.0.1:9618".into()));
        assert!("tcp:nohost".parse::<Address>().is_err());
        assert!("http://x".parse::<Address>().unwrap_err().to_string().contains("unix:"));
    }

    #[test]
    fn daemon_names() {
        assert_eq!(Daemon::from_name("SCHEDD"), Some(Daemon::Schedd));
        assert_eq!(Daemon::Schedd.address_file_name(), ".schedd_address");
        assert_eq!(Daemon::Startd.log_file_name(), "StartLog");
        assert_eq!(Daemon::Master.ad_type(), "DaemonMaster");
    }
}
