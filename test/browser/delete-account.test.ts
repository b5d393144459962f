// "Delete my account" in the web client's user menu, in real Chromium against wrangler dev: the
// confirmation must be typed, Cancel does nothing, and confirming erases the account (the old token
// is then 403 AUTH_USER_DELETED) and signs out.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { launchChromium, offlineContext } from "./helpers/browser";

const base = inject("apiBase");
const WAIT = { timeout: 30_000 };
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium(inject("chromiumPath"));
});
afterAll(async () => {
  await browser?.close();
});

test("deleting my account: typed confirmation, cancel, then DELETE /v1/users/me and sign-out", async () => {
  const { context, failures } = await offlineContext(browser, [base]);
  const page = await context.newPage();
  const id = `leaver-${Math.random().toString(36).slice(2, 7)}`;
  await page.goto(base);
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByRole("textbox", { name: "User id" }).fill(id);
  await form.getByRole("textbox", { name: "Display name" }).fill("Leaver");
  await form.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor(WAIT);
  // The session the page keeps (web/session.ts), to try its token after the deletion.
  const bearer = await page.evaluate(() => (JSON.parse(localStorage.getItem("edge-chat.session")!) as { token: string }).token);

  // Opening and cancelling changes nothing.
  await page.getByRole("button", { name: "Delete my account" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete your account?" });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog.count()).resolves.toBe(0);

  await page.getByRole("button", { name: "Delete my account" }).click();
  const confirm = dialog.getByRole("button", { name: "Delete my account" });
  expect(await confirm.isDisabled()).toBe(true);
  await dialog.getByRole("radio", { name: /Keep them/ }).check();
  await dialog.getByRole("textbox", { name: "Type DELETE to confirm" }).fill("delete");
  expect(await confirm.isDisabled()).toBe(true); // the exact word, not a near miss
  await dialog.getByRole("textbox", { name: "Type DELETE to confirm" }).fill("DELETE");
  const answer = page.waitForResponse((r) => r.url().endsWith("/v1/users/me") && r.request().method() === "DELETE");
  await confirm.click();
  const res = await answer;
  expect(res.status()).toBe(202);
  expect(JSON.parse(res.request().postData()!)).toEqual({ messages: "keep" });
  expect(await res.json()).toMatchObject({ status: "running", messages: "keep" });

  // Signed out; the token the page held is refused from now on.
  await page.getByRole("form", { name: "Sign in" }).waitFor(WAIT);
  const after = await fetch(`${base}/v1/users/me`, { headers: { Authorization: `Bearer ${bearer}` } });
  expect(after.status).toBe(403);
  expect(((await after.json()) as { error: { code: string } }).error.code).toBe("AUTH_USER_DELETED");
  expect(failures).toEqual([]);
  await context.close();
});
