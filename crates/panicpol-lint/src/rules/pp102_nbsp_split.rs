//! PP102 nbsp-split: byte 0xA0 outside quotes ends a token.

use panicpol_diagnostics::{Diagnostic, Severity};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule102;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP102",
    name: "nbsp-split",
    severity: Severity::Error,
    summary: "byte 0xA0 outside quotes is a space to the kernel and splits the token",
    doc: r#"## What it does
Finds byte 0xA0 outside quotes.

## Why is this bad?
The kernel's `isspace()` (`lib/ctype.c`) treats 0xA0, the Latin-1 no-break space,
as white space. It splits a token wherever it appears outside quotes, even in
the middle of a UTF-8 character (`à` is `C3 A0`, `\u00a0` is `C2 A0`). Such bytes
often arrive by copy and paste from a web page.

## Example
```
panic=10<U+00A0>crash_kexec_post_notifiers
```
The kernel sees `panic=10\xC2` (rejected) and `crash_kexec_post_notifiers`.

## Fix
Replace the no-break space with a plain space, or quote the value if the byte
belongs to it.
"#,
};

impl Rule for Rule102 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        // Every 0xA0 byte that is not inside a token was a separator.
        let mut inside = vec![false; cx.text.len()];
        for t in &cx.cmdline.tokens {
            for i in t.span.clone() {
                if let Some(x) = inside.get_mut(i) {
                    *x = true;
                }
            }
        }
        let end = cx.cmdline.end.min(cx.text.len());
        for (i, &b) in cx.text.get(..end).unwrap_or_default().iter().enumerate() {
            if b == 0xa0 && !inside.get(i).copied().unwrap_or(false) {
                let utf8 = i
                    .checked_sub(1)
                    .and_then(|p| cx.text.get(p))
                    .is_some_and(|c| (0xc2..=0xf4).contains(c));
                let start = if utf8 { i - 1 } else { i };
                out.push(
                    Diagnostic::new(META.code, META.severity, "byte 0xA0 splits the command line here")
                        .with_primary_at(cx.locate(&(start..i + 1)), "the kernel treats 0xA0 as a space")
                        .with_help(if utf8 {
                            "this is part of a UTF-8 character (e.g. a no-break space); use a plain space or quote the value"
                        } else {
                            "use a plain space, or quote the value if the byte belongs to it"
                        }),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn nbsp_between_tokens() {
        let d = run(&Rule102, "panic=10\u{a0}oops=panic".as_bytes());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].1, "\u{a0}");
    }

    #[test]
    fn quoted_nbsp_is_kept() {
        assert!(run(&Rule102, "x=\"a\u{a0}b\"".as_bytes()).is_empty());
    }

    #[test]
    fn plain_spaces_are_fine() {
        assert!(run(&Rule102, b"a b\tc").is_empty());
    }
}
