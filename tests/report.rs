//! `kampung report`: one self-contained HTML page of a results folder.
//!
//! What this shows (issue 5, `report`): the SVG helpers put ticks at nice numbers,
//! map scales the right way round and escape text; a small scenario run through the
//! real binary gives a report that is one file, refers to nothing outside itself,
//! has one chart per expected figure each with data in it, and shows the run's own
//! numbers (the ranked bars in the order of the means of `runs.csv`, the stage bars
//! at the mean starts and ends of `stages.csv`, the members of `households.csv`);
//! the same folder gives the same page; a missing folder, missing files or a
//! malformed CSV are clear errors, not panics; and, where Debian's `chromium` is
//! installed (CI installs it), the page renders headless with no console messages to
//! a PNG that is not blank.

use kampung::report::charts::{Bar, rank};
use kampung::report::data::{MeanCi, mean_ci, t975};
use kampung::report::layout::{force_layout, sample_indices};
use kampung::report::svg::{
    LinearScale, Svg, band_path, escape, f, fmt_step, fmt_value, line_path, nice_number,
    nice_ticks, tick_labels, ticks_within,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_kampung");

// ---------------------------------------------------------------- SVG helpers

#[test]
fn nice_ticks_cover_the_range_at_1_2_5_steps() {
    assert_eq!(nice_ticks(0.0, 1.0, 6), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
    assert_eq!(nice_ticks(0.0, 0.66, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8]);
    // Ends on a multiple of the step are not pushed a step out.
    assert_eq!(nice_ticks(0.0, 1.0, 5).first(), Some(&0.0));
    assert_eq!(nice_ticks(0.0, 1.0, 5).last(), Some(&1.0));
    // Negative ranges and reversed ends.
    assert_eq!(nice_ticks(-0.03, 0.27, 5), vec![-0.1, 0.0, 0.1, 0.2, 0.3]);
    assert_eq!(nice_ticks(0.27, -0.03, 5), nice_ticks(-0.03, 0.27, 5));
    // Large and small magnitudes.
    assert_eq!(
        nice_ticks(0.0, 4870.0, 5),
        vec![0.0, 1000.0, 2000.0, 3000.0, 4000.0, 5000.0]
    );
    assert_eq!(
        nice_ticks(0.0, 0.0042, 5),
        vec![0.0, 0.001, 0.002, 0.003, 0.004, 0.005]
    );
    // No floating-point noise in tick values.
    for t in nice_ticks(0.0, 0.7, 8) {
        assert_eq!(t, (t * 10.0).round() / 10.0, "{t}");
    }
    // A zero-width range is widened; non-finite ends give nothing.
    let t = nice_ticks(0.5, 0.5, 5);
    assert!(
        t.len() >= 2 && t[0] <= 0.5 && *t.last().unwrap() >= 0.5,
        "{t:?}"
    );
    assert_eq!(nice_ticks(0.0, 0.0, 5).first(), Some(&-1.0));
    assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty());
    assert!(nice_ticks(0.0, f64::INFINITY, 5).is_empty());
    // Every step is 1, 2 or 5 times a power of ten, and the ticks cover the range.
    for (lo, hi) in [
        (0.0, 312.0),
        (-3.7, 12.2),
        (0.001, 0.0093),
        (17.0, 18.0),
        (-1e6, 3e6),
    ] {
        for target in 3..10 {
            let t = nice_ticks(lo, hi, target);
            assert!(t[0] <= lo && *t.last().unwrap() >= hi, "{lo} {hi} {t:?}");
            let step = t[1] - t[0];
            let m = step / 10f64.powf(step.log10().floor());
            assert!(
                [1.0, 2.0, 5.0, 10.0].iter().any(|n| (m - n).abs() < 1e-6),
                "{step}"
            );
            assert!(t.len() <= 2 * target + 2, "{target}: {t:?}");
        }
    }
}

#[test]
fn ticks_within_stay_inside_a_fixed_domain() {
    assert_eq!(ticks_within(0.0, 312.0, 5), vec![0.0, 100.0, 200.0, 300.0]);
    assert_eq!(ticks_within(0.0, 60.0, 5), vec![0.0, 20.0, 40.0, 60.0]);
    assert_eq!(ticks_within(3.0, 3.0, 5), vec![3.0]);
    assert!(ticks_within(2.0, 1.0, 5).is_empty());
    for t in ticks_within(0.0, 37.0, 8) {
        assert!((0.0..=37.0).contains(&t));
    }
}

#[test]
fn nice_numbers_and_tick_labels() {
    assert_eq!(nice_number(0.075, true), 0.1);
    assert_eq!(nice_number(0.075, false), 0.1);
    assert_eq!(nice_number(1.4, true), 1.0);
    assert_eq!(nice_number(1.4, false), 2.0);
    assert_eq!(nice_number(62.4, true), 50.0);
    assert_eq!(nice_number(0.0, true), 1.0);
    // Labels share the decimals their spacing needs; a true minus; no "-0".
    assert_eq!(
        tick_labels(&[-0.2, 0.0, 0.2, 0.4]),
        vec!["\u{2212}0.2", "0.0", "0.2", "0.4"]
    );
    assert_eq!(tick_labels(&[0.0, 50.0, 100.0]), vec!["0", "50", "100"]);
    assert_eq!(
        tick_labels(&[0.0, 0.001, 0.002]),
        vec!["0.000", "0.001", "0.002"]
    );
    assert_eq!(fmt_value(0.6543), "0.654");
    assert_eq!(fmt_value(0.00312), "0.00312");
    assert_eq!(fmt_value(-0.0), "0.00");
    assert_eq!(fmt_value(12.345), "12.3");
    assert_eq!(fmt_value(f64::NAN), "NA");
    assert_eq!(fmt_step(156.0), "156");
    assert_eq!(fmt_step(40.25), "40.2");
    assert_eq!(f(1.0), "1");
    assert_eq!(f(-0.001), "0");
    assert_eq!(f(2.345_6), "2.35");
}

#[test]
fn scales_map_ends_to_ends_either_way_round() {
    let x = LinearScale::new((0.0, 10.0), (50.0, 250.0));
    assert_eq!(x.map(0.0), 50.0);
    assert_eq!(x.map(10.0), 250.0);
    assert_eq!(x.map(2.5), 100.0);
    // y axes run downwards in SVG: the range reversed.
    let y = LinearScale::new((0.0, 1.0), (200.0, 20.0));
    assert_eq!(y.map(0.0), 200.0);
    assert_eq!(y.map(1.0), 20.0);
    assert!((y.map(0.5) - 110.0).abs() < 1e-12);
    // Beyond the domain extrapolates; a domain of zero width maps to the middle.
    assert_eq!(x.map(-5.0), -50.0);
    assert_eq!(LinearScale::new((3.0, 3.0), (0.0, 100.0)).map(3.0), 50.0);
}

#[test]
fn text_is_escaped_for_html_and_svg() {
    assert_eq!(
        escape(r#"<b>"A" & 'B'</b>"#),
        "&lt;b&gt;&quot;A&quot; &amp; &#39;B&#39;&lt;/b&gt;"
    );
    assert_eq!(escape("plain · text"), "plain · text");
    assert_eq!(escape("a\u{0}b"), "a\u{FFFD}b");
    let mut s = Svg::new(100.0, 50.0, r#"class="chart""#, "A < B & \"C\"");
    s.text(1.0, 2.0, "x<y", "");
    let out = s.finish();
    assert!(
        out.contains(r#"aria-label="A &lt; B &amp; &quot;C&quot;""#),
        "{out}"
    );
    assert!(
        out.contains("<title>A &lt; B &amp; &quot;C&quot;</title>"),
        "{out}"
    );
    assert!(out.contains(">x&lt;y</text>"), "{out}");
    assert!(out.starts_with("<svg ") && out.ends_with("</svg>"));
}

#[test]
fn paths_break_at_missing_values() {
    let pts = [
        (0.0, 1.0),
        (1.0, 2.0),
        (2.0, f64::NAN),
        (3.0, 4.0),
        (4.0, 5.0),
    ];
    assert_eq!(line_path(&pts), "M0 1L1 2M3 4L4 5");
    assert_eq!(line_path(&[]), "");
    let band = band_path(&[0.0, 1.0, 2.0], &[0.0, 1.0, 2.0], &[1.0, 2.0, 3.0]);
    assert_eq!(band, "M0 1L1 2L2 3L2 2L1 1L0 0Z");
    let gap = band_path(&[0.0, 1.0, 2.0], &[0.0, f64::NAN, 2.0], &[1.0, 2.0, 3.0]);
    assert_eq!(gap, "M0 1L0 0ZM2 3L2 2Z");
}

#[test]
fn confidence_intervals_are_student_t() {
    assert!((t975(1) - 12.706_204_736).abs() < 1e-6);
    assert!((t975(9) - 2.262_157_163).abs() < 1e-6);
    assert!((t975(99) - 1.984_216_952).abs() < 1e-6);
    assert!((t975(1_000_000) - 1.959_966).abs() < 1e-5);
    let ci = mean_ci(&[1.0, 2.0, 3.0, 4.0, 5.0, f64::NAN]);
    assert_eq!(ci.n, 5);
    assert_eq!(ci.mean, 3.0);
    // sd = √2.5, t(4) = 2.776445
    let half = 2.776_445_105 * 2.5f64.sqrt() / 5f64.sqrt();
    assert!((ci.hi - 3.0 - half).abs() < 1e-6, "{ci:?}");
    assert!((3.0 - ci.lo - half).abs() < 1e-6, "{ci:?}");
    let one = mean_ci(&[7.0]);
    assert_eq!(one.mean, 7.0);
    assert!(one.lo.is_nan() && one.hi.is_nan());
    assert!(mean_ci(&[]).mean.is_nan());
    let flat = mean_ci(&[0.5; 10]);
    assert_eq!((flat.lo, flat.hi), (0.5, 0.5));
}

#[test]
fn bars_rank_best_first_with_missing_last() {
    let bar = |label: &str, mean: f64| Bar {
        label: label.into(),
        ci: MeanCi {
            n: 3,
            mean,
            lo: mean - 0.1,
            hi: mean + 0.1,
        },
        reference: false,
    };
    let mut bars = vec![
        bar("a", 0.2),
        bar("b", f64::NAN),
        bar("c", 0.5),
        bar("d", 0.2),
    ];
    rank(&mut bars, true);
    let order: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(order, ["c", "a", "d", "b"]);
    rank(&mut bars, false);
    let order: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(order, ["a", "d", "c", "b"]);
}

#[test]
fn layout_is_deterministic_and_fills_the_square() {
    let n = 60;
    let groups: Vec<usize> = (0..n).map(|i| i % 3).collect();
    let edges: Vec<(usize, usize)> = (0..n).map(|i| (i, (i + 1) % n)).chain([(0, 99)]).collect();
    let a = force_layout(n, &groups, &edges, 200, 42);
    let b = force_layout(n, &groups, &edges, 200, 42);
    assert_eq!(a, b);
    assert_eq!(a.len(), n);
    for &(x, y) in &a {
        assert!(
            (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y),
            "{x} {y}"
        );
    }
    let xs: Vec<f64> = a.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = a.iter().map(|p| p.1).collect();
    let span = |v: &[f64]| {
        v.iter().cloned().fold(f64::MIN, f64::max) - v.iter().cloned().fold(f64::MAX, f64::min)
    };
    assert!(span(&xs).max(span(&ys)) > 0.99);
    // Tied households end up nearer each other than households in general.
    let d = |i: usize, j: usize| ((a[i].0 - a[j].0).powi(2) + (a[i].1 - a[j].1).powi(2)).sqrt();
    let tied: f64 = (0..n).map(|i| d(i, (i + 1) % n)).sum::<f64>() / n as f64;
    let all: f64 = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .map(|(i, j)| d(i, j))
        .sum::<f64>()
        / (n * n) as f64;
    assert!(tied < all / 2.0, "tied {tied}, all {all}");
    assert_eq!(force_layout(0, &[], &[], 10, 1), vec![]);
    assert_eq!(force_layout(1, &[0], &[], 10, 1), vec![(0.5, 0.5)]);
    let s = sample_indices(500, 300, 7);
    assert_eq!(s.len(), 300);
    assert!(s.windows(2).all(|w| w[0] < w[1]) && *s.last().unwrap() < 500);
    assert_eq!(s, sample_indices(500, 300, 7));
    assert_eq!(sample_indices(5, 10, 7), vec![0, 1, 2, 3, 4]);
}

// ---------------------------------------------------------------- a real report

/// A small scenario: 3 strategies × 4 replicates, 60 weeks recorded every 2, 120
/// households, stages short enough to finish before the organizer leaves at 30, a
/// snapshot at 0 and 30 (and the end), and a description that needs escaping.
const SCENARIO: &str = r#"
[scenario]
name = "tiny"
seed = 5
replicates = 4

[time]
steps = 60
step = "week"

[population]
households = 120

[[population.groups]]
name = "landed"
share = 0.7

[[population.groups]]
name = "landless"
share = 0.3
marginalized = true
resources = { dist = "lognormal", median = 4.0, sigma = 0.5 }

[organizer]
exit_step = 30
contacts_per_step = 8

[stages.immersion]
min_steps = 2
max_steps = 6
[stages.investigation]
min_steps = 2
max_steps = 6
[stages.design]
min_steps = 1
max_steps = 4
[stages.action]
min_steps = 1
max_steps = 8
[stages.organization]
min_steps = 1
max_steps = 4

[output]
record_every = 2
household_steps = [0, 30]
post_exit_horizon = 20

[strategies.full]
description = "All five stages <script>alert('x')</script> & \"quoted\"."

[strategies.skip_design]
stages.design.skip = true

[strategies.top_down]
organizer.facilitation = "top_down"
"#;

const STRATEGIES: [&str; 3] = ["full", "skip_design", "top_down"];
const REPLICATES: usize = 4;
const STEPS: usize = 60;
const EVERY: usize = 2;
const HOUSEHOLDS: usize = 120;

fn kampung(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the kampung binary runs")
}

/// Runs the small scenario into `DIR/out` and returns (temp dir, results folder).
fn results() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tiny.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let out = dir.path().join("out");
    let o = kampung(&[
        "run".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (dir, out)
}

fn report_of(out: &Path) -> String {
    let o = kampung(&["report".as_ref(), out.as_os_str()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = out.join("report.html");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!("report written to {}", page.display())
    );
    std::fs::read_to_string(page).unwrap()
}

/// Every `<svg …>…</svg>` with class `chart`: (data-chart id, markup).
fn charts(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<svg ") {
        let from = &rest[i..];
        let end = from.find("</svg>").expect("every svg is closed") + "</svg>".len();
        let svg = &from[..end];
        let open = &svg[..svg.find('>').unwrap()];
        if open.contains(r#"class="chart"#) {
            out.push((
                attr(open, "data-chart").unwrap_or_default(),
                svg.to_string(),
            ));
        }
        rest = &from[end..];
    }
    out
}

/// The value of attribute `name` in a tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')?;
    Some(tag[i..i + j].to_string())
}

/// The opening tags of elements whose class attribute is `class`.
fn tags_of_class<'a>(svg: &'a str, class: &str) -> Vec<&'a str> {
    let key = format!("class=\"{class}\"");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = svg[from..].find(&key) {
        let at = from + i;
        let start = svg[..at].rfind('<').unwrap();
        let end = at + svg[at..].find('>').unwrap();
        out.push(&svg[start..=end]);
        from = end;
    }
    out
}

/// The numbers in path data, as (x, y) pairs.
fn path_points(d: &str) -> Vec<(f64, f64)> {
    let nums: Vec<f64> = d
        .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    nums.chunks(2).map(|c| (c[0], c[1])).collect()
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// Mean of column `col` of `runs.csv` per strategy (NA left out), with the half
/// width of its 95% t interval.
fn means_by_strategy(out: &Path, col: &str) -> HashMap<String, (f64, f64)> {
    let (h, rows) = read_csv(&out.join("runs.csv"));
    let s = h.iter().position(|c| c == "strategy").unwrap();
    let c = h.iter().position(|c| c == col).unwrap();
    let mut values: HashMap<String, Vec<f64>> = HashMap::new();
    for r in rows {
        if let Ok(v) = r[c].parse::<f64>() {
            values.entry(r[s].clone()).or_default().push(v);
        }
    }
    values
        .into_iter()
        .map(|(k, v)| {
            let n = v.len() as f64;
            let mean = v.iter().sum::<f64>() / n;
            let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
            (k, (mean, t975(v.len() - 1) * (var / n).sqrt()))
        })
        .collect()
}

#[test]
fn the_report_is_one_self_contained_file_with_a_chart_per_figure() {
    let (_tmp, out) = results();
    let before: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let html = report_of(&out);
    let after: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(after.len(), before.len() + 1, "one new file: {after:?}");
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));

    // Nothing from elsewhere: the only URL is the SVG namespace.
    let stripped = html.replace(r#"xmlns="http://www.w3.org/2000/svg""#, "");
    assert!(!stripped.contains("http://") && !stripped.contains("https://"));
    for bad in [
        "<script", "<link", "<img", "<iframe", "@import", "url(", "src=",
    ] {
        assert!(!html.contains(bad), "{bad}");
    }
    // Text from the scenario is escaped.
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;")
    );

    // One chart per figure: 4 over time, 3 by group, 8 bars, the timeline, 3 network
    // snapshots.
    let charts = charts(&html);
    let ids: Vec<&str> = charts.iter().map(|(id, _)| id.as_str()).collect();
    let mut expected: Vec<String> = [
        "capacity",
        "access_gap",
        "unreached_marginalized",
        "participation",
    ]
    .iter()
    .map(|m| format!("ts-{m}"))
    .collect();
    for m in ["attendance", "benefit_share", "members"] {
        expected.push(format!("group-{m}"));
    }
    for m in [
        "capacity",
        "access_gap",
        "unreached_marginalized",
        "participation",
    ] {
        expected.push(format!("bars-final-{m}"));
        expected.push(format!("bars-post_exit-{m}"));
    }
    expected.push("timeline".into());
    for s in [0, 30, STEPS] {
        expected.push(format!("network-{s}"));
    }
    assert_eq!(ids, expected);

    for (id, svg) in &charts {
        if id.starts_with("ts-") {
            // A mean line per strategy through every recorded step, and a band.
            let means = tags_of_class(svg, "mean");
            assert_eq!(means.len(), STRATEGIES.len(), "{id}");
            for m in means {
                let pts = path_points(&attr(m, "d").unwrap());
                assert_eq!(pts.len(), STEPS / EVERY + 1, "{id}");
                let xs: Vec<f64> = pts.iter().map(|p| p.0).collect();
                assert!(xs.windows(2).all(|w| w[1] > w[0]), "{id}: x increases");
                assert!(
                    xs.last().unwrap() - xs[0] > 100.0,
                    "{id}: x spans the panel"
                );
            }
            assert!(!tags_of_class(svg, "band").is_empty(), "{id}");
            assert!(svg.contains("exit 30"), "{id}: the exit is marked");
            assert!(
                !tags_of_class(svg, "stage-shade").is_empty(),
                "{id}: stages shaded"
            );
        } else if id.starts_with("group-") {
            // Per strategy, a line per group (landed, landless) in the groups'
            // colours, through every recorded step.
            let lines = tags_of_class(svg, "mean");
            assert_eq!(lines.len(), 2 * STRATEGIES.len(), "{id}");
            for (k, l) in lines.iter().enumerate() {
                let group = ["landed", "landless"][k % 2];
                assert_eq!(attr(l, "data-group").as_deref(), Some(group), "{id}");
                let pts = path_points(&attr(l, "d").unwrap());
                // No benefits are shared out before the first step: NA at step 0.
                let na = usize::from(id == "group-benefit_share");
                assert_eq!(pts.len(), STEPS / EVERY + 1 - na, "{id}");
            }
            assert!(svg.contains("exit 30"), "{id}: the exit is marked");
        } else if id.starts_with("bars-") {
            let bars = tags_of_class(svg, "bar");
            assert_eq!(bars.len(), STRATEGIES.len(), "{id}");
            assert!(svg.matches("<rect ").count() >= STRATEGIES.len(), "{id}");
        } else if id == "timeline" {
            assert!(tags_of_class(svg, "stage").len() >= 4 * STRATEGIES.len() - 1);
        } else {
            assert_eq!(tags_of_class(svg, "hh").len(), HOUSEHOLDS, "{id}");
            let ties = tags_of_class(svg, "ties");
            assert_eq!(ties.len(), 1);
            assert!(path_points(&attr(ties[0], "d").unwrap()).len() > HOUSEHOLDS);
        }
    }
    // Data sections and traceability.
    for section in [
        "over-time",
        "by-group",
        "outcomes",
        "stages",
        "network",
        "parameters",
        "manifest",
    ] {
        assert!(
            html.contains(&format!(r#"<section id="{section}">"#)),
            "{section}"
        );
    }
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let sha = manifest.split("\"scenario_sha256\": \"").nth(1).unwrap();
    assert!(html.contains(&sha[..16]), "the scenario's SHA-256 is shown");
    assert!(html.contains("stages.design.skip</code> = <code>true"));
    assert!(html.contains("organizer.facilitation</code> = <code>top_down"));
    assert!(
        html.contains("bridging"),
        "says the meeting ties are not drawn"
    );
}

#[test]
fn the_numbers_shown_are_the_runs_numbers() {
    let (_tmp, out) = results();
    let html = report_of(&out);
    let charts: HashMap<String, String> = charts(&html).into_iter().collect();
    for (m, higher_is_better) in [
        ("capacity", true),
        ("access_gap", false),
        ("unreached_marginalized", false),
        ("participation", true),
    ] {
        for kind in ["final", "post_exit"] {
            let col = format!("{kind}.{m}");
            let means = means_by_strategy(&out, &col);
            let mut want: Vec<(&str, f64)> = STRATEGIES.iter().map(|s| (*s, means[*s].0)).collect();
            want.sort_by(|a, b| {
                if higher_is_better {
                    b.1.total_cmp(&a.1)
                } else {
                    a.1.total_cmp(&b.1)
                }
            });
            let svg = &charts[&format!("bars-{kind}-{m}")];
            let shown: Vec<(String, f64)> = tags_of_class(svg, "bar")
                .iter()
                .map(|t| {
                    (
                        attr(t, "data-label").unwrap(),
                        attr(t, "data-mean").unwrap().parse().unwrap(),
                    )
                })
                .collect();
            let order: Vec<&str> = shown.iter().map(|(l, _)| l.as_str()).collect();
            let want_order: Vec<&str> = want.iter().map(|(l, _)| *l).collect();
            assert_eq!(order, want_order, "{col}");
            for ((label, got), (_, exp)) in shown.iter().zip(&want) {
                assert!((got - exp).abs() < 1e-12, "{col}: {got} vs {exp}");
                let half = means[label.as_str()].1;
                let tag = tags_of_class(svg, "bar")
                    .into_iter()
                    .find(|t| attr(t, "data-label").as_deref() == Some(label))
                    .unwrap();
                let lo: f64 = attr(tag, "data-lo").unwrap().parse().unwrap();
                let hi: f64 = attr(tag, "data-hi").unwrap().parse().unwrap();
                assert!((lo - (exp - half)).abs() < 1e-9, "{col} {label}: lo {lo}");
                assert!((hi - (exp + half)).abs() < 1e-9, "{col} {label}: hi {hi}");
            }
            let reference = tags_of_class(svg, "bar")
                .into_iter()
                .find(|t| t.contains(r#"data-reference="true""#))
                .unwrap();
            assert_eq!(attr(reference, "data-label").unwrap(), "full");
        }
    }

    // Stage bars at the mean start and end over the runs of stages.csv.
    let (h, rows) = read_csv(&out.join("stages.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (cs, cn, c0, c1, cb) = (
        col("strategy"),
        col("stage"),
        col("start"),
        col("end"),
        col("ended_by"),
    );
    let timeline = &charts["timeline"];
    for strategy in STRATEGIES {
        // The row runs from its group to the next row's (or the end).
        let i = timeline
            .find(&format!(r#"class="row" data-label="{strategy}""#))
            .unwrap();
        let len = timeline[i + 1..]
            .find(r#"class="row""#)
            .map_or(timeline.len() - i, |j| j + 1);
        let row = &timeline[i..i + len];
        for stage in [
            "immersion",
            "investigation",
            "design",
            "action",
            "organization",
        ] {
            let obs: Vec<&Vec<String>> = rows
                .iter()
                .filter(|r| r[cs] == strategy && r[cn] == stage)
                .collect();
            let skipped = obs.iter().filter(|r| r[cb] == "skipped").count();
            if obs.is_empty() {
                continue;
            }
            if skipped * 2 > obs.len() {
                assert!(
                    row.contains("skipped: ") && row.contains(stage),
                    "{strategy} {stage}"
                );
                continue;
            }
            let tag = tags_of_class(row, "stage")
                .into_iter()
                .find(|t| t.contains(&format!(r#"data-stage="{stage}""#)))
                .unwrap_or_else(|| panic!("{strategy} {stage}"));
            let mean = |c: usize| {
                obs.iter()
                    .map(|r| r[c].parse::<f64>().unwrap())
                    .sum::<f64>()
                    / obs.len() as f64
            };
            let got: f64 = attr(tag, "data-start").unwrap().parse().unwrap();
            assert!((got - mean(c0)).abs() < 1e-9, "{strategy} {stage} start");
            let got: f64 = attr(tag, "data-end").unwrap().parse().unwrap();
            assert!((got - mean(c1)).abs() < 1e-9, "{strategy} {stage} end");
        }
    }
    assert!(
        timeline.contains("skipped: design"),
        "skip_design shows design skipped"
    );

    // Members, leaders and contacts as households.csv has them for replicate 0 of
    // the first strategy.
    let (h, rows) = read_csv(&out.join("households.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    for step in ["0", "30", "60"] {
        let mine: Vec<&Vec<String>> = rows
            .iter()
            .filter(|r| {
                r[col("strategy")] == "full" && r[col("replicate")] == "0" && r[col("step")] == step
            })
            .collect();
        assert_eq!(mine.len(), HOUSEHOLDS);
        let count = |c: &str| mine.iter().filter(|r| r[col(c)] == "true").count();
        let svg = &charts[&format!("network-{step}")];
        let hh = tags_of_class(svg, "hh");
        let leaders = hh
            .iter()
            .filter(|t| t.contains(r#"data-state="leader""#))
            .count();
        let members = hh
            .iter()
            .filter(|t| t.contains(r#"data-state="member""#))
            .count();
        let contacted = hh
            .iter()
            .filter(|t| t.contains(r#"data-contacted="true""#))
            .count();
        assert_eq!(leaders, count("leader"), "step {step}");
        assert_eq!(members + leaders, count("member"), "step {step}");
        assert_eq!(contacted, count("contacted"), "step {step}");
        let landless = hh
            .iter()
            .filter(|t| t.contains(r#"data-group="landless""#))
            .count();
        assert_eq!(
            landless,
            mine.iter()
                .filter(|r| r[col("group")] == "landless")
                .count()
        );
        if step == "30" {
            assert!(
                count("member") > 0 && count("contacted") > 0,
                "the test village organizes"
            );
        }
    }
    let _ = REPLICATES;
}

#[test]
fn the_same_folder_gives_the_same_page_and_the_library_writes_it_too() {
    let (tmp, out) = results();
    let a = report_of(&out);
    let b = report_of(&out);
    assert_eq!(a, b);
    let elsewhere = tmp.path().join("r.html");
    let got = kampung::report::write_report(&out, &elsewhere, None).unwrap();
    assert_eq!(got, elsewhere);
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), a);
    // --out and --scenario on the command line.
    let other = tmp.path().join("other.html");
    let o = kampung(&[
        "report".as_ref(),
        out.as_os_str(),
        "--out".as_ref(),
        other.as_os_str(),
        "--scenario".as_ref(),
        tmp.path().join("tiny.toml").as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The same page, but for the scenario file it names: the one given, not the
    // folder's copy.
    let copy = out.join("input").join("tiny.toml").display().to_string();
    let given = tmp.path().join("tiny.toml").display().to_string();
    assert!(a.contains(&copy));
    assert_eq!(
        std::fs::read_to_string(&other).unwrap(),
        a.replace(&copy, &given)
    );
}

/// The `report:` line a command printed, run as printed by a shell in `cwd`; returns
/// the command. It could fail if the line named a program that is not there (as
/// `kampung` was, before anything installed it) or a folder that needs quoting.
fn run_printed_report_command(stdout: &str, cwd: &Path) -> String {
    let cmd = stdout
        .lines()
        .find_map(|l| l.strip_prefix("report: "))
        .unwrap_or_else(|| panic!("no report: line in\n{stdout}"))
        .to_string();
    let o = Command::new("sh")
        .args(["-c", &cmd])
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "`{cmd}` failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    cmd
}

/// Issue 13: the command `run` prints runs as printed: the program by the path it
/// was started by (here the test binary's; `kampung` when started from the PATH) and
/// the folder quoted for a shell (a folder name with a space here).
#[test]
fn run_says_how_to_make_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tiny.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let out = dir.path().join("my results");
    let o = kampung(&[
        "run".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert!(o.status.success());
    let stdout = String::from_utf8_lossy(&o.stdout);
    let cmd = run_printed_report_command(&stdout, dir.path());
    assert_eq!(cmd, format!("{BIN} report '{}'", out.display()));
    assert!(out.join("report.html").is_file());
    // Started by its bare name from the PATH, it names itself so.
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = Command::new("kampung")
        .env("PATH", &path)
        .args([
            "run".as_ref(),
            file.as_os_str(),
            "--out".as_ref(),
            dir.path().join("again").as_os_str(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.lines().any(|l| l
            == format!(
                "report: kampung report {}",
                dir.path().join("again").display()
            )),
        "{stdout}"
    );
}

#[test]
fn a_scenario_file_that_moved_is_drawn_from_the_folders_copy() {
    let (tmp, out) = results();
    std::fs::remove_file(tmp.path().join("tiny.toml")).unwrap();
    // The folder keeps its own copy: the network is drawn and the file shown.
    let html = report_of(&out);
    let ids: Vec<String> = charts(&html).into_iter().map(|(id, _)| id).collect();
    assert!(ids.iter().any(|id| id.starts_with("network")), "{ids:?}");
    assert!(html.contains("input/tiny.toml"));
    assert!(!html.contains("could not be read"));
    // A folder without the copy (as older versions made them) falls back to the
    // recorded file: moved, so the network is left out and the page says why.
    std::fs::remove_dir_all(out.join("input")).unwrap();
    let html = report_of(&out);
    assert!(html.contains("could not be read"));
    assert!(html.contains("holds no copy of its scenario file"));
    assert!(html.contains("--scenario FILE"));
    let ids: Vec<String> = charts(&html).into_iter().map(|(id, _)| id).collect();
    assert!(!ids.iter().any(|id| id.starts_with("network")));
    assert!(ids.iter().any(|id| id == "timeline"));
    // A scenario file that changed since the run is named as such.
    std::fs::write(
        tmp.path().join("tiny.toml"),
        format!("{SCENARIO}\n# edited\n"),
    )
    .unwrap();
    let html = report_of(&out);
    assert!(html.contains("is not the one that was run"));
    // A given scenario file that cannot be read is an error.
    let o = kampung(&[
        "report".as_ref(),
        out.as_os_str(),
        "--scenario".as_ref(),
        tmp.path().join("nowhere.toml").as_os_str(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("nowhere.toml"));
}

/// Copies a folder tree (files and folders only).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Issue 13: a results folder travels. The shipped scenario with data files is run
/// from one folder, its results folder copied to another, the originals deleted, and
/// the report made from a third working folder: it draws the network (rebuilt from
/// the copied households and ties), shows the scenario text and the strategies'
/// descriptions, all from the folder alone. It could fail if the folder kept no copy
/// of a file, or the report looked for the scenario where `run` was started.
#[test]
fn a_copied_results_folder_reports_everything_from_any_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let t = tempfile::tempdir().unwrap();
    let project = t.path().join("project");
    std::fs::create_dir_all(project.join("data")).unwrap();
    let text = std::fs::read_to_string(root.join("real-data.toml"))
        .unwrap()
        .replace("replicates = 20 ", "replicates = 2 ");
    std::fs::write(project.join("real-data.toml"), &text).unwrap();
    for f in ["households.csv", "ties.csv"] {
        std::fs::copy(root.join("data").join(f), project.join("data").join(f)).unwrap();
    }
    let o = Command::new(BIN)
        .args(["run", "real-data.toml", "--out", "res", "-q"])
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The folder holds the copies, with their SHA-256 in the manifest.
    let res = project.join("res");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(res.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["input_scenario"], "input/real-data.toml");
    let inputs: Vec<(String, String)> = serde_json::from_value(m["inputs"].clone()).unwrap();
    let names: Vec<&str> = inputs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "input/real-data.toml",
            "input/data/households.csv",
            "input/data/ties.csv"
        ]
    );
    for (name, sha) in &inputs {
        let bytes = std::fs::read(res.join(name)).unwrap();
        assert_eq!(*sha, kampung::scenario::sha256_hex(&bytes), "{name}");
    }
    assert_eq!(
        std::fs::read_to_string(res.join("input/real-data.toml")).unwrap(),
        text
    );
    let commit = m["commit"].as_str().unwrap();
    assert!(
        commit == "unknown"
            || (commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{commit}"
    );

    // Moved elsewhere, the originals gone, reported from a third folder.
    let moved = t.path().join("elsewhere").join("res");
    copy_tree(&res, &moved);
    std::fs::remove_dir_all(&project).unwrap();
    let cwd = t.path().join("third");
    std::fs::create_dir_all(&cwd).unwrap();
    let o = Command::new(BIN)
        .args(["report".as_ref(), moved.as_os_str()])
        .current_dir(&cwd)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(moved.join("report.html")).unwrap();
    let ids: Vec<String> = charts(&html).into_iter().map(|(id, _)| id).collect();
    assert!(ids.iter().any(|id| id.starts_with("network")), "{ids:?}");
    assert!(
        html.contains("60 households and"),
        "the network names its village"
    );
    // The scenario text (escaped) and the strategies' descriptions.
    assert!(html.contains("households_csv = &quot;data/households.csv&quot;"));
    assert!(html.contains("The hamlet as surveyed."));
    assert!(html.contains("The same hamlet without systemic exclusion of the landless."));
    assert!(html.contains("A made-up hamlet of 60 households, loaded from CSV files."));
    assert!(!html.contains("could not be read"));
}

/// Runs `report` on `dir` and returns (exit code, stderr).
fn report_error(dir: &Path) -> (Option<i32>, String) {
    let o = kampung(&["report".as_ref(), dir.as_os_str()]);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Every fault of a results folder (missing, unreadable, malformed) exits with the
/// same status, 2 (issue 14: `report` used to exit 1 for a missing column and 2 for
/// a ragged row).
#[test]
fn bad_folders_are_clear_errors_not_panics() {
    let (tmp, out) = results();
    let nowhere = tmp.path().join("no-such-folder");
    let (code, err) = report_error(&nowhere);
    assert_eq!(code, Some(2));
    assert!(
        err.starts_with("error: ") && err.contains("results folder not found"),
        "{err}"
    );
    let e = kampung::report::write_report(&nowhere, &tmp.path().join("x.html"), None).unwrap_err();
    assert!(matches!(e, kampung::Error::Io { .. }), "{e:?}");

    // A file given for the folder.
    let (code, err) = report_error(&out.join("runs.csv"));
    assert_eq!(code, Some(2));
    assert!(err.contains("not a folder"), "{err}");

    // Each missing file is named.
    for file in ["manifest.json", "runs.csv", "timeseries.csv", "stages.csv"] {
        let copy = tmp.path().join(format!("without-{file}"));
        std::fs::create_dir(&copy).unwrap();
        for e in std::fs::read_dir(&out).unwrap() {
            let e = e.unwrap();
            if e.file_name() != file && e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
            }
        }
        let (code, err) = report_error(&copy);
        assert_eq!(code, Some(2), "{file}: {err}");
        assert!(
            err.contains(file) && err.contains("missing"),
            "{file}: {err}"
        );
        assert!(!copy.join("report.html").exists());
    }

    // A number that is not one: located by file, line and column.
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let header = runs.lines().next().unwrap();
    let c = header
        .split(',')
        .position(|h| h == "final.capacity")
        .unwrap();
    let mut lines: Vec<String> = runs.lines().map(String::from).collect();
    let mut cells: Vec<String> = lines[3].split(',').map(String::from).collect();
    let column = 1 + cells[..c]
        .iter()
        .map(|s| s.chars().count() + 1)
        .sum::<usize>();
    cells[c] = "lots".into();
    lines[3] = cells.join(",");
    std::fs::write(out.join("runs.csv"), lines.join("\n") + "\n").unwrap();
    let (code, err) = report_error(&out);
    assert_eq!(code, Some(2));
    assert!(
        err.contains(&format!(
            "runs.csv:4:{column}: `final.capacity`: `lots` is not a number"
        )),
        "{err}"
    );

    // A ragged row.
    lines[3] = "tiny,full,0".into();
    std::fs::write(out.join("runs.csv"), lines.join("\n") + "\n").unwrap();
    let (code, err) = report_error(&out);
    assert_eq!(code, Some(2));
    assert!(err.contains("runs.csv") && err.contains("fields"), "{err}");

    // A missing column.
    std::fs::write(out.join("runs.csv"), "scenario,strategy\ntiny,full\n").unwrap();
    let (code, err) = report_error(&out);
    assert_eq!(code, Some(2));
    assert!(err.contains("`replicate`: missing column"), "{err}");

    // No runs at all.
    std::fs::write(out.join("runs.csv"), header.to_string() + "\n").unwrap();
    let (code, err) = report_error(&out);
    assert_eq!(code, Some(2));
    assert!(err.contains("has no runs"), "{err}");

    // A manifest that is not JSON.
    std::fs::write(out.join("runs.csv"), runs).unwrap();
    std::fs::write(out.join("manifest.json"), "{ not json").unwrap();
    let (code, err) = report_error(&out);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("manifest.json:1:") && err.contains("not valid JSON"),
        "{err}"
    );
    assert!(!out.join("report.html").exists());
}

// ---------------------------------------------------------------- a real browser

/// Renders the report in headless Chromium with `.ci/browser-check.sh` when
/// `chromium` is installed (CI installs it and sets `KAMPUNG_REQUIRE_BROWSER`, so
/// there a missing browser fails); skips with a note otherwise.
#[test]
fn the_report_renders_in_a_real_browser() {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join("chromium").is_file()))
        .unwrap_or(false);
    if !found {
        // CI installs chromium and sets this, so the check can never skip there.
        assert!(
            std::env::var_os("KAMPUNG_REQUIRE_BROWSER").is_none(),
            "KAMPUNG_REQUIRE_BROWSER is set but chromium is not on PATH"
        );
        eprintln!(
            "note: chromium is not on PATH; skipping the browser check \
             (apt-get install -y --no-install-recommends chromium)"
        );
        return;
    }
    let (tmp, out) = results();
    report_of(&out);
    let png_path = tmp.path().join("shot.png");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/browser-check.sh");
    let o = Command::new("bash")
        .arg(&script)
        .arg(out.join("report.html"))
        .arg(&png_path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "browser check failed:\n{stderr}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("browser-check: ok"));

    // No console messages in the browser's log.
    let log = std::fs::read_to_string(tmp.path().join("shot.png.log")).unwrap();
    for line in log.lines() {
        assert!(
            !line.contains("CONSOLE") && !line.contains("Uncaught"),
            "console: {line}"
        );
    }
    // The parsed DOM holds every chart, each with data.
    let dom = std::fs::read_to_string(tmp.path().join("shot.png.dom.html")).unwrap();
    let charts = charts(&dom);
    assert_eq!(charts.len(), 19);
    for (id, svg) in &charts {
        assert!(
            [
                "class=\"mean\"",
                "class=\"bar\"",
                "class=\"stage\"",
                "class=\"hh\""
            ]
            .iter()
            .any(|m| svg.contains(m)),
            "{id} has no data in the browser's DOM"
        );
    }

    // A valid PNG of the window's size that is not blank.
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().expect("a valid PNG");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).expect("a PNG frame");
    assert_eq!((info.width, info.height), (1400, 4000));
    let channels = info.color_type.samples();
    let bytes = &buf[..info.buffer_size()];
    let mut colours = std::collections::HashSet::new();
    let mut white = 0usize;
    let pixels = bytes.len() / channels;
    for px in bytes.chunks(channels) {
        colours.insert(px[..3.min(channels)].to_vec());
        if px[..3.min(channels)].iter().all(|&c| c > 245) {
            white += 1;
        }
    }
    assert!(
        colours.len() > 100,
        "{} colours: a blank page?",
        colours.len()
    );
    let ink = 1.0 - white as f64 / pixels as f64;
    assert!(
        ink > 0.03,
        "only {:.1}% of the page is not white",
        ink * 100.0
    );
    // The chart colours are on the screen: the mean line's blue and the stage orange.
    let has = |rgb: [u8; 3]| {
        bytes.chunks(channels).any(|px| {
            px[..3]
                .iter()
                .zip(rgb)
                .all(|(&a, b)| (a as i32 - b as i32).abs() <= 3)
        })
    };
    assert!(has([0x00, 0x72, 0xB2]), "no mean line (#0072B2) on screen");
    assert!(
        has([0xE6, 0x9F, 0x00]),
        "no reference bar (#E69F00) on screen"
    );
}

#[test]
fn a_big_village_is_sampled_and_missing_states_are_said() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.toml");
    let text = SCENARIO
        .replace("households = 120", "households = 450")
        .replace("replicates = 4", "replicates = 2")
        .replace("household_steps = [0, 30]", "households = false");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    let o = kampung(&[
        "run".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!out.join("households.csv").exists());
    let html = report_of(&out);
    assert!(
        html.contains("a random sample of 300 of its 450"),
        "the page says it samples"
    );
    assert!(
        html.contains("no <code>households.csv</code>"),
        "the page says states are missing"
    );
    let nets: Vec<(String, String)> = charts(&html)
        .into_iter()
        .filter(|(id, _)| id.starts_with("network"))
        .collect();
    assert_eq!(nets.len(), 1, "one picture of the village at the start");
    let hh = tags_of_class(&nets[0].1, "hh");
    assert_eq!(hh.len(), 300);
    assert!(hh.iter().all(|t| t.contains(r#"data-state="other""#) && t.contains(r#"data-contacted="false""#)));
}

/// A folder without `groups.csv` (`output.groups = false`) gets a report without the
/// "By group" section, and no link to it.
#[test]
fn without_groups_csv_the_report_leaves_the_group_charts_out() {
    let (_tmp, out) = results();
    std::fs::remove_file(out.join("groups.csv")).unwrap();
    let html = report_of(&out);
    assert!(!html.contains("by-group"), "no section and no link");
    assert!(!charts(&html).iter().any(|(id, _)| id.starts_with("group-")));
    assert!(html.contains(r#"<section id="over-time">"#));
}

/// Issue 13: a sensitivity folder writes a manifest (kind `sensitivity`) and copies
/// its scenario, and `report` makes a page of its indices from the folder alone,
/// copied elsewhere with the scenario file deleted. It could fail if `sensitivity`
/// wrote no manifest or `report` refused the folder or showed other numbers than
/// `sensitivity.csv` holds.
#[test]
fn a_sensitivity_folder_gets_a_manifest_and_a_report() {
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("sens.toml");
    std::fs::write(
        &file,
        r#"[scenario]
name = "sens"
description = "How far the bias reaches."
seed = 9
replicates = 1
[time]
steps = 20
[population]
households = 40
[organizer]
enabled = false
[output]
households = false
record_every = 20
[sensitivity]
method = "both"
outcomes = ["final.access_gap"]
samples = 4
trajectories = 2
bootstrap = 20
[sensitivity.ranges]
"economy.systemic_bias" = [0.0, 0.9]
"shocks.probability" = [0.0, 0.1]
"#,
    )
    .unwrap();
    let out = t.path().join("sens-out");
    let o = kampung(&[
        "sensitivity".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        run_printed_report_command(&stdout, t.path()),
        format!("{BIN} report {}", out.display())
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["kind"], "sensitivity");
    assert_eq!(m["complete"], true);
    assert_eq!(m["input_scenario"], "input/sens.toml");
    assert_eq!(m["runs"], 4 * 4 + 2 * 3);
    let (_, rows) = read_csv(&out.join("sensitivity.csv"));

    let moved = t.path().join("moved");
    copy_tree(&out, &moved);
    std::fs::remove_file(&file).unwrap();
    std::fs::remove_dir_all(&out).unwrap();
    let o = Command::new(BIN)
        .args(["report".as_ref(), moved.as_os_str()])
        .current_dir(t.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(moved.join("report.html")).unwrap();
    assert!(html.contains("kampung sensitivity report: sens"));
    assert!(html.contains("How far the bias reaches."));
    assert!(html.contains("outcomes = [&quot;final.access_gap&quot;]"));
    // Every estimate of the table is on the page, as the table rounds it.
    for r in &rows {
        let v: f64 = r[4].parse().unwrap_or(f64::NAN);
        let shown = if v.is_finite() {
            format!("{v:.3}")
        } else {
            "NA".into()
        };
        assert!(html.contains(&format!("<code>{}</code>", r[2])), "{r:?}");
        assert!(html.contains(&shown), "{r:?} not shown as {shown}");
    }
}

/// A design that varies two parameters over a full grid gets one map per outcome:
/// a cell per pair of values, each showing the mean over its replicates of what
/// `runs.csv` holds. Could fail: a cell placed at the wrong pair, a mean over the
/// wrong runs, or the section drawn for a design it does not fit.
#[test]
fn a_two_parameter_grid_gets_tipping_maps_of_the_runs_means() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("grid.toml");
    std::fs::write(
        &file,
        r#"
[scenario]
name = "grid"
seed = 4
replicates = 3
[time]
steps = 90
[population]
households = 120
[organizer]
exit_step = 50
[output]
record_every = 10
households = false
post_exit_horizon = 20
[strategies.full]
[sweep.factorial]
"population.threshold.mean" = [0.3, 0.4, 0.5]
"organizer.contacts_per_step" = [3, 6]
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = kampung(&[
        "run".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = report_of(&out);
    assert!(
        html.contains(r##"<a href="#tipping">"##),
        "the maps are in the page's menu"
    );
    let section = &html[html
        .find(r#"<section id="tipping">"#)
        .expect("tipping maps")..];
    let section = &section[..section.find("</section>").unwrap()];
    // The capacity map: 3 × 2 cells, each the mean of its runs' post_exit.capacity.
    let cap = &section[section.find("Capacity two years after").unwrap()..];
    let cap = &cap[..cap.find("</svg>").unwrap()];
    assert_eq!(cap.matches("<rect ").count(), 6);
    let (h, rows) = read_csv(&out.join("runs.csv"));
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (t, k, c) = (
        col("param.population.threshold.mean"),
        col("param.organizer.contacts_per_step"),
        col("post_exit.capacity"),
    );
    for (tv, kv) in [("0.3", "3"), ("0.4", "6"), ("0.5", "3")] {
        let v: Vec<f64> = rows
            .iter()
            .filter(|r| r[t] == tv && r[k] == kv)
            .map(|r| r[c].parse::<f64>().unwrap())
            .collect();
        assert_eq!(v.len(), 3);
        let mean = v.iter().sum::<f64>() / 3.0;
        let title = format!(
            "population.threshold.mean = {tv}, organizer.contacts_per_step = {kv}: {mean:.2}</title>"
        );
        assert!(cap.contains(&title), "no cell `{title}`");
    }
    // A one-strategy run without a design has no maps.
    let (_tmp, plain) = results();
    assert!(!report_of(&plain).contains(r#"<section id="tipping">"#));
}

// ------------------------------------------------------------ designs (issue 13)

/// A 200-point Latin hypercube over three parameters, two strategies, two replicates.
const LHS: &str = r#"[scenario]
name = "lhs"
seed = 5
replicates = 2
[time]
steps = 40
[population]
households = 60
[organizer]
exit_step = 24
[output]
record_every = 4
households = false
groups = false
post_exit_horizon = 8
[strategies.inclusive]
[strategies.top_down]
organizer.facilitation = "top_down"
[sweep.lhs]
points = 200
[sweep.lhs.ranges]
"economy.systemic_bias" = [0.2, 0.8]
"organizer.contacts_per_step" = [2, 12]
"network.homophily" = [0.0, 0.9]
"#;

/// `(strategy, point, outcome)` → column `col` of a statistics table.
fn stat_of(path: &Path, col: &str) -> HashMap<(String, String, String), String> {
    let (h, rows) = read_csv(path);
    let at = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (s, p, o, c) = (at("strategy"), at("point"), at("outcome"), at(col));
    rows.into_iter()
        .map(|r| ((r[s].clone(), r[p].clone(), r[o].clone()), r[c].clone()))
        .collect()
}

/// A 200-point design's report draws each outcome against each varied parameter
/// (a panel per parameter with a dot per point and strategy, at summary.csv's
/// means) and a forest plot per outcome with one row per point (compare.csv's
/// differences); point values in titles are short; what is capped says so.
#[test]
fn a_latin_hypercube_gets_response_charts_and_forest_plots() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lhs.toml");
    std::fs::write(&file, LHS).unwrap();
    let out = dir.path().join("out");
    let o = kampung(&[
        "run".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = report_of(&out);
    let all = charts(&html);
    let means = stat_of(&out.join("summary.csv"), "mean");
    let params = [
        "economy.systemic_bias",
        "organizer.contacts_per_step",
        "network.homophily",
    ];
    let mut figures = 0;
    for (id, svg) in all.iter().filter(|(id, _)| id.starts_with("design-")) {
        let outcome = id.strip_prefix("design-").unwrap();
        let panels = tags_of_class(svg, "panel");
        let names: Vec<String> = panels
            .iter()
            .map(|p| attr(p, "data-param").unwrap())
            .collect();
        assert_eq!(names, params, "{id}");
        // Every panel: a dot per point and strategy, at summary.csv's mean.
        let pts = tags_of_class(svg, "pt");
        assert_eq!(pts.len(), 3 * 200 * 2, "{id}");
        let mut per_strategy: HashMap<String, usize> = HashMap::new();
        for chunk in svg.split(r#"class="strategy" data-strategy=""#).skip(1) {
            let st = &chunk[..chunk.find('"').unwrap()];
            let n = tags_of_class(chunk.split("class=\"trend\"").next().unwrap(), "pt").len();
            *per_strategy.entry(st.to_string()).or_default() += n;
            for p in tags_of_class(chunk.split("class=\"trend\"").next().unwrap(), "pt") {
                let point = attr(p, "data-point").unwrap();
                let want = &means[&(st.to_string(), point.clone(), outcome.to_string())];
                let got = attr(p, "data-mean").unwrap();
                let (w, g) = (
                    want.parse::<f64>().unwrap_or(f64::NAN),
                    got.parse::<f64>().unwrap_or(f64::NAN),
                );
                assert!(
                    w == g || (w.is_nan() && g.is_nan()),
                    "{id} {st} {point}: {got} vs {want}"
                );
            }
        }
        assert_eq!(per_strategy["inclusive"], 600, "{id}");
        assert_eq!(per_strategy["top_down"], 600, "{id}");
        // One trend line per strategy and panel.
        assert_eq!(tags_of_class(svg, "trend").len(), 3 * 2, "{id}");
        figures += 1;
    }
    assert_eq!(figures, 4, "a response figure per measure of the report");

    let diffs = stat_of(&out.join("compare.csv"), "difference");
    let mut forests = 0;
    for (id, svg) in all.iter().filter(|(id, _)| id.starts_with("forest-")) {
        let outcome = id.strip_prefix("forest-").unwrap();
        let rows = tags_of_class(svg, "diff");
        assert_eq!(rows.len(), 200, "{id}: one row per point");
        let mut seen = std::collections::BTreeSet::new();
        for r in &rows {
            let point = attr(r, "data-point").unwrap();
            assert_eq!(attr(r, "data-strategy").unwrap(), "top_down");
            let want = &diffs[&("top_down".to_string(), point.clone(), outcome.to_string())];
            assert_eq!(
                attr(r, "data-difference").unwrap().parse::<f64>().ok(),
                want.parse::<f64>().ok(),
                "{id} {point}"
            );
            seen.insert(point);
        }
        assert_eq!(seen.len(), 200);
        // More than 40 rows: sorted by difference, best first (higher capacity).
        let d: Vec<f64> = rows
            .iter()
            .map(|r| attr(r, "data-difference").unwrap().parse().unwrap())
            .collect();
        if outcome.ends_with("capacity") {
            assert!(d.windows(2).all(|w| w[0] >= w[1]), "{id} not sorted");
        }
        forests += 1;
    }
    assert_eq!(forests, 3, "forests of capacity, access gap and unreached");
    assert!(html.contains(r#"<section id="design">"#));

    // Capped views say so and name the file; titles carry short values.
    assert!(html.contains("Only the first 32 of 400 strategy × point cells are drawn over time; every cell is in <code>timeseries.csv</code>"));
    assert!(html.contains("The best 32 of 400 cells are drawn"));
    let over_time = all.iter().find(|(id, _)| id == "ts-capacity").unwrap();
    assert_eq!(tags_of_class(&over_time.1, "panel").len(), 32);
    for title in over_time.1.split("<tspan").skip(1) {
        let text = &title[title.find('>').unwrap() + 1..title.find("</tspan>").unwrap()];
        for word in text.split([' ', ',']) {
            if let Some((_, frac)) = word.split_once('.') {
                assert!(frac.len() <= 4, "a long number in the title `{text}`");
            }
        }
        assert!(!text.contains('…'), "a cut title `{text}`");
    }
}

// ------------------------------------------------------ sensitivity (issue 13)

const SENSITIVITY: &str = r#"[scenario]
name = "sens"
seed = 9
replicates = 2
[time]
steps = 40
[population]
households = 60
[organizer]
enabled = false
[output]
households = false
record_every = 40
[sensitivity]
method = "both"
outcomes = ["final.access_gap", "final.gini"]
samples = 8
trajectories = 4
replicates = 2
bootstrap = 50
[sensitivity.ranges]
"economy.systemic_bias" = [0.0, 0.9]
"organizer.contacts_per_step" = [1, 20]
"network.homophily" = [0.0, 0.9]
"#;

/// `report` on a folder of `kampung sensitivity` draws, per outcome, the Morris
/// μ*–σ plane (a point per parameter at sensitivity.csv's μ* and σ) and the Sobol
/// indices (first-order and total per parameter, at sensitivity.csv's estimates and
/// intervals), rings the indices the convergence check flags and lists its warnings;
/// the same folder gives the same page.
#[test]
fn a_sensitivity_folder_gets_morris_and_sobol_charts_with_its_warnings() {
    use kampung::experiment::analysis::convergence;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sens.toml");
    std::fs::write(&file, SENSITIVITY).unwrap();
    let out = dir.path().join("sens");
    let o = kampung(&[
        "sensitivity".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = report_of(&out);
    assert_eq!(html, report_of(&out), "the same folder gives the same page");
    let (h, rows) = read_csv(&out.join("sensitivity.csv"));
    let at = |n: &str| h.iter().position(|c| c == n).unwrap();
    let value = |m: &str, o: &str, p: &str, i: &str, c: &str| -> f64 {
        let r = rows
            .iter()
            .find(|r| {
                r[at("method")] == m
                    && r[at("outcome")] == o
                    && r[at("parameter")] == p
                    && r[at("index")] == i
            })
            .unwrap_or_else(|| panic!("{m} {o} {p} {i}"));
        r[at(c)].parse().unwrap_or(f64::NAN)
    };
    let all = charts(&html);
    let params = [
        "economy.systemic_bias",
        "organizer.contacts_per_step",
        "network.homophily",
    ];
    for o in ["final.access_gap", "final.gini"] {
        let (_, morris) = all
            .iter()
            .find(|(id, _)| *id == format!("morris-{o}"))
            .unwrap_or_else(|| panic!("no Morris chart of {o}"));
        let pts = tags_of_class(morris, "morris-pt");
        assert_eq!(pts.len(), 3, "{o}");
        for (p, tag) in params.iter().zip(&pts) {
            assert_eq!(attr(tag, "data-parameter").unwrap(), *p);
            let got: f64 = attr(tag, "data-mu-star").unwrap().parse().unwrap();
            assert_eq!(got, value("morris", o, p, "mu_star", "estimate"), "{o} {p}");
            let got: f64 = attr(tag, "data-sigma").unwrap().parse().unwrap();
            assert_eq!(got, value("morris", o, p, "sigma", "estimate"), "{o} {p}");
        }
        let (_, sobol) = all
            .iter()
            .find(|(id, _)| *id == format!("sobol-{o}"))
            .unwrap_or_else(|| panic!("no Sobol chart of {o}"));
        let idx = tags_of_class(sobol, "sobol-idx");
        assert_eq!(idx.len(), 6, "{o}: first and total of three parameters");
        for tag in &idx {
            let p = attr(tag, "data-parameter").unwrap();
            let i = attr(tag, "data-index").unwrap();
            for (a, c) in [
                ("data-estimate", "estimate"),
                ("data-lo", "ci_low"),
                ("data-hi", "ci_high"),
            ] {
                let got: f64 = attr(tag, a).unwrap().parse().unwrap();
                assert_eq!(got, value("sobol", o, &p, &i, c), "{o} {p} {i} {c}");
            }
        }
    }
    // The warnings: the library's check on the file's rows, each listed, the
    // indices they concern ringed.
    let lib_rows: Vec<kampung::experiment::analysis::SensitivityRow> = rows
        .iter()
        .filter(|r| r[at("method")] == "sobol")
        .map(|r| kampung::experiment::analysis::SensitivityRow {
            method: "sobol",
            outcome: r[at("outcome")].clone(),
            parameter: r[at("parameter")].clone(),
            index: if r[at("index")] == "first" {
                "first"
            } else {
                "total"
            },
            estimate: r[at("estimate")].parse().unwrap_or(f64::NAN),
            ci: (
                r[at("ci_low")].parse().unwrap_or(f64::NAN),
                r[at("ci_high")].parse().unwrap_or(f64::NAN),
            ),
            runs: 0,
        })
        .collect();
    let warnings = convergence(&lib_rows);
    assert!(!warnings.is_empty(), "8 samples should not converge");
    assert!(html.contains(&format!(
        "<b>The Sobol estimates have not converged</b> ({} signs)",
        warnings.len()
    )));
    for w in &warnings {
        assert!(
            html.contains(&format!(
                "{}</code>: {}</li>",
                w.parameter,
                w.problem.replace('>', "&gt;")
            )),
            "{w:?}"
        );
    }
    // Ringed: exactly the indices a warning concerns (both, when first > total).
    let mut ringed = 0;
    for (id, svg) in all.iter().filter(|(id, _)| id.starts_with("sobol-")) {
        let o = id.strip_prefix("sobol-").unwrap();
        for t in tags_of_class(svg, "sobol-idx") {
            let (p, i) = (
                attr(t, "data-parameter").unwrap(),
                attr(t, "data-index").unwrap(),
            );
            let want = warnings.iter().any(|w| {
                w.outcome == o && w.parameter == p && (w.index == i || w.index == "first > total")
            });
            assert_eq!(
                attr(t, "data-flagged").unwrap(),
                want.to_string(),
                "{o} {p} {i}"
            );
            ringed += usize::from(want);
        }
    }
    assert!(ringed >= 1);
}
