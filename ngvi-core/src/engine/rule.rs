//! Integration rules: the weighted points of the whole latent vector (in guide
//! coordinates) over which the engine takes expectations — a product of the blocks'
//! cubature rules where that is exact, antithetic Monte Carlo draws otherwise.

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{Block, Expectation};
use crate::family::{Geometry, Rule};

/// Largest product rule used before falling back to Monte Carlo.
const MAX_RULE_POINTS: usize = 4096;

/// The rule for an expectation: the block `own_at_mean` sits at its mean, the others are
/// integrated by their cubature (product rule) or by Monte Carlo.
pub(super) fn rule(
    blocks: &[Block],
    dim: usize,
    expectation: Expectation,
    samples: usize,
    own_at_mean: Option<usize>,
    seed: u64,
) -> Rule {
    let per_block: Vec<Option<Rule>> = blocks
        .iter()
        .enumerate()
        .map(|(j, blk)| {
            if Some(j) == own_at_mean {
                Some(vec![(1.0, blk.family.mean())])
            } else {
                blk.family.cubature()
            }
        })
        .collect();
    let size = per_block.iter().try_fold(1usize, |acc, p| {
        p.as_ref().map(|p| acc.saturating_mul(p.len()))
    });
    match (expectation, size) {
        (Expectation::Auto, Some(n))
            if n <= MAX_RULE_POINTS && blocks.iter().all(|b| b.conjugate) =>
        {
            product_rule(blocks, dim, per_block.iter().flatten())
        }
        _ => monte_carlo(blocks, dim, samples, own_at_mean, seed),
    }
}

/// The tensor product of the blocks' rules.
fn product_rule<'r>(blocks: &[Block], dim: usize, rules: impl Iterator<Item = &'r Rule>) -> Rule {
    let mut rule: Rule = vec![(1.0, vec![0.0; dim])];
    for (blk, pts) in blocks.iter().zip(rules) {
        rule = rule
            .iter()
            .flat_map(|(w, u)| {
                pts.iter().map(move |(wp, p)| {
                    let mut u = u.clone();
                    for (&g, &v) in blk.coords.iter().zip(p) {
                        u[g] = v;
                    }
                    (w * wp, u)
                })
            })
            .collect();
    }
    rule
}

/// `samples` draws of every block (antithetic pairs for the Gaussian blocks).
fn monte_carlo(
    blocks: &[Block],
    dim: usize,
    samples: usize,
    own_at_mean: Option<usize>,
    seed: u64,
) -> Rule {
    let mut rng = StdRng::seed_from_u64(seed);
    let pairs = samples.div_ceil(2).max(1);
    let w = 1.0 / (2 * pairs) as f64;
    let mut rule = Vec::with_capacity(2 * pairs);
    for _ in 0..pairs {
        let mut u = vec![0.0; dim];
        let mut mirror = vec![0.0; dim];
        for (j, blk) in blocks.iter().enumerate() {
            let mean = blk.family.mean();
            let draw = if Some(j) == own_at_mean {
                mean.clone()
            } else {
                blk.family.sample(&mut rng)
            };
            let antithetic = matches!(blk.family.geometry(), Geometry::Gaussian { .. });
            for (i, &g) in blk.coords.iter().enumerate() {
                u[g] = draw[i];
                mirror[g] = if antithetic {
                    2.0 * mean[i] - draw[i]
                } else {
                    draw[i]
                };
            }
        }
        rule.push((w, u));
        rule.push((w, mirror));
    }
    rule
}
