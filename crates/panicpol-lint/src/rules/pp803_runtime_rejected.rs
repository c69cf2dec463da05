//! PP803 runtime-rejected: the kernel refuses a runtime write to a panic
//! setting.

use panicpol_diagnostics::{Diagnostic, Severity};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule803;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP803",
    name: "runtime-rejected",
    severity: Severity::Warning,
    summary: "the kernel rejects a sysctl.d or tmpfiles.d value for a panic setting",
    doc: r#"## What it does
Checks each runtime write to a panic setting with the grammar of the kernel
handler that receives it: `proc_dointvec` for `kernel.panic` and
`kernel.panic_on_oops`, `proc_dointvec_minmax` 0..1 for
`kernel.panic_on_warn`, `proc_doulongvec_minmax` for `kernel.panic_print`,
`param_set_bool`/`_int`/`_ulong` for the sysfs files (kernel/sysctl.c,
kernel/panic.c).

## Why is this bad?
The write fails (`EINVAL`), `systemd-sysctl` logs one line at boot, and the
setting keeps its previous value — which is not what the file says.

## Example
```
kernel.panic_on_warn = 2
```

## Fix
Write a value the handler accepts.
"#,
};

impl Rule for Rule803 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let (Some(entry), Some(ab)) = (cx.entry, cx.after_boot) else {
            return;
        };
        for c in &ab.changes {
            let (Some(err), Some(s)) = (&c.error, entry.runtime.get(c.setting)) else {
                continue;
            };
            let written = String::from_utf8_lossy(&s.value).trim().to_string();
            let mut d = Diagnostic::new(
                META.code,
                META.severity,
                format!(
                    "the kernel rejects `{} = {written}` ({err}): {} stays {}",
                    s.target.display(),
                    c.field.param(),
                    c.before
                ),
            )
            .with_primary_at(s.value_at.clone(), "rejected by the kernel");
            if s.ignore_failure {
                d = d.with_note(
                    "the `-` prefix only keeps systemd-sysctl from reporting the failure",
                );
            }
            out.push(d.with_help("write a value the kernel accepts, or remove the line"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::source_support::testing::{entry, kernel, run_entry, runtime};
    use panicpol_syntax::entry::{RuntimeSource, RuntimeTarget};

    #[test]
    fn out_of_range_and_malformed() {
        let k = kernel();
        let mut e = entry("quiet");
        e.runtime = vec![
            runtime(
                RuntimeSource::SysctlD,
                RuntimeTarget::Sysctl {
                    path: "kernel/panic_on_warn".into(),
                },
                "2",
                20,
            ),
            runtime(
                RuntimeSource::SysctlD,
                RuntimeTarget::Sysctl {
                    path: "kernel/panic".into(),
                },
                "ten",
                40,
            ),
            runtime(
                RuntimeSource::SysctlD,
                RuntimeTarget::Sysctl {
                    path: "kernel/panic_print".into(),
                },
                "3",
                60,
            ),
        ];
        let d = run_entry(&Rule803, &e, &k);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(
            d[0].message.contains("panic_on_warn stays 0"),
            "{}",
            d[0].message
        );
        assert_eq!(d[1].primary.as_ref().map(|l| l.span.clone()), Some(40..43));
    }
}
