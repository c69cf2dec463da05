//! PP708 source-syntax: a boot source that its own tool fails to read, reads
//! differently than written, or that panicpol cannot evaluate.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_syntax::issue::IssueKind;

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule708;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP708",
    name: "source-syntax",
    severity: Severity::Error,
    summary: "a boot source has a syntax error, a line its tool skips, or a construct panicpol does not evaluate",
    doc: r#"## What it does
Reports what the reader of each boot source found, at the byte:
- errors that make the tool reading the file fail (an unterminated quote in
  `/etc/default/grub` stops `/bin/sh`, so `update-grub` fails and grub.cfg is
  not regenerated; GRUB rejects a script with one) — errors;
- lines the tool reads differently than written (a sysctl.d line without `=`,
  a `#` comment in `/etc/kernel/cmdline`, an unknown BLS key) — warnings;
- limits panicpol applies (an absurdly long line) — warnings;
- constructs panicpol does not evaluate (command substitutions, conditionals,
  sourcing another file) — notes, saying what is assumed.

## Why is this bad?
A source that does not say what its author thinks changes the command line
silently, or stops it from changing at all.

## Example
```
GRUB_CMDLINE_LINUX_DEFAULT="quiet panic=10
```

## Fix
Fix the file where panicpol points.
"#,
};

impl Rule for Rule708 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(entry) = cx.entry else {
            return;
        };
        for i in &entry.issues {
            let (severity, label) = match i.kind {
                IssueKind::Syntax => (Severity::Error, "the tool reading this file fails here"),
                IssueKind::Suspicious => (Severity::Warning, "not read as written"),
                IssueKind::Limit => (Severity::Warning, "not read past here"),
                IssueKind::Unsupported => (Severity::Info, "not evaluated by panicpol"),
                IssueKind::UnknownVariable | IssueKind::Binary | IssueKind::Io => continue,
            };
            out.push(
                Diagnostic::new(META.code, severity, i.message.clone()).with_primary(
                    i.file,
                    i.span.clone(),
                    label,
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::source_support::testing::{entry, kernel, run_entry};
    use panicpol_diagnostics::FileId;
    use panicpol_syntax::grub_default::GrubDefaults;

    #[test]
    fn unterminated_quote_in_grub_defaults() {
        let k = kernel();
        let text = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet panic=10\nGRUB_TIMEOUT=5\n";
        let d = GrubDefaults::source(&[(FileId(2), text.as_bytes())]);
        let mut e = entry("quiet");
        e.issues = d.issues.clone();
        let out = run_entry(&Rule708, &e, &k);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].severity, Severity::Error);
        let p = out[0].primary.as_ref().expect("at");
        assert_eq!((p.file, p.span.clone()), (FileId(2), 27..28));
    }
}
