/**
 * The background's line to the tabs: what a tab's ticket names (asked of its content script, the
 * one source of truth), replies and notes into its editor, and opening the side panel.
 */
import { PortMessages, TabRequests } from "../shared/messages.js";
import { isOrderId } from "../shared/domain.js";

const ASK_TIMEOUT_MS = 2000;
// The command that opens the panel: Chrome's own (background opens the side panel), Firefox's
// built-in sidebar command (the browser opens the sidebar itself).
const PANEL_COMMANDS = ["open-panel", "_execute_sidebar_action"];

/** A ticket state as content scripts report it, or null when it is not one. */
export function cleanTicket(state) {
  if (!state || typeof state.url !== "string" || !Array.isArray(state.orders)) return null;
  const orders = state.orders.filter(isOrderId).slice(0, 500);
  return {
    url: state.url,
    orders,
    selected: orders.includes(state.selected) ? state.selected : null,
    note: state.note === true,
  };
}

/** Sends a request to a tab's content script; null when nobody answers (no spdesk there). */
async function ask(ext, tabId, request, timeoutMs) {
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); });
  try {
    return (await Promise.race([ext.tabs.sendMessage(tabId, request, { frameId: 0 }), timeout])) ?? null;
  } catch {
    return null; // no content script in that tab (site not enabled, a browser page, closed)
  } finally {
    clearTimeout(timer);
  }
}

/** The side panel's keyboard shortcut as the agent set it (empty when none is assigned). */
export async function panelShortcut(ext) {
  const commands = (await ext.commands?.getAll?.().catch(() => [])) ?? [];
  return commands.find((c) => PANEL_COMMANDS.includes(c.name))?.shortcut ?? "";
}

/**
 * Opens the side panel for the window of a tab. Must be called synchronously inside the handler
 * of the agent's gesture: Chrome lets a click in a content script carry over to the background's
 * message handler for that one synchronous call; Firefox does not (sidebarAction.open needs a
 * click on the browser's or the extension's own UI), so there it only says whether it is open.
 * Resolves to {shown, shortcut}.
 */
export function openPanel(ext, windowId) {
  const attempt = ext.sidePanel?.open
    ? ext.sidePanel.open({ windowId })
    : ext.sidebarAction?.open?.() ?? Promise.reject(new Error("no side panel"));
  return attempt.then(
    () => ({ shown: true, shortcut: "" }),
    async () => {
      const open = await ext.sidebarAction?.isOpen?.({ windowId }).catch(() => false);
      return { shown: Boolean(open), shortcut: open ? "" : await panelShortcut(ext) };
    },
  );
}

/** The tab-side operations the handlers need, on a browser API `ext`. */
export function createTabs(ext, { timeoutMs = ASK_TIMEOUT_MS } = {}) {
  return {
    /** The ticket a tab shows now, from its content script; null without one. */
    async ticket(tabId) {
      return cleanTicket(await ask(ext, tabId, { type: TabRequests.TICKET }, timeoutMs));
    },
    /** Put text into the tab's reply or note editor; the content script's result. */
    async insert(tabId, { url, kind, text }) {
      const result = await ask(ext, tabId, { type: TabRequests.INSERT, url, kind, text }, timeoutMs * 5);
      return result ?? { ok: false, code: "no_content_script" };
    },
    /** Tell every tab that spdesk is off for `origin` (a content script there removes itself). */
    async stopOrigin(origin) {
      const tabs = await ext.tabs.query({});
      await Promise.all(tabs.map((tab) => ext.tabs.sendMessage(tab.id, { type: TabRequests.STOP, origin }).catch(() => null)));
    },
    open: (windowId) => openPanel(ext, windowId),
  };
}

/** A tab shows no ticket any more (it navigated away or closed): tell the side panels. */
export function forgetTab(hub, tabId) {
  hub.broadcast({ type: PortMessages.TICKET, tabId, state: null });
}
