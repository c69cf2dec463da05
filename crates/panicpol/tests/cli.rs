//! End-to-end tests of the `panicpol` binary: arguments, exit codes, formats,
//! and bad input. Each runs the real binary.

// Test code: a failed expectation is a failed test (the CLI's lints of
// issue 8 deny these outside tests only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn panicpol(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_panicpol"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the panicpol binary runs")
}

fn panicpol_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_panicpol"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the panicpol binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn fixture(rel: &str) -> String {
    format!("{}/../../fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn clean_cmdline_exits_zero() {
    let o = panicpol(&["check", "--cmdline", "console=ttyS0 panic=10"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn error_finding_exits_one_and_points_at_the_quote() {
    let o = panicpol(&["check", "--cmdline", "panic_print=0x3 panic=\"10"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("PP101"), "{out}");
    assert!(out.contains("this quote is never closed"), "{out}");
}

#[test]
fn exit_zero_and_fail_level() {
    let o = panicpol(&["check", "--exit-zero", "--cmdline", "panic=\"10"]);
    assert_eq!(o.status.code(), Some(0));
    // PP105 is a warning: it fails only with --fail-level warning.
    let o = panicpol(&["check", "--cmdline", "foo=a\"b c\"d"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = panicpol(&[
        "check",
        "--fail-level",
        "warning",
        "--cmdline",
        "foo=a\"b c\"d",
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn json_has_version_tokens_and_diagnostics() {
    let o = panicpol(&[
        "check",
        "--format",
        "json",
        "--cmdline",
        "a=1 \"b=x y\" panic=\"10",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["version"], 1);
    let tokens = v["inputs"][0]["tokens"].as_array().expect("tokens");
    assert_eq!(tokens.len(), 3);
    assert_eq!(tokens[1]["text"], "\"b=x y\"");
    assert_eq!(tokens[1]["span"], serde_json::json!([4, 11]));
    // Without a kernel, `b` is unknown: init gets `b=x y` in its environment.
    assert_eq!(tokens[1]["fate"], "init_env");
    assert_eq!(tokens[1]["var"], "b=x y");
    assert!(
        v["inputs"][0]["init"]["env"]
            .as_array()
            .expect("env")
            .contains(&serde_json::json!("b=x y"))
    );
    assert_eq!(v["diagnostics"][0]["code"], "PP101");
    assert_eq!(v["diagnostics"][0]["line"], 1);
}

#[test]
fn gcc_format_is_one_line_per_finding() {
    let o = panicpol(&["check", "--format", "gcc", "--cmdline", "x panic=\"10"]);
    assert_eq!(
        stdout(&o),
        "<cmdline>:1:9: error: unclosed quote swallows the rest of the command line [PP101]\n"
    );
}

#[test]
fn reads_files_and_stdin() {
    let o = panicpol(&["check", &fixture("cmdline/debian-cloud.cmdline")]);
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let o = panicpol_stdin(&["check", "--format", "gcc", "-"], b"a=1\0b=2\n");
    assert!(stdout(&o).contains("<stdin>:1:4: error"), "{}", stdout(&o));
}

#[test]
fn bad_inputs_exit_two_with_a_clear_message() {
    let dir = std::env::temp_dir().join(format!("panicpol-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let empty = dir.join("empty");
    std::fs::write(&empty, b"\n").expect("write");
    let binary = dir.join("binary");
    std::fs::write(&binary, b"\x7fELF\x02\x01\x01\0\0\0").expect("write");
    let huge = dir.join("huge");
    std::fs::write(&huge, vec![b'a'; 10 << 20]).expect("write");
    // 2 MB of tokens: under the 4 MiB read limit, over any kernel's.
    let long = dir.join("long");
    std::fs::write(&long, b"a ".repeat(1 << 20)).expect("write");
    let cases: &[(&str, &str)] = &[
        ("/nonexistent/cmdline", "no such file or directory"),
        (empty.to_str().expect("utf8"), "empty"),
        (binary.to_str().expect("utf8"), "ELF"),
        (huge.to_str().expect("utf8"), "larger than"),
        (
            long.to_str().expect("utf8"),
            "longer than any kernel accepts",
        ),
        (dir.to_str().expect("utf8"), "directory"),
    ];
    for (path, want) in cases {
        let o = panicpol(&["check", path]);
        assert_eq!(o.status.code(), Some(2), "{path}");
        assert!(stderr(&o).contains(want), "{path}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{path}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(
        panicpol(&["check", "--format", "xml"]).status.code(),
        Some(2)
    );
    assert_eq!(panicpol(&["nonsense"]).status.code(), Some(2));
}

#[test]
fn rule_docs() {
    let o = panicpol(&["rule", "PP101"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("## Why is this bad?"));
    let o = panicpol(&["rule", "--all"]);
    assert!(stdout(&o).lines().count() >= 5);
    assert_eq!(panicpol(&["rule", "PP999"]).status.code(), Some(2));
}

/// The file offset of an ELF64 section, from the section table (enough of
/// the format for a test: little-endian, names in `e_shstrndx`).
fn section_offset(b: &[u8], name: &str) -> Option<usize> {
    let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap()) as usize;
    let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap()) as usize;
    let (shoff, shnum, shstrndx) = (u64_at(0x28), u16_at(0x3c), u16_at(0x3e));
    let shdr = |i: usize| shoff + i * 64;
    let names = u64_at(shdr(shstrndx) + 0x18);
    (0..shnum).find_map(|i| {
        let at = names + u32_at(shdr(i));
        let end = b[at..].iter().position(|&c| c == 0)? + at;
        (&b[at..end] == name.as_bytes()).then(|| u64_at(shdr(i) + 0x18))
    })
}

/// Damaged DWARF costs the notifiers their file:line, not the answer: exit
/// 0, every notifier listed, and a note saying what is missing and why.
#[test]
fn damaged_dwarf_gives_notifiers_without_lines() {
    let pristine = std::fs::read(fixture("elf/x86_64.elf")).unwrap();
    let mut b = pristine.clone();
    for s in [".debug_aranges", ".debug_line"] {
        let off = section_offset(&b, s).expect(s);
        b[off..off + 12].fill(0xff);
    }
    let dir = panicpol_testkit::Scratch::new("dwarf");
    let damaged = dir.file("vmlinux", &b);
    let good = panicpol(&[
        "kernel",
        "notifiers",
        "--vmlinux",
        &fixture("elf/x86_64.elf"),
    ]);
    assert_eq!(good.status.code(), Some(0), "{}", stderr(&good));
    assert!(stdout(&good).contains("src/kernel.c:"), "{}", stdout(&good));
    assert!(!stdout(&good).contains("note:"), "{}", stdout(&good));

    let o = panicpol(&[
        "kernel",
        "notifiers",
        "--vmlinux",
        damaged.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("note: damaged DWARF (.debug_aranges:")
            && out.contains("4 of 4 notifier callbacks have no file:line"),
        "{out}"
    );
    assert!(!out.contains("src/kernel.c:"), "{out}");
    for cb in [
        "fixture_panic_cb",
        "hung_task_panic",
        "fixture_flush_cb",
        "fixture_prio_cb",
    ] {
        assert!(out.contains(cb), "{cb} missing: {out}");
    }
    let j = panicpol(&[
        "kernel",
        "notifiers",
        "--format",
        "json",
        "--vmlinux",
        damaged.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    assert_eq!(v["notifiers"].as_array().map(Vec::len), Some(4));
    // `explain` reads the lines too, and says what it lacks.
    let e = panicpol(&[
        "explain",
        "--vmlinux",
        damaged.to_str().unwrap(),
        "--cmdline",
        "panic=1",
    ]);
    assert_eq!(e.status.code(), Some(0), "{}", stderr(&e));
    assert!(
        stdout(&e).contains("* note: damaged DWARF"),
        "{}",
        stdout(&e)
    );
    assert!(
        v["gaps"][0].as_str().unwrap().contains("damaged DWARF"),
        "{v}"
    );
}

/// The longest command line panicpol takes (just under 1 MiB: 524 287
/// one-letter words) checked in every format within a 1 GiB address space.
/// The JSON output used to build the whole document as a
/// `serde_json::Value` first (2.8 GB for this line); it now streams.
#[test]
fn the_longest_line_is_checked_in_bounded_memory() {
    use std::io::{Read, Seek, SeekFrom};
    let dir = panicpol_testkit::Scratch::new("longest");
    let mut text = b"x ".repeat(512 << 10);
    text.truncate((1 << 20) - 1);
    let line = dir.file("cmdline", &text);
    let out = dir.path().join("out");
    let bin = env!("CARGO_BIN_EXE_panicpol");
    for (format, want) in [
        ("json", "PP10"),
        ("sarif", "}\n  ]\n}"),
        ("human", "error(s)"),
    ] {
        let script = format!(
            "ulimit -v {}; exec \"$0\" check --format {format} \"$1\" > \"$2\"",
            1 << 20
        );
        let o = Command::new("sh")
            .args([
                "-c",
                &script,
                bin,
                line.to_str().unwrap(),
                out.to_str().unwrap(),
            ])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
        let mut f = std::fs::File::open(&out).unwrap();
        let len = f.metadata().unwrap().len();
        f.seek(SeekFrom::Start(len.saturating_sub(4096))).unwrap();
        let mut tail = String::new();
        f.read_to_string(&mut tail).unwrap();
        assert!(tail.contains(want), "{format}: {tail}");
    }
}

/// Modules are read compressed or not; one that cannot be read is named in
/// a note, since the notifiers it registers are missing from the list.
#[test]
fn unreadable_modules_are_named_not_silently_dropped() {
    let dir = panicpol_testkit::Scratch::new("modules");
    let xz = std::fs::read(fixture("elf/x86_64-module.ko.xz")).unwrap();
    dir.file("good.ko.xz", &xz);
    dir.file("cut.ko.xz", &xz[..xz.len() / 2]);
    let vmlinux = fixture("elf/x86_64.elf");
    let o = panicpol(&[
        "kernel",
        "notifiers",
        "--vmlinux",
        &vmlinux,
        "--modules",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("note: 1 of 2 module files could not be read") && out.contains("cut.ko.xz"),
        "{out}"
    );
    // The readable one's notifier is listed.
    let plain = panicpol(&["kernel", "notifiers", "--vmlinux", &vmlinux]);
    assert!(
        out.lines().count() > stdout(&plain).lines().count() + 1,
        "{out}"
    );
}

/// `check` says in every format when the kernel's facts are partial (here:
/// a module that cannot be read), and SARIF stays valid.
#[test]
fn check_reports_partial_kernel_facts_in_every_format() {
    let dir = panicpol_testkit::Scratch::new("gaps");
    let xz = std::fs::read(fixture("elf/x86_64-module.ko.xz")).unwrap();
    dir.file("cut.ko.xz", &xz[..xz.len() / 2]);
    let vmlinux = fixture("elf/x86_64.elf");
    let run = |format: &str| {
        let o = panicpol(&[
            "check",
            "--vmlinux",
            &vmlinux,
            "--modules",
            dir.path().to_str().unwrap(),
            "--format",
            format,
            "--cmdline",
            "panic=10",
        ]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        stdout(&o)
    };
    let want = "1 of 1 module files could not be read";
    let human = run("human");
    assert!(human.contains(&format!("note: {want}")), "{human}");
    assert!(run("gcc").starts_with(&format!("<kernel>:1:1: note: {want}")));
    assert!(run("github").contains("::warning title=panicpol%3A incomplete kernel facts::1 of 1"));
    let j: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert!(
        j["kernel"]["gaps"][0].as_str().unwrap().starts_with(want),
        "{j}"
    );
    let s: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    let n = &s["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert!(
        n["message"]["text"].as_str().unwrap().starts_with(want),
        "{s}"
    );
    // Without gaps the document has none of it.
    let o = panicpol(&[
        "check",
        "--vmlinux",
        &vmlinux,
        "--format",
        "json",
        "--cmdline",
        "panic=10",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(j["kernel"].get("gaps").is_none(), "{j}");
}
