import { defineConfig } from "drizzle-kit";

// The directory database (DB). Migrations are generated here and applied by `wrangler d1 migrations apply`
// (npm start) and by the test setup (applyD1Migrations).
export default defineConfig({
  dialect: "sqlite",
  schema: ["./src/db/directory.ts", "./src/db/integration.ts", "./src/db/moderation.ts"],
  out: "./drizzle",
  casing: "snake_case",
});
