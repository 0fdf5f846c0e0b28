//! Observes summed from sufficient statistics (docs/design.md §8): for every distribution
//! with statistics, a loop of `observe`s (plain `for` and `plate`) has the log joint of the
//! explicit per-datum sum Σᵢ ln p(yᵢ) in value, gradient and Hessian to 1e-12 relative; a
//! loop that mixes batched and per-datum statements too; a plate gives the same bits on
//! one and two threads; bad data gives the per-datum path's errors; the statistics a
//! top-level loop or a plate's chunk keeps give the per-datum sum at every later
//! evaluation.

use ngvi::prelude::*;
use ngvi::{gradient, hessian, ModelErrorKind};

/// Three models of the same data: `observe` in a plain `for` (batched), in a plate
/// (batched per chunk), and the explicit per-datum sum of `ln_density` in a `factor`.
macro_rules! family {
    ($for_:ident, $plate:ident, $sum:ident, [$($prior:tt)*], $dist:ident $args:tt) => {
        model! {
            fn $for_(y: &[f64]) {
                $($prior)*
                for i in 0..y.len() {
                    observe y[i] ~ $dist $args;
                }
            }
        }
        model! {
            fn $plate(y: &[f64]) {
                $($prior)*
                for i in plate(0..y.len()) {
                    observe y[i] ~ $dist $args;
                }
            }
        }
        model! {
            fn $sum(y: &[f64]) {
                $($prior)*
                for i in 0..y.len() {
                    factor $dist $args.ln_density(y[i]);
                }
            }
        }
    };
}

family!(bern_for, bern_plate, bern_sum, [sample p ~ Beta(2.0, 2.0);], Bernoulli(p));
family!(bl_for, bl_plate, bl_sum, [sample a ~ Normal(0.0, 1.0); sample b ~ Normal(0.0, 1.0);], BernoulliLogit(a + 2.0 * b));
family!(binom_for, binom_plate, binom_sum, [sample p ~ Beta(1.0, 1.0);], Binomial(12, p));
family!(bnl_for, bnl_plate, bnl_sum, [sample eta ~ Normal(0.0, 1.0);], BinomialLogit(12, eta));
family!(pois_for, pois_plate, pois_sum, [sample rate ~ Gamma(2.0, 1.0);], Poisson(rate));
family!(pl_for, pl_plate, pl_sum, [sample eta ~ Normal(0.0, 1.0);], PoissonLog(eta));
family!(normal_for, normal_plate, normal_sum, [sample mu ~ Normal(0.0, 100.0); sample sigma ~ HalfNormal(3.0);], Normal(mu, sigma));
family!(hn_for, hn_plate, hn_sum, [sample sigma ~ HalfNormal(3.0);], HalfNormal(sigma));
family!(ln_for, ln_plate, ln_sum, [sample mu ~ Normal(0.0, 1.0); sample sigma ~ HalfNormal(1.0);], LogNormal(mu, sigma));
family!(exp_for, exp_plate, exp_sum, [sample rate ~ Gamma(1.0, 1.0);], Exponential(rate));
family!(gamma_for, gamma_plate, gamma_sum, [sample shape ~ Gamma(2.0, 1.0); sample rate ~ Gamma(2.0, 1.0);], Gamma(shape, rate));
family!(ig_for, ig_plate, ig_sum, [sample shape ~ Gamma(2.0, 1.0); sample scale ~ Gamma(2.0, 1.0);], InverseGamma(shape, scale));
family!(beta_for, beta_plate, beta_sum, [sample a ~ Gamma(2.0, 1.0); sample b ~ Gamma(2.0, 1.0);], Beta(a, b));
family!(cat_for, cat_plate, cat_sum, [sample p ~ Dirichlet([1.0, 1.0, 1.0]);], Categorical(p));

/// 2000 values from `f` of a fixed uniform stream (more than three plate chunks).
fn data(f: impl Fn(f64) -> f64) -> Vec<f64> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..2000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            f((state >> 11) as f64 / (1u64 << 53) as f64)
        })
        .collect()
}

/// |a − b| ≤ 1e-12 · scale.
fn close(a: f64, b: f64, scale: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-12 * scale.max(1e-300),
        "{what}: {a} against {b}"
    );
}

fn max_abs<'a>(x: impl IntoIterator<Item = &'a f64>) -> f64 {
    x.into_iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// `model` has the log joint of `reference` at `z`: value (f64), gradient (`Dual`),
/// value, gradient and Hessian (`Dual2`).
fn agrees(model: &impl Model, reference: &impl Model, z: &[f64], what: &str) {
    let (a, b) = (
        model.log_joint(z).expect("valid data"),
        reference.log_joint(z).expect("valid data"),
    );
    close(a, b, b.abs(), &format!("{what}: value"));
    let ga = gradient(|v| model.log_joint(v).expect("valid"), z).1;
    let gb = gradient(|v| reference.log_joint(v).expect("valid"), z).1;
    let scale = max_abs(&gb);
    for (p, q) in ga.iter().zip(&gb) {
        close(*p, *q, scale, &format!("{what}: gradient"));
    }
    let ha = hessian(|v| model.log_joint(v).expect("valid"), z);
    let hb = hessian(|v| reference.log_joint(v).expect("valid"), z);
    close(ha.0, hb.0, hb.0.abs(), &format!("{what}: value (Dual2)"));
    let scale = max_abs(&hb.1);
    for (p, q) in ha.1.iter().zip(&hb.1) {
        close(*p, *q, scale, &format!("{what}: gradient (Dual2)"));
    }
    let scale = max_abs(hb.2.iter());
    for (p, q) in ha.2.iter().zip(hb.2.iter()) {
        close(*p, *q, scale, &format!("{what}: Hessian"));
    }
}

/// The plain loop and the plate against the per-datum sum, at each point.
macro_rules! check {
    ($for_:ident, $plate:ident, $sum:ident, $y:expr, [$($z:expr),*]) => {{
        let y = $y;
        let (a, b, c) = ($for_(&y), $plate(&y), $sum(&y));
        for z in [$(&$z[..]),*] {
            agrees(&a, &c, z, concat!(stringify!($for_), " at ", stringify!($($z),*)));
            agrees(&b, &c, z, concat!(stringify!($plate), " at ", stringify!($($z),*)));
        }
    }};
}

#[test]
fn each_family_sums_as_its_densities_do() {
    let bits = |q: f64| data(move |u| f64::from(u8::from(u < q)));
    let counts = |k: f64| data(move |u| (u * k).floor());
    check!(bern_for, bern_plate, bern_sum, bits(0.3), [[0.3], [0.8]]);
    check!(
        bl_for,
        bl_plate,
        bl_sum,
        bits(0.7),
        [[0.2, 0.4], [-1.0, 0.1]]
    );
    check!(binom_for, binom_plate, binom_sum, counts(13.0), [[0.4]]);
    check!(bnl_for, bnl_plate, bnl_sum, counts(13.0), [[-0.3]]);
    check!(pois_for, pois_plate, pois_sum, counts(9.0), [[3.9], [0.5]]);
    check!(pl_for, pl_plate, pl_sum, counts(9.0), [[1.4]]);
    // far from 0, where Σy² − nȳ² would lose digits
    let far = data(|u| 1000.0 + 3.0 * (u - 0.5));
    check!(
        normal_for,
        normal_plate,
        normal_sum,
        far.clone(),
        [[1000.1, 0.9], [999.0, 2.5]]
    );
    check!(hn_for, hn_plate, hn_sum, data(|u| 0.01 + 2.0 * u), [[1.3]]);
    check!(
        ln_for,
        ln_plate,
        ln_sum,
        data(|u| 0.2 + 4.0 * u),
        [[0.3, 0.8]]
    );
    check!(
        exp_for,
        exp_plate,
        exp_sum,
        data(|u| 0.01 + 3.0 * u),
        [[0.7]]
    );
    check!(
        gamma_for,
        gamma_plate,
        gamma_sum,
        data(|u| 0.05 + 4.0 * u),
        [[2.2, 1.1]]
    );
    check!(
        ig_for,
        ig_plate,
        ig_sum,
        data(|u| 0.1 + 2.0 * u),
        [[3.0, 2.0]]
    );
    check!(
        beta_for,
        beta_plate,
        beta_sum,
        data(|u| 0.001 + 0.998 * u),
        [[2.0, 3.5]]
    );
    check!(cat_for, cat_plate, cat_sum, counts(3.0), [[0.2, 0.5, 0.3]]);
}

model! {
    /// A loop that mixes statements: the first observe is batched, the second depends on
    /// the index through its mean and stays per datum, the third's argument is bound in
    /// the loop and stays per datum.
    fn mixed(y: &[f64], x: &[f64], t: &[f64]) {
        sample mu ~ Normal(0.0, 10.0);
        sample sigma ~ HalfNormal(2.0);
        sample b ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, sigma);
            observe x[i] ~ Normal(mu + b * t[i], 1.0);
            let s = sigma * 2.0;
            observe x[i] ~ Normal(b, s);
        }
    }
}

model! {
    fn mixed_sum(y: &[f64], x: &[f64], t: &[f64]) {
        sample mu ~ Normal(0.0, 10.0);
        sample sigma ~ HalfNormal(2.0);
        sample b ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            factor Normal(mu, sigma).ln_density(y[i]);
            factor Normal(mu + b * t[i], 1.0).ln_density(x[i]);
            factor Normal(b, sigma * 2.0).ln_density(x[i]);
        }
    }
}

#[test]
fn a_loop_with_other_statements_batches_only_the_observes_that_qualify() {
    let y = data(|u| 2.0 + u);
    let t = data(|u| u - 0.5);
    let x = data(|u| 1.0 - 2.0 * u);
    agrees(
        &mixed(&y, &x, &t),
        &mixed_sum(&y, &x, &t),
        &[1.5, 0.8, 0.3],
        "mixed",
    );
}

#[test]
fn a_batched_plate_gives_the_same_bits_on_one_and_two_threads_and_is_exact() {
    let y = data(|u| f64::from(u8::from(u < 0.3)));
    let ones: f64 = y.iter().sum();
    let fits: Vec<Fit> = [1, 2]
        .iter()
        .map(|&t| {
            Ngvi::new()
                .seed(5)
                .threads(t)
                .fit(&bern_plate(&y))
                .expect("fits")
        })
        .collect();
    let bits = |f: &Fit| {
        let (m, s) = (f.mean("p").expect("p"), f.sd("p").expect("p"));
        (
            m[0].to_bits(),
            s[0].to_bits(),
            f.elbo_estimate().0.to_bits(),
        )
    };
    assert_eq!(bits(&fits[0]), bits(&fits[1]));
    // Beta(2 + Σy, 2 + n − Σy)
    let (a, b) = (2.0 + ones, 2.0 + y.len() as f64 - ones);
    let mean = a / (a + b);
    let m = fits[0].mean("p").expect("p")[0];
    assert!((m - mean).abs() <= 1e-12, "{m} against {mean}");
}

#[test]
fn bad_data_gives_the_per_datum_errors() {
    let mut y = data(|u| f64::from(u8::from(u < 0.3)));
    y[1234] = 2.0;
    for err in [
        bern_for(&y).log_joint(&[0.3]).unwrap_err(),
        bern_plate(&y).log_joint(&[0.3]).unwrap_err(),
    ] {
        assert_eq!(err.variable, "y");
        assert_eq!(err.index, vec![1234]);
        assert!(
            matches!(
                err.kind,
                ModelErrorKind::OutsideSupport {
                    value,
                    dist: "Bernoulli",
                    ..
                } if value == 2.0
            ),
            "{err}"
        );
    }
    y[1234] = f64::NAN;
    let err = bern_for(&y).log_joint(&[0.3]).unwrap_err();
    assert!(
        matches!(err.kind, ModelErrorKind::NonFinite { .. }),
        "{err}"
    );
    assert_eq!(err.index, vec![1234]);
}

model! {
    /// A top-level loop of batched observes keeps its statistics; the loop inside the `if`
    /// and the one with another statement sum theirs at every evaluation.
    fn kept_and_not(y: &[f64], t: &[f64], flag: bool) {
        sample rate ~ Gamma(2.0, 1.0);
        sample mu ~ Normal(0.0, 10.0);
        for i in 0..y.len() {
            observe y[i] ~ Poisson(rate);
            observe t[i] ~ Normal(mu, 2.0);
        }
        if flag {
            for i in 0..t.len() {
                observe t[i] ~ Normal(mu, 1.0);
            }
        }
        for i in 0..t.len() {
            let shifted = t[i] + 1.0;
            observe shifted ~ Normal(mu, 3.0);
        }
    }
}

model! {
    fn kept_and_not_sum(y: &[f64], t: &[f64], flag: bool) {
        sample rate ~ Gamma(2.0, 1.0);
        sample mu ~ Normal(0.0, 10.0);
        for i in 0..y.len() {
            factor Poisson(rate).ln_density(y[i]);
            factor Normal(mu, 2.0).ln_density(t[i]);
        }
        if flag {
            for i in 0..t.len() {
                factor Normal(mu, 1.0).ln_density(t[i]);
            }
        }
        for i in 0..t.len() {
            factor Normal(mu, 3.0).ln_density(t[i] + 1.0);
        }
    }
}

#[test]
fn kept_statistics_give_the_per_datum_sum_at_every_later_point_and_scalar() {
    let y = data(|u| (6.0 * u).floor());
    let t = data(|u| 4.0 * u - 1.0);
    for flag in [false, true] {
        // one model throughout: its first evaluation (Dual2 here, the others' order in
        // `agrees`) sums the statistics, every later one reads them
        let (kept, sum) = (kept_and_not(&y, &t, flag), kept_and_not_sum(&y, &t, flag));
        let z0 = [2.5, 0.7];
        let h = hessian(|v| kept.log_joint(v).expect("valid"), &z0);
        let hs = hessian(|v| sum.log_joint(v).expect("valid"), &z0);
        close(h.0, hs.0, hs.0.abs(), "first evaluation");
        for z in [[2.5, 0.7], [0.4, -3.0], [9.0, 12.0]] {
            agrees(&kept, &sum, &z, &format!("flag {flag} at {z:?}"));
        }
    }
}

#[test]
fn a_loop_that_failed_or_read_nothing_keeps_no_statistics() {
    let mut y = data(|u| f64::from(u8::from(u < 0.3)));
    y[1999] = 2.0;
    let (plain, plate) = (bern_for(&y), bern_plate(&y));
    for _ in 0..2 {
        // the last datum fails every evaluation: no sums were kept from the loop, nor from
        // the plate's last chunk (its first three chunks keep theirs)
        for err in [
            plain.log_joint(&[0.3]).unwrap_err(),
            plate.log_joint(&[0.3]).unwrap_err(),
        ] {
            assert_eq!(err.index, vec![1999]);
        }
    }
    let none: [f64; 0] = [];
    let empty = bern_for(&none);
    for _ in 0..2 {
        // the Beta(2, 2) prior alone, ln 6 + ln 0.3 + ln 0.7
        let lp = empty.log_joint(&[0.3]).expect("no data");
        close(lp, 6.0_f64.ln() + 0.3_f64.ln() + 0.7_f64.ln(), 1.0, "empty");
    }
}
