/** The message protocol between content scripts, extension pages and the background worker. */

import { extensionApi } from "./ext.js";

/** Name of the long-lived port the side panel opens for live updates. */
export const PORT_NAME = "spdesk-panel";

/** Actions sent to the background with runtime.sendMessage. */
export const Actions = Object.freeze({
  // From content scripts only (the background takes the tab from the sender).
  TICKET_STATE: "ticketState", // {url, orders, selected, note}: what the tab's ticket names now
  SELECT_ORDER: "selectOrder", // {orderId, url}: the agent clicked a badge; opens the side panel where allowed
  // From the extension's own pages only (side panel, popup, options).
  STATUS: "status",
  GET_ORDER: "getOrder",
  REFUND: "refund",
  CANCEL: "cancel",
  GET_ACTIONS: "getActions",
  GET_ACTION: "getAction",
  OPEN_OPTIONS: "openOptions",
  TICKET_OF: "ticketOf", // {tabId}: the ticket state of a tab, asked of its content script
  INSERT_TEXT: "insertText", // {tabId, url, kind: "reply"|"note", text}: into that ticket's editor
  PANEL_SHORTCUT: "panelShortcut", // the keyboard shortcut that opens the side panel, if any
  TEAM: "team", // {mode: "single" | "team", agent, role}: whether the companion works in a team
  APPROVALS: "approvals", // refunds of the team waiting for an approver, oldest first
  APPROVE: "approve", // {id}: approve a waiting refund as this companion's agent
  REJECT: "reject", // {id, note?}: reject it (nothing goes to Amazon)
  PAIR: "pair",
  FIND_COMPANIONS: "findCompanions", // → {companions: [{url, version, pairingCodeWaiting}]} near the configured one
  UNPAIR: "unpair",
  SITE_GRANTED: "siteGranted", // the popup got a site's permission: finish enabling it
});

/** Actions only content scripts send: refused from anywhere else. */
export const TAB_ACTIONS = Object.freeze(new Set([Actions.TICKET_STATE, Actions.SELECT_ORDER]));

/** Messages the background posts on the side panel's port. */
export const PortMessages = Object.freeze({
  ACTION: "action", // {type, action}: an action object from docs/protocol.md changed state
  COMPANION: "companion", // {type, state: "online" | "offline"}
  TICKET: "ticket", // {type, tabId, state}: a tab's ticket changed (state null: none any more)
});

/** Messages a side panel may post on its port. */
export const PortRequests = Object.freeze({
  PING: "ping", // keeps the MV3 worker (and so the event stream) alive while the panel is open
});

/** What the background and the side panel ask of a tab's content script (tabs.sendMessage). */
export const TabRequests = Object.freeze({
  TICKET: "ticket", // → {url, orders, selected, note}
  INSERT: "insertText", // {url, kind, text} → {ok, code?, kind?, method?, opened?}
  STOP: "stop", // spdesk was turned off for the site: remove everything
});

/** Error codes the background produces itself; the companion's own codes are passed through. */
export const ErrorCodes = Object.freeze({
  COMPANION_OFFLINE: "companion_offline",
  COMPANION_TIMEOUT: "companion_timeout",
  COMPANION_BAD_RESPONSE: "companion_bad_response",
  NOT_PAIRED: "not_paired",
  INVALID_MESSAGE: "invalid_message",
  FORBIDDEN: "forbidden",
  INTERNAL: "internal_error",
  TICKET_CHANGED: "ticket_changed",
  AGENT_NAME_REQUIRED: "agent_name_required",
});

/** English sentences for the background's own codes (used when no localisation is available). */
export const DEFAULT_MESSAGES = Object.freeze({
  companion_offline:
    "spdesk companion is not running on this computer. Start it with 'spdesk serve'.",
  companion_timeout:
    "spdesk companion did not answer in time. Try again; if it keeps happening, restart it with 'spdesk serve'.",
  companion_bad_response:
    "Something other than the spdesk companion answered at the companion address. Check the address in the spdesk options.",
  not_paired:
    "This browser is not paired with the spdesk companion. Open the spdesk options and enter the code from 'spdesk pair'.",
  invalid_message: "spdesk received a request it does not understand. Reload the page and try again.",
  forbidden: "This request may only come from spdesk's own side panel or options page.",
  internal_error: "Something went wrong. Try again.",
  ticket_changed: "The ticket changed before you confirmed, so nothing was sent. Check the order shown now and start again.",
  agent_name_required: "Enter your name first: the audit trail records who refunded or cancelled.",
});

/** The _locales keys of the localised sentences for some of the background's own codes. */
export const MESSAGE_KEYS = Object.freeze({
  companion_offline: "errCompanionOffline",
  companion_timeout: "errCompanionTimeout",
  not_paired: "errNotPaired",
  companion_bad_response: "errCompanionBadResponse",
  ticket_changed: "errTicketChanged",
  agent_name_required: "errAgentNameRequired",
  forbidden: "errForbidden",
  invalid_message: "errInvalidMessage",
  extension_reloaded: "errExtensionReloaded",
});

/** A successful reply. */
export function ok(data) {
  return { ok: true, data };
}

/** A failed reply with a stable code and a sentence for the agent. */
export function fail(code, message, details) {
  const error = { code, message: message || DEFAULT_MESSAGES[code] || DEFAULT_MESSAGES.internal_error };
  if (details !== undefined) error.details = details;
  return { ok: false, error };
}

/** Sends `{action, args}` to the background and returns its `{ok, data|error}` reply. */
export async function send(action, args = {}, runtime = extensionApi().runtime) {
  try {
    const reply = await runtime.sendMessage({ action, args });
    return reply ?? fail(ErrorCodes.INTERNAL);
  } catch (err) {
    // The worker may be restarting (extension update/reload): say so instead of throwing.
    return fail(ErrorCodes.INTERNAL, undefined, { cause: String(err?.message ?? err) });
  }
}
