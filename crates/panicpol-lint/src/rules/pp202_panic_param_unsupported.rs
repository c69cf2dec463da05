//! PP202 panic-param-unsupported: a panic parameter this kernel does not have.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::catalogue::{self, Registration};
use panicpol_policy::dispatch::Fate;

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule202;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP202",
    name: "panic-param-unsupported",
    severity: Severity::Error,
    summary: "a panic parameter the target kernel does not have is passed to init or dropped",
    doc: r#"## What it does
Finds panic and kdump parameters (from panicpol's catalogue) that the target kernel
does not register: a name from a newer kernel (`panic_sys_info=` and
`panic_console_replay` arrived in 6.17), or a sysctl written without its `sysctl.`
prefix (`kernel.panic_on_oops=1`).

## Why is this bad?
The kernel passes an unknown name to init, or drops it silently when it has a `.`.
The setting the line was written for never happens, and nothing says so except one
"Unknown kernel command line parameters" line in the log.

## Example
On 6.12:
```
panic_sys_info=tasks,mem
```

## Fix
Use the form the target kernel has (`panic_print=0x3` before 6.17), or the
`sysctl.` prefix for a sysctl (`sysctl.kernel.panic_on_oops=1`).
"#,
};

impl Rule for Rule202 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for t in &cx.dispatch.tokens {
            if matches!(t.fate, Fate::Separator) {
                break; // After `--`: PP206.
            }
            let fate = match &t.fate {
                Fate::InitEnv { var } => format!("init gets `{var}` in its environment"),
                Fate::InitArgv { arg } if t.reported_unknown => {
                    format!("init gets `{arg}` as an argument")
                }
                Fate::Dropped { .. } => "the kernel drops it without a message".to_string(),
                _ => continue,
            };
            let Some(span) = cx.fate_loc(t) else {
                continue;
            };
            let raw = t.text.as_slice();
            let raw = raw.strip_prefix(b"\"").unwrap_or(raw);
            let name = raw.split(|&b| b == b'=').next().unwrap_or_default();
            let Some(spec) = catalogue::lookup(name).or_else(|| {
                std::str::from_utf8(name)
                    .ok()
                    .and_then(catalogue::lookup_sysctl)
            }) else {
                continue;
            };
            if spec.registration == Registration::OutOfTree {
                continue; // PP301 explains the filter.
            }
            let release = cx.kernel.release.as_deref().unwrap_or("the target kernel");
            let mut d = Diagnostic::new(
                META.code,
                META.severity,
                format!(
                    "`{}` is not a parameter of {release}",
                    String::from_utf8_lossy(name)
                ),
            )
            .with_primary_at(span, fate)
            .with_note(format!("{}: {}", spec.name, spec.summary));
            d = match spec.registration {
                Registration::SysctlOnly => d.with_help(format!(
                    "it is a sysctl only: write `sysctl.{}=…`",
                    spec.sysctl.map(|s| s.name).unwrap_or(spec.name)
                )),
                _ => d.with_help(format!(
                    "check which kernels have `{}` (source: {})",
                    spec.name, spec.source
                )),
            };
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run_with;
    use panicpol_kernel::{Kernel, KernelParam, KernelSource, Known, ParamType};

    fn kernel_612_without_sys_info() -> Kernel {
        let mut k = Kernel::empty(KernelSource::Vmlinux);
        k.release = Some("6.12.117+deb12-cloud-amd64".into());
        k.tables_complete = true;
        k.params.push(KernelParam {
            name: "panic_print".into(),
            level: -1,
            ty: ParamType::Ulong,
            perm: 0o644,
            flags: 0,
            arg_symbol: None,
            default: None,
            known: Known::Table,
        });
        k
    }

    #[test]
    fn sys_info_on_612_goes_to_init() {
        let k = kernel_612_without_sys_info();
        let d = run_with(&Rule202, b"panic_print=1 panic_sys_info=tasks", &k);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("panic_sys_info"), "{}", d[0].message);
    }

    #[test]
    fn known_parameter_is_fine() {
        let k = kernel_612_without_sys_info();
        assert!(run_with(&Rule202, b"panic_print=1", &k).is_empty());
    }
}
