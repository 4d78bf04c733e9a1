import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { start } from "../src/content/app.js";
import { setShadowMode } from "../src/content/ui/shadow.js";
import { loadFixture, settle } from "./helpers/dom.js";
import { usOrder } from "./helpers/orders.js";

/** The parts of the extension API a content script uses: messages, the events port, storage. */
function fakeExtension() {
  const sent = [];
  const ports = [];
  const listeners = () => {
    const set = new Set();
    return { addListener: (fn) => set.add(fn), emit: (...a) => [...set].forEach((fn) => fn(...a)) };
  };
  const storage = { replyLanguage: "de" };
  globalThis.chrome = {
    runtime: {
      async sendMessage(message) {
        sent.push(message);
        if (message.action === "getOrder") return { ok: true, data: usOrder() };
        if (message.action === "getActions") return { ok: true, data: { actions: [] } };
        return { ok: false, error: { code: "invalid_message", message: "?" } };
      },
      connect({ name }) {
        const port = { name, onMessage: listeners(), onDisconnect: listeners(), posted: [],
          postMessage: (m) => port.posted.push(m), disconnect: () => { port.closed = true; } };
        ports.push(port);
        return port;
      },
    },
    storage: {
      local: { get: async (keys) => (keys === null ? { ...storage } : Object.fromEntries([keys].flat().filter((k) => k in storage).map((k) => [k, storage[k]]))), set: async () => {} },
      onChanged: { addListener() {}, removeListener() {} },
    },
  };
  return { sent, ports };
}

const cleanups = [];
afterEach(() => {
  cleanups.splice(0).forEach((fn) => fn());
  delete globalThis.chrome;
});

test("our UI lives in closed shadow roots: the page cannot look in", async () => {
  fakeExtension();
  const page = loadFixture("generic");
  const controller = new AbortController();
  cleanups.push(() => controller.abort());
  await start(controller.signal, { doc: page.document, location: page.window.location, lazyBadges: false });
  const badge = page.document.querySelector("spdesk-badge");
  assert.ok(badge);
  assert.equal(badge.shadowRoot, null, "the page cannot look into our UI");
  controller.abort();
  await page.close();
});

test("on a helpdesk page: badges beside each id, a click opens the panel, the port feeds it, disabling cleans up", async () => {
  setShadowMode("open"); // to look inside in this test
  const ext = fakeExtension();
  const page = loadFixture("zendesk");
  const controller = new AbortController();
  let stopped = 0;
  cleanups.push(() => controller.abort());
  await start(controller.signal, { doc: page.document, location: page.window.location, lazyBadges: false, stop: () => { stopped += 1; controller.abort(); } });
  assert.equal(page.document.documentElement.dataset.spdesk, "zendesk");
  const badges = [...page.document.querySelectorAll("spdesk-badge")];
  assert.deepEqual(badges.map((b) => b.dataset.spdeskOrder).sort(), ["114-7395082-5521640", "114-7395082-5521640"], "not in the hidden tab");
  // The badge sits right after the id and the message text reads as before.
  const first = page.document.querySelector("[data-comment-id='9001'] p");
  assert.equal(first.textContent, "Hello, my order 114-7395082-5521640 arrived today and one of the two mugs is broken.");
  assert.equal(first.querySelector("spdesk-badge").previousSibling.data.endsWith("114-7395082-5521640"), true);
  assert.equal(page.document.querySelector(".ProseMirror spdesk-badge"), null, "never inside the reply editor");

  badges.find((b) => b.dataset.spdeskOrder === "114-7395082-5521640").shadowRoot.querySelector("button").click();
  await settle(page.window);
  assert.deepEqual(ext.sent.find((m) => m.action === "getOrder"), { action: "getOrder", args: { orderId: "114-7395082-5521640" } });
  const panel = page.document.querySelector("spdesk-panel");
  assert.ok(panel.shadowRoot.querySelector("[data-spdesk='order']"));

  const [port] = ext.ports;
  assert.equal(port.name, "spdesk-events");
  port.onMessage.emit({ type: "companion", state: "offline" });
  assert.ok(panel.shadowRoot.querySelector("[data-spdesk='offline']"));

  port.onMessage.emit({ type: "site", origin: "https://helpdesk.test", enabled: false });
  assert.equal(stopped, 1);
  assert.equal(page.document.querySelector("spdesk-badge"), null);
  assert.equal(page.document.querySelector("spdesk-panel"), null);
  assert.equal(port.closed, true);
  await page.close();
});

test("on long tickets badges past the first ones are drawn when they come near the viewport", async () => {
  const { createBadger } = await import("../src/content/ui/badge.js");
  const page = loadFixture("generic");
  const observed = [];
  let notify = null;
  page.window.IntersectionObserver = class {
    constructor(callback, options) { notify = callback; this.options = options; }
    observe(el) { observed.push(el); }
    unobserve(el) { observed.splice(observed.indexOf(el), 1); }
    disconnect() { observed.length = 0; }
  };
  const opened = [];
  const badger = createBadger({ doc: page.document, onOpen: (id) => opened.push(id), eager: 0 });
  const text = page.document.querySelector("article p:nth-of-type(2)").firstChild;
  badger.place(text, { orderId: "113-6602417-9915083", start: 6, end: 25 });
  const placeholder = page.document.querySelector("spdesk-badge");
  assert.equal(placeholder.dataset.spdeskOrder, "113-6602417-9915083");
  assert.equal(placeholder.shadowRoot, null, "nothing drawn yet");
  assert.deepEqual(observed, [placeholder]);
  notify([{ target: placeholder, isIntersecting: true }]);
  assert.ok(placeholder.hasAttribute("data-spdesk-ready"), "drawn in place");
  assert.equal(placeholder.previousSibling.data.endsWith("113-6602417-9915083"), true);
  assert.deepEqual(observed, []);
  badger.disconnect();
  await page.close();
});
