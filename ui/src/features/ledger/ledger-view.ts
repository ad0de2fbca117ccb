// The ledger: its event history, Verify with its result, export, and the printable release
// certificate of approved reviews.
import { h } from "../../components/dom";
import { t } from "../../lib/i18n/i18n";
import type { LedgerEvent, VerifyResult } from "../../lib/backend/types";

export interface LedgerModel {
  events: readonly LedgerEvent[];
  verify: VerifyResult | null;
  certificate: { reviewId: number; html: string } | null;
  approved: readonly { id: number; label: string }[];
}

export interface LedgerActions {
  verify(): void;
  exportIt(): void;
  showCertificate(reviewId: number): void;
  saveCertificate(reviewId: number): void;
}

export function renderLedger(m: LedgerModel, act: LedgerActions): HTMLElement {
  const verify = h("button", { type: "button", class: "primary", "data-testid": "verify" }, t("ledger.verify"));
  verify.addEventListener("click", () => act.verify());
  const exp = h("button", { type: "button", "data-testid": "export" }, t("ledger.export"));
  exp.addEventListener("click", () => act.exportIt());
  const root = h("div", { class: "ledger", "data-testid": "ledger" }, h("h2", {}, t("ledger.title")), h("div", { class: "actions" }, verify, exp));
  if (m.verify) {
    root.appendChild(
      h(
        "p",
        { class: `verify-result ${m.verify.ok ? "ok" : "bad"}`, "data-testid": "verify-result", "data-ok": String(m.verify.ok) },
        m.verify.ok
          ? t("ledger.verifyOk", { n: m.verify.events, sigs: m.verify.signatures })
          : t("ledger.verifyBad", { message: m.verify.message }),
      ),
    );
  }
  if (m.approved.length > 0) {
    const certs = h("div", { class: "actions" }, h("strong", {}, `${t("ledger.certificate")}: `));
    for (const a of m.approved) {
      const b = h("button", { type: "button", "data-testid": "certificate" }, a.label);
      b.addEventListener("click", () => act.showCertificate(a.id));
      certs.appendChild(b);
    }
    root.appendChild(certs);
  }
  if (m.certificate !== null) {
    const cert = m.certificate;
    const saveBtn = h("button", { type: "button", "data-testid": "save-certificate" }, t("ledger.saveCertificate"));
    saveBtn.addEventListener("click", () => act.saveCertificate(cert.reviewId));
    // The certificate is HTML from the ledger: shown in a sandboxed frame (no scripts, no
    // access to the app), never inserted into the app's own DOM.
    const frame = h("iframe", { class: "certificate-frame", sandbox: "", title: t("ledger.certificate"), "data-testid": "certificate-frame" });
    frame.srcdoc = cert.html;
    root.appendChild(h("section", { class: "certificate" }, h("div", { class: "actions" }, saveBtn), frame));
  }
  if (m.events.length === 0) {
    root.appendChild(h("p", { class: "muted" }, t("ledger.empty")));
    return root;
  }
  const body = h("tbody");
  for (const e of m.events) {
    body.appendChild(
      h("tr", { "data-testid": "event" }, h("td", {}, String(e.seq)), h("td", { class: "mono" }, e.at), h("td", {}, e.actor), h("td", {}, e.kind), h("td", { class: "detail" }, e.detail)),
    );
  }
  root.appendChild(
    h(
      "table",
      { class: "events" },
      h(
        "thead",
        {},
        h("tr", {}, h("th", {}, t("ledger.col.seq")), h("th", {}, t("ledger.col.time")), h("th", {}, t("ledger.col.actor")), h("th", {}, t("ledger.col.kind")), h("th", {}, t("ledger.col.detail"))),
      ),
      body,
    ),
  );
  return root;
}
