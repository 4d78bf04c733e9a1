import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { pickAdapter } from "../src/content/adapters/index.js";
import { ApiError } from "../src/content/api.js";
import { OrderPanel } from "../src/content/panel.js";
import { setShadowMode } from "../src/content/ui/shadow.js";
import { loadFixture, settle } from "./helpers/dom.js";
import { actionOf, fbaOrder, usOrder } from "./helpers/orders.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const open = new Set();
afterEach(async () => {
  for (const done of open) await done();
  open.clear();
});

/** A panel on the Zendesk fixture, talking to a scripted companion (torn down after each test). */
async function setup({ order = usOrder(), handlers = {} } = {}) {
  setShadowMode("open"); // the tests read inside the panel; the product uses closed roots
  const page = loadFixture("zendesk");
  await settle(page.window);
  const adapter = pickAdapter(page.window.location, page.document);
  const calls = [];
  const known = new Map();
  const companion = {
    getOrder: async () => structuredClone(order),
    getActions: async () => ({ actions: [...known.values()].reverse() }),
    refund: async ({ body }) => actionOf(body, "submitted"),
    cancel: async ({ body }) => actionOf(body, "submitted", { total: "0.00" }),
    getAction: async () => { throw new ApiError("companion_offline", "offline"); },
    openOptions: async () => ({}),
    ...handlers,
  };
  const call = async (action, args = {}) => {
    calls.push({ action, args: structuredClone(args) });
    return companion[action](args);
  };
  const panel = new OrderPanel({ doc: page.document, call, options: { replyLanguage: "auto", templates: {} },
    replyTarget: () => adapter.replyEditor(page.document) });
  const $ = (selector) => panel.root.querySelector(selector);
  const $$ = (selector) => [...panel.root.querySelectorAll(selector)];
  const done = async () => { panel.destroy(); await page.close(); };
  open.add(done);
  // An event from the companion's stream: the companion knows the action from then on.
  const emit = (action) => {
    known.set(action.id, action);
    panel.handleEvent({ type: "action", action });
  };
  return { ...page, panel, calls, $, $$, emit, of: (action) => calls.filter((c) => c.action === action), done: async () => {} };
}

function type(input, value) {
  input.value = value;
  input.dispatchEvent(new input.ownerDocument.defaultView.Event("input", { bubbles: true }));
}

function choose(select, value) {
  select.value = value;
  select.dispatchEvent(new select.ownerDocument.defaultView.Event("change", { bubbles: true }));
}

test("the panel shows status, channel, money, items and both actions", async () => {
  const t = await setup({ order: usOrder({ buyerRequested: true }) });
  const loading = t.panel.open("114-7395082-5521640");
  assert.ok(t.$("[data-spdesk='loading']"), "loading state first");
  await loading;
  assert.equal(t.$("[data-spdesk='status']").textContent, "Unshipped");
  assert.equal(t.$("[data-spdesk='refundable']").textContent, "$44.24");
  assert.match(t.$("[data-spdesk='cancel-request']").textContent, /asked to cancel.*Ordered by mistake/);
  assert.equal(t.$$(".items li").length, 2);
  assert.equal(t.$("[data-spdesk='refund']").disabled, false);
  assert.equal(t.$("[data-spdesk='cancel']").disabled, false);
  assert.ok(t.$("[data-spdesk='history-empty']"));
  const link = t.$("[data-spdesk='seller-central']");
  assert.equal(link.href, "https://sellercentral.amazon.com/orders-v3/order/114-7395082-5521640");
  assert.equal(link.rel, "noopener noreferrer");
  assert.equal(t.panel.host.parentNode, t.document.documentElement);
  await t.done();
});

test("FBA: both actions are disabled and say why", async () => {
  const t = await setup({ order: fbaOrder() });
  await t.panel.open("114-7395082-5521640");
  assert.equal(t.$("[data-spdesk='refund']").disabled, true);
  assert.equal(t.$("[data-spdesk='cancel']").disabled, true);
  assert.match(t.$("[data-spdesk='why-refund']").textContent, /Amazon fulfils this order \(FBA\)/);
  assert.equal(t.$("[data-spdesk='why-cancel']"), null, "one reason for both is said once");
  assert.equal(t.$$(".why").length, 1);
  assert.equal(t.$("[data-spdesk='refund']").getAttribute("aria-describedby"), "why-refund");
  assert.equal(t.$("[data-spdesk='cancel']").getAttribute("aria-describedby"), "why-refund");
  await t.done();
});

test("companion offline: the panel says how to start it and can retry", async () => {
  let online = false;
  const t = await setup({ handlers: { getOrder: async () => {
    if (!online) throw new ApiError("companion_offline", "spdesk companion is not running on this computer. Start it with 'spdesk serve'.");
    return usOrder();
  } } });
  await t.panel.open("114-7395082-5521640");
  assert.equal(t.$("[data-spdesk='error']").dataset.code, "companion_offline");
  assert.match(t.$("[role='alert']").textContent, /Start it with 'spdesk serve'/);
  online = true;
  t.panel.handleEvent({ type: "companion", state: "offline" });
  assert.equal(t.$("[data-spdesk='offline']"), null, "said once, not twice");
  t.panel.handleEvent({ type: "companion", state: "online" }); // coming back reloads the order
  await settle(t.window);
  assert.ok(t.$("[data-spdesk='order']"));
  assert.equal(t.$("[data-spdesk='error']"), null);
  // Going offline with an order on screen: a banner, and a failed refresh keeps the order.
  online = false;
  t.panel.handleEvent({ type: "companion", state: "offline" });
  assert.ok(t.$("[data-spdesk='offline']"));
  await t.panel.load({ fresh: true });
  assert.ok(t.$("[data-spdesk='order']"), "the last order view stays");
  assert.equal(t.$("[data-spdesk='error']").dataset.code, "companion_offline");
  const said = (t.panel.body.textContent.match(/is not running on this computer/g) ?? []).length;
  assert.equal(said, 1, "the offline sentence appears once");
  // It answers again before the event stream notices: the banner goes with the next good answer.
  online = true;
  await t.panel.load({ fresh: true });
  assert.equal(t.$("[data-spdesk='offline']"), null);
  assert.equal(t.$("[data-spdesk='error']"), null);
  await t.done();
});

test("not paired: a Pair… button opens the options page", async () => {
  const t = await setup({ handlers: { getOrder: async () => { throw new ApiError("not_paired", "This browser is not paired."); } } });
  // Without a token the event stream cannot connect either, and reports "offline".
  t.panel.handleEvent({ type: "companion", state: "offline" });
  await t.panel.open("114-7395082-5521640");
  assert.equal(t.$("[data-spdesk='offline']"), null, "no 'not running' banner over the real problem");
  assert.equal(t.$$("[role='alert']").length, 1, "one message");
  assert.equal(t.$("[data-spdesk='error']").dataset.code, "not_paired");
  t.$("[data-spdesk='pair']").click();
  assert.equal(t.of("openOptions").length, 1);
  await t.done();
});

test("full refund: preselected, needs a reason, exact total on the button, one submission", async () => {
  const t = await setup();
  await t.panel.open("114-7395082-5521640");
  t.$("[data-spdesk='refund']").click();
  assert.equal(t.$("[data-spdesk='mode-full']").checked, true);
  const confirm = t.$("[role='dialog'] [data-spdesk='confirm']");
  assert.equal(confirm.textContent, "Refund $44.24 (USD)");
  assert.equal(confirm.disabled, true, "no reason chosen yet");
  choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  assert.equal(confirm.disabled, false);
  confirm.click();
  confirm.click(); // a double click must not submit twice
  await settle(t.window);
  const refunds = t.of("refund");
  assert.equal(refunds.length, 1);
  assert.match(refunds[0].args.idempotencyKey, UUID);
  assert.deepEqual(refunds[0].args.body, { orderId: "114-7395082-5521640", account: "sandbox", mode: "full", reason: "CouldNotShip", currency: "USD", note: "", expectedTotal: "44.24" });
  assert.equal(t.$("[role='dialog'] [data-spdesk='status']").dataset.state, "submitted");
  assert.match(t.$("[role='dialog'] [data-spdesk='status']").textContent, /Submitted to Amazon/);
  assert.equal(confirm.hidden, true);
  assert.match(t.$("[role='dialog'] .result").textContent, /You can close this window/);
  assert.equal(t.panel.root.activeElement, t.$("[role='dialog'] .result"), "focus stays in the dialog");
  await t.done();
});

test("a submission the companion already finished (same key replayed) goes straight to its outcome", async () => {
  const t = await setup({ handlers: { refund: async ({ body }) => actionOf(body, "succeeded") } });
  await t.panel.open("114-7395082-5521640");
  t.$("[data-spdesk='refund']").click();
  choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await settle(t.window);
  assert.equal(t.$("[role='dialog'] [data-spdesk='status']").textContent, "Refund of $14.03 accepted by Amazon");
  assert.equal(t.panel.root.activeElement, t.$("[role='dialog'] [data-spdesk='insert-reply']"));
  await t.done();
});

test("partial refund: per component with what is left, validation, restocking fee only for returns", async () => {
  const t = await setup();
  await t.panel.open("114-7395082-5521640");
  t.$("[data-spdesk='refund']").click();
  t.$("[data-spdesk='mode-partial']").click();
  t.$("[data-spdesk='mode-partial']").dispatchEvent(new t.window.Event("change", { bubbles: true }));
  assert.equal(t.$("[data-spdesk='partial-items']").hidden, false);
  const field = (code, component) => t.$(`input[data-item='${code}'][data-component='${component}']`);
  assert.match(field("45678901234567", "Shipping").parentNode.textContent, /of \$4\.99 left/);
  assert.equal(field("45678901234568", "Shipping").disabled, true, "nothing left to refund there");
  choose(t.$("[data-spdesk='reason']"), "GeneralAdjustment");
  const confirm = t.$("[role='dialog'] [data-spdesk='confirm']");
  type(field("45678901234567", "Principal"), "12.99");
  type(field("45678901234567", "Tax"), "1,04");
  assert.equal(confirm.textContent, "Refund $14.03 (USD)");
  type(field("45678901234567", "Shipping"), "6.00");
  assert.equal(field("45678901234567", "Shipping").getAttribute("aria-invalid"), "true");
  assert.equal(confirm.disabled, true);
  type(field("45678901234567", "Shipping"), "1.005");
  assert.match(t.$(`#${field("45678901234567", "Shipping").getAttribute("aria-describedby")}`).textContent, /2 decimals/);
  type(field("45678901234567", "Shipping"), "");
  const fee = field("45678901234567", "RestockingFee");
  assert.equal(fee.closest(".field").hidden, true, "no restocking fee unless it is a return");
  choose(t.$("[data-spdesk='reason']"), "CustomerReturn");
  assert.equal(fee.closest(".field").hidden, false);
  type(fee, "2.00");
  assert.equal(confirm.textContent, "Refund $12.03 (USD)");
  confirm.click();
  await settle(t.window);
  const enter = new t.window.KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true });
  fee.dispatchEvent(enter);
  assert.equal(enter.defaultPrevented, true, "Enter in an amount field does not submit");
  assert.deepEqual(t.of("refund")[0].args.body.items, [
    { orderItemCode: "45678901234567", quantity: 2, components: { Principal: "12.99", Tax: "1.04" }, restockingFee: "2.00" },
  ]);
  assert.equal(t.of("refund")[0].args.body.mode, "partial");
  assert.equal(t.of("refund")[0].args.body.expectedTotal, "12.03", "the total on the button");
  await t.done();
});

/** The US order after 12.99 of the mug's Principal was refunded elsewhere. */
function usOrderAfterRefund() {
  const order = usOrder();
  Object.assign(order.items[0].components[0], { refunded: "12.99", refundable: "12.99" });
  order.totals = { charged: "44.24", refunded: "12.99", refundable: "31.25" };
  return order;
}

test("a changed refund total reloads the order, shows the new amount and waits for a new confirmation", async () => {
  const changed = "The amount to refund changed from 44.24 USD to 31.25 USD since the dialog was opened. Check the order and confirm the new amount.";
  const t = await setup({ handlers: {
    getOrder: async ({ fresh }) => (fresh ? usOrderAfterRefund() : usOrder()),
    refund: async ({ body }) => {
      if (body.expectedTotal !== "31.25") {
        throw new ApiError("refund_total_changed", changed, { expected: body.expectedTotal, actual: "31.25", currency: "USD" });
      }
      return actionOf(body, "submitted", { total: "31.25" });
    },
  } });
  await t.panel.open("114-7395082-5521640");
  t.$("[data-spdesk='refund']").click();
  choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  const confirm = t.$("[role='dialog'] [data-spdesk='confirm']");
  assert.equal(confirm.textContent, "Refund $44.24 (USD)");
  confirm.click();
  await settle(t.window);
  assert.equal(t.$("[role='dialog'] [data-spdesk='status-error']").textContent, changed);
  assert.equal(t.$("[role='dialog'] [data-spdesk='status-error']").dataset.code, "refund_total_changed");
  assert.deepEqual(t.of("getOrder").at(-1).args, { orderId: "114-7395082-5521640", fresh: true });
  assert.equal(t.of("refund").length, 1, "never resubmitted without the agent");
  assert.equal(confirm.textContent, "Refund $31.25 (USD)");
  assert.equal(confirm.disabled, false);
  assert.equal(confirm.hidden, false);
  assert.match(t.$("[data-spdesk='full-amount']").textContent, /\$31\.25/);
  t.$("[data-spdesk='mode-partial']").click();
  t.$("[data-spdesk='mode-partial']").dispatchEvent(new t.window.Event("change", { bubbles: true }));
  const principal = t.$("input[data-item='45678901234567'][data-component='Principal']");
  assert.match(principal.parentNode.textContent, /of \$12\.99 left/, "the limits are the fresh ones");
  principal.value = "20.00";
  principal.dispatchEvent(new t.window.Event("input", { bubbles: true }));
  assert.equal(principal.getAttribute("aria-invalid"), "true");
  t.$("[data-spdesk='mode-full']").click();
  t.$("[data-spdesk='mode-full']").dispatchEvent(new t.window.Event("change", { bubbles: true }));
  confirm.click();
  await settle(t.window);
  const [first, second] = t.of("refund");
  assert.equal(first.args.body.expectedTotal, "44.24");
  assert.equal(second.args.body.expectedTotal, "31.25");
  assert.notEqual(second.args.idempotencyKey, first.args.idempotencyKey, "a new body, a new key");
  assert.equal(t.$("[role='dialog'] [data-spdesk='status']").dataset.state, "submitted");
  await t.done();
});

test("a changed total with nothing left to refund keeps the confirm button disabled", async () => {
  const empty = usOrder();
  for (const item of empty.items) for (const c of item.components) Object.assign(c, { refunded: c.charged, refundable: "0.00" });
  empty.totals = { charged: "44.24", refunded: "44.24", refundable: "0.00" };
  const t = await setup({ handlers: {
    getOrder: async ({ fresh }) => (fresh ? structuredClone(empty) : usOrder()),
    refund: async () => { throw new ApiError("refund_total_changed", "The amount to refund changed."); },
  } });
  await t.panel.open("114-7395082-5521640");
  t.$("[data-spdesk='refund']").click();
  choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  const confirm = t.$("[role='dialog'] [data-spdesk='confirm']");
  confirm.click();
  await settle(t.window);
  assert.equal(t.of("refund").length, 1);
  assert.equal(confirm.disabled, true);
  assert.match(t.$("[data-spdesk='full-amount']").textContent, /\$0\.00/);
  await t.done();
});

test("a timed-out submission is retried with the same idempotency key", async () => {
  let attempts = 0;
  const t = await setup({ handlers: { refund: async ({ body }) => {
    attempts += 1;
    if (attempts === 1) throw new ApiError("companion_timeout", "spdesk companion did not answer in time.");
    return actionOf(body, "submitted");
  } } });
  await t.panel.open("114-7395082-5521640");
  t.$("[data-spdesk='refund']").click();
  choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await settle(t.window);
  assert.match(t.$("[role='dialog'] [data-spdesk='status-error']").textContent, /did not answer in time/);
  t.$("[data-spdesk='retry-submit']").click();
  await settle(t.window);
  const [first, second] = t.of("refund");
  assert.equal(second.args.idempotencyKey, first.args.idempotencyKey);
  assert.equal(t.$("[role='dialog'] [data-spdesk='status']").dataset.state, "submitted");
  await t.done();
});

test("an overlapping refund needs an explicit second confirmation (a new submission)", async () => {
  const t = await setup({ handlers: { refund: async ({ body }) => {
    if (!body.confirmOverlap) throw new ApiError("overlap_needs_confirmation", "A similar refund was applied 3 minutes ago.");
    return actionOf(body, "submitted");
  } } });
  await t.panel.open("114-7395082-5521640");
  t.$("[data-spdesk='refund']").click();
  choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await settle(t.window);
  assert.match(t.$("[role='dialog'] [data-spdesk='status-error']").textContent, /similar refund/);
  t.$("[data-spdesk='confirm-overlap']").click();
  await settle(t.window);
  const [first, second] = t.of("refund");
  assert.equal(second.args.body.confirmOverlap, true);
  assert.notEqual(second.args.idempotencyKey, first.args.idempotencyKey);
  await t.done();
});

test("live status: processing, then succeeded with reply insertion into the helpdesk editor", async () => {
  const t = await setup();
  await t.panel.open("114-7395082-5521640");
  t.$("[data-spdesk='refund']").click();
  choose(t.$("[data-spdesk='reason']"), "CustomerReturn");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await settle(t.window);
  const body = t.of("refund")[0].args.body;
  t.emit(actionOf(body, "processing"));
  assert.match(t.$("[role='dialog'] [data-spdesk='status']").textContent, /Amazon is processing it/);
  t.emit(actionOf(body, "submitted", { updatedAt: "2026-11-26T10:15:00.000Z" }));
  assert.equal(t.$("[role='dialog'] [data-spdesk='status']").dataset.state, "processing", "an older event does not go back");
  assert.match(t.$("[role='dialog'] [data-spdesk='status-meta']").textContent, /Refund of \$14\.03 · Reference SPD-7Q3M9Z8X/);
  t.emit(actionOf(body, "succeeded"));
  await settle(t.window);
  const dialog = t.$("[role='dialog']");
  assert.equal(dialog.querySelector("[data-spdesk='status']").textContent, "Refund of $14.03 accepted by Amazon");
  assert.equal(dialog.querySelector("[data-spdesk='status-meta']").textContent, "Reference SPD-7Q3M9Z8X · Feed 50012019876");
  // The form is gone (its "… left" amounts are stale); Insert reply is the primary action, Close beside it.
  assert.equal(dialog.querySelector("form"), null);
  assert.doesNotMatch(dialog.textContent, /left/);
  const buttons = [...dialog.querySelectorAll(".reply-controls button")];
  assert.deepEqual(buttons.map((b) => [b.textContent, b.className]), [["Close", ""], ["Insert reply", "primary"]]);
  assert.equal(t.panel.root.activeElement, dialog.querySelector("[data-spdesk='insert-reply']"));
  assert.equal(t.of("getOrder").at(-1).args.fresh, true, "money changed: the order is read again");
  assert.equal(t.$("li[data-action='act_01JD7Q3M9Z8X']").dataset.state, "succeeded", "history updated");
  t.$("[role='dialog'] [data-spdesk='insert-reply']").click();
  await settle(t.window);
  assert.match(t.window.fixtureEditor.model, /refund of \$14\.03 for your order 114-7395082-5521640 \(returned item\)/);
  assert.match(t.window.fixtureEditor.model, /Reference: SPD-7Q3M9Z8X/);
  // The panel steps aside for the reply box: dialog closed, rail shown, focus left in the editor.
  assert.equal(t.$("[role='dialog']"), null);
  assert.equal(t.panel.collapsed, true);
  assert.match(t.$("[data-spdesk='rail'] [data-result='inserted']").textContent, /Review it and send it yourself/);
  await t.done();
});

test("rail: the panel minimises and comes back from the keyboard, Escape still closes, the page is untouched", async () => {
  const t = await setup();
  const opener = t.document.createElement("button");
  t.document.body.append(opener);
  const pageBefore = t.document.body.outerHTML;
  await t.panel.open("114-7395082-5521640", opener);
  const collapse = t.$("header [data-spdesk='collapse']");
  const rail = t.$("[data-spdesk='rail']");
  assert.equal(rail.hidden, true, "whole panel first");
  assert.equal(collapse.getAttribute("aria-expanded"), "true");
  assert.equal(collapse.getAttribute("aria-label"), "Minimise the panel");
  collapse.click();
  assert.equal(t.$("aside").hidden, true);
  assert.equal(rail.hidden, false);
  assert.equal(t.panel.isOpen, true, "minimised, not closed");
  assert.equal(collapse.getAttribute("aria-expanded"), "false");
  const expand = rail.querySelector("[data-spdesk='expand']");
  assert.equal(t.panel.root.activeElement, expand, "focus follows to the rail");
  assert.equal(expand.getAttribute("aria-label"), "Show the spdesk panel for order 114-7395082-5521640");
  assert.equal(rail.querySelector("[data-result]"), null, "nothing inserted yet");
  expand.click();
  assert.equal(t.$("aside").hidden, false);
  assert.equal(rail.hidden, true);
  assert.equal(t.panel.root.activeElement, collapse, "focus back on the control that minimised it");
  collapse.click();
  rail.dispatchEvent(new t.window.KeyboardEvent("keydown", { key: "Escape", bubbles: true, composed: true }));
  assert.equal(t.panel.isOpen, false, "Escape closes the rail too");
  assert.equal(t.document.activeElement, opener);
  await t.panel.open("114-7395082-5521640", opener);
  assert.equal(t.$("aside").hidden, false, "a badge click shows the order in full");
  assert.equal(t.document.body.outerHTML, pageBefore, "the helpdesk's own DOM is never changed");
  await t.done();
});

test("Insert reply from the history also makes room for the reply box; a missing editor keeps the panel", async () => {
  const earlier = actionOf({ orderId: "114-7395082-5521640", mode: "partial", reason: "CustomerReturn" }, "succeeded");
  const t = await setup({ handlers: { getActions: async () => ({ actions: [earlier] }) } });
  await t.panel.open("114-7395082-5521640");
  const editor = t.panel.ctx.replyTarget();
  const replyTarget = t.panel.ctx.replyTarget;
  t.panel.ctx.replyTarget = () => null;
  t.$("[data-action] [data-spdesk='insert-reply']").click();
  assert.equal(t.panel.collapsed, false, "no reply box found: the panel stays with the text to copy");
  t.panel.ctx.replyTarget = replyTarget;
  t.$("[data-action] [data-spdesk='insert-reply']").click();
  assert.equal(t.panel.collapsed, true);
  assert.ok(t.$("[data-spdesk='rail'] [data-result='inserted']"));
  assert.ok(editor.contains(t.document.activeElement) || t.document.activeElement === editor, "focus in the reply box");
  t.$("[data-spdesk='expand']").click();
  assert.equal(t.$("[data-spdesk='rail'] [data-result]"), null, "the note goes once the panel is back");
  await t.done();
});

test("a failed action shows Amazon's message", async () => {
  const t = await setup();
  await t.panel.open("114-7395082-5521640");
  t.$("[data-spdesk='refund']").click();
  choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await settle(t.window);
  const body = t.of("refund")[0].args.body;
  t.emit(actionOf(body, "failed", { amazon: { resultCode: "Error", messageCode: "18027", description: "The refund amount exceeds the remaining amount." } }));
  await settle(t.window);
  const dialog = t.$("[role='dialog']");
  assert.equal(dialog.querySelector("[data-spdesk='status']").textContent, "Amazon refused this refund");
  assert.equal(dialog.querySelector("[data-spdesk='amazon-message']").textContent, "The refund amount exceeds the remaining amount.");
  assert.match(dialog.textContent, /Nothing was refunded\. Check what is still refundable before you try again\./);
  assert.equal(dialog.querySelector("[data-spdesk='insert-reply']"), null);
  assert.equal(dialog.querySelector("form"), null);
  const close = dialog.querySelector("[data-spdesk='close-result']");
  assert.equal(t.panel.root.activeElement, close, "Close is the way on");
  close.click();
  assert.equal(t.$("[role='dialog']"), null);
  await t.done();
});

test("outcome unknown: a person must check Seller Central, spdesk will not resend", async () => {
  const t = await setup();
  await t.panel.open("114-7395082-5521640");
  t.$("[data-spdesk='refund']").click();
  choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await settle(t.window);
  t.emit(actionOf(t.of("refund")[0].args.body, "unknown", { updatedAt: "2026-11-26T10:16:00.000Z" }));
  await settle(t.window);
  const dialog = t.$("[role='dialog']");
  assert.equal(dialog.querySelector("[data-spdesk='status']").dataset.state, "unknown");
  assert.match(dialog.textContent, /A person must check the order in Seller Central; spdesk will not send it again\./);
  assert.equal(dialog.querySelector("[data-spdesk='result-seller-central']").href, "https://sellercentral.amazon.com/orders-v3/order/114-7395082-5521640");
  assert.equal(dialog.querySelector("[data-spdesk='retry-submit']"), null, "nothing offers to send it again");
  assert.equal(dialog.querySelector("[data-spdesk='insert-reply']"), null);
  await t.done();
});

test("cancel: BuyerCanceled preselected when the buyer asked, warning when it counts against the rate", async () => {
  const t = await setup({ order: usOrder({ buyerRequested: true }) });
  await t.panel.open("114-7395082-5521640");
  t.$("[data-spdesk='cancel']").click();
  const reason = t.$("[data-spdesk='reason']");
  const warning = t.$("[data-spdesk='rate-warning']");
  const confirm = t.$("[role='dialog'] [data-spdesk='confirm']");
  assert.equal(reason.value, "BuyerCanceled");
  assert.equal(warning.hidden, true);
  assert.equal(confirm.textContent, "Cancel the whole order");
  choose(reason, "NoInventory");
  assert.equal(warning.hidden, false);
  choose(reason, "BuyerCanceled");
  const coaster = t.$("input[type='checkbox'][data-item='45678901234568']");
  coaster.checked = false;
  coaster.dispatchEvent(new t.window.Event("change", { bubbles: true }));
  assert.equal(t.$("[data-quantity='45678901234567']").textContent, "× 2", "whole lines only");
  assert.equal(confirm.textContent, "Cancel 2 unit(s)");
  confirm.click();
  await settle(t.window);
  assert.deepEqual(t.of("cancel")[0].args.body, { orderId: "114-7395082-5521640", account: "sandbox",
    items: [{ orderItemCode: "45678901234567", quantity: 2 }], reason: "BuyerCanceled", note: "" });
  assert.match(t.of("cancel")[0].args.idempotencyKey, UUID);
  await t.done();
});

test("cancel without a buyer request: no reason preselected, warning once one is chosen", async () => {
  const t = await setup();
  await t.panel.open("114-7395082-5521640");
  t.$("[data-spdesk='cancel']").click();
  assert.equal(t.$("[data-spdesk='reason']").value, "");
  assert.equal(t.$("[role='dialog'] [data-spdesk='confirm']").disabled, true);
  choose(t.$("[data-spdesk='reason']"), "BuyerCanceled");
  assert.equal(t.$("[data-spdesk='rate-warning']").hidden, false, "only a request made on Amazon avoids the rate");
  await t.done();
});

test("keyboard: labelled dialog, Tab stays inside, Escape closes dialog then panel, focus returns", async () => {
  const t = await setup();
  const opener = t.document.createElement("button");
  t.document.body.append(opener);
  await t.panel.open("114-7395082-5521640", opener);
  const refundButton = t.$("[data-spdesk='refund']");
  refundButton.focus();
  refundButton.click();
  const dialog = t.$("[role='dialog']");
  assert.equal(dialog.getAttribute("aria-modal"), "true");
  assert.equal(t.panel.root.getElementById(dialog.getAttribute("aria-labelledby")).textContent, "Refund order 114-7395082-5521640");
  for (const field of dialog.querySelectorAll("select, textarea")) {
    assert.ok(dialog.querySelector(`label[for='${field.id}']`), `label for ${field.id}`);
  }
  const focusable = [...dialog.querySelectorAll("button:not([disabled]), input:not([disabled]), select, textarea")].filter((el) => !el.closest("[hidden]"));
  focusable.at(-1).focus();
  const tab = new t.window.KeyboardEvent("keydown", { key: "Tab", bubbles: true, cancelable: true });
  focusable.at(-1).dispatchEvent(tab);
  assert.equal(tab.defaultPrevented, true);
  assert.equal(t.panel.root.activeElement, focusable[0]);
  let pageSawKey = false;
  t.document.addEventListener("keydown", () => { pageSawKey = true; });
  dialog.dispatchEvent(new t.window.KeyboardEvent("keydown", { key: "Escape", bubbles: true, composed: true }));
  assert.equal(t.$("[role='dialog']"), null);
  assert.equal(t.panel.isOpen, true, "Escape closed only the dialog");
  assert.equal(t.panel.root.activeElement, refundButton, "focus back on the button that opened it");
  t.$("aside").dispatchEvent(new t.window.KeyboardEvent("keydown", { key: "Escape", bubbles: true, composed: true }));
  assert.equal(t.panel.isOpen, false);
  assert.equal(t.panel.host.style.display, "none", "hidden although the host is all: unset");
  assert.equal(t.document.activeElement, opener);
  assert.equal(pageSawKey, false, "the helpdesk's shortcuts never see our keys");
  await t.done();
});

test("history: earlier actions with their state, details kept open across live updates, reply from history", async () => {
  const earlier = actionOf({ orderId: "114-7395082-5521640", mode: "partial", reason: "CustomerReturn" }, "succeeded");
  const other = { ...actionOf({ orderId: "114-7395082-5521640", reason: "BuyerCanceled" }, "processing"), id: "act_02", kind: "cancel" };
  const t = await setup({ handlers: { getActions: async () => ({ actions: [other, earlier] }) } });
  await t.panel.open("114-7395082-5521640");
  assert.deepEqual(t.$$("[data-action]").map((li) => [li.dataset.action, li.dataset.state]), [["act_02", "processing"], ["act_01JD7Q3M9Z8X", "succeeded"]]);
  t.$("[data-action='act_01JD7Q3M9Z8X'] details").open = true;
  t.emit({ ...other, state: "failed", updatedAt: "2026-11-26T10:16:00.000Z", amazon: { description: "Order already shipped." } });
  await settle(t.window);
  assert.match(t.$("[data-action='act_02']").textContent, /Failed: Order already shipped\./);
  assert.equal(t.$("[data-action='act_01JD7Q3M9Z8X'] details").open, true);
  t.$("[data-action='act_01JD7Q3M9Z8X'] [data-spdesk='insert-reply']").click();
  assert.match(t.window.fixtureEditor.model, /Reference: SPD-7Q3M9Z8X/);
  await t.done();
});
