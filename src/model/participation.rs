//! Participation by threshold: the core of collective action (Granovetter 1978;
//! Watts 2002).
//!
//! The update is synchronous: every household looks at its ties' participation at the
//! start of the step, and all decisions take effect together. A household that already
//! takes part stays in; one that does not joins when it has at least one tie and the
//! (weighted) share of its ties that take part is at least its threshold. A household
//! without ties never joins by contagion, whatever its threshold. Shares are compared
//! with a tolerance of [`THRESHOLD_TOLERANCE`].

use crate::model::network::Network;

/// Tolerance of the comparison `share >= threshold`, so that a threshold written as a
/// decimal (0.1, 1/3 rounded) is met by the share it was meant to equal.
pub const THRESHOLD_TOLERANCE: f32 = 1e-6;

/// Double buffer for the synchronous threshold update, allocated once per run so the
/// step loop never allocates.
#[derive(Debug, Clone, Default)]
pub struct ThresholdRule {
    next: Vec<bool>,
}

impl ThresholdRule {
    /// A rule sized for `n` households.
    pub fn new(n: usize) -> Self {
        ThresholdRule {
            next: vec![false; n],
        }
    }

    /// Heap bytes held by the buffer.
    pub fn heap_bytes(&self) -> usize {
        self.next.capacity()
    }

    /// One synchronous step. `participating` is updated in place; `push[i]`, when
    /// given, is added to household `i`'s share of participating ties (the organizer's
    /// push, legitimacy and efficacy enter here). Returns the number of households that
    /// joined.
    pub fn step(
        &mut self,
        network: &Network,
        threshold: &[f32],
        participating: &mut Vec<bool>,
        push: Option<&[f32]>,
    ) -> usize {
        let n = participating.len();
        debug_assert_eq!(network.len(), n);
        debug_assert_eq!(threshold.len(), n);
        self.next.resize(n, false);
        let mut joined = 0usize;
        let cur: &[bool] = participating;
        for i in 0..n {
            if cur[i] {
                self.next[i] = true;
                continue;
            }
            let nb = network.neighbors(i);
            if nb.is_empty() {
                self.next[i] = false;
                continue;
            }
            let share = match network.weights(i) {
                None => {
                    let mut on = 0u32;
                    for &j in nb {
                        on += cur[j as usize] as u32;
                    }
                    on as f32 / nb.len() as f32
                }
                Some(w) => {
                    let (mut on, mut all) = (0f32, 0f32);
                    for (&j, &wj) in nb.iter().zip(w) {
                        all += wj;
                        if cur[j as usize] {
                            on += wj;
                        }
                    }
                    if all > 0.0 { on / all } else { 0.0 }
                }
            };
            let share = share + push.map_or(0.0, |p| p[i]);
            let join = share + THRESHOLD_TOLERANCE >= threshold[i];
            self.next[i] = join;
            joined += join as usize;
        }
        std::mem::swap(participating, &mut self.next);
        joined
    }

    /// Steps until no household joins (at most `max_steps`); returns the number of
    /// steps that changed something.
    pub fn run_to_fixpoint(
        &mut self,
        network: &Network,
        threshold: &[f32],
        participating: &mut Vec<bool>,
        max_steps: usize,
    ) -> usize {
        for s in 0..max_steps {
            if self.step(network, threshold, participating, None) == 0 {
                return s;
            }
        }
        max_steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isolated_households_never_join() {
        let g = Network::from_edges(3, &[(0, 1)], None).unwrap();
        let mut p = vec![true, false, false];
        let mut rule = ThresholdRule::new(3);
        rule.run_to_fixpoint(&g, &[0.0, 0.0, 0.0], &mut p, 10);
        assert_eq!(p, vec![true, true, false]);
    }

    #[test]
    fn update_is_synchronous() {
        // A path 0-1-2 with threshold 0.5: 1 joins in step one, 2 only in step two.
        let g = Network::from_edges(3, &[(0, 1), (1, 2)], None).unwrap();
        let mut p = vec![true, false, false];
        let mut rule = ThresholdRule::new(3);
        assert_eq!(rule.step(&g, &[0.5; 3], &mut p, None), 1);
        assert_eq!(p, vec![true, true, false]);
        assert_eq!(rule.step(&g, &[0.5; 3], &mut p, None), 1);
        assert_eq!(p, vec![true, true, true]);
    }

    #[test]
    fn share_exactly_at_threshold_joins() {
        let g = Network::from_edges(4, &[(0, 1), (0, 2), (0, 3)], None).unwrap();
        let mut p = vec![false, true, false, false];
        let mut rule = ThresholdRule::new(4);
        rule.step(&g, &[1.0 / 3.0, 1.0, 1.0, 1.0], &mut p, None);
        assert!(p[0]);
    }

    #[test]
    fn weights_count() {
        let g = Network::from_edges(3, &[(0, 1), (0, 2)], Some(&[3.0, 1.0])).unwrap();
        let mut p = vec![false, true, false];
        let mut rule = ThresholdRule::new(3);
        rule.step(&g, &[0.75, 1.0, 1.0], &mut p, None);
        assert!(p[0], "weighted share 3/4 meets threshold 0.75");
    }
}
