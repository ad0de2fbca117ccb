// Placing highlights: PDF page space (points, origin bottom-left, y up) to CSS pixels of a
// rendered page, through the pdf.js viewport's transform (which also covers rotation and a
// media box that does not start at 0,0).
import type { Finding, Rect } from "../../lib/backend/types";

/** A 2-D affine transform `[a, b, c, d, e, f]` as pdf.js's `PageViewport.transform`. */
export type Matrix = readonly [number, number, number, number, number, number];

export interface CssBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

/** The CSS box covering `rect` on the page, grown by `pad` CSS pixels on each side. */
export function pdfRectToCss(rect: Rect, m: Matrix, pad = 0): CssBox {
  const [ax, ay] = apply(m, rect[0], rect[1]);
  const [bx, by] = apply(m, rect[2], rect[3]);
  const left = Math.min(ax, bx) - pad;
  const top = Math.min(ay, by) - pad;
  return {
    left,
    top,
    width: Math.abs(bx - ax) + 2 * pad,
    height: Math.abs(by - ay) + 2 * pad,
  };
}

/** The transform pdf.js builds for an unrotated page: flips y and scales. */
export function unrotatedTransform(mediaBox: Rect, scale: number): Matrix {
  return [scale, 0, 0, -scale, -mediaBox[0] * scale, mediaBox[3] * scale];
}

function usable(r: Rect | null | undefined): r is Rect {
  return (
    !!r &&
    r.length === 4 &&
    r.every((v) => Number.isFinite(v)) &&
    !(r[0] === 0 && r[1] === 0 && r[2] === 0 && r[3] === 0)
  );
}

/** The boxes to draw for a finding: one per line when known, else its bounding box. */
export function findingRects(f: Finding): Rect[] {
  const lines = (f.boxes ?? []).filter(usable);
  if (lines.length > 0) return lines;
  return usable(f.bbox) ? [f.bbox] : [];
}

/** True if the finding can be drawn on a PDF page. */
export function isPlaceable(f: Finding): boolean {
  return f.page !== null && f.page > 0 && findingRects(f).length > 0;
}
