/**
 * The small "spdesk" badge right after a detected order id. A badge is a hint, never a control
 * that moves money: a click only tells the side panel which order the agent means.
 */
import { text } from "./strings.js";

// Draw badges a screen ahead of scrolling, so they are there when the agent gets to them.
const ROOT_MARGIN = "1000px 0px";
const HINT_MS = 8000;

// `!important` inside the shadow root beats every rule of the page on the host (CSS Cascade:
// for important declarations the inner tree context wins), so page CSS cannot hide or move it.
const BADGE_CSS = `
:host { all: initial !important; display: inline-block !important; vertical-align: baseline !important;
  margin: 0 0 0 4px !important; position: static !important; visibility: visible !important; opacity: 1 !important; }
button { all: unset; box-sizing: border-box; cursor: pointer; font: 600 10px/1 system-ui, sans-serif;
  color: #fff; background: #146eb4; border-radius: 8px; padding: 3px 6px; letter-spacing: .02em; }
button:hover { background: #0f5a94; }
button:focus-visible { outline: 2px solid #ff9900; outline-offset: 1px; }
.hint { font: 12px/1.3 system-ui, sans-serif; color: #1d2329; background: #fff7e6; border: 1px solid #f5c46b;
  border-radius: 6px; padding: 2px 6px; margin-left: 4px; }
`;

/** A tag name for this page's badges: random, so no fixed name tells a site that spdesk runs. */
function badgeTag() {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return `b-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

// One parsed sheet per window, shared by every badge (a <style> each is costly).
const sheets = new WeakMap();

function attachStyles(root, view) {
  try {
    if (!sheets.has(view)) {
      const sheet = new view.CSSStyleSheet();
      sheet.replaceSync(BADGE_CSS);
      sheets.set(view, sheet);
    }
    root.adoptedStyleSheets = [sheets.get(view)];
    if (root.adoptedStyleSheets.length === 1) return;
  } catch {
    // Firefox content scripts (Xray wrappers) cannot adopt sheets: a <style> element instead.
  }
  const style = root.ownerDocument.createElement("style");
  style.textContent = BADGE_CSS;
  root.append(style);
}

/**
 * Places badges and keeps track of them. Each badge is a closed shadow root whose button is drawn
 * when it comes within a screen of the viewport, so thousands of ids cost little.
 * `onOpen(orderId, host)` runs on a real click of the agent (never on a scripted one: `accept`).
 */
export class Badges {
  constructor({ doc, onOpen, lazy = typeof doc.defaultView?.IntersectionObserver === "function", shadowMode = "closed", accept = (event) => event.isTrusted }) {
    this.doc = doc;
    this.onOpen = onOpen;
    this.shadowMode = shadowMode;
    this.accept = accept;
    this.tag = badgeTag();
    this.entries = new Map(); // host → {orderId, root}
    this.observer = lazy ? new doc.defaultView.IntersectionObserver((list) => this.#visible(list), { rootMargin: ROOT_MARGIN }) : null;
  }

  #visible(list) {
    for (const entry of list) {
      if (!entry.isIntersecting) continue;
      this.observer.unobserve(entry.target);
      if (entry.target.isConnected) this.#draw(entry.target);
    }
  }

  #draw(host) {
    const entry = this.entries.get(host);
    if (!entry || entry.drawn) return;
    entry.drawn = true;
    const doc = this.doc;
    const button = doc.createElement("button");
    button.type = "button";
    button.textContent = "spdesk";
    button.title = text("badgeTitle", entry.orderId);
    button.setAttribute("aria-label", button.title);
    button.addEventListener("click", (event) => {
      event.preventDefault();
      event.stopPropagation(); // the helpdesk must not treat it as a click on the message
      if (this.accept(event)) this.onOpen(entry.orderId, host);
    });
    entry.root.append(button);
  }

  #remove(host) {
    this.observer?.unobserve(host);
    this.entries.delete(host);
    host.remove();
  }

  /** Split the text node after the id and put a badge there; returns the text node after it. */
  place(textNode, match) {
    const after = textNode.splitText(match.end);
    const host = this.doc.createElement(this.tag);
    // The shadow root and its styles at once (cheap): its :host rules keep the badge displayed
    // whatever the page's CSS says, so it gets a box and the observer sees it.
    const root = host.attachShadow({ mode: this.shadowMode });
    attachStyles(root, this.doc.defaultView);
    this.entries.set(host, { orderId: match.orderId, root, drawn: false });
    textNode.parentNode.insertBefore(host, after);
    if (this.observer) this.observer.observe(host);
    else this.#draw(host);
    return after;
  }

  /** True for a node spdesk put into the page. */
  isOurs(node) {
    return this.entries.has(node);
  }

  /** The badge hosts, in the order they were placed (tests, the debugging handle). */
  hosts() {
    return [...this.entries.keys()];
  }

  /** Remove copies of our badges the page made (they have no shadow root and show nothing). */
  dropCopies(root) {
    if (root.nodeType !== 1) return;
    const copies = root.localName === this.tag ? [root] : [...root.getElementsByTagName(this.tag)];
    for (const copy of copies) if (!this.entries.has(copy)) copy.remove();
  }

  /** A text changed: a badge right after it may name an id that is no longer there. */
  staleAfter(textNode) {
    const next = textNode.nextSibling;
    if (next && this.entries.has(next)) this.#remove(next);
  }

  /** Forget badges the page removed; true when some were. */
  prune() {
    const gone = this.hosts().filter((host) => !host.isConnected);
    for (const host of gone) this.#remove(host);
    return gone.length > 0;
  }

  /** The distinct order ids with a badge on the page, in page order. */
  orders() {
    const live = this.hosts();
    live.sort((a, b) => (a.compareDocumentPosition(b) & 4 ? -1 : 1));
    return [...new Set(live.map((host) => this.entries.get(host).orderId))];
  }

  /** Say next to a badge how to open the side panel (the browser did not let the click do it). */
  hint(host, message) {
    const root = this.entries.get(host)?.root;
    if (!root) return;
    root.querySelector(".hint")?.remove();
    const note = this.doc.createElement("span");
    note.className = "hint";
    note.setAttribute("role", "status");
    note.textContent = message;
    root.append(note);
    this.doc.defaultView.setTimeout(() => note.remove(), HINT_MS);
  }

  /** Remove every badge and stop drawing (the content script is being torn down). */
  clear() {
    this.observer?.disconnect();
    for (const host of this.hosts()) this.#remove(host);
  }
}
