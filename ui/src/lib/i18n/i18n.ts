// Looking up UI strings in the current language. Switching language notifies listeners, which
// re-render; nothing is cached in another language.
import { LANGS, STRINGS, type Lang } from "./strings";

let current: Lang = "en";
const listeners = new Set<() => void>();

export function language(): Lang {
  return current;
}

export function setLanguage(lang: Lang): void {
  if (lang === current) return;
  current = lang;
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const fn of listeners) fn();
}

export function onLanguageChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The initial language: the system's, if it is one we have. */
export function detectLanguage(navigatorLanguage: string | undefined): Lang {
  const code = (navigatorLanguage ?? "").toLowerCase().slice(0, 2);
  return (LANGS as readonly string[]).includes(code) ? (code as Lang) : "en";
}

/** Fills `{name}` placeholders. */
export function format(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/**
 * The string for `key` in the current language. Keys are often built from backend values
 * (`category.${c}`), so an unknown key returns itself instead of throwing.
 */
export function t(key: string, vars?: Record<string, string | number>): string {
  const entry = (STRINGS as Record<string, Record<Lang, string>>)[key];
  return entry ? format(entry[current], vars) : key;
}
