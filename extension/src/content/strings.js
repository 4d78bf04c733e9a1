/** The few sentences the content script shows itself (badge titles and hints), localised. */
import { extensionApi } from "../shared/ext.js";

/** English defaults; _locales/<lang>/messages.json holds them as "ui_<key>". */
export const CONTENT_STRINGS = Object.freeze({
  badgeTitle: "Show Amazon order $1 in the spdesk side panel",
  hintShortcut: "Open the spdesk side panel with $1 or the spdesk toolbar button.",
  hintToolbar: "Open the spdesk side panel from the spdesk toolbar button.",
});

/** The sentence `key` with $1… replaced; English when the extension is gone (reloaded under the page). */
export function text(key, ...subs) {
  const values = subs.map(String);
  try {
    const localised = extensionApi()?.i18n?.getMessage?.(`ui_${key}`, values);
    if (localised) return localised;
  } catch {
    // the extension was reloaded under this page: English still works
  }
  return (CONTENT_STRINGS[key] ?? key).replace(/\$(\d)/g, (_, n) => values[Number(n) - 1] ?? "");
}
