//! The `kampung demo` command: parses its options, plays a [`Comparison`] at a pace a
//! room can follow, and writes the frames to standard output, as a screen redrawn in
//! place on a terminal or as plain lines otherwise.

use super::render::{PlainLog, Screen, summary};
use super::{Change, Comparison};
use crate::error::{Error, Result};
use crate::model::organizer::Facilitation;
use crate::model::stage::Stage;
use crate::scenario::Scenario;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The scenario `demo` plays when given none.
pub const DEFAULT_SCENARIO: &str = "scenarios/village.toml";

/// How long a milestone (a stage begins, a stage is skipped, the organizer leaves)
/// stays on screen before the run goes on.
pub const PAUSE: Duration = Duration::from_millis(2500);

/// A stage to skip on the compared side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SkipArg {
    /// 1. Immersion.
    Immersion,
    /// 2. Social investigation.
    Investigation,
    /// 3. Designing the initial activities (musyawarah).
    Design,
    /// 4. Carrying out the activities.
    Action,
    /// 5. Forming the people's organization.
    Organization,
}

impl From<SkipArg> for Stage {
    fn from(s: SkipArg) -> Stage {
        match s {
            SkipArg::Immersion => Stage::Immersion,
            SkipArg::Investigation => Stage::Investigation,
            SkipArg::Design => Stage::Design,
            SkipArg::Action => Stage::Action,
            SkipArg::Organization => Stage::Organization,
        }
    }
}

/// A facilitation style for the compared side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FacilitationArg {
    /// Open meetings: voice weighs by influence.
    Open,
    /// Equal voice, room reserved for the marginalized.
    Inclusive,
    /// The organizer decides; no vote.
    #[value(name = "top_down", alias = "top-down")]
    TopDown,
}

impl From<FacilitationArg> for Facilitation {
    fn from(f: FacilitationArg) -> Facilitation {
        match f {
            FacilitationArg::Open => Facilitation::Open,
            FacilitationArg::Inclusive => Facilitation::Inclusive,
            FacilitationArg::TopDown => Facilitation::TopDown,
        }
    }
}

fn speed(s: &str) -> std::result::Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of steps per second"))?;
    if !v.is_finite() || v < 0.0 {
        return Err(format!(
            "`{s}`: give a number of steps per second, 0 or more (0 = as fast as possible)"
        ));
    }
    Ok(v)
}

/// Options of `kampung demo`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
What is compared: the left side is the scenario's first strategy. The right side is the \
same with --skip and/or --facilitation applied; with neither, the scenario's second \
strategy when it has one, else the same village with the organization stage skipped \
(the people's organization is what keeps the gains once the organizer leaves). Both \
sides draw the same village and meet the same shocks.

Examples:
  kampung demo                                     # village.toml, organization skipped
  kampung demo --skip immersion
  kampung demo --facilitation open
  kampung demo scenarios/training/01-skip-immersion.toml
  kampung demo --plain --no-pause --speed 0 > demo.txt")]
pub struct DemoArgs {
    /// Scenario file [default: scenarios/village.toml].
    pub scenario: Option<PathBuf>,
    /// Skip this stage on the right side.
    #[arg(long, value_enum)]
    pub skip: Option<SkipArg>,
    /// Facilitate deliberation and elections this way on the right side.
    #[arg(long, value_enum)]
    pub facilitation: Option<FacilitationArg>,
    /// Steps per second (0 = as fast as possible).
    #[arg(long, default_value = "8", value_parser = speed, allow_hyphen_values = true)]
    pub speed: f64,
    /// Do not pause when a stage begins, a stage is skipped or the organizer leaves.
    #[arg(long)]
    pub no_pause: bool,
    /// Plain lines, no colours or cursor movement (the default when standard output
    /// is not a terminal).
    #[arg(long)]
    pub plain: bool,
    /// Base seed [default: the scenario's]; the demo plays replicate 0, as the first
    /// run of `kampung run` with this seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Plain output: a table of the indicators every this many steps [default: half
    /// a year of steps].
    #[arg(long, value_name = "STEPS")]
    pub every: Option<u32>,
}

/// Runs `kampung demo`.
pub fn run(a: DemoArgs) -> Result<ExitCode> {
    let file = a
        .scenario
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SCENARIO));
    let s = Scenario::from_file(&file)?;
    let change = Change {
        skip: a.skip.map(Stage::from),
        facilitation: a.facilitation.map(Facilitation::from),
    };
    let cmp = Comparison::new(s, change, a.seed)?;
    let out = std::io::stdout();
    let terminal = !a.plain && out.is_terminal();
    match play(&cmp, &a, terminal, &mut out.lock()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // The reader went away (`kampung demo | head`): not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(Error::Io {
            path: PathBuf::from("<stdout>"),
            source: e,
        }),
    }
}

/// Terminal size as (columns, rows), from the terminal, else `COLUMNS` and `LINES`,
/// else 80 × 24.
fn terminal_size() -> (usize, usize) {
    if let Some((rows, cols)) = console::Term::stdout().size_checked() {
        return (cols as usize, rows as usize);
    }
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&v: &usize| v > 0)
            .unwrap_or(d)
    };
    (env("COLUMNS", 80), env("LINES", 24))
}

fn play(cmp: &Comparison, a: &DemoArgs, terminal: bool, w: &mut impl Write) -> std::io::Result<()> {
    let tick = (a.speed > 0.0).then(|| Duration::from_secs_f64(1.0 / a.speed));
    let pause = (!a.no_pause).then_some(PAUSE);
    let mut demo = cmp.start();
    let mut next = Instant::now();
    // Keeps the pace after a frame is shown: the next tick, and a pause at a milestone.
    let pace = |next: &mut Instant, milestone: bool| {
        if let Some(t) = tick {
            *next += t;
            let now = Instant::now();
            if *next > now {
                std::thread::sleep(*next - now);
            }
        }
        if let (Some(p), true) = (pause, milestone) {
            std::thread::sleep(p);
            *next = Instant::now();
        }
    };
    if terminal {
        let mut screen = Screen::new(cmp, true);
        for frame in demo.by_ref() {
            screen.update(&frame);
            let (cols, rows) = terminal_size();
            w.write_all(screen.paint(cols, rows).as_bytes())?;
            w.flush()?;
            pace(&mut next, frame.is_milestone());
        }
        let sum = demo.into_summary();
        let (cols, _) = terminal_size();
        let mut text = String::from("\x1b[2J\x1b[H");
        for l in summary(cmp, &sum, true, cols.max(40)) {
            text.push_str(&super::render::fit_width(&l, cols));
            text.push_str("\x1b[K\n");
        }
        w.write_all(text.as_bytes())?;
        w.flush()?;
    } else {
        let p = &cmp.sides[0].params;
        let every = a
            .every
            .unwrap_or_else(|| (p.time.step.per_year() / 2.0).round() as u32);
        let log = PlainLog::new(cmp, every);
        for l in log.header() {
            writeln!(w, "{}", l.trim_end())?;
        }
        for frame in demo.by_ref() {
            for l in log.frame(&frame) {
                writeln!(w, "{}", l.trim_end())?;
            }
            w.flush()?;
            pace(&mut next, frame.is_milestone());
        }
        let sum = demo.into_summary();
        writeln!(w)?;
        for l in summary(cmp, &sum, false, 80) {
            writeln!(w, "{}", l.trim_end())?;
        }
        w.flush()?;
    }
    Ok(())
}
