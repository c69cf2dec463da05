//! What kind of boot source a file is, from its path and its first bytes
//! (`--as FORMAT` overrides both).
//!
//! The path decides when it is conventional (`/etc/default/grub`,
//! `grub.d/*.cfg`, `loader/entries/*.conf`, `sysctl.d/*.conf` …); otherwise
//! the content decides: a PE header is a UKI, a bootconfig footer an initrd,
//! the grubenv header a grubenv, `menuentry` a grub.cfg, `GRUB_…=` lines a
//! grub default file, `CONFIG_…` lines a kernel config, `w /sys/…` lines
//! tmpfiles.d, BLS keys a BLS entry, `kernel.x = y` lines sysctl.d or
//! bootconfig (braces or `init.` keys mean bootconfig). Anything else is a
//! raw command line.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// The formats panicpol reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// A raw kernel command line (`/proc/cmdline`).
    Cmdline,
    /// `/etc/default/grub` or a `grub.d/*.cfg` drop-in.
    GrubDefault,
    /// A generated `grub.cfg`.
    GrubCfg,
    /// GRUB's environment block.
    Grubenv,
    /// A BLS entry.
    Bls,
    /// `/etc/kernel/cmdline` or `/usr/lib/kernel/cmdline`.
    KernelCmdline,
    /// A unified kernel image or add-on (PE).
    Uki,
    /// Bootconfig text.
    Bootconfig,
    /// An initrd, possibly with a bootconfig attached.
    Initrd,
    /// A kernel `.config`.
    KernelConfig,
    /// A `sysctl.d` file.
    SysctlD,
    /// A `tmpfiles.d` file.
    Tmpfiles,
}

/// Every format with its `--as` name.
pub const FORMATS: &[(Format, &str)] = &[
    (Format::Cmdline, "cmdline"),
    (Format::GrubDefault, "grub-default"),
    (Format::GrubCfg, "grub-cfg"),
    (Format::Grubenv, "grubenv"),
    (Format::Bls, "bls"),
    (Format::KernelCmdline, "kernel-cmdline"),
    (Format::Uki, "uki"),
    (Format::Bootconfig, "bootconfig"),
    (Format::Initrd, "initrd"),
    (Format::KernelConfig, "kernel-config"),
    (Format::SysctlD, "sysctl"),
    (Format::Tmpfiles, "tmpfiles"),
];

impl Format {
    /// The `--as` name.
    pub fn name(self) -> &'static str {
        FORMATS
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("cmdline", |(_, n)| n)
    }

    /// Whether the format is binary (read with its own bounds, not as text).
    pub fn binary(self) -> bool {
        matches!(self, Format::Uki | Format::Initrd)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        FORMATS
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(f, _)| *f)
            .ok_or_else(|| {
                let names: Vec<_> = FORMATS.iter().map(|(_, n)| *n).collect();
                format!("unknown format `{s}`; one of: {}", names.join(", "))
            })
    }
}

/// The format a path names by convention, if it does.
pub fn by_path(path: &str) -> Option<Format> {
    let p = path.replace('\\', "/");
    let name = p.rsplit('/').next().unwrap_or(&p);
    let dir = p.rsplit_once('/').map_or("", |(d, _)| d);
    let in_dir = |d: &str| dir == d || dir.ends_with(&format!("/{d}"));
    Some(
        if (name == "grub" && in_dir("default"))
            || (in_dir("default/grub.d") && name.ends_with(".cfg"))
        {
            Format::GrubDefault
        } else if name == "grub.cfg" {
            Format::GrubCfg
        } else if name == "grubenv" {
            Format::Grubenv
        } else if in_dir("loader/entries") && name.ends_with(".conf") {
            Format::Bls
        } else if name == "cmdline" && in_dir("kernel") {
            Format::KernelCmdline
        } else if name.ends_with(".efi") {
            Format::Uki
        } else if in_dir("sysctl.d") || name == "sysctl.conf" {
            Format::SysctlD
        } else if in_dir("tmpfiles.d") {
            Format::Tmpfiles
        } else if name.starts_with("config-") || name == ".config" {
            Format::KernelConfig
        } else if name.ends_with(".bconf") || name == "bootconfig" {
            Format::Bootconfig
        } else if name.starts_with("initrd") || name.starts_with("initramfs") {
            Format::Initrd
        } else if name == "cmdline" {
            Format::Cmdline
        } else {
            return None;
        },
    )
}

/// The format the first bytes suggest; `tail` is the file's last bytes (a
/// bootconfig footer ends an initrd).
pub fn by_content(head: &[u8], tail: &[u8]) -> Format {
    if head.starts_with(b"MZ") {
        return Format::Uki;
    }
    let magic = b"#BOOTCONFIG\n";
    if tail.windows(magic.len()).any(|w| w == magic) && !head.starts_with(magic) {
        return Format::Initrd;
    }
    for m in [
        &b"\x1f\x8b"[..],
        b"\xfd7zXZ\0",
        b"\x28\xb5\x2f\xfd",
        b"070701",
        b"\x02\x21\x4c\x18",
    ] {
        if head.starts_with(m) {
            return Format::Initrd;
        }
    }
    if head.starts_with(b"# GRUB Environment Block") {
        return Format::Grubenv;
    }
    let text = String::from_utf8_lossy(head.get(..head.len().min(64 * 1024)).unwrap_or_default());
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    if lines.is_empty() {
        return Format::Cmdline;
    }
    let all = |f: &dyn Fn(&str) -> bool| lines.iter().all(|l| f(l));
    let any = |f: &dyn Fn(&str) -> bool| lines.iter().any(|l| f(l));
    if any(&|l| l.starts_with("menuentry ") || l.starts_with("submenu ") || l == "blscfg") {
        return Format::GrubCfg;
    }
    if any(&|l| l.starts_with("GRUB_") && l.contains('=')) {
        return Format::GrubDefault;
    }
    if any(&|l| l.starts_with("CONFIG_")) {
        return Format::KernelConfig;
    }
    if any(&|l| {
        let mut w = l.split_whitespace();
        matches!(w.next(), Some(t) if t.starts_with('w'))
            && w.next()
                .is_some_and(|p| p.starts_with("/sys/") || p.starts_with("/proc/"))
    }) {
        return Format::Tmpfiles;
    }
    let bls_key = |l: &str| {
        let k = l.split_whitespace().next().unwrap_or("");
        panicpol_syntax::bls::KNOWN_KEYS.contains(&k) && !l.contains('=') || k == "options"
    };
    if any(&|l| l.starts_with("options ") || l.starts_with("linux ")) && all(&bls_key) {
        return Format::Bls;
    }
    if any(&|l| l.contains('{') || l.starts_with("init.") || l.starts_with("init ")) {
        return Format::Bootconfig;
    }
    // `key = value` lines with dotted keys are sysctl.d when the keys are
    // sysctl trees; bootconfig needs braces, `init.` or `;` to be told apart.
    const TREES: &[&str] = &[
        "kernel", "vm", "net", "fs", "dev", "user", "abi", "debug", "crypto", "sunrpc",
    ];
    let sysctl_line = |l: &str| {
        l.starts_with(';')
            || l.split_once('=').is_some_and(|(k, _)| {
                let k = k.trim().trim_start_matches('-');
                let top = k.split(['.', '/']).next().unwrap_or("");
                TREES.contains(&top) && k.contains(['.', '/']) && !k.contains(char::is_whitespace)
            })
    };
    if all(&sysctl_line) && !any(&|l| l.contains(';') && !l.starts_with(';')) {
        return Format::SysctlD;
    }
    Format::Cmdline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (f, n) in FORMATS {
            assert_eq!(n.parse::<Format>(), Ok(*f));
            assert_eq!(f.name(), *n);
        }
        assert!("xml".parse::<Format>().is_err());
    }

    #[test]
    fn by_path_conventions() {
        let cases: &[(&str, Option<Format>)] = &[
            ("/etc/default/grub", Some(Format::GrubDefault)),
            (
                "root/etc/default/grub.d/50-cloudimg-settings.cfg",
                Some(Format::GrubDefault),
            ),
            ("/boot/grub/grub.cfg", Some(Format::GrubCfg)),
            ("/boot/grub2/grubenv", Some(Format::Grubenv)),
            ("/boot/loader/entries/abc-6.8.conf", Some(Format::Bls)),
            ("/etc/kernel/cmdline", Some(Format::KernelCmdline)),
            ("/efi/EFI/Linux/x.efi", Some(Format::Uki)),
            ("/etc/sysctl.d/90-panic.conf", Some(Format::SysctlD)),
            ("/etc/sysctl.conf", Some(Format::SysctlD)),
            ("/usr/lib/tmpfiles.d/kdump.conf", Some(Format::Tmpfiles)),
            (
                "/boot/config-6.12.117+deb12-cloud-amd64",
                Some(Format::KernelConfig),
            ),
            ("panic.bconf", Some(Format::Bootconfig)),
            ("/boot/initrd.img-6.1.0-18-amd64", Some(Format::Initrd)),
            ("/proc/cmdline", Some(Format::Cmdline)),
            ("notes.txt", None),
        ];
        for (p, want) in cases {
            assert_eq!(by_path(p), *want, "{p}");
        }
    }

    #[test]
    fn by_content_shapes() {
        let cases: &[(&str, Format)] = &[
            ("console=ttyS0 panic=10\n", Format::Cmdline),
            (
                "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
                Format::GrubDefault,
            ),
            (
                "set timeout=5\nmenuentry 'x' {\n linux /v\n}\n",
                Format::GrubCfg,
            ),
            ("title x\nversion 1\nlinux /v\noptions ro\n", Format::Bls),
            ("# comment\nCONFIG_X86=y\n", Format::KernelConfig),
            (
                "w /sys/module/kernel/parameters/panic - - - - 10\n",
                Format::Tmpfiles,
            ),
            ("kernel {\n panic = 10\n}\n", Format::Bootconfig),
            ("init.systemd.unit = rescue.target\n", Format::Bootconfig),
            (
                "kernel.panic = 10\nkernel.panic_on_oops = 1\n",
                Format::SysctlD,
            ),
            ("", Format::Cmdline),
        ];
        for (text, want) in cases {
            assert_eq!(
                by_content(text.as_bytes(), text.as_bytes()),
                *want,
                "{text:?}"
            );
        }
        assert_eq!(by_content(b"MZ\x90\0", b""), Format::Uki);
        assert_eq!(by_content(b"070701", b""), Format::Initrd);
        assert_eq!(by_content(b"\0\0", b"x#BOOTCONFIG\n"), Format::Initrd);
        assert_eq!(
            by_content(b"# GRUB Environment Block\n", b""),
            Format::Grubenv
        );
    }
}
