//! Sets of 16-bit keys (Basic Multilingual Plane code points, or two bytes of text), one bit
//! each, and the tight loop that passes runs of Chinese text against one (the trigger scan
//! and the normaliser both spend most of their time in it on Chinese documents).

/// One bit per 16-bit key: a code point U+0000..U+FFFF or a pair of bytes.
pub(crate) type BmpSet = [u64; 1024];

/// True if key `cp` is in `set`.
#[inline]
pub(crate) fn contains(set: &BmpSet, cp: usize) -> bool {
    set.get((cp >> 6) & 1023)
        .is_some_and(|w| w & (1 << (cp & 63)) != 0)
}

/// From byte `p`, passes the three-byte UTF-8 chars whose membership of `set` is `inside`;
/// returns where it stopped (another char, or the end).
#[inline]
pub(crate) fn pass_three_byte(bytes: &[u8], mut p: usize, set: &BmpSet, inside: bool) -> usize {
    while let Some(&[x, y, z]) = bytes.get(p..p + 3) {
        // (A `str` is valid UTF-8: a lead byte E0..EF has two continuation bytes.)
        if x & 0xF0 != 0xE0 {
            break;
        }
        let cp = usize::from(x & 0x0F) << 12 | usize::from(y & 0x3F) << 6 | usize::from(z & 0x3F);
        if contains(set, cp) != inside {
            break;
        }
        p += 3;
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_exactly_the_run_on_the_wanted_side() {
        let mut set: BmpSet = [0; 1024];
        for c in ['机', '密'] {
            let cp = c as usize;
            set[cp >> 6] |= 1 << (cp & 63);
        }
        let text = "机密文件a".as_bytes();
        assert_eq!(
            pass_three_byte(text, 0, &set, true),
            6,
            "机密 are in the set"
        );
        assert_eq!(pass_three_byte(text, 6, &set, false), 12, "文件 are not");
        assert_eq!(
            pass_three_byte(text, 12, &set, false),
            12,
            "ASCII stops the run"
        );
        assert!(contains(&set, '密' as usize) && !contains(&set, '文' as usize));
    }
}
