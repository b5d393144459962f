// `npm run token -- <sub> [name]`: prints a 24 h HS256 user token for the local JWT_SECRET.
import { sign } from "hono/jwt";
import { ensureDevVars } from "./dev-vars.mjs";

const [sub, ...nameParts] = process.argv.slice(2);
if (!sub) {
  console.error("usage: npm run token -- <sub> [display name]");
  process.exit(2);
}
const { JWT_SECRET } = ensureDevVars();
if (!JWT_SECRET) {
  console.error("JWT_SECRET is missing from .dev.vars");
  process.exit(1);
}
const now = Math.floor(Date.now() / 1000);
const name = nameParts.join(" ") || undefined;
console.log(await sign({ sub, name, iat: now, exp: now + 86_400 }, JWT_SECRET, "HS256"));
