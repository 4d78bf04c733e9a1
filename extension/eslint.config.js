/** ESLint (flat config) for the extension's sources: recommended rules plus size and complexity limits. */
import js from "@eslint/js";
import globals from "globals";

// One helper knows how the browser names its extension API: src/shared/ext.js.
const RAW_API = {
  selector: "MemberExpression[object.name='globalThis'][property.name=/^(browser|chrome)$/]",
  message: "Use extensionApi() from src/shared/ext.js.",
};

export default [
  {
    files: ["src/**/*.js"],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: "module",
      globals: { ...globals.browser, ...globals.webextensions, cloneInto: "readonly" },
    },
    rules: {
      ...js.configs.recommended.rules,
      complexity: ["error", 10],
      "max-lines-per-function": ["error", { max: 50, skipBlankLines: true, skipComments: true }],
      "max-depth": ["error", 4],
      "max-params": ["error", 5],
      eqeqeq: ["error", "always"],
      "no-var": "error",
      "prefer-const": "error",
      "no-implicit-globals": "error",
      "no-restricted-syntax": ["error", RAW_API],
    },
  },
  {
    files: ["src/shared/ext.js"],
    rules: { "no-restricted-syntax": "off" },
  },
];
