// Accounts, for administrators: the ledger's accounts with their roles and state, a form to
// add one, and per account a role change or deactivation. Plain form controls throughout, so
// Tab, Space and Enter do everything; deactivation asks for a second press.
import { h } from "../../components/dom";
import { t } from "../../lib/i18n/i18n";
import type { AccountInfo, Role } from "../../lib/backend/types";
import { checkDeactivate, checkNewAccount, checkRoleChange, rolesChanged, ROLES, type AccountProblem, type NewAccount } from "./accounts-state";

export interface AccountsModel {
  accounts: readonly AccountInfo[];
  /** The signed-in administrator. */
  me: string;
}

export interface AccountsActions {
  add(a: NewAccount): void;
  setRoles(name: string, roles: Role[]): void;
  deactivate(name: string): void;
}

/** Role checkboxes in a fieldset; `legend` is shown, or only read out (in table rows). */
function roleBoxes(testid: string, legend: string, shown: boolean, checked: readonly Role[], disabled: boolean): { el: HTMLElement; value: () => Role[] } {
  const boxes = ROLES.map((r) => {
    const box = h("input", { type: "checkbox", value: r, "data-testid": `${testid}-${r}` });
    box.checked = checked.includes(r);
    box.disabled = disabled;
    return { r, box };
  });
  const el = h(
    "fieldset",
    { class: "roles" },
    h("legend", { class: shown ? "small muted" : "sr-only" }, legend),
    ...boxes.map(({ r, box }) => h("label", { class: "check" }, box, t(`role.${r}`))),
  );
  return { el, value: () => boxes.filter((b) => b.box.checked).map((b) => b.r) };
}

function addForm(m: AccountsModel, act: AccountsActions, problem: (p: AccountProblem) => void): HTMLElement {
  const name = h("input", { type: "text", autocomplete: "off", required: true, "data-testid": "account-name" });
  const pass = h("input", { type: "password", autocomplete: "new-password", required: true, "data-testid": "account-password" });
  const confirm = h("input", { type: "password", autocomplete: "new-password", required: true, "data-testid": "account-confirm" });
  const roles = roleBoxes("account-role", t("accounts.roles"), true, ["reviewer"], false);
  const form = h(
    "form",
    { "data-testid": "account-form", novalidate: true },
    h(
      "fieldset",
      {},
      h("legend", {}, t("accounts.add")),
      h("label", {}, t("signin.user"), name),
      h("label", {}, t("signin.password"), pass),
      h("label", {}, t("accounts.confirm"), confirm),
      roles.el,
      h("button", { type: "submit", class: "primary", "data-testid": "account-add" }, t("accounts.addButton")),
    ),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const r = checkNewAccount({ name: name.value, password: pass.value, confirm: confirm.value, roles: roles.value() }, m.accounts);
    if ("problem" in r) problem(r.problem);
    else act.add(r);
  });
  return form;
}

function accountRow(a: AccountInfo, m: AccountsModel, act: AccountsActions, problem: (p: AccountProblem) => void): HTMLElement {
  const roles = roleBoxes(`roles-${a.name}`, t("accounts.rolesOf", { name: a.name }), false, a.roles, !a.active);
  const save = h("button", { type: "button", "data-testid": "save-roles", disabled: !a.active }, t("accounts.saveRoles"));
  save.addEventListener("click", () => {
    const next = roles.value();
    if (!rolesChanged(a, next)) return;
    const p = checkRoleChange(m.accounts, a.name, next);
    if (p) problem(p);
    else act.setRoles(a.name, next);
  });
  const off = h("button", { type: "button", "data-testid": "deactivate", disabled: !a.active }, t("accounts.deactivate"));
  let armed = false;
  off.addEventListener("click", () => {
    const p = checkDeactivate(m.accounts, a.name);
    if (p) return problem(p);
    if (!armed) {
      armed = true;
      off.textContent = t("accounts.deactivateConfirm", { name: a.name });
      off.dataset["armed"] = "true";
      return;
    }
    act.deactivate(a.name);
  });
  off.addEventListener("blur", () => {
    armed = false;
    off.textContent = t("accounts.deactivate");
    delete off.dataset["armed"];
  });
  const state = !a.active
    ? t("accounts.inactive")
    : a.lockedUntil
      ? t("accounts.locked", { until: a.lockedUntil })
      : t("accounts.active");
  return h(
    "tr",
    { class: a.active ? "" : "inactive", "data-testid": "account-row", "data-name": a.name, "data-active": a.active ? "true" : "false" },
    h("td", {}, a.name, a.name === m.me ? h("span", { class: "badge" }, t("accounts.you")) : null),
    h("td", {}, roles.el),
    h("td", {}, state, h("div", { class: "muted small" }, t("accounts.since", { at: a.createdAt }))),
    h("td", {}, save, " ", off),
  );
}

export function renderAccounts(m: AccountsModel, act: AccountsActions, problem: (p: AccountProblem) => void): HTMLElement {
  const table = h(
    "table",
    { "data-testid": "accounts-table" },
    h("thead", {}, h("tr", {}, h("th", {}, t("accounts.col.name")), h("th", {}, t("accounts.roles")), h("th", {}, t("accounts.col.state")), h("th", {}))),
    h("tbody", {}, ...m.accounts.map((a) => accountRow(a, m, act, problem))),
  );
  return h(
    "div",
    { class: "accounts", "data-testid": "accounts" },
    h("h2", {}, t("accounts.title")),
    h("p", { class: "muted small" }, t("accounts.note")),
    table,
    addForm(m, act, problem),
  );
}
