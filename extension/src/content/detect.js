/** Finds Amazon order ids (3-7-7) in a ticket's text and keeps finding them as the page changes. */

// Not preceded or followed by a digit or a hyphen: "1113-…" or "…-00382145" are longer runs
// (phone numbers, tracking numbers), not order ids. A trailing "." or "," still ends an id.
export const ORDER_ID_RE = /(?<![\d-])\d{3}-\d{7}-\d{7}(?![\d-])/g;
const HAS_ORDER_ID_RE = new RegExp(ORDER_ID_RE.source);

// Places an agent types into, and things that are not visible text.
export const SKIP_SELECTOR = [
  "script", "style", "noscript", "template", "textarea", "input", "select", "option",
  "[contenteditable]:not([contenteditable='false'])", "[role='textbox']", "[data-spdesk-ui]",
].join(",");
// Content the page hides for now (an inactive workspace tab, a collapsed pane). Attribute
// selectors only: checkVisibility() would force a style recalculation after every badge.
// Not [aria-hidden] or [inert]: modal libraries set them on the whole app while a dialog is open.
export const HIDDEN_SELECTOR = "[hidden], [style*='display: none'], [style*='display:none']";
const SKIP_OR_HIDDEN = `${SKIP_SELECTOR},${HIDDEN_SELECTOR}`;
const DISPLAY_NONE_RE = /display:\s*none/;

const SLICE_BUDGET_MS = 4;
const TEXT_NODE = 3;
const ELEMENT_NODE = 1;
const SHOW_TEXT = 4;
const MIN_LENGTH = 19;
// Reading the clock costs more than looking at a short text: check it every few nodes (and after
// every id found, since badges are the expensive part).
const CLOCK_EVERY = 32;

/** Every order id in a string, with its end offset, in order. */
export function findOrderIds(text) {
  const found = [];
  if (text.length < MIN_LENGTH) return found;
  ORDER_ID_RE.lastIndex = 0;
  for (let m = ORDER_ID_RE.exec(text); m; m = ORDER_ID_RE.exec(text)) {
    found.push({ orderId: m[0], start: m.index, end: m.index + m[0].length });
  }
  return found;
}

/** Where a text node sits: "shown", "skipped" for good (editor, field, script, our UI) or "hidden" for now. */
export function placeOf(node) {
  const parent = node.parentElement;
  if (!parent) return "skipped";
  // One closest() for the common case; a second only for the rare node inside either kind
  // (the nearest hit is hidden-only: a field or editor could still be further up).
  const hit = parent.closest(SKIP_OR_HIDDEN);
  if (hit === null) return "shown";
  return hit.closest(SKIP_SELECTOR) === null ? "hidden" : "skipped";
}

/** True when a text node sits where spdesk must not look (editor, field, script, our own UI). */
export function isSkipped(node) {
  return placeOf(node) === "skipped";
}

/**
 * Scans roots for order ids within a time budget per slice; calls onMatch(textNode, match) for
 * each id and remembers every text node it has looked at.
 */
export class Scanner {
  /** @param {{onMatch: Function, now?: Function, schedule?: Function, budgetMs?: number}} opts */
  constructor({ onMatch, now = () => performance.now(), schedule = defaultSchedule, budgetMs = SLICE_BUDGET_MS }) {
    this.onMatch = onMatch;
    this.now = now;
    this.schedule = schedule;
    this.budgetMs = budgetMs;
    this.seen = new WeakMap();
    this.queue = [];
    this.running = null;
    this.busyMs = 0;
    this.matches = 0;
  }

  /** Queue a root (element or text node) and resolve when everything queued has been scanned. */
  add(root) {
    this.queue.push(root);
    if (!this.running) this.running = this.#run().finally(() => { this.running = null; });
    return this.running;
  }

  /** Mark a text node as already handled (our own splits) so mutations of it are ignored. */
  markSeen(textNode) {
    this.seen.set(textNode, textNode.data);
  }

  /** True for a text node already handled with its current text. */
  isSeen(textNode) {
    return this.seen.get(textNode) === textNode.data;
  }

  async #run() {
    let start = this.now();
    let unchecked = 0;
    while (this.queue.length) {
      const walker = walkerFor(this.queue.shift());
      for (let node = walker.next(); node; node = walker.next()) {
        if (!this.#visit(node) && ++unchecked < CLOCK_EVERY) continue;
        unchecked = 0;
        const now = this.now();
        if (now - start > this.budgetMs) {
          this.busyMs += now - start;
          await new Promise((resolve) => this.schedule(resolve));
          start = this.now();
        }
      }
    }
    this.busyMs += this.now() - start;
  }

  /** Look at one text node; true when it held ids (so the caller checks the clock). */
  #visit(node) {
    // node.length does not build a JS string; most text nodes (whitespace, names) stop here.
    if (node.length < MIN_LENGTH) return false;
    const data = node.data;
    // Test before anything else: most long texts hold no id and are not worth remembering.
    if (!HAS_ORDER_ID_RE.test(data) || this.seen.get(node) === data) return false;
    // Hidden text is not remembered: watch() scans it again when the page shows it.
    if (placeOf(node) !== "shown") return false;
    const matches = findOrderIds(data);
    this.seen.set(node, data);
    this.matches += matches.length;
    // Last first, so splitting the text node keeps earlier offsets valid.
    for (let i = matches.length - 1; i >= 0; i -= 1) this.onMatch(node, matches[i]);
    return true;
  }
}

/** Text nodes of a root in document order, read ahead by one so onMatch may split the current one. */
function walkerFor(root) {
  if (root.nodeType === TEXT_NODE) {
    let done = false;
    return { next: () => (done ? null : ((done = true), root)) };
  }
  // A native TreeWalker: measured faster in Chromium than any pruning done in script.
  const walker = (root.ownerDocument ?? root).createTreeWalker(root, SHOW_TEXT);
  let upcoming = walker.nextNode();
  return {
    next() {
      const current = upcoming;
      upcoming = current ? walker.nextNode() : null;
      return current;
    },
  };
}

/** Yield to the page (input, rendering) and resume soon after: scheduler.yield where it exists. */
function defaultSchedule(resolve) {
  if (typeof globalThis.scheduler?.yield === "function") {
    globalThis.scheduler.yield().then(resolve);
  } else if (typeof MessageChannel === "function") {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  } else {
    setTimeout(resolve, 0);
  }
}

/**
 * Watch a root: initial scan, then every added or changed text and every element the page
 * shows again, batched per microtask; waits while the tab is hidden. Stops when the signal aborts.
 */
export function watch(root, scanner, signal, { onScanned } = {}) {
  const document = root.ownerDocument;
  const { MutationObserver } = document.defaultView;
  let pending = [];
  let hiddenBacklog = false;
  const flush = () => {
    if (document.visibilityState === "hidden") { hiddenBacklog = true; return; }
    const roots = pending;
    pending = [];
    measure("spdesk:batch", scanner, () => Promise.all(roots.map((r) => scanner.add(r)))).then(onScanned);
  };
  const observer = new MutationObserver((records) => {
    const wasEmpty = pending.length === 0;
    for (const record of records) collect(record, pending, scanner);
    if (wasEmpty && pending.length) queueMicrotask(flush);
  });
  observer.observe(root, { childList: true, subtree: true, characterData: true,
    attributes: true, attributeFilter: ["hidden", "style"], attributeOldValue: true });
  const onVisible = () => {
    if (document.visibilityState !== "visible" || !hiddenBacklog) return;
    hiddenBacklog = false;
    pending.unshift(root);
    flush();
  };
  document.addEventListener("visibilitychange", onVisible, { signal });
  signal.addEventListener("abort", () => observer.disconnect(), { once: true });
  if (document.visibilityState === "hidden") {
    hiddenBacklog = true;
    return Promise.resolve();
  }
  return measure("spdesk:scan", scanner, () => scanner.add(root)).then(onScanned);
}

/** The nodes of a mutation record worth a look: not our badges, not text we already handled. */
function collect(record, into, scanner) {
  if (record.type === "attributes") {
    if (revealed(record)) into.push(record.target);
    return;
  }
  if (record.type === "characterData") {
    if (!scanner.isSeen(record.target)) into.push(record.target);
    return;
  }
  for (const node of record.addedNodes) {
    if (node.nodeType === TEXT_NODE && !scanner.isSeen(node)) into.push(node);
    else if (node.nodeType === ELEMENT_NODE && !node.hasAttribute("data-spdesk-ui")) into.push(node);
  }
}

/** True when the record shows an element that was hidden (only then is its subtree scanned again). */
function revealed(record) {
  const { target, attributeName, oldValue } = record;
  // `hidden` now absent after a change of it: it was there before (its old value is "").
  const wasHidden = attributeName === "hidden" ? !target.hasAttribute("hidden") : DISPLAY_NONE_RE.test(oldValue ?? "");
  return wasHidden && !target.hasAttribute("data-spdesk-ui") && target.closest(SKIP_OR_HIDDEN) === null;
}

/**
 * Run a scan and record a performance measure `name`: duration = time spent working (idle gaps
 * between slices excluded), detail = wall time and ids found. The benchmark reads these.
 */
async function measure(name, scanner, fn) {
  const start = performance.now();
  const busyBefore = scanner.busyMs;
  const matchesBefore = scanner.matches;
  await fn();
  let detail = { wallMs: performance.now() - start, matches: scanner.matches - matchesBefore };
  // Firefox: a content script's object is unreadable to the page unless cloned into its realm.
  if (typeof globalThis.cloneInto === "function") detail = globalThis.cloneInto(detail, globalThis.window);
  performance.measure?.(name, { start, duration: scanner.busyMs - busyBefore, detail });
  return detail;
}
