//! The initrd footer against the kernel's own tool (`tools/bootconfig -a`,
//! `-l`, `-d` from the 6.12 source), and the atomic file operations under
//! failure: a read-only folder, a path that is a folder, and injected
//! create, write (full disk), sync and rename errors. In every failure the
//! original file must be unchanged and no temporary file left behind.

// Test code: a failed expectation is a failed test (the library lints of
// issue 8 deny these in library code only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use panicpol_emit::initrd::{
    self, AttachError, FileError, FileOps, attach, attach_file, attach_file_with, detach,
    detach_file, detach_file_with, read, show, show_file,
};
use panicpol_syntax::bootconfig::{Options, parse};
use panicpol_testkit::Scratch;

fn tool() -> Option<PathBuf> {
    panicpol_testkit::oracle("src/tools/bootconfig/bootconfig")
}

fn run(tool: &Path, args: &[&std::ffi::OsStr]) -> (Vec<u8>, String) {
    let out = Command::new(tool)
        .args(args)
        .output()
        .expect("run bootconfig");
    (
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const POLICY: &[u8] = b"# panic policy\nkernel {\n\tpanic_print = 0x3\n\tcrash_kexec_post_notifiers\n}\ninit.foo = bar\n";

fn texts() -> Vec<Vec<u8>> {
    let mut v = vec![
        POLICY.to_vec(),
        b"a = 1\n".to_vec(),
        b"a\n".to_vec(),
        b"key = \"x y\", 'q\"q'\n".to_vec(),
    ];
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bootconfig");
    for name in [
        "good-panic-policy.bconf",
        "good-arrays.bconf",
        "good-operators.bconf",
    ] {
        v.push(fs::read(fixtures.join(name)).expect("fixture"));
    }
    v
}

/// An initrd-like blob of `len` bytes.
fn blob(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn attach_is_byte_identical_to_the_tool() {
    let Some(t) = tool() else { return };
    let s = Scratch::new("tool-a");
    let mut compared = 0;
    for text in texts() {
        let conf = s.file("conf", &text);
        for len in [0usize, 1, 2, 3, 4, 1000, 4097] {
            let base = blob(len);
            let img = s.file("img", &base);
            let (stdout, stderr) = run(&t, &["-a".as_ref(), conf.as_os_str(), img.as_os_str()]);
            assert!(!stderr.contains("rror"), "{stderr}");
            let theirs = fs::read(&img).expect("read");
            let (ours, info) = initrd::attach_with_info(&base, &text).expect("attach");
            assert_eq!(
                ours,
                theirs,
                "text {:?}, initrd {len} bytes",
                String::from_utf8_lossy(&text)
            );
            let stdout = String::from_utf8_lossy(&stdout);
            for line in [
                format!("\tNumber of nodes: {}\n", info.nodes),
                format!("\tSize: {} bytes\n", info.text_size),
                format!("\tChecksum: {}\n", info.checksum),
            ] {
                assert!(stdout.contains(&line), "{stdout:?} lacks {line:?}");
            }
            // The tool replaces its own footer; so do we.
            let (_, stderr) = run(&t, &["-a".as_ref(), conf.as_os_str(), img.as_os_str()]);
            assert!(stderr.is_empty(), "{stderr}");
            assert_eq!(fs::read(&img).expect("read"), ours);
            assert_eq!(attach(&ours, &text).expect("again"), ours);
            compared += 1;
        }
    }
    assert_eq!(compared, 7 * 7);
}

#[test]
fn the_tool_reads_and_removes_what_panicpol_wrote() {
    let Some(t) = tool() else { return };
    let s = Scratch::new("tool-l");
    for text in texts() {
        let base = blob(777);
        let ours = attach(&base, &text).expect("attach");
        let img = s.file("img", &ours);
        let (stdout, stderr) = run(&t, &["-l".as_ref(), img.as_os_str()]);
        assert!(stderr.is_empty(), "{stderr}");
        let want = parse(&text, Options::TOOL)
            .expect("valid")
            .render_list()
            .text;
        assert_eq!(stdout, want);
        // And our reader agrees with the footer the tool wrote.
        let shown = show(&ours).expect("valid").expect("footer");
        assert_eq!(shown.text, text);
        assert_eq!(shown.config.render_list().text, want);
        let (_, stderr) = run(&t, &["-d".as_ref(), img.as_os_str()]);
        assert!(stderr.is_empty(), "{stderr}");
        assert_eq!(fs::read(&img).expect("read"), base);
    }
}

#[test]
fn the_tool_rejects_what_panicpol_rejects() {
    let Some(t) = tool() else { return };
    let s = Scratch::new("tool-bad");
    let good = attach(&blob(100), POLICY).expect("attach");
    let n = good.len();
    let mut bad_csum = good.clone();
    bad_csum[n - 16] ^= 0x40;
    let mut bad_size = good.clone();
    bad_size[n - 20..n - 16].copy_from_slice(&40000u32.to_le_bytes());
    for (name, bytes) in [("csum", &bad_csum), ("size", &bad_size)] {
        let img = s.file(name, bytes);
        let (_, stderr) = run(&t, &["-l".as_ref(), img.as_os_str()]);
        let ours = read(bytes).expect_err("broken footer");
        assert!(
            stderr.contains("Failed to load a boot config from initrd"),
            "{name}: {stderr}"
        );
        match ours {
            initrd::FooterError::BadChecksum { stored, computed } => {
                assert!(
                    stderr.contains(&format!("checksum error: {stored} != {computed}")),
                    "{stderr}"
                );
            }
            initrd::FooterError::SizeTooBig { .. } => {
                assert!(stderr.contains("bootconfig size is too big"))
            }
            other => panic!("unexpected {other}"),
        }
    }
}

#[test]
fn file_round_trip_keeps_bytes_mode_and_links() {
    let s = Scratch::new("files");
    let base = blob(300_000);
    let path = s.file("initrd.img", &base);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).expect("chmod");
    let link = s.path().join("initrd.link");
    std::os::unix::fs::symlink("initrd.img", &link).expect("symlink");

    let info = attach_file(&link, POLICY).expect("attach");
    assert!(!info.replaced);
    let once = fs::read(&path).expect("read");
    assert_eq!(once, attach(&base, POLICY).expect("attach in memory"));
    assert!(
        fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        fs::metadata(&path).expect("stat").permissions().mode() & 0o7777,
        0o640
    );

    let info = attach_file(&path, POLICY).expect("attach again");
    assert!(info.replaced);
    assert_eq!(
        fs::read(&path).expect("read"),
        once,
        "attach twice = attach once"
    );

    let shown = show_file(&path).expect("show").expect("footer");
    assert_eq!(shown.text, POLICY);
    assert_eq!(shown.config.node_count(), 7);

    let removed = detach_file(&path).expect("detach").expect("had a footer");
    assert_eq!(removed.data_start, base.len() as u64);
    assert_eq!(fs::read(&path).expect("read"), base);
    assert_eq!(
        fs::metadata(&path).expect("stat").permissions().mode() & 0o7777,
        0o640
    );
    // Nothing to remove: the file is left alone.
    assert_eq!(detach_file(&path).expect("detach"), None);
    assert_eq!(fs::read(&path).expect("read"), base);
    assert_eq!(s.names(), ["initrd.img", "initrd.link"]);
}

#[test]
fn a_directory_is_refused() {
    let s = Scratch::new("dir");
    let d = s.path().join("not-a-file");
    fs::create_dir(&d).expect("mkdir");
    assert!(matches!(
        attach_file(&d, POLICY),
        Err(FileError::NotAFile(_))
    ));
    assert!(matches!(detach_file(&d), Err(FileError::NotAFile(_))));
    assert!(matches!(
        attach_file(&s.path().join("missing"), POLICY),
        Err(FileError::Io { .. })
    ));
    assert_eq!(s.names(), ["not-a-file"]);
}

#[test]
fn invalid_text_leaves_the_file_alone() {
    let s = Scratch::new("text");
    let path = s.file("img", &blob(10));
    let e = attach_file(&path, b"a = 1\na = 2\n").expect_err("redefined");
    assert!(matches!(e, FileError::Attach(AttachError::Parse(_))), "{e}");
    assert_eq!(fs::read(&path).expect("read"), blob(10));
    assert_eq!(s.names(), ["img"]);
}

#[test]
fn read_only_folder_leaves_the_file_alone() {
    let s = Scratch::new("ro");
    let path = s.file("img", &blob(1000));
    fs::set_permissions(s.path(), fs::Permissions::from_mode(0o555)).expect("chmod");
    // With CAP_DAC_OVERRIDE (root) the mode does not stop writes; then there
    // is nothing to test here (the injected-failure tests cover the path).
    let probe = s.path().join("probe");
    if fs::write(&probe, b"x").is_ok() {
        let _ = fs::remove_file(&probe);
        eprintln!("skipping: this process can write to a read-only folder (root)");
        return;
    }
    let e = attach_file(&path, POLICY).expect_err("read-only");
    assert!(matches!(e, FileError::Io { op: "create", .. }), "{e}");
    assert_eq!(fs::read(&path).expect("read"), blob(1000));
    assert_eq!(s.names(), ["img"]);
}

/// File operations that fail at a chosen step.
#[derive(Default)]
struct Failing {
    create: bool,
    /// Fail with "no space" once this many bytes were written.
    space: Option<usize>,
    written: usize,
    sync: bool,
    rename: bool,
    calls: Vec<&'static str>,
}

impl FileOps for Failing {
    fn create(&mut self, path: &Path) -> io::Result<fs::File> {
        self.calls.push("create");
        if self.create {
            return Err(io::Error::from(io::ErrorKind::PermissionDenied));
        }
        initrd::RealFs.create(path)
    }
    fn write(&mut self, file: &mut fs::File, bytes: &[u8]) -> io::Result<()> {
        self.calls.push("write");
        if let Some(space) = self.space {
            let room = space.saturating_sub(self.written).min(bytes.len());
            use std::io::Write;
            file.write_all(&bytes[..room])?;
            self.written += room;
            if room < bytes.len() {
                return Err(io::Error::from_raw_os_error(28)); // ENOSPC
            }
            return Ok(());
        }
        initrd::RealFs.write(file, bytes)
    }
    fn sync(&mut self, file: &fs::File) -> io::Result<()> {
        self.calls.push("sync");
        if self.sync {
            return Err(io::Error::from_raw_os_error(5)); // EIO
        }
        initrd::RealFs.sync(file)
    }
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        self.calls.push("rename");
        if self.rename {
            return Err(io::Error::from_raw_os_error(18)); // EXDEV
        }
        initrd::RealFs.rename(from, to)
    }
}

#[test]
fn injected_failures_leave_the_original_intact() {
    let base = blob(200_000);
    let attached = attach(&base, POLICY).expect("attach");
    let cases: Vec<(&str, Failing)> = vec![
        (
            "create",
            Failing {
                create: true,
                ..Failing::default()
            },
        ),
        (
            "disk full in the copy",
            Failing {
                space: Some(100_000),
                ..Failing::default()
            },
        ),
        (
            "disk full in the footer",
            Failing {
                space: Some(200_010),
                ..Failing::default()
            },
        ),
        (
            "sync",
            Failing {
                sync: true,
                ..Failing::default()
            },
        ),
        (
            "rename",
            Failing {
                rename: true,
                ..Failing::default()
            },
        ),
    ];
    for (name, mut ops) in cases {
        let s = Scratch::new("inject");
        let path = s.file("img", &base);
        let e = attach_file_with(&path, POLICY, &mut ops).expect_err(name);
        assert!(matches!(e, FileError::Io { .. }), "{name}: {e}");
        assert_eq!(
            fs::read(&path).expect("read"),
            base,
            "{name}: original changed"
        );
        assert_eq!(s.names(), ["img"], "{name}: temporary file left");
        assert!(!ops.calls.is_empty());

        // The same for detach, on an initrd with a footer. Detach writes no
        // footer, so a disk that fills up only there does not stop it.
        let path = s.file("img", &attached);
        ops.written = 0;
        if name == "disk full in the footer" {
            detach_file_with(&path, &mut ops).expect("detach fits");
            assert_eq!(fs::read(&path).expect("read"), base);
            continue;
        }
        let e = detach_file_with(&path, &mut ops).expect_err(name);
        assert!(matches!(e, FileError::Io { .. }), "{name}: {e}");
        assert_eq!(
            fs::read(&path).expect("read"),
            attached,
            "{name}: original changed"
        );
        assert_eq!(s.names(), ["img"], "{name}: temporary file left");
    }
}

#[test]
fn in_memory_detach_of_the_tools_output() {
    let Some(t) = tool() else { return };
    let s = Scratch::new("mem");
    let base = blob(4099);
    let img = s.file("img", &base);
    let conf = s.file("conf", POLICY);
    let _ = run(&t, &["-a".as_ref(), conf.as_os_str(), img.as_os_str()]);
    let theirs = fs::read(&img).expect("read");
    assert_ne!(theirs, base);
    assert_eq!(detach(&theirs).expect("valid"), &base[..]);
}

/// A real write failure without root: the child process runs under a file
/// size limit (`ulimit -f`, with SIGXFSZ ignored so `write` fails with
/// EFBIG instead of killing it), as a disk that fills up would fail it.
#[test]
fn file_size_limit_mid_write_leaves_the_original_intact() {
    if let Some(target) = std::env::var_os("PANICPOL_FSIZE_CHILD") {
        let r = attach_file(Path::new(&target), POLICY);
        println!(
            "CHILD-RESULT {}",
            r.map(|_| "ok".to_owned()).unwrap_or_else(|e| e.to_string())
        );
        return;
    }
    let s = Scratch::new("fsize");
    let base = blob(300_000);
    let path = s.file("img", &base);
    let exe = std::env::current_exe().expect("test binary");
    // 200 blocks of 512 bytes (POSIX sh): the copy fails near 100 KB.
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 200 && trap '' XFSZ && exec \"$0\" --exact file_size_limit_mid_write_leaves_the_original_intact --nocapture")
        .arg(&exe)
        .env("PANICPOL_FSIZE_CHILD", &path)
        .output()
        .expect("run child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("CHILD-RESULT"))
        .unwrap_or_else(|| {
            panic!(
                "child did not report: {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    assert!(
        line.contains("cannot write") && line.contains("too large"),
        "{line}"
    );
    assert_eq!(fs::read(&path).expect("read"), base);
    assert_eq!(s.names(), ["img"]);
}
