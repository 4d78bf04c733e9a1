#!/usr/bin/env node
/** Builds dist/chrome and dist/firefox from extension/ (one manifest adjusted per browser) and packs them. */

import { existsSync, readFileSync, readdirSync, rmSync, mkdirSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { crx3, extensionId, publicKeyDer, zip } from "./zip.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "extension");
const DIST = process.env.SPDESK_DIST ? resolve(process.env.SPDESK_DIST) : join(ROOT, "dist");
const KEY = join(ROOT, "packaging", "keys", "chrome-dev-key.pem");

// What ships: the manifest, locales, icons and the runtime sources; never tests or node_modules.
const SHIPPED = [/^manifest\.json$/, /^_locales\/[a-z_A-Z]+\/messages\.json$/, /^icons\/icon-\d+\.png$/, /^src\/.+\.(js|html|css|json|svg|png|woff2)$/];

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : walk(path);
    return [path];
  });
}

/** The sorted list of shipped files, relative to extension/ with "/" separators. */
export function shippedFiles(src = SRC) {
  return walk(src)
    .map((p) => relative(src, p).split(sep).join("/"))
    .filter((rel) => SHIPPED.some((re) => re.test(rel)))
    .sort();
}

/** The manifest for one browser: Chrome runs a service worker, Firefox background scripts. */
export function manifestFor(browser, manifest) {
  const out = structuredClone(manifest);
  if (browser === "chrome") {
    delete out.background.scripts;
    delete out.browser_specific_settings;
  } else {
    delete out.background.service_worker;
    delete out.key; // Chrome-only; Firefox identifies the add-on by gecko.id
    for (const entry of out.web_accessible_resources ?? []) delete entry.use_dynamic_url;
  }
  return out;
}

/** Problems that would make the package fail to load: missing files, locale keys or imports. */
export function check(files, manifest, read) {
  const problems = [];
  const has = new Set(files);
  const referenced = [
    manifest.background.service_worker,
    ...(manifest.background.scripts ?? []),
    manifest.action?.default_popup,
    manifest.options_ui?.page,
    ...Object.values(manifest.icons ?? {}),
    "src/content/main.js",
  ].filter(Boolean);
  for (const file of referenced) if (!has.has(file)) problems.push(`manifest refers to missing ${file}`);
  const en = JSON.parse(read("_locales/en/messages.json"));
  for (const [, key] of JSON.stringify(manifest).matchAll(/__MSG_(\w+)__/g)) {
    if (!en[key]) problems.push(`manifest uses __MSG_${key}__ missing from _locales/en`);
  }
  for (const file of files.filter((f) => f.endsWith("messages.json"))) {
    try {
      JSON.parse(read(file));
    } catch (err) {
      problems.push(`${file}: ${err.message}`);
    }
  }
  for (const file of files.filter((f) => f.endsWith(".js") || f.endsWith(".html"))) {
    const text = read(file);
    const specs = [...text.matchAll(/(?:import|from)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g), ...text.matchAll(/<script[^>]+src="([^"]+)"/g)];
    for (const [, spec] of specs) {
      const target = new URL(spec, `file:///x/${file}`).pathname.slice(3);
      if (!has.has(target)) problems.push(`${file} imports missing ${target}`);
    }
  }
  return problems;
}

function writeTree(browser, files, manifest) {
  const out = join(DIST, browser);
  rmSync(out, { recursive: true, force: true });
  const entries = [];
  for (const file of files) {
    const data = file === "manifest.json"
      ? Buffer.from(`${JSON.stringify(manifestFor(browser, manifest), null, 2)}\n`)
      : readFileSync(join(SRC, file));
    mkdirSync(dirname(join(out, file)), { recursive: true });
    if (file === "manifest.json") writeFileSync(join(out, file), data);
    else copyFileSync(join(SRC, file), join(out, file));
    entries.push({ name: file, data });
  }
  return zip(entries);
}

function main() {
  const manifest = JSON.parse(readFileSync(join(SRC, "manifest.json"), "utf8"));
  const files = shippedFiles();
  const problems = check(files, manifest, (f) => readFileSync(join(SRC, f), "utf8"));
  if (problems.length) {
    console.error(`build-extension: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  mkdirSync(DIST, { recursive: true });
  const { version } = manifest;
  const chromeZip = writeTree("chrome", files, manifest);
  const firefoxZip = writeTree("firefox", files, manifest);
  writeFileSync(join(DIST, `spdesk-chrome-${version}.zip`), chromeZip);
  writeFileSync(join(DIST, `spdesk-firefox-${version}.zip`), firefoxZip);
  const outputs = [`chrome/`, `firefox/`, `spdesk-chrome-${version}.zip`, `spdesk-firefox-${version}.zip`];
  if (existsSync(KEY)) {
    const pem = readFileSync(KEY, "utf8");
    const id = extensionId(publicKeyDer(pem));
    if (Buffer.from(manifest.key, "base64").compare(publicKeyDer(pem)) !== 0) {
      console.error("build-extension: manifest.key does not match packaging/keys/chrome-dev-key.pem");
      process.exit(1);
    }
    writeFileSync(join(DIST, `spdesk-chrome-${version}.crx`), crx3(chromeZip, pem));
    outputs.push(`spdesk-chrome-${version}.crx (id ${id})`);
  }
  console.log(`build-extension: ${files.length} files → ${relative(ROOT, DIST) || "."}/{${outputs.join(", ")}}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
