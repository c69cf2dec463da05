//! PP206 param-after-separator: a kernel parameter after `--` goes to init.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::catalogue;
use panicpol_policy::dispatch::{Fate, parameq};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule206;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP206",
    name: "param-after-separator",
    severity: Severity::Error,
    summary: "a kernel parameter after `--` is an argument of init, not applied",
    doc: r#"## What it does
Finds kernel parameters written after a bare `--`.

## Why is this bad?
`parse_args` stops at `--`; `start_kernel` hands everything after it to init as
arguments, `name=value` included. The kernel never applies them. (Architecture
code that scans the raw line, such as `crashkernel=`, still sees them, which makes
the result harder to reason about.)

## Example
```
root=/dev/vda1 -- single panic=10
```

## Fix
Move kernel parameters before `--`.
"#,
};

impl Rule for Rule206 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut after = false;
        for t in &cx.dispatch.tokens {
            if matches!(t.fate, Fate::Separator) {
                after = true;
                continue;
            }
            if !after || !matches!(t.fate, Fate::InitArgv { .. } | Fate::Dropped { .. }) {
                continue;
            }
            let Some(span) = cx.fate_loc(t) else {
                continue;
            };
            let raw = t.text.as_slice();
            let raw = raw.strip_prefix(b"\"").unwrap_or(raw);
            let name = raw.split(|&b| b == b'=').next().unwrap_or_default();
            let known = cx
                .kernel
                .params
                .iter()
                .any(|p| parameq(name, p.name.as_bytes()))
                || cx
                    .kernel
                    .setups
                    .iter()
                    .any(|s| parameq(name, s.string.trim_end_matches('=').as_bytes()))
                || catalogue::lookup(name).is_some();
            if !known {
                continue;
            }
            let panic = catalogue::lookup(name).is_some();
            out.push(
                Diagnostic::new(
                    META.code,
                    if panic {
                        Severity::Error
                    } else {
                        Severity::Warning
                    },
                    format!(
                        "`{}` after `--` is not applied by the kernel",
                        String::from_utf8_lossy(name)
                    ),
                )
                .with_primary_at(span, "an argument of init")
                .with_help("move it before `--`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn panic_after_dashes() {
        let d = run(&Rule206, b"root=/dev/vda1 -- single panic=10");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].1, "panic=10");
    }
}
