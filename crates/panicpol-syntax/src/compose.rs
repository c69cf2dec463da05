//! Building composed text byte by byte without losing where each byte came
//! from.
//!
//! The boot-source readers expand variables, remove quotes and join values;
//! every byte they emit is either copied from a file (and keeps its file and
//! offset) or made up (a separator, a quote grub adds). [`Builder`] wraps a
//! [`Composed`] and merges adjacent bytes from consecutive offsets of one file
//! into one piece, so a long literal stays one piece however it was emitted.

use std::ops::Range;

use panicpol_diagnostics::FileId;

use crate::provenance::{Composed, Piece};

/// Appends to a [`Composed`], coalescing adjacent pieces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Builder {
    out: Composed,
}

impl Builder {
    /// An empty builder.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// The text built so far.
    pub fn text(&self) -> &[u8] {
        &self.out.text
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.out.text.len()
    }

    /// Whether nothing was appended.
    pub fn is_empty(&self) -> bool {
        self.out.text.is_empty()
    }

    /// One byte copied from `file` at `offset`.
    pub fn byte_from(&mut self, b: u8, file: FileId, offset: usize) {
        let at = self.out.text.len();
        if let Some(last) = self.out.pieces.last_mut()
            && last.file == file
            && last.at + last.len == at
            && last.offset + last.len == offset
        {
            last.len += 1;
        } else {
            self.out.pieces.push(Piece {
                at,
                len: 1,
                file,
                offset,
            });
        }
        self.out.text.push(b);
    }

    /// Bytes copied from `file` starting at `offset`.
    pub fn bytes_from(&mut self, bytes: &[u8], file: FileId, offset: usize) {
        for (i, &b) in bytes.iter().enumerate() {
            self.byte_from(b, file, offset + i);
        }
    }

    /// Bytes that come from no file.
    pub fn synthetic(&mut self, bytes: &[u8]) {
        self.out.text.extend_from_slice(bytes);
    }

    /// A range of another composed text, with its provenance.
    pub fn append(&mut self, src: &Composed, range: Range<usize>) {
        let end = range.end.min(src.text.len());
        let mut pos = range.start.min(end);
        let first = src.pieces.partition_point(|p| p.at + p.len <= pos);
        for p in src.pieces.iter().skip(first) {
            if pos >= end {
                break;
            }
            if p.at > pos {
                let gap_end = p.at.min(end);
                self.synthetic(src.text.get(pos..gap_end).unwrap_or_default());
                pos = gap_end;
                if pos >= end {
                    break;
                }
            }
            let piece_end = (p.at + p.len).min(end);
            if piece_end > pos {
                let bytes = src.text.get(pos..piece_end).unwrap_or_default();
                self.bytes_from(bytes, p.file, p.offset + (pos - p.at));
                pos = piece_end;
            }
        }
        if pos < end {
            self.synthetic(src.text.get(pos..end).unwrap_or_default());
        }
    }

    /// All of another composed text.
    pub fn append_all(&mut self, src: &Composed) {
        self.append(src, 0..src.text.len());
    }

    /// Drops bytes after `len` (and the provenance of dropped bytes).
    pub fn truncate(&mut self, len: usize) {
        if len >= self.out.text.len() {
            return;
        }
        self.out.text.truncate(len);
        self.out.pieces.retain(|p| p.at < len);
        if let Some(last) = self.out.pieces.last_mut() {
            last.len = last.len.min(len - last.at);
        }
    }

    /// The composed text.
    pub fn finish(self) -> Composed {
        self.out
    }

    /// A view of the composed text so far.
    pub fn composed(&self) -> &Composed {
        &self.out
    }
}

/// A range of a composed text as a new composed text.
pub fn slice(src: &Composed, range: Range<usize>) -> Composed {
    let mut b = Builder::new();
    b.append(src, range);
    b.finish()
}

/// The file and span where a composed range starts, if its first byte came
/// from a file: the span is cut to that first piece.
pub fn origin(src: &Composed, range: &Range<usize>) -> Option<(FileId, Range<usize>)> {
    src.locate(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coalesces_adjacent_bytes() {
        let mut b = Builder::new();
        b.byte_from(b'a', FileId(1), 10);
        b.byte_from(b'b', FileId(1), 11);
        b.synthetic(b" ");
        b.byte_from(b'c', FileId(1), 12);
        b.bytes_from(b"de", FileId(2), 0);
        let c = b.finish();
        assert_eq!(c.text, b"ab cde");
        assert_eq!(c.pieces.len(), 3);
        assert_eq!(c.locate(&(0..2)), Some((FileId(1), 10..12)));
        assert_eq!(c.locate(&(2..3)), None);
        assert_eq!(c.locate(&(3..4)), Some((FileId(1), 12..13)));
        assert_eq!(c.locate(&(4..6)), Some((FileId(2), 0..2)));
    }

    #[test]
    fn append_keeps_provenance_and_gaps() {
        let mut src = Composed::default();
        src.push_from(b"ro quiet", FileId(0), 100);
        src.push_synthetic(b" ");
        src.push_from(b"panic=10", FileId(1), 7);
        for (range, text, first) in [
            (3..8, &b"quiet"[..], Some((FileId(0), 103..108))),
            (6..12, b"et pan", Some((FileId(0), 106..108))),
            (8..9, b" ", None),
            (9..17, b"panic=10", Some((FileId(1), 7..15))),
            (0..99, b"ro quiet panic=10", Some((FileId(0), 100..108))),
            (20..30, b"", None),
        ] {
            let c = slice(&src, range.clone());
            assert_eq!(c.text, text, "{range:?}");
            assert_eq!(c.locate(&(0..c.text.len())), first, "{range:?}");
        }
        let c = slice(&src, 6..12);
        assert_eq!(c.locate(&(3..6)), Some((FileId(1), 7..10)));
    }

    #[test]
    fn truncate_cuts_pieces() {
        let mut b = Builder::new();
        b.bytes_from(b"abcdef", FileId(0), 0);
        b.synthetic(b"xy");
        b.truncate(3);
        let c = b.finish();
        assert_eq!(c.text, b"abc");
        assert_eq!(c.pieces.len(), 1);
        assert_eq!(c.pieces[0].len, 3);
    }
}
