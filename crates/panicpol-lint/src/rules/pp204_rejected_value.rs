//! PP204 rejected-value: the kernel refuses the value and keeps the default.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::dispatch::Fate;

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule204;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP204",
    name: "rejected-value",
    severity: Severity::Error,
    summary: "the kernel rejects the value; the parameter keeps its previous value",
    doc: r#"## What it does
Finds values the parameter's own parser refuses: `kstrtobool`, `kstrtoint` and
friends for `__param`s, the handler's return value for early parameters, a bare
name for a parameter that needs a value.

## Why is this bad?
The kernel prints one line (`Booting kernel: `abc' invalid for parameter `panic'`,
or `Malformed early option 'oops'`) and leaves the variable untouched: the policy
you wrote is not the one that runs. A rejected parameter before `--` also makes
`parse_args` return an error, so the kernel passes nothing after `--` to init.

## Example
```
panic=10s crash_kexec_post_notifiers=
```

## Fix
Write the value in the parameter's grammar: `panic=10`,
`crash_kexec_post_notifiers=1` (or the bare name).
"#,
};

impl Rule for Rule204 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for t in &cx.dispatch.tokens {
            let Fate::Rejected { param, message, .. } = &t.fate else {
                continue;
            };
            let Some(span) = cx.fate_loc(t) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    META.code,
                    META.severity,
                    format!("the kernel rejects this value for `{param}`"),
                )
                .with_primary_at(span, "rejected")
                .with_note(format!("the kernel prints: {message}"))
                .with_help("the parameter keeps its previous value; fix the value"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn rejected_int() {
        let d = run(&Rule204, b"panic=10s");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].1, "panic=10s");
    }

    #[test]
    fn accepted_int() {
        assert!(run(&Rule204, b"panic=10").is_empty());
    }
}
