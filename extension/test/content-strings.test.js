import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { STRINGS } from "../src/content/ui/strings.js";

const locale = (lang) => JSON.parse(readFileSync(new URL(`../_locales/${lang}/messages.json`, import.meta.url), "utf8"));
const slots = (text) => [...new Set(text.match(/\$\d/g) ?? [])].sort().join(",");

for (const lang of ["en", "de"]) {
  test(`every in-page UI string is in _locales/${lang} as ui_<key>, with the same $n slots`, () => {
    const messages = locale(lang);
    for (const [key, english] of Object.entries(STRINGS)) {
      const entry = messages[`ui_${key}`];
      assert.ok(entry, `ui_${key} missing in ${lang}`);
      assert.equal(slots(entry.message), slots(english), `ui_${key} in ${lang}`);
      if (lang === "en") assert.equal(entry.message, english, `ui_${key}: strings.js and _locales/en agree`);
    }
  });
}
