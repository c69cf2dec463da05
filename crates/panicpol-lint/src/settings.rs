//! `panicpol.toml`: which rules run, at which severity, the default target
//! kernel and the fail level — parsed from text and applied to findings.
//!
//! Pure: this module never reads a file. The CLI finds the file (upward from
//! the checked files, or `--config-file`), reads it, and calls
//! [`Settings::parse`]; paths in it are returned as written, for the CLI to
//! resolve against the file's folder.
//!
//! ```toml
//! select = ["PP"]            # every rule (the default); "PP2" = PP2xx, "PP205", or a name
//! ignore = ["PP503", "repeated-param"]
//! fail-level = "warning"     # info | warning | error
//! vmlinux = "kernels/vmlinux-6.12"
//! kernel-config = "kernels/config-6.12"
//!
//! [severity]
//! PP207 = "error"
//! ```
//!
//! Selection follows ruff: the most specific selector that matches a code
//! decides (`ignore = ["PP2"]` with `select = ["PP205"]` keeps PP205 only);
//! on a tie `ignore` wins.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use panicpol_diagnostics::{Diagnostic, Severity};
use serde::Deserialize;

use crate::registry::{GROUPS, RULES, find};

/// The conventional file name, looked for upward from the checked files.
pub const FILE_NAME: &str = "panicpol.toml";

/// A parsed `panicpol.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Selectors of the rules to run; empty means every rule.
    pub select: Vec<Selector>,
    /// Selectors of the rules not to run.
    pub ignore: Vec<Selector>,
    /// Severity per rule code, replacing the rule's own.
    pub severity: BTreeMap<&'static str, Severity>,
    /// The `--fail-level` to use when the command line gives none.
    pub fail_level: Option<Severity>,
    /// The default target kernel, paths as written (relative to the file).
    pub kernel: KernelFiles,
}

/// The kernel build to check against when the command line names none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KernelFiles {
    /// `vmlinux = "…"`: the ELF image with symbols.
    pub vmlinux: Option<PathBuf>,
    /// `system-map = "…"`.
    pub system_map: Option<PathBuf>,
    /// `kallsyms = "…"`: a saved /proc/kallsyms.
    pub kallsyms: Option<PathBuf>,
    /// `kernel-config = "…"`: the kernel's `.config`.
    pub kernel_config: Option<PathBuf>,
}

impl KernelFiles {
    /// Every path given, for resolving them against the file's folder.
    pub fn paths_mut(&mut self) -> impl Iterator<Item = &mut PathBuf> {
        [
            &mut self.vmlinux,
            &mut self.system_map,
            &mut self.kallsyms,
            &mut self.kernel_config,
        ]
        .into_iter()
        .flatten()
    }
}

/// Which codes a `select` or `ignore` entry covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// `"PP"` or `"ALL"`: every rule.
    All,
    /// `"PP2"`: every code of a group of a hundred.
    Group(u8),
    /// `"PP205"` or `"repeated-param"`: one rule, by its code.
    Rule(&'static str),
}

impl Selector {
    /// Reads a selector: `PP`/`ALL`, `PPn`, a code, or a rule name.
    pub fn parse(s: &str) -> Result<Selector, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("PP") || t.eq_ignore_ascii_case("ALL") {
            return Ok(Selector::All);
        }
        if t.len() == 3
            && t.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("PP"))
            && let Some(d) = t.as_bytes().get(2).and_then(|b| b.checked_sub(b'0'))
            && GROUPS.iter().any(|g| g.hundreds == d)
        {
            return Ok(Selector::Group(d));
        }
        if let Some(r) = find(t) {
            return Ok(Selector::Rule(r.meta().code));
        }
        Err(unknown_rule(t))
    }

    /// Whether it covers `code`, and how specifically (higher is narrower).
    fn specificity(&self, code: &str) -> Option<u8> {
        match self {
            Selector::All => Some(0),
            Selector::Group(d) => (crate::registry::group_of(code)?.hundreds == *d).then_some(1),
            Selector::Rule(c) => (*c == code).then_some(2),
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::All => f.write_str("PP"),
            Selector::Group(d) => write!(f, "PP{d}"),
            Selector::Rule(c) => f.write_str(c),
        }
    }
}

fn unknown_rule(s: &str) -> String {
    let best = RULES
        .iter()
        .map(|r| r.meta())
        .flat_map(|m| [m.code, m.name])
        .map(|c| {
            (
                strsim::jaro(&s.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, c)) => {
            format!("no rule {s:?} (did you mean {c:?}? `panicpol rule --all` lists them)")
        }
        None => format!("no rule {s:?}; `panicpol rule --all` lists them"),
    }
}

/// Why a `panicpol.toml` was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    /// What is wrong, one or more lines.
    pub message: String,
    /// Where in the text, when known (byte range).
    pub span: Option<Range<usize>>,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SettingsError {}

/// The file as written; unknown keys are errors, so a typo never silently
/// turns a setting off.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    #[serde(default)]
    select: Option<Vec<toml::Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<toml::Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
    #[serde(default)]
    fail_level: Option<toml::Spanned<String>>,
    vmlinux: Option<PathBuf>,
    system_map: Option<PathBuf>,
    kallsyms: Option<PathBuf>,
    kernel_config: Option<PathBuf>,
}

fn at(s: &toml::Spanned<String>, message: String) -> SettingsError {
    SettingsError {
        message,
        span: Some(s.span()),
    }
}

fn severity(s: &toml::Spanned<String>) -> Result<Severity, SettingsError> {
    Severity::parse(s.get_ref()).ok_or_else(|| {
        at(
            s,
            format!(
                "{:?} is not a severity; use \"info\", \"warning\" or \"error\"",
                s.get_ref()
            ),
        )
    })
}

impl Settings {
    /// Parses the text of a `panicpol.toml`. Unknown keys, unknown rules and
    /// severities are errors with their location in the text.
    pub fn parse(text: &str) -> Result<Settings, SettingsError> {
        let raw: Raw = toml::from_str(text).map_err(|e| SettingsError {
            message: e.message().trim_end().to_string(),
            span: e.span(),
        })?;
        let selectors = |list: &[toml::Spanned<String>]| {
            list.iter()
                .map(|s| Selector::parse(s.get_ref()).map_err(|m| at(s, m)))
                .collect::<Result<Vec<_>, _>>()
        };
        let select = match &raw.select {
            Some(list) if list.is_empty() => {
                return Err(SettingsError {
                    message: "`select = []` would run no rule at all; list rules, or \
                              remove `select` to run every rule"
                        .into(),
                    span: None,
                });
            }
            Some(list) => selectors(list)?,
            None => Vec::new(),
        };
        let ignore = selectors(&raw.ignore)?;
        let mut sev = BTreeMap::new();
        for (k, v) in &raw.severity {
            let Some(rule) = find(k.get_ref()) else {
                return Err(at(k, unknown_rule(k.get_ref())));
            };
            sev.insert(rule.meta().code, severity(v)?);
        }
        Ok(Settings {
            select,
            ignore,
            severity: sev,
            fail_level: raw.fail_level.as_ref().map(severity).transpose()?,
            kernel: KernelFiles {
                vmlinux: raw.vmlinux,
                system_map: raw.system_map,
                kallsyms: raw.kallsyms,
                kernel_config: raw.kernel_config,
            },
        })
    }

    /// Whether findings of `code` are reported.
    pub fn is_enabled(&self, code: &str) -> bool {
        let best = |list: &[Selector]| list.iter().filter_map(|s| s.specificity(code)).max();
        let selected = if self.select.is_empty() {
            Some(0)
        } else {
            best(&self.select)
        };
        match (selected, best(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }

    /// The severity a finding of `code` is reported with.
    pub fn severity_for(&self, code: &str, own: Severity) -> Severity {
        self.severity.get(code).copied().unwrap_or(own)
    }

    /// The whole post-processing of a run's findings, in the right order:
    /// suppression comments ([`crate::suppress::apply`]), then these settings
    /// ([`Settings::apply`]). `check` calls this once, after every rule ran
    /// on every command line of the run.
    pub fn finish(
        &self,
        sources: &panicpol_diagnostics::SourceMap,
        diagnostics: Vec<Diagnostic>,
    ) -> crate::suppress::Outcome {
        let mut out = crate::suppress::apply(sources, diagnostics);
        out.diagnostics = self.apply(out.diagnostics);
        out
    }

    /// Applies the settings to a run's findings: drops those of rules that are
    /// not enabled and sets configured severities. Call it after
    /// [`crate::suppress::apply`], so that suppressions of rules turned off
    /// here are still checked against what those rules find.
    pub fn apply(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter(|d| self.is_enabled(d.code))
            .map(|mut d| {
                d.severity = self.severity_for(d.code, d.severity);
                d
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Settings {
        match Settings::parse(s) {
            Ok(x) => x,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn err(s: &str) -> SettingsError {
        match Settings::parse(s) {
            Ok(x) => panic!("{s}: accepted as {x:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn empty_file_enables_everything() {
        let s = parse("");
        assert_eq!(s, Settings::default());
        for r in RULES {
            assert!(s.is_enabled(r.meta().code));
        }
    }

    #[test]
    fn selection_is_decided_by_the_most_specific_selector() {
        // (select, ignore, code, enabled)
        let cases: &[(&str, &str, &str, bool)] = &[
            ("", "[\"PP503\"]", "PP503", false),
            ("", "[\"PP503\"]", "PP502", true),
            ("[\"PP2\"]", "", "PP205", true),
            ("[\"PP2\"]", "", "PP101", false),
            ("[\"PP2\"]", "[\"PP205\"]", "PP205", false),
            ("[\"PP2\"]", "[\"PP205\"]", "PP201", true),
            ("[\"PP205\"]", "[\"PP2\"]", "PP205", true),
            ("[\"PP205\"]", "[\"PP2\"]", "PP201", false),
            ("[\"PP2\"]", "[\"PP2\"]", "PP201", false),
            ("[\"ALL\"]", "[\"repeated-param\"]", "PP205", false),
            ("[\"pp1\"]", "", "PP101", true),
        ];
        for (select, ignore, code, want) in cases {
            let mut text = String::new();
            if !select.is_empty() {
                text.push_str(&format!("select = {select}\n"));
            }
            if !ignore.is_empty() {
                text.push_str(&format!("ignore = {ignore}\n"));
            }
            assert_eq!(parse(&text).is_enabled(code), *want, "{text} {code}");
        }
    }

    #[test]
    fn severities_fail_level_and_kernel() {
        let s = parse(
            "fail-level = \"warning\"\nvmlinux = \"k/vmlinux\"\nkernel-config = \"k/config\"\n\
             [severity]\nPP207 = \"error\"\nrepeated-param = \"info\"\n",
        );
        assert_eq!(s.fail_level, Some(Severity::Warning));
        assert_eq!(s.severity_for("PP207", Severity::Info), Severity::Error);
        assert_eq!(s.severity_for("PP205", Severity::Warning), Severity::Info);
        assert_eq!(s.severity_for("PP101", Severity::Error), Severity::Error);
        assert_eq!(s.kernel.vmlinux, Some(PathBuf::from("k/vmlinux")));
        assert_eq!(s.kernel.kernel_config, Some(PathBuf::from("k/config")));
        assert_eq!(s.kernel.system_map, None);
    }

    #[test]
    fn apply_filters_and_reweights() {
        let s = parse("ignore = [\"PP503\"]\n[severity]\nPP205 = \"error\"\n");
        let out = s.apply(vec![
            Diagnostic::warning("PP503", "a"),
            Diagnostic::warning("PP205", "b"),
            Diagnostic::error("PP101", "c"),
        ]);
        let got: Vec<_> = out.iter().map(|d| (d.code, d.severity)).collect();
        assert_eq!(
            got,
            [("PP205", Severity::Error), ("PP101", Severity::Error)]
        );
    }

    #[test]
    fn mistakes_are_errors_with_a_location() {
        let text = "ignore = [\"PP2O5\"]\n";
        let e = err(text);
        assert!(e.message.contains("PP2O5"), "{e}");
        assert!(e.message.contains("did you mean \"PP205\""), "{e}");
        assert_eq!(e.span.map(|s| &text[s]), Some("\"PP2O5\""));

        let e = err("fail_level = \"error\"\n");
        assert!(e.message.contains("fail_level"), "{e}");
        assert!(e.span.is_some());

        let e = err("fail-level = \"fatal\"\n");
        assert!(e.message.contains("not a severity"), "{e}");

        let e = err("[severity]\nPP999 = \"error\"\n");
        assert!(e.message.contains("PP999"), "{e}");

        let e = err("select = []\n");
        assert!(e.message.contains("no rule at all"), "{e}");

        let e = err("select = \"PP2\"\n");
        assert!(e.span.is_some(), "{e}");

        let e = err("select = [\n");
        assert!(e.span.is_some(), "{e}");
    }

    #[test]
    fn malformed_input_never_panics() {
        for text in [
            "\u{0}",
            "[",
            "select = [1]",
            "[severity]\nPP205 = 3",
            "vmlinux = 5",
            "= =",
            "select = [\"PP\u{0301}\"]",
            "select = [\"PP\"]\nselect = [\"PP1\"]",
        ] {
            let _ = Settings::parse(text);
        }
    }
}
