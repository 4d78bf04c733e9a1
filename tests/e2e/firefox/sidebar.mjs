/**
 * Firefox end to end, in firefox-esr driven over WebDriver BiDi by puppeteer-core: a badge click
 * (Firefox does not let it open the sidebar: the badge says how), pairing in the options page,
 * then the order panel — the sidebar's page, opened as a tab pinned to the ticket's tab — for a
 * partial refund and reply, tickets changing without a page load, a class-hidden reply editor,
 * a hostile page, and the helpdesk's Send button at two window sizes.
 * Usage: node sidebar.mjs '<json config>'; prints one JSON object with what it saw.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const config = JSON.parse(process.argv[2]);
const seen = { steps: [] };
const step = (name, extra = {}) => {
  seen.steps.push({ name, at: Date.now(), ...extra });
  process.stderr.write(`step: ${name}\n`); // progress, for a run that does not finish
};
const TIMEOUT = 20_000;
const EXT = `moz-extension://${config.uuid}/`;

/** Polls `check` until it returns something truthy (a polling interval with a deadline). */
async function until(check, what) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const value = await check().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** spdesk's badges of an order: the element right after a text ending with the id. */
function badgesOf(orderId) {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const next = node.nextSibling;
    if (node.data.endsWith(orderId) && next?.nodeType === 1 && next.localName.includes("-") && !next.childNodes.length) found.push(next);
  }
  return found;
}

/** The closed shadow root of the first badge of an order (BiDi can reach closed roots). */
async function badgeRoot(page, orderId) {
  const realm = page.mainFrame().mainRealm().realm;
  const found = await realm.callFunction(`() => (${badgesOf})(${JSON.stringify(orderId)})`, false, {
    serializationOptions: { maxDomDepth: 0, includeShadowTree: "all" }, resultOwnership: "root",
  });
  const shadow = found.result.value?.[0]?.value?.shadowRoot;
  if (!shadow) return null;
  await realm.callFunction("(root) => { globalThis.__spdeskE2eRoot = root; }", false, { arguments: [{ sharedId: shadow.sharedId }] });
  return page.evaluateHandle("(() => { const r = globalThis.__spdeskE2eRoot; delete globalThis.__spdeskE2eRoot; return r; })()");
}

async function pageAt(browser, prefix, what) {
  return until(async () => {
    for (const candidate of await browser.pages()) {
      const href = await candidate.evaluate(() => location.href).catch(() => "");
      if (href.startsWith(prefix)) return candidate;
    }
    return null;
  }, what);
}

async function shot(page, name) {
  mkdirSync(config.artifacts, { recursive: true });
  await page.screenshot({ path: join(config.artifacts, `${name}.png`) });
}

const panelText = (panel, selector = "body") => panel.$eval(selector, (el) => el.innerText).catch(() => "");

async function orderShown(panel, orderId) {
  await panel.waitForSelector(`[data-spdesk='order'][data-order='${orderId}']`, { timeout: TIMEOUT });
}

/** What the ticket's content script answered to Insert reply / Insert internal note. */
async function insert(panel, kind) {
  await panel.bringToFront();
  await (await panel.waitForSelector(`[role='dialog'] button[data-spdesk='insert-${kind}']`)).click();
  return until(() => panel.$eval("[role='dialog'] [data-spdesk='insert-result']", (el) =>
    (el.textContent && !el.textContent.startsWith("Putting") ? el.dataset.result : null)), `the ${kind}'s outcome`);
}

async function confirmAndWait(panel) {
  await panel.bringToFront(); // a background tab does not render: input would wait for it
  const confirm = await panel.waitForSelector("[role='dialog'] button[data-spdesk='confirm']:not([disabled])", { timeout: TIMEOUT });
  const label = await confirm.evaluate((el) => el.innerText);
  await confirm.click();
  const done = await panel.waitForSelector("[role='dialog'] p.status[data-state='succeeded'], [role='dialog'] p.status[data-state='failed'], [role='dialog'] p.status[data-state='unknown']", { timeout: TIMEOUT });
  return { label, state: await done.evaluate((el) => el.dataset.state), text: await panelText(panel, "[role='dialog']") };
}

async function openRefund(panel, reason, amounts = []) {
  await panel.bringToFront();
  await (await panel.waitForSelector("[data-spdesk='order'] button[data-spdesk='refund']")).click();
  const dialog = await panel.waitForSelector("[role='dialog']");
  if (amounts.length) {
    await (await dialog.$("input[data-spdesk='mode-partial']")).click();
    for (const [item, component, amount] of amounts) {
      await (await dialog.waitForSelector(`input[data-item='${item}'][data-component='${component}']`)).type(amount);
    }
  }
  await (await dialog.$("select[data-spdesk='reason']")).select(reason);
  // The first money action asks for the agent's name (recorded with every action); asked once.
  const name = await dialog.$("input[data-spdesk='agent-name']");
  seen.namesAsked = (seen.namesAsked ?? 0) + (name ? 1 : 0);
  if (name) await name.type(config.agentName);
  return dialog;
}

const sendUncovered = (page) => page.evaluate(() => {
  const send = document.querySelector("[data-fixture-send]");
  send.scrollIntoView({ block: "nearest" });
  const box = send.getBoundingClientRect();
  return document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2) === send;
});

/** Pair in the options page the install opened; open the panel page pinned to the ticket's tab. */
async function pairAndOpenPanel(browser, options, ticketHost) {
  const url = await options.waitForSelector("#companion-url");
  await url.click({ count: 3 });
  await url.type(config.companionUrl);
  await (await options.$("#companion-form button[type='submit']")).click();
  await (await options.waitForSelector("#pair-code")).type(config.pairingCode);
  await (await options.$("#pair-form button[type='submit']")).click();
  await options.waitForSelector("#pair-state[data-kind='ok']", { timeout: TIMEOUT });
  step("paired");
  await options.evaluate(async (pattern) => {
    const [tab] = await browser.tabs.query({ url: pattern });
    await browser.tabs.create({ url: `/src/sidepanel/sidepanel.html?tabId=${tab.id}`, active: false });
  }, `http://${ticketHost}/*`);
  const panel = await pageAt(browser, `${EXT}src/sidepanel/sidepanel.html`, "the panel page");
  await options.close();
  return panel;
}

async function refundAndReply(page, panel) {
  const order = config.refund;
  await orderShown(panel, order.orderId);
  step("order shown");
  seen.panelText = await panelText(panel, "#panel");
  await shot(panel, "firefox-panel");
  await openRefund(panel, "CustomerReturn", [[order.itemCode, "Principal", order.amount]]);
  step("refund dialog filled");
  seen.confirmOrder = await panelText(panel, "[role='dialog'] .confirm-order");
  await shot(panel, "firefox-refund-dialog");
  const outcome = await confirmAndWait(panel);
  Object.assign(seen, { confirmLabel: outcome.label, finalState: outcome.state, statusText: outcome.text });
  step("final", { state: outcome.state });
  if (outcome.state !== "succeeded") return;
  seen.editorBefore = await page.evaluate(() => ({ ...globalThis.fixtureEditor }));
  seen.replyResult = await insert(panel, "reply");
  seen.editorAfter = await page.evaluate(() => ({ ...globalThis.fixtureEditor }));
  await page.bringToFront();
  seen.sendUncovered = await sendUncovered(page);
  await shot(page, "firefox-reply-inserted");
  await (await panel.$("[role='dialog'] button[data-spdesk='close-result']")).click();
  step("reply inserted");
}

async function navigation(page, panel) {
  const nav = config.navigation;
  await page.bringToFront();
  await page.goto(nav.url);
  await orderShown(panel, nav.orders[0]);
  await openRefund(panel, "CustomerReturn");
  await page.bringToFront();
  await page.click("#to-2"); // pjax
  await orderShown(panel, nav.orders[1]);
  seen.navigation = { dialogAfterPjax: !!(await panel.$("[role='dialog']")), notice: await panelText(panel, "[data-spdesk='notice']") };
  await page.click("#to-3"); // pushState, then render
  await orderShown(panel, nav.orders[2]);
  await page.goBack(); // popstate
  await orderShown(panel, nav.orders[1]);
  await page.click("#to-4"); // hash
  await orderShown(panel, nav.orders[3]);
  seen.navigation.followed = true;
  step("navigation followed");
}

async function hiddenEditor(page, panel) {
  const hidden = config.hidden;
  await page.bringToFront();
  await page.goto(hidden.url);
  step("hidden editor page");
  await orderShown(panel, hidden.orderId);
  await openRefund(panel, "CustomerReturn");
  step("hidden editor refund filled");
  const outcome = await confirmAndWait(panel);
  step("hidden editor refund done");
  seen.hidden = { state: outcome.state };
  if (outcome.state !== "succeeded") return;
  seen.hidden.reply = await insert(panel, "reply");
  step("hidden editor reply");
  seen.hidden.replyText = await panelText(panel, "[role='dialog'] [data-spdesk='insert-result']");
  seen.hidden.editor = await page.evaluate(() => ({ ...globalThis.fixtureEditor, value: document.getElementById("reply").value }));
  seen.hidden.note = await insert(panel, "note");
  seen.hidden.noteValue = await page.evaluate(() => document.getElementById("note").value);
  await page.evaluate(() => { document.querySelector(".toolbar").remove(); document.getElementById("reply-box").classList.add("collapsed"); });
  seen.hidden.before = await page.evaluate(() => document.getElementById("reply").value);
  seen.hidden.withoutButton = await insert(panel, "reply");
  seen.hidden.after = await page.evaluate(() => document.getElementById("reply").value);
  await (await panel.$("[role='dialog'] button[data-spdesk='close-result']")).click();
  step("hidden editor");
}

async function hostile(page, panel) {
  const attack = config.hostile;
  await page.bringToFront();
  await page.goto(attack.url);
  await orderShown(panel, attack.orderId);
  await until(() => page.evaluate(() => globalThis.fixtureHostile.attempts > 0), "the page's attacks");
  seen.hostile = { badgeVisible: await page.evaluate((id) => {
    const badge = (0, eval)(`(${id.fn})`)(id.orderId)[0];
    return Boolean(badge?.checkVisibility()) && getComputedStyle(badge).opacity === "1";
  }, { fn: badgesOf.toString(), orderId: attack.orderId }) };
  await page.bringToFront();
  let clicks = 0;
  for (let x = 40; x < 1280; x += 200) {
    for (let y = 40; y < 900; y += 150) {
      await page.mouse.click(x, y);
      clicks += 1;
    }
  }
  await page.keyboard.press("Enter");
  seen.hostile.clicks = clicks;
  seen.hostile.decoyClicks = await page.evaluate(() => globalThis.fixtureHostile.clicks);
  seen.hostile.dialogOpen = !!(await panel.$("[role='dialog']"));
  await shot(page, "firefox-hostile");
  step("hostile page");
}

async function windowSizes(page) {
  await page.bringToFront();
  await page.goto(config.sizes.url);
  seen.sizes = {};
  for (const [width, height] of [[1366, 768], [1920, 1080]]) {
    await page.setViewport({ width, height });
    seen.sizes[`${width}x${height}`] = await sendUncovered(page);
  }
}

async function main() {
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: config.firefox,
    headless: true,
    env: { ...process.env, HOME: config.home, MOZ_CRASHREPORTER_DISABLE: "1" },
    extraPrefsFirefox: {
      // A pinned UUID gives the add-on a stable moz-extension:// Origin to pair with.
      "extensions.webextensions.uuids": JSON.stringify({ [config.geckoId]: config.uuid }),
      // Fixture helpdesk names resolve to the loopback address that serves them.
      "network.dns.localDomains": config.hosts.join(","),
      // Hosted helpdesks are HTTPS (secure contexts); the plain-HTTP fixture hosts are declared so.
      "dom.securecontext.allowlist": config.hosts.join(","),
      "dom.security.https_first": false,
      "dom.security.https_first_pbm": false,
    },
  });
  let page = null;
  try {
    await browser.installExtension(config.extensionDir);
    step("installed");
    // A first install is not paired: spdesk opens its options page. Found before any other tab
    // opens, so the two are not mistaken for each other.
    const options = await pageAt(browser, `${EXT}src/options/options.html`, "the options page the install opened");
    step("options opened by the install");
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(config.refund.url);
    await until(() => page.evaluate(badgesOf, config.refund.orderId).then((b) => b.length), "the badge");
    // The agent clicks the badge: Firefox does not let a page's click open the sidebar.
    const root = await until(() => badgeRoot(page, config.refund.orderId), "the badge's root");
    await (await root.waitForSelector("button")).click();
    seen.hint = (await root.waitForSelector(".hint", { timeout: TIMEOUT }).then((h) => h.evaluate((el) => el.textContent)));
    step("badge hint");
    const panel = await pairAndOpenPanel(browser, options, config.refund.host);
    await refundAndReply(page, panel);
    await navigation(page, panel);
    await hiddenEditor(page, panel);
    await hostile(page, panel);
    await windowSizes(page);
  } catch (err) {
    if (page) {
      seen.failedAt = page.url();
      seen.openPages = await Promise.all((await browser.pages()).map((p) => p.url())).catch((e) => String(e));
      await page.screenshot({ path: join(config.artifacts, "firefox-failure.png") }).catch(() => {});
    }
    throw err;
  } finally {
    await browser.close();
  }
}

try {
  await main();
  seen.ok = true;
} catch (err) {
  seen.ok = false;
  seen.error = String(err?.stack ?? err);
}
process.stdout.write(`${JSON.stringify(seen)}\n`);
