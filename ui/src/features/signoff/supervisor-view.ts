// The supervisor's queue of submitted reviews, with approve (password asked again) and return
// (reason required). Opening a review shows the document read-only with the decisions.
import { h } from "../../components/dom";
import { t } from "../../lib/i18n/i18n";
import type { ReviewSummary } from "../../lib/backend/types";

export interface SupervisorActions {
  open(r: ReviewSummary): void;
  approve(r: ReviewSummary, password: string): void;
  giveBack(r: ReviewSummary, reason: string): void;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function renderSupervisor(list: readonly ReviewSummary[], act: SupervisorActions): HTMLElement {
  const root = h("div", { class: "supervisor", "data-testid": "supervisor" }, h("h2", {}, t("supervisor.title")));
  if (list.length === 0) {
    root.appendChild(h("p", { class: "muted" }, t("supervisor.empty")));
    return root;
  }
  for (const r of list) {
    const open = h("button", { type: "button", "data-testid": "open-review" }, t("supervisor.open"));
    open.addEventListener("click", () => act.open(r));
    const pass = h("input", { type: "password", placeholder: t("supervisor.password"), "data-testid": "approve-password", autocomplete: "current-password" });
    const approve = h("button", { type: "button", class: "primary", "data-testid": "approve" }, t("supervisor.approve"));
    approve.addEventListener("click", () => act.approve(r, pass.value));
    pass.addEventListener("keydown", (e) => {
      if (e.key === "Enter") act.approve(r, pass.value);
    });
    const reason = h("input", { type: "text", placeholder: t("supervisor.returnReason"), "data-testid": "return-reason" });
    const giveBack = h("button", { type: "button", "data-testid": "return" }, t("supervisor.return"));
    giveBack.addEventListener("click", () => act.giveBack(r, reason.value));
    root.appendChild(
      h(
        "article",
        { class: "review-card", "data-review": r.id, "data-testid": "review-card", "data-name": baseName(r.path) },
        h("h3", { title: r.path }, baseName(r.path)),
        h(
          "dl",
          {},
          h("dt", {}, t("supervisor.col.reviewer")),
          h("dd", {}, r.reviewer),
          h("dt", {}, t("supervisor.col.recommendation")),
          h("dd", {}, r.recommendation ? t(`recommendation.${r.recommendation}`) : "—"),
          h("dt", {}, t("supervisor.col.submitted")),
          h("dd", {}, r.updatedAt),
        ),
        h("div", { class: "actions" }, open),
        h("div", { class: "actions" }, pass, approve),
        h("div", { class: "actions" }, reason, giveBack),
      ),
    );
  }
  return root;
}
