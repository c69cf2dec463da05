//! `ftrace_dump_on_oops`: `set_ftrace_dump_on_oops()` (kernel/trace/trace.c),
//! registered as `__setup("ftrace_dump_on_oops", …)` — no `=` in the string, so
//! the handler gets everything after the name (`""`, `"=…"`, `",…"`) and any
//! word that merely starts with the name matches too.

use serde::Serialize;

use super::version::{Basis, KernelVersion, Release, Since};
use super::{Note, NoteKind, cstr, strsep_commas};

/// The string form (`char ftrace_dump_on_oops[MAX_TRACER_SIZE]`, instances,
/// `,inst` lists): absent in 6.1.192, present in 6.12.117 (read).
pub const FTRACE_DUMP_STRING_SINCE: Since =
    Since::between(Release::new(6, 1), Release::new(6, 12), Basis::Source);

/// `MAX_TRACER_SIZE` (include/linux/ftrace.h).
const MAX_TRACER_SIZE: usize = 100;

/// What the handler did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FtraceDumpOnOops {
    /// The handler returned 0: the kernel keeps looking and finally passes the
    /// token to init (6.1: `=` followed by anything but `1`, `2`, `orig_cpu`;
    /// 6.12: a suffix not starting with `=` or `,`).
    Unhandled,
    /// Enabled: `global` says how the global buffer is dumped (`None`: not
    /// dumped), `instances` the named instances (name, `orig_cpu`).
    Set {
        /// `Some(false)`: all CPUs (`DUMP_ALL`); `Some(true)`: the oopsing CPU
        /// only (`DUMP_ORIG`); `None`: not dumped.
        global: Option<bool>,
        /// Trace instances, with whether only the originating CPU is dumped.
        instances: Vec<(String, bool)>,
        /// The string stored (6.12+), e.g. `"1,foo"`.
        stored: Option<String>,
    },
}

/// Runs `set_ftrace_dump_on_oops(arg)` for kernel `v`; `arg` is the text after
/// `ftrace_dump_on_oops` (so `"=orig_cpu"`, or `""` for the bare flag).
pub fn parse_ftrace_dump_on_oops(arg: &[u8], v: &KernelVersion) -> (FtraceDumpOnOops, Vec<Note>) {
    let s = cstr(arg);
    if FTRACE_DUMP_STRING_SINCE.gate(v).is_no() {
        return old_form(s);
    }
    let mut notes = Vec::new();
    if FTRACE_DUMP_STRING_SINCE.gate(v) != super::Gate::Yes {
        notes.push(Note::whole(NoteKind::VersionDependent {
            since: FTRACE_DUMP_STRING_SINCE,
        }));
    }
    let stored: Vec<u8> = match s.first() {
        None => b"1".to_vec(),
        Some(b',') => [b"1".as_slice(), s].concat(),
        Some(b'=') => s.get(1..).unwrap_or_default().to_vec(),
        Some(_) => return (FtraceDumpOnOops::Unhandled, notes),
    };
    let mut stored = stored;
    if stored.len() > MAX_TRACER_SIZE - 1 {
        stored.truncate(MAX_TRACER_SIZE - 1);
        notes.push(Note::whole(NoteKind::Truncated {
            kept: MAX_TRACER_SIZE - 1,
        }));
    }
    let (global, instances) = dump_by_param(&stored);
    let stored = String::from_utf8_lossy(&stored).into_owned();
    (
        FtraceDumpOnOops::Set {
            global,
            instances,
            stored: Some(stored),
        },
        notes,
    )
}

/// 6.1: `=` then `1`/empty ⇒ all, `2`/`orig_cpu` ⇒ origin CPU, anything else
/// unhandled; no `=` at all (bare flag or longer word) ⇒ all.
fn old_form(s: &[u8]) -> (FtraceDumpOnOops, Vec<Note>) {
    let set = |orig: bool| FtraceDumpOnOops::Set {
        global: Some(orig),
        instances: Vec::new(),
        stored: None,
    };
    match s.split_first() {
        Some((b'=', rest)) => match rest {
            b"" | b"1" => (set(false), Vec::new()),
            b"2" | b"orig_cpu" => (set(true), Vec::new()),
            _ => (FtraceDumpOnOops::Unhandled, Vec::new()),
        },
        _ => (set(false), Vec::new()),
    }
}

/// `ftrace_dump_by_param()`: what a stored string dumps at oops time.
fn dump_by_param(stored: &[u8]) -> (Option<bool>, Vec<(String, bool)>) {
    let mut global = None;
    let mut instances = Vec::new();
    for (i, (_, token)) in strsep_commas(stored).into_iter().enumerate() {
        if i == 0 {
            match token {
                b"0" => continue,
                b"1" => {
                    global = Some(false);
                    continue;
                }
                b"2" | b"orig_cpu" => {
                    global = Some(true);
                    continue;
                }
                _ => {}
            }
        }
        let (name, mode) = match token.iter().position(|&b| b == b'=') {
            Some(p) => (token.get(..p).unwrap_or_default(), token.get(p + 1..)),
            None => (token, None),
        };
        let orig = matches!(mode, Some(b"2" | b"orig_cpu"));
        instances.push((String::from_utf8_lossy(name).into_owned(), orig));
    }
    (global, instances)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V61: KernelVersion = KernelVersion::new(6, 1, None);
    const V612: KernelVersion = KernelVersion::new(6, 12, None);

    fn set(global: Option<bool>) -> FtraceDumpOnOops {
        FtraceDumpOnOops::Set {
            global,
            instances: Vec::new(),
            stored: None,
        }
    }

    #[test]
    fn old_kernel() {
        assert_eq!(parse_ftrace_dump_on_oops(b"", &V61).0, set(Some(false)));
        assert_eq!(
            parse_ftrace_dump_on_oops(b"=orig_cpu", &V61).0,
            set(Some(true))
        );
        assert_eq!(
            parse_ftrace_dump_on_oops(b"=0", &V61).0,
            FtraceDumpOnOops::Unhandled
        );
        assert_eq!(parse_ftrace_dump_on_oops(b"xyz", &V61).0, set(Some(false)));
    }

    #[test]
    fn string_form() {
        let (d, _) = parse_ftrace_dump_on_oops(b",foo,bar=orig_cpu", &V612);
        let want = FtraceDumpOnOops::Set {
            global: Some(false),
            instances: vec![("foo".into(), false), ("bar".into(), true)],
            stored: Some("1,foo,bar=orig_cpu".into()),
        };
        assert_eq!(d, want);
        let (d, _) = parse_ftrace_dump_on_oops(b"=0", &V612);
        assert!(
            matches!(d, FtraceDumpOnOops::Set { global: None, ref instances, .. } if instances.is_empty())
        );
        assert_eq!(
            parse_ftrace_dump_on_oops(b"xyz", &V612).0,
            FtraceDumpOnOops::Unhandled
        );
        let long = [b"=".as_slice(), &[b'a'; 200]].concat();
        assert_eq!(
            parse_ftrace_dump_on_oops(&long, &V612).1,
            vec![Note::whole(NoteKind::Truncated { kept: 99 })]
        );
    }
}
