import assert from "node:assert/strict";
import { test } from "node:test";
import { pickAdapter } from "../src/content/adapters/index.js";
import { editorKind, insertReply, resolveEditable } from "../src/content/reply.js";
import { fixtureNames, loadFixture, loadHtml, settle } from "./helpers/dom.js";

const REPLY = "We have issued a refund of $14.03 for your order 113-4820571-0038214.\nReference: SPD-7Q3M9Z8X";

// What each fixture's editor is, and how the text reaches its model in happy-dom (no execCommand).
const EXPECTED = {
  zendesk: ["prosemirror", "paste"],
  freshdesk: ["froala", "paste"],
  gorgias: ["draftjs", "paste"],
  helpscout: ["redactor", "paste"],
  gmail: ["gmail", "dom"],
  generic: ["textarea", "value"],
  "editor-textarea": ["textarea", "value"],
  "editor-quill": ["quill", "paste"],
  "editor-tinymce": ["tinymce", "paste"],
  "editor-ckeditor5": ["ckeditor5", "paste"],
  "editor-summernote": ["summernote", "dom"],
  "hidden-editor": ["textarea", "value"],
  navigation: ["textarea", "value"],
  hostile: ["textarea", "value"],
  rerender: null, // a list page: no reply box at all
};

test("every fixture page has an expectation here", () => {
  assert.deepEqual(Object.keys(EXPECTED).sort(), fixtureNames());
});

for (const [name, [kind, method]] of Object.entries(EXPECTED).filter(([, expected]) => expected)) {
  test(`${name}: the reply lands in the ${kind} editor and the page's editor model notices`, async () => {
    const { window, document, close } = loadFixture(name);
    await settle(window);
    const target = pickAdapter(window.location, document).replyEditor(document);
    const before = window.fixtureEditor.changes;
    const { editor, ...result } = insertReply(target, REPLY);
    await settle(window);
    assert.deepEqual(result, { ok: true, kind, method });
    assert.ok(editor.isConnected);
    const model = window.fixtureEditor.model;
    assert.ok(window.fixtureEditor.changes > before, "the editor saw a change");
    assert.ok(model.includes("113-4820571-0038214") && model.includes("Reference: SPD-7Q3M9Z8X"), model);
    assert.equal(document.querySelector("[data-fixture-send]").disabled, false, "the helpdesk enables Send");
    await close();
  });
}

test("existing text is kept and the reply starts after a blank line", async () => {
  const { window, document, close } = loadFixture("generic");
  insertReply(document.getElementById("reply"), "Done.");
  assert.equal(window.fixtureEditor.model, "Notes about 112-8850364-1209736\n\nDone.");
  await close();
});

test("gmail: the reply goes above the signature, without a leading blank line", async () => {
  const { window, document, close } = loadFixture("gmail");
  const editor = document.querySelector("div[role='textbox'][g_editable='true']");
  insertReply(editor, "Done.");
  await settle(window);
  assert.ok(editor.querySelector(".gmail_signature"), "signature kept");
  assert.equal(editor.textContent.indexOf("Done.") < editor.textContent.indexOf("Acme Shop"), true);
  assert.equal(window.fixtureEditor.model, "Done.");
  await close();
});

test("with the agent's caret inside the editor, the reply goes there, not at the end", async () => {
  const { window, document, close } = loadHtml("<div id=e contenteditable=true><p id=a>Hello,</p><p id=b>Regards</p></div>");
  const selection = document.getSelection();
  const range = document.createRange();
  range.setStart(document.getElementById("a").firstChild, 6);
  range.collapse(true);
  selection.removeAllRanges();
  selection.addRange(range);
  let inputs = 0;
  document.getElementById("e").addEventListener("input", () => { inputs += 1; });
  const result = insertReply(document.getElementById("e"), " refund done");
  assert.equal(result.method, "dom");
  assert.equal(inputs, 1);
  assert.equal(document.getElementById("a").textContent, "Hello, refund done");
  assert.equal(document.getElementById("b").textContent, "Regards");
  await close();
});

test("the editable root is found from a wrapper, an iframe or the element itself", async () => {
  const { window, document, close } = loadFixture("editor-quill");
  assert.ok(resolveEditable(document.getElementById("quill")).classList.contains("ql-editor"));
  assert.equal(editorKind(resolveEditable(document.getElementById("quill"))), "quill");
  await close();
  const tiny = loadFixture("editor-tinymce");
  await settle(tiny.window);
  const body = resolveEditable(tiny.document.getElementById("reply_ifr"));
  assert.equal(body.id, "tinymce");
  assert.equal(editorKind(body), "tinymce");
  await tiny.close();
});

test("no editor: a clear code instead of an exception, and nothing changes", async () => {
  const { document, close } = loadHtml("<p>read-only page</p>");
  assert.deepEqual(insertReply(null, REPLY), { ok: false, code: "no_reply_editor" });
  assert.deepEqual(insertReply(document.querySelector("p"), REPLY), { ok: false, code: "no_reply_editor" });
  assert.equal(document.body.textContent, "read-only page");
  await close();
});

test("never submits: no form submit and no click on the page's buttons", async () => {
  const { window, document, close } = loadFixture("generic");
  let submitted = 0;
  let clicked = 0;
  document.querySelector("form").addEventListener("submit", (e) => { e.preventDefault(); submitted += 1; });
  document.querySelector("[data-fixture-send]").addEventListener("click", () => { clicked += 1; });
  insertReply(document.getElementById("reply"), REPLY);
  await settle(window);
  assert.equal(submitted + clicked, 0);
  await close();
});
