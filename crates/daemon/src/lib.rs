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
///
/// The handlers are installed when this is called (not when the future is
/// first polled), so a daemon that calls it before announcing itself
/// cannot be killed by a SIGTERM that arrives in between.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{signal, SignalKind};
    let term = signal(SignalKind::terminate()).ok();
    let int = signal(SignalKind::interrupt()).ok();
    let quit = signal(SignalKind::quit()).ok();
    async fn one(s: Option<tokio::signal::unix::Signal>) {
        match s {
            Some(mut s) => {
                s.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    }
    async move {
        tokio::select! {
            _ = one(term) => {},
            _ = one(int) => {},
            _ = one(quit) => {},
        }
    }
}

/// Load the configuration for `daemon`, send its log to `<SUBSYS>_LOG`,
/// and run `body` on a tokio runtime with `threads` worker threads (1: a
/// current-thread runtime). Errors are logged and printed; the exit
/// status is 1 on error (HTCondor daemons exit non-zero when they cannot
/// start).
pub fn run_main<F, Fut>(daemon: Daemon, threads: usize, body: F) -> std::process::ExitCode
where
    F: FnOnce(Settings) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let settings = match Settings::load(daemon.subsystem()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("condor_{}: {e}", daemon.name());
            return std::process::ExitCode::from(1);
        }
    };
    let log = settings.path(&format!("{}_LOG", daemon.subsystem()));
    let level = settings.get_or(&format!("{}_DEBUG", daemon.subsystem()), "info");
    if let Err(e) = logging::init(log.as_deref(), &level) {
        eprintln!("condor_{}: cannot open its log {}: {e}", daemon.name(), log.map(|l| l.display().to_string()).unwrap_or_default());
        return std::process::ExitCode::from(1);
    }
    for w in &settings.warnings {
        tracing::warn!("{w}");
    }
    let rt = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()
    };
    let rt = match rt {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("condor_{}: cannot start its runtime: {e}", daemon.name());
            return std::process::ExitCode::from(1);
        }
    };
    match rt.block_on(body(settings)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("exiting: {e:#}");
            eprintln!("condor_{}: {e:#}", daemon.name());
            std::process::ExitCode::from(1)
        }
    }
}
