/** The one place that knows how the browser names its extension API (Firefox `browser`, Chrome `chrome`). */

/** The extension API of this context, or undefined outside an extension (unit tests, a page). */
export function extensionApi() {
  return globalThis.browser ?? globalThis.chrome;
}
