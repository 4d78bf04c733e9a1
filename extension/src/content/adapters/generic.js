/** Any other page: the whole page is the ticket; the reply box is the agent's last editor. */
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
  },
});

// Everything on the page is the ticket; editors and fields are still skipped by detection.
adapter.inScope = () => true;

export default adapter;
