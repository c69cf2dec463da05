//! Words for the value grammars' remarks ([`NoteKind`]), shared by the rules.

use panicpol_policy::values::NoteKind;

/// A sentence fragment describing a note.
pub(crate) fn describe(kind: &NoteKind) -> String {
    match kind {
        NoteKind::BoolUnusualSpelling => {
            "the kernel reads only the first one or two characters of a boolean; write y or n"
                .into()
        }
        NoteKind::BoolLooksNumeric => {
            "a boolean is read by its first character, not as a number (0x1 is false, 10 is true)"
                .into()
        }
        NoteKind::VersionDependent { since } => {
            format!("accepted only by kernels {since:?} and later")
        }
        NoteKind::Octal => "a leading 0 makes the number octal (010 is 8)".into(),
        NoteKind::Deprecated { replacement, .. } if !replacement.is_empty() => {
            format!("deprecated on this kernel; write `{replacement}` instead")
        }
        NoteKind::Deprecated { .. } => "deprecated on this kernel".into(),
        NoteKind::IgnoredBits { mask } => format!("bits {mask:#x} mean nothing on this kernel"),
        NoteKind::UnknownName => "the kernel does not know this name and skips it silently".into(),
        NoteKind::StoppedAtEmpty => {
            "the kernel stops at the empty item; the rest is ignored".into()
        }
        NoteKind::SkippedAfterEmpty => "the item after an empty one is skipped".into(),
        NoteKind::NoEffect => "accepted, but does nothing".into(),
        NoteKind::ReadAsHex => "read as hexadecimal even without 0x".into(),
        NoteKind::MaskedOff { mask } => {
            format!("bits {mask:#x} are not taint flags and are dropped")
        }
        NoteKind::SuffixIgnored => {
            "the option after the comma is not recognised and is ignored".into()
        }
        NoteKind::Wrapped => "the number wraps around 64 bits without an error".into(),
        NoteKind::TrailingIgnored => "characters after the value are ignored".into(),
        NoteKind::TimeoutOverflow => {
            "the timeout times 1000 overflows an int: the kernel reboots at once instead".into()
        }
        NoteKind::NonZeroIsOn => "any non-zero value means on; write 1".into(),
        NoteKind::ValueIgnored => "the handler ignores the value".into(),
        NoteKind::EmptyItem => "an empty item, looked up and skipped".into(),
        NoteKind::PartialWrite => "the sysctl write is applied only in part".into(),
        NoteKind::Truncated { kept } => format!("cut to {kept} bytes before parsing"),
        NoteKind::NeedsConfig { config } => {
            format!(
                "does something only with CONFIG_{}",
                config.trim_start_matches("CONFIG_")
            )
        }
        NoteKind::OutOfTree => "never merged in mainline; only patched kernels have it".into(),
    }
}
