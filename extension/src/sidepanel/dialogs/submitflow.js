/** What happens after "confirm" in a money dialog: one submission, live status, retries, reply. */
import { warningText } from "../companion-text.js";
import { h } from "../dom.js";
import { FINAL_STATES } from "../format.js";
import { t } from "../i18n.js";
import { sellerCentralUrl } from "../orderview.js";
import { createReplyControls } from "../replybox.js";
import { createStatus } from "../status.js";
import { Submission } from "../submit.js";

// Transport problems: the request may not have arrived, so the same body (and key) may be retried.
const RETRYABLE = new Set(["companion_offline", "companion_timeout", "extension_reloaded", "amazon_unavailable", "amazon_throttled", "amazon_timeout"]);

/** One line per warning code, in the agent's language (Amazon's raw codes stay out of it). */
function showWarnings(doc, container, warnings) {
  for (const w of warnings ?? []) {
    const key = w.code ?? w.message;
    if ([...container.children].some((el) => el.dataset.warning === key)) continue;
    container.append(h(doc, "p", { class: "callout", "data-warning": key }, warningText(w)));
  }
}

/** The outcome once the companion accepted: live state, warnings, then "Insert reply". */
function acceptedView(ctx, dlg, parts, opts) {
  const doc = ctx.doc;
  const close = h(doc, "button", { type: "button", "data-spdesk": "close-result", onclick: () => dlg.close() }, t("close"));
  parts.extra.replaceChildren(close);
  let replyShown = false;
  let finalSeen = false;
  return (current) => {
    parts.status.show(current);
    showWarnings(doc, parts.warnings, current.warnings);
    if (!replyShown && (current.state === "succeeded" || current.state === "posted")) {
      replyShown = true;
      parts.extra.replaceChildren(createReplyControls(ctx, current, opts.order, { before: [close], ticket: dlg.data }));
    }
    if (FINAL_STATES.has(current.state) && !finalSeen) {
      finalSeen = true;
      (parts.extra.querySelector("[data-spdesk='insert-reply']") ?? close).focus();
    }
  };
}

/** The outcome block under the form: live status, warnings, and a footer for what comes next. */
function outcomeParts(doc, dlg, order) {
  const parts = { status: createStatus(doc, { sellerCentral: sellerCentralUrl(order) }),
    warnings: h(doc, "div", { class: "warnings" }), extra: h(doc, "div", { class: "footer" }) };
  parts.status.element.append(parts.warnings, parts.extra);
  dlg.body.append(parts.status.element);
  return parts;
}

/**
 * Wire a dialog's form to the companion. `opts`: {action: "refund"|"cancel", form, confirm,
 * signal, order, overlapLabel, ready?() (the form may be sent), onRefused?(err) (awaited while
 * the dialog stays busy)}. The request carries the ticket the dialog was opened for
 * (`dlg.data`), which the background checks is still shown. Returns {submit(body), busy}.
 */
export function runSubmission(ctx, dlg, opts) {
  const doc = ctx.doc;
  const parts = outcomeParts(doc, dlg, opts.order);
  const ticket = { tabId: dlg.data.tabId, url: dlg.data.url };
  const submission = new Submission((idempotencyKey, body) => ctx.call(opts.action, { idempotencyKey, body, ticket }));
  const flow = { busy: false, accepted: null, submit };

  async function submit(body) {
    if (flow.busy || flow.accepted) return; // one click, one submission
    flow.busy = true;
    dlg.data.busy = true;
    opts.confirm.disabled = true;
    opts.confirm.setAttribute("aria-busy", "true");
    parts.extra.replaceChildren();
    parts.status.pending(t("sending"));
    try {
      const action = await submission.submit(body);
      if (action) accepted(action);
    } catch (err) {
      refused(err, body);
      await Promise.resolve(opts.onRefused?.(err)).catch(() => {}); // the refusal stays shown
    } finally {
      flow.busy = false;
      dlg.data.busy = false;
      opts.confirm.removeAttribute("aria-busy");
      if (!flow.accepted) opts.confirm.disabled = !(opts.ready?.() ?? true);
    }
  }

  function accepted(action) {
    flow.accepted = action;
    dlg.data.accepted = true;
    // The form's amounts ("of $89.00 left") are stale from here on: the dialog becomes the outcome.
    opts.form.remove();
    const update = acceptedView(ctx, dlg, parts, opts);
    parts.status.element.focus(); // the confirm button is gone; keep focus inside the dialog
    update(action); // (a replayed submission may already be final: then its button takes focus)
    ctx.follow(action, update, opts.signal);
  }

  function refused(err, body) {
    parts.status.error(err);
    let next = null;
    if (err.code === "overlap_needs_confirmation") {
      next = h(doc, "button", { type: "button", class: "danger", "data-spdesk": "confirm-overlap",
        onclick: () => submit({ ...body, confirmOverlap: true }) }, opts.overlapLabel);
    } else if (RETRYABLE.has(err.code)) {
      next = h(doc, "button", { type: "button", "data-spdesk": "retry-submit", onclick: () => submit(body) }, t("retry"));
    }
    if (next) parts.extra.append(next);
    parts.status.element.focus(); // read the refusal first; Tab reaches its buttons, Escape closes
  }

  return flow;
}
