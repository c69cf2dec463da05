//! `panic_notifier_filter=`: the allowlist of panic notifier callbacks from
//! Guilherme Piccoli's 2022 proposal (V1–V4), never merged in mainline. Only
//! kernels carrying the patch know it; the catalogue marks it out of tree and
//! callers should detect it from the kernel's own tables.

use serde::Serialize;

use super::{Errno, Note, NoteKind, Reason, Span, ValueError, cstr, strsep_commas};

/// `PANIC_NF_MAX`: at most 16 callbacks; one more discards the whole filter.
pub const PANIC_NF_MAX: usize = 16;

/// A parsed `panic_notifier_filter=` value: the names as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotifierFilter {
    /// Each item with its span (empty items included: the kernel looks them up
    /// and skips them).
    pub items: Vec<(Span, String)>,
    /// Always `OutOfTree`; `EmptyItem` for each empty item.
    pub notes: Vec<Note>,
}

/// `panic_notifier_filter_setup()` (FILTER V2–V4, `early_param`): `NULL` ⇒
/// `-EINVAL`; otherwise `strsep` on `,` over the whole value, every item
/// (even empty) looked up with `kallsyms_lookup_name`. The handler returns 0
/// whatever the names are; see [`NotifierFilter::resolve`] for what sticks.
pub fn parse_panic_notifier_filter(val: Option<&[u8]>) -> Result<NotifierFilter, ValueError> {
    let Some(raw) = val else {
        return Err(ValueError::whole(Errno::Einval, Reason::NoValue));
    };
    let s = cstr(raw);
    let mut notes = vec![Note::whole(NoteKind::OutOfTree)];
    let mut items = Vec::new();
    for (span, item) in strsep_commas(s) {
        if item.is_empty() {
            notes.push(Note::at(NoteKind::EmptyItem, span.clone()));
        }
        items.push((span, String::from_utf8_lossy(item).into_owned()));
    }
    Ok(NotifierFilter { items, notes })
}

/// What one `panic_notifier_filter=` occurrence leaves in the kernel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilterResolution {
    /// The names added to the allowlist, in order.
    pub added: Vec<String>,
    /// Items that are not symbols of the kernel ("invalid symbol", skipped).
    pub unknown: Vec<Span>,
    /// The item that overflowed `PANIC_NF_MAX`: the filter was discarded
    /// (`panic_nf_count = 0`) and the rest of the value ignored.
    pub overflow_at: Option<Span>,
    /// `panic_nf_count` afterwards.
    pub count: usize,
}

impl NotifierFilter {
    /// Runs the handler's loop against a kernel's symbols. `prior` is
    /// `panic_nf_count` before this occurrence: the counter is global and not
    /// reset, so a second `panic_notifier_filter=` appends to the first.
    pub fn resolve(&self, is_symbol: impl Fn(&str) -> bool, prior: usize) -> FilterResolution {
        let mut r = FilterResolution {
            added: Vec::new(),
            unknown: Vec::new(),
            overflow_at: None,
            count: prior,
        };
        for (span, name) in &self.items {
            if name.is_empty() || !is_symbol(name) {
                r.unknown.push(span.clone());
                continue;
            }
            if r.count < PANIC_NF_MAX {
                r.count += 1;
                r.added.push(name.clone());
            } else {
                r.overflow_at = Some(span.clone());
                r.count = 0;
                r.added.clear();
                break;
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_and_notes() {
        let f = parse_panic_notifier_filter(Some(b"a,,b")).ok();
        assert_eq!(f.as_ref().map(|f| f.items.len()), Some(3));
        assert_eq!(f.map(|f| f.notes.len()), Some(2));
        assert_eq!(
            parse_panic_notifier_filter(None).map_err(|e| e.errno),
            Err(Errno::Einval)
        );
    }

    #[test]
    fn overflow_discards_everything() {
        let names: Vec<String> = (0..17).map(|i| format!("f{i}")).collect();
        let f = parse_panic_notifier_filter(Some(names.join(",").as_bytes()));
        let r = f.map(|f| f.resolve(|_| true, 0)).ok();
        assert_eq!(r.as_ref().map(|r| (r.count, r.added.len())), Some((0, 0)));
        assert!(r.is_some_and(|r| r.overflow_at.is_some()));
    }

    #[test]
    fn unknown_names_do_not_count() {
        let f = parse_panic_notifier_filter(Some(b"hv_panic,nope,kfence_check_canary_callback"));
        let r = f.map(|f| f.resolve(|n| n != "nope", 15)).ok();
        // 15 + hv_panic = 16, nope skipped, the third overflows.
        assert_eq!(
            r.map(|r| (r.count, r.unknown.len(), r.overflow_at)),
            Some((0, 1, Some(14..42)))
        );
    }
}
