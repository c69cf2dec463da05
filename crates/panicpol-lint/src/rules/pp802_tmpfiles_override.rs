//! PP802 tmpfiles-override: a tmpfiles.d line writes a panic parameter after
//! boot.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_syntax::entry::RuntimeSource;

use super::source_support::runtime_overrides;
use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule802;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP802",
    name: "tmpfiles-override",
    severity: Severity::Warning,
    summary: "a tmpfiles.d line writes a panic parameter (crash_kexec_post_notifiers …) after boot",
    doc: r#"## What it does
Finds `w` lines of `tmpfiles.d` (systemd's order; the first line for a path
wins) that write `/sys/module/kernel/parameters/crash_kexec_post_notifiers`,
`…/panic`, `…/panic_print`, `…/panic_on_warn` or a `/proc/sys/kernel/panic*`
file, applies them through the kernel's handlers (`param_set_bool` …), and
reports the value after boot with both places. When the line turns
`crash_kexec_post_notifiers` on with a crash kernel reserved, it says how
many notifiers then run before kdump.

## Why is this bad?
`systemd-tmpfiles --boot` runs after the kernel read its command line: the
parameter's real value is set in a file nobody reviews with the boot
configuration.

## Example
```
w /sys/module/kernel/parameters/crash_kexec_post_notifiers - - - - Y
```

## Fix
Set the parameter on the command line, and remove the line.
"#,
};

impl Rule for Rule802 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        runtime_overrides(cx, RuntimeSource::Tmpfiles, META.code, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::source_support::testing::{entry, kernel, run_entry, runtime};
    use panicpol_syntax::entry::{Ignored, RuntimeTarget};

    fn param(p: &str, value: &str, at: usize) -> panicpol_syntax::entry::RuntimeSetting {
        runtime(
            RuntimeSource::Tmpfiles,
            RuntimeTarget::ModuleParam {
                module: "kernel".into(),
                param: p.into(),
            },
            value,
            at,
        )
    }

    #[test]
    fn post_notifiers_turned_on_after_boot() {
        let k = kernel();
        let mut e = entry("crashkernel=256M quiet");
        let mut dup = param("crash_kexec_post_notifiers", "N", 90);
        dup.ignored = Some(Ignored::DuplicateOf((
            panicpol_diagnostics::FileId(7),
            10..17,
        )));
        e.runtime = vec![param("crash_kexec_post_notifiers", "Y", 30), dup];
        let d = run_entry(&Rule802, &e, &k);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].severity,
            Severity::Info,
            "the command line leaves it off"
        );
        assert!(d[0].message.contains("to Y after boot"), "{}", d[0].message);
        assert!(
            d[0].notes.iter().any(|n| n.contains("before kdump")),
            "{:?}",
            d[0].notes
        );
        assert!(
            d[0].secondary.iter().any(|l| l.span == (90..91)),
            "the ignored duplicate"
        );
    }
}
