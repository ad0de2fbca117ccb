//! Reproducible random texts for the tests that compare a fast scanner with a plain oracle.

/// `count` texts of 1 to `max_pieces` pieces drawn from `pieces` by an xorshift generator
/// started at `seed`, so a failure names a text that the next run produces again.
pub(crate) fn random_texts<'a>(
    pieces: &'a [&'a str],
    seed: u64,
    count: usize,
    max_pieces: usize,
) -> impl Iterator<Item = String> + 'a {
    let mut state = seed;
    let mut next = move |n: usize| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    };
    (0..count).map(move |_| {
        let len = 1 + next(max_pieces);
        (0..len).map(|_| pieces[next(pieces.len())]).collect()
    })
}
