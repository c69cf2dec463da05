//! Value grammars of the panic parameters.
