//! Organizers: their time budget, whom they contact first, how they facilitate, and
//! when they leave.

use crate::model::household::Households;
use crate::model::network::Network;
use rand::{Rng, RngExt, seq::SliceRandom};
use serde::{Deserialize, Serialize};

/// Whom an organizer contacts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Targeting {
    /// Households in random order.
    Random,
    /// The most influential households first (village heads, landowners).
    EliteFirst,
    /// Households the organizer takes for marginalized on arrival (the poorest, by
    /// proxy identification) first, in random order, then the others.
    MarginalizedFirst,
    /// The households with the most ties first.
    MostConnected,
    /// Snowball: from one household to its ties, breadth first, through existing
    /// contacts.
    Snowball,
}

/// How deliberation is facilitated: whose voice counts in votes and elections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Facilitation {
    /// Open meetings: votes weigh by influence, so elites can capture them.
    Open,
    /// Inclusive: equal voice, and room reserved for marginalized households.
    Inclusive,
    /// Top-down: the organizer decides; no vote.
    TopDown,
}

/// The organizers of a strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrganizerParams {
    /// Whether there is an organizer at all (off: the village is on its own).
    pub enabled: bool,
    /// Number of organizers, in [1, 100]; their contacts add up.
    pub count: u32,
    /// Household contacts each organizer makes per step, in [1, 10 000].
    pub contacts_per_step: u32,
    /// Whom the organizers contact first.
    pub targeting: Targeting,
    /// How meetings and elections are facilitated.
    pub facilitation: Facilitation,
    /// Step at which the organizers arrive.
    pub entry_step: u32,
    /// Step at which they leave; the community is on its own afterwards.
    pub exit_step: u32,
    /// Strength of the organizer's push on a trusting household's decision to join
    /// an action (added to its share of participating ties), in [0, 1].
    pub push: f64,
    /// Under inclusive facilitation, the factor by which the organizer raises the
    /// chance that households identified as marginalized can attend meetings and
    /// join the organization (meetings at times and places they can make), in [1, 5].
    pub accommodation: f64,
    /// Further organizers with settings of their own (`[[organizer.team]]`): each
    /// makes its own contacts in its own order, within the lead's stay. Facilitation,
    /// push, accommodation and the stage plan are the lead's.
    pub team: Vec<TeamMember>,
}

/// An organizer of the team besides the lead (`[[organizer.team]]`). A setting left
/// out is the lead's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TeamMember {
    /// Household contacts per step, in [1, 10 000].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts_per_step: Option<u32>,
    /// Whom this organizer contacts first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targeting: Option<Targeting>,
    /// Step at which this organizer starts work (not before the lead arrives).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_step: Option<u32>,
    /// Step at which this organizer leaves (at the latest when the lead does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_step: Option<u32>,
}

impl TeamMember {
    /// Contacts per step, the lead's when not set.
    pub fn contacts(&self, lead: &OrganizerParams) -> u32 {
        self.contacts_per_step.unwrap_or(lead.contacts_per_step)
    }

    /// Targeting rule, the lead's when not set.
    pub fn targeting(&self, lead: &OrganizerParams) -> Targeting {
        self.targeting.unwrap_or(lead.targeting)
    }

    /// Whether this organizer works in step `t` (the lead present): from its entry
    /// (the lead's when not set) to before its exit (the lead's when not set).
    pub fn works_at(&self, t: u32, lead: &OrganizerParams) -> bool {
        t >= self.entry_step.unwrap_or(lead.entry_step)
            && t < self.exit_step.unwrap_or(lead.exit_step)
    }
}

impl Default for OrganizerParams {
    fn default() -> Self {
        OrganizerParams {
            enabled: true,
            count: 1,
            contacts_per_step: 5,
            targeting: Targeting::Random,
            facilitation: Facilitation::Inclusive,
            entry_step: 0,
            exit_step: 156,
            push: 0.15,
            accommodation: 1.6,
            team: Vec::new(),
        }
    }
}

/// The order in which the organizers work through the village, fixed on arrival.
///
/// Contacts follow the order cyclically: once every household has been contacted, the
/// organizers start again from the top.
#[derive(Debug, Clone, Default)]
pub struct ContactOrder {
    order: Vec<u32>,
    cursor: usize,
}

impl ContactOrder {
    /// Builds the order for a targeting rule.
    pub fn new<R: Rng + ?Sized>(
        rule: Targeting,
        h: &Households,
        net: &Network,
        rng: &mut R,
    ) -> ContactOrder {
        let n = h.len();
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.shuffle(rng); // random tie-breaking for every rule
        match rule {
            Targeting::Random => {}
            Targeting::EliteFirst => {
                order.sort_by(|&a, &b| h.influence[b as usize].total_cmp(&h.influence[a as usize]))
            }
            Targeting::MarginalizedFirst => {
                // By whom the organizer takes for marginalized on arrival (the proxy
                // of visible poverty), not by the truth it has yet to learn.
                order.sort_by_key(|&i| !h.identified[i as usize]);
            }
            Targeting::MostConnected => {
                order.sort_by_key(|&i| std::cmp::Reverse(net.degree(i as usize)));
            }
            Targeting::Snowball => {
                let mut seen = vec![false; n];
                let mut out = Vec::with_capacity(n);
                let mut head = 0;
                for &start in &order {
                    if seen[start as usize] {
                        continue;
                    }
                    seen[start as usize] = true;
                    out.push(start);
                    while head < out.len() {
                        let u = out[head] as usize;
                        head += 1;
                        let mut nb: Vec<u32> = net
                            .neighbors(u)
                            .iter()
                            .copied()
                            .filter(|&v| !seen[v as usize])
                            .collect();
                        nb.shuffle(rng);
                        for v in nb {
                            seen[v as usize] = true;
                            out.push(v);
                        }
                    }
                }
                order = out;
            }
        }
        ContactOrder { order, cursor: 0 }
    }

    /// The next `k` households to contact (fewer only if the village is smaller).
    pub fn next_batch(&mut self, k: usize, out: &mut Vec<u32>) {
        out.clear();
        self.append_batch(k, out);
    }

    /// Appends the next `k` households of the order (at most one round) to `out`.
    pub fn append_batch(&mut self, k: usize, out: &mut Vec<u32>) {
        let n = self.order.len();
        if n == 0 {
            return;
        }
        for _ in 0..k.min(n) {
            out.push(self.order[self.cursor]);
            self.cursor = (self.cursor + 1) % n;
        }
    }

    /// Whether the order has been built.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// Draws a random number in [0, 1) (shorthand used by the mechanisms).
#[inline]
pub fn unit<R: Rng + ?Sized>(rng: &mut R) -> f32 {
    rng.random::<f32>()
}
