/** Display helpers shared by the panel and the dialogs. */
import { formatMoney } from "../shared/money.js";
import { t, tOr, uiLanguage } from "./i18n.js";

/** Money in the agent's UI language. */
export function money(amount, currency) {
  try {
    return formatMoney(amount, currency, uiLanguage());
  } catch {
    return `${amount} ${currency}`;
  }
}

/** A date-time in the agent's locale, or "" when missing. */
export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleString(uiLanguage(), { dateStyle: "medium", timeStyle: "short" });
}

/** The agent-facing words for an action state. */
export function stateText(action) {
  return tOr(`state_${action.state}`, humanize(action.state ?? ""));
}

// Finances spells a few charge types its own way; they name the same components.
const COMPONENT_ALIASES = { Giftwrap: "GiftWrap", GiftwrapTax: "GiftWrapTax", GiftWrapCharge: "GiftWrap", ShippingCharge: "Shipping" };

/** The UI string key of a component type (`component_<type>`), aliases resolved. */
export function componentKey(type) {
  return `component_${COMPONENT_ALIASES[type] ?? type}`;
}

/** Label of an order or refund component (Principal, Shipping, Tax, GiftWrap, RestockingFee…). */
export function componentLabel(type) {
  return tOr(componentKey(type), humanize(type));
}

/** "GiftWrapTax" → "Gift wrap tax": a type Amazon adds later still reads as words, not code. */
export function humanize(code) {
  const words = String(code).replace(/([a-z\d])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2").split(/[\s_]+/);
  return words.map((w, i) => (i === 0 || /^[A-Z\d]+$/.test(w) ? w : w.toLowerCase())).join(" ");
}

/** What an item is called: its title, else its SKU (MCF lines carry no title), else its code. */
export function itemTitle(item) {
  return item?.title || item?.sku || item?.orderItemCode || "";
}

/** Label of an Amazon reason code (words, not the code, for one spdesk does not know). */
export function reasonLabel(code) {
  return tOr(`reason_${code}`, humanize(code));
}

/** The buyer's name where the order view has one. */
export function buyerName(order) {
  return order?.buyerName ?? order?.buyer?.name ?? null;
}

/** "Order 113-… · Jane Doe": what every confirmation names. */
export function orderLine(order) {
  const name = buyerName(order);
  return name ? t("orderLineBuyer", order.orderId, name) : t("orderLine", order.orderId);
}

/** Terminal states: the action will not change any more (except the later "posted" mark). */
export const FINAL_STATES = new Set(["succeeded", "failed", "unknown", "posted"]);

/** Label of an order status or channel code from the order view. */
export function codeLabel(prefix, code) {
  return tOr(`${prefix}_${code}`, code);
}

/** The tax a marketplace's prices include ("VAT", "GST"…, from the order view's `taxLabel`). */
export function taxWord(label) {
  return tOr(`co_enum_taxLabel_${label}`, label ?? "");
}

// What a requesting agent reads once an approver decided (or nobody did in time).
const DECISION_KEYS = { approved: "approvedBy", rejected: "rejectedBy", expired: "approvalExpiredLine" };

/** "Approved by Bob at 26 Nov 2026, 10:15" for a refund that waited for an approver, else "". */
export function approvalLine(action) {
  const approval = action?.approval;
  const key = DECISION_KEYS[approval?.state];
  if (!key) return "";
  const line = t(key, approval.decidedBy ?? "", when(approval.decidedAt));
  return approval.note && approval.state === "rejected" ? `${line} ${t("noteLabel", approval.note)}` : line;
}
