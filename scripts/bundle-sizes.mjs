// Prints raw and gzip sizes of the web client, the SDK's browser bundle and (after `npm run build`)
// the Worker bundle: `node scripts/bundle-sizes.mjs` (builds the client first).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

const root = path.resolve(import.meta.dirname, "..");
spawnSync(process.execPath, [path.join(root, "scripts/build-client.mjs")], { stdio: "inherit" });
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const rows = [
  ["web client JS (public/app/app.js: Preact, signals, SDK, hono/client)", "public/app/app.js"],
  ["web client CSS (public/app/app.css)", "public/app/app.css"],
  ["SDK alone (public/sdk/chat-sdk.js: ChatClient, socket, hono/client)", "public/sdk/chat-sdk.js"],
];
const worker = path.join(root, "dist");
if (existsSync(worker)) for (const f of readdirSync(worker).filter((f) => f.endsWith(".js"))) rows.push([`Worker bundle (dist/${f}, npm run build)`, `dist/${f}`]);
for (const [label, file] of rows) {
  const bytes = readFileSync(path.join(root, file));
  console.log(`${label}: ${kb(bytes.length)} raw, ${kb(gzipSync(bytes, { level: 9 }).length)} gzip`);
}
