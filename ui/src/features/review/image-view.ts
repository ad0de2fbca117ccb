// Images: the picture itself, its metadata table, GPS positions and whether one falls inside
// a watchlisted geofence (the engine reports that as a restricted-site finding).
import { h } from "../../components/dom";
import { t } from "../../lib/i18n/i18n";
import type { DocumentReport, Finding, GpsPoint } from "../../lib/backend/types";
import { findingRects } from "./highlight";

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

/** A highlight on the picture, in percent of its size, so it follows the picture's scaling. */
export interface ImageBox {
  finding: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Where to draw the findings read from the picture by OCR: their boxes are in the picture's
 * pixels (origin top-left), `width` × `height` being its natural size.
 */
export function imageHighlightBoxes(findings: readonly Finding[], width: number, height: number): ImageBox[] {
  if (!(width > 0 && height > 0)) return [];
  const pct = (v: number, of: number) => Math.min(100, Math.max(0, (v / of) * 100));
  return findings.flatMap((f, finding) =>
    f.source !== "ocr" || f.page !== null
      ? []
      : findingRects(f).map((r) => {
          const left = pct(Math.min(r[0], r[2]), width);
          const top = pct(Math.min(r[1], r[3]), height);
          return {
            finding,
            left,
            top,
            width: pct(Math.max(r[0], r[2]), width) - left,
            height: pct(Math.max(r[1], r[3]), height) - top,
          };
        }),
  );
}

/** The picture with its OCR findings highlighted where they were read. */
export function renderPicture(url: string, name: string, findings: readonly Finding[], onPick: (i: number) => void): HTMLElement {
  const img = h("img", { src: url, alt: name, class: "doc-image" }) as HTMLImageElement;
  const overlay = h("div", { class: "image-overlay" });
  img.addEventListener("load", () => {
    overlay.replaceChildren(
      ...imageHighlightBoxes(findings, img.naturalWidth, img.naturalHeight).map((b) => {
        const f = findings[b.finding];
        const el = h("div", {
          class: `hl sev-${f?.severity ?? "low"}`,
          "data-finding": b.finding,
          "data-testid": "highlight",
          title: f?.explanation ?? "",
        });
        el.style.left = `${b.left}%`;
        el.style.top = `${b.top}%`;
        el.style.width = `${b.width}%`;
        el.style.height = `${b.height}%`;
        el.addEventListener("click", () => onPick(b.finding));
        return el;
      }),
    );
  });
  return h("div", { class: "image-frame" }, h("div", { class: "image-box" }, img, overlay));
}

/** Marks finding `i`'s highlights on the picture as current and brings them into view. */
export function selectInPicture(root: HTMLElement, i: number): void {
  for (const el of root.querySelectorAll(".image-overlay .hl")) {
    el.classList.toggle("current", (el as HTMLElement).dataset["finding"] === String(i));
  }
  root.querySelector(".image-overlay .hl.current")?.scrollIntoView({ block: "nearest" });
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
