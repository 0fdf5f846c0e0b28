//! Unit tests of the checker: what the resolved model holds.

use super::*;
use crate::resolved::Stmt as R;
use proc_macro2::TokenStream;
use quote::quote;

fn parse(input: TokenStream) -> ModelFn {
    let mut errors = Vec::new();
    let model = crate::parse::parse(input, &mut errors).expect("parses");
    assert!(errors.is_empty());
    model
}

#[test]
fn resolves_latents_and_distributions() {
    let syntax = parse(quote! {
        fn m(y: &[f64]) {
            sample mu ~ Normal(0.0, 1.0);
            sample w[y.len()] ~ HalfNormal(1.0);
            for i in 0..y.len() {
                observe y[i] ~ Normal(mu, w[i]);
            }
        }
    });
    let model = check(&syntax, &mut Vec::new()).expect("no error");
    assert_eq!(model.latents.len(), 2);
    assert_eq!(model.latents[1].prior.dist.name, "HalfNormal");
    assert!(matches!(model.latents[1].shape, Shape::Vector(_)));
    assert!(matches!(model.body[1], R::Sample(1)));
    let R::For { body, .. } = &model.body[2] else {
        panic!("a loop");
    };
    let R::Observe { value, call, .. } = &body[0] else {
        panic!("an observe");
    };
    assert!(!value.is_scalar());
    assert!(call.args.iter().all(Value::is_scalar));
    assert_eq!(model.uses.len(), 2);
}

#[test]
fn an_accumulator_is_a_scalar_from_its_let() {
    let syntax = parse(quote! {
        fn m(x: &[f64], y: f64) {
            sample beta[x.len()] ~ Normal(0.0, 1.0);
            let mut eta = 0.0;
            for j in 0..x.len() {
                factor eta;
                eta += x[j] * beta[j];
            }
            observe y ~ Normal(eta, 1.0);
        }
    });
    let model = check(&syntax, &mut Vec::new()).expect("no error");
    assert!(matches!(
        model.body[1],
        R::Let {
            convert: Convert::Scalar,
            ..
        }
    ));
    let R::For { body, .. } = &model.body[2] else {
        panic!("a loop");
    };
    assert!(matches!(&body[0], R::Factor { expr, .. } if expr.is_scalar()));
    assert!(model
        .uses
        .iter()
        .any(|u| u.latent == "beta" && u.dist.is_some_and(|d| d.name == "Normal")));
}

#[test]
fn a_vector_that_receives_latent_elements_is_a_container() {
    let syntax = parse(quote! {
        fn m(y: &[f64]) {
            sample mu ~ Normal(0.0, 1.0);
            let mut err = Vec::new();
            let mut nu = vec![0.0; y.len()];
            for t in 1..err.len() {
                nu[t] = mu * y[t - 1];
                err.push(y[t] - nu[t]);
            }
            factor Normal(0.0, 1.0).ln_density(err[0]);
            track first = nu[0];
        }
    });
    let model = check(&syntax, &mut Vec::new()).expect("no error");
    for k in [1, 2] {
        assert!(matches!(
            model.body[k],
            R::Let {
                convert: Convert::Container,
                ..
            }
        ));
    }
    // `err.len()` is data: the loop is over data
    let R::For { iter, .. } = &model.body[3] else {
        panic!("a loop");
    };
    assert!(!iter.is_scalar());
    let R::Factor { expr, .. } = &model.body[4] else {
        panic!("a factor");
    };
    assert!(expr.is_scalar());
    assert_eq!(expr.densities.len(), 1);
    assert_eq!(expr.densities[0].name, "Normal");
    assert!(
        matches!(&model.body[5], R::Track { name, expr, .. } if *name == "first" && expr.is_scalar())
    );
    assert_eq!(model.tracked, vec!["first".to_string()]);
}

#[test]
fn reports_every_error_and_resolves_nothing() {
    let syntax = parse(quote! {
        fn m(y: f64) {
            sample mu ~ Normall(0.0, 1.0);
            observe mu ~ Normal(y, 1.0);
        }
    });
    let mut errors = Vec::new();
    assert!(check(&syntax, &mut errors).is_none());
    assert_eq!(errors.len(), 2);
}

/// The batch numbers of the observes of a body, in order (nested ones included).
fn batches(stmts: &[R]) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    for s in stmts {
        match s {
            R::Observe { batch, .. } => out.push(*batch),
            R::For { body, .. } | R::Plate { body, .. } => out.extend(batches(body)),
            R::If(i) => out.extend(batches(&i.then)),
            _ => {}
        }
    }
    out
}

#[test]
fn observes_whose_arguments_do_not_change_in_their_loop_are_batched() {
    let syntax = parse(quote! {
        fn m(y: &[f64], x: &[f64], hi: f64, mask: &[bool]) {
            sample mu ~ Normal(0.0, 1.0);
            sample sigma ~ HalfNormal(1.0);
            sample theta ~ Gamma(1.0, 1.0);
            observe y[0] ~ Normal(mu, sigma);
            let mut acc = 0.0;
            for i in 0..y.len() {
                observe y[i] ~ Normal(mu, sigma);
                observe x[i] ~ Normal(mu + x[i], 1.0);
                let s = sigma * 2.0;
                observe x[i] ~ Normal(mu, s);
                observe x[i] ~ StudentT(3.0, mu, sigma);
                observe x[i] ~ Uniform(0.0, theta);
                observe x[i] ~ Normal(acc, sigma);
                acc += x[i];
                if mask[i] {
                    observe x[i] ~ Poisson(theta);
                }
            }
            for i in plate(0..y.len()) {
                for j in 0..3 {
                    observe y[i] ~ Normal(x[i], sigma);
                }
            }
        }
    });
    let model = check(&syntax, &mut Vec::new()).expect("no error");
    let expect = vec![
        None,    // not in a loop
        Some(0), // the same Normal at every iteration
        None,    // mentions the loop variable
        None,    // mentions a name bound in the loop
        None,    // StudentT has no statistics
        None,    // its support depends on a latent
        None,    // mentions a name assigned in the loop
        Some(1), // in an `if` inside the loop
        Some(2), // in the inner loop, over which x[i] does not change
    ];
    assert_eq!(batches(&model.body), expect);
    let R::For { batched, .. } = &model.body[5] else {
        panic!("a loop");
    };
    assert_eq!(batched, &vec![0, 1]);
    let R::Plate { batched, body, .. } = &model.body[6] else {
        panic!("a plate");
    };
    assert!(batched.is_empty());
    assert!(matches!(&body[0], R::For { batched, .. } if batched == &vec![2]));
}
