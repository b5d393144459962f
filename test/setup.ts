import { applyD1Migrations, env } from "cloudflare:test";
import { ensureIdNode } from "../src/platform/id-registry";

// Runs before each test file: the same migrations `npm start` applies, on the file's own D1.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
// Code under test mints ids directly (not only through requests): lease this isolate a node number.
await ensureIdNode(env);
