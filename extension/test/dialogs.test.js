/** The money dialogs of the side panel: refund and cancel, submission, outcome, keyboard. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError } from "../src/sidepanel/api.js";
import { panelPerTest } from "./helpers/panel.js";
import { actionOf, usOrder } from "./helpers/orders.js";

const ORDER = "114-7395082-5521640";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const setup = panelPerTest();

/** The refund dialog with partial mode on. */
function partialRefund(t) {
  t.$("[data-spdesk='refund']").click();
  t.$("[data-spdesk='mode-partial']").click();
  t.$("[data-spdesk='mode-partial']").dispatchEvent(new t.window.Event("change", { bubbles: true }));
  return (code, component) => t.$(`input[data-item='${code}'][data-component='${component}']`);
}

const confirmMain = (t) => t.$("[role='dialog'] [data-spdesk='confirm'] .confirm-main").textContent;

test("full refund: preselected, needs a reason, exact total and the order on the button, one submission", async () => {
  const t = await setup();
  t.$("[data-spdesk='refund']").click();
  assert.equal(t.$("[data-spdesk='mode-full']").checked, true);
  const confirm = t.$("[role='dialog'] [data-spdesk='confirm']");
  assert.equal(confirmMain(t), "Refund $44.24 (USD)");
  assert.equal(confirm.querySelector(".confirm-order").textContent, `Order ${ORDER}`, "every confirm names the order");
  assert.equal(confirm.disabled, true, "no reason chosen yet");
  t.choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  assert.equal(confirm.disabled, false);
  confirm.click();
  confirm.click(); // a double click must not submit twice
  await t.settle();
  const refunds = t.of("refund");
  assert.equal(refunds.length, 1);
  assert.match(refunds[0].args.idempotencyKey, UUID);
  assert.deepEqual(refunds[0].args.body, { orderId: ORDER, account: "sandbox", mode: "full", reason: "CouldNotShip", currency: "USD", note: "", expectedTotal: "44.24" });
  assert.equal(t.$("[role='dialog'] [data-spdesk='status']").dataset.state, "submitted");
  assert.match(t.$("[role='dialog'] .result").textContent, /You can close this window/);
  assert.equal(t.document.activeElement, t.$("[role='dialog'] .result"), "focus stays in the dialog");
});

test("the buyer's name is on the confirm button where the order view has it", async () => {
  const t = await setup({ order: usOrder({ buyerName: "Jane Doe" }) });
  assert.equal(t.$("[data-spdesk='buyer']").textContent, "Jane Doe");
  t.$("[data-spdesk='cancel']").click();
  assert.equal(t.$("[role='dialog'] .confirm-order").textContent, `Order ${ORDER} · Jane Doe`);
});

test("partial refund: per component and unit, line shortcuts, validation, restocking fee only for returns", async () => {
  const t = await setup();
  const field = partialRefund(t);
  assert.equal(t.$("[data-spdesk='partial-items']").hidden, false);
  assert.match(field("45678901234567", "Shipping").parentNode.textContent, /of \$4\.99 left/);
  assert.match(field("45678901234567", "Principal").parentNode.textContent, /2 × \$12\.99/, "the price of one unit");
  assert.equal(field("45678901234568", "Shipping").disabled, true, "nothing left to refund there");
  t.choose(t.$("[data-spdesk='reason']"), "GeneralAdjustment");
  t.$("fieldset[data-item='45678901234567'] [data-spdesk='one-unit']").click();
  assert.equal(field("45678901234567", "Principal").value, "12.99");
  assert.equal(field("45678901234567", "Tax").value, "1.04");
  assert.equal(confirmMain(t), "Refund $16.72 (USD)", "one unit of each component, shipping included");
  t.$("fieldset[data-item='45678901234568'] [data-spdesk='whole-line']").click();
  assert.equal(field("45678901234568", "Principal").value, "9.99");
  assert.equal(t.$("fieldset[data-item='45678901234568'] [data-spdesk='one-unit']"), null, "one unit ordered: no unit shortcut");
  t.type(field("45678901234568", "Principal"), "");
  t.type(field("45678901234568", "Tax"), "");
  t.type(field("45678901234567", "Shipping"), "6.00");
  assert.equal(field("45678901234567", "Shipping").getAttribute("aria-invalid"), "true");
  assert.equal(t.$("[role='dialog'] [data-spdesk='confirm']").disabled, true);
  t.type(field("45678901234567", "Shipping"), "1.005");
  assert.match(t.$(`#${field("45678901234567", "Shipping").getAttribute("aria-describedby").split(" ")[0]}`).textContent, /2 decimals/);
  t.type(field("45678901234567", "Shipping"), "");
  t.type(field("45678901234567", "ShippingTax"), "");
  const fee = field("45678901234567", "RestockingFee");
  assert.equal(fee.closest(".field").hidden, true, "no restocking fee unless it is a return");
  t.choose(t.$("[data-spdesk='reason']"), "CustomerReturn");
  t.type(fee, "2.00");
  assert.equal(confirmMain(t), "Refund $12.03 (USD)");
  const enter = new t.window.KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true });
  fee.dispatchEvent(enter);
  assert.equal(enter.defaultPrevented, true, "Enter in an amount field does not submit");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await t.settle();
  assert.deepEqual(t.of("refund")[0].args.body.items, [
    { orderItemCode: "45678901234567", quantity: 2, components: { Principal: "12.99", Tax: "1.04" }, restockingFee: "2.00" },
  ]);
  assert.equal(t.of("refund")[0].args.body.expectedTotal, "12.03");
});

test("lines already refunded in full are left out of a partial refund, and counted", async () => {
  const order = usOrder();
  for (const c of order.items[1].components) Object.assign(c, { refunded: c.charged, refundable: "0.00" });
  const t = await setup({ order });
  partialRefund(t);
  assert.equal(t.$("fieldset[data-item='45678901234568']"), null);
  assert.match(t.$("[data-spdesk='spent-lines']").textContent, /1 item\(s\) already refunded in full/);
  assert.ok(t.$(".footer.sticky [data-spdesk='confirm']"), "the total button sits in the footer that stays in view");
});

test("a changed refund total reloads the order, shows the new amount and waits for a new confirmation", async () => {
  const fresh = usOrder();
  Object.assign(fresh.items[0].components[0], { refunded: "12.99", refundable: "12.99" });
  fresh.totals = { charged: "44.24", refunded: "12.99", refundable: "31.25" };
  const english = "The amount to refund changed from 44.24 USD to 31.25 USD since the dialog was opened.";
  const t = await setup({ handlers: {
    getOrder: async ({ fresh: isFresh }) => structuredClone(isFresh ? fresh : usOrder()),
    refund: async ({ body }) => {
      if (body.expectedTotal !== "31.25") throw new ApiError("refund_total_changed", english, { params: { expected: "44.24", actual: "31.25", currency: "USD" } });
      return actionOf(body, "submitted", { total: "31.25" });
    },
  } });
  t.$("[data-spdesk='refund']").click();
  t.choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await t.settle();
  const error = t.$("[role='dialog'] [data-spdesk='status-error']");
  assert.equal(error.textContent, "The amount to refund changed from $44.24 to $31.25 since the dialog was opened. Check the amounts and confirm the new total.");
  assert.equal(t.of("refund").length, 1, "never resubmitted without the agent");
  assert.equal(confirmMain(t), "Refund $31.25 (USD)");
  assert.equal(t.document.activeElement.closest("[role='dialog']"), t.$("[role='dialog']"), "focus stays inside");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await t.settle();
  const [first, second] = t.of("refund");
  assert.equal(second.args.body.expectedTotal, "31.25");
  assert.notEqual(second.args.idempotencyKey, first.args.idempotencyKey, "a new body, a new key");
});

test("a timed-out submission is retried with the same idempotency key", async () => {
  let attempts = 0;
  const t = await setup({ handlers: { refund: async ({ body }) => {
    attempts += 1;
    if (attempts === 1) throw new ApiError("companion_timeout", "spdesk companion did not answer in time.");
    return actionOf(body, "submitted");
  } } });
  t.$("[data-spdesk='refund']").click();
  t.choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await t.settle();
  t.$("[data-spdesk='retry-submit']").click();
  await t.settle();
  const [first, second] = t.of("refund");
  assert.equal(second.args.idempotencyKey, first.args.idempotencyKey);
});

test("the overlap warning keeps focus in the dialog; its explicit second confirmation is a new submission", async () => {
  const t = await setup({ handlers: { refund: async ({ body }) => {
    if (!body.confirmOverlap) throw new ApiError("overlap_needs_confirmation", "A refund of 14.03 USD for the same items was applied minutes ago (SPD-1). If this is really a second refund, confirm it.",
      { params: { case: "applied", total: "14.03", currency: "USD", confirmation: "SPD-1" } });
    return actionOf(body, "submitted");
  } } });
  t.$("[data-spdesk='refund']").click();
  t.choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await t.settle();
  const dialog = t.$("[role='dialog']");
  assert.equal(dialog.querySelector("[data-spdesk='status-error']").textContent,
    "A refund of $14.03 for the same items was applied minutes ago (SPD-1). If this is really a second refund, confirm it.");
  assert.ok(dialog.contains(t.document.activeElement), "focus inside the dialog");
  t.document.body.dispatchEvent(new t.window.KeyboardEvent("keydown", { key: "Tab", bubbles: true, cancelable: true }));
  t.$("[data-spdesk='confirm-overlap']").click();
  await t.settle();
  const [first, second] = t.of("refund");
  assert.equal(second.args.body.confirmOverlap, true);
  assert.notEqual(second.args.idempotencyKey, first.args.idempotencyKey);
});

test("failed and unknown outcomes: Amazon's words, what to do, focus inside, Escape still closes", async () => {
  const t = await setup();
  t.$("[data-spdesk='refund']").click();
  t.choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await t.settle();
  const body = t.of("refund")[0].args.body;
  t.emit(actionOf(body, "unknown", { updatedAt: "2026-11-26T10:16:00.000Z", amazon: { description: "Amazon's report covers 2 message(s) and does not mention this one; check Seller Central before doing anything else.", code: "not_in_report", params: { processed: 2 } } }));
  await t.settle();
  const dialog = t.$("[role='dialog']");
  assert.match(dialog.textContent, /Amazon's report covers 2 message\(s\) and does not mention this one/);
  assert.match(dialog.textContent, /A person must check the order in Seller Central; spdesk will not send it again\./);
  assert.equal(dialog.querySelector("[data-spdesk='retry-submit']"), null, "nothing offers to send it again");
  assert.ok(dialog.contains(t.document.activeElement), "focus inside after the outcome");
  // Escape works wherever focus is, even on the page's body.
  t.document.body.focus();
  t.document.body.dispatchEvent(new t.window.KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true }));
  assert.equal(t.$("[role='dialog']"), null);
});

test("a failed refund shows Amazon's message without its raw code", async () => {
  const t = await setup();
  t.$("[data-spdesk='refund']").click();
  t.choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await t.settle();
  t.emit(actionOf(t.of("refund")[0].args.body, "failed", { amazon: { resultCode: "Error", messageCode: "18027", description: "The refund amount exceeds the remaining amount." } }));
  await t.settle();
  const dialog = t.$("[role='dialog']");
  assert.equal(dialog.querySelector("[data-spdesk='status']").textContent, "Amazon refused this refund");
  assert.equal(dialog.querySelector("[data-spdesk='amazon-message']").textContent, "The refund amount exceeds the remaining amount.");
  assert.doesNotMatch(dialog.textContent, /18027/);
  assert.equal(t.document.activeElement, dialog.querySelector("[data-spdesk='close-result']"));
});

test("cancel: BuyerCanceled preselected when the buyer asked; a partial cancel names its items and amounts", async () => {
  const t = await setup({ order: usOrder({ buyerRequested: true }) });
  t.$("[data-spdesk='cancel']").click();
  const reason = t.$("[data-spdesk='reason']");
  const warning = t.$("[data-spdesk='rate-warning']");
  assert.equal(reason.value, "BuyerCanceled");
  assert.equal(warning.hidden, true);
  assert.equal(confirmMain(t), "Cancel the whole order");
  t.choose(reason, "NoInventory");
  assert.equal(warning.hidden, false);
  t.choose(reason, "BuyerCanceled");
  const coaster = t.$("input[type='checkbox'][data-item='45678901234568']");
  coaster.checked = false;
  coaster.dispatchEvent(new t.window.Event("change", { bubbles: true }));
  assert.equal(t.$("[data-quantity='45678901234567']").textContent, "× 2 ($33.45)", "whole lines, with what they come to");
  assert.equal(confirmMain(t), "Cancel Stoneware mug, blue, 350 ml × 2 ($33.45)");
  assert.deepEqual(t.$$("[data-spdesk='cancel-summary'] li").map((li) => li.textContent), ["Stoneware mug, blue, 350 ml × 2 ($33.45)"]);
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await t.settle();
  assert.deepEqual(t.of("cancel")[0].args.body, { orderId: ORDER, account: "sandbox",
    items: [{ orderItemCode: "45678901234567", quantity: 2 }], reason: "BuyerCanceled", note: "" });
});

test("the first action asks for the agent's name, stores it, and never sends without one", async () => {
  const t = await setup({ options: { agentName: "" } });
  t.$("[data-spdesk='refund']").click();
  t.choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  const confirm = t.$("[role='dialog'] [data-spdesk='confirm']");
  assert.equal(confirm.disabled, true, "no name yet");
  t.$("[role='dialog'] form").dispatchEvent(new t.window.Event("submit", { bubbles: true, cancelable: true }));
  await t.settle();
  assert.equal(t.of("refund").length, 0);
  assert.match(t.$("[role='dialog'] .field-error[role='alert']").textContent, /Enter your name first/);
  t.type(t.$("[data-spdesk='agent-name']"), "  Anna  ");
  assert.equal(confirm.disabled, false);
  confirm.click();
  await t.settle();
  assert.equal(t.of("refund").length, 1);
  assert.equal((await t.ext.storage.local.get("agentName")).agentName, "Anna");
  // Asked once: the next dialog does not ask again.
  t.$("[data-spdesk='close-result']").click();
  t.$("[data-spdesk='cancel']").click();
  assert.equal(t.$("[data-spdesk='agent-name']"), null);
});

test("prices with VAT inside and Amazon's totals in disagreement: said, and only per-item refunds", async () => {
  const order = usOrder();
  Object.assign(order, { pricesIncludeTax: true, taxLabel: "vat" });
  order.actions.refund.full = { allowed: false, reason: "English.", code: "amounts_mismatch",
    params: { case: "order", reported: "50.00", atMost: "44.24", currency: "USD" } };
  const t = await setup({ order });
  assert.equal(t.$("[data-spdesk='tax-included']").textContent, "Amounts include tax (VAT), as the buyer paid.");
  t.$("[data-spdesk='refund']").click();
  assert.equal(t.$("[data-spdesk='mode-full']").disabled, true);
  assert.equal(t.$("[data-spdesk='mode-partial']").checked, true);
  assert.match(t.$("[data-spdesk='why-full']").textContent, /^Amazon's total for this order \(\$50\.00\) does not match its breakdown.*at most \$44\.24 in all/);
  assert.match(t.$("[role='dialog'] [data-spdesk='tax-included']").textContent, /with the tax \(VAT\) included/);
});

test("a remainder too small to send once the tax is out: the full refund is greyed, with the item", async () => {
  const order = usOrder();
  Object.assign(order, { pricesIncludeTax: true, taxLabel: "vat" });
  const code = order.items[0].orderItemCode;
  order.actions.refund.full = { allowed: false, reason: "English.", code: "full_too_small", params: { orderItemCode: code } };
  const t = await setup({ order });
  t.$("[data-spdesk='refund']").click();
  assert.equal(t.$("[data-spdesk='mode-full']").disabled, true);
  assert.equal(t.$("[data-spdesk='mode-partial']").checked, true);
  assert.equal(t.$("[data-spdesk='why-full']").textContent,
    `Item ${code}: what is left of it is too small to send once Amazon adds the tax, so a full refund cannot give back everything. Refund the rest per item.`);
});

test("in team mode the companion records its agent: the dialog asks for no name", async () => {
  const t = await setup({ options: { agentName: "" } });
  t.panel.ctx.team = { mode: "team", agent: "Bob", role: "agent" };
  t.$("[data-spdesk='refund']").click();
  assert.equal(t.$("[data-spdesk='agent-name']"), null);
  t.choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await t.settle();
  assert.equal(t.of("refund").length, 1);
});

test("keyboard: labelled dialog, Tab stays inside, Escape closes it and focus returns", async () => {
  const t = await setup();
  const refundButton = t.$("[data-spdesk='refund']");
  refundButton.focus();
  refundButton.click();
  const dialog = t.$("[role='dialog']");
  assert.equal(dialog.getAttribute("aria-modal"), "true");
  assert.equal(t.document.getElementById(dialog.getAttribute("aria-labelledby")).textContent, `Refund order ${ORDER}`);
  for (const field of dialog.querySelectorAll("select, textarea")) assert.ok(dialog.querySelector(`label[for='${field.id}']`), field.id);
  assert.equal(t.document.activeElement, t.$("[data-spdesk='reason']"), "never the money button first");
  const focusable = [...dialog.querySelectorAll("button:not([disabled]), input:not([disabled]), select, textarea")].filter((el) => !el.closest("[hidden]"));
  focusable.at(-1).focus();
  const tab = new t.window.KeyboardEvent("keydown", { key: "Tab", bubbles: true, cancelable: true });
  focusable.at(-1).dispatchEvent(tab);
  assert.equal(tab.defaultPrevented, true);
  assert.equal(t.document.activeElement, focusable[0]);
  dialog.dispatchEvent(new t.window.KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
  assert.equal(t.$("[role='dialog']"), null);
  assert.equal(t.document.activeElement, refundButton, "focus back on the button that opened it");
});
