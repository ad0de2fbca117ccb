import { describe, expect, it } from "vitest";
import type { Finding } from "../../lib/backend/types";
import { geofenceHits } from "./image-view";

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
