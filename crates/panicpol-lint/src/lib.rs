//! The rules of panicpol, one file per rule, and the registry of their codes.
//!
//! A rule looks at one command line (its tokens, the fate the kernel gives
//! each token, the kernel it will boot) and pushes [`Diagnostic`]s. Rules never
//! print and never read files. Every rule has a stable code (`PP` + number,
//! grouped by hundreds, see [`registry`]) and a documentation page, in the same
//! file as its check, which `panicpol rule PPnnn` prints.

pub mod context;
mod names;
mod notes;
pub mod registry;
pub mod rules;
pub mod settings;
pub mod suppress;

pub use context::Context;
pub use panicpol_diagnostics::Diagnostic;
pub use registry::{RULES, Rule, RuleMeta, find};

/// Runs every rule on one command line and returns the findings in the order
/// of their primary span.
pub fn check(cx: &Context<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in RULES {
        rule.check(cx, &mut out);
    }
    out.sort_by_key(|d| d.primary.as_ref().map(|l| (l.file, l.span.start)));
    out
}
