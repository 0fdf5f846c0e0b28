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
