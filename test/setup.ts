import { applyD1Migrations, env } from "cloudflare:test";
import { vi } from "vitest";

// Runs before each test file: the same migrations `npm start` applies, on the file's own D1.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// Timeouts only detect a hung test; no test waits for one. Several tests make hundreds of requests
// (seconds on a quiet machine), and the suite shares a 2-core machine: vitest's 5 s / 10 s defaults
// fail them on speed alone.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
