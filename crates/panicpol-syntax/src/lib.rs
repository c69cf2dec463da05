//! Reading boot configuration text the way the kernel and the boot tools read it.
//!
//! This crate turns bytes into tokens with byte spans. It knows the kernel's
//! tokenizer (`lib/cmdline.c:next_arg`) exactly, but it does not know which
//! parameters exist or what their values mean: that is `panicpol-policy`'s job,
//! which combines these tokens with a kernel's parameter tables.
//!
//! Everything here works on `&[u8]`: the kernel does, and a command line with
//! invalid UTF-8 must be read exactly as the kernel reads it.

pub mod bls;
pub mod bootconfig;
pub mod bootconfig_source;
pub mod cmdline;
pub mod compose;
pub mod ctype;
pub mod entry;
pub mod grub_cfg;
pub mod grub_default;
pub mod grub_script;
pub mod grubenv;
pub mod issue;
pub mod kconfig_cmdline;
pub mod kernel_install;
pub mod provenance;
pub mod shell;
pub mod sysctl_d;
pub mod tmpfiles;
