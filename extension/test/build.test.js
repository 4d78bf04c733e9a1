/** The packaging: per-browser manifests, deterministic ZIPs, a CRX3 signed with the development key. */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPublicKey, verify } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { inflateRawSync } from "node:zlib";
import { check, manifestFor, shippedFiles } from "../../packaging/build-extension.mjs";
import { extensionId, publicKeyDer } from "../../packaging/zip.mjs";

const SCRIPT = new URL("../../packaging/build-extension.mjs", import.meta.url).pathname;
const SRC = new URL("../", import.meta.url).pathname;
const KEY_PEM = readFileSync(new URL("../../packaging/keys/chrome-dev-key.pem", import.meta.url), "utf8");
const MANIFEST = JSON.parse(readFileSync(new URL("../manifest.json", import.meta.url), "utf8"));
/** The id documented in docs/extension.md: the Origin the companion sees from Chrome. */
const CHROME_ID = "ibechjjblnfhmdepfahabhaggbnemnij";

/** Reads a ZIP's entries through its central directory. */
function unzip(buf) {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const entries = new Map();
  for (let i = 0; i < count; i += 1) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50);
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString("utf8");
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataAt, dataAt + size);
    entries.set(name, method === 8 ? inflateRawSync(raw) : raw);
    at += 46 + nameLen;
  }
  return entries;
}

function varint(buf, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

/** Length-delimited protobuf fields of a message: [[number, bytes], …]. */
function fields(buf) {
  const out = [];
  for (let at = 0; at < buf.length;) {
    let tag;
    let len;
    [tag, at] = varint(buf, at);
    [len, at] = varint(buf, at);
    out.push([Math.floor(tag / 8), buf.subarray(at, at + len)]);
    at += len;
  }
  return out;
}

describe("build-extension", () => {
  let out;
  const read = (name) => readFileSync(join(out, name));
  before(() => {
    out = mkdtempSync(join(tmpdir(), "spdesk-build-"));
    execFileSync("node", [SCRIPT, "--out", out], { cwd: SRC, stdio: "pipe" });
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  test("Chrome gets the service worker and the key; Firefox the scripts and its gecko settings", () => {
    const chrome = JSON.parse(read("chrome/manifest.json"));
    assert.deepEqual(chrome.background, { service_worker: "src/background/main.js", type: "module" });
    assert.equal(chrome.browser_specific_settings, undefined);
    assert.equal(chrome.key, MANIFEST.key);
    const firefox = JSON.parse(read("firefox/manifest.json"));
    assert.deepEqual(firefox.background, { scripts: ["src/background/main.js"], type: "module" });
    assert.equal(firefox.key, undefined);
    assert.equal(firefox.browser_specific_settings.gecko.id, "spdesk@spdesk.dev");
    assert.deepEqual(firefox.browser_specific_settings.gecko.data_collection_permissions, { required: ["none"] });
    for (const manifest of [chrome, firefox]) {
      assert.deepEqual(manifest.host_permissions, ["http://127.0.0.1/*", "http://localhost/*"]);
      assert.deepEqual(manifest.optional_host_permissions, ["https://*/*", "http://*/*"]);
    }
  });

  test("the ZIPs hold exactly the shipped files, never tests or node_modules", () => {
    const files = shippedFiles(SRC);
    for (const browser of ["chrome", "firefox"]) {
      const entries = unzip(read(`spdesk-${browser}-${MANIFEST.version}.zip`));
      assert.deepEqual([...entries.keys()], files);
      assert.deepEqual(JSON.parse(entries.get("manifest.json")), manifestFor(browser, MANIFEST, { store: true }));
      assert.equal(JSON.parse(entries.get("manifest.json")).key, undefined, "stores refuse a key field");
      assert.deepEqual(entries.get("src/background/main.js"), readFileSync(join(SRC, "src/background/main.js")));
      assert.ok(![...entries.keys()].some((name) => /^(test|node_modules)\/|package(-lock)?\.json$/.test(name)));
    }
  });

  test("builds are byte-identical", () => {
    const again = mkdtempSync(join(tmpdir(), "spdesk-build-"));
    try {
      execFileSync("node", [SCRIPT, "--out", again], { cwd: SRC, stdio: "pipe" });
      for (const name of [`spdesk-chrome-${MANIFEST.version}.zip`, `spdesk-firefox-${MANIFEST.version}.zip`, `spdesk-chrome-${MANIFEST.version}.crx`]) {
        assert.ok(readFileSync(join(again, name)).equals(read(name)), name);
      }
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  test("the CRX3 is signed by the development key, whose id is the documented one", () => {
    const crx = read(`spdesk-chrome-${MANIFEST.version}.crx`);
    assert.equal(crx.subarray(0, 4).toString(), "Cr24");
    assert.equal(crx.readUInt32LE(4), 3);
    const headerLen = crx.readUInt32LE(8);
    const header = fields(crx.subarray(12, 12 + headerLen));
    const zipBytes = crx.subarray(12 + headerLen);
    assert.ok(zipBytes.equals(read(`spdesk-chrome-${MANIFEST.version}.zip`)));
    const [proof] = header.filter(([n]) => n === 2).map(([, b]) => Object.fromEntries(fields(b)));
    const [signedData] = header.filter(([n]) => n === 10000).map(([, b]) => b);
    const pub = proof[1];
    assert.ok(pub.equals(Buffer.from(MANIFEST.key, "base64")), "manifest.key is the CRX key");
    assert.equal(extensionId(pub), CHROME_ID);
    assert.equal(extensionId(publicKeyDer(KEY_PEM)), CHROME_ID);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(signedData.length);
    const payload = Buffer.concat([Buffer.from("CRX3 SignedData\x00", "binary"), len, signedData, zipBytes]);
    const key = createPublicKey({ key: pub, format: "der", type: "spki" });
    assert.ok(verify("sha256", payload, key, proof[2]), "signature verifies");
    const crxId = Object.fromEntries(fields(signedData))[1];
    assert.equal([...crxId].map((b) => b.toString(16).padStart(2, "0")).join("").replace(/./g, (c) => String.fromCharCode(97 + parseInt(c, 16))), CHROME_ID);
  });

  test("--grant adds host permissions for test builds only", () => {
    const granted = manifestFor("chrome", MANIFEST, { grant: ["http://helpdesk.test/*"] });
    assert.deepEqual(granted.host_permissions, ["http://127.0.0.1/*", "http://localhost/*", "http://helpdesk.test/*"]);
    assert.deepEqual(manifestFor("chrome", MANIFEST).host_permissions, MANIFEST.host_permissions);
  });
});

test("check reports missing files, locale keys and broken imports", () => {
  const manifest = { ...MANIFEST, description: "__MSG_nope__" };
  const files = ["manifest.json", "_locales/en/messages.json", "src/background/main.js", "src/a.js", "src/content/app.js", "src/content/extra.js", "src/shared/domain.js"];
  const texts = {
    "_locales/en/messages.json": JSON.stringify({ extName: { message: "spdesk" } }),
    "src/background/main.js": 'import { x } from "./gone.js";',
    "src/a.js": 'import("../src/b.js");',
    "src/content/app.js": 'import { y } from "../shared/domain.js";',
    "src/content/extra.js": "",
    "src/shared/domain.js": "",
  };
  const problems = check(files, manifest, (f) => texts[f]);
  assert.ok(problems.includes("manifest refers to missing src/popup/popup.html"));
  assert.ok(problems.includes("manifest uses __MSG_nope__ missing from _locales/en"));
  assert.ok(problems.includes("src/background/main.js imports missing src/background/gone.js"));
  assert.ok(problems.includes("src/a.js imports missing src/b.js"));
  // Nothing may be web-accessible; the content entry must bundle (every module there, plain forms).
  const exposed = check(files, { ...MANIFEST, web_accessible_resources: [{ resources: ["src/content/*.js"], matches: ["https://*/*"] }] }, (f) => texts[f] ?? "");
  assert.ok(exposed.includes("web_accessible_resources exposes files to every site; spdesk needs none"));
  const entry = [...files, "src/content/main.js"];
  const broken = check(entry, MANIFEST, (f) => ({ ...texts, "src/content/main.js": 'import { start } from "./app.js";\nexport { start };' })[f] ?? "");
  assert.ok(broken.some((p) => p.startsWith("src/content/main.js cannot be bundled:")), broken.join("; "));
});

test("one source manifest, two browsers: Chrome's side panel, Firefox's sidebar, each with its shortcut", () => {
  const chrome = manifestFor("chrome", MANIFEST);
  const firefox = manifestFor("firefox", MANIFEST);
  assert.equal(chrome.side_panel.default_path, "src/sidepanel/sidepanel.html");
  assert.equal(chrome.sidebar_action, undefined);
  assert.ok(chrome.permissions.includes("sidePanel"));
  assert.deepEqual(Object.keys(chrome.commands), ["open-panel"]);
  assert.equal(firefox.sidebar_action.default_panel, chrome.side_panel.default_path, "the same page in both");
  assert.equal(firefox.side_panel, undefined);
  assert.ok(!firefox.permissions.includes("sidePanel"));
  assert.deepEqual(Object.keys(firefox.commands), ["_execute_sidebar_action"]);
  assert.equal(firefox.commands._execute_sidebar_action.suggested_key.default, chrome.commands["open-panel"].suggested_key.default);
  // No web-accessible resource: no site can fetch a file of spdesk to learn it is installed.
  assert.equal(chrome.web_accessible_resources, undefined);
  assert.equal(firefox.web_accessible_resources, undefined);
});

test("the content script ships as one classic file that runs: badges on a ticket, no module left", async () => {
  const { bundle } = await import("../../packaging/bundle.mjs");
  const { loadFixture, settle } = await import("./helpers/dom.js");
  const code = bundle("src/content/main.js", (f) => readFileSync(new URL(`../${f}`, import.meta.url), "utf8"));
  assert.doesNotMatch(code, /^\s*(import|export)\b/m, "no module syntax left");
  const page = loadFixture("zendesk");
  const sent = [];
  page.window.chrome = { runtime: { id: CHROME_ID, sendMessage: async (m) => { sent.push(m); return { ok: true, data: {} }; },
    onMessage: { addListener() {}, removeListener() {} } }, i18n: { getMessage: () => "" } };
  page.window.eval(code);
  await settle(page.window);
  const reports = sent.filter((m) => m.action === "ticketState");
  assert.deepEqual([...reports.at(-1).args.orders], ["114-7395082-5521640"]);
  page.window.eval(code); // injected again (registration and executeScript): it starts once
  await settle(page.window);
  assert.equal(sent.filter((m) => m.action === "ticketState").length, reports.length);
  await page.close();
});
