/** Live updates: one SSE stream from /v1/events while a side panel is open, fanned out to the panels' ports. */

import { PortMessages, PortRequests } from "../shared/messages.js";

/** Incremental parser for `text/event-stream` (WHATWG HTML §9.2): feed text, get complete events. */
export class SseParser {
  constructor() {
    this.buffer = "";
    this.reset();
  }

  reset() {
    this.event = "";
    this.data = [];
    this.id = undefined;
  }

  /** Feeds decoded text; returns the events it completed as `{event, data, id}`. */
  push(text) {
    this.buffer += text;
    const out = [];
    let start = 0;
    for (;;) {
      const match = /\r\n|\r|\n/g;
      match.lastIndex = start;
      const found = match.exec(this.buffer);
      // A lone trailing "\r" may be the first half of "\r\n": wait for more text.
      if (!found || (found[0] === "\r" && found.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(start, found.index);
      start = found.index + found[0].length;
      const event = this.line(line);
      if (event) out.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  /** One line of the stream: a blank line ends an event (returned), others fill it in. */
  line(line) {
    if (line === "") return this.dispatchEvent();
    if (line.startsWith(":")) return null; // comment, e.g. ": keep-alive"
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.id = value;
    return null;
  }

  /** The event the lines so far make (none without data), and a fresh start for the next. */
  dispatchEvent() {
    const event = this.data.length ? { event: this.event || "message", data: this.data.join("\n"), id: this.id } : null;
    this.reset();
    return event;
  }
}

/** Reconnect delays: 1 s doubling to 30 s, with ±20 % jitter so many tabs do not reconnect in step. */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Keeps the event stream open exactly while at least one side panel port is connected.
 * `companion.stream(path, {signal})` opens the HTTP stream; `timers` is injectable for tests;
 * `keepAlive()` is called on every chunk (the companion's 15 s keep-alive included).
 */
export class EventHub {
  constructor({ companion, idleTimeoutMs = 45_000, delay = backoffDelay, timers = globalThis, keepAlive = () => {} }) {
    this.companion = companion;
    this.keepAlive = keepAlive;
    this.idleTimeoutMs = idleTimeoutMs;
    this.delay = delay;
    this.timers = timers;
    this.ports = new Set();
    this.state = "unknown";
    this.controller = null;
    this.retryTimer = null;
    this.attempt = 0;
  }

  /** Adds a side panel's port; starts the stream when it is the first. */
  addPort(port) {
    this.ports.add(port);
    port.onDisconnect.addListener(() => this.removePort(port));
    port.onMessage.addListener((msg) => {
      // A ping's only job is to reach the worker (a port message resets its idle timer).
      if (msg?.type === PortRequests.PING) this.keepAlive();
    });
    if (this.state !== "unknown") this.postTo(port, { type: PortMessages.COMPANION, state: this.state });
    if (this.ports.size === 1) this.connect();
  }

  /** Removes a port; stops the stream when none is left. */
  removePort(port) {
    this.ports.delete(port);
    if (!this.ports.size) this.stop();
  }

  /** Closes the stream and any pending reconnect. */
  stop() {
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.controller?.abort();
    this.controller = null;
    this.attempt = 0;
    this.state = "unknown";
  }

  /** Reconnects now (e.g. after the companion URL or token changed). */
  restart() {
    if (!this.ports.size) return;
    this.stop();
    this.connect();
  }

  /** Posts a message to every open port. */
  broadcast(message) {
    for (const port of this.ports) this.postTo(port, message);
  }

  postTo(port, message) {
    try {
      port.postMessage(message);
    } catch {
      this.ports.delete(port); // already gone; onDisconnect may not have fired yet
    }
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.broadcast({ type: PortMessages.COMPANION, state });
  }

  async connect() {
    const controller = new AbortController();
    this.controller = controller;
    try {
      const response = await this.companion.stream("/v1/events", { signal: controller.signal });
      if (this.controller !== controller) return void controller.abort();
      this.attempt = 0;
      this.setState("online");
      await this.read(response.body, controller);
    } catch {
      // Offline, timed out, unpaired or cut: all end in a reconnect below unless we were stopped.
    }
    if (this.controller !== controller || !this.ports.size) return;
    this.setState("offline");
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      if (this.ports.size && this.controller === controller) this.connect();
    }, this.delay(this.attempt++));
  }

  async read(body, controller) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    let idle = null;
    const arm = () => {
      this.timers.clearTimeout(idle);
      // The companion sends a keep-alive every 15 s: silence beyond that means a dead connection.
      idle = this.timers.setTimeout(() => controller.abort(), this.idleTimeoutMs);
    };
    arm();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        arm();
        this.keepAlive();
        for (const event of parser.push(decoder.decode(value, { stream: true }))) this.dispatch(event);
      }
    } finally {
      this.timers.clearTimeout(idle);
      reader.releaseLock?.();
    }
  }

  dispatch(event) {
    if (event.event !== "action") return;
    let action;
    try {
      action = JSON.parse(event.data);
    } catch {
      return; // a malformed event must not break the stream
    }
    if (action && typeof action === "object") this.broadcast({ type: PortMessages.ACTION, action });
  }
}
