//! The settings a trainer varies on the right-hand village, in plain words, and how
//! they change its parameters.
//!
//! Each setting arrives from the page as one `set` message with a key and a value;
//! [`Settings::set`] checks it (type and range) and says in words what is wrong when
//! it is not acceptable. [`Settings::apply`] writes the settings into a copy of the
//! parameters.

use super::bridge::{Facilitation, Params, Stage, StagePlan, Targeting};
use serde::Serialize;
use serde_json::Value;

/// A rushed stage lasts at most this many steps (lesson 6 cuts immersion to three).
pub const RUSHED_STEPS: u32 = 3;

/// The most contacts per step a page may ask for (the scenario files' own limit).
pub const MAX_CONTACTS: u32 = 10_000;

/// The highest elite capture a page may ask for (the scenario files' own limit).
pub const MAX_ELITE_CAPTURE: f64 = 5.0;

/// How one of the five stages is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageMode {
    /// As the scenario plans it.
    Planned,
    /// Cut to at most [`RUSHED_STEPS`] steps.
    Rushed,
    /// Not done at all.
    Skipped,
}

/// The settings of one village that the page can change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// How each of the five stages is done, in order.
    pub stages: [StageMode; 5],
    /// How meetings and elections are facilitated.
    pub facilitation: Facilitation,
    /// Whom the organizer visits first.
    pub targeting: Targeting,
    /// Households the organizer visits per step.
    pub contacts_per_step: u32,
    /// The step at which the organizer leaves (the run's length: stays to the end).
    pub exit_step: u32,
    /// Exclusion of marginalized households from benefits, in [0, 1].
    pub systemic_bias: f64,
    /// Weight of influence in who gets benefits, in [0, 5].
    pub elite_capture: f64,
}

impl Settings {
    /// The settings of a run with these parameters; `planned` gives the stage plans
    /// counted as "as planned" (the left-hand village's).
    pub fn of(p: &Params, planned: &Params) -> Settings {
        let stages = Stage::FIVE.map(|s| {
            let (Some(plan), Some(base)) = (p.stages.get(s), planned.stages.get(s)) else {
                return StageMode::Planned;
            };
            if plan.skip {
                StageMode::Skipped
            } else if plan.max_steps <= RUSHED_STEPS && plan.max_steps < base.max_steps {
                StageMode::Rushed
            } else {
                StageMode::Planned
            }
        });
        Settings {
            stages,
            facilitation: p.organizer.facilitation,
            targeting: p.organizer.targeting,
            contacts_per_step: p.organizer.contacts_per_step,
            exit_step: p.organizer.exit_step.min(p.time.steps),
            systemic_bias: p.economy.systemic_bias,
            elite_capture: p.economy.elite_capture,
        }
    }

    /// `base` with these settings; stage plans "as planned" are `planned`'s.
    pub fn apply(&self, base: &Params, planned: &Params) -> Params {
        let mut p = base.clone();
        for (k, &s) in Stage::FIVE.iter().enumerate() {
            let Some(plan) = planned.stages.get(s).cloned() else {
                continue;
            };
            let new = match self.stages[k] {
                StageMode::Planned => StagePlan {
                    skip: false,
                    ..plan
                },
                StageMode::Rushed => StagePlan {
                    skip: false,
                    min_steps: 1,
                    max_steps: plan.max_steps.clamp(1, RUSHED_STEPS),
                    target: plan.target,
                },
                StageMode::Skipped => StagePlan { skip: true, ..plan },
            };
            match s {
                Stage::Immersion => p.stages.immersion = new,
                Stage::Investigation => p.stages.investigation = new,
                Stage::Design => p.stages.design = new,
                Stage::Action => p.stages.action = new,
                Stage::Organization => p.stages.organization = new,
                Stage::Before | Stage::Institution => {}
            }
        }
        p.organizer.facilitation = self.facilitation;
        p.organizer.targeting = self.targeting;
        p.organizer.contacts_per_step = self.contacts_per_step;
        p.organizer.exit_step = self.exit_step.max(p.organizer.entry_step);
        p.economy.systemic_bias = self.systemic_bias;
        p.economy.elite_capture = self.elite_capture;
        p
    }

    /// Changes one setting from the page. `steps` is the run's length and `entry`
    /// the organizer's arrival (the bounds of the exit step). Returns a message in
    /// plain words when the key is unknown or the value is out of range.
    pub fn set(&mut self, key: &str, value: &Value, steps: u32, entry: u32) -> Result<(), String> {
        if let Some(name) = key.strip_prefix("stage.") {
            let k = Stage::FIVE
                .iter()
                .position(|s| s.name() == name)
                .ok_or_else(|| {
                    format!(
                        "there is no stage called `{name}`: the five are immersion, \
                         investigation, design, action and organization"
                    )
                })?;
            self.stages[k] = match text(value, key)? {
                "planned" => StageMode::Planned,
                "rushed" => StageMode::Rushed,
                "skipped" => StageMode::Skipped,
                other => {
                    return Err(format!(
                        "a stage is `planned`, `rushed` or `skipped`, not `{other}`"
                    ));
                }
            };
            return Ok(());
        }
        match key {
            "facilitation" => {
                self.facilitation = match text(value, key)? {
                    "open" => Facilitation::Open,
                    "inclusive" => Facilitation::Inclusive,
                    "top_down" => Facilitation::TopDown,
                    other => {
                        return Err(format!(
                            "facilitation is `open`, `inclusive` or `top_down`, not `{other}`"
                        ));
                    }
                }
            }
            "targeting" => {
                self.targeting = match text(value, key)? {
                    "random" => Targeting::Random,
                    "elite_first" => Targeting::EliteFirst,
                    "marginalized_first" => Targeting::MarginalizedFirst,
                    "most_connected" => Targeting::MostConnected,
                    "snowball" => Targeting::Snowball,
                    other => {
                        return Err(format!(
                            "targeting is `random`, `elite_first`, `marginalized_first`, \
                             `most_connected` or `snowball`, not `{other}`"
                        ));
                    }
                }
            }
            "contacts_per_step" => {
                self.contacts_per_step =
                    whole(value, "the organizer's contacts per step", 1, MAX_CONTACTS)?
            }
            "exit_step" => {
                self.exit_step = whole(
                    value,
                    "the step the organizer leaves",
                    entry.saturating_add(1).min(steps),
                    steps,
                )?
            }
            "systemic_bias" => self.systemic_bias = number(value, "systemic bias", 0.0, 1.0)?,
            "elite_capture" => {
                self.elite_capture = number(value, "elite capture", 0.0, MAX_ELITE_CAPTURE)?
            }
            other => {
                return Err(format!(
                    "there is no setting called `{other}`; the settings are stage.NAME, \
                     facilitation, targeting, contacts_per_step, exit_step, systemic_bias \
                     and elite_capture"
                ));
            }
        }
        Ok(())
    }
}

fn text<'v>(v: &'v Value, key: &str) -> Result<&'v str, String> {
    v.as_str()
        .ok_or_else(|| format!("`{key}` takes a word in quotes, not {}", shown(v)))
}

/// A whole number in `[lo, hi]`.
pub fn whole(v: &Value, what: &str, lo: u32, hi: u32) -> Result<u32, String> {
    let bad = || {
        format!(
            "{what} must be a whole number from {lo} to {hi}; got {}",
            shown(v)
        )
    };
    let x = v.as_f64().ok_or_else(bad)?;
    if !x.is_finite() || x.fract() != 0.0 || x < lo as f64 || x > hi as f64 {
        return Err(bad());
    }
    Ok(x as u32)
}

/// A number in `[lo, hi]`.
pub fn number(v: &Value, what: &str, lo: f64, hi: f64) -> Result<f64, String> {
    let bad = || {
        format!(
            "{what} must be a number from {lo} to {hi}; got {}",
            shown(v)
        )
    };
    let x = v.as_f64().ok_or_else(bad)?;
    if !x.is_finite() || x < lo || x > hi {
        return Err(bad());
    }
    Ok(x)
}

/// A value as the page sent it, shortened for a message.
pub fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// Words for what `right` changes of `left`: `immersion skipped, open facilitation`,
/// or `the same settings` when nothing.
pub fn describe(left: &Settings, right: &Settings, unit: &str) -> String {
    let mut parts = Vec::new();
    for (k, s) in Stage::FIVE.iter().enumerate() {
        if left.stages[k] != right.stages[k] {
            parts.push(match right.stages[k] {
                StageMode::Planned => format!("{} as planned", s.name()),
                StageMode::Rushed => format!("{} rushed", s.name()),
                StageMode::Skipped => format!("{} skipped", s.name()),
            });
        }
    }
    if left.facilitation != right.facilitation {
        parts.push(format!(
            "{} facilitation",
            super::bridge::facilitation_name(right.facilitation).replace('_', "-")
        ));
    }
    if left.targeting != right.targeting {
        parts.push(targeting_words(right.targeting).to_string());
    }
    if left.contacts_per_step != right.contacts_per_step {
        parts.push(format!("{} visits a {unit}", right.contacts_per_step));
    }
    if left.exit_step != right.exit_step {
        parts.push(format!("organizer leaves at {unit} {}", right.exit_step));
    }
    if left.systemic_bias != right.systemic_bias {
        parts.push(format!("systemic bias {:.2}", right.systemic_bias));
    }
    if left.elite_capture != right.elite_capture {
        parts.push(format!("elite capture {:.1}", right.elite_capture));
    }
    if parts.is_empty() {
        "the same settings".into()
    } else {
        parts.join(", ")
    }
}

fn targeting_words(t: Targeting) -> &'static str {
    match t {
        Targeting::Random => "visits in no particular order",
        Targeting::EliteFirst => "visits the elites first",
        Targeting::MarginalizedFirst => "visits the marginalized first",
        Targeting::MostConnected => "visits the best connected first",
        Targeting::Snowball => "visits from friend to friend",
    }
}
