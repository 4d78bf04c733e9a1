/**
 * Putting a reply or an internal note into the helpdesk, and telling the truth about it: only a
 * rendered, visible editor takes text; a hidden one is opened through the helpdesk's own button
 * where the adapter knows it; a moment later the text must still be there.
 */
import { insertReply, resolveEditable } from "./reply.js";

/** How long the helpdesk gets to show its editor after its button was clicked. */
export const OPEN_TIMEOUT_MS = 3000;
/** Quiet time that tells an opening editor has settled (helpdesks often reset it as it opens). */
export const SETTLE_MS = 200;
/** When the text is checked again: a helpdesk that rejects it has done so by then. */
export const VERIFY_MS = 400;

/** Result codes of an insertion (the side panel words them). */
export const InsertCodes = Object.freeze({
  NO_EDITOR: "no_reply_editor",
  HIDDEN: "editor_hidden",
  REMOVED: "text_removed",
});

/** True when the element is rendered and visible (its iframe, for an editor inside one). */
export function isRendered(el) {
  const target = el.ownerDocument.defaultView?.frameElement ?? el;
  if (!target.isConnected) return false;
  if (typeof target.checkVisibility !== "function") return styledVisible(target);
  return target.checkVisibility({ checkVisibilityCSS: true, visibilityProperty: true }) && target.getClientRects().length > 0;
}

/** The same from computed styles, where checkVisibility is missing (older engines, test DOMs). */
function styledVisible(el) {
  for (let node = el; node; node = node.parentElement) {
    const style = node.ownerDocument.defaultView.getComputedStyle(node);
    if (node.hidden || style.display === "none" || style.visibility === "hidden") return false;
  }
  return true;
}

/** Whitespace-insensitive text of an editor, to compare what it holds with what went in. */
export function editorText(el) {
  const raw = el.tagName === "TEXTAREA" || el.tagName === "INPUT" ? el.value : el.textContent;
  return raw.replace(/[\s\u200b]+/g, "");
}

/** Resolves after `ms` on the page's own timers. */
function wait(view, ms) {
  return new Promise((resolve) => view.setTimeout(resolve, ms));
}

/**
 * Resolves once `find()` returns an element and the page has been quiet for SETTLE_MS, or null
 * after OPEN_TIMEOUT_MS. Driven by the page's mutations, not by polling.
 */
function whenShown(doc, find) {
  const view = doc.defaultView;
  return new Promise((resolve) => {
    let quiet = null;
    const done = (value) => {
      observer.disconnect();
      view.clearTimeout(quiet);
      view.clearTimeout(limit);
      resolve(value);
    };
    const check = () => {
      view.clearTimeout(quiet);
      if (find()) quiet = view.setTimeout(() => done(find()), SETTLE_MS);
    };
    const observer = new view.MutationObserver(check);
    observer.observe(doc.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
    const limit = view.setTimeout(() => done(find()), OPEN_TIMEOUT_MS);
    check();
  });
}

/** The visible editor for `kind` ("reply" or "note"), opening it with the adapter's button if needed. */
async function visibleEditor(doc, adapter, kind, lastEditor) {
  const lookup = { lastEditor, isVisible: isRendered };
  const find = () => {
    const editor = adapter.editorFor(doc, kind, lookup);
    return editor && isRendered(editor) ? editor : null;
  };
  const shown = find();
  if (shown) return { editor: shown };
  const opener = adapter.openerFor(doc, kind, isRendered);
  if (!opener || !isRendered(opener)) {
    return { code: adapter.editorFor(doc, kind, lookup) ? InsertCodes.HIDDEN : InsertCodes.NO_EDITOR };
  }
  opener.click(); // the helpdesk's own "Reply" / "Internal note" button: it opens, never sends
  const opened = await whenShown(doc, find);
  return opened ? { editor: opened, opened: true } : { code: InsertCodes.HIDDEN };
}

/**
 * Insert `text` as a reply or internal note. `lastEditor()` is the editor the agent last worked
 * in (their caret counts there). Resolves to {ok: true, kind, method, opened} once the text was
 * seen still in place, or {ok: false, code}.
 */
export async function insertText(doc, adapter, { kind = "reply", text, lastEditor = () => null }) {
  const found = await visibleEditor(doc, adapter, kind, lastEditor());
  if (!found.editor) return { ok: false, code: found.code };
  const atCaret = resolveEditable(found.editor) === resolveEditable(lastEditor());
  const result = insertReply(found.editor, text, { atCaret });
  if (!result.ok) return { ok: false, code: result.code };
  await wait(doc.defaultView, VERIFY_MS);
  const present = result.editor.isConnected && editorText(result.editor).includes(text.replace(/[\s\u200b]+/g, ""));
  if (!present) return { ok: false, code: InsertCodes.REMOVED };
  return { ok: true, kind: result.kind, method: result.method, opened: Boolean(found.opened) };
}
