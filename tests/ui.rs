//! Compile-fail cases of `model!`: every error docs/language.md lists ("Compile-time
//! errors"), each with its reviewed message (`tests/ui/*.stderr`); and the fallback
//! expansion, whose call sites type-check so that only the model's errors are reported.
//!
//! trybuild builds each case against `ngvi` with the features of this test run, so with
//! the heavy optional ones (`nuts` brings a linear-algebra stack) the suite would compile
//! all of them again for nothing the macro's messages depend on: it runs in the build
//! without them, `cargo test --test ui`, which `.ci/run` runs beside the all-features one.

#[test]
#[cfg_attr(
    feature = "nuts",
    ignore = "compile-fail cases run without heavy features: `cargo test --test ui`"
)]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
