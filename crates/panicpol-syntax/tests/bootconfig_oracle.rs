//! panicpol's bootconfig parser against the kernel's own userspace parser
//! (`tools/bootconfig`, built from the 6.12 source by the oracle script):
//! the kernel's sample files, the project's fixtures and generated limit
//! cases must be accepted or rejected alike, with the same message and
//! position, and accepted ones must list (`-l`) and print (tree form) the
//! same bytes and count the same nodes (`-a`).
//!
//! The tool's exit status is not used: in show and list mode it is the file
//! size modulo 256, whatever happened. Errors are read from stderr.

// Test code: a failed expectation is a failed test (the library lints of
// issue 8 deny these in library code only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use panicpol_syntax::bootconfig::{ComposeError, Options, parse};
use panicpol_testkit::Scratch;

struct Tool {
    exe: PathBuf,
    samples: PathBuf,
}

fn tool() -> Option<Tool> {
    let exe = panicpol_testkit::oracle("src/tools/bootconfig/bootconfig")?;
    let samples = panicpol_testkit::oracle("src/tools/bootconfig/samples")?;
    Some(Tool { exe, samples })
}

struct Run {
    stdout: Vec<u8>,
    stderr: String,
}

impl Tool {
    fn run(&self, args: &[&std::ffi::OsStr]) -> Run {
        let out = Command::new(&self.exe)
            .args(args)
            .output()
            .expect("run the bootconfig tool");
        Run {
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn list(&self, path: &Path) -> Run {
        self.run(&["-l".as_ref(), path.as_os_str()])
    }

    fn tree(&self, path: &Path) -> Run {
        self.run(&[path.as_os_str()])
    }
}

/// What a case is expected to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Accept,
    Reject,
}

fn expect_from_name(name: &str) -> Expect {
    if name.starts_with("good-") {
        Expect::Accept
    } else {
        Expect::Reject
    }
}

/// Compares panicpol with `bootconfig -l FILE`, `bootconfig FILE` and
/// `bootconfig -a FILE INITRD` on one input. Returns a description of every
/// disagreement.
fn compare(t: &Tool, name: &str, text: &[u8], expect: Expect) -> Vec<String> {
    let mut bad = Vec::new();
    let scratch = Scratch::new("cmp");
    let path = scratch.file("case.bconf", text);

    // -l and the tree form read the whole file (xbc_init(buf, file size)).
    let ours = parse(text, Options::TOOL);
    let listed = t.list(&path);
    match (&ours, expect) {
        (Ok(_), Expect::Reject) => {
            bad.push(format!("{name}: panicpol accepts, expected rejection"))
        }
        (Err(e), Expect::Accept) => bad.push(format!("{name}: panicpol rejects: {e}")),
        _ => {}
    }
    match &ours {
        Ok(bc) => {
            if listed.stderr.contains("Parse Error") || listed.stderr.contains("Error:") {
                bad.push(format!("{name}: tool rejects: {}", listed.stderr.trim()));
            }
            let list = bc.render_list();
            if list.text != listed.stdout {
                bad.push(format!(
                    "{name}: -l differs\n--- tool\n{}\n--- panicpol\n{}",
                    String::from_utf8_lossy(&listed.stdout),
                    String::from_utf8_lossy(&list.text)
                ));
            }
            let tool_err = listed
                .stderr
                .lines()
                .find(|l| l.starts_with("Failed to compose key"))
                .map(str::to_owned);
            let our_err = list
                .error
                .map(|e: ComposeError| format!("Failed to compose key {}", e.errno()));
            if tool_err != our_err {
                bad.push(format!(
                    "{name}: compose error: tool {tool_err:?}, panicpol {our_err:?}"
                ));
            }
            let tree = t.tree(&path);
            if bc.render_tree() != tree.stdout {
                bad.push(format!(
                    "{name}: tree form differs\n--- tool\n{}\n--- panicpol\n{}",
                    String::from_utf8_lossy(&tree.stdout),
                    String::from_utf8_lossy(&bc.render_tree())
                ));
            }
        }
        Err(e) => {
            let want = e.tool_message(text);
            if !listed.stderr.lines().any(|l| l == want) {
                bad.push(format!(
                    "{name}: tool says {:?}, panicpol {want:?}",
                    listed.stderr.trim()
                ));
            }
        }
    }

    // -a reads the text up to its first NUL and passes strlen + 1 bytes.
    let nul = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    let mut applied = text[..nul].to_vec();
    applied.push(0);
    let initrd = scratch.file("initrd", b"initrd!");
    let a = t.run(&["-a".as_ref(), path.as_os_str(), initrd.as_os_str()]);
    match parse(&applied, Options::TOOL) {
        Ok(bc) => {
            let want = format!("\tNumber of nodes: {}\n", bc.node_count());
            if !String::from_utf8_lossy(&a.stdout).contains(&want) {
                bad.push(format!(
                    "{name}: -a says {:?}, panicpol counts {} nodes",
                    String::from_utf8_lossy(&a.stdout),
                    bc.node_count()
                ));
            }
        }
        Err(e) => {
            let want = e.tool_message(&applied);
            if !a.stderr.lines().any(|l| l == want) && text.len() <= 32767 {
                bad.push(format!(
                    "{name}: -a says {:?}, panicpol {want:?}",
                    a.stderr.trim()
                ));
            }
        }
    }

    // Plain ASCII reads the same with the kernel's ctype.
    if text.is_ascii()
        && parse(text, Options::KERNEL).map(|b| b.render_list()) != ours.map(|b| b.render_list())
    {
        bad.push(format!(
            "{name}: kernel and libc character classes disagree on ASCII"
        ));
    }
    bad
}

fn bconf_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("read fixture dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "bconf"))
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, std::fs::read(&p).expect("read fixture"))
        })
        .collect();
    out.sort();
    out
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bootconfig")
}

fn check_all(t: &Tool, cases: &[(String, Vec<u8>, Expect)]) {
    let mut bad = Vec::new();
    for (name, text, expect) in cases {
        bad.extend(compare(t, name, text, *expect));
    }
    assert!(
        bad.is_empty(),
        "{} disagreement(s):\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn kernel_samples_agree_with_the_tool() {
    let Some(t) = tool() else { return };
    let files = bconf_files(&t.samples);
    let good = files.iter().filter(|(n, _)| n.starts_with("good-")).count();
    let bad = files.iter().filter(|(n, _)| n.starts_with("bad-")).count();
    // 6.12.117 ships 13 good and 13 bad samples plus escaped.bconf.
    assert!(good >= 13 && bad >= 13, "samples: {good} good, {bad} bad");
    assert!(files.iter().any(|(n, _)| n == "escaped.bconf"));
    let cases: Vec<_> = files
        .into_iter()
        .map(|(n, t)| {
            let e = expect_from_name(&n);
            (n, t, e)
        })
        .collect();
    check_all(&t, &cases);
}

#[test]
fn project_fixtures_agree_with_the_tool() {
    let Some(t) = tool() else { return };
    let files = bconf_files(&fixtures_dir());
    assert!(files.len() >= 20, "only {} fixtures", files.len());
    let cases: Vec<_> = files
        .into_iter()
        .map(|(n, t)| {
            let e = expect_from_name(&n);
            (n, t, e)
        })
        .collect();
    check_all(&t, &cases);
}

/// The node-limit case of the kernel's own test script: 26 one-letter keys
/// and three-letter keys up to 8192 nodes.
fn many_keys(n: usize) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..n.min(26) {
        s.push(char::from(b'A' + (i % 26) as u8));
        s.push('\n');
    }
    for i in 26..n {
        for d in [i % 26, (i / 26) % 26, (i / 26 / 26) % 26] {
            s.push(char::from(b'A' + d as u8));
        }
        s.push('\n');
    }
    s.into_bytes()
}

/// A file of exactly `len` bytes: a comment padding, then `tail`.
fn sized(len: usize, tail: &[u8]) -> Vec<u8> {
    let mut v = vec![b'#'];
    v.resize(len - tail.len() - 1, b'x');
    v.push(b'\n');
    v.extend_from_slice(tail);
    assert_eq!(v.len(), len);
    v
}

#[test]
fn generated_limits_agree_with_the_tool() {
    let Some(t) = tool() else { return };
    let mut cases: Vec<(String, Vec<u8>, Expect)> = vec![
        ("8192 nodes".into(), many_keys(8192), Expect::Accept),
        ("8193 nodes".into(), many_keys(8193), Expect::Reject),
        (
            "32767 bytes".into(),
            sized(32767, b"a = 1\n"),
            Expect::Accept,
        ),
        (
            "32766 bytes".into(),
            sized(32766, b"a = 1\n"),
            Expect::Accept,
        ),
        // The value node would sit at offset 32767: "Too many nodes".
        (
            "value at offset 32767".into(),
            sized(32767, b"a ="),
            Expect::Reject,
        ),
        (
            "value at offset 32766".into(),
            sized(32767, b"a =1"),
            Expect::Accept,
        ),
    ];
    // Key length: sum of (word + 1) at most 256.
    let word = |n: usize| "k".repeat(n);
    cases.push((
        "key of 255 bytes".into(),
        format!("{} = 1\n", word(255)).into_bytes(),
        Expect::Accept,
    ));
    cases.push((
        "key of 256 bytes".into(),
        format!("{} = 1\n", word(256)).into_bytes(),
        Expect::Reject,
    ));
    cases.push((
        "two words, 256 in all".into(),
        format!("{}.{} = 1\n", word(127), word(127)).into_bytes(),
        Expect::Accept,
    ));
    cases.push((
        "two words, 257 in all".into(),
        format!("{}.{} = 1\n", word(127), word(128)).into_bytes(),
        Expect::Reject,
    ));
    // Words per key: 16 pass the parser (listing fails), 17 do not.
    let words = |n: usize| {
        (1..=n)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(".")
    };
    cases.push((
        "15 words".into(),
        format!("{} = 1\n", words(15)).into_bytes(),
        Expect::Accept,
    ));
    cases.push((
        "16 words".into(),
        format!("{} = 1\n", words(16)).into_bytes(),
        Expect::Accept,
    ));
    cases.push((
        "17 words".into(),
        format!("{} = 1\n", words(17)).into_bytes(),
        Expect::Reject,
    ));
    // Empty data and embedded NULs.
    cases.push(("empty file".into(), Vec::new(), Expect::Reject));
    cases.push((
        "NUL ends the text".into(),
        b"a = 1\n\0b = = =\n".to_vec(),
        Expect::Accept,
    ));
    check_all(&t, &cases);
}

#[test]
fn too_big_for_the_tool_is_too_big_for_panicpol() {
    let Some(t) = tool() else { return };
    let scratch = Scratch::new("big");
    // 32768 bytes: `-a` refuses the file, xbc_init refuses the data.
    let text = sized(32768, b"a = 1\n");
    let path = scratch.file("big.bconf", &text);
    let initrd = scratch.file("initrd", b"x");
    let a = t.run(&["-a".as_ref(), path.as_os_str(), initrd.as_os_str()]);
    assert!(a.stderr.contains("size is too big"), "{}", a.stderr);
    let e = parse(&text, Options::TOOL).expect_err("too big");
    assert_eq!(e.kind.message(), "Config data is too big");
    assert_eq!(e.pos, None);
    // 32767 bytes of text + NUL = 32768: `-a` refuses with xbc_init's message.
    let text = sized(32767, b"a = 1\n");
    let path = scratch.file("edge.bconf", &text);
    let a = t.run(&["-a".as_ref(), path.as_os_str(), initrd.as_os_str()]);
    let mut data = text.clone();
    data.push(0);
    let e = parse(&data, Options::TOOL).expect_err("too big with the NUL");
    assert!(
        a.stderr.lines().any(|l| l == e.tool_message(&data)),
        "{}",
        a.stderr
    );
}
