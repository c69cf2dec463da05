//! PP706 builtin-cmdline-adds: the kernel adds its built-in parameters to
//! the boot loader's.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_syntax::kconfig_cmdline::Mode;

use super::source_support::{panic_param, quoted, tokens};
use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule706;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP706",
    name: "builtin-cmdline-adds",
    severity: Severity::Info,
    summary: "CONFIG_CMDLINE adds parameters that appear in no boot loader file",
    doc: r#"## What it does
Reports a built-in command line (`CONFIG_CMDLINE`) that the kernel joins to
the boot loader's: before it on x86 (`CONFIG_CMDLINE_BOOL` without
`_OVERRIDE`), after it with `CONFIG_CMDLINE_EXTEND`, or instead of an empty
one. Panic parameters it sets are named.

## Why is this bad?
These parameters are in effect on every boot, yet no boot loader file shows
them. On x86 the built-in line comes first, so a boot loader value of a
"last wins" parameter overrides it — and the built-in one still applies when
the boot loader's is removed.

## Example
```
CONFIG_CMDLINE_BOOL=y
CONFIG_CMDLINE="panic=5"
```

## Fix
Nothing, if it is intended. Otherwise build without it, or set the parameter
where the boot loader's files show it.
"#,
};

impl Rule for Rule706 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(b) = cx.entry.and_then(|e| e.builtin.as_ref()) else {
            return;
        };
        let how = match b.mode {
            Mode::Prepend => "before the boot loader's command line",
            Mode::Append => "after the boot loader's command line",
            Mode::Fallback => "when the boot loader gives an empty command line",
            Mode::None | Mode::Replace => return,
        };
        if b.value.text.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let at =
            b.at.clone()
                .or(b.decided_by.clone())
                .unwrap_or((cx.file, 0..0));
        let mut d = Diagnostic::new(
            META.code,
            META.severity,
            format!(
                "the kernel adds CONFIG_CMDLINE {} {how}",
                quoted(&b.value.text)
            ),
        )
        .with_primary_at(at, "built into the kernel");
        for t in tokens(&b.value) {
            if let Some(spec) = panic_param(&t.name) {
                d = d.with_note(format!("`{}`: {}", t.raw, spec.summary));
            }
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::source_support::testing::{entry, kernel, run_entry};
    use panicpol_diagnostics::FileId;
    use panicpol_syntax::entry::Builtin;
    use panicpol_syntax::provenance::Composed;

    #[test]
    fn prepend_is_noted() {
        let k = kernel();
        for (mode, want) in [(Mode::Prepend, 1), (Mode::Append, 1), (Mode::Replace, 0)] {
            let mut e = entry("ro");
            e.builtin = Some(Builtin {
                mode,
                value: Composed::single(FileId(4), b"panic=5", 16),
                decided_by: None,
                at: Some((FileId(4), 0..24)),
            });
            let d = run_entry(&Rule706, &e, &k);
            assert_eq!(d.len(), want, "{mode:?}");
            if want == 1 {
                assert_eq!(d[0].notes.len(), 1);
            }
        }
    }
}
