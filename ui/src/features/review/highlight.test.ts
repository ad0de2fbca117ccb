import { describe, expect, it } from "vitest";
import type { Finding, Rect } from "../../lib/backend/types";
import { findingRects, isPlaceable, pdfRectToCss, unrotatedTransform, type Matrix } from "./highlight";

const letter: Rect = [0, 0, 612, 792];

function finding(over: Partial<Finding>): Finding {
  return {
    category: "classification-marking",
    rule: "r",
    severity: "high",
    text: "TOP SECRET",
    page: 1,
    source: "body",
    context: "",
    bbox: null,
    explanation: "",
    ...over,
  };
}

describe("pdfRectToCss", () => {
  it("flips y: a banner near the top of the page lands near the top of the canvas", () => {
    const m = unrotatedTransform(letter, 1.5);
    const b = pdfRectToCss([72, 700, 200, 712], m);
    expect(b).toEqual({ left: 108, top: 120, width: 192, height: 18 });
  });

  it("honours a media box that does not start at the origin", () => {
    const box: Rect = [100, 50, 712, 842];
    const m = unrotatedTransform(box, 1);
    const b = pdfRectToCss([100, 842 - 10, 110, 842], m);
    expect(b).toEqual({ left: 0, top: 0, width: 10, height: 10 });
  });

  it("follows a 90° rotation (pdf.js transform for rotate=90 at scale 1)", () => {
    // pdf.js: rotation 90 => [0, 1, 1, 0, -viewBox[1], -viewBox[0]] scaled.
    const m: Matrix = [0, 1, 1, 0, 0, 0];
    const b = pdfRectToCss([72, 700, 200, 712], m);
    expect(b).toEqual({ left: 700, top: 72, width: 12, height: 128 });
  });

  it("pads on every side", () => {
    const m = unrotatedTransform(letter, 1);
    expect(pdfRectToCss([10, 10, 20, 20], m, 2)).toEqual({ left: 8, top: 770, width: 14, height: 14 });
  });
});

describe("findingRects", () => {
  it("prefers line boxes over the bounding box", () => {
    const f = finding({ bbox: [0, 0, 50, 50], boxes: [[0, 40, 50, 50], [0, 0, 20, 10]] });
    expect(findingRects(f)).toHaveLength(2);
  });

  it("skips the all-zero 'unknown' box and non-finite boxes", () => {
    expect(findingRects(finding({ bbox: [0, 0, 0, 0] }))).toEqual([]);
    expect(findingRects(finding({ bbox: [Number.NaN, 0, 1, 1] }))).toEqual([]);
    expect(isPlaceable(finding({ bbox: [0, 0, 0, 0] }))).toBe(false);
  });

  it("needs a page to place a box", () => {
    expect(isPlaceable(finding({ bbox: [1, 1, 2, 2], page: null }))).toBe(false);
    expect(isPlaceable(finding({ bbox: [1, 1, 2, 2], page: 3 }))).toBe(true);
  });
});
