//! Writing the policy in the forms the kernel ingests.
//!
//! Modules:
//! - [`params`]: one command line and its `--set` overrides compiled into
//!   the effective policy, and the canonical parameters every format writes;
//! - [`cmdline`]: those parameters as a command-line fragment, quoted as
//!   `lib/cmdline.c:next_arg` reads it;
//! - [`bootconfig`]: those parameters as bootconfig text within the kernel's
//!   limits (early parameters refused), whether the target kernel will load
//!   it, and what the kernel will do with the keys of any bootconfig;
//! - [`json`]: the policy and the panic plan as the versioned
//!   `panicpol-policy` document (docs/policy-schema.md);
//! - [`initrd`]: the bootconfig footer of an initrd (attach, detach, read,
//!   show), byte for byte as `tools/bootconfig` writes it and the kernel
//!   finds it, with atomic file replacement;
//! - [`output`]: atomic replacement of an output file.

pub mod bootconfig;
pub mod cmdline;
pub mod initrd;
pub mod json;
pub mod output;
pub mod params;
