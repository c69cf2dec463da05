//! Data-driven tests of the value grammars: every file under
//! `grammar/vectors/values/` holds lines `<version> <input> => <expected>`
//! (format in `grammar/values.md`). Run with `PANICPOL_BLESS=1` to rewrite the
//! expected column from the current results, then review the diff.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use panicpol_policy::values::{
    self, Base, BoolValue, CrashKernel, CrashKernelForm, FtraceDumpOnOops, IntType, KernelVersion,
    Note, PanicTimeout, RebootSetting, SysctlHandler, SysctlValue, ValueError,
};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../grammar/vectors/values")
}

/// Decodes a vector input: `NULL`, or a double-quoted string with `\n \t \\ \" \xHH`.
fn decode_input(s: &str) -> Result<Option<Vec<u8>>, String> {
    if s == "NULL" {
        return Ok(None);
    }
    let inner = s
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .ok_or("input must be NULL or \"quoted\"")?;
    let mut out = Vec::new();
    let mut it = inner.bytes();
    while let Some(b) = it.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match it.next() {
            Some(b'n') => out.push(b'\n'),
            Some(b't') => out.push(b'\t'),
            Some(b'\\') => out.push(b'\\'),
            Some(b'"') => out.push(b'"'),
            Some(b'x') => {
                let h: Vec<u8> = it.by_ref().take(2).collect();
                let h = std::str::from_utf8(&h).map_err(|e| e.to_string())?;
                out.push(u8::from_str_radix(h, 16).map_err(|e| e.to_string())?);
            }
            other => return Err(format!("bad escape {other:?}")),
        }
    }
    Ok(Some(out))
}

/// Splits a vector line into version, input and expected (without a trailing ` # comment`).
fn split_line(line: &str) -> Result<(&str, &str, &str), String> {
    let (lhs, rhs) = line.split_once(" => ").ok_or("missing ' => '")?;
    let expected = rhs.split_once(" # ").map_or(rhs, |(e, _)| e).trim();
    let lhs = lhs.trim();
    let (version, input) = lhs.split_once(' ').ok_or("missing input")?;
    Ok((version, input.trim(), expected))
}

fn version(s: &str) -> Result<KernelVersion, String> {
    if s == "?" {
        Ok(KernelVersion::UNKNOWN)
    } else {
        KernelVersion::parse(s).map_err(|e| e.to_string())
    }
}

fn span(s: &Option<std::ops::Range<usize>>) -> String {
    s.as_ref()
        .map_or(String::new(), |s| format!("@{}..{}", s.start, s.end))
}

fn notes(n: &[Note]) -> String {
    if n.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = n
        .iter()
        .map(|n| format!("{}{}", n.kind.slug(), span(&n.span)))
        .collect();
    format!(" notes={}", parts.join(","))
}

fn err(e: &ValueError) -> String {
    format!("err {} {}{}", e.errno, e.reason.slug(), span(&e.span))
}

/// Sizes as memparse would write them, for readable crashkernel vectors.
fn size(b: u64) -> String {
    for (shift, unit) in [
        (60, "E"),
        (50, "P"),
        (40, "T"),
        (30, "G"),
        (20, "M"),
        (10, "K"),
    ] {
        if b != 0 && b % (1u64 << shift) == 0 {
            return format!("{}{unit}", b >> shift);
        }
    }
    b.to_string()
}

fn render_bool(r: Result<BoolValue, ValueError>) -> String {
    match r {
        Ok(b) => {
            let form = match b.form {
                values::BoolForm::BareFlag => "bare",
                values::BoolForm::Word => "word",
                values::BoolForm::Prefix => "prefix",
            };
            format!("ok {} {form}{}", b.value, notes(&b.notes))
        }
        Err(e) => err(&e),
    }
}

fn int_type(s: &str) -> Result<IntType, String> {
    Ok(match s {
        "u8" => IntType::U8,
        "s8" => IntType::S8,
        "u16" => IntType::U16,
        "s16" => IntType::S16,
        "u32" => IntType::U32,
        "s32" => IntType::S32,
        "u64" => IntType::U64,
        "s64" => IntType::S64,
        _ => return Err(format!("unknown type {s}")),
    })
}

fn ck(c: &CrashKernel) -> String {
    let kind = format!("{:?}", c.kind).to_lowercase();
    let body = match &c.form {
        CrashKernelForm::Simple { size: s, offset } => {
            format!(
                "simple size={}{}",
                size(*s),
                offset.map_or(String::new(), |o| format!(" offset={}", size(o)))
            )
        }
        CrashKernelForm::Ranges { ranges, offset } => {
            let r: Vec<String> = ranges
                .iter()
                .map(|r| {
                    format!(
                        "{}-{}:{}",
                        size(r.start),
                        r.end.map_or(String::new(), size),
                        size(r.size)
                    )
                })
                .collect();
            format!(
                "ranges {}{}",
                r.join(","),
                offset.map_or(String::new(), |o| format!(" offset={}", size(o)))
            )
        }
        CrashKernelForm::Suffix { size: s } => format!("size={}", size(*s)),
    };
    format!("ok {kind} {body}{}", notes(&c.notes))
}

/// Runs one grammar on one input and renders the result.
fn run(grammar: &str, v: &KernelVersion, input: Option<&[u8]>) -> Result<String, String> {
    let some = |what: &str| input.ok_or_else(|| format!("{what} takes no NULL input"));
    let mut parts = grammar.split(':');
    let name = parts.next().unwrap_or_default();
    Ok(match name {
        "kstrtobool" => render_bool(values::kstrtobool(some(name)?, v)),
        "param_set_bool" => render_bool(values::parse_bool(input, v)),
        "kstrto" => {
            let ty = int_type(parts.next().unwrap_or_default())?;
            let base = match parts.next() {
                Some("0") => Base::Auto,
                Some("16") => Base::Hex,
                Some("10") => Base::Dec,
                Some("8") => Base::Oct,
                other => return Err(format!("bad base {other:?}")),
            };
            let r = match input {
                None => values::parse_int(None, ty),
                Some(s) => values::kstrtoint(s, base, ty),
            };
            match r {
                Ok(n) => {
                    let radix = match n.radix {
                        values::Radix::Oct => "oct",
                        values::Radix::Dec => "dec",
                        values::Radix::Hex => "hex",
                    };
                    format!("ok {} {radix}{}", n.value, notes(&n.notes))
                }
                Err(e) => err(&e),
            }
        }
        "memparse" => {
            let m = values::memparse(some(name)?);
            let mut s = format!("ok {} consumed={}", size(m.bytes), m.consumed);
            if m.wrapped {
                s.push_str(" wrapped");
            }
            s
        }
        "panic_print" => match values::parse_panic_print(input, v) {
            Ok(p) => {
                let bits: Vec<&str> = p
                    .bits
                    .iter()
                    .map(|b| b.sys_info_name.unwrap_or("console_replay"))
                    .collect();
                let mut s = format!("ok mask={:#x} bits={}", p.mask, bits.join(","));
                if let Some(e) = &p.equivalent {
                    let _ = write!(s, " equiv=\"{e}\"");
                }
                s + &notes(&p.notes)
            }
            Err(e) => err(&e),
        },
        "panic_sys_info" => {
            let i = values::parse_panic_sys_info(some(name)?);
            format!(
                "ok mask={:#x} names={}{}",
                i.mask,
                values::sys_info_names(i.mask),
                notes(&i.notes)
            )
        }
        "panic" => match values::parse_panic(input) {
            Ok((t, n)) => {
                let t = match t {
                    PanicTimeout::RebootNow => "reboot-now".to_string(),
                    PanicTimeout::WaitForever => "wait-forever".to_string(),
                    PanicTimeout::RebootAfter(s) => format!("reboot-after {s}"),
                };
                format!("ok {t}{}", notes(&n))
            }
            Err(e) => err(&e),
        },
        "panic_on_warn" => match values::parse_panic_on_warn(input) {
            Ok(n) => format!("ok {}{}", n.value, notes(&n.notes)),
            Err(e) => err(&e),
        },
        "oops" => match values::parse_oops(input) {
            Ok(o) => format!(
                "ok {}{}",
                if o.panic { "panic" } else { "unchanged" },
                notes(&o.notes)
            ),
            Err(e) => err(&e),
        },
        "panic_on_taint" => match values::parse_panic_on_taint(input, v) {
            Ok(t) => {
                let flags: Vec<&str> = t.flags.iter().map(|f| f.name).collect();
                format!(
                    "ok mask={:#x} flags={} nousertaint={}{}",
                    t.mask,
                    flags.join(","),
                    t.nousertaint,
                    notes(&t.notes)
                )
            }
            Err(e) => err(&e),
        },
        "panic_force_cpu" => match values::parse_panic_force_cpu(input) {
            Ok(c) => format!("ok cpu={}", c.cpu),
            Err(e) => err(&e),
        },
        "crashkernel" => match values::parse_crashkernel(some(name)?, v) {
            Ok(c) => ck(&c),
            Err(e) => err(&e),
        },
        "crashkernel_eval" => {
            let ram = values::memparse(parts.next().unwrap_or_default().as_bytes()).bytes;
            match values::eval_crashkernel(some(name)?, ram, v) {
                Ok(r) => {
                    let m = r.matched.map_or(String::new(), |m| format!(" match={m}"));
                    format!("ok size={} base={}{m}", size(r.size), size(r.base))
                }
                Err(e) => err(&e),
            }
        }
        "select_crashkernel" => {
            let line = some(name)?;
            let sel = values::select_crashkernel(line, v);
            let show = |s: &Option<std::ops::Range<usize>>| {
                s.as_ref()
                    .and_then(|s| line.get(s.clone()))
                    .map_or("-".to_string(), |b| String::from_utf8_lossy(b).into_owned())
            };
            format!(
                "ok plain={} high={} low={} cma={}",
                show(&sel.plain),
                show(&sel.high),
                show(&sel.low),
                show(&sel.cma)
            )
        }
        "panic_notifier_filter" => match values::parse_panic_notifier_filter(input) {
            Ok(f) => {
                // Symbols of the test kernel: every name starting with a lowercase letter.
                let r = f.resolve(
                    |n| n.bytes().next().is_some_and(|b| b.is_ascii_lowercase()),
                    0,
                );
                let of = r.overflow_at.map_or(String::new(), |s| {
                    format!(" overflow@{}..{}", s.start, s.end)
                });
                format!(
                    "ok count={} added={} unknown={}{of}{}",
                    r.count,
                    r.added.join(","),
                    r.unknown.len(),
                    notes(&f.notes)
                )
            }
            Err(e) => err(&e),
        },
        "nmi_watchdog" => {
            let w = values::parse_nmi_watchdog(some(name)?, v);
            let b = |o: Option<bool>| o.map_or("-", |b| if b { "yes" } else { "no" });
            let items: Vec<String> = w
                .items
                .iter()
                .map(|(_, i)| format!("{i:?}").to_lowercase())
                .collect();
            format!(
                "ok panic={} enabled={} items={}{}",
                b(w.hardlockup_panic),
                b(w.enabled),
                items.join(","),
                notes(&w.notes)
            )
        }
        "softlockup_panic" => {
            let (n, ns) = values::parse_softlockup_panic(some(name)?);
            format!("ok {n}{}", notes(&ns))
        }
        "unknown_nmi_panic" => {
            let (on, ns) = values::parse_unknown_nmi_panic(some(name)?);
            format!("ok {on}{}", notes(&ns))
        }
        "ftrace_dump_on_oops" => {
            let (d, ns) = values::parse_ftrace_dump_on_oops(some(name)?, v);
            let body = match d {
                FtraceDumpOnOops::Unhandled => "unhandled".to_string(),
                FtraceDumpOnOops::Set {
                    global,
                    instances,
                    stored,
                } => {
                    let g = match global {
                        None => "none",
                        Some(false) => "all",
                        Some(true) => "orig_cpu",
                    };
                    let inst: Vec<String> = instances
                        .iter()
                        .map(|(n, o)| {
                            if *o {
                                format!("{n}=orig_cpu")
                            } else {
                                n.clone()
                            }
                        })
                        .collect();
                    let st = stored.map_or(String::new(), |s| format!(" stored=\"{s}\""));
                    format!("global={g} instances={}{st}", inst.join(","))
                }
            };
            format!("ok {body}{}", notes(&ns))
        }
        "reboot" => {
            let (items, ns) = values::parse_reboot(some(name)?);
            let items: Vec<String> = items
                .iter()
                .map(|i| {
                    let s = match &i.setting {
                        RebootSetting::Mode(m) => format!("mode={m}"),
                        RebootSetting::Cpu(c) => format!("cpu={c}"),
                        RebootSetting::Type(t) => format!("type={t}"),
                        RebootSetting::Force => "force".to_string(),
                        RebootSetting::Ignored => "ignored".to_string(),
                    };
                    if i.panic { format!("panic:{s}") } else { s }
                })
                .collect();
            format!("ok {}{}", items.join(","), notes(&ns))
        }
        "sysctl_name" => match values::parse_sysctl_name(some(name)?) {
            Some(n) => format!(
                "ok {}{}",
                n.path,
                n.alias.map_or(String::new(), |a| format!(" alias={a}"))
            ),
            None => "none".to_string(),
        },
        "sysctl" => {
            let handler = match parts.next() {
                Some("int") => SysctlHandler::Int,
                Some("int01") => SysctlHandler::IntMinMax { min: 0, max: 1 },
                Some("ulong") => SysctlHandler::Ulong,
                Some("string100") => SysctlHandler::String { maxlen: 100 },
                Some("sys_info") => SysctlHandler::SysInfo,
                other => return Err(format!("bad sysctl handler {other:?}")),
            };
            match values::parse_sysctl_value(handler, input) {
                Ok((val, ns)) => {
                    let v = match val {
                        SysctlValue::Int(i) => format!("int {i}"),
                        SysctlValue::Ulong(u) => format!("ulong {u}"),
                        SysctlValue::String(s) => format!("string \"{s}\""),
                        SysctlValue::SysInfo(i) => format!("sys_info {:#x}", i.mask),
                    };
                    format!("ok {v}{}", notes(&ns))
                }
                Err(e) => err(&e),
            }
        }
        other => return Err(format!("unknown grammar {other}")),
    })
}

#[test]
fn value_vectors() {
    let bless = std::env::var("PANICPOL_BLESS").is_ok_and(|v| v == "1");
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("grammar/vectors/values exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files");
    let mut failures = Vec::new();
    let mut total = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("vector file is UTF-8");
        let mut out = String::new();
        let mut grammar: Option<String> = None;
        let mut reproduces = false;
        for (n, line) in text.lines().enumerate() {
            let where_ = format!("{}:{}", file.display(), n + 1);
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                out.push_str(line);
                out.push('\n');
                continue;
            }
            if let Some(g) = trimmed.strip_prefix("@grammar ") {
                grammar = Some(g.trim().to_string());
                out.push_str(line);
                out.push('\n');
                continue;
            }
            if trimmed.starts_with("@reproduces ") {
                reproduces = true;
                out.push_str(line);
                out.push('\n');
                continue;
            }
            let Some(g) = grammar.as_deref() else {
                failures.push(format!("{where_}: vector before any @grammar"));
                continue;
            };
            let result = split_line(line).and_then(|(ver, input, expected)| {
                let v = version(ver)?;
                let bytes = decode_input(input)?;
                let got = run(g, &v, bytes.as_deref())?;
                Ok((expected.to_string(), got))
            });
            match result {
                Err(e) => failures.push(format!("{where_}: malformed vector: {e}")),
                Ok((expected, got)) => {
                    total += 1;
                    if expected != got {
                        if !bless {
                            failures.push(format!("{where_}: {line}\n    got: {got}"));
                        }
                        let (lhs, rhs) = line.split_once(" => ").unwrap_or((line, ""));
                        let comment = rhs
                            .split_once(" # ")
                            .map_or(String::new(), |(_, c)| format!(" # {c}"));
                        let _ = writeln!(out, "{lhs} => {got}{comment}");
                        continue;
                    }
                }
            }
            out.push_str(line);
            out.push('\n');
        }
        if !reproduces {
            failures.push(format!(
                "{}: no @reproduces line naming the kernel function",
                file.display()
            ));
        }
        if bless && out != text {
            std::fs::write(file, out).expect("rewrite vector file");
        }
    }
    assert!(total >= 80, "only {total} vectors");
    assert!(
        failures.is_empty(),
        "{} vector failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn decode_input_escapes() {
    assert_eq!(decode_input("NULL"), Ok(None));
    assert_eq!(
        decode_input(r#""a\n\x00\"""#),
        Ok(Some(b"a\n\0\"".to_vec()))
    );
    assert!(decode_input("bare").is_err());
    assert!(decode_input(r#""\q""#).is_err());
}
