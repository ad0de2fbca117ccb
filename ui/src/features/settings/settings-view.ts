// Settings: watchlist, intake folder, worker limits and interface language, saved to
// settings.toml (shared with the CLI); plus facts about this install.
import { h } from "../../components/dom";
import { language, t } from "../../lib/i18n/i18n";
import { LANGS, type Lang } from "../../lib/i18n/strings";
import type { AppInfo, SettingsInput } from "../../lib/backend/types";

export interface SettingsActions {
  /** Opens the file dialog; resolves to the chosen watchlist or null. */
  pickWatchlist(): Promise<string | null>;
  /** Opens the folder dialog; resolves to the chosen folder or null. */
  pickFolder(): Promise<string | null>;
  save(s: SettingsInput): void;
}

/** A positive whole number from a form field, or null when blank (the default applies). */
export function parseCount(text: string): number | null | "invalid" {
  const v = text.trim();
  if (v === "") return null;
  if (!/^\d+$/.test(v)) return "invalid";
  const n = Number(v);
  return Number.isSafeInteger(n) && n > 0 ? n : "invalid";
}

/** The form's values as what `save_settings` takes; the field name of the first bad number. */
export function settingsInput(f: {
  watchlist: string;
  intakeFolder: string;
  timeoutSecs: string;
  memoryMib: string;
  parallelism: string;
  language: string;
}): SettingsInput | { invalid: string } {
  const blank = (s: string): string | null => (s.trim() === "" ? null : s.trim());
  const timeoutSecs = parseCount(f.timeoutSecs);
  if (timeoutSecs === "invalid") return { invalid: "timeoutSecs" };
  const memoryMib = parseCount(f.memoryMib);
  if (memoryMib === "invalid") return { invalid: "memoryMib" };
  const parallelism = parseCount(f.parallelism);
  if (parallelism === "invalid") return { invalid: "parallelism" };
  return { watchlist: blank(f.watchlist), intakeFolder: blank(f.intakeFolder), timeoutSecs, memoryMib, parallelism, language: blank(f.language) };
}

export function renderSettings(info: AppInfo, act: SettingsActions, onInvalid: (field: string) => void): HTMLElement {
  const text = (testid: string, value: string | null): HTMLInputElement => {
    const i = h("input", { type: "text", class: "mono wide", "data-testid": testid });
    i.value = value ?? "";
    return i;
  };
  // Blank = not set in the file: the value in force is shown as the placeholder.
  const num = (testid: string, saved: number | null, inForce: number): HTMLInputElement => {
    const i = h("input", { type: "text", inputmode: "numeric", size: "8", placeholder: String(inForce), "data-testid": testid });
    i.value = saved === null ? "" : String(saved);
    return i;
  };
  const watchlist = text("settings-watchlist", info.saved.watchlist);
  watchlist.placeholder = info.rules ?? ""; // e.g. --rules, in force but not in the file
  const choose = h("button", { type: "button", "data-testid": "choose-watchlist" }, t("settings.choose"));
  choose.addEventListener("click", () => void act.pickWatchlist().then((p) => p !== null && (watchlist.value = p)));
  const folder = text("settings-intake-folder", info.saved.intakeFolder);
  const chooseFolder = h("button", { type: "button", "data-testid": "choose-intake-folder" }, t("settings.chooseFolder"));
  chooseFolder.addEventListener("click", () => void act.pickFolder().then((p) => p !== null && (folder.value = p)));
  const timeout = num("settings-timeout", info.saved.timeoutSecs, info.limits.timeoutSecs);
  const memory = num("settings-memory", info.saved.memoryMib, info.limits.memoryMib);
  const parallel = num("settings-parallelism", info.saved.parallelism, info.limits.parallelism);
  const lang = h("select", { "data-testid": "settings-language" });
  for (const l of LANGS) {
    const o = h("option", { value: l }, l === "en" ? "English" : "中文");
    if (l === language()) o.selected = true;
    lang.appendChild(o);
  }
  const save = h("button", { type: "button", class: "primary", "data-testid": "settings-save" }, t("settings.save"));
  save.addEventListener("click", () => {
    const input = settingsInput({
      watchlist: watchlist.value,
      intakeFolder: folder.value,
      timeoutSecs: timeout.value,
      memoryMib: memory.value,
      parallelism: parallel.value,
      language: lang.value as Lang,
    });
    if ("invalid" in input) onInvalid(input.invalid);
    else act.save(input);
  });
  const root = h("div", { class: "settings", "data-testid": "settings" }, h("h2", {}, t("settings.title")));
  if (info.settingsError) {
    root.appendChild(h("p", { class: "error", "data-testid": "settings-error" }, t("settings.fileError", { reason: info.settingsError })));
  }
  root.appendChild(
    h(
      "dl",
      {},
      h("dt", {}, t("settings.watchlist")),
      h("dd", {}, watchlist, " ", choose, h("div", { class: "muted small" }, t("settings.watchlistNote"))),
      h("dt", {}, t("settings.intakeFolder")),
      h("dd", {}, folder, " ", chooseFolder, h("div", { class: "muted small" }, t("settings.intakeFolderNote"))),
      h("dt", {}, t("settings.timeout")),
      h("dd", {}, timeout),
      h("dt", {}, t("settings.memory")),
      h("dd", {}, memory),
      h("dt", {}, t("settings.parallelism")),
      h("dd", {}, parallel, h("div", { class: "muted small" }, t("settings.parallelismNote"))),
      h("dt", {}, t("app.language")),
      h("dd", {}, lang),
      h("dt", {}, ""),
      h("dd", {}, save),
      h("dt", {}, t("settings.file")),
      h("dd", { class: "mono", "data-testid": "settings-path" }, info.settingsPath),
      h("dt", {}, t("settings.database")),
      h("dd", { class: "mono" }, info.dbPath),
      h("dt", {}, t("settings.version")),
      h("dd", {}, info.version),
    ),
  );
  return root;
}
