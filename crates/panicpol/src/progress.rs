//! A spinner on stderr for long operations (reading a 600 MB vmlinux from a
//! slow disk, walking a `--root` with many files), shown only to a person:
//! stderr is a terminal, `CI` is unset and `TERM` is not `dumb`. In CI, in a
//! pipe or a file, it prints nothing at all.
//!
//! ```text
//! let p = Progress::start("reading vmlinux");
//! let kernel = elf::read_vmlinux(path, opts);
//! p.finish();
//! ```
//!
//! Nothing appears for operations shorter than [`DELAY`], so fast runs do not
//! flicker. A hand-written spinner (one thread, a line redrawn with `\r`) does
//! all panicpol needs; indicatif would add a dependency for bars it does not
//! draw.

use std::ffi::OsStr;
use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long an operation runs before the spinner appears.
pub(crate) const DELAY: Duration = Duration::from_millis(250);

/// How often the line is redrawn.
const TICK: Duration = Duration::from_millis(100);

const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// A running spinner; [`Progress::finish`] (or dropping it) removes the line.
pub(crate) struct Progress {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Whether progress may be shown: a person is watching stderr.
pub(crate) fn enabled() -> bool {
    decide(
        std::env::var_os("CI").as_deref(),
        std::env::var_os("TERM").as_deref(),
        std::io::stderr().is_terminal(),
    )
}

/// The rule behind [`enabled`]: any non-empty `CI` (GitHub, GitLab and most
/// runners set `CI=true`) or `TERM=dumb` turns progress off, and so does a
/// stderr that is not a terminal.
fn decide(ci: Option<&OsStr>, term: Option<&OsStr>, stderr_is_tty: bool) -> bool {
    let ci = ci.is_some_and(|v| !v.is_empty());
    let dumb = term.is_some_and(|v| v == "dumb");
    !ci && !dumb && stderr_is_tty
}

impl Progress {
    /// Starts a spinner labelled `what` on stderr, if [`enabled`].
    pub(crate) fn start(what: &str) -> Progress {
        if enabled() {
            Progress::start_on(what, DELAY, Box::new(std::io::stderr()))
        } else {
            Progress::off()
        }
    }

    /// A spinner that shows nothing.
    pub(crate) fn off() -> Progress {
        Progress {
            stop: None,
            thread: None,
        }
    }

    /// Starts a spinner on any writer after `delay` (tests use a buffer).
    pub(crate) fn start_on(what: &str, delay: Duration, mut w: Box<dyn Write + Send>) -> Progress {
        let (tx, rx) = mpsc::channel::<()>();
        let label = what.to_string();
        let spawned = std::thread::Builder::new()
            .name("panicpol-progress".into())
            .spawn(move || {
                let started = Instant::now();
                // Quiet until the delay has passed or the work is done.
                match rx.recv_timeout(delay) {
                    Err(RecvTimeoutError::Timeout) => {}
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                }
                let mut frame = 0usize;
                loop {
                    let secs = started.elapsed().as_secs_f64();
                    let f = FRAMES.get(frame % FRAMES.len()).copied().unwrap_or("*");
                    // \r + erase line: redraw in place. Errors (a closed
                    // terminal) only stop the spinner.
                    if write!(w, "\r\x1b[2K{f} {label}… {secs:.1}s")
                        .and_then(|()| w.flush())
                        .is_err()
                    {
                        return;
                    }
                    frame += 1;
                    match rx.recv_timeout(TICK) {
                        Err(RecvTimeoutError::Timeout) => {}
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
                let _ = write!(w, "\r\x1b[2K");
                let _ = w.flush();
            });
        match spawned {
            Ok(thread) => Progress {
                stop: Some(tx),
                thread: Some(thread),
            },
            // No thread, no spinner: progress is a nicety, never a failure.
            Err(_) => Progress::off(),
        }
    }

    /// Stops the spinner and erases its line.
    pub(crate) fn finish(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            match self.0.lock() {
                Ok(mut v) => {
                    v.extend_from_slice(b);
                    Ok(b.len())
                }
                Err(_) => Err(std::io::Error::other("poisoned")),
            }
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn text(b: &Buf) -> String {
        b.0.lock()
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default()
    }

    #[test]
    fn fast_operations_print_nothing() {
        let b = Buf::default();
        let p = Progress::start_on(
            "reading vmlinux",
            Duration::from_secs(5),
            Box::new(b.clone()),
        );
        p.finish();
        assert_eq!(text(&b), "");
    }

    #[test]
    fn slow_operations_show_a_line_then_erase_it() {
        let b = Buf::default();
        let p = Progress::start_on("reading vmlinux", Duration::ZERO, Box::new(b.clone()));
        // Long enough for a few frames even on a busy machine.
        std::thread::sleep(Duration::from_millis(450));
        p.finish();
        let t = text(&b);
        assert!(t.contains("reading vmlinux… "), "{t:?}");
        assert!(t.ends_with("\r\x1b[2K"), "{t:?}");
        // Redrawn in place: several frames, never a newline.
        assert!(t.matches('\r').count() >= 3, "{t:?}");
        assert!(!t.contains('\n'), "{t:?}");
    }

    #[test]
    fn dropping_stops_it_too() {
        let b = Buf::default();
        {
            let _p = Progress::start_on("x", Duration::ZERO, Box::new(b.clone()));
            std::thread::sleep(Duration::from_millis(30));
        }
        let before = text(&b);
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(text(&b), before, "the spinner kept drawing after drop");
    }

    #[test]
    fn only_for_a_person_at_a_terminal() {
        let s = |v: &'static str| Some(OsStr::new(v));
        assert!(decide(None, s("xterm-256color"), true));
        assert!(decide(s(""), None, true));
        assert!(!decide(s("true"), s("xterm"), true));
        assert!(!decide(s("1"), None, true));
        assert!(!decide(None, s("dumb"), true));
        assert!(!decide(None, s("xterm"), false));
    }
}
