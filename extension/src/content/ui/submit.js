/** One money action submission: one idempotency key per body, reused on retries, never twice at once. */

/** Submits bodies through `send(idempotencyKey, body)`; a retry of the same body reuses its key. */
export class Submission {
  /** @param {(key: string, body: object) => Promise<object>} send @param {() => string} [newKey] */
  constructor(send, newKey = () => crypto.randomUUID()) {
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
