/** UI strings: _locales (keys "ui_<key>") first, the English defaults of strings.js when missing. */
import { STRINGS } from "./strings.js";

const api = globalThis.browser ?? globalThis.chrome;

/** The UI string `key` with $1, $2… replaced by `subs`. */
export function t(key, ...subs) {
  const values = subs.map(String);
  let text = "";
  try {
    text = api?.i18n?.getMessage?.(`ui_${key}`, values) ?? "";
  } catch {
    text = ""; // the extension was reloaded under this page; English still works
  }
  if (text) return text;
  const fallback = STRINGS[key];
  if (fallback === undefined) return key;
  return fallback.replace(/\$(\d)/g, (_, n) => values[Number(n) - 1] ?? "");
}

/** The UI language ("en", "de" …) the browser uses for our strings. */
export function uiLanguage() {
  try {
    return (api?.i18n?.getUILanguage?.() ?? "en").slice(0, 2);
  } catch {
    return "en";
  }
}

/** Like t(), but `fallback` when there is no string for the key (e.g. a new Amazon code). */
export function tOr(key, fallback) {
  const text = t(key);
  return text === key ? fallback : text;
}
