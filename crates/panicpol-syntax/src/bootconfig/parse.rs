//! The parser: `lib/bootconfig.c` from `xbc_init` down, step for step.
//!
//! The kernel parses a NUL-terminated copy of the data in place: it writes NUL
//! bytes over delimiters, dots and trailing spaces, and every node is an
//! offset into that buffer whose string runs to the next NUL. The quirks of
//! the format (which delimiter ends a value, where an error points, which
//! checks a subtree escapes) all follow from that, so this module keeps the
//! same model: a mutable copy of the data with NULs written where the kernel
//! writes them, and the same node array (`next`, `child`, `parent`, data
//! offset) with the same insertion rules. Nothing else would agree with the
//! kernel on every input.
//!
//! Differences from the C code are only in how failure is handled: every
//! byte read goes through [`Buf::at`], which reads past the end as NUL, and
//! every node access through an `Option`, so no input can panic.

use std::collections::HashMap;

use super::{
    Ctype, ErrorKind, Node, NodeId, NodeKind, Options, ParseError, XBC_DATA_MAX, XBC_DEPTH_MAX,
    XBC_KEYLEN_MAX, XBC_NODE_MAX,
};

/// `XBC_NODE_MAX` as the parent index of top-level nodes (the kernel's
/// "no parent" marker).
const NO_PARENT: u16 = XBC_NODE_MAX as u16;

/// The delimiters that end a value (`__xbc_parse_value`).
const VALUE_DELIMS: &[u8] = b",;\n#}";

/// The delimiters `xbc_parse_tree` looks for between statements.
const TREE_DELIMS: &[u8] = b"{}=+;:\n#";

/// A node while parsing: the kernel's `struct xbc_node` plus the data's end,
/// its quote and the places its key word was written.
#[derive(Debug, Clone)]
struct RawNode {
    next: u16,
    child: u16,
    parent: u16,
    offset: u16,
    end: u16,
    value: bool,
    quote: Option<u8>,
    mentions: Vec<(u16, u16)>,
}

/// The kernel's working copy of the data: `size` bytes and a NUL.
struct Buf {
    b: Vec<u8>,
}

impl Buf {
    /// The byte at `i`; NUL past the end, as the C string would end there.
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn put_nul(&mut self, i: usize) {
        if let Some(c) = self.b.get_mut(i) {
            *c = 0;
        }
    }

    fn strlen_from(&self, i: usize) -> usize {
        let mut n = i;
        while self.at(n) != 0 {
            n += 1;
        }
        n - i
    }

    fn strchr(&self, mut i: usize, c: u8) -> Option<usize> {
        loop {
            match self.at(i) {
                x if x == c => return Some(i),
                0 => return None,
                _ => i += 1,
            }
        }
    }

    fn strpbrk(&self, mut i: usize, set: &[u8]) -> Option<usize> {
        loop {
            match self.at(i) {
                0 => return None,
                x if set.contains(&x) => return Some(i),
                _ => i += 1,
            }
        }
    }
}

/// The state of `lib/bootconfig.c`'s static variables during one `xbc_init`.
pub(super) struct Parser {
    buf: Buf,
    nodes: Vec<RawNode>,
    /// The key nodes by (parent, word): the kernel finds a key by walking
    /// its siblings with `strcmp`, quadratic in the number of keys; since a
    /// word is added only when that walk finds nothing, words are unique
    /// among siblings and a map gives the same answer.
    keys: HashMap<(u16, Box<[u8]>), u16>,
    /// The last node of each parent's child chain (index `NO_PARENT` for
    /// the top level): `xbc_last_sibling` walks from here instead of from
    /// the head. Nodes are never unlinked from these chains (`:=` keeps the
    /// value node in place), so the walk ends at the same node.
    tails: HashMap<u16, u16>,
    last_parent: Option<u16>,
    open_brace: [u16; XBC_DEPTH_MAX],
    brace_index: usize,
    opts: Options,
    error: Option<ParseError>,
}

/// Marker for "an error was recorded in `Parser::error`" (the C code's
/// negative return values).
struct Failed;

type Step<T = ()> = Result<T, Failed>;

impl Parser {
    fn isspace(&self, c: u8) -> bool {
        match self.opts.ctype {
            Ctype::Kernel => matches!(c, 0x09..=0x0d | 0x20 | 0xa0),
            Ctype::Libc => matches!(c, 0x09..=0x0d | 0x20),
        }
    }

    fn isprint(&self, c: u8) -> bool {
        match self.opts.ctype {
            // lib/ctype.c: _P|_U|_L|_D|_SP, which includes every byte from
            // 0xA0 (hard space, Latin-1 punctuation and letters) up.
            Ctype::Kernel => matches!(c, 0x20..=0x7e | 0xa0..=0xff),
            Ctype::Libc => matches!(c, 0x20..=0x7e),
        }
    }

    fn isalnum(&self, c: u8) -> bool {
        match self.opts.ctype {
            // lib/ctype.c marks 0xC0-0xFF as Latin-1 letters, except the
            // multiplication and division signs (0xD7, 0xF7).
            Ctype::Kernel => c.is_ascii_alphanumeric() || (c >= 0xc0 && c != 0xd7 && c != 0xf7),
            Ctype::Libc => c.is_ascii_alphanumeric(),
        }
    }

    fn skip_spaces(&self, mut i: usize) -> usize {
        while self.isspace(self.buf.at(i)) {
            i += 1;
        }
        i
    }

    fn skip_spaces_until_newline(&self, mut i: usize) -> usize {
        while self.isspace(self.buf.at(i)) && self.buf.at(i) != b'\n' {
            i += 1;
        }
        i
    }

    fn skip_comment(&self, i: usize) -> usize {
        match self.buf.strchr(i, b'\n') {
            Some(nl) => nl + 1,
            None => i + self.buf.strlen_from(i),
        }
    }

    /// `strim`: NUL the trailing spaces, return the first non-space.
    fn strim(&mut self, s: usize) -> usize {
        let size = self.buf.strlen_from(s);
        if size == 0 {
            return s;
        }
        let mut end = s + size;
        while end > s && self.isspace(self.buf.at(end - 1)) {
            end -= 1;
        }
        self.buf.put_nul(end);
        self.skip_spaces(s)
    }

    fn fail<T>(&mut self, kind: ErrorKind, pos: usize) -> Step<T> {
        self.error = Some(ParseError {
            kind,
            pos: Some(pos),
        });
        Err(Failed)
    }

    fn node(&self, i: u16) -> Option<&RawNode> {
        self.nodes.get(usize::from(i))
    }

    fn node_mut(&mut self, i: u16) -> Option<&mut RawNode> {
        self.nodes.get_mut(usize::from(i))
    }

    fn child(&self, i: u16) -> Option<u16> {
        self.node(i).map(|n| n.child).filter(|&c| c != 0)
    }

    fn next(&self, i: u16) -> Option<u16> {
        self.node(i).map(|n| n.next).filter(|&c| c != 0)
    }

    fn parent(&self, i: u16) -> Option<u16> {
        self.node(i).map(|n| n.parent).filter(|&p| p != NO_PARENT)
    }

    fn is_value(&self, i: u16) -> bool {
        self.node(i).is_some_and(|n| n.value)
    }

    fn data_len(&self, i: u16) -> usize {
        self.node(i)
            .map(|n| usize::from(n.end.saturating_sub(n.offset)))
            .unwrap_or(0)
    }

    /// `xbc_init_node`: the offset must fit the 15 bits of `data`.
    fn init_node(&mut self, i: u16, data: usize, value: bool, quote: Option<u8>) -> bool {
        if data >= XBC_DATA_MAX {
            // The kernel WARNs here and the caller reports an error.
            return false;
        }
        let end = data + self.buf.strlen_from(data);
        let Some(n) = self.node_mut(i) else {
            return false;
        };
        // Both fit in u16: data < XBC_DATA_MAX and the buffer is at most
        // XBC_DATA_MAX + 1 bytes.
        n.offset = data as u16;
        n.end = end.min(usize::from(u16::MAX)) as u16;
        n.value = value;
        n.quote = quote;
        n.child = 0;
        n.next = 0;
        true
    }

    /// `xbc_add_node`.
    fn add_node(&mut self, data: usize, value: bool, quote: Option<u8>) -> Option<u16> {
        if self.nodes.len() >= XBC_NODE_MAX {
            return None;
        }
        let idx = self.nodes.len() as u16;
        self.nodes.push(RawNode {
            next: 0,
            child: 0,
            parent: 0,
            offset: 0,
            end: 0,
            value,
            quote,
            mentions: Vec::new(),
        });
        self.init_node(idx, data, value, quote).then_some(idx)
    }

    /// `xbc_last_sibling`.
    fn last_sibling(&self, mut i: u16) -> u16 {
        while let Some(n) = self.next(i) {
            i = n;
        }
        i
    }

    /// `xbc_last_child`.
    fn last_child(&self, mut i: u16) -> u16 {
        while let Some(c) = self.child(i) {
            i = c;
        }
        i
    }

    /// `__xbc_add_sibling`.
    fn add_sibling(
        &mut self,
        data: usize,
        value: bool,
        quote: Option<u8>,
        head: bool,
    ) -> Step<u16> {
        let Some(idx) = self.add_node(data, value, quote) else {
            return self.fail(ErrorKind::TooManyNodes, data);
        };
        match self.last_parent {
            None => {
                if let Some(n) = self.node_mut(idx) {
                    n.parent = NO_PARENT;
                }
                let from = self.tails.get(&NO_PARENT).copied().unwrap_or(0);
                let sib = self.last_sibling(from);
                if let Some(s) = self.node_mut(sib) {
                    s.next = idx;
                }
                self.tails.insert(NO_PARENT, idx);
            }
            Some(lp) => {
                let lp_child = self.node(lp).map(|n| n.child).unwrap_or(0);
                if let Some(n) = self.node_mut(idx) {
                    n.parent = lp;
                }
                if lp_child == 0 || head {
                    if let Some(n) = self.node_mut(idx) {
                        n.next = lp_child;
                    }
                    if let Some(p) = self.node_mut(lp) {
                        p.child = idx;
                    }
                    if lp_child == 0 {
                        self.tails.insert(lp, idx);
                    }
                } else {
                    let from = self.tails.get(&lp).copied().unwrap_or(lp_child);
                    let sib = self.last_sibling(from);
                    if let Some(s) = self.node_mut(sib) {
                        s.next = idx;
                    }
                    self.tails.insert(lp, idx);
                }
            }
        }
        Ok(idx)
    }

    /// `xbc_add_child`: add, then descend into the new node.
    fn add_child(&mut self, data: usize, value: bool, quote: Option<u8>) -> Step<u16> {
        let idx = self.add_sibling(data, value, quote, false)?;
        self.last_parent = Some(idx);
        Ok(idx)
    }

    fn valid_keyword(&self, k: usize) -> bool {
        if self.buf.at(k) == 0 {
            return false;
        }
        let mut i = k;
        while {
            let c = self.buf.at(i);
            self.isalnum(c) || c == b'-' || c == b'_'
        } {
            i += 1;
        }
        self.buf.at(i) == 0
    }

    fn mention(&mut self, i: u16, k: usize) {
        let end = k + self.buf.strlen_from(k);
        if let Some(n) = self.node_mut(i) {
            n.mentions.push((k as u16, end as u16));
        }
    }

    /// `__xbc_add_key`.
    fn add_key(&mut self, k: usize) -> Step {
        if !self.valid_keyword(k) {
            return self.fail(ErrorKind::InvalidKeyword, k);
        }
        let word: Box<[u8]> = self
            .buf
            .b
            .get(k..k + self.buf.strlen_from(k))
            .unwrap_or_default()
            .into();
        let parent = self.last_parent.unwrap_or(NO_PARENT);
        // `find_match_node` over the siblings (after the value node, which
        // is always the first child).
        let found = self.keys.get(&(parent, word.clone())).copied();
        let idx = match found {
            Some(n) => {
                self.last_parent = Some(n);
                n
            }
            None => {
                let n = self.add_child(k, false, None)?;
                self.keys.insert((parent, word), n);
                n
            }
        };
        self.mention(idx, k);
        Ok(())
    }

    /// `__xbc_parse_keys`: split at dots, adding or finding each word.
    fn parse_keys(&mut self, k: usize) -> Step {
        let mut k = self.strim(k);
        while let Some(p) = self.buf.strchr(k, b'.') {
            self.buf.put_nul(p);
            self.add_key(k)?;
            k = p + 1;
        }
        self.add_key(k)
    }

    /// `__xbc_parse_value` from `v`: returns the delimiter (0 at the end of
    /// the data, `\n` for a comment), the value's start and where parsing
    /// continues. `skip_leading` is the pre-2026 leading `skip_spaces` and
    /// comment skipping (the 2026 code moved it to the callers).
    fn parse_value(
        &mut self,
        v: usize,
        skip_leading: bool,
    ) -> Step<(u8, usize, usize, Option<u8>)> {
        let mut v = v;
        if skip_leading {
            v = self.skip_spaces(v);
            while self.buf.at(v) == b'#' {
                v = self.skip_comment(v);
                v = self.skip_spaces(v);
            }
        }
        let mut quotes = 0u8;
        let first = self.buf.at(v);
        if first == b'"' || first == b'\'' {
            quotes = first;
            v += 1;
        }
        let quote = (quotes != 0).then_some(quotes);
        let mut p = v;
        let mut c;
        loop {
            c = self.buf.at(p);
            if c == 0 {
                break;
            }
            if !self.isprint(c) && !self.isspace(c) {
                return self.fail(ErrorKind::NonPrintableValue, p);
            }
            if quotes != 0 {
                if c != quotes {
                    p += 1;
                    continue;
                }
                quotes = 0;
                self.buf.put_nul(p);
                p = self.skip_spaces_until_newline(p + 1);
                c = self.buf.at(p);
                if c != 0 && !VALUE_DELIMS.contains(&c) {
                    return self.fail(ErrorKind::NoValueDelimiter, p);
                }
                if c != 0 {
                    p += 1;
                }
                break;
            }
            if VALUE_DELIMS.contains(&c) {
                self.buf.put_nul(p);
                p += 1;
                v = self.strim(v);
                break;
            }
            p += 1;
        }
        if quotes != 0 {
            return self.fail(ErrorKind::NoClosingQuotes, p);
        }
        if c == b'#' {
            p = self.skip_comment(p);
            // A comment must be treated as a newline.
            c = b'\n';
        }
        Ok((c, v, p, quote))
    }

    /// `xbc_parse_array`: the values after the first `,`, chained through
    /// `child` links.
    fn parse_array(&mut self, v: usize) -> Step<(u8, usize)> {
        if let Some(lp) = self.last_parent
            && let Some(c) = self.child(lp)
        {
            self.last_parent = Some(c);
        }
        let mut v = v;
        loop {
            let (c, val, next, quote) = self.parse_value(v, true)?;
            self.add_child(val, true, quote)?;
            v = next;
            if c != b',' {
                return Ok((c, v));
            }
        }
    }

    /// `xbc_parse_kv`: `key = value`, `key := value`, `key += value`.
    fn parse_kv(&mut self, k: &mut usize, v: usize, op: u8) -> Step {
        let prev_parent = self.last_parent;
        self.parse_keys(*k)?;

        let (mut c, v, next, quote) = if self.opts.newline_ends_value {
            // 2026: "Terminate value search if it hits a newline".
            let v = self.skip_spaces_until_newline(v);
            if self.buf.at(v) == b'#' {
                let next = self.skip_comment(v);
                self.buf.put_nul(v);
                (b'\n', v, next, None)
            } else {
                self.parse_value(v, false)?
            }
        } else {
            self.parse_value(v, true)?
        };

        let lp = self.last_parent.unwrap_or(0);
        let child = self.child(lp);
        let mut replaced = false;
        if let Some(ch) = child
            && self.is_value(ch)
        {
            match op {
                b'=' => return self.fail(ErrorKind::ValueRedefined, v),
                b':' => {
                    let nidx = self.node(ch).map(|n| n.next).unwrap_or(0);
                    if !self.init_node(ch, v, true, quote) {
                        return self.fail(ErrorKind::FailedToOverrideValue, v);
                    }
                    // Keep the subkeys (the value node's `next` chain).
                    if let Some(n) = self.node_mut(ch) {
                        n.next = nidx;
                    }
                    replaced = true;
                }
                _ => {
                    // `+=`: continue the array after its last element.
                    self.last_parent = Some(self.last_child(ch));
                }
            }
        }
        if !replaced {
            // The value node is always the first child.
            self.add_sibling(v, true, quote, true)?;
        }

        let mut next = next;
        if c == b',' {
            let (c2, n2) = self.parse_array(next)?;
            c = c2;
            next = n2;
        }
        self.last_parent = prev_parent;
        if c == b'}' {
            self.close_brace_at(next.saturating_sub(1))?;
        }
        *k = next;
        Ok(())
    }

    /// `xbc_parse_key`: a key without a value (`foo;`, `foo\n`, `foo}`).
    fn parse_key(&mut self, k: &mut usize, n: usize) -> Step {
        let prev_parent = self.last_parent;
        *k = self.strim(*k);
        if self.buf.at(*k) != 0 {
            self.parse_keys(*k)?;
            self.last_parent = prev_parent;
        }
        *k = n;
        Ok(())
    }

    /// `xbc_open_brace` + `__xbc_open_brace`.
    fn open_brace(&mut self, k: &mut usize, n: usize) -> Step {
        self.parse_keys(*k)?;
        *k = n;
        let p = n.saturating_sub(1);
        if self.brace_index >= XBC_DEPTH_MAX {
            return self.fail(ErrorKind::ExceedMaxBraceDepth, p);
        }
        let lp = self.last_parent.unwrap_or(0);
        if let Some(slot) = self.open_brace.get_mut(self.brace_index) {
            *slot = lp;
        }
        self.brace_index += 1;
        Ok(())
    }

    /// `__xbc_close_brace`.
    fn close_brace_at(&mut self, p: usize) -> Step {
        let top = self
            .brace_index
            .checked_sub(1)
            .and_then(|i| self.open_brace.get(i).copied());
        match (self.last_parent, top) {
            (Some(lp), Some(open)) if open == lp => {}
            _ => return self.fail(ErrorKind::UnexpectedClosingBrace, p),
        }
        self.brace_index -= 1;
        self.last_parent = match self.brace_index.checked_sub(1) {
            None => None,
            Some(i) => self.open_brace.get(i).copied(),
        };
        Ok(())
    }

    /// `xbc_close_brace`.
    fn close_brace(&mut self, k: &mut usize, n: usize) -> Step {
        self.parse_key(k, n)?;
        self.close_brace_at(n.saturating_sub(1))
    }

    /// `xbc_parse_tree`.
    fn parse_tree(&mut self) -> Step {
        self.last_parent = None;
        let mut p = 0usize;
        loop {
            let Some(mut q) = self.buf.strpbrk(p, TREE_DELIMS) else {
                let p = self.skip_spaces(p);
                if self.buf.at(p) != 0 {
                    return self.fail(ErrorKind::NoDelimiter, p);
                }
                return Ok(());
            };
            let c = self.buf.at(q);
            self.buf.put_nul(q);
            q += 1;
            match c {
                b':' | b'+' => {
                    let eq = self.buf.at(q);
                    q += 1;
                    if eq != b'=' {
                        let kind = if c == b'+' {
                            ErrorKind::WrongPlusOperator
                        } else {
                            ErrorKind::WrongColonOperator
                        };
                        return self.fail(kind, q - 2);
                    }
                    self.parse_kv(&mut p, q, c)?;
                }
                b'=' => self.parse_kv(&mut p, q, c)?,
                b'{' => self.open_brace(&mut p, q)?,
                b'#' => {
                    let q = self.skip_comment(q);
                    self.parse_key(&mut p, q)?;
                }
                b';' | b'\n' => self.parse_key(&mut p, q)?,
                _ => self.close_brace(&mut p, q)?,
            }
        }
    }

    fn offset(&self, i: u16) -> usize {
        self.node(i).map(|n| usize::from(n.offset)).unwrap_or(0)
    }

    /// `xbc_verify_tree`.
    fn verify_tree(&mut self) -> Step {
        if let Some(top) = self
            .brace_index
            .checked_sub(1)
            .and_then(|i| self.open_brace.get(i).copied())
        {
            let pos = self.offset(top);
            return self.fail(ErrorKind::BraceNotClosed, pos);
        }
        if self.nodes.is_empty() {
            return self.fail(ErrorKind::EmptyConfig, 0);
        }
        let num = self.nodes.len();
        for i in 0..self.nodes.len() {
            if usize::from(self.nodes.get(i).map(|n| n.next).unwrap_or(0)) > num {
                let pos = self.offset(i as u16);
                return self.fail(ErrorKind::NoClosingBrace, pos);
            }
        }
        // Key length and depth. Like the kernel, this only descends into a
        // key whose first child is a key: the subkeys of a key that also has
        // a value are never checked.
        let mut n = Some(0u16);
        let mut depth = 1usize;
        let mut len = 0usize;
        while let Some(cur) = n {
            let wlen = self.data_len(cur) + 1;
            len += wlen;
            if len > XBC_KEYLEN_MAX {
                let pos = self.offset(cur);
                return self.fail(ErrorKind::TooLongKeyLength, pos);
            }
            if let Some(m) = self.child(cur)
                && !self.is_value(m)
            {
                n = Some(m);
                depth += 1;
                if depth > XBC_DEPTH_MAX {
                    let pos = self.offset(m);
                    return self.fail(ErrorKind::TooManyKeyWords, pos);
                }
                continue;
            }
            len -= wlen;
            let mut m = self.next(cur);
            let mut up = cur;
            while m.is_none() {
                match self.parent(up) {
                    None => break,
                    Some(p) => {
                        up = p;
                        len = len.saturating_sub(self.data_len(p) + 1);
                        depth = depth.saturating_sub(1);
                        m = self.next(p);
                    }
                }
            }
            n = m;
        }
        Ok(())
    }

    fn into_nodes(self) -> Vec<Node> {
        self.nodes
            .into_iter()
            .map(|n| Node {
                kind: if n.value {
                    NodeKind::Value
                } else {
                    NodeKind::Key
                },
                span: usize::from(n.offset)..usize::from(n.end),
                quote: n.quote,
                parent: (n.parent != NO_PARENT).then_some(NodeId(n.parent)),
                next: (n.next != 0).then_some(NodeId(n.next)),
                child: (n.child != 0).then_some(NodeId(n.child)),
                mentions: n
                    .mentions
                    .into_iter()
                    .map(|(a, b)| usize::from(a)..usize::from(b))
                    .collect(),
            })
            .collect()
    }
}

/// `xbc_init(data, size)`: checks the size, parses, verifies. Returns the
/// nodes (in the kernel's array order) or the first error.
pub(super) fn xbc_init(data: &[u8], opts: Options) -> Result<Vec<Node>, ParseError> {
    if data.is_empty() {
        return Err(ParseError {
            kind: ErrorKind::ConfigDataEmpty,
            pos: None,
        });
    }
    if data.len() > XBC_DATA_MAX {
        return Err(ParseError {
            kind: ErrorKind::ConfigDataTooBig,
            pos: None,
        });
    }
    let mut b = Vec::with_capacity(data.len() + 1);
    b.extend_from_slice(data);
    b.push(0);
    let mut p = Parser {
        buf: Buf { b },
        nodes: Vec::new(),
        keys: HashMap::new(),
        tails: HashMap::new(),
        last_parent: None,
        open_brace: [0; XBC_DEPTH_MAX],
        brace_index: 0,
        opts,
        error: None,
    };
    let ok = p.parse_tree().and_then(|()| p.verify_tree());
    match (ok, p.error.take()) {
        (Ok(()), _) => Ok(p.into_nodes()),
        (Err(Failed), Some(e)) => Err(e),
        // Every failure path records its error first; keep a total function
        // anyway rather than trusting that.
        (Err(Failed), None) => Err(ParseError {
            kind: ErrorKind::NoDelimiter,
            pos: Some(0),
        }),
    }
}
