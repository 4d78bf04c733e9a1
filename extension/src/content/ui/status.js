/** The live status line of an action (aria-live), updated from the events port. */
import { FINAL_STATES, stateText } from "./format.js";
import { h } from "./shadow.js";
import { t } from "./i18n.js";

/** A status region; call show(action) on each update, error(err) on a refusal. */
export function createStatus(doc) {
  const text = h(doc, "p", { class: "status", role: "status", "aria-live": "polite", "data-spdesk": "status" });
  const alert = h(doc, "p", { class: "status error", role: "alert", hidden: true, "data-spdesk": "status-error" });
  return {
    element: h(doc, "div", {}, text, alert),
    show(action) {
      alert.hidden = true;
      text.className = `status s-${action.state}`;
      text.dataset.state = action.state;
      const parts = [stateText(action)];
      if (action.state === "unknown") parts.push(t("unknownHelp"));
      if (FINAL_STATES.has(action.state) && action.confirmation) parts.push(t("confirmationLabel", action.confirmation));
      text.textContent = parts.join(" — ");
    },
    error(err) {
      alert.hidden = false;
      alert.dataset.code = err.code ?? "";
      alert.textContent = err.message;
    },
    clear() {
      alert.hidden = true;
      text.textContent = "";
    },
  };
}
