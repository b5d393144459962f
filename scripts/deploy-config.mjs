// What `npm run deploy:setup` reads from and writes to wrangler.toml (pure, so it is tested offline).
import { experimental_readRawConfig } from "wrangler";

/** The account resources wrangler.toml names: D1 databases, R2 buckets, queues. */
export async function deployResources(configPath) {
  const { rawConfig } = experimental_readRawConfig({ config: configPath });
  const queues = [...(rawConfig.queues?.producers ?? []).map((q) => q.queue), ...(rawConfig.queues?.consumers ?? []).map((q) => q.queue)];
  return {
    databases: (rawConfig.d1_databases ?? []).map((d) => ({ binding: d.binding, name: d.database_name, id: d.database_id, migrations: Boolean(d.migrations_dir) })),
    buckets: [...new Set((rawConfig.r2_buckets ?? []).map((b) => b.bucket_name))],
    queues: [...new Set(queues)],
  };
}

/**
 * wrangler.toml with each binding's `database_id` set to the id the account gave it, everything else
 * (comments, order) untouched. `ids`: binding → id; bindings without an id are left as they are.
 */
export function withDatabaseIds(toml, ids) {
  return toml.replace(/^\[\[d1_databases\]\]\s*\n(?:(?!\[).*\n?)*/gm, (block) => {
    const binding = block.match(/^binding\s*=\s*"([^"]+)"/m)?.[1];
    const id = binding && ids[binding];
    return id ? block.replace(/^database_id\s*=\s*"[^"]*"/m, `database_id = "${id}"`) : block;
  });
}
