//! GRUB's script language at the level a `linux` line needs: words, quotes,
//! variables with field splitting, and the command line GRUB's Linux loader
//! hands to the kernel.
//!
//! Words (grub-core/script/yylex.l): blanks separate words; newline and `;`
//! end a command; `#` at the start of a word starts a comment; `'…'` is
//! literal; inside `"…"` a backslash escapes `\`, `"`, `$` and a newline, and
//! `$var` expands; outside quotes a backslash escapes any byte and
//! backslash-newline continues the line. `$name`, `${name}` and the special
//! `$?`, `$#`, `$*`, `$@`, `$0`…`$9` expand. An unquoted expansion is split
//! into several arguments at blanks (this is why a BLS `options $kernelopts`
//! gives the kernel separate parameters); a quoted one is not.
//!
//! The loader (grub-core/loader/i386/linux.c and loader/efi/linux.c) writes
//! `BOOT_IMAGE=` followed by `grub_create_loader_cmdline` of all its
//! arguments, the kernel path first (grub-core/lib/cmdline.c): every argument
//! that contains a space is put in double quotes, and `\`, `'` and `"` inside
//! an argument get a backslash (except a `\xHH` sequence, copied as is);
//! arguments are joined by one space. The kernel has no escape character, so
//! a backslash GRUB adds reaches the kernel as a byte of the value.
//!
//! Every function here works on a [`Composed`] text, so the same reader
//! serves a `grub.cfg` line and the text `grub-mkconfig` would paste into
//! one from `/etc/default/grub`, and every byte keeps its provenance.

use std::ops::Range;

use panicpol_diagnostics::FileId;

use crate::compose::Builder;
use crate::issue::{Issue, IssueKind};
use crate::provenance::Composed;

/// The largest argument list one command may expand to, in bytes; more is
/// cut (GRUB's own limit for the loader command line is the kernel's, a few
/// KiB).
pub const MAX_ARGS_BYTES: usize = 64 * 1024;

/// One piece of a word before expansion; positions are offsets into the
/// lexed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordPart {
    /// A literal byte; `quoted` when it was inside quotes or escaped.
    Lit {
        /// The byte.
        byte: u8,
        /// Where it was written.
        at: usize,
        /// Inside quotes or after a backslash.
        quoted: bool,
    },
    /// A variable reference.
    Var {
        /// Its name.
        name: String,
        /// `$name` or `${name}` as written.
        span: Range<usize>,
        /// Inside double quotes (not field-split).
        quoted: bool,
    },
}

/// A word as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Its pieces.
    pub parts: Vec<WordPart>,
    /// The word as written, quotes included.
    pub span: Range<usize>,
    /// It has quotes, so it is an argument even when it expands to nothing
    /// (`""`).
    pub quoted: bool,
}

impl Word {
    /// The word when it is a plain unquoted literal (keywords, command
    /// names, `{`).
    pub fn literal(&self) -> Option<Vec<u8>> {
        self.parts
            .iter()
            .map(|p| match p {
                WordPart::Lit {
                    byte,
                    quoted: false,
                    ..
                } => Some(*byte),
                _ => None,
            })
            .collect()
    }

    /// The word's text with quotes removed and variables left as written
    /// (`$x`), for titles and names.
    pub fn text(&self, src: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for p in &self.parts {
            match p {
                WordPart::Lit { byte, .. } => out.push(*byte),
                WordPart::Var { span, .. } => {
                    out.extend_from_slice(src.get(span.clone()).unwrap_or_default())
                }
            }
        }
        out
    }

    /// `name=` at the start (as `set name=value` writes it): the name and
    /// the parts after `=`.
    pub fn assignment(&self) -> Option<(String, &[WordPart])> {
        let mut name = Vec::new();
        for (i, p) in self.parts.iter().enumerate() {
            match p {
                WordPart::Lit { byte: b'=', .. } if !name.is_empty() => {
                    let rest = self.parts.get(i + 1..).unwrap_or_default();
                    return Some((String::from_utf8(name).ok()?, rest));
                }
                WordPart::Lit { byte, .. } if byte.is_ascii_alphanumeric() || *byte == b'_' => {
                    name.push(*byte)
                }
                _ => return None,
            }
        }
        None
    }
}

/// A lexed token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// A word.
    Word(Word),
    /// The end of a command (newline or `;`), at this offset.
    End(usize),
}

/// Splits `src` into words and command ends. Problems (an unterminated
/// quote: `grub-script-check` rejects the file, and GRUB stops reading the
/// script there) are returned as issues located through `src`.
pub fn lex(src: &Composed) -> (Vec<Token>, Vec<Issue>) {
    let t = &src.text;
    let mut out = Vec::new();
    let mut issues = Vec::new();
    let mut pos = 0;
    while pos < t.len() {
        match t.get(pos).copied().unwrap_or(b' ') {
            b' ' | b'\t' | b'\r' => pos += 1,
            b'\\' if t.get(pos + 1) == Some(&b'\n') => pos += 2,
            b'\n' | b';' => {
                out.push(Token::End(pos));
                pos += 1;
            }
            b'#' => {
                while pos < t.len() && t.get(pos) != Some(&b'\n') {
                    pos += 1;
                }
            }
            _ => {
                let (w, next) = word(src, pos, &mut issues);
                out.push(Token::Word(w));
                // A word always consumes at least one byte.
                pos = next.max(pos + 1);
            }
        }
    }
    (out, issues)
}

fn issue_at(src: &Composed, span: Range<usize>, kind: IssueKind, msg: &str) -> Issue {
    let (file, at) = src
        .locate(&span)
        .or_else(|| src.pieces.first().map(|p| (p.file, p.offset..p.offset)))
        .unwrap_or((FileId(0), 0..0));
    Issue::new(kind, file, at, msg)
}

fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `$…` at `pos`: the part and the position after it.
fn dollar(t: &[u8], pos: usize, quoted: bool) -> (WordPart, usize) {
    let lit = (
        WordPart::Lit {
            byte: b'$',
            at: pos,
            quoted,
        },
        pos + 1,
    );
    match t.get(pos + 1).copied() {
        Some(b'{') => {
            let start = pos + 2;
            let mut end = start;
            while t
                .get(end)
                .is_some_and(|&b| name_byte(b) || b"?#*@".contains(&b))
            {
                end += 1;
            }
            if end > start && t.get(end) == Some(&b'}') {
                let name = String::from_utf8_lossy(t.get(start..end).unwrap_or_default());
                (
                    WordPart::Var {
                        name: name.into_owned(),
                        span: pos..end + 1,
                        quoted,
                    },
                    end + 1,
                )
            } else {
                lit
            }
        }
        Some(c) if b"?#*@".contains(&c) => (
            WordPart::Var {
                name: (c as char).to_string(),
                span: pos..pos + 2,
                quoted,
            },
            pos + 2,
        ),
        Some(c) if name_byte(c) => {
            let mut end = pos + 1;
            while t.get(end).is_some_and(|&b| name_byte(b)) {
                end += 1;
            }
            let name = String::from_utf8_lossy(t.get(pos + 1..end).unwrap_or_default());
            (
                WordPart::Var {
                    name: name.into_owned(),
                    span: pos..end,
                    quoted,
                },
                end,
            )
        }
        _ => lit,
    }
}

fn word(src: &Composed, start: usize, issues: &mut Vec<Issue>) -> (Word, usize) {
    let t = &src.text;
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut pos = start;
    while let Some(&b) = t.get(pos) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' | b';' => break,
            b'\\' => match t.get(pos + 1).copied() {
                Some(b'\n') => pos += 2,
                Some(c) => {
                    parts.push(WordPart::Lit {
                        byte: c,
                        at: pos + 1,
                        quoted: true,
                    });
                    pos += 2;
                }
                None => pos += 1,
            },
            b'\'' => {
                quoted = true;
                let open = pos;
                pos += 1;
                loop {
                    match t.get(pos).copied() {
                        None => {
                            issues.push(issue_at(
                                src,
                                open..open + 1,
                                IssueKind::Syntax,
                                "unterminated ' quote: GRUB rejects the script (grub-script-check fails) and stops reading here",
                            ));
                            break;
                        }
                        Some(b'\'') => {
                            pos += 1;
                            break;
                        }
                        Some(c) => {
                            parts.push(WordPart::Lit {
                                byte: c,
                                at: pos,
                                quoted: true,
                            });
                            pos += 1;
                        }
                    }
                }
            }
            b'"' => {
                quoted = true;
                let open = pos;
                pos += 1;
                loop {
                    match t.get(pos).copied() {
                        None => {
                            issues.push(issue_at(
                                src,
                                open..open + 1,
                                IssueKind::Syntax,
                                "unterminated \" quote: GRUB rejects the script (grub-script-check fails) and stops reading here",
                            ));
                            break;
                        }
                        Some(b'"') => {
                            pos += 1;
                            break;
                        }
                        Some(b'\\') => match t.get(pos + 1).copied() {
                            Some(b'\n') => pos += 2,
                            Some(c @ (b'\\' | b'"' | b'$')) => {
                                parts.push(WordPart::Lit {
                                    byte: c,
                                    at: pos + 1,
                                    quoted: true,
                                });
                                pos += 2;
                            }
                            _ => {
                                parts.push(WordPart::Lit {
                                    byte: b'\\',
                                    at: pos,
                                    quoted: true,
                                });
                                pos += 1;
                            }
                        },
                        Some(b'$') => {
                            let (p, next) = dollar(t, pos, true);
                            parts.push(p);
                            pos = next;
                        }
                        Some(c) => {
                            parts.push(WordPart::Lit {
                                byte: c,
                                at: pos,
                                quoted: true,
                            });
                            pos += 1;
                        }
                    }
                }
            }
            b'$' => {
                let (p, next) = dollar(t, pos, false);
                parts.push(p);
                pos = next;
            }
            _ => {
                parts.push(WordPart::Lit {
                    byte: b,
                    at: pos,
                    quoted: false,
                });
                pos += 1;
            }
        }
    }
    (
        Word {
            parts,
            span: start..pos,
            quoted,
        },
        pos,
    )
}

/// A variable reference that nothing defined: it expanded to nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// The variable.
    pub name: String,
    /// Where it was written, in the lexed text.
    pub span: Range<usize>,
}

/// Expands words into arguments as GRUB's `grub_script_arglist_to_argv`
/// does. `lookup` gives a variable's value (with provenance) or `None` when
/// it is unset. Unset variables are returned in `unresolved`.
pub fn expand(
    words: &[Word],
    src: &Composed,
    lookup: &dyn Fn(&str) -> Option<Composed>,
    unresolved: &mut Vec<Unresolved>,
) -> Vec<Composed> {
    let mut args = Vec::new();
    let mut total = 0usize;
    for w in words {
        let mut cur = Builder::new();
        // Whether the current argument exists even if empty (`""`).
        let mut exists = w.quoted;
        for p in &w.parts {
            match p {
                WordPart::Lit { at, .. } => {
                    cur.append(src, *at..*at + 1);
                    exists = true;
                }
                WordPart::Var { name, span, quoted } => {
                    let Some(v) = lookup(name) else {
                        unresolved.push(Unresolved {
                            name: name.clone(),
                            span: span.clone(),
                        });
                        exists |= *quoted;
                        continue;
                    };
                    let room = MAX_ARGS_BYTES.saturating_sub(total + cur.len());
                    let v_end = v.text.len().min(room);
                    if *quoted {
                        cur.append(&v, 0..v_end);
                        exists = true;
                        continue;
                    }
                    // Field splitting at blanks.
                    let text = v.text.get(..v_end).unwrap_or_default();
                    let mut i = 0;
                    while i < text.len() {
                        let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\n');
                        if text.get(i).is_some_and(blank) {
                            if exists || !cur.is_empty() {
                                total += cur.len();
                                args.push(std::mem::take(&mut cur).finish());
                                exists = false;
                            }
                            while text.get(i).is_some_and(blank) {
                                i += 1;
                            }
                            continue;
                        }
                        let start = i;
                        while i < text.len() && !text.get(i).is_some_and(blank) {
                            i += 1;
                        }
                        cur.append(&v, start..i);
                        exists = true;
                    }
                }
            }
        }
        if exists || !cur.is_empty() {
            total += cur.len();
            args.push(cur.finish());
        }
        if total >= MAX_ARGS_BYTES {
            break;
        }
    }
    args
}

/// GRUB's `check_arg` test for a `\xHH` sequence at `i`.
fn hex_escape_at(a: &[u8], i: usize) -> bool {
    a.get(i) == Some(&b'\\')
        && a.get(i + 1) == Some(&b'x')
        && a.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        && a.get(i + 3).is_some_and(u8::is_ascii_hexdigit)
}

/// The kernel command line GRUB's Linux loader builds from its arguments:
/// `BOOT_IMAGE=` + the kernel path, then every other argument, each quoted
/// and escaped as `grub_create_loader_cmdline` does. Without a kernel path
/// (the path is not known yet), only the arguments.
pub fn loader_cmdline(kernel_path: Option<&Composed>, args: &[Composed]) -> Composed {
    let mut b = Builder::new();
    if kernel_path.is_some() {
        b.synthetic(b"BOOT_IMAGE=");
    }
    for (i, arg) in kernel_path.into_iter().chain(args).enumerate() {
        if i > 0 {
            b.synthetic(b" ");
        }
        let a = &arg.text;
        let space = a.contains(&b' ');
        if space {
            b.synthetic(b"\"");
        }
        let mut j = 0;
        while j < a.len() {
            if hex_escape_at(a, j) {
                b.append(arg, j..j + 4);
                j += 4;
                continue;
            }
            if matches!(a.get(j), Some(b'\\' | b'\'' | b'"')) {
                b.synthetic(b"\\");
            }
            b.append(arg, j..j + 1);
            j += 1;
        }
        if space {
            b.synthetic(b"\"");
        }
    }
    b.finish()
}

/// The arguments of one command line of text, for callers that only need
/// words (no command structure).
pub fn words_of(tokens: &[Token]) -> Vec<Word> {
    tokens
        .iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(w.clone()),
            Token::End(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single(text: &str) -> Composed {
        Composed::single(FileId(0), text.as_bytes(), 0)
    }

    fn args_of(text: &str, vars: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
        let src = single(text);
        let (tokens, issues) = lex(&src);
        assert!(issues.is_empty(), "{text:?}: {issues:?}");
        let words = words_of(&tokens);
        let lookup = |n: &str| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| Composed::single(FileId(1), v.as_bytes(), 0))
        };
        let mut unresolved = Vec::new();
        let args = expand(&words, &src, &lookup, &mut unresolved);
        (
            args.iter()
                .map(|a| String::from_utf8_lossy(&a.text).into_owned())
                .collect(),
            unresolved.into_iter().map(|u| u.name).collect(),
        )
    }

    #[test]
    fn words_and_expansion() {
        // (text, variables, arguments, unresolved names)
        type Case<'a> = (
            &'a str,
            &'a [(&'a str, &'a str)],
            &'a [&'a str],
            &'a [&'a str],
        );
        let cases: &[Case] = &[
            (
                "linux /vmlinuz ro quiet",
                &[],
                &["linux", "/vmlinuz", "ro", "quiet"],
                &[],
            ),
            ("a 'b c' \"d e\"", &[], &["a", "b c", "d e"], &[]),
            ("a x\\ y \\\"", &[], &["a", "x y", "\""], &[]),
            (
                "a $k b",
                &[("k", "root=/dev/sda1 ro  crashkernel=auto ")],
                &["a", "root=/dev/sda1", "ro", "crashkernel=auto", "b"],
                &[],
            ),
            ("a \"$k\"", &[("k", "x y")], &["a", "x y"], &[]),
            ("a ${k}z", &[("k", "x y")], &["a", "x", "yz"], &[]),
            (
                "a $kernelopts $tuned_params",
                &[("kernelopts", "ro")],
                &["a", "ro"],
                &["tuned_params"],
            ),
            ("a \"\" b", &[], &["a", "", "b"], &[]),
            ("a \"$u\" b", &[], &["a", "", "b"], &["u"]),
            ("a $ b", &[], &["a", "$", "b"], &[]),
            ("a # comment\nb", &[], &["a", "b"], &[]),
            ("a \\\n b", &[], &["a", "b"], &[]),
            ("foo=\"a b\"", &[], &["foo=a b"], &[]),
        ];
        for (text, vars, want, unres) in cases {
            let (got, u) = args_of(text, vars);
            assert_eq!(got, *want, "{text:?}");
            assert_eq!(u, *unres, "{text:?}");
        }
    }

    #[test]
    fn expanded_args_keep_provenance() {
        let src = single("linux /vmlinuz $kernelopts panic=5");
        let (tokens, _) = lex(&src);
        let words = words_of(&tokens);
        let value = Composed::single(FileId(7), b"root=x crashkernel=auto", 40);
        let lookup = |n: &str| (n == "kernelopts").then(|| value.clone());
        let mut u = Vec::new();
        let args = expand(&words, &src, &lookup, &mut u);
        assert_eq!(args.len(), 5);
        assert_eq!(args[3].locate(&(0..16)), Some((FileId(7), 47..63)));
        assert_eq!(args[4].locate(&(0..7)), Some((FileId(0), 27..34)));
    }

    #[test]
    fn loader_quotes_and_escapes() {
        // (arguments after the kernel path, command line)
        let cases: &[(&[&str], &str)] = &[
            (
                &["root=/dev/sda1", "ro"],
                "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro",
            ),
            (
                &["dyndbg=file a.c +p"],
                "BOOT_IMAGE=/vmlinuz \"dyndbg=file a.c +p\"",
            ),
            (&["a=\"b\""], "BOOT_IMAGE=/vmlinuz a=\\\"b\\\""),
            (&["it's"], "BOOT_IMAGE=/vmlinuz it\\'s"),
            (&["a\\x41b"], "BOOT_IMAGE=/vmlinuz a\\x41b"),
            (&["a\\b"], "BOOT_IMAGE=/vmlinuz a\\\\b"),
            (&[], "BOOT_IMAGE=/vmlinuz"),
        ];
        let path = Composed::single(FileId(0), b"/vmlinuz", 6);
        for (args, want) in cases {
            let args: Vec<Composed> = args
                .iter()
                .map(|a| Composed::single(FileId(1), a.as_bytes(), 0))
                .collect();
            let c = loader_cmdline(Some(&path), &args);
            assert_eq!(String::from_utf8_lossy(&c.text), *want);
            assert_eq!(c.locate(&(11..19)), Some((FileId(0), 6..14)));
        }
    }

    #[test]
    fn bad_input() {
        for (text, at) in [("linux 'x", 6), ("a \"b", 2)] {
            let (_, issues) = lex(&single(text));
            assert_eq!(issues.len(), 1, "{text}");
            assert_eq!(issues[0].span.start, at, "{text}");
            assert_eq!(issues[0].kind, IssueKind::Syntax);
        }
        let garbage: Vec<u8> = (0..=255u8).cycle().take(50_000).collect();
        let src = Composed::single(FileId(0), &garbage, 0);
        let (tokens, _) = lex(&src);
        let mut u = Vec::new();
        let _ = expand(&words_of(&tokens), &src, &|_| None, &mut u);
        // A huge variable is cut at MAX_ARGS_BYTES.
        let big = Composed::single(FileId(1), &vec![b'a'; MAX_ARGS_BYTES * 2], 0);
        let src = single("$v $v $v");
        let (tokens, _) = lex(&src);
        let args = expand(&words_of(&tokens), &src, &|_| Some(big.clone()), &mut u);
        assert!(args.iter().map(|a| a.text.len()).sum::<usize>() <= MAX_ARGS_BYTES);
    }
}
