// Application state: who is signed in, which view is shown, the intake queue. One observable
// object; views subscribe and re-read it.
import type { AppInfo, QueueEntry } from "../lib/backend/types";

export type View = "intake" | "review" | "supervisor" | "ledger" | "accounts" | "settings";

export interface Session {
  user: string;
  roles: string[];
}

export interface State {
  info: AppInfo | null;
  session: Session | null;
  view: View;
  queue: QueueEntry[];
  /** The document open in the review view. */
  openDoc: number | null;
  /** The review open in the supervisor view, read-only. */
  openReview: number | null;
  dragging: boolean;
  /** A message shown in the status bar. */
  notice: { kind: "error" | "info"; text: string } | null;
}

export const initialState: State = {
  info: null,
  session: null,
  view: "intake",
  queue: [],
  openDoc: null,
  openReview: null,
  dragging: false,
  notice: null,
};

/** Inserts a queue row or replaces the row with the same id, keeping the order of arrival. */
export function upsertRow(queue: readonly QueueEntry[], row: QueueEntry): QueueEntry[] {
  const at = queue.findIndex((q) => q.id === row.id);
  if (at === -1) return [...queue, row];
  const next = queue.slice();
  next[at] = row;
  return next;
}

/**
 * Adds the rows of an `add_documents` reply that the queue does not hold yet. A row already
 * there came from a `queue-changed` event, which can beat the reply and is newer (scanning,
 * scanned): the reply must not put it back to "queued".
 */
export function mergeReply(queue: readonly QueueEntry[], rows: readonly QueueEntry[]): QueueEntry[] {
  return rows.reduce((q, r) => (q.some((x) => x.id === r.id) ? q : [...q, r]), queue.slice());
}

/** The queue without the row `id`. */
export function removeRow(queue: readonly QueueEntry[], id: number): QueueEntry[] {
  return queue.filter((q) => q.id !== id);
}

/** Views a session may open: supervisors get the supervisor queue, administrators the
 * accounts, everyone the rest. */
export function allowedViews(session: Session | null): View[] {
  if (!session) return [];
  const views: View[] = [];
  if (session.roles.includes("reviewer")) views.push("intake", "review");
  if (session.roles.includes("supervisor")) views.push("supervisor");
  views.push("ledger");
  if (session.roles.includes("admin")) views.push("accounts");
  views.push("settings");
  return views;
}

export class Store {
  #state: State;
  #subs = new Set<(s: State, prev: State) => void>();

  constructor(state: State = initialState) {
    this.#state = state;
  }

  get state(): State {
    return this.#state;
  }

  update(patch: Partial<State> | ((s: State) => Partial<State>)): void {
    const prev = this.#state;
    const p = typeof patch === "function" ? patch(prev) : patch;
    this.#state = { ...prev, ...p };
    for (const fn of this.#subs) fn(this.#state, prev);
  }

  subscribe(fn: (s: State, prev: State) => void): () => void {
    this.#subs.add(fn);
    return () => this.#subs.delete(fn);
  }
}
