/** Background service worker (Chrome) / background script (Firefox): wires listeners to the handlers. */

import { extensionApi } from "../shared/ext.js";
import { PORT_NAME } from "../shared/messages.js";
import { loadOptions, onOptionsChanged, saveOptions } from "../shared/options.js";
import { disableSite } from "../shared/sites.js";
import { createCompanion } from "./companion.js";
import { EventHub } from "./events.js";
import { createHandlers, dispatch } from "./handlers.js";
import { completePending, enableSite, reconcile } from "./sites.js";
import { createTabs, forgetTab } from "./tabs.js";

const ext = extensionApi();

// Nothing that matters lives only in memory: the worker may be stopped at any time, so the
// companion URL and token are read from storage for every request, and a tab's ticket is asked
// of its content script.
const companion = createCompanion({ getConfig: () => loadOptions() });
// An MV3 worker idles out after 30 s without extension events or API calls, which would cut the
// event stream; a cheap API call on each of the companion's keep-alives keeps it up while a
// side panel is open (the stream itself only runs while a panel is connected).
const hub = new EventHub({ companion, keepAlive: () => ext.runtime.getPlatformInfo?.().catch(() => {}) });
const tabs = createTabs(ext);
const handlers = createHandlers({
  companion,
  tabs,
  ext,
  getOptions: () => loadOptions(),
  saveOptions: (patch) => saveOptions(patch),
  openOptionsPage: () => ext.runtime.openOptionsPage(),
  completeSite: () => completePending(),
  broadcast: (message) => hub.broadcast(message),
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
  if (port.name !== PORT_NAME || port.sender?.id !== ext.runtime.id || port.sender?.tab?.url?.startsWith("http")) return;
  hub.addPort(port);
});

// A tab that starts loading another page, or closes, shows no ticket until its new page reports.
ext.tabs.onUpdated.addListener((tabId, change) => {
  if (change.status === "loading") forgetTab(hub, tabId);
});
ext.tabs.onRemoved.addListener((tabId) => forgetTab(hub, tabId));

// Chrome: the panel's own shortcut (a keyboard command is a user gesture). Firefox opens its
// sidebar from the built-in _execute_sidebar_action command without any code.
ext.commands?.onCommand.addListener((command, tab) => {
  if (command === "open-panel" && ext.sidePanel && tab) ext.sidePanel.open({ windowId: tab.windowId }).catch(() => {});
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
    if (!now.has(origin)) tabs.stopOrigin(origin).catch(() => {});
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
ext.runtime.onInstalled.addListener(async ({ reason }) => {
  startup();
  // A first install is not paired yet: the options page is where that starts.
  if (reason === "install" && !(await loadOptions()).token) ext.runtime.openOptionsPage().catch(() => {});
});

// For the worker's DevTools console and browser tests (service workers cannot import() modules).
globalThis.spdesk = Object.freeze({ enableSite, disableSite, reconcile, loadOptions, hub, tabs });
