/** Typed extension options in storage.local: defaults, validation and migrations. */

import { LANGUAGES } from "./domain.js";
import { extensionApi } from "./ext.js";

export const REPLY_LANGUAGES = Object.freeze(["auto", ...LANGUAGES]);
export const DEFAULT_COMPANION_URL = "http://127.0.0.1:8765";
// A busy port moves `spdesk demo` (and a companion started with --port) up to nine ports on.
const PORT_SPAN = 10;

/** Current shape version of the stored options; bump it and add a migration when it changes. */
export const OPTIONS_VERSION = 2;

/** Every option with its default; storage holds only these keys plus `optionsVersion`. */
export const DEFAULTS = Object.freeze({
  companionUrl: DEFAULT_COMPANION_URL,
  token: "",
  pairingId: "",
  agentName: "",
  replyLanguage: "auto",
  templates: Object.freeze({}),
  enabledSites: Object.freeze([]),
});

/**
 * Migrations from version N-1 to N, applied in order to the raw stored object.
 * 1: first release (nothing to change). 2: `enabledSites` became origins (older builds stored
 * match patterns such as "https://acme.zendesk.com/*").
 */
const MIGRATIONS = [
  (raw) => raw,
  (raw) => ({
    ...raw,
    enabledSites: Array.isArray(raw.enabledSites)
      ? raw.enabledSites.map((s) => (typeof s === "string" ? s.replace(/\/\*$/, "") : s))
      : raw.enabledSites,
  }),
];

function storageArea() {
  return extensionApi().storage.local;
}

/** Returns the companion URL normalised to `http://host:port`, or null when not on this computer. */
export function normalizeCompanionUrl(value) {
  let url;
  try {
    url = new URL(String(value).trim());
  } catch {
    return null;
  }
  // Host permissions cover only these two loopback names; anything else would be a remote server.
  if (url.protocol !== "http:" || !["127.0.0.1", "localhost"].includes(url.hostname)) return null;
  if (url.username || url.password || (url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    return null;
  }
  return url.origin;
}

/** Returns the web origin (`https://host[:port]`) of a URL, or null for non-web pages. */
export function webOrigin(value) {
  try {
    const url = new URL(String(value));
    return url.protocol === "https:" || url.protocol === "http:" ? url.origin : null;
  } catch {
    return null;
  }
}

function cleanTemplates(value) {
  const out = {};
  if (!value || typeof value !== "object") return out;
  for (const lang of LANGUAGES) {
    const perLang = value[lang];
    if (!perLang || typeof perLang !== "object") continue;
    const kept = Object.fromEntries(Object.entries(perLang).filter(([, text]) => typeof text === "string"));
    if (Object.keys(kept).length) out[lang] = kept;
  }
  return out;
}

/** Coerces a raw stored object into valid options; unknown or malformed values fall back to defaults. */
export function coerce(raw) {
  const str = (v, d) => (typeof v === "string" ? v : d);
  const sites = Array.isArray(raw.enabledSites) ? raw.enabledSites.map(webOrigin).filter(Boolean) : [];
  return {
    companionUrl: normalizeCompanionUrl(raw.companionUrl ?? "") ?? DEFAULTS.companionUrl,
    token: str(raw.token, ""),
    pairingId: str(raw.pairingId, ""),
    agentName: str(raw.agentName, "").trim().slice(0, 100),
    replyLanguage: REPLY_LANGUAGES.includes(raw.replyLanguage) ? raw.replyLanguage : "auto",
    templates: cleanTemplates(raw.templates),
    enabledSites: [...new Set(sites)].sort(),
  };
}

/** Applies pending migrations to a raw stored object and returns `{options, changed}`. */
export function migrate(raw) {
  const from = Number.isInteger(raw.optionsVersion) ? raw.optionsVersion : raw.companionUrl ? 1 : 0;
  let current = { ...raw };
  for (let v = Math.max(from, 0); v < OPTIONS_VERSION; v += 1) current = MIGRATIONS[v](current);
  return { options: coerce(current), changed: from !== OPTIONS_VERSION };
}

/** Loads all options (migrating and saving them back once when the stored version is old). */
export async function loadOptions(area = storageArea()) {
  const raw = await area.get(null);
  const { options, changed } = migrate(raw ?? {});
  if (changed && Object.keys(raw ?? {}).length) {
    await area.set({ ...options, optionsVersion: OPTIONS_VERSION });
  }
  return options;
}

/** Validates and stores some options; returns the full options after the change. */
export async function saveOptions(patch, area = storageArea()) {
  const current = await loadOptions(area);
  const unknown = Object.keys(patch).filter((k) => !(k in DEFAULTS));
  if (unknown.length) throw new TypeError(`unknown option(s): ${unknown.join(", ")}`);
  if ("companionUrl" in patch && normalizeCompanionUrl(patch.companionUrl) === null) {
    throw new RangeError("companionUrl must be http://127.0.0.1:PORT or http://localhost:PORT");
  }
  const next = coerce({ ...current, ...patch });
  // Write only the changed keys: the worker, popup and options page may save different keys at once.
  const changed = Object.fromEntries(Object.keys(patch).map((key) => [key, next[key]]));
  await area.set({ ...changed, optionsVersion: OPTIONS_VERSION });
  return next;
}

/** Calls `listener(changedKeys)` whenever stored options change; returns an unsubscribe function. */
export function onOptionsChanged(listener, storage = extensionApi().storage) {
  const handler = (changes, areaName) => {
    if (areaName !== "local") return;
    const keys = Object.keys(changes).filter((k) => k in DEFAULTS);
    if (keys.length) listener(keys);
  };
  storage.onChanged.addListener(handler);
  return () => storage.onChanged.removeListener(handler);
}

/**
 * Where else a companion may answer: the default port and the nine after it, the configured
 * port and the nine after it, on the same loopback host; the configured address itself left out.
 */
export function companionCandidates(companionUrl, defaultUrl = DEFAULT_COMPANION_URL) {
  const found = new Set();
  for (const base of [defaultUrl, companionUrl]) {
    const url = new URL(base);
    const first = Number(url.port || 80);
    for (let port = first; port < first + PORT_SPAN && port <= 65535; port += 1) found.add(`${url.protocol}//${url.hostname}:${port}`);
  }
  found.delete(companionUrl);
  return [...found];
}
