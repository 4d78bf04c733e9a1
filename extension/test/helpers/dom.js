/** happy-dom pages for the content-script tests: saved helpdesk fixtures with their inline scripts. */
import { readFileSync, readdirSync } from "node:fs";
import { Window } from "happy-dom";

export const FIXTURES = new URL("../fixtures/helpdesks/", import.meta.url);

/** Names of the fixture pages (without .html). */
export function fixtureNames() {
  return readdirSync(FIXTURES).filter((f) => f.endsWith(".html")).map((f) => f.slice(0, -5)).sort();
}

/** A window showing a fixture page (inline scripts run, as in a browser). */
export function loadFixture(name, { url = "https://helpdesk.test/ticket/1" } = {}) {
  return loadHtml(readFileSync(new URL(`${name}.html`, FIXTURES), "utf8"), { url });
}

/** A window showing some HTML. */
export function loadHtml(html, { url = "https://helpdesk.test/" } = {}) {
  const window = new Window({
    url,
    width: 1280,
    height: 800,
    settings: { enableJavaScriptEvaluation: true, suppressInsecureJavaScriptEnvironmentWarning: true },
  });
  window.document.write(html);
  return { window, document: window.document, close: () => window.happyDOM.close() };
}

/** Resolve after pending microtasks and timers of the window have run. */
export async function settle(window) {
  await window.happyDOM.waitUntilComplete();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
