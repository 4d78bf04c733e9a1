/* spdesk content script entry. A classic script (registerContentScripts cannot load modules): it
   imports the module graph from the extension's web-accessible files. Runs once per frame. */
(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  if (globalThis.__spdeskStarted) return;
  globalThis.__spdeskStarted = true;
  const controller = new AbortController();
  const stop = () => {
    controller.abort();
    globalThis.__spdeskStarted = false;
  };
  import(api.runtime.getURL("src/content/app.js"))
    .then((app) => app.start(controller.signal, { stop }))
    .catch((err) => console.warn("spdesk: the content script could not start:", err));
})();
