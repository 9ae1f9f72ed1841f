//! `kampung serve`: the two villages (same settings, same village; a setting moves
//! only the right-hand one), and the server as a page sees it: what it sends on
//! connecting, and how it answers bad input (a message in words, never a crash),
//! floods, closed sockets and a room of pages.

use futures_util::{SinkExt, StreamExt};
use kampung::Scenario;
use kampung::serve::protocol::{Command, parse};
use kampung::serve::session::Setup;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command as Process, Stdio};
use std::time::Duration;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn lesson(name: &str) -> Scenario {
    Scenario::from_file(format!("scenarios/training/{name}.toml").as_ref()).expect("lesson")
}

fn bytes_at(setup: &Setup, step: u32) -> [Vec<u8>; 2] {
    let mut pair = setup.start();
    pair.advance_to(step);
    [0, 1].map(|k| {
        let mut out = Vec::new();
        pair.encode(k, &mut out);
        out
    })
}

#[test]
fn same_settings_same_village_and_a_setting_moves_only_the_right() {
    let mut setup = Setup::new(lesson("05-skip-organization"), None).expect("setup");
    // The lesson's right side skips organization; put it back: the sides are equal.
    setup
        .set("stage.organization", &Value::from("planned"))
        .expect("a valid setting");
    let [l, r] = bytes_at(&setup, 80);
    assert_eq!(l, r, "equal settings must give identical villages");
    assert_eq!(setup.labels()[1], "the same settings");
    setup
        .set("contacts_per_step", &Value::from(30))
        .expect("a valid setting");
    let [l2, r2] = bytes_at(&setup, 80);
    assert_eq!(l2, l, "the left village must not change");
    assert_ne!(r2, r, "the right village must change");
    assert!(setup.labels()[1].contains("30 visits"));
}

#[test]
fn settings_out_of_range_are_refused_in_words() {
    let mut setup = Setup::new(lesson("01-skip-immersion"), None).expect("setup");
    let before = setup.settings().clone();
    for (key, value, words) in [
        ("contacts_per_step", Value::from(0), "whole number from 1"),
        ("contacts_per_step", Value::from(2.5), "whole number"),
        ("contacts_per_step", Value::from("many"), "whole number"),
        ("exit_step", Value::from(100_000), "from 1 to 260"),
        ("systemic_bias", Value::from(1.5), "from 0 to 1"),
        ("elite_capture", Value::from(-1), "from 0 to 5"),
        (
            "facilitation",
            Value::from("loud"),
            "`open`, `inclusive` or `top_down`",
        ),
        ("targeting", Value::from(3), "a word in quotes"),
        (
            "stage.musyawarah",
            Value::from("skipped"),
            "no stage called",
        ),
        (
            "stage.design",
            Value::from("later"),
            "`planned`, `rushed` or `skipped`",
        ),
        ("weather", Value::from(1), "no setting called"),
    ] {
        let e = setup.set(key, &value).expect_err(key);
        assert!(e.contains(words), "{key} = {value}: {e}");
    }
    assert_eq!(
        setup.settings(),
        &before,
        "a refused setting changes nothing"
    );
}

#[test]
fn malformed_messages_are_refused_in_words() {
    for (text, words) in [
        ("", "could not read"),
        ("{", "could not read"),
        ("[1, 2]", "JSON object"),
        ("{\"kind\": \"play\"}", "needs a \"type\""),
        ("{\"type\": \"dance\"}", "does not know the message `dance`"),
        ("{\"type\": \"speed\", \"value\": 1e9}", "speed"),
        ("{\"type\": \"speed\", \"value\": \"fast\"}", "speed"),
        ("{\"type\": \"village\", \"seed\": -4}", "seed"),
        ("{\"type\": \"village\", \"seed\": \"abc\"}", "seed"),
        (
            "{\"type\": \"set\", \"key\": \"facilitation\"}",
            "needs a \"value\"",
        ),
        ("{\"type\": \"set\", \"value\": 3}", "\"key\""),
        ("{\"type\": \"hold\", \"value\": \"yes\"}", "true"),
        (
            "{\"type\": \"inspect\", \"side\": 2, \"household\": 1}",
            "side",
        ),
        (
            "{\"type\": \"inspect\", \"side\": 0, \"household\": -1}",
            "household",
        ),
        ("{\"type\": \"lesson\"}", "\"name\""),
    ] {
        let e = parse(text).expect_err(text);
        assert!(e.contains(words), "{text}: {e}");
    }
    let long = format!(
        "{{\"type\": \"lesson\", \"name\": \"{}\"}}",
        "x".repeat(5000)
    );
    assert!(parse(&long).expect_err("too long").contains("too long"));
    assert_eq!(parse("{\"type\": \"play\"}"), Ok(Command::Play));
    assert_eq!(
        parse("{\"type\": \"village\", \"seed\": \"42\"}"),
        Ok(Command::Village(Some(42)))
    );
}

/// The server under test, stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server(extra: &[&str]) -> Server {
    let mut child = Process::new(env!("CARGO_BIN_EXE_kampung"))
        .args(["serve", "--port", "0", "--paused"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("kampung serve starts");
    let out = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(out).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .expect("a line");
        if let Some(at) = line.find("http://") {
            let host = line[at + "http://".len()..]
                .split('/')
                .next()
                .unwrap_or_default()
                .to_string();
            break format!("ws://{host}/ws");
        }
    };
    Server { child, url }
}

async fn connect(s: &Server) -> Socket {
    let (ws, _) = tokio_tungstenite::connect_async(s.url.as_str())
        .await
        .expect("the socket opens");
    ws
}

/// The next message (text as JSON, binary as its first byte in `{"binary": b}`) that
/// matches `want`, within 10 s.
async fn until(ws: &mut Socket, want: impl Fn(&Value) -> bool) -> Value {
    let found = timeout(Duration::from_secs(10), async {
        while let Some(m) = ws.next().await {
            let v = match m.expect("a message") {
                Message::Text(t) => serde_json::from_str(t.as_str()).expect("JSON text"),
                Message::Binary(b) => serde_json::json!({"binary": b.first().copied()}),
                _ => continue,
            };
            if want(&v) {
                return v;
            }
        }
        panic!("the socket closed");
    })
    .await;
    found.expect("the awaited message came in time")
}

fn is_type(v: &Value, t: &str) -> bool {
    v["type"] == t
}

async fn say(ws: &mut Socket, text: &str) {
    ws.send(Message::Text(text.into())).await.expect("sent");
}

#[tokio::test]
async fn a_page_gets_the_layout_hello_and_frames_and_bad_input_gets_words() {
    let s = server(&["scenarios/training/01-skip-immersion.toml"]);
    let mut ws = connect(&s).await;
    let first = until(&mut ws, |_| true).await;
    assert_eq!(first["binary"], b'L', "the layout comes first");
    let hello = until(&mut ws, |v| is_type(v, "hello")).await;
    assert_eq!(hello["households"][0], 250);
    assert_eq!(hello["lesson"]["name"], "01-skip-immersion");
    assert!(hello["lessons"].as_array().is_some_and(|l| l.len() >= 8));
    until(&mut ws, |v| v["binary"] == b'F').await;

    for (bad, words) in [
        ("not json at all", "could not read"),
        ("{\"type\": \"speed\", \"value\": 1000}", "speed"),
        (
            "{\"type\": \"set\", \"key\": \"contacts_per_step\", \"value\": 0}",
            "contacts",
        ),
        (
            "{\"type\": \"set\", \"key\": \"exit_step\", \"value\": \"soon\"}",
            "leaves",
        ),
        (
            "{\"type\": \"lesson\", \"name\": \"../../etc/passwd\"}",
            "no lesson",
        ),
        (
            "{\"type\": \"inspect\", \"side\": 1, \"household\": 99999}",
            "no household 99999",
        ),
        ("{\"type\": \"village\", \"seed\": 1.5}", "seed"),
    ] {
        say(&mut ws, bad).await;
        let e = until(&mut ws, |v| is_type(v, "error")).await;
        let m = e["message"].as_str().unwrap_or_default();
        assert!(m.contains(words), "{bad}: {m}");
    }
    ws.send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .expect("sent");
    let e = until(&mut ws, |v| is_type(v, "error")).await;
    assert!(e["message"].as_str().unwrap_or_default().contains("text"));

    // Still alive: a step answers with a status and a frame.
    say(&mut ws, "{\"type\": \"step\"}").await;
    let st = until(&mut ws, |v| is_type(v, "status")).await;
    assert_eq!(st["step"], 1);
    // A household can be inspected.
    say(
        &mut ws,
        "{\"type\": \"inspect\", \"side\": 0, \"household\": 3}",
    )
    .await;
    let h = until(&mut ws, |v| is_type(v, "household")).await;
    assert_eq!(h["info"]["index"], 3);
}

#[tokio::test]
async fn a_flood_is_slowed_and_told_and_the_server_lives_on() {
    let s = server(&[]);
    let mut ws = connect(&s).await;
    until(&mut ws, |v| is_type(v, "hello")).await;
    for _ in 0..300 {
        say(&mut ws, "{\"type\": \"speed\", \"value\": 8}").await;
    }
    let e = until(&mut ws, |v| {
        is_type(v, "error")
            && v["message"]
                .as_str()
                .is_some_and(|m| m.contains("too many messages"))
    })
    .await;
    assert!(
        e["message"]
            .as_str()
            .unwrap_or_default()
            .contains("a second")
    );
    drop(ws);
    let mut again = connect(&s).await;
    until(&mut again, |v| is_type(v, "hello")).await;
}

#[tokio::test]
async fn twenty_pages_watch_one_village_and_closed_sockets_do_no_harm() {
    let s = server(&[]);
    // Pages that go away abruptly, some mid-handshake of the village.
    for _ in 0..10 {
        let ws = connect(&s).await;
        drop(ws);
    }
    let mut pages = Vec::new();
    for _ in 0..20 {
        let mut ws = connect(&s).await;
        until(&mut ws, |v| is_type(v, "hello")).await;
        pages.push(ws);
    }
    say(&mut pages[0], "{\"type\": \"step\"}").await;
    say(&mut pages[7], "{\"type\": \"step\"}").await;
    for ws in &mut pages {
        let st = until(ws, |v| is_type(v, "status") && v["step"] == 2).await;
        assert_eq!(st["playing"], false);
    }
    // A page closes properly, another just vanishes; the rest still get frames.
    let mut closing = pages.pop().expect("a page");
    closing.close(None).await.expect("closed");
    drop(pages.pop());
    say(&mut pages[3], "{\"type\": \"step\"}").await;
    for ws in &mut pages {
        until(ws, |v| is_type(v, "status") && v["step"] == 3).await;
    }
}

/// Applies a frame message to the state a page holds; returns whether it applied.
fn apply(msg: &[u8], state: &mut [Vec<u8>; 2], seq: &mut u32) -> bool {
    let u32_at = |o: usize| u32::from_le_bytes([msg[o], msg[o + 1], msg[o + 2], msg[o + 3]]);
    assert_eq!(msg[0], b'F');
    let s = u32_at(5);
    let jlen = u32_at(13) as usize;
    let mut o = 17 + jlen;
    let mut next = state.clone();
    for side in next.iter_mut() {
        let mode = msg[o];
        let n = u32_at(o + 1) as usize;
        o += 5;
        if mode == 0 {
            *side = msg[o..o + 2 * n].to_vec();
            o += 2 * n;
        } else {
            let k = u32_at(o) as usize;
            o += 4;
            if side.len() != 2 * n || s != *seq + 1 {
                return false;
            }
            for _ in 0..k {
                let i = u32_at(o) as usize;
                side[2 * i] = msg[o + 4];
                side[2 * i + 1] = msg[o + 5];
                o += 6;
            }
        }
    }
    assert_eq!(o, msg.len(), "the whole message is read");
    *state = next;
    *seq = s;
    true
}

#[test]
fn frames_of_changes_add_up_to_the_full_state_and_are_smaller() {
    use kampung::serve::protocol::Frames;
    let setup = Setup::new(lesson("07-elite-capture"), None).expect("setup");
    let mut pair = setup.start();
    let mut frames = Frames::new();
    let (mut state, mut seq) = (<[Vec<u8>; 2]>::default(), 0);
    let (mut sent, mut full) = (0usize, 0usize);
    let mut buf = Vec::new();
    while !pair.finished() {
        let said = pair.announcements().len();
        pair.advance();
        buf.clear();
        frames.message(&mut pair, 1, said, false, &mut buf);
        assert!(apply(&buf, &mut state, &mut seq), "step {}", pair.step());
        sent += buf.len();
        for (k, side) in state.iter().enumerate() {
            let mut now = Vec::new();
            pair.encode(k, &mut now);
            assert_eq!(side, &now, "side {k} at step {}", pair.step());
            full += now.len();
        }
    }
    assert!(
        sent < full,
        "changes only: {sent} bytes against {full} in full"
    );
    // A page that missed a frame does not apply the next changes.
    let mut missed = state.clone();
    let mut old = seq.wrapping_sub(1);
    buf.clear();
    frames.message(&mut pair, 1, 0, false, &mut buf);
    assert!(
        !apply(&buf, &mut missed, &mut old),
        "changes after a missed frame are not applied"
    );
    buf.clear();
    frames.message(&mut pair, 1, 0, true, &mut buf);
    assert!(
        apply(&buf, &mut missed, &mut old),
        "a keyframe always applies"
    );
}

#[test]
fn a_bad_command_line_says_why_and_exits_with_2() {
    let out = Process::new(env!("CARGO_BIN_EXE_kampung"))
        .args(["serve", "--households", "1", "--port", "0"])
        .output()
        .expect("kampung runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: --households"), "{err}");
}

#[test]
fn every_lesson_has_a_title_and_its_questions_for_the_room() {
    let lessons = kampung::serve::lessons::list("scenarios/training".as_ref());
    assert!(lessons.len() >= 8, "{} lessons", lessons.len());
    for l in &lessons {
        assert!(
            l.title.starts_with("Training lesson"),
            "{}: {}",
            l.name,
            l.title
        );
        let ask = l
            .sections
            .iter()
            .find(|s| s.heading == "ASK THE ROOM BEFORE RUNNING IT")
            .unwrap_or_else(|| panic!("{}: no questions", l.name));
        assert!(ask.body.starts_with("- "), "{}: {}", l.name, ask.body);
        assert!(
            l.sections.iter().all(|s| !s.body.contains("cargo run")),
            "{}: commands are left out",
            l.name
        );
    }
}
