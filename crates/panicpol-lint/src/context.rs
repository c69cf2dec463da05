//! What a rule sees: one command line, where it sits in its file, its tokens,
//! and the kernel that will read it; for a command line resolved from boot
//! sources, also the boot entry (its bootconfig, built-in command line,
//! layering facts and reading problems) and the settings after boot.

use panicpol_diagnostics::{FileId, Span};
use panicpol_kernel::Kernel;
use panicpol_policy::dispatch::{Dispatch, Layer, TokenFate};
use panicpol_policy::plan::PanicPlan;
use panicpol_policy::policy::Policy;
use panicpol_policy::runtime::AfterBoot;
use panicpol_policy::values::KernelVersion;
use panicpol_syntax::cmdline::{Cmdline, Token};
use panicpol_syntax::entry::BootEntry;
use panicpol_syntax::provenance::Composed;

/// One command line to check.
pub struct Context<'a> {
    /// The file a finding about the whole line points at (the entry's own
    /// file); spans are mapped through `map`.
    pub file: FileId,
    /// The command line's bytes (as the kernel will see them).
    pub text: &'a [u8],
    /// Where each byte of `text` came from.
    pub map: &'a Composed,
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
    /// The boot entry the command line belongs to, when it was resolved from
    /// boot sources (`None` for a bare command line): its bootconfig, built-in
    /// command line, layering facts and reading problems.
    pub entry: Option<&'a BootEntry>,
    /// The panic settings once runtime files (sysctl.d, tmpfiles.d) have
    /// run, when the entry has such files.
    pub after_boot: Option<&'a AfterBoot>,
}

/// A file and a byte range in it.
pub type Loc = (FileId, Span);

impl<'a> Context<'a> {
    /// A span of `text` located in the file it came from. Bytes the composer
    /// made up (separators) are located at the start of the entry's file.
    pub fn locate(&self, span: &Span) -> Loc {
        self.map.locate(span).unwrap_or((self.file, 0..0))
    }

    /// A token's whole span, located.
    pub fn token_loc(&self, t: &Token) -> Loc {
        self.locate(&t.span)
    }

    /// Where a dispatched token is: in the file that wrote the boot loader's
    /// line, or in the bootconfig file for a bootconfig token (when the
    /// entry's bootconfig is known). `None` for a token no file wrote.
    pub fn fate_loc(&self, t: &TokenFate) -> Option<Loc> {
        match t.layer {
            Layer::Bootloader => Some(self.locate(&t.span)),
            Layer::BootconfigKernel => self.bootconfig_map(true)?.locate(&t.span),
            Layer::BootconfigInit => self.bootconfig_map(false)?.locate(&t.span),
        }
    }

    /// The rendered `kernel.*` (or `init.*`) fragment of the entry's
    /// bootconfig, with the provenance of its bytes.
    pub fn bootconfig_map(&self, kernel: bool) -> Option<&'a Composed> {
        let bc = self.entry?.bootconfig.as_ref()?;
        if kernel { bc.kernel.as_ref() } else { bc.init.as_ref() }
    }

    /// Where the token a setting came from is, if it came from one.
    pub fn origin_loc(&self, origin: &panicpol_policy::policy::Origin) -> Option<Loc> {
        match origin {
            panicpol_policy::policy::Origin::Token { index, .. } => self
                .dispatch
                .tokens
                .get(*index)
                .and_then(|t| self.fate_loc(t)),
            _ => None,
        }
    }

    /// Bytes of a span of `text`, lossily decoded for messages.
    pub fn show(&self, span: &Span) -> String {
        String::from_utf8_lossy(self.text.get(span.clone()).unwrap_or_default()).into_owned()
    }
}
