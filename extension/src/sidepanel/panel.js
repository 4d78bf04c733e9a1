/**
 * The order panel in the browser's side panel: the order of the ticket the agent is looking at,
 * its actions, history and live status. It follows the ticket; a money dialog opened for one
 * ticket is closed, unsent, when the agent moves to another before confirming.
 */
import { errorText } from "./companion-text.js";
import { openCancelDialog } from "./dialogs/cancel.js";
import { openRefundDialog } from "./dialogs/refund.js";
import { closeDialogs } from "./dialog.js";
import { h } from "./dom.js";
import { FINAL_STATES } from "./format.js";
import { renderHistory } from "./history.js";
import { t } from "./i18n.js";
import { renderOrder } from "./orderview.js";

const POLL_MS = 2000;

/** The companion's list, with any action we already heard about in a later state kept as is. */
function newest(fetched, known) {
  const byId = new Map(known.map((a) => [a.id, a]));
  return fetched.map((a) => {
    const mine = byId.get(a.id);
    return mine && mine.updatedAt > a.updatedAt ? mine : a;
  });
}

/** True when `action` is an older copy of the `known` one (events and polls may cross). */
function isOlder(action, known) {
  return Boolean(known) && (known.updatedAt ?? "") > (action.updatedAt ?? "");
}

/** The order to show for a ticket: the badge the agent clicked, the one chosen here, or the first. */
function chooseOrder(ticket, kept) {
  if (!ticket?.orders.length) return null;
  if (ticket.selected) return ticket.selected;
  return ticket.orders.includes(kept) ? kept : ticket.orders[0];
}

/** `ctx`: {doc, container (the panel's body), dialogs (where dialogs go), call, insert, options}. */
export class OrderPanel {
  constructor(ctx) {
    this.ctx = { ...ctx, follow: (action, onUpdate, signal) => this.follow(action, onUpdate, signal),
      ticket: () => this.ticketRef(), dialogData: (order) => ({ ...this.ticketRef(), orderId: order.orderId }) };
    this.tabId = null;
    this.ticket = undefined; // undefined: not known yet; null: no spdesk ticket in this tab
    this.orderId = null;
    this.order = null;
    this.actions = [];
    this.error = null;
    this.offline = false;
    this.notice = null;
    this.watchers = new Map();
  }

  /** The ticket a dialog or an inserted reply belongs to. */
  ticketRef() {
    return this.ticket ? { tabId: this.tabId, url: this.ticket.url, note: this.ticket.note } : null;
  }

  /**
   * The followed tab now shows `ticket` (null: none; undefined: being asked). Dialogs opened for
   * another tab, address or order are closed, and the agent told whether anything was sent.
   */
  showTicket(tabId, ticket) {
    const orderId = chooseOrder(ticket, this.tabId === tabId && this.ticket?.url === ticket?.url ? this.orderId : null);
    // An approver's decision is on a teammate's request, not on this ticket: it stays open.
    const stale = (data) => data.scope !== "team" && (data.tabId !== tabId || data.url !== ticket?.url || !ticket?.orders.includes(data.orderId));
    this.#noticeFor(closeDialogs(this.ctx.doc, { which: stale, returnFocus: false }));
    this.tabId = tabId;
    this.ticket = ticket;
    if (orderId !== this.orderId) return this.#switchTo(orderId);
    this.render();
    return Promise.resolve();
  }

  /** What the agent is told about dialogs closed because the ticket changed. */
  #noticeFor(closed) {
    const sent = closed.find((data) => data.accepted || data.busy);
    if (closed.some((data) => !data.accepted && !data.busy)) this.notice = t("dialogInvalidated");
    else if (sent) this.notice = t("dialogMovedSent", sent.orderId);
  }

  /** The agent picked another order of the same ticket in the panel. */
  choose(orderId) {
    if (!this.ticket?.orders.includes(orderId) || orderId === this.orderId) return Promise.resolve();
    closeDialogs(this.ctx.doc, { which: (data) => data.scope !== "team" && !data.accepted && !data.busy });
    return this.#switchTo(orderId);
  }

  #switchTo(orderId) {
    this.orderId = orderId;
    this.order = null;
    this.actions = [];
    this.error = null;
    return orderId ? this.load() : Promise.resolve(this.render());
  }

  /** Fetch the order and its actions; `fresh` skips the companion's short cache. */
  async load({ fresh = false } = {}) {
    const orderId = this.orderId;
    this.error = null;
    this.loading = true;
    this.render();
    try {
      const [order, history] = await Promise.all([
        this.ctx.call("getOrder", fresh ? { orderId, fresh: true } : { orderId }),
        this.ctx.call("getActions", { orderId }).catch(() => ({ actions: this.actions })),
      ]);
      if (orderId !== this.orderId) return;
      this.offline = false; // it answered: whatever the event stream last said, it runs now
      this.order = order;
      this.actions = newest(history?.actions ?? [], this.actions);
    } catch (err) {
      if (orderId === this.orderId) this.error = err;
    } finally {
      if (orderId === this.orderId) {
        this.loading = false;
        this.render();
      }
    }
  }

  /** A message from the events port: an action changed, or the companion went on/offline. */
  handleEvent(message) {
    if (message?.type === "companion") {
      const wasOffline = this.offline;
      this.offline = message.state === "offline";
      // Events of the gap are not replayed: read the order and its actions again.
      if (this.orderId && wasOffline && !this.offline) this.load();
      else this.render();
    } else if (message?.type === "action" && message.action) {
      this.#update(message.action);
    }
  }

  /** Watch one action until it is final: events first, polling as a safety net. */
  follow(action, onUpdate, signal) {
    // The stream may have told a later state before the answer to the submission got here (an
    // MCF cancel ends within milliseconds): the newest known state reaches the dialog too, or it
    // would wait on "accepted" while polling stops at the final state the panel already holds.
    const known = this.actions.find((a) => a.id === action.id);
    this.#update(action);
    this.watchers.set(action.id, onUpdate);
    if (isOlder(action, known)) onUpdate(known);
    let timer = null;
    const poll = async () => {
      const current = this.actions.find((a) => a.id === action.id);
      if (signal.aborted || (current && FINAL_STATES.has(current.state))) return;
      try {
        this.#update(await this.ctx.call("getAction", { id: action.id }));
      } catch {
        // offline for a moment: the next poll or the event stream will catch up
      }
      if (!signal.aborted) timer = setTimeout(poll, POLL_MS);
    };
    timer = setTimeout(poll, POLL_MS);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      this.watchers.delete(action.id);
    }, { once: true });
  }

  #update(action) {
    const index = this.actions.findIndex((a) => a.id === action.id);
    const known = this.actions[index];
    if (isOlder(action, known)) return;
    this.watchers.get(action.id)?.(action);
    if (action.orderId !== this.orderId) return;
    this.actions.splice(Math.max(index, 0), index >= 0 ? 1 : 0, action);
    // Amounts and status change when an action ends, and again when its refund is posted.
    if (action.state !== known?.state && FINAL_STATES.has(action.state)) this.load({ fresh: true });
    else this.render();
  }

  /** Redraw the panel body from the current state. */
  render() {
    const doc = this.ctx.doc;
    // Keep expanded history entries expanded across redraws (events arrive while reading).
    const expanded = new Set([...this.ctx.container.querySelectorAll("[data-action] details[open]")].map((d) => d.closest("[data-action]").dataset.action));
    this.ctx.container.replaceChildren(...this.#parts(doc).filter(Boolean));
    for (const details of this.ctx.container.querySelectorAll("[data-action] details")) {
      if (expanded.has(details.closest("[data-action]").dataset.action)) details.open = true;
    }
  }

  #parts(doc) {
    const parts = [this.#chooser(doc)];
    if (this.notice) parts.push(h(doc, "p", { class: "callout", role: "alert", "data-spdesk": "notice" }, this.notice));
    // One message at a time: an error from the last request says more than the event stream.
    if (this.offline && !this.error) parts.push(h(doc, "div", { class: "callout", role: "alert", "data-spdesk": "offline" }, t("companionOffline")));
    if (!this.orderId) return [...parts, this.#empty(doc)];
    if (this.loading && !this.order) parts.push(h(doc, "p", { class: "state", "data-spdesk": "loading", "aria-busy": "true" }, t("loadingOrder", this.orderId)));
    else if (this.error) parts.push(this.#errorView(this.error)); // above the last order view, if any
    if (this.order) {
      parts.push(renderOrder(doc, this.order, {
        refund: (e) => this.#open(openRefundDialog, e.currentTarget),
        cancel: (e) => this.#open(openCancelDialog, e.currentTarget),
      }), h(doc, "h3", {}, t("historyHeading")), renderHistory(this.ctx, this.actions, this.order));
    }
    return parts;
  }

  #open(openDialogFor, button) {
    const which = button.dataset.spdesk;
    if (this.notice) {
      this.notice = null;
      this.render();
    }
    // Redraws replace the button: focus goes back to the one there is when the dialog closes.
    return openDialogFor(this.ctx, this.order, () => this.ctx.container.querySelector(`[data-spdesk='order'] [data-spdesk='${which}']`));
  }

  /** The ticket's orders, when it names more than one: the agent picks which to show. */
  #chooser(doc) {
    const orders = this.ticket?.orders ?? [];
    if (orders.length < 2) return null;
    return h(doc, "nav", { class: "orders", "aria-label": t("ordersOnTicket"), "data-spdesk": "orders" },
      orders.map((id) => h(doc, "button", { type: "button", class: "order-choice", "aria-pressed": String(id === this.orderId),
        "data-order": id, onclick: () => this.choose(id) }, id)));
  }

  #empty(doc) {
    const key = this.ticket === undefined ? "lookingAtTab" : this.ticket === null ? "noSpdeskHere" : "noOrderOnTicket";
    return h(doc, "p", { class: "state", "data-spdesk": "empty", "data-why": key }, t(key));
  }

  #errorView(err) {
    const doc = this.ctx.doc;
    const buttons = [];
    if (err.code === "not_paired" || err.code === "token_revoked" || err.code === "unauthorized") {
      buttons.push(h(doc, "button", { type: "button", class: "primary", "data-spdesk": "pair",
        onclick: () => this.ctx.call("openOptions").catch(() => {}) }, t("pairButton")));
    }
    if (err.code !== "extension_reloaded") {
      buttons.push(h(doc, "button", { type: "button", "data-spdesk": "retry", onclick: () => this.load({ fresh: true }) }, t("retry")));
    }
    return h(doc, "div", { class: "error-box", "data-spdesk": "error", "data-code": err.code },
      h(doc, "p", { class: "error", role: "alert" }, errorText(err)),
      h(doc, "div", { class: "actions" }, buttons));
  }
}
