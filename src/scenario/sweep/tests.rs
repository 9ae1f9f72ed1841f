//! Tests of the experiment designs.

use super::*;
use crate::scenario::sampling::*;
use std::collections::HashSet;
use std::io::Write;

fn sweep(text: &str) -> SweepParams {
    toml::from_str(text).expect("sweep parses")
}

fn build_ok(text: &str) -> Design {
    build(&sweep(text), Path::new("."), 7).expect("design builds")
}

fn build_err(text: &str) -> Vec<DesignError> {
    build(&sweep(text), Path::new("."), 7).expect_err("design is rejected")
}

#[test]
fn empty_sweep_is_one_point_setting_nothing() {
    let d = build_ok("");
    assert_eq!(d.len(), 1);
    assert!(d.names.is_empty());
    assert!(d.points[0].values.is_empty());
    assert_eq!(d.kind, DesignKind::Single);
    assert_eq!(d.label(0), "");
}

#[test]
fn factorial_count_is_product_and_last_axis_fastest() {
    let d = build_ok(
        r#"
        [factorial]
        "organizer.contacts_per_step" = [5, 10, 20]
        "organizer.facilitation" = ["open", "directive"]
        "economy.bias" = [0.0, 0.5, 1.0, 1.5]
        "#,
    );
    assert_eq!(d.len(), 3 * 2 * 4);
    assert_eq!(
        d.names,
        [
            "organizer.contacts_per_step",
            "organizer.facilitation",
            "economy.bias"
        ]
    );
    // Every combination exactly once.
    let set: HashSet<String> = (0..d.len()).map(|i| d.label(i)).collect();
    assert_eq!(set.len(), 24);
    assert_eq!(d.label(0), "contacts_per_step=5;facilitation=open;bias=0");
    assert_eq!(d.label(1), "contacts_per_step=5;facilitation=open;bias=0.5");
    assert_eq!(
        d.label(4),
        "contacts_per_step=5;facilitation=directive;bias=0"
    );
    assert_eq!(
        d.label(23),
        "contacts_per_step=20;facilitation=directive;bias=1.5"
    );
    assert_eq!(d.points[8].values[0].1, Value::Integer(10));
}

#[test]
fn unquoted_dotted_keys_are_flattened() {
    let d = build_ok("[factorial]\norganizer.contacts_per_step = [1, 2]\n");
    assert_eq!(d.names, ["organizer.contacts_per_step"]);
    assert_eq!(d.len(), 2);
}

#[test]
fn zip_lists_pair_up_and_cross_with_factorial() {
    let d = build_ok(
        r#"
        [factorial]
        "organizer.contacts_per_step" = [5, 10]
        [zip]
        "time.steps" = [52, 260, 520]
        "shocks.probability" = [0.1, 0.02, 0.01]
        "#,
    );
    assert_eq!(d.len(), 2 * 3);
    assert_eq!(
        d.names,
        [
            "organizer.contacts_per_step",
            "time.steps",
            "shocks.probability"
        ]
    );
    for p in &d.points {
        let steps = p.values[1].1.as_integer().unwrap();
        let rate = p.values[2].1.as_float().unwrap();
        let expected = match steps {
            52 => 0.1,
            260 => 0.02,
            520 => 0.01,
            _ => panic!("unexpected steps {steps}"),
        };
        assert_eq!(rate, expected, "zip values stay paired");
    }
    assert_eq!(d.label(1), "contacts_per_step=5;steps=260;probability=0.02");
}

#[test]
fn zip_alone_is_one_axis() {
    let d = build_ok("[zip]\n\"a.x\" = [1, 2, 3]\n\"a.y\" = [true, false, true]\n");
    assert_eq!(d.len(), 3);
    assert_eq!(d.label(2), "x=3;y=true");
}

#[test]
fn unequal_zip_lengths_are_located() {
    let errs = build_err("[zip]\n\"time.steps\" = [52, 260]\n\"shocks.probability\" = [0.1]\n");
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].key, "sweep.zip.shocks.probability");
    assert!(errs[0].message.contains("equal lengths"), "{}", errs[0]);
    assert_eq!(errs[0].allowed.as_deref(), Some("a list of 2 values"));
}

#[test]
fn bad_grids_are_rejected_with_keys() {
    let errs = build_err("[factorial]\n\"a.b\" = []\n\"a.c\" = 3\n");
    let keys: Vec<&str> = errs.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["sweep.factorial.a.b", "sweep.factorial.a.c"]);
    let errs = build_err("[factorial]\n\"a.b\" = [1]\n[zip]\n\"a.b\" = [2]\n");
    assert_eq!(errs[0].key, "sweep.zip.a.b");
    assert!(errs[0].message.contains("already swept"), "{}", errs[0]);
    let errs = build_err("[factorial]\n\"a\" = [1]\n\"a.b\" = [2]\n");
    assert!(errs[0].message.contains("overlaps"), "{}", errs[0]);
    let errs = build_err("[factorial]\n\"a..b\" = [1]\n");
    assert!(errs[0].message.contains("not a parameter path"));
}

#[test]
fn combining_kinds_is_an_error() {
    let errs = build_err("table = \"x.csv\"\n[factorial]\n\"a.b\" = [1]\n");
    assert_eq!(errs[0].key, "sweep");
    assert!(
        errs[0].message.contains("factorial and table"),
        "{}",
        errs[0]
    );
    let errs = build_err(
        "[lhs]\npoints = 4\nranges = { \"a.b\" = [0, 1] }\n[sobol]\npoints = 4\nranges = { \"a.b\" = [0, 1] }\n",
    );
    assert!(errs[0].message.contains("lhs and sobol"));
}

#[test]
fn unknown_keys_are_refused() {
    assert!(toml::from_str::<SweepParams>("factorials = {}").is_err());
    assert!(toml::from_str::<SweepParams>("[lhs]\npoints = 3\nrange = {}").is_err());
}

#[test]
fn huge_grid_is_refused() {
    let vals: Vec<String> = (0..1001).map(|i| i.to_string()).collect();
    let list = vals.join(", ");
    let errs = build_err(&format!(
        "[factorial]\n\"a.x\" = [{list}]\n\"a.y\" = [{list}]\n"
    ));
    assert_eq!(errs[0].key, "sweep");
    assert!(errs[0].message.contains("1001 × 1001"), "{}", errs[0]);
}

fn write_csv(text: &str) -> (tempfile::TempDir, SweepParams) {
    let dir = tempfile::tempdir().unwrap();
    let mut f = std::fs::File::create(dir.path().join("points.csv")).unwrap();
    f.write_all(text.as_bytes()).unwrap();
    (dir, sweep("table = \"points.csv\""))
}

#[test]
fn table_cells_are_typed() {
    let (dir, p) = write_csv(
        "organizer.contacts_per_step,economy.bias,organizer.facilitation,participation.enabled\n\
         10, 0.5, open, true\n\
         # a comment line\n\
         20,1e-1,\"directive\",FALSE\n",
    );
    let d = build(&p, dir.path(), 0).unwrap();
    assert_eq!(d.kind, DesignKind::Table);
    assert_eq!(d.len(), 2);
    assert_eq!(
        d.points[1]
            .values
            .iter()
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>(),
        [
            Value::Integer(20),
            Value::Float(0.1),
            Value::String("directive".into()),
            Value::Boolean(false)
        ]
    );
    assert_eq!(
        d.label(0),
        "contacts_per_step=10;bias=0.5;facilitation=open;enabled=true"
    );
}

#[test]
fn table_error_lines_count_blank_and_comment_lines() {
    // The csv crate would put a row (or the header) after a blank or comment line
    // on that line.
    for (text, want) in [
        ("# about\n\na.x,a..y\n1,2\n\n# note\n3,inf\n", [3, 7]),
        ("a.x,,a.y\r\n1,2,3\r\n\r\n4,5,inf\r\n", [1, 4]),
    ] {
        let (dir, p) = write_csv(text);
        let errs = build(&p, dir.path(), 0).unwrap_err();
        let lines: Vec<Option<u64>> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, want.map(Some), "{text:?}: {errs:?}");
    }
}

#[test]
fn table_errors_carry_file_line_column() {
    let (dir, p) = write_csv("a.x,a.y\n1,2\n3\n4,\n5,inf\n");
    let errs = build(&p, dir.path(), 0).unwrap_err();
    let shown = dir.path().join("points.csv").display().to_string();
    let got: Vec<(Option<u64>, Option<usize>, &str)> = errs
        .iter()
        .map(|e| (e.line, e.column, e.key.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(3), Some(2), ""),
            (Some(4), Some(2), "a.y"),
            (Some(5), Some(2), "a.y")
        ]
    );
    assert!(
        errs.iter()
            .all(|e| e.file.as_deref() == Some(shown.as_str()))
    );
    assert!(
        errs[0].message.contains("1 fields but the header has 2"),
        "{}",
        errs[0]
    );

    let (dir, p) = write_csv("a.x,,a.x\n1,2,3\n");
    let errs = build(&p, dir.path(), 0).unwrap_err();
    assert_eq!(errs.len(), 2);
    assert_eq!(errs[0].message, "empty column name");
    assert!(errs[1].message.contains("appears twice"));

    let (dir, p) = write_csv("");
    let errs = build(&p, dir.path(), 0).unwrap_err();
    assert_eq!(errs[0].message, "the file is empty");
    let (dir, p) = write_csv("a.x\n");
    let errs = build(&p, dir.path(), 0).unwrap_err();
    assert_eq!(errs[0].message, "the table has no rows");

    let errs = build(&sweep("table = \"missing.csv\""), dir.path(), 0).unwrap_err();
    assert_eq!(errs[0].key, "sweep.table");
    assert!(errs[0].file.is_none());
    assert!(errs[0].message.starts_with("cannot read design table"));
}

/// Stratum of each coordinate of each point: `floor(u · n)`.
fn strata(points: &[Vec<f64>], d: usize) -> Vec<usize> {
    let n = points.len() as f64;
    points.iter().map(|p| (p[d] * n).floor() as usize).collect()
}

#[test]
fn latin_hypercube_has_one_point_per_stratum_in_every_dimension() {
    for seed in 0..200u64 {
        let n = 1 + (seed as usize * 7) % 60;
        let dims = 1 + (seed as usize) % 6;
        let pts = latin_hypercube(n, dims, seed);
        assert_eq!(pts.len(), n);
        for d in 0..dims {
            let mut s = strata(&pts, d);
            s.sort_unstable();
            assert_eq!(s, (0..n).collect::<Vec<_>>(), "seed {seed}, dim {d}");
            assert!(pts.iter().all(|p| (0.0..1.0).contains(&p[d])));
        }
    }
}

#[test]
fn latin_hypercube_dimensions_are_permuted_independently() {
    // Over many seeds the strata of dimensions 0 and 1 should not coincide (the
    // chance that two independent permutations of 20 agree is 1/20!).
    for seed in 0..50 {
        let pts = latin_hypercube(20, 2, seed);
        assert_ne!(strata(&pts, 0), strata(&pts, 1), "seed {seed}");
    }
    // Different seeds, different designs; same seed, same design.
    assert_ne!(latin_hypercube(10, 2, 1), latin_hypercube(10, 2, 2));
    assert_eq!(latin_hypercube(10, 2, 1), latin_hypercube(10, 2, 1));
}

#[test]
fn latin_hypercube_output_is_pinned() {
    // Guards reproducibility of LHS sweeps across releases: if this changes, old
    // LHS designs can no longer be rebuilt from their seeds.
    let p = latin_hypercube(3, 2, 42);
    assert_eq!(
        p,
        [
            [0.1425054676188399, 0.6012909223918755],
            [0.5424535070657801, 0.9237495936009523],
            [0.7628646263803942, 0.07952842146044643]
        ],
        "LHS stream changed"
    );
}

#[test]
fn lhs_design_scales_ranges_and_uses_seeds() {
    let text = "[lhs]\npoints = 8\nseed = 3\n[lhs.ranges]\n\"organizer.contacts_per_step\" = [1, 8]\n\"economy.bias\" = [-1.0, 1]\n";
    let d = build_ok(text);
    assert_eq!(d.kind, DesignKind::LatinHypercube);
    assert_eq!(d.names, ["organizer.contacts_per_step", "economy.bias"]);
    // 8 integer values over 8 strata: each integer exactly once.
    let mut ints: Vec<i64> = d
        .points
        .iter()
        .map(|p| p.values[0].1.as_integer().unwrap())
        .collect();
    ints.sort_unstable();
    assert_eq!(ints, (1..=8).collect::<Vec<_>>());
    for p in &d.points {
        let b = p.values[1].1.as_float().expect("mixed bounds give reals");
        assert!((-1.0..=1.0).contains(&b));
    }
    // The scenario's seed is the default, and a given seed overrides it.
    let no_seed = sweep("[lhs]\npoints = 8\n[lhs.ranges]\n\"a.x\" = [0.0, 1.0]\n");
    let a = build(&no_seed, Path::new("."), 1).unwrap();
    let b = build(&no_seed, Path::new("."), 2).unwrap();
    assert_ne!(a, b);
    assert_eq!(a, build(&no_seed, Path::new("."), 1).unwrap());
}

#[test]
fn space_filling_is_validated() {
    let errs = build_err(
        "[lhs]\npoints = 0\n[lhs.ranges]\n\"a.x\" = [2, 1]\n\"a.y\" = [0, inf]\n\"a.z\" = [1]\n\"a.w\" = [0, \"x\"]\n",
    );
    let keys: Vec<&str> = errs.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "sweep.lhs.points",
            "sweep.lhs.ranges.a.x",
            "sweep.lhs.ranges.a.y[1]",
            "sweep.lhs.ranges.a.z",
            "sweep.lhs.ranges.a.w[1]"
        ]
    );
    let errs = build_err("[lhs]\npoints = 1000001\nranges = {}\n");
    assert_eq!(errs.len(), 2);
    assert_eq!(errs[1].key, "sweep.lhs.ranges");
    let errs = build_err("[sobol]\npoints = 4\nseed = 3\nranges = { \"a.x\" = [0, 1] }\n");
    assert_eq!(errs[0].key, "sweep.sobol.seed");
    let many: Vec<String> = (0..33).map(|i| format!("\"a.x{i}\" = [0, 1]")).collect();
    let errs = build_err(&format!(
        "[sobol]\npoints = 4\n[sobol.ranges]\n{}\n",
        many.join("\n")
    ));
    assert!(errs[0].message.contains("32 dimensions"), "{}", errs[0]);
    // lo == hi is allowed.
    let d = build_ok("[sobol]\npoints = 3\nranges = { \"a.x\" = [2.5, 2.5] }\n");
    assert!(d.points.iter().all(|p| p.values[0].1 == Value::Float(2.5)));
}

#[test]
fn integer_ranges_give_integers_with_equal_shares() {
    let r = Range::Int { lo: 1, hi: 3 };
    assert_eq!(r.at(0.0), Value::Integer(1));
    assert_eq!(r.at(0.33), Value::Integer(1));
    assert_eq!(r.at(0.34), Value::Integer(2));
    assert_eq!(r.at(0.99), Value::Integer(3));
    assert_eq!(r.at(1.0), Value::Integer(3));
    let f = Range::Float { lo: -2.0, hi: 2.0 };
    assert_eq!(f.at(0.25), Value::Float(-1.0));
    assert_eq!(f.at(1.0), Value::Float(2.0));
    let extreme = Range::Int {
        lo: i64::MIN,
        hi: i64::MAX,
    };
    assert_eq!(extreme.at(0.0), Value::Integer(i64::MIN));
    assert_eq!(extreme.at(1.0), Value::Integer(i64::MAX));
    // A Sobol design over [0, 3] with 8 points gives each integer twice.
    let d = build_ok("[sobol]\npoints = 8\nranges = { \"a.x\" = [0, 3] }\n");
    let mut counts = [0; 4];
    for p in &d.points {
        counts[p.values[0].1.as_integer().unwrap() as usize] += 1;
    }
    assert_eq!(counts, [2, 2, 2, 2]);
}

#[test]
fn sobol_first_points_match_the_known_sequence() {
    let pts = sobol_points(8, 3);
    let dim = |d: usize| pts.iter().map(|p| p[d]).collect::<Vec<_>>();
    assert_eq!(dim(0), [0.0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125]);
    assert_eq!(dim(1), [0.0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625]);
    assert_eq!(dim(2), [0.0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375]);
}

#[test]
fn sobol_matches_reference_values_in_high_dimensions() {
    // Points 5, 100 and 3 000 001 of all 32 dimensions, as 32-bit fractions, as
    // SciPy 1.17's `qmc.Sobol(d=32, scramble=False, bits=32)` (an independent
    // implementation of the same Joe–Kuo table, Gray-code order, zero point
    // first) gives them. The last one exercises all of the recurrence.
    let mut g = Sobol::new(SOBOL_MAX_DIMS).unwrap();
    let pts: Vec<Vec<u32>> = (0..=100).map(|_| g.next_bits().unwrap()).collect();
    assert_eq!(pts[5], REFERENCE_POINT_5);
    assert_eq!(pts[100], REFERENCE_POINT_100);
    assert_eq!(g.bits_at(100), REFERENCE_POINT_100);
    assert_eq!(g.bits_at(3_000_001), REFERENCE_POINT_3000001);
}

#[test]
fn sobol_stepping_and_random_access_agree() {
    let mut g = Sobol::new(SOBOL_MAX_DIMS).unwrap();
    for i in 0..5000u32 {
        assert_eq!(g.next_bits().unwrap(), g.bits_at(i), "point {i}");
    }
    assert_eq!(g.at(3)[..3], [0.25, 0.75, 0.75]);
}

const REFERENCE_POINT_5: [u32; 32] = [
    3758096384, 3758096384, 536870912, 1610612736, 3758096384, 2684354560, 3758096384, 1610612736,
    1610612736, 536870912, 1610612736, 3758096384, 3758096384, 536870912, 3758096384, 1610612736,
    3758096384, 1610612736, 1610612736, 2684354560, 2684354560, 2684354560, 3758096384, 1610612736,
    1610612736, 1610612736, 3758096384, 536870912, 2684354560, 2684354560, 3758096384, 2684354560,
];
const REFERENCE_POINT_100: [u32; 32] = [
    1778384896, 1107296256, 3321888768, 3120562176, 3791650816, 3187671040, 100663296, 2046820352,
    2717908992, 2986344448, 1979711488, 2919235584, 2046820352, 3657433088, 1375731712, 2113929216,
    2919235584, 3187671040, 3590324224, 1442840576, 3254779904, 1711276032, 33554432, 2113929216,
    100663296, 33554432, 4060086272, 2852126720, 1040187392, 3120562176, 3053453312, 1778384896,
];
const REFERENCE_POINT_3000001: [u32; 32] = [
    2242173952, 2884432896, 3663225856, 1739992064, 4258366464, 1392778240, 2822970368, 305683456,
    2575424512, 2444704768, 3058482176, 4115438592, 1608291328, 2350664704, 2998924288, 1214780416,
    1182850048, 462765056, 2066236416, 222268416, 273374208, 47762432, 4241742848, 3563539456,
    1158577152, 3079220224, 3640560640, 879619072, 4083278848, 904209408, 2840871936, 3499049984,
];

#[test]
fn sobol_first_power_of_two_points_fill_every_dyadic_interval_equally() {
    // The first 2^m points form a (t, m, s)-net: in each dimension, every dyadic
    // interval [j/2^k, (j+1)/2^k) with k ≤ m holds exactly 2^(m−k) points.
    for m in 0..=10u32 {
        let n = 1usize << m;
        let pts = sobol_points(n, SOBOL_MAX_DIMS);
        for d in 0..SOBOL_MAX_DIMS {
            for k in 0..=m {
                let mut counts = vec![0usize; 1 << k];
                for p in &pts {
                    counts[(p[d] * (1u64 << k) as f64) as usize] += 1;
                }
                assert!(
                    counts.iter().all(|&c| c == n >> k),
                    "m {m}, dim {d}, k {k}: {counts:?}"
                );
            }
        }
    }
}

#[test]
fn sobol_pairs_of_dimensions_are_spread() {
    // Two-dimensional uniformity: over the first 2^12 points, every cell of an
    // 8 × 8 grid of each pair of the first 8 dimensions holds 64 ± 16 points.
    let pts = sobol_points(1 << 12, 8);
    for a in 0..8 {
        for b in (a + 1)..8 {
            let mut counts = [0usize; 64];
            for p in &pts {
                counts[(p[a] * 8.0) as usize * 8 + (p[b] * 8.0) as usize] += 1;
            }
            assert!(
                counts.iter().all(|&c| (48..=80).contains(&c)),
                "dims {a},{b}: {counts:?}"
            );
        }
    }
}

#[test]
fn sobol_generator_limits() {
    assert!(Sobol::new(0).is_none());
    assert!(Sobol::new(SOBOL_MAX_DIMS + 1).is_none());
    assert_eq!(Sobol::new(5).unwrap().dims(), 5);
    assert!(sobol_points(3, 0).iter().all(Vec::is_empty));
}

#[test]
fn sobol_design_scales_points() {
    let d = build_ok(
        "[sobol]\npoints = 4\n[sobol.ranges]\n\"a.x\" = [0.0, 10.0]\n\"a.y\" = [-1.0, 1.0]\n",
    );
    assert_eq!(d.kind, DesignKind::Sobol);
    let xs: Vec<f64> = d
        .points
        .iter()
        .map(|p| p.values[0].1.as_float().unwrap())
        .collect();
    let ys: Vec<f64> = d
        .points
        .iter()
        .map(|p| p.values[1].1.as_float().unwrap())
        .collect();
    assert_eq!(xs, [0.0, 5.0, 7.5, 2.5]);
    assert_eq!(ys, [-1.0, 0.0, -0.5, 0.5]);
    assert_eq!(d.label(2), "x=7.5;y=-0.5");
}

#[test]
fn labels_are_short_and_disambiguated() {
    let d = Design {
        names: vec!["organizer.rate".into(), "economy.rate".into(), "a.b".into()],
        points: vec![Point {
            values: vec![
                ("organizer.rate".into(), Value::Float(0.123456789)),
                ("economy.rate".into(), Value::Float(12345678.9)),
                ("a.b".into(), Value::Float(-0.00001234567)),
            ],
        }],
        kind: DesignKind::Table,
        table: None,
    };
    assert_eq!(
        d.label(0),
        "organizer.rate=0.123457;economy.rate=1.23457e7;b=-1.23457e-5"
    );
    assert_eq!(short_float(1.0), "1");
    assert_eq!(short_float(2.5), "2.5");
    assert_eq!(short_float(100000.0), "100000");
    assert_eq!(short_float(0.0001), "0.0001");
}

#[test]
fn design_errors_display() {
    let e = DesignError {
        key: "a.x".into(),
        message: "empty cell".into(),
        allowed: Some("a value".into()),
        line: Some(3),
        column: Some(2),
        file: Some("p.csv".into()),
    };
    assert_eq!(
        e.to_string(),
        "p.csv:3:2: `a.x`: empty cell (allowed: a value)"
    );
}

#[test]
fn sweep_params_round_trip_through_toml() {
    let p =
        sweep("[factorial]\n\"a.x\" = [1, 2]\n[lhs]\npoints = 3\nranges = { \"a.y\" = [0, 1] }\n");
    let text = toml::to_string(&p).unwrap();
    assert_eq!(toml::from_str::<SweepParams>(&text).unwrap(), p);
    assert_eq!(toml::to_string(&SweepParams::default()).unwrap(), "");
}
