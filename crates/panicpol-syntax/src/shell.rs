//! The POSIX-shell subset that `/etc/default/grub` and its `grub.d` drop-ins
//! are written in, read the way `grub-mkconfig` reads them: it *sources* each
//! file with `/bin/sh`, so the files are shell scripts.
//!
//! What is evaluated: assignments (`A=x`, `export A=x`, `readonly A=x`,
//! several per line), `unset A`, single quotes (literal), double quotes
//! (`\$ \` \" \\` and backslash-newline escapes, expansions), unquoted
//! backslashes, `$A` / `${A}` expansion and `${A-w}`, `${A:-w}`, `${A+w}`,
//! `${A:+w}`, comments, line continuations, `;` between commands.
//!
//! What is recognised but not evaluated: command substitution (`` `…` ``,
//! `$(…)`), arithmetic, other `${…}` forms, special parameters — they make
//! a value *unknown* (the assignment records where); conditionals (`if`,
//! `case`, loops, `&&`, `||`) and function bodies — assignments inside are
//! recorded as *conditional* and not applied; `.`/`source` — reported, not
//! followed. Other commands are skipped.
//!
//! Every byte of a value keeps its file and offset (through
//! [`crate::compose::Builder`]), so a token of the kernel command line built
//! from `GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT panic=10"`
//! points at the file and column where `panic=10` was written.
//!
//! Input is untrusted: reading never panics, and the work is bounded by
//! [`MAX_LINE`], [`MAX_VALUE`] and [`MAX_EXPANDED`] per file.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use panicpol_diagnostics::FileId;
use serde::Serialize;

use crate::compose::Builder;
use crate::issue::{Issue, IssueKind};
use crate::provenance::Composed;

/// The longest physical line read; a longer one ends the file (with an
/// issue). Real configuration lines are under a few hundred bytes.
pub const MAX_LINE: usize = 64 * 1024;
/// The longest value a variable may hold; longer values are cut (with an
/// issue). A kernel command line is at most a few KiB.
pub const MAX_VALUE: usize = 64 * 1024;
/// The most bytes variable expansions may produce in one file, which bounds
/// `A="$A$A"` doubling.
pub const MAX_EXPANDED: usize = 4 << 20;

/// A file and a byte range in it.
pub type Loc = (FileId, Range<usize>);

/// A variable's value: the text with provenance, and whether part of it is
/// unknown (it came from something panicpol does not evaluate).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Value {
    /// The text, with the file and offset of every byte.
    #[serde(skip)]
    pub text: Composed,
    /// Where the first unknown part was written (a command substitution …).
    #[serde(skip)]
    pub unknown: Option<Loc>,
}

/// One assignment as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// The variable.
    pub name: String,
    /// The file it is in.
    #[serde(skip)]
    pub file: FileId,
    /// The variable's name as written.
    pub name_span: Range<usize>,
    /// The value as written (after `=`, quotes included).
    pub value_span: Range<usize>,
    /// The value after expansion.
    pub value: Value,
    /// The value expanded the variable itself (`A="$A x"`): an append or
    /// prepend, not a replacement.
    pub refs_self: bool,
    /// Inside a conditional, a loop, a function or after `&&`/`||`: not
    /// applied, since panicpol does not evaluate conditions.
    pub conditional: bool,
    /// Variables the value used that nothing defined (they expanded to
    /// nothing), with where each was written.
    #[serde(skip)]
    pub unknown_refs: Vec<(String, Loc)>,
}

/// The variables after sourcing files, and every assignment seen.
#[derive(Debug, Clone, Default)]
pub struct Shell {
    current: BTreeMap<String, (Value, Option<usize>)>,
    assignments: Vec<Assignment>,
    quiet: BTreeSet<String>,
}

/// One piece of a word before expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// A literal byte and where it was written; `quoted` when inside quotes.
    Lit { byte: u8, at: usize, quoted: bool },
    /// `$NAME` or `${NAME…}`.
    Var {
        name: String,
        span: Range<usize>,
        op: Option<(Op, Vec<Part>)>,
    },
    /// Something not evaluated.
    Unknown { span: Range<usize> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `-` / `:-`: default when unset (or empty).
    Default { colon: bool },
    /// `+` / `:+`: alternative when set (and non-empty).
    Alt { colon: bool },
}

#[derive(Debug, Clone)]
struct Word {
    parts: Vec<Part>,
    span: Range<usize>,
}

impl Word {
    /// The word as an unquoted literal, if it is one (keywords, names).
    fn literal(&self) -> Option<Vec<u8>> {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Lit {
                    byte,
                    quoted: false,
                    ..
                } => Some(*byte),
                _ => None,
            })
            .collect()
    }

    /// `NAME=` at the start: the name, its span and the parts after `=`.
    fn assignment(&self) -> Option<(String, Range<usize>, &[Part])> {
        let mut name = Vec::new();
        let mut start = None;
        for (i, p) in self.parts.iter().enumerate() {
            match p {
                Part::Lit {
                    byte: b'=',
                    quoted: false,
                    at,
                } if !name.is_empty() => {
                    let s = start.unwrap_or(*at);
                    let rest = self.parts.get(i + 1..).unwrap_or_default();
                    return Some((String::from_utf8(name).ok()?, s..*at, rest));
                }
                Part::Lit {
                    byte,
                    quoted: false,
                    at,
                } if is_name_byte(*byte, name.is_empty()) => {
                    start.get_or_insert(*at);
                    name.push(*byte);
                }
                _ => return None,
            }
        }
        None
    }
}

fn is_name_byte(b: u8, first: bool) -> bool {
    b == b'_' || b.is_ascii_alphabetic() || (!first && b.is_ascii_digit())
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// A newline or the end of the text.
    Line,
    /// `;`.
    Semi,
    /// `&&` or `||`: what follows runs conditionally.
    AndOr,
    /// `|`, `&`, `(`, `)`: constructs not followed.
    Other,
}

/// A block being skipped or entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    If,
    Loop,
    Case,
    Function,
    Brace,
}

struct Lexer<'a> {
    file: FileId,
    text: &'a [u8],
    pos: usize,
    issues: Vec<Issue>,
    /// Nesting of `$…` forms being read, bounded by [`MAX_NESTING`].
    depth: usize,
}

/// How deeply `$(…)`, `${…}` and quotes inside them may nest before the rest
/// of the line is treated as unknown (bounds the reader's recursion).
const MAX_NESTING: usize = 32;

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.text.get(self.pos + n).copied()
    }

    fn issue(&mut self, kind: IssueKind, span: Range<usize>, msg: impl Into<String>) {
        self.issues.push(Issue::new(kind, self.file, span, msg));
    }

    /// Skips blanks, line continuations and comments (not newlines).
    fn skip_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'\\') if self.peek_at(1) == Some(b'\n') => self.pos += 2,
                Some(b'#') => {
                    while let Some(b) = self.peek() {
                        if b == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// Reads one command: its words and how it ended.
    fn command(&mut self) -> (Vec<Word>, End) {
        let mut words = Vec::new();
        loop {
            self.skip_blanks();
            let Some(b) = self.peek() else {
                return (words, End::Line);
            };
            match b {
                b'\n' => {
                    self.pos += 1;
                    return (words, End::Line);
                }
                b';' => {
                    self.pos += 1;
                    // `;;` ends a case item: the same as `;` here.
                    if self.peek() == Some(b';') {
                        self.pos += 1;
                    }
                    return (words, End::Semi);
                }
                b'&' | b'|' => {
                    let double = self.peek_at(1) == Some(b);
                    self.pos += if double { 2 } else { 1 };
                    return (words, if double { End::AndOr } else { End::Other });
                }
                b'(' | b')' => {
                    self.pos += 1;
                    return (words, End::Other);
                }
                b'<' | b'>' => {
                    // A redirection: its operator and target are not words of
                    // the command.
                    while matches!(self.peek(), Some(b'<' | b'>' | b'&')) {
                        self.pos += 1;
                    }
                    self.skip_blanks();
                    let _ = self.word();
                }
                _ => {
                    if let Some(w) = self.word() {
                        words.push(w);
                    }
                }
            }
        }
    }

    /// Reads one word at `pos` (not at a blank or operator).
    fn word(&mut self) -> Option<Word> {
        let start = self.pos;
        let mut parts = Vec::new();
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' => break,
                b'\\' => match self.peek_at(1) {
                    Some(b'\n') => self.pos += 2,
                    Some(c) => {
                        parts.push(Part::Lit {
                            byte: c,
                            at: self.pos + 1,
                            quoted: true,
                        });
                        self.pos += 2;
                    }
                    None => {
                        self.pos += 1;
                    }
                },
                b'\'' => self.single_quoted(&mut parts),
                b'"' => self.double_quoted(&mut parts),
                b'$' => self.dollar(&mut parts, false),
                b'`' => {
                    let span = self.backquoted();
                    parts.push(Part::Unknown { span });
                }
                _ => {
                    parts.push(Part::Lit {
                        byte: b,
                        at: self.pos,
                        quoted: false,
                    });
                    self.pos += 1;
                }
            }
        }
        (self.pos > start).then_some(Word {
            parts,
            span: start..self.pos,
        })
    }

    fn single_quoted(&mut self, parts: &mut Vec<Part>) {
        let open = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                None => {
                    self.unterminated(open, '\'');
                    return;
                }
                Some(b'\'') => {
                    self.pos += 1;
                    return;
                }
                Some(b) => {
                    parts.push(Part::Lit {
                        byte: b,
                        at: self.pos,
                        quoted: true,
                    });
                    self.pos += 1;
                }
            }
        }
    }

    fn double_quoted(&mut self, parts: &mut Vec<Part>) {
        let open = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                None => {
                    self.unterminated(open, '"');
                    return;
                }
                Some(b'"') => {
                    self.pos += 1;
                    return;
                }
                Some(b'\\') => match self.peek_at(1) {
                    Some(b'\n') => self.pos += 2,
                    Some(c @ (b'$' | b'`' | b'"' | b'\\')) => {
                        parts.push(Part::Lit {
                            byte: c,
                            at: self.pos + 1,
                            quoted: true,
                        });
                        self.pos += 2;
                    }
                    _ => {
                        parts.push(Part::Lit {
                            byte: b'\\',
                            at: self.pos,
                            quoted: true,
                        });
                        self.pos += 1;
                    }
                },
                Some(b'$') => self.dollar(parts, true),
                Some(b'`') => {
                    let span = self.backquoted();
                    parts.push(Part::Unknown { span });
                }
                Some(b) => {
                    parts.push(Part::Lit {
                        byte: b,
                        at: self.pos,
                        quoted: true,
                    });
                    self.pos += 1;
                }
            }
        }
    }

    fn unterminated(&mut self, open: usize, q: char) {
        self.issue(
            IssueKind::Syntax,
            open..open + 1,
            format!(
                "unterminated {q} quote: /bin/sh stops with a syntax error here, so grub-mkconfig fails and grub.cfg is not regenerated"
            ),
        );
    }

    /// `` `…` ``: returns the span, the closing backquote included.
    fn backquoted(&mut self) -> Range<usize> {
        let open = self.pos;
        self.pos += 1;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'`' => return open..self.pos,
                _ => {}
            }
        }
        self.pos = self.text.len();
        self.unterminated(open, '`');
        open..self.pos
    }

    /// Skips a balanced `(…)` starting at `pos` (at the `(`), quotes aware.
    fn skip_parens(&mut self) -> bool {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.pos += 1;
                        return true;
                    }
                }
                b'\\' => self.pos += 1,
                b'\'' => {
                    let mut sink = Vec::new();
                    self.single_quoted(&mut sink);
                    continue;
                }
                b'"' => {
                    let mut sink = Vec::new();
                    self.double_quoted(&mut sink);
                    continue;
                }
                _ => {}
            }
            self.pos += 1;
        }
        false
    }

    /// `$…` at `pos`.
    fn dollar(&mut self, parts: &mut Vec<Part>, quoted: bool) {
        let start = self.pos;
        if self.depth >= MAX_NESTING {
            // Too deep to follow: the rest of the line is unknown.
            let rest = self.text.get(start..).unwrap_or_default();
            let len = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            self.pos = start + len;
            self.issue(
                IssueKind::Limit,
                start..start + 1,
                format!("expansions nested more than {MAX_NESTING} deep: the rest of the line is not read"),
            );
            parts.push(Part::Unknown {
                span: start..self.pos,
            });
            return;
        }
        self.depth += 1;
        self.dollar_inner(parts, quoted, start);
        self.depth -= 1;
    }

    fn dollar_inner(&mut self, parts: &mut Vec<Part>, quoted: bool, start: usize) {
        match self.peek_at(1) {
            Some(b'(') => {
                self.pos += 1;
                if !self.skip_parens() {
                    self.issue(
                        IssueKind::Syntax,
                        start..start + 2,
                        "unterminated command substitution `$(`",
                    );
                }
                parts.push(Part::Unknown {
                    span: start..self.pos,
                });
            }
            Some(b'{') => self.braced(parts, start),
            Some(c) if is_name_byte(c, true) => {
                self.pos += 1;
                let name_start = self.pos;
                while self.peek().is_some_and(|b| is_name_byte(b, false)) {
                    self.pos += 1;
                }
                let name = String::from_utf8_lossy(
                    self.text.get(name_start..self.pos).unwrap_or_default(),
                )
                .into_owned();
                parts.push(Part::Var {
                    name,
                    span: start..self.pos,
                    op: None,
                });
            }
            Some(c) if c.is_ascii_digit() || b"@*#?$!-".contains(&c) => {
                self.pos += 2;
                parts.push(Part::Unknown {
                    span: start..self.pos,
                });
            }
            _ => {
                parts.push(Part::Lit {
                    byte: b'$',
                    at: start,
                    quoted,
                });
                self.pos += 1;
            }
        }
    }

    /// `${…}` at `start` (the `$`).
    fn braced(&mut self, parts: &mut Vec<Part>, start: usize) {
        self.pos = start + 2;
        let name_start = self.pos;
        while self.peek().is_some_and(|b| is_name_byte(b, false)) {
            self.pos += 1;
        }
        let name_bytes = self.text.get(name_start..self.pos).unwrap_or_default();
        let valid = name_bytes.first().is_some_and(|&b| is_name_byte(b, true));
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        let op = match (self.peek(), self.peek_at(1)) {
            (Some(b'}'), _) if valid => {
                self.pos += 1;
                parts.push(Part::Var {
                    name,
                    span: start..self.pos,
                    op: None,
                });
                return;
            }
            (Some(b':'), Some(b'-')) => Some(Op::Default { colon: true }),
            (Some(b'-'), _) => Some(Op::Default { colon: false }),
            (Some(b':'), Some(b'+')) => Some(Op::Alt { colon: true }),
            (Some(b'+'), _) => Some(Op::Alt { colon: false }),
            _ => None,
        };
        match op {
            Some(op) if valid => {
                self.pos += match op {
                    Op::Default { colon } | Op::Alt { colon } => 1 + usize::from(colon),
                };
                let mut word = Vec::new();
                if self.operand(&mut word) {
                    parts.push(Part::Var {
                        name,
                        span: start..self.pos,
                        op: Some((op, word)),
                    });
                } else {
                    parts.push(Part::Unknown {
                        span: start..self.pos,
                    });
                }
            }
            _ => {
                // Another form (`${#A}`, `${A%x}` …): skip to the brace.
                let mut depth = 1usize;
                while let Some(b) = self.peek() {
                    self.pos += 1;
                    match b {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                if depth > 0 {
                    self.issue(
                        IssueKind::Syntax,
                        start..start + 2,
                        "unterminated `${`: /bin/sh reports a bad substitution",
                    );
                }
                parts.push(Part::Unknown {
                    span: start..self.pos,
                });
            }
        }
    }

    /// The word of `${A:-word}` up to the closing brace; false when the brace
    /// is missing.
    fn operand(&mut self, out: &mut Vec<Part>) -> bool {
        loop {
            match self.peek() {
                None => {
                    self.issue(
                        IssueKind::Syntax,
                        self.pos.saturating_sub(1)..self.pos,
                        "unterminated `${`: /bin/sh reports a bad substitution",
                    );
                    return false;
                }
                Some(b'}') => {
                    self.pos += 1;
                    return true;
                }
                Some(b'\\') => {
                    if let Some(c) = self.peek_at(1) {
                        out.push(Part::Lit {
                            byte: c,
                            at: self.pos + 1,
                            quoted: true,
                        });
                    }
                    self.pos += 2;
                }
                Some(b'\'') => self.single_quoted(out),
                Some(b'"') => self.double_quoted(out),
                Some(b'$') => self.dollar(out, false),
                Some(b'`') => {
                    let span = self.backquoted();
                    out.push(Part::Unknown { span });
                }
                Some(b) => {
                    out.push(Part::Lit {
                        byte: b,
                        at: self.pos,
                        quoted: false,
                    });
                    self.pos += 1;
                }
            }
        }
    }
}

/// What expanding a word produced, besides its text.
#[derive(Default)]
struct Expansion {
    refs_self: bool,
    unknown: Option<Loc>,
    unknown_refs: Vec<(String, Loc)>,
}

impl Shell {
    /// A shell with no variables.
    pub fn new() -> Shell {
        Shell::default()
    }

    /// Names that may be used unset without being reported (variables the
    /// calling tool defines, or documented settings that are simply unset).
    pub fn quiet_unset<'s>(&mut self, names: impl IntoIterator<Item = &'s str>) {
        self.quiet.extend(names.into_iter().map(str::to_string));
    }

    /// Defines a variable from outside (as the calling tool would).
    pub fn define(&mut self, name: &str, value: Composed) {
        self.current.insert(
            name.to_string(),
            (
                Value {
                    text: value,
                    unknown: None,
                },
                None,
            ),
        );
    }

    /// The current value of a variable, if it is set.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.current.get(name).map(|(v, _)| v)
    }

    /// The assignment that gave a variable its current value.
    pub fn defined_by(&self, name: &str) -> Option<&Assignment> {
        self.current
            .get(name)
            .and_then(|(_, i)| i.and_then(|i| self.assignments.get(i)))
    }

    /// Every assignment seen, in order, conditional ones included.
    pub fn assignments(&self) -> &[Assignment] {
        &self.assignments
    }

    /// Sources one file: evaluates what it can, records every assignment,
    /// and returns what could not be read or followed.
    pub fn source(&mut self, file: FileId, text: &[u8]) -> Vec<Issue> {
        let mut issues = Vec::new();
        // Bound the work: a line beyond MAX_LINE ends the file there.
        let mut end = text.len();
        let mut line_start = 0;
        for (i, &b) in text.iter().enumerate() {
            if b == b'\n' {
                line_start = i + 1;
            } else if i - line_start >= MAX_LINE {
                issues.push(Issue::new(
                    IssueKind::Limit,
                    file,
                    line_start..line_start + 1,
                    format!(
                        "a line longer than {MAX_LINE} bytes: the rest of the file is not read"
                    ),
                ));
                end = line_start;
                break;
            }
        }
        let mut lx = Lexer {
            file,
            text: text.get(..end).unwrap_or_default(),
            pos: 0,
            issues: Vec::new(),
            depth: 0,
        };
        let mut blocks: Vec<(Block, usize)> = Vec::new();
        let mut after_and_or = false;
        let mut pending_function = false;
        let mut budget = MAX_EXPANDED;
        while lx.pos < lx.text.len() {
            let before = lx.pos;
            let (words, ended) = lx.command();
            // A plain `{ …; }` group runs; every other block may not.
            let conditional = blocks.iter().any(|(b, _)| *b != Block::Brace) || after_and_or;
            if let Some(first) = words.first() {
                let lit = first.literal();
                // Inside `case`, only `esac` matters: the patterns use `)`.
                if blocks.last().is_some_and(|(b, _)| *b == Block::Case) {
                    if lit.as_deref() == Some(b"esac") {
                        blocks.pop();
                    }
                } else {
                    self.command(
                        file,
                        &words,
                        conditional,
                        &mut blocks,
                        &mut pending_function,
                        &mut lx.issues,
                        &mut budget,
                    );
                }
            }
            // `name()` is a word followed by `(` `)`.
            if ended == End::Other && words.len() == 1 && lx.text.get(before..lx.pos).is_some() {
                let last = lx.text.get(lx.pos.saturating_sub(1)).copied();
                if last == Some(b'(') {
                    pending_function = true;
                }
            }
            after_and_or = match ended {
                End::AndOr => true,
                End::Other => after_and_or,
                End::Line | End::Semi => false,
            };
            if lx.pos == before {
                // Nothing consumed (cannot happen with the lexer above); step
                // over one byte so the loop always ends.
                lx.pos += 1;
            }
        }
        for (b, at) in blocks {
            let what = match b {
                Block::If => "`if` without `fi`",
                Block::Loop => "a loop without `done`",
                Block::Case => "`case` without `esac`",
                Block::Function | Block::Brace => "`{` without `}`",
            };
            lx.issues.push(Issue::new(
                IssueKind::Syntax,
                file,
                at..at + 1,
                format!("{what}: /bin/sh stops with a syntax error, so grub-mkconfig fails"),
            ));
        }
        issues.extend(lx.issues);
        issues
    }

    #[allow(clippy::too_many_arguments)]
    fn command(
        &mut self,
        file: FileId,
        words: &[Word],
        conditional: bool,
        blocks: &mut Vec<(Block, usize)>,
        pending_function: &mut bool,
        issues: &mut Vec<Issue>,
        budget: &mut usize,
    ) {
        let mut words = words;
        let mut conditional = conditional;
        // Keywords that open a block or start its body prefix the command
        // that follows them on the same line (`then A=1`, `{ A=1`).
        loop {
            let Some(first) = words.first() else {
                return;
            };
            let at = first.span.start;
            let lit = first.literal();
            let rest = words.get(1..).unwrap_or_default();
            match lit.as_deref() {
                Some(b"then" | b"else" | b"do") => {
                    conditional = true;
                    words = rest;
                }
                Some(b"{") => {
                    let kind = if std::mem::take(pending_function) {
                        Block::Function
                    } else {
                        Block::Brace
                    };
                    blocks.push((kind, at));
                    conditional |= kind == Block::Function;
                    words = rest;
                }
                Some(b"if" | b"while" | b"until") => {
                    blocks.push((Block::If, at));
                    return;
                }
                Some(b"for") => {
                    blocks.push((Block::Loop, at));
                    return;
                }
                Some(b"case") => {
                    blocks.push((Block::Case, at));
                    return;
                }
                Some(b"fi" | b"done" | b"esac" | b"}") => {
                    blocks.pop();
                    return;
                }
                Some(b"elif") => return,
                Some(b"function") => {
                    *pending_function = true;
                    return;
                }
                Some(b"export" | b"readonly" | b"local") => {
                    for w in rest {
                        if w.assignment().is_some() {
                            self.assign(file, w, conditional, issues, budget);
                        }
                    }
                    return;
                }
                Some(b"unset") => {
                    if !conditional {
                        for w in rest {
                            if let Some(name) = w.literal() {
                                self.current
                                    .remove(&String::from_utf8_lossy(&name).into_owned());
                            }
                        }
                    }
                    return;
                }
                Some(b"." | b"source") => {
                    let end = words.last().map_or(at + 1, |w| w.span.end);
                    issues.push(Issue::new(
                        IssueKind::Unsupported,
                        file,
                        at..end,
                        "sources another file: panicpol does not follow it, so what it sets is not known",
                    ));
                    return;
                }
                _ => {
                    // Assignments first; anything after them makes a command
                    // whose environment they are (not applied to the shell).
                    let n = words
                        .iter()
                        .take_while(|w| w.assignment().is_some())
                        .count();
                    if n == words.len() {
                        for w in words {
                            self.assign(file, w, conditional, issues, budget);
                        }
                    }
                    return;
                }
            }
        }
    }

    fn assign(
        &mut self,
        file: FileId,
        w: &Word,
        conditional: bool,
        issues: &mut Vec<Issue>,
        budget: &mut usize,
    ) {
        let Some((name, name_span, value_parts)) = w.assignment() else {
            return;
        };
        let value_start = name_span.end + 1;
        let mut b = Builder::new();
        let mut ex = Expansion::default();
        self.expand(file, value_parts, &name, &mut b, &mut ex, issues, budget);
        if b.len() > MAX_VALUE {
            b.truncate(MAX_VALUE);
            issues.push(Issue::new(
                IssueKind::Limit,
                file,
                name_span.clone(),
                format!("the value of {name} grew past {MAX_VALUE} bytes and was cut"),
            ));
        }
        let value = Value {
            text: b.finish(),
            unknown: ex.unknown,
        };
        let a = Assignment {
            name: name.clone(),
            file,
            name_span,
            value_span: value_start..w.span.end.max(value_start),
            value: value.clone(),
            refs_self: ex.refs_self,
            conditional,
            unknown_refs: ex.unknown_refs,
        };
        self.assignments.push(a);
        if !conditional {
            self.current
                .insert(name, (value, Some(self.assignments.len() - 1)));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn expand(
        &self,
        file: FileId,
        parts: &[Part],
        assigning: &str,
        out: &mut Builder,
        ex: &mut Expansion,
        issues: &mut Vec<Issue>,
        budget: &mut usize,
    ) {
        for p in parts {
            match p {
                Part::Lit { byte, at, .. } => out.byte_from(*byte, file, *at),
                Part::Unknown { span } => {
                    ex.unknown.get_or_insert((file, span.clone()));
                }
                Part::Var { name, span, op } => {
                    if name == assigning {
                        ex.refs_self = true;
                    }
                    let value = self.value(name);
                    let empty = value.is_none_or(|v| v.text.text.is_empty());
                    let use_word = match op {
                        None => false,
                        Some((Op::Default { colon }, _)) => value.is_none() || (*colon && empty),
                        Some((Op::Alt { colon }, _)) => !(value.is_none() || (*colon && empty)),
                    };
                    if use_word {
                        if let Some((_, word)) = op {
                            self.expand(file, word, assigning, out, ex, issues, budget);
                        }
                        continue;
                    }
                    if matches!(op, Some((Op::Alt { .. }, _))) {
                        continue;
                    }
                    match value {
                        Some(v) => {
                            let n = v.text.text.len();
                            if n > *budget {
                                // Said once, where the budget ran out.
                                if *budget > 0 {
                                    issues.push(Issue::new(
                                    IssueKind::Limit,
                                    file,
                                    span.clone(),
                                    format!(
                                        "variable expansions in this file produced more than {MAX_EXPANDED} bytes; the rest expand to nothing"
                                    ),
                                ));
                                }
                                *budget = 0;
                                continue;
                            }
                            *budget -= n;
                            // Keep a value under MAX_VALUE while building it.
                            let room = (MAX_VALUE + 1).saturating_sub(out.len());
                            out.append(&v.text, 0..n.min(room));
                            if let Some(u) = &v.unknown {
                                ex.unknown.get_or_insert(u.clone());
                            }
                        }
                        None => {
                            if op.is_none() && !self.quiet.contains(name) {
                                ex.unknown_refs.push((name.clone(), (file, span.clone())));
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (Shell, Vec<Issue>) {
        let mut sh = Shell::new();
        let issues = sh.source(FileId(0), text.as_bytes());
        (sh, issues)
    }

    fn val(sh: &Shell, name: &str) -> String {
        sh.value(name)
            .map(|v| String::from_utf8_lossy(&v.text.text).into_owned())
            .unwrap_or_else(|| "<unset>".into())
    }

    #[test]
    fn values() {
        // (script, variable, expected value)
        let cases: &[(&str, &str, &str)] = &[
            ("A=1", "A", "1"),
            ("A=\"quiet splash\"", "A", "quiet splash"),
            ("A='a \"b\" $c'", "A", "a \"b\" $c"),
            ("A=\"a \\\"b\\\" \\$c \\\\ \\x\"", "A", "a \"b\" $c \\ \\x"),
            ("A=x\\ y", "A", "x y"),
            ("A=1\nB=\"$A 2\"", "B", "1 2"),
            ("A=1\nB=${A}2", "B", "12"),
            ("A=1\nA=\"$A 2\"\nA=\"$A 3\"", "A", "1 2 3"),
            ("B=${A:-def}", "B", "def"),
            ("A=\nB=${A:-def}", "B", "def"),
            ("A=\nB=${A-def}", "B", ""),
            ("A=x\nB=${A:+alt}", "B", "alt"),
            ("B=${A:+alt}", "B", ""),
            ("A=1 B=2", "B", "2"),
            ("export A=\"x y\"", "A", "x y"),
            ("A=1; B=2 # comment\nC=3", "C", "3"),
            ("A=\"line1 \\\nline2\"", "A", "line1 line2"),
            ("A=1 \\\n  B=2", "B", "2"),
            ("# A=1\n", "A", "<unset>"),
            ("A=a#b", "A", "a#b"),
            ("A=1\nunset A", "A", "<unset>"),
            ("A=\"$\"", "A", "$"),
            ("A=cost\\$", "A", "cost$"),
            ("A=1 echo hi", "A", "<unset>"),
            ("if [ -x /sbin/upstart ]; then\n  A=1\nfi", "A", "<unset>"),
            ("[ -e x ] && A=1", "A", "<unset>"),
            ("A=1 || true", "A", "1"),
            ("f() {\n A=1\n}", "A", "<unset>"),
            ("case $x in\n a) A=1 ;;\nesac\nB=2", "B", "2"),
            ("case $x in\n a) A=1 ;;\nesac", "A", "<unset>"),
            ("A=\"a\"'b'c", "A", "abc"),
            ("A=x >/dev/null", "A", "x"),
        ];
        for (script, name, want) in cases {
            let (sh, issues) = run(script);
            assert_eq!(val(&sh, name), *want, "{script:?}");
            assert!(
                issues.iter().all(|i| i.kind != IssueKind::Syntax),
                "{script:?}: {issues:?}"
            );
        }
    }

    #[test]
    fn provenance_of_appended_value() {
        let text = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT panic=10\"\n";
        let mut sh = Shell::new();
        assert!(sh.source(FileId(3), text.as_bytes()).is_empty());
        let v = sh.value("GRUB_CMDLINE_LINUX_DEFAULT").expect("set");
        assert_eq!(v.text.text, b"quiet panic=10");
        let q = text.find("quiet").expect("quiet");
        let p = text.find("panic=10").expect("panic");
        assert_eq!(v.text.locate(&(0..5)), Some((FileId(3), q..q + 5)));
        assert_eq!(v.text.locate(&(6..14)), Some((FileId(3), p..p + 8)));
        let a = sh
            .defined_by("GRUB_CMDLINE_LINUX_DEFAULT")
            .expect("assignment");
        assert!(a.refs_self);
        assert_eq!(&text[a.name_span.clone()], "GRUB_CMDLINE_LINUX_DEFAULT");
        assert_eq!(
            &text[a.value_span.clone()],
            "\"$GRUB_CMDLINE_LINUX_DEFAULT panic=10\""
        );
    }

    #[test]
    fn across_files() {
        let mut sh = Shell::new();
        sh.source(FileId(0), b"GRUB_CMDLINE_LINUX_DEFAULT=\"quiet panic=5\"\n");
        sh.source(FileId(1), b"GRUB_CMDLINE_LINUX_DEFAULT=\"console=ttyS0\"\n");
        let a = sh.assignments();
        assert_eq!(a.len(), 2);
        assert!(!a[1].refs_self);
        assert_eq!(a[1].file, FileId(1));
        assert_eq!(val(&sh, "GRUB_CMDLINE_LINUX_DEFAULT"), "console=ttyS0");
    }

    #[test]
    fn unknown_parts_and_refs() {
        let (sh, issues) = run(
            "GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\nB=\"$(uname -r) x\"\nC=\"$NOPE y\"\n",
        );
        assert!(issues.is_empty(), "{issues:?}");
        let d = sh.defined_by("GRUB_DISTRIBUTOR").expect("set");
        assert!(d.value.unknown.is_some());
        let b = sh.value("B").expect("B");
        assert_eq!(b.text.text, b" x");
        assert!(b.unknown.is_some());
        let c = sh.defined_by("C").expect("C");
        assert_eq!(c.unknown_refs.len(), 1);
        assert_eq!(c.unknown_refs[0].0, "NOPE");
        let mut sh = Shell::new();
        sh.quiet_unset(["NOPE"]);
        sh.source(FileId(0), b"C=\"$NOPE y\"");
        assert!(sh.defined_by("C").expect("C").unknown_refs.is_empty());
    }

    #[test]
    fn conditional_assignments_are_recorded() {
        let (sh, issues) = run(
            "if [ -e /sbin/upstart ] && [ \"$(readlink -f /sbin/init)\" = \"$(readlink -f /sbin/upstart)\" ]; then\n    GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT init=/sbin/upstart\"\nfi\n",
        );
        assert!(issues.is_empty(), "{issues:?}");
        let a = sh.assignments();
        assert_eq!(a.len(), 1);
        assert!(a[0].conditional);
        assert!(sh.value("GRUB_CMDLINE_LINUX_DEFAULT").is_none());
    }

    #[test]
    fn bad_input_is_reported_never_panics() {
        // (script, expected kind of the first issue, where it points)
        let cases: &[(&str, IssueKind, usize)] = &[
            ("A=\"unterminated\nB=2\n", IssueKind::Syntax, 2),
            ("A='x", IssueKind::Syntax, 2),
            ("A=`ls", IssueKind::Syntax, 2),
            ("A=$(ls", IssueKind::Syntax, 2),
            ("A=${B", IssueKind::Syntax, 2),
            ("A=${B:-x", IssueKind::Syntax, 7),
            ("if true; then\nA=1\n", IssueKind::Syntax, 0),
            (". /etc/default/other", IssueKind::Unsupported, 0),
        ];
        for (script, kind, at) in cases {
            let (_, issues) = run(script);
            let first = issues
                .first()
                .unwrap_or_else(|| panic!("{script:?}: no issue"));
            assert_eq!(first.kind, *kind, "{script:?}: {issues:?}");
            assert_eq!(first.span.start, *at, "{script:?}: {issues:?}");
        }
        // Garbage of every byte value: no panic, bounded output.
        let garbage: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let mut sh = Shell::new();
        let _ = sh.source(FileId(0), &garbage);
        for s in [
            "$", "${", "\\", "'", "\"", "`", "$(", "A=$", "A=${:-}", "()", "{", "}", "fi",
        ] {
            let _ = run(s);
        }
    }

    #[test]
    fn limits() {
        let long = format!("A={}\nB=1\n", "x".repeat(MAX_LINE + 10));
        let (sh, issues) = run(&long);
        assert_eq!(issues.first().map(|i| i.kind), Some(IssueKind::Limit));
        assert!(sh.value("B").is_none());
        // Doubling stops at MAX_VALUE.
        let mut script = String::from("A=xxxxxxxxxxxxxxxx\n");
        for _ in 0..20 {
            script.push_str("A=\"$A$A\"\n");
        }
        let (sh, issues) = run(&script);
        assert!(sh.value("A").expect("A").text.text.len() <= MAX_VALUE);
        assert!(issues.iter().any(|i| i.kind == IssueKind::Limit));
        // The expansion budget is reported once, however long the file.
        let mut script = String::from("A=xxxxxxxxxxxxxxxx\n");
        for _ in 0..2000 {
            script.push_str("A=\"$A$A\"\n");
        }
        let (_, issues) = run(&script);
        let budget = issues
            .iter()
            .filter(|i| i.message.contains("expansions"))
            .count();
        assert_eq!(budget, 1);
    }
}
