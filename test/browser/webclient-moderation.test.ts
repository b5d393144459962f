// Moderation in the web client (issue #27, DESIGN §15): a member reports a message and the owner
// resolves it from the Moderation panel; the owner bans and mutes from the members panel; slow mode
// from the panel. Each side is seen in its own browser, found by roles, names and visible text.
import type { Page } from "playwright-core";
import { expect, inject, test } from "vitest";
import { chromiumForFile, devToken, signedIn } from "./helpers/suite";

const base = inject("apiBase");
const WAIT = { timeout: 30_000 };
const run = Math.random().toString(36).slice(2, 7);
const chromium = chromiumForFile();

const people = {
  ann: { id: `ann-${run}`, name: `Ann ${run}` },
  bob: { id: `bob-${run}`, name: `Bob ${run}` },
  cat: { id: `cat-${run}`, name: `Cat ${run}` },
};
type Who = keyof typeof people;

const tokens = new Map<Who, string>();
/** The person's token (the dev login also creates the user, so others can add them). */
async function token(who: Who): Promise<string> {
  if (!tokens.has(who)) tokens.set(who, await devToken(base, people[who].id, people[who].name));
  const t = tokens.get(who)!;
  await fetch(`${base}/v1/users/me`, { headers: { Authorization: `Bearer ${t}` } });
  return t;
}

/** A request as `who` through the API, for set-up and for what the server says afterwards. */
async function api(who: Who, method: string, path: string, body?: unknown): Promise<Response> {
  const headers = { Authorization: `Bearer ${await token(who)}`, "Content-Type": "application/json" };
  return fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** Ann's group with the others in it; its id. */
async function group(name: string, members: Who[]): Promise<string> {
  for (const who of members) await token(who);
  const res = await api("ann", "POST", "/v1/channels", { type: "group", name, member_ids: members.map((w) => people[w].id) });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function post(who: Who, channelId: string, body: string): Promise<void> {
  const res = await api(who, "POST", `/v1/channels/${channelId}/messages`, { body });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** A signed-in page with the group open; `problems` collects console errors, page errors, failed requests and CSP refusals. */
async function openAs(who: Who, channel: string): Promise<{ page: Page; problems: string[] }> {
  const { page, problems } = await signedIn(chromium, base, people[who].id, people[who].name);
  await channelLink(page, channel).click();
  await page.getByRole("heading", { name: `# ${channel}` }).waitFor(WAIT);
  return { page, problems };
}

/** Problems other than answers with these statuses (each is both a failed response and Chromium's console line). */
const besides = (problems: string[], statuses: number[]) =>
  problems.filter((p) => !statuses.some((status) => p.includes(`status of ${status}`) || p.endsWith(`HTTP ${status}`)));

const channelLink = (page: Page, channel: string) => page.getByRole("navigation", { name: "Channels" }).getByRole("link", { name: new RegExp(`^${channel}(, .*)?$`) });
const message = (page: Page, text: string) => page.getByRole("log", { name: "Messages" }).getByRole("article").filter({ hasText: text });

test("a member reports a message; the owner sees it in her queue and deletes the message", async () => {
  const name = `Report ${run}`;
  const id = await group(name, ["bob"]);
  const text = `Send me your password ${run}`;
  await post("ann", id, text);
  await post("bob", id, `my own words ${run}`);

  const bob = await openAs("bob", name);
  // A plain member reports, but has no Moderation button, and cannot report himself.
  expect(await bob.page.getByRole("button", { name: "Moderation", exact: true }).count()).toBe(0);
  await message(bob.page, `my own words ${run}`).hover();
  expect(await message(bob.page, `my own words ${run}`).getByRole("button", { name: "Report", exact: true }).count()).toBe(0);
  await message(bob.page, text).hover();
  await message(bob.page, text).getByRole("button", { name: "Report", exact: true }).click();
  const form = bob.page.getByRole("form", { name: `Report message by ${people.ann.name}` });
  await form.getByRole("combobox", { name: "Reason" }).selectOption({ label: "Harassment" });
  await form.getByRole("textbox", { name: "Note" }).fill("asks for passwords");
  await form.getByRole("button", { name: "Submit" }).click();
  await message(bob.page, text).getByRole("status").getByText("Reported. Thank you.").waitFor(WAIT);

  // The owner's queue: who reported, why, and the message as it was reported.
  const ann = await openAs("ann", name);
  await ann.page.getByRole("button", { name: "Moderation", exact: true }).click();
  const panel = ann.page.getByRole("region", { name: "Moderation" });
  const report = panel.getByRole("list", { name: "Open reports" }).getByRole("listitem", { name: `Report by ${people.bob.name}: Harassment` });
  await report.waitFor(WAIT);
  expect(await report.innerText()).toContain(text);
  expect(await report.innerText()).toContain("Note: asks for passwords");
  await report.getByRole("button", { name: "Delete message" }).click();
  await panel.getByRole("status").getByText("Message deleted.").waitFor(WAIT);
  await panel.getByText("No open reports.").waitFor(WAIT);

  // Bob's view follows: the message is a tombstone.
  await bob.page.getByRole("log", { name: "Messages" }).getByRole("article", { name: `${people.ann.name}, deleted message` }).waitFor(WAIT);
  expect(await message(bob.page, text).count()).toBe(0);
  expect([...ann.problems, ...bob.problems]).toEqual([]);
});

test("the owner bans a member from the members panel: he is told, the channel leaves his list, he cannot post", async () => {
  const name = `Ban ${run}`;
  const id = await group(name, ["bob"]);
  const bob = await openAs("bob", name);
  const ann = await openAs("ann", name);

  await ann.page.getByRole("button", { name: "Members", exact: true }).click();
  const members = ann.page.getByRole("region", { name: "Members" });
  // Nobody acts on the owner, nor on themselves.
  await members.getByRole("button", { name: `Ban ${people.bob.name}` }).waitFor(WAIT);
  expect(await members.getByRole("button", { name: `Ban ${people.ann.name}` }).count()).toBe(0);
  await members.getByRole("button", { name: `Ban ${people.bob.name}` }).click();
  await members.getByRole("status").getByText(`${people.bob.name} is banned.`).waitFor(WAIT);

  // Bob is told why the channel went, and it is gone from his list.
  await bob.page.getByRole("status").getByText(`You were banned from #${name}.`).waitFor(WAIT);
  await expect.poll(() => channelLink(bob.page, name).count(), WAIT).toBe(0);

  // The API agrees: Bob is in the channel's bans, and his post is refused.
  const bans = (await (await api("ann", "GET", `/v1/channels/${id}/bans`)).json()) as { bans: { user_id: string }[] };
  expect(bans.bans.map((b) => b.user_id)).toEqual([people.bob.id]);
  const refused = await api("bob", "POST", `/v1/channels/${id}/messages`, { body: "let me back" });
  expect(refused.status).toBe(403);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("CHAT_BANNED");

  // Ann's Moderation panel lists him, by name, with a way to lift it.
  await ann.page.getByRole("button", { name: "Moderation", exact: true }).click();
  const banned = ann.page.getByRole("region", { name: "Moderation" }).getByRole("list", { name: "Banned" });
  await banned.getByRole("button", { name: `Lift ban on ${people.bob.name}` }).waitFor(WAIT);
  // Bob's client may still touch the channel it just lost (a read cursor, a refetch): 403/404 answers, nothing else.
  expect([...ann.problems, ...besides(bob.problems, [403, 404])]).toEqual([]);
});

test("a muted member sees until when, in place of the composer", async () => {
  const name = `Mute ${run}`;
  await group(name, ["cat"]);
  const cat = await openAs("cat", name);
  const ann = await openAs("ann", name);

  await ann.page.getByRole("button", { name: "Members", exact: true }).click();
  const members = ann.page.getByRole("region", { name: "Members" });
  await members.getByRole("button", { name: `Mute ${people.cat.name}` }).click();
  await members.getByRole("status").getByText(`${people.cat.name} is muted for 10 minutes.`).waitFor(WAIT);
  await members.getByRole("button", { name: `Unmute ${people.cat.name}` }).waitFor(WAIT);

  // Nothing tells Cat live; her next send is refused, and the composer gives way to the reason.
  const box = cat.page.getByRole("textbox", { name: "Message", exact: true });
  await box.fill("can I still talk?");
  await box.press("Enter");
  const mutedLine = cat.page.getByRole("status").filter({ hasText: /^You are muted in this channel until \d{1,2}:\d{2}/ });
  await mutedLine.first().waitFor(WAIT);
  expect(await box.count()).toBe(0);

  // Opening the channel again shows it at once (the channel's muted_until).
  await cat.page.reload();
  await cat.page.getByRole("heading", { name: `# ${name}` }).waitFor(WAIT);
  await mutedLine.first().waitFor(WAIT);
  expect(await box.count()).toBe(0);
  // A send made before her channel socket was up goes over REST, whose 403 Chromium logs: the only failure allowed.
  expect([...ann.problems, ...besides(cat.problems, [403])]).toEqual([]);
});

test("slow mode set from the Moderation panel is the channel's slow_mode_s; a member sees the wait", async () => {
  const name = `Slow ${run}`;
  const id = await group(name, ["bob"]);
  const ann = await openAs("ann", name);
  await ann.page.getByRole("button", { name: "Moderation", exact: true }).click();
  const slowMode = ann.page.getByRole("region", { name: "Moderation" }).getByRole("combobox", { name: "Slow mode" });
  expect(await slowMode.inputValue()).toBe("0");
  await slowMode.selectOption({ label: "30 s" });
  const slow = async () => ((await (await api("ann", "GET", `/v1/channels/${id}`)).json()) as { slow_mode_s: number }).slow_mode_s;
  await expect.poll(slow, WAIT).toBe(30);

  // Bob, a plain member, is told it is on; his second message within 30 s is refused with the wait.
  const bob = await openAs("bob", name);
  await bob.page.getByText("Slow mode is on: one message every 30 s.").waitFor(WAIT);
  const box = bob.page.getByRole("textbox", { name: "Message", exact: true });
  await box.fill(`first ${run}`);
  await box.press("Enter");
  await message(bob.page, `first ${run}`).filter({ hasNot: bob.page.getByText("Sending…") }).waitFor(WAIT);
  await box.fill(`second ${run}`);
  await box.press("Enter");
  await bob.page.getByRole("status").filter({ hasText: /^Slow mode: you can send again in \d+ s$/ }).waitFor(WAIT);
  // Over REST (before his channel socket was up) the refusal is a 429 that Chromium logs: the only failure allowed.
  expect([...ann.problems, ...besides(bob.problems, [429])]).toEqual([]);
});
