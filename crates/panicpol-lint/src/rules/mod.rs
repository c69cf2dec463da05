//! One file per rule: its documentation, its check and its tests.

pub mod pp101_open_quote;
pub mod pp102_nbsp_split;
pub mod pp103_nul_byte;
pub mod pp104_cmdline_too_long;
pub mod pp105_quote_kept;
pub mod pp201_unknown_param;
pub mod pp202_panic_param_unsupported;
pub mod pp203_dotted_dropped;
pub mod pp204_rejected_value;
pub mod pp205_repeated_param;
pub mod pp206_param_after_separator;
pub mod pp207_value_remark;
pub mod pp301_filter_unsupported;
pub mod pp302_filter_name;
pub mod pp303_filter_overflow;
pub mod pp401_post_notifiers_before_kdump;
pub mod pp402_post_notifiers_no_kdump;
pub mod pp403_crashkernel_malformed;
pub mod pp501_dumps_after_kdump;
pub mod pp502_dump_bit_ineffective;
pub mod pp503_panic_print_deprecated;
pub mod pp601_bootconfig_early_param;
pub mod pp602_bootconfig_not_loaded;
pub mod pp603_bootconfig_unsupported;
pub mod pp604_bootconfig_parse_error;
pub mod pp605_bootconfig_in_uki_initrd;
pub mod pp701_dropin_override;
pub mod pp702_kind_only;
pub mod pp703_unresolved_variable;
pub mod pp704_uki_empty_cmdline;
pub mod pp705_builtin_cmdline_override;
pub mod pp706_builtin_cmdline_adds;
pub mod pp707_stale_generated;
pub mod pp708_source_syntax;
pub mod pp709_source_unreadable;
pub mod pp801_sysctl_override;
pub mod pp802_tmpfiles_override;
pub mod pp803_runtime_rejected;
pub mod pp901_unused_suppression;
pub mod pp902_suppression_without_reason;
pub mod pp903_invalid_suppression;

pub(crate) mod source_support;
#[cfg(test)]
pub(crate) mod test_support;
