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
    let mut counts = Counts::default();
    for (name, mut cmd) in checks(plan) {
        step(name);
        let t = Instant::now();
        let ok = if name.contains("test") {
            run_counting(&mut cmd, &mut counts)?
        } else {
            sh::run_status(&mut cmd)?
        };
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
    // The last line is the whole run's tally, in the plain form CI readers
    // understand; the per-binary "test result" lines above end with the doc
    // tests, which would read as "no test ran".
    println!();
    println!("tests: {} passed, {} failed", counts.passed, counts.failed);
    if !failed.is_empty() {
        bail!("failed: {}", failed.join(", "));
    }
    Ok(())
}

/// Passed and failed tests over every `test result:` line seen.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    passed: u64,
    failed: u64,
}

impl Counts {
    /// Adds the counts of one libtest summary line
    /// (`test result: ok. 12 passed; 0 failed; 1 ignored; …`).
    fn add_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(what), Some(n)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(n) = n.parse::<u64>() else { continue };
            match what {
                "passed" => self.passed += n,
                "failed" => self.failed += n,
                _ => {}
            }
        }
    }
}

/// Runs a test command, echoing its standard output line by line and
/// counting its tests. Standard error passes through untouched.
fn run_counting(cmd: &mut Command, counts: &mut Counts) -> Result<bool> {
    use std::io::{BufRead, BufReader, Write};
    println!("$ {}", sh::display(cmd));
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| sh::Error(format!("cannot run {}: {e}", sh::display(cmd))))?;
    if let Some(out) = child.stdout.take() {
        let stdout = std::io::stdout();
        for line in BufReader::new(out).lines() {
            let line = line.unwrap_or_default();
            counts.add_line(&line);
            let mut w = stdout.lock();
            let _ = writeln!(w, "{line}");
        }
    }
    let status = child
        .wait()
        .map_err(|e| sh::Error(format!("waiting for cargo test: {e}")))?;
    Ok(status.success())
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
    fn counts_add_up_libtest_summaries() {
        let mut c = Counts::default();
        c.add_line("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s");
        c.add_line(
            "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out",
        );
        c.add_line("running 5 tests");
        assert_eq!(
            c,
            Counts {
                passed: 15,
                failed: 2
            }
        );
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
