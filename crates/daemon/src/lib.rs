//! What every Aerie daemon shares.
//!
//! - [`serve`]: serving an axum router on a Unix socket (local clients,
//!   identified by the kernel's peer credentials) and optionally on TCP.
//! - [`Caller`]: the identity of whoever sent a request.
//! - [`ApiFailure`]: turning an [`proto::ApiError`] into an HTTP answer.
//! - [`address`]: writing the address file once a daemon is ready.
//! - [`logging`]: the daemon's log file under `$(LOG)`.
//! - [`shutdown_signal`]: SIGTERM/SIGINT/SIGQUIT as a future.

pub mod address;
pub mod logging;
mod serve;

pub use serve::{serve, ApiFailure, Caller, Listeners};

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
