import { describe, expect, it } from "vitest";
import { parseCount, settingsInput } from "./settings-view";

describe("parseCount", () => {
  it.each([
    ["", null],
    ["  ", null],
    ["30", 30],
    [" 2 ", 2],
    ["0", "invalid"],
    ["-1", "invalid"],
    ["1.5", "invalid"],
    ["abc", "invalid"],
    ["99999999999999999999", "invalid"],
  ])("%s", (text, want) => {
    expect(parseCount(text)).toBe(want);
  });
});

describe("settingsInput", () => {
  const form = { watchlist: " /w.toml ", intakeFolder: "", timeoutSecs: "30", memoryMib: "", parallelism: "2", language: "zh" };
  it("turns blanks into null and trims paths", () => {
    expect(settingsInput(form)).toEqual({ watchlist: "/w.toml", intakeFolder: null, timeoutSecs: 30, memoryMib: null, parallelism: 2, language: "zh" });
  });
  it("names the first bad number", () => {
    expect(settingsInput({ ...form, memoryMib: "lots" })).toEqual({ invalid: "memoryMib" });
  });
});
