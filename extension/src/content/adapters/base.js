/** What every helpdesk adapter shares: selector lists tried in order, warnings when none match. */

const warned = new Set();

// Inside a hidden tab, a closed pane or an inert area: not the ticket the agent is looking at.
const HIDDEN = "[hidden], [aria-hidden='true'], [inert], [style*='display: none'], [style*='display:none']";

/** True when no hidden ancestor hides the element (layout-free, so it works before paint). */
export function isShown(el) {
  return el.closest(HIDDEN) === null;
}

/** Log once per adapter and selector name that none of its alternatives matched. */
export function warnOnce(adapterId, name, selectors) {
  const key = `${adapterId}.${name}`;
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`spdesk: ${key} matched nothing (tried ${selectors.join(" | ")})`);
}

/** Forget earlier warnings (tests). */
export function resetWarnings() {
  warned.clear();
}

/**
 * Build an adapter from a description: `{id, hosts: RegExp[], signature: string[],
 * selectors: {ticketRoot, messages, replyEditor}}` (arrays tried in order, first shown match wins).
 */
export function defineAdapter(spec) {
  const first = (doc, name) => {
    for (const selector of spec.selectors[name]) {
      for (const el of doc.querySelectorAll(selector)) if (isShown(el)) return el;
    }
    warnOnce(spec.id, name, spec.selectors[name]);
    return null;
  };
  return {
    id: spec.id,
    selectors: spec.selectors,
    /** True on this helpdesk's hosts, or on any page carrying its DOM signature. */
    matches(location, doc) {
      if (spec.hosts.some((re) => re.test(location.hostname))) return true;
      return spec.signature.some((selector) => doc.querySelector(selector) !== null);
    },
    /** The ticket the agent is looking at (thread, subject, sidebar). */
    ticketRoot: (doc) => first(doc, "ticketRoot"),
    /** The ticket's messages, oldest first as the page shows them. */
    messageNodes(doc) {
      const root = first(doc, "ticketRoot");
      if (!root) return [];
      for (const selector of spec.selectors.messages) {
        const found = [...root.querySelectorAll(selector)];
        if (found.length) return found;
      }
      warnOnce(spec.id, "messages", spec.selectors.messages);
      return [];
    },
    /** The reply box of the ticket (textarea, editable root, or TinyMCE's iframe). */
    replyEditor: (doc) => first(doc, "replyEditor"),
    /** True when a text node belongs to the ticket (detection ignores the rest of the app). */
    inScope(node) {
      const parent = node.parentElement;
      return parent !== null && spec.selectors.ticketRoot.some((s) => parent.closest(s) !== null);
    },
  };
}
