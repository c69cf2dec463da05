//! Reading a kernel `.config` (`/boot/config-<release>`, or the text of
//! `/proc/config.gz` once decompressed) into a [`KernelConfig`].
//!
//! The grammar is the one scripts/kconfig/confdata.c `conf_read_simple()`
//! accepts: `CONFIG_X=value` lines, `# CONFIG_X is not set` (recorded as
//! `n`), other `#` lines are comments, a trailing `\r` is dropped, and a later
//! line for the same option replaces an earlier one. String values are
//! unquoted and unescaped (`\"` → `"`, `\\` → `\`), so `CONFIG_CMDLINE` reads
//! as the command line itself. Lines kconfig would warn about are skipped and
//! reported as [`ConfigWarning`]s, as kconfig does; bytes that are not a
//! config at all (binary, compressed) are an error.
//!
//! Decompressing `/proc/config.gz` would need a new dependency (a gzip
//! decoder) for a file the caller can `zcat`; gzip input is refused with an
//! error that says so.

use crate::model::KernelConfig;

/// Lines longer than this are refused. A real config's longest line is a
/// `CONFIG_CMDLINE` string (bounded by `COMMAND_LINE_SIZE`, at most a few KiB
/// on any architecture) or `CONFIG_CC_VERSION_TEXT`.
pub const MAX_LINE_LEN: usize = 64 * 1024;

/// Why a config could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// Compressed data (`/proc/config.gz`) that could not be decompressed.
    Compressed {
        /// Why, from the decompressor.
        reason: String,
    },
    /// A NUL byte: binary data, not a config.
    Binary {
        /// Byte offset of the first NUL.
        offset: usize,
    },
    /// A line that is not valid UTF-8.
    InvalidUtf8 {
        /// The line (from 1).
        line: usize,
    },
    /// A line longer than [`MAX_LINE_LEN`].
    LineTooLong {
        /// The line (from 1).
        line: usize,
    },
    /// Not a single `CONFIG_` line: not a kernel config.
    NoOptions,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Compressed { reason } => write!(f, "compressed config: {reason}"),
            ConfigError::Binary { offset } => write!(
                f,
                "binary data (a NUL byte at offset {offset}): not a kernel config"
            ),
            ConfigError::InvalidUtf8 { line } => write!(f, "line {line}: not valid UTF-8"),
            ConfigError::LineTooLong { line } => {
                write!(f, "line {line}: longer than {MAX_LINE_LEN} bytes")
            }
            ConfigError::NoOptions => {
                write!(f, "no `CONFIG_` lines: this is not a kernel config")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// A line kconfig itself would warn about and skip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The line (from 1).
    pub line: usize,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// A config, read, with the lines that were skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigRead {
    /// The options.
    pub config: KernelConfig,
    /// Skipped lines, in order.
    pub warnings: Vec<ConfigWarning>,
}

/// The most a compressed config may grow to: real configs are 150–300 KB
/// (Debian 6.12: 280 KB), so anything near this is not a config.
pub const MAX_DECOMPRESSED: usize = 16 << 20;

/// Reads a kernel config: the text of `.config` or `/boot/config-REL`, or
/// the same compressed (`/proc/config.gz` with `CONFIG_IKCONFIG_PROC`;
/// gzip, and xz or zstd as some distributions ship it).
pub fn read_config(bytes: &[u8]) -> Result<ConfigRead, ConfigError> {
    let text = config_text(bytes)?;
    let bytes: &[u8] = &text;
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(ConfigError::Binary { offset });
    }
    let mut out = ConfigRead::default();
    let mut any = false;
    for (idx, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = idx + 1;
        if raw.len() > MAX_LINE_LEN {
            return Err(ConfigError::LineTooLong { line });
        }
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = std::str::from_utf8(raw).map_err(|_| ConfigError::InvalidUtf8 { line })?;
        if out.config.version.is_none() && line <= HEADING_LINES {
            out.config.version = heading_version(text);
        }
        match parse_line(text) {
            Line::Skip => {}
            Line::Set(name, value) => {
                any = true;
                out.config.options.insert(name.to_string(), value);
            }
            Line::Warn(reason) => out.warnings.push(ConfigWarning { line, reason }),
        }
    }
    if !any {
        return Err(ConfigError::NoOptions);
    }
    Ok(out)
}

/// kconfig writes its heading in the first lines (`#`, `# Automatically
/// generated file; DO NOT EDIT.`, `# Linux/x86 6.12.117 Kernel
/// Configuration`); a comment further down is not the heading.
const HEADING_LINES: usize = 8;

/// The version of kconfig's heading comment: the main menu's prompt
/// `Linux/$(ARCH) $(KERNELVERSION) Kernel Configuration` after `# `.
fn heading_version(text: &str) -> Option<String> {
    let rest = text.strip_prefix("# Linux/")?;
    let rest = rest.strip_suffix(" Kernel Configuration")?;
    let (_arch, version) = rest.split_once(' ')?;
    let ok = version.starts_with(|c: char| c.is_ascii_digit())
        && version.len() <= 64
        && !version.contains(char::is_whitespace);
    ok.then(|| version.to_string())
}

/// The kernel release in an installed file's name: `System.map-REL`,
/// `config-REL`, `vmlinux-REL`, `vmlinuz-REL` (as `installkernel` and
/// distribution packages name them in `/boot`), when REL starts with a
/// digit.
pub fn release_from_file_name(name: &str) -> Option<String> {
    let rel = ["System.map-", "config-", "vmlinux-", "vmlinuz-"]
        .iter()
        .find_map(|p| name.strip_prefix(p))?;
    let ok = rel.starts_with(|c: char| c.is_ascii_digit())
        && rel.len() <= 128
        && !rel.contains(|c: char| c.is_whitespace() || c == '/');
    ok.then(|| rel.to_string())
}

/// The text of a kernel config file: the bytes as they are, or
/// decompressed (gzip, xz, zstd, told by the magic bytes) within
/// [`MAX_DECOMPRESSED`]. Whatever else reads config files (the boot-source
/// reader) goes through this too.
pub fn config_text(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, ConfigError> {
    use crate::elf::decompress::{Compression, decompress};
    if Compression::detect(bytes).is_none() {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    let text = decompress(bytes, MAX_DECOMPRESSED).map_err(|e| ConfigError::Compressed {
        reason: e.to_string(),
    })?;
    // A compressed config holding another compressed config is not one.
    if Compression::detect(&text).is_some() {
        return Err(ConfigError::Compressed {
            reason: "compressed twice".into(),
        });
    }
    Ok(std::borrow::Cow::Owned(text))
}

/// What one line means.
#[derive(Debug, PartialEq, Eq)]
enum Line<'a> {
    /// Blank or a comment.
    Skip,
    /// An option (name without `CONFIG_`) and its value.
    Set(&'a str, String),
    /// Something kconfig warns about.
    Warn(&'static str),
}

fn parse_line(text: &str) -> Line<'_> {
    if text.is_empty() {
        return Line::Skip;
    }
    if let Some(comment) = text.strip_prefix('#') {
        // Only `# CONFIG_X is not set` (exactly one space after `#`) means
        // something; kconfig ignores every other comment.
        return match comment
            .strip_prefix(" CONFIG_")
            .and_then(|r| r.strip_suffix(" is not set"))
        {
            Some(name) if valid_name(name) => Line::Set(name, "n".to_string()),
            _ => Line::Skip,
        };
    }
    let Some(rest) = text.strip_prefix("CONFIG_") else {
        return Line::Warn("unexpected data: not a `CONFIG_` line or a comment");
    };
    let Some((name, value)) = rest.split_once('=') else {
        return Line::Warn("unexpected data: no `=` after the option name");
    };
    if !valid_name(name) {
        return Line::Warn("invalid option name");
    }
    if value.starts_with('"') {
        match unquote(value) {
            Some(v) => Line::Set(name, v),
            None => Line::Warn("invalid string: no closing quote"),
        }
    } else {
        Line::Set(name, value.to_string())
    }
}

/// Kconfig symbol names: letters, digits, `_` (non-empty).
fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A kconfig string: `"` … `"` with `\` escaping the next character; what
/// follows the closing quote is ignored, as kconfig does.
fn unquote(value: &str) -> Option<String> {
    let mut chars = value.strip_prefix('"')?.chars();
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => out.push(chars.next()?),
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let cases: &[(&str, Line<'_>)] = &[
            ("", Line::Skip),
            ("#", Line::Skip),
            ("# Linux/x86 6.12.117 Kernel Configuration", Line::Skip),
            (
                "# CONFIG_BOOT_CONFIG is not set",
                Line::Set("BOOT_CONFIG", "n".into()),
            ),
            ("#CONFIG_BOOT_CONFIG is not set", Line::Skip),
            ("# CONFIG_BOOT_CONFIG is set", Line::Skip),
            (
                "CONFIG_KALLSYMS_ALL=y",
                Line::Set("KALLSYMS_ALL", "y".into()),
            ),
            ("CONFIG_HYPERV=m", Line::Set("HYPERV", "m".into())),
            (
                "CONFIG_GCC_VERSION=120200",
                Line::Set("GCC_VERSION", "120200".into()),
            ),
            (
                "CONFIG_PHYSICAL_START=0x1000000",
                Line::Set("PHYSICAL_START", "0x1000000".into()),
            ),
            (
                "CONFIG_LOCALVERSION=\"\"",
                Line::Set("LOCALVERSION", String::new()),
            ),
            (
                "CONFIG_CMDLINE=\"console=ttyS0 \\\"quoted\\\" back\\\\slash\"",
                Line::Set("CMDLINE", "console=ttyS0 \"quoted\" back\\slash".into()),
            ),
            (
                "CONFIG_CMDLINE=\"a\" trailing",
                Line::Set("CMDLINE", "a".into()),
            ),
            (
                "CONFIG_CMDLINE=\"open",
                Line::Warn("invalid string: no closing quote"),
            ),
            (
                "CONFIG_CMDLINE=\"ends in escape\\",
                Line::Warn("invalid string: no closing quote"),
            ),
            (
                "CONFIG_X",
                Line::Warn("unexpected data: no `=` after the option name"),
            ),
            ("CONFIG_=y", Line::Warn("invalid option name")),
            ("CONFIG_A B=y", Line::Warn("invalid option name")),
            (
                "X=y",
                Line::Warn("unexpected data: not a `CONFIG_` line or a comment"),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(&parse_line(text), want, "{text:?}");
        }
    }

    #[test]
    fn heading_and_file_names_give_the_version() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "# Linux/x86 6.12.117 Kernel Configuration",
                Some("6.12.117"),
            ),
            (
                "# Linux/arm64 6.1.176 Kernel Configuration",
                Some("6.1.176"),
            ),
            (
                "# Linux/x86 6.18.0-rc3 Kernel Configuration",
                Some("6.18.0-rc3"),
            ),
            ("# Linux/x86 Kernel Configuration", None),
            ("# Linux/x86 six Kernel Configuration", None),
            ("# Linux/x86 6.12.117 Kernel Configuration extra", None),
            ("#Linux/x86 6.12.117 Kernel Configuration", None),
        ];
        for (line, want) in cases {
            assert_eq!(heading_version(line).as_deref(), *want, "{line}");
        }
        let text = b"#\n# Automatically generated file; DO NOT EDIT.\n\
# Linux/x86 6.1.176 Kernel Configuration\n#\nCONFIG_HZ=250\n";
        assert_eq!(
            read_config(text).unwrap().config.version.as_deref(),
            Some("6.1.176")
        );
        // Only the heading: the same comment later in the file is not it.
        let late = format!(
            "{}# Linux/x86 6.1.176 Kernel Configuration\n",
            "CONFIG_A=y\n".repeat(20)
        );
        assert_eq!(read_config(late.as_bytes()).unwrap().config.version, None);
        let names: &[(&str, Option<&str>)] = &[
            (
                "System.map-6.12.117+deb12-cloud-amd64",
                Some("6.12.117+deb12-cloud-amd64"),
            ),
            ("config-6.1.0-50-cloud-amd64", Some("6.1.0-50-cloud-amd64")),
            ("vmlinuz-6.18.44-fc-v669", Some("6.18.44-fc-v669")),
            ("System.map", None),
            ("config-x", None),
            ("System.map-", None),
            ("kallsyms", None),
        ];
        for (name, want) in names {
            assert_eq!(release_from_file_name(name).as_deref(), *want, "{name}");
        }
    }

    /// Debian's real configs carry the upstream version the release string
    /// hides.
    #[test]
    fn real_configs_give_their_version() {
        for (series, want) in [("6.1", "6.1."), ("6.12", "6.12.")] {
            let Some(p) = panicpol_testkit::real_kernel(series, "config") else {
                return;
            };
            let r = read_config(&std::fs::read(p).unwrap()).unwrap();
            let v = r.config.version.unwrap();
            assert!(v.starts_with(want) && v.len() > want.len(), "{series}: {v}");
        }
    }

    /// `/proc/config.gz` (CONFIG_IKCONFIG_PROC) reads as the text does;
    /// damaged or nested compression is a clear error.
    #[test]
    fn compressed_configs_read_as_the_text() {
        use std::io::Write;
        let Some(p) = panicpol_testkit::real_kernel("6.12", "config") else {
            return;
        };
        let text = std::fs::read(p).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&text).unwrap();
        let gz = gz.finish().unwrap();
        let plain = read_config(&text).unwrap();
        let read = read_config(&gz).unwrap();
        assert_eq!(read, plain);
        assert!(read.config.enabled("BOOT_CONFIG").is_some());
        let cut = read_config(&gz[..gz.len() / 2]).unwrap_err();
        assert!(cut.to_string().starts_with("compressed config: "), "{cut}");
        let mut twice = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        twice.write_all(&gz).unwrap();
        let twice = read_config(&twice.finish().unwrap()).unwrap_err();
        assert!(twice.to_string().contains("compressed twice"), "{twice}");
    }

    #[test]
    fn whole_file() {
        let text = b"#\n# Automatically generated file; DO NOT EDIT.\n#\n\
CONFIG_KALLSYMS=y\r\n# CONFIG_BOOT_CONFIG is not set\n\
CONFIG_HZ=250\ngarbage\nCONFIG_HZ=1000\n";
        let r = read_config(text);
        let Ok(r) = r else { panic!("{r:?}") };
        assert_eq!(r.config.enabled("KALLSYMS"), Some(true));
        assert_eq!(r.config.enabled("BOOT_CONFIG"), Some(false));
        assert_eq!(r.config.enabled("CMDLINE_BOOL"), None);
        // The last assignment wins, as in kconfig.
        assert_eq!(r.config.value("HZ"), Some("1000"));
        assert_eq!(
            r.warnings,
            [ConfigWarning {
                line: 7,
                reason: "unexpected data: not a `CONFIG_` line or a comment"
            }]
        );
    }

    #[test]
    fn errors() {
        assert!(matches!(
            read_config(b"\x1f\x8b\x08\x00"),
            Err(ConfigError::Compressed { .. })
        ));
        assert_eq!(
            read_config(b"CONFIG_A=y\n\x00"),
            Err(ConfigError::Binary { offset: 11 })
        );
        assert_eq!(
            read_config(b"CONFIG_A=y\nCONFIG_B=\"\xff\"\n"),
            Err(ConfigError::InvalidUtf8 { line: 2 })
        );
        assert_eq!(read_config(b""), Err(ConfigError::NoOptions));
        assert_eq!(
            read_config(b"# just a comment\n"),
            Err(ConfigError::NoOptions)
        );
        let long = format!("CONFIG_A=y\nCONFIG_B=\"{}\"\n", "x".repeat(MAX_LINE_LEN));
        assert_eq!(
            read_config(long.as_bytes()),
            Err(ConfigError::LineTooLong { line: 2 })
        );
    }

    /// Debian's 6.1 and 6.12 cloud configs (skipped when absent). Counts are
    /// `grep -c '^CONFIG_'` plus `grep -c '^# CONFIG_.* is not set$'`.
    #[test]
    fn real_configs() {
        for (version, options) in [("6.1", 2_814 + 1_220), ("6.12", 3_071 + 1_254)] {
            let Some(path) = panicpol_testkit::real_kernel(version, "config") else {
                continue;
            };
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let r = read_config(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(r.warnings.is_empty(), "{version}: {:?}", r.warnings);
            let c = &r.config;
            assert_eq!(c.options.len(), options, "{version}");
            // No Debian kernel enables bootconfig (reference/real-kernels.md §0).
            assert_eq!(c.enabled("BOOT_CONFIG"), Some(false), "{version}");
            assert_eq!(c.enabled("KALLSYMS_ALL"), Some(true), "{version}");
            assert_eq!(c.enabled("CMDLINE_BOOL"), Some(false), "{version}");
            assert_eq!(c.value("HZ"), Some("250"), "{version}");
            assert_eq!(c.value("LOCALVERSION"), Some(""), "{version}");
            assert!(
                c.value("CC_VERSION_TEXT").is_some_and(|v| v
                    .starts_with("x86_64-linux-gnu-gcc-12")
                    || v.starts_with("gcc-12")),
                "{version}"
            );
        }
    }
}
