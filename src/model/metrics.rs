//! Data collection: the measures of MODEL.md (*What is measured*), computed from the
//! village's state without changing it.
//!
//! [`Metrics`] is one row of `timeseries.csv`; its column names and their meanings are
//! defined once, by the `metrics!` table below, and everything else (CSV headers, the
//! column list in docs/outputs.md, which `tests/docs.rs` checks) follows from it.

use crate::model::community::Community;
use crate::model::economy::EconomyStep;
use crate::model::household::Households;
use crate::model::network::Network;

macro_rules! metrics {
    ($(#[doc = $sdoc:expr])+ $strukt:ident { $( $(#[doc = $doc:expr])+ $name:ident ),* $(,)? }) => {
        $(#[doc = $sdoc])+
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        pub struct $strukt {
            $( $(#[doc = $doc])+ pub $name: f64, )*
        }

        impl $strukt {
            /// Column names, in output order.
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($name)),*];
            /// One-line meaning of each column, aligned with `COLUMNS`.
            pub const DESCRIPTIONS: &'static [&'static str] = &[$(concat!($($doc),+)),*];

            /// The values, aligned with `COLUMNS`.
            pub fn values(&self) -> [f64; Self::COLUMNS.len()] {
                [$(self.$name),*]
            }
        }
    };
}

metrics! {
    /// One row of measures of a village at one step: a row of `timeseries.csv`.
    Metrics {
    /// Share of households taking part in collective action.
    participation,
    /// Gini coefficient of resources (0 = equal, 1 = one household holds all).
    gini,
    /// Mean resources per household, in resource units.
    mean_resources,
    /// Mean smoothed access of marginalized households (1 = an equal share of benefits).
    access_marginalized,
    /// Mean smoothed access of the other households.
    access_other,
    /// Access gap: access_other minus access_marginalized (0 = no gap).
    access_gap,
    /// Share of this step's benefits received by the fifth of households richest before them.
    top_quintile_benefit_share,
    /// Benefits shared out this step, in resource units.
    benefits,
    /// 1 if a shock struck this step, else 0.
    shock,
    /// E-I index of ties across groups: -1 all ties within groups, +1 all across.
    ei_index,
    /// Mean number of ties per household.
    mean_degree,
    /// Share of this step's benefits received by marginalized households.
    benefit_share_marginalized,
    /// Systemic bias faced by marginalized households the organization identified.
    relieved_bias,
    /// Elite capture in force: economy.elite_capture less what capacity takes off.
    effective_elite_capture,
    /// Current phase: 0 before the organizer, 1-5 the five stages, 6 the institution.
    stage,
    /// 1 while an organizer is in the village, else 0.
    organizer_present,
    /// Mean trust in the organizer.
    mean_trust,
    /// Share of households trusting the organizer (trust at or above behaviour.trusting).
    trusting,
    /// Mean awareness of the systemic causes of marginalization.
    mean_awareness,
    /// Mean efficacy (belief that collective action works).
    mean_efficacy,
    /// Share of marginalized households attending the latest meeting.
    attendance_marginalized,
    /// Share of the other households attending the latest meeting.
    attendance_other,
    /// Share of households contacted by an organizer so far.
    contacted,
    /// Share of households documented in the resource map (interviewed).
    map,
    /// Share of households whose priority issue the organizer heard truly (what it learned by listening).
    knowledge,
    /// Inventory of potentials: documented share of the village's potential, mean over the issues' kinds.
    inventory,
    /// Share of the village's starting potential not yet used by successful actions.
    potential_left,
    /// How far macro analysis has revealed the allocation rule's bias, in [0, 1] (from testimonies).
    bias_revealed,
    /// Precision of identification: share of households identified as marginalized that are.
    identification_precision,
    /// Recall of identification: share of marginalized households identified as such.
    identification_recall,
    /// Legitimacy of the plan: share of households who took part or whose issue was chosen.
    legitimacy,
    /// The shared issue's number in population.issues, or -1 before one is chosen.
    issue,
    /// 1 if the latest deliberation reached consensus (mufakat), 0 if it fell back to a vote or none was held.
    consensus,
    /// Successful collective actions so far.
    successes,
    /// Failed collective actions so far.
    failures,
    /// Share of households that are members of the people's organization.
    members,
    /// Marginalized share among members over their share of the village (1 = proportional).
    member_representation,
    /// Marginalized share among leaders over their share of the village (1 = proportional).
    leader_representation,
    /// Share of marginalized households served by no one: not a member, not contacted or at a meeting while an organizer is there, and tied to none of these.
    unreached_marginalized,
    /// Institutional capacity in [0, 1]: moves towards the weighted mean of its five components.
    capacity,
    /// Capacity component: membership coverage.
    capacity_membership,
    /// Capacity component: democratic oversight.
    capacity_oversight,
    /// Capacity component: representativeness of leadership.
    capacity_representation,
    /// Capacity component: success record of actions.
    capacity_success,
    /// Capacity component: the organization's resource pool.
    capacity_pool,
    /// Share of the benefit flow diverted to leaders (elite capture).
    diversion,
    /// Leaders recalled so far after diversion was caught.
    recalls,
    /// 1 once the organization has dissolved (fewer than three members), else 0.
    collapsed,
    }
}

metrics! {
    /// Measures of one social group at one step: a row of `groups.csv`.
    GroupMetrics {
    /// Households in the group.
    households,
    /// Mean resources per household of the group, in resource units.
    mean_resources,
    /// Mean smoothed access of the group's households (1 = an equal share of benefits).
    mean_access,
    /// Share of this step's benefits received by the group (NA when none were shared out).
    benefit_share,
    /// Share of the group's households taking part in collective action.
    participation,
    /// Share of the group's households at the latest meeting (0 before any).
    attendance,
    /// Share of the group's households that have attended any meeting.
    ever_attended,
    /// Share of the group's households contacted by the organizer.
    contacted,
    /// Share of the group's households identified as marginalized.
    identified,
    /// Share of the group's households that are members of the organization.
    members,
    /// Share of the organization's leaders from the group (NA without leaders).
    leader_share,
    /// Mean trust of the group's households in the organizer.
    mean_trust,
    /// Mean awareness of the group's households.
    mean_awareness,
    /// Mean efficacy of the group's households.
    mean_efficacy,
    }
}

/// Measures every group of `groups` (group ids `0..groups`) into `out`, one entry
/// per group; `c` gives the latest meeting's attendees. [`measure`] does the same
/// when given `out`.
pub fn measure_groups(h: &Households, c: &Community, groups: usize, out: &mut Vec<GroupMetrics>) {
    let (mut sums, mut by_group) = (Vec::new(), Vec::new());
    group_sums(h, groups, &mut by_group, &mut sums);
    let benefit_all = h.benefit.iter().fold(0f64, |s, &b| s + b as f64);
    let leaders = h.leader.iter().filter(|&&l| l).count();
    groups_finish(&sums, out, h, c, benefit_all, leaders);
}

/// A group's running sums while households are added: counts as integers (exactly
/// the sums of ones they stand for), quantities as `f64` summed in household order.
#[derive(Debug, Clone, Copy, Default)]
struct GroupSums {
    households: u32,
    participation: u32,
    ever_attended: u32,
    contacted: u32,
    identified: u32,
    members: u32,
    leaders: u32,
    resources: f64,
    access: f64,
    benefit: f64,
    trust: f64,
    awareness: f64,
    efficacy: f64,
}

/// Sums every group's households (group ids `0..groups`; others are left out) into
/// `sums`. The households are first listed group by group in household order
/// (`by_group`, a counting sort), so each group's sums are kept in registers while
/// its households are added, in household order as before.
fn group_sums(h: &Households, groups: usize, by_group: &mut Vec<u32>, sums: &mut Vec<GroupSums>) {
    sums.clear();
    sums.resize(groups, GroupSums::default());
    let n = h.len();
    let group = &h.group[..n];
    let mut start = vec![0u32; groups + 1];
    for &g in group {
        if let Some(c) = start.get_mut(g as usize + 1) {
            *c += 1;
        }
    }
    for g in 0..groups {
        start[g + 1] += start[g];
    }
    by_group.clear();
    by_group.resize(start[groups] as usize, 0);
    let mut at = start.clone();
    for (i, &g) in group.iter().enumerate() {
        if (g as usize) < groups {
            let a = &mut at[g as usize];
            by_group[*a as usize] = i as u32;
            *a += 1;
        }
    }
    let (res, acc, ben) = (&h.resources[..n], &h.access[..n], &h.benefit[..n]);
    let (tru, awa, eff) = (&h.trust[..n], &h.awareness[..n], &h.efficacy[..n]);
    let (par, att, con) = (&h.participating[..n], &h.attended[..n], &h.contacted[..n]);
    let (idf, mem, lea) = (&h.identified[..n], &h.member[..n], &h.leader[..n]);
    for (g, out) in sums.iter_mut().enumerate() {
        let mut s = GroupSums::default();
        for &i in &by_group[start[g] as usize..start[g + 1] as usize] {
            let i = i as usize;
            s.households += 1;
            s.resources += res[i] as f64;
            s.access += acc[i] as f64;
            s.benefit += ben[i] as f64;
            s.participation += par[i] as u32;
            s.ever_attended += att[i] as u32;
            s.contacted += con[i] as u32;
            s.identified += idf[i] as u32;
            s.members += mem[i] as u32;
            s.leaders += lea[i] as u32;
            s.trust += tru[i] as f64;
            s.awareness += awa[i] as f64;
            s.efficacy += eff[i] as f64;
        }
        *out = s;
    }
}

/// Turns the groups' sums into shares and means; `benefit_all` and `leaders` are the
/// village's totals.
fn groups_finish(
    sums: &[GroupSums],
    out: &mut Vec<GroupMetrics>,
    h: &Households,
    c: &Community,
    benefit_all: f64,
    leaders: usize,
) {
    out.clear();
    out.extend(sums.iter().map(|s| GroupMetrics {
        households: s.households as f64,
        mean_resources: s.resources,
        mean_access: s.access,
        benefit_share: s.benefit,
        participation: s.participation as f64,
        attendance: 0.0,
        ever_attended: s.ever_attended as f64,
        contacted: s.contacted as f64,
        identified: s.identified as f64,
        members: s.members as f64,
        leader_share: s.leaders as f64,
        mean_trust: s.trust,
        mean_awareness: s.awareness,
        mean_efficacy: s.efficacy,
    }));
    for &i in c.attendees() {
        if let Some(g) = out.get_mut(h.group[i as usize] as usize) {
            g.attendance += 1.0;
        }
    }
    for g in out.iter_mut() {
        let n = g.households;
        let per = |v: f64| if n > 0.0 { v / n } else { f64::NAN };
        g.mean_resources = per(g.mean_resources);
        g.mean_access = per(g.mean_access);
        g.benefit_share = if benefit_all > 0.0 {
            g.benefit_share / benefit_all
        } else {
            f64::NAN
        };
        g.participation = per(g.participation);
        g.attendance = per(g.attendance);
        g.ever_attended = per(g.ever_attended);
        g.contacted = per(g.contacted);
        g.identified = per(g.identified);
        g.members = per(g.members);
        g.leader_share = if leaders > 0 {
            g.leader_share / leaders as f64
        } else {
            f64::NAN
        };
        g.mean_trust = per(g.mean_trust);
        g.mean_awareness = per(g.mean_awareness);
        g.mean_efficacy = per(g.mean_efficacy);
    }
}

/// State kept between recorded steps so that a measure costs what changed, and the
/// buffers it sorts in (so recording a step does not allocate):
/// - the E-I index is recomputed only after ties change ([`Scratch::ties_changed`]);
/// - the Gini coefficient sorts by a radix sort on the floats' bits, and the top
///   fifth's benefit share selects by them (both linear in households, where a
///   comparison sort is not);
/// - the unreached marginalized households are counted again only around the
///   households whose reach changed since the last row (or everywhere after ties
///   changed).
///
/// Every value is exactly what a fresh comparison sort and a fresh scan give: the
/// same sorted sequence, summed in the same order, and the same integer count.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    keys: Vec<u32>,
    keys_tmp: Vec<u32>,
    pairs: Vec<u64>,
    group_sums: Vec<GroupSums>,
    by_group: Vec<u32>,
    ei_index: Option<f64>,
    reach: Reach,
}

impl Scratch {
    /// Buffers sized for `n` households.
    pub fn new(n: usize) -> Self {
        Scratch {
            keys: Vec::with_capacity(n),
            keys_tmp: Vec::with_capacity(n),
            pairs: Vec::with_capacity(n),
            group_sums: Vec::new(),
            by_group: Vec::new(),
            ei_index: None,
            reach: Reach::default(),
        }
    }

    /// Ties were added or removed: the tie-based measures are computed afresh.
    pub fn ties_changed(&mut self) {
        self.ei_index = None;
        self.reach.valid = false;
    }
}

/// The count of marginalized households served by no one, kept between rows: who is
/// reached (a member, or contacted or at a meeting while an organizer is there) and
/// which marginalized households are unreached (not reached and tied to no one who
/// is). Only households whose reach changed, and their ties, are looked at again.
#[derive(Debug, Clone, Default)]
struct Reach {
    valid: bool,
    reached: Vec<bool>,
    /// Who is reached now (a buffer, filled by the caller).
    now: Vec<bool>,
    unreached: Vec<bool>,
    changed: Vec<u32>,
    count: usize,
}

impl Reach {
    /// Whether marginalized household `i` is unreached, by `reached`.
    fn is_unreached(reached: &[bool], marginalized: &[bool], net: &Network, i: usize) -> bool {
        marginalized[i] && !reached[i] && !net.neighbors(i).iter().any(|&j| reached[j as usize])
    }

    /// Brings the count up to date with `reached_now` (who is reached now, one flag
    /// per household) and returns it: exactly the count a fresh scan gives.
    fn update(&mut self, marginalized: &[bool], net: &Network, reached_now: &[bool]) -> usize {
        let n = marginalized.len();
        self.changed.clear();
        let kept = self.valid && self.reached.len() == n && reached_now.len() == n;
        if kept {
            // Blocks of 16 households compared at once: few differ between rows.
            const B: usize = 16;
            for (b, (old, now)) in self
                .reached
                .chunks(B)
                .zip(reached_now.chunks(B))
                .enumerate()
            {
                let same = match (<&[bool; B]>::try_from(old), <&[bool; B]>::try_from(now)) {
                    (Ok(o), Ok(w)) => o == w,
                    _ => old == now,
                };
                if !same {
                    let changed = old.iter().zip(now).enumerate().filter(|(_, (o, w))| o != w);
                    self.changed
                        .extend(changed.map(|(k, _)| (b * B + k) as u32));
                }
            }
        }
        self.reached.clear();
        self.reached.extend_from_slice(reached_now);
        // Each changed household costs a look at its ties' ties: beyond a share of
        // the village, a fresh scan is cheaper.
        if !kept || self.changed.len() * 16 > n {
            self.unreached.clear();
            self.unreached
                .extend((0..n).map(|i| Self::is_unreached(&self.reached, marginalized, net, i)));
            self.count = self.unreached.iter().filter(|&&u| u).count();
            self.valid = true;
            return self.count;
        }
        for &c in &self.changed {
            let c = c as usize;
            for i in std::iter::once(c).chain(net.neighbors(c).iter().map(|&j| j as usize)) {
                let now = Self::is_unreached(&self.reached, marginalized, net, i);
                if now != self.unreached[i] {
                    self.unreached[i] = now;
                    if now {
                        self.count += 1;
                    } else {
                        self.count -= 1;
                    }
                }
            }
        }
        self.count
    }
}

/// The bits of `x` as an unsigned number whose order is [`f32::total_cmp`]'s.
fn ordered_bits(x: f32) -> u32 {
    let b = x.to_bits();
    if b & 0x8000_0000 != 0 {
        !b
    } else {
        b | 0x8000_0000
    }
}

/// The inverse of [`ordered_bits`].
fn from_ordered_bits(u: u32) -> f32 {
    f32::from_bits(if u & 0x8000_0000 != 0 {
        u & 0x7fff_ffff
    } else {
        !u
    })
}

/// Sorts `v` ascending by least-significant-digit radix sort in three passes of 11,
/// 11 and 10 bits; `tmp` is scratch space. Linear in `v.len()`.
fn radix_sort(v: &mut Vec<u32>, tmp: &mut Vec<u32>) {
    const BITS: [u32; 3] = [11, 11, 10];
    let n = v.len();
    let mut counts = [[0u32; 1 << 11]; 3];
    for &k in v.iter() {
        counts[0][(k & 0x7ff) as usize] += 1;
        counts[1][((k >> 11) & 0x7ff) as usize] += 1;
        counts[2][(k >> 22) as usize] += 1;
    }
    // Every slot of `tmp` is written before it is read: only its length matters.
    tmp.resize(n, 0);
    let mut shift = 0;
    for (pass, bits) in BITS.iter().enumerate() {
        let mask = (1u32 << bits) - 1;
        let c = &mut counts[pass];
        if c.contains(&(n as u32)) {
            // Every key has the same digit here: the pass would change nothing.
            shift += bits;
            continue;
        }
        let mut sum = 0;
        for x in c.iter_mut() {
            let here = *x;
            *x = sum;
            sum += here;
        }
        for &x in v.iter() {
            let d = ((x >> shift) & mask) as usize;
            tmp[c[d] as usize] = x;
            c[d] += 1;
        }
        std::mem::swap(v, tmp);
        shift += bits;
    }
}

/// The Gini coefficient of `resources` (negative values counted as zero), as
/// [`gini`] gives it, sorting in `s`'s buffers.
fn gini_radix(resources: &[f32], s: &mut Scratch) -> f64 {
    s.keys.clear();
    s.keys
        .extend(resources.iter().map(|&r| ordered_bits(r.max(0.0))));
    radix_sort(&mut s.keys, &mut s.keys_tmp);
    gini_of_sorted(
        s.keys.iter().map(|&k| from_ordered_bits(k)),
        resources.len(),
    )
}

/// The Gini coefficient of `n` non-negative values given in ascending order.
fn gini_of_sorted(sorted: impl Iterator<Item = f32>, n: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let (mut sum, mut weighted) = (0f64, 0f64);
    for (i, v) in sorted.enumerate() {
        sum += v as f64;
        weighted += (i as f64 + 1.0) * v as f64;
    }
    if sum <= 0.0 {
        return 0.0;
    }
    let n = n as f64;
    2.0 * weighted / (n * sum) - (n + 1.0) / n
}

/// [`top_quintile_share`] without a sort: one pass computes the keys (resources
/// before benefits, richest first) and counts the households by their top 11 bits,
/// only the bucket that holds the `ceil(n / 5)`-th household is sorted to find it
/// exactly, and a last pass sums the benefits of those at or above it in household
/// order. `total` is the sum of `benefit` in household order.
fn top_quintile_select(resources: &[f32], benefit: &[f32], total: f64, s: &mut Scratch) -> f64 {
    let n = resources.len();
    let benefit = &benefit[..n];
    if n == 0 || total <= 0.0 {
        return 0.0;
    }
    // Key: ascending key = richer first; (key, household) orders like
    // `top_quintile_share`'s comparison.
    let mut counts = [0u32; 1 << 11];
    s.keys.clear();
    s.keys.extend(resources.iter().zip(benefit).map(|(&r, &b)| {
        let key = !ordered_bits(r - b);
        counts[(key >> 21) as usize] += 1;
        key
    }));
    let k = n.div_ceil(5) as u32;
    let (mut below, mut bucket) = (0u32, 0u32);
    for (b, &c) in counts.iter().enumerate() {
        if below + c >= k {
            bucket = b as u32;
            break;
        }
        below += c;
    }
    s.pairs.clear();
    s.pairs.extend(
        s.keys
            .iter()
            .enumerate()
            .filter(|&(_, &key)| key >> 21 == bucket)
            .map(|(i, &key)| ((key as u64) << 32) | i as u64),
    );
    let rank = (k - below - 1) as usize;
    let (_, &mut kth, _) = s.pairs.select_nth_unstable(rank);
    // `-0.0` is the sum's identity: adding it for a household left out changes no
    // bit of the sum, so the sum is that of the chosen households alone.
    let mut top = -0.0f64;
    for (i, (&key, &b)) in s.keys.iter().zip(benefit).enumerate() {
        let chosen = ((key as u64) << 32 | i as u64) <= kth;
        top += if chosen { b as f64 } else { -0.0 };
    }
    top / total
}

/// Gini coefficient of non-negative values; sorts `values` in place. `0` when the
/// values are empty or sum to zero. Negative values are treated as zero.
pub fn gini_in_place(values: &mut [f32]) -> f64 {
    for v in values.iter_mut() {
        *v = v.max(0.0);
    }
    values.sort_unstable_by(f32::total_cmp);
    gini_of_sorted(values.iter().copied(), values.len())
}

/// Gini coefficient of a slice (copies it).
pub fn gini(values: &[f32]) -> f64 {
    let mut v = values.to_vec();
    gini_in_place(&mut v)
}

/// Share of the total of `benefit` received by the `ceil(n / 5)` households that were
/// richest before this step's benefits (`resources − benefit`; ties go to the lower
/// household number), summed in household order. `0` when no benefits were shared
/// out.
pub fn top_quintile_share(resources: &[f32], benefit: &[f32], order: &mut Vec<u32>) -> f64 {
    let n = resources.len();
    let total: f64 = benefit.iter().map(|&b| b as f64).sum();
    if n == 0 || total <= 0.0 {
        return 0.0;
    }
    let before = |i: u32| resources[i as usize] - benefit[i as usize];
    let richer = |a: u32, b: u32| before(b).total_cmp(&before(a)).then(a.cmp(&b));
    let k = n.div_ceil(5);
    order.clear();
    order.extend(0..n as u32);
    let (_, &mut kth, _) = order.select_nth_unstable_by(k - 1, |&a, &b| richer(a, b));
    let top: f64 = (0..n as u32)
        .filter(|&i| richer(i, kth).is_le())
        .map(|i| benefit[i as usize] as f64)
        .sum();
    top / total
}

/// The allocation rule as it stands now: what the institution has changed of it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RuleNow {
    /// Systemic bias identified marginalized households face now.
    pub relieved_bias: f64,
    /// Elite capture `β` in force now.
    pub elite_capture: f64,
}

/// Measures the village. `rule` is the allocation rule as it stands now,
/// `trusting_level` the trust at which a household counts as trusting; `last`
/// describes the step just taken. With `groups` = `Some((k, out))` it also measures
/// the `k` social groups into `out` (over lists of their households), exactly as
/// [`measure_groups`] does.
#[allow(clippy::too_many_arguments)]
pub fn measure(
    h: &Households,
    net: &Network,
    c: &Community,
    rule: RuleNow,
    trusting_level: f32,
    last: EconomyStep,
    scratch: &mut Scratch,
    groups: Option<(usize, &mut Vec<GroupMetrics>)>,
) -> Metrics {
    let n = h.len();
    let nf = n.max(1) as f64;
    let ratio = |a: usize, b: usize| if b > 0 { a as f64 / b as f64 } else { f64::NAN };
    // Counts: one pass over one or two flags each (the compiler vectorizes these).
    let count = |v: &[bool]| v.iter().map(|&x| x as usize).sum::<usize>();
    let both = |a: &[bool], b: &[bool]| {
        a.iter()
            .zip(b)
            .map(|(&x, &y)| (x & y) as usize)
            .sum::<usize>()
    };
    let marg = &h.marginalized[..n];
    let nm = count(marg);
    let (idn, tp) = (count(&h.identified), both(&h.identified, marg));
    let (members, members_m) = (count(&h.member), both(&h.member, marg));
    let (leaders, leaders_m) = (count(&h.leader), both(&h.leader, marg));
    let contacted = count(&h.contacted);
    let participating = count(&h.participating);
    let trusting = h
        .trust
        .iter()
        .map(|&t| (t >= trusting_level) as usize)
        .sum::<usize>();
    // Sums of quantities, each in household order as `f64`. `-0.0` is the sum's
    // identity (adding it changes no bit of any sum), so a sum over the marginalized
    // adds it for the others instead of branching.
    let (mut am, mut ao, mut benefit_m, mut benefit_all) = (0f64, 0f64, 0f64, 0f64);
    let (mut trust, mut awareness, mut efficacy) = (0f64, 0f64, 0f64);
    // As `Iterator::sum` for `f64`, which starts from `-0.0`.
    let mut resources = -0.0f64;
    let (access, benefit, res) = (&h.access[..n], &h.benefit[..n], &h.resources[..n]);
    let (tru, awa, eff) = (&h.trust[..n], &h.awareness[..n], &h.efficacy[..n]);
    for i in 0..n {
        let m = marg[i];
        let (a, b) = (access[i] as f64, benefit[i] as f64);
        benefit_all += b;
        am += if m { a } else { -0.0 };
        ao += if m { -0.0 } else { a };
        benefit_m += if m { b } else { -0.0 };
        trust += tru[i] as f64;
        awareness += awa[i] as f64;
        efficacy += eff[i] as f64;
        resources += res[i] as f64;
    }
    if let Some((k, out)) = groups {
        let mut sums = std::mem::take(&mut scratch.group_sums);
        group_sums(h, k, &mut scratch.by_group, &mut sums);
        groups_finish(&sums, out, h, c, benefit_all, leaders);
        scratch.group_sums = sums;
    }
    let no = n - nm;
    let access_marginalized = if nm > 0 { am / nm as f64 } else { f64::NAN };
    let access_other = if no > 0 { ao / no as f64 } else { f64::NAN };
    let pop_m = nm as f64 / nf;
    let repr = |a: usize, b: usize| {
        if b == 0 || pop_m == 0.0 {
            f64::NAN
        } else {
            a as f64 / b as f64 / pop_m
        }
    };
    // Marginalized households served by no one: not members, not the organizer's
    // contacts or meetings' attendees while an organizer is there, and tied to none
    // of these.
    let present = c.organizer_present;
    let mut now = std::mem::take(&mut scratch.reach.now);
    now.clear();
    now.extend(
        (h.member[..n]
            .iter()
            .zip(&h.contacted[..n])
            .zip(&h.attended[..n]))
        .map(|((&m, &k), &a)| m | (present & (k | a))),
    );
    let unreached = scratch.reach.update(&h.marginalized, net, &now);
    scratch.reach.now = now;
    let knowledge = c.heard_truly;
    let gini = gini_radix(&h.resources, scratch);
    let ei_index = *scratch
        .ei_index
        .get_or_insert_with(|| net.ei_index(&h.group));
    let mean_resources = resources / nf;
    Metrics {
        participation: participating as f64 / nf,
        gini,
        mean_resources,
        access_marginalized,
        access_other,
        access_gap: access_other - access_marginalized,
        top_quintile_benefit_share: top_quintile_select(
            &h.resources,
            &h.benefit,
            benefit_all,
            scratch,
        ),
        benefits: last.benefits,
        shock: last.shock as u8 as f64,
        ei_index,
        mean_degree: net.mean_degree(),
        benefit_share_marginalized: if benefit_all > 0.0 {
            benefit_m / benefit_all
        } else {
            f64::NAN
        },
        relieved_bias: rule.relieved_bias,
        effective_elite_capture: rule.elite_capture,
        stage: c.stage.number() as f64,
        organizer_present: c.organizer_present as u8 as f64,
        mean_trust: trust / nf,
        trusting: trusting as f64 / nf,
        mean_awareness: awareness / nf,
        mean_efficacy: efficacy / nf,
        attendance_marginalized: c.attendance.marginalized,
        attendance_other: c.attendance.other,
        contacted: contacted as f64 / nf,
        map: c.map,
        knowledge: knowledge as f64 / nf,
        inventory: c.potentials.inventory_mean(),
        potential_left: c.potentials.left_share(),
        bias_revealed: c.bias_revealed,
        identification_precision: ratio(tp, idn),
        identification_recall: ratio(tp, nm),
        legitimacy: c.legitimacy,
        issue: c.issue.map_or(-1.0, |x| x as f64),
        consensus: c.consensus as u8 as f64,
        successes: c.successes as f64,
        failures: c.failures as f64,
        members: members as f64 / nf,
        member_representation: repr(members_m, members),
        leader_representation: repr(leaders_m, leaders),
        unreached_marginalized: ratio(unreached, nm),
        capacity: c.capacity,
        capacity_membership: c.components[0],
        capacity_oversight: c.components[1],
        capacity_representation: c.components[2],
        capacity_success: c.components[3],
        capacity_pool: c.components[4],
        diversion: c.diversion,
        recalls: c.recalls as f64,
        collapsed: c.collapsed_at.is_some() as u8 as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_known_values() {
        assert!((gini(&[1.0, 2.0, 3.0, 4.0, 5.0]) - 0.266_666_7).abs() < 1e-4);
        assert!((gini(&[0.0, 0.0, 0.0, 0.0, 1.0]) - 0.8).abs() < 1e-9);
        assert_eq!(gini(&[3.0; 10]), 0.0);
        assert_eq!(gini(&[]), 0.0);
        assert_eq!(gini(&[0.0, 0.0]), 0.0);
    }

    #[test]
    fn gini_ignores_order() {
        assert_eq!(
            gini(&[5.0, 1.0, 4.0, 2.0, 3.0]),
            gini(&[1.0, 2.0, 3.0, 4.0, 5.0])
        );
    }

    #[test]
    fn top_quintile_of_ten_is_two_richest() {
        let r: Vec<f32> = (0..10).map(|i| i as f32).collect();
        let b = [1.0f32; 10];
        let mut order = Vec::new();
        assert!((top_quintile_share(&r, &b, &mut order) - 0.2).abs() < 1e-12);
        // Ranked by resources before benefits: a large benefit to the poorest does
        // not lift it into the top fifth.
        let mut b2 = [0.0f32; 10];
        b2[9] = 3.0;
        b2[8] = 1.0;
        b2[0] = 40.0;
        let after: Vec<f32> = r.iter().zip(&b2).map(|(x, b)| x + b).collect();
        assert!((top_quintile_share(&after, &b2, &mut order) - 4.0 / 44.0).abs() < 1e-9);
    }

    /// The radix-sorted measures must give exactly what a comparison sort gives, row
    /// after row: through small and large moves, a shock that reshuffles many
    /// households, equal values, negatives and zeros, and changes of size. Could
    /// fail: a digit pass that is not stable, a wrong bit mapping for negatives, or a
    /// tie broken differently would change a bit of the result.
    #[test]
    fn radix_measures_match_comparison_sorts_row_after_row() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut s = Scratch::new(0);
        for n in [0usize, 1, 5, 1000, 999] {
            let mut res: Vec<f32> = (0..n).map(|_| rng.random_range(0.0..50.0)).collect();
            for row in 0..40 {
                let benefit: Vec<f32> = (0..n).map(|_| rng.random_range(0.0..2.0)).collect();
                if row % 2 == 0 {
                    for (r, b) in res.iter_mut().zip(&benefit) {
                        *r = *r * 0.95 + b + rng.random_range(-0.2..0.2);
                    }
                } else {
                    // Small moves: few households change places.
                    for r in res.iter_mut() {
                        *r *= 1.0 + rng.random_range(-1e-4..1e-4);
                    }
                }
                if row % 13 == 5 {
                    // A shock: many households change places at once.
                    for r in res.iter_mut().step_by(2) {
                        *r *= rng.random_range(0.0..1.0);
                    }
                }
                if row % 17 == 3 && n > 3 {
                    res[0] = -1.0;
                    res[1] = res[2];
                    res[3] = -0.0;
                }
                if row == 30 {
                    // Every value the same: passes with one digit are skipped.
                    res.iter_mut().for_each(|r| *r = 2.5);
                }
                assert_eq!(
                    gini_radix(&res, &mut s).to_bits(),
                    gini(&res).to_bits(),
                    "gini, n {n}, row {row}"
                );
                let mut order = Vec::new();
                let total = benefit.iter().fold(0f64, |t, &b| t + b as f64);
                assert_eq!(
                    top_quintile_select(&res, &benefit, total, &mut s).to_bits(),
                    top_quintile_share(&res, &benefit, &mut order).to_bits(),
                    "top quintile, n {n}, row {row}"
                );
            }
        }
    }

    /// The kept count of unreached households must equal a fresh scan row after
    /// row, as households are reached and unreached a few at a time, many at once
    /// (an organizer arriving or leaving), and after ties change. Could fail: a
    /// household whose only reached tie changed not looked at again, a count moved
    /// twice for one household, or a stale state kept across new ties.
    #[test]
    fn kept_unreached_count_matches_a_fresh_scan() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let n = 600u32;
        let edges: Vec<(u32, u32)> = (0..1200)
            .map(|_| (rng.random_range(0..n), rng.random_range(0..n)))
            .collect();
        let mut net = Network::from_edges(n as usize, &edges, None).unwrap();
        let marg: Vec<bool> = (0..n).map(|_| rng.random_bool(0.4)).collect();
        let mut reached: Vec<bool> = vec![false; n as usize];
        let mut kept = Reach::default();
        for row in 0..120 {
            let flips = match row % 10 {
                0 => n as usize / 3,
                _ => rng.random_range(0..6),
            };
            for _ in 0..flips {
                let i = rng.random_range(0..n as usize);
                reached[i] = !reached[i];
            }
            if row % 25 == 7 {
                let extra: Vec<(u32, u32)> = (0..20)
                    .map(|_| (rng.random_range(0..n), rng.random_range(0..n)))
                    .collect();
                net = net.with_added_edges(&extra);
                kept.valid = false;
            }
            let fresh = (0..n as usize)
                .filter(|&i| Reach::is_unreached(&reached, &marg, &net, i))
                .count();
            assert_eq!(kept.update(&marg, &net, &reached), fresh, "row {row}");
        }
    }

    #[test]
    fn columns_and_descriptions_align() {
        assert_eq!(Metrics::COLUMNS.len(), Metrics::DESCRIPTIONS.len());
        assert_eq!(Metrics::COLUMNS[0], "participation");
    }
}
