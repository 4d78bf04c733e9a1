/**
 * Firefox end to end: pair through the options page, then detect → panel → partial refund →
 * succeeded → insert reply, in firefox-esr driven over WebDriver BiDi by puppeteer-core.
 * Usage: node refund.mjs '<json config>'; prints one JSON object with what it saw.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const config = JSON.parse(process.argv[2]);
const seen = { steps: [] };
const step = (name, extra = {}) => seen.steps.push({ name, at: Date.now(), ...extra });
const TIMEOUT = 20_000;

/** Handles to the closed shadow roots of every element matching `selector` (BiDi can reach them). */
async function closedShadowRoots(page, selector) {
  const realm = page.mainFrame().mainRealm().realm;
  const found = await realm.callFunction(`() => [...document.querySelectorAll(${JSON.stringify(selector)})]`, false, {
    serializationOptions: { maxDomDepth: 0, includeShadowTree: "all" },
    resultOwnership: "root",
  });
  const roots = [];
  for (const host of found.result.value ?? []) {
    const shadow = host.value?.shadowRoot;
    if (!shadow) continue;
    await realm.callFunction("(root) => { globalThis.__spdeskE2eRoot = root; }", false, { arguments: [{ sharedId: shadow.sharedId }] });
    roots.push(await page.evaluateHandle("(() => { const r = globalThis.__spdeskE2eRoot; delete globalThis.__spdeskE2eRoot; return r; })()"));
  }
  return roots;
}

async function shot(handle, name) {
  mkdirSync(config.artifacts, { recursive: true });
  await handle.screenshot({ path: join(config.artifacts, `${name}.png`) });
}

async function waitForText(handle, selector, needle) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const text = await handle.$eval(selector, (el) => el.innerText).catch(() => "");
    if (text.includes(needle)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(needle)} in ${selector}; saw ${JSON.stringify(text)}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // polling interval with a deadline
  }
}

async function pairInOptions(browser, panel) {
  const before = new Set(await browser.pages());
  await (await panel.waitForSelector("button[data-spdesk='pair']")).click();
  // The extension opens its options page in a new tab; BiDi may first report it as about:blank.
  let options = null;
  const deadline = Date.now() + TIMEOUT;
  while (!options) {
    for (const candidate of await browser.pages()) {
      if (before.has(candidate)) continue;
      const href = await candidate.evaluate(() => location.href).catch(() => "");
      if (href.startsWith(`moz-extension://${config.uuid}/`)) options = candidate;
    }
    if (Date.now() > deadline) throw new Error("the options page never opened");
    if (!options) await new Promise((resolve) => setTimeout(resolve, 50)); // polling interval
  }
  step("options opened", { url: await options.evaluate(() => location.href) });
  const url = await options.waitForSelector("#companion-url");
  await url.click({ count: 3 });
  await url.type(config.companionUrl);
  await (await options.$("#companion-form button[type='submit']")).click();
  await (await options.waitForSelector("#pair-code")).type(config.pairingCode);
  await (await options.$("#pair-form button[type='submit']")).click();
  const state = await options.waitForSelector("#pair-state[data-kind='ok']", { timeout: TIMEOUT });
  seen.pairState = await state.evaluate((el) => el.textContent);
  await options.screenshot({ path: join(config.artifacts, "firefox-options-paired.png") });
  step("paired");
  // Every refund names its agent: the agent says who they are once, in the same page.
  await (await options.$("#agent-name")).type("Anna");
  await (await options.$("#agent-form button[type='submit']")).click();
  await options.waitForSelector("#agent-message:not([hidden])", { timeout: TIMEOUT });
  step("agent named");
  await options.close();
}

async function refund(page, panel) {
  await (await panel.waitForSelector("[data-spdesk='order'] button[data-spdesk='refund']")).click();
  const dialog = await panel.waitForSelector("[role='dialog']");
  await (await dialog.$("input[data-spdesk='mode-partial']")).click();
  const field = await dialog.waitForSelector(`input[data-item='${config.itemCode}'][data-component='Principal']`);
  await field.type(config.amount);
  await (await dialog.$("select[data-spdesk='reason']")).select("CustomerReturn");
  const confirm = await dialog.waitForSelector("button[data-spdesk='confirm']:not([disabled])");
  seen.confirmLabel = await confirm.evaluate((el) => el.textContent);
  await shot(dialog, "firefox-refund-dialog");
  await confirm.click();
  step("confirmed");
  const done = await dialog.waitForSelector("p.status[data-state='succeeded'], p.status[data-state='failed'], p.status[data-state='unknown']", { timeout: TIMEOUT });
  seen.finalState = await done.evaluate((el) => el.dataset.state);
  seen.statusText = await done.evaluate((el) => el.textContent);
  step("final", { state: seen.finalState });
  await shot(dialog, "firefox-refund-done");
  if (seen.finalState !== "succeeded") return;
  // The saved page mirrors its editor's model the way the helpdesk reads it (window.fixtureEditor).
  seen.editorBefore = await page.evaluate(() => ({ ...globalThis.fixtureEditor }));
  await (await dialog.waitForSelector("button[data-spdesk='insert-reply']")).click();
  // The panel steps aside to its rail: the helpdesk's Send button takes a click at its centre.
  await panel.waitForSelector("[data-spdesk='rail'] [data-result='inserted']", { timeout: TIMEOUT });
  seen.editorAfter = await page.evaluate(() => ({ ...globalThis.fixtureEditor }));
  seen.sendUncovered = await page.evaluate(() => {
    const send = document.querySelector("[data-fixture-send]");
    const box = send.getBoundingClientRect();
    return document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2) === send;
  });
  await page.screenshot({ path: join(config.artifacts, "firefox-reply-inserted.png") });
  step("reply inserted");
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
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(config.ticketUrl);
    await page.waitForSelector(`html[data-spdesk='${config.adapter}']`, { timeout: TIMEOUT });
    await page.waitForSelector(`spdesk-badge[data-spdesk-order='${config.orderId}']`, { timeout: TIMEOUT });
    seen.badges = await page.$$eval("spdesk-badge", (els) => els.map((el) => el.dataset.spdeskOrder));
    step("detected");
    const [badge] = await closedShadowRoots(page, `spdesk-badge[data-spdesk-order='${config.orderId}']`);
    await (await badge.waitForSelector("button")).click();
    const [panel] = await closedShadowRoots(page, "spdesk-panel");
    const notPaired = await panel.waitForSelector("[data-spdesk='error']", { timeout: TIMEOUT });
    seen.unpairedCode = await notPaired.evaluate((el) => el.dataset.code);
    await shot(await panel.$("aside"), "firefox-panel-not-paired");
    await pairInOptions(browser, panel);
    await page.bringToFront();
    // The panel reloads by itself once the companion answers; "Try again" is the manual way.
    const next = await panel.waitForSelector("[data-spdesk='order'], button[data-spdesk='retry']", { timeout: TIMEOUT });
    if (await next.evaluate((el) => el.dataset.spdesk === "retry")) await next.click();
    await panel.waitForSelector("[data-spdesk='order']", { timeout: TIMEOUT });
    seen.panelText = await panel.$eval("aside", (el) => el.innerText);
    await shot(await panel.$("aside"), "firefox-panel");
    step("order shown");
    await refund(page, panel);
  } catch (err) {
    // What the agent would have seen when it went wrong: the page and our panel's text.
    if (page) {
      seen.failedAt = page.url();
      seen.openPages = await Promise.all((await browser.pages()).map((p) => p.url())).catch((e) => String(e));
      seen.targets = browser.targets().map((t) => `${t.type()} ${t.url()}`);
      await page.screenshot({ path: join(config.artifacts, "firefox-failure.png") }).catch(() => {});
      const [panel] = await closedShadowRoots(page, "spdesk-panel").catch(() => []);
      seen.panelTextAtFailure = panel ? await panel.$eval("aside", (el) => el.innerText).catch(() => null) : null;
      seen.dialogTextAtFailure = panel ? await panel.$eval("[role='dialog']", (el) => el.innerText).catch(() => null) : null;
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
