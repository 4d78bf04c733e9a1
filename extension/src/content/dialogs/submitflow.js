/** What happens after "confirm" in a money dialog: one submission, live status, retries, reply. */
import { FINAL_STATES } from "../ui/format.js";
import { t } from "../ui/i18n.js";
import { createReplyControls } from "../ui/replybox.js";
import { h } from "../ui/shadow.js";
import { createStatus } from "../ui/status.js";
import { Submission } from "../ui/submit.js";

// Transport problems: the request may not have arrived, so the same body (and key) may be retried.
const RETRYABLE = new Set(["companion_offline", "companion_timeout", "extension_reloaded", "amazon_unavailable", "amazon_throttled", "amazon_timeout"]);

/**
 * Wire a dialog's form to the companion. `opts`: {action: "refund"|"cancel", form, confirm,
 * signal, order, overlapLabel}. Returns {submit(body), busy}.
 */
export function runSubmission(ctx, dlg, opts) {
  const doc = ctx.doc;
  const status = createStatus(doc);
  const extra = h(doc, "div", { class: "footer" });
  dlg.body.append(status.element, extra);
  const submission = new Submission((idempotencyKey, body) => ctx.call(opts.action, { idempotencyKey, body }));
  const flow = { busy: false, accepted: null, submit };

  async function submit(body) {
    if (flow.busy || flow.accepted) return; // one click, one submission
    flow.busy = true;
    opts.confirm.disabled = true;
    opts.confirm.setAttribute("aria-busy", "true");
    extra.replaceChildren();
    status.clear();
    status.element.firstChild.textContent = t("sending");
    try {
      const action = await submission.submit(body);
      if (action) accepted(action);
    } catch (err) {
      refused(err, body);
    } finally {
      flow.busy = false;
      opts.confirm.removeAttribute("aria-busy");
      if (!flow.accepted) opts.confirm.disabled = false;
    }
  }

  function accepted(action) {
    flow.accepted = action;
    for (const el of opts.form.querySelectorAll("input, select, textarea")) el.disabled = true;
    opts.confirm.hidden = true;
    let replyShown = false;
    const update = (current) => {
      status.show(current);
      for (const w of current.warnings ?? []) {
        if (!extra.querySelector(`[data-warning="${w.code}"]`)) extra.before(h(doc, "p", { class: "callout", "data-warning": w.code }, w.message));
      }
      if (!replyShown && (current.state === "succeeded" || current.state === "posted")) {
        replyShown = true;
        extra.append(createReplyControls(ctx, current, opts.order));
      }
      if (FINAL_STATES.has(current.state)) extra.querySelector("[data-spdesk='insert-reply']")?.focus();
    };
    update(action);
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
