//! Unit tests: tables of inputs with the kernel's answers.
