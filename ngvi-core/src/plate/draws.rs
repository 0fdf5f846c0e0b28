//! The observes read through one parameter at many draws at once, each datum read once:
//! for an η affine in the variables, η(m + Δₛ) = η(m) + bᵀΔₛ, so one first-order
//! evaluation at m gives a datum's η at every draw. What is added up is each observe's
//! remainder after its second-order Taylor expansion at η(m), whose sum over the data the
//! log joint's own derivatives at m give (docs/design.md (4.12c)). In a large plate the
//! remainders of a random subsample of its terms, scaled up, estimate it, with their
//! variance (the difference estimator of Quiroz et al. 2019). The diagnostic's log ratios
//! take their thousands of draws this way.

use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{chunks, Chunk, Density, InOrder, Plates, Term};
use crate::ad::{Dual, Jet, Scalar};
use crate::engine::stream_seed;
use crate::error::ModelError;

/// Terms of an outermost plate whose remainders are added up when it is subsampled.
pub(crate) const SUBSAMPLE_TERMS: usize = 10_000;
/// A plate of at least this many terms is subsampled.
const SUBSAMPLED_FROM: usize = 2 * SUBSAMPLE_TERMS;

/// Σ_obs of the observes' remainders at each of K draws, the plates outermost in the model
/// summed whole or subsampled; the evaluation's own value is not used.
pub(crate) struct AtDraws<'a> {
    /// The draws' deviations Δₛ from the point, by coordinate: coordinate i's K values at
    /// [iK, (i + 1)K).
    deviations: &'a [f64],
    draws: usize,
    /// The seed of the subsamples, or `None` to sum every plate whole.
    subsample: Option<u64>,
    state: Mutex<State>,
}

/// What the pass has added up so far.
struct State {
    /// Σ of the remainders at each draw over the plates done (scaled up where subsampled),
    /// and its variance from subsampling.
    total: Vec<f64>,
    variance: Vec<f64>,
    /// The remainders since the last term of an outermost plate was done.
    current: Vec<f64>,
    /// A subsampled plate's Σ and Σ² of its terms' remainders, at each draw.
    plate: Vec<f64>,
    plate_squares: Vec<f64>,
    /// One datum's ηₛ − η(m), and its log density at each ηₛ.
    eta: Vec<f64>,
    values: Vec<f64>,
    /// How many plate sums the pass is inside.
    depth: usize,
}

/// What an [`AtDraws`] pass gives: the sum of the remainders at each draw and the variance
/// of that sum from subsampling (zero where every term was read).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Remainders {
    pub(crate) sums: Vec<f64>,
    pub(crate) variances: Vec<f64>,
}

impl<'a> AtDraws<'a> {
    /// `draws` draws, whose deviations are laid out by coordinate in `deviations`; plates
    /// of `SUBSAMPLED_FROM` terms or more subsampled with `subsample`'s seed when given.
    pub(crate) fn new(deviations: &'a [f64], draws: usize, subsample: Option<u64>) -> AtDraws<'a> {
        let zeros = vec![0.0; draws];
        AtDraws {
            deviations,
            draws,
            subsample,
            state: Mutex::new(State {
                total: zeros.clone(),
                variance: zeros.clone(),
                current: zeros.clone(),
                plate: zeros.clone(),
                plate_squares: zeros.clone(),
                eta: zeros.clone(),
                values: zeros,
                depth: 0,
            }),
        }
    }

    /// The remainders added up, with those outside every plate.
    pub(crate) fn into_remainders(self) -> Remainders {
        let mut st = self
            .state
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        for (t, c) in st.total.iter_mut().zip(&st.current) {
            *t += c;
        }
        Remainders {
            sums: st.total,
            variances: st.variance,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The terms of an outermost plate of `n` terms to read: all (`None`), or a sorted
    /// subsample of `SUBSAMPLE_TERMS`.
    fn picked(&self, plate: usize, range: &Range<usize>) -> Option<Vec<usize>> {
        let seed = self.subsample.filter(|_| range.len() >= SUBSAMPLED_FROM)?;
        let mut rng = StdRng::seed_from_u64(stream_seed(seed, plate as u64));
        let mut picked =
            rand::seq::index::sample(&mut rng, range.len(), SUBSAMPLE_TERMS).into_vec();
        picked.sort_unstable();
        Some(picked.into_iter().map(|i| range.start + i).collect())
    }

    /// An outermost plate: every term, or a subsample of them scaled up, the remainders of
    /// each term kept apart for their variance.
    fn outermost(
        &self,
        plate: usize,
        range: Range<usize>,
        term: &Term<'_, Dual>,
    ) -> Result<(), ModelError> {
        let Some(picked) = self.picked(plate, &range) else {
            for c in chunks(range) {
                term(Chunk::Run(c))?;
            }
            let mut st = self.state();
            let State { total, current, .. } = &mut *st;
            for (t, c) in total.iter_mut().zip(current.iter_mut()) {
                *t += std::mem::take(c);
            }
            return Ok(());
        };
        for i in &picked {
            term(Chunk::Picked(std::slice::from_ref(i)))?;
            let mut st = self.state();
            let State {
                current,
                plate,
                plate_squares,
                ..
            } = &mut *st;
            for ((c, p), q) in current
                .iter_mut()
                .zip(plate.iter_mut())
                .zip(plate_squares.iter_mut())
            {
                let r = std::mem::take(c);
                *p += r;
                *q += r * r;
            }
        }
        let (n, m) = (range.len() as f64, picked.len() as f64);
        let mut st = self.state();
        let State {
            total,
            variance,
            plate,
            plate_squares,
            ..
        } = &mut *st;
        for (((t, v), p), q) in total
            .iter_mut()
            .zip(variance.iter_mut())
            .zip(plate.iter_mut())
            .zip(plate_squares.iter_mut())
        {
            let (sum, squares) = (std::mem::take(p), std::mem::take(q));
            // T̂ = (n/m) Σ_S rᵢ,  Var T̂ = n² (1 − m/n) s²/m,  s² the sample variance of rᵢ
            let s2 = ((squares - sum * sum / m) / (m - 1.0)).max(0.0);
            *t += n / m * sum;
            *v += n * n * (1.0 - m / n) * s2 / m;
        }
        Ok(())
    }
}

impl Plates<Dual> for AtDraws<'_> {
    // One evaluation serves many draws; the draws, not a plate's chunks, are spread over the
    // threads.
    fn sum(
        &self,
        plate: usize,
        range: Range<usize>,
        term: &Term<'_, Dual>,
    ) -> Result<Dual, ModelError> {
        let outermost = {
            let mut st = self.state();
            st.depth += 1;
            st.depth == 1
        };
        let out = if outermost {
            self.outermost(plate, range, term).map(|()| Dual::from(0.0))
        } else {
            InOrder.sum(plate, range, term)
        };
        self.state().depth -= 1;
        out
    }

    fn linear(&self, eta: Dual, density: Density<'_>) -> Result<Dual, ModelError> {
        let k = self.draws;
        let at = eta.value();
        let (f0, f1, f2) = (density.jet)(Jet::variable(at))?.parts();
        let mut st = self.state();
        let State {
            current,
            eta: d,
            values,
            ..
        } = &mut *st;
        d.fill(0.0);
        // ηₛ − η(m) = bᵀΔₛ
        eta.for_each_partial(|i, b| {
            if let Some(dev) = self.deviations.get(i * k..(i + 1) * k) {
                d.iter_mut().zip(dev).for_each(|(x, dev)| *x += b * dev);
            }
        });
        values
            .iter_mut()
            .zip(d.iter())
            .for_each(|(v, d)| *v = at + d);
        (density.values)(values)?;
        for ((r, &f), &d) in current.iter_mut().zip(values.iter()).zip(d.iter()) {
            // f(η(m) + d) − f(η(m)) − f′ d − ½ f″ d²   (4.12c)
            *r += f - (f0 + d * (f1 + 0.5 * f2 * d));
        }
        Ok(Dual::from(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::{AtDraws, Remainders, SUBSAMPLE_TERMS};
    use crate::ad::{Dual, Jet};
    use crate::error::ModelError;
    use crate::plate::{Chunk, Density, Plates};

    /// x³ as a `Density`.
    fn cube() -> Density<'static> {
        fn jet(x: Jet) -> Result<Jet, ModelError> {
            Ok(x * x * x)
        }
        fn values(xs: &mut [f64]) -> Result<(), ModelError> {
            xs.iter_mut().for_each(|x| *x = x.powi(3));
            Ok(())
        }
        Density {
            jet: &jet,
            values: &values,
        }
    }

    /// A datum's remainder at each draw's η, from η's value and gradient at the point.
    #[test]
    fn each_draw_gets_its_own_predictor() {
        // η = 1 + 2u₀ − u₁ at m = (0.5, 1); draws Δ = (1, 0), (0, 2), (−1, 1)
        let deviations = [1.0, 0.0, -1.0, 0.0, 2.0, 1.0];
        let plates = AtDraws::new(&deviations, 3, None);
        let u = Dual::variables(&[0.5, 1.0]);
        let eta = u[0].clone() * 2.0 - u[1].clone() + 1.0;
        plates.linear(eta, cube()).unwrap();
        // η(m) = 1, d = 2, −2, −3: x³ − (1 + 3d + 3d²) = d³
        let r = plates.into_remainders();
        assert_eq!(r.sums, vec![8.0, -8.0, -27.0]);
        assert_eq!(r.variances, vec![0.0; 3]);
    }

    /// A plate of remainders dᵢ³ over 50 000 terms: whole, the exact sum; subsampled,
    /// within four of its standard errors, which is near the spread of the terms' sum.
    #[test]
    fn a_subsampled_plate_is_estimated_with_its_variance() {
        let n = 50_000;
        let d: Vec<f64> = (0..n)
            .map(|i| ((i * 7919) % 1000) as f64 / 1000.0)
            .collect();
        let run = |subsample| -> Result<Remainders, ModelError> {
            let plates = AtDraws::new(&[1.0], 1, subsample);
            let u = Dual::variables(&[0.0]);
            plates.sum(0, 0..n, &|c: Chunk<'_>| {
                for i in c {
                    let eta = u[0].clone() * d[i];
                    plates.linear(eta, cube())?;
                }
                Ok(Dual::from(0.0))
            })?;
            Ok(plates.into_remainders())
        };
        let exact: f64 = d.iter().map(|x| x * x * x).sum();
        let whole = run(None).unwrap();
        assert!((whole.sums[0] - exact).abs() <= 1e-9 * exact);
        for seed in [0, 1000, 2000] {
            let part = run(Some(seed)).unwrap();
            let se = part.variances[0].sqrt();
            // s ≈ 0.28 per term: se ≈ n √(1 − m/n) 0.28/√m ≈ 125
            assert!(se > 80.0 && se < 180.0, "se {se}");
            assert!(
                (part.sums[0] - exact).abs() <= 4.0 * se,
                "{} vs {exact}",
                part.sums[0]
            );
        }
        assert!(SUBSAMPLE_TERMS < n);
    }
}
