// What the reviewer is looking at and has decided: the order findings are walked in (j/k),
// the grouping of the findings panel, and which decisions need a reason.
import { CATEGORIES, SEVERITIES, type Category, type Finding, type Severity } from "../../lib/backend/types";

export const DECISIONS = ["redact", "release", "false-positive"] as const;
export type Decision = (typeof DECISIONS)[number];

export interface DecisionRecord {
  decision: Decision;
  reason: string;
}

/** Release and false positive must say why; redacting is its own justification. */
export function needsReason(d: Decision): boolean {
  return d !== "redact";
}

/** Error key when the decision cannot be recorded as typed, or null when it can. */
export function checkDecision(d: Decision, reason: string): "review.reasonRequired" | null {
  return needsReason(d) && reason.trim() === "" ? "review.reasonRequired" : null;
}

export interface SeverityGroup {
  severity: Severity;
  findings: number[];
}

export interface CategoryGroup {
  category: Category;
  severities: SeverityGroup[];
  count: number;
}

function pageOf(f: Finding): number {
  return f.page ?? Number.MAX_SAFE_INTEGER;
}

/** Findings grouped by category (fixed order), then severity (high first), then page. */
export function groupFindings(findings: readonly Finding[]): CategoryGroup[] {
  const groups: CategoryGroup[] = [];
  for (const category of CATEGORIES) {
    const severities: SeverityGroup[] = [];
    for (const severity of SEVERITIES) {
      const idx = findings
        .map((f, i) => ({ f, i }))
        .filter(({ f }) => f.category === category && f.severity === severity)
        .sort((a, b) => pageOf(a.f) - pageOf(b.f) || a.i - b.i)
        .map(({ i }) => i);
      if (idx.length > 0) severities.push({ severity, findings: idx });
    }
    const count = severities.reduce((n, s) => n + s.findings.length, 0);
    if (count > 0) groups.push({ category, severities, count });
  }
  return groups;
}

/** The j/k order: the panel's order, top to bottom. */
export function walkOrder(findings: readonly Finding[]): number[] {
  return groupFindings(findings).flatMap((g) => g.severities.flatMap((s) => s.findings));
}

/** Moves through `order` from `current`; stays at the ends. */
export function step(order: readonly number[], current: number | null, delta: 1 | -1): number | null {
  if (order.length === 0) return null;
  const at = current === null ? -1 : order.indexOf(current);
  if (at === -1) return delta === 1 ? order[0]! : order[order.length - 1]!;
  const next = Math.min(order.length - 1, Math.max(0, at + delta));
  return order[next]!;
}

/** The first undecided finding after `current` in walk order, wrapping; null when all decided. */
export function nextUndecided(
  order: readonly number[],
  current: number | null,
  decided: ReadonlyMap<number, DecisionRecord>,
): number | null {
  const at = current === null ? -1 : order.indexOf(current);
  for (let k = 1; k <= order.length; k++) {
    const i = order[(at + k + order.length) % order.length]!;
    if (!decided.has(i)) return i;
  }
  return null;
}

export function allDecided(count: number, decided: ReadonlyMap<number, DecisionRecord>): boolean {
  for (let i = 0; i < count; i++) if (!decided.has(i)) return false;
  return true;
}

export type Recommendation = "release" | "release-with-redactions" | "withhold";

/** The recommendation the decisions suggest; the reviewer may still choose another. */
export function suggestRecommendation(decided: ReadonlyMap<number, DecisionRecord>): Recommendation {
  for (const d of decided.values()) if (d.decision === "redact") return "release-with-redactions";
  return "release";
}
