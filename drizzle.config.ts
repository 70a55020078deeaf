import { defineConfig } from "drizzle-kit";

// Only generates SQL from the schema; migrations are applied by scripts/db-migrate.ts (never `push`).
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/server/db/schema.ts",
  out: "./drizzle",
  schemaFilter: ["public"],
});
