//! Compile-fail cases of `model!`: every error docs/language.md lists ("Compile-time
//! errors"), each with its reviewed message (`tests/ui/*.stderr`); and the fallback
//! expansion, whose call sites type-check so that only the model's errors are reported.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
