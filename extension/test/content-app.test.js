import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { start } from "../src/content/app.js";
import { loadFixture, loadHtml, settle } from "./helpers/dom.js";

const EXTENSION_ID = "ibechjjblnfhmdepfahabhaggbnemnij";

/** The parts of the extension API a content script uses: messages both ways. */
function fakeRuntime({ panelShown = true, shortcut = "Alt+Shift+S" } = {}) {
  const sent = [];
  const listeners = new Set();
  const runtime = {
    id: EXTENSION_ID,
    async sendMessage(message) {
      sent.push(structuredClone(message));
      if (message.action === "selectOrder") return { ok: true, data: { shown: panelShown, shortcut: panelShown ? "" : shortcut } };
      return { ok: true, data: {} };
    },
    onMessage: { addListener: (fn) => listeners.add(fn), removeListener: (fn) => listeners.delete(fn) },
  };
  /** A message from the background or the side panel, as tabs.sendMessage delivers it. */
  const ask = (message) => new Promise((resolve) => {
    let answered = false;
    const respond = (value) => { answered = true; resolve(value); };
    const later = [...listeners].map((fn) => fn(message, { id: EXTENSION_ID }, respond)).some(Boolean);
    if (!later && !answered) resolve(undefined);
  });
  return { runtime, sent, ask, listeners };
}

const cleanups = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

async function run(page, options = {}) {
  const controller = new AbortController();
  const fake = fakeRuntime(options);
  cleanups.push(async () => { controller.abort(); await page.close(); });
  const stats = await start(controller.signal, {
    doc: page.document, location: page.window.location, runtime: fake.runtime, stop: () => controller.abort(),
    badgeOptions: { lazy: false, shadowMode: options.shadowMode ?? "closed", accept: options.accept },
  });
  await settle(page.window);
  return { ...fake, controller, stats, page };
}

/** Elements right after an order id's text: where spdesk's badges go. */
function badgesIn(document) {
  const walker = document.createTreeWalker(document.body, 4);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const next = node.nextSibling;
    if (/\d{3}-\d{7}-\d{7}$/.test(node.data) && next?.nodeType === 1 && next.localName.startsWith("b-")) found.push(next);
  }
  return found;
}

test("badges leave no marker a site could read: closed roots, no attributes, no fixed tag, no measures", async () => {
  const first = await run(loadFixture("generic"));
  const second = await run(loadFixture("generic"));
  const [badge] = badgesIn(first.page.document);
  assert.ok(badge, "a badge after the id");
  assert.equal(badge.shadowRoot, null, "the page cannot look into our UI");
  assert.equal(badge.attributes.length, 0);
  assert.notEqual(badge.localName, badgesIn(second.page.document)[0].localName, "a new tag name on every page");
  const html = first.page.document.documentElement;
  assert.deepEqual([...html.attributes].map((a) => a.name).filter((n) => n.includes("spdesk")), []);
  assert.equal(first.page.document.querySelectorAll("[data-spdesk], [data-spdesk-ui]").length, 0);
  assert.equal(first.page.window.performance.getEntriesByType("measure").length, 0);
  assert.equal(first.stats.scan.badges, badgesIn(first.page.document).length);
});

test("the ticket's orders go to the background, in page order, and again when the page changes", async () => {
  const t = await run(loadFixture("generic"));
  const reports = () => t.sent.filter((m) => m.action === "ticketState").map((m) => m.args);
  const first = reports().at(-1);
  assert.equal(first.url, "https://helpdesk.test/ticket/1");
  assert.deepEqual(first.orders, ["113-6602417-9915083", "204-1187325-6649021", "113-2098417-6650382", "305-9913402-7760318", "304-1234567-7654321"]);
  assert.equal(first.selected, null);
  // The page swaps the ticket (pjax): new address, the old messages gone, another order named.
  t.page.window.history.pushState({}, "", "/ticket/2");
  t.page.document.querySelector("main").innerHTML = "<article><p>About 111-9247310-4408372, please.</p></article>";
  await settle(t.page.window);
  assert.deepEqual(reports().at(-1), { url: "https://helpdesk.test/ticket/2", orders: ["111-9247310-4408372"], selected: null, note: false });
  assert.deepEqual(await t.ask({ type: "ticket" }), reports().at(-1), "asked directly, the same answer");
});

test("a scripted click on a badge does nothing; the agent's click selects the order and opens the panel", async () => {
  const scripted = await run(loadHtml("<main><p>Order 113-4820571-0038214</p></main>"), { shadowMode: "open" });
  badgesIn(scripted.page.document)[0].shadowRoot.querySelector("button").click();
  assert.equal(scripted.sent.filter((m) => m.action === "selectOrder").length, 0, "the page cannot pick an order for the agent");
  const t = await run(loadHtml("<main><p>Order 113-4820571-0038214</p></main>"), { shadowMode: "open", accept: () => true, panelShown: false });
  const root = badgesIn(t.page.document)[0].shadowRoot;
  root.querySelector("button").click();
  await new Promise((resolve) => setTimeout(resolve, 0)); // the background's answer (not the hint's own timer)
  assert.deepEqual(t.sent.find((m) => m.action === "selectOrder").args, { orderId: "113-4820571-0038214", url: "https://helpdesk.test/" });
  assert.equal(t.sent.filter((m) => m.action === "ticketState").at(-1).args.selected, "113-4820571-0038214");
  // The browser did not let the click open the side panel (Firefox): the badge says how.
  assert.match(root.querySelector("[role='status']").textContent, /Alt\+Shift\+S/);
});

test("a text for another ticket is refused; stop for this site removes every badge", async () => {
  const t = await run(loadFixture("generic"));
  assert.deepEqual(await t.ask({ type: "insertText", url: "https://helpdesk.test/ticket/9", kind: "reply", text: "x" }), { ok: false, code: "ticket_changed" });
  assert.equal(t.page.document.getElementById("reply").value, "Notes about 112-8850364-1209736", "nothing inserted");
  await t.ask({ type: "stop", origin: "https://other.test" });
  assert.ok(badgesIn(t.page.document).length > 0, "another site's stop is not ours");
  await t.ask({ type: "stop", origin: "https://helpdesk.test" });
  assert.equal(t.controller.signal.aborted, true);
  assert.equal(badgesIn(t.page.document).length, 0);
  assert.equal(t.listeners.size, 0, "no longer listening");
});
