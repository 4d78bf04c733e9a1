/** Reply and note insertion that tells the truth: visible editors only, opened where known, checked after. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { pickAdapter } from "../src/content/adapters/index.js";
import { InsertCodes, insertText, isRendered } from "../src/content/compose.js";
import { loadFixture, loadHtml, settle } from "./helpers/dom.js";

const REPLY = "We have issued a refund of $12.99 for your order 114-7395082-5521640.\nReference: SPD-7Q3M9Z8X";

test("a class-hidden editor counts as hidden; a shown one as rendered", async () => {
  const { window, document, close } = loadFixture("hidden-editor");
  assert.equal(isRendered(document.getElementById("reply")), false, "display: none from a CSS class");
  document.getElementById("reply-box").classList.remove("collapsed");
  assert.equal(isRendered(document.getElementById("reply")), true);
  await settle(window);
  await close();
});

test("the hidden reply box is opened with the helpdesk's own Reply button; the reply survives its reset", async () => {
  const { window, document, close } = loadFixture("hidden-editor");
  const adapter = pickAdapter(window.location, document);
  const result = await insertText(document, adapter, { kind: "reply", text: REPLY });
  assert.deepEqual(result, { ok: true, kind: "textarea", method: "value", opened: true });
  assert.equal(window.fixtureEditor.opened, 1, "opened once, through the page's button");
  assert.equal(document.getElementById("reply").value, REPLY, "the page emptied the stale draft first, then spdesk inserted");
  assert.equal(window.fixtureEditor.model, REPLY, "the helpdesk saw the text");
  assert.equal(document.getElementById("note").value, "", "the note box stays untouched");
  await close();
});

test("the internal note goes into the note editor, never into the reply box", async () => {
  const { window, document, close } = loadFixture("hidden-editor");
  const adapter = pickAdapter(window.location, document);
  assert.equal(adapter.hasNotes(document), true);
  const note = "spdesk: refund of $12.99 for order 114-7395082-5521640, accepted by Amazon.";
  const result = await insertText(document, adapter, { kind: "note", text: note });
  assert.equal(result.ok, true);
  assert.equal(window.fixtureEditor.note, note);
  assert.equal(window.fixtureEditor.model, "", "nothing went to the buyer's reply");
  await close();
});

test("a hidden editor without a known button: no insertion and a clear code, never a false success", async () => {
  const { window, document, close } = loadFixture("hidden-editor");
  document.querySelector(".toolbar").remove(); // a helpdesk whose Reply button spdesk does not know
  const adapter = pickAdapter(window.location, document);
  const result = await insertText(document, adapter, { kind: "reply", text: REPLY });
  assert.deepEqual(result, { ok: false, code: InsertCodes.HIDDEN });
  assert.equal(document.getElementById("reply").value, "Stale draft from yesterday", "nothing put into the hidden editor");
  await close();
});

test("text the helpdesk removes right after it went in is reported as removed", async () => {
  const { window, document, close } = loadHtml("<main><textarea id=reply name=reply></textarea></main>");
  const editor = document.getElementById("reply");
  editor.addEventListener("input", () => window.setTimeout(() => { editor.value = ""; }, 100));
  const adapter = pickAdapter(window.location, document);
  const result = await insertText(document, adapter, { kind: "reply", text: REPLY });
  assert.deepEqual(result, { ok: false, code: InsertCodes.REMOVED });
  await close();
});

test("in a textarea the reply goes where the agent's caret is; elsewhere after a blank line at the end", async () => {
  const { window, document, close } = loadHtml("<main><textarea id=reply name=reply>Hello Jane,\n\nBest, Anna</textarea></main>");
  const editor = document.getElementById("reply");
  const adapter = pickAdapter(window.location, document);
  editor.setSelectionRange(12, 12); // after "Hello Jane,\n"
  const atCaret = await insertText(document, adapter, { kind: "reply", text: "Refund done.", lastEditor: () => editor });
  assert.equal(atCaret.ok, true);
  assert.equal(editor.value, "Hello Jane,\nRefund done.\nBest, Anna");
  const atEnd = await insertText(document, adapter, { kind: "reply", text: "Ref SPD-1." });
  assert.equal(atEnd.ok, true);
  assert.equal(editor.value, "Hello Jane,\nRefund done.\nBest, Anna\n\nRef SPD-1.");
  await close();
});

test("no editor at all on the page: no_reply_editor", async () => {
  const { window, document, close } = loadHtml("<main><p>read-only</p></main>");
  const result = await insertText(document, pickAdapter(window.location, document), { kind: "reply", text: REPLY });
  assert.deepEqual(result, { ok: false, code: InsertCodes.NO_EDITOR });
  await close();
});
