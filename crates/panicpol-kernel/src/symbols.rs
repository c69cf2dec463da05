//! The symbol table of a kernel build, from any source.

use crate::model::Symbol;

/// All symbols of one kernel (and of its modules, for kallsyms).
#[derive(Debug, Clone, Default)]
pub struct SymbolTable {
    /// Symbols in the order of the source.
    pub symbols: Vec<Symbol>,
}
