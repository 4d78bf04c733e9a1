/** An in-memory stand-in for the `chrome` extension API (storage, permissions, scripting, i18n). */

import { readFileSync } from "node:fs";

const EN = JSON.parse(readFileSync(new URL("../../_locales/en/messages.json", import.meta.url), "utf8"));

function event() {
  const listeners = new Set();
  return {
    addListener: (fn) => listeners.add(fn),
    removeListener: (fn) => listeners.delete(fn),
    hasListener: (fn) => listeners.has(fn),
    emit: (...args) => [...listeners].map((fn) => fn(...args)),
  };
}

function storageArea(name, onChanged) {
  let data = {};
  return {
    async get(keys) {
      const copy = structuredClone(data);
      if (keys === null || keys === undefined) return copy;
      const list = typeof keys === "string" ? [keys] : Array.isArray(keys) ? keys : Object.keys(keys);
      return Object.fromEntries(list.filter((k) => k in copy).map((k) => [k, copy[k]]));
    },
    async set(items) {
      const changes = {};
      for (const [k, v] of Object.entries(structuredClone(items))) {
        changes[k] = { oldValue: data[k], newValue: v };
        data[k] = v;
      }
      onChanged.emit(changes, name);
    },
    async remove(keys) {
      const changes = {};
      for (const k of [keys].flat()) {
        if (k in data) changes[k] = { oldValue: data[k] };
        delete data[k];
      }
      onChanged.emit(changes, name);
    },
    async clear() {
      data = {};
    },
    dump: () => structuredClone(data),
  };
}

/** Localises like chrome.i18n.getMessage with $1…$9 substitutions, from _locales/en. */
export function getMessage(key, subs) {
  const entry = EN[key];
  if (!entry) return "";
  const values = subs === undefined ? [] : [subs].flat().map(String);
  return entry.message.replace(/\$(\d)/g, (_, n) => values[Number(n) - 1] ?? "");
}

/**
 * Creates a fake `chrome`. `granted` is the set of host patterns the user has allowed;
 * `prompt(origins)` decides what a permissions.request answers (default: grant).
 */
export function fakeBrowser({ id = "ibechjjblnfhmdepfahabhaggbnemnij", prompt = async () => true } = {}) {
  const onChanged = event();
  const granted = new Set();
  const registered = new Map();
  const calls = { executeScript: [], openOptionsPage: 0, request: [], sidePanel: [], tabMessages: [] };
  // What each tab's content script answers to tabs.sendMessage (none: no receiver).
  const contentScripts = new Map();
  const permissions = {
    onAdded: event(),
    onRemoved: event(),
    async contains({ origins }) {
      return origins.every((o) => granted.has(o));
    },
    request({ origins }) {
      calls.request.push(origins);
      return prompt(origins).then((ok) => {
        if (ok) {
          const added = origins.filter((o) => !granted.has(o));
          origins.forEach((o) => granted.add(o));
          if (added.length) permissions.onAdded.emit({ origins: added, permissions: [] });
        }
        return ok;
      });
    },
    async remove({ origins }) {
      const removed = origins.filter((o) => granted.delete(o));
      if (removed.length) permissions.onRemoved.emit({ origins: removed, permissions: [] });
      return removed.length > 0;
    },
  };
  const scripting = {
    async registerContentScripts(scripts) {
      for (const s of scripts) {
        if (registered.has(s.id)) throw new Error(`Duplicate script ID '${s.id}'`);
        if (!s.id || s.id.startsWith("_")) throw new Error("Invalid script id");
      }
      for (const s of scripts) registered.set(s.id, structuredClone(s));
    },
    async updateContentScripts(scripts) {
      for (const s of scripts) {
        if (!registered.has(s.id)) throw new Error(`No script with ID '${s.id}'`);
        registered.set(s.id, { ...registered.get(s.id), ...structuredClone(s) });
      }
    },
    async unregisterContentScripts({ ids } = {}) {
      for (const id of ids ?? [...registered.keys()]) {
        if (!registered.has(id)) throw new Error(`Nonexistent script ID '${id}'`);
        registered.delete(id);
      }
    },
    async getRegisteredContentScripts() {
      return [...registered.values()].map((s) => structuredClone(s));
    },
    async executeScript(injection) {
      calls.executeScript.push(structuredClone(injection));
      return [{ frameId: 0, result: undefined }];
    },
  };
  const runtime = {
    id,
    getURL: (path = "") => `chrome-extension://${id}/${path}`,
    async openOptionsPage() {
      calls.openOptionsPage += 1;
    },
    onMessage: event(),
    onConnect: event(),
    onStartup: event(),
    onInstalled: event(),
    sendMessage: async () => undefined,
  };
  const tabs = {
    query: async () => [...contentScripts.keys(), 99].map((id) => ({ id, windowId: 1 })),
    async sendMessage(tabId, message) {
      calls.tabMessages.push({ tabId, message: structuredClone(message) });
      const script = contentScripts.get(tabId);
      if (!script) throw new Error("Could not establish connection. Receiving end does not exist.");
      return script(message);
    },
    onUpdated: event(),
    onRemoved: event(),
    onActivated: event(),
  };
  return {
    storage: { local: storageArea("local", onChanged), session: storageArea("session", onChanged), onChanged },
    permissions,
    scripting,
    runtime,
    tabs,
    windows: { WINDOW_ID_CURRENT: -2, getCurrent: async () => ({ id: 1 }) },
    commands: { getAll: async () => [{ name: "open-panel", shortcut: "Alt+Shift+S" }], onCommand: event() },
    sidePanel: { open: async (options) => { calls.sidePanel.push(options); } },
    i18n: { getMessage, getUILanguage: () => "en-US" },
    granted,
    registered,
    calls,
    contentScripts,
  };
}

/** A fake runtime.Port end as the background sees it (by default the side panel's). */
export function fakePort({ name = "spdesk-panel", url = "chrome-extension://ibechjjblnfhmdepfahabhaggbnemnij/src/sidepanel/sidepanel.html" } = {}) {
  const onMessage = event();
  const onDisconnect = event();
  const received = [];
  const waiters = [];
  return {
    name,
    sender: { id: "ibechjjblnfhmdepfahabhaggbnemnij", url, origin: new URL(url).origin },
    onMessage,
    onDisconnect,
    received,
    postMessage(message) {
      received.push(message);
      for (const w of [...waiters]) if (w.test(message)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(message);
      }
    },
    /** Resolves with the first message (already received or future) that passes `test`. */
    next(test, { from = 0, timeoutMs = 5000 } = {}) {
      const found = received.slice(from).find(test);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("port: no matching message in time")), timeoutMs);
        waiters.push({ test, resolve: (m) => { clearTimeout(timer); resolve(m); } });
      });
    },
    disconnect() {
      onDisconnect.emit(this);
    },
  };
}
