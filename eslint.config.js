import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // fixtures/ holds documents the tests read as data (a saved docs page's scripts among them), never code that runs.
  { ignores: ["dist/", "node_modules/", "coverage/", ".scratch/", "fixtures/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      // Terminal output goes through src/cli/io.ts only, so tests can capture it.
      "no-console": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["src/cli/io.ts", "benchmarks/**", "scripts/**"],
    rules: { "no-console": "off" },
  },
);
