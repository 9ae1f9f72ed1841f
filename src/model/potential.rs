//! The village's potentials: the resources and infrastructure its households could
//! bring to collective work (a plot to farm together, a spring, a savings group,
//! labour and tools), each of one kind that serves one community issue.
//!
//! Every household holds potential of one kind, drawn uniformly over the issues,
//! worth `action.potential_rate` times its endowment. Interviews in the social
//! investigation document a household's potential (the inventory of micro analysis);
//! a successful action on an issue turns a share of the unused potential of that
//! issue's kind, held by its participants or documented in the inventory, into
//! benefits for the households the issue serves. What actions yield is therefore
//! bounded by what the village holds, and used potential is gone.

use crate::model::household::{Households, IssueId};
use rand::{Rng, RngExt};

/// Potentials of every household and what the organizer has documented of them.
#[derive(Debug, Clone, Default)]
pub struct Potentials {
    /// Kind of each household's potential (the issue it serves).
    kind: Vec<IssueId>,
    /// Each household's unused potential, in resource units.
    left: Vec<f32>,
    /// Whether an interview has documented the household's potential.
    documented: Vec<bool>,
    /// Potential of each kind at the start, in resource units.
    total: Vec<f64>,
    /// Potential of each kind documented so far (at its starting amount).
    found: Vec<f64>,
    /// Unused potential of the whole village (kept as households' potential is used,
    /// so that measuring it costs nothing).
    left_total: f64,
}

impl Potentials {
    /// Draws each household's kind from `rng`, with `rate` times its endowment as
    /// its amount; `issues` kinds.
    pub fn draw<R: Rng + ?Sized>(h: &Households, issues: usize, rate: f64, rng: &mut R) -> Self {
        let k = issues.max(1);
        let n = h.len();
        let mut p = Potentials {
            kind: Vec::with_capacity(n),
            left: Vec::with_capacity(n),
            documented: vec![false; n],
            total: vec![0.0; k],
            found: vec![0.0; k],
            left_total: 0.0,
        };
        for i in 0..n {
            let x = rng.random_range(0..k) as IssueId;
            let amount = (rate * h.endowment[i].max(0.0) as f64) as f32;
            p.kind.push(x);
            p.left.push(amount);
            p.total[x as usize] += amount as f64;
        }
        p.left_total = p.total.iter().sum();
        p
    }

    /// Documents household `i`'s potential (an interview).
    pub fn document(&mut self, i: usize) {
        if let Some(d) = self.documented.get_mut(i)
            && !*d
        {
            *d = true;
            let x = self.kind[i] as usize;
            self.found[x] += self.left[i] as f64;
        }
    }

    /// Share of the potential of kind `x` documented in the inventory, in [0, 1]
    /// (0 when the village holds none of it).
    pub fn inventory(&self, x: IssueId) -> f64 {
        let x = x as usize;
        match (self.found.get(x), self.total.get(x)) {
            (Some(&f), Some(&t)) if t > 0.0 => (f / t).min(1.0),
            _ => 0.0,
        }
    }

    /// Mean over kinds of [`Potentials::inventory`].
    pub fn inventory_mean(&self) -> f64 {
        let k = self.total.len();
        if k == 0 {
            return 0.0;
        }
        (0..k).map(|x| self.inventory(x as IssueId)).sum::<f64>() / k as f64
    }

    /// Share of the village's starting potential still unused, in [0, 1].
    pub fn left_share(&self) -> f64 {
        let total: f64 = self.total.iter().sum();
        if total <= 0.0 {
            return 0.0;
        }
        (self.left_total / total).clamp(0.0, 1.0)
    }

    /// [`Potentials::left_share`] recounted from every household's unused potential
    /// (a check of the running total).
    pub fn left_share_recounted(&self) -> f64 {
        let total: f64 = self.total.iter().sum();
        if total <= 0.0 {
            return 0.0;
        }
        self.left.iter().map(|&x| x as f64).sum::<f64>() / total
    }

    /// A successful action on issue `x` draws a share `share` of the unused
    /// potential of kind `x` held by its participants or documented in the
    /// inventory; returns what it yields, in resource units.
    pub fn mobilize(&mut self, x: IssueId, participating: &[bool], share: f64) -> f64 {
        let share = share.clamp(0.0, 1.0) as f32;
        let mut got = 0f64;
        let holders = self.kind.iter().zip(&self.documented).zip(participating);
        for (left, ((&kind, &documented), &joined)) in self.left.iter_mut().zip(holders) {
            if kind == x && (documented || joined) {
                let y = share * *left;
                *left -= y;
                got += y as f64;
            }
        }
        self.left_total -= got;
        got
    }

    /// Whether potentials have been drawn.
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }
}
