import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export const TEST_SECRETS = {
  JWT_SECRET: "test-jwt-secret",
  ADMIN_TOKEN: "test-admin-token",
  FILE_URL_SECRET: "test-file-url-secret",
};

export default defineConfig(async () => {
  const migrations = await readD1Migrations("drizzle"); // relative to the project root, where npm runs
  const historyMigrations = await readD1Migrations("drizzle/history");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: { ...TEST_SECRETS, DEV_LOGIN: "true", LOG_LEVEL: "silent", FAULT_INJECTION: "true", ROOM_CALL_RETRY_SECONDS: "0", TEST_MIGRATIONS: migrations, TEST_HISTORY_MIGRATIONS: historyMigrations },
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
