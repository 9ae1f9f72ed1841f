//! The two villages the page shows, driven step by step: no network, no threads.
//!
//! A [`Setup`] fixes what is played: the scenario, its seeds and the two sides'
//! parameters. It starts from the terminal demo's [`Comparison`] (the scenario's first
//! strategy on the left; on the right its second strategy, or the same with the
//! organization stage skipped), and the page's [`Settings`] then change the right
//! side. Both sides build the same village and meet the same shocks, as in `demo`;
//! here they also draw their chance events from the same stream, so with the same
//! settings the two villages are identical and every difference comes from the
//! settings.
//!
//! A [`Pair`] is the two runs of a setup under way: [`Pair::advance`] takes one step
//! of both and returns what happened, in words ([`Announcement`]); the pair keeps
//! the measures the charts draw ([`Point`]) and what it announced, so that a page
//! that connects late gets the whole story.

use super::bridge::{
    Change, Comparison, EndReason, Error, EventKind, Metrics, Params, Result, Scenario, Simulation,
    Stage, Village, rng_from_seed, stage_text,
};
use super::settings::{Settings, describe};
use serde::Serialize;

/// Which village: the left-hand (reference) one or the right-hand one.
pub const SIDES: [&str; 2] = ["left", "right"];

/// What is played: the scenario and the two sides' parameters and seeds.
#[derive(Debug, Clone)]
pub struct Setup {
    scenario: Scenario,
    /// The right side's parameters before the page's settings.
    right_base: Params,
    /// The two sides' parameters in force.
    params: [Params; 2],
    /// The two sides' settings (the left's only for display).
    settings: [Settings; 2],
    /// The right side's settings as the setup began (what "as in the lesson" restores).
    initial: Settings,
    village_seed: u64,
    environment_seed: u64,
    dynamics_seed: u64,
    same_village: bool,
    left_label: String,
}

impl Setup {
    /// Sets up scenario `s` (with `seed` as its base seed, if given) as `demo` would
    /// with no options. Fails with the demo's message when the scenario cannot be
    /// shown (no organizer on its first strategy).
    pub fn new(s: Scenario, seed: Option<u64>) -> Result<Setup> {
        let cmp = Comparison::new(s, Change::default(), seed)?;
        let left = cmp.sides[0].params.clone();
        let right = cmp.sides[1].params.clone();
        let settings = [Settings::of(&left, &left), Settings::of(&right, &left)];
        Ok(Setup {
            village_seed: cmp.village_seed,
            environment_seed: cmp.environment_seed,
            dynamics_seed: cmp.sides[0].seed,
            same_village: cmp.same_village(),
            left_label: cmp.sides[0].label.clone(),
            initial: settings[1].clone(),
            scenario: cmp.scenario().clone(),
            right_base: right.clone(),
            params: [left, right],
            settings,
        })
    }

    /// The scenario (with the base seed in use).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The two sides' parameters in force.
    pub fn params(&self, side: usize) -> &Params {
        &self.params[side.min(1)]
    }

    /// The two sides' settings.
    pub fn settings(&self) -> &[Settings; 2] {
        &self.settings
    }

    /// Whether both sides draw the same households and ties.
    pub fn same_village(&self) -> bool {
        self.same_village
    }

    /// The seed of the village both sides build.
    pub fn village_seed(&self) -> u64 {
        self.village_seed
    }

    /// Column headings: what the left side is, what the right side changes.
    pub fn labels(&self) -> [String; 2] {
        let unit = super::bridge::unit_name(self.params[0].time.step);
        [
            self.left_label.clone(),
            describe(&self.settings[0], &self.settings[1], unit),
        ]
    }

    /// The number of steps played (the longer side's).
    pub fn steps(&self) -> u32 {
        self.params[0].time.steps.max(self.params[1].time.steps)
    }

    /// The right side's settings with one changed (see [`Settings::set`]), or what is
    /// wrong with the change.
    pub fn checked(
        &self,
        key: &str,
        value: &serde_json::Value,
    ) -> std::result::Result<Settings, String> {
        let p = &self.params[1];
        let mut s = self.settings[1].clone();
        s.set(key, value, p.time.steps, p.organizer.entry_step)?;
        Ok(s)
    }

    /// Changes one setting of the right side (see [`Settings::set`]).
    pub fn set(&mut self, key: &str, value: &serde_json::Value) -> std::result::Result<(), String> {
        let s = self.checked(key, value)?;
        self.set_settings(s);
        Ok(())
    }

    /// The right side's settings as the setup began (as the lesson has them).
    pub fn initial(&self) -> &Settings {
        &self.initial
    }

    /// Gives the right side these settings.
    pub fn set_settings(&mut self, s: Settings) {
        self.params[1] = s.apply(&self.right_base, &self.params[0]);
        self.settings[1] = s;
    }

    /// Starts the two runs at step 0.
    pub fn start(&self) -> Pair<'_> {
        let sims = [0, 1].map(|k| {
            let p = &self.params[k];
            let village = Village::build(
                p,
                &self.scenario.inputs,
                &mut rng_from_seed(self.village_seed),
            );
            Simulation::new(p, village, rng_from_seed(self.dynamics_seed))
                .with_environment(rng_from_seed(self.environment_seed))
        });
        let mut pair = Pair {
            setup: self,
            sims,
            trackers: [Tracker::default(), Tracker::default()],
            step: 0,
            history: Vec::new(),
            said: Vec::new(),
            metrics: [Metrics::default(); 2],
            at_meeting: Vec::new(),
        };
        pair.observe();
        pair
    }
}

/// One side's measures that the charts draw, and its stage, at one step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// The phase (0 before, 1 to 5 the stages, 6 the institution).
    pub stage: u8,
    /// Share of households trusting the organizer.
    pub trust: f32,
    /// The institution's capacity, 0 to 1.
    pub capacity: f32,
    /// The access gap (0 = none).
    pub gap: f32,
    /// Share of households taking part in collective action.
    pub participation: f32,
}

impl Point {
    fn of(stage: Stage, m: &Metrics) -> Point {
        Point {
            stage: stage.number(),
            trust: m.trusting as f32,
            capacity: m.capacity as f32,
            gap: m.access_gap as f32,
            participation: m.participation as f32,
        }
    }
}

/// Something that happened, in words a trainer can read aloud.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Announcement {
    /// The step it happened at.
    pub step: u32,
    /// 0 the left village, 1 the right, 2 both alike.
    pub side: usize,
    /// `stage` (a stage began), `skip` (one was skipped), `end` (one ended), `action`,
    /// `organization`, `exit`.
    pub kind: &'static str,
    /// The stage it concerns, when it concerns one (its number).
    pub stage: Option<u8>,
    /// A headline.
    pub title: String,
    /// What it means: what the organizer does now, and why.
    pub text: String,
}

impl Announcement {
    /// Whether it is worth a pause: a stage begins or is skipped, or the organizer
    /// leaves.
    pub fn is_milestone(&self) -> bool {
        matches!(self.kind, "stage" | "skip" | "exit")
    }
}

/// Follows one run, turning its changes into events (as the demo's tracker).
#[derive(Debug, Clone, Default)]
struct Tracker {
    stage: Option<Stage>,
    stage_start: u32,
    records_seen: usize,
    present: bool,
    successes: f64,
    failures: f64,
    formed: bool,
}

impl Tracker {
    fn observe(&mut self, sim: &Simulation<'_>, m: &Metrics, events: &mut Vec<(u32, EventKind)>) {
        let t = sim.current_step();
        let c = sim.community();
        for r in &c.records[self.records_seen.min(c.records.len())..] {
            events.push((
                r.end,
                match r.reason {
                    EndReason::Skipped => EventKind::StageSkipped(r.stage),
                    reason => EventKind::StageEnded(r.stage, reason),
                },
            ));
        }
        self.records_seen = c.records.len();
        if m.successes > self.successes || m.failures > self.failures {
            events.push((
                t,
                EventKind::ActionEnded {
                    success: m.successes > self.successes,
                    issue: (m.issue >= 0.0).then_some(m.issue as usize),
                },
            ));
        }
        self.successes = m.successes;
        self.failures = m.failures;
        if c.formed && !self.formed {
            events.push((t, EventKind::OrganizationFormed(m.members)));
        }
        self.formed = c.formed;
        if self.present && !c.organizer_present {
            events.push((t.saturating_sub(1), EventKind::OrganizerLeft));
        }
        self.present = c.organizer_present;
        match self.stage {
            None => {
                self.stage = Some(c.stage);
                if c.stage != Stage::Before {
                    events.push((t, EventKind::StageStarted(c.stage)));
                }
            }
            Some(old) if old != c.stage => {
                let start = if old == Stage::Before {
                    t.saturating_sub(1)
                } else {
                    t
                };
                self.stage = Some(c.stage);
                self.stage_start = start;
                events.push((start, EventKind::StageStarted(c.stage)));
                if c.stage == Stage::Institution && !c.formed {
                    events.push((start, EventKind::NoOrganization));
                }
            }
            Some(_) => {}
        }
    }
}

/// One side's state now, for a frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SideNow {
    /// The phase.
    pub stage: Stage,
    /// The step it began.
    pub since: u32,
    /// Whether the organizer is in the village.
    pub present: bool,
    /// The measures now.
    pub metrics: Metrics,
}

/// The state of one household, for the page's hover box.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdInfo {
    /// Its number in the village (0-based).
    pub index: usize,
    /// Its identifier (from a households file, else its number).
    pub id: u64,
    /// Its social group's name.
    pub group: String,
    /// Whether its group is marginalized.
    pub marginalized: bool,
    /// Its ties.
    pub ties: usize,
    /// Resources, in resource units.
    pub resources: f32,
    /// Smoothed access to benefits (1 = an equal share).
    pub access: f32,
    /// Trust in the organizer, 0 to 1.
    pub trust: f32,
    /// Awareness of the systemic causes, 0 to 1.
    pub awareness: f32,
    /// Belief that acting together works, 0 to 1.
    pub efficacy: f32,
    /// The issue that matters most to it.
    pub issue: String,
    /// What the organizing has done with it so far, in words.
    pub status: Vec<&'static str>,
}

/// Flag bits of a household's state byte in a frame.
pub mod flag {
    /// Contacted by the organizer in the latest step.
    pub const CONTACT: u8 = 1;
    /// Identified as marginalized by the organizer.
    pub const IDENTIFIED: u8 = 2;
    /// Interviewed in the investigation.
    pub const INTERVIEWED: u8 = 4;
    /// Attended a meeting at least once.
    pub const ATTENDED: u8 = 8;
    /// At the latest meeting.
    pub const AT_MEETING: u8 = 16;
    /// Taking part in collective action now.
    pub const PARTICIPATING: u8 = 32;
    /// Member of the people's organization.
    pub const MEMBER: u8 = 64;
    /// Leader of the people's organization.
    pub const LEADER: u8 = 128;
}

/// Bytes per household in a frame: the [`flag`] bits, then trust (high 4 bits) and
/// awareness (low 4 bits), each in 16 levels from 0 to 1.
pub const BYTES_PER_HOUSEHOLD: usize = 2;

/// The two runs of a [`Setup`] under way.
#[derive(Debug)]
pub struct Pair<'a> {
    setup: &'a Setup,
    sims: [Simulation<'a>; 2],
    trackers: [Tracker; 2],
    step: u32,
    history: Vec<[Point; 2]>,
    said: Vec<Announcement>,
    metrics: [Metrics; 2],
    at_meeting: Vec<bool>,
}

impl<'a> Pair<'a> {
    /// The setup being played.
    pub fn setup(&self) -> &'a Setup {
        self.setup
    }

    /// The current step (0 before the first).
    pub fn step(&self) -> u32 {
        self.step
    }

    /// Whether the last step has been played.
    pub fn finished(&self) -> bool {
        self.step >= self.setup.steps()
    }

    /// The chart points, one per step so far (step 0 first).
    pub fn history(&self) -> &[[Point; 2]] {
        &self.history
    }

    /// Everything announced so far, oldest first.
    pub fn announcements(&self) -> &[Announcement] {
        &self.said
    }

    /// The village of a side.
    pub fn village(&self, side: usize) -> &Village {
        self.sims[side.min(1)].village()
    }

    /// Each side now.
    pub fn now(&self) -> [SideNow; 2] {
        [0, 1].map(|k| {
            let c = self.sims[k].community();
            SideNow {
                stage: self.trackers[k].stage.unwrap_or(Stage::Before),
                since: self.trackers[k].stage_start,
                present: c.organizer_present,
                metrics: self.metrics[k],
            }
        })
    }

    /// Plays one step of both sides (a side whose run is over stays at its end).
    /// Returns what was announced in it.
    pub fn advance(&mut self) -> &[Announcement] {
        if self.finished() {
            return &[];
        }
        let before = self.said.len();
        self.step += 1;
        for k in 0..2 {
            if self.sims[k].current_step() < self.setup.params[k].time.steps {
                self.sims[k].step();
            }
        }
        self.observe();
        &self.said[before..]
    }

    /// Plays on to step `t` (or the end).
    pub fn advance_to(&mut self, t: u32) {
        while self.step < t && !self.finished() {
            self.advance();
        }
    }

    fn observe(&mut self) {
        let mut point = [Point::of(Stage::Before, &Metrics::default()); 2];
        let mut events: [Vec<(u32, EventKind)>; 2] = Default::default();
        for (k, ev) in events.iter_mut().enumerate() {
            let m = self.sims[k].measure();
            self.metrics[k] = m;
            self.trackers[k].observe(&self.sims[k], &m, ev);
            point[k] = Point::of(self.trackers[k].stage.unwrap_or(Stage::Before), &m);
        }
        self.history.push(point);
        // What both sides did at the same step is said once, for both (side 2).
        let mut said: Vec<(usize, u32, EventKind)> = Vec::new();
        for k in 0..2 {
            for &e in &events[k] {
                if k == 1 && events[0].contains(&e) {
                    continue;
                }
                let both = k == 0 && events[1].contains(&e);
                said.push((if both { 2 } else { k }, e.0, e.1));
            }
        }
        // A stage that ends as the next begins is said with the next.
        for &(side, t, e) in &said {
            let ended = said.iter().find_map(|&(s2, _, e2)| match e2 {
                EventKind::StageEnded(st, why) if s2 == side => Some((st, why)),
                _ => None,
            });
            let starts = said
                .iter()
                .any(|&(s2, _, e2)| s2 == side && matches!(e2, EventKind::StageStarted(_)));
            match e {
                EventKind::StageEnded(..) if starts => {}
                EventKind::StageStarted(_) => {
                    self.said.push(announce(self.setup, side, t, e, ended));
                }
                _ => self.said.push(announce(self.setup, side, t, e, None)),
            }
        }
    }

    /// Appends the state of every household of a side, [`BYTES_PER_HOUSEHOLD`] bytes
    /// each: the [`flag`] bits, then trust and awareness in 16 levels each.
    pub fn encode(&mut self, side: usize, out: &mut Vec<u8>) {
        let sim = &self.sims[side.min(1)];
        let h = &sim.village().households;
        let c = sim.community();
        let n = h.len();
        self.at_meeting.clear();
        self.at_meeting.resize(n, false);
        for &i in c.attendees() {
            if let Some(x) = self.at_meeting.get_mut(i as usize) {
                *x = true;
            }
        }
        let start = out.len();
        out.reserve(n * BYTES_PER_HOUSEHOLD);
        for i in 0..n {
            let bit = |on: bool, f: u8| if on { f } else { 0 };
            let f = bit(h.identified[i], flag::IDENTIFIED)
                | bit(h.interviewed[i], flag::INTERVIEWED)
                | bit(h.attended[i], flag::ATTENDED)
                | bit(self.at_meeting[i], flag::AT_MEETING)
                | bit(h.participating[i], flag::PARTICIPATING)
                | bit(h.member[i], flag::MEMBER)
                | bit(h.leader[i], flag::LEADER);
            out.push(f);
            out.push(level(h.trust[i]) << 4 | level(h.awareness[i]));
        }
        if c.organizer_present {
            for &i in c.contacts() {
                if let Some(b) = out.get_mut(start + i as usize * BYTES_PER_HOUSEHOLD) {
                    *b |= flag::CONTACT;
                }
            }
        }
    }

    /// The state of household `index` of a side, or `None` when there is no such
    /// household.
    pub fn inspect(&self, side: usize, index: usize) -> Option<HouseholdInfo> {
        let sim = self.sims.get(side)?;
        let v = sim.village();
        let h = &v.households;
        if index >= h.len() {
            return None;
        }
        let p = &self.setup.params[side];
        let pop = &p.population;
        let g = h.group[index] as usize;
        let mut status = Vec::new();
        let c = sim.community();
        if c.organizer_present && c.contacts().contains(&(index as u32)) {
            status.push("visited by the organizer this week");
        }
        if h.contacted[index] {
            status.push("has met the organizer");
        }
        if h.interviewed[index] {
            status.push("interviewed");
        }
        if h.identified[index] {
            status.push("identified as marginalized");
        }
        if h.attended[index] {
            status.push("came to a meeting");
        }
        if h.participating[index] {
            status.push("taking part in the action now");
        } else if h.participated[index] {
            status.push("took part in an action");
        }
        if h.leader[index] {
            status.push("a leader of the organization");
        } else if h.member[index] {
            status.push("a member of the organization");
        }
        Some(HouseholdInfo {
            index,
            id: h.external_id(index),
            group: pop
                .groups
                .get(g)
                .map_or_else(|| g.to_string(), |x| x.name.clone()),
            marginalized: h.marginalized[index],
            ties: v.network.degree(index),
            resources: h.resources[index],
            access: h.access[index],
            trust: h.trust[index],
            awareness: h.awareness[index],
            efficacy: h.efficacy[index],
            issue: pop
                .issues
                .get(h.priority[index] as usize)
                .cloned()
                .unwrap_or_else(|| h.priority[index].to_string()),
            status,
        })
    }
}

/// A value in [0, 1] as one of 16 levels (0 to 15).
fn level(x: f32) -> u8 {
    (x.clamp(0.0, 1.0) * 15.0).round() as u8
}

/// Why a stage ended, in words.
fn why(reason: EndReason, unit: &str) -> String {
    match reason {
        EndReason::Criterion => "its aim was reached".into(),
        EndReason::Timeout => format!("its {unit}s were up before its aim was reached"),
        EndReason::Exit => "the organizer left".into(),
        EndReason::RunEnd => "the run ended".into(),
        EndReason::Skipped => "it was skipped".into(),
    }
}

/// The words for an event of a side (2: both sides alike); `ended` is the stage that
/// ended as this one began, and why.
fn announce(
    setup: &Setup,
    side: usize,
    step: u32,
    e: EventKind,
    ended: Option<(Stage, EndReason)>,
) -> Announcement {
    let p = &setup.params[side.min(1)];
    let unit = super::bridge::unit_name(p.time.step);
    let village = match side {
        0 => "Left-hand village",
        1 => "Right-hand village",
        _ => "Both villages",
    };
    let a = |kind, stage: Option<Stage>, title: String, text: String| Announcement {
        step,
        side,
        kind,
        stage: stage.map(Stage::number),
        title,
        text,
    };
    match e {
        EventKind::StageStarted(s) => {
            let t = stage_text(s);
            let before = ended.map_or_else(String::new, |(st, r)| {
                format!("{} is over: {}. ", capitalized(st.name()), why(r, unit))
            });
            a(
                "stage",
                Some(s),
                format!("{village}: {}", t.title),
                format!("{before}{}", t.does),
            )
        }
        EventKind::StageSkipped(s) => a(
            "skip",
            Some(s),
            format!("{village} skips {}", s.name()),
            format!(
                "The organizer goes straight on without the {} stage: watch what that changes.",
                s.name()
            ),
        ),
        EventKind::StageEnded(s, reason) => a(
            "end",
            Some(s),
            format!("{village}: {} is over", s.name()),
            format!("It ended because {}.", why(reason, unit)),
        ),
        EventKind::ActionEnded { success, issue } => {
            let on = issue
                .and_then(|i| p.population.issues.get(i))
                .map_or_else(String::new, |x| format!(" on {x}"));
            a(
                "action",
                None,
                format!(
                    "{village}: the collective action{on} {}",
                    if success { "succeeded" } else { "failed" }
                ),
                if success {
                    "Acting together worked: people's belief that it works grows.".into()
                } else {
                    "Too few took part: belief that acting together works falls.".into()
                },
            )
        }
        EventKind::OrganizationFormed(share) => a(
            "organization",
            None,
            format!("{village}: the people's organization is formed"),
            format!(
                "{:.0}% of households are members; they have elected their leaders.",
                share * 100.0
            ),
        ),
        EventKind::NoOrganization => a(
            "organization",
            None,
            format!("{village}: no people's organization"),
            "The five stages ended without an organization to carry on the work.".into(),
        ),
        EventKind::OrganizerLeft => a(
            "exit",
            None,
            format!("{village}: the organizer leaves"),
            "From now on the village is on its own. What keeps it going?".into(),
        ),
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Reads a scenario file for serving, with the households replaced by `households`
/// when given (generated villages only).
pub fn load(path: &std::path::Path, households: Option<usize>) -> Result<Scenario> {
    let mut s = Scenario::from_file(path)?;
    if let Some(n) = households {
        resize(&mut s, n)?;
    }
    Ok(s)
}

/// Sets the number of households of every strategy of `s` to `n`.
pub fn resize(s: &mut Scenario, n: usize) -> Result<()> {
    if !(2..=1_000_000).contains(&n) {
        return Err(Error::Run(format!(
            "--households: give a number of households from 2 to 1000000, not {n}"
        )));
    }
    for st in &mut s.strategies {
        if st.params.population.households_csv.is_some() {
            return Err(Error::Run(
                "--households: this scenario loads its households from a file".into(),
            ));
        }
        st.params.population.households = n;
    }
    Ok(())
}
