/** Display helpers shared by the panel and the dialogs. */
import { formatMoney } from "../../shared/money.js";
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
  const text = tOr(`state_${action.state}`, action.state);
  if (action.state === "failed" && action.amazon?.description) return `${text}: ${action.amazon.description}`;
  return text;
}

/** Label of a refund component (Principal, Shipping, Tax, ShippingTax). */
export function componentLabel(type) {
  return tOr(`component_${type}`, type);
}

/** Label of an Amazon reason code. */
export function reasonLabel(code) {
  return tOr(`reason_${code}`, code);
}

/** Terminal states: the action will not change any more (except the later "posted" mark). */
export const FINAL_STATES = new Set(["succeeded", "failed", "unknown", "posted"]);

/** Label of an order status or channel code from the order view. */
export function codeLabel(prefix, code) {
  return tOr(`${prefix}_${code}`, code);
}
