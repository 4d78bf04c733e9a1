/** HTTP client for the local companion: every request has a timeout and fails with a typed error. */

import { extensionApi } from "../shared/ext.js";
import { DEFAULT_MESSAGES, ErrorCodes, MESSAGE_KEYS } from "../shared/messages.js";

export const DEFAULT_TIMEOUT_MS = 8000;
// A companion on this computer answers its health at once; a silent port is not one.
const PROBE_TIMEOUT_MS = 1500;
// Never send cookies to the companion, never answer from the HTTP cache.
const FETCH_DEFAULTS = Object.freeze({ credentials: "omit", cache: "no-store" });

/** A failure with a stable code and a sentence a support agent understands. */
export class CompanionError extends Error {
  constructor(code, message, { status = 0, details, params } = {}) {
    super(message || DEFAULT_MESSAGES[code] || DEFAULT_MESSAGES.internal_error);
    this.name = "CompanionError";
    this.code = code;
    this.status = status;
    this.details = details;
    this.params = params;
  }

  /**
   * The `{code, message, details?, params?}` shape sent to the extension's pages: `params` are
   * the companion's values for its sentence, so the side panel can word it in the agent's language.
   */
  toJSON() {
    const out = { code: this.code, message: this.message };
    if (this.details !== undefined) out.details = this.details;
    if (this.params && typeof this.params === "object") out.params = this.params;
    return out;
  }
}

/** Looks up the localised sentence for one of the background's own codes. */
export function localMessage(code, i18n = extensionApi()?.i18n) {
  const key = MESSAGE_KEYS[code];
  const text = key && i18n?.getMessage ? i18n.getMessage(key) : "";
  return text || DEFAULT_MESSAGES[code] || DEFAULT_MESSAGES.internal_error;
}

/** One of the background's own errors, with its (localised) sentence from `message(code)`. */
function ownError(code, message, options) {
  return new CompanionError(code, message(code), options);
}

function isAbort(err) {
  return err?.name === "AbortError" || err?.name === "TimeoutError";
}

/** Turns a non-2xx response into a CompanionError, passing the companion's own code through. */
async function errorFrom(response, message) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: something other than the companion answered on that port.
  }
  const err = body?.error;
  if (!err || typeof err.code !== "string") {
    return ownError(ErrorCodes.COMPANION_BAD_RESPONSE, message, {
      status: response.status,
      details: { httpStatus: response.status },
    });
  }
  if (response.status === 401) {
    // Missing or revoked token: the UI offers pairing, whatever the companion's exact code.
    return ownError(ErrorCodes.NOT_PAIRED, message, {
      status: 401,
      details: { companionCode: err.code },
    });
  }
  return new CompanionError(err.code, err.message, { status: response.status, details: err.details, params: err.params });
}

/** The fetch options of one JSON request (token, body, timeout combined with the caller's signal). */
function jsonInit({ method = "GET", body, auth = true, headers = {}, signal }, token, timer) {
  const allHeaders = { Accept: "application/json", ...headers };
  if (auth) allHeaders.Authorization = `Bearer ${token}`;
  if (body !== undefined) allHeaders["Content-Type"] = "application/json";
  return {
    method,
    headers: allHeaders,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: signal ? AbortSignal.any([signal, timer]) : timer,
    ...FETCH_DEFAULTS,
  };
}

/** The parsed body of a response, or the CompanionError it stands for. */
async function readResponse(response, message) {
  if (!response.ok) throw await errorFrom(response, message);
  return response.status === 204 ? null : response.json();
}

/**
 * Creates a client. `getConfig()` returns `{companionUrl, token}` (read from storage on every call
 * because an MV3 worker may have been restarted since the last one).
 */
export function createCompanion({
  getConfig,
  fetchImpl = (...a) => globalThis.fetch(...a),
  timeoutMs = DEFAULT_TIMEOUT_MS,
  message = (code) => localMessage(code),
}) {
  /** Sends one request; resolves to the parsed JSON body or rejects with a CompanionError. */
  async function request(path, options = {}) {
    const { companionUrl, token } = await getConfig();
    if (options.auth !== false && !token) throw ownError(ErrorCodes.NOT_PAIRED, message);
    const timer = AbortSignal.timeout(options.timeout ?? timeoutMs);
    try {
      return await readResponse(await fetchImpl(`${companionUrl}${path}`, jsonInit(options, token, timer)), message);
    } catch (err) {
      throw translate(err, timer, message);
    }
  }

  /** Opens a streaming GET (for server-sent events); the caller reads `response.body`. */
  async function stream(path, { signal, connectTimeout } = {}) {
    const { companionUrl, token } = await getConfig();
    if (!token) throw ownError(ErrorCodes.NOT_PAIRED, message);
    // The timeout covers connecting only; the stream itself stays open until `signal` aborts.
    const connect = new AbortController();
    const timer = setTimeout(() => connect.abort(new DOMException("connect", "TimeoutError")), connectTimeout ?? timeoutMs);
    const combined = signal ? AbortSignal.any([signal, connect.signal]) : connect.signal;
    try {
      const response = await fetchImpl(`${companionUrl}${path}`, {
        headers: { Accept: "text/event-stream", Authorization: `Bearer ${token}` },
        signal: combined,
        ...FETCH_DEFAULTS,
      });
      if (!response.ok) throw await errorFrom(response, message);
      return response;
    } catch (err) {
      throw translate(err, connect.signal, message);
    } finally {
      clearTimeout(timer);
    }
  }

  return { request, stream, find: (urls) => findCompanions(urls, fetchImpl) };
}

/**
 * The spdesk companions among `urls` (their health only: no token is sent anywhere else than the
 * configured companion): `[{url, version, pairingCodeWaiting}]`, in the order of `urls`.
 */
export async function findCompanions(urls, fetchImpl = (...a) => globalThis.fetch(...a), timeout = PROBE_TIMEOUT_MS) {
  const probe = async (url) => {
    try {
      const init = { headers: { Accept: "application/json" }, signal: AbortSignal.timeout(timeout), ...FETCH_DEFAULTS };
      const response = await fetchImpl(`${url}/v1/health`, init);
      const health = response.ok ? await response.json() : null;
      if (health?.service !== "spdesk-companion") return null;
      return { url, version: typeof health.version === "string" ? health.version : null, pairingCodeWaiting: health.pairingCodeWaiting === true };
    } catch {
      return null; // nothing there, or not a companion
    }
  };
  return (await Promise.all(urls.map(probe))).filter(Boolean);
}

/** A failed fetch as a CompanionError; a cancellation by the caller stays as it is. */
function translate(err, timer, message) {
  if (err instanceof CompanionError) return err;
  if (isAbort(err)) return timer.aborted ? ownError(ErrorCodes.COMPANION_TIMEOUT, message) : err;
  if (err instanceof SyntaxError) return ownError(ErrorCodes.COMPANION_BAD_RESPONSE, message);
  // fetch rejects with a TypeError when nothing listens on the port (connection refused).
  return ownError(ErrorCodes.COMPANION_OFFLINE, message);
}
