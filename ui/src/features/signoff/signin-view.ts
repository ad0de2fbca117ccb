// Sign in with a ledger account; on a fresh ledger, create the administrator first.
import { h } from "../../components/dom";
import { t } from "../../lib/i18n/i18n";

export interface SignInModel {
  initialized: boolean;
  dbPath: string;
  error: string | null;
}

export function renderSignIn(m: SignInModel, submit: (user: string, password: string) => void): HTMLElement {
  const user = h("input", { type: "text", name: "user", autocomplete: "username", required: true, "data-testid": "user", "aria-label": t("signin.user") });
  const pass = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true, "data-testid": "password", "aria-label": t("signin.password") });
  const form = h(
    "form",
    { class: "signin", "data-testid": "signin" },
    h("h2", {}, m.initialized ? t("signin.title") : t("signin.create")),
    m.initialized ? null : h("p", {}, t("signin.firstRun")),
    h("label", {}, t("signin.user"), user),
    h("label", {}, t("signin.password"), pass),
    m.error ? h("p", { class: "error", "data-testid": "signin-error" }, m.error) : null,
    h("button", { type: "submit", class: "primary", "data-testid": "signin-submit" }, m.initialized ? t("signin.submit") : t("signin.create")),
    h("p", { class: "muted small" }, t("signin.hint", { db: m.dbPath })),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit(user.value.trim(), pass.value);
  });
  queueMicrotask(() => user.focus());
  return form;
}
