/** "Insert reply": renders the localised confirmation and puts it into the helpdesk's reply box. */
import { renderReply, resolveLanguage } from "../../shared/templates.js";
import { insertReply } from "../reply.js";
import { itemTitle } from "./format.js";
import { t } from "./i18n.js";
import { h } from "./shadow.js";

/** The reply template for an action: refund, cancel, or cancel of a web-shop (MCF) order. */
export function templateKind(action, order) {
  if (action.kind !== "cancel") return "refund";
  return (action.channel ?? order?.channel) === "MCF" ? "cancelMcf" : "cancel";
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
    items: replyLines(action, order).map((item) => ({
      title: titles.get(item.orderItemCode) ?? item.orderItemCode,
      quantity: item.quantity ?? 1,
    })),
  }, options?.templates);
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

/**
 * "Insert reply" (the primary button, after any `before` buttons) plus its outcome line;
 * `ctx.replyTarget()` finds the editor when clicked, `ctx.replyInserted()` hears of success.
 */
export function createReplyControls(ctx, action, order, { before = [] } = {}) {
  const doc = ctx.doc;
  const note = h(doc, "p", { class: "muted", role: "status", "aria-live": "polite" });
  const fallback = h(doc, "div", { hidden: true });
  const insert = () => {
    const text = replyFor(action, order, ctx.options);
    const result = insertReply(ctx.replyTarget(), text);
    fallback.replaceChildren();
    if (result.ok) {
      note.dataset.result = "inserted";
      note.textContent = t("replyInserted");
      fallback.hidden = true;
      ctx.replyInserted?.(); // the panel steps aside so the agent can review and send
      return;
    }
    note.dataset.result = result.code;
    note.textContent = t("replyNoEditor");
    const copy = h(doc, "button", { type: "button", onclick: () => copyText(text, note) }, t("replyCopy"));
    fallback.append(h(doc, "div", { class: "reply" }, text), copy);
    fallback.hidden = false;
  };
  const button = h(doc, "button", { type: "button", class: "primary", "data-spdesk": "insert-reply", onclick: insert }, t("replyInsert"));
  return h(doc, "div", { class: "reply-controls" }, h(doc, "div", { class: "buttons" }, before, button), note, fallback);
}

async function copyText(text, note) {
  try {
    await navigator.clipboard.writeText(text);
    note.textContent = t("replyCopied");
  } catch {
    note.textContent = t("replyCopyFailed");
  }
}
