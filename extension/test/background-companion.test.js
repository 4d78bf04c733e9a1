/** The background's companion client against a real local HTTP server. */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CompanionError, createCompanion, findCompanions } from "../src/background/companion.js";
import { closedPort, startCompanion } from "./helpers/http-server.js";

const TOKEN = "spd_test_token_0123456789";
const ORDER = { orderId: "113-4820571-0038214", status: "UNSHIPPED", totals: { charged: "33.45" } };

describe("companion client", () => {
  let companion;
  const hung = [];
  before(async () => {
    companion = await startCompanion({
      "GET /v1/health": { json: { service: "spdesk-companion", version: "0.1.0", apiVersion: 1 } },
      "GET /v1/orders/113-4820571-0038214": { json: ORDER },
      "GET /v1/slow": (req, res) => void hung.push(res), // never answers
      "GET /v1/revoked": { status: 401, json: { error: { code: "token_revoked", message: "This pairing was revoked." } } },
      "POST /v1/refunds": (req, res, record) => ({
        status: 422,
        json: { error: { code: "refund_exceeds_refundable", message: "Shipping can be refunded up to 4.99 USD; 6.00 USD was asked.", details: { component: "Shipping", echo: record.body.orderId } } },
      }),
      "GET /v1/proxy-error": { status: 502, text: "<html>Bad gateway</html>" },
      "GET /v1/garbage": { status: 200, text: "{not json" },
    });
  });
  after(() => companion.close());

  const client = (overrides = {}) =>
    createCompanion({ getConfig: async () => ({ companionUrl: companion.url, token: TOKEN, ...overrides }), timeoutMs: 300 });

  test("returns the parsed body and sends the bearer token", async () => {
    const order = await client().request("/v1/orders/113-4820571-0038214");
    assert.deepEqual(order, ORDER);
    const seen = companion.requests.at(-1);
    assert.equal(seen.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(seen.headers.accept, "application/json");
  });

  test("health needs no token and sends none", async () => {
    const health = await client({ token: "" }).request("/v1/health", { auth: false });
    assert.equal(health.version, "0.1.0");
    assert.equal(companion.requests.at(-1).headers.authorization, undefined);
  });

  test("refuses to call an authenticated route without a token: not_paired, no request", async () => {
    const count = companion.requests.length;
    await assert.rejects(client({ token: "" }).request("/v1/status"), { name: "CompanionError", code: "not_paired" });
    assert.equal(companion.requests.length, count);
  });

  test("a request that gets no answer becomes companion_timeout", async () => {
    const started = Date.now();
    await assert.rejects(client().request("/v1/slow"), (err) => {
      assert.ok(err instanceof CompanionError);
      assert.equal(err.code, "companion_timeout");
      assert.match(err.message, /did not answer in time/);
      return true;
    });
    assert.ok(Date.now() - started < 3000, "the timeout must cut the request short");
  });

  test("nothing listening becomes companion_offline with how to start it", async () => {
    const port = await closedPort();
    const err = await client({ companionUrl: `http://127.0.0.1:${port}` }).request("/v1/health", { auth: false }).catch((e) => e);
    assert.equal(err.code, "companion_offline");
    assert.equal(err.message, "spdesk companion is not running on this computer. Start it with 'spdesk serve'.");
  });

  test("401 from the companion becomes not_paired, keeping the companion's code", async () => {
    const err = await client().request("/v1/revoked").catch((e) => e);
    assert.equal(err.code, "not_paired");
    assert.equal(err.status, 401);
    assert.deepEqual(err.details, { companionCode: "token_revoked" });
  });

  test("the companion's own errors pass through with code, message and details", async () => {
    const err = await client()
      .request("/v1/refunds", { method: "POST", body: { orderId: "113-4820571-0038214" }, headers: { "Idempotency-Key": "k-123456789" } })
      .catch((e) => e);
    assert.deepEqual(err.toJSON(), {
      code: "refund_exceeds_refundable",
      message: "Shipping can be refunded up to 4.99 USD; 6.00 USD was asked.",
      details: { component: "Shipping", echo: "113-4820571-0038214" },
    });
    assert.equal(err.status, 422);
    const seen = companion.requests.at(-1);
    assert.equal(seen.headers["idempotency-key"], "k-123456789");
    assert.equal(seen.headers["content-type"], "application/json");
  });

  test("an answer that is not the companion's JSON becomes companion_bad_response", async () => {
    const proxied = await client().request("/v1/proxy-error").catch((e) => e);
    assert.equal(proxied.code, "companion_bad_response");
    assert.deepEqual(proxied.details, { httpStatus: 502 });
    const garbage = await client().request("/v1/garbage").catch((e) => e);
    assert.equal(garbage.code, "companion_bad_response");
  });

  test("a caller's abort is not turned into a companion error", async () => {
    const controller = new AbortController();
    const pending = client().request("/v1/slow", { signal: controller.signal, timeout: 5000 });
    controller.abort();
    await assert.rejects(pending, (err) => err.name === "AbortError" && !(err instanceof CompanionError));
  });

  test("messages come from the localisation when the browser provides one", async () => {
    const port = await closedPort();
    const localised = createCompanion({
      getConfig: async () => ({ companionUrl: `http://127.0.0.1:${port}`, token: TOKEN }),
      message: (code) => `localised:${code}`,
    });
    const err = await localised.request("/v1/health", { auth: false }).catch((e) => e);
    assert.equal(err.message, "localised:companion_offline");
  });

  after(() => hung.forEach((res) => res.destroy()));
});

test("finding companions: only what answers as spdesk, with whether a pairing code waits; no token sent", async () => {
  const waiting = await startCompanion({ "GET /v1/health": { json: { service: "spdesk-companion", version: "0.2.0", pairingCodeWaiting: true } } });
  const idle = await startCompanion({ "GET /v1/health": { json: { service: "spdesk-companion", version: "0.2.0", pairingCodeWaiting: false } } });
  const other = await startCompanion({ "GET /v1/health": { json: { service: "something-else" } } });
  const silent = `http://127.0.0.1:${await closedPort()}`;
  try {
    const found = await findCompanions([silent, other.url, idle.url, waiting.url]);
    assert.deepEqual(found, [
      { url: idle.url, version: "0.2.0", pairingCodeWaiting: false },
      { url: waiting.url, version: "0.2.0", pairingCodeWaiting: true },
    ]);
    for (const server of [waiting, idle, other]) assert.equal(server.requests.at(-1).headers.authorization, undefined);
  } finally {
    await Promise.all([waiting, idle, other].map((s) => s.close()));
  }
});
