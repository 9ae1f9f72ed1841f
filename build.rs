//! Records the git commit the crate is built from, for the manifests results folders
//! carry (`KAMPUNG_COMMIT`, read with `env!`) and `kampung --version`
//! (`KAMPUNG_LONG_VERSION`). Outside a git checkout (a source
//! archive, a crate from a registry), or without `git`, the commit is `unknown`; the
//! build never fails for want of it.

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let commit = git(&["rev-parse", "HEAD"])
        .filter(|c| c.len() >= 7 && c.chars().all(|ch| ch.is_ascii_hexdigit()))
        .unwrap_or_else(|| "unknown".to_string());
    // Build again when HEAD moves: HEAD itself (a checkout), the branch it points at
    // (a commit) and the packed refs.
    for name in ["HEAD", "packed-refs"] {
        if let Some(p) = git(&["rev-parse", "--git-path", name])
            && Path::new(&p).exists()
        {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
        && let Some(p) = git(&["rev-parse", "--git-path", &branch])
        && Path::new(&p).exists()
    {
        println!("cargo:rerun-if-changed={p}");
    }
    println!("cargo:rustc-env=KAMPUNG_COMMIT={commit}");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=KAMPUNG_LONG_VERSION={version} (commit {commit})");
}
