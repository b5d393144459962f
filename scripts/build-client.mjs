// Builds the web client (web/ → public/app/, public/index.html, its push service worker public/sw.js)
// and the SDK's browser bundle (sdk/ → public/sdk/chat-sdk.js) with esbuild. Run by wrangler's [build] (dev, deploy, dry run) and
// by vitest.config.ts before the tests, like docs-assets.mjs. Output is generated, not committed.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as esbuild from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const pub = path.join(root, "public");

const common = { bundle: true, format: "esm", minify: true, target: "es2022", legalComments: "none", write: false, logLevel: "warning" };
const [client, sdk, worker] = await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: { app: path.join(root, "web/main.tsx") },
    outdir: path.join(pub, "app"),
    jsx: "automatic",
    jsxImportSource: "preact",
  }),
  esbuild.build({ ...common, entryPoints: { "chat-sdk": path.join(root, "sdk/index.ts") }, outdir: path.join(pub, "sdk") }),
  // The push service worker, at the site's root so its scope covers the whole client.
  esbuild.build({ ...common, format: "iife", entryPoints: { sw: path.join(root, "web/push/sw.ts") }, outdir: pub }),
]);

// wrangler dev reruns [build] on every change: write only what differs, so unchanged assets stay put.
const changed = [];
const put = (file, contents) => {
  if (existsSync(file) && readFileSync(file).equals(Buffer.from(contents))) return;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, contents);
  changed.push(path.relative(root, file));
};
for (const out of [...client.outputFiles, ...sdk.outputFiles, ...worker.outputFiles]) put(out.path, out.contents);

// index.html names the bundles with a content hash, so a deploy is never half old, half new in a cache.
const hash = (name) => createHash("sha256").update(readFileSync(path.join(pub, "app", name))).digest("hex").slice(0, 10);
const html = readFileSync(path.join(root, "web/index.html"), "utf8")
  .replace("/app/app.js", `/app/app.js?v=${hash("app.js")}`)
  .replace("/app/app.css", `/app/app.css?v=${hash("app.css")}`);
put(path.join(pub, "index.html"), html);
if (changed.length) console.error(`build-client: wrote ${changed.join(", ")}`);
