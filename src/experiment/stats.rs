//! Summaries and comparisons of run outcomes: means with Student-t confidence
//! intervals, paired and Welch comparisons with effect sizes and p-values, and
//! percentile bootstrap intervals.
//!
//! Non-finite values (a failed or blown-up run) are left out everywhere, so that one
//! bad run shows as a smaller `n` rather than a NaN summary. All intervals are 95%.
//! Student-t quantiles and tail probabilities come from the `statrs` crate.

use crate::scenario::sampling::below;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Confidence level of every interval in this module.
pub const CONFIDENCE: f64 = 0.95;

/// Mean, spread and a 95% confidence interval of one outcome over runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of finite values used.
    pub n: usize,
    /// Mean (NaN when `n` = 0).
    pub mean: f64,
    /// Sample standard deviation, with `n − 1` (NaN when `n` < 2).
    pub sd: f64,
    /// Standard error of the mean, `sd / √n` (NaN when `n` < 2).
    pub se: f64,
    /// Lower end of the 95% Student-t interval for the mean (NaN when `n` < 2).
    pub ci_low: f64,
    /// Upper end of the 95% Student-t interval for the mean (NaN when `n` < 2).
    pub ci_high: f64,
    /// Median (NaN when `n` = 0).
    pub median: f64,
}

/// A comparison of two sets of outcomes (`a` against `b`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// Pairs used ([`paired`]), or values used on both sides together ([`unpaired`]).
    pub n: usize,
    /// Mean of `a − b` (paired) or mean of `a` minus mean of `b` (unpaired).
    pub difference: f64,
    /// Lower end of the 95% interval for the difference.
    pub ci_low: f64,
    /// Upper end of the 95% interval for the difference.
    pub ci_high: f64,
    /// Standardized effect: Cohen's d_z (paired) or Cohen's d with the pooled
    /// standard deviation (unpaired). 0 when both sides are identical constants.
    pub effect_size: f64,
    /// Two-sided p-value of the t-test (paired, or Welch's).
    pub p_value: f64,
    /// Whether the 95% interval excludes 0 (equivalently, `p_value` < 0.05).
    pub significant: bool,
}

/// Degrees of freedom from which [`t_quantile`] uses the Cornish–Fisher expansion.
const LARGE_DF: f64 = 1e4;

/// The `p`-quantile of Student's t distribution with `df` degrees of freedom (NaN
/// when `df` is not positive or `p` is outside [0, 1]).
///
/// Below 10 000 degrees of freedom this is `statrs`'s inverse CDF. Above, `statrs`
/// loses accuracy (its 97.5% quantile is off by 1e-4 at 10^6 degrees of freedom
/// and gives 1.83 instead of 1.96 at 10^7), so the Cornish–Fisher expansion about
/// the normal quantile is used instead (Abramowitz and Stegun 26.7.5, three terms;
/// error below 1e-13 there).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df >= LARGE_DF {
        let z = statrs::distribution::Normal::standard().inverse_cdf(p);
        if !z.is_finite() || df.is_infinite() {
            return z;
        }
        let (z2, v) = (z * z, df);
        let g1 = z * (z2 + 1.0) / 4.0;
        let g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
        let g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
        return z + g1 / v + g2 / (v * v) + g3 / (v * v * v);
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// The two-sided 95% critical value of Student's t with `df` degrees of freedom
/// (2.262 for 9).
pub fn t_critical(df: f64) -> f64 {
    t_quantile(0.5 + CONFIDENCE / 2.0, df)
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() {
        return f64::NAN;
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) => (2.0 * dist.sf(t.abs())).clamp(0.0, 1.0),
        Err(_) => f64::NAN,
    }
}

fn finite(values: &[f64]) -> Vec<f64> {
    values.iter().copied().filter(|v| v.is_finite()).collect()
}

/// Mean of `values` (all assumed finite); NaN for none.
fn mean_of(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample variance (divisor `n − 1`) about `mean`; NaN for fewer than two values.
fn var_of(values: &[f64], mean: f64) -> f64 {
    if values.len() < 2 {
        return f64::NAN;
    }
    values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (values.len() - 1) as f64
}

/// The `q`-quantile (`q` in [0, 1]) of sorted values, interpolating linearly between
/// order statistics (Hyndman and Fan's type 7, the default of R and NumPy). NaN for
/// no values.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// Summarizes one outcome over runs; non-finite values are left out.
pub fn summarize(values: &[f64]) -> Summary {
    let mut v = finite(values);
    let n = v.len();
    let mean = mean_of(&v);
    let sd = var_of(&v, mean).sqrt();
    let se = sd / (n as f64).sqrt();
    let half = t_critical(n as f64 - 1.0) * se;
    v.sort_by(f64::total_cmp);
    Summary {
        n,
        mean,
        sd,
        se,
        ci_low: mean - half,
        ci_high: mean + half,
        median: quantile(&v, 0.5),
    }
}

/// The comparison for a difference `diff` with standard error `se` and `df` degrees
/// of freedom; `effect` is the standardized effect. Handles `se` = 0 (no spread):
/// the interval shrinks to the difference, and the difference is certain.
fn compare(n: usize, diff: f64, se: f64, df: f64, effect: f64) -> Comparison {
    let (ci_low, ci_high, p_value, effect_size) = if se == 0.0 && diff.is_finite() {
        let p = if diff == 0.0 { 1.0 } else { 0.0 };
        let e = if diff == 0.0 { 0.0 } else { effect };
        (diff, diff, p, e)
    } else {
        let half = t_critical(df) * se;
        (
            diff - half,
            diff + half,
            t_two_sided_p(diff / se, df),
            effect,
        )
    };
    Comparison {
        n,
        difference: diff,
        ci_low,
        ci_high,
        effect_size,
        p_value,
        significant: ci_low > 0.0 || ci_high < 0.0,
    }
}

/// Compares paired outcomes (`a[i]` and `b[i]` from the same replicate, such as two
/// strategies run on one village): the mean of `a − b` with a paired t interval and
/// test, and Cohen's d_z (mean difference over the standard deviation of the
/// differences). Pairs where either side is non-finite are dropped. With fewer than
/// two pairs the interval, effect size and p-value are NaN.
///
/// # Panics
/// If `a` and `b` differ in length.
pub fn paired(a: &[f64], b: &[f64]) -> Comparison {
    assert_eq!(a.len(), b.len(), "paired comparison of unequal lengths");
    let d: Vec<f64> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| x - y)
        .collect();
    let n = d.len();
    let diff = mean_of(&d);
    let sd = var_of(&d, diff).sqrt();
    let se = sd / (n as f64).sqrt();
    compare(n, diff, se, n as f64 - 1.0, diff / sd)
}

/// Compares independent outcomes: the difference of means with Welch's interval and
/// test (no equal-variance assumption; Welch–Satterthwaite degrees of freedom), and
/// Cohen's d with the pooled standard deviation. Non-finite values are dropped on
/// each side; with fewer than two values on either side the interval, effect size and
/// p-value are NaN.
pub fn unpaired(a: &[f64], b: &[f64]) -> Comparison {
    let a = finite(a);
    let b = finite(b);
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (ma, mb) = (mean_of(&a), mean_of(&b));
    let (va, vb) = (var_of(&a, ma), var_of(&b, mb));
    let diff = ma - mb;
    let (qa, qb) = (va / na, vb / nb);
    let se = (qa + qb).sqrt();
    let df = (qa + qb).powi(2) / (qa * qa / (na - 1.0) + qb * qb / (nb - 1.0));
    let pooled = (((na - 1.0) * va + (nb - 1.0) * vb) / (na + nb - 2.0)).sqrt();
    compare(a.len() + b.len(), diff, se, df, diff / pooled)
}

/// A percentile bootstrap 95% interval for `stat` of `values`: `resamples` times,
/// draw `values.len()` values with replacement and compute `stat`; the interval runs
/// from the 2.5% to the 97.5% quantile of those (non-finite results left out).
/// Non-finite values are left out first. (NaN, NaN) when there are no values or no
/// resamples.
pub fn bootstrap_ci<R: rand::Rng + ?Sized>(
    values: &[f64],
    stat: impl Fn(&[f64]) -> f64,
    resamples: usize,
    rng: &mut R,
) -> (f64, f64) {
    let v = finite(values);
    if v.is_empty() || resamples == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mut buf = vec![0.0; v.len()];
    let mut stats = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        for x in buf.iter_mut() {
            *x = v[below(rng, v.len() as u64) as usize];
        }
        let s = stat(&buf);
        if s.is_finite() {
            stats.push(s);
        }
    }
    percentile_interval(&mut stats)
}

/// The central 95% interval of a set of bootstrap statistics (sorted in place).
pub(crate) fn percentile_interval(stats: &mut [f64]) -> (f64, f64) {
    stats.sort_by(f64::total_cmp);
    let tail = (1.0 - CONFIDENCE) / 2.0;
    (quantile(stats, tail), quantile(stats, 1.0 - tail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::rng_from_seed;
    use rand::RngExt;
    use rand_distr::{Distribution, Normal};

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Two-sided 95% critical values from standard tables.
        for (df, t) in [
            (1.0, 12.7062),
            (2.0, 4.3027),
            (4.0, 2.7764),
            (9.0, 2.2622),
            (29.0, 2.0452),
            (99.0, 1.9842),
            (1e6, 1.9600),
        ] {
            assert!(
                close(t_critical(df), t, 1e-4),
                "df {df}: {}",
                t_critical(df)
            );
        }
        assert!(close(t_critical(9.0), 2.262_157_162_798_205, 1e-10));
        // SciPy 1.17 values around and above the switch to Cornish–Fisher.
        for (df, t) in [
            (9999.0, 1.960_201_263_621_357),
            (1e4, 1.960_201_239_890_626),
            (1e5, 1.959_987_707_534_609),
            (1e6, 1.959_966_356_814_107),
            (1e7, 1.959_964_221_767_205),
        ] {
            assert!(
                close(t_critical(df), t, 1e-11),
                "df {df}: {}",
                t_critical(df)
            );
        }
        assert!(close(
            t_quantile(0.0001, 1e5),
            -3.719_154_382_641_344,
            1e-10
        ));
        assert!(close(t_critical(f64::INFINITY), 1.959_963_985, 1e-8));
        assert!(t_critical(0.0).is_nan());
        assert!(t_critical(f64::NAN).is_nan());
        assert!(close(t_quantile(0.5, 5.0), 0.0, 1e-12));
        // Tail probability: P(|T_9| > 2.262157) = 0.05.
        assert!(close(t_two_sided_p(2.262_157_163, 9.0), 0.05, 1e-8));
        assert_eq!(t_two_sided_p(f64::INFINITY, 3.0), 0.0);
    }

    #[test]
    fn summary_of_known_values() {
        // 1..=10: mean 5.5, sd √(55/6) = 3.02765, se 0.957427, t(9) = 2.262157.
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        let s = summarize(&v);
        assert_eq!(s.n, 10);
        assert_eq!(s.mean, 5.5);
        assert!(close(s.sd, 3.027_650_354, 1e-8));
        assert!(close(s.se, 0.957_427_108, 1e-8));
        assert!(close(s.ci_low, 5.5 - 2.262_157_163 * 0.957_427_108, 1e-7));
        assert!(close(s.ci_high, 7.665_850_589_668_169, 1e-9), "{s:?}");
        assert_eq!(s.median, 5.5);
        // Non-finite values are left out.
        let mut w = v.clone();
        w.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY]);
        assert_eq!(summarize(&w), s);
        assert_eq!(summarize(&[3.0, 1.0, 2.0]).median, 2.0);
    }

    #[test]
    fn summary_of_too_few_values() {
        let s = summarize(&[]);
        assert_eq!(s.n, 0);
        assert!(s.mean.is_nan() && s.median.is_nan() && s.sd.is_nan() && s.ci_low.is_nan());
        let s = summarize(&[4.0, f64::NAN]);
        assert_eq!((s.n, s.mean, s.median), (1, 4.0, 4.0));
        assert!(s.sd.is_nan() && s.se.is_nan() && s.ci_low.is_nan() && s.ci_high.is_nan());
        let s = summarize(&[2.0, 2.0, 2.0]);
        assert_eq!((s.sd, s.ci_low, s.ci_high), (0.0, 2.0, 2.0));
    }

    #[test]
    fn paired_comparison_of_known_example() {
        // Differences 1, 2, 3, 4, 5, 0, 1, 2, 3, 9: mean 3, sd = √(60/9) = 2.581989,
        // se = 0.816497, t = 3.674235 on 9 df; SciPy 1.17's ttest_rel gives
        // p = 0.00512107276427264 and the interval [1.1529564110541004,
        // 4.847043588945899].
        let b = [10.0, 12.0, 9.0, 11.0, 14.0, 10.0, 8.0, 13.0, 12.0, 7.0];
        let d = [1.0, 2.0, 3.0, 4.0, 5.0, 0.0, 1.0, 2.0, 3.0, 9.0];
        let a: Vec<f64> = b.iter().zip(d).map(|(x, y)| x + y).collect();
        let c = paired(&a, &b);
        assert_eq!(c.n, 10);
        assert!(close(c.difference, 3.0, 1e-12));
        assert!(close(c.ci_low, 1.152_956_411_054_100_4, 1e-9), "{c:?}");
        assert!(close(c.ci_high, 4.847_043_588_945_899, 1e-9));
        assert!(close(c.effect_size, 3.0 / (60.0f64 / 9.0).sqrt(), 1e-12));
        assert!(
            close(c.p_value, 0.005_121_072_764_272_64, 1e-9),
            "{}",
            c.p_value
        );
        assert!(c.significant);
        // Swapping the sides flips the sign and keeps the p-value.
        let r = paired(&b, &a);
        assert!(close(r.difference, -3.0, 1e-12) && close(r.p_value, c.p_value, 1e-12));
        // A pair with a non-finite side is dropped.
        let mut a2 = a.clone();
        let mut b2 = b.to_vec();
        a2.push(f64::NAN);
        b2.push(1.0);
        a2.push(1.0);
        b2.push(f64::INFINITY);
        assert_eq!(paired(&a2, &b2), c);
    }

    #[test]
    fn paired_edge_cases() {
        let c = paired(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]);
        assert_eq!(
            (c.difference, c.ci_low, c.ci_high, c.effect_size, c.p_value),
            (0.0, 0.0, 0.0, 0.0, 1.0)
        );
        assert!(!c.significant);
        let c = paired(&[2.0, 3.0, 4.0], &[1.0, 2.0, 3.0]);
        assert_eq!(
            (c.difference, c.ci_low, c.ci_high, c.p_value),
            (1.0, 1.0, 1.0, 0.0)
        );
        assert!(c.significant && c.effect_size.is_infinite());
        let c = paired(&[2.0], &[1.0]);
        assert_eq!((c.n, c.difference), (1, 1.0));
        assert!(c.ci_low.is_nan() && c.p_value.is_nan() && !c.significant);
        let c = paired(&[], &[]);
        assert_eq!(c.n, 0);
        assert!(c.difference.is_nan() && !c.significant);
    }

    #[test]
    #[should_panic(expected = "unequal lengths")]
    fn paired_refuses_unequal_lengths() {
        paired(&[1.0, 2.0], &[1.0]);
    }

    #[test]
    fn welch_comparison_of_known_example() {
        // SciPy 1.17's ttest_ind(a, b, equal_var=False) gives t = 2.5035519790586207,
        // df = 8.603756812120743, p = 0.03478962851012075 and the interval
        // [0.34514379117502925, 7.321522875491635].
        let a = [18.0, 21.0, 24.0, 19.0, 20.5, 20.5];
        let b = [15.0, 17.0, 19.0, 12.0, 16.0, 21.0];
        let c = unpaired(&a, &b);
        let (ma, mb) = (20.5, 100.0 / 6.0);
        let va = a.iter().map(|x| (x - ma) * (x - ma)).sum::<f64>() / 5.0;
        let vb = b.iter().map(|x| (x - mb) * (x - mb)).sum::<f64>() / 5.0;
        let se = (va / 6.0 + vb / 6.0).sqrt();
        let df =
            (va / 6.0 + vb / 6.0).powi(2) / ((va / 6.0).powi(2) / 5.0 + (vb / 6.0).powi(2) / 5.0);
        assert_eq!(c.n, 12);
        assert!(close(c.difference, ma - mb, 1e-12));
        let t = t_critical(df);
        assert!(
            close(c.ci_low, ma - mb - t * se, 1e-10) && close(c.ci_high, ma - mb + t * se, 1e-10)
        );
        assert!(close(
            c.effect_size,
            (ma - mb) / ((va + vb) / 2.0).sqrt(),
            1e-12
        ));
        assert!(close(c.p_value, t_two_sided_p((ma - mb) / se, df), 1e-12));
        assert!(close(df, 8.603_756_812_120_743, 1e-9), "df {df}");
        assert!(
            close(c.p_value, 0.034_789_628_510_120_75, 1e-9),
            "p {}",
            c.p_value
        );
        assert!(close(c.ci_low, 0.345_143_791_175_029_25, 1e-9), "{c:?}");
        assert!(close(c.ci_high, 7.321_522_875_491_635, 1e-9));
        assert!(c.significant);
    }

    #[test]
    fn unpaired_edge_cases() {
        let c = unpaired(&[1.0, 1.0], &[1.0, 1.0, f64::NAN]);
        assert_eq!(
            (c.n, c.difference, c.p_value, c.effect_size),
            (4, 0.0, 1.0, 0.0)
        );
        let c = unpaired(&[1.0], &[1.0, 2.0]);
        assert!(c.ci_low.is_nan() && c.p_value.is_nan() && !c.significant);
    }

    #[test]
    fn confidence_intervals_cover_the_true_mean_95_percent_of_the_time() {
        // 2000 samples of 10 normal values: the share of 95% intervals containing the
        // true mean is binomial with sd √(0.95·0.05/2000) = 0.49%; ±2% is 4 sd.
        let dist = Normal::new(3.0, 2.0).unwrap();
        let z = Normal::new(0.0, 1.0).unwrap();
        let mut rng = rng_from_seed(11);
        let mut hits = 0;
        let mut paired_hits = 0;
        let mut welch_hits = 0;
        for _ in 0..2000 {
            let v: Vec<f64> = (0..10).map(|_| dist.sample(&mut rng)).collect();
            let s = summarize(&v);
            if s.ci_low <= 3.0 && 3.0 <= s.ci_high {
                hits += 1;
            }
            // Paired: b = a − 1 + noise (mean 0), true difference 1.
            let b: Vec<f64> = v
                .iter()
                .map(|x| x - 1.0 + 0.5 * z.sample(&mut rng))
                .collect();
            let c = paired(&v, &b);
            if c.ci_low <= 1.0 && 1.0 <= c.ci_high {
                paired_hits += 1;
            }
            // Welch with unequal variances and sizes, true difference 3 − 5 = −2.
            let w: Vec<f64> = (0..25).map(|_| 5.0 + 3.0 * z.sample(&mut rng)).collect();
            let c = unpaired(&v, &w);
            if c.ci_low <= -2.0 && -2.0 <= c.ci_high {
                welch_hits += 1;
            }
        }
        for (what, h) in [
            ("summary", hits),
            ("paired", paired_hits),
            ("welch", welch_hits),
        ] {
            let share = h as f64 / 2000.0;
            assert!((0.93..=0.97).contains(&share), "{what}: coverage {share}");
        }
    }

    #[test]
    fn p_values_are_uniform_under_the_null() {
        // Under no difference, p < 0.05 about 5% of the time (±2%, 2000 tests).
        let mut rng = rng_from_seed(5);
        let mut rejections = 0;
        for _ in 0..2000 {
            let a: Vec<f64> = (0..8).map(|_| rng.random::<f64>()).collect();
            let b: Vec<f64> = (0..8).map(|_| rng.random::<f64>()).collect();
            let c = paired(&a, &b);
            assert_eq!(c.significant, c.p_value < 0.05, "{c:?}");
            if c.significant {
                rejections += 1;
            }
        }
        let share = rejections as f64 / 2000.0;
        assert!((0.03..=0.07).contains(&share), "type I error {share}");
    }

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 4.0);
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert!(close(quantile(&v, 0.025), 1.075, 1e-12));
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn bootstrap_interval_of_the_mean() {
        // For 400 normal values the bootstrap interval of the mean is close to the
        // t interval (within 15% of its half-width at each end).
        let dist = Normal::new(0.0, 1.0).unwrap();
        let mut rng = rng_from_seed(3);
        let v: Vec<f64> = (0..400).map(|_| dist.sample(&mut rng)).collect();
        let s = summarize(&v);
        let (lo, hi) = bootstrap_ci(&v, mean_of, 2000, &mut rng);
        let half = (s.ci_high - s.ci_low) / 2.0;
        assert!(
            close(lo, s.ci_low, 0.15 * half) && close(hi, s.ci_high, 0.15 * half),
            "{lo} {hi} vs {s:?}"
        );
        // Same seed, same interval.
        let again = bootstrap_ci(&v, mean_of, 2000, &mut rng_from_seed(99));
        assert_eq!(
            again,
            bootstrap_ci(&v, mean_of, 2000, &mut rng_from_seed(99))
        );
        assert!(bootstrap_ci(&[], mean_of, 10, &mut rng).0.is_nan());
        assert!(bootstrap_ci(&v, mean_of, 0, &mut rng).1.is_nan());
    }

    #[test]
    fn bootstrap_interval_covers_the_true_median() {
        // Percentile bootstrap of the median of 50 exponential-like values: coverage
        // of the true median over 400 samples is 95% ± 5% (it is approximate).
        let mut rng = rng_from_seed(8);
        let true_median = std::f64::consts::LN_2;
        let mut hits = 0;
        for _ in 0..400 {
            let v: Vec<f64> = (0..50).map(|_| -(1.0 - rng.random::<f64>()).ln()).collect();
            let (lo, hi) = bootstrap_ci(
                &v,
                |x| {
                    // 50 values: the median is the mean of the 25th and 26th.
                    let mut s = x.to_vec();
                    let (low, m, _) = s.select_nth_unstable_by(25, f64::total_cmp);
                    let below = low.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    (below + *m) / 2.0
                },
                400,
                &mut rng,
            );
            if lo <= true_median && true_median <= hi {
                hits += 1;
            }
        }
        let share = hits as f64 / 400.0;
        assert!((0.90..=0.99).contains(&share), "coverage {share}");
    }
}
