// The review view: the document (PDF pages, text parts, or image) beside the findings panel.
// Reviewers decide findings here (keyboard-first); supervisors see the same view read-only.
import { clear, h } from "../../components/dom";
import { t } from "../../lib/i18n/i18n";
import * as ipc from "../../lib/backend/ipc";
import type { AppError } from "../../lib/backend/errors";
import type { DocumentView, RecommendationName, ReviewInfo } from "../../lib/backend/types";
import { renderPanel } from "./findings-panel";
import { renderImageDetails, renderPicture, selectInPicture } from "./image-view";
import { PdfView } from "./pdf-view";
import {
  allDecided,
  checkDecision,
  nextUndecided,
  step,
  suggestRecommendation,
  walkOrder,
  type Decision,
  type DecisionRecord,
} from "./review-state";
import { renderSegments, selectInText } from "./text-view";

export interface ReviewOptions {
  docId: number;
  /** A supervisor's read-only look at a submitted review. */
  readOnlyReview: ReviewInfo | null;
  /** Whether the signed-in user may record decisions. */
  canDecide: boolean;
  watchlistLoaded: boolean;
  notify(kind: "error" | "info", text: string): void;
  /** Called after a submission, so the shell can refresh. */
  onSubmitted(review: ReviewInfo): void;
}

const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];

export class ReviewView {
  readonly el: HTMLElement;
  #o: ReviewOptions;
  #doc: DocumentView | null = null;
  #review: ReviewInfo | null = null;
  #decisions = new Map<number, DecisionRecord>();
  #order: number[] = [];
  #current: number | null = null;
  #editing: Decision | null = null;
  #error: string | null = null;
  #pdf: PdfView | null = null;
  #textRoot: HTMLElement | null = null;
  #imageUrl: string | null = null;
  #main: HTMLElement;
  #panel: HTMLElement;
  #toolbar: HTMLElement;
  #footer: HTMLElement;
  #keys = (e: KeyboardEvent) => this.#onKey(e);
  #disposed = false;

  constructor(o: ReviewOptions) {
    this.#o = o;
    this.#toolbar = h("div", { class: "doc-toolbar" });
    this.#main = h("div", { class: "doc-main", "data-testid": "doc-main" }, h("p", { class: "muted" }, t("review.loading", { name: "" })));
    this.#panel = h("aside", { class: "panel" });
    this.#footer = h("div", { class: "panel-footer" });
    this.el = h(
      "div",
      { class: "review", "data-testid": "review" },
      this.#toolbar,
      h("div", { class: "review-body" }, this.#main, h("div", { class: "panel-wrap" }, this.#panel, this.#footer)),
    );
    document.addEventListener("keydown", this.#keys);
  }

  /** Loads the document, its bytes and (for reviewers) the review; then draws everything. */
  async load(): Promise<void> {
    const doc = await ipc.getDocument(this.#o.docId);
    if (this.#disposed) return;
    // A supervisor sees the findings exactly as the reviewer decided them.
    const ro = this.#o.readOnlyReview;
    this.#doc = ro ? { ...doc, report: { ...doc.report, findings: ro.findings } } : doc;
    this.#order = walkOrder(this.#doc.report.findings);
    if (ro) {
      this.#setReview(ro);
    } else if (this.#o.canDecide && doc.report.errors.length === 0) {
      try {
        this.#setReview(await ipc.openReview(this.#o.docId));
      } catch (e) {
        this.#o.notify("error", (e as AppError).message);
      }
    }
    this.#drawToolbar();
    this.#drawPanel();
    await this.#drawDocument();
  }

  #setReview(r: ReviewInfo): void {
    this.#review = r;
    this.#decisions = new Map(r.dispositions.map((d) => [d.finding, { decision: d.decision, reason: d.reason }]));
  }

  get #readOnly(): boolean {
    return this.#o.readOnlyReview !== null || !this.#review || this.#review.state === "submitted" || this.#review.state === "approved";
  }

  async #drawDocument(): Promise<void> {
    const doc = this.#doc;
    if (!doc) return;
    const r = doc.report;
    clear(this.#main);
    if (r.errors.length > 0) {
      this.#main.appendChild(h("div", { class: "error-box" }, h("h3", {}, t("review.errors")), ...r.errors.map((e) => h("p", {}, e))));
      return;
    }
    if (r.warnings.length > 0) {
      this.#main.appendChild(
        h("details", { class: "warnings" }, h("summary", {}, `${t("review.warnings")} (${r.warnings.length})`), ...r.warnings.map((w) => h("p", {}, w))),
      );
    }
    const content = r.content;
    const pick = (i: number) => this.#pick(i);
    if (r.format === "pdf") {
      const bytes = await ipc.readDocumentBytes(doc.entry.id);
      if (this.#disposed) return;
      const fit = this.#fitScale();
      this.#pdf = await PdfView.open(bytes, r.findings, fit, pick);
      if (this.#disposed) {
        this.#pdf.destroy();
        return;
      }
      this.#main.appendChild(this.#pdf.el);
      if (content && content.segments.some((s) => s.source !== "body")) {
        this.#main.appendChild(h("h2", { class: "other-content" }, t("review.otherContent")));
        this.#textRoot = renderSegments(content, r.findings, pick, (s) => s.source !== "body");
        this.#main.appendChild(this.#textRoot);
      }
      this.#drawToolbar();
    } else if (r.format === "image") {
      const bytes = await ipc.readDocumentBytes(doc.entry.id);
      if (this.#disposed) return;
      this.#imageUrl = URL.createObjectURL(new Blob([bytes as BlobPart]));
      this.#main.appendChild(renderPicture(this.#imageUrl, doc.entry.name, r.findings, pick));
      this.#main.appendChild(renderImageDetails(r, this.#o.watchlistLoaded, pick));
      if (content && content.segments.length > 0) {
        this.#textRoot = renderSegments(content, r.findings, pick);
        this.#main.appendChild(this.#textRoot);
      }
    } else if (content) {
      this.#textRoot = renderSegments(content, r.findings, pick);
      this.#main.appendChild(this.#textRoot);
    }
    this.#main.dataset["ready"] = "true";
  }

  /** The zoom at which the first page fills the document pane's width. */
  #fitScale(): number {
    const box = this.#doc?.report.content?.page_info?.[0]?.media_box;
    const pageWidth = box ? box[2] - box[0] : 612;
    const available = (this.#main.clientWidth || 900) - 90; // padding, scrollbar, page number
    return Math.min(2, Math.max(0.5, available / Math.max(1, pageWidth)));
  }

  #drawToolbar(): void {
    const doc = this.#doc;
    clear(this.#toolbar);
    if (!doc) return;
    this.#toolbar.appendChild(h("h2", { class: "doc-name" }, doc.entry.name));
    if (this.#pdf) {
      const zoom = (dir: 1 | -1 | 0) => {
        if (!this.#pdf) return;
        const s = this.#pdf.scale;
        const next =
          dir === 0
            ? this.#fitScale()
            : dir === 1
              ? (ZOOMS.find((z) => z > s + 0.01) ?? s)
              : ([...ZOOMS].reverse().find((z) => z < s - 0.01) ?? s);
        this.#pdf.setScale(next);
        this.#drawToolbar();
      };
      const btn = (label: string, title: string, dir: 1 | -1 | 0, id: string) => {
        const b = h("button", { type: "button", title, "aria-label": title, "data-testid": id }, label);
        b.addEventListener("click", () => zoom(dir));
        return b;
      };
      this.#toolbar.appendChild(
        h(
          "div",
          { class: "zoom" },
          btn("−", t("review.zoomOut"), -1, "zoom-out"),
          h("span", { class: "zoom-level", "data-testid": "zoom-level" }, `${Math.round(this.#pdf.scale * 100)}%`),
          btn("+", t("review.zoomIn"), 1, "zoom-in"),
          btn("↔", t("review.zoomFit"), 0, "zoom-fit"),
        ),
      );
    }
    if (this.#o.readOnlyReview) {
      this.#toolbar.appendChild(h("span", { class: "badge" }, t("review.readOnly", { user: this.#o.readOnlyReview.reviewer })));
    } else if (this.#review) {
      this.#toolbar.appendChild(h("span", { class: `badge state-${this.#review.state}` }, t(`state.${this.#review.state}`)));
      if (this.#review.state === "returned" && this.#review.returnReason) {
        this.#toolbar.appendChild(
          h("span", { class: "returned-reason", "data-testid": "returned-reason" }, t("review.returnedBecause", { reason: this.#review.returnReason })),
        );
      }
    }
    this.#toolbar.appendChild(h("span", { class: "muted keys" }, t("review.keys")));
  }

  #drawPanel(): void {
    const doc = this.#doc;
    if (!doc) return;
    const findings = doc.report.findings;
    const panel = renderPanel(
      {
        findings,
        decisions: this.#decisions,
        current: this.#current,
        editing: this.#editing,
        readOnly: this.#readOnly,
        error: this.#error,
      },
      {
        pick: (i) => this.#pick(i),
        begin: (i, d) => this.#begin(i, d),
        confirm: (reason) => void this.#confirm(reason),
        cancel: () => {
          this.#editing = null;
          this.#error = null;
          this.#drawPanel();
        },
      },
    );
    const scroll = this.#panel.scrollTop;
    clear(this.#panel);
    this.#panel.append(h("h2", {}, t("review.findings", { n: findings.length })), panel);
    this.#panel.scrollTop = scroll;
    this.#panel.querySelector(".finding.current")?.scrollIntoView({ block: "nearest" });
    this.#drawFooter();
  }

  #drawFooter(): void {
    clear(this.#footer);
    const doc = this.#doc;
    if (!doc) return;
    const total = doc.report.findings.length;
    const n = [...this.#decisions.keys()].filter((i) => i < total).length;
    this.#footer.appendChild(h("div", { class: "progress", "data-testid": "decided" }, t("review.decided", { n, total })));
    if (this.#o.readOnlyReview || !this.#review) {
      if (!this.#o.canDecide && !this.#o.readOnlyReview) this.#footer.appendChild(h("p", { class: "muted" }, t("review.signInToDecide")));
      return;
    }
    if (this.#readOnly) return;
    const rec = h("select", { "data-testid": "recommendation", "aria-label": t("review.submit") });
    const suggested = suggestRecommendation(this.#decisions);
    for (const r of ["release", "release-with-redactions", "withhold"] as const) {
      const opt = h("option", { value: r }, t(`recommendation.${r}`));
      if (r === suggested) opt.selected = true;
      rec.appendChild(opt);
    }
    const submit = h("button", { type: "button", class: "primary", "data-testid": "submit-review" }, t("review.submit"));
    submit.disabled = !allDecided(total, this.#decisions);
    submit.addEventListener("click", () => void this.#submit(rec.value as RecommendationName));
    this.#footer.append(rec, submit);
  }

  #pick(i: number): void {
    if (this.#current !== i) {
      this.#editing = null;
      this.#error = null;
    }
    this.#current = i;
    this.#drawPanel();
    this.#pdf?.select(i);
    if (this.#imageUrl) selectInPicture(this.#main, i);
    if (this.#textRoot) selectInText(this.#textRoot, i);
  }

  #begin(i: number, d: Decision): void {
    if (this.#readOnly) return;
    this.#current = i;
    this.#error = null;
    if (d === "redact") {
      // Redacting needs no justification: record at once, keep typing flow for the others.
      void this.#record(i, d, "");
      return;
    }
    this.#editing = d;
    this.#drawPanel();
  }

  async #confirm(reason: string): Promise<void> {
    const i = this.#current;
    const d = this.#editing;
    if (i === null || d === null) return;
    const problem = checkDecision(d, reason);
    if (problem) {
      this.#error = t(problem);
      this.#drawPanel();
      return;
    }
    await this.#record(i, d, reason.trim());
  }

  async #record(i: number, d: Decision, reason: string): Promise<void> {
    const review = this.#review;
    if (!review) return;
    try {
      this.#setReview(await ipc.decideFinding(review.id, i, d, reason));
      this.#editing = null;
      this.#error = null;
      const next = nextUndecided(this.#order, i, this.#decisions);
      this.#pick(next ?? i);
    } catch (e) {
      this.#error = (e as AppError).message;
      this.#drawPanel();
    }
  }

  async #submit(rec: RecommendationName): Promise<void> {
    const review = this.#review;
    if (!review) return;
    try {
      this.#setReview(await ipc.submitReview(review.id, rec));
      this.#o.notify("info", t("review.submitted"));
      this.#drawToolbar();
      this.#drawPanel();
      this.#o.onSubmitted(this.#review!);
    } catch (e) {
      this.#o.notify("error", (e as AppError).message);
    }
  }

  #onKey(e: KeyboardEvent): void {
    if (!this.el.isConnected || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement | null;
    if (target && target.closest("input, textarea, select")) return;
    const key = e.key.toLowerCase();
    if (key === "j" || key === "k") {
      const next = step(this.#order, this.#current, key === "j" ? 1 : -1);
      if (next !== null) this.#pick(next);
    } else if ((key === "r" || key === "a" || key === "f") && this.#current !== null) {
      this.#begin(this.#current, key === "r" ? "redact" : key === "a" ? "release" : "false-positive");
    } else if ((key === "+" || key === "=") && this.#pdf) {
      this.#pdf.setScale(this.#pdf.scale * 1.25);
      this.#drawToolbar();
    } else if (key === "-" && this.#pdf) {
      this.#pdf.setScale(this.#pdf.scale / 1.25);
      this.#drawToolbar();
    } else {
      return;
    }
    e.preventDefault();
  }

  dispose(): void {
    this.#disposed = true;
    document.removeEventListener("keydown", this.#keys);
    this.#pdf?.destroy();
    if (this.#imageUrl) URL.revokeObjectURL(this.#imageUrl);
  }
}
