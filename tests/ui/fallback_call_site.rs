use ngvi::prelude::*;

model! {
    /// A model with a mistake: only the mistake is reported. The fallback expansion still
    /// defines `M` and `m`, so the code below type-checks against them.
    fn m(y: &[f64], s: f64) {
        sample mu ~ Normall(0.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, s);
        }
    }
}

fn dim_of<T: Model>(model: &T) -> usize {
    model.dim().unwrap_or(0)
}

fn main() -> Result<(), ngvi::Error> {
    let y = [1.0, 2.0];
    let model: M<'_> = m(&y, 1.0);
    let lp = model.log_joint(&vec![0.0_f64; dim_of(&model)])?;
    println!("{lp}");
    let fit = Ngvi::new().fit(&model)?;
    println!("{}", fit.summary());
    Ok(())
}
