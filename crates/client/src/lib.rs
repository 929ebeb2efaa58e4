//! Typed client for Aerie's `/v1` API.
//!
//! Front ends (the `condor_*` tools, the Python module) and daemons talking
//! to each other use this crate; it speaks HTTP/1.1 with JSON bodies over a
//! Unix socket (local) or TCP. Connections are kept and reused, so a daemon
//! sending many small requests to another pays the connection cost once.
//!
//! [`Client`] is async; [`BlockingClient`] wraps it for command-line tools.
//! Typed calls per daemon live in [`schedd`], [`collector`] and [`startd`].

pub mod collector;
pub mod schedd;
pub mod startd;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use proto::address::Address;
use proto::ApiError;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why a request did not get an answer.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot connect to {addr}: {source}")]
    Connect { addr: Address, source: std::io::Error },
    #[error("{0}")]
    Api(ApiError),
    #[error("HTTP error talking to {addr}: {message}")]
    Http { addr: Address, message: String },
    #[error("unexpected answer from {addr}: {message}")]
    Decode { addr: Address, message: String },
}

impl ClientError {
    /// The refusal the daemon sent, if it answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            ClientError::Api(e) => Some(e),
            _ => None,
        }
    }
}

type Conn = SendRequest<Full<Bytes>>;

/// An async client for one daemon.
pub struct Client {
    addr: Address,
    idle: Mutex<Vec<Conn>>,
    closed: Arc<tokio::sync::Notify>,
}

impl Client {
    pub fn new(addr: Address) -> Client {
        Client { addr, idle: Mutex::new(Vec::new()), closed: Arc::new(tokio::sync::Notify::new()) }
    }

    pub fn address(&self) -> &Address {
        &self.addr
    }

    /// Resolves when one of this client's connections has closed since the
    /// last call (the daemon went away, or dropped an idle connection). A
    /// daemon that advertises to a collector uses it to notice a restart
    /// without waiting for its next periodic update.
    pub async fn connection_closed(&self) {
        self.closed.notified().await
    }

    async fn connect(&self) -> Result<Conn, ClientError> {
        let connect_err = |source| ClientError::Connect { addr: self.addr.clone(), source };
        let http_err = |e: hyper::Error| ClientError::Http { addr: self.addr.clone(), message: e.to_string() };
        match &self.addr {
            Address::Unix(path) => {
                let stream = tokio::net::UnixStream::connect(path).await.map_err(connect_err)?;
                let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(http_err)?;
                let closed = self.closed.clone();
                tokio::spawn(async move {
                    let _ = conn.await;
                    closed.notify_one();
                });
                Ok(send)
            }
            Address::Tcp(hp) => {
                let stream = tokio::net::TcpStream::connect(hp).await.map_err(connect_err)?;
                let _ = stream.set_nodelay(true);
                let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(http_err)?;
                let closed = self.closed.clone();
                tokio::spawn(async move {
                    let _ = conn.await;
                    closed.notify_one();
                });
                Ok(send)
            }
        }
    }

    async fn take_conn(&self) -> Result<Conn, ClientError> {
        loop {
            let reused = self.idle.lock().map(|mut v| v.pop()).unwrap_or(None);
            match reused {
                Some(mut c) => {
                    if c.ready().await.is_ok() {
                        return Ok(c);
                    }
                }
                None => return self.connect().await,
            }
        }
    }

    fn put_conn(&self, c: Conn) {
        if let Ok(mut v) = self.idle.lock() {
            if v.len() < 16 {
                v.push(c);
            }
        }
    }

    /// Send `body` as JSON to `path` and return the raw answer body.
    async fn send(&self, path: &str, body: Vec<u8>) -> Result<(StatusCode, Bytes), ClientError> {
        let http_err = |message: String| ClientError::Http { addr: self.addr.clone(), message };
        let mut conn = self.take_conn().await?;
        let req = Request::post(path)
            .header("host", "aerie")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| http_err(e.to_string()))?;
        let resp = conn.send_request(req).await.map_err(|e| http_err(e.to_string()))?;
        let status = resp.status();
        let bytes = resp.into_body().collect().await.map_err(|e| http_err(e.to_string()))?.to_bytes();
        self.put_conn(conn);
        Ok((status, bytes))
    }

    fn decode<T: DeserializeOwned>(&self, status: StatusCode, bytes: &[u8]) -> Result<T, ClientError> {
        if !status.is_success() {
            return Err(match serde_json::from_slice::<ApiError>(bytes) {
                Ok(e) => ClientError::Api(e),
                Err(_) => ClientError::Http {
                    addr: self.addr.clone(),
                    message: format!("{status}: {}", String::from_utf8_lossy(bytes)),
                },
            });
        }
        serde_json::from_slice(bytes).map_err(|e| ClientError::Decode { addr: self.addr.clone(), message: e.to_string() })
    }

    /// POST `req` as JSON to `path` and decode the JSON answer.
    pub async fn post<Req: Serialize, Resp: DeserializeOwned>(&self, path: &str, req: &Req) -> Result<Resp, ClientError> {
        let body = serde_json::to_vec(req).map_err(|e| ClientError::Decode { addr: self.addr.clone(), message: e.to_string() })?;
        let (status, bytes) = self.send(path, body).await?;
        self.decode(status, &bytes)
    }

    /// POST `req` and decode an answer of JSON lines (one item per line).
    pub async fn post_lines<Req: Serialize, Item: DeserializeOwned>(
        &self,
        path: &str,
        req: &Req,
    ) -> Result<Vec<Item>, ClientError> {
        let body = serde_json::to_vec(req).map_err(|e| ClientError::Decode { addr: self.addr.clone(), message: e.to_string() })?;
        let (status, bytes) = self.send(path, body).await?;
        if !status.is_success() {
            return Err(self.decode::<serde_json::Value>(status, &bytes).err().unwrap_or_else(|| ClientError::Http {
                addr: self.addr.clone(),
                message: status.to_string(),
            }));
        }
        bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).map_err(|e| ClientError::Decode { addr: self.addr.clone(), message: e.to_string() }))
            .collect()
    }

    /// POST `req` and hand each line of a JSON-lines answer to `each` as it
    /// arrives (a million-line answer is never held whole). `each` returns
    /// false to stop reading.
    pub async fn post_each_line<Req: Serialize, Item: DeserializeOwned>(
        &self,
        path: &str,
        req: &Req,
        mut each: impl FnMut(Item) -> bool,
    ) -> Result<(), ClientError> {
        let http_err = |message: String| ClientError::Http { addr: self.addr.clone(), message };
        let decode_err = |e: serde_json::Error| ClientError::Decode { addr: self.addr.clone(), message: e.to_string() };
        let body = serde_json::to_vec(req).map_err(decode_err)?;
        let mut conn = self.take_conn().await?;
        let request = Request::post(path)
            .header("host", "aerie")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| http_err(e.to_string()))?;
        let resp = conn.send_request(request).await.map_err(|e| http_err(e.to_string()))?;
        let status = resp.status();
        let mut body = resp.into_body();
        if !status.is_success() {
            let bytes = body.collect().await.map_err(|e| http_err(e.to_string()))?.to_bytes();
            return Err(self.decode::<serde_json::Value>(status, &bytes).err().unwrap_or_else(|| http_err(status.to_string())));
        }
        let mut pending: Vec<u8> = Vec::new();
        let mut stopped = false;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| http_err(e.to_string()))?;
            let Ok(data) = frame.into_data() else { continue };
            if stopped {
                continue;
            }
            pending.extend_from_slice(&data);
            let mut start = 0;
            while let Some(nl) = pending[start..].iter().position(|b| *b == b'\n') {
                let line = &pending[start..start + nl];
                start += nl + 1;
                if line.is_empty() {
                    continue;
                }
                if !each(serde_json::from_slice(line).map_err(decode_err)?) {
                    stopped = true;
                    break;
                }
            }
            pending.drain(..start);
        }
        if !stopped && !pending.iter().all(u8::is_ascii_whitespace) {
            each(serde_json::from_slice(&pending).map_err(decode_err)?);
        }
        self.put_conn(conn);
        Ok(())
    }
}

/// A blocking client for command-line tools: one small runtime per client.
pub struct BlockingClient {
    rt: tokio::runtime::Runtime,
    inner: Client,
}

impl BlockingClient {
    pub fn new(addr: Address) -> std::io::Result<BlockingClient> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        Ok(BlockingClient { rt, inner: Client::new(addr) })
    }

    pub fn address(&self) -> &Address {
        self.inner.address()
    }

    pub fn post<Req: Serialize, Resp: DeserializeOwned>(&self, path: &str, req: &Req) -> Result<Resp, ClientError> {
        self.rt.block_on(self.inner.post(path, req))
    }

    pub fn post_lines<Req: Serialize, Item: DeserializeOwned>(&self, path: &str, req: &Req) -> Result<Vec<Item>, ClientError> {
        self.rt.block_on(self.inner.post_lines(path, req))
    }

    /// Blocking [`Client::post_each_line`].
    pub fn post_each_line<Req: Serialize, Item: DeserializeOwned>(
        &self,
        path: &str,
        req: &Req,
        each: impl FnMut(Item) -> bool,
    ) -> Result<(), ClientError> {
        self.rt.block_on(self.inner.post_each_line(path, req, each))
    }
}
