/** The panel minimised: a slim rail at the right edge that keeps the order one click away. */
import { t } from "./i18n.js";
import { h } from "./shadow.js";

/**
 * Build the rail (hidden until the panel collapses). `onExpand` shows the whole panel again,
 * `onClose` closes it. Returns {element, expandButton, setOrder(id), setInserted(yes)}.
 */
export function createRail(doc, { onExpand, onClose }) {
  const expandButton = h(doc, "button", { type: "button", class: "rail-expand", "data-spdesk": "expand",
    "aria-expanded": "false", "aria-controls": "spdesk-panel", onclick: onExpand },
  h(doc, "span", { class: "chevron", "aria-hidden": "true" }, "‹"),
  h(doc, "span", { class: "rail-label", "aria-hidden": "true" }, "spdesk"));
  // A live region that exists before it speaks, so screen readers announce the insertion.
  const note = h(doc, "p", { class: "rail-note", role: "status", "aria-live": "polite" });
  const close = h(doc, "button", { type: "button", class: "icon", "data-spdesk": "rail-close", "aria-label": t("close"),
    title: t("close"), onclick: onClose }, "×");
  const element = h(doc, "div", { class: "rail", "data-spdesk": "rail", role: "region", "aria-label": "spdesk", hidden: true },
    expandButton, note, close);
  return {
    element,
    expandButton,
    setOrder(orderId) {
      const label = t("expandPanel", orderId ?? "");
      expandButton.setAttribute("aria-label", label);
      expandButton.title = label;
    },
    setInserted(yes) {
      if (!yes) {
        delete note.dataset.result;
        note.replaceChildren();
        return;
      }
      note.dataset.result = "inserted"; // the same hook as the dialog's outcome line
      note.title = t("replyInserted");
      note.replaceChildren(h(doc, "span", { class: "check", "aria-hidden": "true" }, "✓"),
        h(doc, "span", { class: "sr-only" }, t("replyInserted")));
    },
  };
}
