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
    let len = n.chars().count();
    // Typos: a couple of edits, or a very similar long name.
    let max_edits = if len > 12 {
        3
    } else if len > 5 {
        2
    } else {
        1
    };
    let mut scored: Vec<(f64, &String)> = candidates
        .iter()
        .filter(|c| could_match(len, c.chars().count(), max_edits))
        .filter(|c| could_match_chars(&n, c, max_edits))
        .filter_map(|c| {
            let f = fold(c);
            if f == n {
                return None;
            }
            let jw = strsim::jaro_winkler(&n, &f);
            let lev = strsim::levenshtein(&n, &f);
            (lev <= max_edits || jw >= 0.94).then_some((jw - lev as f64 * 0.01, c))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, c)| c.clone()).collect()
}

/// Whether names of these lengths (in chars) can pass [`closest`]'s test,
/// decided without comparing them: the edit distance is at least the
/// length difference, and a Jaro–Winkler similarity of 0.94 needs a Jaro
/// similarity of 0.9 (the prefix bonus is at most 0.4 × (1 − Jaro)), which
/// needs the shorter name to be at least 0.7 of the longer (Jaro ≤
/// (2 + shorter/longer) / 3). Skipping the rest keeps a command line of
/// hundreds of unknown words from costing a string metric per candidate
/// each (the check fuzz target spent 90% of its time there).
fn could_match(a: usize, b: usize, max_edits: usize) -> bool {
    let (short, long) = (a.min(b), a.max(b));
    long - short <= max_edits || short * 10 >= long * 7
}

/// A second test without the metrics, from the characters the names share
/// (as multisets; ASCII names only, anything else goes to the metrics): an
/// edit changes at most one character of each side, so the edit distance
/// is at least the larger count of unshared characters; and Jaro counts
/// only shared characters as matches, so it is at most
/// (shared/|a| + shared/|b| + 1) / 3, which must reach 0.9.
fn could_match_chars(a: &str, b: &str, max_edits: usize) -> bool {
    if !a.is_ascii() || !b.is_ascii() {
        return true;
    }
    // Compared as `fold` leaves them: `-` counts as `_`.
    let slot = |c: u8| usize::from(if c == b'-' { b'_' } else { c & 0x7f });
    let mut count = [0i32; 128];
    for c in a.bytes() {
        if let Some(n) = count.get_mut(slot(c)) {
            *n += 1;
        }
    }
    let mut shared = 0usize;
    for c in b.bytes() {
        if let Some(n) = count.get_mut(slot(c)) {
            shared += usize::from(*n > 0);
            *n -= 1;
        }
    }
    let (la, lb) = (a.len(), b.len());
    let unshared = la.saturating_sub(shared).max(lb.saturating_sub(shared));
    unshared <= max_edits || 10 * shared * (la + lb) + 10 * la * lb >= 27 * la * lb
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

    /// The length and shared-character tests never drop a candidate the
    /// metrics would keep: on every pair of the catalogue's names, their
    /// prefixes, names made longer and shorter, and transpositions, a pair
    /// they reject fails both metrics.
    #[test]
    fn the_prefilters_lose_nothing() {
        let mut names: Vec<String> = catalogue::all()
            .iter()
            .map(|s| s.name.to_string())
            .collect();
        let base = names.clone();
        for n in &base {
            for k in [1, 2, 3, 5, 8] {
                names.push(n.chars().take(n.len().saturating_sub(k)).collect());
                names.push(format!("{n}{}", "x".repeat(k)));
                names.push(format!("{}{n}", "y".repeat(k)));
            }
            let mut t: Vec<char> = n.chars().collect();
            if t.len() > 3 {
                t.swap(1, 2);
                names.push(t.iter().collect());
                t.reverse();
                names.push(t.iter().collect());
            }
        }
        let mut rejected = 0;
        for a in &names {
            let la = a.chars().count();
            let max_edits = if la > 12 {
                3
            } else if la > 5 {
                2
            } else {
                1
            };
            for b in &names {
                if could_match(la, b.chars().count(), max_edits)
                    && could_match_chars(a, b, max_edits)
                {
                    continue;
                }
                rejected += 1;
                let jw = strsim::jaro_winkler(a, b);
                let lev = strsim::levenshtein(a, b);
                assert!(
                    lev > max_edits && jw < 0.94,
                    "{a} / {b}: lev {lev}, jw {jw} rejected"
                );
            }
        }
        assert!(rejected > 1000, "the test compared too little: {rejected}");
    }
}
