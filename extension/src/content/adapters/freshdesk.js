/** Freshdesk: ticket details page, conversation list and its Froala reply editor. */
import { defineAdapter } from "./base.js";

export default defineAdapter({
  id: "freshdesk",
  hosts: [/\.freshdesk\.com$/],
  signature: ["[data-test-id='ticket-details-page']", "#ticket-details-page"],
  selectors: {
    ticketRoot: [
      "[data-test-id='ticket-details-page']", // current Ember app
      "#ticket-details-page", // same page, older builds
      "#Pagearea .ticket-details", // legacy helpdesk (before 2019)
    ],
    messages: [
      "[data-test-id='conversation-wrapper']", // current conversation entries
      ".conversation-pane .conversation", // legacy
    ],
    replyEditor: [
      "[data-test-id='reply-editor'] .fr-element.fr-view[contenteditable='true']", // Froala editor
      ".redactor_editor[contenteditable='true']", // legacy Redactor 1 editor
      "[data-test-id='reply-editor'] textarea", // plain-text mode
    ],
  },
});
