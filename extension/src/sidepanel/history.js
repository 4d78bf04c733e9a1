/** The order's action history: newest first, each with its live state and full timeline. */
import { approvalText, historyText, warningText } from "./companion-text.js";
import { h } from "./dom.js";
import { FINAL_STATES, approvalLine, money, reasonLabel, stateText, when } from "./format.js";
import { t } from "./i18n.js";
import { createReplyControls } from "./replybox.js";

/** Render the history list; succeeded actions offer "Insert reply" into the ticket shown now. */
export function renderHistory(ctx, actions, order) {
  const doc = ctx.doc;
  if (!actions.length) return h(doc, "p", { class: "muted", "data-spdesk": "history-empty" }, t("historyEmpty"));
  return h(doc, "ul", { class: "history", "data-spdesk": "history" }, actions.map((action) => entry(ctx, action, order)));
}

function entry(ctx, action, order) {
  const doc = ctx.doc;
  const title = action.kind === "cancel" ? t("historyCancel") : t("historyRefund", money(action.total, action.currency));
  const done = (action.state === "succeeded" || action.state === "posted") && FINAL_STATES.has(action.state);
  const ticket = ctx.ticket();
  const why = approvalText(action.approval);
  return h(doc, "li", { "data-action": action.id, "data-state": action.state },
    h(doc, "div", { class: "row" },
      h(doc, "strong", {}, title),
      h(doc, "span", { class: `badge-state s-${action.state}` }, stateText(action))),
    h(doc, "div", { class: "muted" }, [reasonLabel(action.reason), when(action.createdAt), action.agent].filter(Boolean).join(" · ")),
    why ? h(doc, "div", { class: "muted", "data-spdesk": "approval-why" }, why) : null,
    approvalLine(action) ? h(doc, "div", { class: `approval-line a-${action.approval.state}`, "data-spdesk": "approval-decision" }, approvalLine(action)) : null,
    details(doc, action),
    done && ticket ? createReplyControls(ctx, action, order, { ticket }) : null);
}

/** A resolution by a person: who checked Seller Central, and the note they left. */
function historyLine(step) {
  const said = historyText(step);
  if (!said) return "";
  const note = step.code === "resolved" && step.params?.note ? ` ${t("noteLabel", step.params.note)}` : "";
  return ` — ${said}${note}`;
}

function details(doc, action) {
  return h(doc, "details", {},
    h(doc, "summary", {}, t("historyDetails")),
    h(doc, "ol", { class: "muted" }, (action.history ?? []).map((step) =>
      h(doc, "li", {}, `${stateText({ state: step.state })} — ${when(step.at)}`, historyLine(step)))),
    action.confirmation ? h(doc, "p", { class: "muted" }, t("confirmationLabel", action.confirmation)) : null,
    action.note ? h(doc, "p", { class: "muted" }, t("noteLabel", action.note)) : null,
    (action.warnings ?? []).map((w) => h(doc, "p", { class: "muted" }, warningText(w))));
}
