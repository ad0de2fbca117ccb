// The engine reports spans as UTF-8 byte offsets (Rust strings); JavaScript strings index
// UTF-16 code units. These functions convert between the two.

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

/**
 * Converts UTF-8 byte offsets into `text` to UTF-16 indices in one pass. An offset that falls
 * inside a character or past the end maps to `null`, never to a wrong place.
 */
export function utf8ToUtf16(text: string, byteOffsets: readonly number[]): (number | null)[] {
  const wanted = [...new Set(byteOffsets)]
    .filter((b) => Number.isInteger(b) && b >= 0)
    .sort((a, b) => a - b);
  const found = new Map<number, number>();
  let w = 0;
  let bytes = 0;
  let i = 0;
  while (w < wanted.length && i <= text.length) {
    const target = wanted[w]!;
    if (target === bytes) {
      found.set(target, i);
      w++;
      continue;
    }
    if (target < bytes || i === text.length) {
      w++; // inside a char, or past the end
      continue;
    }
    const cp = text.codePointAt(i)!;
    // A lone surrogate cannot come from Rust; count it as U+FFFD (3 bytes) to stay in step.
    const lone = cp >= 0xd800 && cp <= 0xdfff;
    bytes += lone ? 3 : utf8Length(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return byteOffsets.map((b) => found.get(b) ?? null);
}

/** A byte span as a UTF-16 range, or null if either end is not on a char boundary. */
export function byteSpanToUtf16(
  text: string,
  start: number,
  end: number,
): { start: number; end: number } | null {
  const [s, e] = utf8ToUtf16(text, [start, end]);
  if (s === null || s === undefined || e === null || e === undefined || e < s) return null;
  return { start: s, end: e };
}
