//! docs/rules.md is generated from the rules' own documentation
//! (`RuleMeta::doc`): this test fails when the file is stale, and rewrites it
//! with `UPDATE_DOCS=1 cargo test -p panicpol-lint --test rules_doc`.

use std::path::Path;

use panicpol_lint::RULES;
use panicpol_lint::registry::{GROUPS, group_of};

/// The whole reference, in code order, grouped by hundreds.
fn render() -> String {
    let mut s = String::from(
        "# Rules\n\n\
         <!-- Generated from crates/panicpol-lint/src/rules/*.rs by \
         `UPDATE_DOCS=1 cargo test -p panicpol-lint --test rules_doc`; do not edit. -->\n\n\
         Every finding of `panicpol check` has a stable code: `PP` and three digits, grouped by\n\
         hundreds. `panicpol rule CODE` prints a rule's page; `panicpol rule --all` lists them.\n\
         Turn rules off or change their severity in `panicpol.toml`; silence one finding with a\n\
         `# panicpol: disable=CODE -- reason` comment (see the README).\n\n",
    );
    s.push_str("| code | name | severity | summary |\n|---|---|---|---|\n");
    for r in RULES {
        let m = r.meta();
        s.push_str(&format!(
            "| [{code}](#{anchor}) | `{name}` | {sev} | {summary} |\n",
            code = m.code,
            anchor = format!("{}-{}", m.code, m.name).to_lowercase(),
            name = m.name,
            sev = m.severity.as_str(),
            summary = m.summary.replace('|', "\\|"),
        ));
    }
    for g in GROUPS {
        let rules: Vec<_> = RULES
            .iter()
            .map(|r| r.meta())
            .filter(|m| group_of(m.code).is_some_and(|x| x.hundreds == g.hundreds))
            .collect();
        if rules.is_empty() {
            continue;
        }
        s.push_str(&format!("\n## PP{}xx: {}\n", g.hundreds, g.title));
        for m in rules {
            s.push_str(&format!(
                "\n### {} {}\n\n{}\n\nDefault severity: **{}**.\n\n",
                m.code,
                m.name,
                m.summary,
                m.severity.as_str()
            ));
            // The pages' own `##` headings sit one level below the rule's.
            for line in m.doc.trim_end().lines() {
                if let Some(rest) = line.strip_prefix("## ") {
                    s.push_str(&format!("#### {rest}\n"));
                } else {
                    s.push_str(line);
                    s.push('\n');
                }
            }
        }
    }
    s
}

#[test]
fn docs_rules_md_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let want = render();
    if std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1") {
        if let Err(e) = std::fs::write(&path, &want) {
            panic!("{}: {e}", path.display());
        }
        return;
    }
    let got = std::fs::read_to_string(&path).unwrap_or_default();
    if got != want {
        let line = got
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .map(|i| i + 1)
            .unwrap_or_else(|| got.lines().count().min(want.lines().count()) + 1);
        panic!(
            "docs/rules.md is stale (first difference at line {line}); \
             run `UPDATE_DOCS=1 cargo test -p panicpol-lint --test rules_doc` and commit it"
        );
    }
}

#[test]
fn every_rule_has_a_section_and_a_table_row() {
    let doc = render();
    for r in RULES {
        let m = r.meta();
        assert!(
            doc.contains(&format!("\n### {} {}\n", m.code, m.name)),
            "{}",
            m.code
        );
        assert!(doc.contains(&format!("| [{}](#", m.code)), "{}", m.code);
    }
    // No page heading is left at the rules' level.
    assert!(!doc.contains("\n## What it does"));
}
