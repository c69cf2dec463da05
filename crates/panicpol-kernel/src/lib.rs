//! Reading a kernel build: what it accepts on its command line and what it
//! registers on the panic path.
//!
//! Sources, from the most to the least informative: a vmlinux with symbols, a
//! System.map, a /proc/kallsyms dump, a kernel config. Whatever the source, the
//! result is one [`Kernel`] in which every fact says how it was known
//! ([`Known`]). This crate never prints and knows nothing about command lines.

pub mod config;
pub mod elf;
pub mod kallsyms;
pub mod model;
pub mod symbols;

pub use model::*;
