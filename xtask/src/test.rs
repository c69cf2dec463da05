//! `cargo xtask test`: the project's one test command. It prepares the
//! machine (packages when root, the kernel and oracle cache), then runs the
//! checks — format, clippy, the whole workspace's tests with real kernels
//! required, doc tests — and prints a summary. Preparation failures stop the
//! run; check failures are collected so one run shows every problem.

use std::process::Command;
use std::time::Instant;

use crate::sh::{self, Result, bail};

/// What `cargo xtask test` should do.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Developer mode: no deps/fetch, no clippy, real kernels not required.
    pub(crate) quick: bool,
}

/// One check's outcome.
struct Outcome {
    name: &'static str,
    ok: bool,
    secs: f64,
}

/// The cargo that runs this xtask (`$CARGO`), so the same toolchain is used.
fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(sh::workspace_root());
    c
}

/// The checks, in order: cheap first, so a formatting slip shows in seconds.
fn checks(plan: Plan) -> Vec<(&'static str, Command)> {
    let mut v = Vec::new();
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--", "--check"]);
    v.push(("rustfmt", fmt));
    if !plan.quick {
        let mut clippy = cargo();
        clippy.args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]);
        v.push(("clippy", clippy));
    }
    let mut test = cargo();
    // --no-fail-fast: one run lists every failing test binary, not the first.
    test.args(["test", "--workspace", "--all-targets", "--no-fail-fast"]);
    if !plan.quick {
        // Real-kernel tests must not skip silently in CI.
        test.env("PANICPOL_REQUIRE_REAL", "1");
    }
    v.push(("tests", test));
    // --all-targets leaves out doc tests; they are examples users copy.
    let mut doc = cargo();
    doc.args(["test", "--workspace", "--doc"]);
    v.push(("doc tests", doc));
    v
}

pub(crate) fn test(plan: Plan, fetch: impl FnOnce() -> Result<()>) -> Result<()> {
    let t_all = Instant::now();
    if plan.quick {
        println!(
            "==> quick mode: no deps/fetch, no clippy; real-kernel tests skip when the cache lacks them"
        );
    } else {
        step("deps");
        if sh::is_root() {
            crate::deps::deps()?;
        } else {
            let missing = crate::deps::missing()?;
            if !missing.is_empty() {
                bail!(
                    "missing packages {}: run `sudo cargo xtask deps` (or as root: cargo xtask deps)",
                    missing.join(" ")
                );
            }
            println!("deps: all installed (not root, so nothing would be installed)");
        }
        step("fetch");
        fetch()?;
    }
    let mut outcomes = Vec::new();
    for (name, mut cmd) in checks(plan) {
        step(name);
        let t = Instant::now();
        let ok = sh::run_status(&mut cmd)?;
        outcomes.push(Outcome {
            name,
            ok,
            secs: t.elapsed().as_secs_f64(),
        });
    }
    println!();
    println!("==> summary ({})", sh::since(t_all));
    for o in &outcomes {
        println!(
            "  {:<10} {:>7.1} s  {}",
            o.name,
            o.secs,
            if o.ok { "ok" } else { "FAILED" }
        );
    }
    let failed: Vec<&str> = outcomes.iter().filter(|o| !o.ok).map(|o| o.name).collect();
    if !failed.is_empty() {
        bail!("failed: {}", failed.join(", "));
    }
    Ok(())
}

fn step(name: &str) {
    println!();
    println!("==> {name}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(plan: Plan) -> Vec<String> {
        checks(plan).iter().map(|(_, c)| sh::display(c)).collect()
    }

    #[test]
    fn full_run_requires_real_kernels_and_denies_warnings() {
        let all = shown(Plan { quick: false }).join("\n");
        assert!(all.contains("fmt --all -- --check"), "{all}");
        assert!(
            all.contains("clippy --workspace --all-targets -- -D warnings"),
            "{all}"
        );
        assert!(all.contains("PANICPOL_REQUIRE_REAL=1 "), "{all}");
        assert!(all.contains("test --workspace --all-targets"), "{all}");
    }

    #[test]
    fn quick_run_skips_clippy_and_lets_real_tests_skip() {
        let all = shown(Plan { quick: true }).join("\n");
        assert!(!all.contains("clippy"), "{all}");
        assert!(!all.contains("PANICPOL_REQUIRE_REAL"), "{all}");
        assert!(all.contains("test --workspace --all-targets"), "{all}");
    }
}
