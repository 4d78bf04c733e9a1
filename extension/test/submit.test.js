import assert from "node:assert/strict";
import { test } from "node:test";
import { Submission, newIdempotencyKey } from "../src/sidepanel/submit.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Run `fn` as on a plain-HTTP page: no crypto.randomUUID (secure contexts only), getRandomValues still there. */
async function withoutRandomUUID(fn) {
  Object.defineProperty(globalThis.crypto, "randomUUID", { value: undefined, configurable: true, writable: true });
  try {
    return await fn();
  } finally {
    delete globalThis.crypto.randomUUID;
  }
}

test("a submission gets a v4 UUID key on a page that is not a secure context", async () => {
  await withoutRandomUUID(async () => {
    assert.equal(typeof crypto.randomUUID, "undefined");
    const keys = [];
    const submission = new Submission(async (key) => { keys.push(key); return { id: "act_1" }; });
    assert.deepEqual(await submission.submit({ orderId: "113-4820571-0038214", mode: "full" }), { id: "act_1" });
    assert.match(keys[0], UUID_V4);
  });
});

test("the key sets the version and variant bits and keeps every other random bit", () => {
  assert.equal(newIdempotencyKey((bytes) => bytes.fill(0)), "00000000-0000-4000-8000-000000000000");
  assert.equal(newIdempotencyKey((bytes) => bytes.fill(0xff)), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  const many = new Set(Array.from({ length: 1000 }, () => newIdempotencyKey()));
  assert.equal(many.size, 1000);
  for (const key of many) assert.match(key, UUID_V4);
});

test("a retry of the same body reuses its key; a changed body gets a new one; no second send in flight", async () => {
  const keys = [];
  let release;
  const submission = new Submission((key) => {
    keys.push(key);
    return new Promise((resolve) => { release = resolve; });
  });
  const first = submission.submit({ a: 1 });
  assert.equal(await submission.submit({ a: 1 }), null, "a double click sends nothing");
  release({ id: "act_1" });
  await first;
  const retry = submission.submit({ a: 1 });
  release({ id: "act_1" });
  await retry;
  const changed = submission.submit({ a: 1, confirmOverlap: true });
  release({ id: "act_2" });
  await changed;
  assert.equal(keys.length, 3);
  assert.equal(keys[0], keys[1]);
  assert.notEqual(keys[1], keys[2]);
});
