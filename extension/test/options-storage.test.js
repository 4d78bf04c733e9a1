/** Typed options: defaults, validation and migrations of what storage.local holds. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULTS, OPTIONS_VERSION, companionCandidates, loadOptions, migrate, normalizeCompanionUrl, onOptionsChanged, saveOptions, webOrigin } from "../src/shared/options.js";
import { fakeBrowser } from "./helpers/fake-browser.js";

test("an empty storage gives the defaults and is not written", async () => {
  const { storage } = fakeBrowser();
  assert.deepEqual(await loadOptions(storage.local), { ...DEFAULTS, templates: {}, enabledSites: [] });
  assert.deepEqual(storage.local.dump(), {});
});

test("companion URL: only loopback http, normalised to an origin", () => {
  assert.equal(normalizeCompanionUrl(" http://127.0.0.1:8765/ "), "http://127.0.0.1:8765");
  assert.equal(normalizeCompanionUrl("http://localhost:9000"), "http://localhost:9000");
  for (const bad of ["https://127.0.0.1:8765", "http://example.com:8765", "http://127.0.0.2:1", "http://user:pw@127.0.0.1:1", "http://127.0.0.1:8765/v1", "not a url", ""]) {
    assert.equal(normalizeCompanionUrl(bad), null, bad);
  }
});

test("web origins only from http(s) pages", () => {
  assert.equal(webOrigin("https://acme.zendesk.com/agent/tickets/1?x=1"), "https://acme.zendesk.com");
  assert.equal(webOrigin("http://helpdesk.test:8080/t"), "http://helpdesk.test:8080");
  assert.equal(webOrigin("chrome://extensions"), null);
  assert.equal(webOrigin("about:blank"), null);
  assert.equal(webOrigin(undefined), null);
});

test("saving validates, coerces and stamps the version", async () => {
  const { storage } = fakeBrowser();
  await assert.rejects(saveOptions({ companionUrl: "http://evil.example" }, storage.local), RangeError);
  await assert.rejects(saveOptions({ colour: "blue" }, storage.local), TypeError);
  const saved = await saveOptions({ agentName: "  Anna  ", replyLanguage: "xx", enabledSites: ["https://b.test/x", "https://a.test", "https://a.test", "ftp://c.test"] }, storage.local);
  assert.equal(saved.agentName, "Anna");
  assert.equal(saved.replyLanguage, "auto");
  assert.deepEqual(saved.enabledSites, ["https://a.test", "https://b.test"]);
  assert.equal(storage.local.dump().optionsVersion, OPTIONS_VERSION);
});

test("templates keep only string overrides of known languages", async () => {
  const { storage } = fakeBrowser();
  const saved = await saveOptions({ templates: { de: { refund: "Erstattet: {amount}", cancel: 3 }, xx: { refund: "?" }, fr: "nope" } }, storage.local);
  assert.deepEqual(saved.templates, { de: { refund: "Erstattet: {amount}" } });
});

test("version-1 storage with match patterns migrates to origins and is written back once", async () => {
  const { storage } = fakeBrowser();
  await storage.local.set({ companionUrl: "http://localhost:8765", token: "spd_x", enabledSites: ["https://acme.zendesk.com/*"] });
  const options = await loadOptions(storage.local);
  assert.deepEqual(options.enabledSites, ["https://acme.zendesk.com"]);
  assert.equal(options.token, "spd_x");
  assert.equal(storage.local.dump().optionsVersion, OPTIONS_VERSION);
  assert.equal(migrate(storage.local.dump()).changed, false);
});

test("malformed stored values fall back to defaults instead of breaking the worker", () => {
  const { options } = migrate({ optionsVersion: OPTIONS_VERSION, companionUrl: 42, token: null, enabledSites: "x", templates: [], replyLanguage: "de" });
  assert.equal(options.companionUrl, DEFAULTS.companionUrl);
  assert.equal(options.token, "");
  assert.deepEqual(options.enabledSites, []);
  assert.deepEqual(options.templates, {});
  assert.equal(options.replyLanguage, "de");
});

test("onOptionsChanged reports option keys changed in local storage only", async () => {
  const { storage } = fakeBrowser();
  const seen = [];
  const stop = onOptionsChanged((keys) => seen.push(keys), storage);
  await storage.local.set({ token: "a", optionsVersion: 2 });
  await storage.session.set({ token: "b" });
  stop();
  await storage.local.set({ token: "c" });
  assert.deepEqual(seen, [["token"]]);
});

test("saving one option leaves keys another context wrote meanwhile alone", async () => {
  const { storage } = fakeBrowser();
  await saveOptions({ agentName: "Anna", token: "spd_old" }, storage.local);
  // The options page reads, then the worker stores a new token, then the page writes.
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  const slow = { ...storage.local, get: async (keys) => { const snapshot = await storage.local.get(keys); await gate; return snapshot; } };
  const pageSave = saveOptions({ replyLanguage: "fr" }, slow);
  await storage.local.set({ token: "spd_new" });
  release();
  await pageSave;
  const after = await loadOptions(storage.local);
  assert.deepEqual([after.token, after.replyLanguage, after.agentName], ["spd_new", "fr", "Anna"]);
});

test("other companion addresses: the default port and the configured one, each with the nine after it", () => {
  const near = companionCandidates("http://127.0.0.1:8765");
  assert.equal(near.length, 9);
  assert.deepEqual([near[0], near.at(-1)], ["http://127.0.0.1:8766", "http://127.0.0.1:8774"]);
  const moved = companionCandidates("http://localhost:9100");
  assert.ok(moved.includes("http://127.0.0.1:8765") && moved.includes("http://localhost:9109"));
  assert.ok(!moved.includes("http://localhost:9100") && !moved.includes("http://localhost:9110"));
  assert.equal(moved.length, 19);
  assert.ok(companionCandidates("http://127.0.0.1:65530").every((url) => Number(new URL(url).port) <= 65535));
});
