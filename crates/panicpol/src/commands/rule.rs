//! `panicpol rule CODE` and `panicpol rule --all`.

use std::io::Write;
use std::process::ExitCode;

use crate::args::RuleArgs;
use crate::input::Failure;

pub(super) fn run(a: RuleArgs) -> Result<ExitCode, Failure> {
    let mut out = std::io::stdout().lock();
    let w = |e: std::io::Error| Failure::io("stdout", &e);
    if a.all {
        for r in panicpol_lint::RULES {
            let m = r.meta();
            writeln!(
                out,
                "{}  {:<24} {:<8} {}",
                m.code,
                m.name,
                m.severity.as_str(),
                m.summary
            )
            .map_err(w)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let code = a.code.unwrap_or_default();
    let Some(r) = panicpol_lint::find(&code) else {
        return Err(Failure::new(format!(
            "no rule {code:?}; `panicpol rule --all` lists them"
        )));
    };
    let m = r.meta();
    writeln!(
        out,
        "# {} {}\n\nDefault severity: {}.\n\n{}",
        m.code,
        m.name,
        m.severity.as_str(),
        m.doc
    )
    .map_err(w)?;
    Ok(ExitCode::SUCCESS)
}
