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

// One parsed sheet per window, shared by every badge (a <style> each is costly); null where
// sheets cannot be adopted (Firefox content scripts, behind Xray wrappers).
const sheets = new WeakMap();

function adoptable(root, view) {
  try {
    const sheet = new view.CSSStyleSheet();
    sheet.replaceSync(BADGE_CSS);
    root.adoptedStyleSheets = [sheet];
    return root.adoptedStyleSheets.length === 1 ? sheet : null;
  } catch {
    return null;
  }
}

function sharedSheet(root, view) {
  if (!sheets.has(view)) sheets.set(view, adoptable(root, view));
  return sheets.get(view);
}

function attachStyles(root, view) {
  const sheet = sharedSheet(root, view);
  if (sheet) {
    root.adoptedStyleSheets = [sheet];
    return;
  }
  const style = root.ownerDocument.createElement("style");
  style.textContent = BADGE_CSS;
  root.append(style);
}

/**
 * Places badges and keeps track of them. The scanner hands over every id it finds; the badge is
 * put into the page when the element holding the id comes within a screen of the viewport (an
 * IntersectionObserver on that element), so a ticket with thousands of ids costs little and the
 * initial scan only finds. A badge is an element right after the id with a closed shadow root:
 * its `:host` rules keep it displayed whatever the page's CSS says.
 * `onOpen(orderId, host)` runs on a real click of the agent (never on a scripted one: `accept`);
 * `onSplit(textNode, after)` when a text node was split for a badge (the scanner marks both seen).
 */
export class Badges {
  constructor({ doc, onOpen, onSplit = () => {}, lazy = typeof doc.defaultView?.IntersectionObserver === "function", shadowMode = "closed", accept = (event) => event.isTrusted }) {
    this.doc = doc;
    this.onOpen = onOpen;
    this.onSplit = onSplit;
    this.shadowMode = shadowMode;
    this.accept = accept;
    this.tag = badgeTag();
    this.entries = new Map(); // host → {orderId, seq, root}
    this.pending = new Map(); // element holding ids → [{node, match, data, seq}] not placed yet
    // Order of discovery (the initial scan finds text nodes in page order); the ids of one text
    // node share theirs and are told apart by their offset.
    this.seq = 0;
    this.lastNode = null;
    this.busyMs = 0; // time spent placing badges as their elements near the viewport
    this.observer = lazy ? new doc.defaultView.IntersectionObserver((list) => this.#visible(list), { rootMargin: ROOT_MARGIN }) : null;
  }

  #visible(list) {
    const start = performance.now();
    for (const seen of list) {
      if (!seen.isIntersecting) continue;
      this.observer.unobserve(seen.target);
      const items = this.pending.get(seen.target);
      this.pending.delete(seen.target);
      if (items) this.#placeAll(items);
    }
    this.busyMs += performance.now() - start;
  }

  /** Place the badges of found ids whose text is still as it was found (else it was rescanned). */
  #placeAll(items) {
    const byNode = new Map();
    for (const item of items) byNode.set(item.node, [...(byNode.get(item.node) ?? []), item]);
    for (const [node, found] of byNode) {
      if (!node.isConnected || node.data !== found[0].data) continue;
      // From the last id to the first: splitting keeps the earlier offsets valid.
      found.sort((a, b) => b.match.start - a.match.start);
      for (const item of found) this.#place(node, item.match, item.seq);
    }
  }

  /** Split the text node after the id and put a badge there. */
  #place(textNode, match, seq) {
    const after = textNode.splitText(match.end);
    const host = this.doc.createElement(this.tag);
    this.entries.set(host, { orderId: match.orderId, seq, start: match.start, root: null });
    textNode.parentNode.insertBefore(host, after);
    this.onSplit(textNode, after);
    this.#draw(host);
  }

  #draw(host) {
    const entry = this.entries.get(host);
    const doc = this.doc;
    entry.root = host.attachShadow({ mode: this.shadowMode });
    attachStyles(entry.root, doc.defaultView);
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
    this.entries.delete(host);
    host.remove();
  }

  /** Wait for `element` to near the viewport before placing `items` in it. */
  #wait(element, items) {
    const list = this.pending.get(element);
    if (list) return void list.push(...items);
    this.pending.set(element, items);
    this.observer.observe(element);
  }

  /**
   * An id the scanner found in a text node (ids of one node come last first). Its badge is
   * placed now without an observer, else when its element nears the viewport.
   */
  place(textNode, match) {
    if (textNode !== this.lastNode) this.seq += 1;
    this.lastNode = textNode;
    const seq = this.seq;
    const holder = textNode.parentElement;
    if (this.observer && holder) this.#wait(holder, [{ node: textNode, match, data: textNode.data, seq }]);
    else this.#place(textNode, match, seq);
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

  /**
   * Forget badges the page removed (true when some were), and found ids whose text is gone or
   * changed; found ids whose element went away but whose text lives on elsewhere wait there.
   */
  prune() {
    const gone = this.hosts().filter((host) => !host.isConnected);
    for (const host of gone) this.#remove(host);
    for (const [element, items] of [...this.pending]) {
      const live = items.filter((item) => item.node.isConnected && item.node.data === item.data);
      if (element.isConnected && live.length === items.length) continue;
      this.observer.unobserve(element);
      this.pending.delete(element);
      for (const item of live) this.#wait(item.node.parentElement, [item]);
    }
    return gone.length > 0;
  }

  /** The distinct order ids on the page (badges and ids still to be placed), in page order. */
  orders() {
    const first = new Map(); // orderId → [seq, start] of its first occurrence
    const before = (a, b) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
    const note = (orderId, at) => {
      if (!first.has(orderId) || before(at, first.get(orderId))) first.set(orderId, at);
    };
    for (const [host, entry] of this.entries) if (host.isConnected) note(entry.orderId, [entry.seq, entry.start]);
    for (const items of this.pending.values()) {
      for (const item of items) if (item.node.isConnected && item.node.data === item.data) note(item.match.orderId, [item.seq, item.match.start]);
    }
    return [...first.keys()].sort((a, b) => (before(first.get(a), first.get(b)) ? -1 : 1));
  }

  /** How many ids were found and wait for their element to near the viewport. */
  waiting() {
    let count = 0;
    for (const items of this.pending.values()) count += items.length;
    return count;
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
    this.pending.clear();
    for (const host of this.hosts()) this.#remove(host);
  }
}
