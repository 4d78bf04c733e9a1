/**
 * The companion's sentences in the agent's language. Next to each English sentence (a refusal,
 * why the order view offers no refund or cancel, what became of an action at Amazon, a warning,
 * a resolution in the history, why a refund waits for an approver) the companion sends a stable `code` and its `params`
 * (companion/codes.py, docs/protocol.md "Codes and params"). The extension words each code in its
 * six languages (_locales "ui_co_<catalogue>_<code>[_<case>]") and shows the companion's English
 * for a code it does not know yet, or when a parameter its wording needs is missing.
 */

/**
 * Every code the extension words, per catalogue of companion/codes.py. A code's spec is the list
 * of parameters its sentence takes ($1, $2… in order) or, when `params.case` picks the sentence,
 * one such list per case; "" is the sentence without a case, "bare" the one used when the
 * parameters of the others are missing. "name:money" is an amount in `params.currency`,
 * "name:component" a money component type, "name:field" an amount field the companion names,
 * "name:enum" a word from a short list ("co_enum_<name>_<value>", else the value itself).
 */
export const COMPANION_CODES = Object.freeze({
  error: {
    internal_error: [],
    invalid_request: {
      "": [], not_json: [], not_utf8: [], too_deep: [], bad_json: [], duplicate_key: ["field"], not_object: [],
      invalid_field: ["problem"],
      full_with_items: [], partial_without_items: [], duplicate_item: ["orderItemCode"],
    },
    invalid_order_id: [],
    invalid_amount: ["field:field", "text"],
    idempotency_key_missing: [],
    idempotency_key_invalid: { "": [], format: [], repeated: [] },
    http_error: ["httpStatus"],
    unauthorized: [],
    token_revoked: [],
    forbidden: [],
    host_not_allowed: [],
    origin_not_allowed: { "": [], not_extension: [] },
    pairing_code_invalid: { "": [], wrong: ["address"], none_waiting: ["address"] },
    not_found: { "": [], no_route: [], amazon: ["amazonText"] },
    order_not_found: { "": ["orderId", "account"], bare: [] },
    account_not_found: ["account"],
    action_not_found: [],
    method_not_allowed: [],
    conflict: [],
    no_account: [],
    cancel_in_progress: { refund: ["confirmation"], cancel: ["confirmation"] },
    idempotency_key_reused: [],
    overlap_needs_confirmation: { pending: ["total:money", "confirmation"], applied: ["total:money", "confirmation"] },
    refund_total_changed: ["expected:money", "actual:money"],
    payload_too_large: { "": ["limitKib"], bare: [] },
    action_refused: [],
    // With the order view's reason (`params.reason`) these say that reason (see DELEGATED).
    refund_not_available: [],
    cancel_not_available: { not_taken_in: [], view: [] },
    cancel_not_available_fba: [],
    mcf_cancel_too_late: ["status"],
    mcf_partial_cancel_not_supported: [],
    already_cancelled: { order: [], fulfillment_order: [], every_item: [], item: ["orderItemCode"] },
    cancel_after_shipment: [],
    cancel_reason_required: [],
    duplicate_order_item: [],
    unknown_order_item: ["orderItemCode"],
    partial_quantity_cancel_not_supported: ["orderItemCode", "units"],
    refund_not_positive: {
      nothing_left: [], no_money_back: [], fee_too_high: ["orderItemCode"], too_small: ["orderItemCode"],
      full_too_small: ["orderItemCode"],
    },
    refund_exceeds_paid: { item: ["refundable:money", "orderItemCode", "asked:money"], order: ["refundable:money", "asked:money"] },
    // With the order view's full-refund reason (amounts_mismatch and its case, full_too_small) it says that.
    full_refund_not_available: {
      item: ["orderItemCode", "reported:money", "atMost:money"], order: ["reported:money", "atMost:money"],
      no_total: ["orderItemCode", "atMost:money"], bare: [],
    },
    tax_included: ["taxLabel:enum"],
    tax_only_refund: ["orderItemCode"],
    agent_required: [],
    order_busy: [],
    ledger_unavailable: [],
    team_mode_only: [],
    not_approver: ["agent"],
    self_approval: [],
    approval_not_found: [],
    approval_expired: [],
    approval_not_pending: ["decision:enum"],
    amount_precision: ["currency", "decimals", "text"],
    currency_mismatch: ["currency", "asked"],
    quantity_exceeds_ordered: ["orderItemCode", "ordered", "asked"],
    refund_exceeds_refundable: ["component:component", "refundable:money", "asked:money"],
    restocking_fee_not_allowed: [],
    restocking_fee_exceeds_principal: ["orderItemCode", "fee:money"],
    pairing_locked: [],
    amazon_error: [],
    amazon_unavailable: [],
    amazon_throttled: [],
    amazon_timeout: [],
    amazon_access_denied: [],
    amazon_credentials_rejected: [],
    amazon_rejected: { "": ["amazonText"], bare: [] },
    amazon_outcome_unknown: [],
    amazon_bad_response: [],
    keyring_unavailable: [],
    credentials_missing: { missing: ["account"], damaged: ["account"] },
    accounts_file_invalid: ["path"],
    journal_behind: { behind: ["path", "found", "expected"], replaced: ["path"] },
  },
  // Why the order view offers no refund or cancel; the same code may read differently for each.
  reason: {
    fba_order: [],
    mcf_order: [],
    order_cancelled: { refund: [], cancel: [] },
    not_charged_yet: [],
    nothing_refundable: [],
    order_shipped: [],
    order_partly_shipped: [],
    payment_pending: [],
    status_not_cancellable: ["status"],
    mcf_processing: [],
    mcf_cancelled: [],
    mcf_shipped: [],
    mcf_status_not_cancellable: ["status"],
    cod_order: [],
    amounts_mismatch: {
      item: ["orderItemCode", "reported:money", "atMost:money"], order: ["reported:money", "atMost:money"],
      no_total: ["orderItemCode", "atMost:money"],
    },
    full_too_small: ["orderItemCode"],
  },
  // What became of an action at Amazon, or why spdesk cannot tell (the action's `amazon` block).
  outcome: {
    amazon_result: ["description"],
    feed_fatal: [],
    feed_cancelled: [],
    feed_rejected: ["description"],
    report_contradicts: ["description", "successful"],
    report_missing: [],
    report_unavailable: ["feedId", "error"],
    report_unreadable: ["problem"],
    not_in_report: ["processed"],
    feed_not_finished: ["feedId", "hours"],
    feed_not_prepared: ["error"],
    feed_not_taken: ["error"],
    feed_refused: ["error"],
    shipped_meanwhile: [],
    create_feed_undecided: { still_processing: [], several_feeds: ["feedIds"] },
    mcf_cancelled: ["fulfillmentOrderId"],
    mcf_unknown: ["fulfillmentOrderId"],
    mcf_too_late: ["fulfillmentOrderId", "status"],
    mcf_not_cancelled: ["fulfillmentOrderId", "error"],
    journal_lost: [],
    feed_gone: ["feedId"],
    approval_rejected: { "": ["by", "note"], bare: ["by"] },
    approval_expired: [],
  },
  warning: {
    counts_against_cancel_rate: [],
    feed_slow: ["feedId"],
    amazon_warning: ["description"],
  },
  history: {
    resolved: { applied: ["by"], not_applied: ["by"] },
  },
  // Why a refund waits for an approver (the action's `approval`: whyCode, whyParams, why).
  approval: {
    over_limit: { per_refund: ["agent", "limit:money"], per_day: ["agent", "limit:money", "spent:money"], no_limit: ["agent", "currency"] },
  },
});

/**
 * Refusals that, given the order view's reason code (`params.reason`), say that reason: for a
 * refund or a cancel (`context`), only for one case of theirs (`when`), keeping the reason's own
 * case (`keepCase`: the refusal's params are the reason's).
 */
const DELEGATED = Object.freeze({
  refund_not_available: { context: "refund" },
  cancel_not_available: { context: "cancel", when: "view" },
  full_refund_not_available: { context: "refund", keepCase: true },
});

/** The words of the short lists some params take ("enum" params). */
export const COMPANION_ENUMS = Object.freeze({
  taxLabel: ["vat", "gst", "consumption_tax", "tax", "sales_tax"],
  decision: ["approved", "rejected"],
});

// What a code's parameters are when the companion sends its English only (older companions):
// Amazon's remark without its raw message code in front.
const FROM_MESSAGE = Object.freeze({
  "warning.amazon_warning": (message) => ({ description: message.replace(/^[\w-]+:\s*/, "") }),
});

/** The locale key (without "ui_") of a code's sentence, or of one of its cases ("" = none). */
export function companionKey(catalogue, code, which = "") {
  return `co_${catalogue}_${code}${which ? `_${which}` : ""}`;
}

/** Every key and parameter list the extension words: [key, specs] pairs (for the tests). */
export function companionKeys() {
  const keys = Object.entries(COMPANION_ENUMS).flatMap(([name, values]) => values.map((v) => [`co_enum_${name}_${v}`, []]));
  for (const [catalogue, codes] of Object.entries(COMPANION_CODES)) {
    for (const [code, spec] of Object.entries(codes)) {
      if (Array.isArray(spec)) keys.push([companionKey(catalogue, code), spec]);
      else for (const [which, specs] of Object.entries(spec)) keys.push([companionKey(catalogue, code, which), specs]);
    }
  }
  return keys;
}

/** How a refusal says the order view's reason it carries, or undefined when it does not. */
function delegatedTo(catalogue, code, params) {
  if (catalogue !== "error" || !Object.hasOwn(DELEGATED, code) || !known("reason", params.reason)) return undefined;
  const rule = DELEGATED[code];
  return !rule.when || (params.case ?? rule.when) === rule.when ? rule : undefined;
}

function known(catalogue, code) {
  return typeof code === "string" && Object.hasOwn(COMPANION_CODES[catalogue] ?? {}, code);
}

/** The sentences a code may use, best first: [key, specs] for its case (or none), then "bare". */
function variants(catalogue, code, params, context) {
  const spec = COMPANION_CODES[catalogue][code];
  if (Array.isArray(spec)) return [[companionKey(catalogue, code), spec]];
  const which = typeof params.case === "string" ? params.case : (context ?? "");
  const found = [];
  if (which !== "bare" && Object.hasOwn(spec, which)) found.push([companionKey(catalogue, code, which), spec[which]]);
  if (Object.hasOwn(spec, "bare")) found.push([companionKey(catalogue, code, "bare"), spec.bare]);
  return found;
}

/**
 * The wording functions over a page's own `t(key, ...values)` (the key back when it has no such
 * string), `money(amount, currency)` and `componentLabel(type)`.
 */
export function companionWords({ t, money, componentLabel, fieldLabel = (field) => field }) {
  const kinds = {
    money: (value, params) => (params.currency ? money(value, params.currency) : null),
    component: (value) => componentLabel(String(value)),
    field: (value) => fieldLabel(String(value)),
    enum: (value, params, name) => {
      const key = `co_enum_${name}_${value}`;
      const word = t(key);
      return word === key ? String(value) : word;
    },
  };

  function paramValue(spec, params) {
    const [name, kind] = spec.split(":");
    const value = params[name];
    if (value === undefined || value === null || value === "") return null;
    if (kind) return kinds[kind](value, params, name);
    return Array.isArray(value) ? value.join(", ") : String(value);
  }

  /** The first of the code's sentences whose parameters are all there, or null. */
  function worded(catalogue, code, params, context) {
    for (const [key, specs] of variants(catalogue, code, params, context)) {
      const values = specs.map((spec) => paramValue(spec, params));
      if (values.includes(null)) continue;
      const text = t(key, ...values);
      if (text !== key) return text;
    }
    return null;
  }

  /** The sentence for `code` of `catalogue`; `fallback` (the companion's English) when it cannot. */
  function sentence(catalogue, code, sent, fallback = "", context = undefined) {
    const otherwise = fallback || t("companionUnknown");
    if (!known(catalogue, code)) return otherwise;
    const params = paramsFor(`${catalogue}.${code}`, sent, fallback);
    const rule = delegatedTo(catalogue, code, params);
    if (rule) return sentence("reason", params.reason, rule.keepCase ? params : { ...params, case: undefined }, fallback, rule.context);
    return worded(catalogue, code, params, context) ?? otherwise;
  }

  return {
    sentence,
    /** A refusal `{code, message, params}` (from the companion or the background). */
    errorText: (err) => sentence("error", err?.code, err?.params, err?.message ?? ""),
    /** Why the order view offers no refund (`context` "refund") or no cancel ("cancel"). */
    reasonText: (decision, context) => sentence("reason", decision?.code, decision?.params, decision?.reason ?? "", context),
    /** What became of an action at Amazon: the action's `amazon` block. */
    outcomeText: (amazon) => sentence("outcome", amazon?.code, amazon?.params, amazon?.description ?? ""),
    /** A warning `{code, message, params}` an action carries. */
    warningText: (warning) => sentence("warning", warning?.code, warning?.params, warning?.message ?? ""),
    /** A history entry's sentence (`detail` in English), or "" when it has none. */
    historyText: (step) => (step?.code || step?.detail ? sentence("history", step.code, step.params, step.detail ?? "") : ""),
    /** Why a refund waits for an approver: the action's `approval` (whyCode, whyParams, why), or "". */
    approvalText: (approval) => (approval?.whyCode || approval?.why ? sentence("approval", approval.whyCode, approval.whyParams, approval.why ?? "") : ""),
  };
}

/** The parameters sent, or those an English-only message still gives (older companions). */
function paramsFor(id, params, fallback) {
  if (params && typeof params === "object" && Object.keys(params).length) return params;
  return FROM_MESSAGE[id]?.(fallback) ?? {};
}
