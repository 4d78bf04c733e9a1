/** The side panel: the order of the ticket shown, following the ticket, errors, history, reply. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError } from "../src/sidepanel/api.js";
import { TAB, TICKET_URL, panelPerTest, ticketOf } from "./helpers/panel.js";
import { actionOf, fbaOrder, usOrder } from "./helpers/orders.js";

const ORDER = "114-7395082-5521640";
const setup = panelPerTest();

test("the panel shows status, channel, money, items and both actions", async () => {
  const t = await setup({ order: usOrder({ buyerRequested: true }) });
  assert.equal(t.$("[data-spdesk='status']").textContent, "Unshipped");
  assert.equal(t.$("[data-spdesk='refundable']").textContent, "$44.24");
  assert.match(t.$("[data-spdesk='cancel-request']").textContent, /asked to cancel.*Ordered by mistake/);
  assert.equal(t.$$(".items li").length, 2);
  assert.match(t.$(".items li").textContent, /Item price \$25\.98 \(2 × \$12\.99\)/, "what one unit costs");
  assert.equal(t.$("[data-spdesk='refund']").disabled, false);
  assert.equal(t.$("[data-spdesk='cancel']").disabled, false);
  assert.ok(t.$("[data-spdesk='history-empty']"));
  assert.doesNotMatch(t.$("#panel").textContent, /null|undefined/);
  const link = t.$("[data-spdesk='seller-central']");
  assert.equal(link.href, `https://sellercentral.amazon.com/orders-v3/order/${ORDER}`);
  assert.equal(link.rel, "noopener noreferrer");
});

test("FBA: both actions are disabled and say why, once", async () => {
  const t = await setup({ order: fbaOrder() });
  assert.equal(t.$("[data-spdesk='refund']").disabled, true);
  assert.equal(t.$("[data-spdesk='cancel']").disabled, true);
  assert.match(t.$("[data-spdesk='why-refund']").textContent, /Amazon fulfils this order \(FBA\)/);
  assert.equal(t.$("[data-spdesk='why-cancel']"), null, "one reason for both is said once");
  assert.equal(t.$("[data-spdesk='cancel']").getAttribute("aria-describedby"), "why-refund");
});

test("why an action is not possible is worded from the companion's code, its English kept for a new code", async () => {
  const order = fbaOrder();
  order.actions.refund = { allowed: false, reason: "English from the companion.", code: "nothing_refundable", params: {} };
  order.actions.cancel = { allowed: false, reason: "A sentence from a newer companion.", code: "some_new_code", params: {} };
  const t = await setup({ order });
  assert.equal(t.$("[data-spdesk='why-refund']").textContent, "Everything charged on this order has already been refunded (or a refund for it is on its way).");
  assert.equal(t.$("[data-spdesk='why-cancel']").textContent, "A sentence from a newer companion.");
});

test("a ticket without spdesk, without orders, or with several: what the panel says and offers", async () => {
  const t = await setup();
  await t.panel.showTicket(TAB, null);
  assert.equal(t.$("[data-spdesk='empty']").dataset.why, "noSpdeskHere");
  await t.panel.showTicket(TAB, ticketOf([]));
  assert.equal(t.$("[data-spdesk='empty']").dataset.why, "noOrderOnTicket");
  await t.panel.showTicket(TAB, ticketOf(["113-4820571-0038214", ORDER]));
  assert.deepEqual(t.$$("[data-spdesk='orders'] button").map((b) => [b.textContent, b.getAttribute("aria-pressed")]),
    [["113-4820571-0038214", "true"], [ORDER, "false"]], "the first order shown, the other one click away");
  t.$(`[data-spdesk='orders'] button[data-order='${ORDER}']`).click();
  await t.settle();
  assert.deepEqual(t.of("getOrder").at(-1).args, { orderId: ORDER });
  // A badge clicked in the page chooses the order.
  await t.panel.showTicket(TAB, ticketOf(["113-4820571-0038214", ORDER], { selected: "113-4820571-0038214" }));
  assert.equal(t.panel.orderId, "113-4820571-0038214");
});

test("moving to another ticket closes a dialog not yet confirmed and says nothing was sent", async () => {
  const t = await setup();
  t.$("[data-spdesk='refund']").click();
  assert.ok(t.$("[role='dialog']"));
  // pushState / pjax: the same tab shows another ticket now.
  await t.panel.showTicket(TAB, ticketOf([ORDER], { url: `${TICKET_URL}0` }));
  assert.equal(t.$("[role='dialog']"), null);
  assert.match(t.$("[data-spdesk='notice']").textContent, /nothing was sent/);
  // The same again for another tab and for the order's badge gone from the page.
  t.$("[data-spdesk='refund']").click();
  await t.panel.showTicket(TAB + 1, ticketOf([ORDER], { url: `${TICKET_URL}0` }));
  assert.equal(t.$("[role='dialog']"), null);
  await t.panel.showTicket(TAB + 1, ticketOf([ORDER], { url: `${TICKET_URL}0` }));
  t.$("[data-spdesk='cancel']").click();
  await t.panel.showTicket(TAB + 1, ticketOf(["113-4820571-0038214"], { url: `${TICKET_URL}0` }));
  assert.equal(t.$("[role='dialog']"), null);
  assert.equal(t.of("refund").length + t.of("cancel").length, 0);
});

test("a money request carries the ticket it was confirmed for; moving on says it goes on", async () => {
  const t = await setup();
  t.$("[data-spdesk='refund']").click();
  t.choose(t.$("[data-spdesk='reason']"), "CouldNotShip");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await t.settle();
  assert.deepEqual(t.of("refund")[0].args.ticket, { tabId: TAB, url: TICKET_URL });
  await t.panel.showTicket(TAB + 1, ticketOf(["113-4820571-0038214"], { url: `${TICKET_URL}0` }));
  assert.equal(t.$("[role='dialog']"), null, "another ticket's order: the outcome goes to the history");
  assert.match(t.$("[data-spdesk='notice']").textContent, /What you confirmed for order 114-7395082-5521640 goes on/);
});

test("companion offline: the panel says how to start it and can retry", async () => {
  let online = false;
  const t = await setup({ handlers: { getOrder: async () => {
    if (!online) throw new ApiError("companion_offline", "spdesk companion is not running on this computer. Start it with 'spdesk serve'.");
    return usOrder();
  } } });
  assert.equal(t.$("[data-spdesk='error']").dataset.code, "companion_offline");
  assert.match(t.$("[role='alert']").textContent, /Start it with 'spdesk serve'/);
  online = true;
  t.panel.handleEvent({ type: "companion", state: "offline" });
  assert.equal(t.$("[data-spdesk='offline']"), null, "said once, not twice");
  t.panel.handleEvent({ type: "companion", state: "online" }); // coming back reloads the order
  await t.settle();
  assert.ok(t.$("[data-spdesk='order']"));
  online = false;
  t.panel.handleEvent({ type: "companion", state: "offline" });
  await t.panel.load({ fresh: true });
  assert.ok(t.$("[data-spdesk='order']"), "the last order view stays");
  assert.equal((t.$("#panel").textContent.match(/is not running on this computer/g) ?? []).length, 1);
});

test("not paired: a Pair… button opens the options page", async () => {
  const t = await setup({ handlers: { getOrder: async () => { throw new ApiError("not_paired", "This browser is not paired."); } } });
  t.panel.handleEvent({ type: "companion", state: "offline" });
  assert.equal(t.$("[data-spdesk='offline']"), null, "no 'not running' banner over the real problem");
  assert.equal(t.$("[data-spdesk='error']").dataset.code, "not_paired");
  t.$("[data-spdesk='pair']").click();
  assert.equal(t.of("openOptions").length, 1);
});

test("live status to succeeded, then Insert reply and Insert internal note into the ticket", async () => {
  const t = await setup({ ticket: ticketOf([ORDER], { note: true }) });
  t.$("[data-spdesk='refund']").click();
  t.choose(t.$("[data-spdesk='reason']"), "CustomerReturn");
  t.$("[role='dialog'] [data-spdesk='confirm']").click();
  await t.settle();
  const body = t.of("refund")[0].args.body;
  t.emit(actionOf(body, "processing"));
  assert.match(t.$("[role='dialog'] [data-spdesk='status']").textContent, /Amazon is processing it/);
  t.emit(actionOf(body, "submitted", { updatedAt: "2026-11-26T10:15:00.000Z" }));
  assert.equal(t.$("[role='dialog'] [data-spdesk='status']").dataset.state, "processing", "an older event does not go back");
  t.emit(actionOf(body, "succeeded"));
  await t.settle();
  const dialog = t.$("[role='dialog']");
  assert.equal(dialog.querySelector("[data-spdesk='status']").textContent, "Refund of $14.03 accepted by Amazon");
  assert.equal(dialog.querySelector("form"), null, "the form's amounts are stale: gone");
  assert.equal(t.document.activeElement, dialog.querySelector("[data-spdesk='insert-reply']"));
  assert.equal(t.of("getOrder").at(-1).args.fresh, true, "money changed: the order is read again");
  dialog.querySelector("[data-spdesk='insert-reply']").click();
  await t.settle();
  const [reply] = t.of("insertText");
  assert.deepEqual({ ...reply.args, text: undefined }, { tabId: TAB, url: TICKET_URL, kind: "reply", text: undefined });
  assert.match(reply.args.text, /refund of \$14\.03 for your order 114-7395082-5521640 \(returned item\)/);
  assert.match(dialog.querySelector("[data-spdesk='insert-result']").textContent, /Review it and send it yourself/);
  dialog.querySelector("[data-spdesk='insert-note']").click();
  await t.settle();
  const note = t.of("insertText")[1].args;
  assert.equal(note.kind, "note");
  assert.equal(note.text, "spdesk: refund of $14.03 for order 114-7395082-5521640, accepted by Amazon.\nReason: Customer return\nReference: SPD-7Q3M9Z8X\nBy: Anna");
});

test("Insert reply says truthfully what happened: a closed reply box, text removed, another ticket", async () => {
  const answers = [{ ok: false, code: "editor_hidden" }, { ok: false, code: "text_removed" }, { ok: false, code: "ticket_changed" }, { ok: true, opened: true }];
  const earlier = actionOf({ orderId: ORDER, mode: "partial", reason: "CustomerReturn" }, "succeeded");
  const t = await setup({ handlers: { getActions: async () => ({ actions: [earlier] }), insertText: async () => answers.shift() } });
  const click = async () => {
    t.$("[data-action] [data-spdesk='insert-reply']").click();
    await t.settle();
    return t.$("[data-action] [data-spdesk='insert-result']").textContent;
  };
  assert.match(await click(), /reply box is closed/);
  assert.equal(t.$("[data-action] [data-spdesk='insert-fallback']").hidden, false, "the text to copy instead");
  assert.match(await click(), /removed the text again/);
  assert.match(await click(), /Go back to that ticket/);
  assert.match(await click(), /spdesk opened the reply box/);
  assert.equal(t.$("[data-action] [data-spdesk='insert-fallback']").hidden, true);
  assert.equal(t.$("[data-action] [data-spdesk='insert-reply']").disabled, false, "always available again");
});

test("history: earlier actions, details kept open across live updates, Amazon's words without their code", async () => {
  const earlier = actionOf({ orderId: ORDER, mode: "partial", reason: "CustomerReturn" }, "succeeded",
    { warnings: [{ code: "amazon_warning", message: "5001: Partial refund below 1 USD." }] });
  const other = { ...actionOf({ orderId: ORDER, reason: "BuyerCanceled" }, "processing"), id: "act_02", kind: "cancel" };
  const t = await setup({ handlers: { getActions: async () => ({ actions: [other, earlier] }) } });
  assert.deepEqual(t.$$("[data-action]").map((li) => [li.dataset.action, li.dataset.state]), [["act_02", "processing"], ["act_01JD7Q3M9Z8X", "succeeded"]]);
  assert.match(t.$("[data-action='act_01JD7Q3M9Z8X']").textContent, /Amazon accepted it with a remark: Partial refund below 1 USD\./);
  assert.doesNotMatch(t.$("[data-action='act_01JD7Q3M9Z8X']").textContent, /5001/);
  t.$("[data-action='act_01JD7Q3M9Z8X'] details").open = true;
  t.emit({ ...other, state: "failed", updatedAt: "2026-11-26T10:16:00.000Z" });
  await t.settle();
  assert.equal(t.$("[data-action='act_02']").dataset.state, "failed");
  assert.equal(t.$("[data-action='act_01JD7Q3M9Z8X'] details").open, true);
});

test("a refund that becomes posted reads the order again (Refunded counts it once, from Finances)", async () => {
  const earlier = actionOf({ orderId: ORDER, mode: "partial", reason: "CustomerReturn" }, "succeeded");
  const t = await setup({ handlers: { getActions: async () => ({ actions: [earlier] }) } });
  const reads = t.of("getOrder").length;
  t.emit({ ...earlier, state: "posted", updatedAt: "2026-11-26T10:20:00.000Z" });
  await t.settle();
  assert.equal(t.of("getOrder").length, reads + 1);
  assert.equal(t.of("getOrder").at(-1).args.fresh, true);
});
