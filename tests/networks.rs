//! The tie generators' structural signatures, each checked over many seeds.
//!
//! - [`erdos_renyi_edge_count_and_degrees`]: G(n, p) has n·z/2 ties on average with
//!   the binomial spread around it, and every household has the same expected degree
//!   (the pair-indexing of the geometric skipping favours no one).
//! - [`watts_strogatz_ring_is_exact`]: with no rewiring, exactly n·k/2 ties and
//!   clustering exactly 3(k − 2)/(4(k − 1)).
//! - [`watts_strogatz_rewiring_keeps_ties_and_lowers_clustering`]: rewiring keeps
//!   exactly n·k/2 ties and clustering falls as rewiring rises, close to Barrat and
//!   Weigt's (2000) C(β) ≈ C(0)(1 − β)³.
//! - [`barabasi_albert_ties_and_heavy_tail`]: exactly m(m+1)/2 + (n − m − 1)·m ties,
//!   and a heavy tail: hubs far above the mean degree, and a degree distribution whose
//!   upper tail follows m(m+1)/(k(k+1)) where an Erdős–Rényi graph has nothing.
//! - [`stochastic_block_degree_and_homophily`]: the target mean degree, the share of
//!   within-group ties that [`sbm_scale`] expects, and homophily 1 keeping every tie
//!   inside its group.
//! - [`stochastic_block_without_homophily_is_erdos_renyi`]: homophily 0 gives an E-I
//!   index at its random expectation and Poisson-like degrees equal across groups.
//! - [`csr_rows_sorted_unique_symmetric`]: no generator (nor the edge-list builder)
//!   produces self-loops, duplicate ties or one-sided ties.
//!
//! Tolerances come from the sampling spread of the quantity over the seeds used
//! (stated at each assertion), so that a correct generator fails with negligible
//! probability while a biased one (a few percent off) is caught.

use kampung::model::network::{
    Network, barabasi_albert, erdos_renyi, sbm_scale, stochastic_block, watts_strogatz,
};
use kampung::model::rng::rng_from_seed;
use rand::RngExt;

const SEEDS: u64 = 50;

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

fn variance(xs: &[f64]) -> f64 {
    let m = mean(xs);
    xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64
}

/// Group labels: `shares` of `n` households, in blocks (the generators do not care
/// about order).
fn groups(n: usize, shares: &[f64]) -> Vec<u8> {
    let mut g = Vec::with_capacity(n);
    for (k, s) in shares.iter().enumerate() {
        let c = if k + 1 == shares.len() {
            n - g.len()
        } else {
            (s * n as f64).round() as usize
        };
        g.extend(std::iter::repeat_n(k as u8, c));
    }
    g
}

fn members(group: &[u8]) -> Vec<Vec<u32>> {
    let k = *group.iter().max().unwrap() as usize + 1;
    let mut m = vec![Vec::new(); k];
    for (i, &g) in group.iter().enumerate() {
        m[g as usize].push(i as u32);
    }
    m
}

fn within_ties(g: &Network, group: &[u8]) -> usize {
    g.edges()
        .filter(|&(a, b)| group[a as usize] == group[b as usize])
        .count()
}

/// Erdős–Rényi, 2 000 households, mean degree 6, 50 seeds. The tie count is binomial
/// over n(n−1)/2 pairs with p = z/(n−1): mean n·z/2 = 6 000, standard deviation
/// √(N p (1 − p)) ≈ 77.4. The mean over 50 seeds must be within 4 standard errors
/// (4 · 77.4/√50 ≈ 44); the spread across seeds must match the binomial one (the
/// sample variance ratio is χ²₄₉/49, standard deviation 0.2, so [0.5, 1.6] is about
/// 2.5 to 3 of them). Pooled over the seeds, every tenth of the households (by
/// number) has mean degree z within 0.1 (4 standard errors of a mean of 10 000
/// degrees of variance 6), and the degree variance is z(1 − p) within 0.15 (about 5
/// standard errors).
#[test]
fn erdos_renyi_edge_count_and_degrees() {
    let (n, z) = (2_000usize, 6.0);
    let pairs = (n * (n - 1) / 2) as f64;
    let p = z / (n as f64 - 1.0);
    let sd = (pairs * p * (1.0 - p)).sqrt();
    let mut counts = Vec::new();
    let mut by_decile = vec![Vec::new(); 10];
    let mut degrees = Vec::new();
    for seed in 0..SEEDS {
        let g = erdos_renyi(&mut rng_from_seed(seed), n, z);
        counts.push(g.edge_count() as f64);
        for i in 0..n {
            by_decile[i * 10 / n].push(g.degree(i) as f64);
            degrees.push(g.degree(i) as f64);
        }
    }
    let m = mean(&counts);
    assert!(
        (m - n as f64 * z / 2.0).abs() < 4.0 * sd / (SEEDS as f64).sqrt(),
        "mean tie count {m}, expected {}",
        n as f64 * z / 2.0
    );
    let ratio = variance(&counts) / (sd * sd);
    assert!((0.5..1.6).contains(&ratio), "variance ratio {ratio}");
    for (d, ks) in by_decile.iter().enumerate() {
        assert!((mean(ks) - z).abs() < 0.1, "decile {d}: {}", mean(ks));
    }
    let v = variance(&degrees);
    assert!((v - z * (1.0 - p)).abs() < 0.15, "degree variance {v}");
}

/// Watts–Strogatz with no rewiring is the ring lattice, the same for every seed: each
/// household is tied to its k nearest neighbours, n·k/2 ties, and the clustering of
/// every household is 3(k − 2)/(4(k − 1)) (exact; compared up to float rounding of
/// the average).
#[test]
fn watts_strogatz_ring_is_exact() {
    let n = 1_000;
    for k in [2, 4, 6, 8, 10, 20] {
        for seed in 0..5 {
            let g = watts_strogatz(&mut rng_from_seed(seed), n, k, 0.0);
            assert_eq!(g.edge_count(), n * k / 2, "k = {k}");
            assert!((0..n).all(|i| g.degree(i) == k));
            let c = g.average_clustering();
            let expect = 3.0 * (k as f64 - 2.0) / (4.0 * (k as f64 - 1.0));
            assert!((c - expect).abs() < 1e-12, "k = {k}: {c} vs {expect}");
        }
    }
}

/// Rewiring moves ties without adding or losing any: exactly n·k/2 ties at every
/// rewiring probability and seed. The clustering, averaged over 20 seeds, falls
/// strictly as rewiring rises (0.01, 0.03, 0.1, 0.3, 1), and stays within 0.02 of
/// Barrat and Weigt's C(0)(1 − β)³ plus the random-graph floor k/n. The 0.02 covers
/// the approximation itself (which neglects triangles that rewired ties close; the
/// deviations seen are at most 0.007) and the seed spread (one graph's clustering has
/// a standard deviation of at most 0.008 here, the mean of 20 under 0.002).
#[test]
fn watts_strogatz_rewiring_keeps_ties_and_lowers_clustering() {
    let (n, k) = (1_000usize, 8usize);
    let c0 = 3.0 * (k as f64 - 2.0) / (4.0 * (k as f64 - 1.0));
    let mut last = c0;
    for (b, beta) in [0.01, 0.03, 0.1, 0.3, 1.0].into_iter().enumerate() {
        let mut cs = Vec::new();
        for seed in 0..20 {
            let g = watts_strogatz(&mut rng_from_seed(100 * b as u64 + seed), n, k, beta);
            assert_eq!(g.edge_count(), n * k / 2, "beta {beta}, seed {seed}");
            cs.push(g.average_clustering());
        }
        let c = mean(&cs);
        let approx = c0 * (1.0 - beta).powi(3) + k as f64 / n as f64;
        assert!(
            c < last,
            "beta {beta}: clustering {c} did not fall below {last}"
        );
        assert!((c - approx).abs() < 0.02, "beta {beta}: {c} vs {approx}");
        last = c;
    }
}

/// Barabási–Albert, 10 000 households, 50 seeds per m. The tie count is exact: the
/// initial clique of m + 1 households has m(m+1)/2 ties and each later household adds
/// m distinct ones. Heavy tail: in every graph the largest degree is at least 10 times
/// the mean (it grows like m√n ≈ 100m, against a mean of 2m; an Erdős–Rényi graph of
/// the same mean degree has a largest degree below 4 times the mean). Pooled over the
/// seeds, the share of households with degree ≥ 10m is within 10% of the asymptotic
/// m(m+1)/(k(k+1)): about 6 000 such households are counted per m (Poisson standard
/// error 1.3%), and the finite graph deviates by up to 4% (observed: m = 1: +0.1%,
/// 2: +2.3%, 3: +1.9%, 5: +3.7%); an exponential tail would give next to nothing.
/// (Observed: the smallest ratio of largest to mean degree over all graphs was 29.)
#[test]
fn barabasi_albert_ties_and_heavy_tail() {
    let n = 10_000;
    for m in [1usize, 2, 3, 5] {
        let mut tail = 0usize;
        for seed in 0..SEEDS {
            let g = barabasi_albert(&mut rng_from_seed(1_000 * m as u64 + seed), n, m);
            assert_eq!(g.edge_count(), m * (m + 1) / 2 + (n - m - 1) * m, "m = {m}");
            let max = (0..n).map(|i| g.degree(i)).max().unwrap();
            assert!(
                max as f64 >= 10.0 * g.mean_degree(),
                "m = {m}, seed {seed}: max degree {max}, mean {}",
                g.mean_degree()
            );
            tail += (0..n).filter(|&i| g.degree(i) >= 10 * m).count();
        }
        let k = 10.0 * m as f64;
        let expect = (m * (m + 1)) as f64 / (k * (k + 1.0));
        let got = tail as f64 / (n as f64 * SEEDS as f64);
        assert!(
            (got / expect - 1.0).abs() < 0.10,
            "m = {m}: share with degree ≥ {k}: {got}, expected {expect}"
        );
    }
    // The contrast: Erdős–Rényi at the mean degree of m = 3 has no such hubs.
    for seed in 0..10 {
        let g = erdos_renyi(&mut rng_from_seed(seed), n, 6.0);
        let max = (0..n).map(|i| g.degree(i)).max().unwrap();
        assert!((max as f64) < 4.0 * g.mean_degree(), "ER max degree {max}");
    }
}

/// Stochastic block model, 3 000 households, mean degree 8, 50 seeds per setting, for
/// two groups (70/30) and three (50/30/20) at homophily 0.3, 0.6 and 0.9. The tie
/// count is a sum of independent Bernoulli pairs with mean n·z/2 = 12 000 and variance
/// below that, so the mean over seeds must be within 4 · √12 000/√50 ≈ 62. Given the
/// tie count, the within-group count is binomial with the share that [`sbm_scale`]
/// expects; pooled over 600 000 ties its standard error is under 0.00065, and the
/// tolerance is 4 of them (0.0026). With homophily 1 no tie crosses groups (E-I = −1).
#[test]
fn stochastic_block_degree_and_homophily() {
    let (n, z) = (3_000usize, 8.0);
    for shares in [&[0.7, 0.3][..], &[0.5, 0.3, 0.2][..]] {
        let group = groups(n, shares);
        let blocks = members(&group);
        for (h, homophily) in [0.3, 0.6, 0.9].into_iter().enumerate() {
            let (_, share) = sbm_scale(&blocks, z, homophily);
            let mut counts = Vec::new();
            let mut within = 0usize;
            for seed in 0..SEEDS {
                let mut rng = rng_from_seed(10_000 * shares.len() as u64 + 100 * h as u64 + seed);
                let g = stochastic_block(&mut rng, &group, z, homophily);
                counts.push(g.edge_count() as f64);
                within += within_ties(&g, &group);
            }
            let expect = n as f64 * z / 2.0;
            let m = mean(&counts);
            let tol = 4.0 * expect.sqrt() / (SEEDS as f64).sqrt();
            assert!((m - expect).abs() < tol, "{shares:?} h {homophily}: {m}");
            let total: f64 = counts.iter().sum();
            let got = within as f64 / total;
            let se = (share * (1.0 - share) / total).sqrt();
            assert!(
                (got - share).abs() < 4.0 * se,
                "{shares:?} h {homophily}: within share {got}, expected {share} (se {se})"
            );
        }
        for seed in 0..10 {
            let g = stochastic_block(&mut rng_from_seed(seed), &group, z, 1.0);
            assert_eq!(g.ei_index(&group), -1.0);
            assert!((g.mean_degree() - z).abs() < 0.5);
        }
    }
}

/// Homophily 0 is Erdős–Rényi: ties ignore groups. For groups of 70% and 30% of
/// 3 000 households, the E-I index is then at its random expectation
/// (between pairs − within pairs)/all pairs ≈ −0.160; over 50 seeds (600 000 ties)
/// its standard error is 2·√(s(1−s)/600 000) ≈ 0.0013 and the tolerance 0.005. Both
/// groups have mean degree 8 (within 0.05: 4 standard errors of a mean over 45 000
/// degrees of variance 8) and the degree variance is Poisson-like, 8 within 0.2.
#[test]
fn stochastic_block_without_homophily_is_erdos_renyi() {
    let (n, z) = (3_000usize, 8.0);
    let group = groups(n, &[0.7, 0.3]);
    let sizes = [2_100.0f64, 900.0];
    let all = n as f64 * (n as f64 - 1.0) / 2.0;
    let within_pairs: f64 = sizes.iter().map(|k| k * (k - 1.0) / 2.0).sum();
    let expect_ei = (all - 2.0 * within_pairs) / all;
    let mut ei = Vec::new();
    let mut deg = [Vec::new(), Vec::new()];
    for seed in 0..SEEDS {
        let g = stochastic_block(&mut rng_from_seed(50_000 + seed), &group, z, 0.0);
        ei.push(g.ei_index(&group));
        for i in 0..n {
            deg[group[i] as usize].push(g.degree(i) as f64);
        }
    }
    let m = mean(&ei);
    assert!(
        (m - expect_ei).abs() < 0.005,
        "E-I {m}, expected {expect_ei}"
    );
    for d in &deg {
        assert!((mean(d) - z).abs() < 0.05, "group mean degree {}", mean(d));
    }
    let pooled: Vec<f64> = deg.concat();
    assert!((variance(&pooled) - z).abs() < 0.2, "{}", variance(&pooled));
}

/// Every row of the CSR is strictly increasing (sorted, no duplicates), in range,
/// free of the node itself, and symmetric (b in a's row exactly when a in b's), with
/// the tie count equal to half the row lengths. Checked for every generator over 50
/// seeds each, and for edge lists full of duplicates (both directions) and self-loops.
#[test]
fn csr_rows_sorted_unique_symmetric() {
    fn check(g: &Network, what: &str) {
        let n = g.len();
        let mut entries = 0;
        for a in 0..n {
            let row = g.neighbors(a);
            entries += row.len();
            assert!(
                row.windows(2).all(|w| w[0] < w[1]),
                "{what}: row {a} {row:?}"
            );
            for &b in row {
                assert!((b as usize) < n && b as usize != a, "{what}: {a} - {b}");
                assert!(g.has_edge(b as usize, a), "{what}: {a} - {b} one-sided");
            }
        }
        assert_eq!(entries, 2 * g.edge_count(), "{what}");
    }
    let n = 1_000;
    let group = groups(n, &[0.6, 0.25, 0.15]);
    for seed in 0..SEEDS {
        let rng = &mut rng_from_seed(70_000 + seed);
        check(&erdos_renyi(rng, n, 8.0), "erdos_renyi");
        check(&erdos_renyi(rng, 30, 29.0), "complete erdos_renyi");
        check(&watts_strogatz(rng, n, 8, 0.2), "watts_strogatz");
        check(&watts_strogatz(rng, 12, 10, 0.9), "dense watts_strogatz");
        check(&barabasi_albert(rng, n, 4), "barabasi_albert");
        check(&stochastic_block(rng, &group, 8.0, 0.6), "stochastic_block");
        let edges: Vec<(u32, u32)> = (0..4_000)
            .map(|_| (rng.random_range(0..50u32), rng.random_range(0..50u32)))
            .collect();
        let g = Network::from_edges(50, &edges, None).unwrap();
        check(&g, "from_edges");
        // Every distinct non-loop pair in the list is a tie, and nothing else is.
        let mut distinct: Vec<(u32, u32)> = edges
            .iter()
            .filter(|(a, b)| a != b)
            .map(|&(a, b)| (a.min(b), a.max(b)))
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(g.edges().collect::<Vec<_>>(), distinct);
    }
}
