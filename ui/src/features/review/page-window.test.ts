import { describe, expect, it } from "vitest";
import { pagesToDrop, pagesToRender } from "./page-window";

describe("pagesToRender", () => {
  it.each([
    { visible: [1], n: 500, margin: 2, want: [1, 2, 3] },
    { visible: [250], n: 500, margin: 2, want: [248, 249, 250, 251, 252] },
    { visible: [499, 500], n: 500, margin: 2, want: [497, 498, 499, 500] },
    { visible: [10, 40], n: 500, margin: 1, want: [9, 10, 11, 39, 40, 41] },
    { visible: [], n: 500, margin: 2, want: [] },
    { visible: [0, 501, 2.5], n: 500, margin: 2, want: [] },
    { visible: [1], n: 1, margin: 3, want: [1] },
  ])("$visible of $n (margin $margin)", ({ visible, n, margin, want }) => {
    expect(pagesToRender(visible, n, margin)).toEqual(want);
  });
});

describe("pagesToDrop", () => {
  it("drops only pages far from every visible page", () => {
    expect(pagesToDrop([1, 2, 3, 50, 97, 100], [100], 5)).toEqual([1, 2, 3, 50]);
    expect(pagesToDrop([1, 2, 3, 50, 97, 100], [2, 100], 5)).toEqual([50]);
  });
  it("keeps the page just inside the margin, drops the one just outside", () => {
    expect(pagesToDrop([15, 16], [10], 5)).toEqual([16]);
  });
  it("drops nothing while nothing is visible", () => {
    expect(pagesToDrop([1, 2, 3], [], 5)).toEqual([]);
  });
});
