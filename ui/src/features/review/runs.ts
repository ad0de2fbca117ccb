// Splitting a segment's text into runs for inline highlighting: overlapping findings become
// runs that know every finding covering them.
import type { Finding } from "../../lib/backend/types";
import { utf8ToUtf16 } from "../../lib/text/offsets";

export interface Range {
  start: number;
  end: number;
  /** Index of the finding in the report. */
  finding: number;
}

export interface Run {
  text: string;
  /** Findings covering this run, ascending; empty for plain text. */
  findings: number[];
}

/** Cuts `text` at every range boundary (UTF-16 indices). Empty or inverted ranges are skipped. */
export function splitRuns(text: string, ranges: readonly Range[]): Run[] {
  const valid = ranges.filter((r) => r.start < r.end && r.start >= 0 && r.end <= text.length);
  const cuts = new Set<number>([0, text.length]);
  for (const r of valid) {
    cuts.add(r.start);
    cuts.add(r.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const runs: Run[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const covering = valid
      .filter((r) => r.start <= a && r.end >= b)
      .map((r) => r.finding)
      .sort((x, y) => x - y);
    const last = runs[runs.length - 1];
    if (last && sameSet(last.findings, covering)) last.text += text.slice(a, b);
    else runs.push({ text: text.slice(a, b), findings: covering });
  }
  return runs;
}

function sameSet(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The UTF-16 ranges of every finding whose span points into segment `segment`. */
export function rangesForSegment(text: string, segment: number, findings: readonly Finding[]): Range[] {
  const mine = findings
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => f.span && f.span.segment === segment);
  const offsets = mine.flatMap(({ f }) => [f.span!.start, f.span!.end]);
  const mapped = utf8ToUtf16(text, offsets);
  const out: Range[] = [];
  mine.forEach(({ i }, k) => {
    const s = mapped[2 * k];
    const e = mapped[2 * k + 1];
    if (s !== null && s !== undefined && e !== null && e !== undefined && s < e) {
      out.push({ start: s, end: e, finding: i });
    }
  });
  return out;
}
