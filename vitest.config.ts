import { spawnSync } from "node:child_process";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export const TEST_SECRETS = {
  JWT_SECRET: "test-jwt-secret",
  ADMIN_TOKEN: "test-admin-token",
  FILE_URL_SECRET: "test-file-url-secret",
};

export default defineConfig(async () => {
  // wrangler.toml's [assets] directory must exist before the workerd project reads it (any `vitest`
  // invocation, not only `npm test`); wrangler's own [build] step does this for dev and deploy.
  const assets = spawnSync(process.execPath, ["scripts/docs-assets.mjs"], { stdio: "inherit" });
  if (assets.status !== 0) throw new Error("scripts/docs-assets.mjs failed");
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
      include: ["test/**/*.test.ts"],
    },
  };
});
