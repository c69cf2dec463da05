//! Running host programs for the xtask: each command is echoed before it
//! runs, failures name the command and its exit status, and long outputs go
//! to log files whose tail is shown on failure.

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

/// An xtask failure: a message meant for the person running the task.
#[derive(Debug)]
pub(crate) struct Error(pub(crate) String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error(e.to_string())
    }
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

/// Returns early with an [`Error`] built like `format!`.
macro_rules! bail {
    ($($arg:tt)*) => { return Err($crate::sh::Error(format!($($arg)*))) };
}
pub(crate) use bail;

/// Adds context to I/O errors: `fs::read(p).ctx(|| format!("reading {}", p.display()))`.
pub(crate) trait Context<T> {
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for std::result::Result<T, E> {
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error(format!("{}: {e}", what())))
    }
}

/// A command line shown the way a person would type it.
pub(crate) fn display(cmd: &Command) -> String {
    let mut s = String::new();
    if let Some(dir) = cmd.get_current_dir() {
        s.push_str(&format!("(cd {} && ", dir.display()));
    }
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            s.push_str(&format!("{}={} ", k.to_string_lossy(), quote(v)));
        }
    }
    s.push_str(&quote(cmd.get_program()));
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&quote(a));
    }
    if cmd.get_current_dir().is_some() {
        s.push(')');
    }
    s
}

pub(crate) fn quote(s: &OsStr) -> String {
    let s = s.to_string_lossy();
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:+,@%^".contains(&b));
    if plain {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn check(cmd: &Command, status: ExitStatus) -> Result<()> {
    if status.success() {
        Ok(())
    } else {
        bail!("`{}` failed ({status})", display(cmd))
    }
}

fn spawn_error(cmd: &Command, e: std::io::Error) -> Error {
    Error(format!(
        "cannot run `{}`: {e}",
        cmd.get_program().to_string_lossy()
    ))
}

/// Runs a command with inherited stdio, echoing it first.
pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    println!("$ {}", display(cmd));
    let status = cmd.status().map_err(|e| spawn_error(cmd, e))?;
    check(cmd, status)
}

/// Runs a command with inherited stdio and returns whether it succeeded,
/// for steps whose failure is reported rather than fatal.
pub(crate) fn run_status(cmd: &mut Command) -> Result<bool> {
    println!("$ {}", display(cmd));
    let status = cmd.status().map_err(|e| spawn_error(cmd, e))?;
    Ok(status.success())
}

/// Runs a command quietly and returns its standard output (trailing
/// newline trimmed); stderr is shown only when it fails.
pub(crate) fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error(cmd, e))?;
    if !out.status.success() {
        bail!(
            "`{}` failed ({}): {}",
            display(cmd),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_owned())
}

/// Runs a command with stdout and stderr going to `log`; on failure prints
/// the log's last lines and names it.
pub(crate) fn run_logged(cmd: &mut Command, log: &Path) -> Result<()> {
    println!("$ {}  > {}", display(cmd), log.display());
    let file = std::fs::File::create(log).ctx(|| format!("creating {}", log.display()))?;
    let err = file.try_clone()?;
    let status = cmd
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .status()
        .map_err(|e| spawn_error(cmd, e))?;
    if !status.success() {
        print_tail(log, 30);
    }
    check(cmd, status)
}

/// Prints the last `n` lines of a log file to stderr.
pub(crate) fn print_tail(log: &Path, n: usize) {
    if let Ok(text) = std::fs::read_to_string(log) {
        let lines: Vec<&str> = text.lines().collect();
        eprintln!("--- last lines of {}:", log.display());
        for l in &lines[lines.len().saturating_sub(n)..] {
            eprintln!("{l}");
        }
    }
}

/// Whether a program is on `PATH`.
pub(crate) fn have(program: &str) -> bool {
    panicpol_testkit::which(program).is_some()
}

/// Whether this process runs as root (apt-get install needs it).
pub(crate) fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_ok_and(|uid| uid == "0")
}

/// Seconds since `t`, for step timings.
pub(crate) fn since(t: Instant) -> String {
    format!("{:.1} s", t.elapsed().as_secs_f64())
}

/// The workspace root (this crate's parent folder).
pub(crate) fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_owned()
}

/// A file's size in bytes, 0 when it cannot be read.
pub(crate) fn size(p: &Path) -> u64 {
    p.metadata().map(|m| m.len()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_shown_as_typed() {
        let mut c = Command::new("apt-get");
        c.args([
            "download",
            "linux-source-6.12=6.12.117-1~deb12u1",
            "a b",
            "it's",
        ]);
        assert_eq!(
            display(&c),
            r"apt-get download 'linux-source-6.12=6.12.117-1~deb12u1' 'a b' 'it'\''s'"
        );
        c.current_dir("/x").env("CI", "true");
        assert!(display(&c).starts_with("(cd /x && CI=true apt-get "));
    }

    #[test]
    fn failures_name_the_command() {
        let err = output(Command::new("sh").args(["-c", "echo oops >&2; exit 3"])).unwrap_err();
        assert!(
            err.0.contains("`sh -c 'echo oops >&2; exit 3'` failed"),
            "{err}"
        );
        assert!(err.0.contains("oops"), "{err}");
        let err = output(&mut Command::new("panicpol-no-such-program")).unwrap_err();
        assert!(
            err.0.starts_with("cannot run `panicpol-no-such-program`"),
            "{err}"
        );
    }
}
