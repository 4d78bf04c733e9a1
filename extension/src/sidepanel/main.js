/**
 * The side panel page (Chrome's side panel, Firefox's sidebar): follows the active tab of its
 * window and shows the order of the ticket there. `?tabId=N` pins it to one tab instead (the page
 * opened as a tab of its own: keyboard users, browser tests).
 */
import { extensionApi } from "../shared/ext.js";
import { Actions, PortMessages } from "../shared/messages.js";
import { DEFAULTS, loadOptions, onOptionsChanged } from "../shared/options.js";
import { call, subscribe } from "./api.js";
import { ApprovalsView } from "./approvals.js";
import { t, uiLanguage } from "./i18n.js";
import { OrderPanel } from "./panel.js";

const PING_MS = 20_000;

/** The tab the panel shows: the pinned one, or the active tab of the panel's window. */
async function activeTab(ext, pinned) {
  if (pinned !== null) return pinned;
  const [tab] = await ext.tabs.query({ active: true, windowId: (await ext.windows.getCurrent()).id });
  return tab?.id ?? null;
}

/** The `?tabId=N` the page was opened with, or null. */
export function pinnedTab(href) {
  const id = Number(new URL(href).searchParams.get("tabId"));
  return Number.isInteger(id) && id >= 0 && new URL(href).searchParams.has("tabId") ? id : null;
}

/**
 * Keeps the panel on the followed tab: asks for its ticket when the tab changes, applies the
 * background's ticket messages for it. Returns {tab(), reread()}.
 */
function follow(ext, panel, pinned, signal) {
  let tabId = null;
  let asked = 0;
  const show = async (id) => {
    const mine = ++asked;
    tabId = id;
    if (id === null) return panel.showTicket(null, null);
    await panel.showTicket(id, undefined);
    const ticket = await call(Actions.TICKET_OF, { tabId: id }).catch(() => null);
    if (mine === asked) await panel.showTicket(id, ticket);
  };
  if (pinned === null) {
    ext.windows.getCurrent().then((win) => {
      const onActivated = ({ tabId: id, windowId }) => { if (windowId === win.id) show(id); };
      ext.tabs.onActivated.addListener(onActivated);
      signal.addEventListener("abort", () => ext.tabs.onActivated.removeListener(onActivated), { once: true });
    });
  }
  return {
    tab: () => tabId,
    reread: () => activeTab(ext, pinned).then(show),
    onTicket: (message) => { if (message.tabId === tabId) panel.showTicket(tabId, message.state); },
  };
}

/** The approvals section above the order: an approver may show a request's order when the ticket names it. */
function approvalsFor(doc, panel) {
  return new ApprovalsView({
    doc, call,
    element: doc.getElementById("approvals"),
    dialogs: doc.getElementById("dialogs"),
    canShowOrder: (orderId) => Boolean(panel.ticket?.orders.includes(orderId)),
    showOrder: (orderId) => panel.choose(orderId),
  });
}

/** Wires the panel into `doc`; resolves once the first ticket is shown. */
export async function start({ doc = document, ext = extensionApi(), signal = new AbortController().signal } = {}) {
  doc.documentElement.lang = uiLanguage();
  doc.title = t("panelTitle");
  const options = await loadOptions().catch(() => ({ ...DEFAULTS }));
  const panel = new OrderPanel({
    doc, options, call,
    container: doc.getElementById("panel"),
    dialogs: doc.getElementById("dialogs"),
    insert: (args) => call(Actions.INSERT_TEXT, args),
  });
  doc.getElementById("refresh").addEventListener("click", () => panel.orderId && panel.load({ fresh: true }));
  doc.getElementById("refresh").setAttribute("aria-label", t("refresh"));
  onOptionsChanged(async () => {
    panel.ctx.options = await loadOptions().catch(() => panel.ctx.options);
  });
  const approvals = approvalsFor(doc, panel);
  signal.addEventListener("abort", () => approvals.stop(), { once: true });
  // Alone or in a team (a team's companion records its own agent; an approver sees the team's
  // waiting refunds): read now and on reconnect.
  const readTeam = () => call(Actions.TEAM).then((team) => {
    panel.ctx.team = team;
    return approvals.setTeam(team);
  }, () => {});
  readTeam();
  const following = follow(ext, panel, pinnedTab(doc.location.href), signal);
  const events = subscribe((message) => {
    if (message?.type === PortMessages.TICKET) return following.onTicket(message);
    panel.handleEvent(message);
    approvals.handleEvent(message);
    // A teammate asks for approval: read the role again, so an agent just made approver sees it.
    if (message?.action?.state === "awaiting_approval" && !approvals.visible && panel.ctx.team?.mode === "team") readTeam();
  }, signal, { onReconnect: () => { readTeam(); following.reread(); } });
  const ping = setInterval(() => events.ping(), PING_MS);
  signal.addEventListener("abort", () => clearInterval(ping), { once: true });
  await following.reread();
  return panel;
}

if (globalThis.location?.protocol?.endsWith("-extension:")) start();
