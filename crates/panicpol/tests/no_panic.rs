//! The `panicpol` binary never panics (issue 8): every fixture file and every
//! committed fuzz seed is handed to every command that reads that kind of
//! file — `check` (each output format, and each `--as` input format the
//! binary offers), `explain`, `emit`, `cmdline`, `initrd show`, and for the files a
//! kernel reader takes, `kernel info --vmlinux/--system-map/--kallsyms` and
//! `--config`. No run may end in a panic (exit code 101, or "panicked" on
//! stderr), and every run must end in 0 (clean), 1 (findings) or 2 (a clear
//! error).

// Test code: a failed expectation is a failed test (the CLI's lints of
// issue 8 deny these outside tests only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn panicpol(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_panicpol"))
        .args(args)
        .env("NO_COLOR", "1")
        // A run must not wait for input: every file is named.
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the panicpol binary runs")
}

/// Every file under `dir`, sorted (a missing folder has none).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The values the binary lists for an option, read from its error for a bad
/// one (clap's `[possible values: a, b]` or a parser's `one of: a, b`);
/// empty when the subcommand has no such option (yet).
fn possible_values(sub: &[&str], option: &str) -> Vec<String> {
    let mut args = sub.to_vec();
    args.extend([option, "\u{1}not-a-value", "x"]);
    let err = String::from_utf8_lossy(&panicpol(&args).stderr).into_owned();
    let list = if let Some(l) = err.split("[possible values: ").nth(1) {
        l.split(']').next()
    } else if let Some(l) = err.split("one of: ").nth(1) {
        l.lines().next()
    } else {
        None
    };
    list.unwrap_or_default()
        .split(", ")
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Files a kernel reader takes (symbol maps, images, configs), as opposed to
/// command lines and boot configuration.
fn is_kernel_input(p: &Path) -> bool {
    let s = p.to_string_lossy();
    ["elf", "kallsyms", "config", "regressions"]
        .iter()
        .any(|k| s.contains(&format!("/{k}")))
}

struct Runs {
    count: usize,
    failures: Vec<String>,
}

/// Whether a run ended acceptably: exit 0, 1 or 2 and no panic message.
/// `None` is a death by signal (a stack overflow ends that way).
fn verdict(code: Option<i32>, stderr: &str) -> Result<(), String> {
    if code == Some(101) || stderr.contains("panicked") {
        let first = stderr
            .lines()
            .find(|l| l.contains("panicked"))
            .unwrap_or("");
        return Err(format!("panic (exit {code:?}): {first}"));
    }
    if !matches!(code, Some(0..=2)) {
        return Err(format!("exit {code:?}: {}", stderr.trim()));
    }
    Ok(())
}

impl Runs {
    fn run(&mut self, args: &[&str]) {
        self.count += 1;
        let o = panicpol(args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        if let Err(e) = verdict(o.status.code(), &stderr) {
            self.failures
                .push(format!("panicpol {}: {e}", args.join(" ")));
        }
    }
}

/// The fixtures and committed seeds; with `PANICPOL_FUZZ_CORPUS=DIR` also
/// every file under DIR (e.g. `fuzz/corpus` after a fuzzing run, thousands
/// of files: too many for every test run, worth it after each campaign).
fn corpus() -> Vec<PathBuf> {
    let r = root();
    let mut all = files(&r.join("fixtures"));
    all.extend(files(&r.join("fuzz/seeds")));
    if let Some(dir) = std::env::var_os("PANICPOL_FUZZ_CORPUS") {
        all.extend(files(Path::new(&dir)));
    }
    all
}

/// Splits the corpus in two halves run by two tests, so the harness can run
/// them side by side.
fn half(which: usize) -> Vec<PathBuf> {
    corpus()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == which)
        .map(|(_, p)| p)
        .collect()
}

fn run_all(paths: &[PathBuf]) {
    let fuzz_dir = std::env::var_os("PANICPOL_FUZZ_CORPUS").map(PathBuf::from);
    assert!(
        paths.len() > 50,
        "the corpus is missing: {} files",
        paths.len()
    );
    let formats = possible_values(&["check"], "--format");
    assert!(formats.contains(&"json".to_string()), "{formats:?}");
    let as_formats = possible_values(&["check"], "--as");
    let mut runs = Runs {
        count: 0,
        failures: Vec::new(),
    };
    for p in paths {
        let f = p.to_str().expect("paths are UTF-8");
        // A fuzz corpus entry is read in every input format with one
        // output format; the fixtures and seeds in every output format too.
        if fuzz_dir.as_ref().is_some_and(|d| p.starts_with(d)) {
            if is_kernel_input(p) {
                for opt in ["--vmlinux", "--system-map", "--kallsyms", "--config"] {
                    runs.run(&["check", opt, f, "--cmdline", "panic=1 bootconfig"]);
                }
            } else {
                runs.run(&["check", "--format", "json", f]);
                for a in &as_formats {
                    runs.run(&["check", "--as", a, f]);
                }
                runs.run(&["explain", f]);
                runs.run(&["initrd", "show", f]);
            }
            continue;
        }
        for fmt in &formats {
            runs.run(&["check", "--format", fmt, f]);
        }
        for a in &as_formats {
            runs.run(&["check", "--as", a, f]);
        }
        runs.run(&["explain", f]);
        runs.run(&["emit", f]);
        runs.run(&["cmdline", f]);
        runs.run(&["initrd", "show", f]);
        if is_kernel_input(p) {
            for opt in ["--vmlinux", "--system-map", "--kallsyms"] {
                runs.run(&["kernel", "info", opt, f]);
                runs.run(&["kernel", "params", opt, f]);
            }
            runs.run(&["check", "--config", f, "--cmdline", "panic=1 bootconfig"]);
        }
    }
    eprintln!(
        "{} files, {} runs (--format {formats:?}, --as {as_formats:?})",
        paths.len(),
        runs.count
    );
    assert!(
        runs.failures.is_empty(),
        "{} of {} runs failed:\n{}",
        runs.failures.len(),
        runs.count,
        runs.failures.join("\n")
    );
}

#[test]
fn no_panic_on_any_fixture_or_seed_first_half() {
    run_all(&half(0));
}

#[test]
fn no_panic_on_any_fixture_or_seed_second_half() {
    run_all(&half(1));
}

/// The judge itself: panics, deaths by signal and odd exit codes fail;
/// clean runs, findings and clear errors pass.
#[test]
fn verdicts() {
    let panic = "thread 'main' panicked at crates/x/src/lib.rs:1:1:\nindex out of bounds";
    assert!(verdict(Some(101), panic).is_err());
    assert!(verdict(Some(101), "").is_err());
    assert!(verdict(Some(2), panic).is_err());
    assert!(verdict(None, "").is_err());
    assert!(verdict(Some(3), "").is_err());
    for code in 0..=2 {
        assert!(verdict(Some(code), "error: x: not an ELF file").is_ok());
    }
    // And the binary's own usage error is a clear exit 2.
    let o = panicpol(&["check", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
}
