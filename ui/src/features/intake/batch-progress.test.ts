import { describe, expect, it } from "vitest";
import type { QueueEntry, ScanState } from "../../lib/backend/types";
import { batchProgress, emptyBatch, splitDuration, syncBatch, type Batch } from "./batch-progress";

const row = (id: number, kind: ScanState["kind"]): QueueEntry => ({
  id,
  path: `/d/${id}.pdf`,
  name: `${id}.pdf`,
  state: kind === "scanned" ? { kind, findings: 0 } : kind === "failed" ? { kind, reason: "bad" } : { kind },
  format: null,
  pages: null,
  sha256: null,
});

/** Applies queue snapshots at the given times. */
function run(steps: [number, QueueEntry[]][]): Batch {
  return steps.reduce((b, [now, q]) => syncBatch(b, q, now), emptyBatch);
}

describe("batchProgress", () => {
  it("counts done of total and names the file scanning longest", () => {
    const b = run([
      [0, [row(1, "queued"), row(2, "queued"), row(3, "queued")]],
      [100, [row(1, "scanning"), row(2, "queued"), row(3, "queued")]],
      [200, [row(1, "scanning"), row(2, "scanning"), row(3, "queued")]],
    ]);
    expect(batchProgress(b, 300)).toEqual({ done: 0, total: 3, current: "1.pdf", alsoScanning: 1, etaMs: null });
  });

  it("estimates from the mean time per finished document, only after the first finishes", () => {
    const b = run([
      [0, [row(1, "scanning"), row(2, "queued"), row(3, "queued"), row(4, "queued")]],
      [4000, [row(1, "scanned"), row(2, "scanning"), row(3, "queued"), row(4, "queued")]],
    ]);
    // 4 s for one document, three to go.
    expect(batchProgress(b, 4000)).toMatchObject({ done: 1, total: 4, current: "2.pdf", etaMs: 12000 });
    // Counts down until the next document finishes.
    expect(batchProgress(b, 5000)).toMatchObject({ etaMs: 11000 });
    expect(batchProgress(b, 60000)).toMatchObject({ etaMs: 0 });
    // Two done after 10 s: 5 s each, two to go.
    const later = syncBatch(b, [row(1, "scanned"), row(2, "failed"), row(3, "scanning"), row(4, "queued")], 10000);
    expect(batchProgress(later, 10000)).toMatchObject({ done: 2, total: 4, current: "3.pdf", etaMs: 10000 });
  });

  it("disappears when the batch is done and a new batch starts afresh", () => {
    const first = run([
      [0, [row(1, "queued"), row(2, "queued")]],
      [1000, [row(1, "scanned"), row(2, "scanned")]],
    ]);
    expect(batchProgress(first, 1000)).toBeNull();
    const second = syncBatch(first, [row(1, "scanned"), row(2, "scanned"), row(3, "queued")], 60000);
    expect(second.startedAt).toBe(60000);
    expect(batchProgress(second, 60000)).toEqual({ done: 0, total: 1, current: null, alsoScanning: 0, etaMs: null });
  });

  it("joins rows added while a batch runs to that batch", () => {
    const b = run([
      [0, [row(1, "scanning")]],
      [500, [row(1, "scanning"), row(2, "queued")]],
    ]);
    expect(b.startedAt).toBe(0);
    expect(batchProgress(b, 500)).toMatchObject({ done: 0, total: 2 });
  });

  it("drops removed unfinished rows but keeps finished ones counted", () => {
    const b = run([
      [0, [row(1, "scanning"), row(2, "queued"), row(3, "queued")]],
      [1000, [row(1, "scanned"), row(2, "scanning"), row(3, "queued")]],
      // 2 removed while scanning, 1 removed after it finished.
      [1500, [row(3, "queued")]],
    ]);
    expect(batchProgress(b, 1500)).toEqual({ done: 1, total: 2, current: null, alsoScanning: 0, etaMs: 500 });
    const emptied = syncBatch(b, [], 1600);
    expect(batchProgress(emptied, 1600)).toBeNull();
  });

  it("ignores rows that arrive already finished (restored after a restart)", () => {
    const b = run([[0, [row(1, "scanned"), row(2, "failed")]]]);
    expect(b).toBe(emptyBatch);
    expect(batchProgress(b, 0)).toBeNull();
  });

  it("returns the same batch when nothing changed", () => {
    const q = [row(1, "scanning"), row(2, "queued")];
    const b = syncBatch(emptyBatch, q, 0);
    expect(syncBatch(b, q, 50)).toBe(b);
  });
});

describe("splitDuration", () => {
  it.each([
    [0, { h: 0, min: 0, s: 1 }],
    [1, { h: 0, min: 0, s: 1 }],
    [59_000, { h: 0, min: 0, s: 59 }],
    [61_500, { h: 0, min: 1, s: 2 }],
    [3_725_000, { h: 1, min: 2, s: 5 }],
  ])("%d ms", (ms, want) => {
    expect(splitDuration(ms)).toEqual(want);
  });
});
