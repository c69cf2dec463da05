//! The renderings of a parsed tree that other programs produce and panicpol
//! is compared with: `bootconfig -l` (`tools/bootconfig/main.c:
//! xbc_show_list`), the tool's default tree form (`xbc_show_compact_tree`),
//! `/proc/bootconfig` (`fs/proc/bootconfig.c:copy_xbc_key_value_list`) and the
//! command-line fragment the kernel builds from `kernel.*` and `init.*`
//! (`lib/bootconfig.c:xbc_snprint_cmdline`, called by `init/main.c:
//! xbc_make_cmdline`).
//!
//! All of them compose keys with `xbc_node_compose_key_after`, which has two
//! failure modes the parser does not catch (see [`ComposeError`]); they are
//! reproduced because they decide whether a key reaches the command line.

use std::fmt;

use serde::Serialize;

use super::{Bootconfig, NodeId, Span, XBC_DEPTH_MAX, XBC_KEYLEN_MAX};

/// Why `xbc_node_compose_key_after` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ComposeError {
    /// `-EINVAL`: the leaf is the subtree root itself, e.g. `kernel = x`
    /// makes `kernel` a leaf, and the kernel then drops every `kernel.*` key.
    RootIsLeaf,
    /// `-ERANGE`: the key has [`XBC_DEPTH_MAX`] or more words below the
    /// root. `xbc_verify_tree` lets such keys through when they sit under a
    /// key that also has a value, and a 16-word key passes it anyway.
    TooDeep,
}

impl ComposeError {
    /// The errno the kernel function returns.
    pub fn errno(self) -> i32 {
        match self {
            ComposeError::RootIsLeaf => -22,
            ComposeError::TooDeep => -34,
        }
    }
}

impl fmt::Display for ComposeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ComposeError::RootIsLeaf => f.write_str("the subtree root has a value of its own"),
            ComposeError::TooDeep => write!(f, "the key has {XBC_DEPTH_MAX} or more words"),
        }
    }
}

impl std::error::Error for ComposeError {}

/// What `bootconfig -l` prints: stdout, and the error that stopped the list
/// early (the tool prints `Failed to compose key <errno>` on stderr).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListOutput {
    /// Standard output, byte for byte.
    pub text: Vec<u8>,
    /// The error that ended the listing.
    pub error: Option<ComposeError>,
}

/// One parameter of a rendered command-line fragment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderedParam {
    /// The parameter in [`RenderedCmdline::text`] (without the space after it).
    pub span: Span,
    /// The leaf key it came from.
    pub leaf: NodeId,
    /// The array element it came from (`None` for a key without a value).
    pub value: Option<NodeId>,
    /// Whether the value was put in double quotes.
    pub quoted: bool,
}

/// The fragment `xbc_make_cmdline` returns: every parameter followed by one
/// space, as the kernel builds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderedCmdline {
    /// The text, with its trailing space.
    pub text: Vec<u8>,
    /// Where each parameter is and where it came from.
    pub params: Vec<RenderedParam>,
}

impl Bootconfig {
    /// `xbc_node_compose_key_after(root, node, buf, XBC_KEYLEN_MAX)`: the
    /// words after `root` joined by dots, cut to 255 bytes as the fixed
    /// buffer cuts them.
    pub fn compose_key(&self, root: Option<NodeId>, node: NodeId) -> Result<Vec<u8>, ComposeError> {
        if Some(node) == root {
            return Err(ComposeError::RootIsLeaf);
        }
        let mut cur = Some(node);
        if self.is_value(node) {
            cur = self.parent(node);
        }
        let mut keys = Vec::new();
        while let Some(n) = cur {
            if Some(n) == root {
                break;
            }
            keys.push(n);
            if keys.len() == XBC_DEPTH_MAX {
                return Err(ComposeError::TooDeep);
            }
            cur = self.parent(n);
        }
        if cur.is_none() && root.is_some() {
            return Err(ComposeError::RootIsLeaf);
        }
        let mut out = Vec::new();
        for (i, k) in keys.iter().rev().enumerate() {
            if i > 0 {
                out.push(b'.');
            }
            out.extend_from_slice(self.text(*k));
        }
        out.truncate(XBC_KEYLEN_MAX - 1);
        Ok(out)
    }

    /// `xbc_show_value`: one value or a comma-joined array, each in double
    /// quotes, or single quotes if it holds a double quote.
    fn show_value(&self, out: &mut Vec<u8>, value: NodeId, eol: &[u8]) {
        for v in self.array(value) {
            let text = self.text(v);
            let q = if text.contains(&b'"') { b'\'' } else { b'"' };
            out.push(q);
            out.extend_from_slice(text);
            out.push(q);
            if self.child(v).is_some() {
                out.extend_from_slice(b", ");
            } else {
                out.extend_from_slice(eol);
            }
        }
    }

    /// What `bootconfig -l` prints for this tree. Unlike `/proc/bootconfig`,
    /// the tool prints `""` for the whole key when the first array element
    /// is empty, dropping the rest of the array.
    pub fn render_list(&self) -> ListOutput {
        let mut out = Vec::new();
        for leaf in self.leaves(None) {
            let key = match self.compose_key(None, leaf) {
                Ok(k) => k,
                Err(e) => {
                    return ListOutput {
                        text: out,
                        error: Some(e),
                    };
                }
            };
            out.extend_from_slice(&key);
            out.extend_from_slice(b" = ");
            match self.value(leaf) {
                Some(v) if !self.text(v).is_empty() => self.show_value(&mut out, v, b"\n"),
                _ => out.extend_from_slice(b"\"\"\n"),
            }
        }
        ListOutput {
            text: out,
            error: None,
        }
    }

    /// What `/proc/bootconfig` holds. `boot_command_line` is the bootloader's
    /// line: when the bootconfig added `kernel.*` or `init.*` parameters and
    /// that line is not empty, the kernel appends it as two comment lines.
    /// An error means the kernel creates no `/proc/bootconfig` at all.
    pub fn render_proc(&self, boot_command_line: &[u8]) -> Result<Vec<u8>, ComposeError> {
        let mut out = Vec::new();
        for leaf in self.leaves(None) {
            let key = self.compose_key(None, leaf)?;
            out.extend_from_slice(&key);
            out.extend_from_slice(b" = ");
            match self.value(leaf) {
                Some(v) => self.show_value(&mut out, v, b"\n"),
                None => out.extend_from_slice(b"\"\"\n"),
            }
        }
        let has_extra = matches!(self.cmdline("kernel"), Ok(Some(_)))
            || matches!(self.cmdline("init"), Ok(Some(_)));
        let boot = boot_command_line
            .split(|&b| b == 0)
            .next()
            .unwrap_or_default();
        if has_extra && !boot.is_empty() {
            out.extend_from_slice(b"# Parameters from bootloader:\n# ");
            out.extend_from_slice(boot);
            out.push(b'\n');
        }
        Ok(out)
    }

    /// What `bootconfig FILE` prints (`xbc_show_compact_tree`): nested
    /// `key {` blocks, single-child chains joined with dots, `key = "v";`
    /// and `key;`.
    pub fn render_tree(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.nodes.is_empty() {
            return out;
        }
        let tabs = |out: &mut Vec<u8>, depth: usize| out.extend(std::iter::repeat_n(b'\t', depth));
        let mut node = NodeId(0);
        let mut cnode: Option<NodeId> = None;
        let mut depth = 0usize;
        // Every step of the C loop visits a node at most a few times; the
        // bound only guards against a malformed tree.
        let mut budget = 8 * self.nodes.len() + 16;
        while !self.is_value(node) {
            budget = match budget.checked_sub(1) {
                Some(b) => b,
                None => break,
            };
            tabs(&mut out, depth);
            if cnode.is_none() {
                cnode = self.child(node);
            }
            while let Some(c) = cnode {
                if self.is_value(c) || self.next(c).is_some() {
                    break;
                }
                let vnode = self.child(c);
                if let Some(v) = vnode
                    && self.is_value(v)
                    && self.next(v).is_some()
                {
                    break;
                }
                out.extend_from_slice(self.text(node));
                out.push(b'.');
                node = c;
                cnode = vnode;
            }
            match cnode {
                Some(c) if !self.is_value(c) => {
                    out.extend_from_slice(self.text(node));
                    out.extend_from_slice(b" {\n");
                    depth += 1;
                    node = c;
                    cnode = None;
                    continue;
                }
                Some(c) => {
                    out.extend_from_slice(self.text(node));
                    out.extend_from_slice(b" = ");
                    self.show_value(&mut out, c, b";\n");
                    if let Some(n) = self.next(c) {
                        cnode = Some(n);
                        continue;
                    }
                }
                None => {
                    out.extend_from_slice(self.text(node));
                    out.extend_from_slice(b";\n");
                }
            }
            cnode = None;
            if let Some(n) = self.next(node) {
                node = n;
                continue;
            }
            while self.next(node).is_none() {
                let Some(p) = self.parent(node) else {
                    return out;
                };
                node = p;
                if self.child(node).and_then(|c| self.next(c)).is_none() {
                    continue;
                }
                if depth > 0 {
                    depth -= 1;
                    tabs(&mut out, depth);
                    out.extend_from_slice(b"}\n");
                }
            }
            match self.next(node) {
                Some(n) => node = n,
                None => break,
            }
        }
        out
    }

    /// `xbc_make_cmdline(key)`: the parameters under `key` (`"kernel"` or
    /// `"init"`) as the kernel renders them (`xbc_snprint_cmdline` in 6.12):
    /// `name` for a key without a value, `name=value` for each array element,
    /// the value in double quotes only if it contains a space, tab, CR or LF
    /// (no escaping), each parameter followed by a space.
    ///
    /// `Ok(None)` when the kernel adds nothing (no such key, or nothing to
    /// render); `Err` when the kernel's renderer fails, in which case it
    /// silently adds nothing either.
    pub fn cmdline(&self, key: &str) -> Result<Option<RenderedCmdline>, ComposeError> {
        let Some(root) = self.find(key) else {
            return Ok(None);
        };
        let mut text = Vec::new();
        let mut params = Vec::new();
        for leaf in self.leaves(Some(root)) {
            let name = self.compose_key(Some(root), leaf)?;
            match self.value(leaf) {
                None => {
                    let start = text.len();
                    text.extend_from_slice(&name);
                    params.push(RenderedParam {
                        span: start..text.len(),
                        leaf,
                        value: None,
                        quoted: false,
                    });
                    text.push(b' ');
                }
                Some(v) => {
                    for elem in self.array(v) {
                        let val = self.text(elem);
                        let quoted = val
                            .iter()
                            .any(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
                        let start = text.len();
                        text.extend_from_slice(&name);
                        text.push(b'=');
                        if quoted {
                            text.push(b'"');
                        }
                        text.extend_from_slice(val);
                        if quoted {
                            text.push(b'"');
                        }
                        params.push(RenderedParam {
                            span: start..text.len(),
                            leaf,
                            value: Some(elem),
                            quoted,
                        });
                        text.push(b' ');
                    }
                }
            }
        }
        if text.is_empty() {
            return Ok(None);
        }
        Ok(Some(RenderedCmdline { text, params }))
    }
}
