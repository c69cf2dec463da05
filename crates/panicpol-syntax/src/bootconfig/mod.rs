//! Bootconfig text (`Documentation/admin-guide/bootconfig.rst`) read exactly
//! as the kernel's `lib/bootconfig.c` reads it: the same tree, the same
//! errors at the same byte offsets, and the same renderings (`bootconfig -l`,
//! the tool's tree form, `/proc/bootconfig`, and the `kernel.*` / `init.*`
//! command-line fragments of `xbc_snprint_cmdline`).
//!
//! The grammar, and which kernel function each rule comes from, is written
//! down in `grammar/bootconfig.md`. Two things vary between the readers that
//! panicpol is compared with, and are therefore [`Options`]:
//! - the character classes: the kernel's `lib/ctype.c` treats bytes 0xA0-0xFF
//!   as printable (0xA0 as a space, 0xC0-0xFF mostly as letters), while the
//!   userspace `tools/bootconfig` uses the C library in the "C" locale, where
//!   every byte above 0x7F is neither ([`Ctype`]);
//! - the 2026 upstream change "bootconfig: Terminate value search if it hits
//!   a newline", which makes `foo =` at the end of a line an empty value
//!   instead of taking the next line as the value
//!   ([`Options::newline_ends_value`]); 6.12 does not have it.
//!
//! Input is untrusted: parsing never panics, allocates at most a copy of the
//! data (which must be at most [`XBC_DATA_MAX`] bytes) and at most
//! [`XBC_NODE_MAX`] nodes, and every loop advances through the data.

mod apply;
mod parse;
mod render;

use std::fmt;
use std::ops::Range;

use serde::Serialize;

pub use apply::{ComposedCmdline, Origin, bootconfig_on_cmdline, compose_command_line};
pub use render::{ComposeError, ListOutput, RenderedCmdline, RenderedParam};

/// A byte range into the bootconfig data.
pub type Span = Range<usize>;

/// `XBC_DATA_MAX`: the largest data `xbc_init` accepts (32 KiB - 1).
pub const XBC_DATA_MAX: usize = 32767;
/// How many bytes may follow the `#BOOTCONFIG\n` magic at the end of the
/// initrd (`get_boot_config_from_initrd`, init/main.c: a boot loader's
/// alignment, since v5.10).
pub const FOOTER_TRAILING_MAX: usize = 3;
/// `XBC_NODE_MAX`: every key word and every value is one node.
pub const XBC_NODE_MAX: usize = 8192;
/// `XBC_KEYLEN_MAX`: the sum of `strlen(word) + 1` along a key path.
pub const XBC_KEYLEN_MAX: usize = 256;
/// `XBC_DEPTH_MAX`: the most words in a key, and the most nested braces.
pub const XBC_DEPTH_MAX: usize = 16;

/// Which `ctype` classifies bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Ctype {
    /// The kernel's `lib/ctype.c` (Latin-1: 0xA0 is a space, 0xA1-0xFF are
    /// printable, 0xC0-0xFF except 0xD7 and 0xF7 are letters).
    #[default]
    Kernel,
    /// The C library in the "C" locale with a signed `char`, as the
    /// userspace `tools/bootconfig` runs: only ASCII is space, printable or
    /// alphanumeric.
    Libc,
}

/// How to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Options {
    /// The character classes.
    pub ctype: Ctype,
    /// The 2026 rule: after `=`, `:=` or `+=`, a newline or a `#` before any
    /// value ends the value (it is empty) instead of the value being searched
    /// for on the following lines. Off in 6.12 and every released kernel up
    /// to at least 6.19.
    pub newline_ends_value: bool,
}

impl Options {
    /// What a 6.12 kernel does at boot.
    pub const KERNEL: Options = Options {
        ctype: Ctype::Kernel,
        newline_ends_value: false,
    };
    /// What the 6.12 userspace tool (`tools/bootconfig`) does.
    pub const TOOL: Options = Options {
        ctype: Ctype::Libc,
        newline_ends_value: false,
    };
}

/// The errors `xbc_init` reports, with the kernel's exact text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ErrorKind {
    /// Size 0 (no position).
    ConfigDataEmpty,
    /// Size above [`XBC_DATA_MAX`] (no position).
    ConfigDataTooBig,
    /// Text left at the end with no delimiter at all.
    NoDelimiter,
    /// `+` not followed by `=`.
    WrongPlusOperator,
    /// `:` not followed by `=`.
    WrongColonOperator,
    /// A key word that is empty or has a byte other than alphanumerics, `-`, `_`.
    InvalidKeyword,
    /// A control byte in a value.
    NonPrintableValue,
    /// Something other than spaces and a delimiter after a closing quote.
    NoValueDelimiter,
    /// A quote never closed.
    NoClosingQuotes,
    /// `=` on a key that already has a value.
    ValueRedefined,
    /// `:=` whose new value lies beyond [`XBC_DATA_MAX`].
    FailedToOverrideValue,
    /// More than [`XBC_NODE_MAX`] nodes, or a node beyond [`XBC_DATA_MAX`].
    TooManyNodes,
    /// More than [`XBC_DEPTH_MAX`] nested braces.
    ExceedMaxBraceDepth,
    /// `}` without a matching `{`.
    UnexpectedClosingBrace,
    /// `{` without a matching `}` at the end.
    BraceNotClosed,
    /// No key at all (only comments and spaces).
    EmptyConfig,
    /// A broken sibling link (kept for completeness: the parser cannot
    /// produce it).
    NoClosingBrace,
    /// A key path longer than [`XBC_KEYLEN_MAX`].
    TooLongKeyLength,
    /// A key of more than [`XBC_DEPTH_MAX`] words.
    TooManyKeyWords,
}

impl ErrorKind {
    /// The message exactly as `lib/bootconfig.c` spells it.
    pub fn message(self) -> &'static str {
        match self {
            ErrorKind::ConfigDataEmpty => "Config data is empty",
            ErrorKind::ConfigDataTooBig => "Config data is too big",
            ErrorKind::NoDelimiter => "No delimiter",
            ErrorKind::WrongPlusOperator => "Wrong '+' operator",
            ErrorKind::WrongColonOperator => "Wrong ':' operator",
            ErrorKind::InvalidKeyword => "Invalid keyword",
            ErrorKind::NonPrintableValue => "Non printable value",
            ErrorKind::NoValueDelimiter => "No value delimiter",
            ErrorKind::NoClosingQuotes => "No closing quotes",
            ErrorKind::ValueRedefined => "Value is redefined",
            ErrorKind::FailedToOverrideValue => "Failed to override value",
            ErrorKind::TooManyNodes => "Too many nodes",
            ErrorKind::ExceedMaxBraceDepth => "Exceed max depth of braces",
            ErrorKind::UnexpectedClosingBrace => "Unexpected closing brace",
            ErrorKind::BraceNotClosed => "Brace is not closed",
            ErrorKind::EmptyConfig => "Empty config",
            ErrorKind::NoClosingBrace => "No closing brace",
            ErrorKind::TooLongKeyLength => "Too long key length",
            ErrorKind::TooManyKeyWords => "Too many key words",
        }
    }
}

/// A parse error: the message and the 0-based byte offset `xbc_init` reports
/// (`None` for the size checks, which the kernel reports without a position).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The byte offset into the data, as the kernel prints it.
    pub pos: Option<usize>,
}

impl ParseError {
    /// The line the kernel logs (`init/main.c:setup_boot_config`), without
    /// the printk prefix.
    pub fn kernel_log(&self) -> String {
        match self.pos {
            Some(p) => format!(
                "Failed to parse bootconfig: {} at {}.",
                self.kind.message(),
                p
            ),
            None => format!("Failed to init bootconfig: {}.", self.kind.message()),
        }
    }

    /// 1-based line and column, computed as `tools/bootconfig/main.c:
    /// show_xbc_error` does (a column counts bytes; the byte after a newline
    /// is column 1).
    pub fn line_col(&self, data: &[u8]) -> Option<(usize, usize)> {
        self.pos.map(|pos| line_col(data, pos))
    }

    /// The line the userspace tool prints on stderr, without the newline.
    pub fn tool_message(&self, data: &[u8]) -> String {
        match self.line_col(data) {
            Some((l, c)) => format!("Parse Error: {} at {}:{}", self.kind.message(), l, c),
            None => format!("Error: {}.", self.kind.message()),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{} at byte {}", self.kind.message(), p),
            None => f.write_str(self.kind.message()),
        }
    }
}

impl std::error::Error for ParseError {}

/// `show_xbc_error`'s line and column for a byte offset. It reads the data
/// only up to the first NUL, as the tool's `strdup` copy ends there.
pub fn line_col(data: &[u8], pos: usize) -> (usize, usize) {
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let upto = pos.min(end);
    let mut line = 1;
    let mut col = pos + 1;
    for (i, &b) in data.iter().enumerate().take(upto) {
        if b == b'\n' {
            line += 1;
            col = pos - i;
        }
    }
    (line, col)
}

/// A node index, as in the kernel's node array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct NodeId(pub u16);

/// Whether a node is a key word or a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NodeKind {
    /// One word of a key.
    Key,
    /// One value (one array element).
    Value,
}

/// One node of the tree, with its links as the kernel stores them: a key's
/// `child` is its value (if it has one) followed, through `next`, by its
/// subkeys; a value's `child` is the next element of its array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// Key word or value.
    pub kind: NodeKind,
    /// The word or the value's text (inside the quotes, after trimming).
    pub span: Span,
    /// The quote character of a quoted value.
    pub quote: Option<u8>,
    /// The parent key (`None` at the top level; for array elements after
    /// the first, the previous element).
    pub parent: Option<NodeId>,
    /// The next sibling.
    pub next: Option<NodeId>,
    /// The first child.
    pub child: Option<NodeId>,
    /// For key words: every place the word was written (the first one is
    /// `span`), so a diagnostic can point at each.
    pub mentions: Vec<Span>,
}

impl Node {
    /// The value as written, quotes included.
    pub fn raw_span(&self) -> Span {
        match self.quote {
            Some(_) => self.span.start.saturating_sub(1)..self.span.end + 1,
            None => self.span.clone(),
        }
    }
}

/// A parsed bootconfig: the data and the kernel's node array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bootconfig {
    data: Vec<u8>,
    nodes: Vec<Node>,
}

/// One `key = values` line of the flattened form, in the kernel's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The leaf key node.
    pub leaf: NodeId,
    /// The key words from the top, as spans into the data.
    pub words: Vec<Span>,
    /// The values in array order (empty for a key without a value).
    pub values: Vec<NodeId>,
}

/// Parses `data` as `xbc_init(data, data.len())` does. The kernel passes
/// the initrd footer's data (text, NUL, padding); the tool's `-a` passes the
/// file up to its first NUL plus one NUL; the tool's `-l` passes the file.
/// Everything from the first NUL on is ignored, but counts for the size.
pub fn parse(data: &[u8], opts: Options) -> Result<Bootconfig, ParseError> {
    let nodes = parse::xbc_init(data, opts)?;
    Ok(Bootconfig {
        data: data.to_vec(),
        nodes,
    })
}

impl Bootconfig {
    /// The data as given to [`parse`].
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The number of nodes the kernel reports (`Load bootconfig: N bytes M
    /// nodes`, the tool's `Number of nodes`). Values replaced by `:=` still
    /// count.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// All nodes in the kernel's array order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// One node.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(usize::from(id.0))
    }

    /// A node's text (`xbc_node_get_data`).
    pub fn text(&self, id: NodeId) -> &[u8] {
        self.node(id)
            .and_then(|n| self.data.get(n.span.clone()))
            .unwrap_or_default()
    }

    /// Bytes of the data at a span (empty if out of range).
    pub fn slice(&self, span: &Span) -> &[u8] {
        self.data.get(span.clone()).unwrap_or_default()
    }

    fn is_value(&self, id: NodeId) -> bool {
        self.node(id).is_some_and(|n| n.kind == NodeKind::Value)
    }

    fn child(&self, id: NodeId) -> Option<NodeId> {
        self.node(id).and_then(|n| n.child)
    }

    fn next(&self, id: NodeId) -> Option<NodeId> {
        self.node(id).and_then(|n| n.next)
    }

    fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.node(id).and_then(|n| n.parent)
    }

    /// The top-level keys, in order.
    pub fn top_keys(&self) -> Vec<NodeId> {
        if self.nodes.is_empty() {
            return Vec::new();
        }
        self.chain(Some(NodeId(0)))
    }

    /// A key's value node (the first array element), if it has a value.
    pub fn value(&self, key: NodeId) -> Option<NodeId> {
        self.child(key).filter(|&c| self.is_value(c))
    }

    /// A key's subkeys (`xbc_node_for_each_subkey`).
    pub fn subkeys(&self, key: NodeId) -> Vec<NodeId> {
        let first = match self.child(key) {
            Some(c) if self.is_value(c) => self.next(c),
            other => other,
        };
        self.chain(first)
    }

    /// The elements of an array starting at `value`
    /// (`xbc_array_for_each_value`).
    pub fn array(&self, value: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut cur = Some(value);
        // Each node appears at most once in a chain; the bound keeps a
        // corrupted tree from looping.
        while let Some(v) = cur {
            if out.len() > self.nodes.len() {
                break;
            }
            out.push(v);
            cur = self.child(v);
        }
        out
    }

    fn chain(&self, first: Option<NodeId>) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut cur = first;
        while let Some(n) = cur {
            if out.len() > self.nodes.len() {
                break;
            }
            out.push(n);
            cur = self.next(n);
        }
        out
    }

    /// Whether a key is a leaf: no child, or a value as first child
    /// (`xbc_node_is_leaf`; a leaf may also have subkeys).
    fn is_leaf(&self, id: NodeId) -> bool {
        !self.is_value(id) && self.child(id).is_none_or(|c| self.is_value(c))
    }

    /// `xbc_find_node`: the key node at a dotted path, e.g. `"kernel"`.
    pub fn find(&self, key: &str) -> Option<NodeId> {
        let mut rest = key.as_bytes();
        let mut node = if self.nodes.is_empty() {
            None
        } else {
            Some(NodeId(0))
        };
        while let Some(n) = node {
            if self.is_value(n) {
                return None;
            }
            let word = self.text(n);
            let matched =
                rest.starts_with(word) && matches!(rest.get(word.len()), None | Some(b'.'));
            if !matched {
                node = self.next(n);
            } else {
                rest = rest.get(word.len() + 1..).unwrap_or_default();
                if rest.is_empty() {
                    return Some(n);
                }
                node = match self.child(n) {
                    Some(c) if self.is_value(c) => self.next(c),
                    other => other,
                };
            }
        }
        None
    }

    /// `xbc_node_find_next_leaf(root, node)`: the leaf after `node` under
    /// `root` (`None` root: the whole tree), in the order the kernel lists
    /// keys.
    pub fn next_leaf(&self, root: Option<NodeId>, node: Option<NodeId>) -> Option<NodeId> {
        if self.nodes.is_empty() {
            return None;
        }
        let mut cur = match node {
            None => root.unwrap_or(NodeId(0)),
            Some(n) => {
                let sub = match self.child(n) {
                    Some(c) if self.is_value(c) => self.next(c),
                    other => other,
                };
                match sub {
                    Some(s) => s,
                    None => {
                        if Some(n) == root {
                            return None;
                        }
                        let mut up = n;
                        let mut steps = 0;
                        while self.next(up).is_none() {
                            up = self.parent(up)?;
                            if Some(up) == root {
                                return None;
                            }
                            steps += 1;
                            if steps > self.nodes.len() {
                                return None;
                            }
                        }
                        self.next(up)?
                    }
                }
            }
        };
        let mut steps = 0;
        while !self.is_leaf(cur) {
            cur = self.child(cur)?;
            steps += 1;
            if steps > self.nodes.len() {
                return None;
            }
        }
        Some(cur)
    }

    /// Every leaf under `root` in the kernel's order
    /// (`xbc_node_for_each_key_value`).
    pub fn leaves(&self, root: Option<NodeId>) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut cur = None;
        while let Some(n) = self.next_leaf(root, cur) {
            if out.len() > self.nodes.len() {
                break;
            }
            out.push(n);
            cur = Some(n);
        }
        out
    }

    /// The key words from the top down to `key`.
    pub fn path(&self, key: NodeId) -> Vec<NodeId> {
        let mut out = vec![key];
        let mut cur = key;
        while let Some(p) = self.parent(cur) {
            if out.len() > self.nodes.len() {
                break;
            }
            out.push(p);
            cur = p;
        }
        out.reverse();
        out
    }

    /// The flattened form: one entry per leaf, in the order of
    /// `bootconfig -l` and `/proc/bootconfig`.
    pub fn entries(&self) -> Vec<Entry> {
        self.leaves(None)
            .into_iter()
            .map(|leaf| Entry {
                leaf,
                words: self
                    .path(leaf)
                    .into_iter()
                    .filter_map(|w| self.node(w).map(|n| n.span.clone()))
                    .collect(),
                values: self.value(leaf).map(|v| self.array(v)).unwrap_or_default(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
