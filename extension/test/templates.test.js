import assert from "node:assert/strict";
import { test } from "node:test";
import { LANGUAGES } from "../src/shared/domain.js";
import {
  DEFAULT_TEMPLATES, PLACEHOLDERS, TEMPLATE_KEYS, reasonText, renderReply, resolveLanguage, unknownPlaceholders,
} from "../src/shared/templates.js";

const refund = { kind: "refund", amount: "14.03", currency: "USD", reason: "CustomerReturn", confirmation: "SPD-7Q3M9Z8X", orderId: "113-4820571-0038214" };

test("every language has every template, using only known placeholders", () => {
  assert.deepEqual(LANGUAGES, ["en", "de", "fr", "es", "it", "ja"]);
  for (const lang of LANGUAGES) {
    for (const key of TEMPLATE_KEYS) {
      const text = DEFAULT_TEMPLATES[lang][key];
      assert.ok(text.includes("{orderId}") && text.includes("{confirmation}"), `${lang}.${key}`);
      assert.deepEqual(unknownPlaceholders(text), [], `${lang}.${key}`);
    }
    assert.ok(DEFAULT_TEMPLATES[lang].refund.includes("{amount}"));
    assert.ok(DEFAULT_TEMPLATES[lang].cancel.includes("{items}"));
  }
  assert.deepEqual(Object.keys(PLACEHOLDERS).sort(), ["amount", "confirmation", "items", "orderId", "reason"]);
});

test("a refund reply in English states amount, reason, reference and Amazon's usual timing", () => {
  const text = renderReply({ ...refund, language: "en" });
  assert.match(text, /refund of \$14\.03 for your order 113-4820571-0038214 \(returned item\)/);
  assert.match(text, /3-5 business days/);
  assert.match(text, /Reference: SPD-7Q3M9Z8X$/);
});

test("amounts are localised, yen without decimals", () => {
  assert.match(renderReply({ ...refund, language: "de", amount: "12.50", currency: "EUR" }).replace(/\s/g, " "), /Erstattung über 12,50 € veranlasst \(Rücksendung\)/);
  assert.match(renderReply({ ...refund, language: "fr", amount: "12.50", currency: "EUR" }).replace(/\s/g, " "), /12,50 €/);
  const ja = renderReply({ ...refund, language: "ja", amount: "1200", currency: "JPY" });
  assert.match(ja, /￥1,200 の返金/);
  assert.doesNotMatch(ja, /1,200\.00/);
});

test("a cancel reply lists the items and no amount", () => {
  const text = renderReply({ kind: "cancel", language: "es", reason: "BuyerCanceled", confirmation: "SPD-1", orderId: "112-3061948-7714025",
    items: [{ title: "Stoneware mug, blue", quantity: 2 }, { title: "Coaster", quantity: 1 }] });
  assert.match(text, /pedido 112-3061948-7714025 \(a petición suya\)/);
  assert.match(text, /- Stoneware mug, blue × 2\n- Coaster × 1/);
});

test("overrides per language replace the default; blank overrides do not", () => {
  const overrides = { en: { refund: "Refunded {amount} ({reason}) – {confirmation} {unknown}" }, de: { refund: "  " } };
  assert.equal(renderReply({ ...refund, language: "en" }, overrides), "Refunded $14.03 (returned item) – SPD-7Q3M9Z8X {unknown}");
  assert.equal(renderReply({ ...refund, language: "de" }, overrides), renderReply({ ...refund, language: "de" }));
  assert.deepEqual(unknownPlaceholders(overrides.en.refund), ["unknown"]);
});

test("language: the agent's choice, else the marketplace's, else English", () => {
  assert.equal(resolveLanguage("auto", "de"), "de");
  assert.equal(resolveLanguage("fr", "de"), "fr");
  assert.equal(resolveLanguage("auto", "pt"), "en");
  assert.equal(resolveLanguage(undefined, undefined), "en");
  assert.equal(renderReply({ ...refund, language: "xx" }), renderReply({ ...refund, language: "en" }));
});

test("every Amazon reason maps to a buyer-facing phrase in every language", () => {
  for (const lang of LANGUAGES) {
    for (const reason of ["CustomerReturn", "NoInventory", "BuyerCanceled", "PricingError", "Other", "SomethingNew"]) {
      assert.ok(reasonText(reason, lang).length > 1, `${lang} ${reason}`);
    }
  }
  assert.throws(() => renderReply({ ...refund, kind: "exchange", language: "en" }), /Unknown reply template/);
});

test("templates stay policy-safe: no promised dates and no buyer data placeholders", () => {
  for (const lang of LANGUAGES) {
    for (const key of TEMPLATE_KEYS) {
      const text = DEFAULT_TEMPLATES[lang][key];
      assert.doesNotMatch(text, /\{(name|email|address|phone|buyer)\w*\}/i);
      assert.doesNotMatch(text, /\b(today|tomorrow|guarantee)\b/i);
    }
  }
});
