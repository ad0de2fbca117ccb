import { describe, expect, it } from "vitest";
import type { QueueEntry, ScanState } from "../../lib/backend/types";
import { stateLabel } from "./intake-view";

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
