/**
 * The approver's confirmation: approving sends a teammate's refund to Amazon, so it is confirmed
 * here in the side panel (never in the page) with the order, the amount and who asked named on
 * the dialog and its button. Rejecting takes an optional note for the agent who asked.
 */
import { approvalText, errorText } from "../companion-text.js";
import { noImplicitSubmit, openDialog } from "../dialog.js";
import { h, uid } from "../dom.js";
import { money, reasonLabel } from "../format.js";
import { t } from "../i18n.js";
import { confirmButton, stickyFooter } from "./parts.js";

// Refusals after which the same decision can never succeed: the button stays disabled.
const FINAL_REFUSALS = new Set(["self_approval", "not_approver", "approval_not_found", "approval_expired", "approval_not_pending", "team_mode_only"]);

const VERDICTS = {
  approve: { title: "approveTitle", confirm: "approveConfirm", done: "approvedDone", kind: "primary" },
  reject: { title: "rejectTitle", confirm: "rejectConfirm", done: "rejectedDone", kind: "danger" },
};

/** What the approver decides on: order, who asked, amount, reason, why it needs approval, note. */
function summary(doc, action) {
  const rows = [
    [t("approvalOrder"), action.orderId],
    [t("approvalAskedByLabel"), action.approval?.requestedBy ?? action.agent],
    [t("approvalAmount"), money(action.total, action.currency)],
    [t("approvalReason"), reasonLabel(action.reason)],
    [t("approvalWhy"), approvalText(action.approval)],
    [t("approvalAgentNote"), action.note],
  ].filter(([, value]) => value);
  return h(doc, "dl", { "data-spdesk": "approval-summary" }, rows.flatMap(([label, value]) => [h(doc, "dt", {}, label), h(doc, "dd", {}, value)]));
}

/** The optional note a rejection carries to the agent who asked. */
function rejectNote(doc, action) {
  const id = uid("reject-note");
  const area = h(doc, "textarea", { id, rows: "2", maxlength: "2000", "data-spdesk": "reject-note" });
  return { area, element: [h(doc, "label", { for: id }, t("rejectNoteLabel", action.approval?.requestedBy ?? action.agent)), area] };
}

/**
 * Open the confirmation of `verdict` ("approve" | "reject") for a waiting refund. `ctx`: {doc,
 * dialogs, call}; `onDecided(action)` gets the action as the companion answered it.
 */
export function openApprovalDialog(ctx, action, verdict, { opener = null, onDecided = () => {} } = {}) {
  const words = VERDICTS[verdict];
  const asker = action.approval?.requestedBy ?? action.agent;
  const dlg = openDialog(ctx.dialogs, { title: t(words.title, action.orderId), opener, data: { scope: "team", approval: action.id } });
  const note = verdict === "reject" ? rejectNote(ctx.doc, action) : null;
  const confirm = confirmButton(ctx.doc, action, words.kind, t("approvalConfirmFor", action.orderId, asker));
  confirm.setText(t(words.confirm, money(action.total, action.currency)));
  const problem = h(ctx.doc, "p", { class: "status-error", role: "alert", hidden: true, "data-spdesk": "status-error" });
  const form = h(ctx.doc, "form", { novalidate: true }, summary(ctx.doc, action), note?.element, problem, stickyFooter(ctx.doc, dlg, confirm.button));
  form.dataset.verdict = verdict;
  noImplicitSubmit(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (confirm.button.disabled) return; // one click, one decision
    confirm.button.disabled = true;
    dlg.data.busy = true;
    problem.hidden = true;
    try {
      const decided = await ctx.call(verdict, note ? { id: action.id, note: note.area.value } : { id: action.id });
      onDecided(decided);
      done(ctx.doc, dlg, form, t(words.done, money(action.total, action.currency), action.orderId));
    } catch (err) {
      problem.hidden = false;
      problem.dataset.code = err.code ?? "";
      problem.textContent = errorText(err);
      confirm.button.disabled = FINAL_REFUSALS.has(err.code);
    } finally {
      dlg.data.busy = false;
    }
  });
  dlg.body.append(form);
  (note?.area ?? form.querySelector("[data-spdesk='close-form']")).focus();
  return dlg;
}

/** The decision was recorded: say so, and offer only Close. */
function done(doc, dlg, form, text) {
  const close = h(doc, "button", { type: "button", "data-spdesk": "close-result", onclick: () => dlg.close() }, t("close"));
  form.replaceWith(h(doc, "div", { class: "result r-succeeded" },
    h(doc, "p", { class: "status", role: "status", "data-spdesk": "approval-result" }, text),
    h(doc, "div", { class: "footer" }, close)));
  close.focus();
}
