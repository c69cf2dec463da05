//! Loading the target kernel from the sources the user named.

use panicpol_kernel::{Kernel, KernelSource};

use crate::args::KernelArgs;
use crate::input::Failure;

/// The kernel to check against. `live` says that no input was named, so the
/// running system's kallsyms is the default.
pub(crate) fn load(_a: &KernelArgs, _live: bool) -> Result<Kernel, Failure> {
    let kernel = Kernel::empty(KernelSource::Catalogue);
    Ok(kernel)
}
