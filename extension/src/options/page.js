/** Helpers shared by the extension's own pages (options, popup): localisation and small DOM bits. */

import { companionWords } from "../shared/companion-text.js";
import { extensionApi } from "../shared/ext.js";
import { MESSAGE_KEYS } from "../shared/messages.js";
import { formatMoney } from "../shared/money.js";

/** A localised string from _locales, or the key itself so a missing one is visible, not blank. */
export function t(key, substitutions, ext = extensionApi()) {
  return ext?.i18n?.getMessage(key, substitutions) || key;
}

/**
 * Fills `data-i18n` (text), `data-i18n-label` (aria-label) and `data-i18n-placeholder` attributes,
 * and sets the document language to the browser's UI language.
 */
export function localize(root = document, ext = extensionApi()) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n, undefined, ext);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel, undefined, ext));
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder, undefined, ext);
  setLanguage(root, ext);
}

function setLanguage(root, ext) {
  const lang = ext?.i18n?.getUILanguage?.();
  if (lang && root.documentElement) root.documentElement.lang = lang;
}

/** Creates an element with properties and children. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith("aria-") || key.startsWith("data-") || key === "for" || key === "role") el.setAttribute(key, value);
    else el[key] = value;
  }
  el.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** Shows a message in a status element (text only: never HTML from the companion). */
export function say(el, text, kind = "info") {
  el.textContent = text ?? "";
  el.dataset.kind = kind;
  el.hidden = !text;
}

/** The side panel's string `key` ("ui_<key>" in _locales), or the key itself when there is none. */
function uiText(key, ...values) {
  const text = t(`ui_${key}`, values.map(String));
  return text === `ui_${key}` ? key : text;
}

const companion = companionWords({
  t: uiText,
  money: (amount, currency) => formatMoney(amount, currency, extensionApi()?.i18n?.getUILanguage?.() ?? "en"),
  componentLabel: (type) => {
    const label = uiText(`component_${type}`);
    return label === `component_${type}` ? type : label;
  },
});

/**
 * The sentence for a failed `{ok: false, error}` reply: the background's own codes, then the
 * companion's (pairing refusals…) in the agent's language, else the English it sent.
 */
export function errorText(error) {
  const key = MESSAGE_KEYS[error?.code];
  if (key) return t(key);
  if (!error?.code && !error?.message) return t("errUnexpected");
  return companion.errorText(error);
}
