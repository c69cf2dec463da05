//! The rules of panicpol, one file per rule, and the registry of their codes.
