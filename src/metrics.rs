//! Data collection: the measures of MODEL.md (*What is measured*), computed from the
//! village's state without changing it.
//!
//! [`Metrics`] is one row of `timeseries.csv`; its column names and their meanings are
//! defined once, by the `metrics!` table below, and everything else (CSV headers, the
//! README's column list, which a test checks) follows from it.

use crate::household::Households;
use crate::network::Network;

macro_rules! metrics {
    ($( $(#[doc = $doc:expr])+ $name:ident ),* $(,)?) => {
        /// One row of measures of a village at one step.
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        pub struct Metrics {
            $( $(#[doc = $doc])+ pub $name: f64, )*
        }

        impl Metrics {
            /// Column names, in output order.
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($name)),*];
            /// One-line meaning of each column, aligned with [`Metrics::COLUMNS`].
            pub const DESCRIPTIONS: &'static [&'static str] = &[$(concat!($($doc),+)),*];

            /// The values, aligned with [`Metrics::COLUMNS`].
            pub fn values(&self) -> [f64; Self::COLUMNS.len()] {
                [$(self.$name),*]
            }
        }
    };
}

metrics! {
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
    /// Share of this step's benefits received by the richest fifth of households.
    top_quintile_benefit_share,
    /// Benefits shared out this step, in resource units.
    benefits,
    /// 1 if a shock struck this step, else 0.
    shock,
    /// E-I index of ties across groups: -1 all ties within groups, +1 all across.
    ei_index,
    /// Mean number of ties per household.
    mean_degree,
}

/// Buffers reused by [`measure`] so that recording a step does not allocate.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    values: Vec<f32>,
    order: Vec<u32>,
}

impl Scratch {
    /// Buffers sized for `n` households.
    pub fn new(n: usize) -> Self {
        Scratch {
            values: Vec::with_capacity(n),
            order: Vec::with_capacity(n),
        }
    }
}

/// Gini coefficient of non-negative values; sorts `values` in place. `0` when the
/// values are empty or sum to zero. Negative values are treated as zero.
pub fn gini_in_place(values: &mut [f32]) -> f64 {
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    for v in values.iter_mut() {
        *v = v.max(0.0);
    }
    values.sort_unstable_by(f32::total_cmp);
    let (mut sum, mut weighted) = (0f64, 0f64);
    for (i, &v) in values.iter().enumerate() {
        sum += v as f64;
        weighted += (i as f64 + 1.0) * v as f64;
    }
    if sum <= 0.0 {
        return 0.0;
    }
    let n = n as f64;
    2.0 * weighted / (n * sum) - (n + 1.0) / n
}

/// Gini coefficient of a slice (copies it).
pub fn gini(values: &[f32]) -> f64 {
    let mut v = values.to_vec();
    gini_in_place(&mut v)
}

/// Share of the total of `benefit` received by the `ceil(n / 5)` households with the
/// most `resources`. `0` when no benefits were shared out.
pub fn top_quintile_share(resources: &[f32], benefit: &[f32], order: &mut Vec<u32>) -> f64 {
    let n = resources.len();
    let total: f64 = benefit.iter().map(|&b| b as f64).sum();
    if n == 0 || total <= 0.0 {
        return 0.0;
    }
    let k = n.div_ceil(5);
    order.clear();
    order.extend(0..n as u32);
    order.select_nth_unstable_by(k - 1, |&a, &b| {
        resources[b as usize]
            .total_cmp(&resources[a as usize])
            .then(a.cmp(&b))
    });
    let top: f64 = order[..k].iter().map(|&i| benefit[i as usize] as f64).sum();
    top / total
}

/// Measures the village. `benefits` and `shock` describe the step just taken.
pub fn measure(
    h: &Households,
    net: &Network,
    benefits: f64,
    shock: bool,
    scratch: &mut Scratch,
) -> Metrics {
    let n = h.len();
    let nf = n.max(1) as f64;
    let (mut am, mut nm, mut ao, mut no) = (0f64, 0usize, 0f64, 0usize);
    for i in 0..n {
        if h.marginalized[i] {
            am += h.access[i] as f64;
            nm += 1;
        } else {
            ao += h.access[i] as f64;
            no += 1;
        }
    }
    let access_marginalized = if nm > 0 { am / nm as f64 } else { f64::NAN };
    let access_other = if no > 0 { ao / no as f64 } else { f64::NAN };
    scratch.values.clear();
    scratch.values.extend_from_slice(&h.resources);
    let gini = gini_in_place(&mut scratch.values);
    let mean_resources = h.resources.iter().map(|&r| r as f64).sum::<f64>() / nf;
    Metrics {
        participation: h.participating_count() as f64 / nf,
        gini,
        mean_resources,
        access_marginalized,
        access_other,
        access_gap: access_other - access_marginalized,
        top_quintile_benefit_share: top_quintile_share(
            &h.resources,
            &h.benefit,
            &mut scratch.order,
        ),
        benefits,
        shock: shock as u8 as f64,
        ei_index: net.ei_index(&h.group),
        mean_degree: net.mean_degree(),
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
        let mut b2 = [0.0f32; 10];
        b2[9] = 3.0;
        b2[8] = 1.0;
        b2[0] = 4.0;
        assert!((top_quintile_share(&r, &b2, &mut order) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn columns_and_descriptions_align() {
        assert_eq!(Metrics::COLUMNS.len(), Metrics::DESCRIPTIONS.len());
        assert_eq!(Metrics::COLUMNS[0], "participation");
    }
}
