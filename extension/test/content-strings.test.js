import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { componentKey, componentLabel } from "../src/content/ui/format.js";
import { STRINGS } from "../src/content/ui/strings.js";

const LANGS = ["en", "de", "fr", "es", "it", "ja"];
const locale = (lang) => JSON.parse(readFileSync(new URL(`../_locales/${lang}/messages.json`, import.meta.url), "utf8"));
const slots = (text) => [...new Set(text.match(/\$\d/g) ?? [])].sort().join(",");
const source = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const quoted = (text) => [...text.matchAll(/"(\w+)"/g)].map((m) => m[1]);

for (const lang of LANGS) {
  test(`every in-page UI string is in _locales/${lang} as ui_<key>, with the same $n slots`, () => {
    const messages = locale(lang);
    for (const [key, english] of Object.entries(STRINGS)) {
      const entry = messages[`ui_${key}`];
      assert.ok(entry, `ui_${key} missing in ${lang}`);
      assert.equal(slots(entry.message), slots(english), `ui_${key} in ${lang}`);
      if (lang === "en") assert.equal(entry.message, english, `ui_${key}: strings.js and _locales/en agree`);
    }
  });
}

test("the translations are translations: most strings differ from English", () => {
  for (const lang of LANGS.filter((l) => l !== "en")) {
    const messages = locale(lang);
    const same = Object.entries(STRINGS).filter(([key, english]) => messages[`ui_${key}`].message === english);
    // A few are the same in every language (brand names, "Feed $1", "Multi-Channel Fulfillment").
    assert.ok(same.length <= 5, `${lang}: ${same.map(([k]) => k).join(", ")}`);
  }
});

/** Every component type the companion can put in an order view or an action, read from its source. */
function companionComponentTypes() {
  const types = new Set();
  const vocabulary = source("companion/vocabulary.py");
  for (const list of [/RefundComponent = Literal\[([^\]]*)\]/, /OTHER_COMPONENTS = \(([^)]*)\)/]) {
    const found = vocabulary.match(list);
    assert.ok(found, `${list} in companion/vocabulary.py`);
    for (const type of quoted(found[1])) types.add(type);
  }
  const parse = source("companion/amazon/parse.py");
  for (const name of ["BREAKDOWN_COMPONENTS", "TAX_COMPONENTS", "FINANCES_CHARGE_TYPES"]) {
    const body = parse.match(new RegExp(`${name}[^=]*= \\{([^}]*)\\}`));
    assert.ok(body, `${name} in companion/amazon/parse.py`);
    for (const [, value] of body[1].matchAll(/:\s*"(\w+)"/g)) types.add(value);
  }
  // What the sandbox's Finances reports as refunded (the companion passes its charge types on).
  const charges = source("spdesk_sandbox/finances.py").match(/CHARGE_TYPES = \{([^}]*)\}/);
  assert.ok(charges, "CHARGE_TYPES in spdesk_sandbox/finances.py");
  for (const type of quoted(charges[1])) types.add(type);
  return types;
}

test("every component type the companion can return has a label in every language", () => {
  const types = companionComponentTypes();
  for (const type of ["Principal", "Shipping", "Tax", "ShippingTax", "GiftWrap", "GiftWrapTax", "RestockingFee",
    "RestockingFeeTax", "ReturnShipping", "Goodwill", "COD", "CODTax"]) {
    assert.ok(types.has(type), `${type} read from the companion's source`);
  }
  for (const lang of LANGS) {
    const messages = locale(lang);
    for (const type of types) {
      assert.ok(messages[`ui_${componentKey(type)}`]?.message, `${lang}: no label for component ${type}`);
    }
  }
});

test("a component type nobody knows yet reads as words, not as a code", () => {
  assert.equal(componentLabel("GiftWrapTax"), "Gift wrap tax");
  assert.equal(componentLabel("Giftwrap"), "Gift wrap", "Finances' spelling");
  assert.equal(componentLabel("LoyaltyPointsRefund"), "Loyalty points refund");
});
