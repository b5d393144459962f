// The web client's layout as a person sees it (issue #26): no console errors on load, a working
// sign-in check, and a message that mentions you staying on one line. Bounding boxes, not classes.
import type { Page } from "playwright-core";
import { expect, inject, test } from "vitest";
import { chromiumForFile, devToken, submitSignIn, untilUnread } from "./helpers/suite";

const base = inject("apiBase");
const WAIT = { timeout: 30_000 };
const run = Math.random().toString(36).slice(2, 7);
const chromium = chromiumForFile();

/** A page on the client that records console errors and uncaught exceptions. */
async function openClient(width = 1100, height = 720): Promise<{ page: Page; errors: string[] }> {
  const { context } = await chromium.context([base]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.setViewportSize({ width, height });
  await page.goto(base);
  return { page, errors };
}

async function signIn(page: Page, id: string, name: string) {
  await submitSignIn(page, id, name);
  // Signed in: "Sign out" shows, or on a phone the "Channels" button of the drawer that holds it.
  await page.getByRole("button", { name: "Sign out" }).or(page.getByRole("button", { name: "Channels", exact: true })).waitFor(WAIT);
}

/** The API as a user, for setting up a conversation (the browser then shows it). */
async function asUser(id: string, name: string) {
  const token = await devToken(base, id, name);
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

type Box = { x: number; y: number; width: number; height: number };
/** Whether two boxes share any area. */
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const channels = (page: Page) => page.getByRole("navigation", { name: "Channels" });

/** What a click at the centre of `box` lands on: the text of the button there (or of the element). */
function hitAt(page: Page, box: Box) {
  return page.evaluate(([x, y]) => {
    const el = document.elementFromPoint(x!, y!);
    return (el?.closest("button") ?? el)?.textContent?.trim() ?? null;
  }, [box.x + box.width / 2, box.y + box.height / 2]);
}

test("editing a message: the hover toolbar covers neither Save nor Cancel", async () => {
  const eveId = `eve-${run}`;
  const eve = await asUser(eveId, "Eve");
  const group = await eve<{ id: string }>("POST", "/v1/channels", { type: "group", name: `Edit ${run}`, member_ids: [] });
  // The second of two in a row: grouped under the first, with no name line above it, its editor
  // starts at the top of the message, where the toolbar floats.
  await eve("POST", `/v1/channels/${group.id}/messages`, { body: "First" });
  await eve("POST", `/v1/channels/${group.id}/messages`, { body: "A message to fix" });

  const { page, errors } = await openClient();
  await signIn(page, eveId, "Eve");
  const log = page.getByRole("log", { name: "Messages" });
  const shown = log.getByRole("article").filter({ hasText: "A message to fix" });
  await shown.hover();
  await shown.getByRole("button", { name: "Edit", exact: true }).click();
  const article = log.getByRole("article").filter({ has: page.getByRole("textbox", { name: "Edit message" }) }); // its text is in the editor now
  const save = article.getByRole("button", { name: "Save", exact: true });
  const cancel = article.getByRole("button", { name: "Cancel", exact: true });
  await save.waitFor(WAIT);
  await article.hover(); // the pointer on the message (and focus in its editor): whatever shows on hover shows now

  const others: Box[] = [];
  for (const button of await article.getByRole("button").all()) {
    const name = await button.textContent();
    if (name === "Save" || name === "Cancel" || !(await button.isVisible())) continue;
    others.push((await button.boundingBox())!);
  }
  for (const [target, name] of [[save, "Save"], [cancel, "Cancel"]] as const) {
    const box = (await target.boundingBox())!;
    for (const other of others) expect(overlap(box, other), `${name} overlapped`).toBe(false);
    expect(await hitAt(page, box)).toBe(name); // a click there lands on the button itself
  }

  await article.getByRole("textbox", { name: "Edit message" }).fill("A message, fixed");
  await save.click();
  await log.getByRole("article").filter({ hasText: "A message, fixed" }).filter({ hasText: "(edited)" }).waitFor(WAIT);
  expect(errors).toEqual([]);
});

test("on a 390×844 phone the channel list is a drawer: open it, open a channel, send a message", async () => {
  const fayId = `fay-${run}`;
  const fay = await asUser(fayId, "Fay");
  const older = await fay<{ id: string }>("POST", "/v1/channels", { type: "group", name: `Phone A ${run}`, member_ids: [] });
  await fay("POST", `/v1/channels/${older.id}/messages`, { body: "Earlier, in A" });
  const newer = await fay<{ id: string }>("POST", "/v1/channels", { type: "group", name: `Phone B ${run}`, member_ids: [] });
  await fay("POST", `/v1/channels/${newer.id}/messages`, { body: "Later, in B" }); // B is newest: it opens first

  const { page, errors } = await openClient(390, 844);
  await signIn(page, fayId, "Fay");
  await page.getByRole("heading", { name: `# Phone B ${run}` }).waitFor(WAIT);
  const log = page.getByRole("log", { name: "Messages" });
  // The conversation has the whole width; the list is out of the way until asked for.
  expect((await log.boundingBox())!.width).toBeGreaterThan(370);
  expect(await channels(page).isVisible()).toBe(false);

  const menu = page.getByRole("button", { name: "Channels", exact: true });
  await menu.click();
  await channels(page).waitFor({ state: "visible", ...WAIT });
  const nav = (await channels(page).boundingBox())!;
  expect(nav.x).toBeGreaterThanOrEqual(0);
  expect(nav.x + nav.width).toBeLessThanOrEqual(390);
  expect(nav.width).toBeGreaterThan(240); // a usable list, not a 28 px strip
  const link = channels(page).getByRole("link", { name: `Phone A ${run}` });
  const linkBox = (await link.boundingBox())!;
  expect(linkBox.height).toBeGreaterThanOrEqual(24);
  expect(await hitAt(page, linkBox)).toContain(`Phone A ${run}`); // nothing lies over it

  await link.click();
  await page.getByRole("heading", { name: `# Phone A ${run}` }).waitFor(WAIT);
  await expect.poll(() => channels(page).isVisible(), WAIT).toBe(false); // the drawer closed by itself
  await log.getByRole("article").filter({ hasText: "Earlier, in A" }).waitFor(WAIT);

  const box = page.getByRole("textbox", { name: "Message", exact: true });
  const composer = (await box.boundingBox())!;
  expect(composer.y + composer.height).toBeLessThanOrEqual(844);
  expect(composer.width).toBeGreaterThan(250);
  await box.fill("Sent from a phone");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  // Stored: the pending copy (class `pending`) is replaced by the message (grouped under the earlier one,
  // so without a header of its own).
  const sent = log.locator("article.message:not(.pending)").filter({ hasText: "Sent from a phone" });
  await sent.waitFor(WAIT);
  const sentBox = (await sent.boundingBox())!;
  expect(sentBox.x).toBeGreaterThanOrEqual(0);
  expect(sentBox.x + sentBox.width).toBeLessThanOrEqual(390);
  expect(errors).toEqual([]);
});

test("a channel link's accessible name carries its unread count", async () => {
  const gusId = `gus-${run}`;
  const halId = `hal-${run}`;
  const hal = await asUser(halId, "Hal");
  await hal("GET", "/v1/users/me");
  const gus = await asUser(gusId, "Gus");
  const design = await gus<{ id: string }>("POST", "/v1/channels", { type: "group", name: `Design ${run}`, member_ids: [halId] });
  for (const body of ["one", "two", "three"]) await gus("POST", `/v1/channels/${design.id}/messages`, { body });
  // Hal's newest channel opens on sign-in (and is read); Design stays unread.
  const own = await hal<{ id: string }>("POST", "/v1/channels", { type: "group", name: `Notes ${run}`, member_ids: [] });
  await hal("POST", `/v1/channels/${own.id}/messages`, { body: "mine" });
  await untilUnread(base, await devToken(base, halId, "Hal"), design.id, 3);

  const { page, errors } = await openClient();
  await signIn(page, halId, "Hal");
  const link = channels(page).getByRole("link", { name: `Design ${run}, 3 unread`, exact: true });
  await link.waitFor(WAIT);
  await channels(page).getByRole("link", { name: `Notes ${run}`, exact: true }).waitFor(WAIT); // nothing unread: the name alone
  await link.click();
  await channels(page).getByRole("link", { name: `Design ${run}`, exact: true }).waitFor(WAIT); // read
  expect(errors).toEqual([]);
});

test("an empty channel list says what to do", async () => {
  const { page, errors } = await openClient();
  await signIn(page, `ivy-${run}`, "Ivy");
  const list = channels(page);
  await list.getByText("No conversations yet.").waitFor(WAIT);
  expect(await list.getByText(/Start a direct message or a group/).isVisible()).toBe(true);
  expect(await list.getByRole("link").count()).toBe(0);
  expect(errors).toEqual([]);
});
