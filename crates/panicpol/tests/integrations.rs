//! The integrations in `integrations/` and at the repository root, each run
//! for real: the kernel-install plugin (dry run against a temporary layout,
//! then for real on a throwaway initrd), the pre-commit hook definition, the
//! example GitHub Actions workflow; and the generated shell completions and
//! man pages.

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

use yaml_rust2::{Yaml, YamlLoader};

const BIN: &str = env!("CARGO_BIN_EXE_panicpol");
const VERSION: &str = "6.12.117+deb12-cloud-amd64";

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

fn write(p: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(dir) = p.parent()
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        panic!("{}: {e}", dir.display());
    }
    if let Err(e) = std::fs::write(p, bytes) {
        panic!("{}: {e}", p.display());
    }
}

fn output(c: &mut Command) -> Output {
    match c.output() {
        Ok(o) => o,
        Err(e) => panic!("{c:?}: {e}"),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn panicpol(args: &[&str]) -> Output {
    output(
        Command::new(BIN)
            .args(args)
            .env_remove("NO_COLOR")
            .env_remove("CI"),
    )
}

/// A fresh folder for one test.
fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "panicpol-integrations-{}/{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    if let Err(e) = std::fs::create_dir_all(&d) {
        panic!("{}: {e}", d.display());
    }
    d
}

fn yaml(p: &Path) -> Yaml {
    match YamlLoader::load_from_str(&read(p)) {
        Ok(mut docs) if docs.len() == 1 => docs.remove(0),
        Ok(docs) => panic!("{}: {} documents", p.display(), docs.len()),
        Err(e) => panic!("{}: {e}", p.display()),
    }
}

/// The subcommands `panicpol --help` lists.
fn subcommands() -> Vec<String> {
    let help = text(&panicpol(&["--help"]).stdout);
    let list: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    assert!(
        list.len() >= 6 && list.contains(&"check".to_string()),
        "{help}"
    );
    list
}

// ------------------------------------------------------- kernel-install plugin

/// A system as kernel-install sees it, under `root`: the policy, the kernel's
/// config and System.map, /etc/kernel/cmdline, and an entry folder holding
/// the initrd copy 90-loaderentry made.
struct Layout {
    root: PathBuf,
    entry: PathBuf,
    initrd: PathBuf,
}

fn layout(name: &str, initrd: &[u8]) -> Layout {
    let root = tmp_dir(name);
    write(
        &root.join("etc/panicpol/cmdline"),
        "panic=10 crash_kexec_post_notifiers panic_print=0x3\n",
    );
    write(
        &root.join("etc/kernel/cmdline"),
        "root=/dev/vda1\tbootconfig  quiet\n",
    );
    write(
        &root.join(format!("boot/config-{VERSION}")),
        "CONFIG_BOOT_CONFIG=y\nCONFIG_PANIC_TIMEOUT=0\n",
    );
    // Big enough not to pass for Debian's placeholder (read only without a dry run).
    let mut map = String::new();
    for i in 0..200 {
        map.push_str(&format!("ffffffff81{i:06x} T some_function_{i}\n"));
    }
    write(&root.join(format!("boot/System.map-{VERSION}")), map);
    let entry = root.join("boot/efi/0123456789abcdef").join(VERSION);
    let initrd_path = entry.join("initrd");
    write(&initrd_path, initrd);
    Layout {
        root,
        entry,
        initrd: initrd_path,
    }
}

fn plugin(l: &Layout, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new("sh");
    c.arg(repo("integrations/kernel-install/90-panicpol.install"))
        .args(args)
        .env("PANICPOL", BIN)
        .env("PANICPOL_SYSROOT", &l.root)
        .env("TMPDIR", &l.root)
        .env_remove("PANICPOL_DRY_RUN")
        .env_remove("PANICPOL_INITRDS")
        .env_remove("PANICPOL_POLICY")
        .env_remove("KERNEL_INSTALL_LAYOUT")
        .env_remove("KERNEL_INSTALL_CONF_ROOT")
        .env_remove("KERNEL_INSTALL_VERBOSE");
    for (k, v) in env {
        c.env(k, v);
    }
    output(&mut c)
}

fn add_args(l: &Layout) -> Vec<String> {
    vec![
        "add".into(),
        VERSION.into(),
        l.entry.display().to_string(),
        format!("/usr/lib/modules/{VERSION}/vmlinuz"),
    ]
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn kernel_install_dry_run_prints_emit_then_attach() {
    let l = layout("dry", b"not really an initrd");
    let o = plugin(&l, &strs(&add_args(&l)), &[("PANICPOL_DRY_RUN", "1")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    let root = l.root.display();
    let kernel = format!(
        "--system-map {root}/boot/System.map-{VERSION} --config {root}/boot/config-{VERSION}"
    );
    let emit = format!("{BIN} emit --format bootconfig {kernel} --output ");
    assert!(
        lines[0].starts_with(&emit),
        "{}\nwant prefix {emit}",
        lines[0]
    );
    let blob = lines[0][emit.len()..].split(' ').next().unwrap_or_default();
    assert!(
        blob.starts_with(&format!("{root}/panicpol-install."))
            && blob.ends_with("/panic-policy.bconf"),
        "{blob}"
    );
    assert!(
        lines[0].ends_with(&format!(" {root}/etc/panicpol/cmdline")),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[1],
        format!(
            "{BIN} initrd attach {kernel} --boot-cmdline 'root=/dev/vda1 bootconfig quiet' {} {blob}",
            l.initrd.display()
        )
    );
    // A dry run changes nothing and leaves no temporary folder behind.
    assert_eq!(read(&l.initrd), "not really an initrd");
    assert!(!Path::new(blob).exists());
}

#[test]
fn kernel_install_picks_its_initrds_and_kernel_files() {
    let l = layout("pick", b"x");
    let dry = [("PANICPOL_DRY_RUN", "1")];
    let attach_targets = |o: &Output| -> Vec<String> {
        text(&o.stdout)
            .lines()
            .filter(|x| x.contains(" initrd attach "))
            .filter_map(|x| x.split(' ').rev().nth(1).map(str::to_string))
            .collect()
    };
    // No copy in the entry folder: the INITRD arguments.
    let _ = std::fs::remove_file(&l.initrd);
    let mut args = add_args(&l);
    args.push("/boot/initrd.img-a".into());
    args.push("/boot/initrd.img-b".into());
    let o = plugin(&l, &strs(&args), &dry);
    assert_eq!(
        attach_targets(&o),
        ["/boot/initrd.img-a", "/boot/initrd.img-b"],
        "{}",
        text(&o.stdout)
    );
    // PANICPOL_INITRDS wins.
    let o = plugin(
        &l,
        &strs(&args),
        &[
            ("PANICPOL_DRY_RUN", "1"),
            ("PANICPOL_INITRDS", "/x/one /x/two"),
        ],
    );
    assert_eq!(attach_targets(&o), ["/x/one", "/x/two"]);
    // Debian's placeholder System.map is not a symbol table; a debug vmlinux wins over both.
    write(
        &l.root.join(format!("boot/System.map-{VERSION}")),
        "ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n",
    );
    let o = plugin(&l, &strs(&args), &dry);
    assert!(
        !text(&o.stdout).contains("--system-map"),
        "{}",
        text(&o.stdout)
    );
    write(
        &l.root.join(format!("usr/lib/debug/boot/vmlinux-{VERSION}")),
        "\x7fELF",
    );
    let o = plugin(&l, &strs(&args), &dry);
    assert!(text(&o.stdout).contains(&format!(
        "--vmlinux {}/usr/lib/debug/boot/vmlinux-{VERSION} --config ",
        l.root.display()
    )));
    // No /etc/kernel/cmdline: no --boot-cmdline.
    let _ = std::fs::remove_file(l.root.join("etc/kernel/cmdline"));
    let o = plugin(&l, &strs(&args), &dry);
    assert!(
        !text(&o.stdout).contains("--boot-cmdline"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn kernel_install_does_nothing_when_there_is_nothing_to_do() {
    let l = layout("nothing", b"x");
    let dry = ("PANICPOL_DRY_RUN", "1");
    let entry = l.entry.display().to_string();
    for (args, env) in [
        (vec!["remove", VERSION, &entry], vec![dry]),
        (vec!["inspect", VERSION, &entry], vec![dry]),
        (
            strs(&add_args(&l)),
            vec![dry, ("KERNEL_INSTALL_LAYOUT", "uki")],
        ),
        (
            strs(&add_args(&l)),
            vec![dry, ("PANICPOL_POLICY", "/nonexistent/policy")],
        ),
    ] {
        let o = plugin(&l, &args, &env);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?} {env:?}: {}",
            text(&o.stderr)
        );
        assert_eq!(text(&o.stdout), "", "{args:?} {env:?}");
    }
    assert_eq!(plugin(&l, &["add"], &[dry]).status.code(), Some(1));
}

#[test]
fn kernel_install_attaches_for_real_and_replaces_on_reinstall() {
    // A throwaway initrd: its bytes must come back exactly on detach.
    let original: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
    let l = layout("real", &original);
    // Debian's real config when the cache has it (it lacks CONFIG_BOOT_CONFIG:
    // panicpol warns, and still attaches).
    if let Some(cfg) = panicpol_testkit::real_kernel("6.12", "config") {
        if let Err(e) = std::fs::copy(&cfg, l.root.join(format!("boot/config-{VERSION}"))) {
            panic!("{e}");
        }
    }
    // The fake System.map is not a real one: use only the config.
    let _ = std::fs::remove_file(l.root.join(format!("boot/System.map-{VERSION}")));
    for round in 0..2 {
        let o = plugin(&l, &strs(&add_args(&l)), &[("KERNEL_INSTALL_VERBOSE", "1")]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "round {round}: {}",
            text(&o.stderr)
        );
        assert!(
            text(&o.stderr).contains("90-panicpol: attached the panic policy"),
            "{}",
            text(&o.stderr)
        );
        let show = panicpol(&["initrd", "show", &l.initrd.display().to_string()]);
        let shown = text(&show.stdout);
        assert!(shown.contains("kernel.panic = \"10\""), "{shown}");
        assert!(
            shown.contains("kernel.crash_kexec_post_notifiers = \"1\""),
            "{shown}"
        );
        assert!(shown.contains("kernel.panic_print = \"0x3\""), "{shown}");
    }
    // Attached once, not stacked: detaching restores the original bytes.
    let o = panicpol(&["initrd", "detach", &l.initrd.display().to_string()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    match std::fs::read(&l.initrd) {
        Ok(b) => assert!(b == original, "detach did not restore the original initrd"),
        Err(e) => panic!("{e}"),
    }
    // The temporary blob folder is gone.
    let left: Vec<_> = std::fs::read_dir(&l.root)
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        !left
            .iter()
            .any(|n| n.to_string_lossy().starts_with("panicpol-install.")),
        "{left:?}"
    );
}

#[test]
fn kernel_install_plugin_is_posix_sh() {
    let p = repo("integrations/kernel-install/90-panicpol.install");
    let o = output(Command::new("sh").arg("-n").arg(&p));
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(read(&p).starts_with("#!/bin/sh\n"));
    // kernel-install runs plugins that are executable.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&p)
        .map(|m| m.permissions().mode())
        .unwrap_or(0);
    assert!(mode & 0o111 != 0, "not executable: {mode:o}");
}

// ------------------------------------------------------------- pre-commit

#[test]
fn pre_commit_hook_runs_a_real_subcommand_on_boot_files() {
    let y = yaml(&repo(".pre-commit-hooks.yaml"));
    let hooks = y.as_vec().cloned().unwrap_or_default();
    assert_eq!(hooks.len(), 1);
    let h = &hooks[0];
    assert_eq!(h["id"].as_str(), Some("panicpol"));
    assert!(h["name"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(h["language"].as_str().is_some());
    let entry = h["entry"].as_str().unwrap_or_default();
    let words: Vec<&str> = entry.split_whitespace().collect();
    assert_eq!(words.first(), Some(&"panicpol"));
    let sub = words.get(1).copied().unwrap_or_default();
    assert!(
        subcommands().iter().any(|s| s == sub),
        "{sub} is not a subcommand"
    );
    // pre-commit appends the staged file names: the entry must take files.
    let d = tmp_dir("precommit");
    let f = d.join("cmdline");
    write(&f, "console=ttyS0 panic=10\n");
    let mut args: Vec<String> = words[1..].iter().map(|s| s.to_string()).collect();
    args.push(f.display().to_string());
    let o = panicpol(&strs(&args));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    // `files` is a Python regex (pre-commit's); check it with Python's `re`.
    let files = h["files"].as_str().unwrap_or_default();
    let Some(python) = panicpol_testkit::which("python3") else {
        eprintln!("skipping the `files` pattern check: python3 is not installed");
        return;
    };
    let cases: &[(&str, bool)] = &[
        ("etc/default/grub", true),
        ("image/etc/default/grub.d/50-cloud.cfg", true),
        ("boot/grub/grub.cfg", true),
        ("boot/loader/entries/debian-6.12.conf", true),
        ("etc/kernel/cmdline", true),
        ("uki/panic.cmdline", true),
        ("fleet/panic.bconf", true),
        ("etc/default/grub.bak", false),
        ("README.md", false),
        ("src/loader/entries.rs", false),
    ];
    for (path, want) in cases {
        let o = output(Command::new(&python).args([
            "-c",
            "import re,sys; sys.exit(0 if re.search(sys.argv[1], sys.argv[2]) else 1)",
            files,
            path,
        ]));
        assert_eq!(o.status.success(), *want, "{path} against {files}");
    }
}

// ------------------------------------------------------ GitHub Actions workflow

fn step_named<'a>(steps: &'a [Yaml], needle: &str) -> &'a Yaml {
    steps
        .iter()
        .find(|s| {
            s["name"].as_str().is_some_and(|n| n.contains(needle))
                || s["uses"].as_str().is_some_and(|u| u.contains(needle))
        })
        .unwrap_or_else(|| panic!("no step {needle:?}"))
}

#[test]
fn github_workflow_uploads_what_panicpol_writes() {
    let y = yaml(&repo("integrations/github/panicpol.yml"));
    assert!(!y["on"].is_badvalue(), "no triggers");
    let jobs = y["jobs"].as_hash().cloned().unwrap_or_default();
    assert_eq!(jobs.len(), 1);
    let job = jobs.values().next().cloned().unwrap_or(Yaml::Null);
    assert_eq!(
        job["permissions"]["security-events"].as_str(),
        Some("write")
    );
    let steps = job["steps"].as_vec().cloned().unwrap_or_default();
    assert!(steps.iter().any(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/checkout@"))
    }));
    let check = step_named(&steps, "Check the panic policy");
    let upload = step_named(&steps, "github/codeql-action/upload-sarif@");
    // The upload runs even when the check step failed on findings.
    assert!(
        upload["if"]
            .as_str()
            .is_some_and(|c| c.contains("cancelled") || c.contains("always"))
    );
    let sarif_file = upload["with"]["sarif_file"].as_str().unwrap_or_default();
    let script = check["run"].as_str().unwrap_or_default();
    assert!(script.contains("panicpol check --format sarif"), "{script}");
    assert!(
        script.contains(&format!("> {sarif_file}")),
        "{script} does not write {sarif_file}"
    );

    // Run the same command line here, in a repository with the file it checks.
    let d = tmp_dir("workflow");
    write(
        &d.join("etc/kernel/cmdline"),
        "root=/dev/vda1 panic=10 quiet panic=\"5\n",
    );
    let bin_dir = Path::new(BIN)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = output(
        Command::new("sh")
            .arg("-ec")
            .arg(script)
            .current_dir(&d)
            .env("PATH", path),
    );
    // PP101 (the open quote) is an error: the step fails, after writing SARIF.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let sarif: serde_json::Value = match serde_json::from_str(&read(&d.join(sarif_file))) {
        Ok(v) => v,
        Err(e) => panic!("{sarif_file}: {e}"),
    };
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(results.iter().any(|r| r["ruleId"] == "PP101"), "{sarif}");
    // Relative paths, as GitHub resolves them against the repository root.
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "etc/kernel/cmdline"
    );
}

// ------------------------------------------------- completions and man pages

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = panicpol(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let script = text(&o.stdout);
        assert!(script.contains("panicpol"), "{shell}");
        for sub in ["check", "rule", "completions"] {
            assert!(script.contains(sub), "{shell} lacks {sub}");
        }
        assert!(
            script.contains("fail-level"),
            "{shell} lacks check's options"
        );
    }
    assert_eq!(panicpol(&["completions", "tcsh"]).status.code(), Some(2));
    // The bash script is valid bash.
    if let Some(bash) = panicpol_testkit::which("bash") {
        let d = tmp_dir("completions");
        let f = d.join("panicpol.bash");
        write(&f, panicpol(&["completions", "bash"]).stdout);
        let o = output(Command::new(bash).arg("-n").arg(&f));
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
}

#[test]
fn man_page_mentions_every_subcommand() {
    let o = panicpol(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let page = text(&o.stdout);
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "{page}");
    assert!(page.contains(".TH panicpol 1"), "{page}");
    for sub in subcommands() {
        assert!(
            page.contains(&format!("panicpol\\-{sub}(1)")),
            "man page lacks {sub}"
        );
        let o = panicpol(&["man", &sub]);
        assert_eq!(o.status.code(), Some(0), "{sub}");
        let p = text(&o.stdout);
        assert!(p.contains(&format!(".TH panicpol-{sub} 1")), "{sub}: {p}");
    }
    for section in ["EXIT STATUS", "panicpol.toml", "NO_COLOR", "disable\\-file"] {
        assert!(page.contains(section), "man page lacks {section}");
    }
    // check's page documents its options.
    let check = text(&panicpol(&["man", "check"]).stdout);
    for opt in ["\\-\\-format", "\\-\\-fail\\-level", "\\-\\-exit\\-zero"] {
        assert!(check.contains(opt), "panicpol-check(1) lacks {opt}");
    }
    assert_eq!(panicpol(&["man", "nonsense"]).status.code(), Some(2));

    // --dir writes one page per command.
    let d = tmp_dir("man");
    let o = panicpol(&["man", "--dir", &d.display().to_string()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(d.join("panicpol.1").is_file());
    for sub in subcommands() {
        assert!(d.join(format!("panicpol-{sub}.1")).is_file(), "{sub}");
    }
    // groff renders it without complaint, when installed.
    if let Some(groff) = panicpol_testkit::which("groff") {
        let o = output(
            Command::new(groff)
                .args(["-man", "-Tutf8", "-ww", "-z"])
                .arg(d.join("panicpol.1")),
        );
        assert!(
            o.status.success() && o.stderr.is_empty(),
            "{}",
            text(&o.stderr)
        );
    }
}
