/** One money action submission: one idempotency key per body, reused on retries, never twice at once. */

/**
 * A random (v4) UUID from `crypto.getRandomValues`, which every page has. `crypto.randomUUID`
 * exists only in secure contexts: a helpdesk served over plain HTTP would have no key at all.
 */
export function newIdempotencyKey(random = (bytes) => crypto.getRandomValues(bytes)) {
  const bytes = random(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Submits bodies through `send(idempotencyKey, body)`; a retry of the same body reuses its key. */
export class Submission {
  /** @param {(key: string, body: object) => Promise<object>} send @param {() => string} [newKey] */
  constructor(send, newKey = () => newIdempotencyKey()) {
    this.send = send;
    this.newKey = newKey;
    this.lastBody = null;
    this.key = null;
    this.inFlight = false;
  }

  /** Send the body; resolves to the action, throws the ApiError; null while one is in flight. */
  async submit(body) {
    if (this.inFlight) return null;
    const json = JSON.stringify(body);
    // Same body again (retry after a timeout or offline companion): the same key, so the
    // companion answers with the first attempt's action instead of moving money twice.
    if (json !== this.lastBody) {
      this.lastBody = json;
      this.key = this.newKey();
    }
    this.inFlight = true;
    try {
      return await this.send(this.key, body);
    } finally {
      this.inFlight = false;
    }
  }
}
