import { describe, expect, it } from "vitest";
import type { Finding } from "../../lib/backend/types";
import { geofenceHits, imageHighlightBoxes } from "./image-view";

const site = (lat: number, lon: number): Finding => ({
  category: "restricted-site",
  rule: "geofence",
  severity: "high",
  text: "Huangyang Test Range",
  page: null,
  source: "image-metadata",
  context: "",
  bbox: null,
  explanation: "inside the geofence",
  position: { lat, lon },
});

describe("geofenceHits", () => {
  it("matches the restricted-site finding at the GPS position", () => {
    const findings = [site(40.512, 89.451), { ...site(40.512, 89.451), category: "gps-metadata" as const }];
    expect(geofenceHits(findings, { lat: 40.512, lon: 89.451, part: "EXIF" })).toEqual([0]);
  });
  it("ignores a site finding at another position", () => {
    expect(geofenceHits([site(10, 10)], { lat: 40.512, lon: 89.451, part: "EXIF" })).toEqual([]);
  });
});

describe("imageHighlightBoxes", () => {
  const sign: Finding = {
    category: "restricted-site",
    rule: "restricted-area-sign",
    severity: "high",
    text: "军事禁区",
    page: null,
    source: "ocr",
    part: "image",
    context: "",
    bbox: [80, 40, 480, 136],
    explanation: "sign",
    confidence: 96,
  };

  it("places OCR boxes in percent of the picture (pixels, origin top-left)", () => {
    expect(imageHighlightBoxes([sign], 800, 320)).toEqual([{ finding: 0, left: 10, top: 12.5, width: 50, height: 30 }]);
  });

  it("skips metadata findings and waits for the picture's size", () => {
    const exif: Finding = { ...sign, source: "image-metadata", bbox: null };
    expect(imageHighlightBoxes([exif, sign], 800, 320).map((b) => b.finding)).toEqual([1]);
    expect(imageHighlightBoxes([sign], 0, 0)).toEqual([]);
  });

  it("keeps a box that runs past the edge inside the picture", () => {
    const [b] = imageHighlightBoxes([{ ...sign, bbox: [700, 300, 900, 400] }], 800, 320);
    expect(b).toEqual({ finding: 0, left: 87.5, top: 93.75, width: 12.5, height: 6.25 });
  });
});
