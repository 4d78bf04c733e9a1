/**
 * The companion's sentences in the agent's language. The companion sends a stable `code` and its
 * `params` next to each English sentence (refusals, why an action is not possible, warnings,
 * outcomes); the extension owns the wording in its six languages ("ui_co_<code>" in _locales)
 * and shows the companion's English for a code it does not know yet.
 */
import { componentLabel, money } from "./format.js";
import { t } from "./i18n.js";

/**
 * Every code the extension words, with the parameters its sentence takes ($1, $2…, in order).
 * "name:money" is an amount in `params.currency`; "name:component" a money component type.
 */
export const COMPANION_CODES = Object.freeze({
  // Refusals of a request (docs/protocol.md).
  order_not_found: [],
  invalid_order_id: [],
  no_account: [],
  keyring_unavailable: [],
  internal_error: [],
  amazon_error: [],
  amazon_unavailable: [],
  amazon_throttled: [],
  amazon_timeout: [],
  amazon_bad_response: [],
  amazon_access_denied: [],
  amazon_credentials_rejected: [],
  amazon_rejected: [],
  amazon_outcome_unknown: [],
  idempotency_key_reused: [],
  refund_total_changed: ["expected:money", "actual:money"],
  refund_exceeds_refundable: ["component:component", "refundable:money"],
  refund_not_positive: [],
  amount_precision: ["currency", "decimals"],
  invalid_amount: [],
  currency_mismatch: ["currency"],
  unknown_order_item: ["orderItemCode"],
  quantity_exceeds_ordered: ["orderItemCode"],
  duplicate_order_item: [],
  restocking_fee_not_allowed: [],
  restocking_fee_exceeds_principal: [],
  overlap_needs_confirmation: [],
  cancel_in_progress: [],
  cancel_reason_required: [],
  partial_quantity_cancel_not_supported: ["orderItemCode"],
  mcf_partial_cancel_not_supported: [],
  cancel_not_available_fba: [],
  // Why an order allows no refund or no cancel now (the order view), also as refusals.
  order_fba: [],
  refund_mcf: [],
  refund_order_cancelled: [],
  refund_not_charged: [],
  refund_nothing_left: [],
  already_cancelled: [],
  cancel_after_shipment: [],
  cancel_partly_shipped: [],
  cancel_pending: [],
  cancel_status: ["status"],
  mcf_cancel_too_late: ["status"],
  mcf_processing: [],
  mcf_shipped: [],
  // Warnings and outcomes of an action.
  counts_against_cancel_rate: [],
  feed_slow: ["feedId"],
  amazon_warning: ["description"],
  report_missing_message: ["processed"],
  report_unreadable: [],
  feed_rejected: ["description"],
  feed_cancelled: [],
  shipped_meanwhile: [],
});

// What a code's parameters are when the companion sends its English only (older companions):
// Amazon's remark without its raw message code in front.
const FROM_MESSAGE = {
  amazon_warning: (message) => ({ description: message.replace(/^[\w-]+:\s*/, "") }),
};

function paramValue(spec, params) {
  const [name, kind] = spec.split(":");
  const value = params[name];
  if (value === undefined || value === null || value === "") return null;
  if (kind === "money") return params.currency ? money(value, params.currency) : null;
  if (kind === "component") return componentLabel(value);
  return String(value);
}

/**
 * The sentence for `code` with `params`, in the agent's language; `fallback` (the companion's
 * English) for a code spdesk does not know or when a parameter it needs is missing.
 */
export function companionText(code, params, fallback = "") {
  const values = knownCode(code) ? COMPANION_CODES[code].map((spec) => paramValue(spec, paramsFor(code, params, fallback))) : [null];
  if (values.includes(null)) return fallback || t("companionUnknown");
  return t(`co_${code}`, ...values);
}

function knownCode(code) {
  return typeof code === "string" && Object.hasOwn(COMPANION_CODES, code);
}

/** The parameters sent, or those an English-only message still gives (older companions). */
function paramsFor(code, params, fallback) {
  if (params && typeof params === "object" && Object.keys(params).length) return params;
  return FROM_MESSAGE[code]?.(fallback) ?? {};
}

/** The sentence of an object carrying `code`, `params` and an English text under `textKey`. */
export function sentenceOf(object, textKey = "message") {
  return companionText(object?.code, object?.params, object?.[textKey] ?? "");
}
