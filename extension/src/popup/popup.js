/** Toolbar popup: companion status, enable/disable spdesk for the active tab's site, link to options. */

import { extensionApi } from "../shared/ext.js";
import { Actions, send } from "../shared/messages.js";
import { loadOptions, webOrigin } from "../shared/options.js";
import { disableSite, hasPermission, requestSite } from "../shared/sites.js";
import { errorText, localize, say, t } from "../options/page.js";

/** Shows the companion's state from the background's `status` reply. */
export function renderCompanion(el, reply) {
  if (!reply.ok) return say(el, errorText(reply.error), "error");
  const { version, paired } = reply.data;
  if (!paired) return say(el, t("statusNotPaired"), "warn");
  return say(el, t("statusOnline", [version ?? "?"]), "ok");
}

/** Whether spdesk is on for an origin: stored as enabled and the permission still granted. */
export async function siteEnabled(origin, ext) {
  const { enabledSites } = await loadOptions(ext.storage.local);
  return enabledSites.includes(origin) && (await hasPermission(origin, ext));
}

/**
 * The tab the popup acts on: the active one, or `?tab=ID` when the popup is opened as a page of
 * its own (keyboard users pinning it in a tab, browser tests).
 */
export async function targetTab(ext, doc = document) {
  const id = Number(new URL(doc.location?.href ?? "about:blank").searchParams.get("tab"));
  if (Number.isInteger(id) && id > 0) return ext.tabs.get(id).catch(() => undefined);
  const [tab] = await ext.tabs.query({ active: true, currentWindow: true });
  return tab;
}

/**
 * Opens the side panel from the popup's button. Called first thing in the click (both browsers
 * allow it from a click in an extension page, nothing awaited before it).
 */
export function openPanel(ext) {
  if (ext.sidePanel?.open) return ext.sidePanel.open({ windowId: ext.windows.WINDOW_ID_CURRENT });
  return ext.sidebarAction.open();
}

/** Wires the popup into `doc`; returns a promise that settles once the first render is done. */
export async function start({ doc = document, ext = extensionApi() } = {}) {
  localize(doc, ext);
  const $ = (id) => doc.getElementById(id);
  const toggle = $("site-toggle");
  const siteStatus = $("site-status");
  const siteError = $("site-error");

  $("open-options").addEventListener("click", (event) => {
    event.preventDefault();
    ext.runtime.openOptionsPage();
    globalThis.close?.();
  });
  $("open-panel").addEventListener("click", () => openPanel(ext).then(() => globalThis.close?.(), () => {}));

  const tab = await targetTab(ext, doc);
  const origin = webOrigin(tab?.url);
  let enabled = false;

  async function renderSite() {
    if (!origin) {
      toggle.hidden = true;
      return say(siteStatus, t("siteUnsupported"), "pending");
    }
    enabled = await siteEnabled(origin, ext);
    say(siteStatus, t(enabled ? "siteIsEnabled" : "siteIsDisabled", [origin]), enabled ? "ok" : "pending");
    toggle.textContent = t(enabled ? "siteDisable" : "siteEnable");
    toggle.className = enabled ? "secondary" : "";
    toggle.hidden = false;
    toggle.disabled = false;
  }

  toggle.addEventListener("click", () => {
    say(siteError, "");
    toggle.disabled = true;
    // requestSite calls permissions.request synchronously, inside this click.
    const done = enabled ? disableSite(origin, { ext }) : requestSite(origin, tab.id, ext);
    done
      .then((result) => {
        if (result === false) say(siteError, t("sitePermissionDenied"), "error");
      })
      .catch((err) => say(siteError, `${t("errUnexpected")} (${err?.message ?? err})`, "error"))
      .finally(renderSite);
  });

  // The background may finish enabling (Firefox) after the click; follow the stored list.
  ext.storage.onChanged.addListener((changes, area) => {
    if (area === "local" && changes.enabledSites) renderSite();
  });

  await Promise.all([
    renderSite(),
    send(Actions.STATUS, {}, ext.runtime).then((reply) => renderCompanion($("companion-status"), reply)),
  ]);
  // Keyboard users land on the one thing the popup is for.
  if (!toggle.hidden && (doc.activeElement === doc.body || !doc.activeElement)) toggle.focus();
}

if (globalThis.location?.protocol?.endsWith("-extension:")) start();
