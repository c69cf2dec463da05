//! The catalogue of panic-relevant parameters.
