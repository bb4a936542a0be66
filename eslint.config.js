import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

/**
 * domain/ is pure TypeScript (DESIGN.md): no web framework, no database client, no platform SDK,
 * no environment. This rule keeps it so.
 */
const domainPurity = {
  files: ["domain/**/*.ts"],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          { group: ["@remix-run/*", "react", "react-dom", "react/*"], message: "domain/ must not import the web framework." },
          { group: ["@prisma/*", ".prisma/*", "prisma", "pg", "better-sqlite3"], message: "domain/ must not import the database." },
          { group: ["@shopify/*", "graphql-request", "graphql"], message: "domain/ must not import platform SDKs or GraphQL clients." },
          { group: ["~/*", "../app/*", "../../app/*", "**/app/*"], message: "domain/ must not import from app/." },
          { group: ["node:fs", "node:http", "node:net", "fs", "http", "net", "node:child_process"], message: "domain/ does no I/O." },
        ],
      },
    ],
    "no-restricted-properties": ["error", { object: "process", property: "env", message: "domain/ receives configuration as arguments, never from process.env." }],
    "no-restricted-globals": ["error", { name: "fetch", message: "domain/ does no I/O." }],
  },
};

export default tseslint.config(
  { ignores: ["build/", "node_modules/", ".cache/", "test-results/", "playwright-report/", "tests/e2e/artifacts/", ".carryover/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    files: ["app/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "warn" },
  },
  domainPurity,
);
