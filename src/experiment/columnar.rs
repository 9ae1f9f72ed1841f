//! Parquet copies of a results folder's tables (`run --parquet`, cargo feature
//! `parquet`): each `NAME.csv` becomes `NAME.parquet` with a typed column per CSV
//! column, for analyses of sweeps too large to read as text. The CSV files stay the
//! reference (the report reads them; shards merge byte for byte through them); the
//! Parquet files are made from them, so they hold the same values.
//!
//! Types are found from the values of the whole column: `true`/`false` as booleans,
//! whole numbers ≥ 0 as unsigned 64-bit integers (the seeds need all 64 bits), other
//! whole numbers as signed ones, other numbers as 64-bit floats, anything else as
//! text; `NA` and empty cells are nulls. Rows are written in groups of 65 536,
//! uncompressed, so a table is streamed, never held whole.

use crate::error::{Error, Result};
use crate::experiment::folder::AtomicFile;
use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, StringBuilder, UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use std::path::Path;
use std::sync::Arc;

/// Rows per record batch (and row group).
const BATCH: usize = 65_536;

/// The type a column's values fit, from narrowest to widest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Only nulls so far.
    Empty,
    Bool,
    UInt,
    Int,
    Float,
    Text,
}

fn is_null(v: &str) -> bool {
    v.is_empty() || v == "NA"
}

/// The narrowest kind `v` fits, given the column's kind so far.
fn widen(kind: Kind, v: &str) -> Kind {
    if is_null(v) {
        return kind;
    }
    let fits = |k: Kind| match k {
        Kind::Empty => false,
        Kind::Bool => v == "true" || v == "false",
        Kind::UInt => v.parse::<u64>().is_ok(),
        Kind::Int => v.parse::<i64>().is_ok(),
        Kind::Float => v.parse::<f64>().is_ok(),
        Kind::Text => true,
    };
    if kind == Kind::Bool {
        return if fits(Kind::Bool) {
            Kind::Bool
        } else {
            Kind::Text
        };
    }
    if v == "true" || v == "false" {
        return if kind == Kind::Empty {
            Kind::Bool
        } else {
            Kind::Text
        };
    }
    [Kind::UInt, Kind::Int, Kind::Float, Kind::Text]
        .into_iter()
        .find(|&k| k >= kind && fits(k))
        .unwrap_or(Kind::Text)
}

fn data_type(k: Kind) -> DataType {
    match k {
        Kind::Bool => DataType::Boolean,
        Kind::UInt => DataType::UInt64,
        Kind::Int => DataType::Int64,
        Kind::Float => DataType::Float64,
        Kind::Empty | Kind::Text => DataType::Utf8,
    }
}

/// One column being filled.
enum Builder {
    Bool(BooleanBuilder),
    UInt(UInt64Builder),
    Int(Int64Builder),
    Float(Float64Builder),
    Text(StringBuilder),
}

impl Builder {
    fn new(k: Kind) -> Builder {
        match k {
            Kind::Bool => Builder::Bool(BooleanBuilder::new()),
            Kind::UInt => Builder::UInt(UInt64Builder::new()),
            Kind::Int => Builder::Int(Int64Builder::new()),
            Kind::Float => Builder::Float(Float64Builder::new()),
            Kind::Empty | Kind::Text => Builder::Text(StringBuilder::new()),
        }
    }

    /// Appends a cell (of the kind found for the column, so parsing succeeds).
    fn push(&mut self, v: &str) {
        let null = is_null(v);
        match self {
            Builder::Bool(b) => b.append_option((!null).then_some(v == "true")),
            Builder::UInt(b) => b.append_option(v.parse().ok()),
            Builder::Int(b) => b.append_option(v.parse().ok()),
            Builder::Float(b) => b.append_option(v.parse().ok()),
            // Text keeps `NA` as a null, an empty cell as the empty text.
            Builder::Text(b) => {
                if v == "NA" {
                    b.append_null()
                } else {
                    b.append_value(v)
                }
            }
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::UInt(b) => Arc::new(b.finish()),
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Float(b) => Arc::new(b.finish()),
            Builder::Text(b) => Arc::new(b.finish()),
        }
    }
}

/// Writes `dir/NAME.parquet` from `dir/NAME.csv` (atomically).
pub fn csv_to_parquet(dir: &Path, name: &str) -> Result<()> {
    let src = dir.join(format!("{name}.csv"));
    let dest = dir.join(format!("{name}.parquet"));
    let csv_err = |e: csv::Error| Error::Csv {
        path: src.clone(),
        source: e,
    };
    // Pass 1: the kind of every column.
    let mut rdr = csv::Reader::from_path(&src).map_err(csv_err)?;
    let header: Vec<String> = rdr
        .headers()
        .map_err(csv_err)?
        .iter()
        .map(str::to_string)
        .collect();
    let mut kinds = vec![Kind::Empty; header.len()];
    let mut rec = csv::StringRecord::new();
    while rdr.read_record(&mut rec).map_err(csv_err)? {
        for (k, v) in kinds.iter_mut().zip(rec.iter()) {
            *k = widen(*k, v);
        }
    }
    let schema = Arc::new(Schema::new(
        header
            .iter()
            .zip(&kinds)
            .map(|(h, &k)| Field::new(h, data_type(k), true))
            .collect::<Vec<_>>(),
    ));
    // Pass 2: the rows, a batch at a time.
    let pq_err = |e: parquet::errors::ParquetError| Error::io(&dest, std::io::Error::other(e));
    let mut f = AtomicFile::create(&dest)?;
    {
        let mut w = ArrowWriter::try_new(f.writer(), schema.clone(), None).map_err(pq_err)?;
        let mut rdr = csv::Reader::from_path(&src).map_err(csv_err)?;
        let mut builders: Vec<Builder> = kinds.iter().map(|&k| Builder::new(k)).collect();
        let mut rows = 0;
        let flush = |builders: &mut Vec<Builder>, w: &mut ArrowWriter<_>| -> Result<()> {
            let cols: Vec<ArrayRef> = builders.iter_mut().map(Builder::finish).collect();
            let batch = RecordBatch::try_new(schema.clone(), cols)
                .map_err(|e| Error::io(&dest, std::io::Error::other(e)))?;
            w.write(&batch).map_err(pq_err)
        };
        while rdr.read_record(&mut rec).map_err(csv_err)? {
            for (b, v) in builders.iter_mut().zip(rec.iter()) {
                b.push(v);
            }
            rows += 1;
            if rows == BATCH {
                flush(&mut builders, &mut w)?;
                rows = 0;
            }
        }
        if rows > 0 {
            flush(&mut builders, &mut w)?;
        }
        w.close().map_err(pq_err)?;
    }
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_widen_from_the_values() {
        let kind = |vals: &[&str]| vals.iter().fold(Kind::Empty, |k, v| widen(k, v));
        assert_eq!(kind(&["true", "NA", "false"]), Kind::Bool);
        assert_eq!(kind(&["3", "18446744073709551615"]), Kind::UInt);
        assert_eq!(kind(&["3", "-2"]), Kind::Int);
        assert_eq!(kind(&["3", "0.5", "NA"]), Kind::Float);
        assert_eq!(kind(&["3", "land"]), Kind::Text);
        assert_eq!(kind(&["true", "1"]), Kind::Text);
        assert_eq!(kind(&["1", "true"]), Kind::Text);
        assert_eq!(kind(&["NA", ""]), Kind::Empty);
    }
}
