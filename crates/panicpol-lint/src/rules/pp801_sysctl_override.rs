//! PP801 sysctl-override: a sysctl.d setting changes a panic setting after
//! boot.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_syntax::entry::RuntimeSource;

use super::source_support::runtime_overrides;
use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule801;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP801",
    name: "sysctl-override",
    severity: Severity::Warning,
    summary: "a sysctl.d file changes a panic setting after boot, over the command line",
    doc: r#"## What it does
Applies the `sysctl.d` files of the root in systemd's order (all directories
merged, sorted by file name; a file in `/etc` masks one of the same name in
`/run`, `/usr/local/lib`, `/usr/lib`, `/lib`; the last assignment wins) to the
panic settings the command line left, through the kernel's own handlers, and
reports each `kernel.panic*` line that decides a value after boot — with the
effective value and both places.

## Why is this bad?
`systemd-sysctl` runs after the kernel has read its command line: `kernel.panic
= 0` in `/etc/sysctl.d` silently undoes `panic=10` from the boot loader, and a
reviewer of `/etc/default/grub` never sees it. A warning when the command line
set the parameter, a note when it left the default.

## Example
```
# /etc/default/grub
GRUB_CMDLINE_LINUX_DEFAULT="panic=10"
# /etc/sysctl.d/90-panic.conf
kernel.panic = 0
```

## Fix
Set each panic parameter in one place.
"#,
};

impl Rule for Rule801 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        runtime_overrides(cx, RuntimeSource::SysctlD, META.code, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::source_support::testing::{entry, kernel, run_entry, runtime};
    use panicpol_diagnostics::FileId;
    use panicpol_syntax::entry::RuntimeTarget;

    fn sysctl(path: &str, value: &str, at: usize) -> panicpol_syntax::entry::RuntimeSetting {
        runtime(
            RuntimeSource::SysctlD,
            RuntimeTarget::Sysctl { path: path.into() },
            value,
            at,
        )
    }

    #[test]
    fn effective_value_and_both_places() {
        let k = kernel();
        let mut e = entry("quiet panic=10");
        e.runtime = vec![
            sysctl("kernel/panic", "60", 20),
            sysctl("kernel/panic", "0", 40),
        ];
        let d = run_entry(&Rule801, &e, &k);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message
                .contains("to 0 after boot; the command line gives 10"),
            "{}",
            d[0].message
        );
        assert_eq!(
            d[0].primary.as_ref().map(|l| (l.file, l.span.clone())),
            Some((FileId(7), 40..41))
        );
        assert_eq!(d[0].secondary[0].span, 6..14, "the panic=10 token");
        assert_eq!(d[0].secondary[1].span, 20..22, "the earlier sysctl line");
        // Not set on the command line: a note.
        let mut e = entry("quiet");
        e.runtime = vec![sysctl("kernel/panic_on_oops", "1", 20)];
        let d = run_entry(&Rule801, &e, &k);
        assert_eq!(d.first().map(|d| d.severity), Some(Severity::Info));
        // Same value: nothing.
        let mut e = entry("panic=10");
        e.runtime = vec![sysctl("kernel/panic", "10", 20)];
        assert!(run_entry(&Rule801, &e, &k).is_empty());
    }
}
