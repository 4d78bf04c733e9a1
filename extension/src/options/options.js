/** Options page: companion address and status, pairing, agent name, reply language, templates, sites. */

import { LANGUAGES } from "../shared/domain.js";
import { extensionApi } from "../shared/ext.js";
import { Actions, ErrorCodes, send } from "../shared/messages.js";
import { loadOptions, normalizeCompanionUrl, saveOptions } from "../shared/options.js";
import { disableSite } from "../shared/sites.js";
import { errorText, h, localize, say, t } from "./page.js";
import { languageName, setupTemplateEditor } from "./templates-editor.js";

/** Renders the companion's status reply into the page. */
function renderStatus(doc, reply) {
  const $ = (id) => doc.getElementById(id);
  const details = $("companion-details");
  if (!reply.ok) {
    details.hidden = true;
    say($("companion-status"), errorText(reply.error), "error");
    return renderPairing(doc, null);
  }
  const status = reply.data;
  say($("companion-status"), status.paired ? t("statusOnline", [status.version ?? "?"]) : t("statusNotPaired"), status.paired ? "ok" : "warn");
  $("status-version").textContent = status.version ?? "?";
  $("status-mode").textContent = status.mode ? t(status.mode === "sandbox" ? "modeSandbox" : "modeAmazon") : "—";
  $("status-accounts").replaceChildren(...accountItems(status));
  details.hidden = false;
  renderPairing(doc, status);
}

/** The seller accounts of the companion's status, one list item each. */
function accountItems(status) {
  const accounts = status.accounts ?? [];
  if (status.paired && !accounts.length) return [h("li", {}, t("optNoAccounts"))];
  return accounts.map((a) => h("li", {}, `${a.name} — ${a.region ?? ""} ${(a.marketplaces ?? []).join(", ")} ${a.default ? t("accountDefault") : ""}`.trim()));
}

function renderPairing(doc, status) {
  const paired = Boolean(status?.paired);
  say(doc.getElementById("pair-state"), paired ? t("optPaired", [status.pairingId ?? "?"]) : t("optNotPaired"), paired ? "ok" : "warn");
  doc.getElementById("unpair").hidden = !paired;
}

function renderSites(doc, sites, ext) {
  const list = doc.getElementById("sites");
  doc.getElementById("sites-empty").hidden = sites.length > 0;
  list.replaceChildren(...sites.map((origin) => {
    const remove = h("button", { type: "button", className: "secondary", "aria-label": t("optSiteRemove", [origin]) }, t("optRemove"));
    remove.addEventListener("click", () => {
      remove.disabled = true;
      disableSite(origin, { ext }).catch((err) => say(doc.getElementById("sites-message"), `${t("errUnexpected")} (${err?.message ?? err})`, "error"));
    });
    return h("li", {}, h("span", {}, origin), remove);
  }));
}

// The configured address has no companion (or something else answers there).
const NOT_THERE = new Set([ErrorCodes.COMPANION_OFFLINE, ErrorCodes.COMPANION_BAD_RESPONSE, ErrorCodes.COMPANION_TIMEOUT]);

/**
 * After a refusal another companion on this computer may explain (none at the address, or no
 * pairing code waiting there), lists the companions that can help, each with a button that
 * switches to it; `use(url)` does the switching. The agent decides: nothing switches by itself.
 */
async function offerCompanions(box, ext, { waitingOnly, use }) {
  const reply = await send(Actions.FIND_COMPANIONS, {}, ext.runtime);
  const found = (reply.ok ? reply.data.companions : []).filter((c) => !waitingOnly || c.pairingCodeWaiting);
  box.replaceChildren(...found.map((c) => {
    const address = c.url.replace(/^https?:\/\//, "");
    const button = h("button", { type: "button", className: "secondary" }, t(waitingOnly ? "optUseAndPair" : "optUseCompanion", [address]));
    button.addEventListener("click", () => {
      box.hidden = true;
      use(c.url);
    });
    return h("p", {}, h("span", {}, t(c.pairingCodeWaiting ? "optFoundWaiting" : "optFoundRunning", [address])), " ", button);
  }));
  box.hidden = found.length === 0;
}

/** Makes `url` the companion address (as if typed and saved). */
async function useCompanion($, area, url) {
  $("companion-url").value = url;
  say($("companion-url-error"), "");
  await saveOptions({ companionUrl: url }, area);
}

/** The companion address form and the "Check connection" button. */
function wireCompanion($, area, options, refresh) {
  const recheck = () => {
    say($("companion-status"), t("statusChecking"), "pending");
    return refresh();
  };
  $("companion-url").value = options.companionUrl;
  $("companion-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("companion-url");
    const url = normalizeCompanionUrl(input.value);
    input.setAttribute("aria-invalid", String(url === null));
    if (url === null) return say($("companion-url-error"), t("optInvalidUrl"), "error");
    say($("companion-url-error"), "");
    input.value = url;
    await saveOptions({ companionUrl: url }, area);
    await recheck();
  });
  $("check").addEventListener("click", recheck);
}

/** The pairing form and the Unpair button. */
function wirePairing($, ext, area, refresh) {
  $("extension-origin").textContent = t("optExtensionOrigin", [ext.runtime.getURL("").replace(/\/$/, "")]);
  $("pair-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("pair-code");
    const button = event.submitter ?? $("pair-form").querySelector("button[type=submit]");
    button.disabled = true;
    const reply = await send(Actions.PAIR, { code: input.value.trim() }, ext.runtime);
    button.disabled = false;
    $("pair-found").hidden = true;
    if (!reply.ok) {
      say($("pair-message"), errorText(reply.error), "error");
      // The code may come from another companion (the demo moves to a free port): offer it.
      if (reply.error.params?.case !== "none_waiting") return;
      return offerCompanions($("pair-found"), ext, {
        waitingOnly: true,
        use: async (url) => {
          await useCompanion($, area, url);
          await refresh();
          $("pair-form").requestSubmit();
        },
      });
    }
    input.value = "";
    say($("pair-message"), "");
    await refresh();
  });
  $("unpair").addEventListener("click", async () => {
    const reply = await send(Actions.UNPAIR, {}, ext.runtime);
    if (reply.ok) say($("pair-message"), t("optUnpaired", [reply.data.pairingId ?? "ID"]), "info");
    await refresh();
  });
}

/** The agent's name and reply language. */
function wireAgent($, area, options) {
  const language = $("reply-language");
  language.replaceChildren(
    h("option", { value: "auto" }, t("langAuto")),
    ...LANGUAGES.map((lang) => h("option", { value: lang, lang }, languageName(lang))),
  );
  $("agent-name").value = options.agentName;
  language.value = options.replyLanguage;
  $("agent-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    await saveOptions({ agentName: $("agent-name").value, replyLanguage: language.value }, area);
    say($("agent-message"), t("optSaved"), "ok");
  });
}

/** Wires the page; resolves once every section has been rendered the first time. */
export async function start({ doc = document, ext = extensionApi() } = {}) {
  localize(doc, ext);
  const $ = (id) => doc.getElementById(id);
  const area = ext.storage.local;
  const refresh = async () => {
    const reply = await send(Actions.STATUS, {}, ext.runtime);
    renderStatus(doc, reply);
    $("companion-found").hidden = true;
    if (reply.ok || !NOT_THERE.has(reply.error?.code)) return;
    const use = (url) => useCompanion($, area, url).then(refresh);
    await offerCompanions($("companion-found"), ext, { waitingOnly: false, use });
  };
  const options = await loadOptions(area);

  wireCompanion($, area, options, refresh);
  wirePairing($, ext, area, refresh);
  wireAgent($, area, options);
  renderSites(doc, options.enabledSites, ext);
  ext.storage.onChanged.addListener((changes, areaName) => {
    if (areaName === "local" && changes.enabledSites) loadOptions(area).then((o) => renderSites(doc, o.enabledSites, ext));
  });

  await Promise.all([
    refresh(),
    setupTemplateEditor(doc, {
      getTemplates: async () => (await loadOptions(area)).templates,
      save: (templates) => saveOptions({ templates }, area),
      language: options.replyLanguage,
    }),
  ]);
}

if (globalThis.location?.protocol?.endsWith("-extension:")) start();
