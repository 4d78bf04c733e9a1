/**
 * The content script proper: find order ids in the ticket, mark them with badges, tell the
 * background which orders the ticket the agent is looking at names, and put replies and notes
 * into the helpdesk when the side panel asks. Nothing here can start or confirm a money action.
 */
import { extensionApi } from "../shared/ext.js";
import { Actions, TabRequests, send } from "../shared/messages.js";
import { pickAdapter } from "./adapters/index.js";
import { Badges } from "./badge.js";
import { insertText } from "./compose.js";
import { Scanner, watch } from "./detect.js";
import { text } from "./strings.js";
import { createTicket } from "./ticket.js";

const EDITABLE = "textarea, [contenteditable='true'], [contenteditable=''], [contenteditable='plaintext-only']";
const MAX_BATCHES = 200;

/** Track the editor the agent last typed in: the reply box on unknown pages, their caret in it. */
function rememberEditors(doc, signal) {
  let last = null;
  doc.addEventListener("focusin", (event) => {
    const editor = event.target instanceof doc.defaultView.Element ? event.target.closest(EDITABLE) : null;
    if (editor) last = editor;
  }, { capture: true, signal });
  return () => (last?.isConnected ? last : null);
}

/** The scanner that badges ids in the ticket, and the hooks that keep badges and ticket current. */
function detection({ adapter, badges, ticket, stats }) {
  const scanner = new Scanner({
    onMatch(node, match) {
      if (adapter.inScope(node)) badges.place(node, match);
    },
  });
  // A badge splits the text after its id: both parts are handled, their mutations are ours.
  badges.onSplit = (node, after) => {
    scanner.markSeen(node);
    scanner.markSeen(after);
  };
  let busyBefore = 0;
  const hooks = {
    isOurs: (node) => badges.isOurs(node),
    onAdded: (node) => badges.dropCopies(node),
    onText: (node) => badges.staleAfter(node),
    onBatch({ removed }) {
      if (removed) badges.prune();
      ticket.update(badges.orders());
      stats.batches.push(scanner.busyMs - busyBefore);
      if (stats.batches.length > MAX_BATCHES) stats.batches.shift();
      busyBefore = scanner.busyMs;
    },
    scanned: () => { busyBefore = scanner.busyMs; },
  };
  return { scanner, hooks };
}

/**
 * What the side panel and the background ask of this tab (tabs.sendMessage): the ticket now, a
 * text to insert (only into the ticket it was made for), or to stop. True: answered later.
 */
function answerer({ doc, location, adapter, ticket, lastEditor, stop }) {
  const insert = (message, sendResponse) => {
    if (message.url !== location.href) return void sendResponse({ ok: false, code: "ticket_changed" });
    insertText(doc, adapter, { kind: message.kind, text: message.text, lastEditor }).then(sendResponse);
    return true; // answered once the text was seen in place
  };
  const handlers = {
    [TabRequests.TICKET]: (message, sendResponse) => sendResponse(ticket.state()),
    [TabRequests.STOP]: (message) => message.origin === location.origin && stop(),
    [TabRequests.INSERT]: insert,
  };
  return (message, sendResponse) => handlers[message?.type]?.(message, sendResponse) === true;
}

/**
 * Start spdesk on this page; everything stops when `signal` aborts. `stop()` aborts it from inside
 * (spdesk disabled for this site). `badgeOptions` go to Badges (tests). Resolves once the initial
 * scan is done, with its figures.
 */
export async function start(signal, { stop = () => {}, doc = document, location = globalThis.location, badgeOptions = {}, runtime = extensionApi()?.runtime } = {}) {
  const adapter = pickAdapter(location, doc);
  const ticket = createTicket({ doc, location, adapter, signal, report: (state) => send(Actions.TICKET_STATE, state, runtime) });
  const badges = new Badges({ doc, ...badgeOptions, onOpen: (orderId, host) => {
    ticket.select(orderId);
    // Sent inside the agent's click: Chrome lets the background open the side panel from it.
    send(Actions.SELECT_ORDER, { orderId, url: location.href }, runtime).then((reply) => {
      const panel = reply?.data;
      if (reply?.ok && !panel.shown) badges.hint(host, panel.shortcut ? text("hintShortcut", panel.shortcut) : text("hintToolbar"));
    });
  } });
  const stats = { scan: null, batches: [] };
  const { scanner, hooks } = detection({ adapter, badges, ticket, stats });
  const answer = answerer({ doc, location, adapter, ticket, lastEditor: rememberEditors(doc, signal), stop });
  const onMessage = (message, sender, sendResponse) => sender.id === runtime.id && !sender.tab && answer(message, sendResponse);
  runtime?.onMessage.addListener(onMessage);
  signal.addEventListener("abort", () => {
    runtime?.onMessage.removeListener(onMessage);
    badges.clear();
  }, { once: true });
  // For the content script's own console (an isolated world: the page cannot see it).
  globalThis.spdeskContent = Object.freeze({ adapter: adapter.id, stats, badges: () => badges.hosts(), placing: () => badges.busyMs, ticket: () => ticket.state() });
  const before = performance.now();
  await watch(doc.body, scanner, signal, hooks);
  stats.scan = { busyMs: scanner.busyMs, wallMs: performance.now() - before, matches: scanner.matches, badges: badges.hosts().length };
  hooks.scanned();
  ticket.update(badges.orders());
  // The browser sets up the extension's i18n API on its first use (milliseconds): do that while
  // the page is idle, not when the first badge appears as the agent scrolls.
  doc.defaultView.requestIdleCallback?.(() => text("badgeTitle", ""));
  return stats;
}
