#!/usr/bin/env node
/** Builds dist/chrome and dist/firefox from extension/ (one manifest adjusted per browser) and packs them. */

import { existsSync, readFileSync, readdirSync, rmSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { bundle } from "./bundle.mjs";
import { crx3, extensionId, publicKeyDer, zip } from "./zip.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "extension");
const KEY = join(ROOT, "packaging", "keys", "chrome-dev-key.pem");

// What ships: the manifest, locales, icons and the runtime sources; never tests or node_modules.
const SHIPPED = [/^manifest\.json$/, /^_locales\/[a-z_A-Z]+\/messages\.json$/, /^icons\/icon-\d+\.png$/, /^src\/.+\.(js|html|css|json|svg|png|woff2)$/];
/** The content script: shipped as one classic file built from it and the modules it imports. */
export const CONTENT_ENTRY = "src/content/main.js";

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
    // The content modules live on inside the bundle that replaces the entry.
    .filter((rel) => !rel.startsWith("src/content/") || rel === CONTENT_ENTRY)
    .sort();
}

/** A shipped file's bytes: the bundled content script for its entry, the file itself otherwise. */
function shippedBytes(file, src = SRC) {
  if (file === CONTENT_ENTRY) return Buffer.from(bundle(CONTENT_ENTRY, (f) => readFileSync(join(src, f), "utf8")));
  return readFileSync(join(src, file));
}

// The side panel: Chrome's `side_panel` with the sidePanel permission and a command of ours that
// opens it; Firefox's `sidebar_action` with its built-in `_execute_sidebar_action` command.
const CHROME_ONLY = { keys: ["side_panel", "key"], permissions: ["sidePanel"], commands: ["open-panel"] };
const FIREFOX_ONLY = { keys: ["sidebar_action", "browser_specific_settings"], permissions: [], commands: ["_execute_sidebar_action"] };

function strip(out, other) {
  for (const key of other.keys) delete out[key];
  out.permissions = out.permissions.filter((p) => !other.permissions.includes(p));
  for (const name of other.commands) delete out.commands?.[name];
}

/** The manifest for one browser: Chrome runs a service worker, Firefox background scripts. */
export function manifestFor(browser, manifest, { grant = [], store = false } = {}) {
  const out = structuredClone(manifest);
  // Test builds only: sites granted at install, so automated runs need no permission prompt.
  if (grant.length) out.host_permissions = [...new Set([...out.host_permissions, ...grant])];
  if (browser === "chrome") {
    delete out.background.scripts;
    strip(out, FIREFOX_ONLY);
  } else {
    delete out.background.service_worker;
    strip(out, CHROME_ONLY); // `key` too: Firefox identifies the add-on by gecko.id
    // Firefox gives every install its own moz-extension:// address already; it has no dynamic URL.
    for (const entry of out.web_accessible_resources ?? []) delete entry.use_dynamic_url;
  }
  // Stores sign with their own key and refuse a `key` field; unpacked builds keep it for the id.
  if (store) delete out.key;
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
    manifest.side_panel?.default_path,
    manifest.sidebar_action?.default_panel,
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
  // The content entry's imports are the bundle's: every module must be there and bundle cleanly.
  try {
    if (has.has(CONTENT_ENTRY)) bundle(CONTENT_ENTRY, read);
  } catch (err) {
    problems.push(`${CONTENT_ENTRY} cannot be bundled: ${err.message}`);
  }
  for (const file of files.filter((f) => (f.endsWith(".js") || f.endsWith(".html")) && f !== CONTENT_ENTRY)) {
    const text = read(file);
    const specs = [...text.matchAll(/(?:import|from)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g), ...text.matchAll(/<script[^>]+src="([^"]+)"/g)];
    for (const [, spec] of specs) {
      const target = new URL(spec, `file:///x/${file}`).pathname.slice(3);
      if (!has.has(target)) problems.push(`${file} imports missing ${target}`);
    }
  }
  // A web-accessible file can be fetched by any site, which then knows spdesk is installed.
  if (manifest.web_accessible_resources?.length) problems.push("web_accessible_resources exposes files to every site; spdesk needs none");
  return problems;
}

function writeTree(dist, browser, files, manifest, grant) {
  const out = join(dist, browser);
  rmSync(out, { recursive: true, force: true });
  const json = (m) => Buffer.from(`${JSON.stringify(m, null, 2)}\n`);
  const entries = [];
  for (const file of files) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    if (file === "manifest.json") {
      writeFileSync(join(out, file), json(manifestFor(browser, manifest, { grant })));
      entries.push({ name: file, data: json(manifestFor(browser, manifest, { grant, store: true })) });
    } else {
      const data = shippedBytes(file);
      writeFileSync(join(out, file), data);
      entries.push({ name: file, data });
    }
  }
  return zip(entries);
}

/** Parses `[--out DIR] [--grant PATTERN]...`. */
export function parseArgs(argv) {
  // SPDESK_DIST moves the output (browser tests build into a temporary directory).
  const args = { out: process.env.SPDESK_DIST ? resolve(process.env.SPDESK_DIST) : join(ROOT, "dist"), grant: [] };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === "--out") args.out = resolve(argv[++i]);
    else if (argv[i] === "--grant") args.grant.push(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (usage: build-extension.mjs [--out DIR] [--grant PATTERN]...)`);
  }
  return args;
}

/** Writes the signed .crx when the development key is present; returns what it wrote, or null. */
function signChrome(dist, manifest, chromeZip) {
  if (!existsSync(KEY)) return null;
  const pem = readFileSync(KEY, "utf8");
  const der = publicKeyDer(pem);
  if (Buffer.from(manifest.key, "base64").compare(der) !== 0) {
    console.error("build-extension: manifest.key does not match packaging/keys/chrome-dev-key.pem");
    process.exit(1);
  }
  const name = `spdesk-chrome-${manifest.version}.crx`;
  writeFileSync(join(dist, name), crx3(chromeZip, pem));
  return `${name} (id ${extensionId(der)})`;
}

function main() {
  const { out: dist, grant } = parseArgs(process.argv.slice(2));
  const manifest = JSON.parse(readFileSync(join(SRC, "manifest.json"), "utf8"));
  const files = shippedFiles();
  const problems = check(files, manifest, (f) => readFileSync(join(SRC, f), "utf8"));
  if (problems.length) {
    console.error(`build-extension: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  mkdirSync(dist, { recursive: true });
  const { version } = manifest;
  const chromeZip = writeTree(dist, "chrome", files, manifest, grant);
  const firefoxZip = writeTree(dist, "firefox", files, manifest, grant);
  writeFileSync(join(dist, `spdesk-chrome-${version}.zip`), chromeZip);
  writeFileSync(join(dist, `spdesk-firefox-${version}.zip`), firefoxZip);
  const outputs = ["chrome/", "firefox/", `spdesk-chrome-${version}.zip`, `spdesk-firefox-${version}.zip`];
  const crx = signChrome(dist, manifest, chromeZip);
  if (crx) outputs.push(crx);
  const rel = relative(process.cwd(), dist);
  const where = rel.startsWith("..") ? dist : rel || ".";
  console.log(`build-extension: ${files.length} files → ${where}/{${outputs.join(", ")}}${grant.length ? ` granting ${grant.join(" ")}` : ""}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
