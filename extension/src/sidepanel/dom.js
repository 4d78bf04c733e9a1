/** A tiny h() for building the side panel's DOM, and document-unique ids for label wiring. */

// Properties set as properties (live state), not attributes.
const PROPERTIES = new Set(["value", "checked", "disabled", "selected"]);

function setAttribute(el, name, value) {
  if (value === undefined || value === null || value === false) return;
  if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
  else if (name === "class") el.className = value;
  else if (PROPERTIES.has(name)) el[name] = value;
  else el.setAttribute(name, value === true ? "" : String(value));
}

function appendChild(el, child) {
  if (child === null || child === undefined || child === false) return;
  el.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
}

/**
 * Build an element: h(doc, "button", {class: "x", onclick: fn, "aria-label": "…"}, "text", el).
 * Text is always set as text (never HTML): everything shown may come from a page or from Amazon.
 */
export function h(doc, tag, attrs = {}, ...children) {
  const el = doc.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) setAttribute(el, name, value);
  for (const child of children.flat()) appendChild(el, child);
  return el;
}

let counter = 0;

/** A document-unique id for label/aria wiring. */
export function uid(prefix) {
  counter += 1;
  return `spdesk-${prefix}-${counter}`;
}
