//! PP205 repeated-param: a later occurrence overrides an earlier one.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::dispatch::{Fate, Kind};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule205;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP205",
    name: "repeated-param",
    severity: Severity::Warning,
    summary: "a parameter is given again later; only the last value counts",
    doc: r#"## What it does
Finds a `__param` (or sysctl) given more than once, where a later occurrence
replaces the earlier value.

## Why is this bad?
`parse_args` applies every occurrence in order, so the last one wins. Layers that
each append their own value (a grub default, a drop-in, a tool that adds
`panic=`) hide the value in effect from whoever reads only one of them.
Note that `panic_print=` and `panic_sys_info=` write the same variable.

## Example
```
panic=10 quiet panic=0
```

## Fix
Keep one occurrence.
"#,
};

impl Rule for Rule205 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for t in &cx.dispatch.tokens {
            let Some(later) = t.superseded_by else {
                continue;
            };
            let Fate::Applied {
                param,
                kind: Kind::Param | Kind::Sysctl | Kind::SysctlAlias,
                ..
            } = &t.fate
            else {
                continue;
            };
            let (Some(span), Some(l)) = (cx.fate_loc(t), cx.dispatch.tokens.get(later)) else {
                continue;
            };
            let mut d = Diagnostic::new(
                META.code,
                META.severity,
                format!("`{param}` is set again later; this value is overridden"),
            )
            .with_primary_at(span, "overridden");
            if let Some(ls) = cx.fate_loc(l) {
                d = d.with_secondary_at(ls, "this one wins");
            }
            out.push(d.with_help("keep only the occurrence you mean"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn last_wins() {
        let d = run(&Rule205, b"panic=10 quiet panic=0");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].1, "panic=10");
    }
}
