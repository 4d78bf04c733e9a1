/** Finds Amazon order ids in a ticket's text and keeps finding them as the page changes. */
import { ORDER_ID_SOURCE } from "../shared/domain.js";

const ORDER_ID_G = new RegExp(ORDER_ID_SOURCE, "g");
const HAS_ORDER_ID = new RegExp(ORDER_ID_SOURCE);

// Places an agent types into, and things that are not visible text.
export const SKIP_SELECTOR = [
  "script", "style", "noscript", "template", "textarea", "input", "select", "option",
  "[contenteditable]:not([contenteditable='false'])", "[role='textbox']",
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
// Reading the clock costs more than looking at a short text: check it every so many nodes
// (a power of two).
const CLOCK_EVERY = 64;
// The same while visiting candidates that hold no id (a visit that places badges is followed by
// a look at the clock: the page's hook may take long).
const VISITS_PER_CLOCK = 8;

/** Every order id in a string, with its offsets, in order. */
export function findOrderIds(text) {
  const found = [];
  if (text.length < MIN_LENGTH) return found;
  ORDER_ID_G.lastIndex = 0;
  for (let m = ORDER_ID_G.exec(text); m; m = ORDER_ID_G.exec(text)) {
    found.push({ orderId: m[0], start: m.index, end: m.index + m[0].length });
  }
  return found;
}

/** Where a text node sits: "shown", "skipped" for good (editor, field, script) or "hidden" for now. */
export function placeOf(node) {
  const parent = node.parentElement;
  if (!parent) return "skipped";
  // One closest() for the common case; a second only for the rare node inside either kind
  // (the nearest hit is hidden-only: a field or editor could still be further up).
  const hit = parent.closest(SKIP_OR_HIDDEN);
  if (hit === null) return "shown";
  return hit.closest(SKIP_SELECTOR) === null ? "hidden" : "skipped";
}

// Text nodes long enough for an id and holding a hyphen, found by the browser's native XPath
// engine: no JS string is built for the many short or hyphen-free texts of a ticket. One
// `descendant::` step: `.//text()` is two steps, which costs Chromium a third more.
const CANDIDATES_XPATH = "descendant::text()[string-length() >= 19 and contains(., '-')]";
const ORDERED_NODE_SNAPSHOT = 7;

/**
 * The candidates of an XPath snapshot, until the deadline. They are not tested here: the visit
 * runs the id pattern once on each (a second pass for the ones that hold ids costs more than
 * it saves).
 */
function snapshotJob(snapshot) {
  let index = 0;
  return {
    collect(hits, now, deadline) {
      const length = snapshot.snapshotLength;
      while (index < length) {
        hits.push(snapshot.snapshotItem(index));
        index += 1;
        if ((index & (CLOCK_EVERY - 1)) === 0 && now() > deadline) return index === length;
      }
      return true;
    },
  };
}

/** The same from a TreeWalker over every text node (where XPath is missing). */
function walkerJob(walker) {
  return {
    collect(hits, now, deadline) {
      let count = 0;
      for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
        if (node.length >= MIN_LENGTH && HAS_ORDER_ID.test(node.data)) hits.push(node);
        if (++count === CLOCK_EVERY) {
          count = 0;
          if (now() > deadline) return false;
        }
      }
      return true;
    },
  };
}

/** One root being scanned: how its candidate texts are found, and the ones found to hold ids. */
function jobFor(root) {
  const job = { walked: false, hits: [], next: 0 };
  if (root.nodeType === TEXT_NODE) {
    if (root.length >= MIN_LENGTH && HAS_ORDER_ID.test(root.data)) job.hits.push(root);
    return { ...job, walked: true };
  }
  const doc = root.ownerDocument ?? root;
  job.source = typeof doc.evaluate === "function"
    ? snapshotJob(doc.evaluate(CANDIDATES_XPATH, root, null, ORDERED_NODE_SNAPSHOT, null))
    : walkerJob(doc.createTreeWalker(root, SHOW_TEXT));
  return job;
}

/**
 * Scans roots for order ids within a time budget per slice; calls onMatch(textNode, match) for
 * each id (last first, so splitting the node keeps earlier offsets valid) and remembers every
 * text node it matched. Every root added is scanned, also one added as a scan ends.
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
    this.draining = false;
    this.done = Promise.resolve();
    this.busyMs = 0;
    this.matches = 0;
    // Set by watch(): `enter()` before a slice, `leave()` after it (its own mutations).
    this.guard = { enter() {}, leave() {} };
  }

  /** Queue a root (element or text node); resolves when everything queued has been scanned. */
  add(root) {
    this.queue.push(root);
    // `draining` is cleared synchronously as the drain loop ends, so a root added right after a
    // scan (the same mutation batch, the same task) always starts a new one.
    if (!this.draining) {
      this.draining = true;
      this.done = this.#drain();
    }
    return this.done;
  }

  /** Mark a text node as already handled (our own splits) so mutations of it are ignored. */
  markSeen(textNode) {
    this.seen.set(textNode, textNode.data);
  }

  /** True for a text node already handled with its current text. */
  isSeen(textNode) {
    return this.seen.get(textNode) === textNode.data;
  }

  async #drain() {
    let start = this.now();
    try {
      for (let root = this.queue.shift(); root; root = this.queue.shift()) {
        if (!root.isConnected) continue; // replaced before we got to it: its copy is queued too
        const job = jobFor(root);
        while (!this.#slice(job, start + this.budgetMs)) {
          this.busyMs += this.now() - start;
          await new Promise((resolve) => this.schedule(resolve));
          start = this.now();
        }
      }
    } finally {
      this.busyMs += this.now() - start;
      this.draining = false;
    }
  }

  /** Works on a job until it is finished (true) or the deadline has passed (false). */
  #slice(job, deadline) {
    this.guard.enter();
    try {
      return this.#work(job, deadline);
    } finally {
      this.guard.leave();
    }
  }

  #work(job, deadline) {
    for (;;) {
      while (job.next < job.hits.length) {
        const matched = this.#visit(job.hits[job.next]);
        job.next += 1;
        const due = matched || (job.next & (VISITS_PER_CLOCK - 1)) === 0;
        if (due && this.now() > deadline) return job.walked && job.next === job.hits.length;
      }
      if (job.walked) return true;
      job.walked = job.source.collect(job.hits, this.now, deadline);
      if (!job.walked && job.next === job.hits.length) return false;
    }
  }

  /** Look at one text node that may hold ids; true when it had some (and onMatch ran). */
  #visit(node) {
    const data = node.data;
    const matches = findOrderIds(data);
    if (matches.length === 0 || this.seen.get(node) === data || !node.isConnected) return false;
    // Hidden text is not remembered: watch() scans it again when the page shows it.
    if (placeOf(node) !== "shown") return false;
    this.seen.set(node, data);
    this.matches += matches.length;
    for (let i = matches.length - 1; i >= 0; i -= 1) this.onMatch(node, matches[i]);
    return true;
  }
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

const NO_HOOKS = { isOurs: () => false, onAdded: () => {}, onText: () => {}, onBatch: () => {} };

/**
 * Watch a root: initial scan, then every added or changed text and every element the page
 * shows again, batched per microtask; waits while the tab is hidden. Hooks: `isOurs(node)` names
 * our own nodes (never scanned), `onAdded(element)` sees each added element before its scan,
 * `onText(node)` a changed text before its rescan, `onBatch({removed})` runs after each batch.
 * Stops when the signal aborts. Resolves once the initial scan is done.
 */
export function watch(root, scanner, signal, given = {}) {
  const hooks = { ...NO_HOOKS, ...given };
  const document = root.ownerDocument;
  const batch = { roots: [], removed: false };
  let hiddenBacklog = false;
  const flush = () => {
    if (document.visibilityState === "hidden") {
      hiddenBacklog = true;
      return;
    }
    const { roots, removed } = batch;
    batch.roots = [];
    batch.removed = false;
    // Every root of the batch is queued before the first scan can finish.
    Promise.all(roots.map((r) => scanner.add(r))).then(() => hooks.onBatch({ removed }));
  };
  const handle = (records) => {
    const wasEmpty = batch.roots.length === 0 && !batch.removed;
    for (const record of records) collect(record, batch, scanner, hooks);
    if (wasEmpty && (batch.roots.length || batch.removed)) queueMicrotask(flush);
  };
  const observer = new document.defaultView.MutationObserver(handle);
  const options = { childList: true, subtree: true, characterData: true,
    attributes: true, attributeFilter: ["hidden", "style"], attributeOldValue: true };
  // A slice runs to its end without the page in between: the records waiting when it starts are
  // the page's (handled as usual); while it runs, the observer is off, so the badges it places
  // make no records at all.
  scanner.guard = {
    enter() {
      handle(observer.takeRecords());
      observer.disconnect();
    },
    leave() {
      if (!signal.aborted) observer.observe(root, options);
    },
  };
  observer.observe(root, options);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible" || !hiddenBacklog) return;
    hiddenBacklog = false;
    batch.roots.unshift(root);
    flush();
  }, { signal });
  signal.addEventListener("abort", () => observer.disconnect(), { once: true });
  if (document.visibilityState === "hidden") {
    hiddenBacklog = true;
    return Promise.resolve();
  }
  return scanner.add(root);
}

/** The nodes of a mutation record worth a look: not our badges, not text we already handled. */
function collect(record, batch, scanner, hooks) {
  if (record.type === "attributes") {
    if (revealed(record, hooks)) batch.roots.push(record.target);
  } else if (record.type === "characterData") {
    if (scanner.isSeen(record.target)) return;
    hooks.onText(record.target);
    batch.roots.push(record.target);
  } else {
    if (record.removedNodes.length) batch.removed = true;
    for (const node of record.addedNodes) collectAdded(node, batch, scanner, hooks);
  }
}

function collectAdded(node, batch, scanner, hooks) {
  if (hooks.isOurs(node)) return;
  if (node.nodeType === ELEMENT_NODE) {
    hooks.onAdded(node);
    batch.roots.push(node);
  } else if (node.nodeType === TEXT_NODE && !scanner.isSeen(node)) {
    batch.roots.push(node);
  }
}

/** True when the record shows an element that was hidden (only then is its subtree scanned again). */
function revealed(record, hooks) {
  const { target, attributeName, oldValue } = record;
  // `hidden` now absent after a change of it: it was there before (its old value is "").
  const wasHidden = attributeName === "hidden" ? !target.hasAttribute("hidden") : DISPLAY_NONE_RE.test(oldValue ?? "");
  return wasHidden && !hooks.isOurs(target) && target.closest(SKIP_OR_HIDDEN) === null;
}
