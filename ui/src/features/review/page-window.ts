// Which PDF pages hold a rendered canvas: the pages in the viewport plus a margin either side
// are rendered; canvases further away are dropped, so a 500-page document keeps a handful of
// bitmaps in memory instead of hundreds. Pure, so it is unit-tested.

/** Pages to have rendered, ascending: each visible page and `margin` pages either side. */
export function pagesToRender(visible: Iterable<number>, numPages: number, margin: number): number[] {
  const keep = new Set<number>();
  for (const v of visible) {
    if (!Number.isInteger(v) || v < 1 || v > numPages) continue;
    for (let p = Math.max(1, v - margin); p <= Math.min(numPages, v + margin); p++) keep.add(p);
  }
  return [...keep].sort((a, b) => a - b);
}

/**
 * Rendered pages whose canvas may be dropped: further than `keepMargin` pages from every
 * visible page (a larger margin than the render margin, so scrolling back and forth near
 * the edge does not render the same page over and over). With nothing visible, nothing is
 * dropped (the view may just be hidden).
 */
export function pagesToDrop(rendered: Iterable<number>, visible: Iterable<number>, keepMargin: number): number[] {
  const vis = [...visible];
  if (vis.length === 0) return [];
  return [...rendered]
    .filter((p) => vis.every((v) => Math.abs(p - v) > keepMargin))
    .sort((a, b) => a - b);
}
