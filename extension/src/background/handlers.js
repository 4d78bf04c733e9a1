/** The background's one handler table: validates `{action, args}`, talks to the companion, replies. */

import { Actions, ErrorCodes, ORDER_ID_RE, PAGE_ONLY_ACTIONS, fail, ok } from "../shared/messages.js";
import { CompanionError, localMessage } from "./companion.js";

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{7,99}$/;
const ACTION_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const PAIR_CODE_RE = /^[A-Za-z0-9][A-Za-z0-9 -]{2,31}$/;

/** A refused message: becomes `{ok: false, error: {code: "invalid_message", ...}}`. */
class BadRequest extends CompanionError {
  constructor(detail) {
    super(ErrorCodes.INVALID_MESSAGE, undefined, { details: { reason: detail } });
  }
}

/** The companion address answers, but not as the companion. */
function badResponse() {
  return new CompanionError(ErrorCodes.COMPANION_BAD_RESPONSE, localMessage(ErrorCodes.COMPANION_BAD_RESPONSE));
}

function requireString(args, key, re) {
  const value = args?.[key];
  if (typeof value !== "string" || !re.test(value)) throw new BadRequest(`${key} is missing or malformed`);
  return value;
}

function requireBody(args) {
  const body = args?.body;
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new BadRequest("body must be an object");
  requireString(body, "orderId", ORDER_ID_RE);
  return body;
}

/** True when the message comes from one of the extension's own pages (options, popup). */
export function isExtensionPage(sender, extensionUrl) {
  return typeof sender?.url === "string" && sender.url.startsWith(extensionUrl) && !sender.tab?.url?.startsWith("http");
}

/** The ticket's page URL, taken from the sender (never from the payload). */
function ticketUrl(sender) {
  const url = sender?.tab?.url ?? sender?.url;
  return typeof url === "string" && /^https?:/.test(url) ? url : undefined;
}

/** A label for the pairing, so `spdesk pair --list` tells browsers apart. */
export function pairingLabel(userAgent = globalThis.navigator?.userAgent ?? "") {
  const browser = /Firefox\//.test(userAgent) ? "Firefox" : /Edg\//.test(userAgent) ? "Edge" : "Chrome";
  const os = /Windows/.test(userAgent) ? "Windows" : /Mac OS X/.test(userAgent) ? "macOS" : /Linux/.test(userAgent) ? "Linux" : "";
  return os ? `${browser} on ${os}` : browser;
}

/**
 * Builds the handler table. `deps`: companion (createCompanion), getOptions(), saveOptions(patch),
 * openOptionsPage(), completeSite() (finish a site the popup got permission for), onPairingChanged().
 */
export function createHandlers({ companion, getOptions, saveOptions, openOptionsPage, completeSite = async () => null, onPairingChanged = () => {} }) {
  async function actionBody(args, sender) {
    const body = { ...requireBody(args) };
    const { agentName } = await getOptions();
    // The background, not the page, says which ticket and which agent: the payload may be stale or forged.
    const url = ticketUrl(sender);
    if (url) body.ticketUrl = url;
    else delete body.ticketUrl;
    if (agentName) body.agent = agentName;
    return body;
  }

  async function post(path, args, sender) {
    const idempotencyKey = requireString(args, "idempotencyKey", KEY_RE);
    const body = await actionBody(args, sender);
    return companion.request(path, { method: "POST", body, headers: { "Idempotency-Key": idempotencyKey } });
  }

  return {
    async [Actions.STATUS]() {
      const { companionUrl, token, pairingId } = await getOptions();
      const health = await companion.request("/v1/health", { auth: false });
      // Another program on the configured port is not the companion, however it answers.
      if (health?.service !== "spdesk-companion") throw badResponse();
      const base = { online: true, companionUrl, version: health?.version ?? null, paired: false, pairingId: pairingId || null };
      if (!token) return base;
      try {
        const status = await companion.request("/v1/status");
        return { ...base, paired: true, mode: status.mode, accounts: status.accounts ?? [], pairingId: status.pairingId ?? base.pairingId };
      } catch (err) {
        if (err.code === ErrorCodes.NOT_PAIRED) return base;
        throw err;
      }
    },
    async [Actions.GET_ORDER](args) {
      const orderId = requireString(args, "orderId", ORDER_ID_RE);
      const query = args.fresh === true ? "?fresh=true" : "";
      return companion.request(`/v1/orders/${orderId}${query}`);
    },
    [Actions.REFUND]: (args, sender) => post("/v1/refunds", args, sender),
    [Actions.CANCEL]: (args, sender) => post("/v1/cancellations", args, sender),
    async [Actions.GET_ACTIONS](args) {
      const orderId = requireString(args, "orderId", ORDER_ID_RE);
      return companion.request(`/v1/orders/${orderId}/actions`);
    },
    async [Actions.GET_ACTION](args) {
      const id = requireString(args, "id", ACTION_ID_RE);
      return companion.request(`/v1/actions/${id}`);
    },
    async [Actions.OPEN_OPTIONS]() {
      await openOptionsPage();
      return {};
    },
    async [Actions.SITE_GRANTED]() {
      const origin = await completeSite();
      return { origin };
    },
    async [Actions.PAIR](args) {
      const code = typeof args.code === "string" ? args.code.trim().toUpperCase() : "";
      if (!PAIR_CODE_RE.test(code)) {
        const text = (globalThis.browser ?? globalThis.chrome)?.i18n?.getMessage("errPairCodeFormat");
        throw new CompanionError("pairing_code_invalid", text || "Type the code that 'spdesk pair' shows, for example K7QD-2MXP.");
      }
      const label = typeof args.label === "string" && args.label.trim() ? args.label.trim().slice(0, 80) : pairingLabel();
      const reply = await companion.request("/v1/pair", { method: "POST", auth: false, body: { code, label } });
      if (typeof reply?.token !== "string" || !reply.token) throw badResponse();
      await saveOptions({ token: reply.token, pairingId: String(reply.pairingId ?? "") });
      onPairingChanged();
      // The token stays in the background's storage; pages only learn that pairing worked.
      return { pairingId: reply.pairingId ?? null, companion: reply.companion ?? null };
    },
    async [Actions.UNPAIR]() {
      const { pairingId } = await getOptions();
      await saveOptions({ token: "", pairingId: "" });
      onPairingChanged();
      return { pairingId: pairingId || null };
    },
  };
}

/** Runs one message through the table; always resolves to `{ok, data}` or `{ok: false, error}`. */
export async function dispatch(handlers, message, sender, { extensionUrl = "" } = {}) {
  const action = message?.action;
  if (typeof action !== "string" || !Object.hasOwn(handlers, action)) {
    return fail(ErrorCodes.INVALID_MESSAGE, undefined, { reason: `unknown action ${String(action)}` });
  }
  if (PAGE_ONLY_ACTIONS.has(action) && !isExtensionPage(sender, extensionUrl)) return fail(ErrorCodes.FORBIDDEN);
  try {
    const data = await handlers[action](message.args ?? {}, sender);
    return ok(data ?? null);
  } catch (err) {
    if (err instanceof CompanionError) return { ok: false, error: err.toJSON() };
    console.error("spdesk: handler failed", action, err);
    return fail(ErrorCodes.INTERNAL);
  }
}
