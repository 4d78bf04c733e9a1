/**
 * Modal dialogs of the side panel: labelled, focus kept inside whatever happens in them (a
 * button that disappears, a warning that appears), Escape closes the topmost one, focus returns.
 */
import { h, uid } from "./dom.js";

const FOCUSABLE = "button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [href], [tabindex]:not([tabindex='-1'])";
const open = [];
const watched = new WeakSet();

/** The dialog on top, if any. */
function topmost() {
  return open.at(-1) ?? null;
}

function focusables(dialog) {
  return [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => !el.closest("[hidden]"));
}

/** Focus the first field or button of a dialog (or the dialog itself). */
export function focusFirst(dialog) {
  const first = dialog.querySelector("[autofocus]") ?? focusables(dialog)[0];
  (first ?? dialog).focus();
}

function trapTab(event, dialog) {
  const items = focusables(dialog);
  if (!items.length) return;
  const active = dialog.ownerDocument.activeElement;
  const first = items[0];
  const last = items[items.length - 1];
  const outside = !dialog.contains(active) || active === dialog;
  if (event.shiftKey && (active === first || outside)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || outside)) {
    event.preventDefault();
    first.focus();
  }
}

/** One listener per document: Escape and Tab go to the topmost dialog wherever focus is. */
function watchKeys(doc) {
  if (watched.has(doc)) return;
  watched.add(doc);
  doc.addEventListener("keydown", (event) => {
    const entry = topmost();
    if (!entry || entry.doc !== doc) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      entry.close();
    } else if (event.key === "Tab") {
      trapTab(event, entry.dialog);
    }
  }, true);
  // Focus that leaves the dialog (a removed button, a click on the backdrop) comes back to it.
  doc.addEventListener("focusin", (event) => {
    const entry = topmost();
    if (entry && entry.doc === doc && !entry.dialog.contains(event.target)) entry.dialog.focus();
  }, true);
}

/**
 * Open a dialog in `container`. Returns {dialog, body, close(opts), focusFirst}; close() is
 * idempotent and calls onClose once, then gives focus back to `opener` (an element, or a function
 * that finds it). The dialog keeps focus: when the element holding it goes
 * away (the confirm button replaced by the outcome), focus moves to the dialog itself.
 */
export function openDialog(container, { title, opener = null, onClose = () => {}, data = {} }) {
  const doc = container.ownerDocument;
  watchKeys(doc);
  const titleId = uid("dialog-title");
  const body = h(doc, "div", { class: "dialog-body" });
  const dialog = h(doc, "div", { role: "dialog", "aria-modal": "true", "aria-labelledby": titleId, tabindex: "-1" },
    h(doc, "h2", { id: titleId }, title), body);
  const backdrop = h(doc, "div", { class: "backdrop" }, dialog);
  const entry = { doc, dialog, backdrop, data, close: null };
  let closed = false;
  const close = ({ returnFocus = true } = {}) => {
    if (closed) return;
    closed = true;
    open.splice(open.indexOf(entry), 1);
    refocus.disconnect();
    backdrop.remove();
    onClose();
    // The panel may have been redrawn meanwhile: `opener` may name the button by a function.
    const target = typeof opener === "function" ? opener() : opener;
    if (returnFocus && target?.isConnected) target.focus();
  };
  entry.close = close;
  backdrop.addEventListener("mousedown", (event) => {
    if (event.target === backdrop) event.preventDefault(); // clicks outside keep focus inside
  });
  // A focused element removed from the dialog leaves focus on <body>: take it back.
  const refocus = new doc.defaultView.MutationObserver(() => {
    if (!dialog.contains(doc.activeElement)) dialog.focus();
  });
  refocus.observe(dialog, { childList: true, subtree: true, attributes: true, attributeFilter: ["hidden", "disabled"] });
  open.push(entry);
  container.append(backdrop);
  return { dialog, body, close, data, focusFirst: () => focusFirst(dialog) };
}

/**
 * Close the dialogs open in a document that `which(data)` selects (all by default); their
 * pending work stops with them. `returnFocus: false` leaves focus where it is. Returns the
 * closed dialogs' data.
 */
export function closeDialogs(doc, { returnFocus = true, which = () => true } = {}) {
  const chosen = open.filter((entry) => entry.doc === doc && which(entry.data));
  for (const entry of chosen.reverse()) entry.close({ returnFocus });
  return chosen.map((entry) => entry.data);
}

/** Enter in an amount or quantity field must not submit a money form: only the button does. */
export function noImplicitSubmit(form) {
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.tagName === "INPUT") event.preventDefault();
  });
}
