/** Refund dialog: full (preselected) or partial per item and component, reason, exact total. */
import { AmountError, compare, fromMinor, toMinor } from "../../shared/money.js";
import { noImplicitSubmit, openDialog } from "../ui/dialog.js";
import { componentLabel, itemTitle, money, reasonLabel } from "../ui/format.js";
import { t } from "../ui/i18n.js";
import { h, uid } from "../ui/shadow.js";
import { runSubmission } from "./submitflow.js";

/** Amazon's AdjustmentReason values, the common ones first. */
export const REFUND_REASONS = [
  "CustomerReturn", "GeneralAdjustment", "CouldNotShip", "DifferentItem", "ProductOutofStock",
  "NoInventory", "CustomerCancel", "PriceError", "CustomerAddressIncorrect", "Exchange",
  "Undeliverable", "RefusedDelivery", "CarrierCreditDecision", "CarrierCoverageFailure",
  "Abandoned", "RiskAssessmentInformationNotValid", "TransactionRecord", "Other",
];
const RESTOCKING_REASON = "CustomerReturn";
// The components a partial refund may name (the companion refuses others).
const REFUND_COMPONENTS = new Set(["Principal", "Shipping", "Tax", "ShippingTax"]);

/** Open the refund dialog for an order view. */
export function openRefundDialog(ctx, order, opener) {
  const doc = ctx.doc;
  let current = order; // replaced by a fresh view when the companion says the amounts changed
  const { decimals, currency } = order.marketplace;
  const dlg = openDialog(ctx.root, { title: t("refundTitle", order.orderId), opener, onClose: () => abort.abort() });
  const abort = new AbortController();
  const fields = []; // {item, type, input, error} per component, {item, fee: true, ...} per fee
  const modeName = uid("mode");
  const full = h(doc, "input", { type: "radio", name: modeName, value: "full", checked: true, "data-spdesk": "mode-full" });
  const partial = h(doc, "input", { type: "radio", name: modeName, value: "partial", "data-spdesk": "mode-partial" });
  const reasonId = uid("reason");
  const reason = h(doc, "select", { id: reasonId, required: true, "data-spdesk": "reason" },
    h(doc, "option", { value: "" }, t("chooseReason")),
    REFUND_REASONS.map((code) => h(doc, "option", { value: code }, reasonLabel(code))));
  const noteId = uid("note");
  const note = h(doc, "textarea", { id: noteId, rows: "2", maxlength: "2000", "data-spdesk": "note" });
  const items = h(doc, "div", { hidden: true, "data-spdesk": "partial-items" },
    order.items.map((item) => itemFieldset(doc, item, order, fields)));
  const formError = h(doc, "p", { class: "field-error", role: "alert", hidden: true });
  const confirm = h(doc, "button", { type: "submit", class: "primary", "data-spdesk": "confirm" });
  const fullText = h(doc, "span", { "data-spdesk": "full-amount" }, t("refundFull", money(order.totals.refundable, currency)));
  const cancel = h(doc, "button", { type: "button", onclick: () => dlg.close() }, t("close"));
  const form = h(doc, "form", { novalidate: true },
    h(doc, "fieldset", {}, h(doc, "legend", {}, t("refundWhat")),
      h(doc, "label", {}, full, " ", fullText),
      h(doc, "label", {}, partial, " ", t("refundPartial"))),
    items,
    h(doc, "label", { for: reasonId }, t("reasonLabel")), reason,
    h(doc, "label", { for: noteId }, t("noteField")), note,
    formError,
    h(doc, "div", { class: "footer" }, cancel, confirm));
  dlg.body.append(form);
  noImplicitSubmit(form);

  const state = () => compute(current, full.checked, fields, reason.value);
  const refresh = () => {
    items.hidden = full.checked;
    const feeShown = reason.value === RESTOCKING_REASON;
    for (const f of fields) if (f.fee) f.row.hidden = !feeShown;
    const s = state();
    for (const f of fields) showFieldError(f, s.fieldErrors.get(f));
    confirm.textContent = s.total ? t("refundConfirm", money(s.total, currency), currency) : t("refundConfirmEmpty");
    confirm.disabled = !s.valid || flow.busy;
    return s;
  };
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);

  const flowOpts = {
    action: "refund",
    form,
    confirm,
    signal: abort.signal,
    order,
    overlapLabel: t("refundAnyway"),
    ready: () => state().valid,
    onRefused: async (err) => {
      if (err.code !== "refund_total_changed") return;
      // The confirmed total is stale: show the amounts as they are now, for a new confirmation.
      const fresh = await ctx.call("getOrder", { orderId: order.orderId, fresh: true });
      if (abort.signal.aborted) return;
      current = fresh;
      flowOpts.order = fresh;
      fullText.textContent = t("refundFull", money(fresh.totals.refundable, currency));
      updateLimits(fields, fresh);
      refresh();
    },
  };
  const flow = runSubmission(ctx, dlg, flowOpts);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const s = refresh();
    if (!s.valid) {
      formError.hidden = false;
      formError.textContent = s.problem ?? t("fixFields");
      return;
    }
    formError.hidden = true;
    flow.submit(buildBody(current, s, reason.value, note.value, decimals));
  });
  refresh();
  reason.focus();
  return dlg;
}

function itemFieldset(doc, item, order, fields) {
  const { currency } = order.marketplace;
  const rows = item.components.filter((c) => REFUND_COMPONENTS.has(c.type)).map((c) => {
    const id = uid("amount");
    const errorId = `${id}-error`;
    const input = h(doc, "input", { type: "text", id, inputmode: "decimal", autocomplete: "off", placeholder: "0",
      disabled: c.refundable === "0" || Number(c.refundable) === 0, "aria-describedby": errorId,
      "data-item": item.orderItemCode, "data-component": c.type });
    const error = h(doc, "span", { class: "field-error", id: errorId, hidden: true });
    const remaining = h(doc, "span", { class: "remaining" }, t("remaining", money(c.refundable, currency)));
    fields.push({ item, type: c.type, refundable: c.refundable, input, error, remaining });
    return h(doc, "div", { class: "field" },
      h(doc, "label", { for: id }, componentLabel(c.type)), input, remaining, error);
  });
  const feeId = uid("fee");
  const fee = h(doc, "input", { type: "text", id: feeId, inputmode: "decimal", placeholder: "0", "aria-describedby": `${feeId}-error`,
    "data-item": item.orderItemCode, "data-component": "RestockingFee" });
  const feeError = h(doc, "span", { class: "field-error", id: `${feeId}-error`, hidden: true });
  const feeRow = h(doc, "div", { class: "field", hidden: true },
    h(doc, "label", { for: feeId }, t("restockingFee")), fee, h(doc, "span", { class: "remaining" }, t("restockingHint")), feeError);
  fields.push({ item, fee: true, input: fee, error: feeError, row: feeRow });
  return h(doc, "fieldset", { "data-item": item.orderItemCode },
    h(doc, "legend", {}, item.title ? `${item.title} (${item.sku})` : itemTitle(item)), rows, feeRow);
}

/** Take each component's remaining amount from a fresh order view (what the limits check uses). */
function updateLimits(fields, order) {
  const { currency } = order.marketplace;
  for (const f of fields) {
    if (f.fee) continue;
    const item = order.items.find((i) => i.orderItemCode === f.item.orderItemCode);
    const refundable = item?.components.find((c) => c.type === f.type)?.refundable ?? "0";
    f.refundable = refundable;
    f.input.disabled = Number(refundable) === 0;
    f.remaining.textContent = t("remaining", money(refundable, currency));
  }
}

function showFieldError(field, message) {
  field.input.setAttribute("aria-invalid", message ? "true" : "false");
  field.error.hidden = !message;
  field.error.textContent = message ?? "";
}

/** Validate the form and compute the exact total (minor units, never floats). */
export function compute(order, isFull, fields, reason) {
  const { decimals } = order.marketplace;
  const fieldErrors = new Map();
  if (isFull) {
    const positive = toMinor(order.totals.refundable, decimals) > 0n;
    return { valid: positive && Boolean(reason), total: order.totals.refundable, fieldErrors, lines: null,
      problem: reason ? null : t("chooseReasonFirst") };
  }
  const lines = new Map();
  let total = 0n;
  for (const f of fields) {
    if (f.fee && reason !== RESTOCKING_REASON) continue;
    let minor;
    try {
      minor = toMinor(f.input.value, decimals);
    } catch (err) {
      fieldErrors.set(f, precisionMessage(err, decimals));
      continue;
    }
    if (minor === 0n) continue;
    if (!f.fee && compare(fromMinor(minor, decimals), f.refundable, decimals) > 0) {
      fieldErrors.set(f, t("moreThanRemaining"));
      continue;
    }
    const line = lines.get(f.item) ?? { components: {}, fee: 0n, net: 0n };
    if (f.fee) line.fee = minor;
    else line.components[f.type] = fromMinor(minor, decimals);
    line.net += f.fee ? -minor : minor;
    lines.set(f.item, line);
    total += f.fee ? -minor : minor;
  }
  for (const [item, line] of lines) {
    if (line.net <= 0n) fieldErrors.set(fields.find((f) => f.fee && f.item === item), t("feeTooHigh"));
  }
  const valid = fieldErrors.size === 0 && total > 0n && Boolean(reason);
  const problem = !reason ? t("chooseReasonFirst") : total <= 0n ? t("enterAmount") : null;
  return { valid, total: total > 0n ? fromMinor(total, decimals) : null, fieldErrors, lines, problem };
}

function precisionMessage(err, decimals) {
  if (!(err instanceof AmountError && err.code === "amount_precision")) return t("notAnAmount");
  return decimals === 0 ? t("noDecimals") : t("tooManyDecimals", decimals); // "0 decimals at most" reads oddly
}

function buildBody(order, s, reason, note, decimals) {
  const body = { orderId: order.orderId, account: order.account, mode: s.lines ? "partial" : "full", reason,
    currency: order.marketplace.currency, note: note.trim(),
    // The total on the confirm button: the companion refuses if it would refund another amount.
    expectedTotal: s.total };
  if (s.lines) {
    body.items = [...s.lines].map(([item, line]) => {
      const entry = { orderItemCode: item.orderItemCode, quantity: Math.max(1, item.quantityOrdered), components: line.components };
      if (line.fee > 0n) entry.restockingFee = fromMinor(line.fee, decimals);
      return entry;
    });
  }
  return body;
}
