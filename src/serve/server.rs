//! The web server: the page and its assets, and one WebSocket per page.
//!
//! axum on tokio. Each page's socket is one task that forwards the page's messages,
//! checked ([`protocol::parse`]), to the [`Hub`], and the hub's messages to the page.
//! It limits how fast a page may send ([`RATE`] a second, in bursts of [`BURST`]),
//! answers anything it cannot use with an `error` message in words, and ends quietly
//! when the page goes away.

use super::assets;
use super::hub::{Hub, Out};
use super::protocol::{self, MAX_MESSAGE, error};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::RecvError;

/// Messages a page may send a second, on average.
pub const RATE: f64 = 20.0;

/// Messages a page may send at once.
pub const BURST: f64 = 40.0;

/// A page that does not take a message within this time is dropped.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The routes: `/` (the page), `/app.js`, `/style.css`, `/ws` (the socket).
pub fn router(hub: Arc<Hub>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { page(assets::INDEX, "text/html; charset=utf-8") }),
        )
        .route(
            "/app.js",
            get(|| async { page(assets::APP_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/style.css",
            get(|| async { page(assets::STYLE_CSS, "text/css; charset=utf-8") }),
        )
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/ws", get(socket))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found: open / instead\n") })
        .with_state(hub)
}

fn page(body: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; connect-src 'self'; img-src 'self' data:",
            ),
        ],
        body,
    )
        .into_response()
}

async fn socket(ws: WebSocketUpgrade, State(hub): State<Arc<Hub>>) -> Response {
    ws.max_message_size(MAX_MESSAGE * 2)
        .max_frame_size(MAX_MESSAGE * 2)
        .on_failed_upgrade(|e| {
            super::note(&format!(
                "kampung serve: a page's socket failed to open: {e}"
            ))
        })
        .on_upgrade(move |s| client(s, hub))
}

/// A token bucket: how many messages a page may still send now.
struct Bucket {
    tokens: f64,
    at: Instant,
    dropped: u64,
    told: Option<Instant>,
}

impl Bucket {
    fn new() -> Bucket {
        Bucket {
            tokens: BURST,
            at: Instant::now(),
            dropped: 0,
            told: None,
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + RATE * (now - self.at).as_secs_f64()).min(BURST);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            self.dropped += 1;
            false
        }
    }

    /// Whether to tell the page about dropped messages now (at most once a second).
    fn tell(&mut self) -> bool {
        let now = Instant::now();
        if self.told.is_some_and(|t| now - t < Duration::from_secs(1)) {
            return false;
        }
        self.told = Some(now);
        true
    }
}

async fn send(s: &mut WebSocket, m: Message) -> bool {
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, s.send(m)).await,
        Ok(Ok(()))
    )
}

async fn text(s: &mut WebSocket, t: &str) -> bool {
    send(s, Message::Text(t.into())).await
}

/// One page's socket, until it closes.
async fn client(mut s: WebSocket, hub: Arc<Hub>) {
    let id = hub.new_client();
    let mut rx = hub.subscribe();
    let mut layout_sent = None;
    let mut bucket = Bucket::new();
    if let Err(e) = hub.send(id, protocol::Command::Hello) {
        let _ = text(&mut s, &error(&e)).await;
    }
    loop {
        tokio::select! {
            msg = s.recv() => {
                let ok = match msg {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => false,
                    Some(Ok(Message::Text(t))) => {
                        if bucket.take() {
                            match protocol::parse(t.as_str()).and_then(|c| hub.send(id, c)) {
                                Ok(()) => true,
                                Err(e) => text(&mut s, &error(&e)).await,
                            }
                        } else if bucket.tell() {
                            let n = bucket.dropped;
                            text(&mut s, &error(&format!(
                                "too many messages from this page: {n} ignored so far \
                                 (at most {RATE} a second)"
                            ))).await
                        } else {
                            true
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        text(&mut s, &error("the server reads text messages only")).await
                    }
                    Some(Ok(_)) => true, // ping and pong: answered by axum
                };
                if !ok {
                    break;
                }
            }
            out = rx.recv() => {
                let ok = match out {
                    Ok(Out::Frame(f)) => {
                        // Frames of a village the page has no layout for yet are useless.
                        if layout_sent.is_none() {
                            true
                        } else {
                            send(&mut s, Message::Binary(f)).await
                        }
                    }
                    Ok(Out::Text(to, t)) => {
                        if to.is_none_or(|to| to == id) {
                            text(&mut s, &t).await
                        } else {
                            true
                        }
                    }
                    Ok(Out::Hello(to, layout, t)) => {
                        if to.is_none_or(|to| to == id) {
                            let mut ok = true;
                            if layout_sent != Some(layout) {
                                let (lid, bytes) = hub.layout();
                                ok = send(&mut s, Message::Binary(bytes)).await;
                                layout_sent = Some(lid);
                            }
                            ok && text(&mut s, &t).await
                        } else {
                            true
                        }
                    }
                    Err(RecvError::Lagged(_)) => match hub.send(id, protocol::Command::Hello) {
                        Ok(()) => true,
                        Err(e) => text(&mut s, &error(&e)).await,
                    },
                    Err(RecvError::Closed) => false,
                };
                if !ok {
                    break;
                }
            }
        }
    }
}
