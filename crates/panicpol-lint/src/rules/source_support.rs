//! Shared by the boot-source rules (PP6xx, PP7xx, PP8xx): which parameters
//! are panic-relevant, the tokens of a composed text with their places, and
//! (in tests) a way to run a rule on a resolved boot entry.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::catalogue::{self, ParamSpec};
use panicpol_policy::policy::{Origin, Policy};
use panicpol_policy::runtime::Field;
use panicpol_syntax::cmdline::tokenize;
use panicpol_syntax::entry::{Ignored, Loc, RuntimeSource};
use panicpol_syntax::provenance::Composed;

use crate::Context;

/// The catalogue entry of a parameter name, if it is panic-relevant.
pub(crate) fn panic_param(name: &[u8]) -> Option<&'static ParamSpec> {
    catalogue::lookup(name)
}

/// One token of a composed text.
pub(crate) struct Tok {
    /// Its name (before `=`, outer quote removed).
    pub(crate) name: Vec<u8>,
    /// The token as written.
    pub(crate) raw: String,
    /// Where it was written, if a file wrote its first byte.
    pub(crate) at: Option<Loc>,
}

/// The kernel tokens of a composed text, each located.
pub(crate) fn tokens(c: &Composed) -> Vec<Tok> {
    tokenize(&c.text)
        .tokens
        .into_iter()
        .map(|t| Tok {
            name: t.name_bytes(&c.text).to_vec(),
            raw: String::from_utf8_lossy(t.raw(&c.text)).into_owned(),
            at: c.locate(&t.span),
        })
        .collect()
}

/// A composed text for messages: lossy, trimmed, in backquotes; `(empty)`
/// when blank.
pub(crate) fn quoted(c: &[u8]) -> String {
    let s = String::from_utf8_lossy(c);
    let s = s.trim();
    if s.is_empty() {
        "(empty)".into()
    } else {
        format!("`{s}`")
    }
}

/// A panic setting's boot value for display, and where it came from.
pub(crate) fn boot_value(p: &Policy, f: Field) -> (String, &Origin) {
    match f {
        Field::CrashKexecPostNotifiers => (
            if p.crash_kexec_post_notifiers.value {
                "Y"
            } else {
                "N"
            }
            .to_string(),
            &p.crash_kexec_post_notifiers.origin,
        ),
        Field::PanicPrint => (format!("{:#x}", p.panic_print.value), &p.panic_print.origin),
        Field::PanicTimeout => (p.panic_timeout.value.to_string(), &p.panic_timeout.origin),
        Field::PanicOnOops => (
            u8::from(p.panic_on_oops.value).to_string(),
            &p.panic_on_oops.origin,
        ),
        Field::PanicOnWarn => (p.panic_on_warn.value.to_string(), &p.panic_on_warn.origin),
    }
}

/// Every field a runtime file can change.
pub(crate) const FIELDS: &[Field] = &[
    Field::CrashKexecPostNotifiers,
    Field::PanicPrint,
    Field::PanicTimeout,
    Field::PanicOnOops,
    Field::PanicOnWarn,
];

/// The findings of PP801/PP802: runtime lines of `source` that decide a
/// panic setting after boot, against the command line's value.
pub(crate) fn runtime_overrides(
    cx: &Context<'_>,
    source: RuntimeSource,
    code: &'static str,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(entry), Some(ab)) = (cx.entry, cx.after_boot) else {
        return;
    };
    let tool = match source {
        RuntimeSource::SysctlD => "systemd-sysctl",
        RuntimeSource::Tmpfiles => "systemd-tmpfiles",
    };
    for &field in FIELDS {
        let Some(i) = ab.set_by(field) else {
            continue;
        };
        let Some(s) = entry.runtime.get(i) else {
            continue;
        };
        if s.source != source {
            continue;
        }
        let (boot, origin) = boot_value(cx.policy, field);
        let after = ab.show(field);
        if boot == after {
            continue;
        }
        let token = cx.origin_loc(origin);
        let severity = if token.is_some() {
            Severity::Warning
        } else {
            Severity::Info
        };
        let written = String::from_utf8_lossy(&s.value).trim().to_string();
        let before = if token.is_some() {
            format!("the command line gives {boot}")
        } else {
            format!("the command line leaves it at {boot}")
        };
        let mut d = Diagnostic::new(
            code,
            severity,
            format!(
                "`{} = {written}` sets {} to {after} after boot; {before}",
                s.target.display(),
                field.param()
            ),
        )
        .with_primary_at(
            s.value_at.clone(),
            format!("written by {tool} after the kernel read its command line"),
        )
        .with_note(format!("{} after boot: {after}", field.param()));
        if let Some(t) = token {
            d = d.with_secondary_at(t, "overridden after boot");
        }
        for c in ab
            .changes
            .iter()
            .filter(|c| c.field == field && c.setting != i && c.error.is_none())
        {
            if let Some(o) = entry.runtime.get(c.setting) {
                d = d.with_secondary_at(o.value_at.clone(), "overridden by a later line");
            }
        }
        for o in &entry.runtime {
            if o.target == s.target
                && let Some(Ignored::DuplicateOf(_)) = o.ignored
            {
                d = d.with_secondary_at(
                    o.value_at.clone(),
                    "ignored: systemd-tmpfiles applies the first line for a path",
                );
            }
        }
        if field == Field::CrashKexecPostNotifiers && ab.crash_kexec_post_notifiers.value {
            let plan = panicpol_policy::plan::resolve(&ab.policy(cx.policy), cx.kernel);
            if plan.kdump_reserved {
                let before_kdump = plan
                    .notifiers
                    .iter()
                    .filter(|n| n.fate == panicpol_policy::plan::NotifierFate::BeforeKdump)
                    .count();
                d = d.with_note(format!(
                    "a crash kernel is reserved: after boot, {before_kdump} panic notifier(s), panic_print and kmsg_dump run on the crashed kernel before kdump (see PP401)"
                ));
            }
        }
        out.push(d.with_help(format!(
            "set {} in one place: remove the line, or make the command line agree",
            field.param()
        )));
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use panicpol_diagnostics::{Diagnostic, FileId};
    use panicpol_kernel::{Kernel, KernelSource};
    use panicpol_syntax::entry::{BootEntry, Origin};
    use panicpol_syntax::provenance::Composed;

    use crate::Rule;
    use crate::context::EntryAnalysis;

    /// The catalogue kernel every rule test uses.
    pub(crate) fn kernel() -> Kernel {
        let mut k = Kernel::empty(KernelSource::Catalogue);
        panicpol_policy::supplement::supplement(&mut k);
        k
    }

    /// An entry whose command line is `text`, all of it from file 0 at
    /// offset 0.
    pub(crate) fn entry(text: &str) -> BootEntry {
        BootEntry::plain(
            "test",
            Origin::Cmdline,
            FileId(0),
            Composed::single(FileId(0), text.as_bytes(), 0),
        )
    }

    /// A runtime setting written by `source` to `target` in file 7.
    pub(crate) fn runtime(
        source: panicpol_syntax::entry::RuntimeSource,
        target: panicpol_syntax::entry::RuntimeTarget,
        value: &str,
        at: usize,
    ) -> panicpol_syntax::entry::RuntimeSetting {
        panicpol_syntax::entry::RuntimeSetting {
            source,
            target,
            value: value.as_bytes().to_vec(),
            key_at: (FileId(7), at.saturating_sub(10)..at.saturating_sub(3)),
            value_at: (FileId(7), at..at + value.len()),
            ignore_failure: false,
            ignored: None,
        }
    }

    /// Runs `rule` on `entry` against `kernel`.
    pub(crate) fn run_entry(
        rule: &dyn Rule,
        entry: &BootEntry,
        kernel: &Kernel,
    ) -> Vec<Diagnostic> {
        let a = EntryAnalysis::new(entry, kernel);
        let cx = a.context(kernel);
        let mut out = Vec::new();
        rule.check(&cx, &mut out);
        out
    }
}
