/**
 * Where spdesk runs, the parts the popup and the options page use too: a site's host permission,
 * its content-script registration id, asking for a site and turning one off.
 */

import { Actions } from "./messages.js";
import { loadOptions, saveOptions, webOrigin } from "./options.js";
import { extensionApi } from "./ext.js";

const ID_PREFIX = "spdesk:";
/** Where a site the popup asked for waits for the background (Firefox closes the popup meanwhile). */
export const PENDING = "pendingSite";

/** The host match pattern for an origin; without a port it matches every port of that host. */
export function originPattern(origin) {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

/** The registration id of an origin's content script. */
export function scriptId(origin) {
  return `${ID_PREFIX}${origin}`;
}

/** Ids of spdesk's registered content scripts. */
export async function registeredIds(ext) {
  const scripts = await ext.scripting.getRegisteredContentScripts();
  return new Set(scripts.map((s) => s.id).filter((id) => id.startsWith(ID_PREFIX)));
}

/** Whether the browser holds the host permission an origin needs. */
export async function hasPermission(origin, ext = extensionApi()) {
  return ext.permissions.contains({ origins: [originPattern(origin)] });
}

/** Turns spdesk off for an origin: unregisters it, forgets it and gives the permission back. */
export async function disableSite(origin, { ext = extensionApi() } = {}) {
  const clean = webOrigin(origin) ?? origin;
  const ids = await registeredIds(ext);
  if (ids.has(scriptId(clean))) await ext.scripting.unregisterContentScripts({ ids: [scriptId(clean)] });
  const { enabledSites } = await loadOptions(ext.storage.local);
  const remaining = enabledSites.filter((site) => site !== clean);
  await saveOptions({ enabledSites: remaining }, ext.storage.local);
  // Another enabled origin on the same host (other port) still needs the host permission.
  const pattern = originPattern(clean);
  if (!remaining.some((site) => originPattern(site) === pattern)) {
    await ext.permissions.remove({ origins: [pattern] }).catch(() => false);
  }
  return clean;
}

/**
 * Asks for an origin's permission from the popup's click; once granted the background enables it.
 * Firefox closes the popup when its permission prompt opens, so the request is written to
 * storage.session first and the background completes it from permissions.onAdded as well.
 */
export function requestSite(origin, tabId, ext = extensionApi()) {
  // Neither call is awaited before permissions.request: it must run inside the user's click.
  const remembered = ext.storage.session.set({ [PENDING]: { origin, tabId, at: Date.now() } });
  const granted = ext.permissions.request({ origins: [originPattern(origin)] });
  return Promise.all([remembered, granted]).then(async ([, ok]) => {
    if (!ok) {
      await ext.storage.session.remove(PENDING);
      return false;
    }
    // An already granted permission fires no onAdded: ask the background to finish.
    const reply = await ext.runtime.sendMessage({ action: Actions.SITE_GRANTED, args: {} });
    if (reply && !reply.ok) throw new Error(reply.error?.message ?? "enable failed");
    return true;
  });
}
