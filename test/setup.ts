import { applyD1Migrations, env } from "cloudflare:test";

// Runs before each test file: the same migrations `npm start` applies, on the file's own D1.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
