//! The fate of every token, as the kernel decides it.
//!
//! Given the tokens of a boot command line (the bootloader's, and a rendered
//! bootconfig if there is one) and a kernel's parameter tables, [`dispatch`]
//! gives every token exactly one [`Fate`] — applied to a named entry, rejected
//! with the kernel's own message, passed to init as an argument or an
//! environment variable, dropped silently, ignored, or a separator — plus
//! what init receives, what the kernel prints, and, where the tables cannot
//! prove a fate, a [`Doubt`] saying which fact is missing.
//!
//! The normative description is `grammar/cmdline.md`; each rule there cites
//! the kernel function this module follows. Everything is bytes: names
//! compare with the kernel's `parameq` (`-` ≡ `_`, case-sensitive), never as
//! UTF-8.

mod bytes;
mod engine;
mod fate;
mod tables;
mod verdict;

pub use bytes::{Bytes, EscapeError, escape, unescape};
pub use engine::{BootLine, BootconfigText, dispatch, dispatch_cmdline, parameq, parameq_prefix};
pub use fate::{
    BootconfigOutcome, Dispatch, Doubt, DropReason, Effect, Fate, IgnoreReason, InitSummary,
    KernelMessage, Kind, Layer, LogLevel, Stage, TokenFate,
};
pub use tables::{
    BootconfigSupport, DEFAULT_INIT_ENV_ARG_LIMIT, MAX_INIT_ENV_ARG_LIMIT, ParamEntry, SetupEntry,
    Tables, parse_version,
};
