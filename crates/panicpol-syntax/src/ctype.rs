//! The kernel's `ctype`, which differs from ASCII's: `lib/ctype.c` marks byte
//! 0xA0 (Latin-1 no-break space) as `_S|_SP`, so `isspace(0xA0)` is true.

/// `isspace()` as `lib/ctype.c` defines it: `\t \n \v \f \r`, space, and 0xA0.
pub fn is_kernel_space(b: u8) -> bool {
    matches!(b, 0x09..=0x0d | 0x20 | 0xa0)
}

/// `skip_spaces()`: the index of the first non-space byte at or after `i`.
pub fn skip_spaces(s: &[u8], mut i: usize) -> usize {
    while s.get(i).is_some_and(|&b| is_kernel_space(b)) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nbsp_is_space_and_others_are_not() {
        assert!(is_kernel_space(0xa0));
        assert!(is_kernel_space(b'\x0b'));
        assert!(!is_kernel_space(0x85));
        assert!(!is_kernel_space(0xc3));
        assert!(!is_kernel_space(b'_'));
    }
}
