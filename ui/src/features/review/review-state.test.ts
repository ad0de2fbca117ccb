import { describe, expect, it } from "vitest";
import type { Category, Finding, Severity } from "../../lib/backend/types";
import {
  allDecided,
  checkDecision,
  groupFindings,
  nextUndecided,
  step,
  suggestRecommendation,
  walkOrder,
  type DecisionRecord,
} from "./review-state";

function f(category: Category, severity: Severity, page: number | null): Finding {
  return { category, severity, page, rule: "r", text: "t", source: "body", context: "", bbox: null, explanation: "" };
}

const findings = [
  f("personal-id", "low", 2), // 0
  f("classification-marking", "high", 3), // 1
  f("classification-marking", "high", 1), // 2
  f("classification-marking", "medium", 1), // 3
  f("personal-id", "high", null), // 4
];

describe("groupFindings", () => {
  it("orders categories as the model does, severities high first, then by page", () => {
    const g = groupFindings(findings);
    expect(g.map((x) => x.category)).toEqual(["classification-marking", "personal-id"]);
    expect(g[0]!.severities).toEqual([
      { severity: "high", findings: [2, 1] },
      { severity: "medium", findings: [3] },
    ]);
    expect(g[1]!.count).toBe(2);
    expect(walkOrder(findings)).toEqual([2, 1, 3, 4, 0]);
  });
});

describe("step", () => {
  const order = [2, 1, 3];
  it("starts at the first or last", () => {
    expect(step(order, null, 1)).toBe(2);
    expect(step(order, null, -1)).toBe(3);
  });
  it("moves and stops at the ends", () => {
    expect(step(order, 2, 1)).toBe(1);
    expect(step(order, 3, 1)).toBe(3);
    expect(step(order, 2, -1)).toBe(2);
  });
  it("is null with nothing to walk", () => {
    expect(step([], null, 1)).toBeNull();
  });
});

describe("decisions", () => {
  const redact: DecisionRecord = { decision: "redact", reason: "" };
  it("finds the next undecided finding, wrapping", () => {
    const d = new Map([[1, redact]]);
    expect(nextUndecided([2, 1, 3], 2, d)).toBe(3);
    expect(nextUndecided([2, 1, 3], 3, d)).toBe(2);
    expect(nextUndecided([2, 1], 2, new Map([[1, redact], [2, redact]]))).toBeNull();
  });
  it("requires a reason for release and false positive only", () => {
    expect(checkDecision("redact", "")).toBeNull();
    expect(checkDecision("release", "  ")).toBe("review.reasonRequired");
    expect(checkDecision("false-positive", "public info")).toBeNull();
  });
  it("knows when every finding is decided", () => {
    expect(allDecided(2, new Map([[0, redact]]))).toBe(false);
    expect(allDecided(2, new Map([[0, redact], [1, redact]]))).toBe(true);
    expect(allDecided(0, new Map())).toBe(true);
  });
  it("suggests redactions when any finding is redacted", () => {
    expect(suggestRecommendation(new Map([[0, { decision: "release", reason: "x" }]]))).toBe("release");
    expect(suggestRecommendation(new Map([[0, redact]]))).toBe("release-with-redactions");
  });
});
