//! A bare version of the two costliest measures of a recorded row, the floor
//! `metrics::measure` is compared against (issue 15: recording every step at most
//! 1.3 times a run recorded once): the Gini coefficient of resources, exact (a sort
//! is needed for it), and the sums behind the village's and its groups' means of six
//! quantities. Plain loops over plain slices, no checks, and none of the model's
//! promises: the sums are reassociated (four lanes, so the compiler may vectorize)
//! and the Gini coefficient's sort is a plain two-digit radix sort. Anything cheaper
//! than this for the same numbers would have to skip work, not do it faster.

/// Scratch space of [`gini`], kept between rows as the model keeps its own.
#[derive(Default)]
pub struct GiniScratch {
    keys: Vec<u32>,
    tmp: Vec<u32>,
    low: Vec<u32>,
    high: Vec<u32>,
}

/// The Gini coefficient of `values` (negative counted as zero): the bits of the
/// non-negative values sorted by a least-significant-digit radix sort in two digits
/// of the keys' range, then `2 Σ i x_(i) / (n Σ x) − (n + 1) / n`.
pub fn gini(values: &[f32], s: &mut GiniScratch) -> f64 {
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    s.keys.clear();
    s.keys
        .extend(values.iter().map(|&v| v.max(0.0).to_bits() & 0x7fff_ffff));
    let lo = s.keys.iter().copied().min().unwrap_or(0);
    let hi = s.keys.iter().copied().max().unwrap_or(0);
    let bits = 32 - (hi - lo).leading_zeros();
    let width = bits.div_ceil(2).max(1);
    let mask = (1u32 << width) - 1;
    s.low.clear();
    s.low.resize(1 << width, 0);
    s.high.clear();
    s.high.resize(1 << width, 0);
    for &k in &s.keys {
        s.low[((k - lo) & mask) as usize] += 1;
        s.high[((k - lo) >> width & mask) as usize] += 1;
    }
    for c in [&mut s.low, &mut s.high] {
        let mut sum = 0;
        for x in c.iter_mut() {
            let here = *x;
            *x = sum;
            sum += here;
        }
    }
    s.tmp.resize(n, 0);
    for &k in &s.keys {
        let d = ((k - lo) & mask) as usize;
        s.tmp[s.low[d] as usize] = k;
        s.low[d] += 1;
    }
    for &k in &s.tmp {
        let d = ((k - lo) >> width & mask) as usize;
        s.keys[s.high[d] as usize] = k;
        s.high[d] += 1;
    }
    let (mut sum, mut weighted) = ([0f64; 4], [0f64; 4]);
    let chunks = s.keys.chunks_exact(4);
    let rest = chunks.remainder();
    for (q, c) in chunks.enumerate() {
        for j in 0..4 {
            let v = f32::from_bits(c[j]) as f64;
            sum[j] += v;
            weighted[j] += (4 * q + j + 1) as f64 * v;
        }
    }
    for (j, &k) in rest.iter().enumerate() {
        let v = f32::from_bits(k) as f64;
        sum[j] += v;
        weighted[j] += (n - rest.len() + j + 1) as f64 * v;
    }
    let (sum, weighted): (f64, f64) = (sum.iter().sum(), weighted.iter().sum());
    if sum <= 0.0 {
        return 0.0;
    }
    let n = n as f64;
    2.0 * weighted / (n * sum) - (n + 1.0) / n
}

/// The quantities whose sums a row's means need, one slice per quantity.
pub struct Quantities<'a> {
    /// Group of each household (groups `0..k`).
    pub group: &'a [u8],
    /// Whether each household is marginalized.
    pub marginalized: &'a [bool],
    /// Six quantities: resources, access, benefit, trust, awareness, efficacy.
    pub values: [&'a [f32]; 6],
}

/// The sums of the six quantities by group (`k` groups; `out[g]`), and of access
/// and benefit over the marginalized (`out[k]`, first two); four lanes of
/// households, so no sum waits on the one before it.
pub fn sums(q: &Quantities, k: usize, out: &mut Vec<[f64; 6]>) {
    let n = q.group.len();
    let mut lanes = vec![[0f64; 6]; 4 * (k + 1)];
    let [r, a, b, t, w, e] = q.values.map(|v| &v[..n]);
    for i in 0..n {
        let lane = i & 3;
        let g = (q.group[i] as usize).min(k - 1);
        let s = &mut lanes[4 * g + lane];
        let (ai, bi) = (a[i] as f64, b[i] as f64);
        s[0] += r[i] as f64;
        s[1] += ai;
        s[2] += bi;
        s[3] += t[i] as f64;
        s[4] += w[i] as f64;
        s[5] += e[i] as f64;
        let m = if q.marginalized[i] { 1.0 } else { 0.0 };
        let s = &mut lanes[4 * k + lane];
        s[0] += m * ai;
        s[1] += m * bi;
    }
    out.clear();
    out.extend(lanes.chunks_exact(4).map(|l| {
        let mut total = [0f64; 6];
        for lane in l {
            for (t, x) in total.iter_mut().zip(lane) {
                *t += x;
            }
        }
        total
    }));
}
