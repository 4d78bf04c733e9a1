/** The content script proper: pick the adapter, watch the ticket for order ids, run the panel. */
import { DEFAULTS, loadOptions, onOptionsChanged } from "../shared/options.js";
import { pickAdapter } from "./adapters/index.js";
import { call, subscribe } from "./api.js";
import { Scanner, watch } from "./detect.js";
import { OrderPanel } from "./panel.js";
import { BADGE_TAG, createBadger } from "./ui/badge.js";

const PING_MS = 20_000;
const EDITABLE = "textarea, [contenteditable='true'], [contenteditable=''], [contenteditable='plaintext-only']";

/**
 * Start spdesk on this page; everything stops when `signal` aborts. `stop()` aborts it from inside
 * (spdesk disabled for this site). Resolves once the initial scan is done.
 */
export async function start(signal, { stop = () => {}, doc = document, location = globalThis.location, lazyBadges } = {}) {
  const options = await loadOptions().catch(() => ({ ...DEFAULTS }));
  const adapter = pickAdapter(location, doc);
  const editors = rememberEditors(doc, signal);
  const panel = new OrderPanel({
    doc, call, options, adapter,
    replyTarget: () => (adapter.id === "generic" ? editors.last() ?? adapter.replyEditor(doc) : adapter.replyEditor(doc) ?? editors.last()),
  });
  const badges = createBadger({ doc, onOpen: (orderId, opener) => panel.open(orderId, opener), lazy: lazyBadges });
  const scanner = new Scanner({
    onMatch(node, match) {
      if (!adapter.inScope(node)) return;
      const after = badges.place(node, match);
      scanner.markSeen(node);
      scanner.markSeen(after);
    },
  });
  const events = subscribe((message) => {
    if (message?.type === "site" && message.enabled === false) stop();
    else panel.handleEvent(message);
  }, signal);
  const ping = setInterval(() => panel.isOpen && events.ping(), PING_MS);
  const unwatchOptions = safely(() => onOptionsChanged(async () => {
    panel.ctx.options = await loadOptions().catch(() => panel.ctx.options);
  }));
  signal.addEventListener("abort", () => {
    clearInterval(ping);
    badges.disconnect();
    unwatchOptions?.();
    panel.destroy();
    for (const badge of doc.querySelectorAll(BADGE_TAG)) badge.remove();
  }, { once: true });
  doc.documentElement.dataset.spdesk = adapter.id; // lets a person (and tests) see that spdesk runs here
  return watch(doc.body, scanner, signal);
}

/** Track the editor the agent last typed in (outside our UI), the reply box on unknown pages. */
function rememberEditors(doc, signal) {
  let last = null;
  doc.addEventListener("focusin", (event) => {
    const el = event.target;
    if (el instanceof doc.defaultView.Element && !el.closest("[data-spdesk-ui]")) {
      const editor = el.closest(EDITABLE);
      if (editor) last = editor;
    }
  }, { capture: true, signal });
  return { last: () => (last?.isConnected ? last : null) };
}

function safely(fn) {
  try {
    return fn();
  } catch {
    return null;
  }
}
