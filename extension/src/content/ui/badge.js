/** The small "spdesk" badge placed right after a detected order id, drawn when it nears the viewport. */
import { t } from "./i18n.js";
import { BADGE_CSS } from "./styles.js";
import { attachUi, h } from "./shadow.js";

export const BADGE_TAG = "spdesk-badge";
// Draw badges a screen ahead of scrolling, so they are there when the agent gets to them.
const ROOT_MARGIN = "1000px 0px";
// Tickets with a few ids (nearly all) get every badge at once; beyond this, lazily.
const EAGER = 100;

/**
 * Places badges. With `lazy`, badges after the first hundred stay empty hosts until they come
 * near the viewport: on a ticket with thousands of ids only the visible ones cost a shadow root.
 * @param {{doc: Document, onOpen: (orderId: string, opener: Element) => void, lazy?: boolean, eager?: number}} opts
 */
export function createBadger({ doc, onOpen, lazy = typeof doc.defaultView?.IntersectionObserver === "function", eager = EAGER }) {
  const labels = new Map();
  const template = doc.createElement(BADGE_TAG);
  template.setAttribute("data-spdesk-ui", "");
  const label = (orderId) => {
    if (!labels.has(orderId)) labels.set(orderId, t("badgeTitle", orderId));
    return labels.get(orderId);
  };
  const draw = (host) => {
    const orderId = host.dataset.spdeskOrder;
    const root = attachUi(host, BADGE_CSS);
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
    host.setAttribute("data-spdesk-ready", "");
  };
  let placed = 0;
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
      placed += 1;
      if (observer && placed > eager) observer.observe(placeholder);
      else draw(placeholder);
      return after;
    },
    /** Stop drawing (the content script is being torn down). */
    disconnect: () => observer?.disconnect(),
  };
}
