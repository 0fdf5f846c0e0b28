//! Cases: a model with its data and its reference posterior, ready to fit with any `Ngvi`
//! settings and compare. The single-model examples run one case; `validate` runs them all.

use std::error::Error;
use std::rc::Rc;
use std::time::{Duration, Instant};

use ngvi::prelude::*;

use super::compare::{latent_rows, print_rows, rows_from, Labels, Reference, Row};
use super::mcmc;
use super::models::{coin, counts, linear_regression, normal_known_sd};
use super::nonconjugate::*;
use super::Table;

/// Degrees of freedom of the robust regression's Student-t likelihood.
pub const ROBUST_NU: f64 = 4.0;

/// One fit of a case: the fit, its comparison rows and the wall time of `Ngvi::fit` alone.
pub struct Outcome {
    pub fit: Fit,
    pub rows: Vec<Row>,
    pub wall: Duration,
}

type Runner = Box<dyn Fn(&Ngvi) -> Result<Outcome, Box<dyn Error>>>;
type McmcRunner = Box<dyn Fn(&mcmc::Settings) -> Result<McmcCheck, Box<dyn Error>>>;

/// A model with its data and reference.
pub struct Case {
    pub name: String,
    /// One line: the model and what it exercises.
    pub what: String,
    pub reference: Reference,
    runner: Runner,
    mcmc: McmcRunner,
}

/// The adaptive-Metropolis run of a case's model (`common::mcmc`), against the same
/// reference: a check of the model's translation and of the reference, independent of the
/// NGVI engine.
pub struct McmcCheck {
    pub rows: Vec<Row>,
    pub r_hat_max: f64,
    pub ess_min: f64,
    pub acceptance: Vec<f64>,
    pub wall: Duration,
}

impl Case {
    /// A case whose `run` fits the model built from `data` and compares it with `reference`;
    /// `mcmc` samples the same model by adaptive Metropolis (an `Err` when not practical).
    pub fn new<D: 'static>(
        name: &str,
        what: &str,
        reference: Reference,
        data: D,
        run: impl Fn(&Ngvi, &D, &Reference) -> Result<Outcome, Box<dyn Error>> + 'static,
        mcmc: impl Fn(&mcmc::Settings, &D, &Reference) -> Result<McmcCheck, Box<dyn Error>> + 'static,
    ) -> Case {
        let data = Rc::new(data);
        let (d1, r1) = (Rc::clone(&data), reference.clone());
        let (d2, r2) = (data, reference.clone());
        Case {
            name: name.to_string(),
            what: what.to_string(),
            reference,
            runner: Box::new(move |ngvi| run(ngvi, &d1, &r1)),
            mcmc: Box::new(move |s| mcmc(s, &d2, &r2)),
        }
    }

    /// Fit with these settings and compare.
    pub fn run(&self, ngvi: &Ngvi) -> Result<Outcome, Box<dyn Error>> {
        (self.runner)(ngvi)
    }

    /// Sample the model by adaptive Metropolis and compare.
    pub fn mcmc(&self, settings: &mcmc::Settings) -> Result<McmcCheck, Box<dyn Error>> {
        (self.mcmc)(settings)
    }
}

/// A [`Case`] whose fit and adaptive-Metropolis check both compare the latents of one model:
/// `case!(name, what, reference, data, |pattern of &data| model expression, labels)`.
macro_rules! case {
    ($name:expr, $what:expr, $reference:expr, $data:expr, |$d:pat_param| $model:expr, $labels:expr $(,)?) => {
        Case::new(
            $name,
            $what,
            $reference,
            $data,
            |ngvi, $d, r| fit_and_compare(ngvi, &$model, r, $labels),
            |settings, $d, r| mcmc_compare(&$model, settings, r, $labels),
        )
    };
}
pub(crate) use case;

/// Builds a case (loading its data and reference).
pub type Builder = Box<dyn Fn() -> Result<Case, Box<dyn Error>>>;

/// Every case with a reference, by name, in the order `validate` prints them: the conjugate
/// sanity cases, the shared-data cases, the robust regression, the posteriordb cases.
pub fn all() -> Vec<(String, Builder)> {
    let mut out: Vec<(String, Builder)> = vec![
        ("coin".into(), Box::new(coin_case)),
        ("counts".into(), Box::new(counts_case)),
        ("normal".into(), Box::new(normal_case)),
        ("linreg".into(), Box::new(linreg_case)),
        ("logistic".into(), Box::new(logistic)),
        ("poisson_reg".into(), Box::new(poisson_reg)),
        ("eight_schools".into(), Box::new(eight_schools_noncentered)),
        (
            "eight_schools_centered".into(),
            Box::new(eight_schools_centred),
        ),
        ("robust_regression".into(), Box::new(robust)),
        ("hierarchical".into(), Box::new(hierarchical)),
    ];
    for name in super::posteriordb::CASES {
        out.push((
            name.into(),
            Box::new(move || super::posteriordb::case(name)),
        ));
    }
    out
}

/// Fit `model` (timing `Ngvi::fit` alone) and compare each latent component with the
/// reference.
pub fn fit_and_compare<M: Model>(
    ngvi: &Ngvi,
    model: &M,
    reference: &Reference,
    labels: Labels<'_>,
) -> Result<Outcome, Box<dyn Error>> {
    let start = Instant::now();
    let fit = ngvi.fit(model)?;
    let wall = start.elapsed();
    let rows = latent_rows(model, &fit, reference, labels)?;
    Ok(Outcome { fit, rows, wall })
}

/// Sample `model` by adaptive Metropolis (started from its mode, over-dispersed) and
/// compare each latent component with the reference.
pub fn mcmc_compare<M: Model>(
    model: &M,
    settings: &mcmc::Settings,
    reference: &Reference,
    labels: Labels<'_>,
) -> Result<McmcCheck, Box<dyn Error>> {
    let start = Instant::now();
    let chains = mcmc::sample(model, &mcmc::default_init(model)?, 2.0, *settings)?;
    let wall = start.elapsed();
    let m = chains.moments();
    let rows = rows_from(&model.latents()?, &m.mean, &m.sd, reference, labels)?;
    Ok(McmcCheck {
        rows,
        r_hat_max: m.r_hat.iter().copied().fold(f64::NAN, f64::max),
        ess_min: m.ess.iter().copied().fold(f64::NAN, f64::min),
        acceptance: chains.acceptance,
        wall,
    })
}

/// What a single-case example prints: the case, the fit's summary, the comparison; a
/// failed fit is reported (its error in words) and gives `None`.
pub fn report(case: &Case, seed: u64) -> Option<Outcome> {
    println!("{}: {}\n", case.name, case.what);
    let out = match case.run(&Ngvi::new().seed(seed)) {
        Ok(out) => out,
        Err(e) => {
            println!("seed {seed}: the fit failed: {e}");
            return None;
        }
    };
    println!("{}", out.fit.summary());
    print_rows(&out.rows, &case.reference);
    println!(
        "\nseed {seed}: {} iterations, stop reason {:?}, fit in {:.3} s",
        out.fit.iterations(),
        out.fit.stop_reason(),
        out.wall.as_secs_f64()
    );
    Some(out)
}

/// The seed from the command line argument at `pos` (1-based, after the program), or 0.
pub fn seed_arg(pos: usize) -> Result<u64, Box<dyn Error>> {
    match std::env::args().nth(pos) {
        Some(s) => Ok(s.parse().map_err(|e| format!("seed `{s}`: {e}"))?),
        None => Ok(0),
    }
}

/// A design matrix of the columns `x1..xK` and the column `y` of a CSV file, checked to
/// have as many rows.
pub fn design(file: &str, k: usize) -> Result<(DMatrix<f64>, Vec<f64>), Box<dyn Error>> {
    let table = Table::read(file)?;
    let names: Vec<String> = (1..=k).map(|j| format!("x{j}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let (x, y) = (table.matrix(&names)?, table.column("y")?);
    if x.nrows() != y.len() {
        return Err(format!("{file}: {} rows of x, {} of y", x.nrows(), y.len()).into());
    }
    Ok((x, y))
}

pub fn logistic() -> Result<Case, Box<dyn Error>> {
    Ok(case!(
        "logistic",
        "logistic regression, N = 2000, 20 AR(1)-correlated predictors, x20 scaled by 100",
        Reference::shared("logistic")?,
        design("logistic.csv", 20)?,
        |(x, y)| logistic_regression(x, y),
        Labels::SAME,
    ))
}

pub fn poisson_reg() -> Result<Case, Box<dyn Error>> {
    Ok(case!(
        "poisson_reg",
        "Poisson regression with a log link, N = 500, 5 predictors",
        Reference::shared("poisson_reg")?,
        design("poisson_reg.csv", 5)?,
        |(x, y)| poisson_regression(x, y),
        Labels::SAME,
    ))
}

fn schools() -> Result<(Vec<f64>, Vec<f64>), Box<dyn Error>> {
    let table = Table::read("eight_schools.csv")?;
    Ok((table.column("y")?, table.column("sigma")?))
}

pub fn eight_schools_noncentered() -> Result<Case, Box<dyn Error>> {
    const LABELS: Labels<'static> = Labels {
        rename: &[("eta", "theta_tilde")],
        base: 0,
    };
    Ok(case!(
        "eight_schools",
        "eight schools, non-centred: mu, tau ~ HalfCauchy(5), eta[8] ~ Normal(0, 1)",
        Reference::shared("eight_schools")?,
        schools()?,
        |(y, sigma)| eight_schools(y, sigma),
        LABELS,
    ))
}

pub fn eight_schools_centred() -> Result<Case, Box<dyn Error>> {
    Ok(case!(
        "eight_schools_centered",
        "eight schools, centred: theta[8] ~ Normal(mu, tau), the funnel",
        Reference::shared("eight_schools_centered_reference")?,
        schools()?,
        |(y, sigma)| eight_schools_centered(y, sigma),
        Labels::SAME,
    ))
}

/// 100 groups of 10 (`examples/data/hierarchical.csv`, written with its exact posterior by
/// `scale_hierarchical -- --write 100`).
pub fn hierarchical() -> Result<Case, Box<dyn Error>> {
    let table = Table::read("hierarchical.csv")?;
    let y = table.column("y")?;
    let group: Vec<usize> = table.column("group")?.iter().map(|&g| g as usize).collect();
    let groups = group.iter().max().map_or(0, |g| g + 1);
    Ok(case!(
        "hierarchical",
        "centred hierarchical normal model, 100 groups of 10: theta[g] ~ Normal(mu, tau)",
        Reference::shared("hierarchical")?,
        (y, group, groups),
        |(y, group, groups)| super::hierarchical::centred(y, group, *groups),
        Labels::SAME,
    ))
}

pub fn robust() -> Result<Case, Box<dyn Error>> {
    Ok(case!(
        "robust_regression",
        "robust regression, N = 100 with 5 gross outliers, StudentT(4) likelihood, unknown sigma",
        Reference::shared("robust_regression_reference")?,
        design("robust.csv", 2)?,
        |(x, y)| robust_regression(x, y, ROBUST_NU),
        Labels::SAME,
    ))
}

pub fn coin_case() -> Result<Case, Box<dyn Error>> {
    Ok(case!(
        "coin",
        "Beta–Bernoulli (conjugate)",
        Reference::shared("coin")?,
        Table::read("coin.csv")?.column("y")?,
        |y| coin(y),
        Labels::SAME,
    ))
}

pub fn counts_case() -> Result<Case, Box<dyn Error>> {
    Ok(case!(
        "counts",
        "Gamma–Poisson (conjugate)",
        Reference::shared("counts")?,
        Table::read("counts.csv")?.column("y")?,
        |y| counts(y),
        Labels::SAME,
    ))
}

pub fn normal_case() -> Result<Case, Box<dyn Error>> {
    Ok(case!(
        "normal",
        "Normal mean, known sd 2 (conjugate)",
        Reference::shared("normal")?,
        Table::read("normal.csv")?.column("y")?,
        |y| normal_known_sd(y, 2.0),
        Labels::SAME,
    ))
}

pub fn linreg_case() -> Result<Case, Box<dyn Error>> {
    Ok(case!(
        "linreg",
        "linear regression, known noise sd 0.5 (conjugate)",
        Reference::shared("linreg")?,
        super::linreg()?,
        |(x, y)| linear_regression(x, y, 0.5),
        Labels::SAME,
    ))
}
