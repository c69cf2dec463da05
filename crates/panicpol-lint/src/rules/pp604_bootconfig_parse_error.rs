//! PP604 bootconfig-parse-error: the kernel cannot use the bootconfig.

use panicpol_diagnostics::{Diagnostic, Severity};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule604;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP604",
    name: "bootconfig-parse-error",
    severity: Severity::Error,
    summary: "the kernel rejects the bootconfig (parse error, bad footer, unusable keys)",
    doc: r#"## What it does
Reports what the kernel itself would reject in a boot entry's bootconfig:
parse errors at the byte the kernel names ("Failed to parse bootconfig: No
closing quotes at 42."), an initrd footer whose size or checksum is wrong, and
a `kernel = value` that turns the `kernel` key into a leaf, which makes the
kernel drop every `kernel.*` key.

## Why is this bad?
On any of these the kernel logs one line and boots without the bootconfig
(init/main.c `setup_boot_config`, lib/bootconfig.c): every setting in it is
lost.

## Example
```
kernel.panic = "10
```

## Fix
Fix the text where panicpol points (`panicpol initrd show` prints it), then
attach it again.
"#,
};

impl Rule for Rule604 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(entry) = cx.entry else {
            return;
        };
        if let Some((msg, at)) = &entry.bootconfig_footer_error {
            out.push(
                Diagnostic::new(
                    META.code,
                    META.severity,
                    format!("the kernel ignores the bootconfig attached to this initrd: {msg}"),
                )
                .with_primary_at(at.clone(), "bootconfig footer rejected")
                .with_help("attach the bootconfig again (`panicpol initrd attach`)"),
            );
        }
        let Some(bc) = &entry.bootconfig else {
            return;
        };
        match &bc.parsed {
            Err(e) => {
                let span = e.pos.map_or(0..0, |p| p..p + 1);
                out.push(
                    Diagnostic::new(
                        META.code,
                        META.severity,
                        format!(
                            "the kernel cannot parse this bootconfig: {}",
                            e.kind.message()
                        ),
                    )
                    .with_primary(bc.file, span, e.kind.message().to_lowercase())
                    .with_note(format!("the kernel logs: {}", e.kernel_log()))
                    .with_help("fix the bootconfig here; the kernel boots without any of it"),
                );
            }
            Ok(_) => {
                for (root, err) in &bc.compose_errors {
                    out.push(
                        Diagnostic::new(
                            META.code,
                            META.severity,
                            format!(
                                "the kernel drops every `{root}.*` key of this bootconfig: {err}"
                            ),
                        )
                        .with_primary(bc.file, 0..0, format!("no `{root}.*` parameter is used"))
                        .with_help(format!(
                            "remove the value given to `{root}` itself, or the too deep keys"
                        )),
                    );
                }
            }
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
    fn parse_errors_point_at_the_kernels_byte() {
        let k = kernel();
        // (bootconfig, findings, where the first points)
        let cases: &[(&str, usize, std::ops::Range<usize>)] = &[
            // The kernel reports an unclosed quote where the data ends.
            ("kernel.panic = \"10\n", 1, 19..20),
            ("kernel = x\nkernel.panic = 1\n", 1, 0..0),
            ("kernel.panic = 10\n", 0, 0..0),
        ];
        for (text, n, span) in cases {
            let mut e = entry("bootconfig");
            e.bootconfig = Some(bootconfig_source::read(FileId(4), text.as_bytes()));
            let d = run_entry(&Rule604, &e, &k);
            assert_eq!(d.len(), *n, "{text:?}: {d:?}");
            if *n > 0 {
                assert_eq!(
                    d[0].primary.as_ref().map(|l| l.span.clone()),
                    Some(span.clone())
                );
            }
        }
        let mut e = entry("bootconfig");
        e.bootconfig_footer_error = Some(("bootconfig checksum failed".into(), (FileId(7), 0..0)));
        assert_eq!(run_entry(&Rule604, &e, &k).len(), 1);
    }
}
