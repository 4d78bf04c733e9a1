/** The background's one handler table: validates `{action, args}`, talks to the companion, replies. */

import { ORDER_ID_EXACT } from "../shared/domain.js";
import { extensionApi } from "../shared/ext.js";
import { Actions, ErrorCodes, PortMessages, TAB_ACTIONS, fail, ok } from "../shared/messages.js";
import { companionCandidates } from "../shared/options.js";
import { CompanionError, localMessage } from "./companion.js";
import { cleanTicket, panelShortcut } from "./tabs.js";

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{7,99}$/;
const ACTION_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const PAIR_CODE_RE = /^[A-Za-z0-9][A-Za-z0-9 -]{2,31}$/;
const TEXT_KINDS = new Set(["reply", "note"]);
const MAX_TEXT = 20_000;
const MAX_NOTE = 2000;

/** A refused message: becomes `{ok: false, error: {code: "invalid_message", ...}}`. */
class BadRequest extends CompanionError {
  constructor(detail) {
    super(ErrorCodes.INVALID_MESSAGE, undefined, { details: { reason: detail } });
  }
}

/** One of the background's own refusals, with its localised sentence. */
function refusal(code, details) {
  return new CompanionError(code, localMessage(code), { details });
}

function requireString(args, key, re) {
  const value = args?.[key];
  if (typeof value !== "string" || !re.test(value)) throw new BadRequest(`${key} is missing or malformed`);
  return value;
}

function requireTabId(args) {
  const tabId = args?.tabId;
  if (!Number.isInteger(tabId) || tabId < 0) throw new BadRequest("tabId is missing or malformed");
  return tabId;
}

function requireBody(args) {
  const body = args?.body;
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new BadRequest("body must be an object");
  requireString(body, "orderId", ORDER_ID_EXACT);
  return body;
}

/** The ticket a money action was confirmed for: `{tabId, url}`. */
function requireTicket(args) {
  const ticket = args?.ticket;
  if (!ticket || typeof ticket.url !== "string") throw new BadRequest("ticket is missing or malformed");
  return { tabId: requireTabId(ticket), url: ticket.url };
}

/** True when the message comes from one of the extension's own pages (side panel, popup, options). */
export function isExtensionPage(sender, extensionUrl) {
  return typeof sender?.url === "string" && sender.url.startsWith(extensionUrl) && !sender.tab?.url?.startsWith("http");
}

/** A label for the pairing, so `spdesk pair --list` tells browsers apart. */
export function pairingLabel(userAgent = globalThis.navigator?.userAgent ?? "") {
  const browser = /Firefox\//.test(userAgent) ? "Firefox" : /Edg\//.test(userAgent) ? "Edge" : "Chrome";
  const os = /Windows/.test(userAgent) ? "Windows" : /Mac OS X/.test(userAgent) ? "macOS" : /Linux/.test(userAgent) ? "Linux" : "";
  return os ? `${browser} on ${os}` : browser;
}

const ALONE = Object.freeze({ mode: "single", agent: null, role: null });

/** Whether the companion works alone or in a team, and as whom (older companions: alone). */
async function teamOf(companion) {
  try {
    return await companion.request("/v1/team");
  } catch (err) {
    if (err.status === 404) return ALONE;
    throw err;
  }
}

/**
 * Refund and cancel. They come only from the side panel (dispatch checks the sender), for the
 * ticket the panel showed: the tab's content script must still show that address and that
 * order now, else nothing is sent. The agent's name comes from the options and is never empty;
 * in team mode the companion records its own agent, so none is needed here.
 */
function moneyHandlers({ companion, getOptions, tabs }) {
  async function post(path, args) {
    const idempotencyKey = requireString(args, "idempotencyKey", KEY_RE);
    const body = { ...requireBody(args) };
    const ticket = requireTicket(args);
    const { agentName } = await getOptions();
    if (!agentName && (await teamOf(companion)).mode !== "team") throw refusal(ErrorCodes.AGENT_NAME_REQUIRED);
    const now = await tabs.ticket(ticket.tabId);
    if (!now || now.url !== ticket.url || !now.orders.includes(body.orderId)) {
      throw refusal(ErrorCodes.TICKET_CHANGED, { orderId: body.orderId });
    }
    body.ticketUrl = now.url;
    if (agentName) body.agent = agentName;
    return companion.request(path, { method: "POST", body, headers: { "Idempotency-Key": idempotencyKey } });
  }
  return {
    [Actions.REFUND]: (args) => post("/v1/refunds", args),
    [Actions.CANCEL]: (args) => post("/v1/cancellations", args),
  };
}

/** An approver's optional note: a string of at most 2000 characters, trimmed. */
function optionalNote(args) {
  const note = args?.note ?? "";
  if (typeof note !== "string" || note.length > MAX_NOTE) throw new BadRequest("note must be text of at most 2000 characters");
  return note.trim();
}

/**
 * Team approvals: the list, and an approver's decision. Approving moves money, so like refund
 * and cancel these come only from the extension's pages (dispatch checks the sender); the
 * companion decides as its own agent and refuses one's own refund (`self_approval`).
 */
function approvalHandlers({ companion }) {
  const decide = (verdict, args) => {
    const id = requireString(args, "id", ACTION_ID_RE);
    return companion.request(`/v1/actions/${id}/${verdict}`, { method: "POST", body: { note: optionalNote(args) } });
  };
  return {
    [Actions.APPROVALS]: () => companion.request("/v1/approvals"),
    [Actions.APPROVE]: (args) => decide("approve", args),
    [Actions.REJECT]: (args) => decide("reject", args),
  };
}

/** The status of a running companion for a browser that holds a token (not paired: `base`). */
async function pairedStatus(companion, base) {
  try {
    const status = await companion.request("/v1/status");
    return { ...base, paired: true, mode: status.mode, accounts: status.accounts ?? [], pairingId: status.pairingId ?? base.pairingId };
  } catch (err) {
    if (err.code === ErrorCodes.NOT_PAIRED) return base;
    throw err;
  }
}

/** Reading from the companion: its status, an order, its actions. */
function readHandlers({ companion, getOptions }) {
  return {
    async [Actions.STATUS]() {
      const { companionUrl, token, pairingId } = await getOptions();
      const health = await companion.request("/v1/health", { auth: false });
      // Another program on the configured port is not the companion, however it answers.
      if (health?.service !== "spdesk-companion") throw refusal(ErrorCodes.COMPANION_BAD_RESPONSE);
      const base = { online: true, companionUrl, version: health.version ?? null, paired: false, pairingId: pairingId || null };
      return token ? pairedStatus(companion, base) : base;
    },
    [Actions.TEAM]: () => teamOf(companion),
    async [Actions.GET_ORDER](args) {
      const orderId = requireString(args, "orderId", ORDER_ID_EXACT);
      return companion.request(`/v1/orders/${orderId}${args.fresh === true ? "?fresh=true" : ""}`);
    },
    async [Actions.GET_ACTIONS](args) {
      return companion.request(`/v1/orders/${requireString(args, "orderId", ORDER_ID_EXACT)}/actions`);
    },
    async [Actions.GET_ACTION](args) {
      return companion.request(`/v1/actions/${requireString(args, "id", ACTION_ID_RE)}`);
    },
  };
}

/** Tabs and the side panel: tickets reported and asked for, badge clicks, text into editors. */
function tabHandlers({ tabs, broadcast, ext }) {
  return {
    [Actions.TICKET_STATE](args, sender) {
      broadcast({ type: PortMessages.TICKET, tabId: sender.tab.id, state: cleanTicket(args) });
      return {};
    },
    // Opening the panel is the first thing done, synchronously, while the click still counts.
    [Actions.SELECT_ORDER]: (args, sender) => tabs.open(sender.tab.windowId),
    [Actions.TICKET_OF]: (args) => tabs.ticket(requireTabId(args)),
    async [Actions.INSERT_TEXT](args) {
      const tabId = requireTabId(args);
      const kind = TEXT_KINDS.has(args.kind) ? args.kind : null;
      if (!kind || typeof args.text !== "string" || !args.text || args.text.length > MAX_TEXT || typeof args.url !== "string") {
        throw new BadRequest("kind, text or url is missing or malformed");
      }
      return tabs.insert(tabId, { url: args.url, kind, text: args.text });
    },
    [Actions.PANEL_SHORTCUT]: async () => ({ shortcut: await panelShortcut(ext) }),
  };
}

/** The pairing code as typed (case and spaces forgiven), or the refusal that shows its format. */
function pairCode(args) {
  const code = typeof args.code === "string" ? args.code.trim().toUpperCase() : "";
  if (PAIR_CODE_RE.test(code)) return code;
  const text = extensionApi()?.i18n?.getMessage("errPairCodeFormat");
  throw new CompanionError("pairing_code_invalid", text || "Type the code that 'spdesk pair' shows, for example K7QD-2MXP.");
}

/** The name this browser's pairing gets: the page's, else browser and system. */
function pairLabel(args) {
  const given = typeof args.label === "string" ? args.label.trim() : "";
  return given ? given.slice(0, 80) : pairingLabel();
}

/** Pairing, options and sites (extension pages only). */
function setupHandlers({ companion, getOptions, saveOptions, openOptionsPage, completeSite, onPairingChanged }) {
  return {
    async [Actions.OPEN_OPTIONS]() {
      await openOptionsPage();
      return {};
    },
    async [Actions.SITE_GRANTED]() {
      return { origin: await completeSite() };
    },
    async [Actions.PAIR](args) {
      const reply = await companion.request("/v1/pair", { method: "POST", auth: false, body: { code: pairCode(args), label: pairLabel(args) } });
      if (typeof reply?.token !== "string" || !reply.token) throw refusal(ErrorCodes.COMPANION_BAD_RESPONSE);
      await saveOptions({ token: reply.token, pairingId: String(reply.pairingId ?? "") });
      onPairingChanged();
      // The token stays in the background's storage; pages only learn that pairing worked.
      return { pairingId: reply.pairingId ?? null, companion: reply.companion ?? null };
    },
    // Other companions on this computer, for a page whose companion is not there or has no code.
    async [Actions.FIND_COMPANIONS]() {
      const { companionUrl } = await getOptions();
      return { companions: await companion.find(companionCandidates(companionUrl)) };
    },
    async [Actions.UNPAIR]() {
      const { pairingId } = await getOptions();
      await saveOptions({ token: "", pairingId: "" });
      onPairingChanged();
      return { pairingId: pairingId || null };
    },
  };
}

/**
 * Builds the handler table. `deps`: companion (createCompanion), getOptions(), saveOptions(patch),
 * openOptionsPage(), completeSite() (finish a site the popup got permission for),
 * onPairingChanged(), tabs (createTabs), broadcast(message) to the side panels, ext.
 */
export function createHandlers(deps) {
  const full = { completeSite: async () => null, onPairingChanged: () => {}, broadcast: () => {}, ext: extensionApi(), ...deps };
  return { ...readHandlers(full), ...moneyHandlers(full), ...approvalHandlers(full), ...tabHandlers(full), ...setupHandlers(full) };
}

/** Whether `sender` may send `action`: tab actions from content scripts, the rest from our pages. */
export function allowed(action, sender, extensionUrl) {
  const fromPage = isExtensionPage(sender, extensionUrl);
  if (TAB_ACTIONS.has(action)) return !fromPage && Number.isInteger(sender?.tab?.id);
  return fromPage;
}

/**
 * Runs one message through the table; always resolves to `{ok, data}` or `{ok: false, error}`.
 * The handler is called synchronously (no await before it), so a user gesture still counts.
 */
export async function dispatch(handlers, message, sender, { extensionUrl = "" } = {}) {
  const action = message?.action;
  if (typeof action !== "string" || !Object.hasOwn(handlers, action)) {
    return fail(ErrorCodes.INVALID_MESSAGE, undefined, { reason: `unknown action ${String(action)}` });
  }
  if (!allowed(action, sender, extensionUrl)) return fail(ErrorCodes.FORBIDDEN, localMessage(ErrorCodes.FORBIDDEN));
  return run(handlers[action], action, message.args ?? {}, sender);
}

async function run(handler, action, args, sender) {
  try {
    return ok((await handler(args, sender)) ?? null);
  } catch (err) {
    if (err instanceof CompanionError) return { ok: false, error: err.toJSON() };
    console.error("spdesk: handler failed", action, err);
    return fail(ErrorCodes.INTERNAL);
  }
}
