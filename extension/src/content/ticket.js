/**
 * The ticket this tab shows, as the side panel follows it: its address, the orders with a badge,
 * the order the agent chose. Reported to the background whenever it changes.
 *
 * Partial navigations (pushState, popstate, pjax, hash changes) are seen through the Navigation
 * API's `currententrychange` where the browser has it (Chromium 102+; tested in Chromium 156 and Firefox ESR 153), through
 * `popstate` / `hashchange`, and on every mutation batch (a pjax swap re-renders the ticket). No
 * page prototype is patched and no extra permission is needed.
 */

/**
 * `report(state)` is called (at most once per microtask) when the state changed; state is
 * `{url, orders, selected, note}` (`note`: the helpdesk has an internal-note editor spdesk knows).
 */
export function createTicket({ doc, location, adapter, signal, report }) {
  const view = doc.defaultView;
  let url = location.href;
  let orders = [];
  let selected = null;
  let reported = "";
  let queued = false;
  const state = () => ({ url, orders: [...orders], selected: orders.includes(selected) ? selected : null, note: adapter.hasNotes(doc) });
  const flush = () => {
    queued = false;
    const now = state();
    const key = JSON.stringify(now);
    if (key === reported) return;
    reported = key;
    report(now);
  };
  const changed = () => {
    if (queued) return;
    queued = true;
    queueMicrotask(flush);
  };
  // Another address is another ticket: the agent's choice of order belonged to the last one.
  const checkUrl = () => {
    if (location.href === url) return;
    url = location.href;
    selected = null;
    changed();
  };
  view.navigation?.addEventListener?.("currententrychange", checkUrl, { signal });
  view.addEventListener("popstate", checkUrl, { signal });
  view.addEventListener("hashchange", checkUrl, { signal });
  return {
    state,
    /** The agent clicked the badge of `orderId`. */
    select(orderId) {
      checkUrl();
      selected = orderId;
      changed();
    },
    /** The orders with a badge now (after a scan or a mutation batch). */
    update(list) {
      checkUrl();
      orders = list;
      changed();
    },
  };
}
