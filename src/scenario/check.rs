//! Range and consistency checks of a strategy's parameters, after parsing: each
//! problem names the key, what is wrong and what is allowed.

use super::{Meta, OutputParams};
use crate::model::Params;
use crate::model::network::NetworkParams;
use crate::model::population::Dist;
use crate::scenario::locate::KeyPath;
use crate::scenario::values::{MAX_STEPS, STEPS_ALLOWED};

/// A range or consistency problem found after parsing.
pub(super) struct Problem {
    pub(super) path: KeyPath,
    pub(super) message: String,
    pub(super) allowed: Option<String>,
}

pub(super) struct Checker {
    out: Vec<Problem>,
}

impl Checker {
    fn bad(&mut self, path: &str, message: impl Into<String>, allowed: impl Into<String>) {
        self.out.push(Problem {
            path: KeyPath::parse(path),
            message: message.into(),
            allowed: Some(allowed.into()),
        });
    }

    fn whole(&mut self, path: &str, v: u64, lo: u64, hi: u64) {
        if !(lo..=hi).contains(&v) {
            self.bad(
                path,
                format!("{v} is out of range"),
                format!("a whole number in [{lo}, {hi}]"),
            );
        }
    }

    fn range(&mut self, path: &str, v: f64, lo: f64, hi: f64) {
        if !(v.is_finite() && v >= lo && v <= hi) {
            self.bad(
                path,
                format!("{v} is out of range"),
                format!("a number in [{lo}, {hi}]"),
            );
        }
    }

    fn dist(&mut self, path: &str, d: &Dist, lo: f64, hi: f64) {
        if let Err((k, allowed)) = d.check() {
            self.bad(
                &format!("{path}.{k}"),
                "invalid distribution parameter",
                allowed,
            );
            return;
        }
        // A distribution whose whole mass lies outside the attribute's range is a
        // mistake, not something to clip silently.
        let outside = match *d {
            Dist::Constant { value } => value < lo || value > hi,
            Dist::Uniform { min, max } => max < lo || min > hi,
            Dist::Normal { mean, .. } => mean < lo || mean > hi,
            Dist::Lognormal { median, .. } => median > hi,
            Dist::Beta { .. } => lo > 0.0 || hi < 1.0,
        };
        if outside {
            self.bad(
                path,
                "distribution lies outside the allowed range",
                format!("values in [{lo}, {hi}]"),
            );
        }
    }
}

pub(super) fn check_meta(m: &Meta) -> Vec<Problem> {
    let mut c = Checker { out: Vec::new() };
    if m.replicates == 0 || m.replicates > 1_000_000 {
        c.bad(
            "scenario.replicates",
            format!("{} is out of range", m.replicates),
            "a whole number in [1, 1000000]",
        );
    }
    if let Some(n) = &m.name
        && (n.is_empty() || n.contains(['/', '\\', '\0']) || n.chars().any(char::is_control))
    {
        c.bad(
            "scenario.name",
            "not a usable name",
            "a non-empty name without slashes or control characters",
        );
    }
    c.out
}

pub(super) fn check_params(p: &Params, out: &OutputParams) -> Vec<Problem> {
    let mut c = Checker { out: Vec::new() };
    let t = &p.time;
    if t.steps == 0 || t.steps > MAX_STEPS {
        c.bad(
            "time.steps",
            format!("{} is out of range", t.steps),
            STEPS_ALLOWED,
        );
    }
    let pop = &p.population;
    let n = pop.households;
    if pop.households_csv.is_none() && !(1..=50_000_000).contains(&n) {
        c.bad(
            "population.households",
            format!("{n} is out of range"),
            "a whole number in [1, 50000000]",
        );
    }
    if pop.issues.is_empty() || pop.issues.len() > 255 {
        c.bad(
            "population.issues",
            "needs between 1 and 255 issues",
            "a list of 1 to 255 names",
        );
    }
    for (i, name) in pop.issues.iter().enumerate() {
        if name.is_empty() || pop.issues[..i].contains(name) || name.chars().any(char::is_control) {
            c.bad(
                &format!("population.issues[{i}]"),
                format!("issue name `{name}` is empty, repeated or holds control characters"),
                "distinct non-empty names without control characters",
            );
        }
    }
    c.dist("population.threshold", &pop.threshold, 0.0, 1.0);
    c.dist("population.trust", &pop.trust, 0.0, 1.0);
    c.dist("population.awareness", &pop.awareness, 0.0, 1.0);
    c.dist("population.efficacy", &pop.efficacy, 0.0, 1.0);
    if pop.groups.is_empty() || pop.groups.len() > 255 {
        c.bad(
            "population.groups",
            "needs between 1 and 255 groups",
            "[[population.groups]] tables, 1 to 255",
        );
    }
    let mut share_sum = 0.0;
    for (i, g) in pop.groups.iter().enumerate() {
        let at = format!("population.groups[{i}]");
        if g.name.is_empty()
            || pop.groups[..i].iter().any(|h| h.name == g.name)
            || g.name.chars().any(char::is_control)
        {
            c.bad(
                &format!("{at}.name"),
                format!(
                    "group name `{}` is empty, repeated or holds control characters",
                    g.name
                ),
                "distinct non-empty names without control characters",
            );
        }
        c.range(&format!("{at}.share"), g.share, 0.0, 1e12);
        share_sum += g.share.max(0.0);
        c.dist(
            &format!("{at}.resources"),
            &g.resources,
            0.0,
            crate::model::population::MAX_RESOURCES,
        );
        c.dist(&format!("{at}.availability"), &g.availability, 0.0, 1.0);
        if let Some(t) = &g.threshold {
            c.dist(&format!("{at}.threshold"), t, 0.0, 1.0);
        }
        if !g.issue_weights.is_empty() {
            if g.issue_weights.len() != pop.issues.len() {
                c.bad(
                    &format!("{at}.issue_weights"),
                    format!(
                        "{} weights for {} issues",
                        g.issue_weights.len(),
                        pop.issues.len()
                    ),
                    "one weight per entry of population.issues",
                );
            } else if g
                .issue_weights
                .iter()
                .any(|w| !(w.is_finite() && *w >= 0.0))
                || g.issue_weights.iter().sum::<f64>() <= 0.0
            {
                c.bad(
                    &format!("{at}.issue_weights"),
                    "weights must be ≥ 0 and not all 0",
                    "numbers ≥ 0, at least one > 0",
                );
            }
        }
    }
    if !pop.groups.is_empty() && share_sum <= 0.0 {
        c.bad(
            "population.groups",
            "group shares sum to 0",
            "shares ≥ 0, at least one > 0",
        );
    }
    let nmax = (n.max(2) - 1) as f64;
    match &p.network {
        NetworkParams::Sbm {
            mean_degree,
            homophily,
        } => {
            c.range("network.mean_degree", *mean_degree, 0.0, nmax);
            c.range("network.homophily", *homophily, 0.0, 1.0);
        }
        NetworkParams::ErdosRenyi { mean_degree } => {
            c.range("network.mean_degree", *mean_degree, 0.0, nmax)
        }
        NetworkParams::WattsStrogatz { k, rewiring } => {
            if *k < 2 || k % 2 == 1 || (*k >= n && pop.households_csv.is_none()) {
                c.bad(
                    "network.k",
                    format!("{k} is not allowed"),
                    "an even whole number ≥ 2 and below the number of households",
                );
            }
            c.range("network.rewiring", *rewiring, 0.0, 1.0);
        }
        NetworkParams::BarabasiAlbert { m } => {
            if *m < 1 || (*m >= n && pop.households_csv.is_none()) {
                c.bad(
                    "network.m",
                    format!("{m} is not allowed"),
                    "a whole number ≥ 1 and below the number of households",
                );
            }
        }
        NetworkParams::EdgeList { .. } | NetworkParams::None => {}
    }
    let ties = match &p.network {
        NetworkParams::Sbm { mean_degree, .. } | NetworkParams::ErdosRenyi { mean_degree } => {
            *mean_degree
        }
        NetworkParams::WattsStrogatz { k, .. } => *k as f64,
        NetworkParams::BarabasiAlbert { m } => 2.0 * *m as f64,
        NetworkParams::EdgeList { .. } | NetworkParams::None => 0.0,
    };
    if n as f64 * ties * 1.2 >= u32::MAX as f64 {
        c.bad(
            "network",
            "too many ties for one village",
            "households × mean degree below about 3.5 billion",
        );
    }
    let o = &p.organizer;
    c.whole("organizer.count", o.count as u64, 1, 100);
    c.whole(
        "organizer.contacts_per_step",
        o.contacts_per_step as u64,
        1,
        10_000,
    );
    if o.exit_step < o.entry_step {
        c.bad(
            "organizer.exit_step",
            format!(
                "exit at step {} is before entry at step {}",
                o.exit_step, o.entry_step
            ),
            format!("a step ≥ organizer.entry_step ({})", o.entry_step),
        );
    }
    c.range("organizer.push", o.push, 0.0, 1.0);
    c.range("organizer.accommodation", o.accommodation, 1.0, 5.0);
    if o.team.len() > 100 {
        c.bad(
            "organizer.team",
            format!("{} team members", o.team.len()),
            "at most 100 [[organizer.team]] entries",
        );
    }
    for (i, m) in o.team.iter().enumerate() {
        let at = format!("organizer.team[{i}]");
        if let Some(k) = m.contacts_per_step {
            c.whole(&format!("{at}.contacts_per_step"), k as u64, 1, 10_000);
        }
        let entry = m.entry_step.unwrap_or(o.entry_step);
        let exit = m.exit_step.unwrap_or(o.exit_step);
        if exit < entry {
            c.bad(
                &format!("{at}.exit_step"),
                format!("exit at step {exit} is before entry at step {entry}"),
                format!("a step ≥ {at}.entry_step ({entry})"),
            );
        }
    }
    for stage in crate::model::stage::Stage::FIVE {
        let Some(plan) = p.stages.get(stage) else {
            continue;
        };
        let at = format!("stages.{}", stage.name());
        if plan.max_steps == 0 {
            c.bad(
                &format!("{at}.max_steps"),
                "0 is out of range",
                "a whole number ≥ 1 (use skip = true to skip the stage)",
            );
        }
        if plan.min_steps > plan.max_steps {
            c.bad(
                &format!("{at}.min_steps"),
                format!("{} is above max_steps ({})", plan.min_steps, plan.max_steps),
                "a whole number ≤ max_steps",
            );
        }
        let hi = match stage {
            crate::model::stage::Stage::Design | crate::model::stage::Stage::Action => 1000.0,
            _ => 1.0,
        };
        c.range(&format!("{at}.target"), plan.target, 0.0, hi);
    }
    let b = &p.behaviour;
    for (k, v) in [
        ("visit_gain", b.visit_gain),
        ("pass_on", b.pass_on),
        ("trusting", b.trusting),
        ("investigation_effort", b.investigation_effort),
        ("proxy_share", b.proxy_share),
        ("analysis_awareness", b.analysis_awareness),
        ("meeting_awareness", b.meeting_awareness),
        ("meeting_ties", b.meeting_ties),
        ("success_efficacy", b.success_efficacy),
        ("failure_efficacy", b.failure_efficacy),
        ("decay", b.decay),
        ("member_efficacy", b.member_efficacy),
        ("member_awareness", b.member_awareness),
        ("stubbornness", b.stubbornness),
        ("agenda_weight", b.agenda_weight),
    ] {
        c.range(&format!("behaviour.{k}"), v, 0.0, 1.0);
    }
    let a = &p.action;
    c.whole("action.duration", a.duration as u64, 1, 1000);
    for (k, v) in [
        ("need_share", a.need_share),
        ("potential_share", a.potential_share),
        ("bias_cut", a.bias_cut),
        ("legitimacy_weight", a.legitimacy_weight),
        ("efficacy_weight", a.efficacy_weight),
        ("awareness_weight", a.awareness_weight),
        ("issue_weight", a.issue_weight),
    ] {
        c.range(&format!("action.{k}"), v, 0.0, 1.0);
    }
    c.range("action.noise", a.noise, 0.0, 5.0);
    c.range("action.potential_rate", a.potential_rate, 0.0, 10.0);
    c.range("action.yield_share", a.yield_share, 0.0, 1.0);
    if !(b.consensus > 0.0 && b.consensus <= 1.0) {
        c.bad(
            "behaviour.consensus",
            format!("{} is out of range", b.consensus),
            "a number in (0, 1]",
        );
    }
    let ins = &p.institution;
    c.whole("institution.lapse", ins.lapse as u64, 0, 1000);
    c.whole(
        "institution.meeting_interval",
        ins.meeting_interval as u64,
        1,
        1000,
    );
    c.whole(
        "institution.issue_interval",
        ins.issue_interval as u64,
        1,
        10_000,
    );
    c.whole(
        "institution.election_interval",
        ins.election_interval as u64,
        0,
        10_000,
    );
    for (k, v) in [
        ("capacity_rate", ins.capacity_rate),
        ("relapse", ins.relapse),
        ("sustained_cut", ins.sustained_cut),
        ("elite_capture_cut", ins.elite_capture_cut),
        ("capture", ins.capture),
        ("shock_buffer", ins.shock_buffer),
        ("leader_push", ins.leader_push),
        ("constituent_oversight", ins.constituent_oversight),
    ] {
        c.range(&format!("institution.{k}"), v, 0.0, 1.0);
    }
    if !(ins.leaders_share > 0.0 && ins.leaders_share <= 1.0) {
        c.bad(
            "institution.leaders_share",
            format!("{} is out of range", ins.leaders_share),
            "a number in (0, 1]",
        );
    }
    if !(ins.full_coverage > 0.0 && ins.full_coverage <= 1.0) {
        c.bad(
            "institution.full_coverage",
            format!("{} is out of range", ins.full_coverage),
            "a number in (0, 1]",
        );
    }
    c.range("institution.dues", ins.dues, 0.0, 1e9);
    if !(ins.pool_half > 0.0 && ins.pool_half.is_finite()) {
        c.bad(
            "institution.pool_half",
            format!("{} is out of range", ins.pool_half),
            "a number > 0",
        );
    }
    for (k, w) in ins.weights.iter().enumerate() {
        c.range(&format!("institution.weights[{k}]"), *w, 0.0, 1e6);
    }
    if ins.weights.iter().sum::<f64>() <= 0.0 {
        c.bad(
            "institution.weights",
            "weights sum to 0",
            "numbers ≥ 0, at least one > 0",
        );
    }
    let e = &p.economy;
    c.range(
        "economy.benefit_per_household",
        e.benefit_per_household,
        0.0,
        1e9,
    );
    c.range("economy.elite_capture", e.elite_capture, 0.0, 5.0);
    c.range("economy.systemic_bias", e.systemic_bias, 0.0, 1.0);
    c.range("economy.reversion", e.reversion, 0.0, 1.0);
    c.range("economy.network_influence", e.network_influence, 0.0, 1.0);
    if !(e.access_memory > 0.0 && e.access_memory <= 1.0) {
        c.bad(
            "economy.access_memory",
            format!("{} is out of range", e.access_memory),
            "a number in (0, 1]",
        );
    }
    let s = &p.shocks;
    c.range("shocks.probability", s.probability, 0.0, 1.0);
    c.range("shocks.severity", s.severity, 0.0, 1.0);
    c.range("shocks.reach", s.reach, 0.0, 1.0);
    c.range(
        "shocks.marginalized_multiplier",
        s.marginalized_multiplier,
        0.0,
        10.0,
    );
    let part = &p.participation;
    c.range("participation.seed_share", part.seed_share, 0.0, 1.0);
    if pop.households_csv.is_none() {
        if part.seed_count > n {
            c.bad(
                "participation.seed_count",
                format!("{} seeds for {n} households", part.seed_count),
                format!("a whole number in [0, {n}]"),
            );
        }
        for (i, &id) in part.seed_ids.iter().enumerate() {
            if id >= n as u64 {
                c.bad(
                    &format!("participation.seed_ids[{i}]"),
                    format!("no household {id}"),
                    format!("household numbers in 0..{n}"),
                );
            }
        }
    }
    if out.record_every == 0 {
        c.bad(
            "output.record_every",
            "0 is out of range",
            "a whole number ≥ 1",
        );
    }
    for (i, &s) in out.household_steps.iter().enumerate() {
        if s > t.steps {
            c.bad(
                &format!("output.household_steps[{i}]"),
                format!("step {s} is after the last step {}", t.steps),
                format!("steps in [0, {}]", t.steps),
            );
        }
    }
    if c.out.is_empty() {
        let need = memory_per_run(p);
        if need > MAX_RUN_BYTES {
            c.bad(
                "population.households",
                format!(
                    "a run would hold about {} in memory ({} households and their ties), \
                     more than the {} a run may use",
                    gib(need),
                    p.population.households,
                    gib(MAX_RUN_BYTES)
                ),
                "fewer households or a lower network.mean_degree",
            );
        }
    }
    c.out
}

/// The most memory one run may need, by the estimate of [`memory_per_run`]: 8 GiB.
pub const MAX_RUN_BYTES: u64 = 8 << 30;

/// Bytes as GiB or MiB, for messages.
pub fn gib(b: u64) -> String {
    if b >= 1 << 30 {
        format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64)
    } else {
        format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64)
    }
}

/// An upper estimate of the memory one run of `p` holds at its peak: the village
/// (about 150 bytes a household and 16 a tie) and a fixed 1 MiB of buffers. A run of
/// `kampung run` writes its recorded rows and household snapshots to disk as it
/// makes them, so its memory does not grow with steps, `record_every` or snapshots
///. A library caller that
/// holds a run's rows in memory (`runner::run_one`) needs more, in proportion to
/// the rows.
pub fn memory_per_run(p: &Params) -> u64 {
    let n = p.population.households as u64;
    let degree = match &p.network {
        NetworkParams::Sbm { mean_degree, .. } | NetworkParams::ErdosRenyi { mean_degree } => {
            mean_degree.clamp(0.0, 1e6) as u64
        }
        _ => 10,
    };
    n.saturating_mul(150 + 16 * degree).saturating_add(1 << 20)
}

/// Values no key allows, put in a key's place to ask the checks its range.
fn sentinels() -> [toml::Value; 6] {
    use toml::Value;
    [
        Value::Float(f64::NAN),
        Value::Integer(i64::MAX),
        Value::Integer(i64::from(u32::MAX)),
        Value::Integer(i64::from(u16::MAX)),
        Value::Integer(i64::from(u8::MAX)),
        Value::Integer(-1),
    ]
}

/// What the range check allows at `path` of a table, by putting each of
/// [`sentinels`] in the key's place in `table` and running `check` on what
/// deserializes: the check is the one source of truth for a key's range, so a value
/// of the wrong type is told the same range as a number out of it.
fn allowed_by<T: serde::de::DeserializeOwned>(
    path: &KeyPath,
    table: &toml::Value,
    check: impl Fn(&T) -> Vec<Problem>,
) -> Option<String> {
    for s in sentinels() {
        let mut v = table.clone();
        super::peel::set(&mut v, path, s)?;
        let Ok(t) = serde_path_to_error::deserialize::<_, T>(v) else {
            continue;
        };
        if let Some(p) = check(&t).into_iter().find(|p| p.path == *path) {
            return p.allowed;
        }
    }
    None
}

/// What a strategy's parameter at `path` allows (see [`allowed_by`]); `table` holds
/// the strategy's parameters.
pub(super) fn allowed_param(
    path: &KeyPath,
    table: &toml::Value,
    out: &OutputParams,
) -> Option<String> {
    allowed_by::<Params>(path, table, |p| check_params(p, out))
}

/// What `[scenario]` allows at `path` (`scenario.KEY`; see [`allowed_by`]); `table`
/// holds `{ scenario = { ... } }`.
pub(super) fn allowed_meta(path: &KeyPath, table: &toml::Value) -> Option<String> {
    allowed_by::<super::peel::Wrapped<Meta>>(path, table, |m| check_meta(&m.0))
}
