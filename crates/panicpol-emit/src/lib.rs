//! Writing the policy in the forms the kernel ingests.
//!
//! Modules:
//! - [`initrd`]: the bootconfig footer of an initrd (attach, detach, read,
//!   show), byte for byte as `tools/bootconfig` writes it and the kernel
//!   finds it, with atomic file replacement.
//!
//! Planned beside it (DESIGN.md §6): the command-line fragment, the
//! bootconfig text, and the JSON policy document.

pub mod initrd;
