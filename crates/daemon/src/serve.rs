//! Serving `/v1` on a Unix socket and TCP, and knowing who is calling.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::serve::IncomingStream;
use axum::{Json, Router};
use proto::address::Address;
use proto::ApiError;
use tokio::net::{TcpListener, UnixListener};

/// Who sent a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A local process; the kernel vouches for its user.
    Local { uid: u32, user: String },
    /// A TCP peer; not yet authenticated (tokens come with the security layer).
    Remote { peer: String },
}

impl Caller {
    /// Refuse a caller that may not use a daemon-to-daemon endpoint (claiming
    /// slots and running jobs on them, stopping daemons): a local caller
    /// must be root or the daemon's own user. A remote caller is let through
    /// only while the daemon does not run as root (no remote identity
    /// exists until token authentication lands; as root, trusting it would
    /// let anyone run jobs as anyone).
    pub fn require_daemon_peer(&self, what: &str) -> Result<(), ApiError> {
        let me = nix::unistd::geteuid().as_raw();
        match self {
            Caller::Local { uid, .. } if *uid == 0 || *uid == me => Ok(()),
            Caller::Local { user, .. } => Err(ApiError::permission_denied(format!(
                "{user} may not {what}: only root or the daemon's own user ({}) may",
                nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(me)).ok().flatten().map(|u| u.name).unwrap_or_else(|| me.to_string())
            ))
            .with_hint("jobs reach a startd through the schedd: use condor_submit")),
            Caller::Remote { .. } if me != 0 => Ok(()),
            Caller::Remote { peer } => Err(ApiError::permission_denied(format!(
                "{peer} may not {what}: remote callers are not authenticated yet, and this daemon runs as root"
            ))),
        }
    }

    /// The user name the caller acts as, if known.
    pub fn user(&self) -> Option<&str> {
        match self {
            Caller::Local { user, .. } => Some(user),
            Caller::Remote { .. } => None,
        }
    }
}

/// Connection info recorded for every accepted connection.
#[derive(Debug, Clone)]
pub struct PeerInfo(Caller);

impl Connected<IncomingStream<'_, UnixListener>> for PeerInfo {
    fn connect_info(stream: IncomingStream<'_, UnixListener>) -> PeerInfo {
        let caller = match stream.io().peer_cred() {
            Ok(cred) => {
                let uid = cred.uid();
                let user = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
                    .ok()
                    .flatten()
                    .map(|u| u.name)
                    .unwrap_or_else(|| uid.to_string());
                Caller::Local { uid, user }
            }
            Err(_) => Caller::Remote { peer: "unix socket (no credentials)".into() },
        };
        PeerInfo(caller)
    }
}

impl Connected<IncomingStream<'_, TcpListener>> for PeerInfo {
    fn connect_info(stream: IncomingStream<'_, TcpListener>) -> PeerInfo {
        PeerInfo(Caller::Remote { peer: stream.remote_addr().to_string() })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiFailure;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Caller, ApiFailure> {
        parts
            .extensions
            .get::<ConnectInfo<PeerInfo>>()
            .map(|ci| ci.0 .0.clone())
            .ok_or_else(|| ApiFailure(ApiError::internal("caller identity unavailable")))
    }
}

/// An [`ApiError`] as an HTTP answer: the status follows the error's code.
#[derive(Debug)]
pub struct ApiFailure(pub ApiError);

impl From<ApiError> for ApiFailure {
    fn from(e: ApiError) -> ApiFailure {
        ApiFailure(e)
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let status = match self.0.code.as_str() {
            "bad_request" => StatusCode::BAD_REQUEST,
            "not_found" => StatusCode::NOT_FOUND,
            "permission_denied" => StatusCode::FORBIDDEN,
            "unavailable" => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Json(self.0)).into_response()
    }
}

/// Where a daemon listens.
#[derive(Debug, Clone)]
pub struct Listeners {
    /// The Unix socket for local clients (a stale socket file is replaced).
    pub unix: PathBuf,
    /// A TCP address (`host:port`, port 0 for any) for other hosts, if wanted.
    pub tcp: Option<String>,
}

/// Bind the listeners, then serve `router` until `shutdown` resolves.
///
/// `on_ready` is called with the bound addresses once both sockets accept
/// connections (write the address file there).
pub async fn serve(
    router: Router,
    listeners: Listeners,
    on_ready: impl FnOnce(&[Address]),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    use anyhow::Context;
    if let Some(dir) = listeners.unix.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating socket directory {}", dir.display()))?;
    }
    let _ = std::fs::remove_file(&listeners.unix);
    let unix = UnixListener::bind(&listeners.unix).with_context(|| format!("binding {}", listeners.unix.display()))?;
    // Anyone on the host may connect; what they may do is decided per request from their uid.
    let _ = std::fs::set_permissions(&listeners.unix, std::fs::Permissions::from_mode(0o777));
    let mut addrs = vec![Address::Unix(listeners.unix.clone())];
    let tcp = match &listeners.tcp {
        Some(hp) => {
            let l = TcpListener::bind(hp).await.with_context(|| format!("binding TCP {hp}"))?;
            addrs.push(Address::Tcp(l.local_addr()?.to_string()));
            Some(l)
        }
        None => None,
    };
    on_ready(&addrs);
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = tx.send(true);
    });
    let wait = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|v| *v).await;
    };
    let unix_srv = axum::serve(unix, router.clone().into_make_service_with_connect_info::<PeerInfo>())
        .with_graceful_shutdown(wait(rx.clone()));
    match tcp {
        Some(t) => {
            let tcp_srv = axum::serve(t, router.into_make_service_with_connect_info::<PeerInfo>())
                .with_graceful_shutdown(wait(rx));
            let (a, b) = tokio::join!(unix_srv, tcp_srv);
            a?;
            b?;
        }
        None => unix_srv.await?,
    }
    let _ = std::fs::remove_file(&listeners.unix);
    Ok(())
}
