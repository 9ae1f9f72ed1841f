//! `kampung help-markdown` (hidden): the command-line reference, `docs/cli.md`,
//! written from the clap definitions, so the page cannot drift from the program
//! (`tests/docs.rs` fails when it differs, naming the command that rewrites it).

use clap::CommandFactory;

/// What each exit status means: the one place the table is written (the page
/// shows it; `main.rs` maps errors to these statuses).
pub(crate) const EXIT_STATUS: &str = r#"| Status | When |
|---|---|
| 0 | Success |
| 1 | Invalid input: a problem in a scenario file or a data file it names (a data file that cannot be read is reported at the scenario key that names it), including a scenario beyond the limits (more than 10 000 000 runs; a run estimated to need more than 8 GiB; numbers the model cannot store), and `sensitivity` on a file without `[sensitivity]`; for `validate`, when any file is invalid and all could be read |
| 2 | Any other error: a scenario file that cannot be read (missing, a folder, not a regular file, over 16 MiB; for `validate`, if any file cannot be read), a file that cannot be written, an existing non-empty output folder without `--force`, an output folder that is a link, a filesystem root or the home folder, a results folder in use by another command (its lock), `--threads` outside [1, 1024], runs that would need more memory than is available, `--resume` without `--out` or into a folder holding runs of another plan (scenario file, data file or version) or another `--shard`, a malformed `--shard`, `merge` of shards of different plans, with runs missing, found twice, or a part file that is not the run it claims or fails its checksum, `merge --out` that is (or holds, or lies in) one of the shards, any fault of the results folder given to `report` (missing, unreadable or malformed files), a wrong command line |
| 3 | Some runs failed (`run`, `run --shard`, `merge`, `sensitivity`): the results of the other runs are complete, and `failures.csv` lists the failed ones (`sensitivity` lists them on standard error) |

A shard (`run --shard`) whose runs failed exits with 3 too: its folder is complete
and `merge` takes it (and exits with 3, listing the failed runs in `failures.csv`). A
cluster script that should merge anyway treats 3 as done (see
[`docs/cluster.md`](cluster.md)).
"#;

/// The command that rewrites `docs/cli.md`.
pub(crate) const REGENERATE: &str = "cargo run --release -- help-markdown > docs/cli.md";

/// The command-line reference as Markdown: every command's `--help`, then the exit
/// statuses.
pub(crate) fn markdown() -> String {
    let mut cmd = crate::Cli::command();
    cmd.build();
    let mut out = format!(
        "# Command-line reference\n\n\
         <!-- Written by `{REGENERATE}` from the clap definitions in src/main.rs; \
         tests/docs.rs fails when it is stale. Do not edit by hand. -->\n\n\
         Every command of `kampung` with the text of its `--help`, and the exit \
         statuses. The [guide](guide.md) says what the commands print and how they \
         fit together.\n\n"
    );
    let subs: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .cloned()
        .collect();
    for s in &subs {
        out.push_str(&format!(
            "- [`kampung {n}`](#kampung-{n}): {}\n",
            s.get_about().map(|a| a.to_string()).unwrap_or_default(),
            n = s.get_name()
        ));
    }
    out.push_str("- [Exit status](#exit-status)\n\n## `kampung`\n\n```text\n");
    out.push_str(&cmd.render_long_help().to_string());
    out.push_str("```\n");
    for mut s in subs {
        let name = s.get_name().to_string();
        let help = s.render_long_help();
        out.push_str(&format!("\n## `kampung {name}`\n\n```text\n{help}```\n"));
    }
    out.push_str("\n## Exit status\n\n");
    out.push_str(EXIT_STATUS);
    out
}
