/** Background service worker (Chrome) / background script (Firefox): wires listeners to the handlers. */

import { PORT_NAME, PortMessages } from "../shared/messages.js";
import { loadOptions, onOptionsChanged, saveOptions } from "../shared/options.js";
import { createCompanion } from "./companion.js";
import { EventHub } from "./events.js";
import { createHandlers, dispatch } from "./handlers.js";
import { completePending, disableSite, enableSite, reconcile } from "./sites.js";

const ext = globalThis.browser ?? globalThis.chrome;

// Nothing that matters lives only in memory: the worker may be stopped at any time, so the
// companion URL and token are read from storage for every request.
const companion = createCompanion({ getConfig: () => loadOptions() });
// An MV3 worker idles out after 30 s without extension events or API calls, which would cut the
// event stream; a cheap API call on each of the companion's keep-alives keeps it up while a
// ticket is open (the stream itself only runs while a content port is connected).
const hub = new EventHub({ companion, keepAlive: () => ext.runtime.getPlatformInfo?.().catch(() => {}) });
const handlers = createHandlers({
  companion,
  getOptions: () => loadOptions(),
  saveOptions: (patch) => saveOptions(patch),
  openOptionsPage: () => ext.runtime.openOptionsPage(),
  completeSite: () => completePending(),
});
const extensionUrl = ext.runtime.getURL("");

// Listeners are registered synchronously at the top level so a restarted worker receives the
// event that woke it.
ext.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== ext.runtime.id) return false;
  dispatch(handlers, message, sender, { extensionUrl }).then(sendResponse);
  return true; // reply asynchronously
});

ext.runtime.onConnect.addListener((port) => {
  if (port.name !== PORT_NAME || port.sender?.id !== ext.runtime.id) return;
  hub.addPort(port);
});

onOptionsChanged((keys) => {
  if (keys.includes("companionUrl") || keys.includes("token")) hub.restart();
});

// Tell open tickets on a site that was just disabled, so their content script can tear down.
ext.storage.onChanged.addListener((changes, area) => {
  const change = changes.enabledSites;
  if (area !== "local" || !change) return;
  const now = new Set(change.newValue ?? []);
  for (const origin of change.oldValue ?? []) {
    if (!now.has(origin)) hub.broadcastToOrigin(origin, { type: PortMessages.SITE, origin, enabled: false });
  }
});

ext.permissions.onAdded?.addListener(() => {
  completePending().catch((err) => console.error("spdesk: enabling the site failed", err));
});

ext.permissions.onRemoved?.addListener(() => {
  // The user withdrew a site's access in the browser's own UI: drop its registration too.
  reconcile().catch((err) => console.error("spdesk: reconcile failed", err));
});

function startup() {
  reconcile().catch((err) => console.error("spdesk: reconcile failed", err));
}
ext.runtime.onStartup.addListener(startup);
ext.runtime.onInstalled.addListener(startup);

// For the worker's DevTools console and browser tests (service workers cannot import() modules).
globalThis.spdesk = Object.freeze({ enableSite, disableSite, reconcile, loadOptions, hub });
