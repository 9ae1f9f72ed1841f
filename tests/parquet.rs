//! `run --parquet` (cargo feature `parquet`): every table also as Parquet, with a
//! typed column per CSV column holding the CSV's values. Without the feature the
//! flag is refused before any run.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_kampung");

const SCENARIO: &str = r#"[scenario]
name = "pq"
seed = 3
replicates = 3
[time]
steps = 40
[population]
households = 50
[organizer]
exit_step = 20
[output]
record_every = 5
household_steps = [10]
post_exit_horizon = 10
[strategies.inclusive]
[strategies.top_down]
organizer.facilitation = "top_down"
[sweep.factorial]
"organizer.contacts_per_step" = [3, 6]
"#;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().expect("kampung runs")
}

#[cfg(not(feature = "parquet"))]
#[test]
fn without_the_feature_parquet_is_refused_before_any_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pq.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--parquet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--features parquet"));
    assert!(!out.exists(), "nothing written");
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_tables_hold_the_csv_values_in_typed_columns() {
    use arrow_array::{Array, BooleanArray, Float64Array, StringArray, UInt64Array};
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pq.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--parquet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let read_csv = |name: &str| {
        let mut r = csv::Reader::from_path(out.join(name)).unwrap();
        let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|x| x.unwrap().iter().map(String::from).collect())
            .collect();
        (h, rows)
    };
    let mut checked_cells = 0;
    for t in [
        "timeseries",
        "runs",
        "stages",
        "groups",
        "households",
        "summary",
        "compare",
        "failures",
    ] {
        let pq = out.join(format!("{t}.parquet"));
        assert!(
            manifest.contains(&format!("\"{t}.parquet\"")),
            "{t} not in the manifest"
        );
        let (h, rows) = read_csv(&format!("{t}.csv"));
        let f = std::fs::File::open(&pq).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(f)
            .unwrap()
            .build()
            .unwrap();
        let batches: Vec<_> = reader.map(|b| b.unwrap()).collect();
        let n: usize = batches.iter().map(|b| b.num_rows()).sum();
        assert_eq!(n, rows.len(), "{t}: rows");
        let schema = batches.first().map(|b| b.schema());
        let Some(schema) = schema else { continue };
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, h, "{t}: columns");
        // Every cell reads back as the CSV's text says.
        let mut row0 = 0;
        for b in &batches {
            for (c, col) in b.columns().iter().enumerate() {
                for i in 0..b.num_rows() {
                    let want = &rows[row0 + i][c];
                    let null =
                        want == "NA" || (want.is_empty() && col.data_type() != &DataType::Utf8);
                    assert_eq!(col.is_null(i), null, "{t} {} row {}", h[c], row0 + i);
                    if null {
                        continue;
                    }
                    match col.data_type() {
                        DataType::Float64 => {
                            let v = col
                                .as_any()
                                .downcast_ref::<Float64Array>()
                                .unwrap()
                                .value(i);
                            assert_eq!(v, want.parse::<f64>().unwrap(), "{t} {}", h[c]);
                        }
                        DataType::UInt64 => {
                            let v = col.as_any().downcast_ref::<UInt64Array>().unwrap().value(i);
                            assert_eq!(v.to_string(), *want, "{t} {}", h[c]);
                        }
                        DataType::Boolean => {
                            let v = col
                                .as_any()
                                .downcast_ref::<BooleanArray>()
                                .unwrap()
                                .value(i);
                            assert_eq!(v.to_string(), *want, "{t} {}", h[c]);
                        }
                        DataType::Utf8 => {
                            let v = col.as_any().downcast_ref::<StringArray>().unwrap().value(i);
                            assert_eq!(v, want, "{t} {}", h[c]);
                        }
                        d => panic!("{t} {}: type {d}", h[c]),
                    }
                    checked_cells += 1;
                }
            }
            row0 += b.num_rows();
        }
        // The types an analyst expects.
        let ty = |c: &str| {
            schema
                .field_with_name(c)
                .map(|f| f.data_type().clone())
                .ok()
        };
        if t == "timeseries" {
            assert_eq!(ty("seed"), Some(DataType::UInt64));
            assert_eq!(ty("capacity"), Some(DataType::Float64));
            assert_eq!(ty("stage"), Some(DataType::Utf8));
            assert_eq!(ty("stage_number"), Some(DataType::UInt64));
        }
        if t == "households" {
            assert_eq!(ty("member"), Some(DataType::Boolean));
        }
        if t == "summary" {
            assert_eq!(
                ty("point.organizer.contacts_per_step"),
                Some(DataType::UInt64)
            );
        }
    }
    assert!(checked_cells > 10_000, "only {checked_cells} cells checked");
}
