/** The helpdesk adapters, most specific first; generic matches any page and comes last. */
import freshdesk from "./freshdesk.js";
import generic from "./generic.js";
import gmail from "./gmail.js";
import gorgias from "./gorgias.js";
import helpscout from "./helpscout.js";
import zendesk from "./zendesk.js";

export const ADAPTERS = [zendesk, freshdesk, gorgias, helpscout, gmail, generic];

/** The adapter for this page. */
export function pickAdapter(location, doc) {
  return ADAPTERS.find((adapter) => adapter.matches(location, doc)) ?? generic;
}
