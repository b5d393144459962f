// The README's screenshot (docs/screenshot.png) is this page: a conversation as a new user sees it.
// (No emoji in it: the test browser has no color emoji font.)
// The test asserts what the picture must show; `SCREENSHOT=1 npx vitest run --project browser
// test/browser/screenshot.test.ts` also writes the picture.
import path from "node:path";
import { expect, inject, test } from "vitest";
import { chromiumForFile, devToken, submitSignIn, untilUnread } from "./helpers/suite";

const base = inject("apiBase");
const WAIT = { timeout: 30_000 };
const run = Math.random().toString(36).slice(2, 7);
const chromium = chromiumForFile();

async function person(id: string, name: string) {
  const token = await devToken(base, id, name);
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const post = async (url: string, body: unknown) => {
    const res = await fetch(`${base}${url}`, { method: "POST", headers, body: JSON.stringify(body) });
    expect(res.ok, await res.clone().text()).toBe(true);
    return res.json() as Promise<{ id: string }>;
  };
  await fetch(`${base}/v1/users/me`, { headers });
  return { id, name, post, token };
}

test("a conversation on screen: the channel list, messages with a thread and unread badges", async () => {
  const [maya, omar] = [await person(`maya-${run}`, "Maya Chen"), await person(`omar-${run}`, "Omar Haddad")];
  const launch = await maya.post("/v1/channels", { type: "group", name: "Launch", member_ids: [omar.id] });
  const design = await omar.post("/v1/channels", { type: "group", name: "Design review", member_ids: [maya.id] });
  await maya.post(`/v1/channels/${launch.id}/messages`, { body: "Morning! Release checklist is up — can you take the migration step?" });
  const ask = await omar.post(`/v1/channels/${launch.id}/messages`, { body: "On it. Staging first, then prod after lunch.", mentioned_user_ids: [maya.id] });
  await maya.post(`/v1/channels/${launch.id}/messages`, { body: "Perfect, thanks!", parent_id: ask.id });
  await omar.post(`/v1/channels/${design.id}/messages`, { body: "New mockups for the settings page" });
  await untilUnread(base, maya.token, design.id, 1);

  const { context, failures } = await chromium.context([base]);
  const page = await context.newPage();
  await page.setViewportSize({ width: 1100, height: 640 });
  await page.goto(base);
  await submitSignIn(page, maya.id, maya.name);
  const nav = page.getByRole("navigation", { name: "Channels" });
  await nav.getByRole("link", { name: /^Launch/ }).click();
  const log = page.getByRole("log", { name: "Messages" });
  await log.getByText("Staging first, then prod after lunch.").waitFor(WAIT);
  await log.getByText("1 reply").waitFor(WAIT);
  await nav.getByRole("link", { name: "Design review, 1 unread" }).waitFor(WAIT);
  expect(failures).toEqual([]);
  if (process.env.SCREENSHOT === "1") await page.screenshot({ path: path.resolve(import.meta.dirname, "../../docs/screenshot.png") });
});
