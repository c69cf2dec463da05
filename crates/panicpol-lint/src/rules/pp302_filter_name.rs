//! PP302 filter-name: a `panic_notifier_filter` entry that selects nothing.

use panicpol_diagnostics::{Diagnostic, Severity, Span};
use panicpol_kernel::Known;
use panicpol_kernel::symbols::NotifierNameCheck;
use panicpol_policy::dispatch::{Fate, parameq};
use panicpol_policy::values::{PANIC_NF_MAX, parse_panic_notifier_filter};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule302;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP302",
    name: "filter-name",
    severity: Severity::Error,
    summary: "a panic_notifier_filter name does not select a panic notifier of this kernel",
    doc: r#"## What it does
On kernels that have `panic_notifier_filter`, checks every name against the
kernel's symbols and its panic notifier registrations.

## Why is this bad?
The filter is an allowlist of callback functions, resolved with
`kallsyms_lookup_name()` while early parameters are parsed: an exact name of the
kernel image (no module is loaded yet), compared with each notifier's
`notifier_call` when it registers. A name that is misspelt, a compiler clone
(`foo.constprop.0`), a `__pfx_` padding symbol, a data symbol, a module's function
or a function that is no panic notifier selects nothing — and a filter in which no
name is valid filters nothing at all: every notifier runs.

## Example
```
panic_notifier_filter=hung_task_panik,rcu_panic
```

## Fix
Use the callback names panicpol lists with `panicpol kernel notifiers` for this
kernel.
"#,
};

impl Rule for Rule302 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let proven: Vec<&str> = cx
            .kernel
            .notifiers
            .iter()
            .filter(|n| n.known == Known::Code && n.module.is_none())
            .filter_map(|n| n.callback.as_deref())
            .collect();
        for t in &cx.dispatch.tokens {
            let raw = t.text.as_slice();
            let raw = raw.strip_prefix(b"\"").unwrap_or(raw);
            let name = raw.split(|&b| b == b'=').next().unwrap_or_default();
            if !parameq(name, b"panic_notifier_filter") {
                continue;
            }
            // On a kernel without the parameter (PP301) the names are still
            // checked: they are meant for this kernel's notifiers.
            let applied = matches!(t.fate, Fate::Applied { .. });
            if matches!(t.fate, Fate::Separator | Fate::Rejected { .. }) {
                continue;
            }
            let Some(span) = cx.fate_loc(t) else {
                continue;
            };
            let token = cx.cmdline.tokens.iter().find(|k| k.span == t.span);
            let value = token.and_then(|k| k.value_bytes(cx.text));
            let Ok(filter) = parse_panic_notifier_filter(value) else {
                continue;
            };
            let value_at = token.and_then(|k| k.value.as_ref()).map(|v| v.start);
            let at = |s: &Span| match value_at {
                Some(b) => cx.locate(&(b + s.start..b + s.end.max(s.start + 1))),
                None => span.clone(),
            };
            let mut valid = 0usize;
            for (s, name) in filter.items.iter().take(PANIC_NF_MAX + 1) {
                if name.is_empty() {
                    continue;
                }
                let problem = match cx.kernel.symbols.check_notifier_name(name) {
                    NotifierNameCheck::Exists { function, .. } => {
                        valid += 1;
                        if !proven.is_empty() && !proven.contains(&function.name.as_str()) {
                            Some((
                                Severity::Warning,
                                format!("`{name}` is a function but no panic notifier of this kernel registers it"),
                                format!("panic notifiers here: {}", proven.join(", ")),
                            ))
                        } else {
                            None
                        }
                    }
                    NotifierNameCheck::NotAFunction { kind, .. } => {
                        valid += 1;
                        Some((
                            Severity::Error,
                            format!("`{name}` is a data symbol (type {kind}), never a notifier callback"),
                            "name the callback function (`notifier_call`), not the notifier block".to_string(),
                        ))
                    }
                    NotifierNameCheck::ModuleOnly { module } => Some((
                        Severity::Error,
                        format!("`{name}` is a function of module `{module}`: unresolvable when the filter is parsed"),
                        "early parameters are parsed before any module loads; module notifiers cannot be filtered in".to_string(),
                    )),
                    NotifierNameCheck::OnlyAsSuffixed { names } => Some((
                        Severity::Error,
                        format!("no symbol is called exactly `{name}`"),
                        format!("the kernel has only compiler clones: {}", names.join(", ")),
                    )),
                    NotifierNameCheck::PrefixSymbol { function } => Some((
                        Severity::Error,
                        format!("`{name}` is padding before `{function}`, never an entry point"),
                        format!("write `{function}`"),
                    )),
                    NotifierNameCheck::ColdFragment { function } => Some((
                        Severity::Error,
                        format!("`{name}` is a cold part of `{function}`, never an entry point"),
                        format!("write `{function}`"),
                    )),
                    NotifierNameCheck::Missing { suggestions } => Some((
                        Severity::Error,
                        format!("`{name}` is not a symbol of this kernel; the kernel skips it"),
                        match suggestions.as_slice() {
                            [] => "no close name in this kernel".to_string(),
                            [one] => format!("did you mean `{one}`?"),
                            many => format!("did you mean one of {}?", many.join(", ")),
                        },
                    )),
                };
                if let Some((severity, message, help)) = problem {
                    out.push(
                        Diagnostic::new(META.code, severity, message)
                            .with_primary_at(at(s), "selects no panic notifier")
                            .with_help(help),
                    );
                }
            }
            if applied && valid == 0 && filter.items.len() <= PANIC_NF_MAX {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Error,
                        "no name in the filter resolves: it filters nothing",
                    )
                    .with_primary_at(span.clone(), "an empty allowlist is no allowlist")
                    .with_help("with panic_nf_count 0 the kernel registers every panic notifier"),
                );
            }
        }
    }
}
