//! Finding a pool's daemons: address files on this host, `COLLECTOR_HOST`
//! for the collector of a cluster.

use std::path::Path;

use proto::address::{read_address_file, Address, Daemon};
use proto::collector::pick_address;

use crate::settings::Settings;

/// HTCondor's well-known collector port.
pub const COLLECTOR_PORT: u16 = 9618;

/// Why a daemon could not be found.
#[derive(Debug, thiserror::Error)]
pub enum LocateError {
    #[error("the {daemon} is not running here: {file} does not exist (start the pool with `aerie pool start DIR`, or check {log})")]
    NoAddressFile { daemon: &'static str, file: String, log: String },
    #[error("cannot read {file}: {message}")]
    BadAddressFile { file: String, message: String },
}

/// The address of a daemon running on this host, from its address file:
/// its Unix socket if that exists, else its TCP address.
pub fn local_address(settings: &Settings, daemon: Daemon) -> Result<Address, LocateError> {
    let log = settings.log_dir();
    let file = log.join(daemon.address_file_name());
    let log_file = log.join(daemon.log_file_name());
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(_) => {
            return Err(LocateError::NoAddressFile {
                daemon: daemon.name(),
                file: file.display().to_string(),
                log: log_file.display().to_string(),
            })
        }
    };
    let addrs: Vec<Address> = text.lines().filter_map(|l| l.parse().ok()).collect();
    pick_address(&addrs, |p| p.exists()).ok_or_else(|| LocateError::BadAddressFile {
        file: file.display().to_string(),
        message: "no usable address in it".into(),
    })
}

/// The collector's address: `COLLECTOR_HOST` when it names a port other
/// than 0 and no collector of this host answers on a Unix socket; else the
/// local collector's address file (a personal pool's `127.0.0.1:0`).
pub fn collector_address(settings: &Settings) -> Result<Address, LocateError> {
    let local = local_address(settings, Daemon::Collector);
    if let Ok(a @ Address::Unix(_)) = &local {
        return Ok(a.clone());
    }
    match settings.get("COLLECTOR_HOST").and_then(|h| tcp_of_collector_host(&h)) {
        Some(tcp) => Ok(tcp),
        None => local,
    }
}

/// `host[:port]` (first of a list) → `tcp:host:port`; `None` for port 0.
pub fn tcp_of_collector_host(value: &str) -> Option<Address> {
    let first = value.split(|c: char| c == ',' || c.is_whitespace()).find(|s| !s.is_empty())?;
    let first = first.trim_start_matches('<').trim_end_matches('>');
    let first = first.split('?').next().unwrap_or(first);
    let (host, port) = match first.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), p.parse::<u16>().ok()?),
        None => (first.to_string(), COLLECTOR_PORT),
    };
    (port != 0 && !host.is_empty()).then(|| Address::Tcp(format!("{host}:{port}")))
}

/// The negotiator: its address file on this host, else its ad in the collector.
pub async fn negotiator_address(settings: &Settings) -> Option<Address> {
    if let Ok(a) = local_address(settings, Daemon::Negotiator) {
        return Some(a);
    }
    let coll = collector_address(settings).ok()?;
    let c = client::Client::new(coll);
    let q = proto::collector::AdQuery {
        ad_type: Some(proto::collector::ad_type::NEGOTIATOR.to_string()),
        projection: vec!["MyAddress".to_string()],
        ..Default::default()
    };
    let ads = client::collector::query(&c, &q).await.ok()?;
    let addrs = proto::collector::addresses(ads.first()?);
    pick_address(&addrs, |p| p.exists())
}

/// Read an address file, for tools that were given one.
pub fn address_from_file(path: &Path) -> Result<Address, LocateError> {
    read_address_file(path).map_err(|e| LocateError::BadAddressFile { file: path.display().to_string(), message: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collector_host_values() {
        assert_eq!(tcp_of_collector_host("cm.example.org"), Some(Address::Tcp("cm.example.org:9618".into())));
        assert_eq!(tcp_of_collector_host("cm:9000, cm2:9000"), Some(Address::Tcp("cm:9000".into())));
        assert_eq!(tcp_of_collector_host("127.0.0.1:0"), None);
    }

    #[test]
    fn missing_address_file_says_how_to_start_the_pool() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings::from_text("TOOL", &format!("LOG = {}\n", dir.path().display())).unwrap();
        let err = local_address(&s, Daemon::Schedd).unwrap_err().to_string();
        assert!(err.contains(".schedd_address") && err.contains("aerie pool start"), "{err}");
    }
}
