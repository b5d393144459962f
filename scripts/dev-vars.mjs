// Shared by `npm start` and `npm run token`: make sure .dev.vars exists and read it.
import { copyFileSync, existsSync, readFileSync } from "node:fs";

export function ensureDevVars() {
  if (!existsSync(".dev.vars")) {
    copyFileSync(".dev.vars.example", ".dev.vars");
    console.error("Created .dev.vars from .dev.vars.example");
  }
  const vars = {};
  for (const line of readFileSync(".dev.vars", "utf8").split("\n")) {
    const match = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/);
    if (match) vars[match[1]] = match[2].replace(/^"(.*)"$/, "$1");
  }
  return vars;
}
