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

/** Every element matching the selector list, in the order of the list. */
function* matches(doc, selectors) {
  for (const selector of selectors) yield* doc.querySelectorAll(selector);
}

/**
 * The first shown match of a selector list that is not excluded, preferring one that passes
 * `prefer` (e.g. rendered), or null.
 */
export function firstShown(doc, selectors, { prefer = () => true, exclude = () => false } = {}) {
  let fallback = null;
  for (const el of matches(doc, selectors)) {
    if (!isShown(el) || exclude(el)) continue;
    if (prefer(el)) return el;
    fallback ??= el;
  }
  return fallback;
}

// Editors and buttons: the selectors per kind of text (a reply to the buyer, an internal note).
const EDITOR = { reply: "replyEditor", note: "noteEditor" };
const OPENER = { reply: "replyButton", note: "noteButton" };

/**
 * Build an adapter from a description: `{id, hosts: RegExp[], signature: string[],
 * selectors: {ticketRoot, messages, replyEditor, replyButton?, noteEditor?, noteButton?}}`
 * (arrays tried in order, first shown match wins). `replyButton` / `noteButton` open a hidden
 * editor (the helpdesk's own "Reply" / "Internal note"); an adapter without `noteEditor` offers
 * no internal note.
 */
export function defineAdapter(spec) {
  const selectors = { replyButton: [], noteEditor: [], noteButton: [], ...spec.selectors };
  // A reply never goes into the internal-note editor, however generic the reply selectors.
  const isNote = (el) => selectors.noteEditor.length > 0 && el.matches(selectors.noteEditor.join(","));
  const findEditor = (doc, kind, isVisible) => {
    const list = selectors[EDITOR[kind]] ?? [];
    if (!list.length) return null;
    const found = firstShown(doc, list, { prefer: isVisible, exclude: kind === "reply" ? isNote : () => false });
    if (!found) warnOnce(spec.id, EDITOR[kind], list);
    return found;
  };
  const first = (doc, name) => {
    const found = firstShown(doc, selectors[name]);
    if (!found && selectors[name].length) warnOnce(spec.id, name, selectors[name]);
    return found;
  };
  return {
    id: spec.id,
    selectors,
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
      for (const selector of selectors.messages) {
        const found = [...root.querySelectorAll(selector)];
        if (found.length) return found;
      }
      warnOnce(spec.id, "messages", selectors.messages);
      return [];
    },
    /** The reply box of the ticket (textarea, editable root, or TinyMCE's iframe). */
    replyEditor: (doc) => first(doc, "replyEditor"),
    /** Whether this page has an internal-note editor (or the button that opens one) spdesk knows. */
    hasNotes: (doc) => Boolean(firstShown(doc, selectors.noteEditor) ?? firstShown(doc, selectors.noteButton)),
    /**
     * The editor for a reply or a note, a visible one (`isVisible`) first; `lastEditor` is where
     * the agent last typed (the reply box when the adapter's selectors find none).
     */
    editorFor(doc, kind, { lastEditor = null, isVisible = () => true } = {}) {
      const found = findEditor(doc, kind, isVisible);
      return kind === "reply" ? found ?? lastEditor : found;
    },
    /** The helpdesk's button that opens the editor for a reply or a note, if spdesk knows it. */
    openerFor: (doc, kind, isVisible = () => true) => firstShown(doc, selectors[OPENER[kind]] ?? [], { prefer: isVisible }),
    /** True when a text node belongs to the ticket (detection ignores the rest of the app). */
    inScope(node) {
      const parent = node.parentElement;
      return parent !== null && selectors.ticketRoot.some((s) => parent.closest(s) !== null);
    },
  };
}
