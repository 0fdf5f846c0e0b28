//! Draws from the guide and their log importance ratios ln p(x, u) − ln q(u), which PSIS
//! judges the fit by (§6): the log joint evaluated whole at each draw, or, for a lone
//! Gaussian block whose observes read it through affine predictors, at a batch of draws
//! in one pass over the data (4.12c).

use nalgebra::{DMatrix, DVector};

use super::{start, stream_seed, Engine};
use crate::error::Error;
use crate::joint::Derivatives;
use crate::model::Model;

/// Draws of the guide held at once while their log ratios are evaluated.
const RATIO_GROUP: usize = 2048;
/// Draws evaluated together by one pass over the data (4.12c): their deviations take
/// D × 256 values, which stay in cache while each datum's η is read off for all of them.
const RATIO_BATCH: usize = 256;
/// The largest sd subsampling may leave in a log ratio: multiplying the importance
/// weights by noise this small (e^0.05 ≈ 1.05) does not move k̂.
const RATIO_NOISE: f64 = 0.05;
/// The stream of the subsamples, apart from the draws.
const SUBSAMPLE_STREAM: u64 = 1 << 36;

impl<M: Model> Engine<'_, M> {
    /// A draw u ~ q of the whole vector, in guide coordinates, with ln q(u).
    pub(crate) fn draw_guide(&self, rng: &mut rand::rngs::StdRng) -> (Vec<f64>, f64) {
        let mut u = vec![0.0; self.joint.dim()];
        let mut ln_q = 0.0;
        for b in &self.blocks {
            let ub = b.family.sample(rng);
            ln_q += b.family.log_density(&ub);
            for (&g, v) in b.coords.iter().zip(ub) {
                u[g] = v;
            }
        }
        (u, ln_q)
    }

    /// The log ratios of draws from the guide, asked for in turn (`RatioDraws::next`).
    pub(crate) fn ratio_draws(&self) -> Result<RatioDraws<'_, '_, M>, Error> {
        Ok(RatioDraws {
            expansion: self.expansion()?,
            engine: self,
        })
    }

    /// The second-order part of (4.12c) at the guide's mean, when (4.12c) applies: the
    /// guide is one Gaussian block whose observes read it through affine predictors and
    /// whose rest is quadratic (the plan's probes), on this process's data alone.
    fn expansion(&self) -> Result<Option<Expansion<'_>>, Error> {
        let [block] = self.blocks.as_slice() else {
            return Ok(None);
        };
        if block.linear_rest.is_none() || !self.joint.reducer.is_local() {
            return Ok(None);
        }
        let m = start::centre(&self.blocks, self.joint.dim());
        // f̃(m), ∇f̃(m), ∇²f̃(m), every term read
        let at_m = self.joint.derivatives(&block.coords, &m)?;
        Ok(Some(Expansion {
            coords: &block.coords,
            m,
            at_m,
            subsample: Some(stream_seed(self.settings.seed, SUBSAMPLE_STREAM)),
        }))
    }

    /// f̃ at each draw by (4.12c), `RATIO_BATCH` draws to a pass over the data. Plates of
    /// 20 000 terms or more are subsampled, unless that leaves some value an sd above
    /// `RATIO_NOISE`: then every term is read, from these draws on. `None` when f̃
    /// evaluated whole at the first draw disagrees: then each draw is evaluated whole.
    fn values_along_predictors(
        &self,
        e: &mut Expansion<'_>,
        draws: &[(Vec<f64>, f64)],
    ) -> Result<Option<Along>, Error> {
        let Some(first) = draws.first() else {
            return Ok(None);
        };
        let mut along = self.along(e, draws)?;
        if along.noise().is_some_and(|sd| sd > RATIO_NOISE) {
            e.subsample = None;
            along = self.along(e, draws)?;
        }
        let whole = self.joint.value(first.0.clone())?;
        Ok(agree(whole, along.values[0], along.sds[0]).then_some(along))
    }

    /// (4.12c) at each draw: the second-order expansion at m plus the remainders, from one
    /// pass over the data per `RATIO_BATCH` draws.
    fn along(&self, e: &Expansion<'_>, draws: &[(Vec<f64>, f64)]) -> Result<Along, Error> {
        let (coords, m, subsample) = (e.coords, &e.m, e.subsample);
        let (f, gradient, hessian) = &e.at_m;
        let gradient = DVector::from_column_slice(gradient);
        let batches: Vec<&[(Vec<f64>, f64)]> = draws.chunks(RATIO_BATCH).collect();
        let joint = &self.joint;
        let parts = joint.reducer.map(&batches, |batch| {
            // Δ, a draw to a row: column-major, so each coordinate's values are contiguous,
            // as `AtDraws` reads them
            let deltas = DMatrix::from_fn(batch.len(), coords.len(), |s, i| {
                batch[s].0[coords[i]] - m[coords[i]]
            });
            let r = joint.remainders(coords, m, deltas.as_slice(), batch.len(), subsample)?;
            let (linear, curved) = (&deltas * &gradient, &deltas * hessian);
            let values = (0..batch.len()).map(|s| {
                // f̃(m + Δ) = f̃(m) + ∇f̃(m)ᵀΔ + ½ Δᵀ∇²f̃(m)Δ + Σ_obs rₒ(Δ)   (4.12c)
                let quadratic = curved.row(s).dot(&deltas.row(s));
                f + linear[s] + 0.5 * quadratic + r.sums[s]
            });
            Ok::<_, Error>((values.collect::<Vec<f64>>(), r.variances))
        });
        let mut along = Along {
            values: Vec::with_capacity(draws.len()),
            sds: Vec::with_capacity(draws.len()),
        };
        for part in parts {
            let (values, variances) = part?;
            along.values.extend(values);
            along.sds.extend(variances.into_iter().map(f64::sqrt));
        }
        Ok(along)
    }
}

/// Log importance ratios, and the largest sd that subsampling the plates left in one of
/// them (`None` when every term was read).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ratios {
    pub(crate) values: Vec<f64>,
    pub(crate) noise: Option<f64>,
}

impl Ratios {
    /// These ratios followed by `more`.
    pub(crate) fn append(&mut self, more: Ratios) {
        self.values.extend(more.values);
        self.noise = larger(self.noise, more.noise);
    }
}

/// The larger of two sds where either is known.
fn larger(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// The log ratios of successive draws from an engine's guide: the expansion (4.12c) at the
/// guide's mean, where it applies, is taken once for all of them (a second-order pass over
/// the data), and once its check has failed each draw is evaluated whole from then on.
pub(crate) struct RatioDraws<'e, 'm, M: Model> {
    engine: &'e Engine<'m, M>,
    expansion: Option<Expansion<'e>>,
}

impl<M: Model> RatioDraws<'_, '_, M> {
    /// ln p(x, u) − ln q(u) at the next `n` draws of `rng` from the guide (−∞ where the log
    /// joint is not a number). The draws are made in turn and their log joints evaluated
    /// over the threads: a batch of draws to a pass over the data when (4.12c) applies,
    /// otherwise each draw whole on one thread. Either way the bits do not depend on the
    /// number of threads.
    pub(crate) fn next(&mut self, n: usize, rng: &mut rand::rngs::StdRng) -> Result<Ratios, Error> {
        let mut out = Ratios {
            values: Vec::with_capacity(n),
            noise: None,
        };
        while out.values.len() < n {
            let draws: Vec<(Vec<f64>, f64)> = (0..RATIO_GROUP.min(n - out.values.len()))
                .map(|_| self.engine.draw_guide(rng))
                .collect();
            let along = match self.expansion.as_mut() {
                Some(e) => self.engine.values_along_predictors(e, &draws)?,
                None => None,
            };
            if along.is_none() {
                // (4.12c) does not apply, or its check failed: each draw whole from here on
                self.expansion = None;
            }
            let values = match along {
                Some(along) => {
                    out.noise = larger(out.noise, along.noise());
                    along.values
                }
                None => {
                    let joint = &self.engine.joint;
                    let values = joint.reducer.map(&draws, |(u, _)| joint.value(u.clone()));
                    values.into_iter().collect::<Result<Vec<f64>, Error>>()?
                }
            };
            for (f, (_, ln_q)) in values.into_iter().zip(&draws) {
                out.values.push(if f.is_nan() {
                    f64::NEG_INFINITY
                } else {
                    f - ln_q
                });
            }
        }
        Ok(out)
    }
}

/// What (4.12c) needs of the guide: the Gaussian block's coordinates, its mean m, f̃ with
/// its gradient and Hessian there, and the seed of the plates' subsamples (`None`: every
/// term read).
struct Expansion<'b> {
    coords: &'b [usize],
    m: Vec<f64>,
    at_m: Derivatives,
    subsample: Option<u64>,
}

/// f̃ at draws by (4.12c), with each value's sd from subsampling (0 where every term was
/// read).
struct Along {
    values: Vec<f64>,
    sds: Vec<f64>,
}

impl Along {
    /// The largest sd, when some plate was subsampled.
    fn noise(&self) -> Option<f64> {
        let sd = self.sds.iter().copied().fold(0.0, f64::max);
        (sd > 0.0).then_some(sd)
    }
}

/// Whether f̃ evaluated whole and by (4.12c) agree: to rounding (1e-9 relative) plus six
/// of the latter's sds from subsampling, or both −∞ or not a number alike.
fn agree(whole: f64, along: f64, sd: f64) -> bool {
    if whole.is_finite() {
        (whole - along).abs() <= 1e-9 * (1.0 + whole.abs()) + 6.0 * sd
    } else {
        whole == along || (whole.is_nan() && along.is_nan())
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::super::test_models::{data, fitted, Counts};
    use super::super::Engine;
    use super::RATIO_NOISE;

    fn draws(engine: &Engine<'_, Counts>, n: usize) -> Vec<(Vec<f64>, f64)> {
        let mut rng = StdRng::seed_from_u64(1000);
        (0..n).map(|_| engine.draw_guide(&mut rng)).collect()
    }

    fn along(engine: &Engine<'_, Counts>, draws: &[(Vec<f64>, f64)]) -> Option<super::Along> {
        let mut e = engine.expansion().unwrap()?;
        engine.values_along_predictors(&mut e, draws).unwrap()
    }

    /// Every draw's log joint by (4.12c), a batch to a pass, is the log joint evaluated
    /// whole there, to rounding.
    #[test]
    fn draws_along_the_predictors_are_the_log_joint_there() {
        let model = data(700, false);
        let engine = fitted(&model);
        assert!(engine.blocks[0].linear_rest.is_some(), "the path is taken");
        let draws = draws(&engine, 600);
        let along = along(&engine, &draws).unwrap();
        assert_eq!((along.values.len(), along.noise()), (draws.len(), None));
        for ((u, _), a) in draws.iter().zip(&along.values) {
            let whole = engine.joint.value(u.clone()).unwrap();
            assert!(
                (whole - a).abs() <= 1e-10 * whole.abs(),
                "{whole} whole, {a} along the predictors"
            );
        }
    }

    /// On 30 000 rows the remainders come from 10 000 of them: each value within four of
    /// its sds of the log joint evaluated whole, the sds small.
    #[test]
    fn a_subsample_of_a_large_plate_estimates_the_log_joint() {
        let model = data(30_000, false);
        let engine = fitted(&model);
        let draws = draws(&engine, 40);
        let along = along(&engine, &draws).unwrap();
        let noise = along.noise().expect("subsampled");
        assert!(noise > 0.0 && noise <= RATIO_NOISE, "sd {noise}");
        for (((u, _), a), sd) in draws.iter().zip(&along.values).zip(&along.sds) {
            let whole = engine.joint.value(u.clone()).unwrap();
            assert!((whole - a).abs() <= 4.0 * sd, "{whole} whole, {a} ± {sd}");
        }
    }

    /// A rest that is not quadratic (a planning probe that missed it): the check at the
    /// first draw sees it, and the draws are evaluated whole.
    #[test]
    fn the_check_at_the_first_draw_can_fail() {
        let model = data(700, true);
        let mut engine = fitted(&model);
        assert!(engine.blocks[0].linear_rest.is_none(), "the planner saw it");
        engine.blocks[0].linear_rest = Some(nalgebra::DMatrix::zeros(3, 3));
        assert!(along(&engine, &draws(&engine, 50)).is_none());
    }
}
