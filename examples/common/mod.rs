//! Data loading shared by the examples and the integration tests.
// Each example and test that includes this module uses only part of it.
#![allow(dead_code)]

pub mod bnn;
pub mod cases;
pub mod compare;
#[path = "../../tests/support/hierarchical.rs"]
pub mod hierarchical;
pub mod mcmc;
pub mod memory;
pub mod models;
pub mod nonconjugate;
pub mod posteriordb;
pub mod synthetic;

use std::error::Error;

/// The columns of a numeric CSV file, by header name. Errors name the file, and for a
/// field that is not a number its row, line and column.
pub struct Table {
    path: String,
    headers: Vec<String>,
    rows: Vec<Vec<f64>>,
}

impl Table {
    /// Read `examples/data/NAME`.
    pub fn read(name: &str) -> Result<Table, Box<dyn Error>> {
        Table::from_path(&format!(
            "{}/examples/data/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
    }

    /// Read the CSV file at `path`: a header row, then numbers.
    pub fn from_path(path: &str) -> Result<Table, Box<dyn Error>> {
        let in_file = |e: csv::Error| format!("{path}: {e}");
        let mut reader = csv::Reader::from_path(path).map_err(in_file)?;
        let headers: Vec<String> = reader
            .headers()
            .map_err(in_file)?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        for r in 0.. {
            if !reader.read_record(&mut record).map_err(in_file)? {
                break;
            }
            let line = record.position().map_or(r + 2, |p| p.line() as usize);
            let row = record
                .iter()
                .zip(&headers)
                .enumerate()
                .map(|(j, (field, header))| {
                    field.trim().parse::<f64>().map_err(|e| {
                        format!(
                            "{path}: row {} (line {line}), column {} (`{header}`): `{field}` \
                             is not a number ({e})",
                            r + 1,
                            j + 1
                        )
                    })
                })
                .collect::<Result<Vec<f64>, String>>()?;
            rows.push(row);
        }
        Ok(Table {
            path: path.to_string(),
            headers,
            rows,
        })
    }

    /// One column by name.
    pub fn column(&self, name: &str) -> Result<Vec<f64>, Box<dyn Error>> {
        let j = self.headers.iter().position(|h| h == name).ok_or_else(|| {
            format!(
                "{}: no column `{name}` (columns: {})",
                self.path,
                self.headers.join(", ")
            )
        })?;
        Ok(self.rows.iter().map(|r| r[j]).collect())
    }

    /// Several columns as a row-major matrix.
    pub fn matrix(&self, names: &[&str]) -> Result<nalgebra::DMatrix<f64>, Box<dyn Error>> {
        let cols = names
            .iter()
            .map(|n| self.column(n))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(nalgebra::DMatrix::from_fn(
            self.rows.len(),
            names.len(),
            |i, j| cols[j][i],
        ))
    }
}

/// `linreg.csv`: the 1000 × 10 design `x1..x10` and the response `y`.
pub fn linreg() -> Result<(nalgebra::DMatrix<f64>, Vec<f64>), Box<dyn Error>> {
    let table = Table::read("linreg.csv")?;
    let names: Vec<String> = (1..=10).map(|j| format!("x{j}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok((table.matrix(&names)?, table.column("y")?))
}
