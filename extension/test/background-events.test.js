/** Server-sent events: the parser, and the hub against a real streaming HTTP server. */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createCompanion } from "../src/background/companion.js";
import { EventHub, SseParser, backoffDelay } from "../src/background/events.js";
import { fakePort } from "./helpers/fake-browser.js";
import { closedPort, startCompanion } from "./helpers/http-server.js";

describe("SseParser", () => {
  test("parses events split anywhere across chunks, with CRLF, comments and multi-line data", () => {
    const text = ": keep-alive\r\nevent: action\r\ndata: {\"id\":\"act_1\",\r\ndata: \"state\":\"queued\"}\r\n\r\nid: 7\ndata: plain\n\n";
    for (let cut = 0; cut <= text.length; cut += 1) {
      const parser = new SseParser();
      const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      assert.deepEqual(events, [
        { event: "action", data: "{\"id\":\"act_1\",\n\"state\":\"queued\"}", id: undefined },
        { event: "message", data: "plain", id: "7" },
      ], `cut at ${cut}`);
    }
  });

  test("a lone CR ends a line, and blank lines without data dispatch nothing", () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push("event: x\r\r: c\n\n\ndata:a\rdata:b\r\r"), []);
    // The final CR may be half of a CRLF, so the event completes with the next character.
    assert.deepEqual(parser.push("\n"), [{ event: "message", data: "a\nb", id: undefined }]);
  });

  test("an event without its terminating blank line is not dispatched yet", () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push("event: action\ndata: {}\n"), []);
    assert.equal(parser.push("\n").length, 1);
  });
});

test("backoff doubles from 1 s to at most 30 s with ±20 % jitter", () => {
  assert.equal(backoffDelay(0, () => 0.5), 1000);
  assert.equal(backoffDelay(3, () => 0.5), 8000);
  assert.equal(backoffDelay(50, () => 0.5), 30_000);
  assert.equal(backoffDelay(0, () => 0), 800);
  assert.equal(backoffDelay(0, () => 1), 1200);
});

describe("EventHub", () => {
  let companion;
  const streams = new Set();
  let token = "spd_live"; // what the extension holds
  const accepted = "spd_live"; // what the companion accepts
  before(async () => {
    companion = await startCompanion({
      "GET /v1/events": (req, res) => {
        if (req.headers.authorization !== `Bearer ${accepted}`) {
          return { status: 401, json: { error: { code: "token_revoked", message: "Revoked." } } };
        }
        res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store" });
        res.write(": keep-alive\n\n");
        streams.add(res);
        res.on("close", () => streams.delete(res));
        return null;
      },
    });
  });
  after(async () => {
    for (const res of streams) res.destroy();
    await companion.close();
  });

  const hubFor = (url, extra = {}) =>
    new EventHub({
      companion: createCompanion({ getConfig: async () => ({ companionUrl: url, token }), timeoutMs: 1000 }),
      delay: () => 20,
      ...extra,
    });

  async function until(condition, what, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  test("opens the stream for the first port, forwards actions, closes it after the last port", async () => {
    let kept = 0;
    const hub = hubFor(companion.url, { keepAlive: () => (kept += 1) });
    const port = fakePort();
    hub.addPort(port);
    await port.next((m) => m.type === "companion" && m.state === "online");
    await until(() => streams.size === 1, "one stream");
    const second = fakePort({ url: "https://acme.gorgias.com/app/ticket/9" });
    hub.addPort(second);
    await second.next((m) => m.type === "companion" && m.state === "online");
    assert.equal(streams.size, 1, "ports share one stream");

    const action = { id: "act_01", orderId: "113-4820571-0038214", state: "succeeded" };
    const [res] = streams;
    res.write(`event: action\ndata: ${JSON.stringify(action).slice(0, 20)}`);
    res.write(`${JSON.stringify(action).slice(20)}\n\nevent: action\ndata: not json\n\n`);
    assert.deepEqual(await port.next((m) => m.type === "action"), { type: "action", action });
    assert.deepEqual(await second.next((m) => m.type === "action"), { type: "action", action });
    assert.ok(kept >= 2, "every chunk keeps the worker alive");
    const before = kept;
    port.onMessage.emit({ type: "ping" });
    assert.equal(kept, before + 1, "a content ping keeps it alive too");

    port.disconnect();
    assert.equal(streams.size, 1, "still one port open");
    second.disconnect();
    await until(() => streams.size === 0, "the stream to close");
    assert.equal(hub.controller, null);
  });

  test("marks the companion offline when the stream drops and reconnects", async () => {
    const hub = hubFor(companion.url);
    const port = fakePort();
    hub.addPort(port);
    await port.next((m) => m.state === "online");
    await until(() => streams.size === 1, "stream");
    const from = port.received.length;
    for (const res of streams) res.destroy();
    await port.next((m) => m.state === "offline", { from });
    await port.next((m) => m.state === "online", { from: from + 1 });
    await until(() => streams.size === 1, "a new stream");
    hub.removePort(port);
    await until(() => streams.size === 0, "close");
  });

  test("a silent connection is considered dead after the idle timeout", async () => {
    const hub = hubFor(companion.url, { idleTimeoutMs: 100 });
    const port = fakePort();
    hub.addPort(port);
    await port.next((m) => m.state === "online");
    const from = port.received.length;
    // No keep-alive arrives within 100 ms: the hub aborts and reconnects on its own.
    await port.next((m) => m.state === "offline", { from });
    await port.next((m) => m.state === "online", { from: from + 1 });
    hub.removePort(port);
    await until(() => streams.size === 0, "close");
  });

  test("keeps retrying while the companion is down and says offline once", async () => {
    const hub = hubFor(`http://127.0.0.1:${await closedPort()}`);
    const port = fakePort();
    hub.addPort(port);
    await port.next((m) => m.state === "offline");
    await until(() => hub.attempt >= 3, "three attempts");
    assert.equal(port.received.filter((m) => m.type === "companion").length, 1);
    hub.removePort(port);
    assert.equal(hub.retryTimer, null);
  });

  test("an unpaired browser is offline for events and recovers on restart after pairing", async () => {
    token = "wrong";
    const hub = hubFor(companion.url);
    const port = fakePort();
    hub.addPort(port);
    await port.next((m) => m.state === "offline");
    token = "spd_live";
    hub.restart();
    await port.next((m) => m.state === "online");
    hub.removePort(port);
    await until(() => streams.size === 0, "close");
  });

  test("a late joiner learns the current state immediately; a broadcast reaches every panel", async () => {
    const hub = hubFor(companion.url);
    const first = fakePort();
    hub.addPort(first);
    await first.next((m) => m.state === "online");
    const late = fakePort({ url: "chrome-extension://ibechjjblnfhmdepfahabhaggbnemnij/src/sidepanel/sidepanel.html" });
    hub.addPort(late);
    assert.deepEqual(late.received[0], { type: "companion", state: "online" });
    hub.broadcast({ type: "ticket", tabId: 7, state: null });
    assert.deepEqual([first.received.at(-1), late.received.at(-1)], [{ type: "ticket", tabId: 7, state: null }, { type: "ticket", tabId: 7, state: null }]);
    hub.stop();
    await until(() => streams.size === 0, "close");
  });
});
