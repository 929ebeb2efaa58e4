//! What every Aerie daemon shares.
//!
//! - [`serve`]: serving an axum router on a Unix socket (local clients,
//!   identified by the kernel's peer credentials) and optionally on TCP.
//! - [`Caller`]: the identity of whoever sent a request.
//! - [`ApiFailure`]: turning an [`proto::ApiError`] into an HTTP answer.
//! - [`address`]: writing the address file once a daemon is ready.
//! - [`logging`]: the daemon's log file under `$(LOG)`.
//! - [`shutdown_signal`]: SIGTERM/SIGINT/SIGQUIT as a future.
//! - [`settings`]: the configuration values a daemon reads (`param`).
//! - [`host`]: facts about the machine (name, cpus, memory, OS).
//! - [`locate`]: finding other daemons (address files, `COLLECTOR_HOST`).
//! - [`advertise`]: keeping a daemon's ads in the collector.
//! - [`ads`]: the attributes of every daemon ad; [`version`]: the versions.
//! - [`listeners_for`]: where a daemon listens, from its configuration.

pub mod address;
pub mod ads;
pub mod advertise;
pub mod host;
pub mod locate;
pub mod logging;
mod serve;
pub mod settings;
pub mod version;

pub use serve::{serve, ApiFailure, Caller, Listeners};
pub use settings::Settings;

use proto::address::Daemon;

/// Longest Unix socket path the kernel accepts (`sun_path` less its NUL).
pub const MAX_SOCKET_PATH: usize = 107;

/// Where `daemon` listens: `$(LOCK)/<daemon>.sock`, plus TCP when
/// `USE_TCP` is true (any port), or for the collector when `COLLECTOR_HOST`
/// names a port other than 0 (that port).
pub fn listeners_for(settings: &Settings, daemon: Daemon) -> anyhow::Result<Listeners> {
    let unix = settings.lock_dir().join(daemon.socket_file_name());
    let len = unix.as_os_str().len();
    if len > MAX_SOCKET_PATH {
        anyhow::bail!(
            "the socket path {} is {len} bytes long, more than the {MAX_SOCKET_PATH} a Unix socket allows; set LOCK to a shorter directory",
            unix.display()
        );
    }
    let mut tcp = None;
    if daemon == Daemon::Collector {
        if let Some(proto::address::Address::Tcp(hp)) =
            settings.get("COLLECTOR_HOST").and_then(|h| locate::tcp_of_collector_host(&h))
        {
            let port = hp.rsplit_once(':').map(|(_, p)| p.to_string()).unwrap_or_default();
            tcp = Some(format!("0.0.0.0:{port}"));
        }
    }
    if tcp.is_none() && settings.bool("USE_TCP", false) {
        tcp = Some(format!("{}:0", settings.get_or("BIND_ADDRESS", "0.0.0.0")));
    }
    Ok(Listeners { unix, tcp })
}

/// Resolves when the process is asked to stop (SIGTERM, SIGINT or SIGQUIT).
pub async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    async fn one(kind: SignalKind) {
        match signal(kind) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    }
    tokio::select! {
        _ = one(SignalKind::terminate()) => {},
        _ = one(SignalKind::interrupt()) => {},
        _ = one(SignalKind::quit()) => {},
    }
}
