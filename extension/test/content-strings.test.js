/**
 * One source per list: the domain lists of src/shared/domain.js tied to the locales, the reply
 * templates, the dialogs, the side panel's strings and the companion's source.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { test } from "node:test";
import { CONTENT_STRINGS } from "../src/content/strings.js";
import { CANCEL_REASONS, COMPONENT_TYPES, LANGUAGES, ORDER_ID_SOURCE, REFUND_REASONS, isOrderId } from "../src/shared/domain.js";
import { DEFAULT_TEMPLATES, REASON_GROUP, REASON_TEXT } from "../src/shared/templates.js";
import { COMPANION_CODES, companionText } from "../src/sidepanel/companion-text.js";
import { componentKey, componentLabel } from "../src/sidepanel/format.js";
import { STRINGS } from "../src/sidepanel/strings.js";
import { sidePanel } from "./helpers/panel.js";

const locale = (lang) => JSON.parse(readFileSync(new URL(`../_locales/${lang}/messages.json`, import.meta.url), "utf8"));
const slots = (text) => [...new Set(text.match(/\$\d/g) ?? [])].sort().join(",");
const source = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const quoted = (text) => [...text.matchAll(/"(\w+)"/g)].map((m) => m[1]);
const ALL_STRINGS = { ...STRINGS, ...CONTENT_STRINGS };

test("the languages are the locales, the templates and the reasons' words", () => {
  const locales = readdirSync(new URL("../_locales/", import.meta.url)).sort();
  assert.deepEqual([...LANGUAGES].sort(), locales);
  assert.deepEqual(Object.keys(DEFAULT_TEMPLATES), [...LANGUAGES]);
  assert.deepEqual(Object.keys(REASON_TEXT), [...LANGUAGES]);
});

for (const lang of LANGUAGES) {
  test(`every side-panel and badge string is in _locales/${lang} as ui_<key>, with the same $n slots`, () => {
    const messages = locale(lang);
    for (const [key, english] of Object.entries(ALL_STRINGS)) {
      const entry = messages[`ui_${key}`];
      assert.ok(entry, `ui_${key} missing in ${lang}`);
      assert.equal(slots(entry.message), slots(english), `ui_${key} in ${lang}`);
      if (lang === "en") assert.equal(entry.message, english, `ui_${key}: strings and _locales/en agree`);
    }
    const stale = Object.keys(messages).filter((k) => k.startsWith("ui_") && !(k.slice(3) in ALL_STRINGS));
    assert.deepEqual(stale, [], `${lang}: ui_ keys nothing uses`);
  });
}

test("the translations are translations: most strings differ from English", () => {
  for (const lang of LANGUAGES.filter((l) => l !== "en")) {
    const messages = locale(lang);
    const same = Object.entries(ALL_STRINGS).filter(([key, english]) => messages[`ui_${key}`].message === english);
    // A few are the same in every language (brand names, "Feed $1", "$1 × $2").
    assert.ok(same.length <= 6, `${lang}: ${same.map(([k]) => k).join(", ")}`);
  }
});

test("every refund and cancel reason has a label in every language and a buyer-facing group", () => {
  const reasons = [...new Set([...REFUND_REASONS, ...CANCEL_REASONS])];
  assert.deepEqual(Object.keys(REASON_GROUP).sort(), [...reasons].sort(), "the reply's reason words cover exactly the lists");
  for (const lang of LANGUAGES) {
    const messages = locale(lang);
    for (const reason of reasons) assert.ok(messages[`ui_reason_${reason}`]?.message, `${lang}: reason ${reason}`);
    for (const group of new Set(Object.values(REASON_GROUP))) assert.ok(REASON_TEXT[lang][group], `${lang}: ${group}`);
  }
  assert.ok(!CANCEL_REASONS.includes("PricingError"), "not a CancelReason in Amazon's schema");
});

test("the dialogs offer exactly the lists' reasons", async () => {
  const t = await sidePanel();
  try {
    const offered = () => t.$$("[role='dialog'] [data-spdesk='reason'] option").map((o) => o.value).filter(Boolean);
    t.$("[data-spdesk='refund']").click();
    assert.deepEqual(offered(), [...REFUND_REASONS]);
    t.$("[data-spdesk='close-form']").click();
    t.$("[data-spdesk='cancel']").click();
    assert.deepEqual(offered(), [...CANCEL_REASONS]);
  } finally {
    await t.done();
  }
});

test("one order-id pattern: ASCII digits 3-7-7, no longer runs, for the whole extension", () => {
  const re = new RegExp(ORDER_ID_SOURCE, "g");
  assert.deepEqual("see 113-4820571-0038214, x".match(re), ["113-4820571-0038214"]);
  for (const decoy of ["1113-4820571-0038214", "113-4820571-00382145", "١١٣-٤٨٢٠٥٧١-٠٠٣٨٢١٤", "113-4820571-0038214-2"]) {
    assert.equal(decoy.match(re), null, decoy);
  }
  assert.equal(isOrderId("113-4820571-0038214"), true);
  assert.equal(isOrderId(" 113-4820571-0038214"), false);
  // No other order-id pattern in the sources.
  for (const file of ["src/content/detect.js", "src/background/handlers.js", "src/background/tabs.js", "src/sidepanel/orderview.js"]) {
    const text = readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
    assert.doesNotMatch(text, /\\d\{3\}-\\d\{7\}|\[0-9\]\{3\}-/, file);
  }
});

/** The first of the paths that exists (the companion's packages move between branches). */
function firstSource(...paths) {
  const found = paths.find((p) => existsSync(new URL(`../../${p}`, import.meta.url)));
  assert.ok(found, paths.join(" or "));
  return source(found);
}

/** Every component type the companion can put in an order view or an action, read from its source. */
function companionComponentTypes() {
  const types = new Set();
  const order = source("companion/amazon/build.py").match(/COMPONENT_ORDER = \(([^)]*)\)/);
  assert.ok(order, "COMPONENT_ORDER in companion/amazon/build.py");
  for (const type of quoted(order[1])) types.add(type);
  const parse = source("companion/amazon/parse.py");
  for (const name of ["BREAKDOWN_COMPONENTS", "TAX_COMPONENTS", "FINANCES_CHARGE_TYPES"]) {
    const body = parse.match(new RegExp(`${name}[^=]*= \\{([^}]*)\\}`));
    assert.ok(body, `${name} in companion/amazon/parse.py`);
    for (const [, value] of body[1].matchAll(/:\s*"(\w+)"/g)) types.add(value);
  }
  // What the simulated Finances reports as refunded (the companion passes its charge types on).
  const charges = firstSource("companion/sandbox/finances.py", "sandbox/finances.py", "spdesk_sandbox/finances.py").match(/CHARGE_TYPES = \{([^}]*)\}/);
  assert.ok(charges, "CHARGE_TYPES in the sandbox's finances.py");
  for (const type of quoted(charges[1])) types.add(type);
  return types;
}

test("COMPONENT_TYPES covers every component the companion can return, each labelled in every language", () => {
  const aliases = new Set(["Giftwrap", "GiftwrapTax", "ShippingCharge", "GiftWrapCharge"]);
  for (const type of companionComponentTypes()) {
    if (!aliases.has(type)) assert.ok(COMPONENT_TYPES.includes(type), `${type} missing from COMPONENT_TYPES`);
    for (const lang of LANGUAGES) assert.ok(locale(lang)[`ui_${componentKey(type)}`]?.message, `${lang}: no label for ${type}`);
  }
  for (const type of COMPONENT_TYPES) assert.ok(STRINGS[`component_${type}`], `component_${type}`);
});

test("a component type nobody knows yet reads as words, not as a code", () => {
  assert.equal(componentLabel("GiftWrapTax"), "Gift wrap tax");
  assert.equal(componentLabel("Giftwrap"), "Gift wrap", "Finances' spelling");
  assert.equal(componentLabel("LoyaltyPointsRefund"), "Loyalty points refund");
});

// Codes the companion raises that never reach the side panel (its command line, its own files).
const CLI_ONLY = new Set(["settings_invalid", "demo_check_failed", "port_busy", "no_journal", "credentials_missing",
  "terminal_required", "resolution_note_too_long", "resolution_by_required", "pairing_not_found", "missing_secret",
  "invalid_date", "invalid_account", "already_running", "action_not_unknown", "accounts_file_invalid",
  "account_not_found", "account_exists", "invalid_request", "not_found", "conflict", "forbidden", "unauthorized",
  "token_revoked", "pairing_locked", "pairing_code_invalid", "origin_not_allowed", "host_not_allowed",
  "method_not_allowed", "payload_too_large", "http_error", "action_refused", "idempotency_key_missing",
  "idempotency_key_invalid", "action_not_found", "refund_not_available", "cancel_not_available"]);

/** Every stable code in the companion's Python source (errors, refusals, warnings). */
function companionCodes() {
  const codes = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = new URL(entry.name + (entry.isDirectory() ? "/" : ""), dir);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".py")) {
        const text = readFileSync(path, "utf8");
        for (const [, code] of text.matchAll(/(?:code=|default_code = |"code": )"([a-z_]+)"/g)) codes.add(code);
      }
    }
  };
  walk(new URL("../../companion/", import.meta.url));
  return codes;
}

test("every code the companion sends to the panel is worded in every language, with its parameters", () => {
  const sent = [...companionCodes()].filter((code) => !CLI_ONLY.has(code));
  const unworded = sent.filter((code) => !Object.hasOwn(COMPANION_CODES, code));
  assert.deepEqual(unworded, [], "add them to COMPANION_CODES and the locales, or to CLI_ONLY");
  for (const [code, params] of Object.entries(COMPANION_CODES)) {
    assert.equal(slots(STRINGS[`co_${code}`] ?? ""), params.map((_, i) => `$${i + 1}`).join(","), code);
  }
});

test("a known code is worded from its parameters; an unknown one, or one missing a parameter, keeps the English", () => {
  assert.equal(companionText("refund_total_changed", { expected: "44.24", actual: "31.25", currency: "USD" }, "English"),
    "The amount to refund changed from $44.24 to $31.25 since the dialog was opened. Check the amounts and confirm the new total.");
  assert.equal(companionText("refund_total_changed", { expected: "44.24" }, "English"), "English");
  assert.equal(companionText("brand_new_code", {}, "New English sentence."), "New English sentence.");
  assert.equal(companionText("refund_exceeds_refundable", { component: "ShippingTax", refundable: "0.40", currency: "USD" }),
    "Shipping tax can be refunded up to $0.40.");
  assert.equal(companionText("amazon_warning", undefined, "5001: Below 1 USD."), "Amazon accepted it with a remark: Below 1 USD.");
});
