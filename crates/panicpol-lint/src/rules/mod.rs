//! One file per rule: its documentation, its check and its tests.

pub mod pp101_open_quote;
pub mod pp102_nbsp_split;
pub mod pp103_nul_byte;
pub mod pp104_cmdline_too_long;
pub mod pp105_quote_kept;

#[cfg(test)]
pub(crate) mod test_support;
