// Progress of the current batch: the documents queued since the queue was last idle. Pure
// state, driven by the queue rows, so the estimate and the resets are unit-tested.
//
// The time left is the batch's mean wall-clock time per finished document (batch start to
// the latest finish, divided by the documents finished) times the documents still to go,
// counted down until the next document finishes. With several documents scanned at once this
// is the observed throughput, which a mean of per-document scan times would overstate.
import type { QueueEntry } from "../../lib/backend/types";

export interface Batch {
  /** When the first document of the batch was seen waiting (ms). */
  startedAt: number;
  /** When the latest member finished (ms). */
  lastFinishAt: number;
  /** Batch members by queue id: their name and whether they have finished. */
  members: ReadonlyMap<number, { name: string; finished: boolean }>;
  /** When each member was first seen scanning (for the "current file"). */
  scanningSince: ReadonlyMap<number, number>;
}

export interface BatchProgress {
  done: number;
  total: number;
  /** The document scanning longest, if any is scanning. */
  current: string | null;
  /** How many more are scanning at the same time. */
  alsoScanning: number;
  /** Estimated ms left; null until the first document of the batch has finished. */
  etaMs: number | null;
}

export const emptyBatch: Batch = { startedAt: 0, lastFinishAt: 0, members: new Map(), scanningSince: new Map() };

const pending = (r: QueueEntry): boolean => r.state.kind === "queued" || r.state.kind === "scanning";

function hasPending(b: Batch): boolean {
  for (const m of b.members.values()) if (!m.finished) return true;
  return false;
}

/**
 * The batch after the queue changed to `queue` at `now`. A waiting row not yet in the batch
 * joins it, starting a new batch if the previous one had drained; a member that finished
 * counts as done; a member that left the queue unfinished (removed) leaves the batch, while
 * a finished one stays counted. Returns `b` itself when nothing changed.
 */
export function syncBatch(b: Batch, queue: readonly QueueEntry[], now: number): Batch {
  let members = new Map(b.members);
  let scanning = new Map(b.scanningSince);
  let startedAt = b.startedAt;
  let lastFinishAt = b.lastFinishAt;
  let changed = false;
  const present = new Set<number>();
  for (const r of queue) {
    present.add(r.id);
    const m = members.get(r.id);
    if (m === undefined) {
      if (!pending(r)) continue; // finished before it was seen waiting (or restored): not batch work
      if (!hasPending({ startedAt, lastFinishAt, members, scanningSince: scanning })) {
        // The queue had drained: this row opens a new batch.
        members = new Map();
        scanning = new Map();
        startedAt = now;
        lastFinishAt = now;
      }
      members.set(r.id, { name: r.name, finished: false });
      changed = true;
    } else if (!m.finished && !pending(r)) {
      members.set(r.id, { name: m.name, finished: true });
      scanning.delete(r.id);
      lastFinishAt = now;
      changed = true;
    }
    if (r.state.kind === "scanning" && !scanning.has(r.id)) {
      scanning.set(r.id, now);
      changed = true;
    }
  }
  for (const [id, m] of members) {
    if (!m.finished && !present.has(id)) {
      members.delete(id);
      scanning.delete(id);
      changed = true;
    }
  }
  return changed ? { startedAt, lastFinishAt, members, scanningSince: scanning } : b;
}

/** What the progress strip shows, or null when nothing of the batch is waiting. */
export function batchProgress(b: Batch, now: number): BatchProgress | null {
  let done = 0;
  for (const m of b.members.values()) if (m.finished) done++;
  const total = b.members.size;
  if (done === total) return null;
  const scanning = [...b.scanningSince.entries()].sort((x, y) => x[1] - y[1] || x[0] - y[0]);
  const first = scanning[0];
  const current = first === undefined ? null : (b.members.get(first[0])?.name ?? null);
  const perDoc = (b.lastFinishAt - b.startedAt) / done;
  const etaMs = done === 0 ? null : Math.max(0, Math.round(perDoc * (total - done) - (now - b.lastFinishAt)));
  return { done, total, current, alsoScanning: Math.max(0, scanning.length - 1), etaMs };
}

/** Minutes and seconds of a duration, rounded up to whole seconds (never "0 s left"). */
export function splitDuration(ms: number): { h: number; min: number; s: number } {
  const total = Math.max(1, Math.ceil(ms / 1000));
  return { h: Math.floor(total / 3600), min: Math.floor((total % 3600) / 60), s: total % 60 };
}
