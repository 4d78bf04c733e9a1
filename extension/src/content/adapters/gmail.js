/** Gmail: the open conversation and its composer (a g_editable contenteditable textbox). */
import { defineAdapter } from "./base.js";

export default defineAdapter({
  id: "gmail",
  hosts: [/^mail\.google\.com$/],
  signature: ["div[role='textbox'][g_editable='true']", "div.adn.ads"],
  selectors: {
    ticketRoot: [
      "div[role='main']", // the reading pane with the conversation
    ],
    messages: [
      "div.adn.ads", // one expanded message (div.a3s holds its body)
      "div.a3s", // message bodies only
    ],
    replyEditor: [
      "div[role='textbox'][g_editable='true'][contenteditable='true']", // the composer body
      "div.Am.Al.editable[contenteditable='true']", // same element, by class
    ],
    replyButton: [
      "span.ams.bkH[role='link']", // "Reply" under the last message: opens the composer
    ],
  },
});
