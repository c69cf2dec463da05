//! PP301 filter-unsupported: `panic_notifier_filter` on a kernel that lacks it.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::dispatch::{Fate, parameq};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule301;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP301",
    name: "filter-unsupported",
    severity: Severity::Error,
    summary: "panic_notifier_filter is not a parameter of the target kernel",
    doc: r#"## What it does
Finds `panic_notifier_filter=` on a kernel whose tables do not register it.

## Why is this bad?
`panic_notifier_filter` was proposed in 2022 (Guilherme G. Piccoli, V1–V4) and
never merged: mainline kernels do not have it; only kernels that carry the patch
do. On any other kernel the token is an unknown parameter, handed to init as an
environment variable, and every panic notifier keeps running. panicpol decides
from the kernel's own `.init.setup` table (a vmlinux), or from its
`__setup_str_panic_notifier_filter_setup` symbol (System.map), never by assumption.

## Example
```
crash_kexec_post_notifiers panic_notifier_filter=hung_task_panic,rcu_panic
```

## Fix
Remove it, or boot a kernel that carries the filter patch. To keep notifiers from
running before kdump on a mainline kernel, leave `crash_kexec_post_notifiers` off.
"#,
};

impl Rule for Rule301 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for t in &cx.dispatch.tokens {
            let raw = t.text.as_slice();
            let raw = raw.strip_prefix(b"\"").unwrap_or(raw);
            let name = raw.split(|&b| b == b'=').next().unwrap_or_default();
            if !parameq(name, b"panic_notifier_filter") {
                continue;
            }
            let what = match &t.fate {
                Fate::InitEnv { var } => format!("init gets `{var}` in its environment"),
                Fate::InitArgv { arg } => format!("init gets `{arg}` as an argument"),
                Fate::Dropped { .. } => "dropped".to_string(),
                _ => continue,
            };
            let Some(span) = cx.fate_loc(t) else {
                continue;
            };
            let release = cx.kernel.release.as_deref().unwrap_or("the target kernel");
            let mut d = Diagnostic::new(
                META.code,
                META.severity,
                format!("{release} has no `panic_notifier_filter`; the kernel hands it to init"),
            )
            .with_primary_at(span, what)
            .with_note(
                "panic_notifier_filter was never merged in mainline; only patched kernels have it",
            )
            .with_help("remove it; every panic notifier of this kernel keeps running");
            if !cx.kernel.tables_complete {
                d = d.with_note("decided from symbol names or the catalogue; give --vmlinux to read the kernel's own table");
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn mainline_has_no_filter() {
        let d = run(&Rule301, b"panic_notifier_filter=rcu_panic");
        assert_eq!(d.len(), 1, "{d:?}");
    }
}
