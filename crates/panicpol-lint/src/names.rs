//! "Did you mean": close names drawn from the target kernel's own tables and
//! from panicpol's catalogue.

use panicpol_policy::catalogue;

use crate::Context;

/// Every parameter name the target kernel accepts (as far as the source
/// shows), plus the catalogue's names. `__setup` strings lose their `=`.
pub(crate) fn candidates(cx: &Context<'_>) -> Vec<String> {
    let mut out: Vec<String> = cx.kernel.params.iter().map(|p| p.name.clone()).collect();
    out.extend(
        cx.kernel
            .setups
            .iter()
            .map(|s| s.string.trim_end_matches('=').to_string()),
    );
    out.extend(catalogue::all().iter().map(|s| s.name.to_string()));
    out.sort();
    out.dedup();
    out
}

/// Folds `-` to `_`, as `parameq` does.
fn fold(s: &str) -> String {
    s.replace('-', "_")
}

/// The closest candidates to `name`, best first, at most three. A candidate
/// equal to `name` (after folding) is never suggested.
pub(crate) fn closest(name: &str, candidates: &[String]) -> Vec<String> {
    let n = fold(name);
    if n.len() < 3 {
        return Vec::new();
    }
    let mut scored: Vec<(f64, &String)> = candidates
        .iter()
        .filter(|c| fold(c) != n)
        .filter_map(|c| {
            let f = fold(c);
            let jw = strsim::jaro_winkler(&n, &f);
            let lev = strsim::levenshtein(&n, &f);
            // Typos: a couple of edits, or a very similar long name.
            let max_edits = if n.len() > 12 {
                3
            } else if n.len() > 5 {
                2
            } else {
                1
            };
            (lev <= max_edits || jw >= 0.94).then_some((jw - lev as f64 * 0.01, c))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, c)| c.clone()).collect()
}

/// "did you mean `a`?" / "did you mean `a` or `b`?", or `None`.
pub(crate) fn did_you_mean(found: &[String]) -> Option<String> {
    match found {
        [] => None,
        [one] => Some(format!("did you mean `{one}`?")),
        [init @ .., last] => Some(format!(
            "did you mean {} or `{last}`?",
            init.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_found_and_exact_names_are_not() {
        let c: Vec<String> = [
            "crash_kexec_post_notifiers",
            "panic",
            "panic_print",
            "printk.time",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            closest("crash_kexec_post_notifier", &c),
            vec!["crash_kexec_post_notifiers"]
        );
        assert_eq!(
            closest("crash-kexec-post-notifers", &c),
            vec!["crash_kexec_post_notifiers"]
        );
        assert_eq!(closest("printk.tme", &c), vec!["printk.time"]);
        assert!(closest("panic_print", &c).is_empty());
        assert!(closest("console", &c).is_empty());
        assert_eq!(
            did_you_mean(&["a".into(), "b".into()]).as_deref(),
            Some("did you mean `a` or `b`?")
        );
    }
}
