/**
 * The companion's sentences in the side panel's language (shared/companion-text.js holds the
 * codes), and the background's own refusals in the same words as the options page.
 */
import { companionWords } from "../shared/companion-text.js";
import { MESSAGE_KEYS } from "../shared/messages.js";
import { componentLabel, money } from "./format.js";
import { message, t } from "./i18n.js";

/** "<item> <Component>" / "<item> restocking fee" (an amount field the companion names) in words. */
function fieldLabel(field) {
  const [item, ...rest] = field.split(" ");
  if (!rest.length) return field;
  const what = rest.join(" ");
  return t("fieldOfItem", item, what === "restocking fee" ? t("restockingFee") : componentLabel(what));
}

const words = companionWords({ t, money, componentLabel, fieldLabel });

export const { sentence, reasonText, outcomeText, warningText, historyText, approvalText } = words;

/** A refusal: the background's own codes first, then the companion's, else its English. */
export function errorText(err) {
  const key = MESSAGE_KEYS[err?.code];
  return (key && message(key)) || words.errorText(err);
}
