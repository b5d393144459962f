// Shared by `npm start` and `npm run token`: make sure .dev.vars exists and read it.
import { generateKeyPairSync } from "node:crypto";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";

/** A VAPID private key for Web Push: a P-256 private scalar, base64url (the Worker derives the public key). */
export const newVapidPrivateKey = () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" }).d;

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
  // Each checkout gets its own push key, made once and kept (browsers' subscriptions are bound to it).
  if (!vars.VAPID_PRIVATE_KEY) {
    vars.VAPID_PRIVATE_KEY = newVapidPrivateKey();
    appendFileSync(".dev.vars", `${readFileSync(".dev.vars", "utf8").endsWith("\n") ? "" : "\n"}VAPID_PRIVATE_KEY=${vars.VAPID_PRIVATE_KEY}\n`);
    console.error("Added a VAPID_PRIVATE_KEY (Web Push) to .dev.vars");
  }
  return vars;
}
