//! What the page and the server say to each other over the WebSocket.
//!
//! The page sends small JSON text messages, one per button press or slider move
//! ([`parse`] turns one into a checked [`Command`], or into a message in words of what
//! is wrong with it). The server sends JSON text for what happens rarely (`hello`
//! with everything a page needs to draw from scratch, `status`, `error`,
//! `household`) and binary messages for what is large or frequent:
//!
//! - **layout** (`L`), once per village: `u32` layout id, `u8` number of layouts (1
//!   when both sides share the village, else 2), then per layout `u32 n`, `u32 m`,
//!   `n` × (`u16 x`, `u16 y`) positions in units of 1/65535, `n` group bytes, `n`
//!   marginalized bytes (0/1), `m` × (`u32`, `u32`) ties;
//! - **frame** (`F`), once per step: `u32` epoch, `u32` sequence number, `u32` step,
//!   `u32` length of a JSON part (each side's stage and chart point, and what was
//!   announced), the JSON, then per side a `u8` mode and `u32 n` (households), and
//!   for mode 0 (full) `n` × 2 state bytes ([`super::session::flag`] bits; trust and
//!   awareness in 16 levels each), for mode 1 (changes) `u32 k` and `k` × (`u32`
//!   household, its 2 state bytes): the households whose state changed since the
//!   frame numbered one less ([`Frames`]).
//!
//! All integers are little-endian. A page that missed a frame ignores changes until
//! the next full frame; the server sends one, after a fresh `hello`, to a page that
//! fell behind.

use super::settings::{number, shown, whole};
use serde_json::Value;

/// The largest message the page may send, in bytes.
pub const MAX_MESSAGE: usize = 4096;

/// Slowest and fastest play, in steps per second.
pub const SPEED_RANGE: (f64, f64) = (0.25, 60.0);

/// A checked request from the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Play on.
    Play,
    /// Stop playing.
    Pause,
    /// One step (and stop playing).
    Step,
    /// Back to step 0 of the same villages.
    Reset,
    /// Steps per second.
    Speed(f64),
    /// Another village: this seed, or a fresh one.
    Village(Option<u64>),
    /// Change a setting of the right-hand village.
    Set(String, Value),
    /// The right-hand village's settings back as the lesson has them.
    Restore,
    /// Load a lesson (by file stem), or the default scenario (empty name).
    Lesson(String),
    /// Pause a moment at each new stage.
    Hold(bool),
    /// The state of one household.
    Inspect {
        /// 0 left, 1 right.
        side: usize,
        /// The household's number.
        household: usize,
    },
    /// Send everything again (the page lost track).
    Hello,
}

/// Reads one message from the page. Errors are messages for the page, in words.
pub fn parse(text: &str) -> Result<Command, String> {
    if text.len() > MAX_MESSAGE {
        return Err(format!(
            "a message of {} bytes is too long (at most {MAX_MESSAGE})",
            text.len()
        ));
    }
    let v: Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "the server could not read a message from the page ({e}): `{}`",
            shown(&Value::String(text.to_string()))
        )
    })?;
    let Some(obj) = v.as_object() else {
        return Err(format!(
            "a message is a JSON object with a \"type\", not {}",
            shown(&v)
        ));
    };
    let ty = obj
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| "a message needs a \"type\" (such as \"play\")".to_string())?;
    let field = |k: &str| obj.get(k).unwrap_or(&Value::Null);
    Ok(match ty {
        "play" => Command::Play,
        "pause" => Command::Pause,
        "step" => Command::Step,
        "reset" => Command::Reset,
        "restore" => Command::Restore,
        "hello" => Command::Hello,
        "speed" => Command::Speed(number(
            field("value"),
            "the speed (steps per second)",
            SPEED_RANGE.0,
            SPEED_RANGE.1,
        )?),
        "village" => Command::Village(match field("seed") {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.trim().parse::<u64>().map_err(|_| {
                format!(
                    "a village's seed is a whole number from 0 to {}; got `{s}`",
                    u64::MAX
                )
            })?),
            v => {
                let x = v.as_u64().ok_or_else(|| {
                    format!(
                        "a village's seed is a whole number from 0 to {}; got {}",
                        u64::MAX,
                        shown(v)
                    )
                })?;
                Some(x)
            }
        }),
        "set" => {
            let key = field("key").as_str().ok_or_else(|| {
                "a setting needs its \"key\" (such as \"facilitation\")".to_string()
            })?;
            if !obj.contains_key("value") {
                return Err(format!("the setting `{key}` needs a \"value\""));
            }
            Command::Set(key.chars().take(64).collect(), field("value").clone())
        }
        "lesson" => {
            let name = field("name")
                .as_str()
                .ok_or_else(|| "a lesson is asked for by its \"name\"".to_string())?;
            if name.len() > 200 {
                return Err("that lesson name is too long".into());
            }
            Command::Lesson(name.to_string())
        }
        "hold" => Command::Hold(field("value").as_bool().ok_or_else(|| {
            format!(
                "pausing at each stage is on (true) or off (false), not {}",
                shown(field("value"))
            )
        })?),
        "inspect" => Command::Inspect {
            side: whole(field("side"), "the side (0 left, 1 right)", 0, 1)? as usize,
            household: whole(field("household"), "the household's number", 0, u32::MAX)? as usize,
        },
        other => {
            return Err(format!(
                "the server does not know the message `{}`",
                other.chars().take(40).collect::<String>()
            ));
        }
    })
}

/// A JSON text message `{"type": "error", "message": ...}`.
pub fn error(message: &str) -> String {
    serde_json::json!({ "type": "error", "message": message }).to_string()
}

/// Appends a little-endian `u32`.
pub fn put_u32(out: &mut Vec<u8>, x: u32) {
    out.extend_from_slice(&x.to_le_bytes());
}

/// The layout message of one or two villages: positions in `[0, 1]²`, groups,
/// marginalized flags and ties, per village.
pub fn layout_message(id: u32, villages: &[LayoutData]) -> Vec<u8> {
    let mut out = vec![b'L'];
    put_u32(&mut out, id);
    out.push(villages.len() as u8);
    for v in villages {
        let n = v.positions.len();
        put_u32(&mut out, n as u32);
        put_u32(&mut out, v.edges.len() as u32);
        for &(x, y) in &v.positions {
            let q = |a: f64| (a.clamp(0.0, 1.0) * 65535.0).round() as u16;
            out.extend_from_slice(&q(x).to_le_bytes());
            out.extend_from_slice(&q(y).to_le_bytes());
        }
        out.extend(v.groups.iter().map(|&g| g as u8));
        out.extend(v.marginalized.iter().map(|&m| m as u8));
        for &(a, b) in &v.edges {
            put_u32(&mut out, a);
            put_u32(&mut out, b);
        }
    }
    out
}

/// One village's layout, for [`layout_message`].
#[derive(Debug, Clone, Default)]
pub struct LayoutData {
    /// Positions in `[0, 1]²`.
    pub positions: Vec<(f64, f64)>,
    /// Group of each household.
    pub groups: Vec<usize>,
    /// Whether each household is marginalized.
    pub marginalized: Vec<bool>,
    /// The ties.
    pub edges: Vec<(u32, u32)>,
}

/// The frames of one pair of runs as sent to the pages: each frame carries the
/// households' state bytes in full (a keyframe) or only those that changed since the
/// frame before, whichever is smaller.
#[derive(Debug, Clone, Default)]
pub struct Frames {
    seq: u32,
    last: [Vec<u8>; 2],
    cur: Vec<u8>,
}

impl Frames {
    /// No frame sent yet: the next one is a keyframe.
    pub fn new() -> Frames {
        Frames::default()
    }

    /// Appends the frame message of the pair's current step to `out`: each side's
    /// stage and chart point, the announcements from number `said_from` on, and the
    /// households' state, in full when `key` (or when there is no frame before).
    pub fn message(
        &mut self,
        pair: &mut super::session::Pair<'_>,
        epoch: u32,
        said_from: usize,
        key: bool,
        out: &mut Vec<u8>,
    ) {
        let now = pair.now();
        let point = pair.history().last().copied();
        let said = pair.announcements().get(said_from..).unwrap_or(&[]);
        let json = serde_json::json!({
            "now": now.iter().map(|s| serde_json::json!({
                "stage": s.stage.number(),
                "since": s.since,
                "present": s.present,
                "members": round3(s.metrics.members),
                "awareness": round3(s.metrics.mean_awareness),
            })).collect::<Vec<_>>(),
            "p": point.map(|p| p.map(point_array)),
            "said": said,
        })
        .to_string();
        let key = key || self.seq == 0;
        self.seq = self.seq.wrapping_add(1).max(1);
        out.push(b'F');
        put_u32(out, epoch);
        put_u32(out, self.seq);
        put_u32(out, pair.step());
        put_u32(out, json.len() as u32);
        out.extend_from_slice(json.as_bytes());
        const B: usize = super::session::BYTES_PER_HOUSEHOLD;
        for side in 0..2 {
            self.cur.clear();
            pair.encode(side, &mut self.cur);
            let n = self.cur.len() / B;
            let last = &self.last[side];
            let changed = if key || last.len() != self.cur.len() {
                usize::MAX
            } else {
                self.cur
                    .chunks_exact(B)
                    .zip(last.chunks_exact(B))
                    .filter(|(a, b)| a != b)
                    .count()
            };
            if changed.saturating_mul(4 + B) < n * B {
                out.push(1);
                put_u32(out, n as u32);
                put_u32(out, changed as u32);
                for (i, (a, b)) in self
                    .cur
                    .chunks_exact(B)
                    .zip(last.chunks_exact(B))
                    .enumerate()
                {
                    if a != b {
                        put_u32(out, i as u32);
                        out.extend_from_slice(a);
                    }
                }
            } else {
                out.push(0);
                put_u32(out, n as u32);
                out.extend_from_slice(&self.cur);
            }
            std::mem::swap(&mut self.last[side], &mut self.cur);
        }
    }
}

/// A chart point as the page reads it: `[stage, trust, capacity, gap, participation]`.
pub fn point_array(p: super::session::Point) -> [f64; 5] {
    [
        p.stage as f64,
        round3(p.trust as f64),
        round3(p.capacity as f64),
        round3(p.gap as f64),
        round3(p.participation as f64),
    ]
}

fn round3(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1000.0).round() / 1000.0
    } else {
        0.0
    }
}
