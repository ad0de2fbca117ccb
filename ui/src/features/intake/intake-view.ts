// Intake: the queue of documents with their scan state, plus the ways to add more (drop,
// dialogs, and paths given on the command line).
import { h } from "../../components/dom";
import { language, t } from "../../lib/i18n/i18n";
import type { QueueEntry } from "../../lib/backend/types";
import { splitDuration, type BatchProgress } from "./batch-progress";

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
  /** The current batch, while documents wait or scan. */
  progress: BatchProgress | null;
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

/** A duration in the UI's language: "2 min 5 s", "1 h 3 min", "40 s". */
export function durationText(ms: number): string {
  const d = splitDuration(ms);
  if (d.h > 0) return t("duration.hm", { h: d.h, min: d.min });
  if (d.min > 0) return t("duration.ms", { min: d.min, s: d.s });
  return t("duration.s", { s: d.s });
}

/** The strip's sentences: count, current file, time left. */
export function progressTexts(p: BatchProgress): { count: string; current: string | null; eta: string } {
  return {
    count: t("intake.progress", { done: p.done, total: p.total }),
    current:
      p.current === null
        ? null
        : p.alsoScanning > 0
          ? t("intake.progressCurrentMore", { name: p.current, n: p.alsoScanning })
          : t("intake.progressCurrent", { name: p.current }),
    eta: p.etaMs === null ? t("intake.progressEstimating") : t("intake.progressEta", { time: durationText(p.etaMs) }),
  };
}

function renderProgress(p: BatchProgress): HTMLElement {
  const text = progressTexts(p);
  const fill = h("div", { class: "fill" });
  // CSSOM, not a style attribute: the CSP allows no inline styles.
  fill.style.width = `${p.total === 0 ? 0 : Math.round((p.done / p.total) * 100)}%`;
  const bar = h(
    "div",
    {
      class: "bar",
      role: "progressbar",
      "aria-label": t("intake.progressLabel"),
      "aria-valuemin": 0,
      "aria-valuemax": p.total,
      "aria-valuenow": p.done,
      "aria-valuetext": [text.count, text.current, text.eta].filter((x) => x !== null).join(", "),
      "data-testid": "progress-bar",
    },
    fill,
  );
  return h(
    "div",
    { class: "batch-progress", "data-testid": "batch-progress" },
    bar,
    h(
      "p",
      { class: "small" },
      h("span", { "data-testid": "progress-count" }, text.count),
      text.current === null ? null : [" · ", h("span", { class: "mono", "data-testid": "progress-current" }, text.current)],
      " · ",
      h("span", { "data-testid": "progress-eta" }, text.eta),
    ),
  );
}

function renderHead(m: IntakeModel, act: IntakeActions): HTMLElement[] {
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
  const out: HTMLElement[] = [h("h2", {}, t("intake.title")), drop];
  if (m.startupPaths.length > 0 && !m.startupAdded) {
    const add = h("button", { type: "button", class: "primary", "data-testid": "add-startup" }, t("intake.addThese"));
    add.addEventListener("click", () => act.addPaths([...m.startupPaths]));
    out.push(
      h(
        "div",
        { class: "startup" },
        h("p", {}, t("intake.fromCommandLine", { n: m.startupPaths.length })),
        h("ul", {}, ...m.startupPaths.map((p) => h("li", { class: "mono" }, p))),
        add,
      ),
    );
  }
  if (m.progress) out.push(renderProgress(m.progress));
  return out;
}

/** Everything a queue row shows: a row is rebuilt only when this changes. */
function rowKey(e: QueueEntry, m: IntakeModel): string {
  const review = e.sha256 ? (m.reviewStates.get(e.sha256) ?? "") : "";
  return [language(), e.name, e.path, e.format ?? "", e.pages ?? "", stateLabel(e, m.scanningSince.get(e.id), m.now), review, m.selected === e.id].join("\u0000");
}

function renderRow(e: QueueEntry, m: IntakeModel, act: IntakeActions): HTMLElement {
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
  return tr;
}

/**
 * The intake view, kept between renders: the head (drop zone, command-line paths, progress
 * strip) is redrawn, but the queue table stays in the document and only rows whose content
 * changed are replaced. A folder of a thousand documents changes a row or two per event;
 * rebuilding the whole table each time kept the webview busy for the whole batch.
 */
export class IntakeView {
  readonly el = h("div", { class: "intake", "data-testid": "intake" });
  #head = h("div");
  #empty = h("p", { class: "muted" });
  #body = h("tbody");
  #headRow = h("tr");
  #table = h("table", { class: "queue", "data-testid": "queue" }, h("thead", {}, this.#headRow), this.#body);
  #rows = new Map<number, { key: string; tr: HTMLElement }>();

  constructor() {
    this.el.append(this.#head);
  }

  update(m: IntakeModel, act: IntakeActions): void {
    this.#head.replaceChildren(...renderHead(m, act));
    this.#headRow.replaceChildren(h("th", {}, t("intake.col.name")), h("th", {}, t("intake.col.format")), h("th", {}, t("intake.col.state")), h("th", {}));
    if (m.queue.length === 0) {
      this.#rows.clear();
      this.#body.replaceChildren();
      this.#empty.textContent = t("intake.empty");
      if (this.#table.parentNode) this.#table.remove();
      if (!this.#empty.parentNode) this.el.appendChild(this.#empty);
      return;
    }
    if (this.#empty.parentNode) this.#empty.remove();
    if (!this.#table.parentNode) this.el.appendChild(this.#table);
    const seen = new Set<number>();
    let at: ChildNode | null = this.#body.firstChild;
    for (const e of m.queue) {
      seen.add(e.id);
      const key = rowKey(e, m);
      let row = this.#rows.get(e.id);
      if (!row || row.key !== key) {
        if (row) {
          // `at` must stay a child of the body: step past the row being replaced.
          if (at === row.tr) at = row.tr.nextSibling;
          row.tr.remove();
        }
        row = { key, tr: renderRow(e, m, act) };
        this.#rows.set(e.id, row);
      }
      if (row.tr !== at) this.#body.insertBefore(row.tr, at);
      at = row.tr.nextSibling;
    }
    for (const [id, row] of this.#rows) {
      if (!seen.has(id)) {
        row.tr.remove();
        this.#rows.delete(id);
      }
    }
  }
}
