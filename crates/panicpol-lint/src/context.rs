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
    /// The layering facts of the entry (none for a bare command line).
    pub fn facts(&self) -> impl Iterator<Item = &'a panicpol_syntax::entry::Fact> {
        self.entry.into_iter().flat_map(|e| e.facts.iter())
    }

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
        if kernel {
            bc.kernel.as_ref()
        } else {
            bc.init.as_ref()
        }
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

/// Everything computed about one boot entry on one kernel: the command line
/// the kernel receives (bootconfig included), every token's fate, the
/// policy at boot and after the runtime files, and both panic plans. Build
/// it once, then [`EntryAnalysis::context`] gives the rules their view.
#[derive(Debug, Clone)]
pub struct EntryAnalysis<'e> {
    /// The entry.
    pub entry: &'e BootEntry,
    /// The tokens of `boot_command_line`.
    pub cmdline: Cmdline,
    /// The fate of every token, the bootconfig's included.
    pub dispatch: Dispatch,
    /// The policy once the command line is read.
    pub policy: Policy,
    /// What a panic does with that policy.
    pub plan: PanicPlan,
    /// The values after boot, when runtime files change any.
    pub after_boot: Option<AfterBoot>,
    /// What a panic after boot does (with the runtime values).
    pub after_plan: Option<PanicPlan>,
    /// The kernel version.
    pub version: KernelVersion,
}

impl<'e> EntryAnalysis<'e> {
    /// Runs the kernel's passes over the entry: the bootconfig is given to
    /// dispatch when the kernel can parse it; its support is the kernel
    /// config's (the root's config when the kernel model has none).
    pub fn new(entry: &'e BootEntry, kernel: &Kernel) -> EntryAnalysis<'e> {
        use panicpol_policy::dispatch::{BootLine, BootconfigText, Tables, dispatch};
        let text = entry.cmdline.text.as_slice();
        let mut tables = Tables::from_kernel(kernel);
        if let Some((on, _)) = entry.boot_config_option {
            tables.bootconfig.compiled.get_or_insert(on);
        }
        if let Some((on, _)) = entry.boot_config_force {
            tables.bootconfig.force.get_or_insert(on);
        }
        // A bootconfig the kernel cannot parse is not loaded at all.
        let bootconfig = entry
            .bootconfig
            .as_ref()
            .filter(|b| b.parsed.is_ok())
            .map(|b| BootconfigText {
                kernel: b
                    .kernel
                    .as_ref()
                    .map(|c| c.text.as_slice())
                    .unwrap_or_default(),
                init: b
                    .init
                    .as_ref()
                    .map(|c| c.text.as_slice())
                    .unwrap_or_default(),
            });
        let dispatch = dispatch(
            &BootLine {
                bootloader: text,
                bootconfig,
            },
            &tables,
        );
        let policy = panicpol_policy::policy::lower(&dispatch, kernel, text);
        let plan = panicpol_policy::plan::resolve(&policy, kernel);
        let version = panicpol_policy::policy::kernel_version(kernel);
        let after_boot = (!entry.runtime.is_empty())
            .then(|| panicpol_policy::runtime::apply_runtime(&policy, &entry.runtime, &version));
        let after_plan = after_boot
            .as_ref()
            .map(|a| panicpol_policy::plan::resolve(&a.policy(&policy), kernel));
        EntryAnalysis {
            entry,
            cmdline: panicpol_syntax::cmdline::tokenize(text),
            dispatch,
            policy,
            plan,
            after_boot,
            after_plan,
            version,
        }
    }

    /// The rules' view of the entry.
    pub fn context<'a>(&'a self, kernel: &'a Kernel) -> Context<'a> {
        Context {
            file: self.entry.file,
            text: &self.entry.cmdline.text,
            map: &self.entry.cmdline,
            cmdline: &self.cmdline,
            kernel,
            version: &self.version,
            dispatch: &self.dispatch,
            policy: &self.policy,
            plan: &self.plan,
            entry: Some(self.entry),
            after_boot: self.after_boot.as_ref(),
        }
    }
}
