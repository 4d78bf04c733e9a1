/** Badges: placed only when the element holding their id nears the viewport; ids reported in page order. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Badges } from "../src/content/badge.js";
import { findOrderIds } from "../src/content/detect.js";
import { loadHtml } from "./helpers/dom.js";

/** An IntersectionObserver the test drives: `show(element)` reports it near the viewport. */
function fakeObserver(window) {
  const observers = [];
  window.IntersectionObserver = class {
    constructor(callback) {
      this.callback = callback;
      this.targets = new Set();
      observers.push(this);
    }
    observe(target) { this.targets.add(target); }
    unobserve(target) { this.targets.delete(target); }
    disconnect() { this.targets.clear(); }
  };
  return {
    watched: () => observers.flatMap((o) => [...o.targets]),
    show(element) {
      for (const o of observers) if (o.targets.has(element)) o.callback([{ target: element, isIntersecting: true }]);
    },
  };
}

function placeAll(badges, doc) {
  for (const p of doc.querySelectorAll("p")) {
    const text = p.firstChild;
    // As the scanner hands them over: the ids of one text node last first.
    for (const match of findOrderIds(text.data).reverse()) badges.place(text, match);
  }
}

const badgeAfter = (doc, id) => [...doc.getElementById(id).childNodes].filter((n) => n.nodeType === 1);

test("found ids wait for their element to near the viewport; then the badges are placed and drawn", async () => {
  const page = await loadHtml(`<p id="a">Order 113-4820571-0038214 and 114-7395082-5521640</p><p id="b">Order 112-3061948-7714025</p>`);
  try {
    const doc = page.document;
    const io = fakeObserver(page.window);
    const split = [];
    const badges = new Badges({ doc, onOpen() {}, shadowMode: "open", onSplit: (node, after) => split.push([node.data, after.data]) });
    placeAll(badges, doc);
    assert.equal(badges.hosts().length, 0, "nothing in the page yet");
    assert.equal(badges.waiting(), 3);
    assert.deepEqual(io.watched().map((e) => e.id), ["a", "b"], "the elements holding ids are watched, once each");
    assert.deepEqual(badges.orders(), ["113-4820571-0038214", "114-7395082-5521640", "112-3061948-7714025"], "page order");
    io.show(doc.getElementById("a"));
    const placed = badgeAfter(doc, "a");
    assert.equal(placed.length, 2);
    assert.ok(placed.every((h) => h.shadowRoot.querySelector("button")), "drawn at once");
    assert.equal(doc.getElementById("a").textContent, "Order 113-4820571-0038214 and 114-7395082-5521640", "the text is untouched");
    assert.deepEqual(split, [["Order 113-4820571-0038214 and 114-7395082-5521640", ""], ["Order 113-4820571-0038214", " and 114-7395082-5521640"]]);
    assert.deepEqual(io.watched().map((e) => e.id), ["b"]);
    assert.deepEqual(badges.orders(), ["113-4820571-0038214", "114-7395082-5521640", "112-3061948-7714025"]);
  } finally {
    await page.close();
  }
});

test("an id whose text changed before it was shown gets no badge and leaves the order list", async () => {
  const page = await loadHtml(`<p id="a">Order 113-4820571-0038214</p><p id="b">Order 112-3061948-7714025</p>`);
  try {
    const doc = page.document;
    const io = fakeObserver(page.window);
    const badges = new Badges({ doc, onOpen() {}, shadowMode: "open" });
    placeAll(badges, doc);
    doc.getElementById("a").firstChild.data = "Order number withdrawn";
    assert.deepEqual(badges.orders(), ["112-3061948-7714025"]);
    io.show(doc.getElementById("a"));
    assert.deepEqual(badgeAfter(doc, "a"), []);
  } finally {
    await page.close();
  }
});

test("an id whose element went away but whose text lives on waits where the text is now", async () => {
  const page = await loadHtml(`<div id="list"><p id="a">Order 113-4820571-0038214</p></div>`);
  try {
    const doc = page.document;
    const io = fakeObserver(page.window);
    const badges = new Badges({ doc, onOpen() {}, shadowMode: "open" });
    placeAll(badges, doc);
    // The page moves the id's text into a new element and drops the old one.
    const moved = doc.createElement("section");
    moved.id = "moved";
    moved.append(...doc.getElementById("a").childNodes);
    doc.getElementById("list").replaceChildren(moved);
    badges.prune();
    assert.deepEqual(io.watched().map((e) => e.id), ["moved"]);
    io.show(moved);
    assert.ok(badgeAfter(doc, "moved")[0].shadowRoot.querySelector("button"));
  } finally {
    await page.close();
  }
});
