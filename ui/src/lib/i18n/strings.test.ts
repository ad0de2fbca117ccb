import { describe, expect, it } from "vitest";
import { CATEGORIES, SEVERITIES, SOURCES } from "../backend/types";
import { DECISIONS } from "../../features/review/review-state";
import { detectLanguage, format } from "./i18n";
import { LANGS, STRINGS } from "./strings";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("string table", () => {
  const entries = Object.entries(STRINGS) as [string, Record<string, string>][];

  it.each(entries)("%s exists in every language with the same placeholders", (_key, byLang) => {
    const en = byLang["en"]!;
    for (const lang of LANGS) {
      const s = byLang[lang];
      expect(typeof s).toBe("string");
      expect(s!.trim()).not.toBe("");
      expect(placeholders(s!)).toEqual(placeholders(en));
    }
  });

  it("names every category, severity, source and decision the backend can send", () => {
    const keys = new Set(Object.keys(STRINGS));
    const needed = [
      ...CATEGORIES.map((c) => `category.${c}`),
      ...SEVERITIES.map((s) => `severity.${s}`),
      ...SOURCES.map((s) => `source.${s}`),
      ...DECISIONS.map((d) => `decision.${d}`),
    ];
    expect(needed.filter((k) => !keys.has(k))).toEqual([]);
  });

  it("has Chinese that is actually Chinese for the navigation", () => {
    expect(STRINGS["nav.review"].zh).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe("format", () => {
  it("fills known placeholders and leaves unknown ones", () => {
    expect(format("{n} of {total}", { n: 2, total: 5 })).toBe("2 of 5");
    expect(format("{x}", {})).toBe("{x}");
  });
});

describe("detectLanguage", () => {
  it.each([
    ["zh-CN", "zh"],
    ["zh-TW", "zh"],
    ["en-GB", "en"],
    ["fr-FR", "en"],
    [undefined, "en"],
  ])("%s -> %s", (nav, lang) => {
    expect(detectLanguage(nav)).toBe(lang);
  });
});
