// The web client at / in real Chromium against wrangler dev: two people in two browser contexts.
// Everything is found the way a person (or a screen reader) finds it: roles, names, visible text.
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { launchChromium, offlineContext } from "./helpers/browser";
import { gradientPng } from "./helpers/png";

const base = inject("apiBase");
const WAIT = { timeout: 30_000 };
let browser: Browser;
const contexts: BrowserContext[] = [];
const run = Math.random().toString(36).slice(2, 7);

beforeAll(async () => {
  browser = await launchChromium(inject("chromiumPath"));
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
});

interface Person {
  id: string;
  name: string;
  page: Page;
  context: BrowserContext;
  failures: string[];
}

/** A fresh browser context (its own storage), signed in through the form. */
async function signIn(name: string): Promise<Person> {
  const { context, failures } = await offlineContext(browser, [base]);
  contexts.push(context);
  // Lets a test drop the page's sockets the way a deploy or a dead link does: an abnormal close (1006)
  // at once, whatever the close handshake (which an offline browser may hold back) does later.
  await context.addInitScript(() => {
    const Native = WebSocket;
    const sockets: WebSocket[] = [];
    (window as unknown as { __openSockets(): string[] }).__openSockets = () => sockets.filter((s) => s.readyState === WebSocket.OPEN).map((s) => s.url);
    (window as unknown as { __killSockets(): void }).__killSockets = () => {
      for (const s of sockets.splice(0)) {
        s.close();
        s.dispatchEvent(new CloseEvent("close", { code: 1006, reason: "killed by the test" }));
      }
    };
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    };
  });
  const page = await context.newPage();
  await page.setViewportSize({ width: 1100, height: 720 });
  const id = `${name.toLowerCase()}-${run}`;
  await page.goto(base);
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByRole("textbox", { name: "User id" }).fill(id);
  await form.getByRole("textbox", { name: "Display name" }).fill(name);
  await form.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor(WAIT); // (the channel list may be empty)
  return { id, name, page, context, failures };
}

const nav = (p: Person) => p.page.getByRole("navigation", { name: "Channels" });
/** A channel's link: its accessible name is the channel's, then the counts (", 2 unread, 1 mention"). */
const linkName = (channel: string) => new RegExp(`^${channel.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(, .*)?$`);
const channelLink = (p: Person, channel: string) => nav(p).getByRole("link", { name: linkName(channel) });
const log = (p: Person) => p.page.getByRole("log", { name: "Messages" });
const badge = (p: Person, channel: string) => nav(p).getByRole("listitem").filter({ has: p.page.getByRole("link", { name: linkName(channel) }) }).locator(".badge");
const message = (p: Person, text: string) => log(p).getByRole("article").filter({ hasText: text });
const threadPane = (p: Person) => p.page.getByRole("complementary", { name: "Thread" });
const reply = (p: Person, text: string) => threadPane(p).getByRole("log", { name: "Replies" }).getByRole("article").filter({ hasText: text });
const mentionBadge = (p: Person, channel: string) =>
  nav(p).getByRole("listitem").filter({ has: p.page.getByRole("link", { name: linkName(channel) }) }).locator(".mentions");
const openSockets = (p: Person) => p.page.evaluate(() => (window as unknown as { __openSockets(): string[] }).__openSockets());

/** Message actions show on hover (and focus), as in every chat app. */
async function action(p: Person, text: string, name: string) {
  await message(p, text).hover();
  await message(p, text).getByRole("button", { name, exact: true }).click();
}

/** The people picker (DM and group forms): type, wait for the person to be offered, Enter picks. */
async function pickPerson(page: Page, label: string, query: string) {
  const box = page.getByRole("combobox", { name: label, exact: true });
  await box.fill(query);
  await page.getByRole("listbox", { name: `${label}: suggestions` }).getByRole("option", { name: new RegExp(query) }).waitFor(WAIT);
  await box.press("Enter");
  await page.getByRole("list", { name: `${label}: picked` }).getByRole("listitem").first().waitFor(WAIT);
}

async function say(p: Person, text: string) {
  const box = p.page.getByRole("textbox", { name: "Message", exact: true });
  await box.fill(text);
  await box.press("Enter");
}

let alice: Person;
let bob: Person;

test("/ and its assets carry the security headers, and the client starts under its CSP", async () => {
  const { context, failures } = await offlineContext(browser, [base]);
  contexts.push(context);
  const page = await context.newPage();
  const assets: Record<string, Record<string, string>> = {};
  page.on("response", (res) => {
    if (/\/app\/app\.(js|css)/.test(res.url())) assets[new URL(res.url()).pathname] = res.headers();
  });
  const doc = await page.goto(base);
  await page.getByRole("form", { name: "Sign in" }).waitFor(WAIT); // app.js ran: it renders the form
  for (const headers of [doc!.headers(), ...Object.values(assets)]) {
    expect(headers["content-security-policy"]).toContain("script-src 'self';");
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"]).not.toContain("unsafe-");
    expect(headers["referrer-policy"]).toBe("no-referrer");
    expect(headers["x-content-type-options"]).toBe("nosniff");
  }
  expect(Object.keys(assets).sort()).toEqual(["/app/app.css", "/app/app.js"]);
  expect(failures).toEqual([]);
});

test("two people: a DM and a group, messages and unread badges live, Enter vs Shift+Enter", async () => {
  [alice, bob] = await Promise.all([signIn("Alice"), signIn("Bob")]);

  // Alice opens a DM with Bob and writes; Bob, with nothing open, sees the DM appear with a badge.
  await pickPerson(alice.page, "Direct message to", bob.id);
  await alice.page.getByRole("button", { name: "Start DM" }).click();
  await alice.page.getByRole("heading", { name: "Bob" }).waitFor(WAIT);
  await say(alice, "Hello Bob");
  await message(alice, "Hello Bob").waitFor(WAIT);
  await expect.poll(() => badge(bob, "Alice").textContent(), WAIT).toBe("1");

  await say(alice, "Are you there?");
  await expect.poll(() => badge(bob, "Alice").textContent(), WAIT).toBe("2");
  await nav(bob).getByRole("link", { name: "Alice, 2 unread", exact: true }).waitFor(WAIT); // a screen reader hears the count

  await channelLink(bob, "Alice").click();
  await message(bob, "Hello Bob").waitFor(WAIT);
  await message(bob, "Are you there?").waitFor(WAIT);
  await expect.poll(() => badge(bob, "Alice").count(), WAIT).toBe(0); // read: no badge

  // Shift+Enter is a new line inside the message; Enter sends the whole of it.
  const box = bob.page.getByRole("textbox", { name: "Message", exact: true });
  await box.click();
  await box.pressSequentially("line one");
  await box.press("Shift+Enter");
  await box.pressSequentially("line two");
  expect(await box.inputValue()).toBe("line one\nline two");
  await box.press("Enter");
  await expect.poll(() => box.inputValue()).toBe("");
  const both = message(alice, "line one");
  await both.waitFor(WAIT);
  expect(await both.locator(".body").innerText()).toBe("line one\nline two");

  // Typing shows on the other side.
  await alice.page.getByRole("textbox", { name: "Message", exact: true }).pressSequentially("still typing", { delay: 400 }); // past the 3 s typing throttle
  await bob.page.getByText("Alice is typing…").waitFor(WAIT);
  await alice.page.getByRole("textbox", { name: "Message", exact: true }).fill("");

  // A group: Alice creates it with Bob; Bob (in the DM) sees it appear and its badge count up live.
  await alice.page.getByRole("textbox", { name: "Group name" }).fill(`Project ${run}`);
  await pickPerson(alice.page, "Members", bob.id);
  await alice.page.getByRole("button", { name: "Create group" }).click();
  await alice.page.getByRole("heading", { name: `# Project ${run}` }).waitFor(WAIT);
  await say(alice, "Welcome to the group");
  await expect.poll(() => badge(bob, `Project ${run}`).textContent(), WAIT).toBe("1");
  await channelLink(bob, `Project ${run}`).click();
  await message(bob, "Welcome to the group").waitFor(WAIT);
  await say(bob, "Thanks!");
  await message(alice, "Thanks!").waitFor(WAIT);
  expect([...alice.failures, ...bob.failures]).toEqual([]);
});

/** REST sends (POST …/messages) a page made: the client sends over the channel socket instead. */
const restSends: string[] = [];

test("a thread: a reply typed in one window appears in the other's thread pane, the root's count updates live", async () => {
  for (const p of [alice, bob]) {
    p.page.on("request", (r) => r.method() === "POST" && new URL(r.url()).pathname.endsWith("/messages") && restSends.push(r.url()));
  }
  // Both are in the group; each opens the thread of Bob's "Thanks!".
  await action(alice, "Thanks!", "Reply");
  await action(bob, "Thanks!", "Reply");
  for (const p of [alice, bob]) await threadPane(p).getByRole("heading", { name: "Thread" }).waitFor(WAIT);

  const box = alice.page.getByRole("textbox", { name: "Reply", exact: true });
  await box.fill("A reply in the thread");
  await box.press("Enter");
  await reply(bob, "A reply in the thread").waitFor(WAIT);
  await reply(alice, "A reply in the thread").waitFor(WAIT);
  // The root's reply count moves live in both channel views; the reply stays out of the channel's log.
  for (const p of [alice, bob]) await message(p, "Thanks!").getByRole("button", { name: "1 reply" }).waitFor(WAIT);
  expect(await message(bob, "A reply in the thread").count()).toBe(0);

  // Bob answers in the thread with its own composer (over his channel socket).
  await threadPane(bob).getByRole("textbox", { name: "Reply", exact: true }).fill("And mine");
  await threadPane(bob).getByRole("button", { name: "Send reply" }).click();
  await reply(alice, "And mine").waitFor(WAIT);
  await message(alice, "Thanks!").getByRole("button", { name: "2 replies" }).waitFor(WAIT);
  await threadPane(alice).getByRole("button", { name: "Close thread" }).click();
  await threadPane(bob).getByRole("button", { name: "Close thread" }).click();
  expect([...alice.failures, ...bob.failures]).toEqual([]);
});

test("a mention: @-completion, the other's mention badge live through the user socket, highlighted", async () => {
  // Bob moves to the DM: no channel socket is open for the group any more, only his user socket.
  await channelLink(bob, "Alice").click();
  await message(bob, "Hello Bob").waitFor(WAIT);
  const groupId = (await channelLink(bob, `Project ${run}`).getAttribute("href"))!.replace("#/c/", "");
  await expect.poll(async () => (await openSockets(bob)).filter((url) => url.includes(`/channels/${groupId}/`)), WAIT).toEqual([]);
  expect((await openSockets(bob)).some((url) => new URL(url).pathname === "/v1/ws")).toBe(true);

  // Alice types "@Bo": the picker offers Bob, Enter completes the name (and does not send).
  const box = alice.page.getByRole("textbox", { name: "Message", exact: true });
  await box.fill("");
  await box.pressSequentially("Look here @Bo");
  await alice.page.getByRole("listbox", { name: "Mention someone" }).getByRole("option", { name: /@Bob/ }).waitFor(WAIT);
  await box.press("Enter");
  await expect.poll(() => box.inputValue()).toBe("Look here @Bob ");
  await box.pressSequentially("please");
  await box.press("Enter");
  await message(alice, "Look here").waitFor(WAIT);

  await expect.poll(() => mentionBadge(bob, `Project ${run}`).textContent(), WAIT).toBe("@1");
  await expect.poll(() => badge(bob, `Project ${run}`).textContent(), WAIT).toBe("1");
  // A plain message counts as unread but not as a mention.
  await say(alice, "no mention here");
  await expect.poll(() => badge(bob, `Project ${run}`).textContent(), WAIT).toBe("2");
  expect(await mentionBadge(bob, `Project ${run}`).textContent()).toBe("@1");
  await nav(bob).getByRole("link", { name: `Project ${run}, 2 unread, 1 mention`, exact: true }).waitFor(WAIT);

  // Bob opens the group: the mention is highlighted as his, and both badges clear.
  await channelLink(bob, `Project ${run}`).click();
  await expect.poll(() => message(bob, "Look here").locator(".mention.mine").textContent(), WAIT).toBe("@Bob");
  await expect.poll(() => mentionBadge(bob, `Project ${run}`).count(), WAIT).toBe(0);
  await expect.poll(() => badge(bob, `Project ${run}`).count(), WAIT).toBe(0);
  expect([...alice.failures, ...bob.failures]).toEqual([]);
  expect(restSends).toEqual([]); // every message and reply since went over the channel sockets
});

test("a DM: presence and “Seen” under your last message the other has read", async () => {
  await channelLink(alice, "Bob").click();
  await alice.page.getByRole("status", { name: "Bob is online" }).waitFor(WAIT);
  await say(alice, "Did you see this?");
  await message(alice, "Did you see this?").waitFor(WAIT);
  expect(await message(alice, "Did you see this?").getByText("Seen", { exact: true }).count()).toBe(0);
  await channelLink(bob, "Alice").click(); // Bob reads it
  await message(bob, "Did you see this?").waitFor(WAIT);
  await message(alice, "Did you see this?").getByText("Seen", { exact: true }).waitFor(WAIT);

  // Both back to the group for the tests that follow.
  await channelLink(alice, `Project ${run}`).click();
  await channelLink(bob, `Project ${run}`).click();
  await message(bob, "Look here").waitFor(WAIT);
  await message(alice, "Look here").waitFor(WAIT);
});

test("pins live in the pins panel; search finds a message and opens its channel", async () => {
  await action(alice, "Look here", "Pin");
  await message(bob, "Look here").getByText("📌 Pinned").waitFor(WAIT); // message_update, live
  await bob.page.getByRole("button", { name: "Pinned messages" }).click();
  const panel = bob.page.getByRole("region", { name: "Pinned messages" });
  await panel.getByRole("article").filter({ hasText: "Look here" }).waitFor(WAIT);
  await action(alice, "Look here", "Unpin");
  await panel.getByText("No pinned messages.").waitFor(WAIT);
  await bob.page.getByRole("button", { name: "Pinned messages" }).click();

  await bob.page.getByRole("searchbox", { name: "Search messages" }).fill("mention");
  await bob.page.getByRole("searchbox", { name: "Search messages" }).press("Enter");
  const results = bob.page.getByRole("region", { name: "Search results" });
  await results.getByRole("button", { name: /no mention here/ }).click();
  await message(bob, "no mention here").waitFor(WAIT);
  await bob.page.getByRole("heading", { name: `# Project ${run}` }).waitFor(WAIT);
  expect([...alice.failures, ...bob.failures]).toEqual([]);
});

test("an image upload shows its thumbnail on both sides", async () => {
  await alice.page.getByLabel("Attach files").setInputFiles({ name: "gradient.png", mimeType: "image/png", buffer: gradientPng(320, 200) });
  await alice.page.getByRole("list", { name: "Attachments" }).getByText("gradient.png").waitFor(WAIT); // uploading, with progress
  await say(alice, "A picture");
  for (const p of [alice, bob]) {
    const img = message(p, "A picture").getByRole("img", { name: "gradient.png" });
    await message(p, "A picture").waitFor(WAIT);
    await img.waitFor(WAIT).catch(async (err) => {
      throw new Error(`${err.message}\n${await message(p, "A picture").innerHTML()}`);
    });
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth), WAIT).toBe(256); // the 256 px WebP
  }
  // The upload's preview (a blob: image), the thumbnail and the socket all passed the page's CSP.
  expect([...alice.failures, ...bob.failures]).toEqual([]);
  if (process.env.UPDATE_SCREENSHOT) {
    await alice.page.setViewportSize({ width: 1320, height: 760 });
    await alice.page.getByRole("textbox", { name: "Message", exact: true }).fill("");
    await action(alice, "Thanks!", "Reply"); // the thread pane open beside the channel
    await reply(alice, "And mine").waitFor(WAIT);
    await message(alice, "A picture").hover(); // its actions showing
    await alice.page.screenshot({ path: path.resolve(import.meta.dirname, "../../docs/web-client.png") });
    await threadPane(alice).getByRole("button", { name: "Close thread" }).click();
    await alice.page.setViewportSize({ width: 1100, height: 720 });
  }
});

test("sockets dropped mid-conversation: nothing is lost after reconnecting", async () => {
  // Bob's network goes away and his sockets drop (as in a deploy); Alice keeps writing.
  await bob.context.setOffline(true);
  try {
    await bob.page.evaluate(() => (window as unknown as { __killSockets(): void }).__killSockets());
    await bob.page.getByText("Reconnecting…").waitFor(WAIT);
    for (const text of ["while away 1", "while away 2", "while away 3"]) {
      await say(alice, text);
      await message(alice, text).waitFor(WAIT);
    }
  } finally {
    await bob.context.setOffline(false);
  }
  for (const text of ["while away 1", "while away 2", "while away 3"]) await message(bob, text).waitFor(WAIT);
  await expect.poll(() => bob.page.getByText("Reconnecting…").count(), WAIT).toBe(0);
  // Each exactly once, in order, and the conversation goes on both ways.
  const texts = await log(bob).getByRole("article").filter({ hasText: "while away" }).locator(".body").allInnerTexts();
  expect(texts).toEqual(["while away 1", "while away 2", "while away 3"]);
  await say(bob, "back again");
  await message(alice, "back again").waitFor(WAIT);
});

test("time to first message on screen after load", async () => {
  await bob.page.reload();
  await log(bob).getByRole("article").first().waitFor(WAIT);
  const ms = await bob.page.evaluate(() => performance.getEntriesByName("first-message")[0]?.startTime ?? -1);
  expect(ms).toBeGreaterThan(0);
  console.log(`web client: first message on screen ${Math.round(ms)} ms after navigation start`);
});
