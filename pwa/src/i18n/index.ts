/** The UI language: zh-CN by default, English on request, remembered in localStorage. */

import { createStore, safeStorage, useStore, type KeyValueStorage } from "../store";
import { en } from "./en";
import { type Catalogue, type MessageKey, zhCN } from "./zh-CN";

export type { Catalogue, MessageKey };
export type Lang = "zh-CN" | "en";
export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

export const LANGS: readonly Lang[] = ["zh-CN", "en"];
export const DEFAULT_LANG: Lang = "zh-CN";
export const catalogues: Record<Lang, Catalogue> = { "zh-CN": zhCN, en };
const LANG_KEY = "tezuo.lang";

/** `{name}` placeholders in a message, for the completeness test. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}

export function format(template: string, vars: Vars = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  return format(catalogues[lang][key] ?? catalogues[DEFAULT_LANG][key] ?? key, vars);
}

export function loadLang(storage: KeyValueStorage = safeStorage): Lang {
  const saved = storage.get(LANG_KEY);
  return LANGS.includes(saved as Lang) ? (saved as Lang) : DEFAULT_LANG;
}

export const langStore = createStore<Lang>(loadLang());

export function setLang(lang: Lang, storage: KeyValueStorage = safeStorage): void {
  storage.set(LANG_KEY, lang);
  langStore.set(lang);
}

export function otherLang(lang: Lang): Lang {
  return lang === "zh-CN" ? "en" : "zh-CN";
}

export function useLang(): Lang {
  return useStore(langStore);
}

export function translator(lang: Lang): Translate {
  return (key, vars) => translate(lang, key, vars);
}

export function useT(): Translate {
  return translator(useLang());
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zhCN, key);
}

/** A role's display name; a role this build does not know yet shows its code rather than nothing. */
export function roleLabel(t: Translate, role: string): string {
  const key = `role.${role}`;
  return isMessageKey(key) ? t(key) : role;
}
