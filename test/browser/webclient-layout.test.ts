// The web client's layout as a person sees it (issue #26): no console errors on load, a working
// sign-in check, and a message that mentions you staying on one line. Bounding boxes, not classes.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { launchChromium, offlineContext } from "./helpers/browser";

const base = inject("apiBase");
const WAIT = { timeout: 30_000 };
const run = Math.random().toString(36).slice(2, 7);
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium(inject("chromiumPath"));
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
});

/** A page on the client that records console errors and uncaught exceptions. */
async function openClient(width = 1100, height = 720): Promise<{ page: Page; errors: string[] }> {
  const { context } = await offlineContext(browser, [base]);
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.setViewportSize({ width, height });
  await page.goto(base);
  return { page, errors };
}

async function signIn(page: Page, id: string, name: string) {
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByRole("textbox", { name: "User id" }).fill(id);
  await form.getByRole("textbox", { name: "Display name" }).fill(name);
  await form.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor(WAIT);
}

/** The API as a user, for setting up a conversation (the browser then shows it). */
async function asUser(id: string, name: string) {
  const login = await fetch(`${base}/v1/dev/token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ sub: id, name }) });
  const { token } = (await login.json()) as { token: string };
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
}

test("the sign-in page loads without console errors, and its user id check works", async () => {
  const { page, errors } = await openClient();
  const userId = page.getByRole("form", { name: "Sign in" }).getByRole("textbox", { name: "User id" });
  await userId.fill("no spaces allowed");
  expect(await userId.evaluate((el: HTMLInputElement) => el.validity.patternMismatch)).toBe(true);
  await userId.fill(`ann.lee+ops@example.com|${run}`);
  expect(await userId.evaluate((el: HTMLInputElement) => el.validity.valid)).toBe(true);
  expect(errors).toEqual([]);
});

test("a message that mentions you stays on one line", async () => {
  const annId = `ann-${run}`;
  const bobId = `bob-${run}`;
  const bobApi = await asUser(bobId, "Bob");
  await bobApi("GET", "/v1/users/me"); // Bob exists once he has signed in
  const ann = await asUser(annId, "Ann");
  const group = await ann<{ id: string }>("POST", "/v1/channels", { type: "group", name: `Layout ${run}`, member_ids: [bobId] });
  await ann("POST", `/v1/channels/${group.id}/messages`, { body: "Look here @Bob please", mentioned_user_ids: [bobId] });

  const { page, errors } = await openClient();
  await signIn(page, bobId, "Bob");
  await page.getByRole("navigation", { name: "Channels" }).getByRole("link", { name: `Layout ${run}` }).click();
  const body = page.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: "Look here" }).locator(".body");
  const mention = body.getByText("@Bob", { exact: true });
  await mention.waitFor(WAIT);

  // One line: the mention sits on the line of the text around it, and the body is one line high.
  const lineHeight = await body.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.2);
  const [bodyBox, mentionBox] = [await body.boundingBox(), await mention.boundingBox()];
  expect(bodyBox!.height).toBeLessThan(lineHeight * 1.5);
  expect(Math.abs(mentionBox!.y - bodyBox!.y)).toBeLessThan(lineHeight / 2);
  expect(mentionBox!.width).toBeLessThan(bodyBox!.width / 2);
  expect(errors).toEqual([]);
});
