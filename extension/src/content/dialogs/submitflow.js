/** What happens after "confirm" in a money dialog: one submission, live status, retries, reply. */
import { FINAL_STATES } from "../ui/format.js";
import { t } from "../ui/i18n.js";
import { sellerCentralUrl } from "../ui/orderview.js";
import { createReplyControls } from "../ui/replybox.js";
import { h } from "../ui/shadow.js";
import { createStatus } from "../ui/status.js";
import { Submission } from "../ui/submit.js";

// Transport problems: the request may not have arrived, so the same body (and key) may be retried.
const RETRYABLE = new Set(["companion_offline", "companion_timeout", "extension_reloaded", "amazon_unavailable", "amazon_throttled", "amazon_timeout"]);

/**
 * Wire a dialog's form to the companion. `opts`: {action: "refund"|"cancel", form, confirm,
 * signal, order, overlapLabel, ready?() (the form may be sent), onRefused?(err) (awaited while
 * the dialog stays busy)}. Returns {submit(body), busy}.
 */
export function runSubmission(ctx, dlg, opts) {
  const doc = ctx.doc;
  const status = createStatus(doc, { sellerCentral: sellerCentralUrl(opts.order) });
  const warnings = h(doc, "div", { class: "warnings" });
  const extra = h(doc, "div", { class: "footer" });
  status.element.append(warnings, extra);
  dlg.body.append(status.element);
  const submission = new Submission((idempotencyKey, body) => ctx.call(opts.action, { idempotencyKey, body }));
  const flow = { busy: false, accepted: null, submit };

  async function submit(body) {
    if (flow.busy || flow.accepted) return; // one click, one submission
    flow.busy = true;
    opts.confirm.disabled = true;
    opts.confirm.setAttribute("aria-busy", "true");
    extra.replaceChildren();
    status.pending(t("sending"));
    try {
      const action = await submission.submit(body);
      if (action) accepted(action);
    } catch (err) {
      refused(err, body);
      try {
        await opts.onRefused?.(err);
      } catch {
        // The refusal's message stays shown; the form keeps what it had.
      }
    } finally {
      flow.busy = false;
      opts.confirm.removeAttribute("aria-busy");
      if (!flow.accepted) opts.confirm.disabled = !(opts.ready?.() ?? true);
    }
  }

  function accepted(action) {
    flow.accepted = action;
    // The form's amounts ("of $89.00 left") are stale from here on: the dialog becomes the outcome.
    opts.confirm.hidden = true;
    opts.form.remove();
    const close = h(doc, "button", { type: "button", "data-spdesk": "close-result", onclick: () => dlg.close() }, t("close"));
    extra.replaceChildren(close);
    let replyShown = false;
    let finalSeen = false;
    const update = (current) => {
      status.show(current);
      for (const w of current.warnings ?? []) {
        if (!warnings.querySelector(`[data-warning="${w.code}"]`)) warnings.append(h(doc, "p", { class: "callout", "data-warning": w.code }, w.message));
      }
      if (!replyShown && (current.state === "succeeded" || current.state === "posted")) {
        replyShown = true;
        extra.replaceChildren(createReplyControls(ctx, current, opts.order, { before: [close] }));
      }
      if (FINAL_STATES.has(current.state) && !finalSeen) {
        finalSeen = true;
        (extra.querySelector("[data-spdesk='insert-reply']") ?? close).focus();
      }
    };
    status.element.focus(); // the confirm button is gone; keep focus inside the dialog
    update(action); // (a replayed submission may already be final: then its button takes focus)
    ctx.follow(action, update, opts.signal);
  }

  function refused(err, body) {
    status.error(err);
    if (err.code === "overlap_needs_confirmation") {
      extra.append(h(doc, "button", { type: "button", class: "danger", "data-spdesk": "confirm-overlap",
        onclick: () => submit({ ...body, confirmOverlap: true }) }, opts.overlapLabel));
    } else if (RETRYABLE.has(err.code)) {
      extra.append(h(doc, "button", { type: "button", "data-spdesk": "retry-submit", onclick: () => submit(body) }, t("retry")));
    }
  }

  return flow;
}
