/** The side panel in happy-dom with a scripted companion and tab, for the panel and dialog tests. */
import { afterEach } from "node:test";
import { ApiError } from "../../src/sidepanel/api.js";
import { closeDialogs } from "../../src/sidepanel/dialog.js";
import { OrderPanel } from "../../src/sidepanel/panel.js";
import { loadHtml, settle } from "./dom.js";
import { fakeBrowser } from "./fake-browser.js";
import { actionOf, usOrder } from "./orders.js";

export const TAB = 7;
export const TICKET_URL = "https://acme.zendesk.com/agent/tickets/4711";

/** The ticket a tab reports: its address and the orders named in it. */
export function ticketOf(orderIds, { url = TICKET_URL, selected = null, note = false } = {}) {
  return { url, orders: [...orderIds], selected, note };
}

function input(el, value, type = "input") {
  el.value = value;
  el.dispatchEvent(new el.ownerDocument.defaultView.Event(type, { bubbles: true }));
}

/**
 * A side panel showing `order` for a ticket in tab 7. `handlers` replace the companion's answers
 * (getOrder, getActions, refund, cancel, getAction, openOptions) and the tab's (insert).
 */
export async function sidePanel({ order = usOrder(), handlers = {}, options = {}, ticket } = {}) {
  const page = loadHtml("<header></header><main id=panel></main><div id=dialogs></div>", { url: "https://panel.test/sidepanel.html" });
  // The options the panel saves (the agent's name) go to a fake extension storage.
  const ext = fakeBrowser();
  globalThis.chrome = ext;
  const calls = [];
  const companion = {
    getOrder: async () => structuredClone(order),
    getActions: async () => ({ actions: [] }),
    refund: async ({ body }) => actionOf(body, "submitted"),
    cancel: async ({ body }) => actionOf(body, "submitted", { total: "0.00" }),
    getAction: async () => { throw new ApiError("companion_offline", "offline"); },
    openOptions: async () => ({}),
    insertText: async () => ({ ok: true, kind: "textarea", method: "value", opened: false }),
    ...handlers,
  };
  const call = async (action, args = {}) => {
    calls.push({ action, args: structuredClone(args) });
    return companion[action](args);
  };
  const panel = new OrderPanel({ doc: page.document, call, insert: (args) => call("insertText", args),
    container: page.document.getElementById("panel"), dialogs: page.document.getElementById("dialogs"),
    options: { replyLanguage: "auto", templates: {}, agentName: "Anna", ...options } });
  await panel.showTicket(TAB, ticket ?? ticketOf([order.orderId]));
  const $ = (selector) => page.document.querySelector(selector);
  const $$ = (selector) => [...page.document.querySelectorAll(selector)];
  return {
    ...page, panel, calls, ext, $, $$,
    of: (action) => calls.filter((c) => c.action === action),
    /** An event from the companion's stream. */
    emit: (action) => panel.handleEvent({ type: "action", action }),
    type: (el, value) => input(el, value),
    choose: (el, value) => input(el, value, "change"),
    settle: () => settle(page.window),
    async done() {
      closeDialogs(page.document); // their live status stops following actions
      await page.close();
      delete globalThis.chrome;
    },
  };
}

/** `setup(options)`: a side panel for the running test, closed after it (call at module level). */
export function panelPerTest() {
  const open = new Set();
  afterEach(async () => {
    for (const t of open) await t.done();
    open.clear();
  });
  return async (options) => {
    const t = await sidePanel(options);
    open.add(t);
    return t;
  };
}
