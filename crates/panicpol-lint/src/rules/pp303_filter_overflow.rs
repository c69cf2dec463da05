//! PP303 filter-overflow: more than 16 names discard the whole filter.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::dispatch::{Fate, parameq};
use panicpol_policy::values::{PANIC_NF_MAX, parse_panic_notifier_filter};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule303;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP303",
    name: "filter-overflow",
    severity: Severity::Error,
    summary: "more than 16 resolvable names make the kernel discard the whole filter",
    doc: r#"## What it does
Counts the names of `panic_notifier_filter` that resolve to symbols.

## Why is this bad?
The filter holds at most `PANIC_NF_MAX` (16) entries. The 17th resolvable name
makes the handler print `exceeded maximum notifiers (16), aborting` and reset the
count to zero: the filter is gone and every panic notifier runs.

## Example
A list of 17 callback names.

## Fix
Keep at most 16 names.
"#,
};

impl Rule for Rule303 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut prior = 0;
        for t in &cx.dispatch.tokens {
            let Fate::Applied { param, value, .. } = &t.fate else {
                continue;
            };
            if !parameq(param.as_bytes(), b"panic_notifier_filter") {
                continue;
            }
            let Some(span) = cx.fate_loc(t) else {
                continue;
            };
            let Ok(filter) = parse_panic_notifier_filter(value.as_ref().map(|b| b.as_slice()))
            else {
                continue;
            };
            let r = filter.resolve(
                |n| cx.kernel.symbols.get(n).any(|s| s.module.is_none()),
                prior,
            );
            prior = r.count;
            if r.overflow_at.is_some() {
                out.push(
                    Diagnostic::new(
                        META.code,
                        META.severity,
                        format!("more than {PANIC_NF_MAX} names: the kernel discards the whole filter"),
                    )
                    .with_primary_at(span, "every panic notifier runs")
                    .with_note("the kernel prints: panic_notifier_filter: exceeded maximum notifiers (16), aborting")
                    .with_help(format!("keep at most {PANIC_NF_MAX} names")),
                );
            }
        }
    }
}
