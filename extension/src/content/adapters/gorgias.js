/** Gorgias: ticket view with message list and a Draft.js reply editor. */
import { defineAdapter } from "./base.js";

export default defineAdapter({
  id: "gorgias",
  hosts: [/\.gorgias\.com$/],
  signature: ["[data-testid='ticket-view']"],
  selectors: {
    ticketRoot: [
      "[data-testid='ticket-view']", // ticket page (header, messages, customer sidebar)
      ".ticket-detail-container", // older class-based markup
    ],
    messages: [
      "[data-testid='ticket-message']", // one message of the thread
      ".ticket-message", // older markup
    ],
    replyEditor: [
      "[data-testid='reply-area'] .public-DraftEditor-content[contenteditable='true']", // Draft.js
      ".public-DraftEditor-content[contenteditable='true']", // any Draft.js editor on the page
    ],
  },
});
