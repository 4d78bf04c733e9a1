/** UI strings: _locales (keys "ui_<key>") first, the English defaults of strings.js when missing. */
import { extensionApi } from "../shared/ext.js";
import { STRINGS } from "./strings.js";

/** The browser's translation of a message, or "" (none, or the extension reloaded under us). */
function localised(key, values) {
  try {
    return extensionApi()?.i18n?.getMessage?.(key, values) ?? "";
  } catch {
    return "";
  }
}

/** The browser's own message `key` (not a "ui_" string), or "" when it has none. */
export function message(key, ...subs) {
  return localised(key, subs.map(String));
}

/** The UI string `key` with $1, $2… replaced by `subs`. */
export function t(key, ...subs) {
  const values = subs.map(String);
  const text = localised(`ui_${key}`, values);
  if (text) return text;
  const fallback = STRINGS[key];
  if (fallback === undefined) return key;
  return fallback.replace(/\$(\d)/g, (_, n) => values[Number(n) - 1] ?? "");
}

/** The UI language ("en", "de" …) the browser uses for our strings. */
export function uiLanguage() {
  try {
    return (extensionApi()?.i18n?.getUILanguage?.() ?? "en").slice(0, 2);
  } catch {
    return "en";
  }
}

/** Like t(), but `fallback` when there is no string for the key (e.g. a new Amazon code). */
export function tOr(key, fallback, ...subs) {
  const text = t(key, ...subs);
  return text === key ? fallback : text;
}
