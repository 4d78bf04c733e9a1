/** Hosts for injected UI: a closed shadow root on an element with `all: unset`, and a tiny h(). */

let shadowMode = "closed";

/** Open shadow roots only when the test hook in extension storage asks for it (see docs). */
export function setShadowMode(mode) {
  shadowMode = mode === "open" ? "open" : "closed";
}

// One parsed sheet per CSS text and window, shared by every badge (a <style> each is costly).
const sheets = new WeakMap();

function adopt(doc, root, css) {
  const view = doc.defaultView;
  try {
    let perWindow = sheets.get(view);
    if (!perWindow) sheets.set(view, (perWindow = new Map()));
    let sheet = perWindow.get(css);
    if (!sheet) {
      sheet = new view.CSSStyleSheet();
      sheet.replaceSync(css);
      perWindow.set(css, sheet);
    }
    root.adoptedStyleSheets = [sheet];
    return root.adoptedStyleSheets.length === 1;
  } catch {
    return false; // e.g. Firefox content scripts (Xray): fall back to a <style> element
  }
}

/** Create a host element whose shadow root holds our styles; the page's CSS cannot reach in. */
export function createHost(doc, tag, css) {
  const host = doc.createElement(tag);
  return { host, root: attachUi(host, css) };
}

/** Turn an element into a host of our UI: `all: unset`, a shadow root with our styles. */
export function attachUi(host, css) {
  const doc = host.ownerDocument;
  host.setAttribute("data-spdesk-ui", "");
  host.style.setProperty("all", "unset");
  const root = host.attachShadow({ mode: shadowMode });
  if (!adopt(doc, root, css)) {
    const style = doc.createElement("style");
    style.textContent = css;
    root.append(style);
  }
  return root;
}

/**
 * Build an element: h(doc, "button", {class: "x", onclick: fn, "aria-label": "…"}, "text", el).
 * Text is always set as text (never HTML): everything shown may come from a page or from Amazon.
 */
export function h(doc, tag, attrs = {}, ...children) {
  const el = doc.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      el.className = value;
    } else if (name === "value" || name === "checked" || name === "disabled" || name === "selected") {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
  }
  return el;
}

let counter = 0;

/** A document-unique id for label/aria wiring inside one shadow root. */
export function uid(prefix) {
  counter += 1;
  return `spdesk-${prefix}-${counter}`;
}
