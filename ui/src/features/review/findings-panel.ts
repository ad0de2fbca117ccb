// The findings panel: grouped by category then severity, each with its explanation and the
// decision recorded for it. The current finding carries the inline reason editor.
import { h } from "../../components/dom";
import { t } from "../../lib/i18n/i18n";
import type { Finding } from "../../lib/backend/types";
import { groupFindings, type Decision, type DecisionRecord } from "./review-state";

export interface PanelModel {
  findings: readonly Finding[];
  decisions: ReadonlyMap<number, DecisionRecord>;
  current: number | null;
  /** The decision whose reason is being typed for the current finding. */
  editing: Decision | null;
  readOnly: boolean;
  error: string | null;
}

export interface PanelActions {
  pick(i: number): void;
  begin(i: number, d: Decision): void;
  confirm(reason: string): void;
  cancel(): void;
}

/** Where a finding sits, on one line: page, kind of text, part and OCR confidence. */
export function locationOf(f: Finding): string {
  const bits: string[] = [];
  if (f.page !== null) bits.push(t("review.pageN", { n: f.page }));
  bits.push(t(`source.${f.source}`));
  if (f.part) bits.push(f.part);
  if (f.confidence !== undefined) bits.push(t("review.ocrConfidence", { n: f.confidence }));
  return bits.join(" · ");
}

export function renderPanel(m: PanelModel, act: PanelActions): HTMLElement {
  const root = h("div", { class: "findings", "data-testid": "findings" });
  if (m.findings.length === 0) {
    root.appendChild(h("p", { class: "muted" }, t("review.noFindings")));
    return root;
  }
  for (const g of groupFindings(m.findings)) {
    const group = h(
      "section",
      { class: "cat-group", "data-category": g.category },
      h("h3", {}, `${t(`category.${g.category}`)} `, h("span", { class: "count" }, String(g.count))),
    );
    for (const s of g.severities) {
      group.appendChild(h("h4", { class: `sev-title sev-${s.severity}` }, t(`severity.${s.severity}`)));
      for (const i of s.findings) group.appendChild(item(m, act, i));
    }
    root.appendChild(group);
  }
  return root;
}

function item(m: PanelModel, act: PanelActions, i: number): HTMLElement {
  const f = m.findings[i]!;
  const d = m.decisions.get(i);
  const current = m.current === i;
  const li = h(
    "article",
    {
      class: `finding sev-${f.severity}${current ? " current" : ""}${d ? " decided" : ""}`,
      "data-finding": i,
      "data-testid": "finding",
      tabindex: -1,
    },
    h("div", { class: "finding-text" }, f.text),
    h("div", { class: "finding-where muted" }, locationOf(f)),
    h("div", { class: "finding-why" }, f.explanation),
    d
      ? h(
          "div",
          { class: `decision decision-${d.decision}`, "data-testid": "decision" },
          t(`decision.${d.decision}`),
          d.reason ? h("span", { class: "muted" }, ` — ${d.reason}`) : null,
        )
      : null,
  );
  li.addEventListener("click", (e) => {
    if ((e.target as HTMLElement).closest("input,button")) return;
    act.pick(i);
  });
  if (current && !m.readOnly) {
    if (m.editing) {
      const input = h("input", {
        class: "reason",
        type: "text",
        "data-testid": "reason",
        placeholder: t("review.reasonFor", { decision: t(`decision.${m.editing}`) }),
        "aria-label": t("review.reason"),
      });
      input.addEventListener("keydown", (e) => {
        e.stopPropagation();
        if (e.key === "Enter") act.confirm(input.value);
        else if (e.key === "Escape") act.cancel();
      });
      li.appendChild(h("div", { class: "reason-row" }, input));
      if (m.error) li.appendChild(h("div", { class: "error" }, m.error));
      queueMicrotask(() => input.focus());
    } else {
      const buttons = h("div", { class: "decide" });
      for (const [dec, key] of [["redact", "r"], ["release", "a"], ["false-positive", "f"]] as const) {
        const b = h("button", { type: "button", class: `btn-${dec}`, "data-decision": dec }, `${t(`decision.${dec}`)} (${key})`);
        b.addEventListener("click", () => act.begin(i, dec));
        buttons.appendChild(b);
      }
      li.appendChild(buttons);
    }
  }
  return li;
}
