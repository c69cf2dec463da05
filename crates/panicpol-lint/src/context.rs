//! What a rule sees: one command line, where it sits in its file, its tokens,
//! and the kernel that will read it.

use panicpol_diagnostics::{FileId, Span};
use panicpol_kernel::Kernel;
use panicpol_policy::dispatch::{Dispatch, Layer, TokenFate};
use panicpol_policy::plan::PanicPlan;
use panicpol_policy::policy::Policy;
use panicpol_policy::values::KernelVersion;
use panicpol_syntax::cmdline::{Cmdline, Token};

/// One command line to check.
pub struct Context<'a> {
    /// The file the command line comes from.
    pub file: FileId,
    /// The command line's bytes (as the kernel will see them).
    pub text: &'a [u8],
    /// Offset of `text` inside the file, so spans point into the file.
    pub base: usize,
    /// The tokens of `text`.
    pub cmdline: &'a Cmdline,
    /// The target kernel (possibly only panicpol's catalogue).
    pub kernel: &'a Kernel,
    /// The kernel version, for version-gated rules.
    pub version: &'a KernelVersion,
    /// The fate of every token, as the kernel decides it.
    pub dispatch: &'a Dispatch,
    /// The effective panic policy.
    pub policy: &'a Policy,
    /// What a panic will do with that policy on this kernel.
    pub plan: &'a PanicPlan,
}

impl Context<'_> {
    /// A span of `text` mapped into the file.
    pub fn file_span(&self, span: &Span) -> Span {
        self.base + span.start..self.base + span.end
    }

    /// A token's whole span mapped into the file.
    pub fn token_span(&self, t: &Token) -> Span {
        self.file_span(&t.span)
    }

    /// The file span of a dispatched token, when it lies in this file's text
    /// (bootloader layer).
    pub fn fate_span(&self, t: &TokenFate) -> Option<Span> {
        (t.layer == Layer::Bootloader).then(|| self.file_span(&t.span))
    }

    /// Bytes of a span of `text`, lossily decoded for messages.
    pub fn show(&self, span: &Span) -> String {
        String::from_utf8_lossy(self.text.get(span.clone()).unwrap_or_default()).into_owned()
    }
}

impl Context<'_> {
    /// The file span of the token a setting came from, if it came from a
    /// token of this file.
    pub fn origin_span(&self, origin: &panicpol_policy::policy::Origin) -> Option<Span> {
        match origin {
            panicpol_policy::policy::Origin::Token { index, .. } => self
                .dispatch
                .tokens
                .get(*index)
                .and_then(|t| self.fate_span(t)),
            _ => None,
        }
    }
}
