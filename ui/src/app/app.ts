// The shell: header with navigation, language and session; one view at a time below it; a
// status line for notices. Wires backend events (queue changes, drops) into the store.
import { clear, h } from "../components/dom";
import * as ipc from "../lib/backend/ipc";
import { toAppError } from "../lib/backend/errors";
import type { AccountInfo, LedgerEvent, QueueEntry, ReviewInfo, ReviewSummary, SettingsInput, VerifyResult } from "../lib/backend/types";
import { language, onLanguageChange, setLanguage, t } from "../lib/i18n/i18n";
import { LANGS, type Lang } from "../lib/i18n/strings";
import { IntakeView, rowToRemove } from "../features/intake/intake-view";
import { batchProgress, emptyBatch, syncBatch, type Batch } from "../features/intake/batch-progress";
import { renderAccounts } from "../features/accounts/accounts-view";
import { MIN_PASSWORD_CHARS, type AccountProblem, type NewAccount } from "../features/accounts/accounts-state";
import { renderLedger } from "../features/ledger/ledger-view";
import { ReviewView } from "../features/review/review-view";
import { renderSettings } from "../features/settings/settings-view";
import { renderSignIn } from "../features/signoff/signin-view";
import { renderSupervisor } from "../features/signoff/supervisor-view";
import { allowedViews, mergeReply, removeRow, Store, upsertRow, type View } from "./store";

/** Least time between two redraws caused by queue events alone (ms). */
const QUEUE_RENDER_GAP = 250;

export class App {
  readonly store = new Store();
  #header = h("header", { class: "topbar" });
  #main = h("main", { class: "content" });
  #status = h("div", { class: "status", role: "status", "data-testid": "status" });
  #review: ReviewView | null = null;
  #reviewKey = "";
  #signInError: string | null = null;
  #initialized = true;
  #startupAdded = false;
  #pendingOpen: number | null = null;
  #scanningSince = new Map<number, number>();
  #reviewStates = new Map<string, string>();
  #waiters = new Map<number, (row: QueueEntry) => void>();
  #submitted: ReviewSummary[] = [];
  #readOnlyReview: ReviewInfo | null = null;
  #ledger: { events: LedgerEvent[]; verify: VerifyResult | null; certificate: { reviewId: number; html: string } | null } = { events: [], verify: null, certificate: null };
  #approved: { id: number; label: string }[] = [];
  #tick: number | null = null;
  #selected: number | null = null;
  #batch: Batch = emptyBatch;
  /** A queue-driven render scheduled for later, if any, and when the last render ran. */
  #frame: number | null = null;
  #lastRender = 0;
  #accounts: AccountInfo[] = [];
  #intakeView: IntakeView | null = null;

  constructor(root: HTMLElement) {
    root.append(this.#header, this.#main, this.#status);
    this.store.subscribe((s, prev) => {
      if (s.queue !== prev.queue) this.#batch = syncBatch(this.#batch, s.queue, Date.now());
      // Queue changes redraw only the intake (the one view that shows the queue): a redraw
      // of a form view would wipe what the user is typing.
      const queueShown = s.queue !== prev.queue && s.view === "intake";
      if (s.view !== prev.view || s.session !== prev.session || s.openDoc !== prev.openDoc || s.dragging !== prev.dragging || s.info !== prev.info) {
        this.render();
      } else if (queueShown) {
        // A folder of a thousand documents sends thousands of row events: draw once a frame.
        this.#renderSoon();
      }
      if (s.notice !== prev.notice) this.#renderStatus();
    });
    document.addEventListener("keydown", (ev) => {
      const target = ev.target as HTMLElement | null;
      if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
      if (this.store.state.view !== "intake") return;
      const id = rowToRemove(ev.key, this.#selected, this.store.state.queue);
      if (id !== null) {
        ev.preventDefault();
        void this.#remove(id);
      }
    });
    onLanguageChange(() => {
      this.#reviewKey = ""; // rebuild the review view in the new language
      this.store.update({ notice: null }); // it was written in the old one
      this.render();
    });
  }

  async start(): Promise<void> {
    const [info, status, queue] = await Promise.all([ipc.appInfo(), ipc.ledgerStatus(), ipc.listQueue()]);
    this.#initialized = status.initialized;
    await ipc.onQueueChanged((row) => this.#onRow(row));
    await ipc.onQueueRemoved((id) => this.#onRemoved(id));
    if (info.language !== null && (LANGS as readonly string[]).includes(info.language)) setLanguage(info.language as Lang);
    await ipc.onDragDrop((state, paths) => {
      if (state === "drop") {
        this.store.update({ dragging: false });
        if (paths.length > 0) void this.addPaths(paths);
      } else {
        this.store.update({ dragging: state === "over" });
      }
    });
    this.store.update({ info, queue, session: status.session, view: status.session ? (allowedViews(status.session)[0] ?? "ledger") : "intake" });
    this.render();
    if (info.settingsError) this.notify("error", t("settings.fileError", { reason: info.settingsError }));
  }

  notify(kind: "error" | "info", text: string): void {
    this.store.update({ notice: { kind, text } });
  }

  #fail(e: unknown): void {
    this.notify("error", toAppError(e).message);
  }

  #onRow(row: QueueEntry): void {
    if (row.state.kind === "scanning" && !this.#scanningSince.has(row.id)) this.#scanningSince.set(row.id, Date.now());
    if (row.state.kind !== "scanning") this.#scanningSince.delete(row.id);
    this.store.update((s) => ({ queue: upsertRow(s.queue, row) }));
    const done = row.state.kind === "scanned" || row.state.kind === "failed";
    if (done) {
      const w = this.#waiters.get(row.id);
      if (w) {
        this.#waiters.delete(row.id);
        w(row);
      }
      if (this.#pendingOpen === row.id) {
        this.#pendingOpen = null;
        if (this.store.state.view === "intake") this.store.update({ openDoc: row.id, view: "review" });
      }
    }
    this.#ensureTicker();
  }

  #onRemoved(id: number): void {
    this.#scanningSince.delete(id);
    this.#waiters.delete(id);
    if (this.#pendingOpen === id) this.#pendingOpen = null;
    if (this.#selected === id) this.#selected = null;
    this.store.update((s) => ({ queue: removeRow(s.queue, id), openDoc: s.openDoc === id ? null : s.openDoc }));
  }

  /** Removes a row; the backend drops it or kills its worker and never waits for a parser. */
  async #remove(id: number): Promise<void> {
    const name = this.store.state.queue.find((q) => q.id === id)?.name ?? String(id);
    try {
      await ipc.removeDocument(id);
      this.#onRemoved(id);
      this.notify("info", t("intake.removed", { name }));
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Re-renders the intake once a second while something is scanning (elapsed time). */
  #ensureTicker(): void {
    const scanning = this.store.state.queue.some((q) => q.state.kind === "scanning");
    if (scanning && this.#tick === null) {
      this.#tick = window.setInterval(() => {
        if (this.store.state.view === "intake") this.render();
        if (!this.store.state.queue.some((q) => q.state.kind === "scanning") && this.#tick !== null) {
          window.clearInterval(this.#tick);
          this.#tick = null;
        }
      }, 1000);
    }
  }

  /** What the drop handler, the dialogs and the command-line offer all call. */
  async addPaths(paths: string[]): Promise<QueueEntry[]> {
    const s = this.store.state;
    if (!s.session?.roles.includes("reviewer")) {
      this.notify("error", t("review.signInToDecide"));
      return [];
    }
    try {
      const rows = await ipc.addDocuments(paths);
      this.store.update((st) => ({ queue: mergeReply(st.queue, rows) }));
      const first = rows.find((r) => r.state.kind !== "failed");
      if (first) {
        // Its scan may already have finished (the event can beat this reply).
        const now = this.store.state.queue.find((q) => q.id === first.id) ?? first;
        if (now.state.kind === "scanned") {
          this.#pendingOpen = null;
          if (this.store.state.view === "intake") this.store.update({ openDoc: now.id, view: "review" });
        } else {
          this.#pendingOpen = first.id;
        }
      }
      return rows;
    } catch (e) {
      this.#fail(e);
      return [];
    }
  }

  #waitForScan(row: QueueEntry): Promise<QueueEntry> {
    if (row.state.kind === "scanned" || row.state.kind === "failed") return Promise.resolve(row);
    return new Promise((resolve) => this.#waiters.set(row.id, resolve));
  }

  /** Renders soon, at most every QUEUE_RENDER_GAP ms: redrawing a table of a thousand rows
   * on every frame would keep the webview's main thread (which also carries every command
   * reply) busy for the whole batch. */
  #renderSoon(): void {
    if (this.#frame !== null) return;
    const wait = Math.max(0, this.#lastRender + QUEUE_RENDER_GAP - performance.now());
    this.#frame = window.setTimeout(() => {
      this.#frame = null;
      this.render();
    }, wait);
  }

  render(): void {
    if (this.#frame !== null) {
      window.clearTimeout(this.#frame);
      this.#frame = null;
    }
    this.#lastRender = performance.now();
    this.#renderHeader();
    const s = this.store.state;
    if (!s.session) {
      this.#disposeReview();
      clear(this.#main);
      this.#main.appendChild(
        renderSignIn({ initialized: this.#initialized, dbPath: s.info?.dbPath ?? "", error: this.#signInError }, (u, p) => void this.#signIn(u, p)),
      );
      return;
    }
    const views = this.#views();
    const view: View = views.includes(s.view) ? s.view : (views[0] ?? "ledger");
    if (view !== "review") this.#disposeReview();
    if (view === "review") return this.#renderReview();
    if (view === "intake") return this.#renderIntake();
    clear(this.#main);
    if (view === "supervisor") {
      this.#main.appendChild(
        renderSupervisor(this.#submitted, {
          open: (r) => void this.#openSubmitted(r),
          approve: (r, pw) => void this.#approve(r, pw),
          giveBack: (r, reason) => void this.#giveBack(r, reason),
        }),
      );
    } else if (view === "ledger") {
      this.#main.appendChild(
        renderLedger(
          { ...this.#ledger, approved: this.#approved },
          {
            verify: () => void this.#verify(),
            exportIt: () => void ipc.exportLedger().then((p) => p && this.notify("info", t("ledger.exported", { path: p })), (e) => this.#fail(e)),
            showCertificate: (id) =>
              void ipc.certificate(id).then(
                (html) => {
                  this.#ledger.certificate = { reviewId: id, html };
                  this.render();
                },
                (e) => this.#fail(e),
              ),
            saveCertificate: (id) =>
              void ipc.saveCertificate(id).then((p) => p && this.notify("info", t("ledger.certificateSaved", { path: p })), (e) => this.#fail(e)),
          },
        ),
      );
    } else if (view === "accounts") {
      this.#main.appendChild(
        renderAccounts(
          { accounts: this.#accounts, me: s.session.user },
          {
            add: (a) => void this.#addAccount(a),
            setRoles: (name, roles) =>
              void this.#changeAccounts(ipc.setAccountRoles(name, roles), t("accounts.rolesSaved", { name })),
            deactivate: (name) => void this.#changeAccounts(ipc.deactivateAccount(name), t("accounts.deactivated", { name })),
          },
          (p) => this.#accountProblem(p),
        ),
      );
    } else if (view === "settings" && s.info) {
      this.#main.appendChild(
        renderSettings(
          s.info,
          {
            pickWatchlist: () => ipc.pickFile(["toml"]).catch((e: unknown) => (this.#fail(e), null)),
            pickFolder: () => ipc.pickPaths(true).then((p) => p[0] ?? null, (e: unknown) => (this.#fail(e), null)),
            save: (input) => void this.#saveSettings(input),
          },
          (field) => this.notify("error", t(`settings.invalid.${field}`)),
        ),
      );
    }
  }

  /** The intake stays mounted between renders; only changed queue rows are redrawn. */
  #renderIntake(): void {
    const s = this.store.state;
    const iv = (this.#intakeView ??= new IntakeView());
    const now = Date.now();
    const model = {
      queue: s.queue,
      startupPaths: s.info?.startupPaths ?? [],
      startupAdded: this.#startupAdded,
      dragging: s.dragging,
      scanningSince: this.#scanningSince,
      reviewStates: this.#reviewStates,
      now,
      selected: this.#selected,
      progress: batchProgress(this.#batch, now),
    };
    iv.update(model, {
      addPaths: (p) => {
        this.#startupAdded = true;
        void this.addPaths(p);
      },
      chooseFiles: () => void this.#choose(false),
      chooseFolder: () => void this.#choose(true),
      open: (id) => {
        this.#readOnlyReview = null;
        this.store.update({ openDoc: id, view: "review" });
      },
      remove: (id) => void this.#remove(id),
      select: (id) => {
        this.#selected = id;
        for (const tr of this.#main.querySelectorAll<HTMLElement>("[data-testid=queue-row]")) {
          const on = tr.dataset["id"] === String(id);
          tr.classList.toggle("selected", on);
          tr.setAttribute("aria-selected", on ? "true" : "false");
        }
      },
    });
    if (this.#main.firstChild !== iv.el || this.#main.childNodes.length !== 1) {
      clear(this.#main);
      this.#main.appendChild(iv.el);
    }
  }

  #renderHeader(): void {
    clear(this.#header);
    const s = this.store.state;
    const nav = h("nav", { class: "tabs" });
    for (const v of this.#views()) {
      const b = h("button", { type: "button", class: v === s.view ? "tab active" : "tab", "data-testid": `nav-${v}` }, t(`nav.${v}`));
      b.addEventListener("click", () => void this.#go(v));
      nav.appendChild(b);
    }
    const lang = h("select", { class: "lang", "aria-label": t("app.language"), "data-testid": "language" });
    for (const l of LANGS) {
      const o = h("option", { value: l }, l === "en" ? "EN" : "中文");
      if (l === language()) o.selected = true;
      lang.appendChild(o);
    }
    lang.addEventListener("change", () => {
      setLanguage(lang.value as Lang);
      void this.#saveLanguage(lang.value as Lang);
    });
    const right = h("div", { class: "session" }, lang);
    if (s.session) {
      right.append(
        h("span", { class: "user", "data-testid": "signed-in" }, t("app.signedInAs", { user: s.session.user, roles: s.session.roles.map((r) => t(`role.${r}`)).join(", ") })),
      );
      const out = h("button", { type: "button", "data-testid": "sign-out" }, t("app.signOut"));
      out.addEventListener("click", () => void this.#signOut());
      right.appendChild(out);
    }
    this.#header.append(h("h1", {}, t("app.title")), nav, right);
  }

  /** The role's views, plus the read-only review a supervisor has open. */
  #views(): View[] {
    const views = allowedViews(this.store.state.session);
    if (this.#readOnlyReview && !views.includes("review")) views.splice(1, 0, "review");
    return views;
  }

  #renderStatus(): void {
    clear(this.#status);
    const n = this.store.state.notice;
    if (!n) return;
    const close = h("button", { type: "button", class: "link", "aria-label": "×" }, "×");
    close.addEventListener("click", () => this.store.update({ notice: null }));
    this.#status.className = `status ${n.kind}`;
    this.#status.append(h("span", { "data-testid": `notice-${n.kind}` }, n.text), close);
  }

  async #go(v: View): Promise<void> {
    if (v === "supervisor") {
      try {
        this.#submitted = await ipc.listSubmitted();
      } catch (e) {
        this.#fail(e);
      }
    }
    if (v === "ledger") await this.#loadLedger();
    if (v === "accounts") {
      try {
        this.#accounts = await ipc.listAccounts();
      } catch (e) {
        this.#fail(e);
      }
    }
    this.store.update({ view: v });
    this.render();
  }

  #renderReview(): void {
    const s = this.store.state;
    const id = s.openDoc;
    const key = `${id}:${this.#readOnlyReview?.id ?? ""}:${s.session?.user ?? ""}`;
    if (this.#review && this.#reviewKey === key) {
      if (!this.#main.contains(this.#review.el)) {
        clear(this.#main);
        this.#main.appendChild(this.#review.el);
      }
      return;
    }
    this.#disposeReview();
    clear(this.#main);
    if (id === null) {
      this.#main.appendChild(h("p", { class: "muted" }, t("review.none")));
      return;
    }
    const view = new ReviewView({
      docId: id,
      readOnlyReview: this.#readOnlyReview,
      canDecide: !!s.session?.roles.includes("reviewer") && this.#readOnlyReview === null,
      watchlistLoaded: !!s.info?.rules,
      notify: (k, text) => this.notify(k, text),
      onSubmitted: (r) => {
        this.#reviewStates.set(r.sha256, r.state);
      },
    });
    this.#review = view;
    this.#reviewKey = key;
    this.#main.appendChild(view.el);
    view.load().catch((e) => this.#fail(e));
  }

  #disposeReview(): void {
    this.#review?.dispose();
    this.#review = null;
    this.#reviewKey = "";
  }

  async #signIn(user: string, password: string): Promise<void> {
    try {
      const session = this.#initialized ? await ipc.signIn(user, password) : await ipc.initLedger(user, password);
      this.#initialized = true;
      this.#signInError = null;
      const first = allowedViews(session)[0] ?? "ledger";
      this.store.update({ session, notice: null, view: first });
      if (first === "supervisor" || first === "ledger") await this.#go(first);
    } catch (e) {
      this.#signInError = toAppError(e).message;
      this.render();
    }
  }

  async #signOut(): Promise<void> {
    try {
      await ipc.signOut();
    } catch (e) {
      this.#fail(e);
    }
    this.#readOnlyReview = null;
    this.#ledger = { events: [], verify: null, certificate: null };
    this.#accounts = [];
    this.store.update({ session: null, openDoc: null, view: "intake", notice: null });
  }

  async #openSubmitted(r: ReviewSummary): Promise<void> {
    try {
      const review = await ipc.getReview(r.id);
      const rows = await ipc.addDocuments([review.path]);
      const row = rows[0];
      if (!row) return;
      const done = await this.#waitForScan(row);
      if (done.sha256 !== review.sha256) {
        this.notify("error", `${done.name}: file changed since review`);
        return;
      }
      this.#readOnlyReview = review;
      this.store.update({ openDoc: done.id, view: "review" });
      this.render();
    } catch (e) {
      this.#fail(e);
    }
  }

  async #approve(r: ReviewSummary, password: string): Promise<void> {
    try {
      const done = await ipc.approveReview(r.id, password);
      this.#reviewStates.set(done.sha256, done.state);
      this.notify("info", t("supervisor.approved"));
      this.#submitted = await ipc.listSubmitted();
      this.render();
    } catch (e) {
      this.#fail(e);
    }
  }

  async #giveBack(r: ReviewSummary, reason: string): Promise<void> {
    if (reason.trim() === "") {
      this.notify("error", t("review.reasonRequired"));
      return;
    }
    try {
      const done = await ipc.returnReview(r.id, reason.trim());
      this.#reviewStates.set(done.sha256, done.state);
      this.notify("info", t("supervisor.returned"));
      this.#submitted = await ipc.listSubmitted();
      this.render();
    } catch (e) {
      this.#fail(e);
    }
  }

  async #loadLedger(): Promise<void> {
    try {
      this.#ledger.events = await ipc.ledgerEvents();
      this.#approved = (await ipc.listApproved()).map((r) => ({ id: r.id, label: r.path.split(/[\\/]/).pop() ?? r.path }));
    } catch (e) {
      this.#fail(e);
    }
  }

  async #verify(): Promise<void> {
    try {
      this.#ledger.verify = await ipc.verifyLedger();
      this.#ledger.events = await ipc.ledgerEvents();
    } catch (e) {
      this.#fail(e);
    }
    this.render();
  }

  #accountProblem(p: AccountProblem): void {
    this.notify("error", t(`accounts.problem.${p}`, { n: MIN_PASSWORD_CHARS }));
  }

  async #addAccount(a: NewAccount): Promise<void> {
    await this.#changeAccounts(ipc.addAccount(a.name, a.password, a.roles), t("accounts.added", { name: a.name }));
  }

  /** Applies an account change's reply (the new list) and says what happened. */
  async #changeAccounts(change: Promise<AccountInfo[]>, done: string): Promise<void> {
    try {
      this.#accounts = await change;
      this.notify("info", done);
      if (this.store.state.view === "accounts") this.render();
    } catch (e) {
      this.#fail(e);
    }
  }

  async #choose(folders: boolean): Promise<void> {
    try {
      const paths = await ipc.pickPaths(folders);
      if (paths.length > 0) await this.addPaths(paths);
    } catch (e) {
      this.#fail(e);
    }
  }

  async #saveSettings(input: SettingsInput): Promise<void> {
    try {
      const info = await ipc.saveSettings(input);
      if (input.language !== null && (LANGS as readonly string[]).includes(input.language)) setLanguage(input.language as Lang);
      this.store.update({ info });
      this.notify("info", t("settings.saved", { path: info.settingsPath }));
    } catch (e) {
      this.#fail(e);
    }
  }

  /** The header's language switch also goes to settings.toml, the source of truth. */
  async #saveLanguage(lang: Lang): Promise<void> {
    const info = this.store.state.info;
    if (!info || info.settingsError) return; // never overwrite a file we could not read
    try {
      // Only the language changes: every other field stays as the file has it.
      const next = await ipc.saveSettings({ ...info.saved, language: lang });
      this.store.update({ info: next });
    } catch (e) {
      this.#fail(e);
    }
  }
}
