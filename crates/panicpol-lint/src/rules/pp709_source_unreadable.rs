//! PP709 source-unreadable: a boot source that could not be read.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_syntax::issue::IssueKind;

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule709;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP709",
    name: "source-unreadable",
    severity: Severity::Warning,
    summary: "a boot source could not be read (permissions, symlink loop, binary data, too large)",
    doc: r#"## What it does
Reports files and directories of a root tree that panicpol could not read: no
permission, a symbolic link loop, a file where a directory is expected, binary
data where text is expected, a file too large to be a configuration file.

## Why is this bad?
What such a file sets is unknown, so the command line and panic settings
panicpol shows may be incomplete. The tool that reads it at boot may fail the
same way (systemd-sysctl skips a looping link; GRUB cannot read a binary
grub.cfg).

## Example
```
/etc/sysctl.d/loop.conf -> loop.conf
```

## Fix
Repair or remove the file.
"#,
};

impl Rule for Rule709 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(entry) = cx.entry else {
            return;
        };
        for i in entry
            .issues
            .iter()
            .filter(|i| matches!(i.kind, IssueKind::Io | IssueKind::Binary))
        {
            out.push(
                Diagnostic::new(META.code, META.severity, i.message.clone())
                    .with_primary(i.file, i.span.clone(), "not read")
                    .with_note("what this file sets is unknown; the results may be incomplete"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::source_support::testing::{entry, kernel, run_entry};
    use panicpol_diagnostics::FileId;
    use panicpol_syntax::issue::Issue;

    #[test]
    fn io_and_binary_only() {
        let k = kernel();
        let mut e = entry("ro");
        e.issues = vec![
            Issue::new(IssueKind::Io, FileId(1), 0..0, "cannot read: a loop"),
            Issue::new(IssueKind::Binary, FileId(2), 0..0, "binary data"),
            Issue::new(IssueKind::Syntax, FileId(3), 0..1, "syntax"),
        ];
        let d = run_entry(&Rule709, &e, &k);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].primary.as_ref().map(|l| l.file), Some(FileId(1)));
    }
}
