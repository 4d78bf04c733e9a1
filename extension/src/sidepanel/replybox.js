/**
 * "Insert reply" and "Insert internal note": the localised confirmation for the buyer, and a note
 * for colleagues, put into the helpdesk by the tab's content script, which says truthfully
 * whether the text is there. The text can always be copied instead.
 */
import { renderReply, resolveLanguage } from "../shared/templates.js";
import { h } from "./dom.js";
import { itemTitle, money, reasonLabel } from "./format.js";
import { t } from "./i18n.js";

/** The reply template for an action: refund, cancel, or cancel of a web-shop (MCF) order. */
export function templateKind(action, order) {
  if (action.kind !== "cancel") return "refund";
  return (action.channel ?? order?.channel) === "MCF" ? "cancelMcf" : "cancel";
}

// An MCF cancellation names the fulfillment order, not its lines: the reply lists the order's.
function replyLines(action, order) {
  const lines = (action.items ?? []).filter((item) => item.orderItemCode);
  if (lines.length || action.kind !== "cancel") return lines;
  return (order?.items ?? []).map((item) => ({
    orderItemCode: item.orderItemCode,
    quantity: item.quantityCancelled || item.quantityOrdered - item.quantityShipped,
  }));
}

/** The reply text for a finished action of an order. */
export function replyFor(action, order, options) {
  const titles = new Map((order?.items ?? []).map((item) => [item.orderItemCode, itemTitle(item)]));
  return renderReply({
    kind: templateKind(action, order),
    language: resolveLanguage(options?.replyLanguage, order?.marketplace?.language),
    amount: action.total,
    currency: action.currency,
    reason: action.reason,
    confirmation: action.confirmation,
    orderId: action.orderId,
    items: replyLines(action, order).map((item) => ({ title: titles.get(item.orderItemCode) ?? item.orderItemCode, quantity: item.quantity ?? 1 })),
  }, options?.templates);
}

/** The internal note for colleagues, in the agent's language: what was done, by whom, reference. */
export function noteFor(action, order) {
  const what = action.kind === "cancel"
    ? t("noteCancel", action.orderId)
    : t("noteRefund", money(action.total, action.currency), action.orderId);
  const lines = [what, t("noteReason", reasonLabel(action.reason)), t("noteReference", action.confirmation ?? "")];
  if (action.agent) lines.push(t("noteBy", action.agent));
  if (order?.channel === "MCF" && action.kind === "cancel") lines.push(t("noteMcfMoney"));
  return lines.join("\n");
}

// What the content script answered, as a sentence for the agent.
const RESULT_TEXT = {
  reply: { ok: "replyInserted", opened: "replyOpenedInserted", no_reply_editor: "replyNoEditor", editor_hidden: "replyHidden",
    text_removed: "replyRemoved", ticket_changed: "replyOtherTicket", no_content_script: "replyNoSpdesk" },
  note: { ok: "noteInserted", opened: "noteOpenedInserted", no_reply_editor: "noteNoEditor", editor_hidden: "noteHidden",
    text_removed: "noteRemoved", ticket_changed: "replyOtherTicket", no_content_script: "replyNoSpdesk" },
};

function resultText(kind, result) {
  const texts = RESULT_TEXT[kind];
  const key = result.ok ? (result.opened ? texts.opened : texts.ok) : texts[result.code] ?? texts.no_reply_editor;
  return t(key);
}

async function copyText(text, note) {
  try {
    await navigator.clipboard.writeText(text);
    note.textContent = t("replyCopied");
  } catch {
    note.textContent = t("replyCopyFailed");
  }
}

/**
 * "Insert reply" (the primary button, after any `before` buttons), "Insert internal note" where
 * the helpdesk has one, and the outcome line. `ticket`: {tabId, url, note} the action was done
 * for; `ctx.insert({tabId, url, kind, text})` asks the tab's content script.
 */
export function createReplyControls(ctx, action, order, { before = [], ticket }) {
  const doc = ctx.doc;
  const note = h(doc, "p", { class: "muted", role: "status", "aria-live": "polite", "data-spdesk": "insert-result" });
  const fallback = h(doc, "div", { hidden: true, "data-spdesk": "insert-fallback" });
  const insert = (kind, text) => async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    note.textContent = t("inserting");
    const result = await ctx.insert({ tabId: ticket.tabId, url: ticket.url, kind, text }).catch(() => ({ ok: false, code: "no_content_script" }));
    button.disabled = false;
    note.dataset.result = result.ok ? "inserted" : result.code;
    note.textContent = resultText(kind, result);
    fallback.hidden = result.ok;
    if (!result.ok) {
      fallback.replaceChildren(h(doc, "div", { class: "reply" }, text),
        h(doc, "button", { type: "button", onclick: () => copyText(text, note) }, t("replyCopy")));
    }
  };
  const reply = replyFor(action, order, ctx.options);
  const buttons = [...before,
    ticket.note ? h(doc, "button", { type: "button", "data-spdesk": "insert-note", onclick: insert("note", noteFor(action, order)) }, t("noteInsert")) : null,
    h(doc, "button", { type: "button", class: "primary", "data-spdesk": "insert-reply", onclick: insert("reply", reply) }, t("replyInsert"))];
  return h(doc, "div", { class: "reply-controls" }, h(doc, "div", { class: "buttons" }, buttons), note, fallback);
}
