/**
 * One source per list: the domain lists of src/shared/domain.js tied to the locales, the reply
 * templates, the dialogs, the side panel's strings and the companion's source.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";
import { CONTENT_STRINGS } from "../src/content/strings.js";
import { CANCEL_REASONS, COMPONENT_TYPES, LANGUAGES, ORDER_ID_SOURCE, REFUND_COMPONENTS, REFUND_REASONS, isOrderId } from "../src/shared/domain.js";
import { DEFAULT_TEMPLATES, REASON_GROUP, REASON_TEXT } from "../src/shared/templates.js";
import { COMPANION_CODES, companionKeys, companionWords } from "../src/shared/companion-text.js";
import { formatMoney } from "../src/shared/money.js";
import { approvalText, errorText, historyText, outcomeText, reasonText, warningText } from "../src/sidepanel/companion-text.js";
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
  // What the simulated Finances reports as refunded (the companion passes its charge types on).
  const charges = source("spdesk_sandbox/finances.py").match(/CHARGE_TYPES = \{([^}]*)\}/);
  assert.ok(charges, "CHARGE_TYPES in spdesk_sandbox/finances.py");
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

/** The text of a Python call starting at `from` (the opening parenthesis), brackets balanced. */
function callText(text, from) {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return text.slice(from + 1, i);
  }
  throw new Error(`unbalanced call at ${from}`);
}

/** One `"code": Code(...) | _cases(...) | _cli(...)` entry of companion/codes.py: its params and cases. */
function codeEntry(kind, args) {
  const [first, named = ""] = args.split(/\bparams=/);
  if (kind === "_cli") return { params: quoted(first), cases: [], cli: true };
  if (kind === "_cases") return { params: ["case", ...quoted(named)], cases: quoted(first), cli: false };
  const tuples = [...args.matchAll(/\(([^()]*)\)/g)].map((m) => quoted(m[1]));
  return { params: tuples[0] ?? [], cases: tuples[1] ?? [], cli: /cli=True/.test(args) };
}

/** companion/codes.py's catalogues: {error|reason|outcome|warning|history|approval: {code: {params, cases, cli}}}. */
function companionCatalogues() {
  const text = source("companion/codes.py");
  const dict = (name) => {
    const at = text.indexOf(`${name}: dict[str, Code] = {`);
    assert.ok(at >= 0, `${name} in companion/codes.py`);
    const line = text.slice(at, text.indexOf("\n", at)); // a one-line dict ends on its own line
    const body = line.endsWith("}") ? line : text.slice(at, text.indexOf("\n}\n", at));
    const codes = {};
    for (const m of body.matchAll(/"(\w+)": (Code|_cases|_cli)\(/g)) {
      codes[m[1]] = codeEntry(m[2], callText(body, m.index + m[0].length - 1));
    }
    return codes;
  };
  const literal = (name) => quoted(text.match(new RegExp(`${name} = Literal\\[([^\\]]*)\\]`))[1]);
  const reasons = Object.fromEntries(literal("ReasonCode").map((code) => [code, { params: [], cases: [], cli: false }]));
  const overrides = text.slice(text.indexOf("REASONS: dict[str, Code]"), text.indexOf("# What became of an action"));
  for (const m of overrides.matchAll(/"(\w+)": (Code|_cases)\(/g)) reasons[m[1]] = codeEntry(m[2], callText(overrides, m.index + m[0].length - 1));
  return {
    error: dict("ERRORS"), reason: reasons, outcome: dict("OUTCOMES"), warning: dict("WARNINGS"), history: dict("HISTORY"),
    approval: dict("APPROVALS"),
  };
}

test("every code and case the companion sends is worded in every language, from the params it sends", () => {
  const catalogues = companionCatalogues();
  assert.ok(Object.keys(catalogues.error).length > 40 && catalogues.reason.fba_order, "companion/codes.py was read");
  const missing = [];
  for (const [catalogue, codes] of Object.entries(catalogues)) {
    for (const [code, { params, cases, cli }] of Object.entries(codes)) {
      if (cli) continue;
      const spec = COMPANION_CODES[catalogue][code];
      if (!spec) {
        missing.push(`${catalogue}.${code}`);
        continue;
      }
      for (const which of cases) if (!Array.isArray(spec) && !spec[which]) missing.push(`${catalogue}.${code} case ${which}`);
      const specs = Array.isArray(spec) ? spec : Object.values(spec).flat();
      for (const name of specs.map((p) => p.split(":")[0])) assert.ok(params.includes(name), `${catalogue}.${code} has no param ${name}`);
      if (specs.some((p) => p.endsWith(":money"))) assert.ok(params.includes("currency"), `${catalogue}.${code}: money without currency`);
    }
  }
  assert.deepEqual(missing, [], "add them to COMPANION_CODES (src/shared/companion-text.js) and the locales");
  // Nothing worded that the companion no longer sends.
  for (const [catalogue, codes] of Object.entries(COMPANION_CODES)) {
    for (const code of Object.keys(codes)) assert.ok(catalogues[catalogue][code], `${catalogue}.${code} is not in companion/codes.py`);
  }
});

test("each code's sentence has exactly its parameters' slots, in every language", () => {
  for (const [key, specs] of companionKeys()) {
    assert.equal(slots(STRINGS[key] ?? ""), specs.map((_, i) => `$${i + 1}`).join(","), key);
    for (const lang of LANGUAGES) assert.equal(slots(locale(lang)[`ui_${key}`]?.message ?? ""), slots(STRINGS[key]), `${lang}: ${key}`);
  }
});

test("a known code is worded from its parameters; an unknown one, or one missing a parameter, keeps the English", () => {
  const err = (code, params, message = "English") => errorText({ code, params, message });
  assert.equal(err("refund_total_changed", { expected: "44.24", actual: "31.25", currency: "USD" }),
    "The amount to refund changed from $44.24 to $31.25 since the dialog was opened. Check the amounts and confirm the new total.");
  assert.equal(err("refund_total_changed", { expected: "44.24" }), "English");
  assert.equal(err("brand_new_code", {}, "New English sentence."), "New English sentence.");
  assert.equal(err("refund_exceeds_refundable", { component: "ShippingTax", refundable: "0.40", asked: "1.00", currency: "USD" }),
    "Shipping tax can be refunded up to $0.40; $1.00 was asked.");
  assert.equal(err("invalid_amount", { field: "1234 Principal", text: "1,5" }), "Item 1234, Item price: “1,5” is not an amount of money.");
  assert.equal(warningText({ code: "amazon_warning", message: "5001: Below 1 USD." }), "Amazon accepted it with a remark: Below 1 USD.");
  // The background's own codes use its _locales sentence (none in this test), else its English.
  assert.equal(err("not_paired", {}, "English not paired"), "English not paired");
});

test("a code with cases says the case's sentence; without a known case, a bare sentence or the English", () => {
  const err = (code, params, message = "English") => errorText({ code, params, message });
  assert.equal(err("already_cancelled", { case: "item", orderItemCode: "5550" }), "Item 5550 is already cancelled.");
  assert.equal(err("already_cancelled", { case: "brand_new" }), "English");
  assert.equal(err("order_not_found", { orderId: "113-4820571-0038214", account: "eu" }),
    "Amazon does not know the order 113-4820571-0038214 for the seller account “eu”.");
  assert.equal(err("order_not_found", {}), STRINGS.co_error_order_not_found_bare);
  assert.equal(err("overlap_needs_confirmation", { case: "applied", total: "10.00", currency: "USD", confirmation: "SPD-1" }),
    "A refund of $10.00 for the same items was applied minutes ago (SPD-1). If this is really a second refund, confirm it.");
});

test("the same code reads right for a refund and for a cancel, and a refusal says the order view's reason", () => {
  assert.equal(reasonText({ code: "order_cancelled", params: {}, reason: "x" }, "refund"), STRINGS.co_reason_order_cancelled_refund);
  assert.equal(reasonText({ code: "order_cancelled", params: {}, reason: "x" }, "cancel"), STRINGS.co_reason_order_cancelled_cancel);
  assert.equal(errorText({ code: "refund_not_available", params: { reason: "order_cancelled" }, message: "x" }), STRINGS.co_reason_order_cancelled_refund);
  assert.equal(errorText({ code: "cancel_not_available", params: { case: "view", reason: "status_not_cancellable", status: "InvoiceUnconfirmed" }, message: "x" }),
    "Amazon does not allow cancelling an order in status InvoiceUnconfirmed.");
  assert.equal(errorText({ code: "refund_not_available", params: { reason: "" }, message: "x" }), STRINGS.co_error_refund_not_available);
  // A full refund refused for Amazon's disagreeing totals says the view's reason, with its case.
  const mismatch = { case: "item", orderItemCode: "5550", reported: "10.00", atMost: "8.00", currency: "USD" };
  assert.equal(errorText({ code: "full_refund_not_available", params: { reason: "amounts_mismatch", ...mismatch }, message: "x" }),
    reasonText({ code: "amounts_mismatch", params: mismatch, reason: "y" }, "refund"));
  assert.match(reasonText({ code: "amounts_mismatch", params: mismatch }, "refund"), /^Amazon's total for item 5550 \(\$10\.00\).*at most \$8\.00 there/);
  // And for a remainder too small to send once the tax is taken out, naming the item.
  const tooSmall = { orderItemCode: "5550" };
  assert.equal(errorText({ code: "full_refund_not_available", params: { reason: "full_too_small", ...tooSmall }, message: "x" }),
    reasonText({ code: "full_too_small", params: tooSmall, reason: "y" }, "refund"));
  assert.match(reasonText({ code: "full_too_small", params: tooSmall }, "refund"), /^Item 5550: what is left of it is too small/);
  // Words from short lists are words, not codes; an unknown one is shown as sent.
  assert.match(errorText({ code: "tax_included", params: { component: "Tax", taxLabel: "consumption_tax" } }), /include tax \(consumption tax\)/);
  assert.equal(errorText({ code: "approval_not_pending", params: { decision: "rejected" } }), "This refund was already rejected.");
  assert.equal(errorText({ code: "approval_not_pending", params: { decision: "withdrawn" } }), "This refund was already withdrawn.");
});

test("outcomes and history entries are worded from their own catalogues", () => {
  assert.equal(outcomeText({ code: "mcf_cancelled", params: { fulfillmentOrderId: "113-4820571-0038214" }, description: "x" }),
    "Amazon cancelled fulfillment order 113-4820571-0038214.");
  assert.equal(reasonText({ code: "mcf_cancelled", params: {}, reason: "x" }, "cancel"), "This fulfillment order is already cancelled.");
  assert.equal(outcomeText({ code: "create_feed_undecided", params: { case: "several_feeds", feedIds: "50001, 50002" }, description: "x" }),
    STRINGS.co_outcome_create_feed_undecided_several_feeds.replace("$1", "50001, 50002"));
  assert.equal(historyText({ state: "succeeded", code: "resolved", params: { case: "applied", by: "Dana", note: "" } }),
    "Resolved by Dana: Amazon applied it (checked in Seller Central).");
  assert.equal(historyText({ state: "sending" }), "");
});

test("why a refund waits for an approver is worded from its code, money in its currency; without a code its English", () => {
  const perDay = { case: "per_day", agent: "Ann", limit: "250.00", spent: "190.00", currency: "EUR" };
  const english = "over Ann's limit of 250.00 EUR per day (190.00 EUR refunded in the last 24 hours)";
  const approval = (whyCode, whyParams, why = english) => ({ state: "pending", why, whyCode, whyParams });
  assert.equal(approvalText(approval("over_limit", perDay)), "Over Ann's limit of €250.00 per day (€190.00 refunded in the last 24 hours).");
  assert.equal(approvalText(approval("over_limit", { case: "per_refund", agent: "Tom", limit: "10000", currency: "JPY" })), "Over Tom's limit of ¥10,000 per refund.");
  assert.equal(approvalText(approval("over_limit", { case: "no_limit", agent: "Tom", currency: "GBP" })), "Tom has no refund limit in GBP.");
  // Requests recorded before the code existed, a case this panel does not know, a missing amount.
  assert.equal(approvalText(approval(null, {})), english);
  assert.equal(approvalText(approval(undefined, undefined)), english);
  assert.equal(approvalText(approval("over_limit", { ...perDay, case: "per_week" })), english);
  assert.equal(approvalText(approval("over_limit", { ...perDay, spent: undefined })), english);
  assert.equal(approvalText(null), "");
  // In German, from _locales/de, with German money.
  const de = locale("de");
  const t = (key, ...values) => de[`ui_${key}`]?.message.replace(/\$(\d)/g, (_, n) => values[n - 1]) ?? key;
  const words = companionWords({ t, money: (amount, currency) => formatMoney(amount, currency, "de"), componentLabel: String });
  assert.equal(words.approvalText(approval("over_limit", perDay)),
    `Über dem Tageslimit von Ann: ${formatMoney("250.00", "EUR", "de")} pro Tag (${formatMoney("190.00", "EUR", "de")} in den letzten 24 Stunden erstattet).`);
  assert.match(words.approvalText(approval("over_limit", perDay)), /250,00\s€ pro Tag \(190,00\s€/);
  assert.equal(words.approvalText(approval(null, {})), english);
});

test("the lists match the companion's vocabulary (Amazon's schema), PricingError left out on purpose", () => {
  const vocabulary = source("companion/vocabulary.py");
  const literal = (name) => quoted(vocabulary.match(new RegExp(`${name} = Literal\\[([^\\]]*)\\]`))[1]);
  assert.deepEqual([...REFUND_REASONS].sort(), literal("RefundReason").sort());
  assert.deepEqual([...CANCEL_REASONS].sort(), literal("CancelReason").filter((r) => r !== "PricingError").sort());
  assert.deepEqual([...REFUND_COMPONENTS], literal("RefundComponent"));
  assert.equal(vocabulary.match(/ORDER_ID_PATTERN = r"([^"]+)"/)[1], "[0-9]{3}-[0-9]{7}-[0-9]{7}");
  assert.ok(ORDER_ID_SOURCE.includes("[0-9]{3}-[0-9]{7}-[0-9]{7}"));
});
