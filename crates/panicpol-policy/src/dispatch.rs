//! The fate of every token, as the kernel decides it.
