import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import { layering } from "./eslint.layering.mjs";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    ".next/**",
    ".data/**",
    "node_modules/**",
    "next-env.d.ts",
    "test-results/**",
    "playwright-report/**",
  ]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    // CLI scripts and benchmarks talk to a person on the terminal.
    files: ["scripts/**", "bench/**", "tests/**", "src/server/db/seed-console.ts"],
    rules: { "no-console": "off" },
  },
  // Layering: src/lib is shared by server and client code and imports neither
  // src/server nor src/app; components never import from src/app (pages and routes sit on top of them).
  {
    files: ["src/lib/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(@/|(\\.\\./)+)(server|app)(/|$)",
              message:
                "src/lib must not import src/server or src/app: move the shared part into src/lib, or the caller into src/server.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(@/|(\\.\\./)+)app(/|$)",
              message:
                "Components must not import src/app: server actions live in src/server (e.g. src/server/auth/actions.ts), shared schemas in src/lib/schemas.",
            },
          ],
        },
      ],
    },
  },
  {
    // "use client" modules, and whatever they import in turn, never reach src/server or server-only packages.
    files: ["src/**/*.{ts,tsx}"],
    plugins: { layering },
    rules: { "layering/no-server-in-client": "error" },
  },
  {
    // Type-aware rules for server code (src/server and its entry points: route handlers, proxy, instrumentation),
    // where nearly everything is async: a promise is awaited, returned, or deliberately voided with its errors
    // handled. Scoped to these files to keep `npm run lint` quick (the type checker runs only for them).
    files: ["src/server/**/*.{ts,tsx}", "src/app/**/route.ts", "src/proxy.ts", "src/instrumentation.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
]);
