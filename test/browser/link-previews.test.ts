// Link previews in the web client (DESIGN §18): a message with a link shows, under it, the page's
// title, site and description once the server has fetched them — the image is the server's signed
// copy on its own origin, so the page never contacts the linked site (the context is offline to it).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { chromiumForFile, devToken, submitSignIn } from "./helpers/suite";
import { gradientPng } from "./helpers/png";

const base = inject("apiBase");
const WAIT = { timeout: 30_000 };
const run = Math.random().toString(36).slice(2, 7);
const chromium = chromiumForFile();
let pages: http.Server;
let origin = "";

beforeAll(async () => {
  // The linked site: an Open Graph page and its image, on loopback (allowed while DEV_LOGIN=true).
  pages = http.createServer((req, res) => {
    if (req.url === "/cover.png") return void res.writeHead(200, { "Content-Type": "image/png" }).end(gradientPng(64, 64));
    const html = `<!doctype html><html><head><title>fallback</title>
      <meta property="og:title" content="Launch plan ${run}"><meta property="og:site_name" content="Example Docs">
      <meta property="og:description" content="Who does what before Friday"><meta property="og:image" content="${origin}/cover.png">
      </head><body>plan</body></html>`;
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
});
afterAll(() => {
  pages?.close();
});

test("a message with a link shows its preview: title, site, description and the server's copy of the image", async () => {
  const id = `lp-${run}`;
  const token = await devToken(base, id, "Lena");
  const auth = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const room = (await (await fetch(`${base}/v1/channels`, { method: "POST", headers: auth, body: JSON.stringify({ type: "room", name: `Links ${run}` }) })).json()) as { id: string };
  const sent = await fetch(`${base}/v1/channels/${room.id}/messages`, { method: "POST", headers: auth, body: JSON.stringify({ body: `the plan: ${origin}/plan` }) });
  expect(sent.status).toBe(201);

  const { context, failures } = await chromium.context([base]);
  const page = await context.newPage();
  await page.setViewportSize({ width: 1100, height: 720 });
  await page.goto(base);
  await submitSignIn(page, id, "Lena");
  await page.getByRole("navigation", { name: "Channels" }).getByRole("link", { name: new RegExp(`^Links ${run}`) }).click();
  const card = page.getByRole("link", { name: `Link preview: Launch plan ${run}` });
  await card.waitFor(WAIT);
  await expect(card.textContent()).resolves.toContain("Example Docs");
  await expect(card.textContent()).resolves.toContain("Who does what before Friday");
  expect(await card.getAttribute("href")).toBe(`${origin}/plan`);
  expect(await card.getAttribute("rel")).toContain("noreferrer");
  // The image is the server's signed copy, loaded from the API's origin, and it decoded.
  const img = card.locator("img");
  expect(await img.getAttribute("src")).toMatch(/^\/files\/lp-[0-9a-f]{32}\/full\?exp=\d+&sig=/);
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), WAIT).toBe(64);
  expect(failures).toEqual([]);
});
