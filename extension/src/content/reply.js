/** Puts text into a helpdesk's reply editor so the editor's own model notices; never sends. */

// Editable roots of the rich editors we know, most specific first.
const EDITORS = [
  ["ckeditor5", ".ck-editor__editable"],
  ["quill", ".ql-editor"],
  ["summernote", ".note-editable"],
  ["redactor", ".redactor-in, .redactor-editor, .redactor_editor"],
  ["froala", ".fr-element"],
  ["draftjs", ".public-DraftEditor-content"],
  ["prosemirror", ".ProseMirror"],
  ["gmail", "[g_editable='true']"],
];

/** Error code when there is no editor to put the reply into. */
export const NO_EDITOR = "no_reply_editor";

/** The element that really takes the text: a textarea, or the contenteditable root. */
export function resolveEditable(target) {
  if (!target) return null;
  if (target.tagName === "IFRAME") return iframeBody(target);
  if (target.tagName === "TEXTAREA" || target.tagName === "INPUT") return target;
  return knownEditorIn(target) ?? (isEditable(target) ? target : target.querySelector("[contenteditable='true'], [contenteditable=''], textarea"));
}

/** TinyMCE edits the body of its iframe. */
function iframeBody(frame) {
  const body = frame.contentDocument?.body ?? null;
  return body && isEditable(body) ? body : null;
}

/** The editable root of a rich editor we know, at or inside `target`. */
function knownEditorIn(target) {
  for (const [, selector] of EDITORS) {
    const root = target.matches(selector) ? target : target.querySelector(selector);
    if (root && isEditable(root)) return root;
  }
  return null;
}

/** What kind of editor an editable element belongs to (for choosing and reporting a method). */
export function editorKind(el) {
  if (el.tagName === "TEXTAREA" || el.tagName === "INPUT") return "textarea";
  if (el.ownerDocument.defaultView?.frameElement || el.id === "tinymce") return "tinymce";
  for (const [kind, selector] of EDITORS) if (el.matches(selector)) return kind;
  return "contenteditable";
}

function isEditable(el) {
  const value = el.getAttribute("contenteditable");
  return value === "" || value === "true" || value === "plaintext-only";
}

/**
 * Insert `text` at the caret (or at the end) of the editor behind `target`. In a textarea the
 * agent's caret counts when `atCaret` (they clicked or typed in it); otherwise the end.
 * @returns {{ok: true, kind: string, method: string, editor: Element} | {ok: false, code: string}}
 */
export function insertReply(target, text, { atCaret = false } = {}) {
  const el = resolveEditable(target);
  if (!el) return { ok: false, code: NO_EDITOR };
  const kind = editorKind(el);
  const method = kind === "textarea" ? intoField(el, text, atCaret) : intoEditable(el, text);
  return { ok: true, kind, method, editor: el };
}

/** Where in a field the text goes: the agent's selection, or the end after a blank line. */
function fieldPlacement(el, text, atCaret) {
  const before = el.value;
  if (atCaret && typeof el.selectionStart === "number" && el.selectionEnd <= before.length) {
    return { start: el.selectionStart, end: el.selectionEnd, addition: text };
  }
  return { start: before.length, end: before.length, addition: separator(before) + text };
}

function intoField(el, text, atCaret) {
  const before = el.value;
  const { start, end, addition } = fieldPlacement(el, text, atCaret);
  const expected = before.slice(0, start) + addition + before.slice(end);
  el.focus();
  el.setSelectionRange?.(start, end);
  // execCommand keeps the browser's undo stack and fires trusted input events.
  if (tryExec(el.ownerDocument, addition) && el.value === expected) return "execCommand";
  // The native setter, not el.value =, so frameworks that track the value (React) see a change.
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), "value")?.set;
  if (setter) setter.call(el, expected);
  else el.value = expected;
  el.setSelectionRange?.(start + addition.length, start + addition.length);
  el.dispatchEvent(new (viewOf(el).InputEvent ?? Event)("input", { bubbles: true, inputType: "insertText", data: addition }));
  el.dispatchEvent(new (viewOf(el).Event)("change", { bubbles: true }));
  return "value";
}

function intoEditable(el, text) {
  const doc = el.ownerDocument;
  const agentCaret = caretInside(el); // before focus(): focusing alone moves the caret to the start
  el.focus();
  const range = agentCaret ? { range: agentCaret, atEnd: false } : caretAtEnd(el);
  const addition = (range.atEnd ? separator(textBefore(el, range.range)) : "") + text;
  // Rich editors (ProseMirror, CKEditor 5, Quill, Draft.js, TinyMCE…) turn a paste into model changes.
  if (pasteHandled(el, addition)) return "paste";
  const before = el.textContent;
  if (tryExec(doc, addition) && el.textContent !== before) return "execCommand";
  insertNodes(el, range.range, addition);
  el.dispatchEvent(new (viewOf(el).InputEvent ?? Event)("input", { bubbles: true, inputType: "insertText", data: addition }));
  return "dom";
}

function viewOf(el) {
  return el.ownerDocument.defaultView ?? globalThis;
}

function textBefore(el, range) {
  const before = el.ownerDocument.createRange();
  before.selectNodeContents(el);
  before.setEnd(range.startContainer, range.startOffset);
  return before.toString();
}

function separator(existing) {
  const trimmed = (existing ?? "").replace(/[\s\u200b]+$/, "");
  return trimmed ? "\n\n" : "";
}

// Blocks a reply goes above: Gmail's signature and quoted thread, any quote.
const TAIL = ":scope > .gmail_signature, :scope > .gmail_quote, :scope > .gmail_signature_prefix, :scope > blockquote";

function selectionOf(el) {
  return el.ownerDocument.getSelection?.() ?? viewOf(el).getSelection?.() ?? null;
}

/** The agent's caret, when it is inside the editor. */
function caretInside(el) {
  const selection = selectionOf(el);
  if (!selection?.rangeCount) return null;
  const range = selection.getRangeAt(0);
  return el.contains(range.startContainer) ? range : null;
}

/** Put the caret at the end of the text (above a signature or quote) and return that range. */
function caretAtEnd(el) {
  const doc = el.ownerDocument;
  const selection = selectionOf(el);
  const range = doc.createRange();
  const tail = el.querySelector(TAIL);
  if (tail) {
    range.setStartBefore(tail);
    range.collapse(true);
    selection?.removeAllRanges();
    selection?.addRange(range);
    return { range, atEnd: true };
  }
  let target = el;
  // Into the last block (e.g. <p><br></p> of an empty editor), before a trailing <br>.
  while (target.lastElementChild && !["BR", "IMG"].includes(target.lastElementChild.tagName)) {
    target = target.lastElementChild;
  }
  range.selectNodeContents(target);
  range.collapse(false);
  if (target.lastChild?.nodeName === "BR") range.setStartBefore(target.lastChild);
  selection?.removeAllRanges();
  selection?.addRange(range);
  return { range, atEnd: true };
}

function pasteHandled(el, text) {
  const event = pasteEvent(viewOf(el), text);
  if (!event) return false;
  el.dispatchEvent(event);
  return event.defaultPrevented;
}

/** A paste event whose clipboard holds `text` and that the page's own scripts can read. */
function pasteEvent(view, text) {
  const init = { bubbles: true, cancelable: true };
  try {
    // Firefox ignores `clipboardData` in the init and builds its clipboard from `dataType`/`data`
    // under the caller's principal: build it in the page's realm so the editor may read it.
    const page = view.wrappedJSObject;
    if (page && typeof globalThis.cloneInto === "function") {
      const pageInit = globalThis.cloneInto({ ...init, dataType: "text/plain", data: text }, page);
      return new page.ClipboardEvent("paste", pageInit);
    }
    const data = new view.DataTransfer();
    data.setData("text/plain", text);
    const event = new view.ClipboardEvent("paste", { ...init, clipboardData: data });
    return event.clipboardData?.getData("text/plain") === text ? event : null;
  } catch {
    return null; // no constructible clipboard here: fall back to execCommand
  }
}

function tryExec(doc, text) {
  try {
    return typeof doc.execCommand === "function" && doc.execCommand("insertText", false, text) === true;
  } catch {
    return false;
  }
}

function insertNodes(el, range, text) {
  const doc = el.ownerDocument;
  const fragment = doc.createDocumentFragment();
  text.split("\n").forEach((line, index) => {
    if (index > 0) fragment.append(doc.createElement("br"));
    if (line) fragment.append(doc.createTextNode(line));
  });
  const last = fragment.lastChild;
  range.insertNode(fragment);
  if (last) {
    range.setStartAfter(last);
    range.collapse(true);
  }
}
