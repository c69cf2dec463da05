//! PP403 crashkernel-malformed: the reservation the architecture code rejects.

use panicpol_diagnostics::{Diagnostic, Severity};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule403;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP403",
    name: "crashkernel-malformed",
    severity: Severity::Error,
    summary: "crashkernel= is malformed: no memory is reserved and kdump cannot work",
    doc: r#"## What it does
Parses the `crashkernel=` value the architecture code will use — the last one in
the raw boot command line, found by a plain string search (`get_last_crashkernel`),
even inside another word — with the grammar of `parse_crashkernel` for the target
kernel: `size[@offset]`, ranges `start-[end]:size,…[@offset]`, `,high`, `,low`.

## Why is this bad?
A value the parser rejects reserves nothing. The kernel logs one line at boot; kdump
tooling then fails to load a crash kernel, and the next panic leaves no dump.

## Example
```
crashkernel=256
crashkernel=1G-:256M,512M
```

## Fix
Give a size with a unit (`crashkernel=256M`) or well-formed ranges
(`crashkernel=1G-4G:192M,4G-:384M`).
"#,
};

impl Rule for Rule403 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let ck = &cx.policy.crashkernel;
        if ck.valid != Some(false) {
            return;
        }
        let Some(span) = &ck.span else { return };
        out.push(
            Diagnostic::new(
                META.code,
                META.severity,
                format!("crashkernel={} is rejected: no crash kernel memory is reserved", ck.value.as_deref().unwrap_or("")),
            )
            .with_primary_at(cx.locate(span), ck.error.clone().unwrap_or_else(|| "rejected".into()))
            .with_help("write a size with a unit (crashkernel=256M) or ranges (crashkernel=1G-4G:192M,4G-:384M)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn malformed_and_fine() {
        assert_eq!(run(&Rule403, b"crashkernel=abc").len(), 1);
        assert!(run(&Rule403, b"crashkernel=256M").is_empty());
        assert!(run(&Rule403, b"crashkernel=1G-4G:192M,4G-:384M").is_empty());
    }
}
