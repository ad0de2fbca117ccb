import { describe, expect, it } from "vitest";
import { byteSpanToUtf16, utf8ToUtf16 } from "./offsets";

const utf8 = (s: string) => new TextEncoder().encode(s).length;

describe("utf8ToUtf16", () => {
  it.each([
    ["ascii", "TOP SECRET", "TOP ", "SECRET"],
    ["cjk before the match", "文件：绝密★一级", "文件：", "绝密"],
    ["astral plane before", "😀 SECRET", "😀 ", "SECRET"],
    ["mixed 2-byte", "Zürich HQ", "Zürich ", "HQ"],
    ["match is astral", "a😀b", "a", "😀"],
  ])("%s", (_name, text, before, match) => {
    const start = utf8(before);
    const end = start + utf8(match);
    const r = byteSpanToUtf16(text, start, end);
    expect(r).not.toBeNull();
    expect(text.slice(r!.start, r!.end)).toBe(match);
  });

  it("refuses offsets inside a character", () => {
    // "机" is 3 bytes; offset 1 and 2 are inside it.
    expect(utf8ToUtf16("机密", [1, 2, 3])).toEqual([null, null, 1]);
    expect(byteSpanToUtf16("机密", 1, 3)).toBeNull();
  });

  it("maps the end of text and refuses past it", () => {
    expect(utf8ToUtf16("ab", [2, 3])).toEqual([2, null]);
  });

  it("keeps the order and duplicates of the input", () => {
    expect(utf8ToUtf16("a机b", [4, 0, 4, 1])).toEqual([2, 0, 2, 1]);
  });

  it("round-trips every boundary of a mixed string", () => {
    const text = "Site 北纬39°54′ 😀 end";
    let bytes = 0;
    const offsets: number[] = [];
    const expected: number[] = [];
    let i = 0;
    for (const ch of text) {
      offsets.push(bytes);
      expected.push(i);
      bytes += utf8(ch);
      i += ch.length;
    }
    expect(utf8ToUtf16(text, offsets)).toEqual(expected);
  });
});
