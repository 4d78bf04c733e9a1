/**
 * Any other page (open-source helpdesks among them): the whole page is the ticket; the reply box
 * is the agent's last editor, else one named or labelled for replies.
 */
import { defineAdapter } from "./base.js";

const adapter = defineAdapter({
  id: "generic",
  hosts: [],
  signature: ["body"],
  selectors: {
    ticketRoot: [
      "main", // semantic main area
      "[role='main']", // ARIA main area
      "body", // anything else
    ],
    messages: [
      "article", // common markup for a message
      "[role='article']", // ARIA article
      ".message", // class-based lists
    ],
    replyEditor: [
      "textarea[name*='reply' i], textarea[id*='reply' i]", // a textarea named for replies
      "[contenteditable='true'][aria-label*='reply' i]", // an editor labelled for replies
      ".ck-editor__editable[contenteditable='true']", // CKEditor 5 editable root
      ".ql-editor[contenteditable='true']", // Quill
      ".note-editable[contenteditable='true']", // Summernote
      ".redactor-in[contenteditable='true']", // Redactor 3
      ".fr-element[contenteditable='true']", // Froala
      ".ProseMirror[contenteditable='true']", // ProseMirror / Tiptap
      "iframe.tox-edit-area__iframe", // TinyMCE 5-7 (the body inside is the editor)
      "iframe[id$='_ifr']", // TinyMCE 4
      "[contenteditable='true']", // any rich editor
      "textarea", // plain reply box
    ],
    replyButton: [
      "button[data-action='reply' i], a[data-action='reply' i]", // buttons that name their action
      "button[aria-label='Reply' i], [role='button'][aria-label='Reply' i]", // labelled "Reply"
      "button[title='Reply' i], a[title='Reply' i]", // icon buttons titled "Reply" (FreeScout)
    ],
    noteEditor: [
      "textarea[name*='note' i], textarea[id*='note' i]", // a textarea named for notes
      "[contenteditable='true'][aria-label*='note' i]", // an editor labelled for notes
    ],
    noteButton: [
      "button[data-action='note' i], a[data-action='note' i]", // buttons that name their action
      "button[aria-label*='internal note' i], [role='button'][aria-label*='internal note' i]", // labelled
      "button[title='Note' i], a[title='Note' i], button[title*='internal note' i]", // icon buttons
    ],
  },
});

// Everything on the page is the ticket; editors and fields are still skipped by detection.
adapter.inScope = () => true;

// The agent's last editor is the reply box on a page spdesk knows nothing about (unless it is
// the internal note).
const bySelectors = adapter.editorFor;
const NOTE = adapter.selectors.noteEditor.join(",");
adapter.editorFor = (doc, kind, lookup = {}) => {
  const last = lookup.lastEditor;
  const usable = last?.isConnected && !last.matches(NOTE) && (lookup.isVisible?.(last) ?? true);
  return kind === "reply" && usable ? last : bySelectors(doc, kind, lookup);
};

export default adapter;
