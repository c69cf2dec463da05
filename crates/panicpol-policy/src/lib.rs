//! What the kernel does with a command line, for a given kernel build.
//!
//! - [`values`]: the value grammars of the panic parameters (kstrtobool,
//!   kstrtoul base 0, `panic_sys_info` names, `crashkernel=` …), as nom parsers.
//! - [`catalogue`]: the panic-relevant parameters, their registration and
//!   version history.
//! - [`dispatch`]: the fate of every token (applied, rejected, to init, dropped,
//!   ignored), as `parse_args`/`unknown_bootoption` would decide it.
//!
//! Nothing here prints or reads files.

pub mod catalogue;
pub mod dispatch;
pub mod plan;
pub mod policy;
pub mod runtime;
pub mod supplement;
pub mod values;
