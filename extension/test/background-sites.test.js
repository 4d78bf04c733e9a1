/** Enabling spdesk per site: permission, persistent registration, injection, reconciliation. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { CONTENT_SCRIPTS, completePending, enableSite, reconcile } from "../src/background/sites.js";
import { disableSite, originPattern, requestSite, scriptId } from "../src/shared/sites.js";
import { fakeBrowser } from "./helpers/fake-browser.js";

const ZD = "https://acme.zendesk.com";

test("the host pattern has no port, so it also matches the site on any port", () => {
  assert.equal(originPattern("https://acme.zendesk.com"), "https://acme.zendesk.com/*");
  assert.equal(originPattern("http://helpdesk.test:8080"), "http://helpdesk.test/*");
});

test("enable registers a persistent content script, stores the site and injects into the tab", async () => {
  const ext = fakeBrowser();
  ext.granted.add("https://acme.zendesk.com/*");
  assert.equal(await enableSite(`${ZD}/agent/tickets/1`, { tabId: 5, ext }), ZD);
  assert.deepEqual(ext.registered.get(scriptId(ZD)), {
    id: scriptId(ZD), matches: ["https://acme.zendesk.com/*"], js: [...CONTENT_SCRIPTS],
    runAt: "document_idle", allFrames: false, persistAcrossSessions: true,
  });
  assert.deepEqual(ext.storage.local.dump().enabledSites, [ZD]);
  assert.deepEqual(ext.calls.executeScript, [{ target: { tabId: 5 }, files: [...CONTENT_SCRIPTS] }]);
  // Enabling again updates instead of failing on the duplicate id.
  await enableSite(ZD, { ext });
  assert.equal(ext.registered.size, 1);
  assert.deepEqual(ext.storage.local.dump().enabledSites, [ZD]);
});

test("enable without the permission or on a non-web page is refused", async () => {
  const ext = fakeBrowser();
  await assert.rejects(enableSite(ZD, { ext }), /permission_missing/);
  await assert.rejects(enableSite("chrome://settings", { ext }), RangeError);
  assert.equal(ext.registered.size, 0);
});

test("disable unregisters, forgets the site and gives the permission back", async () => {
  const ext = fakeBrowser();
  ext.granted.add("https://acme.zendesk.com/*");
  await enableSite(ZD, { ext });
  await disableSite(ZD, { ext });
  assert.equal(ext.registered.size, 0);
  assert.deepEqual(ext.storage.local.dump().enabledSites, []);
  assert.equal(ext.granted.has("https://acme.zendesk.com/*"), false);
});

test("disable keeps the host permission another port of the same host still uses", async () => {
  const ext = fakeBrowser();
  ext.granted.add("http://helpdesk.test/*");
  await enableSite("http://helpdesk.test:8080", { ext });
  await enableSite("http://helpdesk.test:9090", { ext });
  await disableSite("http://helpdesk.test:8080", { ext });
  assert.equal(ext.granted.has("http://helpdesk.test/*"), true);
  assert.deepEqual([...ext.registered.keys()], [scriptId("http://helpdesk.test:9090")]);
});

test("reconcile re-registers lost scripts, drops revoked sites and orphaned registrations", async () => {
  const ext = fakeBrowser();
  ext.granted.add("https://acme.zendesk.com/*");
  await ext.storage.local.set({ enabledSites: [ZD, "https://gone.example"], optionsVersion: 2 });
  await ext.scripting.registerContentScripts([{ id: scriptId("https://old.example"), matches: ["https://old.example/*"], js: ["x.js"] }]);
  await ext.scripting.registerContentScripts([{ id: "someone-else", matches: ["https://x.example/*"], js: ["y.js"] }]);
  const result = await reconcile(ext);
  assert.deepEqual(result, { enabled: [ZD], removed: ["https://gone.example"], unregistered: [scriptId("https://old.example")] });
  assert.deepEqual([...ext.registered.keys()].sort(), ["someone-else", scriptId(ZD)]);
  assert.deepEqual(ext.storage.local.dump().enabledSites, [ZD]);
  // Running it again changes nothing.
  assert.deepEqual(await reconcile(ext), { enabled: [ZD], removed: [], unregistered: [] });
});

test("requestSite asks for exactly that host and enables it when granted", async () => {
  const ext = fakeBrowser();
  // The background completes the request both from permissions.onAdded (the only path left when
  // Firefox closes the popup) and from the popup's message; it must enable exactly once.
  const completions = [];
  ext.permissions.onAdded.addListener(() => completions.push(completePending(ext)));
  ext.runtime.sendMessage = async (message) => {
    assert.deepEqual(message, { action: "siteGranted", args: {} });
    const done = completePending(ext);
    completions.push(done);
    await done;
    return { ok: true, data: null };
  };
  assert.equal(await requestSite(ZD, 9, ext), true);
  await Promise.all(completions);
  assert.equal(completions.length, 2);
  assert.deepEqual(ext.calls.request, [["https://acme.zendesk.com/*"]]);
  assert.ok(ext.registered.has(scriptId(ZD)));
  assert.equal(ext.calls.executeScript.length, 1, "the tab is injected once even though two parts could complete");
  assert.deepEqual(ext.storage.session.dump(), {});
});

test("requestSite on a refusal changes nothing and forgets the pending request", async () => {
  const ext = fakeBrowser({ prompt: async () => false });
  assert.equal(await requestSite(ZD, 9, ext), false);
  assert.equal(ext.registered.size, 0);
  assert.deepEqual(ext.storage.session.dump(), {});
  assert.equal(await completePending(ext), null);
});

test("a tab that closed before injection does not undo the enable", async () => {
  const ext = fakeBrowser();
  ext.granted.add("https://acme.zendesk.com/*");
  ext.scripting.executeScript = async () => {
    throw new Error("No tab with id: 5");
  };
  const warn = console.warn;
  console.warn = () => {};
  try {
    assert.equal(await enableSite(ZD, { tabId: 5, ext }), ZD);
  } finally {
    console.warn = warn;
  }
  assert.ok(ext.registered.has(scriptId(ZD)));
  assert.deepEqual(ext.storage.local.dump().enabledSites, [ZD]);
});
