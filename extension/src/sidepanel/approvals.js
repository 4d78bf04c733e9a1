/**
 * The team's refunds waiting for an approver, in the panel of an agent whose role is approver
 * (GET /v1/team says so): who asked, for which order, how much, why, and how long the request
 * stays open. The list follows the companion's event stream (every teammate's actions in team
 * mode): a new request appears, a decided or expired one goes, whoever decided it. An approver
 * decides on others' requests only; their own show that another approver must decide.
 */
import { approvalText } from "./companion-text.js";
import { openApprovalDialog } from "./dialogs/approval.js";
import { h } from "./dom.js";
import { money, reasonLabel, when } from "./format.js";
import { t, uiLanguage } from "./i18n.js";

const TICK_MS = 30_000;

/** True when an action is a refund still waiting for an approver. */
export function isPending(action) {
  return action?.state === "awaiting_approval" && (action.approval?.state ?? "pending") === "pending";
}

/** "in 45 minutes" / "in 3 hours" in the UI language, or null once the time is up. */
export function expiresIn(iso, now, language = uiLanguage()) {
  const left = Date.parse(iso) - now;
  if (!Number.isFinite(left)) return "";
  if (left <= 0) return null;
  const minutes = Math.ceil(left / 60_000);
  const format = new Intl.RelativeTimeFormat(language, { numeric: "always" });
  return minutes < 90 ? format.format(minutes, "minute") : format.format(Math.round(minutes / 60), "hour");
}

const stamp = (action) => action.updatedAt ?? "";
const asked = (action) => action.approval?.requestedAt ?? action.createdAt ?? "";

/** A ticket address safe to open (the helpdesk's page, never a script URL). */
function ticketLink(url) {
  try {
    return ["https:", "http:"].includes(new URL(url).protocol) ? url : null;
  } catch {
    return null;
  }
}

/**
 * `ctx`: {doc, call, dialogs, element (the section it draws in), now?() (ms), canShowOrder?(orderId)
 * (the ticket in view names that order), showOrder?(orderId) (show it in the order panel)}.
 */
export class ApprovalsView {
  constructor(ctx) {
    this.ctx = { now: () => Date.now(), canShowOrder: () => false, showOrder: () => {}, ...ctx };
    this.team = null;
    this.pending = [];
    this.decided = new Map(); // id → updatedAt of requests seen decided (a late list must not revive them)
    this.loaded = false;
    this.error = null;
    this.timer = null;
  }

  /** True when this panel's agent approves (only then is the section shown). */
  get visible() {
    return this.team?.mode === "team" && this.team.role === "approver";
  }

  /** The companion's GET /v1/team answer: shows or hides the section, reads the list when shown. */
  setTeam(team) {
    this.team = team;
    if (!this.visible) {
      this.pending = [];
      this.loaded = false;
      this.render();
      return Promise.resolve();
    }
    return this.load();
  }

  /** Read the waiting requests afresh (on showing, and when the event stream reconnects). */
  async load() {
    try {
      const { actions = [] } = (await this.ctx.call("approvals")) ?? {};
      this.pending = actions.filter((a) => isPending(a) && !(this.decided.get(a.id) > stamp(a)));
      this.error = null;
      this.loaded = true;
    } catch (err) {
      this.error = err;
    }
    this.render();
  }

  /** A message from the events port: an action changed, or the companion came back. */
  handleEvent(message) {
    if (!this.visible) return;
    if (message?.type === "companion") {
      if (message.state === "online" && this.error) this.load();
    } else if (message?.type === "action" && message.action) {
      this.update(message.action);
    }
  }

  /** Keep the list in step with one action: added while it waits, removed once decided. */
  update(action) {
    const index = this.pending.findIndex((a) => a.id === action.id);
    const newer = index >= 0 ? stamp(this.pending[index]) : this.decided.get(action.id);
    if (newer > stamp(action)) return; // an older copy (events and reads may cross)
    if (isPending(action)) {
      this.pending.splice(index >= 0 ? index : this.pending.length, index >= 0 ? 1 : 0, action);
      this.pending.sort((a, b) => asked(a).localeCompare(asked(b)));
    } else if (action.approval || index >= 0) {
      this.decided.set(action.id, stamp(action));
      if (index >= 0) this.pending.splice(index, 1);
    } else {
      return;
    }
    this.render();
  }

  /** Redraw the section; while requests wait, again every 30 s so "expires in" stays true. */
  render() {
    const { element, doc } = this.ctx;
    clearTimeout(this.timer);
    element.hidden = !this.visible;
    if (!this.visible) return void element.replaceChildren();
    element.replaceChildren(
      h(doc, "h2", { class: "approvals-heading", tabindex: "-1" }, t("approvalsHeading"),
        this.pending.length ? h(doc, "span", { class: "count", "data-spdesk": "approvals-count" }, ` (${this.pending.length})`) : null),
      this.#body(doc));
    if (this.pending.length) this.timer = setTimeout(() => this.render(), TICK_MS);
  }

  /** Stop the clock (the panel is closing). */
  stop() {
    clearTimeout(this.timer);
  }

  #body(doc) {
    if (this.error) return h(doc, "p", { class: "error", role: "alert", "data-spdesk": "approvals-error", "data-code": this.error.code ?? "" }, t("approvalsUnavailable"));
    if (!this.loaded) return h(doc, "p", { class: "muted", "aria-busy": "true" }, t("approvalsLoading"));
    if (!this.pending.length) return h(doc, "p", { class: "muted", "data-spdesk": "approvals-empty" }, t("approvalsEmpty"));
    return h(doc, "ul", { class: "approvals", "data-spdesk": "approvals" }, this.pending.map((action) => this.#item(doc, action)));
  }

  #item(doc, action) {
    const asker = action.approval?.requestedBy ?? action.agent;
    const left = expiresIn(action.approval?.expiresAt, this.ctx.now());
    const why = approvalText(action.approval);
    return h(doc, "li", { "data-approval": action.id, "data-order": action.orderId, "data-requested-by": asker },
      h(doc, "div", { class: "row" },
        h(doc, "strong", { "data-spdesk": "approval-amount" }, money(action.total, action.currency)),
        this.#orderLink(doc, action)),
      h(doc, "div", { class: "muted" }, [t("approvalAskedBy", asker), reasonLabel(action.reason), when(asked(action))].filter(Boolean).join(" · ")),
      why ? h(doc, "div", { class: "muted", "data-spdesk": "approval-why" }, why) : null,
      h(doc, "div", { class: "muted", "data-spdesk": "approval-expires" }, left === null ? t("approvalExpiring") : t("approvalExpires", left)),
      this.#decision(doc, action, asker, left === null));
  }

  /** The order id: shows the order when the ticket in view names it, else opens the asker's ticket. */
  #orderLink(doc, action) {
    const label = t("orderLine", action.orderId);
    if (this.ctx.canShowOrder(action.orderId)) {
      return h(doc, "button", { type: "button", class: "small link", "data-spdesk": "approval-show-order", onclick: () => this.ctx.showOrder(action.orderId) }, label);
    }
    const url = ticketLink(action.ticketUrl);
    return url
      ? h(doc, "a", { href: url, target: "_blank", rel: "noopener noreferrer", title: t("approvalOpenTicket"), "data-spdesk": "approval-ticket" }, label)
      : h(doc, "span", { class: "order-id" }, label);
  }

  /** Approve and Reject, except on one's own request (and on one whose time is up). */
  #decision(doc, action, asker, expired) {
    if (asker === this.team.agent) return h(doc, "p", { class: "callout info", "data-spdesk": "approval-own" }, t("approvalOwn"));
    if (expired) return null;
    const open = (verdict) => (event) => openApprovalDialog(this.ctx, action, verdict, {
      opener: this.#refinder(action.id, event.currentTarget.dataset.spdesk),
      onDecided: (decided) => this.update(decided),
    });
    return h(doc, "div", { class: "actions" },
      h(doc, "button", { type: "button", "data-spdesk": "reject", onclick: open("reject") }, t("rejectButton")),
      h(doc, "button", { type: "button", class: "primary", "data-spdesk": "approve", onclick: open("approve") }, t("approveButton")));
  }

  /** Redraws replace the buttons: focus returns to the one there is when the dialog closes (or the heading). */
  #refinder(id, which) {
    return () => {
      const item = [...this.ctx.element.querySelectorAll("[data-approval]")].find((li) => li.dataset.approval === id);
      return item?.querySelector(`[data-spdesk='${which}']`) ?? this.ctx.element.querySelector("h2");
    };
  }
}
