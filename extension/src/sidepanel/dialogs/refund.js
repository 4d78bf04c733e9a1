/**
 * Refund dialog: everything still refundable (preselected) or part of it per item and component,
 * with "whole line" / "one unit" shortcuts and per-unit prices; lines already refunded in full
 * are left out; the total on the confirm button, which stays in view.
 */
import { REFUND_REASONS, RESTOCKING_REASON } from "../../shared/domain.js";
import { reasonText } from "../companion-text.js";
import { h, uid } from "../dom.js";
import { componentLabel, itemTitle, money, taxWord } from "../format.js";
import { t } from "../i18n.js";
import { buildBody, compute, isSpent, refundableComponents, unitAmount, unitsAmount } from "./amounts.js";
import { agentField, confirmButton, noteField, openMoneyDialog, reasonField, stickyFooter } from "./parts.js";
import { runSubmission } from "./submitflow.js";

function setValue(input, value) {
  input.value = value;
  input.dispatchEvent(new input.ownerDocument.defaultView.Event("input", { bubbles: true }));
}

/** One amount field of a component: label, input, what is left, the price per unit. */
function componentRow(doc, item, component, order, fields) {
  const { currency, decimals } = order.marketplace;
  const id = uid("amount");
  const errorId = `${id}-error`;
  const input = h(doc, "input", { type: "text", id, inputmode: "decimal", autocomplete: "off", placeholder: "0",
    disabled: Number(component.refundable) === 0, "aria-describedby": `${errorId} ${id}-unit`,
    "data-item": item.orderItemCode, "data-component": component.type });
  const error = h(doc, "span", { class: "field-error", id: errorId, hidden: true });
  const remaining = h(doc, "span", { class: "remaining" }, t("remaining", money(component.refundable, currency)));
  const unit = item.quantityOrdered > 1
    ? t("perUnit", item.quantityOrdered, money(unitAmount(component, item.quantityOrdered, decimals), currency))
    : "";
  fields.push({ item, type: component.type, refundable: component.refundable, input, error, remaining, component });
  return h(doc, "div", { class: "field" },
    h(doc, "label", { for: id }, componentLabel(component.type)), input, remaining,
    h(doc, "span", { class: "unit muted", id: `${id}-unit` }, unit), error);
}

/** "Whole line" and, for several units, "One unit": fill the line's amounts in one click. */
function lineShortcuts(doc, item, order, fields) {
  const { decimals } = order.marketplace;
  const mine = () => fields.filter((f) => f.item === item && !f.fee && !f.input.disabled);
  const fill = (amount) => () => { for (const f of mine()) setValue(f.input, amount(f)); };
  return h(doc, "div", { class: "shortcuts" },
    h(doc, "button", { type: "button", class: "small", "data-spdesk": "whole-line", onclick: fill((f) => f.refundable) }, t("refundWholeLine")),
    item.quantityOrdered > 1
      ? h(doc, "button", { type: "button", class: "small", "data-spdesk": "one-unit",
        onclick: fill((f) => unitsAmount(f.component, item.quantityOrdered, 1, decimals)) }, t("refundOneUnit"))
      : null);
}

function feeRow(doc, item, fields) {
  const id = uid("fee");
  const input = h(doc, "input", { type: "text", id, inputmode: "decimal", placeholder: "0", "aria-describedby": `${id}-error`,
    "data-item": item.orderItemCode, "data-component": "RestockingFee" });
  const error = h(doc, "span", { class: "field-error", id: `${id}-error`, hidden: true });
  const row = h(doc, "div", { class: "field", hidden: true },
    h(doc, "label", { for: id }, t("restockingFee")), input, h(doc, "span", { class: "remaining" }, t("restockingHint")), error);
  fields.push({ item, fee: true, input, error, row });
  return row;
}

function itemFieldset(doc, item, order, fields) {
  const quantity = t("qtyOrdered", item.quantityOrdered);
  return h(doc, "fieldset", { "data-item": item.orderItemCode },
    h(doc, "legend", {}, item.title && item.sku ? `${item.title} (${item.sku})` : itemTitle(item)),
    h(doc, "div", { class: "line-head" }, h(doc, "span", { class: "muted" }, quantity), lineShortcuts(doc, item, order, fields)),
    refundableComponents(item).map((c) => componentRow(doc, item, c, order, fields)),
    feeRow(doc, item, fields));
}

/** The partial-refund lines: only those with something left; a note counts the spent ones. */
function partialItems(doc, order, fields) {
  const open = order.items.filter((item) => !isSpent(item, order.marketplace.decimals));
  const spent = order.items.length - open.length;
  return h(doc, "div", { hidden: true, "data-spdesk": "partial-items" },
    open.map((item) => itemFieldset(doc, item, order, fields)),
    spent ? h(doc, "p", { class: "muted", "data-spdesk": "spent-lines" }, t("spentLines", spent)) : null);
}

/** Take each component's remaining amount from a fresh order view (what the limits check uses). */
function updateLimits(fields, order) {
  const { currency } = order.marketplace;
  for (const f of fields) {
    if (f.fee) continue;
    const item = order.items.find((i) => i.orderItemCode === f.item.orderItemCode);
    const component = item?.components.find((c) => c.type === f.type);
    f.refundable = component?.refundable ?? "0";
    f.component = component ?? f.component;
    f.input.disabled = Number(f.refundable) === 0;
    f.remaining.textContent = t("remaining", money(f.refundable, currency));
  }
}

function showFieldError(field, message) {
  field.input.setAttribute("aria-invalid", message ? "true" : "false");
  field.error.hidden = !message;
  field.error.textContent = message ?? "";
}

/** Build the form's elements. */
function refundForm(doc, order, ctx, dlg) {
  const fields = [];
  const modeName = uid("mode");
  // Amazon's own totals may disagree with their breakdown: then only per-item refunds are offered.
  const full = order.actions.refund.full ?? { allowed: true };
  const parts = {
    fields,
    full: h(doc, "input", { type: "radio", name: modeName, value: "full", checked: full.allowed, disabled: !full.allowed, "data-spdesk": "mode-full" }),
    partial: h(doc, "input", { type: "radio", name: modeName, value: "partial", checked: !full.allowed, "data-spdesk": "mode-partial" }),
    reason: reasonField(doc, REFUND_REASONS),
    note: noteField(doc),
    agent: agentField(doc, ctx.options, ctx.team),
    items: partialItems(doc, order, fields),
    formError: h(doc, "p", { class: "field-error", role: "alert", hidden: true }),
    confirm: confirmButton(doc, order, "primary"),
    fullText: h(doc, "span", { "data-spdesk": "full-amount" }, t("refundFull", money(order.totals.refundable, order.marketplace.currency))),
  };
  parts.form = h(doc, "form", { novalidate: true },
    h(doc, "fieldset", {}, h(doc, "legend", {}, t("refundWhat")),
      h(doc, "label", {}, parts.full, " ", parts.fullText),
      full.allowed ? null : h(doc, "p", { class: "muted", "data-spdesk": "why-full" }, reasonText(full, "refund")),
      h(doc, "label", {}, parts.partial, " ", t("refundPartial")),
      order.pricesIncludeTax ? h(doc, "p", { class: "muted", "data-spdesk": "tax-included" }, t("refundTaxIncluded", taxWord(order.taxLabel))) : null),
    parts.items, parts.reason.element, parts.note.element, parts.agent?.element, parts.formError,
    stickyFooter(doc, dlg, parts.confirm.button));
  return parts;
}

/** Open the refund dialog for an order view. */
export function openRefundDialog(ctx, order, opener) {
  return openMoneyDialog(ctx, order, opener, { title: t("refundTitle", order.orderId), form: refundForm, wire });
}

function wire(ctx, dlg, { order, parts, signal }) {
  const { currency } = order.marketplace;
  let current = order; // replaced by a fresh view when the companion says the amounts changed
  const state = () => compute(current, parts.full.checked, parts.fields, parts.reason.select.value);
  const agentMissing = () => Boolean(parts.agent && !parts.agent.value());
  const refresh = () => {
    parts.items.hidden = parts.full.checked;
    for (const f of parts.fields) if (f.fee) f.row.hidden = parts.reason.select.value !== RESTOCKING_REASON;
    const s = state();
    for (const f of parts.fields) showFieldError(f, s.fieldErrors.get(f));
    parts.confirm.setText(s.total ? t("refundConfirm", money(s.total, currency), currency) : t("refundConfirmEmpty"));
    parts.confirm.button.disabled = !s.valid || agentMissing() || flow.busy;
    return s;
  };
  parts.form.addEventListener("input", refresh);
  parts.form.addEventListener("change", refresh);
  const flowOpts = { action: "refund", form: parts.form, confirm: parts.confirm.button, signal, order,
    overlapLabel: t("refundAnyway"), ready: () => state().valid && !agentMissing(),
    onRefused: async (err) => {
      if (err.code !== "refund_total_changed") return;
      // The confirmed total is stale: show the amounts as they are now, for a new confirmation.
      const fresh = await ctx.call("getOrder", { orderId: order.orderId, fresh: true });
      if (signal.aborted) return;
      current = fresh;
      flowOpts.order = fresh;
      parts.fullText.textContent = t("refundFull", money(fresh.totals.refundable, currency));
      updateLimits(parts.fields, fresh);
      refresh();
    } };
  const flow = runSubmission(ctx, dlg, flowOpts);
  parts.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const s = refresh();
    if (!s.valid || agentMissing()) {
      parts.formError.hidden = false;
      parts.formError.textContent = agentMissing() ? t("agentNameFirst") : s.problem ?? t("fixFields");
      return;
    }
    parts.formError.hidden = true;
    await parts.agent?.save(ctx);
    flow.submit(buildBody(current, s, { reason: parts.reason.select.value, note: parts.note.area.value }));
  });
  refresh();
}
