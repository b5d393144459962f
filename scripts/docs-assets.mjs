// Copies Swagger UI (the pinned swagger-ui-dist devDependency) into public/docs/, so /docs needs no CDN.
// Run by wrangler itself ([build] in wrangler.toml: dev, deploy, the dry run) and by `npm test`'s pretest
// (the workerd test project reads wrangler.toml, whose [assets] directory must exist).
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const FILES = ["swagger-ui-bundle.js", "swagger-ui.css"];
const out = path.resolve(import.meta.dirname, "..", "public", "docs");
const dist = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

// wrangler dev reruns [build] on every source change: copy only what differs (2 MB to compare is cheap).
const same = (file) => existsSync(path.join(out, file)) && readFileSync(path.join(out, file)).equals(readFileSync(path.join(dist, file)));
const stale = FILES.filter((file) => !same(file));
if (stale.length > 0) {
  mkdirSync(out, { recursive: true });
  for (const file of stale) copyFileSync(path.join(dist, file), path.join(out, file));
  console.error(`docs-assets: ${stale.join(", ")} copied from swagger-ui-dist to public/docs/`);
}
