/** The _locales catalogues: valid, complete where promised, and consistent in their placeholders. */

import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";

const ROOT = new URL("../_locales/", import.meta.url);
const load = (lang) => JSON.parse(readFileSync(new URL(`${lang}/messages.json`, ROOT), "utf8"));
const LANGS = readdirSync(ROOT).sort();
const EN = load("en");

/** Keys the extension's own pages and background use (extension-core's part of the catalogue). */
function keysUsedByPages() {
  const keys = new Set();
  for (const file of ["options/options.html", "options/options.js", "options/page.js", "options/templates-editor.js", "popup/popup.html", "popup/popup.js", "background/companion.js"]) {
    const text = readFileSync(new URL(`../src/${file}`, import.meta.url), "utf8");
    for (const [, key] of text.matchAll(/data-i18n(?:-label|-placeholder)?="(\w+)"/g)) keys.add(key);
    for (const [, key] of text.matchAll(/\bt\("(\w+)"/g)) keys.add(key);
    for (const [, key] of text.matchAll(/"(err[A-Z]\w+)"/g)) keys.add(key);
  }
  return keys;
}

test("the six promised languages exist and every file is valid", () => {
  assert.deepEqual(LANGS, ["de", "en", "es", "fr", "it", "ja"]);
  for (const lang of LANGS) {
    for (const [key, entry] of Object.entries(load(lang))) {
      assert.match(key, /^[A-Za-z0-9_@]+$/, `${lang}: ${key}`);
      assert.equal(typeof entry.message, "string", `${lang}: ${key}`);
      assert.ok(entry.message.trim(), `${lang}: ${key} is empty`);
    }
  }
});

test("every key used by the options page, popup and background exists in English", () => {
  for (const key of keysUsedByPages()) assert.ok(EN[key], key);
});

test("German is complete; the other languages cover the pages' strings", () => {
  const de = load("de");
  assert.deepEqual(Object.keys(EN).filter((k) => !de[k]), []);
  for (const lang of ["fr", "es", "it", "ja"]) {
    const catalogue = load(lang);
    assert.deepEqual([...keysUsedByPages()].filter((k) => !catalogue[k]), [], lang);
  }
});

test("translations use the same $1…$9 substitutions as English", () => {
  const subs = (text) => [...text.matchAll(/\$(\d)/g)].map((m) => m[1]).sort().join();
  for (const lang of LANGS) {
    const catalogue = load(lang);
    for (const [key, entry] of Object.entries(catalogue)) {
      if (!EN[key]) continue;
      assert.equal(subs(entry.message), subs(EN[key].message), `${lang}: ${key}`);
    }
  }
});
