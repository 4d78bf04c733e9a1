/** The background worker end to end: main.js on a fake `chrome`, talking to a real local HTTP server. */

import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { pairingLabel } from "../src/background/handlers.js";
import { openPanel } from "../src/background/tabs.js";
import { fakeBrowser, fakePort } from "./helpers/fake-browser.js";
import { closedPort, startCompanion } from "./helpers/http-server.js";

const ORDER_ID = "113-4820571-0038214";
const TICKET = "https://acme.zendesk.com/agent/tickets/4711";
const EXT_PAGE = "chrome-extension://ibechjjblnfhmdepfahabhaggbnemnij/src/options/options.html";
const PANEL_PAGE = "chrome-extension://ibechjjblnfhmdepfahabhaggbnemnij/src/sidepanel/sidepanel.html";
const ACTION = { id: "act_01JD7Q3M9Z8X", kind: "refund", orderId: ORDER_ID, state: "accepted", currency: "USD", total: "14.03" };

const content = { id: "ibechjjblnfhmdepfahabhaggbnemnij", url: TICKET, origin: "https://acme.zendesk.com", tab: { id: 3, url: TICKET, windowId: 1 } };
const page = { id: "ibechjjblnfhmdepfahabhaggbnemnij", url: EXT_PAGE, origin: "chrome-extension://ibechjjblnfhmdepfahabhaggbnemnij" };
const panel = { ...page, url: PANEL_PAGE };
const KEY = "3f1c2b8e-6a43-4d1e-9b7a-0c2d4e5f6a7b";
const WAITING = { ...ACTION, id: "act_01JD7Q3MWAIT", state: "awaiting_approval", agent: "Ann" };

describe("background worker", () => {
  const ALONE = { mode: "single", agent: null, role: null };
  let companion;
  let chrome;
  let team = ALONE;

  /** Sends a message the way runtime.sendMessage would and resolves with the reply. */
  function send(message, sender = panel) {
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
      "GET /v1/team": () => ({ json: team }),
      "GET /v1/approvals": { json: { actions: [WAITING] } },
      [`POST /v1/actions/${WAITING.id}/approve`]: { json: { ...WAITING, state: "accepted" } },
      [`POST /v1/actions/${WAITING.id}/reject`]: (req, res, record) => ({ json: { ...WAITING, state: "failed", approval: { note: record.body.note } } }),
      "POST /v1/actions/act_own/approve": { status: 403, json: { error: { code: "self_approval", message: "Nobody approves or rejects their own refund: ask another approver." } } },
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
    await chrome.storage.local.set({ companionUrl: companion.url, token: "spd_good", pairingId: "pair_5f2c9a", agentName: "Anna" });
    // Tab 3 shows the ticket that names the order, as its content script says.
    chrome.contentScripts.set(3, (m) => (m.type === "ticket" ? { url: TICKET, orders: [ORDER_ID], selected: null, note: false } : undefined));
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

  test("refund: the ticket checked with its tab, its URL and the agent from the background, key as header", async () => {
    const body = { orderId: ORDER_ID, mode: "full", reason: "CustomerReturn", note: "", ticketUrl: "https://evil.example/", agent: "Mallory" };
    const reply = await send({ action: "refund", args: { idempotencyKey: KEY, body, ticket: { tabId: 3, url: TICKET } } });
    assert.deepEqual(reply, { ok: true, data: ACTION });
    const seen = companion.requests.at(-1);
    assert.equal(seen.headers["idempotency-key"], KEY);
    assert.equal(seen.headers.authorization, "Bearer spd_good");
    assert.deepEqual(seen.body, { ...body, ticketUrl: TICKET, agent: "Anna" });
    assert.deepEqual(chrome.calls.tabMessages.at(-1), { tabId: 3, message: { type: "ticket" } });
  });

  test("a refund for a ticket the tab no longer shows, or without the agent's name, never reaches the companion", async () => {
    const count = companion.requests.length;
    const args = (ticket) => ({ idempotencyKey: KEY, body: { orderId: ORDER_ID, mode: "full", reason: "CustomerReturn" }, ticket });
    const moved = await send({ action: "refund", args: args({ tabId: 3, url: `${TICKET}0` }) });
    assert.equal(moved.error.code, "ticket_changed");
    assert.match(moved.error.message, /nothing was sent/);
    chrome.contentScripts.set(3, () => ({ url: TICKET, orders: ["114-7395082-5521640"] }));
    assert.equal((await send({ action: "refund", args: args({ tabId: 3, url: TICKET }) })).error.code, "ticket_changed", "the order is gone from it");
    assert.equal((await send({ action: "refund", args: args({ tabId: 5, url: TICKET }) })).error.code, "ticket_changed", "no spdesk in that tab");
    chrome.contentScripts.set(3, () => ({ url: TICKET, orders: [ORDER_ID] }));
    await chrome.storage.local.set({ agentName: "" });
    assert.equal((await send({ action: "refund", args: args({ tabId: 3, url: TICKET }) })).error.code, "agent_name_required");
    assert.equal((await send({ action: "refund", args: args(undefined) })).error.code, "invalid_message");
    assert.deepEqual(companion.requests.slice(count).filter((r) => r.method === "POST"), [], "no refund was sent");
  });

  test("in team mode the companion names the agent: no name needed here, none sent", async () => {
    team = { mode: "team", agent: "Bob", role: "agent" };
    try {
      await chrome.storage.local.set({ agentName: "" });
      assert.deepEqual((await send({ action: "team", args: {} })).data, team);
      const reply = await send({ action: "refund", args: { idempotencyKey: KEY, body: { orderId: ORDER_ID, mode: "full", reason: "CustomerReturn" }, ticket: { tabId: 3, url: TICKET } } });
      assert.equal(reply.ok, true, JSON.stringify(reply));
      const sent = companion.requests.filter((r) => r.method === "POST" && r.path === "/v1/refunds").at(-1);
      assert.equal(sent.body.agent, undefined);
      assert.equal(sent.body.ticketUrl, TICKET);
    } finally {
      team = ALONE;
    }
  });

  test("no money action, order or pairing from a content script: only its ticket and badge clicks", async () => {
    const count = companion.requests.length;
    for (const action of ["refund", "cancel", "getOrder", "getActions", "insertText", "ticketOf", "pair", "openOptions"]) {
      const reply = await send({ action, args: { idempotencyKey: KEY, body: { orderId: ORDER_ID }, orderId: ORDER_ID, ticket: { tabId: 3, url: TICKET } } }, content);
      assert.equal(reply.error.code, "forbidden", action);
    }
    assert.equal((await send({ action: "ticketState", args: { url: TICKET, orders: [] } }, panel)).error.code, "forbidden", "and tab messages only from tabs");
    assert.equal(companion.requests.length, count);
  });

  test("approvals: the list, and an approver's decision with its optional note", async () => {
    assert.deepEqual(await send({ action: "approvals", args: {} }), { ok: true, data: { actions: [WAITING] } });
    assert.equal((await send({ action: "approve", args: { id: WAITING.id } })).data.state, "accepted");
    const approved = companion.requests.at(-1);
    assert.deepEqual([approved.method, approved.path, approved.body], ["POST", `/v1/actions/${WAITING.id}/approve`, { note: "" }]);
    assert.equal(approved.headers.authorization, "Bearer spd_good");
    const rejected = await send({ action: "reject", args: { id: WAITING.id, note: "  Return it first. " } });
    assert.equal(rejected.data.approval.note, "Return it first.");
    // The companion's refusal of one's own request passes through with its code.
    assert.equal((await send({ action: "approve", args: { id: "act_own" } })).error.code, "self_approval");
  });

  test("approve and reject: malformed ids and notes are refused before any request", async () => {
    const count = companion.requests.length;
    for (const args of [{}, { id: "../../v1/refunds" }, { id: WAITING.id, note: 5 }, { id: WAITING.id, note: "x".repeat(2001) }]) {
      for (const action of ["approve", "reject"]) assert.equal((await send({ action, args })).error.code, "invalid_message", JSON.stringify(args));
    }
    assert.equal(companion.requests.length, count);
  });

  test("a content script can neither read the approvals nor approve or reject", async () => {
    const count = companion.requests.length;
    for (const action of ["approvals", "approve", "reject"]) {
      const reply = await send({ action, args: { id: WAITING.id, note: "" } }, content);
      assert.equal(reply.error.code, "forbidden", action);
    }
    assert.equal(companion.requests.length, count, "nothing reached the companion");
  });

  test("refund without an idempotency key or body is refused locally", async () => {
    const count = companion.requests.length;
    const noKey = await send({ action: "refund", args: { body: { orderId: ORDER_ID }, ticket: { tabId: 3, url: TICKET } } });
    assert.equal(noKey.error.code, "invalid_message");
    const noBody = await send({ action: "refund", args: { idempotencyKey: KEY, ticket: { tabId: 3, url: TICKET } } });
    assert.equal(noBody.error.code, "invalid_message");
    assert.equal(companion.requests.length, count);
  });

  test("a badge click opens the side panel of its window, inside the click's message handler", async () => {
    const before = chrome.calls.sidePanel.length;
    const reply = await send({ action: "selectOrder", args: { orderId: ORDER_ID, url: TICKET } }, content);
    assert.deepEqual(reply, { ok: true, data: { shown: true, shortcut: "" } });
    assert.deepEqual(chrome.calls.sidePanel.slice(before), [{ windowId: 1 }]);
  });

  test("a tab's ticket reaches every open panel; so does a tab that starts loading another page", async () => {
    const port = fakePort();
    companion.routes["GET /v1/events"] = (req, res) => {
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      res.write(": keep-alive\n\n");
      return null;
    };
    chrome.runtime.onConnect.emit(port);
    await port.next((m) => m.type === "companion");
    await send({ action: "ticketState", args: { url: TICKET, orders: [ORDER_ID, "nonsense"], selected: ORDER_ID, note: true } }, content);
    assert.deepEqual(port.received.at(-1), { type: "ticket", tabId: 3, state: { url: TICKET, orders: [ORDER_ID], selected: ORDER_ID, note: true } });
    chrome.tabs.onUpdated.emit(3, { status: "loading" });
    assert.deepEqual(port.received.at(-1), { type: "ticket", tabId: 3, state: null });
    // A page's port (content scripts never open one) is not let in.
    const fromPage = fakePort({ url: TICKET });
    fromPage.sender.tab = { id: 3, url: TICKET };
    chrome.runtime.onConnect.emit(fromPage);
    await send({ action: "ticketState", args: { url: TICKET, orders: [] } }, content);
    assert.equal(fromPage.received.length, 0);
    port.disconnect();
  });

  test("ticketOf and insertText go to the tab's content script", async () => {
    assert.deepEqual(await send({ action: "ticketOf", args: { tabId: 3 } }), { ok: true, data: { url: TICKET, orders: [ORDER_ID], selected: null, note: false } });
    assert.deepEqual(await send({ action: "ticketOf", args: { tabId: 5 } }), { ok: true, data: null });
    chrome.contentScripts.set(3, (m) => ({ ok: true, kind: "textarea", method: "execCommand", opened: false, echo: m }));
    const reply = await send({ action: "insertText", args: { tabId: 3, url: TICKET, kind: "note", text: "Refunded." } });
    assert.deepEqual(reply.data.echo, { type: "insertText", url: TICKET, kind: "note", text: "Refunded." });
    assert.deepEqual((await send({ action: "insertText", args: { tabId: 5, url: TICKET, kind: "reply", text: "x" } })).data, { ok: false, code: "no_content_script" });
    assert.equal((await send({ action: "insertText", args: { tabId: 3, url: TICKET, kind: "submit", text: "x" } })).error.code, "invalid_message");
  });

  test("cancel: the companion's refusal passes through unchanged", async () => {
    const reply = await send({ action: "cancel", args: { idempotencyKey: "9d9c2b8e-6a43-4d1e-9b7a-0c2d4e5f6a7b", body: { orderId: ORDER_ID }, ticket: { tabId: 3, url: TICKET } } });
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
    const fromContent = await send({ action: "pair", args: { code: "K7QD-2MXP" } }, content);
    assert.equal(fromContent.error.code, "forbidden");
    const fromUnpair = await send({ action: "unpair", args: {} }, content);
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
    assert.equal(await send({ action: "siteGranted", args: {} }, content).then((r) => r.error?.code), "forbidden");
    assert.deepEqual(await send({ action: "siteGranted", args: {} }, page), { ok: true, data: { origin: null } });
    await chrome.permissions.remove({ origins: ["https://acme.gorgias.com/*"] });
    await until(async () => !(await chrome.storage.local.get("enabledSites")).enabledSites.length, "cleanup");
    assert.equal(chrome.registered.size, 0);
  });

  test("a disabled site's open tickets are told to tear down", async () => {
    chrome.contentScripts.set(4, () => undefined);
    await chrome.storage.local.set({ enabledSites: ["https://acme.zendesk.com"] });
    const before = chrome.calls.tabMessages.length;
    await chrome.storage.local.set({ enabledSites: [] });
    await until(() => chrome.calls.tabMessages.length > before, "the stop message");
    const stops = chrome.calls.tabMessages.slice(before).filter((m) => m.message.type === "stop");
    assert.deepEqual(stops.map((m) => m.message.origin), stops.map(() => "https://acme.zendesk.com"));
    assert.ok(stops.some((m) => m.tabId === 4));
  });
});

test("pairing label names the browser and OS, nothing more", () => {
  assert.equal(pairingLabel("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"), "Firefox on Linux");
  assert.equal(pairingLabel("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36"), "Chrome on Windows");
  assert.equal(pairingLabel(""), "Chrome");
});

test("Firefox: a click in a page cannot open the sidebar; the badge learns whether it is open, and the shortcut", async () => {
  const sidebar = { open: () => Promise.reject(new Error("sidebarAction.open may only be called from a user input handler")), isOpen: async () => false };
  const firefox = { sidebarAction: sidebar, commands: { getAll: async () => [{ name: "_execute_sidebar_action", shortcut: "Alt+Shift+S" }] } };
  assert.deepEqual(await openPanel(firefox, 1), { shown: false, shortcut: "Alt+Shift+S" });
  sidebar.isOpen = async () => true;
  assert.deepEqual(await openPanel(firefox, 1), { shown: true, shortcut: "" }, "open already: the order simply shows");
  const chrome = { sidePanel: { open: () => Promise.reject(new Error("may only be called in response to a user gesture")) }, commands: firefox.commands };
  assert.deepEqual(await openPanel(chrome, 1), { shown: false, shortcut: "Alt+Shift+S" });
});
