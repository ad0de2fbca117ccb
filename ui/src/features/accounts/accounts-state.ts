// Account administration, the pure part: checks of the add form and of role changes that
// mirror the ledger's own rules, so the administrator hears what is wrong before a password
// is hashed. The ledger still decides (and refuses, say, removing the last administrator).
import type { AccountInfo, Role } from "../../lib/backend/types";

/** Display order of the roles. */
export const ROLES: readonly Role[] = ["reviewer", "supervisor", "admin"];

/** Mirrors `clearance_ledger::MIN_PASSWORD_CHARS`. */
export const MIN_PASSWORD_CHARS = 8;

export type AccountProblem =
  | "nameRequired"
  | "nameInvalid"
  | "nameTaken"
  | "passwordShort"
  | "passwordMismatch"
  | "rolesRequired"
  | "lastAdmin";

export interface NewAccountForm {
  name: string;
  password: string;
  confirm: string;
  roles: readonly Role[];
}

export interface NewAccount {
  name: string;
  password: string;
  roles: Role[];
}

/** The ledger's account-name rule: 1-64 characters, no spaces, commas or control characters. */
export function validName(name: string): boolean {
  const chars = [...name];
  return chars.length >= 1 && chars.length <= 64 && !/[\s,\p{Cc}]/u.test(name);
}

/** Roles in display order, without repeats. */
export function orderedRoles(roles: readonly Role[]): Role[] {
  return ROLES.filter((r) => roles.includes(r));
}

/** The add form as `add_account` takes it, or the first problem with it. */
export function checkNewAccount(f: NewAccountForm, existing: readonly AccountInfo[]): NewAccount | { problem: AccountProblem } {
  const name = f.name.trim();
  if (name === "") return { problem: "nameRequired" };
  if (!validName(name)) return { problem: "nameInvalid" };
  if (existing.some((a) => a.name === name)) return { problem: "nameTaken" };
  if ([...f.password].length < MIN_PASSWORD_CHARS) return { problem: "passwordShort" };
  if (f.password !== f.confirm) return { problem: "passwordMismatch" };
  const roles = orderedRoles(f.roles);
  if (roles.length === 0) return { problem: "rolesRequired" };
  return { name, password: f.password, roles };
}

/** Active administrators other than `name`. */
function otherAdmins(accounts: readonly AccountInfo[], name: string): number {
  return accounts.filter((a) => a.active && a.name !== name && a.roles.includes("admin")).length;
}

/** Why `name` cannot get `roles`, or null. */
export function checkRoleChange(accounts: readonly AccountInfo[], name: string, roles: readonly Role[]): AccountProblem | null {
  if (roles.length === 0) return "rolesRequired";
  const now = accounts.find((a) => a.name === name);
  if (now?.roles.includes("admin") && !roles.includes("admin") && otherAdmins(accounts, name) === 0) return "lastAdmin";
  return null;
}

/** Why `name` cannot be deactivated, or null. */
export function checkDeactivate(accounts: readonly AccountInfo[], name: string): AccountProblem | null {
  const a = accounts.find((x) => x.name === name);
  if (a?.roles.includes("admin") && otherAdmins(accounts, name) === 0) return "lastAdmin";
  return null;
}

/** Whether a row's checkboxes differ from the account's roles. */
export function rolesChanged(a: AccountInfo, roles: readonly Role[]): boolean {
  const x = orderedRoles(a.roles);
  const y = orderedRoles(roles);
  return x.length !== y.length || x.some((r, i) => r !== y[i]);
}
