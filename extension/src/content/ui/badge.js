/** The small "spdesk" badge placed right after a detected order id, drawn when it nears the viewport. */
import { t } from "./i18n.js";
import { BADGE_CSS } from "./styles.js";
import { createHost, h } from "./shadow.js";

export const BADGE_TAG = "spdesk-badge";
// Draw badges a screen ahead of scrolling, so they are there when the agent gets to them.
const ROOT_MARGIN = "1000px 0px";

/**
 * Places badges. With `lazy`, a badge is an empty host until it comes near the viewport: on a
 * ticket with thousands of ids only the visible ones cost a shadow root and a button.
 * @param {{doc: Document, onOpen: (orderId: string, opener: Element) => void, lazy?: boolean}} opts
 */
export function createBadger({ doc, onOpen, lazy = typeof doc.defaultView?.IntersectionObserver === "function" }) {
  const labels = new Map();
  const template = doc.createElement(BADGE_TAG);
  template.setAttribute("data-spdesk-ui", "");
  const label = (orderId) => {
    if (!labels.has(orderId)) labels.set(orderId, t("badgeTitle", orderId));
    return labels.get(orderId);
  };
  const draw = (placeholder) => {
    const orderId = placeholder.dataset.spdeskOrder;
    const { host, root } = createHost(doc, BADGE_TAG, BADGE_CSS);
    host.dataset.spdeskOrder = orderId;
    root.append(h(doc, "button", {
      type: "button",
      title: label(orderId),
      "aria-label": label(orderId),
      onclick: (event) => {
        event.preventDefault();
        event.stopPropagation(); // the helpdesk must not treat it as a click on the message
        onOpen(orderId, host);
      },
    }, "spdesk"));
    placeholder.replaceWith(host);
  };
  const observer = lazy
    ? new doc.defaultView.IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        if (entry.target.isConnected) draw(entry.target);
      }
    }, { rootMargin: ROOT_MARGIN })
    : null;
  return {
    /** Split the text node after the id and put a badge there; returns the text node after it. */
    place(textNode, match) {
      const after = textNode.splitText(match.end);
      const placeholder = template.cloneNode(false);
      placeholder.setAttribute("data-spdesk-order", match.orderId);
      textNode.parentNode.insertBefore(placeholder, after);
      if (observer) observer.observe(placeholder);
      else draw(placeholder);
      return after;
    },
    /** Stop drawing (the content script is being torn down). */
    disconnect: () => observer?.disconnect(),
  };
}
