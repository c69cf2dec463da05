//! The policy as bootconfig text, whether the target kernel will load it, and
//! what the kernel will do with the keys of any bootconfig.
//!
//! The text is one `kernel.NAME = VALUE` line per parameter (flat keys rather
//! than a `kernel { … }` block: each line stands alone, so the output can be
//! appended to or merged with another bootconfig file and read by `grep`). A
//! parameter given more than once (a handler that runs per occurrence) is one
//! key with an array value, which the kernel renders back as repeated
//! parameters. Values are written bare when they are made of safe bytes,
//! otherwise in double quotes.
//!
//! Refused, with an error that names them:
//! - early and arch-parsed parameters (`oops=`, `panic_on_taint=`,
//!   `crashkernel=`, `panic_notifier_filter=` …): `setup_boot_config` runs
//!   after `parse_early_param` and the arch code read the boot command line,
//!   so the kernel would show them in /proc/cmdline and never apply them;
//! - values the kernel's renderer (`xbc_snprint_cmdline`) cannot hand to
//!   `next_arg` intact: a `"`, or a space other than `" \t\r\n"` (bytes 0x0B,
//!   0x0C, 0xA0), which it leaves outside quotes where `next_arg` splits;
//! - text beyond the kernel's limits, found by parsing the output with the
//!   project's parser (nodes, key length, depth) plus the size an initrd
//!   footer can carry whatever the initrd's length.
//!
//! After rendering, the text is parsed back and the `kernel.*` fragment the
//! kernel would build from it is compared with the parameters: a mismatch is
//! an error, never output.

use std::fmt;

use panicpol_diagnostics::Severity;
use panicpol_kernel::Kernel;
use panicpol_policy::dispatch::{self, BootLine, BootconfigText, DropReason, Fate, Layer, Tables};
use panicpol_syntax::bootconfig::{
    self, Bootconfig, ComposeError, Options, ParseError, bootconfig_on_cmdline,
};
use panicpol_syntax::cmdline::tokenize;
use panicpol_syntax::ctype::is_kernel_space;

use crate::initrd::{BOOTCONFIG_ALIGN, MAX_ATTACH_SIZE};
use crate::params::Param;

/// The largest text [`render`] writes: with its NUL and the worst padding
/// (3 bytes) it still fits [`MAX_ATTACH_SIZE`], whatever the initrd's
/// length.
pub const MAX_TEXT: usize = MAX_ATTACH_SIZE - 1 - (BOOTCONFIG_ALIGN - 1);

/// The first line of the text.
pub const HEADER: &str =
    "# panic policy written by panicpol; kernel.* keys become kernel parameters\n";

/// An early parameter that bootconfig cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlyParam {
    /// `name=value` as the command line would have it.
    pub param: String,
    /// The sysctl that sets the same variable late, if there is one.
    pub sysctl: Option<&'static str>,
}

/// Why the policy cannot be written as bootconfig.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BootconfigError {
    /// Nothing to write: an empty bootconfig is refused by the kernel.
    Empty,
    /// Early or arch-parsed parameters.
    Early(Vec<EarlyParam>),
    /// A name that is not a valid key (`[A-Za-z0-9_-]` words joined by `.`).
    BadKey {
        /// The parameter name.
        name: String,
    },
    /// A value the kernel cannot pass on intact.
    BadValue {
        /// The parameter name.
        name: String,
        /// Why.
        why: String,
    },
    /// The same key both bare and with a value.
    Mixed {
        /// The parameter name.
        name: String,
    },
    /// Text + NUL + worst padding beyond [`MAX_ATTACH_SIZE`].
    TooBig {
        /// The text's length.
        len: usize,
    },
    /// The kernel's parser rejects the text (a node, key-length or depth
    /// limit).
    Parse(ParseError),
    /// The kernel could not render the `kernel.*` keys.
    Compose(ComposeError),
    /// The kernel would build a different command line from the text (a bug
    /// in panicpol).
    Mismatch {
        /// What the kernel would build.
        rendered: String,
        /// What was meant.
        expected: String,
    },
}

impl fmt::Display for BootconfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BootconfigError::Empty => f.write_str(
                "the policy has no parameter to write (every value is the kernel's default; --all writes the defaults), and the kernel refuses an empty bootconfig",
            ),
            BootconfigError::Early(params) => {
                let names: Vec<&str> = params.iter().map(|p| p.param.as_str()).collect();
                write!(
                    f,
                    "{} cannot come from bootconfig: the kernel parses {} from the bootloader's command line before it loads the bootconfig, so it would show {} in /proc/cmdline and never apply {}; put {} on the bootloader's command line (emit --format cmdline)",
                    names.join(", "),
                    if names.len() == 1 { "it" } else { "them" },
                    if names.len() == 1 { "it" } else { "them" },
                    if names.len() == 1 { "it" } else { "them" },
                    if names.len() == 1 { "it" } else { "them" },
                )?;
                for p in params {
                    if let Some(s) = p.sysctl {
                        write!(
                            f,
                            "; {} has a late form bootconfig can carry: --set sysctl.{s}=VALUE (the key kernel.sysctl.{s})",
                            p.param
                        )?;
                    }
                }
                Ok(())
            }
            BootconfigError::BadKey { name } => {
                write!(f, "{name:?} is not a valid bootconfig key")
            }
            BootconfigError::BadValue { name, why } => write!(f, "{name}: {why}"),
            BootconfigError::Mixed { name } => write!(
                f,
                "{name} is given both without and with a value; one bootconfig key cannot be both"
            ),
            BootconfigError::TooBig { len } => write!(
                f,
                "the bootconfig text is {len} bytes; with its NUL and padding it must fit in {MAX_ATTACH_SIZE} bytes (at most {MAX_TEXT} bytes of text)"
            ),
            BootconfigError::Parse(e) => {
                write!(f, "the kernel would reject the bootconfig: {e}")
            }
            BootconfigError::Compose(e) => {
                write!(f, "the kernel could not render the kernel.* keys: {e}")
            }
            BootconfigError::Mismatch { rendered, expected } => write!(
                f,
                "internal error: the kernel would read {rendered:?} from the bootconfig, not {expected:?}"
            ),
        }
    }
}

impl std::error::Error for BootconfigError {}

/// Whether a value can stay unquoted: bytes that no bootconfig delimiter,
/// quote or comment uses.
fn bare_ok(v: &[u8]) -> bool {
    !v.is_empty()
        && v.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'@' | b'/' | b'+' | b'-')
        })
}

fn check_value(name: &str, v: &[u8]) -> Result<(), BootconfigError> {
    let bad = |why: String| BootconfigError::BadValue {
        name: name.to_owned(),
        why,
    };
    if let Some(i) = v.iter().position(|&b| b == b'"') {
        return Err(bad(format!(
            "the value has '\"' at offset {i}; the kernel renders bootconfig values without escapes, so the command line it builds would toggle quoting there"
        )));
    }
    for (i, &b) in v.iter().enumerate() {
        // xbc_snprint_cmdline quotes only for " \t\r\n"; next_arg also
        // splits at \v, \f and 0xA0, which would be left outside quotes.
        if is_kernel_space(b) && !matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            return Err(bad(format!(
                "the value has byte 0x{b:02x} at offset {i}: the kernel would leave it outside quotes, where its tokenizer splits the parameter"
            )));
        }
        if b == b'\n' || b == b'\r' || (b < 0x20 && b != b'\t') || b == 0x7f {
            return Err(bad(format!(
                "the value has control byte 0x{b:02x} at offset {i}"
            )));
        }
    }
    Ok(())
}

fn check_key(name: &str) -> Result<(), BootconfigError> {
    let ok = name.split('.').all(|w| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    if ok {
        Ok(())
    } else {
        Err(BootconfigError::BadKey {
            name: name.to_owned(),
        })
    }
}

/// Text the kernel parsed and accepted, with its tree.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The bootconfig text.
    pub text: Vec<u8>,
    /// The tree as the kernel parses it.
    pub config: Bootconfig,
}

/// Writes the parameters as bootconfig text and proves that the kernel will
/// read them back (see the module documentation).
pub fn render(params: &[Param]) -> Result<Rendered, BootconfigError> {
    if params.is_empty() {
        return Err(BootconfigError::Empty);
    }
    let early: Vec<EarlyParam> = params
        .iter()
        .filter(|p| p.early)
        .map(|p| EarlyParam {
            param: p.display(),
            sysctl: p.sysctl,
        })
        .collect();
    if !early.is_empty() {
        return Err(BootconfigError::Early(early));
    }
    // Adjacent parameters of one name become one key with an array.
    let mut groups: Vec<(&str, Vec<Option<&[u8]>>)> = Vec::new();
    for p in params {
        check_key(&p.name)?;
        if let Some(v) = &p.value {
            check_value(&p.name, v)?;
        }
        match groups.last_mut() {
            Some((n, vals)) if *n == p.name => vals.push(p.value.as_deref()),
            _ => {
                if groups.iter().any(|(n, _)| *n == p.name) {
                    return Err(BootconfigError::Mixed {
                        name: p.name.clone(),
                    });
                }
                groups.push((&p.name, vec![p.value.as_deref()]));
            }
        }
    }
    let mut text = HEADER.as_bytes().to_vec();
    for (name, vals) in &groups {
        text.extend_from_slice(b"kernel.");
        text.extend_from_slice(name.as_bytes());
        let present: Vec<&[u8]> = vals.iter().flatten().copied().collect();
        if present.is_empty() {
            text.push(b'\n');
            continue;
        }
        if present.len() != vals.len() {
            return Err(BootconfigError::Mixed {
                name: (*name).to_owned(),
            });
        }
        text.extend_from_slice(b" = ");
        for (i, v) in present.iter().enumerate() {
            if i > 0 {
                text.extend_from_slice(b", ");
            }
            if bare_ok(v) {
                text.extend_from_slice(v);
            } else {
                text.push(b'"');
                text.extend_from_slice(v);
                text.push(b'"');
            }
        }
        text.push(b'\n');
    }
    let config = check_text(&text)?;
    // What the kernel will put on its command line must be the parameters.
    let rendered = config
        .cmdline("kernel")
        .map_err(BootconfigError::Compose)?
        .map(|r| r.text)
        .unwrap_or_default();
    let expected = kernel_rendering(params);
    if rendered != expected {
        return Err(BootconfigError::Mismatch {
            rendered: String::from_utf8_lossy(&rendered).into_owned(),
            expected: String::from_utf8_lossy(&expected).into_owned(),
        });
    }
    Ok(Rendered { text, config })
}

/// `xbc_snprint_cmdline` of the parameters: `name[=value] ` each, the value
/// quoted when it has a space, tab, CR or LF.
fn kernel_rendering(params: &[Param]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in params {
        out.extend_from_slice(p.name.as_bytes());
        if let Some(v) = &p.value {
            out.push(b'=');
            let q = v.iter().any(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
            if q {
                out.push(b'"');
            }
            out.extend_from_slice(v);
            if q {
                out.push(b'"');
            }
        }
        out.push(b' ');
    }
    out
}

/// Checks bootconfig text against the kernel's limits: the size an initrd
/// footer can carry ([`MAX_TEXT`]) and, by parsing it as the kernel does,
/// the node (`XBC_NODE_MAX`), key-length (`XBC_KEYLEN_MAX`) and depth
/// (`XBC_DEPTH_MAX`) limits and the grammar.
pub fn check_text(text: &[u8]) -> Result<Bootconfig, BootconfigError> {
    if text.len() > MAX_TEXT {
        return Err(BootconfigError::TooBig { len: text.len() });
    }
    let mut data = text.to_vec();
    data.push(0);
    bootconfig::parse(&data, Options::KERNEL).map_err(BootconfigError::Parse)
}

/// Whether the target kernel can load a bootconfig, and how that is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Support {
    /// `CONFIG_BOOT_CONFIG`, when known.
    pub compiled: Option<bool>,
    /// `CONFIG_BOOT_CONFIG_FORCE`, when known (only a config tells).
    pub force: Option<bool>,
    /// Where `compiled` comes from: `"config"`, `"symbols"`, or `"unknown"`.
    pub known_from: &'static str,
}

/// Reads bootconfig support from the kernel's config, else from its
/// symbols: `xbc_init` (lib/bootconfig.c, built only with
/// `CONFIG_BOOT_CONFIG`) and `bootconfig_params` (init/main.c, inside
/// `#ifdef CONFIG_BOOT_CONFIG`). The `bootconfig` setup entry cannot tell:
/// its handler is `warn_bootconfig` with and without the option (6.1 and
/// 6.12; only its body differs). `CONFIG_BOOT_CONFIG_FORCE` leaves no symbol.
pub fn support(kernel: &Kernel) -> Support {
    if let Some(c) = &kernel.config {
        return Support {
            compiled: Some(c.enabled("BOOT_CONFIG").unwrap_or(false)),
            force: Some(c.enabled("BOOT_CONFIG_FORCE").unwrap_or(false)),
            known_from: "config",
        };
    }
    if !kernel.symbols.is_empty() {
        let has = |n: &str| kernel.symbols.get(n).next().is_some();
        return Support {
            compiled: Some(has("xbc_init") || has("bootconfig_params")),
            force: None,
            known_from: "symbols",
        };
    }
    Support {
        compiled: None,
        force: None,
        known_from: "unknown",
    }
}

/// A remark about whether a bootconfig will be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// How serious.
    pub severity: Severity,
    /// What to say.
    pub message: String,
}

/// Whether the target kernel will load a bootconfig booted with
/// `bootloader` (the bootloader's command line, when known).
pub fn warnings(kernel: &Kernel, bootloader: Option<&[u8]>) -> Vec<Warning> {
    let s = support(kernel);
    let mut out = Vec::new();
    match s.compiled {
        Some(false) => out.push(Warning {
            severity: Severity::Warning,
            message: format!(
                "the target kernel lacks CONFIG_BOOT_CONFIG ({}): it cuts the bootconfig off the initrd and ignores it",
                if s.known_from == "config" {
                    "its config"
                } else {
                    "its symbols have no xbc_init"
                }
            ),
        }),
        None => out.push(Warning {
            severity: Severity::Info,
            message: "cannot tell whether the target kernel has CONFIG_BOOT_CONFIG; give --config, --vmlinux or --system-map".into(),
        }),
        Some(true) => {}
    }
    if s.compiled != Some(false) && s.force != Some(true) {
        let requested = bootloader.is_some_and(bootconfig_on_cmdline);
        if !requested {
            let why = match s.force {
                Some(false) => "the target kernel lacks CONFIG_BOOT_CONFIG_FORCE",
                _ => "unless the kernel has CONFIG_BOOT_CONFIG_FORCE, which only its config shows",
            };
            let line = if bootloader.is_some_and(|b| !b.is_empty()) {
                "the command line given has no `bootconfig` parameter before `--`"
            } else {
                "the bootloader's command line must have a `bootconfig` parameter"
            };
            out.push(Warning {
                severity: Severity::Warning,
                message: format!("{line}: the kernel loads a bootconfig only with it ({why})"),
            });
        }
    }
    out
}

/// What the kernel will do with one key of a bootconfig.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// The bootconfig key (`kernel.oops`), when the finding is about one.
    pub key: Option<String>,
    /// What happens.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
}

/// The kernel's verdict on a bootconfig booted with `bootloader` (the
/// bootloader's command line; `None`: assume it has `bootconfig` and nothing
/// else): whether it is loaded, every `kernel.*` parameter that is not
/// applied (early parameters, rejected values, names the kernel does not
/// have), and keys the kernel's renderer drops.
pub fn audit(config: &Bootconfig, kernel: &Kernel, bootloader: Option<&[u8]>) -> Vec<Finding> {
    let mut out: Vec<Finding> = warnings(kernel, Some(bootloader.unwrap_or(b"bootconfig")))
        .into_iter()
        .map(|w| Finding {
            severity: w.severity,
            key: None,
            message: w.message,
            help: None,
        })
        .collect();
    let render = |key: &str| match config.cmdline(key) {
        Ok(r) => (r.map(|r| r.text).unwrap_or_default(), None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let (ktext, kerr) = render("kernel");
    let (itext, ierr) = render("init");
    for (root, err) in [("kernel", kerr), ("init", ierr)] {
        if let Some(e) = err {
            out.push(Finding {
                severity: Severity::Error,
                key: Some(root.to_owned()),
                message: format!("the kernel adds no {root}.* parameter at all: {e}"),
                help: Some(format!(
                    "do not give {root} itself a value, and keep keys under 16 words"
                )),
            });
        }
    }
    let line = BootLine {
        bootloader: bootloader.unwrap_or(b"bootconfig"),
        bootconfig: Some(BootconfigText {
            kernel: &ktext,
            init: &itext,
        }),
    };
    let d = dispatch::dispatch(&line, &Tables::from_kernel(kernel));
    for t in d
        .tokens
        .iter()
        .filter(|t| t.layer == Layer::BootconfigKernel)
    {
        let text = String::from_utf8_lossy(&t.text.0).into_owned();
        let name = tokenize(&t.text.0)
            .tokens
            .first()
            .map(|k| String::from_utf8_lossy(k.name_bytes(&t.text.0)).into_owned())
            .unwrap_or_else(|| text.clone());
        let key = Some(format!("kernel.{name}"));
        let finding = match &t.fate {
            Fate::Dropped {
                reason: DropReason::EarlyNotOnBootloaderLine,
            } => {
                let sysctl = panicpol_policy::catalogue::lookup(name.as_bytes())
                    .and_then(|s| s.sysctl)
                    .map(|s| format!(", or kernel.sysctl.{} (applied late, as a sysctl)", s.name))
                    .unwrap_or_default();
                Some((
                    Severity::Error,
                    format!(
                        "`{text}` is an early parameter: the kernel shows it in /proc/cmdline but never applies it from bootconfig"
                    ),
                    Some(format!("put it on the bootloader's command line{sysctl}")),
                ))
            }
            Fate::Rejected { message, .. } => Some((
                Severity::Error,
                format!(
                    "the kernel rejects `{text}`: {}",
                    String::from_utf8_lossy(&message.0)
                ),
                None,
            )),
            Fate::InitArgv { .. } | Fate::InitEnv { .. } => Some((
                Severity::Warning,
                format!("`{text}` is not a parameter of this kernel: it is passed to init"),
                None,
            )),
            Fate::Dropped {
                reason: DropReason::DottedUnknown,
            } => Some((
                Severity::Warning,
                format!(
                    "`{text}` is not a built-in parameter of this kernel: dropped (a module may read it when it loads)"
                ),
                None,
            )),
            _ => None,
        };
        if let Some((severity, message, help)) = finding {
            out.push(Finding {
                severity,
                key,
                message,
                help,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Source;
    use panicpol_kernel::KernelSource;

    fn p(name: &str, value: Option<&str>) -> Param {
        Param {
            name: name.into(),
            value: value.map(|v| v.as_bytes().to_vec()),
            early: false,
            sysctl: None,
            field: None,
            default: false,
            source: Source::Set { index: 0 },
        }
    }

    fn body(r: &Rendered) -> String {
        String::from_utf8_lossy(&r.text)
            .strip_prefix(HEADER)
            .expect("header")
            .to_owned()
    }

    #[test]
    fn flat_keys_bare_or_quoted_values_and_arrays() {
        let r = render(&[
            p("crash_kexec_post_notifiers", Some("1")),
            p("panic_print", Some("0x3")),
            p("panic", Some("-1")),
            p("reboot", Some("panic_warm")),
            p("reboot", Some("cold")),
            p("ftrace_dump_on_oops", None),
            p("x", Some("a,b c;d#e}")),
            p("sysctl.kernel.panic_on_rcu_stall", Some("1")),
        ])
        .expect("renders");
        assert_eq!(
            body(&r),
            "kernel.crash_kexec_post_notifiers = 1\n\
             kernel.panic_print = 0x3\n\
             kernel.panic = -1\n\
             kernel.reboot = panic_warm, cold\n\
             kernel.ftrace_dump_on_oops\n\
             kernel.x = \"a,b c;d#e}\"\n\
             kernel.sysctl.kernel.panic_on_rcu_stall = 1\n"
        );
        let k = r.config.cmdline("kernel").expect("ok").expect("some");
        assert_eq!(
            String::from_utf8_lossy(&k.text),
            "crash_kexec_post_notifiers=1 panic_print=0x3 panic=-1 reboot=panic_warm reboot=cold ftrace_dump_on_oops x=\"a,b c;d#e}\" sysctl.kernel.panic_on_rcu_stall=1 "
        );
    }

    #[test]
    fn early_parameters_are_refused_by_name_with_the_sysctl_hint() {
        let mut oops = p("oops", Some("panic"));
        oops.early = true;
        oops.sysctl = Some("kernel.panic_on_oops");
        let mut ck = p("crashkernel", Some("256M"));
        ck.early = true;
        let e = render(&[p("panic", Some("1")), oops, ck]).expect_err("early");
        let m = e.to_string();
        assert!(
            m.starts_with("oops=panic, crashkernel=256M cannot come from bootconfig"),
            "{m}"
        );
        assert!(m.contains("/proc/cmdline"), "{m}");
        assert!(m.contains("--set sysctl.kernel.panic_on_oops=VALUE"), "{m}");
        assert!(m.contains("kernel.sysctl.kernel.panic_on_oops"), "{m}");
    }

    #[test]
    fn values_and_names_the_kernel_cannot_carry_are_refused() {
        for v in ["a\"b", "a\u{a0}b", "a\x0bb", "a\nb", "a\x01b"] {
            assert!(
                matches!(
                    render(&[p("x", Some(v))]),
                    Err(BootconfigError::BadValue { .. })
                ),
                "{v:?}"
            );
        }
        for n in ["a..b", "a b", "a=b", ".a", "a."] {
            assert!(
                matches!(
                    render(&[p(n, Some("1"))]),
                    Err(BootconfigError::BadKey { .. })
                ),
                "{n:?}"
            );
        }
        assert!(matches!(
            render(&[p("x", None), p("x", Some("1"))]),
            Err(BootconfigError::Mixed { .. })
        ));
        assert!(matches!(
            render(&[p("x", Some("1")), p("y", Some("1")), p("x", Some("2"))]),
            Err(BootconfigError::Mixed { .. })
        ));
        assert_eq!(render(&[]).map(|r| r.text), Err(BootconfigError::Empty));
    }

    #[test]
    fn the_kernels_limits_are_checked_by_parsing_the_output() {
        // Size: the text with NUL and worst padding must fit 32766 bytes.
        let long = "9".repeat(MAX_TEXT);
        match render(&[p("x", Some(&long))]) {
            Err(BootconfigError::TooBig { len }) => assert!(len > MAX_TEXT),
            other => panic!("{other:?}"),
        }
        assert_eq!(MAX_TEXT, 32762);
        // Nodes: every key word and value is one (XBC_NODE_MAX = 8192); a
        // parameter repeated 8200 times is one key with 8200 values, which
        // fits the size limit.
        let many: Vec<Param> = (0..8200).map(|_| p("x", Some("1"))).collect();
        match render(&many) {
            Err(BootconfigError::Parse(e)) => assert_eq!(e.kind.message(), "Too many nodes"),
            other => panic!("{other:?}"),
        }
        // Key length: the composed key must stay under 256 bytes.
        let name = "k".repeat(250);
        match render(&[p(&name, Some("1"))]) {
            Err(BootconfigError::Parse(e)) => {
                assert_eq!(e.kind.message(), "Too long key length")
            }
            other => panic!("{other:?}"),
        }
        // Depth: at most 16 words in a key.
        let deep = vec!["a"; 16].join(".");
        match render(&[p(&deep, Some("1"))]) {
            Err(BootconfigError::Parse(e)) => assert_eq!(e.kind.message(), "Too many key words"),
            other => panic!("{other:?}"),
        }
        // 15 words below `kernel` still parse.
        let ok = vec!["a"; 15].join(".");
        assert!(render(&[p(&ok, Some("1"))]).is_ok());
    }

    fn kernel_with_config(opts: &[(&str, &str)]) -> Kernel {
        let mut k = Kernel::empty(KernelSource::Catalogue);
        let mut c = panicpol_kernel::KernelConfig::default();
        for (n, v) in opts {
            c.options.insert((*n).into(), (*v).into());
        }
        k.config = Some(c);
        k
    }

    #[test]
    fn support_from_the_config_and_the_warnings() {
        let none = kernel_with_config(&[]);
        let w = warnings(&none, Some(b"bootconfig"));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].message
                .contains("lacks CONFIG_BOOT_CONFIG (its config)")
        );
        let on = kernel_with_config(&[("BOOT_CONFIG", "y")]);
        assert!(warnings(&on, Some(b"console=ttyS0 bootconfig")).is_empty());
        let w = warnings(&on, Some(b"console=ttyS0 -- bootconfig"));
        assert!(w[0].message.contains("no `bootconfig`"), "{w:?}");
        assert!(
            w[0].message.contains("lacks CONFIG_BOOT_CONFIG_FORCE"),
            "{w:?}"
        );
        let forced = kernel_with_config(&[("BOOT_CONFIG", "y"), ("BOOT_CONFIG_FORCE", "y")]);
        assert!(warnings(&forced, None).is_empty());
        let unknown = Kernel::empty(KernelSource::Catalogue);
        let w = warnings(&unknown, None);
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(w[0].severity, Severity::Info);
        assert!(w[1].message.contains("must have a `bootconfig`"), "{w:?}");
    }

    #[test]
    fn support_from_symbols() {
        use panicpol_kernel::Symbol;
        let sym = |n: &str| Symbol {
            name: n.into(),
            addr: 0xffff_ffff_8100_0000,
            kind: 't',
            module: None,
        };
        let mut k = Kernel::empty(KernelSource::SystemMap);
        // Debian's 6.12: the setup entry's handler exists either way.
        k.symbols = panicpol_kernel::symbols::SymbolTable::new(vec![sym("warn_bootconfig")]);
        assert_eq!(support(&k).compiled, Some(false));
        k.symbols = panicpol_kernel::symbols::SymbolTable::new(vec![
            sym("warn_bootconfig"),
            sym("xbc_init"),
        ]);
        assert_eq!(support(&k).compiled, Some(true));
        assert_eq!(support(&k).force, None);
    }

    #[test]
    fn audit_reports_what_the_kernel_will_not_apply() {
        let mut k = kernel_with_config(&[("BOOT_CONFIG", "y")]);
        k.release = Some("6.12.117".into());
        panicpol_policy::supplement::supplement(&mut k);
        let text = b"kernel.oops = panic\nkernel.panic_print = 0x3\nkernel.panic = banana\nkernel.nosuchthing = 1\n\0";
        let bc = bootconfig::parse(text, Options::KERNEL).expect("parses");
        let f = audit(&bc, &k, None);
        let keys: Vec<(Severity, Option<&str>)> =
            f.iter().map(|f| (f.severity, f.key.as_deref())).collect();
        assert_eq!(
            keys,
            [
                (Severity::Error, Some("kernel.oops")),
                (Severity::Error, Some("kernel.panic")),
                (Severity::Warning, Some("kernel.nosuchthing")),
            ],
            "{f:#?}"
        );
        assert!(
            f[0].help
                .as_deref()
                .is_some_and(|h| h.contains("kernel.sysctl.kernel.panic_on_oops"))
        );
        // `kernel = x` makes kernel a leaf: nothing is added.
        let bc = bootconfig::parse(b"kernel = x\nkernel.panic = 1\n\0", Options::KERNEL)
            .expect("parses");
        let f = audit(&bc, &k, None);
        assert!(
            f.iter()
                .any(|f| f.key.as_deref() == Some("kernel") && f.severity == Severity::Error),
            "{f:#?}"
        );
        // Without `bootconfig` on the given line: a warning first.
        let bc = bootconfig::parse(b"kernel.panic = 1\n\0", Options::KERNEL).expect("parses");
        let f = audit(&bc, &k, Some(b"console=ttyS0"));
        assert!(f[0].message.contains("no `bootconfig`"), "{f:#?}");
    }
}
