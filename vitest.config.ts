import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";
import { startReceiver } from "./test/receiver/server.mjs";

export const TEST_SECRETS = {
  JWT_SECRET: "test-jwt-secret",
  ADMIN_TOKEN: "test-admin-token",
  FILE_URL_SECRET: "test-file-url-secret",
  // A P-256 private scalar (base64url): the VAPID key the push tests verify signatures against.
  VAPID_PRIVATE_KEY: "7LCqXZRtlQuIL1WeIEyCVvUHG0MEDYP9IzLDQ2jOOwI",
};

/**
 * wrangler.toml for the workerd project, copied to a folder of its own (.wrangler/vitest/, gitignored)
 * with its paths made absolute. Wrangler reads the `.dev.vars` beside the config it is given: beside
 * wrangler.toml that is the developer's own (`npm start` makes it), which would leak local settings
 * into every test file's bindings and print "Using secrets defined in .dev.vars" once per file. The
 * tests set what they need in `miniflare.bindings` (the browser project's `wrangler dev` passes
 * `--env-file` for the same reason: test/browser/helpers/server.ts).
 */
async function wranglerConfigWithoutDevVars(): Promise<string> {
  const { experimental_readRawConfig } = await import("wrangler");
  const { rawConfig } = experimental_readRawConfig({ config: "./wrangler.toml" });
  // Keys holding paths this copy does not rewrite: fail loudly rather than point at the wrong files.
  const unhandled = ["tsconfig", "rules", "site", "alias", "base_dir", "containers"].filter((key) => key in rawConfig);
  if (unhandled.length) throw new Error(`vitest.config.ts: make ${unhandled.join(", ")} absolute in wranglerConfigWithoutDevVars()`);
  const absolute = (p: string) => path.resolve(p);
  const config = {
    ...rawConfig,
    build: undefined, // the client and docs assets are built above, once
    main: rawConfig.main && absolute(rawConfig.main),
    assets: rawConfig.assets && { ...rawConfig.assets, directory: rawConfig.assets.directory && absolute(rawConfig.assets.directory) },
    d1_databases: rawConfig.d1_databases?.map((db: { migrations_dir?: string }) => ({ ...db, ...(db.migrations_dir ? { migrations_dir: absolute(db.migrations_dir) } : {}) })),
  };
  const dir = path.resolve(".wrangler/vitest");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "wrangler.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export default defineConfig(async () => {
  // wrangler.toml's [assets] directory must exist before the workerd project reads it (any `vitest`
  // invocation, not only `npm test`); wrangler's own [build] step does this for dev and deploy.
  const assets = spawnSync(process.execPath, ["scripts/docs-assets.mjs"], { stdio: "inherit" });
  if (assets.status !== 0) throw new Error("scripts/docs-assets.mjs failed");
  // The web client and SDK bundle (public/app, public/sdk): the browser tests load them from wrangler dev.
  const client = spawnSync(process.execPath, ["scripts/build-client.mjs"], { stdio: "inherit" });
  if (client.status !== 0) throw new Error("scripts/build-client.mjs failed");
  const migrations = await readD1Migrations("drizzle"); // relative to the project root, where npm runs
  const historyMigrations = await readD1Migrations("drizzle/history");
  // Webhook tests deliver to a real HTTP server on loopback (Node, this process); retries without delay.
  const receiver = await startReceiver();
  const workerdConfig = await wranglerConfigWithoutDevVars();
  return {
    test: {
      projects: [
        {
          // Every API test, inside workerd against real bindings.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: workerdConfig }, // wrangler.toml, without the developer's .dev.vars
              miniflare: {
                bindings: {
                  ...TEST_SECRETS,
                  DEV_LOGIN: "true",
                  LOG_LEVEL: "silent",
                  FAULT_INJECTION: "true",
                  ROOM_CALL_RETRY_SECONDS: "0",
                  // The dead-letter line retries every second (production: from a minute, up to 15).
                  DEAD_LETTER_RETRY_SECONDS: "1,1",
                  WEBHOOK_RETRY_DELAYS: "0,0,0,0",
                  // Pushes: a 3 s coalescing window (production 30 s), retries without delay.
                  PUSH_COALESCE_SECONDS: "3",
                  PUSH_RETRY_SECONDS: "0",
                  WEBHOOK_RECEIVER: receiver.url,
                  TEST_MIGRATIONS: migrations,
                  TEST_HISTORY_MIGRATIONS: historyMigrations,
                },
              },
            }),
          ],
          test: {
            name: "workerd",
            setupFiles: ["./test/setup.ts"],
            include: ["test/**/*.test.ts"],
            exclude: [...configDefaults.exclude, "test/browser/**", "test/scripts/**"],
            // Generous: the suite must pass on a busy 2-core machine; tests wait for conditions, not time.
            testTimeout: 60_000,
            hookTimeout: 60_000,
          },
        },
        {
          // Real Chromium against a real `wrangler dev` (test/browser/global-setup.ts), in Node.
          test: {
            name: "browser",
            environment: "node",
            include: ["test/browser/**/*.test.ts", "test/scripts/**/*.test.ts"],
            globalSetup: ["./test/browser/global-setup.ts"],
            // wrangler dev and Chromium on 2 cores shared with other work: be patient.
            testTimeout: 60_000,
            hookTimeout: 240_000, // a beforeAll may start another wrangler dev (startApi waits up to 180 s)
            // One file at a time; vitest then queues these files one by one after (or, where every
            // project gets one worker as on 2 cores, among) the workerd files, never beside them, so
            // Chromium does not compete with the workerd tests' 5 s timeouts.
            fileParallelism: false,
          },
        },
      ],
    },
  };
});
