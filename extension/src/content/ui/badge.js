/** The small "spdesk" badge placed right after a detected order id. */
import { t } from "./i18n.js";
import { BADGE_CSS } from "./styles.js";
import { createHost, h } from "./shadow.js";

export const BADGE_TAG = "spdesk-badge";

/**
 * Split the text node after the id and put a badge there; returns the text node after the badge.
 * @param {Text} textNode @param {{orderId: string, end: number}} match @param {(id: string, opener: Element) => void} onOpen
 */
export function insertBadge(textNode, match, onOpen) {
  const doc = textNode.ownerDocument;
  const after = textNode.splitText(match.end);
  const { host, root } = createHost(doc, BADGE_TAG, BADGE_CSS);
  host.dataset.spdeskOrder = match.orderId;
  const button = h(doc, "button", {
    type: "button",
    title: t("badgeTitle", match.orderId),
    "aria-label": t("badgeTitle", match.orderId),
    onclick: (event) => {
      event.preventDefault();
      event.stopPropagation(); // the helpdesk must not treat it as a click on the message
      onOpen(match.orderId, host);
    },
  }, "spdesk");
  root.append(button);
  textNode.parentNode.insertBefore(host, after);
  return after;
}
