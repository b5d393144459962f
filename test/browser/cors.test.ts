// A web client on another origin calling the API with fetch(): allowed with CORS_ORIGINS=*, blocked by
// the browser when the deployment configures no CORS.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { launchChromium, offlineContext } from "./helpers/browser";
import { type ApiServer, startApi, startPageServer, TEST_VARS } from "./helpers/server";

/** The client: dev login, then GET /v1/users/me with the token; writes the outcome into #result. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>CORS client</title>
<pre id="result">pending</pre>
<script type="module">
  const api = new URLSearchParams(location.search).get("api");
  const out = document.getElementById("result");
  try {
    const login = await fetch(api + "/v1/dev/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sub: "cors-user", name: "Cors User" }),
    });
    const { token } = await login.json();
    const me = await fetch(api + "/v1/users/me", { headers: { Authorization: "Bearer " + token } });
    const body = await me.json();
    out.textContent = "ok " + me.status + " " + body.id + " " + body.display_name + " request-id:" + me.headers.get("X-Request-Id");
  } catch (err) {
    out.textContent = "error " + err;
  }
</script>
`;

const api = inject("apiBase");
let browser: Browser;
let page: Awaited<ReturnType<typeof startPageServer>>;
let noCors: ApiServer;

beforeAll(async () => {
  // A second API without CORS (as a deployment with CORS_ORIGINS unset), started alongside the browser.
  [browser, page, noCors] = await Promise.all([
    launchChromium(inject("chromiumPath")),
    startPageServer(PAGE),
    startApi({ ...TEST_VARS, CORS_ORIGINS: "" }),
  ]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), page?.close(), noCors?.stop()]);
});

/** Opens the client page against `apiBase` and waits until it has written its outcome. */
async function runClient(apiBase: string) {
  const { context, failures } = await offlineContext(browser, [page.origin, apiBase]);
  const tab = await context.newPage();
  await tab.goto(`${page.origin}/?api=${encodeURIComponent(apiBase)}`);
  const result = tab.locator("#result");
  await result.filter({ hasNotText: "pending" }).waitFor({ timeout: 30_000 });
  const text = await result.textContent();
  await context.close();
  return { text, failures };
}

test("a page on another origin signs in and reads /v1/users/me (CORS_ORIGINS=*)", async () => {
  const { text, failures } = await runClient(api);
  expect(text).toMatch(/^ok 200 cors-user Cors User request-id:\S+$/); // X-Request-Id is exposed
  expect(failures).toEqual([]);
});

test("the same page is blocked by the browser when the API has no CORS configured", async () => {
  const { text, failures } = await runClient(noCors.base);
  expect(text).toBe("error TypeError: Failed to fetch");
  expect(failures.join("\n")).toContain(`${noCors.base}/v1/dev/token`);
  // The server itself answered: it was the browser's same-origin policy that refused.
  const direct = await fetch(`${noCors.base}/v1/dev/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ sub: "cors-user", name: "Cors User" }),
  });
  expect(direct.status).toBe(200);
});
