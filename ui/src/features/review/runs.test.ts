import { describe, expect, it } from "vitest";
import type { Finding } from "../../lib/backend/types";
import { rangesForSegment, splitRuns } from "./runs";

describe("splitRuns", () => {
  it("leaves plain text as one run", () => {
    expect(splitRuns("abc", [])).toEqual([{ text: "abc", findings: [] }]);
  });

  it("cuts around one range", () => {
    expect(splitRuns("the TOP SECRET plan", [{ start: 4, end: 14, finding: 0 }])).toEqual([
      { text: "the ", findings: [] },
      { text: "TOP SECRET", findings: [0] },
      { text: " plan", findings: [] },
    ]);
  });

  it("marks overlaps with both findings", () => {
    const runs = splitRuns("abcdef", [
      { start: 1, end: 4, finding: 2 },
      { start: 3, end: 5, finding: 1 },
    ]);
    expect(runs).toEqual([
      { text: "a", findings: [] },
      { text: "bc", findings: [2] },
      { text: "d", findings: [1, 2] },
      { text: "e", findings: [1] },
      { text: "f", findings: [] },
    ]);
    expect(runs.map((r) => r.text).join("")).toBe("abcdef");
  });

  it("skips ranges outside the text or empty", () => {
    expect(splitRuns("ab", [{ start: 1, end: 9, finding: 0 }, { start: 1, end: 1, finding: 1 }])).toEqual([
      { text: "ab", findings: [] },
    ]);
  });
});

describe("rangesForSegment", () => {
  const f = (segment: number, start: number, end: number): Finding => ({
    category: "classification-marking",
    rule: "r",
    severity: "high",
    text: "",
    page: null,
    source: "body",
    context: "",
    bbox: null,
    explanation: "",
    span: { segment, start, end },
  });

  it("converts byte spans of this segment only", () => {
    const text = "密级：绝密"; // "绝密" starts at byte 9, UTF-16 index 3
    const ranges = rangesForSegment(text, 0, [f(0, 9, 15), f(1, 0, 3)]);
    expect(ranges).toEqual([{ start: 3, end: 5, finding: 0 }]);
    expect(text.slice(3, 5)).toBe("绝密");
  });

  it("drops spans that split a character", () => {
    expect(rangesForSegment("机密", 0, [f(0, 1, 3)])).toEqual([]);
  });
});
