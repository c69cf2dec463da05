//! Reading a real vmlinux: see the full bench below.
fn main() {}
