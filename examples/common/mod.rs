//! Data loading shared by the examples and the integration tests.
// Each example and test that includes this module uses only part of it.
#![allow(dead_code)]

pub mod cases;
pub mod compare;
pub mod mcmc;
pub mod models;
pub mod nonconjugate;
pub mod posteriordb;

use std::error::Error;

/// The columns of a numeric CSV file under `examples/data/`, by header name.
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<f64>>,
}

impl Table {
    /// Read `examples/data/NAME`.
    pub fn read(name: &str) -> Result<Table, Box<dyn Error>> {
        let path = format!("{}/examples/data/{name}", env!("CARGO_MANIFEST_DIR"));
        let mut reader = csv::Reader::from_path(&path).map_err(|e| format!("{path}: {e}"))?;
        let headers = reader.headers()?.iter().map(str::to_string).collect();
        let mut rows = Vec::new();
        for (line, record) in reader.records().enumerate() {
            let record = record?;
            let row = record
                .iter()
                .map(|field| {
                    field
                        .trim()
                        .parse::<f64>()
                        .map_err(|e| format!("{path}, row {}: `{field}`: {e}", line + 2))
                })
                .collect::<Result<Vec<f64>, String>>()?;
            rows.push(row);
        }
        Ok(Table { headers, rows })
    }

    /// One column by name.
    pub fn column(&self, name: &str) -> Result<Vec<f64>, Box<dyn Error>> {
        let j =
            self.headers.iter().position(|h| h == name).ok_or_else(|| {
                format!("no column `{name}` (columns: {})", self.headers.join(", "))
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
