/**
 * Cancel dialog: whole item lines, each named with its amount; the reason (BuyerCanceled when the
 * buyer asked on Amazon); a warning when the cancellation counts against the seller's rate.
 */
import { CANCEL_REASONS } from "../../shared/domain.js";
import { sum } from "../../shared/money.js";
import { h, uid } from "../dom.js";
import { itemTitle, money } from "../format.js";
import { t } from "../i18n.js";
import { agentField, confirmButton, noteField, openMoneyDialog, reasonField, stickyFooter } from "./parts.js";
import { runSubmission } from "./submitflow.js";

/** Units of an item that can still be cancelled. */
export function cancellable(item) {
  return Math.max(0, item.quantityOrdered - item.quantityShipped - item.quantityCancelled);
}

/**
 * True when cancelling with this reason counts against the seller's cancellation rate: an
 * Amazon order the buyer did not ask to cancel on Amazon. An MCF order was sold on the seller's
 * own channel, so Amazon's seller metrics never see it.
 */
export function countsAgainstRate(order, reason) {
  if (order.channel === "MCF") return false;
  return !(order.buyerCancellationRequest?.requested && reason === "BuyerCanceled");
}

/** What a line comes to (what the buyer was charged for it), or null without Amazon amounts. */
export function lineAmount(item, order) {
  if (!item.components?.length) return null;
  return sum(item.components.map((c) => c.charged), order.marketplace.decimals);
}

/** "× 3 ($29.97)": the units of a line that would be cancelled, and what they come to. */
function lineTail(item, order) {
  const amount = lineAmount(item, order);
  const units = `× ${cancellable(item)}`;
  return amount === null ? units : `${units} (${money(amount, order.marketplace.currency)})`;
}

/** "Yoga strap × 3 ($29.97)": a line as the confirmation names it. */
export function lineText(item, order) {
  return `${itemTitle(item)} ${lineTail(item, order)}`;
}

// Whole lines only: Amazon's acknowledgement feed cancels item lines, so the companion refuses a
// part of a line's units (partial_quantity_cancel_not_supported) and the dialog never offers it.
function itemRow(doc, item, order, locked) {
  const checkId = uid("item");
  const check = h(doc, "input", { type: "checkbox", id: checkId, checked: true, disabled: locked, "data-item": item.orderItemCode });
  const element = h(doc, "div", { class: "field cancel-line" },
    h(doc, "label", { for: checkId }, check, " ", itemTitle(item)),
    h(doc, "span", { class: "remaining", "data-quantity": item.orderItemCode }, lineTail(item, order)));
  return { item, check, element };
}

function cancelForm(doc, order, ctx, dlg) {
  // Fulfillment Outbound cancels an MCF order only as a whole: its lines are shown, not chosen.
  const whole = order.channel === "MCF";
  const request = order.buyerCancellationRequest;
  const preset = order.actions.cancel.defaultReason ?? (request?.requested ? "BuyerCanceled" : "");
  const parts = {
    whole,
    rows: order.items.filter((item) => cancellable(item) > 0).map((item) => itemRow(doc, item, order, whole)),
    reason: reasonField(doc, CANCEL_REASONS, preset),
    note: noteField(doc),
    agent: agentField(doc, ctx.options, ctx.team),
    summary: h(doc, "ul", { class: "summary", "data-spdesk": "cancel-summary" }),
    warning: h(doc, "p", { class: "callout", role: "note", "data-spdesk": "rate-warning", hidden: true }, t("cancelRateWarning")),
    formError: h(doc, "p", { class: "field-error", role: "alert", hidden: true }),
    confirm: confirmButton(doc, order, "danger"),
  };
  parts.form = h(doc, "form", { novalidate: true },
    request?.requested
      ? h(doc, "p", { class: "callout info" }, t("buyerRequestedCancel"), request.reason ? ` “${request.reason}”` : "")
      : null,
    h(doc, "fieldset", {}, h(doc, "legend", {}, t("cancelItems")), parts.rows.map((r) => r.element),
      whole ? h(doc, "p", { class: "muted", "data-spdesk": "cancel-whole" }, t("mcfCancelWhole")) : null),
    parts.reason.element, parts.warning, parts.note.element, parts.agent?.element,
    h(doc, "p", { class: "muted" }, t("cancelSummary")), parts.summary, parts.formError,
    stickyFooter(doc, dlg, parts.confirm.button));
  return parts;
}

/** Open the cancel dialog for an order view (the panel only offers it when cancel is allowed). */
export function openCancelDialog(ctx, order, opener) {
  return openMoneyDialog(ctx, order, opener, { title: t("cancelTitle", order.orderId), form: cancelForm, wire });
}

function confirmText(chosen, all, order) {
  if (all) return t("cancelConfirmAll");
  if (chosen.length === 1) return t("cancelConfirmOne", lineText(chosen[0].item, order));
  return t("cancelConfirmItems", chosen.length);
}

function wire(ctx, dlg, { order, parts, signal }) {
  const doc = ctx.doc;
  const chosenRows = () => parts.rows.filter((r) => r.check.checked);
  const agentMissing = () => Boolean(parts.agent && !parts.agent.value());
  const refresh = () => {
    const chosen = chosenRows();
    const reason = parts.reason.select.value;
    parts.warning.hidden = !reason || !countsAgainstRate(order, reason);
    parts.summary.replaceChildren(...chosen.map((r) => h(doc, "li", { "data-item": r.item.orderItemCode }, lineText(r.item, order))));
    parts.confirm.setText(confirmText(chosen, chosen.length === parts.rows.length, order));
    parts.confirm.button.disabled = flow.busy || !reason || chosen.length === 0 || agentMissing();
  };
  parts.form.addEventListener("input", refresh);
  parts.form.addEventListener("change", refresh);
  const flow = runSubmission(ctx, dlg, { action: "cancel", form: parts.form, confirm: parts.confirm.button, signal, order,
    overlapLabel: t("cancelAnyway"), ready: () => Boolean(parts.reason.select.value && chosenRows().length && !agentMissing()) });
  parts.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    refresh();
    if (parts.confirm.button.disabled) {
      parts.formError.hidden = false;
      parts.formError.textContent = agentMissing() ? t("agentNameFirst") : parts.reason.select.value ? t("chooseItems") : t("chooseReasonFirst");
      return;
    }
    parts.formError.hidden = true;
    await parts.agent?.save(ctx);
    const items = chosenRows().map((r) => ({ orderItemCode: r.item.orderItemCode, quantity: cancellable(r.item) }));
    const body = { orderId: order.orderId, account: order.account, items, reason: parts.reason.select.value, note: parts.note.area.value.trim() };
    if (parts.whole) delete body.items; // the companion refuses a list of lines for MCF
    flow.submit(body);
  });
  refresh();
}
