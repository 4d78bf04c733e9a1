/**
 * The refund form's arithmetic, apart from its DOM: what each line may still give back, what a
 * unit of it is worth, and the exact total of what the agent typed (minor units, never floats).
 */
import { REFUND_COMPONENTS, RESTOCKING_REASON } from "../../shared/domain.js";
import { AmountError, compare, fromMinor, toMinor } from "../../shared/money.js";
import { t } from "../i18n.js";

const REFUNDABLE = new Set(REFUND_COMPONENTS);

/** The components of an item a partial refund may name. */
export function refundableComponents(item) {
  return item.components.filter((c) => REFUNDABLE.has(c.type));
}

/** True when nothing of the item is left to refund (the dialog hides such "spent" lines). */
export function isSpent(item, decimals) {
  return refundableComponents(item).every((c) => toMinor(c.refundable, decimals) === 0n);
}

/** The price of one unit of a component (what was charged, split over the units ordered). */
export function unitAmount(component, quantity, decimals) {
  const units = BigInt(Math.max(1, quantity));
  return fromMinor(toMinor(component.charged, decimals) / units, decimals);
}

/** What `units` units of a component come to, capped at what is left to refund. */
export function unitsAmount(component, quantity, units, decimals) {
  const wanted = toMinor(unitAmount(component, quantity, decimals), decimals) * BigInt(units);
  const left = toMinor(component.refundable, decimals);
  return fromMinor(wanted < left ? wanted : left, decimals);
}

function precisionMessage(err, decimals) {
  if (!(err instanceof AmountError && err.code === "amount_precision")) return t("notAnAmount");
  return decimals === 0 ? t("noDecimals") : t("tooManyDecimals", decimals); // "0 decimals at most" reads oddly
}

/** One field's value in minor units, or the sentence that says why it is not an amount. */
function parseField(field, decimals) {
  let minor;
  try {
    minor = toMinor(field.input.value, decimals);
  } catch (err) {
    return { error: precisionMessage(err, decimals) };
  }
  if (!field.fee && minor > 0n && compare(fromMinor(minor, decimals), field.refundable, decimals) > 0) {
    return { error: t("moreThanRemaining") };
  }
  return { minor };
}

/** Adds one field's amount to its item's line: a component, or the fee kept back from it. */
function addToLine(lines, field, minor, decimals) {
  const line = lines.get(field.item) ?? { components: {}, fee: 0n, net: 0n };
  if (field.fee) line.fee = minor;
  else line.components[field.type] = fromMinor(minor, decimals);
  line.net += field.fee ? -minor : minor;
  lines.set(field.item, line);
}

/** The lines a partial refund names: per item its components and fee, and the net total. */
function partialLines(fields, reason, decimals) {
  const lines = new Map();
  const fieldErrors = new Map();
  for (const field of fields.filter((f) => !f.fee || reason === RESTOCKING_REASON)) {
    const { minor, error } = parseField(field, decimals);
    if (error) fieldErrors.set(field, error);
    else if (minor > 0n) addToLine(lines, field, minor, decimals);
  }
  let total = 0n;
  for (const [item, line] of lines) {
    total += line.net;
    if (line.net <= 0n) fieldErrors.set(fields.find((f) => f.fee && f.item === item), t("feeTooHigh"));
  }
  return { lines, fieldErrors, total };
}

/**
 * Validate the form and compute the exact total. `fields`: {item, type, refundable, input} per
 * component, {item, fee: true, input} per restocking fee. Returns {valid, total, fieldErrors,
 * lines (null for a full refund), problem}.
 */
export function compute(order, isFull, fields, reason) {
  const { decimals } = order.marketplace;
  if (isFull) {
    const positive = toMinor(order.totals.refundable, decimals) > 0n;
    return { valid: positive && Boolean(reason), total: order.totals.refundable, fieldErrors: new Map(), lines: null,
      problem: reason ? null : t("chooseReasonFirst") };
  }
  const { lines, fieldErrors, total } = partialLines(fields, reason, decimals);
  const valid = fieldErrors.size === 0 && total > 0n && Boolean(reason);
  const problem = !reason ? t("chooseReasonFirst") : total <= 0n ? t("enterAmount") : null;
  return { valid, total: total > 0n ? fromMinor(total, decimals) : null, fieldErrors, lines, problem };
}

/** The refund request body for the companion (POST /v1/refunds). */
export function buildBody(order, state, { reason, note }) {
  const { decimals } = order.marketplace;
  const body = { orderId: order.orderId, account: order.account, mode: state.lines ? "partial" : "full", reason,
    currency: order.marketplace.currency, note: note.trim(),
    // The total on the confirm button: the companion refuses if it would refund another amount.
    expectedTotal: state.total };
  if (state.lines) {
    body.items = [...state.lines].map(([item, line]) => {
      const entry = { orderItemCode: item.orderItemCode, quantity: Math.max(1, item.quantityOrdered), components: line.components };
      if (line.fee > 0n) entry.restockingFee = fromMinor(line.fee, decimals);
      return entry;
    });
  }
  return body;
}
