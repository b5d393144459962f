import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export const TEST_SECRETS = {
  JWT_SECRET: "test-jwt-secret",
  ADMIN_TOKEN: "test-admin-token",
  FILE_URL_SECRET: "test-file-url-secret",
};

export default defineConfig(async () => {
  const migrations = await readD1Migrations("drizzle") // relative to the project root, where npm runs;
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: { ...TEST_SECRETS, DEV_LOGIN: "true", LOG_LEVEL: "silent", TEST_MIGRATIONS: migrations },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup.ts"],
      // The machines have 2 shared cores: tests that send hundreds of requests need more than 5 s.
      testTimeout: 30_000,
      include: ["test/**/*.test.ts"],
    },
  };
});
