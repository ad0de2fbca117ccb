//! Traditional -> Simplified Chinese, one char at a time.
//!
//! Why a checked-in table instead of a crate: the normaliser needs a char-for-char mapping to
//! keep its offset map simple, and the candidates either convert whole phrases (OpenCC
//! bindings need the C++ library; `zhconv` is GPL) or carry unsafe code and old dependencies.
//! The table is OpenCC's own `TSCharacters.txt` (Apache-2.0), first candidate only, generated
//! by `tools/gen_t2s.py`.

use std::sync::LazyLock;

use super::t2s_table::T2S;

/// The BMP range that holds almost every Traditional character; looked up in a dense array.
const DENSE_START: u32 = 0x3400;
const DENSE_END: u32 = 0xA000;

static DENSE: LazyLock<Vec<char>> = LazyLock::new(|| {
    let mut v: Vec<char> = (DENSE_START..DENSE_END)
        .map(|c| char::from_u32(c).unwrap_or(' '))
        .collect();
    for &(t, s) in T2S {
        let i = t as u32;
        if (DENSE_START..DENSE_END).contains(&i) {
            if let Some(slot) = v.get_mut((i - DENSE_START) as usize) {
                *slot = s;
            }
        }
    }
    v
});

/// One bit per BMP code point whose char normalises to itself on its own: Han ideographs
/// that are not Traditional forms, and the NFKC-stable CJK punctuation U+3001..U+3035
/// (`、。《》「」【】`). 8 KB, so that the normaliser's pass over Chinese text stays in the
/// first-level cache (the char table itself is 100 KB).
static STABLE: LazyLock<Box<[u64; 1024]>> = LazyLock::new(|| {
    let mut bits = Box::new([0u64; 1024]);
    let mut set = |cp: u32| {
        if let Some(w) = bits.get_mut((cp >> 6) as usize) {
            *w |= 1 << (cp & 63);
        }
    };
    for (i, &c) in DENSE.iter().enumerate() {
        let cp = DENSE_START + i as u32;
        if c as u32 == cp {
            set(cp);
        }
    }
    (0x3001..=0x3035).for_each(&mut set);
    bits
});

/// The bit set of chars that normalise to themselves (see [`STABLE`]).
pub fn stable_bits() -> &'static [u64; 1024] {
    &STABLE
}

/// The Simplified form of `c`, or `c` itself.
pub fn to_simplified(c: char) -> char {
    let i = c as u32;
    if (DENSE_START..DENSE_END).contains(&i) {
        return DENSE.get((i - DENSE_START) as usize).copied().unwrap_or(c);
    }
    match T2S.binary_search_by_key(&c, |&(t, _)| t) {
        Ok(k) => T2S.get(k).map_or(c, |&(_, s)| s),
        Err(_) => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(T2S.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn converts_common_characters() {
        for (t, s) in [
            ('機', '机'),
            ('祕', '秘'),
            ('鷹', '鹰'),
            ('試', '试'),
            ('驗', '验'),
            ('場', '场'),
        ] {
            assert_eq!(to_simplified(t), s, "{t}");
        }
        for c in ['机', '密', 'a', '★', '𠀀'] {
            assert_eq!(
                to_simplified(c),
                c,
                "{c} is already simplified or not Chinese"
            );
        }
    }
}
