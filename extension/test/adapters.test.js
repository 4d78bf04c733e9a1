import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { ADAPTERS, pickAdapter } from "../src/content/adapters/index.js";
import { resetWarnings } from "../src/content/adapters/base.js";
import { fixtureNames, loadFixture, loadHtml } from "./helpers/dom.js";

const ADAPTER_DIR = new URL("../src/content/adapters/", import.meta.url);
const HOSTS = {
  zendesk: "https://acme.zendesk.com/agent/tickets/4711",
  freshdesk: "https://acme.freshdesk.com/a/tickets/1288",
  gorgias: "https://acme.gorgias.com/app/ticket/99",
  helpscout: "https://secure.helpscout.net/conversation/3302/",
  gmail: "https://mail.google.com/mail/u/0/#inbox/FMfcgz",
};

test("every adapter file is registered, and every adapter has a fixture page", () => {
  const files = readdirSync(ADAPTER_DIR).filter((f) => f.endsWith(".js") && !["index.js", "base.js"].includes(f));
  assert.deepEqual(files.map((f) => f.slice(0, -3)).sort(), ADAPTERS.map((a) => a.id).sort());
  const fixtures = fixtureNames();
  for (const adapter of ADAPTERS) assert.ok(fixtures.includes(adapter.id), `fixture ${adapter.id}.html`);
  assert.equal(ADAPTERS.at(-1).id, "generic", "the fallback comes last");
});

test("each selector alternative carries a comment saying what it is for", () => {
  for (const adapter of ADAPTERS) {
    const source = readFileSync(new URL(`${adapter.id}.js`, ADAPTER_DIR), "utf8");
    for (const selectors of Object.values(adapter.selectors)) {
      for (const selector of selectors) {
        const line = source.split("\n").find((l) => l.trim().startsWith(`${JSON.stringify(selector)},`));
        assert.match(line ?? "", /\/\/ \S/, `${adapter.id}: ${selector}`);
      }
    }
  }
});

for (const adapter of ADAPTERS) {
  test(`${adapter.id}: recognised on its fixture page, finds ticket, messages and reply box`, async () => {
    const { window, document, close } = loadFixture(adapter.id);
    assert.equal(pickAdapter(window.location, document).id, adapter.id, "by DOM signature on another host");
    const root = adapter.ticketRoot(document);
    assert.ok(root, "ticket root");
    assert.equal(root.closest("[hidden]"), null, "never a hidden tab");
    assert.ok(adapter.messageNodes(document).length >= 1, "messages");
    const editor = adapter.replyEditor(document);
    assert.ok(editor, "reply editor");
    assert.ok(editor.matches("textarea, [contenteditable='true'], iframe"));
    await close();
  });
}

for (const [id, url] of Object.entries(HOSTS)) {
  test(`${id}: recognised by its host name on an empty page`, async () => {
    const { window, document, close } = loadHtml("<p>loading…</p>", { url });
    assert.equal(pickAdapter(window.location, document).id, id);
    await close();
  });
}

test("editor-only fixture pages fall back to the generic adapter, which finds each editor", async () => {
  for (const name of fixtureNames().filter((n) => n.startsWith("editor-"))) {
    const { window, document, close } = loadFixture(name);
    const adapter = pickAdapter(window.location, document);
    assert.equal(adapter.id, "generic", name);
    assert.ok(adapter.replyEditor(document), name);
    await close();
  }
});

test("a selector list that matches nothing warns once, naming adapter and selector", async (t) => {
  resetWarnings();
  const warn = t.mock.method(console, "warn", () => {});
  const { document, close } = loadHtml("<p>nothing here</p>", { url: "https://acme.zendesk.com/" });
  const zendesk = ADAPTERS.find((a) => a.id === "zendesk");
  assert.equal(zendesk.replyEditor(document), null);
  assert.equal(zendesk.replyEditor(document), null);
  assert.deepEqual(zendesk.messageNodes(document), []);
  const messages = warn.mock.calls.map((c) => c.arguments[0]);
  assert.equal(messages.filter((m) => m.includes("zendesk.replyEditor")).length, 1);
  assert.equal(messages.filter((m) => m.includes("zendesk.ticketRoot")).length, 1);
  await close();
});
