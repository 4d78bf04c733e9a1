/** The order as the panel shows it: status, channel, buyer's request, items, money, actions. */
import { isOrderId } from "../shared/domain.js";
import { sum } from "../shared/money.js";
import { reasonText } from "./companion-text.js";
import { h } from "./dom.js";
import { buyerName, codeLabel, componentLabel, itemTitle, money, taxWord, when } from "./format.js";
import { t } from "./i18n.js";
import { unitAmount } from "./dialogs/amounts.js";

// Seller Central per marketplace, for what spdesk does not show (and for "outcome unknown").
const SELLER_CENTRAL = {
  US: "amazon.com", CA: "amazon.ca", MX: "amazon.com.mx", BR: "amazon.com.br", UK: "amazon.co.uk",
  GB: "amazon.co.uk", DE: "amazon.de", FR: "amazon.fr", IT: "amazon.it", ES: "amazon.es", NL: "amazon.nl",
  SE: "amazon.se", PL: "amazon.pl", BE: "amazon.com.be", TR: "amazon.com.tr", IN: "amazon.in",
  JP: "amazon.co.jp", AU: "amazon.com.au", SG: "amazon.sg",
};

/** The order's page in Seller Central, or null for an unknown marketplace. */
export function sellerCentralUrl(order) {
  const domain = SELLER_CENTRAL[order.marketplace?.code];
  if (!domain || !isOrderId(order.orderId)) return null;
  return `https://sellercentral.${domain}/orders-v3/order/${order.orderId}`;
}

/** Render an order view (docs/protocol.md) with Refund / Cancel buttons wired to `on`. */
export function renderOrder(doc, order, on) {
  const buyer = buyerName(order);
  return h(doc, "section", { "data-spdesk": "order", "data-status": order.status, "data-order": order.orderId },
    buyer ? h(doc, "p", { class: "buyer", "data-spdesk": "buyer" }, buyer) : null,
    chips(doc, order),
    cancelRequest(doc, order),
    totals(doc, order),
    taxIncluded(doc, order),
    actionButtons(doc, order, on),
    h(doc, "h3", {}, t("itemsHeading")),
    h(doc, "ul", { class: "items" }, order.items.map((item) => itemRow(doc, item, order))),
  );
}

function chips(doc, order) {
  const list = [
    h(doc, "span", { class: "chip chip-status", "data-spdesk": "status" }, codeLabel("status", order.status)),
    h(doc, "span", { class: "chip" }, codeLabel("channel", order.channel)),
    h(doc, "span", { class: "chip" }, `${order.marketplace.code} · ${order.marketplace.currency}`),
  ];
  if (order.fulfillmentOrder?.status) {
    list.push(h(doc, "span", { class: "chip" }, t("mcfStatus", order.fulfillmentOrder.status)));
  }
  const url = sellerCentralUrl(order);
  return h(doc, "div", { class: "chips" }, list,
    h(doc, "span", { class: "muted" }, t("purchased", when(order.purchaseDate))),
    url ? h(doc, "a", { href: url, target: "_blank", rel: "noopener noreferrer", class: "muted", "data-spdesk": "seller-central" }, t("sellerCentral")) : null);
}

// The buyer paid on the seller's own channel: Amazon holds no money for an MCF order, so
// amounts (all zero) would only suggest there is nothing to pay back.
// "Refundable" only where spdesk can refund: beside a disabled Refund (FBA, cancelled) the
// amount would contradict the sentence that says why not.
function totals(doc, order) {
  if (order.channel === "MCF") return null;
  const cur = order.marketplace.currency;
  return h(doc, "dl", { "data-spdesk": "totals" },
    h(doc, "dt", {}, t("charged")), h(doc, "dd", {}, money(order.totals.charged, cur)),
    h(doc, "dt", {}, t("refunded")), h(doc, "dd", {}, money(order.totals.refunded, cur)),
    order.actions.refund.allowed
      ? [h(doc, "dt", {}, t("refundable")), h(doc, "dd", { "data-spdesk": "refundable" }, money(order.totals.refundable, cur))]
      : null);
}

/** Where prices include the tax, amounts are what the buyer paid with it: say so once. */
function taxIncluded(doc, order) {
  if (!order.pricesIncludeTax || order.channel === "MCF") return null;
  return h(doc, "p", { class: "muted", "data-spdesk": "tax-included" }, t("amountsIncludeTax", taxWord(order.taxLabel)));
}

function cancelRequest(doc, order) {
  const request = order.buyerCancellationRequest;
  // Once the order is cancelled the request is answered: no call to act any more.
  if (!request?.requested || order.status === "CANCELLED") return null;
  return h(doc, "div", { class: "callout", "data-spdesk": "cancel-request" },
    h(doc, "strong", {}, t("buyerRequestedCancel")), " ",
    request.reason ? `“${request.reason}”` : "",
    request.requestedAt ? h(doc, "span", { class: "muted" }, ` ${when(request.requestedAt)}`) : null);
}

/** Why a refund or cancel ("refund" | "cancel") is not possible, in the agent's language. */
export function decisionText(decision, kind) {
  return reasonText(decision, kind);
}

function actionButtons(doc, order, on) {
  const { refund, cancel } = order.actions;
  const refundWhy = refund.allowed ? null : decisionText(refund, "refund");
  const cancelWhy = cancel.allowed ? null : decisionText(cancel, "cancel");
  // The same sentence twice (FBA: neither is possible, for one reason) is said once.
  const same = refundWhy !== null && refundWhy === cancelWhy;
  return h(doc, "div", {},
    h(doc, "div", { class: "actions" },
      h(doc, "button", { type: "button", class: "primary", "data-spdesk": "refund", disabled: !refund.allowed,
        "aria-describedby": refund.allowed ? null : "why-refund", onclick: on.refund }, t("refundButton")),
      h(doc, "button", { type: "button", "data-spdesk": "cancel", disabled: !cancel.allowed,
        "aria-describedby": cancel.allowed ? null : same ? "why-refund" : "why-cancel", onclick: on.cancel }, t("cancelButton"))),
    why(doc, "why-refund", refundWhy), why(doc, "why-cancel", same ? null : cancelWhy));
}

function why(doc, id, text) {
  return text === null ? null : h(doc, "p", { class: "why", id, "data-spdesk": id }, text);
}

/** "Item price $25.98 (2 × $12.99)": a component as charged, per unit when there are several. */
function chargedText(component, item, order) {
  const { currency, decimals } = order.marketplace;
  const text = `${componentLabel(component.type)} ${money(component.charged, currency)}`;
  if (item.quantityOrdered <= 1) return text;
  return `${text} (${t("perUnit", item.quantityOrdered, money(unitAmount(component, item.quantityOrdered, decimals), currency))})`;
}

function itemRow(doc, item, order) {
  const cur = order.marketplace.currency;
  const refundable = sum(item.components.map((c) => c.refundable), order.marketplace.decimals);
  const counts = [t("qtyOrdered", item.quantityOrdered)];
  if (item.quantityShipped) counts.push(t("qtyShipped", item.quantityShipped));
  if (item.quantityCancelled) counts.push(t("qtyCancelled", item.quantityCancelled));
  const parts = item.components.filter((c) => Number(c.charged) !== 0).map((c) => chargedText(c, item, order));
  // The SKU under the title; an item known only by its SKU (Amazon gives MCF lines no title) once.
  const sku = item.title && item.sku ? `${item.sku} · ` : "";
  return h(doc, "li", { "data-item": item.orderItemCode },
    h(doc, "div", { class: "item-title" }, itemTitle(item)),
    h(doc, "div", { class: "muted" }, `${sku}${counts.join(" · ")}`),
    parts.length ? h(doc, "div", { class: "muted" }, parts.join(" · ")) : null,
    order.actions.refund.allowed ? h(doc, "div", { class: "muted" }, t("itemRefundable", money(refundable, cur))) : null);
}
