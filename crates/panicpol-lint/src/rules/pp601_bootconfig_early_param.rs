//! PP601 bootconfig-early-param: an early or arch-parsed parameter in a
//! bootconfig is shown but never applied.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::dispatch::{DropReason, Fate, Layer};

use super::source_support::panic_param;
use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule601;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP601",
    name: "bootconfig-early-param",
    severity: Severity::Error,
    summary: "an early parameter in bootconfig shows in /proc/cmdline but is never applied",
    doc: r#"## What it does
Finds `kernel.*` keys of a bootconfig that name an `early_param` of the target
kernel (`oops=`, `panic_on_taint=`, `loglevel=` …) or a parameter that
architecture code reads from the boot loader's command line (`crashkernel=`).

## Why is this bad?
The kernel loads the bootconfig in `setup_boot_config()`, after `setup_arch()`
has already run `parse_early_param()` on the boot loader's command line and
reserved the crash kernel memory (init/main.c, 6.1 and 6.12). The key is then
rendered into the command line — it shows in `/proc/cmdline` — but no early
handler ever sees it, and `obsolete_checksetup()` consumes it as "already done".
The setting silently does not exist.

## Example
```
kernel {
    oops = panic
    crashkernel = 256M
}
```

## Fix
Put early parameters on the boot loader's command line (`/etc/default/grub`,
the BLS `options`, `/etc/kernel/cmdline`); keep bootconfig for the others.
"#,
};

impl Rule for Rule601 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.dispatch.bootconfig.loaded {
            return;
        }
        for t in cx
            .dispatch
            .tokens
            .iter()
            .filter(|t| t.layer == Layer::BootconfigKernel)
        {
            let raw = t.text.as_slice();
            let name = raw.split(|&b| b == b'=').next().unwrap_or_default();
            let spec = panic_param(name);
            let dropped_early = matches!(
                t.fate,
                Fate::Dropped {
                    reason: DropReason::EarlyNotOnBootloaderLine
                }
            );
            if !dropped_early && !spec.is_some_and(|s| s.early) {
                continue;
            }
            let Some(at) = cx.fate_loc(t) else {
                continue;
            };
            let shown = String::from_utf8_lossy(raw);
            let name = String::from_utf8_lossy(name);
            let mut d = Diagnostic::new(
                META.code,
                META.severity,
                format!(
                    "`{shown}` in bootconfig is never applied: `{name}` is read from the boot loader's command line before bootconfig is loaded"
                ),
            )
            .with_primary_at(at, "shows in /proc/cmdline, has no effect")
            .with_help("move it to the boot loader's command line");
            if let Some(s) = spec {
                d = d.with_note(format!("{}: {}", s.name, s.summary));
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::source_support::testing::{entry, kernel, run_entry};
    use panicpol_diagnostics::FileId;
    use panicpol_syntax::bootconfig_source;

    #[test]
    fn early_keys_are_reported_in_the_bootconfig_file() {
        let k = kernel();
        let text = "kernel.oops = panic\nkernel.crashkernel = 256M\nkernel.panic = 10\n";
        // (command line, findings)
        for (cmdline, want) in [("bootconfig", 2), ("quiet", 0)] {
            let mut e = entry(cmdline);
            e.bootconfig = Some(bootconfig_source::read(FileId(5), text.as_bytes()));
            let d = run_entry(&Rule601, &e, &k);
            assert_eq!(d.len(), want, "{cmdline}: {d:?}");
            if want > 0 {
                let p = d[0].primary.as_ref().expect("located");
                assert_eq!(p.file, FileId(5));
                assert_eq!(&text[p.span.clone()], "oops");
                assert!(d[1].message.contains("crashkernel"), "{:?}", d[1].message);
            }
        }
    }
}
