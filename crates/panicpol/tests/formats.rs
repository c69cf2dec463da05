//! Every output format over real diagnostics: the binary run on real-looking
//! command lines and against Debian's real 6.12 kernel (System.map and debug
//! vmlinux, through panicpol-testkit), and the exit codes of `--fail-level`
//! and `--exit-zero`.
//!
//! Snapshots live in `tests/snapshots/`; `UPDATE_SNAPSHOTS=1 cargo test -p
//! panicpol --test formats` rewrites them (review the diff).
//!
//! SARIF is validated against the SARIF 2.1.0 JSON schema, fetched at test
//! time from the npm registry (Microsoft's `@microsoft/jest-sarif` package
//! ships it) into the test cache, never into the repository.

// Test code: a failed expectation is a failed test (the CLI's lints of
// issue 8 deny these outside tests only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A command line with findings of every severity and a multi-byte character:
/// PP201 (a typo of panic_on_warn; info without a kernel), PP205 (warning),
/// PP402 (info), PP101 (error).
const MIXED: &str =
    "panic_on_warm=1 panic=10 crash_kexec_post_notifiers panic=5 é=1 panic_print=\"0x3";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_panicpol"));
    // Tests never depend on the developer's environment.
    c.env_remove("NO_COLOR")
        .env_remove("CI")
        .current_dir(tmp_dir("cwd"));
    c
}

fn run(args: &[&str]) -> Output {
    match bin().args(args).output() {
        Ok(o) => o,
        Err(e) => panic!("running panicpol {args:?}: {e}"),
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    match serde_json::from_slice(&o.stdout) {
        Ok(v) => v,
        Err(e) => panic!("not JSON ({e}):\n{}\n{}", stdout(o), stderr(o)),
    }
}

/// A folder of this test process (no panicpol.toml above it but /tmp's).
fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("panicpol-formats-{}/{name}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&d) {
        panic!("{}: {e}", d.display());
    }
    d
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn read(p: &Path) -> String {
    match std::fs::read_to_string(p) {
        Ok(s) => s,
        Err(e) => panic!("{}: {e}", p.display()),
    }
}

/// Compares `got` with `tests/snapshots/NAME`, or rewrites it when
/// `UPDATE_SNAPSHOTS=1`.
fn snapshot(name: &str, got: &str) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        if let Err(e) = std::fs::write(&p, got) {
            panic!("{}: {e}", p.display());
        }
        return;
    }
    let want = read(&p);
    assert!(
        want == got,
        "{name} differs from the snapshot (UPDATE_SNAPSHOTS=1 rewrites it):\n--- want\n{want}\n--- got\n{got}"
    );
}

// ---------------------------------------------------------------- human

#[test]
fn human_is_plain_when_not_a_terminal_and_with_no_color() {
    let piped = run(&["check", "--cmdline", MIXED]);
    let no_color = match bin()
        .env("NO_COLOR", "1")
        .args(["check", "--cmdline", MIXED])
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(piped.status.code(), Some(1), "{}", stderr(&piped));
    let text = stdout(&piped);
    assert!(
        !text.contains('\x1b'),
        "escape codes in piped output:\n{text}"
    );
    assert_eq!(text, stdout(&no_color));
    snapshot("human-plain.txt", &text);
}

/// Under a pseudo-terminal (util-linux `script`), the output has colour,
/// unless `NO_COLOR` is set.
#[test]
fn human_has_colour_only_on_a_terminal_without_no_color() {
    let Some(script) = panicpol_testkit::which("script") else {
        eprintln!("skipping: util-linux `script` is not installed");
        return;
    };
    let cmd = format!(
        "{} check --cmdline 'panic=\"10'",
        env!("CARGO_BIN_EXE_panicpol")
    );
    let tty = |no_color: bool| {
        let mut c = Command::new(&script);
        c.args(["-qec", &cmd, "/dev/null"])
            .env_remove("NO_COLOR")
            .env("TERM", "xterm-256color");
        if no_color {
            c.env("NO_COLOR", "1");
        }
        match c.output() {
            Ok(o) => stdout(&o),
            Err(e) => panic!("{e}"),
        }
    };
    let coloured = tty(false);
    assert!(
        coloured.contains("\x1b["),
        "no colour on a terminal:\n{coloured:?}"
    );
    let plain = tty(true);
    assert!(plain.contains("PP101"), "{plain}");
    assert!(
        !plain.contains("\x1b["),
        "colour despite NO_COLOR:\n{plain:?}"
    );
}

// ---------------------------------------------------------------- json

/// The backticked names in the first column of the table under `heading`.
fn documented_fields(doc: &str, heading: &str) -> BTreeSet<String> {
    let Some(start) = doc.find(heading) else {
        panic!("docs/output-formats.md has no {heading:?}");
    };
    doc[start + heading.len()..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.split('|').nth(1))
        .filter_map(|cell| {
            cell.trim()
                .strip_prefix('`')?
                .strip_suffix('`')
                .map(str::to_string)
        })
        .collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn json_matches_its_documentation() {
    let doc = read(&repo("docs/output-formats.md"));
    let o = run(&[
        "check",
        "--format",
        "json",
        "--cmdline",
        MIXED,
        "--cmdline",
        "a=1 -- single",
    ]);
    let v = json(&o);
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "panicpol");
    assert_eq!(keys(&v), documented_fields(&doc, "### Top-level fields"));
    let inputs = v["inputs"].as_array().cloned().unwrap_or_default();
    assert_eq!(inputs.len(), 2);
    let input_doc = documented_fields(&doc, "### Input fields");
    let token_doc = documented_fields(&doc, "### Token fields");
    for i in &inputs {
        assert_eq!(keys(i), input_doc);
        for t in i["tokens"].as_array().into_iter().flatten() {
            let undocumented: Vec<_> = keys(t).difference(&token_doc).cloned().collect();
            assert!(
                undocumented.is_empty(),
                "token fields {undocumented:?} are not documented: {t}"
            );
        }
    }
    let diag_doc = documented_fields(&doc, "### Diagnostic fields");
    let diags = v["diagnostics"].as_array().cloned().unwrap_or_default();
    assert!(diags.len() >= 4, "{diags:?}");
    for d in &diags {
        // Located findings carry every documented field.
        assert_eq!(keys(d), diag_doc, "{d}");
    }
    let codes: Vec<_> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    for c in ["PP101", "PP201", "PP205", "PP402"] {
        assert!(codes.contains(&c), "{c} missing from {codes:?}");
    }
    // Byte columns: `panic_print` comes after the two-byte `é`.
    let pp101 = diags
        .iter()
        .find(|d| d["code"] == "PP101")
        .cloned()
        .unwrap_or_default();
    let col = MIXED.find("\"0x3").unwrap_or(0) + 1;
    assert_eq!(pp101["col"], col);
    assert_eq!(pp101["file"], "<cmdline 1>");
}

// ---------------------------------------------------------------- gcc

#[test]
fn gcc_lines_point_at_each_finding() {
    let o = run(&["check", "--format", "gcc", "--cmdline", MIXED]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() >= 4, "{out}");
    for l in &lines {
        // FILE:LINE:COL: SEVERITY: MESSAGE [CODE]
        let mut parts = l.splitn(5, ':');
        assert_eq!(parts.next(), Some("<cmdline>"), "{l}");
        assert!(
            parts.next().is_some_and(|n| n.parse::<u32>().is_ok()),
            "{l}"
        );
        assert!(
            parts.next().is_some_and(|n| n.parse::<u32>().is_ok()),
            "{l}"
        );
        assert!(
            parts
                .next()
                .is_some_and(|s| [" error", " warning", " info"].contains(&s)),
            "{l}"
        );
        assert!(l.ends_with(']') && l.contains(" [PP"), "{l}");
    }
    let repeat = format!(
        "<cmdline>:1:{}: warning: ",
        MIXED.find("panic=10").unwrap_or(0) + 1
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&repeat) && l.ends_with("[PP205]")),
        "{out}"
    );
}

#[test]
fn gcc_counts_lines_of_a_file() {
    let d = tmp_dir("gcc");
    let f = d.join("cmdline");
    if let Err(e) = std::fs::write(&f, "panic=10 quiet panic=5\n") {
        panic!("{e}");
    }
    let path = f.display().to_string();
    let o = run(&["check", "--format", "gcc", &path]);
    assert_eq!(
        stdout(&o),
        format!(
            "{path}:1:1: warning: `panic` is set again later; this value is overridden [PP205]\n"
        )
    );
}

// ---------------------------------------------------------------- github

#[test]
fn github_commands_escape_messages_and_properties() {
    let d = tmp_dir("gh");
    // A file name with the characters properties must escape.
    let f = d.join("a,b:c.cmdline");
    if let Err(e) = std::fs::write(&f, "panic=10 panic=5\n") {
        panic!("{e}");
    }
    let o = run(&["check", "--format", "github", &f.display().to_string()]);
    let out = stdout(&o);
    let line = out.lines().next().unwrap_or_default();
    let escaped = f
        .display()
        .to_string()
        .replace(':', "%3A")
        .replace(',', "%2C");
    assert!(
        line.starts_with(&format!(
            "::warning file={escaped},line=1,col=1,endColumn=9,title=PP205 "
        )),
        "{line}"
    );
    // The message's newline before the help is %0A; no raw newline inside.
    assert!(
        line.ends_with("overridden%0Ahelp: keep only the occurrence you mean"),
        "{line}"
    );
    assert_eq!(out.lines().count(), 1, "{out}");

    // A `:` in a title is escaped; in the message it is not.
    let o = run(&[
        "check",
        "--format",
        "github",
        "--cmdline",
        "crash_kexec_post_notifiers",
    ]);
    let out = stdout(&o);
    let (props, msg) = out
        .trim_end()
        .split_once("::")
        .and_then(|(_, r)| r.split_once("::"))
        .unwrap_or_default();
    assert!(props.starts_with("notice title=PP402 "), "{out}");
    assert!(props.contains("%3A") && !props.contains(':'), "{out}");
    assert!(msg.contains("reservation: "), "{out}");
    // Findings in <cmdline> have no file to annotate.
    assert!(!props.contains("file="), "{out}");
}

#[test]
fn github_escapes_percent_signs() {
    let o = run(&[
        "check",
        "--format",
        "github",
        "--cmdline",
        "panic_on_warm%=1",
    ]);
    let out = stdout(&o);
    assert!(
        out.contains("title=PP201 `panic_on_warm%25` is not a parameter"),
        "{out}"
    );
    assert!(
        out.contains("::`panic_on_warm%25` is not a parameter"),
        "{out}"
    );
    // Every % in the output starts an escape sequence.
    for (i, _) in out.match_indices('%') {
        let next = &out[i + 1..(i + 3).min(out.len())];
        assert!(
            ["25", "0A", "0D", "3A", "2C"].contains(&next),
            "bare % at {i}: {out}"
        );
    }
}

// ---------------------------------------------------------------- sarif

/// The SARIF 2.1.0 schema, fetched once into the test cache with npm.
fn sarif_schema() -> Option<Value> {
    const PACKAGE: &str = "@microsoft/jest-sarif@1.0.0-beta.0";
    const TARBALL: &str = "microsoft-jest-sarif-1.0.0-beta.0.tgz";
    const MEMBER: &str = "package/lib/schemas/sarif-2.1.0-rtm.5.json";
    let dir = panicpol_testkit::cache_dir().join("sarif");
    let file = dir.join("sarif-2.1.0-rtm.5.json");
    if !file.exists() {
        let npm = panicpol_testkit::host_tool("npm")?;
        let work = dir.join(format!("tmp-{}", std::process::id()));
        if let Err(e) = std::fs::create_dir_all(&work) {
            panic!("{}: {e}", work.display());
        }
        let ok = Command::new(npm)
            .args(["pack", PACKAGE, "--silent", "--pack-destination"])
            .arg(&work)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new("tar")
                .arg("-xzf")
                .arg(work.join(TARBALL))
                .arg("-C")
                .arg(&work)
                .arg(MEMBER)
                .status()
                .is_ok_and(|s| s.success());
        if !ok {
            let why = format!("could not fetch the SARIF schema ({PACKAGE}) from the npm registry");
            assert!(!panicpol_testkit::required(), "{why}");
            eprintln!("skipping: {why}");
            return None;
        }
        // Renamed into place: concurrent runs never see half a file.
        if let Err(e) = std::fs::rename(work.join(MEMBER), &file) {
            panic!("{}: {e}", file.display());
        }
        let _ = std::fs::remove_dir_all(&work);
    }
    // The rtm.5 schema has one pattern with a stray `]` (in the language
    // tags of `run.language` and `artifact.encoding`'s sibling); ECMAScript
    // reads it as a literal `]`, the Rust regex engines refuse it. Escaping
    // it keeps the meaning and lets the schema compile.
    let text = read(&file).replace("[a-zA-Z]{2}]?$", r"[a-zA-Z]{2}\\]?$");
    match serde_json::from_str(&text) {
        Ok(v) => Some(v),
        Err(e) => panic!("{}: {e}", file.display()),
    }
}

/// Validates against the schema and checks the fields GitHub code scanning
/// requires (docs "SARIF support for code scanning").
fn check_sarif(doc: &Value, schema: Option<&Value>) {
    if let Some(schema) = schema {
        let validator = match jsonschema::draft4::new(schema) {
            Ok(v) => v,
            Err(e) => panic!("the SARIF schema does not compile: {e}"),
        };
        let errors: Vec<String> = validator
            .iter_errors(doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "invalid SARIF:\n{}\n{doc:#}",
            errors.join("\n")
        );
    }
    let nonempty = |v: &Value, what: &str| {
        assert!(
            v.as_str().is_some_and(|s| !s.is_empty()),
            "{what} missing or empty in {v}"
        );
    };
    assert_eq!(doc["version"], "2.1.0");
    nonempty(&doc["$schema"], "$schema");
    let run = &doc["runs"][0];
    nonempty(&run["tool"]["driver"]["name"], "driver.name");
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for r in &rules {
        for k in ["id", "name"] {
            nonempty(&r[k], k);
        }
        for k in ["shortDescription", "fullDescription", "help"] {
            nonempty(&r[k]["text"], k);
            assert!(
                r[k]["text"]
                    .as_str()
                    .is_some_and(|s| k == "help" || s.len() <= 1024)
            );
        }
    }
    let results = run["results"].as_array().cloned().unwrap_or_default();
    assert!(!results.is_empty());
    for res in &results {
        nonempty(&res["message"]["text"], "message.text");
        nonempty(&res["ruleId"], "ruleId");
        let idx = res["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        assert_eq!(rules.get(idx).map(|r| &r["id"]), Some(&res["ruleId"]));
        let locs = res["locations"].as_array().cloned().unwrap_or_default();
        assert!((1..=10).contains(&locs.len()));
        let pl = &locs[0]["physicalLocation"];
        nonempty(&pl["artifactLocation"]["uri"], "uri");
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(
                pl["region"][k].as_u64().is_some_and(|n| n >= 1),
                "{k} in {res}"
            );
        }
        assert!(
            res["partialFingerprints"]
                .as_object()
                .is_some_and(|o| !o.is_empty()),
            "{res}"
        );
    }
}

#[test]
fn sarif_is_valid_on_real_looking_command_lines() {
    let schema = sarif_schema();
    let d = tmp_dir("sarif");
    let f = d.join("cmdline");
    if let Err(e) = std::fs::write(&f, format!("{MIXED}\n")) {
        panic!("{e}");
    }
    let o = run(&[
        "check",
        "--format",
        "sarif",
        "--cmdline",
        "panic=10 quiet panic=5",
        &f.display().to_string(),
    ]);
    let doc = json(&o);
    check_sarif(&doc, schema.as_ref());
    let results = doc["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let uris: BTreeSet<_> = results
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(uris.contains("%3Ccmdline%3E"), "{uris:?}");
    assert!(
        uris.contains(format!("file://{}", f.display()).as_str()),
        "{uris:?}"
    );
    // Code-point columns: after `é` the byte and character columns differ by one.
    let pp101 = results
        .iter()
        .find(|r| r["ruleId"] == "PP101")
        .cloned()
        .unwrap_or_default();
    let chars = MIXED[..MIXED.find("\"0x3").unwrap_or(0)].chars().count() + 1;
    assert_eq!(
        pp101["locations"][0]["physicalLocation"]["region"]["startColumn"],
        chars
    );
    // Secondary labels become related locations.
    let pp205 = results
        .iter()
        .find(|r| r["ruleId"] == "PP205")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        pp205["relatedLocations"][0]["message"]["text"],
        "this one wins"
    );
}

// ------------------------------------------------- the real Debian 6.12 kernel

/// Every format over findings against Debian's 6.12 kernel: a misspelt
/// parameter (suggested from the kernel's own names), a filter the kernel
/// does not have, a rejected value.
#[test]
fn every_format_on_the_real_6_12_kernel() {
    let schema = sarif_schema();
    for (flag, file) in [("--system-map", "System.map"), ("--vmlinux", "vmlinux")] {
        let Some(k) = panicpol_testkit::real_kernel("6.12", file) else {
            return;
        };
        let k = k.display().to_string();
        let line = "crash_kexec_post_notifier panic_notifier_filter=hung_task panic=10x";
        let run_as =
            |format: &str| run(&["check", flag, &k, "--format", format, "--cmdline", line]);

        let o = run_as("json");
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let v = json(&o);
        assert_eq!(
            v["kernel"]["source"],
            if file == "vmlinux" {
                "vmlinux"
            } else {
                "system_map"
            }
        );
        let diags = v["diagnostics"].as_array().cloned().unwrap_or_default();
        let by = |code: &str| {
            diags
                .iter()
                .find(|d| d["code"] == code)
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(
            by("PP201")["help"],
            "did you mean `crash_kexec_post_notifiers`?",
            "{file}"
        );
        assert_eq!(by("PP201")["span"], serde_json::json!([0, 25]));
        assert_eq!(
            by("PP301")["severity"],
            "error",
            "{file}: 6.12 has no panic_notifier_filter"
        );
        assert_eq!(
            by("PP204")["col"],
            line.find("panic=10x").unwrap_or(0) + 1,
            "{file}"
        );

        let o = run_as("sarif");
        check_sarif(&json(&o), schema.as_ref());

        let o = run_as("gcc");
        let gcc = stdout(&o);
        assert!(gcc.contains("<cmdline>:1:1: "), "{gcc}");
        assert!(
            gcc.lines()
                .any(|l| l.ends_with("[PP301]") && l.contains(": error: ")),
            "{gcc}"
        );

        let o = run_as("github");
        let gh = stdout(&o);
        assert!(
            gh.lines().any(|l| l.starts_with("::error title=PP301 ")),
            "{gh}"
        );
        assert!(
            gh.contains("%0Ahelp: did you mean `crash_kexec_post_notifiers`?"),
            "{gh}"
        );

        let o = run_as("human");
        let human = stdout(&o);
        assert!(
            human.contains("help: did you mean `crash_kexec_post_notifiers`?"),
            "{human}"
        );
        assert!(human.contains("checked against "), "{human}");
    }
}

// ---------------------------------------------------------------- exit codes

#[test]
fn exit_codes_follow_fail_level_and_exit_zero() {
    // (command line, the most severe finding)
    let warning = "panic=10 panic=5"; // PP205
    let error = "panic=\"10"; // PP101
    let info = "crash_kexec_post_notifiers"; // PP402
    let clean = "console=ttyS0 panic=10";
    let cases: &[(&str, &[&str], i32)] = &[
        (clean, &[], 0),
        (clean, &["--fail-level", "info"], 0),
        (info, &[], 0),
        (info, &["--fail-level", "warning"], 0),
        (info, &["--fail-level", "info"], 1),
        (warning, &[], 0),
        (warning, &["--fail-level", "error"], 0),
        (warning, &["--fail-level", "warning"], 1),
        (warning, &["--fail-level", "info"], 1),
        (error, &[], 1),
        (error, &["--fail-level", "error"], 1),
        (error, &["--exit-zero"], 0),
        (error, &["--fail-level", "info", "--exit-zero"], 0),
        (warning, &["--fail-level", "warning", "--exit-zero"], 0),
    ];
    for (line, flags, want) in cases {
        for format in ["human", "json", "sarif", "github", "gcc"] {
            let mut args = vec!["check", "--format", format, "--cmdline", line];
            args.extend_from_slice(flags);
            let o = run(&args);
            assert_eq!(o.status.code(), Some(*want), "{args:?}\n{}", stderr(&o));
        }
    }
}

#[test]
fn failures_exit_two_even_with_exit_zero() {
    for args in [
        vec!["check", "--exit-zero", "/nonexistent/grub"],
        vec!["check", "--fail-level", "fatal", "--cmdline", "x"],
        vec!["check", "--format", "xml", "--cmdline", "x"],
        vec![
            "check",
            "--exit-zero",
            "--vmlinux",
            "/nonexistent/vmlinux",
            "--cmdline",
            "x",
        ],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}: {}", stdout(&o));
        assert!(
            !stderr(&o).is_empty() && !stderr(&o).contains("panicked"),
            "{args:?}"
        );
    }
}

/// The schema check is real: it refuses what GitHub would refuse.
#[test]
fn sarif_schema_catches_broken_documents() {
    let Some(schema) = sarif_schema() else {
        return;
    };
    let validator = match jsonschema::draft4::new(&schema) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    let o = run(&[
        "check",
        "--format",
        "sarif",
        "--cmdline",
        "panic=10 panic=5",
    ]);
    let good = json(&o);
    assert!(validator.is_valid(&good));
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&bad));
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!validator.is_valid(&bad));
    let mut bad = good;
    bad["runs"][0]["tool"]["driver"]["unknownField"] = Value::from(1);
    assert!(!validator.is_valid(&bad));
}

/// A partial kernel (a module that cannot be read) is told as a tool
/// execution notification of the run, and the document stays valid SARIF.
#[test]
fn sarif_with_partial_kernel_facts_is_valid() {
    let dir = panicpol_testkit::Scratch::new("sarif-gaps");
    let root = format!("{}/../../fixtures/elf", env!("CARGO_MANIFEST_DIR"));
    let xz = std::fs::read(format!("{root}/x86_64-module.ko.xz")).unwrap();
    dir.file("cut.ko.xz", &xz[..xz.len() / 2]);
    let o = run(&[
        "check",
        "--vmlinux",
        &format!("{root}/x86_64.elf"),
        "--modules",
        dir.path().to_str().unwrap(),
        "--format",
        "sarif",
        "--cmdline",
        "panic_print=0x3 crash_kexec_post_notifiers",
    ]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let n = &doc["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(n.as_array().map(Vec::len), Some(1), "{doc:#}");
    check_sarif(&doc, sarif_schema().as_ref());
}
