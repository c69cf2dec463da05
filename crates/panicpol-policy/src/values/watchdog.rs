//! Lockup and NMI knobs that turn into panics: `nmi_watchdog=`
//! (`hardlockup_panic_setup`), `softlockup_panic=` and `unknown_nmi_panic`
//! (kernel/watchdog.c, arch/x86/kernel/nmi.c). None of these handlers ever
//! rejects a value; what they silently ignore is noted.

use serde::Serialize;

use super::kstrtox::{Base, simple_strtoull};
use super::version::{Basis, Gate, KernelVersion, Release, Since};
use super::{Note, NoteKind, Span, cstr};

/// `nmi_watchdog=` takes a comma-separated list and `r<event>`: absent in
/// 6.1.192 (one item), present in 6.12.117 (read).
pub const NMI_WATCHDOG_LIST_SINCE: Since =
    Since::between(Release::new(6, 1), Release::new(6, 12), Basis::Source);

/// One item of `nmi_watchdog=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum NmiWatchdogItem {
    /// Starts with `panic`: `hardlockup_panic = 1`.
    Panic,
    /// Starts with `nopanic`: `hardlockup_panic = 0`.
    NoPanic,
    /// Starts with `0`: hard-lockup detector off.
    Off,
    /// Starts with `1`: hard-lockup detector on.
    On,
    /// Starts with `r` (6.12): a raw perf event for the detector.
    PerfEvent,
    /// Anything else: ignored.
    Ignored,
}

/// What `nmi_watchdog=` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NmiWatchdog {
    /// The items the handler looked at, with their spans.
    pub items: Vec<(Span, NmiWatchdogItem)>,
    /// `hardlockup_panic` afterwards, if set.
    pub hardlockup_panic: Option<bool>,
    /// The detector's user switch afterwards, if set.
    pub enabled: Option<bool>,
    /// Ignored items and text the handler skips.
    pub notes: Vec<Note>,
}

/// `hardlockup_panic_setup(arg)` (`__setup("nmi_watchdog=")`), for kernel
/// `v`. Items are matched by prefix (`strncmp`): `panicky` counts as `panic`.
/// 6.12's loop looks for the next `,` starting one byte into the current item,
/// so an item right after an empty one (`panic,,0`, `,panic`) is skipped.
pub fn parse_nmi_watchdog(arg: &[u8], v: &KernelVersion) -> NmiWatchdog {
    let s = cstr(arg);
    let list = NMI_WATCHDOG_LIST_SINCE.gate(v);
    let mut w = NmiWatchdog {
        items: Vec::new(),
        hardlockup_panic: None,
        enabled: None,
        notes: Vec::new(),
    };
    if list == Gate::Depends {
        w.notes.push(Note::whole(NoteKind::VersionDependent {
            since: NMI_WATCHDOG_LIST_SINCE,
        }));
    }
    let mut at = 0;
    loop {
        let rest = s.get(at..).unwrap_or_default();
        let end = if list.is_no() {
            s.len()
        } else {
            rest.iter()
                .position(|&b| b == b',')
                .map_or(s.len(), |p| at + p)
        };
        let item = if rest.starts_with(b"panic") {
            w.hardlockup_panic = Some(true);
            NmiWatchdogItem::Panic
        } else if rest.starts_with(b"nopanic") {
            w.hardlockup_panic = Some(false);
            NmiWatchdogItem::NoPanic
        } else if rest.starts_with(b"0") {
            w.enabled = Some(false);
            NmiWatchdogItem::Off
        } else if rest.starts_with(b"1") {
            w.enabled = Some(true);
            NmiWatchdogItem::On
        } else if rest.starts_with(b"r") && !list.is_no() {
            NmiWatchdogItem::PerfEvent
        } else {
            w.notes.push(Note::at(NoteKind::NoEffect, at..end));
            NmiWatchdogItem::Ignored
        };
        w.items.push((at..end, item));
        if list.is_no() || at >= s.len() {
            break;
        }
        // `while (*(str++)) { if (*str == ',') { str++; goto next; } }`: the
        // search for ',' starts at the item's second byte, so the comma that
        // ends an empty item is stepped over and the next item skipped.
        let from = at + 1;
        let next = s
            .get(from..)
            .and_then(|r| r.iter().position(|&b| b == b','))
            .map(|p| from + p);
        let empty = end == at;
        if empty && from < s.len() {
            w.notes.push(Note::at(
                NoteKind::SkippedAfterEmpty,
                from..next.unwrap_or(s.len()),
            ));
        }
        match next {
            Some(comma) => at = comma + 1,
            None => break,
        }
    }
    w
}

/// `softlockup_panic_setup(arg)` (`__setup("softlockup_panic=")`):
/// `simple_strtoul(arg, NULL, 0)` into an `unsigned int`. Never an error:
/// garbage reads as 0, a partly numeric value as its digits.
pub fn parse_softlockup_panic(arg: &[u8]) -> (u32, Vec<Note>) {
    let s = cstr(arg);
    let n = simple_strtoull(s, Base::Auto);
    let mut notes = Vec::new();
    if n.consumed < s.len() {
        notes.push(Note::at(NoteKind::TrailingIgnored, n.consumed..s.len()));
    }
    if n.wrapped || n.value > u64::from(u32::MAX) {
        notes.push(Note::whole(NoteKind::Wrapped));
    }
    let value = (n.value & u64::from(u32::MAX)) as u32;
    if value > 1 {
        notes.push(Note::whole(NoteKind::NonZeroIsOn));
    }
    (value, notes)
}

/// `setup_unknown_nmi_panic(arg)` (`__setup("unknown_nmi_panic")`, x86): sets
/// `unknown_nmi_panic = 1` whatever follows the name, so
/// `unknown_nmi_panic=0` enables it too.
pub fn parse_unknown_nmi_panic(arg: &[u8]) -> (bool, Vec<Note>) {
    let s = cstr(arg);
    let notes = if s.is_empty() {
        Vec::new()
    } else {
        vec![Note::at(NoteKind::ValueIgnored, 0..s.len())]
    };
    (true, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V61: KernelVersion = KernelVersion::new(6, 1, None);
    const V612: KernelVersion = KernelVersion::new(6, 12, None);

    #[test]
    fn nmi_watchdog_old_reads_one_item() {
        let w = parse_nmi_watchdog(b"panic,0", &V61);
        assert_eq!((w.hardlockup_panic, w.enabled), (Some(true), None));
        assert_eq!(
            parse_nmi_watchdog(b"panicky", &V61).hardlockup_panic,
            Some(true)
        );
    }

    #[test]
    fn nmi_watchdog_list() {
        let w = parse_nmi_watchdog(b"panic,0", &V612);
        assert_eq!((w.hardlockup_panic, w.enabled), (Some(true), Some(false)));
        let w = parse_nmi_watchdog(b",panic", &V612);
        assert_eq!(w.hardlockup_panic, None);
        let w = parse_nmi_watchdog(b"panic,,0", &V612);
        assert_eq!((w.hardlockup_panic, w.enabled), (Some(true), None));
        let w = parse_nmi_watchdog(b"nopanic,1,r1c4", &V612);
        assert_eq!(
            (w.hardlockup_panic, w.enabled, w.items.len()),
            (Some(false), Some(true), 3)
        );
    }

    #[test]
    fn softlockup_never_fails() {
        assert_eq!(parse_softlockup_panic(b"1").0, 1);
        assert_eq!(parse_softlockup_panic(b"yes").0, 0);
        assert_eq!(parse_softlockup_panic(b"0x10").0, 16);
        assert_eq!(parse_softlockup_panic(b"1abc").1.len(), 1);
    }

    #[test]
    fn unknown_nmi_panic_ignores_value() {
        assert_eq!(
            parse_unknown_nmi_panic(b"=0"),
            (true, vec![Note::at(NoteKind::ValueIgnored, 0..2)])
        );
        assert_eq!(parse_unknown_nmi_panic(b""), (true, vec![]));
    }
}
