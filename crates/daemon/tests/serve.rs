//! A daemon's router served on a real Unix socket, called through the real client.

use axum::routing::post;
use axum::{Json, Router};
use client::Client;
use daemon::{ApiFailure, Caller, Listeners};
use proto::address::Address;
use proto::ApiError;

async fn whoami(caller: Caller, Json(n): Json<i64>) -> Result<Json<String>, ApiFailure> {
    if n < 0 {
        return Err(ApiError::bad_request(format!("negative: {n}")).with_hint("send a positive number").into());
    }
    Ok(Json(format!("{}:{n}", caller.user().unwrap_or("?"))))
}

#[tokio::test]
async fn unix_socket_caller_is_the_local_user_and_refusals_carry_hints() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("d.sock");
    let router = Router::new().route("/v1/whoami", post(whoami));
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let listeners = Listeners { unix: sock.clone(), tcp: Some("127.0.0.1:0".into()) };
    let server = tokio::spawn(daemon::serve(
        router,
        listeners,
        move |addrs| {
            let _ = ready_tx.send(addrs.to_vec());
        },
        async move {
            let _ = stop_rx.await;
        },
    ));
    let addrs = ready_rx.await.unwrap();
    assert_eq!(addrs[0], Address::Unix(sock.clone()));

    let me = nix::unistd::User::from_uid(nix::unistd::getuid()).unwrap().unwrap().name;
    let c = Client::new(addrs[0].clone());
    for i in 0..3 {
        // Several requests reuse one kept connection.
        let got: String = c.post("/v1/whoami", &i).await.unwrap();
        assert_eq!(got, format!("{me}:{i}"));
    }
    let err = c.post::<_, String>("/v1/whoami", &-1).await.unwrap_err();
    let api = err.api().expect("a refusal body");
    assert_eq!(api.code, "bad_request");
    assert_eq!(api.hint.as_deref(), Some("send a positive number"));

    // Over TCP the caller is not vouched for by the kernel.
    let t = Client::new(addrs[1].clone());
    let got: String = t.post("/v1/whoami", &5).await.unwrap();
    assert_eq!(got, "?:5");

    stop_tx.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(!sock.exists(), "socket file removed on shutdown");
}
