/** The content script's only line to the companion: messages to the background, and its events. */

const RECONNECT_MS = 1000;

/** A refusal from the background or the companion, with a stable code and a sentence. */
export class ApiError extends Error {
  /** @param {string} code @param {string} message @param {object} [details] */
  constructor(code, message, details = undefined) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.details = details;
  }
}

const RELOADED = new ApiError(
  "extension_reloaded",
  "spdesk was updated or reloaded. Reload this page to use it again.",
);

/** The browser's extension API (Firefox `browser`, Chrome `chrome`). */
export function extensionApi() {
  return globalThis.browser ?? globalThis.chrome;
}

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
  throw new ApiError(error.code ?? "unknown_error", error.message ?? "Something went wrong.", error.details);
}

/**
 * Listen to the background's `spdesk-events` port: onMessage({type: "action"|"companion", …}).
 * Reconnects when the service worker restarts; stops when the signal aborts.
 */
export function subscribe(onMessage, signal, runtime = extensionApi()?.runtime) {
  let port = null;
  let timer = null;
  const connect = () => {
    if (signal.aborted) return;
    try {
      port = runtime.connect({ name: "spdesk-events" });
    } catch {
      return; // extension context gone: nothing to listen to any more
    }
    port.onMessage.addListener((message) => onMessage(message));
    port.onDisconnect.addListener(() => {
      port = null;
      if (!signal.aborted) timer = setTimeout(connect, RECONNECT_MS);
    });
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
        port?.postMessage({ type: "ping" });
      } catch {
        // port closed; the reconnect timer is already running
      }
    },
  };
}
