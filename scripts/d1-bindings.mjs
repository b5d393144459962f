// The D1 databases declared in wrangler.toml (the directory and every history shard), so scripts
// migrate all of them without a hand-kept list.
import { readFileSync } from "node:fs";

export function d1Bindings(configPath = "wrangler.toml") {
  const toml = readFileSync(configPath, "utf8");
  return toml
    .split(/^\[\[d1_databases\]\]\s*$/m)
    .slice(1)
    .map((block) => block.match(/^binding\s*=\s*"([^"]+)"/m)?.[1])
    .filter(Boolean);
}
