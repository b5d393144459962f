// Headless Chromium from the @sparticuz/chromium npm package (no browser download), driven by
// playwright-core, with every request that leaves the allowed origins blocked and recorded.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import sparticuz from "@sparticuz/chromium";
import { type Browser, type BrowserContext, chromium } from "playwright-core";

const ROOT = path.resolve(import.meta.dirname, "../../..");

/**
 * Unpacks the Chromium binary once per package version into node_modules/.cache and returns its path.
 * The package unpacks into os.tmpdir() and trusts whatever is there, so a child process with its own
 * TMPDIR does it, and a rename publishes it only when complete (an interrupted run leaves no half binary).
 */
export async function chromiumExecutable(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(ROOT, "node_modules/@sparticuz/chromium/package.json"), "utf8"));
  const dir = path.join(ROOT, "node_modules/.cache", `sparticuz-chromium-${pkg.version}`);
  const binary = path.join(dir, "chromium");
  if (existsSync(binary)) return binary;
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const script = 'import("@sparticuz/chromium").then((m) => m.default.executablePath()).then((p) => console.log(p))';
  try {
    await promisify(execFile)(process.execPath, ["-e", script], { cwd: ROOT, env: { ...process.env, TMPDIR: partial } });
    if (existsSync(dir) && !existsSync(binary)) await rm(dir, { recursive: true, force: true }); // a stale leftover
    await rename(partial, dir);
  } catch (err) {
    if (!existsSync(binary)) throw err; // else a concurrent run published it first: use that one
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return binary;
}

/**
 * Chromium's serverless flags minus two: --disable-web-security (the CORS tests need the real
 * same-origin policy) and --single-process (Chromium then crashes opening a page after a context closed).
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  const dropped = ["--disable-web-security", "--single-process"];
  const args = sparticuz.args.filter((arg) => !dropped.includes(arg));
  return chromium.launch({
    executablePath,
    headless: true,
    args: [...args, "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
    timeout: 120_000,
  });
}

export interface OfflineContext {
  context: BrowserContext;
  /**
   * Requests that were blocked (outside the allowed origins) or failed, as "METHOD url: reason",
   * and whatever the page's Content-Security-Policy refused, as "CSP …".
   */
  failures: string[];
}

/**
 * A browser context that can only reach `origins` (e.g. the test server): everything else is aborted.
 * Every page also reports what its CSP refuses (the `securitypolicyviolation` event, and Chromium's
 * console errors about it), so a test expecting no failures also proves the page needs nothing the
 * policy forbids.
 */
export async function offlineContext(browser: Browser, origins: string[]): Promise<OfflineContext> {
  const context = await browser.newContext();
  const failures: string[] = [];
  await context.exposeFunction("__cspViolation", (text: string) => failures.push(`CSP ${text}`));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { __cspViolation(text: string): void }).__cspViolation;
      report(`${e.effectiveDirective} refused ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  context.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) failures.push(`CSP console: ${message.text()}`);
  });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || origins.includes(new URL(url).origin)) return route.continue();
    failures.push(`${route.request().method()} ${url}: blocked (not a local test origin)`);
    return route.abort("blockedbyclient");
  });
  context.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "failed";
    if (reason !== "net::ERR_BLOCKED_BY_CLIENT") failures.push(`${request.method()} ${request.url()}: ${reason}`);
  });
  context.on("response", (response) => {
    if (response.status() >= 400) failures.push(`${response.request().method()} ${response.url()}: HTTP ${response.status()}`);
  });
  return { context, failures };
}
