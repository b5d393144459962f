// Copies Swagger UI (the pinned swagger-ui-dist devDependency) into public/docs/, so /docs needs no CDN,
// with our set-up script (src/features/docs/swagger-init.js: not inline, for the page's CSP).
// Run by wrangler itself ([build] in wrangler.toml: dev, deploy, the dry run) and by `npm test`'s pretest
// (the workerd test project reads wrangler.toml, whose [assets] directory must exist).
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const out = path.join(root, "public", "docs");
const dist = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
/** Each file in public/docs/ and where it comes from. */
const SOURCES = {
  "swagger-ui-bundle.js": path.join(dist, "swagger-ui-bundle.js"),
  "swagger-ui.css": path.join(dist, "swagger-ui.css"),
  "swagger-init.js": path.join(root, "src/features/docs/swagger-init.js"),
};
const FILES = Object.keys(SOURCES);

// wrangler dev reruns [build] on every source change: copy only what differs (2 MB to compare is cheap).
const same = (file) => existsSync(path.join(out, file)) && readFileSync(path.join(out, file)).equals(readFileSync(SOURCES[file]));
const stale = FILES.filter((file) => !same(file));
if (stale.length > 0) {
  mkdirSync(out, { recursive: true });
  for (const file of stale) copyFileSync(SOURCES[file], path.join(out, file));
  console.error(`docs-assets: ${stale.join(", ")} copied to public/docs/`);
}
