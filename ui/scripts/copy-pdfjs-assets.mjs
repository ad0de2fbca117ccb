// Copies pdf.js's character maps, standard fonts, ICC profiles and WASM decoders into
// public/pdfjs/ so they ship inside the app: the viewer never fetches anything remote.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(root, "node_modules", "pdfjs-dist");
const to = join(root, "public", "pdfjs");
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
for (const dir of ["cmaps", "standard_fonts", "iccs", "wasm"]) {
  cpSync(join(from, dir), join(to, dir), { recursive: true });
}
