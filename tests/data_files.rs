//! The examples' data reader (`examples/common`, the `csv` crate): an error in a data file
//! names the file, and for a field that is not a number its row and column.

#[path = "../examples/common/mod.rs"]
mod common;

use std::path::PathBuf;

use common::Table;

/// A file with `text` under the system's temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!("ngvi-{}-{name}", std::process::id()));
        std::fs::write(&path, text).expect("the temporary directory is writable");
        TempFile(path)
    }
    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn error_of(file: &TempFile) -> String {
    match Table::from_path(file.path()) {
        Ok(_) => panic!("{} should not read", file.path()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_field_that_is_not_a_number_names_file_row_and_column() {
    let file = TempFile::new("not_a_number.csv", "x,y\n1,2\n3,4\n5,abc\n");
    let message = error_of(&file);
    assert!(message.starts_with(file.path()), "{message}");
    assert!(message.contains("row 3 (line 4)"), "{message}");
    assert!(message.contains("column 2 (`y`)"), "{message}");
    assert!(message.contains("`abc` is not a number"), "{message}");
}

#[test]
fn a_short_row_names_file_and_row() {
    let file = TempFile::new("short_row.csv", "x,y\n1,2\n3\n");
    let message = error_of(&file);
    assert!(message.starts_with(file.path()), "{message}");
    assert!(message.contains("line: 3"), "{message}");
}

#[test]
fn a_missing_file_and_a_missing_column_name_the_file() {
    let missing = std::env::temp_dir().join("ngvi-no-such-file.csv");
    let missing = missing.to_str().expect("a UTF-8 path");
    let message = Table::from_path(missing).err().map(|e| e.to_string());
    assert!(message.is_some_and(|m| m.starts_with(missing)));

    let file = TempFile::new("columns.csv", "x,y\n1,2\n");
    let table = Table::from_path(file.path()).expect("a good file reads");
    assert_eq!(table.column("y").expect("a column"), vec![2.0]);
    let message = table.column("z").err().map(|e| e.to_string());
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.starts_with(file.path()) && m.contains("no column `z`")),
        "{message:?}"
    );
}

#[test]
fn the_shipped_data_files_read() {
    for name in [
        "coin.csv",
        "counts.csv",
        "normal.csv",
        "linreg.csv",
        "logistic.csv",
        "poisson_reg.csv",
        "robust.csv",
        "eight_schools.csv",
    ] {
        let table = Table::read(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(table.column("y").is_ok_and(|y| !y.is_empty()), "{name}");
    }
}
