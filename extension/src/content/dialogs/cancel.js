/** Cancel dialog: whole item lines, reason (BuyerCanceled when the buyer asked), rate warning. */
import { noImplicitSubmit, openDialog } from "../ui/dialog.js";
import { itemTitle, reasonLabel } from "../ui/format.js";
import { t } from "../ui/i18n.js";
import { h, uid } from "../ui/shadow.js";
import { runSubmission } from "./submitflow.js";

/** Amazon's cancel reasons (Order Acknowledgement feed). */
export const CANCEL_REASONS = [
  "BuyerCanceled", "NoInventory", "ShippingAddressUndeliverable", "CustomerExchange", "PricingError", "GeneralAdjustment",
];

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

/** Open the cancel dialog for an order view (the panel only offers it when cancel is allowed). */
export function openCancelDialog(ctx, order, opener) {
  const doc = ctx.doc;
  const abort = new AbortController();
  const dlg = openDialog(ctx.root, { title: t("cancelTitle", order.orderId), opener, onClose: () => abort.abort() });
  // Fulfillment Outbound cancels an MCF order only as a whole: its lines are shown, not chosen.
  const whole = order.channel === "MCF";
  const rows = order.items.filter((item) => cancellable(item) > 0).map((item) => itemRow(doc, item, whole));
  const reasonId = uid("reason");
  const preset = order.actions.cancel.defaultReason ?? (order.buyerCancellationRequest?.requested ? "BuyerCanceled" : "");
  const reason = h(doc, "select", { id: reasonId, required: true, "data-spdesk": "reason" },
    h(doc, "option", { value: "" }, t("chooseReason")),
    CANCEL_REASONS.map((code) => h(doc, "option", { value: code, selected: code === preset }, reasonLabel(code))));
  const noteId = uid("note");
  const note = h(doc, "textarea", { id: noteId, rows: "2", maxlength: "2000", "data-spdesk": "note" });
  const warning = h(doc, "p", { class: "callout", role: "note", "data-spdesk": "rate-warning", hidden: true }, t("cancelRateWarning"));
  const formError = h(doc, "p", { class: "field-error", role: "alert", hidden: true });
  const confirm = h(doc, "button", { type: "submit", class: "danger", "data-spdesk": "confirm" });
  const form = h(doc, "form", { novalidate: true },
    order.buyerCancellationRequest?.requested
      ? h(doc, "p", { class: "callout info" }, t("buyerRequestedCancel"),
        order.buyerCancellationRequest.reason ? ` “${order.buyerCancellationRequest.reason}”` : "")
      : null,
    h(doc, "fieldset", {}, h(doc, "legend", {}, t("cancelItems")), rows.map((r) => r.element),
      whole ? h(doc, "p", { class: "muted", "data-spdesk": "cancel-whole" }, t("mcfCancelWhole")) : null),
    h(doc, "label", { for: reasonId }, t("reasonLabel")), reason,
    warning,
    h(doc, "label", { for: noteId }, t("noteField")), note,
    formError,
    h(doc, "div", { class: "footer" }, h(doc, "button", { type: "button", onclick: () => dlg.close() }, t("close")), confirm));
  dlg.body.append(form);
  noImplicitSubmit(form);

  const selected = () => rows.filter((r) => r.check.checked).map((r) => ({ orderItemCode: r.item.orderItemCode, quantity: r.quantity() }));
  const refresh = () => {
    const chosen = selected();
    const all = chosen.length === rows.length && rows.every((r) => r.quantity() === cancellable(r.item));
    warning.hidden = !reason.value || !countsAgainstRate(order, reason.value);
    confirm.textContent = all ? t("cancelConfirmAll") : t("cancelConfirmItems", chosen.reduce((n, i) => n + i.quantity, 0));
    confirm.disabled = flow.busy || !reason.value || chosen.length === 0 || chosen.some((i) => !(i.quantity >= 1));
  };
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  const flow = runSubmission(ctx, dlg, { action: "cancel", form, confirm, signal: abort.signal, order, overlapLabel: t("cancelAnyway") });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    refresh();
    if (confirm.disabled) {
      formError.hidden = false;
      formError.textContent = reason.value ? t("chooseItems") : t("chooseReasonFirst");
      return;
    }
    formError.hidden = true;
    const body = { orderId: order.orderId, account: order.account, items: selected(), reason: reason.value, note: note.value.trim() };
    if (whole) delete body.items; // the companion refuses a list of lines for MCF
    flow.submit(body);
  });
  refresh();
  reason.focus(); // never the destructive button: a stray Enter must not cancel
  return dlg;
}

// Whole lines only: Amazon's acknowledgement feed cancels item lines, so the companion refuses a
// part of a line's units (partial_quantity_cancel_not_supported) and the dialog never offers it.
function itemRow(doc, item, locked) {
  const max = cancellable(item);
  const checkId = uid("item");
  const check = h(doc, "input", { type: "checkbox", id: checkId, checked: true, disabled: locked, "data-item": item.orderItemCode });
  const quantity = () => max;
  const element = h(doc, "div", { class: "field" },
    h(doc, "label", { for: checkId }, check, " ", itemTitle(item)),
    h(doc, "span", { class: "remaining", "data-quantity": item.orderItemCode }, `× ${max}`));
  return { item, check, quantity, element };
}
