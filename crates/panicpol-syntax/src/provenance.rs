//! Where each byte of a composed command line came from.
//!
//! A boot entry's command line is assembled from several files (a grub
//! default and its drop-ins, BLS `options` lines, grubenv variables …). The
//! kernel sees one string; diagnostics must point into the file to edit.
//! [`Composed`] is that string plus the pieces it was made of, each mapping a
//! range of the string back to a file and offset.

use std::ops::Range;

use panicpol_diagnostics::FileId;

/// A run of bytes of the composed text copied from one place of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Where the run starts in the composed text.
    pub at: usize,
    /// Its length.
    pub len: usize,
    /// The file it was copied from.
    pub file: FileId,
    /// Where it starts in that file.
    pub offset: usize,
}

/// A command line and the provenance of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Composed {
    /// The command line as the kernel will see it.
    pub text: Vec<u8>,
    /// Pieces in text order; bytes not covered by any piece were made up by
    /// the composer (a separating space).
    pub pieces: Vec<Piece>,
}

impl Composed {
    /// A command line that is one contiguous range of one file.
    pub fn single(file: FileId, text: &[u8], offset: usize) -> Composed {
        Composed {
            text: text.to_vec(),
            pieces: vec![Piece {
                at: 0,
                len: text.len(),
                file,
                offset,
            }],
        }
    }

    /// Appends bytes copied from `file` at `offset`.
    pub fn push_from(&mut self, bytes: &[u8], file: FileId, offset: usize) {
        if bytes.is_empty() {
            return;
        }
        self.pieces.push(Piece {
            at: self.text.len(),
            len: bytes.len(),
            file,
            offset,
        });
        self.text.extend_from_slice(bytes);
    }

    /// Appends bytes that come from no file (a separator the composer adds).
    pub fn push_synthetic(&mut self, bytes: &[u8]) {
        self.text.extend_from_slice(bytes);
    }

    /// Maps a span of the text to a file and a span there. The span is cut
    /// to the piece its start lies in; `None` when the start is synthetic.
    pub fn locate(&self, span: &Range<usize>) -> Option<(FileId, Range<usize>)> {
        let i = self.pieces.partition_point(|p| p.at + p.len <= span.start);
        let p = self.pieces.get(i)?;
        if span.start < p.at {
            return None;
        }
        let start = p.offset + (span.start - p.at);
        let end = p.offset + (span.end.min(p.at + p.len).max(span.start) - p.at);
        Some((p.file, start..end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_across_pieces() {
        let mut c = Composed::default();
        c.push_from(b"ro quiet", FileId(0), 100);
        c.push_synthetic(b" ");
        c.push_from(b"panic=10", FileId(1), 7);
        assert_eq!(c.text, b"ro quiet panic=10");
        assert_eq!(c.locate(&(3..8)), Some((FileId(0), 103..108)));
        assert_eq!(c.locate(&(9..17)), Some((FileId(1), 7..15)));
        assert_eq!(c.locate(&(8..9)), None);
        // A span that runs past its piece is cut at the piece's end.
        assert_eq!(c.locate(&(6..12)), Some((FileId(0), 106..108)));
    }

    #[test]
    fn single() {
        let c = Composed::single(FileId(3), b"a b", 0);
        assert_eq!(c.locate(&(2..3)), Some((FileId(3), 2..3)));
        assert_eq!(c.locate(&(3..3)), None);
    }
}
