//! PP203 dotted-dropped: an unknown name with a `.` is dropped without a word.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::dispatch::{Doubt, DropReason, Fate};

use crate::names::{candidates, closest, did_you_mean};
use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule203;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP203",
    name: "dotted-dropped",
    severity: Severity::Warning,
    summary: "an unknown name with a dot is dropped silently (a typo of a module parameter?)",
    doc: r#"## What it does
Finds `module.param` tokens that no built-in parameter takes.

## Why is this bad?
`init/main.c:unknown_bootoption` assumes a name with a `.` belongs to a loadable
module (modprobe reads /proc/cmdline when the module loads) and drops it without
any message. A typo such as `printk.tme=1`, or a sysctl written without its prefix
(`kernel.panic=10`), does nothing and nobody is told.

panicpol reports such a token as a warning when a built-in parameter of the target
kernel has a close name, and as a note otherwise (it may be a real parameter of a
module that is not built in).

## Example
```
printk.tme=1
```

## Fix
Use the parameter's exact name; write sysctls as `sysctl.kernel.panic=10`.
"#,
};

impl Rule for Rule203 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut names = None;
        for t in &cx.dispatch.tokens {
            let Fate::Dropped {
                reason: DropReason::DottedUnknown,
            } = &t.fate
            else {
                continue;
            };
            let Some(span) = cx.fate_loc(t) else {
                continue;
            };
            let raw = t.text.as_slice();
            let raw = raw.strip_prefix(b"\"").unwrap_or(raw);
            let name =
                String::from_utf8_lossy(raw.split(|&b| b == b'=').next().unwrap_or_default())
                    .into_owned();
            if panicpol_policy::catalogue::lookup_sysctl(&name).is_some()
                || panicpol_policy::catalogue::lookup(name.as_bytes()).is_some()
            {
                continue; // PP202 says what it is.
            }
            let names = names.get_or_insert_with(|| candidates(cx));
            let found = closest(&name, names);
            let incomplete = t.doubts.contains(&Doubt::TablesIncomplete);
            if incomplete && found.is_empty() {
                continue;
            }
            let severity = if found.is_empty() {
                Severity::Info
            } else {
                META.severity
            };
            let mut d = Diagnostic::new(
                META.code,
                severity,
                format!("`{name}` is no built-in parameter; the kernel drops it silently"),
            )
            .with_primary_at(
                span,
                "ignored without a message (left for a loadable module)",
            );
            d = match did_you_mean(&found) {
                Some(h) => d.with_help(h),
                None => d.with_help("if it is a parameter of a loadable module, nothing is wrong"),
            };
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn typo_of_a_catalogue_name() {
        let d = run(&Rule203, b"kfence.check_on_panik=1");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].2.contains("kfence.check_on_panik"));
    }
}
