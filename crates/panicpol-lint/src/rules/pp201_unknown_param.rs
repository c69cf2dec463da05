//! PP201 unknown-param: a parameter this kernel does not know goes to init.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::catalogue;
use panicpol_policy::dispatch::{Doubt, Fate};

use crate::names::{candidates, closest, did_you_mean};
use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule201;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP201",
    name: "unknown-param",
    severity: Severity::Warning,
    summary: "a parameter the target kernel does not know is passed to init",
    doc: r#"## What it does
Finds tokens before `--` that no parameter of the target kernel takes and that
have no `.` in their name: every `name=value`, and bare words that look like a
typo of a kernel parameter (bare words such as `single` or `splash` are usually
meant for init).

## Why is this bad?
`init/main.c:unknown_bootoption` hands such tokens to the init process: `name=value`
becomes an environment variable, a bare `name` an argument. The kernel only says
`Unknown kernel command line parameters "…", will be passed to user space.` A typo
in a parameter name therefore silently leaves the setting at its default.
Names are compared as the kernel compares them: `-` and `_` are the same, case
matters.

With only a System.map, kallsyms or no kernel at all, panicpol cannot see every
parameter the kernel has; it then reports only names that are close to a known one.

## Example
```
crash_kexec_post_notifier
```

## Fix
Use the kernel's spelling (panicpol suggests names from the target kernel's own
tables), or remove the token.
"#,
};

impl Rule for Rule201 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut names = None;
        for t in &cx.dispatch.tokens {
            if !t.reported_unknown {
                continue;
            }
            let (Fate::InitEnv { .. } | Fate::InitArgv { .. }) = &t.fate else {
                continue;
            };
            let Some(span) = cx.fate_loc(t) else {
                continue;
            };
            let name = t
                .text
                .as_slice()
                .split(|&b| b == b'=')
                .next()
                .unwrap_or_default();
            let name = String::from_utf8_lossy(name).trim_matches('"').to_string();
            // A panic parameter this kernel lacks is PP202's (or PP301's).
            if catalogue::lookup(name.as_bytes()).is_some() {
                continue;
            }
            let names = names.get_or_insert_with(|| candidates(cx));
            let found = closest(&name, names);
            let incomplete = t.doubts.contains(&Doubt::TablesIncomplete);
            // A bare word (`single`, `emergency`, `splash`) is usually meant
            // for init; it is a finding only when it looks like a typo of a
            // kernel parameter.
            let bare = matches!(t.fate, Fate::InitArgv { .. });
            if (incomplete || bare) && found.is_empty() {
                continue;
            }
            let whom = match &t.fate {
                Fate::InitEnv { var } => format!("init gets `{var}` in its environment"),
                Fate::InitArgv { arg } => format!("init gets `{arg}` as an argument"),
                _ => String::new(),
            };
            let mut d = Diagnostic::new(
                META.code,
                if incomplete {
                    Severity::Info
                } else {
                    META.severity
                },
                format!("`{name}` is not a parameter of this kernel; it is passed to init"),
            )
            .with_primary_at(span, whom);
            if let Some(h) = did_you_mean(&found) {
                d = d.with_help(h);
            }
            if incomplete {
                d = d.with_note(
                    "the kernel's parameter tables were not read (give --vmlinux to be sure)",
                );
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn typo_of_a_known_parameter() {
        let d = run(&Rule201, b"crash_kexec_post_notifier console=ttyS0");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].1, "crash_kexec_post_notifier");
    }

    #[test]
    fn words_for_init_are_fine() {
        let mut k = panicpol_kernel::Kernel::empty(panicpol_kernel::KernelSource::Vmlinux);
        k.tables_complete = true;
        panicpol_policy::supplement::supplement(&mut k);
        let d = crate::rules::test_support::run_with(&Rule201, b"single splash foo=bar", &k);
        // `foo=bar` reaches init's environment: reported; the bare words are not.
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("`foo`"));
    }

    #[test]
    fn unknown_but_not_close_is_quiet_without_tables() {
        assert!(run(&Rule201, b"console=ttyS0 quiet splash").is_empty());
    }
}
