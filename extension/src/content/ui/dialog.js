/** Modal dialogs inside our shadow root: labelled, focus trapped, Escape closes, focus returns. */
import { h, uid } from "./shadow.js";

const FOCUSABLE = "button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [href], [tabindex]:not([tabindex='-1'])";

/**
 * Open a dialog in `root` (a shadow root). Returns {dialog, body, close}; close() is idempotent
 * and calls onClose once.
 */
export function openDialog(root, { title, opener = null, onClose = () => {} }) {
  const doc = root.ownerDocument ?? root.host.ownerDocument;
  const titleId = uid("dialog-title");
  const body = h(doc, "div", { class: "dialog-body" });
  const dialog = h(doc, "div", { role: "dialog", "aria-modal": "true", "aria-labelledby": titleId, tabindex: "-1" },
    h(doc, "h2", { id: titleId }, title), body);
  const backdrop = h(doc, "div", { class: "backdrop" }, dialog);
  let closed = false;
  const close = ({ returnFocus = true } = {}) => {
    if (closed) return;
    closed = true;
    backdrop.remove();
    onClose();
    if (returnFocus) opener?.focus?.();
  };
  backdrop.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // Escape closes the dialog, not the panel behind it
      close();
    } else if (event.key === "Tab") {
      trapTab(event, dialog, root);
    }
  });
  backdrop.addEventListener("mousedown", (event) => {
    if (event.target === backdrop) event.preventDefault(); // clicks outside keep focus inside
  });
  backdrop.spdeskClose = close; // the panel closes open dialogs when it closes
  root.append(backdrop);
  return { dialog, body, close, focusFirst: () => focusFirst(dialog) };
}

/**
 * Close every dialog open in a shadow root (their pending work stops with them);
 * `returnFocus: false` leaves focus where it is (e.g. in the reply box just filled).
 */
export function closeDialogs(root, { returnFocus = true } = {}) {
  for (const backdrop of root.querySelectorAll(".backdrop")) backdrop.spdeskClose?.({ returnFocus });
}

/** Focus the first field or button of a dialog (or the dialog itself). */
export function focusFirst(dialog) {
  const first = dialog.querySelector("[autofocus]") ?? dialog.querySelector(FOCUSABLE);
  (first ?? dialog).focus();
}

function trapTab(event, dialog, root) {
  const items = [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => !el.closest("[hidden]"));
  if (!items.length) return;
  const active = root.activeElement;
  const first = items[0];
  const last = items[items.length - 1];
  if (event.shiftKey && (active === first || !dialog.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}

/** Enter in an amount or quantity field must not submit a money form: only the button does. */
export function noImplicitSubmit(form) {
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.tagName === "INPUT") event.preventDefault();
  });
}
