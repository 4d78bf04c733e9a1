/** Where spdesk runs: per-site host permission plus a persistent content-script registration. */

import { extensionApi } from "../shared/ext.js";
import { loadOptions, saveOptions, webOrigin } from "../shared/options.js";
import { PENDING, hasPermission, originPattern, registeredIds, scriptId } from "../shared/sites.js";

/** The content entry (a classic script that imports the module graph; see docs/extension.md). */
export const CONTENT_SCRIPTS = Object.freeze(["src/content/main.js"]);

function registration(origin) {
  return {
    id: scriptId(origin),
    matches: [originPattern(origin)],
    js: [...CONTENT_SCRIPTS],
    runAt: "document_idle",
    allFrames: false,
    persistAcrossSessions: true,
  };
}

/** Registers (or refreshes) the content script for an origin whose permission is already granted. */
export async function register(origin, ext = extensionApi()) {
  const script = registration(origin);
  if ((await registeredIds(ext)).has(script.id)) return ext.scripting.updateContentScripts([script]);
  try {
    await ext.scripting.registerContentScripts([script]);
  } catch (err) {
    // The popup and the background may both complete the same enable: the loser updates.
    if (!(await registeredIds(ext)).has(script.id)) throw err;
  }
}

/**
 * Turns spdesk on for an origin: registration, stored site list and, when given, the tab now.
 * The caller must have obtained the permission (permissions.request needs the user's click).
 */
export async function enableSite(origin, { tabId, ext = extensionApi() } = {}) {
  const clean = webOrigin(origin);
  if (!clean) throw new RangeError("spdesk can only run on http and https pages");
  if (!(await hasPermission(clean, ext))) throw new Error("permission_missing");
  await register(clean, ext);
  const { enabledSites } = await loadOptions(ext.storage.local);
  await saveOptions({ enabledSites: [...enabledSites, clean] }, ext.storage.local);
  if (tabId !== undefined) {
    // Registration applies to the next page load; inject now so the open ticket works at once.
    // A tab closed or navigated away meanwhile is no failure: the registration covers it.
    await ext.scripting
      .executeScript({ target: { tabId }, files: [...CONTENT_SCRIPTS] })
      .catch((err) => console.warn("spdesk: could not inject into the open tab", err?.message ?? err));
  }
  return clean;
}

/**
 * Makes registrations match the stored site list (run at startup): registrations normally persist,
 * but a browser update, a revoked permission or a cleared profile can drop or orphan them.
 */
export async function reconcile(ext = extensionApi()) {
  const { enabledSites } = await loadOptions(ext.storage.local);
  const ids = await registeredIds(ext);
  const kept = [];
  for (const origin of enabledSites) {
    if (!(await hasPermission(origin, ext))) continue; // the user revoked it in the browser's UI
    kept.push(origin);
    if (!ids.has(scriptId(origin))) await ext.scripting.registerContentScripts([registration(origin)]);
  }
  const wanted = new Set(kept.map(scriptId));
  const stale = [...ids].filter((id) => !wanted.has(id));
  if (stale.length) await ext.scripting.unregisterContentScripts({ ids: stale });
  if (kept.length !== enabledSites.length) await saveOptions({ enabledSites: kept }, ext.storage.local);
  return { enabled: kept, removed: enabledSites.filter((s) => !kept.includes(s)), unregistered: stale };
}

let queue = Promise.resolve();

/**
 * Enables the site a popup asked for, if its permission is now granted. Calls are serialised
 * (onAdded and the popup's message both arrive), so the pending request is claimed once.
 */
export function completePending(ext = extensionApi()) {
  const run = queue.then(() => claimPending(ext));
  queue = run.catch(() => {});
  return run;
}

async function claimPending(ext) {
  const { [PENDING]: pending } = await ext.storage.session.get(PENDING);
  // A request older than a few minutes was abandoned; do not act on it later by surprise.
  if (!pending || Date.now() - pending.at > 5 * 60_000) return null;
  if (!(await hasPermission(pending.origin, ext))) return null;
  await ext.storage.session.remove(PENDING);
  return enableSite(pending.origin, { tabId: pending.tabId, ext });
}
