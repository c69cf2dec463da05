//! `reboot=`: `reboot_setup()` (kernel/reboot.c, `__setup("reboot=")`,
//! identical in 6.1 and 6.12). A `panic_` prefix on an item sets
//! `panic_reboot_mode`, the mode `vpanic()` uses when `panic=N` reboots.

use serde::Serialize;

use super::kstrtox::{Base, simple_strtoull};
use super::{Note, NoteKind, Span, cstr};

/// What one item of `reboot=` sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum RebootSetting {
    /// The reboot mode: `warm`, `cold`, `hard`, `soft`, `gpio` (first letter
    /// only is read).
    Mode(&'static str),
    /// `s<N>` / `smp<N>`: the CPU that reboots (checked against the possible
    /// CPUs at boot).
    Cpu(u64),
    /// The reboot method (`reboot_type`): `bios`, `acpi`, `kbd`, `triple`,
    /// `efi`, `pci`.
    Type(&'static str),
    /// `f`: `reboot_force`.
    Force,
    /// A first letter the handler does not know: ignored.
    Ignored,
}

/// One item of `reboot=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RebootItem {
    /// Its span in the value.
    pub span: Span,
    /// `panic_` prefix: the mode applies to `panic_reboot_mode` (the type,
    /// CPU and force settings are global either way).
    pub panic: bool,
    /// What it sets.
    pub setting: RebootSetting,
}

/// Runs `reboot_setup(arg)`: items separated by `,`, each read by its first
/// letter (after an optional `panic_`). Never an error.
pub fn parse_reboot(arg: &[u8]) -> (Vec<RebootItem>, Vec<Note>) {
    let s = cstr(arg);
    let mut items = Vec::new();
    let mut notes = Vec::new();
    let mut at = 0;
    loop {
        let start = at;
        let panic = s.get(at..).is_some_and(|r| r.starts_with(b"panic_"));
        if panic {
            at += 6;
        }
        let c = s.get(at).copied();
        let setting = match c {
            Some(b'w') => RebootSetting::Mode("warm"),
            Some(b'c') => RebootSetting::Mode("cold"),
            Some(b'h') => RebootSetting::Mode("hard"),
            Some(b'g') => RebootSetting::Mode("gpio"),
            Some(b's') => {
                let smp = s.get(at + 1) == Some(&b'm') && s.get(at + 2) == Some(&b'p');
                at += if smp { 3 } else { 1 };
                if s.get(at).is_some_and(u8::is_ascii_digit) {
                    RebootSetting::Cpu(
                        simple_strtoull(s.get(at..).unwrap_or_default(), Base::Auto).value,
                    )
                } else {
                    RebootSetting::Mode("soft")
                }
            }
            Some(t @ (b'b' | b'a' | b'k' | b't' | b'e' | b'p')) => RebootSetting::Type(match t {
                b'b' => "bios",
                b'a' => "acpi",
                b'k' => "kbd",
                b't' => "triple",
                b'e' => "efi",
                _ => "pci",
            }),
            Some(b'f') => RebootSetting::Force,
            _ => RebootSetting::Ignored,
        };
        let next = s
            .get(at..)
            .and_then(|r| r.iter().position(|&b| b == b','))
            .map(|p| at + p);
        let end = next.unwrap_or(s.len());
        if setting == RebootSetting::Ignored {
            notes.push(Note::at(NoteKind::NoEffect, start..end));
        }
        items.push(RebootItem {
            span: start..end,
            panic,
            setting,
        });
        match next {
            Some(comma) => at = comma + 1,
            None => break,
        }
    }
    (items, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_prefix_and_letters() {
        let (items, notes) = parse_reboot(b"panic_warm,efi,s2,x");
        let settings: Vec<_> = items.iter().map(|i| (i.panic, i.setting.clone())).collect();
        assert_eq!(
            settings,
            vec![
                (true, RebootSetting::Mode("warm")),
                (false, RebootSetting::Type("efi")),
                (false, RebootSetting::Cpu(2)),
                (false, RebootSetting::Ignored),
            ]
        );
        assert_eq!(notes, vec![Note::at(NoteKind::NoEffect, 18..19)]);
        assert_eq!(
            parse_reboot(b"smp").0[0].setting,
            RebootSetting::Mode("soft")
        );
        assert_eq!(parse_reboot(b"").0[0].setting, RebootSetting::Ignored);
    }
}
