/** The side panel for what the demo inbox shows besides plain FBM: MCF orders, answered cancel requests, yen. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { itemTitle } from "../src/sidepanel/format.js";
import { noteFor, replyFor, templateKind } from "../src/sidepanel/replybox.js";
import { panelPerTest } from "./helpers/panel.js";
import { actionOf, fbaOrder, mcfOrder, usOrder } from "./helpers/orders.js";

const setup = panelPerTest();
const panelFor = (order) => setup({ order, handlers: { getAction: async () => new Promise(() => {}) } });

const choose = (select, value) => {
  select.value = value;
  select.dispatchEvent(new select.ownerDocument.defaultView.Event("change", { bubbles: true }));
};
test("MCF: no Amazon amounts (the buyer paid elsewhere), the SKU names the untitled line", async () => {
  const t = await panelFor(mcfOrder());
  assert.equal(t.$("[data-spdesk='totals']"), null, "no $0.00 charged / refundable");
  const line = t.$("li[data-item='mcf-1']");
  assert.equal(line.firstChild.textContent, "FBA-BTL-INS-32");
  assert.equal((line.textContent.match(/FBA-BTL-INS-32/g) ?? []).length, 1, "the SKU once, not as title and again below");
  assert.doesNotMatch(line.textContent, /Refundable|\$0\.00/);
  assert.match(t.$("[data-spdesk='why-refund']").textContent, /own sales channel/);
});

test("MCF cancel: never a cancellation-rate warning, the line is named by its SKU", async () => {
  const t = await panelFor(mcfOrder());
  t.$("[data-spdesk='cancel']").click();
  const warning = t.$("[data-spdesk='rate-warning']");
  for (const reason of ["BuyerCanceled", "NoInventory", "GeneralAdjustment"]) {
    choose(t.$("[data-spdesk='reason']"), reason);
    assert.equal(warning.hidden, true, reason);
  }
  assert.match(t.$("[role='dialog'] label[for]").textContent, /FBA-BTL-INS-32/);
  assert.doesNotMatch(t.$("[role='dialog']").textContent, /null/);
});

test("MCF cancel: the whole order, lines shown but not chosen, sent without items", async () => {
  const t = await panelFor(mcfOrder());
  t.$("[data-spdesk='cancel']").click();
  const line = t.$("input[type='checkbox'][data-item='mcf-1']");
  assert.equal(line.checked, true);
  assert.equal(line.disabled, true, "Fulfillment Outbound cancels the whole order only");
  assert.match(t.$("[data-spdesk='cancel-whole']").textContent, /as a whole/);
  choose(t.$("[data-spdesk='reason']"), "BuyerCanceled");
  const confirm = t.$("[role='dialog'] [data-spdesk='confirm']");
  assert.equal(confirm.querySelector(".confirm-main").textContent, "Cancel the whole order");
  confirm.click();
  await t.settle();
  assert.deepEqual(t.calls.find((c) => c.action === "cancel").args.body,
    { orderId: "113-2098417-6650382", account: "sandbox", reason: "BuyerCanceled", note: "" });
});

test("MCF cancel reply: the web-shop template, items by SKU, no promise of an Amazon email", () => {
  const order = mcfOrder();
  const action = { ...actionOf({ orderId: order.orderId, reason: "BuyerCanceled",
    items: [{ orderItemCode: "mcf-1", quantity: 2 }] }, "succeeded"), channel: "MCF", feedId: null };
  assert.equal(templateKind(action, order), "cancelMcf");
  assert.equal(templateKind({ ...action, channel: undefined }, order), "cancelMcf", "from the order's channel");
  assert.equal(templateKind({ ...action, channel: "FBM" }, usOrder()), "cancel");
  const text = replyFor(action, order, { replyLanguage: "auto", templates: {} });
  assert.match(text, /- FBA-BTL-INS-32 × 2/);
  assert.match(text, /They will not be shipped, and we will refund what you paid for them/, "what happens to the money");
  assert.doesNotMatch(text, /Amazon will confirm/);
  assert.match(noteFor(action, order), /refund the payment there/, "the colleagues' note says who refunds");
  // The companion records an MCF cancellation by its fulfillment order, not by lines.
  const whole = { ...action, items: [{ sellerFulfillmentOrderId: order.orderId }] };
  const lines = replyFor(whole, order, { replyLanguage: "auto", templates: {} });
  assert.match(lines, /:\n- FBA-BTL-INS-32 × 2\nThey/);
  assert.doesNotMatch(lines, /undefined/);
});

test("a cancelled order no longer shows the buyer's cancel request as something to act on", async () => {
  const t = await panelFor(usOrder({ buyerRequested: true, status: "CANCELLED" }));
  assert.equal(t.$("[data-spdesk='cancel-request']"), null);
  const pending = await panelFor(usOrder({ buyerRequested: true }));
  assert.ok(pending.$("[data-spdesk='cancel-request']"));
});

test("the order's amount is its total, not a charge (an unshipped order is not charged yet)", async () => {
  const t = await panelFor(usOrder());
  assert.equal(t.$("[data-spdesk='totals'] dt").textContent, "Order total");
});

test("itemTitle: title, else SKU, else the item code", () => {
  assert.equal(itemTitle({ title: "Mug", sku: "MUG", orderItemCode: "1" }), "Mug");
  assert.equal(itemTitle({ title: null, sku: "MUG", orderItemCode: "1" }), "MUG");
  assert.equal(itemTitle({ title: "", sku: "", orderItemCode: "1" }), "1");
});

test("JPY: amounts in whole yen, and a decimal typed into a yen field says so in plain words", async () => {
  const order = usOrder({
    orderId: "250-3390172-8841506", status: "SHIPPED",
    marketplace: { id: "A1VC38T7YXB528", code: "JP", currency: "JPY", decimals: 0, language: "ja" },
    items: [{ orderItemCode: "jp-1", sku: "JP-KYUSU", asin: null, title: "急須", quantityOrdered: 1, quantityShipped: 1,
      quantityCancelled: 0, components: [{ type: "Principal", charged: "4980", refunded: "0", refundable: "4980" }] }],
    totals: { charged: "4980", refunded: "0", refundable: "4980" },
  });
  const t = await panelFor(order);
  assert.equal(t.$("[data-spdesk='refundable']").textContent, "¥4,980");
  t.$("[data-spdesk='refund']").click();
  t.$("[data-spdesk='mode-partial']").click();
  const field = t.$("input[data-item='jp-1'][data-component='Principal']");
  field.value = "4980.50";
  field.dispatchEvent(new t.window.Event("input", { bubbles: true }));
  const error = t.$(`#${field.getAttribute("aria-describedby").split(" ")[0]}`).textContent;
  assert.equal(error, "This currency has no decimals: enter whole amounts.");
});

test("no \"Refundable\" beside a disabled Refund: FBA shows what was paid and refunded, not what spdesk cannot do", async () => {
  const t = await panelFor(fbaOrder());
  const labels = t.$$("[data-spdesk='totals'] dt").map((dt) => dt.textContent);
  assert.deepEqual(labels, ["Order total", "Refunded"]);
  assert.equal(t.$("[data-spdesk='refundable']"), null);
  assert.doesNotMatch(t.$("ul.items").textContent, /Refundable/);
  const open = await panelFor(usOrder());
  assert.match(open.$("ul.items").textContent, /Refundable: \$33\.45/);
});
