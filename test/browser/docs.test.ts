// /docs in a real browser with no internet: the UI must come entirely from our own Worker, and work
// under the page's strict Content-Security-Policy (offlineContext records any violation).
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { launchChromium, offlineContext } from "./helpers/browser";

const base = inject("apiBase");
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium(inject("chromiumPath"));
});
afterAll(() => browser?.close());

test("/docs renders the operations from local assets only", async () => {
  const { context, failures } = await offlineContext(browser, [base]);
  const page = await context.newPage();
  const res = await page.goto(`${base}/docs`);
  const headers = res!.headers();
  expect(headers["content-security-policy"]).toContain("script-src 'self';");
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).not.toContain("unsafe-");
  expect(headers["referrer-policy"]).toBe("no-referrer");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  // Swagger UI fetched /openapi.json and rendered an operation (locators wait; no fixed sleeps).
  await page.getByText("List the channels you are a member of").first().waitFor({ state: "visible", timeout: 60_000 });
  expect(await page.locator(".opblock").count()).toBeGreaterThan(10);
  expect(failures).toEqual([]);
  await context.close();
});
