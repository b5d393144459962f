// The push service worker in real Chromium (no real push service is reachable here): it registers
// at /sw.js, a push event with a payload (delivered over CDP, as DevTools' "Push" button does) makes
// it show a notification with the sender, channel and body, and a click opens the channel in the open
// app. The headless Chromium of these tests denies notifications to workers whatever is granted, so
// the worker's `showNotification` is recorded rather than drawn, and the click is handed to the
// worker's own `notificationclick` listener as the browser would hand it.
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { launchChromium, offlineContext } from "./helpers/browser";

const base = inject("apiBase");
const WAIT = { timeout: 30_000 };
let browser: Browser;
let context: BrowserContext;
let nav: () => ReturnType<import("playwright-core").Page["getByRole"]>;

beforeAll(async () => {
  browser = await launchChromium(inject("chromiumPath"));
});
afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
});

test("a push shows a notification whose click opens the channel", async () => {
  ({ context } = await offlineContext(browser, [base]));
  const page = await context.newPage();
  nav = () => page.getByRole("navigation", { name: "Channels" });
  await page.goto(base);
  const id = `push-${Math.random().toString(36).slice(2, 7)}`;
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByRole("textbox", { name: "User id" }).fill(id);
  await form.getByRole("textbox", { name: "Display name" }).fill("Pia Push");
  await form.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor(WAIT);
  await page.getByRole("button", { name: "Enable notifications" }).waitFor(WAIT);

  // A channel to be opened by the click (made through the API with the page's own session).
  const channelId = await page.evaluate(async () => {
    const { token } = JSON.parse(localStorage.getItem("edge-chat.session")!);
    const res = await fetch("/v1/channels", { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ type: "group", name: "site-visits" }) });
    return ((await res.json()) as { id: string }).id;
  });
  await page.reload();
  await nav().getByRole("link", { name: "site-visits" }).waitFor(WAIT);
  // Another channel is open when the notification is clicked.
  if (await page.evaluate((id) => location.hash === `#/c/${id}`, channelId)) {
    await page.evaluate(() => history.replaceState(null, "", "#/"));
  }

  // The worker registers and takes control of the page's origin.
  const cdp = await context.newCDPSession(page);
  await cdp.send("ServiceWorker.enable");
  const registered = new Promise<string>((resolve) =>
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const r = registrations.find((x) => x.scopeURL === `${base}/` && !x.isDeleted);
      if (r) resolve(r.registrationId);
    }),
  );
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.register("/sw.js", { scope: "/" })).scope);
  expect(scope).toBe(`${base}/`);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  const registrationId = await registered;

  const worker = context.serviceWorkers().find((w) => w.url() === `${base}/sw.js`) ?? (await context.waitForEvent("serviceworker"));
  type Shown = { title: string; body: string; tag: string; data: { channel_id: string; message_id: string } };
  await worker.evaluate(() => {
    const g = self as unknown as { __shown: unknown[]; registration: { showNotification: (title: string, opts: { body: string; tag: string; data: unknown }) => Promise<void> } };
    g.__shown = [];
    g.registration.showNotification = async (title, opts) => void g.__shown.push({ title, body: opts.body, tag: opts.tag, data: opts.data });
  });

  // A push as the API sends it, after the browser decrypted it.
  const payload = { type: "message", channel_id: channelId, message_id: "1234567890123456812", sender_name: "Alice Martin", title: "site-visits", body: "The crane arrives at 9" };
  await cdp.send("ServiceWorker.deliverPushMessage", { origin: base, registrationId, data: JSON.stringify(payload) });
  const shownOf = () => worker.evaluate(() => (self as unknown as { __shown: unknown[] }).__shown) as Promise<Shown[]>;
  const deadline = Date.now() + 15_000;
  while ((await shownOf()).length === 0 && Date.now() < deadline) await page.waitForTimeout(100);
  const shown = await shownOf();
  expect(shown).toEqual([{ title: "site-visits", body: "Alice Martin: The crane arrives at 9", tag: `channel-${channelId}`, data: { channel_id: channelId, message_id: payload.message_id } }]);

  // The click: the worker's listener gets the notification it showed; it asks the open tab to open the channel.
  const closed = await worker.evaluate((n: Shown) => {
    let closedIt = false;
    const click = Object.assign(new Event("notificationclick"), {
      notification: { data: n.data, close: () => void (closedIt = true) },
      waitUntil: (_work: Promise<unknown>) => undefined,
    });
    (self as unknown as EventTarget).dispatchEvent(click);
    return closedIt;
  }, shown[0]!);
  expect(closed).toBe(true);
  await page.waitForFunction((id) => location.hash === `#/c/${id}`, channelId, WAIT);
  await page.getByRole("heading", { name: "# site-visits" }).waitFor(WAIT);
});
