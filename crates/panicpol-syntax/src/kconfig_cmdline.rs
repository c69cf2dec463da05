//! The kernel config options that change the command line before any
//! parameter is read, with the place of each in the config file.
//!
//! - x86 (`arch/x86/kernel/setup.c`, 6.1 and 6.12): with
//!   `CONFIG_CMDLINE_BOOL`, `CONFIG_CMDLINE_OVERRIDE` replaces the boot
//!   loader's line with `CONFIG_CMDLINE`; otherwise a non-empty
//!   `CONFIG_CMDLINE` is put *before* it, joined by a space (so a boot
//!   loader value of a "last wins" parameter still wins).
//! - Device-tree architectures (`drivers/of/fdt.c`): `CONFIG_CMDLINE_FORCE`
//!   replaces, `CONFIG_CMDLINE_EXTEND` appends after the boot loader's line,
//!   and otherwise `CONFIG_CMDLINE` is used only when the boot loader gives
//!   none.
//! - `CONFIG_BOOT_CONFIG` / `CONFIG_BOOT_CONFIG_FORCE` decide whether a
//!   bootconfig is read at all.
//!
//! String values are read as kconfig writes them: in double quotes, `\"` and
//! `\\` escaped; every byte keeps its place in the file.

use std::ops::Range;

use panicpol_diagnostics::FileId;

use crate::compose::Builder;
use crate::issue::lines;
use crate::provenance::Composed;

/// One option as written: its value and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigOption {
    /// `y`, `m`, `n` (for `# … is not set`), or the raw value.
    pub value: Vec<u8>,
    /// The whole line.
    pub line: Range<usize>,
}

/// How the built-in command line combines with the boot loader's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// No built-in command line.
    None,
    /// Built-in first, then the boot loader's (x86 default).
    Prepend,
    /// The boot loader's first, then the built-in (`CONFIG_CMDLINE_EXTEND`).
    Append,
    /// The built-in replaces the boot loader's (`CONFIG_CMDLINE_OVERRIDE`,
    /// `CONFIG_CMDLINE_FORCE`).
    Replace,
    /// The built-in is used only when the boot loader gives an empty line.
    Fallback,
}

/// The command-line options of a kernel config.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CmdlineConfig {
    /// Options by name (without `CONFIG_`), the last line of each.
    pub options: Vec<(String, ConfigOption)>,
    /// `CONFIG_CMDLINE`'s value (unquoted, unescaped) with provenance.
    pub cmdline: Option<Composed>,
}

const NAMES: &[&str] = &[
    "CMDLINE",
    "CMDLINE_BOOL",
    "CMDLINE_OVERRIDE",
    "CMDLINE_FORCE",
    "CMDLINE_EXTEND",
    "CMDLINE_FROM_BOOTLOADER",
    "BOOT_CONFIG",
    "BOOT_CONFIG_FORCE",
    "BOOT_CONFIG_EMBED",
    "BOOT_CONFIG_EMBED_FILE",
    "X86",
];

impl CmdlineConfig {
    /// An option's line, if the config mentions it.
    pub fn option(&self, name: &str) -> Option<&ConfigOption> {
        self.options
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, o)| o)
    }

    /// Whether an option is `y`.
    pub fn enabled(&self, name: &str) -> bool {
        self.option(name).is_some_and(|o| o.value == b"y")
    }

    /// How the built-in command line applies.
    pub fn mode(&self) -> Mode {
        let text = self
            .cmdline
            .as_ref()
            .map(|c| c.text.as_slice())
            .unwrap_or_default();
        if self.option("CMDLINE_BOOL").is_some() || self.enabled("X86") {
            if !self.enabled("CMDLINE_BOOL") {
                return Mode::None;
            }
            if self.enabled("CMDLINE_OVERRIDE") {
                return Mode::Replace;
            }
            return if text.is_empty() {
                Mode::None
            } else {
                Mode::Prepend
            };
        }
        if text.is_empty() {
            return Mode::None;
        }
        if self.enabled("CMDLINE_FORCE") {
            Mode::Replace
        } else if self.enabled("CMDLINE_EXTEND") {
            Mode::Append
        } else {
            Mode::Fallback
        }
    }

    /// The boot loader's line after the built-in one is applied, as the
    /// kernel's `boot_command_line`.
    pub fn apply(&self, bootloader: &Composed) -> Composed {
        let builtin = self.cmdline.clone().unwrap_or_default();
        let mut b = Builder::new();
        match self.mode() {
            Mode::None => b.append_all(bootloader),
            Mode::Prepend => {
                b.append_all(&builtin);
                b.synthetic(b" ");
                b.append_all(bootloader);
            }
            Mode::Append => {
                b.append_all(bootloader);
                b.synthetic(b" ");
                b.append_all(&builtin);
            }
            Mode::Replace => b.append_all(&builtin),
            Mode::Fallback => {
                if bootloader.text.iter().all(u8::is_ascii_whitespace) {
                    b.append_all(&builtin);
                } else {
                    b.append_all(bootloader);
                }
            }
        }
        b.finish()
    }
}

/// Reads the options that matter from a config file.
pub fn parse(file: FileId, text: &[u8]) -> CmdlineConfig {
    let mut out = CmdlineConfig::default();
    for (start, line) in lines(text) {
        let line_range = start..start + line.len();
        if let Some(rest) = line.strip_prefix(b"# CONFIG_") {
            if let Some(name) = rest.strip_suffix(b" is not set") {
                let name = String::from_utf8_lossy(name).into_owned();
                if NAMES.contains(&name.as_str()) {
                    out.options.push((
                        name,
                        ConfigOption {
                            value: b"n".to_vec(),
                            line: line_range,
                        },
                    ));
                }
            }
            continue;
        }
        let Some(rest) = line.strip_prefix(b"CONFIG_") else {
            continue;
        };
        let Some(eq) = rest.iter().position(|&b| b == b'=') else {
            continue;
        };
        let name = String::from_utf8_lossy(rest.get(..eq).unwrap_or_default()).into_owned();
        if !NAMES.contains(&name.as_str()) {
            continue;
        }
        let raw = rest.get(eq + 1..).unwrap_or_default();
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let value_at = start + "CONFIG_".len() + eq + 1;
        if name == "CMDLINE" {
            let mut b = Builder::new();
            let inner = raw
                .strip_prefix(b"\"")
                .map(|r| r.strip_suffix(b"\"").unwrap_or(r));
            let (inner, base) = match inner {
                Some(i) => (i, value_at + 1),
                None => (raw, value_at),
            };
            let mut i = 0;
            while let Some(&c) = inner.get(i) {
                if c == b'\\' && matches!(inner.get(i + 1), Some(b'"' | b'\\')) {
                    i += 1;
                }
                if let Some(&c) = inner.get(i) {
                    b.byte_from(c, file, base + i);
                }
                i += 1;
            }
            out.cmdline = Some(b.finish());
        }
        out.options.push((
            name,
            ConfigOption {
                value: raw.to_vec(),
                line: line_range,
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(c: &Composed) -> String {
        String::from_utf8_lossy(&c.text).into_owned()
    }

    #[test]
    fn modes() {
        // (config, boot loader line, resulting boot_command_line, mode)
        let cases: &[(&str, &str, &str, Mode)] = &[
            (
                "CONFIG_X86=y\n# CONFIG_CMDLINE_BOOL is not set\n",
                "ro",
                "ro",
                Mode::None,
            ),
            (
                "CONFIG_X86=y\nCONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"panic=5 quiet\"\n# CONFIG_CMDLINE_OVERRIDE is not set\n",
                "ro",
                "panic=5 quiet ro",
                Mode::Prepend,
            ),
            (
                "CONFIG_X86=y\nCONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"panic=5\"\nCONFIG_CMDLINE_OVERRIDE=y\n",
                "ro panic=10",
                "panic=5",
                Mode::Replace,
            ),
            (
                "CONFIG_X86=y\nCONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"\"\n",
                "ro",
                "ro",
                Mode::None,
            ),
            (
                "CONFIG_CMDLINE=\"a=\\\"b c\\\"\"\nCONFIG_CMDLINE_EXTEND=y\n",
                "ro",
                "ro a=\"b c\"",
                Mode::Append,
            ),
            (
                "CONFIG_CMDLINE=\"x\"\nCONFIG_CMDLINE_FORCE=y\n",
                "ro",
                "x",
                Mode::Replace,
            ),
            ("CONFIG_CMDLINE=\"x\"\n", "ro", "ro", Mode::Fallback),
            ("CONFIG_CMDLINE=\"x\"\n", "", "x", Mode::Fallback),
        ];
        for (config, boot, want, mode) in cases {
            let c = parse(FileId(1), config.as_bytes());
            assert_eq!(c.mode(), *mode, "{config:?}");
            let b = Composed::single(FileId(0), boot.as_bytes(), 0);
            assert_eq!(s(&c.apply(&b)), *want, "{config:?}");
        }
    }

    #[test]
    fn provenance_of_builtin() {
        let config = "CONFIG_X86=y\nCONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"panic=5 quiet\"\n";
        let c = parse(FileId(1), config.as_bytes());
        let b = Composed::single(FileId(0), b"ro", 0);
        let out = c.apply(&b);
        let at = config.find("panic=5").expect("p");
        assert_eq!(out.locate(&(0..7)), Some((FileId(1), at..at + 7)));
        assert_eq!(out.locate(&(14..16)), Some((FileId(0), 0..2)));
        assert!(c.option("CMDLINE_BOOL").is_some());
        assert!(!c.enabled("BOOT_CONFIG"));
        let garbage: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let _ = parse(FileId(0), &garbage).mode();
    }
}
