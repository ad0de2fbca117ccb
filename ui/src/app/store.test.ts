import { describe, expect, it } from "vitest";
import type { QueueEntry } from "../lib/backend/types";
import { allowedViews, mergeReply, removeRow, Store, upsertRow } from "./store";

const row = (id: number, kind: "queued" | "scanning"): QueueEntry => ({
  id,
  path: `/d/${id}.pdf`,
  name: `${id}.pdf`,
  state: { kind },
  format: null,
  pages: null,
  sha256: null,
});

describe("upsertRow", () => {
  it("appends new rows and replaces known ones in place", () => {
    let q = upsertRow([], row(1, "queued"));
    q = upsertRow(q, row(2, "queued"));
    q = upsertRow(q, row(1, "scanning"));
    expect(q.map((r) => [r.id, r.state.kind])).toEqual([
      [1, "scanning"],
      [2, "queued"],
    ]);
  });
});

describe("allowedViews", () => {
  it("offers views by role", () => {
    expect(allowedViews(null)).toEqual([]);
    expect(allowedViews({ user: "r", roles: ["reviewer"] })).toEqual(["intake", "review", "ledger", "settings"]);
    expect(allowedViews({ user: "s", roles: ["supervisor"] })).toEqual(["supervisor", "ledger", "settings"]);
    expect(allowedViews({ user: "a", roles: ["admin"] })).toEqual(["ledger", "accounts", "settings"]);
    expect(allowedViews({ user: "b", roles: ["admin", "reviewer"] })).toEqual(["intake", "review", "ledger", "accounts", "settings"]);
  });
});

describe("Store", () => {
  it("notifies subscribers with the previous state", () => {
    const s = new Store();
    const seen: [string, string][] = [];
    const off = s.subscribe((now, prev) => seen.push([prev.view, now.view]));
    s.update({ view: "ledger" });
    off();
    s.update({ view: "settings" });
    expect(seen).toEqual([["intake", "ledger"]]);
  });
});

describe("removeRow", () => {
  it("drops only the row with that id", () => {
    const q = [row(1, "queued"), row(2, "scanning"), row(3, "queued")];
    expect(removeRow(q, 2).map((r) => r.id)).toEqual([1, 3]);
    expect(removeRow(q, 9).map((r) => r.id)).toEqual([1, 2, 3]);
  });
});

describe("mergeReply", () => {
  it("adds new rows but never rolls an event's newer state back", () => {
    const q = [row(1, "scanning")];
    const merged = mergeReply(q, [row(1, "queued"), row(2, "queued")]);
    expect(merged.map((r) => [r.id, r.state.kind])).toEqual([
      [1, "scanning"],
      [2, "queued"],
    ]);
  });
});
