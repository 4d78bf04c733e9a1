/** Zendesk Support, Agent Workspace: conversation log, ticket sidebar, rich-text composer. */
import { defineAdapter } from "./base.js";

export default defineAdapter({
  id: "zendesk",
  hosts: [/\.zendesk\.com$/],
  signature: ["[data-test-id='omni-log-container']", "[data-garden-id][data-test-id='ticket-main']"],
  selectors: {
    ticketRoot: [
      "[data-test-id='ticket-main']", // Agent Workspace ticket (log + header + properties)
      "[data-test-id='omni-log-container']", // conversation log alone
      ".workspace:not([style*='display: none']) .ticket", // legacy Support UI (before 2021)
    ],
    messages: [
      "[data-test-id='omni-log-comment-item']", // Agent Workspace comment
      ".event.is-public .zd-comment", // legacy Support UI comment body
    ],
    replyEditor: [
      "[data-test-id='omnicomposer-rich-text-ckeditor'] [contenteditable='true']", // CKEditor 5 composer
      "[data-test-id='ticket-editor'] .ProseMirror[contenteditable='true']", // ProseMirror composer
      ".comment_input textarea", // legacy plain composer
    ],
  },
});
