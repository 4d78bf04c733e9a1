/**
 * Joins the content script's ES modules into one classic script. Content scripts cannot be
 * modules, and loading the modules with import() would make them web-accessible resources that
 * any site could fetch to learn that spdesk is installed (Chrome's use_dynamic_url cannot help:
 * it resolves a module's relative imports against the extension's fixed id). One file, registered
 * with scripting.registerContentScripts, needs no web-accessible resource at all.
 *
 * The modules follow the plain forms used in src/: `import { a, b as c } from "./x.js";`,
 * `import x from "./x.js";`, `export function|async function|class|const|let NAME`, and
 * `export default EXPRESSION;`. Anything else is refused, so a new form cannot slip through.
 */

const NAMED_IMPORT = /^import\s*\{([^}]*)\}\s*from\s*"(\.{1,2}\/[^"]+)";?[ \t]*$/gm;
const DEFAULT_IMPORT = /^import\s+(\w+)\s+from\s*"(\.{1,2}\/[^"]+)";?[ \t]*$/gm;
const DECLARED_EXPORT = /^export\s+((?:async\s+)?function\*?|class|const|let)\s+(\w+)/gm;
const DEFAULT_EXPORT = /^export\s+default\s+/m;

/** A module path resolved against the importing module's path ("src/content/app.js"). */
export function resolve(spec, from) {
  return new URL(spec, `file:///x/${from}`).pathname.slice(3);
}

/** The modules `entry` needs, dependencies first. */
export function moduleOrder(entry, read) {
  const order = [];
  const visiting = new Set();
  const visit = (file) => {
    if (order.includes(file)) return;
    if (visiting.has(file)) throw new Error(`import cycle through ${file}`);
    visiting.add(file);
    const text = read(file);
    for (const [, , spec] of text.matchAll(NAMED_IMPORT)) visit(resolve(spec, file));
    for (const [, , spec] of text.matchAll(DEFAULT_IMPORT)) visit(resolve(spec, file));
    visiting.delete(file);
    order.push(file);
  };
  visit(entry);
  return order;
}

/** `a, b as c` → `a, b: c` (import bindings as a destructuring pattern). */
function pattern(names) {
  return names.split(",").map((n) => n.trim()).filter(Boolean).map((n) => n.replace(/^(\w+)\s+as\s+(\w+)$/, "$1: $2")).join(", ");
}

/** One module as the body of a function that returns its exports. */
function transform(file, text, varOf) {
  const exported = [];
  let body = text
    .replace(NAMED_IMPORT, (_, names, spec) => `const { ${pattern(names)} } = ${varOf(resolve(spec, file))};`)
    .replace(DEFAULT_IMPORT, (_, name, spec) => `const ${name} = ${varOf(resolve(spec, file))}.default;`)
    .replace(DECLARED_EXPORT, (_, kind, name) => {
      exported.push(name);
      return `${kind} ${name}`;
    });
  if (DEFAULT_EXPORT.test(body)) {
    body = body.replace(DEFAULT_EXPORT, "const __default = ");
    exported.push("default: __default");
  }
  const leftover = body.match(/^(?:export|import)\b.*$/m) ?? body.match(/\bimport\s*\(|\bimport\.meta\b/);
  if (leftover) throw new Error(`${file}: cannot bundle "${leftover[0].trim()}"`);
  return `(() => {\n${body}\nreturn { ${exported.join(", ")} };\n})()`;
}

/** The classic script that runs `entry` and everything it imports, in dependency order. */
export function bundle(entry, read) {
  const order = moduleOrder(entry, read);
  const varOf = (file) => `__spdesk${order.indexOf(file)}`;
  const parts = order.map((file) => `// ${file}\nconst ${varOf(file)} = ${transform(file, read(file), varOf)};`);
  return `/* spdesk content script, built from ${order.length} modules by packaging/bundle.mjs. */\n(() => {\n"use strict";\n${parts.join("\n")}\n})();\n`;
}
