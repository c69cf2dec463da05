//! PP207 value-remark: a panic parameter's value is accepted, but not as written.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::catalogue::{self, Grammar};
use panicpol_policy::dispatch::Fate;
use panicpol_policy::values::{self, KernelVersion, Note, NoteKind};

use crate::notes::describe;
use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule207;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP207",
    name: "value-remark",
    severity: Severity::Warning,
    summary: "a panic parameter's value is accepted but does not mean what it seems to",
    doc: r#"## What it does
Runs each panic parameter's value through the kernel's own grammar and reports what
the kernel accepts without complaint but reads differently from how it looks:
booleans read by their first character (`yellow` is true, `0x1` is false), octal
numbers (`010` is 8), `panic_print` bits this kernel ignores or compiled out,
`panic_sys_info` names the kernel skips silently, `oops=` values other than
`panic` (which do nothing), `panic_on_taint` bits beyond the taint flags.

## Why is this bad?
None of these produce a kernel message. The policy looks right in review and
behaves differently on the machine.

## Example
```
oops=1 panic_print=010 crash_kexec_post_notifiers=0x1
```
`oops=1` does nothing, `panic_print` is 8, the flag is off.

## Fix
Write the value the way the kernel reads it: `oops=panic`, `panic_print=0x8`,
`crash_kexec_post_notifiers=1`.
"#,
};

/// The remarks the grammar makes about `val` (empty when it is rejected:
/// PP204 reports that).
fn remarks(grammar: Grammar, val: Option<&[u8]>, v: &KernelVersion) -> Vec<Note> {
    match grammar {
        Grammar::Bool => values::parse_bool(val, v)
            .map(|b| b.notes)
            .unwrap_or_default(),
        Grammar::Int(t) => values::parse_int(val, t)
            .map(|n| n.notes)
            .unwrap_or_default(),
        Grammar::PanicPrint => values::parse_panic_print(val, v)
            .map(|p| p.notes)
            .unwrap_or_default(),
        Grammar::PanicSysInfo => values::parse_panic_sys_info(val.unwrap_or_default()).notes,
        Grammar::Panic => values::parse_panic(val).map(|p| p.1).unwrap_or_default(),
        Grammar::PanicOnWarn => values::parse_panic_on_warn(val)
            .map(|n| n.notes)
            .unwrap_or_default(),
        Grammar::Oops => values::parse_oops(val).map(|o| o.notes).unwrap_or_default(),
        Grammar::PanicOnTaint => values::parse_panic_on_taint(val, v)
            .map(|t| t.notes)
            .unwrap_or_default(),
        Grammar::CrashKernel => val
            .and_then(|b| values::parse_crashkernel(b, v).ok())
            .map(|c| c.notes)
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

impl Rule for Rule207 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for t in &cx.dispatch.tokens {
            let Fate::Applied { param, value, .. } = &t.fate else {
                continue;
            };
            let Some(span) = cx.fate_loc(t) else {
                continue;
            };
            let Some(spec) = catalogue::lookup(param.trim_end_matches('=').as_bytes()) else {
                continue;
            };
            // Where the value starts in the file, for notes about part of it.
            let value_at = cx
                .cmdline
                .tokens
                .iter()
                .find(|k| k.span == t.span)
                .and_then(|k| k.value.as_ref())
                .map(|v| v.start);
            for note in remarks(
                spec.grammar,
                value.as_ref().map(|b| b.as_slice()),
                cx.version,
            ) {
                // Deprecation, version and config remarks have rules of their own
                // (PP503, PP202, PP301, PP502), which know the target build.
                if matches!(
                    note.kind,
                    NoteKind::Deprecated { .. }
                        | NoteKind::VersionDependent { .. }
                        | NoteKind::OutOfTree
                        | NoteKind::NeedsConfig { .. }
                ) {
                    continue;
                }
                let at = match (&note.span, value_at) {
                    (Some(s), Some(base)) => {
                        cx.locate(&(base + s.start..base + s.end.max(s.start + 1)))
                    }
                    _ => span.clone(),
                };
                // A panic_sys_info name the kernel skips silently is a dump
                // that will not happen: an error, not a remark.
                let severity = match note.kind {
                    NoteKind::UnknownName | NoteKind::StoppedAtEmpty => Severity::Error,
                    _ => META.severity,
                };
                out.push(
                    Diagnostic::new(
                        META.code,
                        severity,
                        format!("`{}`: {}", spec.name, describe(&note.kind)),
                    )
                    .with_primary_at(at, note.kind.slug())
                    .with_secondary_at(span.clone(), "in this parameter"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn oops_one_does_nothing() {
        let d = run(&Rule207, b"oops=1");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].2.contains("does nothing"), "{}", d[0].2);
    }

    #[test]
    fn plain_values_are_fine() {
        assert!(run(&Rule207, b"oops=panic panic=10 crash_kexec_post_notifiers").is_empty());
    }
}
