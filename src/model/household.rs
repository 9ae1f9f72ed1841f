//! Households, the agents, stored as a struct of arrays.
//!
//! Each attribute is one contiguous vector indexed by household number `0..n`, so the
//! per-step loops stream through memory and the threshold rule touches only the bytes
//! it needs. Continuous state is `f32` (ample precision for quantities in [0, 1] or
//! resource units, half the memory of `f64`); sums over households are taken in `f64`.

/// Index of a social group in the scenario's list of groups.
pub type GroupId = u8;

/// Index of a community issue in the scenario's list of issues.
pub type IssueId = u8;

/// All households of one village.
#[derive(Debug, Clone, Default)]
pub struct Households {
    /// External identifiers from a households CSV; empty when the households were
    /// generated, in which case a household's identifier is its index (see
    /// [`Households::external_id`]).
    pub id: Vec<u64>,
    /// Social group of each household.
    pub group: Vec<GroupId>,
    /// Whether the household's group is structurally marginalized (copied from its
    /// group so the hot loops need no lookup).
    pub marginalized: Vec<bool>,
    /// Wealth and assets, in resource units (see `docs/ODD.md`).
    pub resources: Vec<f32>,
    /// The resources the household returns to without benefits or shocks.
    pub endowment: Vec<f32>,
    /// Smoothed share of public benefits obtained, relative to an equal share (1 = an
    /// equal share, 0 = none).
    pub access: Vec<f32>,
    /// Benefits received in the last step, in resource units.
    pub benefit: Vec<f32>,
    /// Social standing from resources and network position (mean about 1).
    pub influence: Vec<f32>,
    /// Trust in the organizer, in [0, 1].
    pub trust: Vec<f32>,
    /// Understanding of the systemic causes of one's situation, in [0, 1].
    pub awareness: Vec<f32>,
    /// Belief that collective action works, in [0, 1].
    pub efficacy: Vec<f32>,
    /// Share of one's ties that must take part before one joins, in [0, 1].
    pub threshold: Vec<f32>,
    /// Ability to spend time on meetings and collective work, in [0, 1].
    pub availability: Vec<f32>,
    /// The community issue that matters most to the household.
    pub priority: Vec<IssueId>,
    /// Taking part in collective action now.
    pub participating: Vec<bool>,
    /// Member of the people's organization.
    pub member: Vec<bool>,
    /// Leader of the people's organization.
    pub leader: Vec<bool>,
    /// Contacted by an organizer at least once.
    pub contacted: Vec<bool>,
    /// Interviewed in the social investigation.
    pub interviewed: Vec<bool>,
    /// Identified as marginalized by the organizer (right or wrong).
    pub identified: Vec<bool>,
    /// Attended at least one deliberation or institution meeting.
    pub attended: Vec<bool>,
    /// Took part in at least one collective action.
    pub participated: Vec<bool>,
}

impl Households {
    /// An empty village with room for `n` households.
    pub fn with_capacity(n: usize) -> Self {
        Households {
            // Only loaded households carry external ids: no room is reserved here.
            id: Vec::new(),
            group: Vec::with_capacity(n),
            marginalized: Vec::with_capacity(n),
            resources: Vec::with_capacity(n),
            endowment: Vec::with_capacity(n),
            access: Vec::with_capacity(n),
            benefit: Vec::with_capacity(n),
            influence: Vec::with_capacity(n),
            trust: Vec::with_capacity(n),
            awareness: Vec::with_capacity(n),
            efficacy: Vec::with_capacity(n),
            threshold: Vec::with_capacity(n),
            availability: Vec::with_capacity(n),
            priority: Vec::with_capacity(n),
            participating: Vec::with_capacity(n),
            member: Vec::with_capacity(n),
            leader: Vec::with_capacity(n),
            contacted: Vec::with_capacity(n),
            interviewed: Vec::with_capacity(n),
            identified: Vec::with_capacity(n),
            attended: Vec::with_capacity(n),
            participated: Vec::with_capacity(n),
        }
    }

    /// Appends one household; state that the dynamics build up (access, benefit,
    /// influence, membership) starts neutral.
    pub fn push(&mut self, h: NewHousehold) {
        if let Some(id) = h.id {
            self.id.push(id);
        }
        self.group.push(h.group);
        self.marginalized.push(h.marginalized);
        self.resources.push(h.resources);
        self.endowment.push(h.resources);
        self.access.push(1.0);
        self.benefit.push(0.0);
        self.influence.push(1.0);
        self.trust.push(h.trust);
        self.awareness.push(h.awareness);
        self.efficacy.push(h.efficacy);
        self.threshold.push(h.threshold);
        self.availability.push(h.availability);
        self.priority.push(h.priority);
        self.participating.push(h.participating);
        self.member.push(false);
        self.leader.push(false);
        self.contacted.push(false);
        self.interviewed.push(false);
        self.identified.push(false);
        self.attended.push(false);
        self.participated.push(false);
    }

    /// Number of households.
    pub fn len(&self) -> usize {
        self.group.len()
    }

    /// Whether there are no households.
    pub fn is_empty(&self) -> bool {
        self.group.is_empty()
    }

    /// The identifier of household `i` as the user knows it: its id in the households
    /// CSV, or its index when the households were generated.
    pub fn external_id(&self, i: usize) -> u64 {
        self.id.get(i).copied().unwrap_or(i as u64)
    }

    /// Heap bytes held by the household arrays (capacity, not just length).
    pub fn heap_bytes(&self) -> usize {
        fn b<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        b(&self.id)
            + b(&self.group)
            + b(&self.marginalized)
            + b(&self.resources)
            + b(&self.endowment)
            + b(&self.access)
            + b(&self.benefit)
            + b(&self.influence)
            + b(&self.trust)
            + b(&self.awareness)
            + b(&self.efficacy)
            + b(&self.threshold)
            + b(&self.availability)
            + b(&self.priority)
            + b(&self.participating)
            + b(&self.member)
            + b(&self.leader)
            + b(&self.contacted)
            + b(&self.interviewed)
            + b(&self.identified)
            + b(&self.attended)
            + b(&self.participated)
    }

    /// Number of members of the people's organization.
    pub fn member_count(&self) -> usize {
        self.member.iter().filter(|&&m| m).count()
    }

    /// Number of households taking part now.
    pub fn participating_count(&self) -> usize {
        self.participating.iter().filter(|&&p| p).count()
    }
}

/// The drawn or loaded attributes of one household, before it joins the village.
#[derive(Debug, Clone, PartialEq)]
pub struct NewHousehold {
    /// External identifier (from a households CSV), or `None` when generated.
    pub id: Option<u64>,
    /// Social group.
    pub group: GroupId,
    /// Whether the group is marginalized.
    pub marginalized: bool,
    /// Starting resources (also the endowment the household reverts to).
    pub resources: f32,
    /// Participation threshold in [0, 1].
    pub threshold: f32,
    /// Availability in [0, 1].
    pub availability: f32,
    /// Priority issue.
    pub priority: IssueId,
    /// Taking part from the start.
    pub participating: bool,
    /// Initial trust in the organizer.
    pub trust: f32,
    /// Initial awareness.
    pub awareness: f32,
    /// Initial efficacy.
    pub efficacy: f32,
}
