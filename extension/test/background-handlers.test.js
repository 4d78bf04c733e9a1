/** The background worker end to end: main.js on a fake `chrome`, talking to a real local HTTP server. */

import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { pairingLabel } from "../src/background/handlers.js";
import { fakeBrowser, fakePort } from "./helpers/fake-browser.js";
import { closedPort, startCompanion } from "./helpers/http-server.js";

const ORDER_ID = "113-4820571-0038214";
const TICKET = "https://acme.zendesk.com/agent/tickets/4711";
const EXT_PAGE = "chrome-extension://ibechjjblnfhmdepfahabhaggbnemnij/src/options/options.html";
const ACTION = { id: "act_01JD7Q3M9Z8X", kind: "refund", orderId: ORDER_ID, state: "accepted", currency: "USD", total: "14.03" };

const content = { id: "ibechjjblnfhmdepfahabhaggbnemnij", url: TICKET, origin: "https://acme.zendesk.com", tab: { id: 3, url: TICKET } };
const page = { id: "ibechjjblnfhmdepfahabhaggbnemnij", url: EXT_PAGE, origin: "chrome-extension://ibechjjblnfhmdepfahabhaggbnemnij" };

describe("background worker", () => {
  let companion;
  let chrome;

  /** Sends a message the way runtime.sendMessage would and resolves with the reply. */
  function send(message, sender = content) {
    return new Promise((resolve) => {
      const [keepOpen] = chrome.runtime.onMessage.emit(message, sender, resolve);
      assert.equal(keepOpen, true, "the listener must keep the channel open for its async reply");
    });
  }

  before(async () => {
    companion = await startCompanion({
      "GET /v1/health": { json: { service: "spdesk-companion", version: "0.1.0", apiVersion: 1 } },
      "GET /v1/status": (req) =>
        req.headers.authorization === "Bearer spd_good"
          ? { json: { version: "0.1.0", mode: "sandbox", pairingId: "pair_5f2c9a", accounts: [{ name: "sandbox", region: "NA", marketplaces: ["US"], default: true }] } }
          : { status: 401, json: { error: { code: "token_revoked", message: "Revoked." } } },
      [`GET /v1/orders/${ORDER_ID}`]: { json: { orderId: ORDER_ID, status: "UNSHIPPED" } },
      [`GET /v1/orders/${ORDER_ID}/actions`]: { json: { actions: [ACTION] } },
      "GET /v1/actions/act_01JD7Q3M9Z8X": { json: ACTION },
      "POST /v1/refunds": { status: 202, json: ACTION },
      "POST /v1/cancellations": { status: 409, json: { error: { code: "cancel_after_shipment", message: "This order has shipped: refund it instead." } } },
      "POST /v1/pair": (req, res, record) =>
        record.body.code === "K7QD-2MXP"
          ? { status: 201, json: { token: "spd_good", pairingId: "pair_5f2c9a", companion: { version: "0.1.0" } } }
          : { status: 403, json: { error: { code: "pairing_code_invalid", message: "This pairing code is wrong or expired." } } },
    });
    chrome = fakeBrowser();
    globalThis.chrome = chrome;
    await chrome.storage.local.set({ companionUrl: companion.url, token: "spd_good", pairingId: "pair_5f2c9a", agentName: "Anna", optionsVersion: 2 });
    await import("../src/background/main.js");
  });
  after(async () => {
    delete globalThis.chrome;
    await companion.close();
  });
  beforeEach(async () => {
    await chrome.storage.local.set({ companionUrl: companion.url, token: "spd_good", pairingId: "pair_5f2c9a" });
  });

  test("status: online, paired, with mode and accounts", async () => {
    const reply = await send({ action: "status", args: {} });
    assert.equal(reply.ok, true);
    assert.equal(reply.data.online, true);
    assert.equal(reply.data.paired, true);
    assert.equal(reply.data.version, "0.1.0");
    assert.equal(reply.data.mode, "sandbox");
    assert.equal(reply.data.accounts[0].name, "sandbox");
    assert.equal(JSON.stringify(reply).includes("spd_good"), false, "the token never leaves the background");
  });

  test("status: a revoked token reads as online but not paired", async () => {
    await chrome.storage.local.set({ token: "spd_revoked" });
    const reply = await send({ action: "status", args: {} });
    assert.deepEqual([reply.ok, reply.data.online, reply.data.paired], [true, true, false]);
  });

  test("status: companion down gives companion_offline", async () => {
    await chrome.storage.local.set({ companionUrl: `http://127.0.0.1:${await closedPort()}` });
    const reply = await send({ action: "status", args: {} });
    assert.equal(reply.ok, false);
    assert.equal(reply.error.code, "companion_offline");
    assert.match(reply.error.message, /spdesk serve/);
  });

  test("status: another program on the companion's port is named as such", async () => {
    const other = await startCompanion({ "GET /v1/health": { json: { status: "ok" } } });
    try {
      await chrome.storage.local.set({ companionUrl: other.url });
      const reply = await send({ action: "status", args: {} });
      assert.equal(reply.error.code, "companion_bad_response");
      assert.match(reply.error.message, /Something other than the spdesk companion/);
    } finally {
      await other.close();
    }
  });

  test("getOrder reads the order; a malformed id never reaches the companion", async () => {
    const good = await send({ action: "getOrder", args: { orderId: ORDER_ID } });
    assert.deepEqual(good, { ok: true, data: { orderId: ORDER_ID, status: "UNSHIPPED" } });
    const count = companion.requests.length;
    for (const orderId of ["113-4820571-00382145", "../v1/status", 1134820571, undefined]) {
      const bad = await send({ action: "getOrder", args: { orderId } });
      assert.equal(bad.error.code, "invalid_message", String(orderId));
    }
    assert.equal(companion.requests.length, count);
  });

  test("getOrder with fresh asks the companion to skip its cache", async () => {
    await send({ action: "getOrder", args: { orderId: ORDER_ID, fresh: true } });
    assert.equal(companion.requests.at(-1).query, "?fresh=true");
  });

  test("refund: ticket URL from the sender, agent from options, idempotency key as header", async () => {
    const body = { orderId: ORDER_ID, mode: "full", reason: "CustomerReturn", note: "", ticketUrl: "https://evil.example/", agent: "Mallory" };
    const reply = await send({ action: "refund", args: { idempotencyKey: "3f1c2b8e-6a43-4d1e-9b7a-0c2d4e5f6a7b", body } });
    assert.deepEqual(reply, { ok: true, data: ACTION });
    const seen = companion.requests.at(-1);
    assert.equal(seen.headers["idempotency-key"], "3f1c2b8e-6a43-4d1e-9b7a-0c2d4e5f6a7b");
    assert.equal(seen.headers.authorization, "Bearer spd_good");
    assert.deepEqual(seen.body, { ...body, ticketUrl: TICKET, agent: "Anna" });
  });

  test("refund without an idempotency key or body is refused locally", async () => {
    const count = companion.requests.length;
    const noKey = await send({ action: "refund", args: { body: { orderId: ORDER_ID } } });
    assert.equal(noKey.error.code, "invalid_message");
    const noBody = await send({ action: "refund", args: { idempotencyKey: "3f1c2b8e-6a43-4d1e-9b7a-0c2d4e5f6a7b" } });
    assert.equal(noBody.error.code, "invalid_message");
    assert.equal(companion.requests.length, count);
  });

  test("cancel: the companion's refusal passes through unchanged", async () => {
    const reply = await send({ action: "cancel", args: { idempotencyKey: "9d9c2b8e-6a43-4d1e-9b7a-0c2d4e5f6a7b", body: { orderId: ORDER_ID } } });
    assert.deepEqual(reply, { ok: false, error: { code: "cancel_after_shipment", message: "This order has shipped: refund it instead." } });
  });

  test("getActions and getAction", async () => {
    assert.deepEqual(await send({ action: "getActions", args: { orderId: ORDER_ID } }), { ok: true, data: { actions: [ACTION] } });
    assert.deepEqual(await send({ action: "getAction", args: { id: ACTION.id } }), { ok: true, data: ACTION });
    assert.equal((await send({ action: "getAction", args: { id: "../orders" } })).error.code, "invalid_message");
  });

  test("not paired: actions fail with not_paired before any request", async () => {
    await chrome.storage.local.set({ token: "" });
    const count = companion.requests.length;
    const reply = await send({ action: "getOrder", args: { orderId: ORDER_ID } });
    assert.equal(reply.error.code, "not_paired");
    assert.match(reply.error.message, /spdesk pair/);
    assert.equal(companion.requests.length, count);
  });

  test("openOptions opens the options page", async () => {
    const before = chrome.calls.openOptionsPage;
    assert.deepEqual(await send({ action: "openOptions", args: {} }), { ok: true, data: {} });
    assert.equal(chrome.calls.openOptionsPage, before + 1);
  });

  test("unknown actions and foreign extensions are refused", async () => {
    assert.equal((await send({ action: "deleteEverything" })).error.code, "invalid_message");
    assert.equal((await send({ action: "__proto__" })).error.code, "invalid_message");
    const [handled] = chrome.runtime.onMessage.emit({ action: "status" }, { id: "another-extension" }, () => {});
    assert.equal(handled, false);
  });

  test("pairing is only accepted from the extension's own pages", async () => {
    const fromContent = await send({ action: "pair", args: { code: "K7QD-2MXP" } });
    assert.equal(fromContent.error.code, "forbidden");
    const fromUnpair = await send({ action: "unpair", args: {} });
    assert.equal(fromUnpair.error.code, "forbidden");
    assert.equal((await chrome.storage.local.get("token")).token, "spd_good");
  });

  test("pair stores the token (never returned) and unpair forgets it", async () => {
    await chrome.storage.local.set({ token: "", pairingId: "" });
    const count = companion.requests.length;
    const malformed = await send({ action: "pair", args: { code: "" } }, page);
    assert.deepEqual(malformed.error, { code: "pairing_code_invalid", message: "Type the code that 'spdesk pair' shows, for example K7QD-2MXP." });
    assert.equal(companion.requests.length, count, "a malformed code is refused before any request");
    const wrong = await send({ action: "pair", args: { code: "AAAA-BBBB" } }, page);
    assert.equal(wrong.error.code, "pairing_code_invalid");
    const reply = await send({ action: "pair", args: { code: " k7qd-2mxp " } }, page);
    assert.deepEqual(reply, { ok: true, data: { pairingId: "pair_5f2c9a", companion: { version: "0.1.0" } } });
    const seen = companion.requests.at(-1);
    assert.equal(seen.body.code, "K7QD-2MXP");
    assert.equal(seen.headers.authorization, undefined);
    assert.deepEqual(await chrome.storage.local.get(["token", "pairingId"]), { token: "spd_good", pairingId: "pair_5f2c9a" });
    const unpaired = await send({ action: "unpair", args: {} }, page);
    assert.deepEqual(unpaired, { ok: true, data: { pairingId: "pair_5f2c9a" } });
    assert.deepEqual(await chrome.storage.local.get(["token", "pairingId"]), { token: "", pairingId: "" });
  });

  async function until(check, what) {
    const deadline = Date.now() + 3000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  test("browser startup re-registers the enabled sites' content scripts", async () => {
    chrome.granted.add("https://acme.freshdesk.com/*");
    await chrome.storage.local.set({ enabledSites: ["https://acme.freshdesk.com"] });
    assert.equal(chrome.registered.size, 0);
    chrome.runtime.onStartup.emit();
    await until(() => chrome.registered.has("spdesk:https://acme.freshdesk.com"), "re-registration");
    // The agent withdraws the site's access in the browser's own UI.
    await chrome.permissions.remove({ origins: ["https://acme.freshdesk.com/*"] });
    await until(() => chrome.registered.size === 0, "unregistration");
    assert.deepEqual((await chrome.storage.local.get("enabledSites")).enabledSites, []);
  });

  test("a permission granted while the popup was closed still enables the site", async () => {
    await chrome.storage.session.set({ pendingSite: { origin: "https://acme.gorgias.com", tabId: 4, at: Date.now() } });
    await chrome.permissions.request({ origins: ["https://acme.gorgias.com/*"] }); // fires onAdded
    await until(() => chrome.registered.has("spdesk:https://acme.gorgias.com"), "registration");
    assert.deepEqual(chrome.calls.executeScript.at(-1), { target: { tabId: 4 }, files: ["src/content/main.js"] });
    assert.equal(await send({ action: "siteGranted", args: {} }).then((r) => r.error?.code), "forbidden");
    assert.deepEqual(await send({ action: "siteGranted", args: {} }, page), { ok: true, data: { origin: null } });
    await chrome.permissions.remove({ origins: ["https://acme.gorgias.com/*"] });
    await until(async () => !(await chrome.storage.local.get("enabledSites")).enabledSites.length, "cleanup");
    assert.equal(chrome.registered.size, 0);
  });

  test("a disabled site's open tickets are told to tear down", async () => {
    const port = fakePort({ url: "https://acme.zendesk.com/agent/tickets/1" });
    companion.routes["GET /v1/events"] = (req, res) => {
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      res.write(": keep-alive\n\n");
      return null;
    };
    await chrome.storage.local.set({ enabledSites: ["https://acme.zendesk.com"] });
    chrome.runtime.onConnect.emit(port);
    await port.next((m) => m.type === "companion");
    await chrome.storage.local.set({ enabledSites: [] });
    assert.deepEqual(port.received.at(-1), { type: "site", origin: "https://acme.zendesk.com", enabled: false });
    port.disconnect();
  });
});

test("pairing label names the browser and OS, nothing more", () => {
  assert.equal(pairingLabel("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"), "Firefox on Linux");
  assert.equal(pairingLabel("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36"), "Chrome on Windows");
  assert.equal(pairingLabel(""), "Chrome");
});
