//! Finding and connecting to one of the pool's daemons for the tools that
//! talk to any of them (`condor_ping`, `condor_userprio`, `condor_tail`):
//! this host's daemon by its address file, or one named with `-name`,
//! found through the collector (`-pool` to use another).

use client::BlockingClient;
use proto::address::{Address, Daemon};

/// `-name` / `-pool` / `-address` as the tools take them.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub name: Option<String>,
    pub pool: Option<String>,
    /// `-address`: an address as `unix:PATH`, `tcp:HOST:PORT` or `<HOST:PORT>`.
    pub address: Option<String>,
}

/// The collector ad type a daemon advertises itself with.
fn ad_type(daemon: Daemon) -> &'static str {
    use proto::collector::ad_type;
    match daemon {
        Daemon::Master => ad_type::MASTER,
        Daemon::Collector => ad_type::COLLECTOR,
        Daemon::Negotiator => ad_type::NEGOTIATOR,
        Daemon::Schedd => ad_type::SCHEDULER,
        Daemon::Startd => ad_type::MACHINE,
    }
}

/// Parse `-address`: Aerie's `unix:`/`tcp:` forms, or HTCondor's sinful `<host:port?…>`.
pub fn parse_address(text: &str) -> Result<Address, String> {
    if let Ok(a) = text.parse::<Address>() {
        return Ok(a);
    }
    let inner = text.trim().trim_start_matches('<').trim_end_matches('>');
    let inner = inner.split('?').next().unwrap_or(inner);
    if let Ok(a) = inner.parse::<Address>() {
        return Ok(a);
    }
    if inner.starts_with('/') {
        return Ok(Address::Unix(inner.into()));
    }
    if inner.rsplit_once(':').is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok()) {
        return Ok(Address::Tcp(inner.to_string()));
    }
    Err(format!("unable to parse address '{text}' (use unix:PATH, tcp:HOST:PORT or <HOST:PORT>)"))
}

/// The address of `daemon` as `target` says.
pub fn locate(daemon: Daemon, target: &Target) -> Result<Address, String> {
    if let Some(a) = &target.address {
        return parse_address(a);
    }
    let mut settings = daemon::Settings::load("TOOL").map_err(|e| e.to_string())?;
    if let Some(p) = &target.pool {
        settings.set("COLLECTOR_HOST", p);
    }
    match &target.name {
        None if target.pool.is_none() => daemon::locate::local_address(&settings, daemon).map_err(|e| e.to_string()),
        name => {
            let coll = daemon::locate::collector_address(&settings).map_err(|e| e.to_string())?;
            if daemon == Daemon::Collector && name.is_none() {
                return Ok(coll);
            }
            let c = BlockingClient::new(coll).map_err(|e| e.to_string())?;
            let constraint = name.as_ref().map(|n| {
                let q = proto::collector::quote(n);
                format!("Name == {q} || Machine == {q}")
            });
            let q = proto::collector::AdQuery {
                ad_type: Some(ad_type(daemon).to_string()),
                constraint,
                projection: vec!["MyAddress".to_string(), "Name".to_string()],
                limit: Some(1),
            };
            let ads = client::collector::query_blocking(&c, &q).map_err(|e| e.to_string())?;
            let what = name.as_deref().unwrap_or("(the pool's)");
            let ad = ads.first().ok_or_else(|| format!("the collector knows no {} named {what}", daemon.name()))?;
            let addrs = proto::collector::addresses(ad);
            proto::collector::pick_address(&addrs, |p| p.exists()).ok_or_else(|| format!("the {} {what} has no address this host can use", daemon.name()))
        }
    }
}

/// A client for `daemon` as `target` says.
pub fn connect(daemon: Daemon, target: &Target) -> Result<BlockingClient, String> {
    let addr = locate(daemon, target)?;
    BlockingClient::new(addr).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_aerie_and_htcondor_forms() {
        assert_eq!(parse_address("unix:/p/lock/schedd.sock").unwrap(), Address::Unix("/p/lock/schedd.sock".into()));
        assert_eq!(parse_address("<127.0.0.1:9618?addrs=127.0.0.1-9618>").unwrap(), Address::Tcp("127.0.0.1:9618".into()));
        assert_eq!(parse_address("<unix:/p/s.sock>").unwrap(), Address::Unix("/p/s.sock".into()));
        assert!(parse_address("nonsense").is_err());
    }
}
