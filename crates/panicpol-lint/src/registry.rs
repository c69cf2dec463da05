//! The registry of rules and their codes.
//!
//! Codes are grouped by hundreds:
//!
//! | range | area |
//! |---|---|
//! | PP1xx | the tokenizer: quoting, bytes, length |
//! | PP2xx | parameters and values |
//! | PP3xx | `panic_notifier_filter` |
//! | PP4xx | kdump ordering (`crash_kexec_post_notifiers`, `crashkernel=`) |
//! | PP5xx | `panic_print` / `panic_sys_info` |
//! | PP6xx | bootconfig |
//! | PP7xx | boot-source layering |
//! | PP8xx | runtime overrides (sysctl.d, tmpfiles.d) |
//! | PP9xx | suppressions (`# panicpol: disable=…` comments) |

use panicpol_diagnostics::{Diagnostic, Severity};

use crate::context::Context;
use crate::rules;

/// What every rule declares about itself.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable code, `PP` + three digits.
    pub code: &'static str,
    /// Kebab-case name that says the pattern it finds.
    pub name: &'static str,
    /// The severity its findings have unless configured otherwise.
    pub severity: Severity,
    /// One line for listings and SARIF's short description.
    pub summary: &'static str,
    /// The documentation page in Markdown: "What it does", "Why is this bad?",
    /// "Example", "Fix".
    pub doc: &'static str,
}

/// A rule: its metadata and its check.
pub trait Rule: Sync {
    /// The rule's code, name, severity and documentation.
    fn meta(&self) -> &'static RuleMeta;
    /// Pushes the rule's findings about one command line.
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>);
}

/// Every rule, in code order.
pub static RULES: &[&dyn Rule] = &[
    &rules::pp101_open_quote::Rule101,
    &rules::pp102_nbsp_split::Rule102,
    &rules::pp103_nul_byte::Rule103,
    &rules::pp104_cmdline_too_long::Rule104,
    &rules::pp105_quote_kept::Rule105,
    &rules::pp201_unknown_param::Rule201,
    &rules::pp202_panic_param_unsupported::Rule202,
    &rules::pp203_dotted_dropped::Rule203,
    &rules::pp204_rejected_value::Rule204,
    &rules::pp205_repeated_param::Rule205,
    &rules::pp206_param_after_separator::Rule206,
    &rules::pp207_value_remark::Rule207,
    &rules::pp301_filter_unsupported::Rule301,
    &rules::pp302_filter_name::Rule302,
    &rules::pp303_filter_overflow::Rule303,
    &rules::pp401_post_notifiers_before_kdump::Rule401,
    &rules::pp402_post_notifiers_no_kdump::Rule402,
    &rules::pp403_crashkernel_malformed::Rule403,
    &rules::pp501_dumps_after_kdump::Rule501,
    &rules::pp502_dump_bit_ineffective::Rule502,
    &rules::pp503_panic_print_deprecated::Rule503,
    &rules::pp601_bootconfig_early_param::Rule601,
    &rules::pp602_bootconfig_not_loaded::Rule602,
    &rules::pp603_bootconfig_unsupported::Rule603,
    &rules::pp604_bootconfig_parse_error::Rule604,
    &rules::pp605_bootconfig_in_uki_initrd::Rule605,
    &rules::pp701_dropin_override::Rule701,
    &rules::pp702_kind_only::Rule702,
    &rules::pp703_unresolved_variable::Rule703,
    &rules::pp704_uki_empty_cmdline::Rule704,
    &rules::pp705_builtin_cmdline_override::Rule705,
    &rules::pp706_builtin_cmdline_adds::Rule706,
    &rules::pp707_stale_generated::Rule707,
    &rules::pp708_source_syntax::Rule708,
    &rules::pp709_source_unreadable::Rule709,
    &rules::pp801_sysctl_override::Rule801,
    &rules::pp802_tmpfiles_override::Rule802,
    &rules::pp803_runtime_rejected::Rule803,
    &rules::pp901_unused_suppression::Rule901,
    &rules::pp902_suppression_without_reason::Rule902,
    &rules::pp903_invalid_suppression::Rule903,
];

/// A group of rules: the codes `PP<hundreds>00`–`PP<hundreds>99`.
#[derive(Debug)]
pub struct Group {
    /// The hundreds digit: 1 for PP1xx.
    pub hundreds: u8,
    /// What the group's rules are about, for listings and the docs.
    pub title: &'static str,
}

/// The groups of codes, in order; the table at the top of this module.
pub static GROUPS: &[Group] = &[
    Group {
        hundreds: 1,
        title: "the tokenizer: quoting, bytes, length",
    },
    Group {
        hundreds: 2,
        title: "parameters and values",
    },
    Group {
        hundreds: 3,
        title: "panic_notifier_filter",
    },
    Group {
        hundreds: 4,
        title: "kdump ordering (crash_kexec_post_notifiers, crashkernel=)",
    },
    Group {
        hundreds: 5,
        title: "panic_print / panic_sys_info",
    },
    Group {
        hundreds: 6,
        title: "bootconfig",
    },
    Group {
        hundreds: 7,
        title: "boot-source layering",
    },
    Group {
        hundreds: 8,
        title: "runtime overrides (sysctl.d, tmpfiles.d)",
    },
    Group {
        hundreds: 9,
        title: "suppressions (# panicpol: disable=… comments)",
    },
];

/// The group a code belongs to (`PP205` → parameters and values).
pub fn group_of(code: &str) -> Option<&'static Group> {
    let digit = code.strip_prefix("PP")?.bytes().next()?.checked_sub(b'0')?;
    GROUPS.iter().find(|g| g.hundreds == digit)
}

/// The rule with this code (case-insensitive) or name.
pub fn find(code_or_name: &str) -> Option<&'static dyn Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.meta().code.eq_ignore_ascii_case(code_or_name) || r.meta().name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_well_formed_and_documented() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        let mut last = "";
        for r in RULES {
            let m = r.meta();
            assert!(codes.insert(m.code), "duplicate code {}", m.code);
            assert!(names.insert(m.name), "duplicate name {}", m.name);
            assert!(
                m.code.len() == 5
                    && m.code.starts_with("PP")
                    && m.code[2..].bytes().all(|b| b.is_ascii_digit()),
                "bad code {}",
                m.code
            );
            assert!(m.code > last, "{} is out of order", m.code);
            last = m.code;
            assert!(
                m.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "bad name {}",
                m.name
            );
            assert!(
                !m.summary.ends_with('.'),
                "{}: summary ends with a period",
                m.code
            );
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Fix",
            ] {
                assert!(m.doc.contains(heading), "{} lacks {heading:?}", m.code);
            }
        }
    }

    #[test]
    fn every_rule_is_in_a_group() {
        for r in RULES {
            assert!(
                group_of(r.meta().code).is_some(),
                "{} has no group",
                r.meta().code
            );
        }
        assert_eq!(group_of("PP205").map(|g| g.hundreds), Some(2));
        assert!(group_of("PP005").is_none());
        assert!(group_of("X").is_none());
    }

    #[test]
    fn find_by_code_or_name() {
        assert_eq!(find("pp101").map(|r| r.meta().name), Some("open-quote"));
        assert_eq!(find("open-quote").map(|r| r.meta().code), Some("PP101"));
        assert!(find("PP999").is_none());
    }
}
