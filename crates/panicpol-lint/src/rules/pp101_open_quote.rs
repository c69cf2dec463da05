//! PP101 open-quote: a quote that is never closed swallows the rest of the line.

use panicpol_diagnostics::{Diagnostic, Severity};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule101;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP101",
    name: "open-quote",
    severity: Severity::Error,
    summary: "a quote is never closed, so one token swallows the rest of the command line",
    doc: r#"## What it does
Finds a `"` that is still open at the end of the command line.

## Why is this bad?
The kernel's tokenizer (`lib/cmdline.c:next_arg`) toggles quoting at every `"` and
only ends a token at a space outside quotes. An unclosed quote makes the rest of
the command line one value: every parameter after it is silently not applied.
There is no escape character, so `\"` does not help.

## Example
```
panic_print="0x3 crash_kexec_post_notifiers panic=10
```
`panic_print` gets the value `0x3 crash_kexec_post_notifiers panic=10`, which it
rejects; `crash_kexec_post_notifiers` and `panic=10` are never seen.

## Fix
Close the quote, or remove it: quotes are only needed around values with spaces.
```
panic_print=0x3 crash_kexec_post_notifiers panic=10
```
"#,
};

impl Rule for Rule101 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for t in cx.cmdline.tokens.iter().filter(|t| t.open_quote) {
            // The opening quote is the last one that toggled quoting on.
            let raw = t.raw(cx.text);
            let mut open = None;
            let mut inq = false;
            for (i, &b) in raw.iter().enumerate() {
                if b == b'"' {
                    inq = !inq;
                    if inq {
                        open = Some(i);
                    }
                }
            }
            let at = t.span.start + open.unwrap_or(0);
            out.push(
                Diagnostic::new(
                    META.code,
                    META.severity,
                    "unclosed quote swallows the rest of the command line",
                )
                .with_primary_at(cx.locate(&(at..at + 1)), "this quote is never closed")
                .with_secondary_at(cx.token_loc(t), "the kernel reads all of this as one token")
                .with_help("close the quote; the kernel has no escape character"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn finds_the_open_quote() {
        let d = run(&Rule101, b"a=1 b=\"x y c=2");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0, "PP101");
        assert_eq!(d[0].1, "\"");
    }

    #[test]
    fn balanced_quotes_are_fine() {
        assert!(run(&Rule101, b"a=\"x y\" b=c\"d e\"f").is_empty());
    }
}
