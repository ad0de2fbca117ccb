// Settings: the watchlist used for scans, the interface language, and facts about this install.
import { h } from "../../components/dom";
import { language, t } from "../../lib/i18n/i18n";
import { LANGS, type Lang } from "../../lib/i18n/strings";
import type { AppInfo } from "../../lib/backend/types";

export interface SettingsActions {
  chooseWatchlist(): void;
  clearWatchlist(): void;
  setLanguage(l: Lang): void;
}

export function renderSettings(info: AppInfo, act: SettingsActions): HTMLElement {
  const choose = h("button", { type: "button", "data-testid": "choose-watchlist" }, t("settings.choose"));
  choose.addEventListener("click", () => act.chooseWatchlist());
  const clearBtn = h("button", { type: "button" }, t("settings.clear"));
  clearBtn.disabled = info.rules === null;
  clearBtn.addEventListener("click", () => act.clearWatchlist());
  const lang = h("select", { "data-testid": "settings-language" });
  for (const l of LANGS) {
    const o = h("option", { value: l }, l === "en" ? "English" : "中文");
    if (l === language()) o.selected = true;
    lang.appendChild(o);
  }
  lang.addEventListener("change", () => act.setLanguage(lang.value as Lang));
  return h(
    "div",
    { class: "settings", "data-testid": "settings" },
    h("h2", {}, t("settings.title")),
    h(
      "dl",
      {},
      h("dt", {}, t("settings.watchlist")),
      h("dd", {}, h("span", { class: "mono" }, info.rules ?? t("settings.none")), " ", choose, " ", clearBtn, h("div", { class: "muted small" }, t("settings.watchlistNote"))),
      h("dt", {}, t("app.language")),
      h("dd", {}, lang),
      h("dt", {}, t("settings.database")),
      h("dd", { class: "mono" }, info.dbPath),
      h("dt", {}, t("settings.version")),
      h("dd", {}, info.version),
    ),
  );
}
