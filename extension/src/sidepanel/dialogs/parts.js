/** Pieces both money dialogs share: reason and note fields, the agent's name, the confirm footer. */
import { saveOptions } from "../../shared/options.js";
import { noImplicitSubmit, openDialog } from "../dialog.js";
import { h, uid } from "../dom.js";
import { orderLine, reasonLabel } from "../format.js";
import { t } from "../i18n.js";

/** The reason select (`preset` chosen), with a first "Choose a reason…" entry. */
export function reasonField(doc, reasons, preset = "") {
  const id = uid("reason");
  const select = h(doc, "select", { id, required: true, "data-spdesk": "reason" },
    h(doc, "option", { value: "" }, t("chooseReason")),
    reasons.map((code) => h(doc, "option", { value: code, selected: code === preset }, reasonLabel(code))));
  return { select, element: [h(doc, "label", { for: id }, t("reasonLabel")), select] };
}

/** The internal note sent with the action (never to the buyer). */
export function noteField(doc) {
  const id = uid("note");
  const area = h(doc, "textarea", { id, rows: "2", maxlength: "2000", "data-spdesk": "note" });
  return { area, element: [h(doc, "label", { for: id }, t("noteField")), area] };
}

/**
 * The agent's name, asked once (single mode: the companion records who acted, and an empty name
 * is never sent). Null when the options already have it. `save()` stores what was typed.
 */
export function agentField(doc, options, team) {
  // In team mode the companion records its own agent: nothing to ask.
  if (options?.agentName || team?.mode === "team") return null;
  const id = uid("agent");
  const input = h(doc, "input", { type: "text", id, autocomplete: "name", maxlength: "100", required: true, "data-spdesk": "agent-name" });
  return {
    input,
    element: h(doc, "div", { class: "agent" },
      h(doc, "label", { for: id }, t("agentNameLabel")), input, h(doc, "p", { class: "muted" }, t("agentNameHelp"))),
    value: () => input.value.trim(),
    async save(ctx) {
      const agentName = input.value.trim();
      ctx.options = await saveOptions({ agentName });
    },
  };
}

/**
 * The confirm button: what happens in big letters, the order (and buyer) it happens to below
 * (`below` replaces that line, e.g. with who asked for a refund an approver confirms).
 */
export function confirmButton(doc, order, kind, below = orderLine(order)) {
  const main = h(doc, "span", { class: "confirm-main" });
  const button = h(doc, "button", { type: "submit", class: kind, "data-spdesk": "confirm" },
    main, h(doc, "span", { class: "confirm-order" }, below));
  return { button, setText: (text) => { main.textContent = text; } };
}

/** The footer that stays in view however long the form: Close and the confirm button. */
export function stickyFooter(doc, dlg, confirm) {
  return h(doc, "div", { class: "footer sticky" },
    h(doc, "button", { type: "button", "data-spdesk": "close-form", onclick: () => dlg.close() }, t("close")), confirm);
}

/**
 * Open a money dialog for an order view: `form(doc, order, ctx, dlg)` builds its parts, `wire`
 * makes them work. Focus starts on the reason, never on the money button: a stray Enter must not
 * move money.
 */
export function openMoneyDialog(ctx, order, opener, { title, form, wire }) {
  const abort = new AbortController();
  const dlg = openDialog(ctx.dialogs, { title, opener, onClose: () => abort.abort(), data: ctx.dialogData(order) });
  const parts = form(ctx.doc, order, ctx, dlg);
  dlg.body.append(parts.form);
  noImplicitSubmit(parts.form);
  wire(ctx, dlg, { order, parts, signal: abort.signal });
  parts.reason.select.focus();
  return dlg;
}
