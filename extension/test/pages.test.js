/** The popup and options pages in happy-dom, with the real handler table behind runtime.sendMessage. */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, afterEach, before, describe, test } from "node:test";
import { Window } from "happy-dom";
import { createCompanion } from "../src/background/companion.js";
import { createHandlers, dispatch } from "../src/background/handlers.js";
import { completePending } from "../src/background/sites.js";
import { scriptId } from "../src/shared/sites.js";
import { loadOptions, saveOptions } from "../src/shared/options.js";
import { DEFAULT_TEMPLATES } from "../src/shared/templates.js";
import { start as startOptions } from "../src/options/options.js";
import { start as startPopup } from "../src/popup/popup.js";
import { fakeBrowser } from "./helpers/fake-browser.js";
import { closedPort, startCompanion } from "./helpers/http-server.js";

const ZD_TICKET = "https://acme.zendesk.com/agent/tickets/4711";
const EXT = "chrome-extension://ibechjjblnfhmdepfahabhaggbnemnij/";

function page(file, query = "") {
  const window = new Window({
    url: `${EXT}src/${file}${query}`,
    settings: { disableJavaScriptFileLoading: true, disableCSSFileLoading: true, disableJavaScriptEvaluation: true },
  });
  window.document.write(readFileSync(new URL(`../src/${file}`, import.meta.url), "utf8"));
  globalThis.document = window.document; // page.js builds elements on the page's document
  return { window, doc: window.document, $: (id) => window.document.getElementById(id) };
}

async function until(check, what, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("extension pages", () => {
  let companion;
  before(async () => {
    companion = await startCompanion({
      "GET /v1/health": { json: { service: "spdesk-companion", version: "0.1.0", apiVersion: 1 } },
      "GET /v1/status": (req) => req.headers.authorization === "Bearer spd_good"
        ? { json: { version: "0.1.0", mode: "sandbox", pairingId: "pair_5f2c9a", accounts: [{ name: "sandbox", region: "NA", marketplaces: ["US"], default: true }] } }
        : { status: 401, json: { error: { code: "unauthorized", message: "Pair first." } } },
      "POST /v1/pair": (req, res, record) => record.body.code === "K7QD-2MXP"
        ? { status: 201, json: { token: "spd_good", pairingId: "pair_5f2c9a", companion: { version: "0.1.0" } } }
        : { status: 403, json: { error: { code: "pairing_code_invalid", message: "This pairing code is wrong or expired." } } },
    });
  });
  after(() => companion.close());
  afterEach(() => {
    delete globalThis.document;
    delete globalThis.chrome;
  });

  /** A fake browser whose runtime.sendMessage runs the real handler table as an extension page. */
  async function browserWith({ token = "spd_good", tabUrl = ZD_TICKET, prompt } = {}) {
    const ext = fakeBrowser({ prompt });
    await saveOptions({ companionUrl: companion.url, token, pairingId: token ? "pair_5f2c9a" : "" }, ext.storage.local);
    const handlers = createHandlers({
      companion: createCompanion({ getConfig: () => loadOptions(ext.storage.local), timeoutMs: 2000 }),
      getOptions: () => loadOptions(ext.storage.local),
      saveOptions: (patch) => saveOptions(patch, ext.storage.local),
      openOptionsPage: () => ext.runtime.openOptionsPage(),
      completeSite: () => completePending(ext),
    });
    const sender = { id: ext.runtime.id, url: `${EXT}src/popup/popup.html` };
    ext.runtime.sendMessage = (message) => dispatch(handlers, message, sender, { extensionUrl: EXT });
    ext.tabs.query = async () => [{ id: 12, url: tabUrl }];
    ext.tabs.get = async (id) => ({ id, url: tabUrl });
    globalThis.chrome = ext; // as in the browser, where i18n and the rest are global
    return ext;
  }

  test("popup: companion status, and enabling asks for the site's permission inside the click", async () => {
    const ext = await browserWith();
    const { $ } = page("popup/popup.html");
    await startPopup({ doc: globalThis.document, ext });
    assert.equal($("companion-status").textContent, "Running (version 0.1.0)");
    assert.equal($("site-status").textContent, "spdesk is off for https://acme.zendesk.com.");
    assert.equal($("site-toggle").textContent, "Enable spdesk on this site");
    assert.equal(globalThis.document.activeElement, $("site-toggle"), "focus starts on the button");

    $("site-toggle").click();
    // permissions.request must already have been called: after an await the click no longer counts.
    assert.deepEqual(ext.calls.request, [["https://acme.zendesk.com/*"]]);
    await until(() => $("site-toggle").textContent === "Disable spdesk on this site", "enabled");
    assert.ok(ext.registered.has(scriptId("https://acme.zendesk.com")));
    assert.deepEqual(ext.calls.executeScript, [{ target: { tabId: 12 }, files: ["src/content/main.js"] }]);
    assert.equal($("site-status").textContent, "spdesk is on for https://acme.zendesk.com.");

    $("site-toggle").click();
    await until(() => $("site-toggle").textContent === "Enable spdesk on this site", "disabled");
    assert.equal(ext.registered.size, 0);
    assert.equal(ext.granted.size, 0);
  });

  test("popup: Open the order panel opens the side panel inside the click, then closes the popup", async () => {
    const ext = await browserWith();
    const { $ } = page("popup/popup.html");
    await startPopup({ doc: globalThis.document, ext });
    $("open-panel").click();
    assert.deepEqual(ext.calls.sidePanel, [{ windowId: -2 }], "called in the click, for the popup's window");
    assert.equal($("open-panel").textContent, "Open the order panel");
  });

  test("popup: a refused permission says so and enables nothing", async () => {
    const ext = await browserWith({ prompt: async () => false });
    const { $ } = page("popup/popup.html");
    await startPopup({ doc: globalThis.document, ext });
    $("site-toggle").click();
    await until(() => !$("site-error").hidden, "error");
    assert.equal($("site-error").textContent, "Access to this site was not granted, so spdesk stays off here.");
    assert.equal(ext.registered.size, 0);
  });

  test("popup: not paired, and a page spdesk cannot run on", async () => {
    const ext = await browserWith({ token: "", tabUrl: "chrome://extensions/" });
    const { $ } = page("popup/popup.html");
    await startPopup({ doc: globalThis.document, ext });
    assert.equal($("companion-status").textContent, "Running, but this browser is not paired yet.");
    assert.equal($("site-status").textContent, "spdesk can only run on web pages (http or https).");
    assert.equal($("site-toggle").hidden, true);
  });

  test("popup: ?tab= picks the tab when the popup is opened as a page", async () => {
    const ext = await browserWith({ tabUrl: "https://acme.gorgias.com/app/ticket/9" });
    ext.tabs.query = async () => [{ id: 99, url: `${EXT}src/popup/popup.html` }];
    const { $ } = page("popup/popup.html", "?tab=31");
    await startPopup({ doc: globalThis.document, ext });
    assert.equal($("site-status").textContent, "spdesk is off for https://acme.gorgias.com.");
  });

  test("popup: companion not running", async () => {
    const ext = await browserWith();
    await saveOptions({ companionUrl: `http://127.0.0.1:${await closedPort()}` }, ext.storage.local);
    const { $ } = page("popup/popup.html");
    await startPopup({ doc: globalThis.document, ext });
    assert.equal($("companion-status").textContent, "spdesk companion is not running on this computer. Start it with 'spdesk serve'.");
    assert.equal($("companion-status").dataset.kind, "error");
  });

  test("options: pairing with a wrong then the right code, then unpairing", async () => {
    const ext = await browserWith({ token: "" });
    const { $, doc } = page("options/options.html");
    await startOptions({ doc, ext });
    assert.equal(doc.title, "spdesk options");
    assert.equal($("pair-state").textContent, "Not paired.");
    assert.equal($("unpair").hidden, true);
    assert.match($("extension-origin").textContent, /chrome-extension:\/\/ibechjjblnfhmdepfahabhaggbnemnij$/);

    $("pair-code").value = "WRONG-0000";
    $("pair-form").querySelector("button[type=submit]").click();
    await until(() => !$("pair-message").hidden, "pairing error");
    // The companion's code worded by the extension (its English "This pairing code…" is the fallback).
    assert.equal($("pair-message").textContent, "That pairing code is wrong or has expired. Run 'spdesk pair' on this computer for a new one.");

    $("pair-code").value = "k7qd-2mxp";
    $("pair-form").querySelector("button[type=submit]").click();
    await until(() => $("pair-state").textContent === "Paired (pair_5f2c9a).", "paired");
    assert.equal((await loadOptions(ext.storage.local)).token, "spd_good");
    assert.equal($("pair-code").value, "");
    assert.equal($("status-mode").textContent, "Sandbox (simulated Amazon, no real money)");
    assert.match($("status-accounts").textContent, /sandbox — NA US \(default\)/);
    assert.equal(doc.body.innerHTML.includes("spd_good"), false, "the token is never shown");

    $("unpair").click();
    await until(() => $("pair-state").textContent === "Not paired.", "unpaired");
    assert.equal($("pair-message").textContent, "This browser forgot its pairing. To revoke it on the companion too, run 'spdesk pair --revoke pair_5f2c9a'.");
    assert.equal((await loadOptions(ext.storage.local)).token, "");
  });

  test("options: the companion address must be on this computer", async () => {
    const ext = await browserWith();
    const { $, doc } = page("options/options.html");
    await startOptions({ doc, ext });
    assert.equal($("companion-url").value, companion.url);
    $("companion-url").value = "https://spdesk.example.com";
    $("companion-form").querySelector("button[type=submit]").click();
    await until(() => !$("companion-url-error").hidden, "error");
    assert.equal($("companion-url").getAttribute("aria-invalid"), "true");
    assert.equal((await loadOptions(ext.storage.local)).companionUrl, companion.url);
    $("companion-url").value = `${companion.url.replace("127.0.0.1", "localhost")}/`;
    $("companion-form").querySelector("button[type=submit]").click();
    await until(async () => (await loadOptions(ext.storage.local)).companionUrl.includes("localhost"), "saved");
    await until(() => $("companion-url-error").hidden, "error cleared");
  });

  test("options: agent name, reply language and a template override with reset", async () => {
    const ext = await browserWith();
    const { $, doc } = page("options/options.html");
    await startOptions({ doc, ext });
    assert.deepEqual([...$("reply-language").options].map((o) => o.value), ["auto", "en", "de", "fr", "es", "it", "ja"]);
    $("agent-name").value = "Anna";
    $("reply-language").value = "de";
    $("agent-form").querySelector("button[type=submit]").click();
    await until(() => !$("agent-message").hidden, "saved");
    const saved = await loadOptions(ext.storage.local);
    assert.deepEqual([saved.agentName, saved.replyLanguage], ["Anna", "de"]);

    const picker = $("template-language");
    picker.value = "de";
    picker.dispatchEvent(new doc.defaultView.Event("change"));
    await until(() => $("template-refund")?.value === DEFAULT_TEMPLATES.de.refund, "German defaults");
    assert.equal(doc.querySelector("label[for=template-refund]").textContent, "Refund reply");
    $("template-refund").value = "Erstattet: {amount} für {orderId}. {bogus}";
    $("template-refund").dispatchEvent(new doc.defaultView.Event("input"));
    assert.match(doc.querySelector("[role=alert][data-kind=warn]:not([hidden])").textContent, /\{bogus\}/);
    $("templates-form").querySelector("button[type=submit]").click();
    await until(async () => (await loadOptions(ext.storage.local)).templates.de, "override stored");
    assert.deepEqual((await loadOptions(ext.storage.local)).templates, { de: { refund: "Erstattet: {amount} für {orderId}. {bogus}" } });

    await until(() => $("template-refund")?.value.startsWith("Erstattet"), "re-rendered");
    const resetButton = [...doc.querySelectorAll("#template-fields button")].find((b) => b.getAttribute("aria-describedby") === "template-refund-label");
    resetButton.click();
    assert.equal($("template-refund").value, DEFAULT_TEMPLATES.de.refund);
    $("templates-form").querySelector("button[type=submit]").click();
    await until(async () => !(await loadOptions(ext.storage.local)).templates.de, "override removed");
  });

  test("options: enabled sites are listed and can be removed", async () => {
    const ext = await browserWith();
    ext.granted.add("https://acme.zendesk.com/*");
    await ext.scripting.registerContentScripts([{ id: scriptId("https://acme.zendesk.com"), matches: ["https://acme.zendesk.com/*"], js: ["src/content/main.js"] }]);
    await saveOptions({ enabledSites: ["https://acme.zendesk.com"] }, ext.storage.local);
    const { $, doc } = page("options/options.html");
    await startOptions({ doc, ext });
    assert.equal($("sites-empty").hidden, true);
    const button = $("sites").querySelector("button");
    assert.equal(button.getAttribute("aria-label"), "Remove https://acme.zendesk.com");
    button.click();
    await until(() => !$("sites-empty").hidden, "empty list");
    assert.equal(ext.registered.size, 0);
    assert.equal(ext.granted.size, 0);
  });

  test("every control on both pages has a label, and every data-i18n key exists", async () => {
    const en = JSON.parse(readFileSync(new URL("../_locales/en/messages.json", import.meta.url), "utf8"));
    for (const file of ["popup/popup.html", "options/options.html"]) {
      const { doc } = page(file);
      for (const el of doc.querySelectorAll("[data-i18n]")) assert.ok(en[el.dataset.i18n], `${file}: ${el.dataset.i18n}`);
      for (const control of doc.querySelectorAll("input, select, textarea")) {
        assert.ok(doc.querySelector(`label[for="${control.id}"]`) || control.getAttribute("aria-label"), `${file}: #${control.id} has no label`);
      }
    }
  });
});
