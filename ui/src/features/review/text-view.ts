// DOCX and text documents (and the non-page content of PDFs) shown as their parts — body,
// headers, footnotes, comments, tracked changes, hidden text — with findings marked inline.
import { h } from "../../components/dom";
import { t } from "../../lib/i18n/i18n";
import type { ExtractedDocument, Finding, Segment } from "../../lib/backend/types";
import { rangesForSegment, splitRuns } from "./runs";

function partTitle(seg: Segment): string {
  const parts = [t(`source.${seg.source}`)];
  if (seg.part) parts.push(seg.part);
  if (seg.page !== null) parts.push(t("review.pageN", { n: seg.page }));
  return parts.join(" · ");
}

/** Renders the segments accepted by `keep`, grouped by consecutive part. */
export function renderSegments(
  content: ExtractedDocument,
  findings: readonly Finding[],
  onPick: (i: number) => void,
  keep: (seg: Segment) => boolean = () => true,
): HTMLElement {
  const root = h("div", { class: "doc-text", "data-testid": "doc-text" });
  let section: HTMLElement | null = null;
  let lastTitle = "";
  content.segments.forEach((seg, si) => {
    if (!keep(seg)) return;
    const title = partTitle(seg);
    if (!section || title !== lastTitle) {
      section = h("section", { class: `part part-${seg.source}` }, h("h3", { class: "part-title" }, title));
      root.appendChild(section);
      lastTitle = title;
    }
    const p = h("p", { class: "seg" });
    if (seg.label) p.appendChild(h("span", { class: "seg-label" }, seg.label));
    for (const run of splitRuns(seg.text, rangesForSegment(seg.text, si, findings))) {
      if (run.findings.length === 0) {
        p.appendChild(document.createTextNode(run.text));
        continue;
      }
      const first = run.findings[0]!;
      const sev = run.findings.map((i) => findings[i]?.severity ?? "low");
      const top = sev.includes("high") ? "high" : sev.includes("medium") ? "medium" : "low";
      const mark = h(
        "mark",
        {
          class: `hl-inline sev-${top}`,
          "data-finding": first,
          "data-findings": run.findings.join(" "),
          "data-testid": "highlight",
          title: run.findings.map((i) => findings[i]?.explanation ?? "").join("\n"),
        },
        run.text,
      );
      mark.addEventListener("click", () => onPick(first));
      p.appendChild(mark);
    }
    section.appendChild(p);
  });
  if (!root.firstChild) root.appendChild(h("p", { class: "muted" }, t("review.noText")));
  return root;
}

/** Marks finding `i` as current in a rendered text view and scrolls to it. */
export function selectInText(root: HTMLElement, i: number | null): boolean {
  for (const el of root.querySelectorAll(".hl-inline.current")) el.classList.remove("current");
  if (i === null) return false;
  const marks = [...root.querySelectorAll<HTMLElement>(".hl-inline")].filter((m) =>
    (m.dataset["findings"] ?? "").split(" ").includes(String(i)),
  );
  for (const m of marks) m.classList.add("current");
  marks[0]?.scrollIntoView({ block: "center" });
  return marks.length > 0;
}
