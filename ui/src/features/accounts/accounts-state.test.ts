import { describe, expect, it } from "vitest";
import type { AccountInfo, Role } from "../../lib/backend/types";
import { checkDeactivate, checkNewAccount, checkRoleChange, orderedRoles, rolesChanged, validName } from "./accounts-state";

const acct = (name: string, roles: Role[], active = true): AccountInfo => ({ name, roles, active, createdAt: "t", lockedUntil: null });
const existing = [acct("admin", ["admin"]), acct("rita", ["reviewer"])];
const form = { name: " sam ", password: "supervisor-pass-1", confirm: "supervisor-pass-1", roles: ["supervisor", "reviewer"] as Role[] };

describe("validName", () => {
  it.each([
    ["sam", true],
    ["李明", true],
    ["a.b-c_d", true],
    ["x".repeat(64), true],
    ["x".repeat(65), false],
    ["", false],
    ["two words", false],
    ["a,b", false],
    ["tab\there", false],
    ["bell\u0007", false],
  ])("%j -> %s", (name, ok) => {
    expect(validName(name)).toBe(ok);
  });
});

describe("checkNewAccount", () => {
  it("trims the name and orders the roles", () => {
    expect(checkNewAccount(form, existing)).toEqual({ name: "sam", password: "supervisor-pass-1", roles: ["reviewer", "supervisor"] });
  });
  it.each([
    [{ name: "  " }, "nameRequired"],
    [{ name: "s am" }, "nameInvalid"],
    [{ name: "rita" }, "nameTaken"],
    [{ password: "short12", confirm: "short12" }, "passwordShort"],
    [{ confirm: "supervisor-pass-2" }, "passwordMismatch"],
    [{ roles: [] as Role[] }, "rolesRequired"],
  ])("%o -> %s", (patch, problem) => {
    expect(checkNewAccount({ ...form, ...patch }, existing)).toEqual({ problem });
  });
  it("accepts a password of exactly eight characters, counted as characters", () => {
    expect(checkNewAccount({ ...form, password: "密码密码密码密码", confirm: "密码密码密码密码" }, existing)).toMatchObject({ name: "sam" });
  });
  it("lets a deactivated name stay taken (the ledger keeps every account)", () => {
    expect(checkNewAccount({ ...form, name: "old" }, [acct("old", ["reviewer"], false)])).toEqual({ problem: "nameTaken" });
  });
});

describe("role changes and deactivation", () => {
  it("keeps the last active administrator", () => {
    expect(checkRoleChange(existing, "admin", ["reviewer"])).toBe("lastAdmin");
    expect(checkDeactivate(existing, "admin")).toBe("lastAdmin");
    const two = [...existing, acct("ada", ["admin", "reviewer"])];
    expect(checkRoleChange(two, "admin", ["reviewer"])).toBeNull();
    expect(checkDeactivate(two, "admin")).toBeNull();
    const inactiveOther = [...existing, acct("ada", ["admin"], false)];
    expect(checkDeactivate(inactiveOther, "admin")).toBe("lastAdmin");
  });
  it("needs at least one role and allows other changes", () => {
    expect(checkRoleChange(existing, "rita", [])).toBe("rolesRequired");
    expect(checkRoleChange(existing, "rita", ["supervisor"])).toBeNull();
    expect(checkDeactivate(existing, "rita")).toBeNull();
  });
  it("tells changed roles apart from a reordering", () => {
    const a = acct("x", ["supervisor", "reviewer"]);
    expect(rolesChanged(a, ["reviewer", "supervisor"])).toBe(false);
    expect(rolesChanged(a, ["reviewer"])).toBe(true);
    expect(orderedRoles(["admin", "reviewer", "admin"])).toEqual(["reviewer", "admin"]);
  });
});
