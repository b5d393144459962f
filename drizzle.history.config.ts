import { defineConfig } from "drizzle-kit";

// History shards (every HISTORY_* D1 database) share this schema and these migrations.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/history.ts",
  out: "./drizzle/history",
  casing: "snake_case",
});
