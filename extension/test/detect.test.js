import assert from "node:assert/strict";
import { test } from "node:test";
import { pickAdapter } from "../src/content/adapters/index.js";
import { Scanner, findOrderIds, watch } from "../src/content/detect.js";
import { loadFixture, loadHtml, settle } from "./helpers/dom.js";

const ids = (text) => findOrderIds(text).map((m) => m.orderId);

test("order ids are 3-7-7 digits with no digit or hyphen run around them", () => {
  assert.deepEqual(ids("Order 113-4820571-0038214."), ["113-4820571-0038214"]);
  assert.deepEqual(ids("(113-4820571-0038214),#113-4820571-0038215;a113-4820571-0038216"), ["113-4820571-0038214", "113-4820571-0038215", "113-4820571-0038216"]);
  assert.deepEqual(ids("113-4820571-0038214/114-7395082-5521640"), ["113-4820571-0038214", "114-7395082-5521640"]);
  for (const decoy of ["1113-4820571-0038214", "113-4820571-00382145", "113-4820571-0038214-2", "2-113-4820571-0038214",
    "113-482057-0038214", "113‐4820571‐0038214", "113 4820571 0038214", "+1 206-555-0134", "1134820571003821"]) {
    assert.deepEqual(ids(decoy), [], decoy);
  }
});

test("match offsets point at the id, so a badge lands right after it", () => {
  const [m] = findOrderIds("see 113-4820571-0038214 ok");
  assert.deepEqual([m.start, m.end], [4, 23]);
});

const EXPECTED = {
  zendesk: ["114-7395082-5521640", "114-7395082-5521640"], // not the hidden earlier tab's id
  freshdesk: ["111-5038261-2274950"],
  gorgias: ["112-3061948-7714025", "112-3061948-7714025"],
  helpscout: ["302-4471896-2208153", "302-4471896-2208153"],
  gmail: ["250-3390172-8841506", "250-3390172-8841506"],
  generic: ["113-2098417-6650382", "113-6602417-9915083", "204-1187325-6649021", "304-1234567-7654321", "305-9913402-7760318"],
};

async function scanFixture(name) {
  const page = loadFixture(name);
  const adapter = pickAdapter(page.window.location, page.document);
  const found = [];
  const scanner = new Scanner({ onMatch: (node, m) => adapter.inScope(node) && found.push(m.orderId) });
  scanner.batches = 0;
  const controller = new AbortController();
  await watch(page.document.body, scanner, controller.signal, { onBatch: () => { scanner.batches += 1; } });
  return { ...page, adapter, found, scanner, controller };
}

for (const [name, expected] of Object.entries(EXPECTED)) {
  test(`${name}: finds the ticket's ids and none in editors, fields, scripts or decoys`, async () => {
    const { found, close, controller } = await scanFixture(name);
    assert.deepEqual(found.sort(), [...expected].sort());
    controller.abort();
    await close();
  });
}

test("ids that appear later (SPA navigation, new message) are found in the next batch", async () => {
  const { window, document, found, close, controller } = await scanFixture("zendesk");
  const log = document.querySelector("[data-test-id='ticket-main']:not([hidden]) [data-test-id='omni-log-container']");
  const item = document.createElement("article");
  item.setAttribute("data-test-id", "omni-log-comment-item");
  item.innerHTML = "<p>New order: <span>113-4820571-0038214</span></p>";
  log.append(item);
  await settle(window);
  assert.ok(found.includes("113-4820571-0038214"));
  // Text edited in place (characterData) is looked at again.
  const text = item.querySelector("span").firstChild;
  text.data = "114-2213598-6630471";
  await settle(window);
  assert.ok(found.includes("114-2213598-6630471"));
  // Typing an id into the reply editor is never detected.
  document.querySelector(".ProseMirror").append(document.createTextNode(" 112-8850364-1209736"));
  await settle(window);
  assert.ok(!found.includes("112-8850364-1209736"));
  controller.abort();
  // After teardown nothing is observed any more.
  log.append(Object.assign(document.createElement("p"), { textContent: "111-9247310-4408372" }));
  await settle(window);
  assert.ok(!found.includes("111-9247310-4408372"));
  await close();
});

/** A scanner that puts a <b> after each id, as the badges do; `ours` holds them. */
function badging(document, onMatch = () => {}) {
  const ours = new Set();
  const scanner = new Scanner({
    onMatch(node, m) {
      onMatch(node, m);
      const after = node.splitText(m.end);
      const badge = document.createElement("b");
      ours.add(badge);
      node.parentNode.insertBefore(badge, after);
      scanner.markSeen(node);
      scanner.markSeen(after);
    },
  });
  return { scanner, ours, hooks: { isOurs: (n) => ours.has(n) } };
}

test("a text node is looked at once; our own splits are not rescanned", async () => {
  const { window, document, close } = loadHtml("<p id=p>a 113-4820571-0038214 b 114-7395082-5521640 c</p>");
  let calls = 0;
  const { scanner, hooks } = badging(document, () => { calls += 1; });
  const ac = new AbortController();
  await watch(document.body, scanner, ac.signal, hooks);
  await settle(window);
  await scanner.add(document.body);
  assert.equal(calls, 2);
  assert.equal(document.getElementById("p").textContent, "a 113-4820571-0038214 b 114-7395082-5521640 c");
  assert.equal(document.querySelectorAll("b").length, 2);
  ac.abort();
  await close();
});

test("work is cut into slices that each stay within the time budget", async () => {
  const { document, close } = loadHtml(`<div>${"<p>113-4820571-0038214 text</p>".repeat(50)}</div>`);
  let clock = 0;
  let yields = 0;
  const perSlice = [];
  let inSlice = 0;
  const scanner = new Scanner({
    now: () => clock,
    schedule: (resume) => { yields += 1; perSlice.push(inSlice); inSlice = 0; setTimeout(resume, 0); },
    budgetMs: 4,
    onMatch: () => { clock += 1; inSlice += 1; }, // each id costs 1 ms of fake time
  });
  await scanner.add(document.body);
  assert.equal(yields, 9, "50 ids at 1 ms each with a 4 ms budget: a yield between every 5 ids");
  assert.ok(perSlice.every((n) => n <= 5));
  assert.equal(scanner.matches, 50);
  await close();
});

test("a hidden tab is not scanned until it becomes visible", async () => {
  const { window, document, close } = loadHtml("<p>113-4820571-0038214</p>");
  let state = "hidden";
  Object.defineProperty(document, "visibilityState", { get: () => state, configurable: true });
  const found = [];
  const scanner = new Scanner({ onMatch: (n, m) => found.push(m.orderId) });
  const ac = new AbortController();
  await watch(document.body, scanner, ac.signal);
  document.body.append(Object.assign(document.createElement("p"), { textContent: "114-7395082-5521640" }));
  await settle(window);
  assert.deepEqual(found, []);
  state = "visible";
  document.dispatchEvent(new window.Event("visibilitychange"));
  await settle(window);
  assert.deepEqual(found.sort(), ["113-4820571-0038214", "114-7395082-5521640"]);
  ac.abort();
  await close();
});

test("hidden content is not badged until the page shows it; then only that part is scanned again", async () => {
  const { window, document, found, close, controller, scanner } = await scanFixture("zendesk");
  const oldTab = document.querySelector("[data-test-id='ticket-main'][hidden]");
  assert.ok(!found.includes("113-6602417-9915083"), "the hidden workspace tab is skipped");
  // The agent switches to the other tab: Zendesk drops `hidden`, and hides the current one.
  const current = document.querySelector("[data-test-id='ticket-main']:not([hidden])");
  current.hidden = true;
  oldTab.hidden = false;
  await settle(window);
  assert.deepEqual(found.filter((id) => id === "113-6602417-9915083"), ["113-6602417-9915083"]);
  // Inline display:none (collapsed panes) counts as hidden too, and showing it again rescans it.
  const pane = Object.assign(document.createElement("div"), { innerHTML: "<p>Order 111-9247310-4408372</p>" });
  pane.style.display = "none";
  oldTab.append(pane);
  await settle(window);
  assert.ok(!found.includes("111-9247310-4408372"));
  const before = scanner.matches;
  pane.style.removeProperty("display");
  await settle(window);
  assert.ok(found.includes("111-9247310-4408372"));
  assert.equal(scanner.matches - before, 1, "only the revealed pane is new work");
  // Style changes that show nothing (the page animating) queue no work.
  const batches = scanner.batches;
  for (let i = 0; i < 20; i += 1) oldTab.style.opacity = String(i / 20);
  await settle(window);
  assert.equal(scanner.batches, batches);
  controller.abort();
  await close();
});

test("ids in a reply editor or field inside hidden content stay skipped when it is shown", async () => {
  const { window, document, close } = loadHtml("<div id=d hidden><textarea>113-4820571-0038214</textarea><p>114-7395082-5521640</p></div>");
  const found = [];
  const scanner = new Scanner({ onMatch: (n, m) => found.push(m.orderId) });
  const ac = new AbortController();
  await watch(document.body, scanner, ac.signal);
  assert.deepEqual(found, []);
  document.getElementById("d").removeAttribute("hidden");
  await settle(window);
  assert.deepEqual(found, ["114-7395082-5521640"]);
  ac.abort();
  await close();
});

test("every root added in one mutation batch is scanned, also right after a scan ended", async () => {
  const { window, document, close } = loadHtml("<main id=m><p>no ids yet</p></main>");
  const found = [];
  const { scanner, hooks } = badging(document, (n, m) => found.push(m.orderId));
  const ac = new AbortController();
  await watch(document.body, scanner, ac.signal, hooks);
  // One task adds two roots: the first scan ends before the second root is queued.
  const main = document.getElementById("m");
  main.append(Object.assign(document.createElement("p"), { textContent: "first 113-4820571-0038214" }));
  main.append(Object.assign(document.createElement("p"), { textContent: "second 114-7395082-5521640" }));
  await settle(window);
  assert.deepEqual(found, ["113-4820571-0038214", "114-7395082-5521640"]);
  // The same straight through the scanner: add() right after a finished run starts a new one.
  const extra = Object.assign(document.createElement("p"), { textContent: "third 111-9247310-4408372" });
  main.append(extra);
  await Promise.all([scanner.add(document.createElement("p")), scanner.add(extra)]);
  assert.ok(found.includes("111-9247310-4408372"));
  ac.abort();
  await close();
});

test("a list re-rendered twice 25 ms apart ends with badges on the live copy and no dead copies", async () => {
  const html = "<li>Order 113-4820571-0038214</li><li>Order 114-7395082-5521640</li>";
  const { window, document, close } = loadHtml(`<main><ul id=list>${html}</ul></main>`);
  const { scanner, ours, hooks } = badging(document);
  const ac = new AbortController();
  // The badge hooks of the content script: copies of our badges the page makes are dropped.
  hooks.onAdded = (node) => { for (const b of node.querySelectorAll("b")) if (!ours.has(b)) b.remove(); };
  await watch(document.body, scanner, ac.signal, hooks);
  const swap = () => {
    const old = document.getElementById("list");
    const copy = document.createElement("ul");
    copy.id = "list";
    copy.innerHTML = old.innerHTML; // a framework re-rendering from the DOM it sees, badges included
    old.replaceWith(copy);
  };
  await new Promise((resolve) => setTimeout(() => { swap(); setTimeout(() => { swap(); resolve(); }, 25); }, 0));
  await settle(window);
  const live = document.getElementById("list");
  assert.equal(live.querySelectorAll("b").length, 2, "one badge per id on the live list");
  assert.ok([...live.querySelectorAll("b")].every((b) => ours.has(b)), "no copy of a badge is left");
  ac.abort();
  await close();
});

test("a changed text loses the badge that named its old id (onText), and is badged anew", async () => {
  const { window, document, close } = loadHtml("<main><p id=p>Order 113-4820571-0038214</p></main>");
  const { scanner, ours, hooks } = badging(document);
  hooks.onText = (node) => { if (ours.has(node.nextSibling)) node.nextSibling.remove(); };
  const ac = new AbortController();
  await watch(document.body, scanner, ac.signal, hooks);
  const text = document.getElementById("p").firstChild;
  text.data = "Order 114-7395082-5521640";
  await settle(window);
  assert.equal(document.getElementById("p").querySelectorAll("b").length, 1);
  ac.abort();
  await close();
});

test("with the browser's XPath, only long texts holding a hyphen are read (the same ids found)", async () => {
  const { window, document, close } = loadFixture("zendesk");
  const read = [];
  // happy-dom has no XPath: the browsers' document.evaluate, for the candidate query spdesk sends.
  document.evaluate = (query, root, resolver, type) => {
    assert.match(query, /string-length\(\) >= 19 and contains\(\., '-'\)/);
    assert.equal(type, 7);
    const walker = document.createTreeWalker(root, 4);
    const list = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.data.length >= 19 && n.data.includes("-")) list.push(n);
    return { snapshotLength: list.length, snapshotItem: (i) => { read.push(list[i]); return list[i]; } };
  };
  const adapter = pickAdapter(window.location, document);
  const found = [];
  const scanner = new Scanner({ onMatch: (node, m) => adapter.inScope(node) && found.push(m.orderId) });
  const ac = new AbortController();
  await watch(document.body, scanner, ac.signal);
  assert.deepEqual(found.sort(), [...EXPECTED.zendesk].sort());
  assert.ok(read.every((n) => n.data.includes("-")));
  ac.abort();
  await close();
});
