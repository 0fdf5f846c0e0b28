//! Compile-fail cases of `model!`: every error DESIGN.md §2 lists, each with its reviewed
//! message (`tests/ui/*.stderr`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
