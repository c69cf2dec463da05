//! What several targets share: the kernels a command line is checked against
//! (built once per process from the repository's small fixtures) and the full
//! command-line pipeline (tokenize → dispatch → lower → resolve → lint).

#![allow(dead_code)]

use std::sync::OnceLock;

use panicpol_diagnostics::FileId;
use panicpol_kernel::{Kernel, KernelSource};
use panicpol_policy::values::KernelVersion;

/// A kernel known only by panicpol's catalogue, one read from a small ELF
/// fixture (complete tables, notifiers proven from code), and one read from a
/// /proc/kallsyms fixture (names only).
pub fn kernels() -> &'static [Kernel] {
    static K: OnceLock<Vec<Kernel>> = OnceLock::new();
    K.get_or_init(|| {
        let mut out = vec![Kernel::empty(KernelSource::Catalogue)];
        let elf = include_bytes!("../../fixtures/elf/x86_64-filter.elf");
        if let Ok(r) = panicpol_kernel::elf::parse(elf, panicpol_kernel::elf::Options::default()) {
            out.push(r.kernel);
        }
        let ks = include_bytes!("../../fixtures/kallsyms/kallsyms-6.12-root.txt");
        if let Ok(k) = panicpol_kernel::kallsyms::kernel_from_kallsyms(ks) {
            out.push(k);
        }
        for k in &mut out {
            panicpol_policy::supplement::supplement(k);
        }
        out
    })
}

/// The versions a value grammar may be asked about.
pub const VERSIONS: [KernelVersion; 4] = [
    KernelVersion::UNKNOWN,
    KernelVersion::new(6, 1, None),
    KernelVersion::new(6, 12, Some(117)),
    KernelVersion::new(7, 0, None),
];

/// Dispatch, policy and panic plan, without the lint rules.
pub fn plan_cmdline(text: &[u8], kernel: &Kernel) {
    let dispatch = panicpol_policy::dispatch::dispatch_cmdline(text, kernel);
    let policy = panicpol_policy::policy::lower(&dispatch, kernel, text);
    std::hint::black_box(panicpol_policy::plan::resolve(&policy, kernel));
}

/// Everything `panicpol check` does with one command line, minus rendering.
pub fn check_cmdline(text: &[u8], kernel: &Kernel) {
    let version = panicpol_policy::policy::kernel_version(kernel);
    let cmdline = panicpol_syntax::cmdline::tokenize(text);
    let dispatch = panicpol_policy::dispatch::dispatch_cmdline(text, kernel);
    let policy = panicpol_policy::policy::lower(&dispatch, kernel, text);
    let plan = panicpol_policy::plan::resolve(&policy, kernel);
    let map = panicpol_syntax::provenance::Composed::single(FileId(0), text, 0);
    let cx = panicpol_lint::Context {
        file: FileId(0),
        text,
        map: &map,
        cmdline: &cmdline,
        kernel,
        version: &version,
        dispatch: &dispatch,
        policy: &policy,
        plan: &plan,
        entry: None,
        after_boot: None,
    };
    let diags = panicpol_lint::check(&cx);
    // Spans must stay inside the text they point into.
    for t in &cmdline.tokens {
        assert!(t.span.end <= text.len() && t.span.start <= t.span.end);
    }
    std::hint::black_box(diags);
}
