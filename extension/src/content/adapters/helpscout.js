/** Help Scout: conversation thread and its reply editor (Redactor, newer accounts ProseMirror). */
import { defineAdapter } from "./base.js";

export default defineAdapter({
  id: "helpscout",
  hosts: [/^secure\.helpscout\.net$/],
  signature: ["[data-cy='ConversationThread']", "#convo-thread"],
  selectors: {
    ticketRoot: [
      "[data-cy='ConversationView']", // conversation page (subject, thread, sidebar)
      "[data-cy='ConversationThread']", // thread alone
      "#convo-thread", // legacy
    ],
    messages: [
      "[data-cy='ThreadItem']", // one customer message or reply
      "#convo-thread .thread", // legacy
    ],
    replyEditor: [
      "[data-cy='ReplyEditor'] .redactor-in[contenteditable='true']", // Redactor 3
      "[data-cy='ReplyEditor'] .ProseMirror[contenteditable='true']", // ProseMirror editor
      ".redactor-editor[contenteditable='true']", // legacy Redactor 2
    ],
  },
});
