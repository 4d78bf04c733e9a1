/** The outcome block of a money dialog: live state (aria-live), then success, refusal or "unknown". */
import { approvalText, errorText, outcomeText } from "./companion-text.js";
import { h } from "./dom.js";
import { FINAL_STATES, approvalLine, money, stateText } from "./format.js";
import { t } from "./i18n.js";

const IN_PROGRESS_HINT_STATES = new Set(["accepted", "queued", "submitted", "processing"]);

// A refund the team did not let through: headlines that do not blame Amazon.
const TEAM_ENDINGS = { rejected: "resultRefundRejected", expired: "resultRefundExpired" };

/** The one-line headline of an action: what happened, in the agent's words. */
export function headline(action) {
  const refund = action.kind !== "cancel";
  if (action.state === "succeeded" || action.state === "posted") {
    return refund ? t("resultRefundAccepted", money(action.total, action.currency)) : t("resultCancelAccepted");
  }
  // Refused by the team, not by Amazon: nothing was sent there.
  const undecided = action.state === "failed" && TEAM_ENDINGS[action.approval?.state];
  if (undecided) return t(undecided);
  if (action.state === "failed") return refund ? t("resultRefundFailed") : t("resultCancelFailed");
  return stateText({ state: action.state });
}

/** "Reference SPD-… · Feed 5001…", plus what was sent while Amazon is still working on it. */
export function metaLine(action) {
  const parts = [];
  if (!FINAL_STATES.has(action.state)) {
    parts.push(action.kind === "cancel" ? t("historyCancel") : t("resultRefundOf", money(action.total, action.currency)));
  }
  if (action.approval?.state === "approved") parts.push(approvalLine(action));
  if (action.confirmation) parts.push(t("resultReference", action.confirmation));
  if (action.feedId) parts.push(t("resultFeed", action.feedId));
  if (action.state === "posted") parts.push(t("state_posted"));
  return parts.join(" · ");
}

/**
 * A status region; call show(action) on each update, error(err) on a refusal before Amazon got
 * it. `opts.sellerCentral` is the order's Seller Central address (for failed and unknown).
 */
export function createStatus(doc, { sellerCentral = null } = {}) {
  const text = h(doc, "p", { class: "status", role: "status", "aria-live": "polite", "data-spdesk": "status" });
  const meta = h(doc, "p", { class: "result-meta", "data-spdesk": "status-meta", hidden: true });
  const detail = h(doc, "div", { class: "result-detail", hidden: true });
  const alert = h(doc, "p", { class: "status-error", role: "alert", hidden: true, "data-spdesk": "status-error" });
  const element = h(doc, "div", { class: "result", tabindex: "-1", hidden: true }, text, meta, detail, alert);
  const link = () => (sellerCentral
    ? h(doc, "a", { href: sellerCentral, target: "_blank", rel: "noopener noreferrer", "data-spdesk": "result-seller-central" }, t("sellerCentral"))
    : null);
  return {
    element,
    show(action) {
      element.hidden = false;
      alert.hidden = true;
      element.className = `result r-${action.state}`;
      text.className = `status s-${action.state}`;
      text.dataset.state = action.state;
      text.textContent = headline(action);
      meta.textContent = metaLine(action);
      meta.hidden = !meta.textContent;
      detail.replaceChildren(...details(doc, action, link));
      detail.hidden = !detail.firstChild;
    },
    pending(message) {
      element.hidden = false;
      element.className = "result r-sending";
      alert.hidden = true;
      meta.hidden = true;
      detail.hidden = true;
      text.className = "status";
      delete text.dataset.state;
      text.textContent = message;
    },
    error(err) {
      element.hidden = false;
      element.className = "result r-refused";
      text.textContent = "";
      alert.hidden = false;
      alert.dataset.code = err.code ?? "";
      alert.textContent = errorText(err);
    },
    clear() {
      element.hidden = true;
      alert.hidden = true;
      text.textContent = "";
    },
  };
}

// Outcomes whose sentence is Amazon's own words (quoted as Amazon said them).
const AMAZON_WORDS = new Set(["amazon_result", "feed_rejected"]);

/**
 * Why an action failed: Amazon's own words quoted (the raw code only as a tooltip), or spdesk's
 * explanation in the agent's language.
 */
function amazonSays(doc, action) {
  const amazon = action.amazon ?? {};
  if (amazon.code && !AMAZON_WORDS.has(amazon.code)) {
    return h(doc, "p", { class: "amazon-says", "data-spdesk": "amazon-message" }, outcomeText(amazon));
  }
  const said = amazon.params?.description || amazon.description;
  return h(doc, "p", { class: "amazon-says", title: amazon.messageCode ?? null },
    h(doc, "span", { class: "label" }, t("amazonSays")), " ",
    h(doc, "q", { "data-spdesk": "amazon-message" }, said || t("amazonNoMessage")));
}

// What to say under the state line, for the states that need more than it.
const DETAILS = {
  failed: (doc, action, link) => [amazonSays(doc, action),
    h(doc, "p", { class: "next" }, action.kind === "cancel" ? t("cancelFailedNext") : t("refundFailedNext"), " ", link())],
  unknown: (doc, action, link) => {
    const why = action.amazon?.description || action.amazon?.code ? outcomeText(action.amazon) : null;
    return [why ? h(doc, "p", { "data-spdesk": "unknown-why" }, why) : null, h(doc, "p", { class: "next" }, t("unknownHelp"), " ", link())];
  },
  awaiting_approval: (doc, action) => {
    const why = approvalText(action.approval);
    return [why ? h(doc, "p", { "data-spdesk": "approval-why" }, why) : null, h(doc, "p", { class: "muted", "data-spdesk": "approval-hint" }, t("approvalHint"))];
  },
};

function details(doc, action, link) {
  const build = DETAILS[action.state];
  if (build) return build(doc, action, link).filter(Boolean);
  return IN_PROGRESS_HINT_STATES.has(action.state) ? [h(doc, "p", { class: "muted" }, t("resultProgressHint"))] : [];
}
