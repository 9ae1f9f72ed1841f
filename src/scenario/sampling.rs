//! Points in the unit cube: Latin hypercubes, the Sobol low-discrepancy sequence,
//! and uniform draws pinned to the generator's stream. The space-filling designs of
//! `[sweep]` and the sensitivity analysis's designs and bootstraps draw from here.

use crate::model::rng::rng_from_seed;

/// The number of dimensions the built-in Sobol generator supports (the first 32 of
/// Joe and Kuo's `new-joe-kuo-6.21201` table: dimension 1 is van der Corput's
/// sequence, dimensions 2–32 the table's first 31 lines).
pub const SOBOL_MAX_DIMS: usize = 32;

/// A uniform real in [0, 1) from the top 53 bits of one `next_u64` (pinned to the
/// generator's stream, independent of `rand`'s sampling code).
pub(crate) fn unit_f64<R: rand::Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform integer in `0..n` (`n > 0`), by Lemire's multiply-and-reject method.
pub(crate) fn below<R: rand::Rng + ?Sized>(rng: &mut R, n: u64) -> u64 {
    debug_assert!(n > 0);
    let threshold = n.wrapping_neg() % n;
    loop {
        let m = rng.next_u64() as u128 * n as u128;
        if (m as u64) >= threshold {
            return (m >> 64) as u64;
        }
    }
}

/// A Latin hypercube of `n` points in [0, 1)^`dims`: each dimension is cut into `n`
/// equal strata and every stratum holds exactly one point.
///
/// Draws from `ModelRng` seeded with `seed`, dimension by dimension: first a
/// Fisher–Yates shuffle of the strata (`i` from `n − 1` down to 1 swaps with a uniform
/// `j ≤ i`), then one uniform offset inside the stratum for each point in turn.
pub fn latin_hypercube(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = rng_from_seed(seed);
    let mut out = vec![vec![0.0; dims]; n];
    let mut perm: Vec<usize> = Vec::with_capacity(n);
    for d in 0..dims {
        perm.clear();
        perm.extend(0..n);
        for i in (1..n).rev() {
            let j = below(&mut rng, i as u64 + 1) as usize;
            perm.swap(i, j);
        }
        for (i, row) in out.iter_mut().enumerate() {
            let stratum = perm[i];
            let mut u = (stratum as f64 + unit_f64(&mut rng)) / n as f64;
            // Rounding can push a point onto the next stratum's edge.
            if (u * n as f64).floor() as usize != stratum {
                u = (stratum as f64 + 0.5) / n as f64;
            }
            row[d] = u;
        }
    }
    out
}

/// Joe and Kuo's `new-joe-kuo-6.21201` direction numbers for dimensions 2–32:
/// (degree `s`, polynomial coefficients `a`, initial direction numbers `m_1..m_s`).
const JOE_KUO: [(u32, u32, &[u32]); SOBOL_MAX_DIMS - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),
];

/// Bits of precision of the generator.
const SOBOL_BITS: usize = 32;

/// The Sobol low-discrepancy sequence (Joe and Kuo's direction numbers
/// `new-joe-kuo-6.21201`, 32-bit, Gray-code order) in up to [`SOBOL_MAX_DIMS`]
/// dimensions.
///
/// The sequence starts with the all-zero point, which is kept: then the first 2^m
/// points form a (t, m, s)-net, so every dyadic interval of length 2^−k (k ≤ m) of
/// each coordinate holds exactly 2^(m−k) of them. After it, dimension 1 runs 0.5,
/// 0.75, 0.25, 0.375, …; dimension 2 runs 0.5, 0.25, 0.75, 0.375, …. The iterator
/// ends after 2^32 points.
#[derive(Debug, Clone)]
pub struct Sobol {
    /// Direction numbers per dimension, left-aligned in 32 bits.
    v: Vec<[u32; SOBOL_BITS]>,
    /// The current point's coordinates as 32-bit fractions.
    x: Vec<u32>,
    /// Index of the current point.
    index: u64,
}

impl Sobol {
    /// The generator in `dims` dimensions; `None` unless 1 ≤ `dims` ≤
    /// [`SOBOL_MAX_DIMS`].
    pub fn new(dims: usize) -> Option<Sobol> {
        if dims == 0 || dims > SOBOL_MAX_DIMS {
            return None;
        }
        let mut v = vec![[0u32; SOBOL_BITS]; dims];
        for (k, x) in v[0].iter_mut().enumerate() {
            *x = 1u32 << (SOBOL_BITS - 1 - k);
        }
        for (d, vd) in v.iter_mut().enumerate().skip(1) {
            let (s, a, m) = JOE_KUO[d - 1];
            let s = s as usize;
            for k in 0..SOBOL_BITS {
                vd[k] = if k < s {
                    m[k] << (SOBOL_BITS - 1 - k)
                } else {
                    let mut x = vd[k - s] ^ (vd[k - s] >> s);
                    for l in 1..s {
                        if (a >> (s - 1 - l)) & 1 == 1 {
                            x ^= vd[k - l];
                        }
                    }
                    x
                };
            }
        }
        Some(Sobol {
            v,
            x: vec![0; dims],
            index: 0,
        })
    }

    /// Number of dimensions.
    pub fn dims(&self) -> usize {
        self.v.len()
    }

    /// Point `index` (0 is the all-zero point) as 32-bit binary fractions, without
    /// stepping: the XOR of the direction numbers of the set bits of `index`'s Gray
    /// code.
    pub(crate) fn bits_at(&self, index: u32) -> Vec<u32> {
        let gray = index ^ (index >> 1);
        self.v
            .iter()
            .map(|v| {
                (0..SOBOL_BITS)
                    .filter(|k| (gray >> k) & 1 == 1)
                    .fold(0u32, |x, k| x ^ v[k])
            })
            .collect()
    }

    /// Point `index` of the sequence (0 is the all-zero point), without stepping.
    pub fn at(&self, index: u32) -> Vec<f64> {
        self.bits_at(index)
            .into_iter()
            .map(|x| x as f64 * TWO_POW_MINUS_32)
            .collect()
    }

    /// The next point as 32-bit binary fractions (coordinate = bits / 2^32).
    pub(crate) fn next_bits(&mut self) -> Option<Vec<u32>> {
        if self.index >= 1u64 << SOBOL_BITS {
            return None;
        }
        let out = self.x.clone();
        // Gray-code step: flip the direction number of the lowest zero bit of index.
        let c = self.index.trailing_ones() as usize;
        if c < SOBOL_BITS {
            for (x, v) in self.x.iter_mut().zip(&self.v) {
                *x ^= v[c];
            }
        }
        self.index += 1;
        Some(out)
    }
}

/// 2^−32.
pub(crate) const TWO_POW_MINUS_32: f64 = 1.0 / 4_294_967_296.0;

impl Iterator for Sobol {
    type Item = Vec<f64>;

    fn next(&mut self) -> Option<Vec<f64>> {
        self.next_bits()
            .map(|b| b.into_iter().map(|x| x as f64 * TWO_POW_MINUS_32).collect())
    }
}

/// The first `n` points (the all-zero point first) of the `dims`-dimensional Sobol
/// sequence.
///
/// # Panics
/// Unless 1 ≤ `dims` ≤ [`SOBOL_MAX_DIMS`] (for `dims` = 0, returns `n` empty points).
pub fn sobol_points(n: usize, dims: usize) -> Vec<Vec<f64>> {
    if dims == 0 {
        return vec![Vec::new(); n];
    }
    let seq = Sobol::new(dims).unwrap_or_else(|| {
        panic!("Sobol generator has at most {SOBOL_MAX_DIMS} dimensions, not {dims}")
    });
    seq.take(n).collect()
}
