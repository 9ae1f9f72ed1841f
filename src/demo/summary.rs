//! What the two villages ended with: the indicators and outcomes the demo shows at
//! the end, side by side.

use super::*;

/// One side's outcomes.
#[derive(Debug, Clone)]
pub struct SideSummary {
    /// Column heading.
    pub label: String,
    /// The last step.
    pub end_step: u32,
    /// The measures at the last step.
    pub end: Metrics,
    /// The step `output.post_exit_horizon` steps after the organizer's exit and the
    /// measures then, as in `runs.csv`'s `post_exit.*` columns (`None` when the run
    /// ends before it).
    pub post_exit: Option<(u32, Metrics)>,
    /// The step at which the organizer left, if it left before the end.
    pub exit_step: Option<u32>,
    /// When each stage began and ended, and why (as in `stages.csv`).
    pub stages: Vec<StageRecord>,
}

impl SideSummary {
    /// The record of one stage, if the run reached it.
    pub fn stage(&self, s: Stage) -> Option<&StageRecord> {
        self.stages.iter().find(|r| r.stage == s)
    }
}

/// The outcomes of both sides.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The reference side and the compared side.
    pub sides: [SideSummary; 2],
    /// `output.post_exit_horizon`: steps after the exit at which durability is read.
    pub horizon: u32,
}

/// A measure shown in the demonstration.
#[derive(Debug, Clone, Copy)]
pub struct Indicator {
    /// Row label.
    pub label: &'static str,
    /// Its value in a row of measures.
    pub value: fn(&Metrics) -> f64,
    /// Shown as a percentage (a share of households); otherwise as a number.
    pub percent: bool,
    /// Whether less is better (the access gap, the unreached).
    pub lower_is_better: bool,
    /// The phases whose work moves it most: its row is marked while they last.
    pub moved_by: &'static [Stage],
}

/// The indicators, in display order. `attend` rows take the name of the marginalized
/// group where the renderer knows it.
pub const INDICATORS: &[Indicator] = &[
    Indicator {
        label: "trust organizer",
        value: |m| m.trusting,
        percent: true,
        lower_is_better: false,
        moved_by: &[Stage::Immersion],
    },
    Indicator {
        label: "awareness",
        value: |m| m.mean_awareness,
        percent: false,
        lower_is_better: false,
        moved_by: &[Stage::Investigation, Stage::Design],
    },
    Indicator {
        label: "marg. identified",
        value: |m| m.identification_recall,
        percent: true,
        lower_is_better: false,
        moved_by: &[Stage::Investigation],
    },
    Indicator {
        label: "attend: marg.",
        value: |m| m.attendance_marginalized,
        percent: true,
        lower_is_better: false,
        moved_by: &[Stage::Design],
    },
    Indicator {
        label: "attend: others",
        value: |m| m.attendance_other,
        percent: true,
        lower_is_better: false,
        moved_by: &[Stage::Design],
    },
    Indicator {
        label: "legitimacy",
        value: |m| m.legitimacy,
        percent: true,
        lower_is_better: false,
        moved_by: &[Stage::Design],
    },
    Indicator {
        label: "participation",
        value: |m| m.participation,
        percent: true,
        lower_is_better: false,
        moved_by: &[Stage::Action],
    },
    Indicator {
        label: "members",
        value: |m| m.members,
        percent: true,
        lower_is_better: false,
        moved_by: &[Stage::Organization],
    },
    Indicator {
        label: "capacity",
        value: |m| m.capacity,
        percent: false,
        lower_is_better: false,
        moved_by: &[Stage::Organization, Stage::Institution],
    },
    Indicator {
        label: "access gap",
        value: |m| m.access_gap,
        percent: false,
        lower_is_better: true,
        moved_by: &[Stage::Action, Stage::Institution],
    },
    Indicator {
        label: "unreached marg.",
        value: |m| m.unreached_marginalized,
        percent: true,
        lower_is_better: true,
        moved_by: &[Stage::Organization, Stage::Institution],
    },
];

/// A summary outcome: label, value, and whether it is a percentage.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// Row label.
    pub label: &'static str,
    /// Its value in a row of measures.
    pub value: fn(&Metrics) -> f64,
    /// Shown as a percentage; otherwise with three decimals.
    pub percent: bool,
}

/// The outcomes of the final summary, in display order.
pub const OUTCOMES: &[Outcome] = &[
    Outcome {
        label: "capacity (0-1)",
        value: |m| m.capacity,
        percent: false,
    },
    Outcome {
        label: "access gap",
        value: |m| m.access_gap,
        percent: false,
    },
    Outcome {
        label: "unreached marginalized",
        value: |m| m.unreached_marginalized,
        percent: true,
    },
    Outcome {
        label: "members",
        value: |m| m.members,
        percent: true,
    },
    Outcome {
        label: "representation: members",
        value: |m| m.member_representation,
        percent: false,
    },
    Outcome {
        label: "representation: leaders",
        value: |m| m.leader_representation,
        percent: false,
    },
];

/// Formats a summary value as the summary prints it: a percentage with one decimal
/// (`61.8%`) or a number with three (`0.412`); `n/a` when it is not defined (no
/// members, no leaders).
pub fn format_outcome(v: f64, percent: bool) -> String {
    if !v.is_finite() {
        "n/a".into()
    } else if percent {
        format!("{:.1}%", 100.0 * v)
    } else {
        format!("{v:.3}")
    }
}
