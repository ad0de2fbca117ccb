import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Finding } from "../../lib/backend/types";
import { setLanguage } from "../../lib/i18n/i18n";
import { locationOf } from "./findings-panel";

const sign: Finding = {
  category: "restricted-site",
  rule: "restricted-area-sign",
  severity: "high",
  text: "军事禁区",
  page: 2,
  source: "ocr",
  part: "page 2 /Im1",
  context: "军事禁区 禁止拍照",
  bbox: null,
  explanation: "Sign of a military restricted area",
  confidence: 87,
};

describe("locationOf", () => {
  // setLanguage marks the page's language; the tests run without a DOM.
  beforeEach(() => vi.stubGlobal("document", { documentElement: { lang: "" } }));
  afterEach(() => {
    setLanguage("en");
    vi.unstubAllGlobals();
  });

  it("names page, kind of text, part and the OCR confidence", () => {
    setLanguage("en");
    expect(locationOf(sign)).toBe("page 2 · Text in image (OCR) · page 2 /Im1 · OCR confidence 87%");
    setLanguage("zh");
    expect(locationOf(sign)).toBe("第 2 页 · 图片文字（OCR） · page 2 /Im1 · OCR 置信度 87%");
  });

  it("leaves out what the finding does not have", () => {
    setLanguage("en");
    const { confidence: _unused, ...plain } = sign;
    expect(locationOf({ ...plain, source: "body", page: null, part: null })).toBe("Body");
  });
});
