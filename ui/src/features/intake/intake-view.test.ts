import { describe, expect, it } from "vitest";
import type { QueueEntry, ScanState } from "../../lib/backend/types";
import { durationText, progressTexts, rowToRemove, stateLabel } from "./intake-view";

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

describe("progress strip texts", () => {
  it("says count, current file and time left", () => {
    expect(progressTexts({ done: 3, total: 10, current: "a.pdf", alsoScanning: 1, etaMs: 125_000 })).toEqual({
      count: "3 of 10 scanned",
      current: "scanning a.pdf and 1 more",
      eta: "about 2 min 5 s left",
    });
  });
  it("estimates nothing before the first document finishes", () => {
    expect(progressTexts({ done: 0, total: 2, current: null, alsoScanning: 0, etaMs: null })).toEqual({
      count: "0 of 2 scanned",
      current: null,
      eta: "estimating time left…",
    });
  });
  it.each([
    [400, "1 s"],
    [45_000, "45 s"],
    [3_600_000 + 120_000, "1 h 2 min"],
  ])("%d ms reads %s", (ms, text) => {
    expect(durationText(ms)).toBe(text);
  });
});
