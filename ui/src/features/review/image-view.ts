// Images: the picture itself, its metadata table, GPS positions and whether one falls inside
// a watchlisted geofence (the engine reports that as a restricted-site finding).
import { h } from "../../components/dom";
import { t } from "../../lib/i18n/i18n";
import type { DocumentReport, Finding, GpsPoint } from "../../lib/backend/types";

/** The geofence findings that concern a GPS point read from metadata. */
export function geofenceHits(findings: readonly Finding[], gps: GpsPoint): number[] {
  return findings
    .map((f, i) => ({ f, i }))
    .filter(
      ({ f }) =>
        f.category === "restricted-site" &&
        f.position !== undefined &&
        Math.abs(f.position.lat - gps.lat) < 1e-6 &&
        Math.abs(f.position.lon - gps.lon) < 1e-6,
    )
    .map(({ i }) => i);
}

export function renderImageDetails(
  report: DocumentReport,
  watchlistLoaded: boolean,
  onPick: (i: number) => void,
): HTMLElement {
  const content = report.content;
  const root = h("div", { class: "image-details" });
  if (!content) return root;

  const gpsBox = h("section", { class: "gps", "data-testid": "gps" }, h("h3", {}, t("image.gps")));
  if (content.gps.length === 0) gpsBox.appendChild(h("p", { class: "muted" }, t("image.noGps")));
  for (const g of content.gps) {
    const hits = geofenceHits(report.findings, g);
    const verdict =
      hits.length > 0
        ? h(
            "p",
            { class: "geofence inside", "data-testid": "geofence" },
            t("image.insideGeofence"),
            ...hits.map((i) => {
              const b = h("button", { class: "link", type: "button" }, report.findings[i]?.explanation ?? "");
              b.addEventListener("click", () => onPick(i));
              return b;
            }),
          )
        : h(
            "p",
            { class: "geofence outside", "data-testid": "geofence" },
            watchlistLoaded ? t("image.outsideGeofence") : t("image.noWatchlist"),
          );
    gpsBox.append(
      h("p", { class: "gps-point" }, `${g.lat.toFixed(6)}, ${g.lon.toFixed(6)}`, h("span", { class: "muted" }, ` (${g.part})`)),
      verdict,
    );
  }
  root.appendChild(gpsBox);

  const table = h(
    "table",
    { class: "meta-table", "data-testid": "metadata" },
    h("thead", {}, h("tr", {}, h("th", {}, t("image.part")), h("th", {}, t("image.key")), h("th", {}, t("image.value")))),
  );
  const body = h("tbody");
  for (const m of content.metadata) {
    body.appendChild(h("tr", {}, h("td", {}, m.part), h("td", {}, m.key), h("td", {}, m.value)));
  }
  table.appendChild(body);
  root.append(
    h("section", {}, h("h3", {}, t("image.metadata")), content.metadata.length ? table : h("p", { class: "muted" }, t("image.noMetadata"))),
  );
  return root;
}
