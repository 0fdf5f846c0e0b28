//! Integration rules: the weighted points of the whole latent vector (in guide
//! coordinates) over which the engine takes expectations — a product of the blocks'
//! cubature rules where that is exact, antithetic Monte Carlo draws otherwise.

use rand::rngs::StdRng;
use rand::SeedableRng;

use nalgebra::{DMatrix, DVector};

use super::update::gaussian_precision;
use super::{stream_seed, Block, Expectation};
use crate::family::{ExpFamily, Geometry, Rule};

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
    let size = blocks.iter().enumerate().try_fold(1usize, |acc, (j, blk)| {
        let n = if Some(j) == own_at_mean {
            Some(1)
        } else {
            blk.family.cubature_len()
        };
        n.map(|n| acc.saturating_mul(n))
    });
    let small = size.is_some_and(|n| n <= MAX_RULE_POINTS);
    let cubature = match expectation {
        Expectation::Auto => small && blocks.iter().all(|b| b.conjugate),
        Expectation::Cubature => small,
        Expectation::MonteCarlo => false,
    };
    if !cubature {
        return monte_carlo(blocks, dim, samples, own_at_mean, seed);
    }
    // Built only once the product is known to be small.
    let per_block: Vec<Rule> = blocks
        .iter()
        .enumerate()
        .map(|(j, blk)| {
            if Some(j) == own_at_mean {
                vec![(1.0, blk.family.mean())]
            } else {
                blk.family.cubature().unwrap_or_default()
            }
        })
        .collect();
    product_rule(blocks, dim, per_block.iter())
}

/// Whether expectations are taken by exact deterministic rules: every block conjugate,
/// every block's rule known and their product small. (A block's own coordinates sit at its
/// mean in its target, so a single block needs no rule of its own.)
pub(super) fn deterministic(blocks: &[Block], expectation: Expectation) -> bool {
    let all_conjugate = blocks.iter().all(|b| b.conjugate);
    let size = blocks.iter().try_fold(1usize, |acc, b| {
        b.family.cubature_len().map(|n| acc.saturating_mul(n))
    });
    let small = size.is_some_and(|n| n <= MAX_RULE_POINTS);
    matches!(expectation, Expectation::Auto | Expectation::Cubature)
        && all_conjugate
        && (blocks.len() == 1 || small)
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

/// `samples` draws of every block, each block from its own stream (so that one block's
/// rejection sampler cannot shift another's draws). Gaussian blocks draw antithetic pairs,
/// whitened so that the draws' mean and covariance are exactly the guide's.
fn monte_carlo(
    blocks: &[Block],
    dim: usize,
    samples: usize,
    own_at_mean: Option<usize>,
    seed: u64,
) -> Rule {
    let pairs = samples.div_ceil(2).max(1);
    let w = 1.0 / (2 * pairs) as f64;
    let mut rule: Rule = vec![(w, vec![0.0; dim]); 2 * pairs];
    for (j, blk) in blocks.iter().enumerate() {
        let mean = blk.family.mean();
        let draws: Vec<Vec<f64>> = if Some(j) == own_at_mean {
            vec![mean; 2 * pairs]
        } else {
            let mut rng = StdRng::seed_from_u64(stream_seed(seed, j as u64));
            block_draws(blk.family.as_ref(), pairs, &mut rng)
        };
        for (point, draw) in rule.iter_mut().zip(draws) {
            for (&g, v) in blk.coords.iter().zip(draw) {
                point.1[g] = v;
            }
        }
    }
    rule
}

/// 2 × `pairs` draws of one block: antithetic and whitened for a Gaussian, plain otherwise.
fn block_draws(fam: &dyn ExpFamily, pairs: usize, rng: &mut StdRng) -> Vec<Vec<f64>> {
    if !matches!(fam.geometry(), Geometry::Gaussian { .. }) {
        return (0..2 * pairs).map(|_| fam.sample(rng)).collect();
    }
    let m = DVector::from_vec(fam.mean());
    let mut dev: Vec<DVector<f64>> = Vec::with_capacity(2 * pairs);
    for _ in 0..pairs {
        let r = DVector::from_vec(fam.sample(rng)) - &m;
        dev.push(-&r);
        dev.push(r);
    }
    // Whitening needs more draws than dimensions: the d × d precision is formed only then.
    let whitened = (dev.len() > m.len())
        .then(|| gaussian_precision(fam))
        .flatten()
        .and_then(|p| whitening(&p, &dev));
    if let Some(a) = whitened {
        dev.iter_mut().for_each(|r| *r = &a * &*r);
    }
    dev.into_iter()
        .map(|r| (&m + r).iter().copied().collect())
        .collect()
}

/// A = L_Σ L_Σ̂⁻¹ with Σ = P⁻¹ and Σ̂ the deviations' second moment, so that A r has second
/// moment exactly Σ (`None` when Σ̂ is singular: fewer draws than dimensions).
fn whitening(p: &DMatrix<f64>, dev: &[DVector<f64>]) -> Option<DMatrix<f64>> {
    let d = p.nrows();
    if dev.len() <= d {
        return None;
    }
    let n = dev.len() as f64;
    let s_hat = dev
        .iter()
        .fold(DMatrix::zeros(d, d), |acc, r| acc + r * r.transpose())
        / n;
    let l_hat = s_hat.cholesky()?.l();
    let l_sigma = p.clone().cholesky()?.inverse().cholesky()?.l();
    let l_hat_inv = l_hat.solve_lower_triangular(&DMatrix::identity(d, d))?;
    Some(l_sigma * l_hat_inv)
}
