//! The one village the whole room watches: a thread that plays it and tells every
//! connected page what happens.
//!
//! Pages send checked [`Command`]s into a bounded queue ([`Hub::send`]); the driver
//! thread is the only one that touches the model. It plays at the chosen speed,
//! pausing a moment at each new stage when asked, and broadcasts each step's frame
//! to every page through one channel ([`Out`]); a page that falls behind skips frames
//! and asks for a fresh `hello`. A change that needs the runs rebuilt (reset, a new
//! village, a lesson, a setting) ends the current pair of runs and starts another,
//! replayed to the same step when only a setting changed, under a new epoch number
//! so that pages drop frames of the old one. Were the model to panic, the pages are
//! told and the driver starts again from the first village.

use super::lessons::Lesson;
use super::protocol::{self, Command, LayoutData, error, layout_message};
use super::session::{self, Pair, Setup};
use super::settings::Settings;
use axum::body::Bytes;
use serde_json::json;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// How long play stops at a new stage when pausing at stages is on.
pub const HOLD: Duration = Duration::from_millis(2500);

/// Commands waiting for the driver, at most.
const QUEUE: usize = 256;

/// Messages waiting for a slow page before it skips ahead.
const BACKLOG: usize = 64;

/// A page, by the number it got when it connected.
pub type ClientId = u64;

/// What the driver tells the pages.
#[derive(Debug, Clone)]
pub enum Out {
    /// A frame (binary), for every page.
    Frame(Bytes),
    /// A JSON text message, for every page or one.
    Text(Option<ClientId>, Arc<str>),
    /// Everything a page needs to draw from scratch, for every page or one; sent after
    /// the layout with this id, if the page does not have it yet.
    Hello(Option<ClientId>, u32, Arc<str>),
}

/// The shared side of the driver: where commands go in and messages come out.
#[derive(Debug)]
pub struct Hub {
    commands: SyncSender<(ClientId, Command)>,
    out: broadcast::Sender<Out>,
    layout: Mutex<(u32, Bytes)>,
    clients: AtomicU64,
    ids: AtomicU32,
}

impl Hub {
    /// Starts the driver thread on `setup`. With `autoplay`, play starts when the
    /// first page connects.
    pub fn start(setup: Setup, opts: Options) -> Arc<Hub> {
        let (tx, rx) = std::sync::mpsc::sync_channel(QUEUE);
        let (out, _) = broadcast::channel(BACKLOG);
        let hub = Arc::new(Hub {
            commands: tx,
            out,
            layout: Mutex::new((0, Bytes::new())),
            clients: AtomicU64::new(0),
            ids: AtomicU32::new(0),
        });
        let h = Arc::clone(&hub);
        std::thread::Builder::new()
            .name("kampung-village".into())
            .spawn(move || {
                // Should the model ever fail, the pages are told and the village
                // starts again, rather than the server going dead.
                loop {
                    let driver = Driver::new(Arc::clone(&h), opts.clone());
                    let start = setup.clone();
                    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        driver.run(&rx, start)
                    }));
                    if run.is_ok() {
                        return;
                    }
                    let _ = h.out.send(Out::Text(
                        None,
                        error(
                            "the model failed on the server (a bug: please report it with what \
                             you did last); the village starts again",
                        )
                        .into(),
                    ));
                }
            })
            .map_err(|e| super::note(&format!("error: could not start the village thread: {e}")))
            .ok();
        hub
    }

    /// A new epoch or layout number, never used before (also across restarts of the
    /// driver).
    fn next_id(&self) -> u32 {
        self.ids.fetch_add(1, Ordering::Relaxed).wrapping_add(1)
    }

    /// A number for a newly connected page.
    pub fn new_client(&self) -> ClientId {
        self.clients.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Subscribes to the driver's messages.
    pub fn subscribe(&self) -> broadcast::Receiver<Out> {
        self.out.subscribe()
    }

    /// Queues a command; says in words why not when the queue is full or the driver
    /// has stopped.
    pub fn send(&self, from: ClientId, c: Command) -> Result<(), String> {
        match self.commands.try_send((from, c)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                Err("the server is busy with other requests: try again in a moment".into())
            }
            Err(TrySendError::Disconnected(_)) => {
                Err("the village has stopped on the server: restart `kampung serve`".into())
            }
        }
    }

    /// The current layout message and its id.
    pub fn layout(&self) -> (u32, Bytes) {
        let g = self.layout.lock().unwrap_or_else(|e| e.into_inner());
        (g.0, g.1.clone())
    }
}

/// What ends a pair of runs.
enum Rebuild {
    /// Back to step 0.
    Reset,
    /// The right side's settings changed: replay to this step.
    Settings(Settings, u32),
    /// A new setup (another village or lesson).
    Setup(Box<Setup>, Option<String>),
    /// The queue closed: stop.
    Stop,
}

/// How the driver plays.
#[derive(Debug, Clone)]
pub struct Options {
    /// The folder of the lessons (`scenarios/training`).
    pub lessons: PathBuf,
    /// The scenario file played when no lesson is chosen.
    pub default_file: PathBuf,
    /// Households of every village, replacing the scenario's.
    pub households: Option<usize>,
    /// Start playing when the first page connects.
    pub autoplay: bool,
    /// The lesson being played at the start, if any (a file stem).
    pub lesson: Option<String>,
}

struct Driver {
    hub: Arc<Hub>,
    lesson: Option<String>,
    lessons_dir: PathBuf,
    default_file: PathBuf,
    households: Option<usize>,
    lessons: Vec<Lesson>,
    playing: bool,
    autoplay: bool,
    speed: f64,
    hold: bool,
    epoch: u32,
    layout_id: u32,
    layout_seed: Option<(u64, usize, String)>,
    frames: protocol::Frames,
    buf: Vec<u8>,
}

impl Driver {
    fn new(hub: Arc<Hub>, o: Options) -> Driver {
        Driver {
            hub,
            lesson: o.lesson,
            lessons: super::lessons::list(&o.lessons),
            lessons_dir: o.lessons,
            default_file: o.default_file,
            households: o.households,
            playing: false,
            autoplay: o.autoplay,
            speed: 8.0,
            hold: true,
            epoch: 0,
            layout_id: 0,
            layout_seed: None,
            frames: protocol::Frames::new(),
            buf: Vec::new(),
        }
    }

    fn emit(&self, o: Out) {
        // No page listening is not an error.
        let _ = self.hub.out.send(o);
    }

    fn tell(&self, to: Option<ClientId>, text: String) {
        self.emit(Out::Text(to, text.into()));
    }

    fn run(mut self, rx: &Receiver<(ClientId, Command)>, mut setup: Setup) {
        let mut replay_to = 0;
        loop {
            self.epoch = self.hub.next_id();
            self.update_layout(&setup);
            let outcome = {
                let mut pair = setup.start();
                pair.advance_to(replay_to);
                self.play(&mut pair, rx)
            };
            match outcome {
                Rebuild::Reset => replay_to = 0,
                Rebuild::Settings(s, t) => {
                    setup.set_settings(s);
                    replay_to = t;
                }
                Rebuild::Setup(s, lesson) => {
                    setup = *s;
                    self.lesson = lesson;
                    replay_to = 0;
                }
                Rebuild::Stop => return,
            }
        }
    }

    /// Lays out the village when it is a new one.
    fn update_layout(&mut self, setup: &Setup) {
        let key = (
            setup.village_seed(),
            setup.params(0).population.households,
            setup.scenario().name.clone(),
        );
        if self.layout_seed.as_ref() == Some(&key) {
            return;
        }
        let pair = setup.start();
        let sides = if setup.same_village() { 1 } else { 2 };
        let data: Vec<LayoutData> = (0..sides)
            .map(|k| {
                let v = pair.village(k);
                let groups: Vec<usize> = v.households.group.iter().map(|&g| g as usize).collect();
                let edges: Vec<(u32, u32)> = v.network.edges().collect();
                let e: Vec<(usize, usize)> = edges
                    .iter()
                    .map(|&(a, b)| (a as usize, b as usize))
                    .collect();
                LayoutData {
                    positions: super::layout::village_layout(
                        groups.len(),
                        &groups,
                        &e,
                        setup.village_seed(),
                    ),
                    marginalized: v.households.marginalized.clone(),
                    groups,
                    edges,
                }
            })
            .collect();
        self.layout_id = self.hub.next_id();
        let msg = Bytes::from(layout_message(self.layout_id, &data));
        *self.hub.layout.lock().unwrap_or_else(|e| e.into_inner()) = (self.layout_id, msg);
        self.layout_seed = Some(key);
    }

    fn status(&self, pair: &Pair<'_>) -> String {
        json!({
            "type": "status",
            "playing": self.playing,
            "speed": self.speed,
            "hold": self.hold,
            "step": pair.step(),
            "finished": pair.finished(),
        })
        .to_string()
    }

    fn hello(&self, pair: &Pair<'_>) -> String {
        let s = pair.setup();
        let p = s.params(0);
        let unit = super::bridge::unit_name(p.time.step);
        let lesson = self
            .lesson
            .as_ref()
            .and_then(|n| self.lessons.iter().find(|l| &l.name == n));
        let said = pair.announcements();
        let now = pair.now();
        json!({
            "type": "hello",
            "epoch": self.epoch,
            "layout": self.layout_id,
            "scenario": {
                "name": s.scenario().name,
                "description": s.scenario().description,
            },
            "seed": s.scenario().seed,
            "unit": unit,
            "steps": s.steps(),
            "households": [pair.village(0).households.len(), pair.village(1).households.len()],
            "groups": p.population.groups.iter().map(|g| json!({"name": g.name, "marginalized": g.marginalized})).collect::<Vec<_>>(),
            "labels": s.labels(),
            "settings": s.settings(),
            "initial": s.initial(),
            "limits": {
                "exit_min": p.organizer.entry_step.saturating_add(1).min(s.params(1).time.steps),
                "exit_max": s.params(1).time.steps,
                "contacts_max": super::settings::MAX_CONTACTS,
                "elite_capture_max": super::settings::MAX_ELITE_CAPTURE,
                "rushed_steps": super::settings::RUSHED_STEPS,
                "speed": protocol::SPEED_RANGE,
            },
            "exit": [s.params(0).organizer.exit_step, s.params(1).organizer.exit_step],
            "playing": self.playing,
            "speed": self.speed,
            "hold": self.hold,
            "step": pair.step(),
            "finished": pair.finished(),
            "now": now.iter().map(|x| json!({"stage": x.stage.number(), "since": x.since, "present": x.present})).collect::<Vec<_>>(),
            "history": pair.history().iter().map(|p| p.map(protocol::point_array)).collect::<Vec<_>>(),
            "said": &said[said.len().saturating_sub(200)..],
            "lesson": lesson,
            "lessons": self.lessons.iter().map(|l| json!({"name": l.name, "title": l.title})).collect::<Vec<_>>(),
        })
        .to_string()
    }

    fn send_frame(&mut self, pair: &mut Pair<'_>, said_from: usize, key: bool) {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        self.frames
            .message(pair, self.epoch, said_from, key, &mut buf);
        self.emit(Out::Frame(Bytes::copy_from_slice(&buf)));
        self.buf = buf;
    }

    /// Plays a pair until something needs it rebuilt.
    fn play(&mut self, pair: &mut Pair<'_>, rx: &Receiver<(ClientId, Command)>) -> Rebuild {
        self.frames = protocol::Frames::new();
        let hello = self.hello(pair);
        self.emit(Out::Hello(None, self.layout_id, hello.into()));
        let mut said = pair.announcements().len();
        self.send_frame(pair, said, true);
        let mut next = Instant::now();
        loop {
            // A step when one is due, before any command (a stream of commands must
            // not hold the village up).
            if self.playing && !pair.finished() && Instant::now() >= next {
                let milestone = pair.advance().iter().any(|a| a.is_milestone());
                self.send_frame(pair, said, false);
                said = pair.announcements().len();
                let tick = Duration::from_secs_f64(1.0 / self.speed.max(0.01));
                next += tick;
                let now = Instant::now();
                if next + tick < now {
                    next = now; // fell behind: do not rush to catch up
                }
                if milestone && self.hold {
                    next = now + HOLD;
                }
                if pair.finished() {
                    self.playing = false;
                    self.tell(None, self.status(pair));
                }
                continue;
            }
            let wait = if self.playing && !pair.finished() {
                next.saturating_duration_since(Instant::now())
            } else {
                Duration::from_secs(3600)
            };
            match rx.recv_timeout(wait) {
                Err(RecvTimeoutError::Disconnected) => return Rebuild::Stop,
                Err(RecvTimeoutError::Timeout) => {}
                Ok((from, cmd)) => match cmd {
                    Command::Hello => {
                        if self.autoplay {
                            self.autoplay = false;
                            self.playing = true;
                            next = Instant::now();
                        }
                        let hello = self.hello(pair);
                        self.emit(Out::Hello(Some(from), self.layout_id, hello.into()));
                        self.send_frame(pair, said, true);
                    }
                    Command::Play => {
                        self.autoplay = false;
                        if pair.finished() {
                            self.tell(
                                Some(from),
                                error("the run is over: press Reset to play it again"),
                            );
                        } else {
                            self.playing = true;
                            next = Instant::now();
                        }
                        self.tell(None, self.status(pair));
                    }
                    Command::Pause => {
                        self.autoplay = false;
                        self.playing = false;
                        self.tell(None, self.status(pair));
                    }
                    Command::Step => {
                        self.autoplay = false;
                        self.playing = false;
                        pair.advance();
                        self.send_frame(pair, said, false);
                        said = pair.announcements().len();
                        self.tell(None, self.status(pair));
                    }
                    Command::Speed(v) => {
                        self.speed = v;
                        next = Instant::now();
                        self.tell(None, self.status(pair));
                    }
                    Command::Hold(b) => {
                        self.hold = b;
                        if !b {
                            next = next.min(Instant::now());
                        }
                        self.tell(None, self.status(pair));
                    }
                    Command::Reset => return Rebuild::Reset,
                    Command::Restore => {
                        return Rebuild::Settings(pair.setup().initial().clone(), pair.step());
                    }
                    Command::Set(key, value) => match pair.setup().checked(&key, &value) {
                        Ok(s) => return Rebuild::Settings(s, pair.step()),
                        Err(e) => self.tell(Some(from), error(&e)),
                    },
                    Command::Village(seed) => {
                        let seed = seed.unwrap_or_else(fresh_seed);
                        match Setup::new(pair.setup().scenario().clone(), Some(seed)) {
                            Ok(mut s) => {
                                s.set_settings(pair.setup().settings()[1].clone());
                                return Rebuild::Setup(Box::new(s), self.lesson.clone());
                            }
                            Err(e) => self.tell(Some(from), error(&e.to_string())),
                        }
                    }
                    Command::Lesson(name) => match self.load_lesson(&name) {
                        Ok(s) => {
                            let lesson = (!name.is_empty()).then_some(name);
                            return Rebuild::Setup(Box::new(s), lesson);
                        }
                        Err(e) => self.tell(Some(from), error(&e)),
                    },
                    Command::Inspect { side, household } => {
                        let msg = match pair.inspect(side, household) {
                            Some(info) => json!({
                                "type": "household",
                                "side": side,
                                "epoch": self.epoch,
                                "step": pair.step(),
                                "info": info,
                            })
                            .to_string(),
                            None => error(&format!(
                                "there is no household {household} in the {} village (it has {})",
                                session::SIDES[side.min(1)],
                                pair.village(side).households.len()
                            )),
                        };
                        self.tell(Some(from), msg);
                    }
                },
            }
        }
    }

    fn load_lesson(&mut self, name: &str) -> Result<Setup, String> {
        self.lessons = super::lessons::list(&self.lessons_dir);
        let path = if name.is_empty() {
            self.default_file.clone()
        } else {
            match self.lessons.iter().find(|l| l.name == name) {
                Some(l) => l.path.clone(),
                None => {
                    return Err(format!(
                        "there is no lesson `{}` in {}",
                        name.chars().take(60).collect::<String>(),
                        self.lessons_dir.display()
                    ));
                }
            }
        };
        let households = self.households;
        session::load(&path, households)
            .and_then(|s| Setup::new(s, None))
            .map_err(|e| format!("the lesson could not be loaded: {e}"))
    }
}

/// A seed for a new village, from the clock.
fn fresh_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    t % 1_000_000
}
