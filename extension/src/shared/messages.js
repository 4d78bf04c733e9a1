/** The message protocol between content scripts, extension pages and the background worker. */

/** Name of the long-lived port content scripts open for live updates. */
export const PORT_NAME = "spdesk-events";

/** Actions any spdesk context (content scripts included) may send. */
export const Actions = Object.freeze({
  STATUS: "status",
  GET_ORDER: "getOrder",
  REFUND: "refund",
  CANCEL: "cancel",
  GET_ACTIONS: "getActions",
  GET_ACTION: "getAction",
  OPEN_OPTIONS: "openOptions",
  // Only extension pages (options, popup) may send these: they change the pairing.
  PAIR: "pair",
  UNPAIR: "unpair",
  SITE_GRANTED: "siteGranted", // the popup got a site's permission: finish enabling it
});

/** Actions refused unless the sender is one of the extension's own pages. */
export const PAGE_ONLY_ACTIONS = Object.freeze(new Set([Actions.PAIR, Actions.UNPAIR, Actions.SITE_GRANTED]));

/** Messages the background posts on the events port. */
export const PortMessages = Object.freeze({
  ACTION: "action", // {type, action}: an action object from docs/protocol.md changed state
  COMPANION: "companion", // {type, state: "online" | "offline"}
  SITE: "site", // {type, origin, enabled: false}: spdesk was disabled for the page's site
});

/** Messages a content script may post on the events port. */
export const PortRequests = Object.freeze({
  PING: "ping", // keeps the MV3 worker (and so the event stream) alive while a ticket is open
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
  forbidden: "This request may only come from the spdesk options page.",
  internal_error: "Something went wrong. Try again.",
});

/** The _locales keys of the localised sentences for some of the background's own codes. */
export const MESSAGE_KEYS = Object.freeze({
  companion_offline: "errCompanionOffline",
  companion_timeout: "errCompanionTimeout",
  not_paired: "errNotPaired",
  companion_bad_response: "errCompanionBadResponse",
});

/** Amazon order id (3-7-7 digits), exactly. */
export const ORDER_ID_RE = /^\d{3}-\d{7}-\d{7}$/;

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
export async function send(action, args = {}, runtime = (globalThis.browser ?? globalThis.chrome).runtime) {
  try {
    const reply = await runtime.sendMessage({ action, args });
    return reply ?? fail(ErrorCodes.INTERNAL);
  } catch (err) {
    // The worker may be restarting (extension update/reload): say so instead of throwing.
    return fail(ErrorCodes.INTERNAL, undefined, { cause: String(err?.message ?? err) });
  }
}
