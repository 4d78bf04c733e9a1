/** The reply template editor: defaults per language, an override per template, reset to default. */

import { LANGUAGES } from "../shared/domain.js";
import { DEFAULT_TEMPLATES, PLACEHOLDERS, TEMPLATE_KEYS, unknownPlaceholders } from "../shared/templates.js";
import { h, say, t } from "./page.js";

/** A language's name in that language (e.g. "Deutsch"), for the language pickers. */
export function languageName(lang) {
  try {
    const name = new Intl.DisplayNames([lang], { type: "language" }).of(lang);
    return name.charAt(0).toUpperCase() + name.slice(1);
  } catch {
    return lang;
  }
}

/** The label of a template key ("refund" → localised "Refund"). */
function keyLabel(key) {
  const text = t(`optTemplate_${key}`);
  return text === `optTemplate_${key}` ? key : text;
}

/** Keeps only texts that differ from the default, so later default improvements still reach users. */
export function overridesFrom(language, values, current) {
  const next = structuredClone(current ?? {});
  const perLang = {};
  for (const key of TEMPLATE_KEYS) {
    const text = (values[key] ?? "").replace(/\r\n/g, "\n");
    if (text.trim() && text !== DEFAULT_TEMPLATES[language]?.[key]) perLang[key] = text;
  }
  if (Object.keys(perLang).length) next[language] = perLang;
  else delete next[language];
  return next;
}

/**
 * Wires the editor. `getTemplates()` returns the stored overrides, `save(overrides)` stores them,
 * `language` is the one shown first.
 */
export function setupTemplateEditor(doc, { getTemplates, save, language = "en" }) {
  const form = doc.getElementById("templates-form");
  const picker = doc.getElementById("template-language");
  const fields = doc.getElementById("template-fields");
  const message = doc.getElementById("templates-message");
  picker.replaceChildren(...LANGUAGES.map((lang) => h("option", { value: lang, lang }, languageName(lang))));
  // Start with the language the agent replies in, when they chose one.
  picker.value = LANGUAGES.includes(language) ? language : "en";
  doc.getElementById("template-placeholders").textContent = t("optTemplatePlaceholders", [
    Object.keys(PLACEHOLDERS).map((p) => `{${p}}`).join(", "),
  ]);

  function field(lang, key, overrides) {
    const id = `template-${key}`;
    const custom = overrides?.[lang]?.[key];
    const area = h("textarea", { id, name: key, lang, spellcheck: true, value: custom ?? DEFAULT_TEMPLATES[lang][key] });
    const badge = h("span", { className: "badge", hidden: custom === undefined }, t("optTemplateCustom"));
    const reset = h("button", { type: "button", className: "secondary", "aria-describedby": `${id}-label` }, t("optTemplateReset"));
    const warn = h("p", { className: "status", role: "alert", hidden: true, "data-kind": "warn" });
    reset.addEventListener("click", () => {
      area.value = DEFAULT_TEMPLATES[lang][key];
      area.dispatchEvent(new area.ownerDocument.defaultView.Event("input"));
      area.focus();
    });
    area.addEventListener("input", () => {
      badge.hidden = area.value === DEFAULT_TEMPLATES[lang][key];
      const unknown = unknownPlaceholders(area.value);
      say(warn, unknown.length ? t("optTemplateUnknown", [unknown.map((p) => `{${p}}`).join(", ")]) : "", "warn");
    });
    return h("div", { className: "template" },
      h("div", { className: "template-head" }, h("label", { htmlFor: id, id: `${id}-label` }, keyLabel(key)), badge),
      area, warn, h("div", { className: "row" }, reset));
  }

  async function render() {
    const overrides = await getTemplates();
    fields.replaceChildren(...TEMPLATE_KEYS.map((key) => field(picker.value, key, overrides)));
  }

  picker.addEventListener("change", () => {
    say(message, "");
    render();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(TEMPLATE_KEYS.map((key) => [key, form.elements[key].value]));
    await save(overridesFrom(picker.value, values, await getTemplates()));
    say(message, t("optTemplatesSaved"), "ok");
    await render();
  });
  return render();
}
