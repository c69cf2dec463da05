//! The command-line dispatch vectors: every file under
//! `grammar/vectors/cmdline/` is an input (a command line, optional
//! bootconfig, the kernel tables it runs against) and the expected fate of
//! every token. The format is documented in `grammar/README.md`.
//!
//! `UPDATE_VECTORS=1 cargo test -p panicpol-policy --test cmdline_vectors`
//! rewrites the expected part of every vector from the engine's output; the
//! diff is then reviewed like code.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use panicpol_kernel::{
    Kernel, KernelConfig, KernelParam, KernelSource, Known, ParamType, SetupParam,
};
use panicpol_policy::dispatch::{
    BootLine, BootconfigText, Dispatch, Effect, Fate, Tables, dispatch, escape, parse_version,
    unescape,
};

/// The line between a vector's input and its expected output.
const MARK: &str = "== expected ==";

/// The least number of vectors the suite must hold (the brief's minimum).
const MIN_VECTORS: usize = 60;

fn vector_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../grammar/vectors/cmdline")
}

/// One parsed vector.
struct Vector {
    kernel: Kernel,
    obsolete: Vec<String>,
    version: Option<Option<(u32, u32)>>,
    cmdline: Vec<u8>,
    bc_kernel: Option<Vec<u8>>,
    bc_init: Option<Vec<u8>>,
    input: String,
    expected: Option<String>,
}

/// The default "vector kernel": real 6.12 entries (names, types, levels and
/// `.init.setup` strings from the 6.12.117 source), in a plausible link order.
fn default_kernel() -> Kernel {
    let mut k = Kernel::empty(KernelSource::Vmlinux);
    k.release = Some("6.12.117+deb12-cloud-amd64".into());
    k.tables_complete = true;
    // kernel/panic.c core_param ×5; kernel/printk/printk.c module_param_named;
    // kernel/module/signing.c module_param(sig_enforce, bool_enable_only).
    for (name, ty) in [
        ("panic", ParamType::Int),
        ("panic_print", ParamType::Ulong),
        ("pause_on_oops", ParamType::Int),
        ("panic_on_warn", ParamType::Int),
        ("crash_kexec_post_notifiers", ParamType::Bool),
        ("printk.time", ParamType::Bool),
        ("printk.always_kmsg_dump", ParamType::Bool),
        ("module.sig_enforce", ParamType::BoolEnableOnly),
    ] {
        k.params.push(param(name, ty, -1));
    }
    if let Some(p) = k.params.last_mut() {
        p.default = Some(panicpol_kernel::DefaultValue::Bool(false));
    }
    // arch/x86/entry/syscall_x32.c arch_param_cb(x32, &x32_param_ops, …).
    k.params.push(param(
        "syscall.x32",
        ParamType::Custom("x32_param_ops".into()),
        3,
    ));
    for (s, early, h) in [
        ("debug", true, "debug_kernel"),
        ("quiet", true, "quiet_kernel"),
        ("reset_devices", false, "set_reset_devices"),
        ("bootconfig", true, "warn_bootconfig"),
        ("init=", false, "init_setup"),
        ("rdinit=", false, "rdinit_setup"),
        ("oops", true, "oops_setup"),
        ("panic_on_taint", true, "panic_on_taint_setup"),
        ("crashkernel", true, "parse_crashkernel_dummy"),
        ("printk.devkmsg=", false, "control_devkmsg"),
        ("console=", false, "console_setup"),
        ("nmi_watchdog=", false, "hardlockup_panic_setup"),
        ("softlockup_panic=", false, "softlockup_panic_setup"),
        ("nowatchdog", false, "nowatchdog_setup"),
        ("earlycon", true, "param_setup_earlycon"),
    ] {
        k.setups.push(SetupParam {
            string: s.into(),
            early,
            handler: Some(h.into()),
            known: Known::Table,
        });
    }
    let mut cfg = KernelConfig::default();
    for (key, v) in [
        ("INIT_ENV_ARG_LIMIT", "32"),
        ("SYSCTL", "y"),
        ("BOOT_CONFIG", "y"),
        ("BOOT_CONFIG_FORCE", "n"),
    ] {
        cfg.options.insert(key.into(), v.into());
    }
    k.config = Some(cfg);
    k
}

fn param(name: &str, ty: ParamType, level: i8) -> KernelParam {
    KernelParam {
        name: name.into(),
        level,
        ty,
        perm: 0o644,
        flags: 0,
        arg_symbol: None,
        default: None,
        known: Known::Table,
    }
}

fn param_type(s: &str) -> Result<ParamType, String> {
    Ok(match s {
        "bool" => ParamType::Bool,
        "invbool" => ParamType::Invbool,
        "bool_enable_only" => ParamType::BoolEnableOnly,
        "bint" => ParamType::Bint,
        "byte" => ParamType::Byte,
        "short" => ParamType::Short,
        "ushort" => ParamType::Ushort,
        "int" => ParamType::Int,
        "uint" => ParamType::Uint,
        "long" => ParamType::Long,
        "ulong" => ParamType::Ulong,
        "ullong" => ParamType::Ullong,
        "hexint" => ParamType::Hexint,
        "charp" => ParamType::Charp,
        "string" => ParamType::String,
        "array" => ParamType::Array,
        "unknown" => ParamType::Unknown,
        other => match other.strip_prefix("custom:") {
            Some(ops) => ParamType::Custom(ops.into()),
            None => return Err(format!("unknown param type {other:?}")),
        },
    })
}

fn parse_vector(text: &str) -> Result<Vector, String> {
    let (input, expected) = match text.split_once(&format!("\n{MARK}\n")) {
        Some((i, e)) => (i.to_string(), Some(e.to_string())),
        None => (text.trim_end_matches('\n').to_string(), None),
    };
    let mut v = Vector {
        kernel: default_kernel(),
        obsolete: Vec::new(),
        version: None,
        cmdline: Vec::new(),
        bc_kernel: None,
        bc_init: None,
        input: input.clone(),
        expected,
    };
    let (mut about, mut source, mut cmdline) = (false, false, false);
    for (n, line) in input.lines().enumerate() {
        let n = n + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, rest) = line
            .split_once(':')
            .ok_or_else(|| format!("line {n}: expected `key: value`"))?;
        let rest = rest.strip_prefix(' ').unwrap_or(rest);
        let bytes = || unescape(rest).map_err(|e| format!("line {n}: {e}"));
        match key {
            "about" => about = true,
            "source" => source = true,
            "kernel" => match rest {
                "default" => {}
                "bare" => {
                    let release = v.kernel.release.clone();
                    let config = v.kernel.config.clone();
                    v.kernel = Kernel::empty(KernelSource::Vmlinux);
                    v.kernel.release = release;
                    v.kernel.config = config;
                    v.kernel.tables_complete = true;
                }
                o => return Err(format!("line {n}: kernel {o:?}")),
            },
            "version" => {
                v.version = Some(match rest {
                    "unknown" => None,
                    r => Some(parse_version(r).ok_or_else(|| format!("line {n}: version"))?),
                })
            }
            "tables" => {
                v.kernel.tables_complete = match rest {
                    "complete" => true,
                    "incomplete" => false,
                    o => return Err(format!("line {n}: tables {o:?}")),
                }
            }
            "config" => {
                if rest == "unknown" {
                    v.kernel.config = None;
                } else {
                    let (k, val) = rest
                        .split_once('=')
                        .ok_or_else(|| format!("line {n}: config KEY=VALUE"))?;
                    v.kernel
                        .config
                        .get_or_insert_with(KernelConfig::default)
                        .options
                        .insert(k.into(), val.into());
                }
            }
            "param" => {
                let mut w = rest.split_whitespace();
                let name = w.next().ok_or_else(|| format!("line {n}: param name"))?;
                let ty = param_type(w.next().ok_or_else(|| format!("line {n}: param type"))?)?;
                let mut p = param(name, ty, -1);
                for opt in w {
                    match opt {
                        "unsafe" => p.flags |= 1,
                        "hwparam" => p.flags |= 2,
                        "inferred" => p.known = Known::SymbolName,
                        "default=y" => p.default = Some(panicpol_kernel::DefaultValue::Bool(true)),
                        "default=n" => p.default = Some(panicpol_kernel::DefaultValue::Bool(false)),
                        o => match o.strip_prefix("level=") {
                            Some(l) => {
                                p.level = l.parse().map_err(|_| format!("line {n}: level"))?
                            }
                            None => return Err(format!("line {n}: param option {o:?}")),
                        },
                    }
                }
                v.kernel.params.push(p);
            }
            "setup" => {
                let mut w = rest.split_whitespace();
                let string = w.next().ok_or_else(|| format!("line {n}: setup string"))?;
                let mut s = SetupParam {
                    string: string.into(),
                    early: false,
                    handler: None,
                    known: Known::Table,
                };
                for opt in w {
                    match opt {
                        "early" => s.early = true,
                        "inferred" => s.known = Known::SymbolName,
                        "obsolete" => v.obsolete.push(string.into()),
                        o => match o.strip_prefix("handler=") {
                            Some(h) => s.handler = Some(h.into()),
                            None => return Err(format!("line {n}: setup option {o:?}")),
                        },
                    }
                }
                v.kernel.setups.push(s);
            }
            "cmdline" => {
                cmdline = true;
                v.cmdline = bytes()?;
            }
            "bootconfig.kernel" => v.bc_kernel = Some(bytes()?),
            "bootconfig.init" => v.bc_init = Some(bytes()?),
            o => return Err(format!("line {n}: unknown key {o:?}")),
        }
    }
    if !(about && source && cmdline) {
        return Err("a vector needs `about:`, `source:` and `cmdline:` lines".into());
    }
    Ok(v)
}

/// A byte string in the vector notation, quoted: the escape notation of
/// `dispatch::escape`, plus `\"` and control bytes as escapes so that every
/// rendered value stays on one line.
fn q(b: &[u8]) -> String {
    let mut out = String::from("\"");
    for c in escape(b).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() && u32::from(c) < 0x80 => {
                out.push_str(&format!("\\x{:02x}", u32::from(c)))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn snake<T: serde::Serialize>(t: &T) -> String {
    match serde_json::to_value(t) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => format!("<{e}>"),
    }
}

fn render(d: &Dispatch) -> String {
    let mut o = String::new();
    for (i, t) in d.tokens.iter().enumerate() {
        let _ = write!(
            o,
            "#{i} {} {}..{} {} -> ",
            snake(&t.layer),
            t.span.start,
            t.span.end,
            q(&t.text.0)
        );
        match &t.fate {
            Fate::Applied {
                param,
                kind,
                early,
                stage,
                value,
            } => {
                let _ = write!(
                    o,
                    "applied {} {} stage={}",
                    snake(kind),
                    q(param.as_bytes()),
                    snake(stage)
                );
                if *early {
                    o.push_str(" early");
                }
                if let Some(v) = value {
                    let _ = write!(o, " value={}", q(&v.0));
                }
            }
            Fate::Rejected {
                param,
                kind,
                early,
                stage,
                value,
                message,
            } => {
                let _ = write!(
                    o,
                    "rejected {} {} stage={}",
                    snake(kind),
                    q(param.as_bytes()),
                    snake(stage)
                );
                if *early {
                    o.push_str(" early");
                }
                if let Some(v) = value {
                    let _ = write!(o, " value={}", q(&v.0));
                }
                let _ = write!(o, " message={}", q(&message.0));
            }
            Fate::InitArgv { arg } => {
                let _ = write!(o, "init_argv {}", q(&arg.0));
            }
            Fate::InitEnv { var } => {
                let _ = write!(o, "init_env {}", q(&var.0));
            }
            Fate::Dropped { reason } => {
                let _ = write!(o, "dropped {}", snake(reason));
            }
            Fate::Ignored { reason } => {
                let _ = write!(o, "ignored {}", snake(reason));
            }
            Fate::Separator => o.push_str("separator"),
        }
        if let Some(s) = t.superseded_by {
            let _ = write!(o, " superseded_by=#{s}");
        }
        if t.reported_unknown {
            o.push_str(" reported_unknown");
        }
        o.push('\n');
        for e in &t.also {
            match e {
                Effect::Early { param, message } => {
                    let _ = write!(o, "  also early {}", q(param.as_bytes()));
                    if let Some(m) = message {
                        let _ = write!(o, " message={}", q(&m.0));
                    }
                }
                Effect::InitArgv { arg } => {
                    let _ = write!(o, "  also init_argv {}", q(&arg.0));
                }
                Effect::InitEnv { var } => {
                    let _ = write!(o, "  also init_env {}", q(&var.0));
                }
                Effect::Bootconfig { loaded } => {
                    let _ = write!(o, "  also bootconfig loaded={loaded}");
                }
                Effect::ClearsInitArgs => o.push_str("  also clears_init_args"),
            }
            o.push('\n');
        }
        for doubt in &t.doubts {
            let _ = writeln!(o, "  doubt {}", snake(doubt));
        }
    }
    let list = |v: &[panicpol_policy::dispatch::Bytes]| {
        v.iter().map(|b| q(&b.0)).collect::<Vec<_>>().join(" ")
    };
    let _ = writeln!(o, "init.argv: {}", list(&d.init.argv));
    let _ = writeln!(o, "init.env: {}", list(&d.init.env));
    if let Some(p) = &d.init.init {
        let _ = writeln!(o, "init.init: {}", q(&p.0));
    }
    if let Some(p) = &d.init.rdinit {
        let _ = writeln!(o, "init.rdinit: {}", q(&p.0));
    }
    if let Some(p) = &d.init.panic {
        let _ = writeln!(o, "init.panic: {}", q(&p.0));
    }
    for m in &d.messages {
        let _ = write!(o, "message: {} {}", snake(&m.stage), snake(&m.level));
        if let Some(t) = m.token {
            let _ = write!(o, " #{t}");
        }
        let _ = writeln!(o, " {}", q(&m.text.0));
    }
    let b = &d.bootconfig;
    if b.requested || b.provided {
        let _ = writeln!(
            o,
            "bootconfig: requested={} provided={} loaded={}",
            b.requested, b.provided, b.loaded
        );
    }
    let _ = writeln!(o, "proc_cmdline: {}", q(&d.proc_cmdline.0));
    if let Some(n) = d.bootloader_nul_at {
        let _ = writeln!(o, "nul_at: {n}");
    }
    o
}

fn run(v: &Vector) -> Dispatch {
    let mut tables = Tables::from_kernel(&v.kernel);
    // The kernel model cannot say "setup_func is NULL"; vectors can.
    for s in &mut tables.setups {
        if v.obsolete.contains(&s.string) {
            s.obsolete = true;
        }
    }
    if let Some(ver) = v.version {
        tables.version = ver;
    }
    let bootconfig = match (&v.bc_kernel, &v.bc_init) {
        (None, None) => None,
        (k, i) => Some(BootconfigText {
            kernel: k.as_deref().unwrap_or_default(),
            init: i.as_deref().unwrap_or_default(),
        }),
    };
    dispatch(
        &BootLine {
            bootloader: &v.cmdline,
            bootconfig,
        },
        &tables,
    )
}

#[test]
fn cmdline_vectors() {
    let update = std::env::var("UPDATE_VECTORS").is_ok_and(|v| v == "1");
    let dir = vector_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(
        files.len() >= MIN_VECTORS,
        "only {} vectors (want at least {MIN_VECTORS})",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let v = match parse_vector(&text) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let got = render(&run(&v));
        if update {
            if v.expected.as_deref() != Some(got.as_str()) {
                let new = format!("{}\n{MARK}\n{got}", v.input);
                std::fs::write(path, new).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            continue;
        }
        match &v.expected {
            None => failures.push(format!(
                "{name}: no `{MARK}` section (run with UPDATE_VECTORS=1)"
            )),
            Some(want) if *want != got => {
                failures.push(format!("{name}:\n--- expected\n{want}--- got\n{got}"));
            }
            Some(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// The JSON shape of DESIGN.md §7: `fate`, `param`, `kind`, `early`,
/// `value`, `span` as a pair, the init summary.
#[test]
fn json_shape_matches_the_design() {
    let k = default_kernel();
    let text = b"console=ttyS0 panic_print=0x3 foo=bar -- single";
    let d = dispatch(&BootLine::plain(text), &Tables::from_kernel(&k));
    let j = serde_json::to_value(&d).unwrap_or_default();
    let t0 = &j["tokens"][0];
    assert_eq!(t0["text"], "console=ttyS0");
    assert_eq!(t0["span"], serde_json::json!([0, 13]));
    assert_eq!(t0["fate"], "applied");
    assert_eq!(t0["param"], "console=");
    assert_eq!(t0["kind"], "setup");
    assert_eq!(t0["early"], false);
    let t1 = &j["tokens"][1];
    assert_eq!(t1["param"], "panic_print");
    assert_eq!(t1["kind"], "param");
    assert_eq!(t1["value"], "0x3");
    assert_eq!(j["tokens"][2]["fate"], "init_env");
    assert_eq!(j["tokens"][3]["fate"], "separator");
    assert_eq!(j["tokens"][4]["fate"], "init_argv");
    assert_eq!(j["init"]["argv"], serde_json::json!(["single"]));
    assert_eq!(
        j["init"]["env"],
        serde_json::json!(["HOME=/", "TERM=linux", "foo=bar"])
    );
}

/// The vector format's own parser rejects what it does not understand
/// instead of silently running a different test.
#[test]
fn vector_parser_rejects_mistakes() {
    assert!(parse_vector("about: x\nsource: y\n").is_err());
    assert!(parse_vector("about: x\nsource: y\ncmdline: a\nparam: p nosuchtype\n").is_err());
    assert!(parse_vector("about: x\nsource: y\ncmdline: a\nbogus: 1\n").is_err());
    assert!(parse_vector("about: x\nsource: y\ncmdline: \\q\n").is_err());
    assert!(parse_vector("about: x\nsource: y\ncmdline: a\n").is_ok());
}

/// A Debian-style command line against the real 6.12 and 6.1 tables (read
/// from the debug vmlinux, with the shipped config).
#[test]
fn real_kernels_dispatch_a_debian_line() {
    let line: &[u8] = b"BOOT_IMAGE=/boot/vmlinuz root=UUID=0b5c ro console=tty0 console=ttyS0,115200 quiet \
        panic=-1 crash_kexec_post_notifiers crash-kexec-post-notifiers=off panic_print=0x3 oops=panic crashkernel=256M \
        hung_task_panic=1 panicpol.action=crash bootconfig foo=bar -- single";
    for version in ["6.12", "6.1"] {
        let (Some(vmlinux), Some(config)) = (
            panicpol_testkit::real_kernel(version, "vmlinux"),
            panicpol_testkit::real_kernel(version, "config"),
        ) else {
            return;
        };
        let opts = panicpol_kernel::elf::Options {
            params: true,
            notifiers: false,
            lines: false,
            ..panicpol_kernel::elf::Options::default()
        };
        let t0 = std::time::Instant::now();
        let mut kernel = panicpol_kernel::elf::read_vmlinux(&vmlinux, opts)
            .unwrap_or_else(|e| panic!("{version}: {e}"));
        let read = t0.elapsed();
        let cfg = std::fs::read(&config).unwrap_or_else(|e| panic!("{version}: {e}"));
        kernel.config = Some(
            panicpol_kernel::config::read_config(&cfg)
                .unwrap_or_else(|e| panic!("{version}: {e}"))
                .config,
        );
        let tables = Tables::from_kernel(&kernel);
        let t1 = std::time::Instant::now();
        let d = dispatch(&BootLine::plain(line), &tables);
        let took = t1.elapsed();
        eprintln!("{version}: vmlinux tables read in {read:?}, dispatch in {took:?}");
        let got = render(&d);
        eprintln!("{got}");
        let fate = |text: &str| {
            d.tokens
                .iter()
                .find(|t| t.text.0 == text.as_bytes())
                .map(|t| t.fate.clone())
                .unwrap_or_else(|| panic!("{version}: no token {text}"))
        };
        let applied = |text: &str, want_param: &str, want_early: bool| match fate(text) {
            Fate::Applied { param, early, .. } => {
                assert_eq!(
                    (param.as_str(), early),
                    (want_param, want_early),
                    "{version}: {text}"
                )
            }
            other => panic!("{version}: {text}: {other:?}"),
        };
        assert!(matches!(
            fate("BOOT_IMAGE=/boot/vmlinuz"),
            Fate::Ignored { .. }
        ));
        applied("root=UUID=0b5c", "root=", false);
        applied("ro", "ro", false);
        applied("console=ttyS0,115200", "console=", false);
        applied("quiet", "quiet", true);
        applied("panic=-1", "panic", false);
        applied(
            "crash_kexec_post_notifiers",
            "crash_kexec_post_notifiers",
            false,
        );
        applied(
            "crash-kexec-post-notifiers=off",
            "crash_kexec_post_notifiers",
            false,
        );
        applied("panic_print=0x3", "panic_print", false);
        applied("oops=panic", "oops", true);
        applied("crashkernel=256M", "crashkernel", true);
        applied("bootconfig", "bootconfig", true);
        applied("hung_task_panic=1", "kernel.hung_task_panic", false);
        assert!(matches!(
            fate("panicpol.action=crash"),
            Fate::Dropped { .. }
        ));
        assert!(matches!(fate("foo=bar"), Fate::InitEnv { .. }));
        assert!(matches!(fate("single"), Fate::InitArgv { .. }));
        // Debian's kernels lack CONFIG_BOOT_CONFIG: the early handler warns.
        assert!(
            d.messages
                .iter()
                .any(|m| m.text.0.starts_with(b"WARNING: 'bootconfig' found")),
            "{version}: {got}"
        );
        assert_eq!(d.init.argv.len(), 1, "{version}: {got}");
        // Complete tables: no fate rests on a missing table.
        assert!(
            d.tokens.iter().all(|t| !t
                .doubts
                .contains(&panicpol_policy::dispatch::Doubt::TablesIncomplete)),
            "{version}: {got}"
        );
    }
}

/// Arbitrary bytes never panic the engine, and its output is consistent:
/// spans point at their text, indices point at tokens, init's arguments come
/// from tokens.
#[test]
fn random_lines_keep_the_invariants() {
    // xorshift64*: deterministic, no dependency.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let pieces: &[&[u8]] = &[
        b" ",
        b"\t",
        b"\xa0",
        b"\"",
        b"=",
        b"--",
        b"-",
        b".",
        b"a",
        b"panic",
        b"console",
        b"init",
        b"sysctl",
        b"/",
        b"quiet",
        b"oops",
        b"BOOT_IMAGE",
        b"kexec",
        b"x=1",
        b"hung_task_panic",
        b"\xff",
        b"0x3",
        b"printk.time",
        b"\0",
        b"bootconfig",
    ];
    let mut kernel = default_kernel();
    if let Some(c) = kernel.config.as_mut() {
        c.options.insert("INIT_ENV_ARG_LIMIT".into(), "4".into());
    }
    let tables = Tables::from_kernel(&kernel);
    let mut gen_line = |max: u64| {
        let n = next() % max;
        let mut s = Vec::new();
        for _ in 0..n {
            let i = usize::try_from(next() % pieces.len() as u64).unwrap_or(0);
            s.extend_from_slice(pieces[i]);
        }
        s
    };
    for round in 0..4000 {
        let boot = gen_line(24);
        let (bk, bi) = (gen_line(6), gen_line(6));
        let line = BootLine {
            bootloader: &boot,
            bootconfig: (round % 3 == 0).then_some(BootconfigText {
                kernel: &bk,
                init: &bi,
            }),
        };
        let d = dispatch(&line, &tables);
        let n = d.tokens.len();
        for (i, t) in d.tokens.iter().enumerate() {
            if let Some(s) = t.superseded_by {
                assert!(s > i && s < n, "{round}: {t:?}");
            }
            if t.layer == panicpol_policy::dispatch::Layer::Bootloader {
                assert_eq!(
                    boot.get(t.span.clone()),
                    Some(t.text.0.as_slice()),
                    "{round}"
                );
            }
        }
        for m in &d.messages {
            assert!(m.token.is_none_or(|t| t < n), "{round}: {m:?}");
        }
        for a in &d.init.argv {
            let from_token = d.tokens.iter().any(|t| {
                matches!(&t.fate, Fate::InitArgv { arg } if arg == a)
                    || t.also
                        .iter()
                        .any(|e| matches!(e, Effect::InitArgv { arg } if arg == a))
            });
            assert!(from_token, "{round}: {a:?} in argv but from no token");
        }
        let boot_tokens = panicpol_syntax::cmdline::tokenize(&boot).tokens.len();
        let from_boot = d
            .tokens
            .iter()
            .filter(|t| t.layer == panicpol_policy::dispatch::Layer::Bootloader)
            .count();
        if !d.bootconfig.loaded {
            assert_eq!(from_boot, boot_tokens, "{round}");
        }
    }
}
