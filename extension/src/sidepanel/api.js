/** The side panel's line to the companion and the tabs: messages to the background, and its events. */
import { extensionApi } from "../shared/ext.js";
import { PORT_NAME, PortRequests } from "../shared/messages.js";

const RECONNECT_MS = 1000;

/** A refusal from the background or the companion: a stable code, its parameters and a sentence. */
export class ApiError extends Error {
  /** @param {string} code @param {string} message @param {{details?: object, params?: object}} [extra] */
  constructor(code, message, { details, params } = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.details = details;
    this.params = params ?? {};
  }
}

const RELOADED = new ApiError("extension_reloaded", "spdesk was updated or reloaded. Close and open the side panel again.");

/** Send {action, args} to the background; resolve with data or throw ApiError. */
export async function call(action, args = {}, runtime = extensionApi()?.runtime) {
  let reply;
  try {
    reply = await runtime.sendMessage({ action, args });
  } catch {
    throw RELOADED;
  }
  if (!reply) throw RELOADED;
  if (reply.ok) return reply.data;
  const error = reply.error ?? {};
  throw new ApiError(error.code ?? "unknown_error", error.message ?? "Something went wrong.", { details: error.details, params: error.params });
}

/**
 * Listen to the background's port: onMessage({type: "action"|"companion"|"ticket", …}).
 * Reconnects when the service worker restarts (`onReconnect` then re-reads what may be missed);
 * stops when the signal aborts.
 */
export function subscribe(onMessage, signal, { runtime = extensionApi()?.runtime, onReconnect = () => {} } = {}) {
  let port = null;
  let timer = null;
  let first = true;
  const connect = () => {
    if (signal.aborted) return;
    try {
      port = runtime.connect({ name: PORT_NAME });
    } catch {
      return; // extension context gone: nothing to listen to any more
    }
    port.onMessage.addListener((message) => onMessage(message));
    port.onDisconnect.addListener(() => {
      port = null;
      if (!signal.aborted) timer = setTimeout(connect, RECONNECT_MS);
    });
    if (!first) onReconnect();
    first = false;
  };
  signal.addEventListener("abort", () => {
    clearTimeout(timer);
    port?.disconnect();
  }, { once: true });
  connect();
  return {
    /** Keep the background worker (and its event stream) awake while the panel is open. */
    ping: () => {
      try {
        port?.postMessage({ type: PortRequests.PING });
      } catch {
        // port closed; the reconnect timer is already running
      }
    },
  };
}
