//! Deterministic, portable random-number streams.
//!
//! Every run draws from its own stream, derived from the scenario's base seed, the
//! scenario name, the strategy name and the replicate number. The derivation hashes
//! those four values with SHA-256 and keeps the first eight bytes as the run's
//! 64-bit seed; the stream itself is [`ChaCha8Rng`](rand_chacha::ChaCha8Rng), a named algorithm whose output is
//! fixed by its specification (unlike `StdRng` or `SmallRng`, which may change between
//! `rand` releases).
//!
//! The village (households and ties) is drawn from a stream that leaves the strategy
//! out, and so is the environment stream (shocks), so that every strategy of one
//! replicate starts from the same village and meets the same shocks: the
//! comparison between strategies is paired ("common random numbers"), which removes
//! the village-to-village spread from their differences.

use rand::SeedableRng;
use sha2::{Digest, Sha256};

/// The random-number generator used everywhere in the model.
pub type ModelRng = rand_chacha::ChaCha8Rng;

/// What a derived stream is for; part of the hashed material.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Drawing the village: households and their ties (strategy-independent).
    Village,
    /// Everything that happens while the run steps through time.
    Dynamics,
    /// Events outside the community's control (shocks), shared by all strategies of a
    /// replicate like the village.
    Environment,
    /// The particle of a posterior a replicate's runs take their calibrated
    /// parameters from (`run --posterior`), shared by all strategies of a replicate.
    Posterior,
}

/// Derives the 64-bit seed of one stream from its identifying parts.
///
/// For [`Purpose::Village`], [`Purpose::Environment`] and [`Purpose::Posterior`] the
/// strategy is ignored, so all strategies of a replicate share one village, one
/// history of shocks and one draw of the calibrated parameters.
pub fn derive_seed(
    base_seed: u64,
    scenario: &str,
    strategy: &str,
    replicate: u32,
    purpose: Purpose,
) -> u64 {
    let mut h = Sha256::new();
    h.update(b"kampung-stream-v1\0");
    h.update(base_seed.to_le_bytes());
    h.update(scenario.as_bytes());
    h.update([0u8]);
    match purpose {
        Purpose::Village => h.update(b"village\0"),
        Purpose::Environment => h.update(b"environment\0"),
        Purpose::Posterior => h.update(b"posterior\0"),
        Purpose::Dynamics => {
            h.update(b"dynamics\0");
            h.update(strategy.as_bytes());
            h.update([0u8]);
        }
    }
    h.update(replicate.to_le_bytes());
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

/// Builds the generator for a derived 64-bit seed.
pub fn rng_from_seed(seed: u64) -> ModelRng {
    ModelRng::seed_from_u64(seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_differ_by_every_part() {
        let base = derive_seed(1, "v", "s", 0, Purpose::Dynamics);
        assert_ne!(base, derive_seed(2, "v", "s", 0, Purpose::Dynamics));
        assert_ne!(base, derive_seed(1, "w", "s", 0, Purpose::Dynamics));
        assert_ne!(base, derive_seed(1, "v", "t", 0, Purpose::Dynamics));
        assert_ne!(base, derive_seed(1, "v", "s", 1, Purpose::Dynamics));
        assert_ne!(base, derive_seed(1, "v", "s", 0, Purpose::Village));
    }

    #[test]
    fn village_stream_ignores_strategy() {
        assert_eq!(
            derive_seed(7, "v", "a", 3, Purpose::Village),
            derive_seed(7, "v", "b", 3, Purpose::Village)
        );
    }

    #[test]
    fn generator_output_is_pinned() {
        // Guards portability: if this changes, results of old runs can no longer be
        // reproduced, and the release notes must say so.
        let seed = derive_seed(42, "village", "baseline", 0, Purpose::Dynamics);
        let mut rng = rng_from_seed(seed);
        let draws: Vec<u64> = (0..3).map(|_| rng.random::<u64>()).collect();
        let again: Vec<u64> = {
            let mut r = rng_from_seed(seed);
            (0..3).map(|_| r.random::<u64>()).collect()
        };
        assert_eq!(draws, again);
        assert_eq!(seed, PINNED_SEED, "seed derivation changed");
        assert_eq!(draws[0], PINNED_FIRST_DRAW, "ChaCha8 stream changed");
    }

    const PINNED_SEED: u64 = 6_352_915_383_421_378_434;
    const PINNED_FIRST_DRAW: u64 = 16_338_100_475_490_965_658;
}
