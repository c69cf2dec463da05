//! Booting a kernel under QEMU with the test initrd and reading back what it
//! did: QEMU's exit status, the serial log, the guest's report (see
//! [`crate::initrd::INIT_SCRIPT`]), init's argv and environment, the
//! kernel's "Kernel command line:" line and the panic output.
//!
//! QEMU runs with `-nographic -no-reboot` and a serial console, so a guest
//! `poweroff -f` or a panic with `panic=-1` ends the process. A wall-clock
//! timeout kills QEMU if the guest hangs; the serial log kept in memory is
//! capped, so a guest that prints forever cannot exhaust the host.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::error::RigError;
use crate::initrd::{CRASH_NOW, KEY_INIT_ARGV, KEY_INIT_ENV, REPORT_BEGIN, REPORT_END};

/// At most this much of QEMU's output is kept (a normal boot prints well
/// under 100 KiB; a crash with every panic_print bit a few hundred KiB).
const OUTPUT_CAP: usize = 64 << 20;
/// How often the rig checks whether QEMU has exited.
const POLL: Duration = Duration::from_millis(20);
/// How long to wait for QEMU's pipes to close once it has exited.
const PIPE_GRACE: Duration = Duration::from_secs(2);

/// How to run QEMU. [`Qemu::default`] is the setup the project's real-boot
/// notes were measured with: TCG, one CPU, 512 MiB, five-minute timeout.
#[derive(Debug, Clone)]
pub struct Qemu {
    /// The QEMU binary (default `qemu-system-x86_64`, looked up on `PATH`).
    pub binary: PathBuf,
    /// Guest memory in MiB (`-m`).
    pub memory_mib: u32,
    /// The accelerator (`-accel`); `tcg` works everywhere, KVM is optional.
    pub accel: String,
    /// Number of guest CPUs (`-smp`).
    pub smp: u32,
    /// Wall-clock limit; QEMU is killed when it is reached.
    pub timeout: Duration,
    /// Extra QEMU arguments, e.g. `-gdb tcp:127.0.0.1:1234`.
    pub extra_args: Vec<OsString>,
}

impl Default for Qemu {
    fn default() -> Self {
        Qemu {
            binary: PathBuf::from("qemu-system-x86_64"),
            memory_mib: 512,
            accel: "tcg".to_owned(),
            smp: 1,
            timeout: Duration::from_secs(300),
            extra_args: Vec::new(),
        }
    }
}

impl Qemu {
    /// The arguments QEMU is started with, for logs and for reproducing a
    /// boot by hand.
    pub fn args(&self, kernel: &Path, initrd: &Path, cmdline: &str) -> Vec<OsString> {
        let mut a: Vec<OsString> = [
            "-nographic",
            "-no-reboot",
            "-accel",
            &self.accel,
            "-smp",
            &self.smp.to_string(),
            "-m",
            &self.memory_mib.to_string(),
        ]
        .iter()
        .map(OsString::from)
        .collect();
        a.push("-kernel".into());
        a.push(kernel.into());
        a.push("-initrd".into());
        a.push(initrd.into());
        a.push("-append".into());
        a.push(cmdline.into());
        a.extend(self.extra_args.iter().cloned());
        a
    }

    /// Boots `kernel` with the initrd file `initrd` and the command line
    /// `cmdline` (put `console=ttyS0` in it to see the kernel's messages),
    /// waits for QEMU to exit or the timeout, and parses the serial log.
    pub fn boot(
        &self,
        kernel: &Path,
        initrd: &Path,
        cmdline: &str,
    ) -> Result<BootResult, RigError> {
        let start = Instant::now();
        let mut child = Command::new(&self.binary)
            .args(self.args(kernel, initrd, cmdline))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| RigError::Spawn {
                program: self.binary.clone(),
                source,
            })?;
        let out = child.stdout.take().map(Drain::start);
        let err = child.stderr.take().map(Drain::start);

        let mut timed_out = false;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status.code(),
                Ok(None) if start.elapsed() >= self.timeout => {
                    timed_out = true;
                    // Kill can only fail if the process is already gone, and
                    // wait then reaps it either way.
                    let _ = child.kill();
                    break child.wait().ok().and_then(|s| s.code());
                }
                Ok(None) => std::thread::sleep(POLL),
                Err(source) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(RigError::Spawn {
                        program: self.binary.clone(),
                        source,
                    });
                }
            }
        };
        let wall = start.elapsed();
        let join = |d: Option<Drain>| d.map(|d| d.finish(PIPE_GRACE)).unwrap_or_default();
        let serial = strip_cr(&String::from_utf8_lossy(&join(out)));
        let qemu_stderr = strip_cr(&String::from_utf8_lossy(&join(err)));
        Ok(BootResult::new(
            status,
            timed_out,
            wall,
            serial,
            qemu_stderr,
        ))
    }
}

/// Boots `kernel` with the initrd bytes `initrd` (e.g. from
/// [`crate::initrd::make_initrd`], perhaps with a bootconfig footer appended)
/// under the default [`Qemu`] setup with the given timeout.
pub fn boot(
    kernel: &Path,
    initrd: &[u8],
    cmdline: &str,
    timeout: Duration,
) -> Result<BootResult, RigError> {
    let file = TempFile::write(initrd)?;
    let qemu = Qemu {
        binary: crate::which("qemu-system-x86_64")
            .unwrap_or_else(|| PathBuf::from("qemu-system-x86_64")),
        timeout,
        ..Qemu::default()
    };
    qemu.boot(kernel, &file.path, cmdline)
}

/// What a boot produced.
#[derive(Debug, Clone)]
pub struct BootResult {
    /// QEMU's exit code; `None` when it was killed (timeout or signal).
    pub status: Option<i32>,
    /// Whether the timeout killed QEMU.
    pub timed_out: bool,
    /// Host wall time from start to exit.
    pub wall: Duration,
    /// QEMU's standard output (the serial console), CR stripped.
    pub serial: String,
    /// QEMU's own error output (e.g. "could not load kernel").
    pub qemu_stderr: String,
    /// The guest's report, when its begin marker was printed.
    pub report: Option<Report>,
    /// Init's argv as the guest saw it (`/proc/1/cmdline`), e.g.
    /// `["/bin/sh", "/init", "baz"]`; empty without a report.
    pub init_argv: Vec<String>,
    /// Init's initial environment (`/proc/1/environ`); empty without a report.
    pub init_env: Vec<String>,
    /// The text after "Kernel command line: " in the kernel's log.
    pub kernel_cmdline: Option<String>,
    /// The panic output: the lines after the rig's crash trigger, or without
    /// one from the first "Kernel panic" line to the end; empty if none.
    pub panic_lines: Vec<String>,
}

impl BootResult {
    /// Parses a serial log; the other fields are taken as given.
    pub fn new(
        status: Option<i32>,
        timed_out: bool,
        wall: Duration,
        serial: String,
        qemu_stderr: String,
    ) -> Self {
        let report = Report::parse(&serial);
        let lines = |key| {
            report
                .as_ref()
                .and_then(|r| r.value(key))
                .map(|v| v.lines().map(str::to_owned).collect())
                .unwrap_or_default()
        };
        BootResult {
            init_argv: lines(KEY_INIT_ARGV),
            init_env: lines(KEY_INIT_ENV),
            kernel_cmdline: kernel_command_line(&serial).map(str::to_owned),
            panic_lines: panic_lines(&serial)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            report,
            status,
            timed_out,
            wall,
            serial,
            qemu_stderr,
        }
    }

    /// A report value, e.g. `value("/proc/sys/kernel/panic_print")`;
    /// `None` without a report or when the file was absent in the guest.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.report.as_ref().and_then(|r| r.value(key))
    }

    /// Whether the boot ended normally: QEMU exited 0 on its own, after the
    /// guest's report was printed in full.
    pub fn completed(&self) -> bool {
        self.status == Some(0)
            && !self.timed_out
            && self.report.as_ref().is_some_and(|r| r.complete)
    }

    /// A short account for assertion messages: status, timing, the tail of
    /// the serial log and QEMU's errors.
    pub fn summary(&self) -> String {
        let tail: Vec<&str> = self.serial.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!(
            "qemu status {:?}{} after {:.2} s; report {}; qemu stderr: {:?}\n--- last serial lines:\n{}",
            self.status,
            if self.timed_out { " (timed out)" } else { "" },
            self.wall.as_secs_f64(),
            match &self.report {
                Some(r) if r.complete => "complete",
                Some(_) => "incomplete",
                None => "missing",
            },
            self.qemu_stderr.trim(),
            tail.join("\n")
        )
    }
}

/// The guest's report: what `/init` printed between its markers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Key (usually a guest path) → value, its lines joined with `\n`.
    pub values: BTreeMap<String, String>,
    /// Keys whose file did not exist in the guest.
    pub absent: BTreeSet<String>,
    /// Lines inside the report that are neither keys nor values: kernel
    /// messages printed to the console while init was reporting.
    pub stray: Vec<String>,
    /// Whether the end marker was seen (false: the guest died mid-report).
    pub complete: bool,
}

impl Report {
    /// Finds the first report in a CR-stripped serial log.
    pub fn parse(serial: &str) -> Option<Report> {
        let mut lines = serial.lines();
        lines.by_ref().find(|l| l.trim_end() == REPORT_BEGIN)?;
        let mut r = Report::default();
        let mut key: Option<String> = None;
        // Whether the current key has a value line yet: a value may be one
        // empty line, which differs from no line at all only by this flag.
        let mut started = false;
        for line in lines {
            if line.trim_end() == REPORT_END {
                r.complete = true;
                break;
            }
            if let Some(k) = line.strip_prefix("--- ") {
                let k = k.trim_end().to_owned();
                r.values.insert(k.clone(), String::new());
                key = Some(k);
                started = false;
            } else if let (Some(k), Some(v)) = (&key, value_line(line)) {
                if let Some(acc) = r.values.get_mut(k) {
                    if started {
                        acc.push('\n');
                    }
                    acc.push_str(v);
                    started = true;
                }
            } else if let (Some(k), "(absent)") = (&key, line.trim_end()) {
                r.values.remove(k);
                r.absent.insert(k.clone());
            } else {
                r.stray.push(line.to_owned());
            }
        }
        Some(r)
    }

    /// The value of `key`, `None` when it was absent or not reported.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }
}

/// The text of a report value line (`| text`), `None` for other lines.
fn value_line(line: &str) -> Option<&str> {
    if line == "|" {
        return Some("");
    }
    line.strip_prefix("| ")
}

/// The text after "Kernel command line: " in the first line that has it.
pub fn kernel_command_line(serial: &str) -> Option<&str> {
    const NEEDLE: &str = "Kernel command line: ";
    serial.lines().find_map(|l| {
        l.find(NEEDLE)
            .and_then(|i| l.get(i + NEEDLE.len()..))
            .map(str::trim_end)
    })
}

/// The panic output of a serial log: the lines after the rig's crash trigger
/// marker, or, without one, from the first "Kernel panic" line to the end.
pub fn panic_lines(serial: &str) -> Vec<&str> {
    let lines: Vec<&str> = serial.lines().collect();
    let start = match lines.iter().position(|l| l.trim_end() == CRASH_NOW) {
        Some(i) => i + 1,
        None => match lines.iter().position(|l| l.contains("Kernel panic")) {
            Some(i) => i,
            None => return Vec::new(),
        },
    };
    lines.get(start..).map(<[&str]>::to_vec).unwrap_or_default()
}

/// A kernel log line without its `[    1.234567] ` timestamp prefix.
pub fn strip_timestamp(line: &str) -> &str {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix('[') {
        if let Some(end) = rest.find(']') {
            let stamp = rest.get(..end).unwrap_or("").trim();
            if !stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return rest.get(end + 1..).unwrap_or("").trim_start();
            }
        }
    }
    line
}

fn strip_cr(s: &str) -> String {
    s.replace('\r', "")
}

/// Output collected from one of QEMU's pipes by a reader thread.
struct Drain {
    kept: Arc<Mutex<Vec<u8>>>,
    done: mpsc::Receiver<()>,
}

impl Drain {
    /// Reads a pipe to the end on its own thread, keeping at most
    /// [`OUTPUT_CAP`] bytes but draining everything so QEMU never blocks.
    fn start<R: Read + Send + 'static>(mut r: R) -> Drain {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let (tx, done) = mpsc::channel();
        let sink = Arc::clone(&kept);
        std::thread::spawn(move || {
            let mut buf = [0u8; 64 * 1024];
            loop {
                match r.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        let mut kept = sink.lock().unwrap_or_else(|e| e.into_inner());
                        let room = OUTPUT_CAP.saturating_sub(kept.len());
                        kept.extend_from_slice(buf.get(..n.min(room)).unwrap_or(&[]));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            // The receiver may be gone if the rig stopped waiting.
            let _ = tx.send(());
        });
        Drain { kept, done }
    }

    /// What was read, after waiting up to `grace` for the end of the pipe
    /// (a leftover child of QEMU could hold it open forever).
    fn finish(self, grace: Duration) -> Vec<u8> {
        let _ = self.done.recv_timeout(grace);
        std::mem::take(&mut *self.kept.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// A file in the system's temporary folder, removed when dropped.
struct TempFile {
    path: PathBuf,
}

impl TempFile {
    fn write(data: &[u8]) -> Result<TempFile, RigError> {
        // Unique per process and call, so parallel tests never share a file.
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("panicpol-initrd-{}-{n}.img", std::process::id()));
        std::fs::write(&path, data).map_err(|source| RigError::Io {
            context: "writing the initrd".into(),
            path: path.clone(),
            source,
        })?;
        Ok(TempFile { path })
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // Best effort: a leftover file in the temp folder is harmless.
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trimmed serial log of the shape a crash boot prints, with a kernel
    /// message landing inside the report.
    const LOG: &str = "\
SeaBIOS (version 1.16.2-debian-1.16.2-1)
[    0.000000] Linux version 6.12.117+deb12-cloud-amd64 (debian-kernel@lists.debian.org)
[    0.000000] Command line: console=ttyS0 panic=-1 foo=bar -- baz
[    0.012345] Kernel command line: console=ttyS0 panic=-1 foo=bar -- baz
[    0.012400] Unknown kernel command line parameters \"foo=bar\", will be passed to user space.
=== PANICPOL-REPORT-BEGIN
--- uname -r
| 6.12.117+deb12-cloud-amd64
--- /proc/bootconfig
(absent)
--- /proc/sys/kernel/panic_print
| 3
[    2.000001] random: crng init done
--- /proc/1/cmdline
| /bin/sh
| /init
| baz
--- /proc/1/environ
| HOME=/
| TERM=linux
| foo=bar
--- empty
--- blank-first
|
| second
=== PANICPOL-REPORT-END
=== PANICPOL-CRASH-NOW
[    2.100000] sysrq: Trigger a crash
[    2.100100] Kernel panic - not syncing: sysrq triggered crash
[    2.200000] Kernel Offset: 0x1000000 from 0xffffffff81000000
";

    fn result(log: &str) -> BootResult {
        BootResult::new(
            Some(0),
            false,
            Duration::ZERO,
            log.to_owned(),
            String::new(),
        )
    }

    #[test]
    fn report_values_absent_files_and_stray_kernel_lines() {
        let r = Report::parse(LOG).unwrap();
        assert!(r.complete);
        assert_eq!(r.value("uname -r"), Some("6.12.117+deb12-cloud-amd64"));
        assert_eq!(r.value("/proc/sys/kernel/panic_print"), Some("3"));
        assert_eq!(r.value("/proc/bootconfig"), None);
        assert!(r.absent.contains("/proc/bootconfig"));
        assert_eq!(r.value("empty"), Some(""));
        assert_eq!(r.value("blank-first"), Some("\nsecond"));
        assert_eq!(r.stray, ["[    2.000001] random: crng init done"]);
    }

    #[test]
    fn boot_result_fields_come_from_the_log() {
        let b = result(LOG);
        assert!(b.completed());
        assert_eq!(b.init_argv, ["/bin/sh", "/init", "baz"]);
        assert_eq!(b.init_env, ["HOME=/", "TERM=linux", "foo=bar"]);
        assert_eq!(
            b.kernel_cmdline.as_deref(),
            Some("console=ttyS0 panic=-1 foo=bar -- baz")
        );
        assert_eq!(b.panic_lines.len(), 3);
        assert_eq!(strip_timestamp(&b.panic_lines[0]), "sysrq: Trigger a crash");
    }

    #[test]
    fn cut_off_logs_give_partial_results() {
        // The guest died mid-report: values so far, not complete.
        let cut = &LOG[..LOG.find("--- /proc/1/cmdline").unwrap()];
        let b = result(cut);
        let r = b.report.as_ref().unwrap();
        assert!(!r.complete && !b.completed());
        assert_eq!(r.value("/proc/sys/kernel/panic_print"), Some("3"));
        assert!(b.init_argv.is_empty());
        // No report at all: nothing parsed, no panic.
        let b = result("SeaBIOS\nno bootable device\n");
        assert!(b.report.is_none() && !b.completed());
        assert!(b.kernel_cmdline.is_none() && b.panic_lines.is_empty());
        assert!(b.summary().contains("report missing"));
    }

    #[test]
    fn panic_without_the_rig_trigger_starts_at_kernel_panic() {
        let log = "a\n[ 1.0] Kernel panic - not syncing: VFS: Unable to mount root fs\n[ 1.1] Kernel Offset: disabled\n";
        assert_eq!(
            panic_lines(log),
            [
                "[ 1.0] Kernel panic - not syncing: VFS: Unable to mount root fs",
                "[ 1.1] Kernel Offset: disabled"
            ]
        );
        assert!(panic_lines("all fine\n").is_empty());
    }

    #[test]
    fn timestamps_are_stripped_only_when_they_are_timestamps() {
        for (line, want) in [
            (
                "[    0.012345] Kernel command line: x",
                "Kernel command line: x",
            ),
            ("[12.5] a", "a"),
            ("[ok] not a stamp", "[ok] not a stamp"),
            ("[] empty", "[] empty"),
            ("[    1.0", "[    1.0"),
            ("plain", "plain"),
        ] {
            assert_eq!(strip_timestamp(line), want, "{line:?}");
        }
    }

    #[test]
    fn qemu_arguments_match_the_documented_setup() {
        let q = Qemu::default();
        let a: Vec<String> = q
            .args(Path::new("k"), Path::new("i"), "console=ttyS0 a=b")
            .into_iter()
            .map(|s| s.into_string().unwrap())
            .collect();
        assert_eq!(
            a.join(" "),
            "-nographic -no-reboot -accel tcg -smp 1 -m 512 -kernel k -initrd i -append console=ttyS0 a=b"
        );
        // The command line is one argument, spaces and all.
        assert_eq!(a.last().map(String::as_str), Some("console=ttyS0 a=b"));
    }

    #[test]
    fn a_missing_qemu_is_a_spawn_error_and_a_hang_is_killed() {
        let q = Qemu {
            binary: PathBuf::from("panicpol-no-such-qemu"),
            ..Qemu::default()
        };
        let err = q.boot(Path::new("k"), Path::new("i"), "").unwrap_err();
        assert!(matches!(err, RigError::Spawn { .. }), "{err}");

        // A script that ignores its arguments and sleeps stands in for a
        // guest that never powers off; `exec` keeps it one process, so
        // killing it closes the pipes at once.
        let dir = std::env::temp_dir().join(format!("panicpol-hang-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("hang");
        std::fs::write(&script, "#!/bin/sh\necho started\nexec sleep 30\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let q = Qemu {
            binary: script,
            timeout: Duration::from_millis(300),
            ..Qemu::default()
        };
        let t = Instant::now();
        let b = q.boot(Path::new("k"), Path::new("i"), "").unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(b.timed_out && b.status.is_none(), "{}", b.summary());
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
        assert_eq!(b.serial, "started\n");
    }
}
