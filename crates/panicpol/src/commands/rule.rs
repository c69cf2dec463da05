//! `panicpol rule CODE` (one rule's documentation) and `panicpol rule --all`
//! (every rule, grouped by hundreds, marked with what the `panicpol.toml`
//! in force here changes).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use panicpol_lint::registry::{GROUPS, group_of};
use panicpol_lint::settings::Settings;

use crate::args::RuleArgs;
use crate::config;
use crate::input::Failure;

pub(super) fn run(a: RuleArgs) -> Result<ExitCode, Failure> {
    let text = if a.all {
        // The settings that `check` would use from this folder.
        let cfg = config::load(&[], a.config_file.as_deref())?;
        list(cfg.as_ref().map(|c| (&c.path, &c.settings)))
    } else {
        let code = a.code.unwrap_or_default();
        let Some(r) = panicpol_lint::find(&code) else {
            return Err(Failure::new(format!(
                "no rule {code:?}; `panicpol rule --all` lists them"
            )));
        };
        page(r.meta())
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("stdout", &e))?;
    Ok(ExitCode::SUCCESS)
}

/// One rule's page: title, severity and group, then its documentation.
fn page(m: &panicpol_lint::RuleMeta) -> String {
    let group = group_of(m.code)
        .map(|g| format!(" Group: PP{}xx, {}.", g.hundreds, g.title))
        .unwrap_or_default();
    format!(
        "# {} {}\n\n{}\n\nDefault severity: {}.{group}\n\n{}",
        m.code,
        m.name,
        m.summary,
        m.severity.as_str(),
        m.doc.trim_end()
    ) + "\n"
}

/// Every rule under its group's title; with settings, each rule's effective
/// severity and `off` for the rules they turn off.
fn list(settings: Option<(&PathBuf, &Settings)>) -> String {
    let mut s = String::new();
    if let Some((path, _)) = settings {
        s.push_str(&format!("settings: {}\n\n", path.display()));
    }
    let width = panicpol_lint::RULES
        .iter()
        .map(|r| r.meta().name.len())
        .max()
        .unwrap_or(0);
    let mut count = 0;
    for g in GROUPS {
        let rules: Vec<_> = panicpol_lint::RULES
            .iter()
            .map(|r| r.meta())
            .filter(|m| group_of(m.code).is_some_and(|x| x.hundreds == g.hundreds))
            .collect();
        if rules.is_empty() {
            continue;
        }
        if count > 0 {
            s.push('\n');
        }
        s.push_str(&format!("PP{}xx  {}\n", g.hundreds, g.title));
        for m in rules {
            count += 1;
            let level = match settings {
                Some((_, st)) if !st.is_enabled(m.code) => "off".to_string(),
                Some((_, st)) => {
                    let eff = st.severity_for(m.code, m.severity);
                    if eff == m.severity {
                        eff.as_str().to_string()
                    } else {
                        format!("{}*", eff.as_str())
                    }
                }
                None => m.severity.as_str().to_string(),
            };
            s.push_str(&format!(
                "  {}  {:<width$}  {:<8} {}\n",
                m.code, m.name, level, m.summary
            ));
        }
    }
    s.push_str(&format!(
        "\n{count} rules. `panicpol rule CODE` shows one rule's documentation."
    ));
    if settings.is_some() {
        s.push_str(" `*`: severity set in the settings; `off`: not run.");
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_is_grouped_in_code_order() {
        let l = list(None);
        let p1 = l.find("PP1xx  the tokenizer").unwrap_or(usize::MAX);
        let p101 = l.find("  PP101  open-quote").unwrap_or(usize::MAX);
        let p2 = l.find("PP2xx  parameters and values").unwrap_or(usize::MAX);
        let p201 = l.find("  PP201  unknown-param").unwrap_or(usize::MAX);
        assert!(p1 < p101 && p101 < p2 && p2 < p201 && p201 < l.len(), "{l}");
        // Groups without rules are left out.
        for g in GROUPS {
            let any = panicpol_lint::RULES
                .iter()
                .any(|r| group_of(r.meta().code).is_some_and(|x| x.hundreds == g.hundreds));
            assert_eq!(l.contains(&format!("PP{}xx  {}", g.hundreds, g.title)), any);
        }
        assert!(
            l.contains(&format!("{} rules.", panicpol_lint::RULES.len())),
            "{l}"
        );
    }

    #[test]
    fn listing_shows_the_settings() {
        let st = match Settings::parse("ignore = [\"PP503\"]\n[severity]\nPP205 = \"error\"\n") {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        let path = PathBuf::from("/x/panicpol.toml");
        let l = list(Some((&path, &st)));
        assert!(l.starts_with("settings: /x/panicpol.toml\n"), "{l}");
        let line = |code: &str| {
            l.lines()
                .find(|x| x.contains(code))
                .unwrap_or_default()
                .to_string()
        };
        assert!(line("PP503").contains(" off "), "{l}");
        assert!(line("PP205").contains(" error* "), "{l}");
        assert!(line("PP101").contains(" error "), "{l}");
    }

    #[test]
    fn a_page_has_the_documentation() {
        let Some(r) = panicpol_lint::find("PP205") else {
            panic!("PP205 exists");
        };
        let p = page(r.meta());
        assert!(p.starts_with("# PP205 repeated-param\n\n"), "{p}");
        assert!(
            p.contains("Default severity: warning. Group: PP2xx, parameters and values."),
            "{p}"
        );
        assert!(p.contains("## Why is this bad?"), "{p}");
    }
}
