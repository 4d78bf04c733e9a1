/**
 * The content script's entry. The build joins it and the modules it imports into one classic
 * script (packaging/bundle.mjs): content scripts cannot be modules, and nothing of spdesk is a
 * web-accessible resource a site could probe. Runs once per frame, however often it is injected.
 */
import { start } from "./app.js";

if (!globalThis.spdeskStarted) {
  globalThis.spdeskStarted = true;
  const controller = new AbortController();
  const stop = () => {
    controller.abort();
    globalThis.spdeskStarted = false;
  };
  start(controller.signal, { stop }).catch((err) => console.warn("spdesk: the content script could not start:", err));
}
