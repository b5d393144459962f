import { z } from "@hono/zod-openapi";
import { UnixSeconds, UserId } from "../../platform/schemas";

export const BlockParams = z.object({ userID: UserId.openapi({ param: { name: "userID", in: "path" } }) });

export const BlockList = z
  .object({
    blocks: z.array(z.object({ user_id: z.string(), display_name: z.string(), created_at: UnixSeconds })),
  })
  .openapi("BlockList");
