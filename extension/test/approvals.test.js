/** The approver's part of the side panel: the team's waiting refunds, live, and the confirmations. */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { ApiError } from "../src/sidepanel/api.js";
import { ApprovalsView, expiresIn } from "../src/sidepanel/approvals.js";
import { closeDialogs } from "../src/sidepanel/dialog.js";
import { approvalLine } from "../src/sidepanel/format.js";
import { renderHistory } from "../src/sidepanel/history.js";
import { createStatus, headline } from "../src/sidepanel/status.js";
import { loadHtml, settle } from "./helpers/dom.js";
import { fakeBrowser } from "./helpers/fake-browser.js";

const NOW = Date.parse("2026-11-26T10:00:00Z");
const BOB = { mode: "team", agent: "Bob", role: "approver" };
const open = new Set();

afterEach(async () => {
  for (const t of open) await t.done();
  open.clear();
});

/** A refund of `agent`'s waiting for an approver (or, with `approval.state`, decided). */
function waiting(id, { agent = "Ann", total = "120.00", requestedAt = "2026-11-26T09:15:00Z", approval = {}, ...extra } = {}) {
  return {
    id, kind: "refund", orderId: "114-7395082-5521640", state: "awaiting_approval", currency: "USD", total,
    reason: "CustomerReturn", agent, note: "", ticketUrl: "https://acme.zendesk.com/agent/tickets/4711",
    approval: { state: "pending", why: `over ${agent}'s limit of 100.00 USD per refund`, whyCode: "over_limit",
      whyParams: { case: "per_refund", agent, limit: "100.00", currency: "USD" }, requestedBy: agent, requestedAt,
      expiresAt: "2026-11-26T10:45:00Z", decidedBy: null, decidedAt: null, note: "", ...approval },
    createdAt: requestedAt, updatedAt: requestedAt, ...extra,
  };
}

/** `decided` as the companion answers a decision: approved → accepted, rejected → failed. */
function decidedAs(action, verdict, note = "") {
  return { ...action, state: verdict === "approved" ? "accepted" : "failed", updatedAt: "2026-11-26T10:01:00Z",
    approval: { ...action.approval, state: verdict, decidedBy: "Bob", decidedAt: "2026-11-26T10:01:00Z", note } };
}

/** An approvals section in happy-dom with a scripted companion (`handlers` replace its answers). */
async function section({ team = BOB, pending = [], handlers = {}, ticketOrders = [] } = {}) {
  const page = loadHtml("<section id=approvals hidden></section><main id=panel></main><div id=dialogs></div>", { url: "https://panel.test/sidepanel.html" });
  globalThis.chrome = fakeBrowser();
  const calls = [];
  const companion = {
    approvals: async () => ({ actions: structuredClone(pending) }),
    approve: async ({ id }) => decidedAs(pending.find((a) => a.id === id), "approved"),
    reject: async ({ id, note }) => decidedAs(pending.find((a) => a.id === id), "rejected", note),
    ...handlers,
  };
  const shown = [];
  const view = new ApprovalsView({
    doc: page.document, element: page.document.getElementById("approvals"), dialogs: page.document.getElementById("dialogs"),
    now: () => NOW,
    call: async (action, args = {}) => {
      calls.push({ action, args });
      return companion[action](args);
    },
    canShowOrder: (orderId) => ticketOrders.includes(orderId),
    showOrder: (orderId) => shown.push(orderId),
  });
  await view.setTeam(team);
  const $ = (selector) => page.document.querySelector(selector);
  const $$ = (selector) => [...page.document.querySelectorAll(selector)];
  const t = {
    view, calls, shown, $, $$,
    of: (action) => calls.filter((c) => c.action === action),
    item: (id) => $$("[data-approval]").find((li) => li.dataset.approval === id),
    emit: (action) => view.handleEvent({ type: "action", action }),
    settle: () => settle(page.window),
    async done() {
      view.stop();
      closeDialogs(page.document);
      await page.close();
      delete globalThis.chrome;
    },
  };
  open.add(t);
  return t;
}

test("agents who do not approve, and companions alone, have no approvals section and ask for none", async () => {
  for (const team of [{ mode: "team", agent: "Ann", role: "agent" }, { mode: "single", agent: null, role: null }, null]) {
    const t = await section({ team, pending: [waiting("act_1")] });
    assert.equal(t.$("#approvals").hidden, true);
    assert.equal(t.$("#approvals").children.length, 0);
    assert.equal(t.of("approvals").length, 0);
    t.emit(waiting("act_2")); // the stream carries every teammate's actions: still nothing shown
    assert.equal(t.$("[data-approval]"), null);
  }
});

test("an approver sees who asked, for which order, how much, why, and how long the request stays open", async () => {
  // act_old was asked through a companion that sent the English sentence only.
  const old = waiting("act_old", { requestedAt: "2026-11-26T09:20:00Z", approval: { why: "over Ann's limit of 100.00 USD per refund", whyCode: undefined, whyParams: undefined } });
  const t = await section({ pending: [waiting("act_1", { reason: "CustomerReturn" }), old] });
  assert.equal(t.$("#approvals").hidden, false);
  const item = t.item("act_1");
  assert.equal(item.dataset.requestedBy, "Ann");
  assert.equal(item.querySelector("[data-spdesk='approval-amount']").textContent, "$120.00");
  assert.match(item.textContent, /Order 114-7395082-5521640/);
  assert.match(item.textContent, /Asked by Ann · Customer return/);
  assert.equal(item.querySelector("[data-spdesk='approval-why']").textContent, "Over Ann's limit of $100.00 per refund.");
  assert.equal(t.item("act_old").querySelector("[data-spdesk='approval-why']").textContent, "over Ann's limit of 100.00 USD per refund");
  assert.equal(item.querySelector("[data-spdesk='approval-expires']").textContent, "Expires in 45 minutes");
  assert.ok(item.querySelector("button[data-spdesk='approve']") && item.querySelector("button[data-spdesk='reject']"));
  assert.equal(t.$("[data-spdesk='approvals-count']").textContent, " (2)");
  // The order links to the ticket it was asked from (the ticket in view does not name it).
  const link = item.querySelector("a[data-spdesk='approval-ticket']");
  assert.equal(link.href, "https://acme.zendesk.com/agent/tickets/4711");
  assert.equal(link.rel, "noopener noreferrer");
});

test("with nothing waiting the section says so, and a list that cannot be read says that", async () => {
  const empty = await section();
  assert.match(empty.$("[data-spdesk='approvals-empty']").textContent, /No refunds wait for approval/);
  const down = await section({ handlers: { approvals: async () => { throw new ApiError("ledger_unavailable", "down"); } } });
  assert.equal(down.$("[data-spdesk='approvals-error']").dataset.code, "ledger_unavailable");
  down.view.handleEvent({ type: "companion", state: "online" }); // back: read again
  await down.settle();
  assert.equal(down.of("approvals").length, 2);
});

test("one's own request shows no Approve or Reject: another approver decides", async () => {
  const t = await section({ pending: [waiting("act_own", { agent: "Bob" }), waiting("act_ann")] });
  const own = t.item("act_own");
  assert.equal(own.querySelector("button"), null);
  assert.match(own.querySelector("[data-spdesk='approval-own']").textContent, /waiting for another approver/);
  assert.ok(t.item("act_ann").querySelector("button[data-spdesk='approve']"));
});

test("the list follows the event stream: new requests come in, decided ones go, older copies change nothing", async () => {
  const first = waiting("act_1");
  const t = await section({ pending: [first] });
  const later = waiting("act_2", { requestedAt: "2026-11-26T09:30:00Z" });
  const earlier = waiting("act_0", { requestedAt: "2026-11-26T09:00:00Z" });
  t.emit(later);
  t.emit(earlier);
  assert.deepEqual(t.$$("[data-approval]").map((li) => li.dataset.approval), ["act_0", "act_1", "act_2"], "oldest first");
  t.emit(decidedAs(first, "approved")); // decided by someone (another approver, the CLI)
  assert.deepEqual(t.$$("[data-approval]").map((li) => li.dataset.approval), ["act_0", "act_2"]);
  t.emit(first); // an older copy of it arriving late does not bring it back
  assert.equal(t.item("act_1"), undefined);
  t.emit({ ...waiting("act_x"), state: "submitted", approval: null }); // an action nobody had to approve
  assert.equal(t.$$("[data-approval]").length, 2);
  // A list read before the decision (it still names act_1), answered after it, does not revive it.
  await t.view.load();
  assert.equal(t.$$("[data-approval]").length, 0);
  assert.ok(t.$("[data-spdesk='approvals-empty']"));
});

test("approve: a confirmation names order, amount and who asked; one click sends one decision", async () => {
  const action = waiting("act_1");
  const t = await section({ pending: [action] });
  t.item("act_1").querySelector("button[data-spdesk='approve']").click();
  const dialog = t.$("[role='dialog']");
  assert.match(dialog.querySelector("h2").textContent, /Approve a refund on order 114-7395082-5521640/);
  const summary = dialog.querySelector("[data-spdesk='approval-summary']").textContent;
  for (const said of ["114-7395082-5521640", "Ann", "$120.00", "Customer return", "Over Ann's limit of $100.00 per refund."]) assert.match(summary, new RegExp(said.replace(/[$.]/g, "\\$&")));
  const confirm = dialog.querySelector("button[data-spdesk='confirm']");
  assert.equal(confirm.querySelector(".confirm-main").textContent, "Approve the refund of $120.00");
  assert.equal(confirm.querySelector(".confirm-order").textContent, "Order 114-7395082-5521640 · asked by Ann");
  assert.notEqual(t.$("[role='dialog']").ownerDocument.activeElement, confirm, "a stray Enter must not approve");
  confirm.click();
  confirm.click();
  await t.settle();
  assert.deepEqual(t.of("approve").map((c) => c.args), [{ id: "act_1" }]);
  assert.match(t.$("[data-spdesk='approval-result']").textContent, /Approved: the refund of \$120\.00 on order 114-7395082-5521640 goes to Amazon now/);
  assert.equal(t.item("act_1"), undefined, "the decided request leaves the list at once");
});

test("reject: the optional note goes with the decision", async () => {
  const t = await section({ pending: [waiting("act_1")] });
  t.item("act_1").querySelector("button[data-spdesk='reject']").click();
  const dialog = t.$("[role='dialog']");
  assert.match(dialog.querySelector("label").textContent, /Note for Ann \(optional\)/);
  const note = dialog.querySelector("[data-spdesk='reject-note']");
  assert.equal(note.ownerDocument.activeElement, note);
  note.value = "  Ask the buyer to return it first.  ";
  assert.equal(dialog.querySelector(".confirm-main").textContent, "Reject the refund of $120.00");
  dialog.querySelector("button[data-spdesk='confirm']").click();
  await t.settle();
  assert.deepEqual(t.of("reject").map((c) => c.args), [{ id: "act_1", note: "  Ask the buyer to return it first.  " }]);
  assert.match(t.$("[data-spdesk='approval-result']").textContent, /was not sent to Amazon/);
});

test("the companion's refusals are worded, and a final one leaves the button off", async () => {
  const refuse = (code, message, params) => async () => { throw new ApiError(code, message, { params }); };
  const t = await section({ pending: [waiting("act_1")], handlers: { approve: refuse("self_approval", "English.") } });
  t.item("act_1").querySelector("button[data-spdesk='approve']").click();
  t.$("[role='dialog'] button[data-spdesk='confirm']").click();
  await t.settle();
  const problem = t.$("[role='dialog'] [data-spdesk='status-error']");
  assert.equal(problem.dataset.code, "self_approval");
  assert.equal(problem.textContent, "Nobody approves or rejects their own refund: ask another approver.");
  assert.equal(t.$("[role='dialog'] button[data-spdesk='confirm']").disabled, true);
  const decided = await section({ pending: [waiting("act_1")], handlers: { reject: refuse("approval_not_pending", "x", { decision: "approved" }) } });
  decided.item("act_1").querySelector("button[data-spdesk='reject']").click();
  decided.$("[role='dialog'] button[data-spdesk='confirm']").click();
  await decided.settle();
  assert.equal(decided.$("[role='dialog'] [data-spdesk='status-error']").textContent, "This refund was already approved.");
  const offline = await section({ pending: [waiting("act_1")], handlers: { approve: refuse("companion_offline", "Offline.") } });
  offline.item("act_1").querySelector("button[data-spdesk='approve']").click();
  offline.$("[role='dialog'] button[data-spdesk='confirm']").click();
  await offline.settle();
  assert.equal(offline.$("[role='dialog'] button[data-spdesk='confirm']").disabled, false, "a transport problem may be retried");
});

test("an order the ticket in view names is shown in the panel from the list", async () => {
  const t = await section({ pending: [waiting("act_1")], ticketOrders: ["114-7395082-5521640"] });
  t.item("act_1").querySelector("button[data-spdesk='approval-show-order']").click();
  assert.deepEqual(t.shown, ["114-7395082-5521640"]);
  const unsafe = await section({ pending: [waiting("act_1", { ticketUrl: "javascript:alert(1)" })] });
  assert.equal(unsafe.$("a"), null, "only a helpdesk address becomes a link");
});

test("how long a request stays open, in the UI language; none once its time is up", () => {
  assert.equal(expiresIn("2026-11-26T10:00:30Z", NOW, "en"), "in 1 minute");
  assert.equal(expiresIn("2026-11-26T18:00:00Z", NOW, "en"), "in 8 hours");
  assert.equal(expiresIn("2026-11-26T10:45:00Z", NOW, "de"), "in 45 Minuten");
  assert.equal(expiresIn("2026-11-26T09:59:00Z", NOW, "en"), null);
});

test("the requesting agent reads who decided and when; a rejection does not blame Amazon", () => {
  globalThis.chrome = fakeBrowser();
  try {
    const approved = decidedAs(waiting("act_1"), "approved");
    assert.match(approvalLine(approved), /^Approved by Bob, /);
    const rejected = decidedAs(waiting("act_1"), "rejected", "Return it first.");
    assert.match(approvalLine(rejected), /^Rejected by Bob, .* Note: Return it first\.$/);
    assert.equal(headline(rejected), "An approver rejected this refund");
    assert.equal(approvalLine(waiting("act_1")), "", "nothing to say while it waits");
  } finally {
    delete globalThis.chrome;
  }
});

test("the agent who asked reads why in the order's history and in the dialog's outcome", () => {
  const page = loadHtml("<main></main>", { url: "https://panel.test/sidepanel.html" });
  globalThis.chrome = fakeBrowser();
  try {
    const doc = page.document;
    const perDay = { case: "per_day", agent: "Ann", limit: "250.00", spent: "190.00", currency: "USD" };
    const asked = waiting("act_1", { approval: { whyParams: perDay } });
    const old = decidedAs(waiting("act_2", { approval: { why: "Ann has no refund limit in GBP", whyCode: null, whyParams: {} } }), "rejected");
    const history = renderHistory({ doc, ticket: () => null }, [asked, old, { ...waiting("act_3"), approval: null }], null);
    const whys = [...history.querySelectorAll("li[data-action]")].map((li) => li.querySelector("[data-spdesk='approval-why']")?.textContent ?? null);
    assert.deepEqual(whys, ["Over Ann's limit of $250.00 per day ($190.00 refunded in the last 24 hours).", "Ann has no refund limit in GBP", null]);
    const status = createStatus(doc);
    status.show(asked);
    assert.equal(status.element.querySelector("[data-spdesk='approval-why']").textContent, whys[0]);
    assert.match(status.element.querySelector("[data-spdesk='approval-hint']").textContent, /until an approver says yes/);
    status.show({ ...asked, approval: null });
    assert.equal(status.element.querySelector("[data-spdesk='approval-why']"), null);
    assert.equal(status.element.querySelector(".result-detail").textContent.includes("null"), false);
  } finally {
    delete globalThis.chrome;
    page.close();
  }
});
