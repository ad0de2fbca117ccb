// The PDF pages of a document, rendered by pdf.js (bundled, with its worker), each finding
// drawn as a box over the page where the engine located it. Every page is a placeholder box
// sized from its page size (so scrolling and scroll-to-finding work at once); only pages near
// the viewport get a canvas, and canvases far away are dropped (page-window.ts).
import * as pdfjs from "pdfjs-dist";
import type { PDFDocumentProxy, PDFPageProxy, PageViewport, RenderTask } from "pdfjs-dist";
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";

import { h } from "../../components/dom";
import type { Finding } from "../../lib/backend/types";
import { findingRects, isPlaceable, pdfRectToCss, type Matrix } from "./highlight";
import { pagesToDrop, pagesToRender } from "./page-window";

/** Pages rendered either side of each visible page. */
const RENDER_MARGIN = 1;
/** Rendered pages further than this from every visible page lose their canvas. */
const KEEP_MARGIN = 6;

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;

const ASSETS = new URL("pdfjs/", document.baseURI).href;

interface Slot {
  num: number;
  page: PDFPageProxy;
  wrap: HTMLDivElement;
  canvas: HTMLCanvasElement;
  overlay: HTMLDivElement;
  renderedScale: number;
  task: RenderTask | null;
}

export class PdfView {
  readonly el: HTMLDivElement;
  #doc: PDFDocumentProxy;
  #slots: Slot[] = [];
  #scale: number;
  #findings: readonly Finding[];
  #onPick: (i: number) => void;
  #observer: IntersectionObserver;
  #visible = new Set<number>();

  private constructor(doc: PDFDocumentProxy, findings: readonly Finding[], scale: number, onPick: (i: number) => void) {
    this.#doc = doc;
    this.#findings = findings;
    this.#scale = scale;
    this.#onPick = onPick;
    this.el = h("div", { class: "pdf-pages", "data-testid": "pdf-pages" });
    this.#observer = new IntersectionObserver((entries) => this.#onIntersect(entries), {
      rootMargin: "600px 0px",
    });
  }

  /** Opens the PDF and lays out every page with its highlights; canvases render lazily. */
  static async open(
    bytes: Uint8Array,
    findings: readonly Finding[],
    scale: number,
    onPick: (i: number) => void,
  ): Promise<PdfView> {
    const doc = await pdfjs.getDocument({
      data: bytes,
      cMapUrl: `${ASSETS}cmaps/`,
      cMapPacked: true,
      standardFontDataUrl: `${ASSETS}standard_fonts/`,
      iccUrl: `${ASSETS}iccs/`,
      wasmUrl: `${ASSETS}wasm/`,
      // Strict CSP: no eval, no WebAssembly compilation, nothing fetched from elsewhere.
      isEvalSupported: false,
      useWasm: false,
      enableXfa: false,
      useSystemFonts: false,
    }).promise;
    const view = new PdfView(doc, findings, scale, onPick);
    const pages = await Promise.all(
      Array.from({ length: doc.numPages }, (_, i) => doc.getPage(i + 1)),
    );
    for (const page of pages) view.#addPage(page);
    return view;
  }

  get scale(): number {
    return this.#scale;
  }

  #viewport(slot: Slot): PageViewport {
    return slot.page.getViewport({ scale: this.#scale });
  }

  #addPage(page: PDFPageProxy): void {
    const canvas = h("canvas", { class: "pdf-canvas" });
    const overlay = h("div", { class: "pdf-overlay" });
    const wrap = h(
      "div",
      { class: "pdf-page", "data-page": page.pageNumber },
      canvas,
      overlay,
      h("div", { class: "pdf-page-number" }, String(page.pageNumber)),
    );
    const slot: Slot = { num: page.pageNumber, page, wrap, canvas, overlay, renderedScale: 0, task: null };
    this.#slots.push(slot);
    this.el.appendChild(wrap);
    this.#layout(slot);
    this.#observer.observe(wrap);
  }

  /** Sizes the page box and places its highlights for the current scale. */
  #layout(slot: Slot): void {
    const vp = this.#viewport(slot);
    slot.wrap.style.width = `${vp.width}px`;
    slot.wrap.style.height = `${vp.height}px`;
    slot.overlay.replaceChildren();
    const m = vp.transform as unknown as Matrix;
    this.#findings.forEach((f, i) => {
      if (!isPlaceable(f) || f.page !== slot.num) return;
      for (const r of findingRects(f)) {
        const box = pdfRectToCss(r, m, 1.5);
        const el = h("div", {
          class: `hl sev-${f.severity}`,
          "data-finding": i,
          "data-testid": "highlight",
          title: f.explanation,
        });
        el.style.left = `${box.left}px`;
        el.style.top = `${box.top}px`;
        el.style.width = `${box.width}px`;
        el.style.height = `${box.height}px`;
        el.addEventListener("click", () => this.#onPick(i));
        slot.overlay.appendChild(el);
      }
    });
  }

  #onIntersect(entries: IntersectionObserverEntry[]): void {
    for (const e of entries) {
      const num = Number((e.target as HTMLElement).dataset["page"]);
      if (e.isIntersecting) this.#visible.add(num);
      else this.#visible.delete(num);
    }
    this.#refresh();
  }

  /** Renders the pages near the viewport and drops canvases far from it. */
  #refresh(): void {
    for (const num of pagesToRender(this.#visible, this.#slots.length, RENDER_MARGIN)) {
      const slot = this.#slots[num - 1];
      if (slot && slot.renderedScale !== this.#scale) void this.#render(slot);
    }
    const rendered = this.#slots.filter((s) => s.renderedScale !== 0 || s.task !== null).map((s) => s.num);
    for (const num of pagesToDrop(rendered, this.#visible, KEEP_MARGIN)) {
      const slot = this.#slots[num - 1];
      if (slot) this.#release(slot);
    }
  }

  /** Frees a page's bitmap; its box, highlights and size stay. */
  #release(slot: Slot): void {
    slot.task?.cancel();
    slot.task = null;
    slot.renderedScale = 0;
    slot.canvas.width = 0;
    slot.canvas.height = 0;
    delete slot.wrap.dataset["rendered"];
    slot.page.cleanup();
  }

  async #render(slot: Slot): Promise<void> {
    slot.task?.cancel();
    const scale = this.#scale;
    const vp = this.#viewport(slot);
    const ratio = window.devicePixelRatio || 1;
    slot.canvas.width = Math.floor(vp.width * ratio);
    slot.canvas.height = Math.floor(vp.height * ratio);
    slot.canvas.style.width = `${vp.width}px`;
    slot.canvas.style.height = `${vp.height}px`;
    const task = slot.page.render({
      canvas: slot.canvas,
      viewport: vp,
      ...(ratio !== 1 ? { transform: [ratio, 0, 0, ratio, 0, 0] } : {}),
    });
    slot.task = task;
    slot.renderedScale = scale;
    try {
      await task.promise;
      slot.wrap.dataset["rendered"] = String(scale);
    } catch (e) {
      if ((e as { name?: string }).name !== "RenderingCancelledException") {
        slot.wrap.classList.add("render-failed");
      }
      if (slot.renderedScale === scale) slot.renderedScale = 0;
    } finally {
      if (slot.task === task) slot.task = null;
    }
  }

  /** Zooms to `scale`, keeping the current page in view. */
  setScale(scale: number): void {
    const clamped = Math.min(4, Math.max(0.25, scale));
    if (clamped === this.#scale) return;
    const scroller = this.el.parentElement;
    const ratio = scroller ? scroller.scrollTop / Math.max(1, scroller.scrollHeight) : 0;
    this.#scale = clamped;
    for (const slot of this.#slots) this.#layout(slot);
    if (scroller) scroller.scrollTop = ratio * scroller.scrollHeight;
    this.#refresh();
  }

  /** Marks finding `i` as current and scrolls its first box (or its page) into view. */
  select(i: number | null): void {
    for (const el of this.el.querySelectorAll(".hl.current")) el.classList.remove("current");
    if (i === null) return;
    const boxes = this.el.querySelectorAll<HTMLElement>(`.hl[data-finding="${i}"]`);
    for (const b of boxes) b.classList.add("current");
    const first = boxes[0];
    if (first) {
      first.scrollIntoView({ block: "center", inline: "nearest" });
      return;
    }
    const page = this.#findings[i]?.page;
    if (page) this.#slots.find((s) => s.num === page)?.wrap.scrollIntoView({ block: "start" });
  }

  destroy(): void {
    this.#observer.disconnect();
    for (const s of this.#slots) s.task?.cancel();
    void this.#doc.destroy();
  }
}
