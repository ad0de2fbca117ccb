// Intake: the queue of documents with their scan state, plus the ways to add more (drop,
// dialogs, and paths given on the command line).
import { h } from "../../components/dom";
import { t } from "../../lib/i18n/i18n";
import type { QueueEntry } from "../../lib/backend/types";

export interface IntakeModel {
  queue: readonly QueueEntry[];
  startupPaths: readonly string[];
  startupAdded: boolean;
  dragging: boolean;
  /** When each scanning row started, for the elapsed-time display. */
  scanningSince: ReadonlyMap<number, number>;
  reviewStates: ReadonlyMap<string, string>;
  now: number;
  /** The selected row (Delete removes it). */
  selected: number | null;
}

export interface IntakeActions {
  addPaths(paths: string[]): void;
  chooseFiles(): void;
  chooseFolder(): void;
  open(id: number): void;
  /** Removes a row: drops it if queued, kills its worker if scanning. */
  remove(id: number): void;
  select(id: number): void;
}

export function stateLabel(e: QueueEntry, since: number | undefined, now: number): string {
  switch (e.state.kind) {
    case "queued":
      return t("state.queued");
    case "scanning":
      return t("state.scanning", { s: since === undefined ? 0 : Math.max(0, Math.round((now - since) / 1000)) });
    case "scanned":
      return e.state.findings === 0 ? t("state.clean") : t("state.scanned", { n: e.state.findings });
    case "failed":
      return t("state.failed", { reason: e.state.reason });
  }
}

/** What the Delete key removes: the selected row, if it is still in the queue. */
export function rowToRemove(key: string, selected: number | null, queue: readonly QueueEntry[]): number | null {
  if (key !== "Delete" || selected === null) return null;
  return queue.some((q) => q.id === selected) ? selected : null;
}

export function renderIntake(m: IntakeModel, act: IntakeActions): HTMLElement {
  const files = h("button", { type: "button", "data-testid": "choose-files" }, t("intake.chooseFiles"));
  files.addEventListener("click", () => act.chooseFiles());
  const folder = h("button", { type: "button", "data-testid": "choose-folder" }, t("intake.chooseFolder"));
  folder.addEventListener("click", () => act.chooseFolder());
  const drop = h(
    "div",
    { class: `dropzone${m.dragging ? " dragging" : ""}`, "data-testid": "dropzone" },
    h("p", {}, m.dragging ? t("intake.dropNow") : t("intake.drop")),
    h("div", { class: "actions" }, files, folder),
  );
  const root = h("div", { class: "intake", "data-testid": "intake" }, h("h2", {}, t("intake.title")), drop);
  if (m.startupPaths.length > 0 && !m.startupAdded) {
    const add = h("button", { type: "button", class: "primary", "data-testid": "add-startup" }, t("intake.addThese"));
    add.addEventListener("click", () => act.addPaths([...m.startupPaths]));
    root.appendChild(
      h(
        "div",
        { class: "startup" },
        h("p", {}, t("intake.fromCommandLine", { n: m.startupPaths.length })),
        h("ul", {}, ...m.startupPaths.map((p) => h("li", { class: "mono" }, p))),
        add,
      ),
    );
  }
  if (m.queue.length === 0) {
    root.appendChild(h("p", { class: "muted" }, t("intake.empty")));
    return root;
  }
  const body = h("tbody");
  for (const e of m.queue) {
    const review = e.sha256 ? m.reviewStates.get(e.sha256) : undefined;
    const openBtn = h("button", { type: "button", "data-testid": "open-doc" }, t("intake.open"));
    openBtn.disabled = e.state.kind === "queued" || e.state.kind === "scanning";
    openBtn.addEventListener("click", () => act.open(e.id));
    const removeBtn = h(
      "button",
      { type: "button", class: "remove", "data-testid": "remove-doc", title: t("intake.remove"), "aria-label": t("intake.remove") },
      "✕",
    );
    removeBtn.addEventListener("click", (ev) => {
      ev.stopPropagation();
      act.remove(e.id);
    });
    const tr = h(
        "tr",
        {
          class: `row state-${e.state.kind}${m.selected === e.id ? " selected" : ""}`,
          "data-id": e.id,
          "data-testid": "queue-row",
          "data-state": e.state.kind,
          "aria-selected": m.selected === e.id ? "true" : "false",
          tabindex: "0",
        },
        h("td", { title: e.path }, e.name),
        h("td", {}, e.format ?? "—", e.pages ? ` · ${e.pages}p` : ""),
        h(
          "td",
          { class: "state" },
          e.state.kind === "scanning" ? h("span", { class: "spinner", "aria-hidden": "true" }) : null,
          stateLabel(e, m.scanningSince.get(e.id), m.now),
          review ? h("span", { class: `badge state-${review}` }, t(`state.${review}`)) : null,
        ),
        h("td", {}, openBtn, " ", removeBtn),
      );
    tr.addEventListener("click", () => act.select(e.id));
    body.appendChild(tr);
  }
  root.appendChild(
    h(
      "table",
      { class: "queue", "data-testid": "queue" },
      h("thead", {}, h("tr", {}, h("th", {}, t("intake.col.name")), h("th", {}, t("intake.col.format")), h("th", {}, t("intake.col.state")), h("th", {}))),
      body,
    ),
  );
  return root;
}
