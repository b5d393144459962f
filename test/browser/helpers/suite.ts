// What every web-client test file sets up: one Chromium for the file, the contexts its tests open
// (closed with it), a user token from the dev login route, and the client's sign-in form.
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { type OfflineContext, launchChromium, offlineContext } from "./browser";

/** Call at the top of a test file: `contexts(origins)` gives a fresh offline context, closed after the file. */
export function chromiumForFile() {
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  const opened: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium(inject("chromiumPath"));
  });
  afterAll(async () => {
    for (const c of opened) await c.close().catch(() => {});
    await browser?.close();
  });
  return {
    async context(origins: string[]): Promise<OfflineContext> {
      const made = await offlineContext(browser!, origins);
      opened.push(made.context);
      return made;
    },
  };
}

/** A user token from `POST /v1/dev/token` (the browser project's server runs with DEV_LOGIN=true). */
export async function devToken(base: string, sub: string, name: string): Promise<string> {
  const login = await fetch(`${base}/v1/dev/token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ sub, name }) });
  return ((await login.json()) as { token: string }).token;
}

/** Fills and submits the client's sign-in form (the caller waits for what it expects to see next). */
export async function submitSignIn(page: Page, id: string, name: string) {
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByRole("textbox", { name: "User id" }).fill(id);
  await form.getByRole("textbox", { name: "Display name" }).fill(name);
  await form.getByRole("button", { name: "Sign in" }).click();
}

/**
 * Waits (≤ 10 s) until `token`'s channel list shows `channelId` with `unread` unread messages: counts
 * follow sends through the directory queue (DESIGN §12), so a page opened right after API sends
 * would show them a second late.
 */
export async function untilUnread(base: string, token: string, channelId: string, unread: number) {
  let seen: number | undefined;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const res = await fetch(`${base}/v1/channels`, { headers: { Authorization: `Bearer ${token}` } });
    seen = ((await res.json()) as { id: string; unread_count: number }[]).find((c) => c.id === channelId)?.unread_count;
    if (seen === unread) return;
  }
  throw new Error(`channel ${channelId}: ${seen} unread after 10 s, not ${unread}`);
}

/**
 * A page of the client signed in as `id` (1100×760), once "Sign out" shows; `problems` collects console
 * errors, page errors, failed requests and CSP refusals.
 */
export async function signedIn(chromium: ReturnType<typeof chromiumForFile>, base: string, id: string, name: string): Promise<{ page: Page; problems: string[] }> {
  const { context, failures: problems } = await chromium.context([base]);
  const page = await context.newPage();
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(String(e)));
  await page.setViewportSize({ width: 1100, height: 760 });
  await page.goto(base);
  await submitSignIn(page, id, name);
  await page.getByRole("button", { name: "Sign out" }).waitFor({ timeout: 30_000 });
  return { page, problems };
}
