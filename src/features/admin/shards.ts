/** `/admin/v1/shards`: capacity planning, and closing a full shard to new channels. */
import { createRoute, z } from "@hono/zod-openapi";
import { inArray, sql } from "drizzle-orm";
import { createRouter } from "../../app";
import { channels, shards } from "../../db/directory";
import type { Db, Env } from "../../env";
import { ApiError } from "../../platform/errors";
import { errorResponses, json, jsonBody } from "../../platform/openapi";
import { shardBinding, shardNames } from "../../platform/shards";
import { adminSecurity } from "./admin.schemas";

const Shard = z
  .object({
    name: z.string().openapi({ example: "HISTORY_0" }),
    channels: z.number().int().openapi({ description: "Channels placed on it (deleted ones until purged)" }),
    messages: z.number().int().openapi({ description: "Messages ever sent to its channels" }),
    size_bytes: z.number().int().openapi({ description: "The D1 database's size" }),
    open: z.boolean().openapi({ description: "Takes new channels" }),
  })
  .openapi("Shard");

const listShards = createRoute({
  method: "get",
  path: "/admin/v1/shards",
  tags: ["Admin"],
  security: adminSecurity,
  summary: "History shards: channels, messages and size of each, and whether it takes new channels",
  description:
    "ADMIN_TOKEN. One entry per history shard (a D1 database): channels placed on it, messages, size in bytes, and `open` (whether new channels may be placed there). " +
    "New channels go to the least-loaded open shard; nothing ever moves between shards.",
  responses: { 200: json(z.object({ shards: z.array(Shard) }), "Every configured shard") },
});

const updateShard = createRoute({
  method: "patch",
  path: "/admin/v1/shards/{name}",
  tags: ["Admin"],
  security: adminSecurity,
  summary: "Close a shard to new channels (its channels stay and keep working), or open it again",
  description:
    "ADMIN_TOKEN. `{\"open\": false}` stops placing new channels on the shard (before it fills up); its channels stay and keep working. `{\"open\": true}` opens it again.",
  request: { params: z.object({ name: z.string().openapi({ param: { name: "name", in: "path" } }) }), body: jsonBody(z.object({ open: z.boolean() })) },
  responses: { 200: json(Shard, "The shard"), ...errorResponses(400, 404) },
});

/** Directory counts in one query (one row per channel of the shard is read), size from each shard. */
async function describe(db: Db, env: Env, names: string[]) {
  const [registered, counts] = await db.batch([
    db.select().from(shards).where(inArray(shards.name, names)),
    db
      .select({ shard: channels.shard, channels: sql<number>`count(*)`, messages: sql<number>`coalesce(sum(${channels.lastPosition}), 0)` })
      .from(channels)
      .where(inArray(channels.shard, names))
      .groupBy(channels.shard),
  ]);
  const sizes = await Promise.all(names.map(async (name) => (await shardBinding(env, name).prepare("select 1").run()).meta.size_after ?? 0));
  return names.map((name, i) => {
    const count = counts.find((c) => c.shard === name);
    return { name, channels: count?.channels ?? 0, messages: count?.messages ?? 0, size_bytes: sizes[i]!, open: registered.find((r) => r.name === name)?.open ?? true };
  });
}

export const shardsRouter = createRouter()
  .openapi(listShards, async (c) => c.json({ shards: await describe(c.get("db"), c.env, shardNames(c.env)) }, 200))
  .openapi(updateShard, async (c) => {
    const { name } = c.req.valid("param");
    if (!shardNames(c.env).includes(name)) throw new ApiError("NOT_FOUND", `No history shard named ${name}`);
    const db = c.get("db");
    await db.insert(shards).values({ name, open: c.req.valid("json").open }).onConflictDoUpdate({ target: shards.name, set: { open: c.req.valid("json").open } });
    return c.json((await describe(db, c.env, [name]))[0]!, 200);
  });
