import { describe, expect, it } from "vitest";
import type { QueueEntry, ScanState } from "../../lib/backend/types";
import { rowToRemove, stateLabel } from "./intake-view";

const row = (state: ScanState): QueueEntry => ({ id: 1, path: "/a.pdf", name: "a.pdf", state, format: "pdf", pages: 2, sha256: null });

describe("stateLabel", () => {
  it.each([
    [{ kind: "queued" } as ScanState, "queued"],
    [{ kind: "scanned", findings: 3 } as ScanState, "3 finding(s)"],
    [{ kind: "scanned", findings: 0 } as ScanState, "no findings"],
    [{ kind: "failed", reason: "encrypted PDF" } as ScanState, "error: encrypted PDF"],
  ])("%o", (state, text) => {
    expect(stateLabel(row(state), undefined, 0)).toBe(text);
  });
  it("shows seconds spent scanning", () => {
    expect(stateLabel(row({ kind: "scanning" }), 1000, 4200)).toBe("scanning… 3 s");
  });
});

describe("rowToRemove", () => {
  const q = [row({ kind: "scanning" })];
  it.each([
    ["Delete", 1, 1],
    ["Delete", null, null],
    ["Delete", 2, null],
    ["Backspace", 1, null],
    ["d", 1, null],
  ] as const)("%s with %s selected", (key, selected, want) => {
    expect(rowToRemove(key, selected, q)).toBe(want);
  });
});
