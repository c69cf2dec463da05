//! PP105 quote-kept: quotes inside a value reach the parameter as literal bytes.

use panicpol_diagnostics::{Diagnostic, Severity};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule105;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP105",
    name: "quote-kept",
    severity: Severity::Warning,
    summary: "a quote inside a value is passed on as a literal character",
    doc: r#"## What it does
Finds `"` characters that stay in a parameter's value.

## Why is this bad?
`next_arg` removes only the quote that opens a value (or the token) and the one
that ends it. Quotes in the middle toggle space handling but are kept in the
value, so `foo=a"b c"d` sets `foo` to `a"b c"d`. Values that need a literal `"`
cannot be written at all: there is no escape character.

## Example
```
acpi_osi="!Windows 2012"x
```

## Fix
Quote the whole value: `acpi_osi="!Windows 2012"`.
"#,
};

impl Rule for Rule105 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for t in &cx.cmdline.tokens {
            if t.open_quote {
                continue; // PP101 reports it.
            }
            let Some(v) = &t.value else { continue };
            let Some(pos) = t
                .value_bytes(cx.text)
                .and_then(|b| b.iter().position(|&c| c == b'"'))
            else {
                continue;
            };
            let at = v.start + pos;
            out.push(
                Diagnostic::new(
                    META.code,
                    META.severity,
                    format!(
                        "the value of `{}` keeps this quote as a literal character",
                        cx.show(&t.name)
                    ),
                )
                .with_primary_at(cx.locate(&(at..at + 1)), "kept in the value")
                .with_secondary_at(cx.locate(v), "the value the kernel sees")
                .with_help("quote the whole value instead: name=\"value with spaces\""),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn inner_quote() {
        let d = run(&Rule105, b"foo=a\"b c\"d");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].1, "\"");
    }

    #[test]
    fn outer_quotes_are_stripped() {
        assert!(run(&Rule105, b"foo=\"a b\" \"bar=c d\"").is_empty());
    }
}
