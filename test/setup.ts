import { applyD1Migrations, env } from "cloudflare:test";
import { vi } from "vitest";
import { ensureIdNode } from "../src/platform/id-registry";

// Runs before each test file: the same migrations `npm start` applies, on the file's own D1.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
// Every history shard gets the history migrations: tests run with two, so channels land on both.
await applyD1Migrations(env.HISTORY_0, env.TEST_HISTORY_MIGRATIONS);
await applyD1Migrations(env.HISTORY_1, env.TEST_HISTORY_MIGRATIONS);
// Code under test mints ids directly (not only through requests): lease this isolate a node number.
await ensureIdNode(env);

// Timeouts only detect a hung test; no test waits for one. Several tests make hundreds of requests
// (seconds on a quiet machine), and the suite shares a 2-core machine: vitest's 5 s / 10 s defaults
// fail them on speed alone.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
