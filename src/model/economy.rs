//! Resources, influence, the benefit allocation rule with systemic bias and elite
//! weighting, and shocks (MODEL.md, *Systemic bias*).
//!
//! Each step a flow of public benefits (`benefit_per_household · n` resource units) is
//! shared out in proportion to
//!
//! ```text
//! w_i = influence_i^β · (1 − bias · marginalized_i)
//! ```
//!
//! where `β` is elite capture and `bias` systemic exclusion. Benefits add to resources;
//! resources revert towards each household's endowment at rate `reversion` per step;
//! shocks strike with a probability per step and take a share of the resources of the
//! households they reach. Influence is recomputed each step from relative resources
//! and relative degree.

use crate::model::household::Households;
use crate::model::network::Network;
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

/// Parameters of the benefit flow and of resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EconomyParams {
    /// Whether the economy runs at all (off: resources, access and influence stay as
    /// they started).
    pub enabled: bool,
    /// Benefits flowing into the village per household per step, in resource units.
    pub benefit_per_household: f64,
    /// Elite capture `β`: exponent of influence in the allocation weight, in [0, 5].
    pub elite_capture: f64,
    /// Systemic exclusion `bias` of marginalized households, in [0, 1].
    pub systemic_bias: f64,
    /// Share of the gap to the endowment that resources close per step, in [0, 1].
    pub reversion: f64,
    /// Weight `λ` of network position (degree) against resources in influence, in [0, 1].
    pub network_influence: f64,
    /// Weight of the latest step in the smoothed access, in (0, 1].
    pub access_memory: f64,
}

impl Default for EconomyParams {
    fn default() -> Self {
        EconomyParams {
            enabled: true,
            benefit_per_household: 0.05,
            elite_capture: 1.0,
            systemic_bias: 0.5,
            reversion: 0.02,
            network_influence: 0.3,
            access_memory: 0.1,
        }
    }
}

/// Parameters of shocks (harvest failure, price spikes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ShockParams {
    /// Probability per step that a shock strikes, in [0, 1].
    pub probability: f64,
    /// Share of resources lost by a household the shock reaches, in [0, 1].
    pub severity: f64,
    /// Share of households a shock reaches (each independently), in [0, 1].
    pub reach: f64,
    /// Factor on the severity for marginalized households (they have less to buffer
    /// with), in [0, 10]; the loss is capped at all of the household's resources.
    pub marginalized_multiplier: f64,
}

impl Default for ShockParams {
    fn default() -> Self {
        ShockParams {
            probability: 0.01,
            severity: 0.2,
            reach: 0.6,
            marginalized_multiplier: 1.5,
        }
    }
}

/// What the economy did in one step.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EconomyStep {
    /// Benefits shared out this step.
    pub benefits: f64,
    /// Whether a shock struck.
    pub shock: bool,
}

/// Recomputes influence: `(r_i / mean r)^(1 − λ) · ((d_i + 1) / (mean d + 1))^λ`.
/// The `+ 1` keeps a household without ties from having no influence at all.
pub fn update_influence(
    h: &mut Households,
    net: &Network,
    network_influence: f64,
    degree: &mut DegreeTerm,
) {
    let n = h.len();
    if n == 0 {
        return;
    }
    let mean_r = h.resources.iter().map(|&r| r.max(0.0) as f64).sum::<f64>() / n as f64;
    let lambda = network_influence as f32;
    let inv_r = if mean_r > 0.0 {
        (1.0 / mean_r) as f32
    } else {
        0.0
    };
    let deg = if lambda > 0.0 {
        degree.of(net, lambda)
    } else {
        &[][..]
    };
    for i in 0..n {
        let rel_r = if inv_r > 0.0 {
            h.resources[i].max(0.0) * inv_r
        } else {
            1.0
        };
        h.influence[i] = match deg.get(i) {
            Some(d) => rel_r.powf(1.0 - lambda) * d,
            None => rel_r,
        };
    }
}

/// The degree part of influence, `((degree + 1) / (mean degree + 1))^λ` of every
/// household. It changes only when ties do, so it is computed once per tie network
/// (by [`Network::stamp`]) and `λ`.
#[derive(Debug, Clone, Default)]
pub struct DegreeTerm {
    values: Vec<f32>,
    /// The network stamp and `λ` the values are of (`None` before any).
    of: Option<(u64, f32)>,
}

impl DegreeTerm {
    /// The term for every household of `net`, computing it if the ties or `lambda`
    /// changed since it was last computed.
    fn of(&mut self, net: &Network, lambda: f32) -> &[f32] {
        if self.of != Some((net.stamp(), lambda)) {
            let inv_d = (1.0 / (net.mean_degree() + 1.0)) as f32;
            // One power per distinct degree (a table), not per household: the same
            // `powf` of the same value, so the same term.
            let max = (0..net.len()).map(|i| net.degree(i)).max().unwrap_or(0);
            let mut table = vec![None; max + 1];
            self.values.clear();
            self.values.extend((0..net.len()).map(|i| {
                let d = net.degree(i);
                *table[d].get_or_insert_with(|| ((d as f32 + 1.0) * inv_d).powf(lambda))
            }));
            self.of = Some((net.stamp(), lambda));
        }
        &self.values
    }
}

/// How one step's benefits are shared out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Allocation {
    /// Benefits per household this step, in resource units.
    pub per_household: f64,
    /// Elite capture `β`.
    pub beta: f64,
    /// Systemic bias against marginalized households.
    pub bias: f64,
    /// Share of the bias lifted for households identified (registered) as
    /// marginalized by the organization, in [0, 1].
    pub relief: f64,
    /// Share of the flow diverted to the organization's leaders (elite capture), in
    /// [0, 1].
    pub diversion: f64,
    /// Weight of the latest step in the smoothed access, in (0, 1].
    pub access_memory: f64,
}

/// Shares out one step's benefits: a share `diversion` goes to leaders equally (when
/// there are any); the rest by weights
/// `influence^β · (1 − bias · (1 − relief · identified) · marginalized)`.
/// Writes `benefit` and `access` and adds benefits to resources. Returns the total.
pub fn allocate_benefits(h: &mut Households, a: &Allocation) -> f64 {
    let n = h.len();
    if n == 0 {
        return 0.0;
    }
    let total = a.per_household * n as f64;
    let leaders = h.leader.iter().filter(|&&l| l).count();
    let diverted = if leaders > 0 {
        total * a.diversion.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let per_leader = if leaders > 0 {
        (diverted / leaders as f64) as f32
    } else {
        0.0
    };
    let shared = total - diverted;
    let beta = a.beta as f32;
    let bias = a.bias.clamp(0.0, 1.0) as f32;
    let relieved = bias * (1.0 - a.relief.clamp(0.0, 1.0) as f32);
    // Weights go into `benefit` first, then are scaled into benefits. The loops run
    // over zipped slices with the choices that hold for every household made once
    // outside them; each value is computed as before, in the same order.
    let weights = h
        .influence
        .iter()
        .zip(&h.identified)
        .zip(&h.marginalized)
        .zip(h.benefit.iter_mut());
    let cut = |identified: bool, marginalized: bool| {
        let b = if identified { relieved } else { bias };
        1.0 - b * marginalized as u8 as f32
    };
    let mut sum = 0f64;
    if beta == 0.0 {
        for (((_, &id), &m), w) in weights {
            *w = 1.0 * cut(id, m);
            sum += *w as f64;
        }
    } else if beta == 1.0 {
        for (((&inf, &id), &m), w) in weights {
            *w = inf * cut(id, m);
            sum += *w as f64;
        }
    } else {
        for (((&inf, &id), &m), w) in weights {
            *w = inf.max(0.0).powf(beta) * cut(id, m);
            sum += *w as f64;
        }
    }
    let equal = (total / n as f64) as f32;
    let scale = if sum > 0.0 {
        (shared / sum) as f32
    } else {
        0.0
    };
    let equal_shared = (shared / n as f64) as f32;
    let alpha = a.access_memory as f32;
    let households = h
        .benefit
        .iter_mut()
        .zip(&h.leader)
        .zip(h.resources.iter_mut())
        .zip(h.access.iter_mut());
    for (((benefit, &leader), resources), access) in households {
        let mut b = if sum > 0.0 {
            *benefit * scale
        } else {
            equal_shared
        };
        if leader {
            b += per_leader;
        }
        *benefit = b;
        *resources += b;
        // With no benefits flowing there is nothing to have access to: access keeps
        // its last value.
        if equal > 0.0 {
            *access += alpha * (b / equal - *access);
        }
    }
    total
}

/// Moves resources a share `rate` of the way back to each household's endowment.
pub fn revert_resources(h: &mut Households, rate: f64) {
    let rate = rate as f32;
    for (r, &e) in h.resources.iter_mut().zip(&h.endowment) {
        *r += rate * (e - *r);
    }
}

/// Draws whether a shock strikes this step and, if so, applies it; `mitigation` in
/// [0, 1] is the share of the loss the community absorbs (0 without an institution).
pub fn apply_shock<R: Rng + ?Sized>(
    h: &mut Households,
    p: &ShockParams,
    mitigation: f64,
    rng: &mut R,
) -> bool {
    if p.probability <= 0.0 || rng.random::<f64>() >= p.probability {
        return false;
    }
    let base = (p.severity * (1.0 - mitigation.clamp(0.0, 1.0))) as f32;
    let marg = (base * p.marginalized_multiplier as f32).min(1.0);
    for i in 0..h.len() {
        if rng.random::<f64>() < p.reach {
            let s = if h.marginalized[i] {
                marg
            } else {
                base.min(1.0)
            };
            h.resources[i] *= 1.0 - s;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::household::NewHousehold;

    fn village(resources: &[f32], marginalized: &[bool]) -> Households {
        let mut h = Households::with_capacity(resources.len());
        for (i, (&r, &m)) in resources.iter().zip(marginalized).enumerate() {
            h.push(NewHousehold {
                id: None,
                group: m as u8,
                marginalized: m,
                resources: r,
                threshold: 0.5,
                availability: 0.5,
                priority: 0,
                participating: false,
                trust: 0.0,
                awareness: 0.0,
                efficacy: 0.0,
            });
            let _ = i;
        }
        h
    }

    fn alloc(beta: f64, bias: f64) -> Allocation {
        Allocation {
            per_household: 1.0,
            beta,
            bias,
            relief: 0.0,
            diversion: 0.0,
            access_memory: 1.0,
        }
    }

    #[test]
    fn no_bias_no_capture_is_equal_shares() {
        let mut h = village(&[1.0, 5.0, 20.0], &[true, false, false]);
        let net = Network::empty(3);
        update_influence(&mut h, &net, 0.0, &mut DegreeTerm::default());
        let total = allocate_benefits(&mut h, &alloc(0.0, 0.0));
        assert!((total - 3.0).abs() < 1e-9);
        for &b in &h.benefit {
            assert!((b - 1.0).abs() < 1e-6);
        }
        for &a in &h.access {
            assert!((a - 1.0).abs() < 1e-6);
        }
    }

    #[test]
    fn full_bias_excludes_marginalized() {
        let mut h = village(&[10.0, 10.0], &[true, false]);
        update_influence(&mut h, &Network::empty(2), 0.0, &mut DegreeTerm::default());
        allocate_benefits(&mut h, &alloc(1.0, 1.0));
        assert_eq!(h.benefit[0], 0.0);
        assert!((h.benefit[1] - 2.0).abs() < 1e-6);
    }

    #[test]
    fn elite_capture_favours_the_rich() {
        let mut h = village(&[1.0, 9.0], &[false, false]);
        update_influence(&mut h, &Network::empty(2), 0.0, &mut DegreeTerm::default());
        allocate_benefits(&mut h, &alloc(1.0, 0.0));
        // Influence 0.2 and 1.8: benefits split 1:9.
        assert!((h.benefit[0] - 0.2).abs() < 1e-5);
        assert!((h.benefit[1] - 1.8).abs() < 1e-5);
    }

    #[test]
    fn relief_applies_only_to_identified() {
        let mut h = village(&[10.0, 10.0, 10.0], &[true, true, false]);
        h.identified[0] = true;
        update_influence(&mut h, &Network::empty(3), 0.0, &mut DegreeTerm::default());
        let mut a = alloc(1.0, 1.0);
        a.relief = 1.0;
        allocate_benefits(&mut h, &a);
        assert!((h.benefit[0] - 1.5).abs() < 1e-5);
        assert_eq!(h.benefit[1], 0.0);
    }

    #[test]
    fn diversion_goes_to_leaders() {
        let mut h = village(&[10.0, 10.0], &[false, false]);
        h.leader[1] = true;
        update_influence(&mut h, &Network::empty(2), 0.0, &mut DegreeTerm::default());
        let mut a = alloc(0.0, 0.0);
        a.diversion = 0.5;
        allocate_benefits(&mut h, &a);
        assert!((h.benefit[0] - 0.5).abs() < 1e-6);
        assert!((h.benefit[1] - 1.5).abs() < 1e-6);
    }

    #[test]
    fn reversion_moves_towards_endowment() {
        let mut h = village(&[10.0], &[false]);
        h.resources[0] = 20.0;
        revert_resources(&mut h, 0.5);
        assert!((h.resources[0] - 15.0).abs() < 1e-6);
    }
}
