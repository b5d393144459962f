import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { startReceiver } from "./test/receiver/server.mjs";

export const TEST_SECRETS = {
  JWT_SECRET: "test-jwt-secret",
  ADMIN_TOKEN: "test-admin-token",
  FILE_URL_SECRET: "test-file-url-secret",
};

export default defineConfig(async () => {
  const migrations = await readD1Migrations("drizzle") // relative to the project root, where npm runs;
  // Webhook tests deliver to a real HTTP server on loopback (Node, this process); retries without delay.
  const receiver = await startReceiver();
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ...TEST_SECRETS,
            DEV_LOGIN: "true",
            LOG_LEVEL: "silent",
            FAULT_INJECTION: "true",
            ROOM_CALL_RETRY_SECONDS: "0",
            WEBHOOK_RETRY_DELAYS: "0,0,0,0",
            WEBHOOK_RECEIVER: receiver.url,
            TEST_MIGRATIONS: migrations,
          },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup.ts"],
      include: ["test/**/*.test.ts"],
      // Generous: the suite must pass on a busy 2-core machine; tests wait for conditions, not time.
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  };
});
