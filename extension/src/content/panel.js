/** The order panel docked at the right, or minimised to a rail: order, actions, history, live status. */
import { openCancelDialog } from "./dialogs/cancel.js";
import { renderHistory } from "./dialogs/history.js";
import { openRefundDialog } from "./dialogs/refund.js";
import { closeDialogs } from "./ui/dialog.js";
import { FINAL_STATES } from "./ui/format.js";
import { t } from "./ui/i18n.js";
import { renderOrder } from "./ui/orderview.js";
import { createRail } from "./ui/rail.js";
import { createHost, h } from "./ui/shadow.js";
import { PANEL_CSS } from "./ui/styles.js";

const POLL_MS = 2000;

/** The companion's list, with any action we already heard about in a later state kept as is. */
function newest(fetched, known) {
  const byId = new Map(known.map((a) => [a.id, a]));
  return fetched.map((a) => {
    const mine = byId.get(a.id);
    return mine && mine.updatedAt > a.updatedAt ? mine : a;
  });
}

/** One panel per page; `ctx`: {doc, call, options, replyTarget}. */
export class OrderPanel {
  constructor(ctx) {
    this.ctx = { ...ctx, follow: (action, onUpdate, signal) => this.follow(action, onUpdate, signal),
      replyInserted: () => this.collapse({ afterReply: true }) };
    this.orderId = null;
    this.order = null;
    this.actions = [];
    this.error = null;
    this.offline = false;
    this.watchers = new Map();
    this.host = null;
    this.collapsed = false;
  }

  /** Show the panel for an order; `opener` gets focus back on close. */
  open(orderId, opener = null) {
    this.#mount();
    this.opener = opener;
    this.orderId = orderId;
    this.order = null;
    this.actions = [];
    this.#show(true);
    this.#layout(false); // a click on a badge asks for that order: show it in full
    this.render();
    this.closeButton.focus();
    return this.load();
  }

  /** Hide the panel (its dialogs too) and give focus back to the badge that opened it. */
  close() {
    if (!this.host || this.host.hidden) return;
    this.#show(false);
    closeDialogs(this.root);
    this.orderId = null;
    this.opener?.focus?.();
  }

  /**
   * Minimise to the rail so the helpdesk's reply box and Send button are free. After "Insert
   * reply" (`afterReply`) the outcome dialog closes too and focus stays in the reply box.
   */
  collapse({ afterReply = false } = {}) {
    if (!this.isOpen) return;
    closeDialogs(this.root, { returnFocus: false });
    this.#layout(true);
    this.rail.setInserted(afterReply);
    if (!afterReply) this.rail.expandButton.focus();
  }

  /** Show the whole panel again (from the rail). */
  expand() {
    if (!this.isOpen) return;
    this.#layout(false);
    this.collapseButton.focus();
  }

  /** True while the panel is shown (whole or as the rail). */
  get isOpen() {
    return Boolean(this.host && !this.host.hidden);
  }

  /** Remove the panel from the page (the content script is being torn down). */
  destroy() {
    if (this.root) closeDialogs(this.root);
    this.host?.remove();
    this.host = null;
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
      if (orderId !== this.orderId) return;
      this.error = err;
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
      if (this.isOpen && wasOffline && !this.offline) this.load();
      else if (this.isOpen) this.render();
    } else if (message?.type === "action" && message.action) {
      this.#update(message.action);
    }
  }

  /** Watch one action until it is final: events first, polling as a safety net. */
  follow(action, onUpdate, signal) {
    this.#update(action);
    this.watchers.set(action.id, onUpdate);
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
    const known = index >= 0 ? this.actions[index] : null;
    if (known && known.updatedAt && action.updatedAt && known.updatedAt > action.updatedAt) return;
    if (action.orderId !== this.orderId) return void this.watchers.get(action.id)?.(action);
    if (index >= 0) this.actions[index] = action;
    else this.actions.unshift(action);
    this.watchers.get(action.id)?.(action);
    const becameFinal = FINAL_STATES.has(action.state) && !(known && FINAL_STATES.has(known.state));
    if (becameFinal) this.load({ fresh: true }); // refundable amounts and status changed
    else this.render();
  }

  // The host's inline `all: unset` would override the UA rule for [hidden]: hide it inline too.
  #show(visible) {
    this.host.hidden = !visible;
    if (visible) this.host.style.removeProperty("display");
    else this.host.style.setProperty("display", "none");
  }

  // Whole panel or rail: only our own elements change, the helpdesk's layout never does.
  #layout(collapsed) {
    this.collapsed = collapsed;
    this.aside.hidden = collapsed;
    this.rail.element.hidden = !collapsed;
    this.collapseButton.setAttribute("aria-expanded", String(!collapsed));
    if (!collapsed) this.rail.setInserted(false);
  }

  #mount() {
    if (this.host) return;
    const doc = this.ctx.doc;
    const { host, root } = createHost(doc, "spdesk-panel", PANEL_CSS);
    this.host = host;
    this.root = root;
    this.ctx.root = root;
    this.titleOrder = h(doc, "span", { class: "oid" });
    this.closeButton = h(doc, "button", { type: "button", class: "icon", "aria-label": t("close"), onclick: () => this.close() }, "×");
    this.body = h(doc, "div", { class: "body" });
    const title = h(doc, "h2", { id: "spdesk-panel-title" }, "spdesk ", this.titleOrder);
    const refresh = h(doc, "button", { type: "button", class: "icon", "aria-label": t("refresh"), title: t("refresh"),
      onclick: () => this.load({ fresh: true }) }, "↻");
    this.collapseButton = h(doc, "button", { type: "button", class: "icon", "data-spdesk": "collapse", "aria-label": t("collapsePanel"),
      title: t("collapsePanel"), "aria-expanded": "true", "aria-controls": "spdesk-panel", onclick: () => this.collapse() }, "⇥");
    const aside = h(doc, "aside", { class: "panel", id: "spdesk-panel", "aria-labelledby": "spdesk-panel-title" },
      h(doc, "header", {}, title, refresh, this.collapseButton, this.closeButton), this.body);
    this.aside = aside;
    this.rail = createRail(doc, { onExpand: () => this.expand(), onClose: () => this.close() });
    for (const part of [aside, this.rail.element]) {
      part.addEventListener("keydown", (event) => {
        if (event.key === "Escape") this.close();
      });
    }
    // Keys typed in our fields must not reach the helpdesk's keyboard shortcuts.
    for (const type of ["keydown", "keyup", "keypress"]) host.addEventListener(type, (e) => e.stopPropagation());
    root.append(aside, this.rail.element);
    doc.documentElement.append(host);
  }

  /** Redraw the panel body from the current state. */
  render() {
    if (!this.host) return;
    const doc = this.ctx.doc;
    this.titleOrder.textContent = this.orderId ?? "";
    this.rail.setOrder(this.orderId);
    const parts = [];
    // One message at a time: an error from the last request says more than the event stream
    // (which also reads "offline" when it cannot connect for another reason, e.g. not paired).
    if (this.offline && !this.error) {
      parts.push(h(doc, "div", { class: "callout", role: "alert", "data-spdesk": "offline" }, t("companionOffline")));
    }
    if (this.loading && !this.order) {
      parts.push(h(doc, "p", { class: "state", "data-spdesk": "loading", "aria-busy": "true" }, t("loadingOrder", this.orderId)));
    } else if (this.error) {
      parts.push(this.#errorView(this.error)); // above the last order view, if there is one
    }
    if (this.order) {
      parts.push(renderOrder(doc, this.order, {
        refund: (e) => openRefundDialog(this.ctx, this.order, e.currentTarget),
        cancel: (e) => openCancelDialog(this.ctx, this.order, e.currentTarget),
      }));
      parts.push(h(doc, "h3", {}, t("historyHeading")), renderHistory(this.ctx, this.actions, this.order));
    }
    // Keep expanded history entries expanded across redraws (events arrive while reading).
    const expanded = new Set([...this.body.querySelectorAll("[data-action] details[open]")].map((d) => d.closest("[data-action]").dataset.action));
    this.body.replaceChildren(...parts);
    for (const details of this.body.querySelectorAll("[data-action] details")) {
      if (expanded.has(details.closest("[data-action]").dataset.action)) details.open = true;
    }
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
      h(doc, "p", { class: "error", role: "alert" }, err.message), h(doc, "div", { class: "actions" }, buttons));
  }
}
